/*
 * store_session.c - the store's part of sessions: each PAM session opened
 * for a member (service, tty, remote host, leader pid and its start time)
 * so that it can be listed and signed out everywhere.
 */
#include "store_int.h"

const char vouch_schema_sessions[] =
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " service TEXT NOT NULL DEFAULT '',"
    " tty TEXT NOT NULL DEFAULT '',"
    " rhost TEXT NOT NULL DEFAULT '',"
    " pid INTEGER NOT NULL,"
    " pid_start INTEGER NOT NULL," /* start time, clock ticks after boot */
    " started INTEGER NOT NULL,"
    " ended INTEGER NOT NULL DEFAULT 0,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX sessions_user ON sessions(user_id, ended);";
