/*
 * store_device.c - the store's part of device sign-in: the codes a device
 * without a keyboard shows until a signed-in member approves or refuses
 * them, and the wrong approvals counted for rate limiting.
 */
#include "store_int.h"

const char vouch_schema_devices[] =
    "CREATE TABLE device_codes ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " mac BLOB NOT NULL UNIQUE,"
    " service TEXT NOT NULL DEFAULT '',"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " status INTEGER NOT NULL DEFAULT 0," /* 0 waiting 1 approved 2 denied 3
                                             used */
    " user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    " decided INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE device_failures ("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " ts INTEGER NOT NULL);"
    "CREATE INDEX device_failures_user ON device_failures(user_id, ts);";
