/*
 * store_account.c - the store's part of membership cancellation and of
 * personal-data export requests.
 */
#include "store_int.h"

const char vouch_schema_accounts[] =
    "ALTER TABLE users ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN delete_profile INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE exports ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL,"
    " status INTEGER NOT NULL DEFAULT 0,"
    " confirmed INTEGER NOT NULL DEFAULT 0,"
    " ready INTEGER NOT NULL DEFAULT 0,"
    " expires INTEGER NOT NULL DEFAULT 0,"
    " path TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX exports_user ON exports(user_id, status);";
