/*
 * store_sqlite.c - the store's SQLite driver: the one file that calls
 * SQLite.  The statement layer of store_int.h passes straight through
 * to it (prepared statements, bindings without copies, result codes as
 * they are); besides, what only an SQLite file has: opening it and
 * checking it is a vouch store, its PRAGMAs, and the schema steps
 * counted in its user_version.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include <sqlite3.h>

#include "store_int.h"

_Static_assert(ST_OK == SQLITE_OK && ST_ROW == SQLITE_ROW &&
                   ST_DONE == SQLITE_DONE && ST_CORRUPT == SQLITE_CORRUPT &&
                   ST_MISUSE == SQLITE_MISUSE,
               "the layer's status codes are SQLite's");

/* "vouc" - tells a vouch store from any other SQLite file. */
#define APPLICATION_ID 0x766f7563

/* Schema migrations: step N brings a store from user_version N - 1 to N.
 * A later version appends a step; a step is never edited once released. */
static const char *const migrations[] = {
    NULL, /* version 0: the empty file */
    /* version 1 */
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT UNIQUE NOT NULL,"
    " full_name TEXT,"
    " email TEXT,"
    " phone TEXT,"
    " phone_verified INTEGER NOT NULL DEFAULT 0,"
    " lang TEXT NOT NULL DEFAULT 'en',"
    " pw_hash TEXT,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " pw_failures INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL,"
    " pw_changed INTEGER NOT NULL DEFAULT 0,"
    " plan TEXT,"
    " period_end INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE pw_history ("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " hash TEXT NOT NULL,"
    " changed INTEGER NOT NULL,"
    " seq INTEGER PRIMARY KEY AUTOINCREMENT);"
    "CREATE INDEX pw_history_user ON pw_history(user_id, seq);"
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " ts INTEGER NOT NULL,"
    " user TEXT NOT NULL DEFAULT '',"
    " event TEXT NOT NULL,"
    " service TEXT NOT NULL DEFAULT '',"
    " detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX audit_user_ts ON audit(user, ts);",
    /* version 2: the security check (codes, tokens, lockout, cards) */
    "ALTER TABLE users ADD COLUMN card_mac BLOB;"
    "ALTER TABLE users ADD COLUMN card_last4 TEXT;"
    "CREATE TABLE codes ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " purpose TEXT NOT NULL,"
    " channel INTEGER NOT NULL,"
    " mac BLOB NOT NULL CHECK (length(mac) = 32),"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " used INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX codes_user ON codes(user_id, purpose, channel, id);"
    "CREATE TABLE tokens ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " purpose TEXT NOT NULL,"
    " mac BLOB UNIQUE NOT NULL CHECK (length(mac) = 32),"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " used INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX tokens_user ON tokens(user_id, expires);"
    "CREATE TABLE check_failures ("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " ts INTEGER NOT NULL,"
    " method TEXT NOT NULL);"
    "CREATE INDEX check_failures_user ON check_failures(user_id, ts);"
    "CREATE TABLE sends ("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " purpose TEXT NOT NULL,"
    " channel INTEGER NOT NULL,"
    " ts INTEGER NOT NULL);"
    "CREATE INDEX sends_user ON sends(user_id, purpose, channel, ts);",
    vouch_schema_sessions, /* version 3 */
    vouch_schema_accounts, /* version 4 */
    vouch_schema_devices,  /* version 5 */
    /* version 6: "r" counted apart from the first send of a check */
    "ALTER TABLE sends ADD COLUMN resend INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX sends_user_ts ON sends(user_id, ts);",
    vouch_schema_forgot, /* version 7: limits of the forgot page */
    vouch_schema_fleet /* version 8: sessions' hosts, sign-outs owed */};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])) - 1)

/* Upper bound on the statements of one migration step. */
#define MAX_SCRIPT_STATEMENTS 256

/* ------------------------------------------------------------ statements */

static int sq_prepare(vouch_store *st, const char *sql, bool keep, void **h)
{
  sqlite3_stmt *s = NULL;
  int src = sqlite3_prepare_v3(st->db, sql, -1,
                               keep ? SQLITE_PREPARE_PERSISTENT : 0, &s, NULL);

  *h = s;
  return src;
}

static int sq_bind_text(void *h, int i, const char *v)
{
  if(!v)
    return sqlite3_bind_null(h, i);
  return sqlite3_bind_text(h, i, v, -1, SQLITE_STATIC);
}

static int sq_bind_int64(void *h, int i, int64_t v)
{
  return sqlite3_bind_int64(h, i, (sqlite3_int64)v);
}

static int sq_bind_blob(void *h, int i, const void *p, size_t n)
{
  if(n > INT_MAX)
    return SQLITE_TOOBIG;
  return sqlite3_bind_blob(h, i, p, (int)n, SQLITE_STATIC);
}

static int sq_params(void *h)
{
  return sqlite3_bind_parameter_count(h);
}

static int sq_step(void *h)
{
  return sqlite3_step(h);
}

static int64_t sq_col_int64(void *h, int i)
{
  return (int64_t)sqlite3_column_int64(h, i);
}

static const char *sq_col_text(void *h, int i, size_t *len, bool *ok)
{
  const unsigned char *t = sqlite3_column_text(h, i);

  if(len)
    *len = t ? (size_t)sqlite3_column_bytes(h, i) : 0;
  if(!t && ok && sqlite3_errcode(sqlite3_db_handle(h)) == SQLITE_NOMEM)
    *ok = false;
  return (const char *)t;
}

static const void *sq_col_blob(void *h, int i, size_t *len)
{
  const void *p = sqlite3_column_blob(h, i);

  *len = (size_t)sqlite3_column_bytes(h, i);
  return p;
}

static bool sq_col_null(void *h, int i)
{
  return sqlite3_column_type(h, i) == SQLITE_NULL;
}

static void sq_reset(void *h)
{
  /* Reset ends its read of the store; the bound values (MACs among
   * them, bound without copies) are dropped. */
  sqlite3_reset(h);
  sqlite3_clear_bindings(h);
}

static void sq_finalize(void *h)
{
  sqlite3_finalize(h);
}

static int64_t sq_changes(vouch_store *st)
{
  return sqlite3_changes(st->db);
}

static int64_t sq_last_id(vouch_store *st)
{
  return (int64_t)sqlite3_last_insert_rowid(st->db);
}

static bool sq_in_tx(const vouch_store *st)
{
  return st->db && !sqlite3_get_autocommit(st->db);
}

/* Maps a failed SQLite call to a vouch_rc and says what happened.  what
 * names the operation, never a value. */
static vouch_rc sq_fail(const vouch_store *st, const char *what, int src)
{
  const char *msg = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(src);

  switch(src & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    st_slog(st, LOG_ERR, "%s: %s: store busy past the busy timeout: %s",
            st->path, what, msg);
    return VOUCH_ERR_BUSY;
  case SQLITE_NOMEM:
    st_slog(st, LOG_ERR, "%s: %s: out of memory", st->path, what);
    return VOUCH_ERR_NOMEM;
  case SQLITE_READONLY:
    st_slog(st, LOG_ERR, "%s: %s: store is read-only: %s", st->path, what,
            msg);
    return VOUCH_ERR_STORE;
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    st_slog(st, LOG_ERR, "%s: not a vouch store or corrupt (%s)", st->path,
            msg);
    return VOUCH_ERR_STORE;
  default:
    st_slog(st, LOG_ERR, "%s: %s: %s", st->path, what, msg);
    return VOUCH_ERR_STORE;
  }
}

/* Runs a fixed script of several statements, one prepared at a time. */
static vouch_rc sq_exec_script(vouch_store *st, const char *sql,
                               const char *what)
{
  const char *tail = sql;
  unsigned n;
  vouch_rc rc = VOUCH_OK;

  for(n = 0; tail && *tail && n < MAX_SCRIPT_STATEMENTS; n++) {
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v3(st->db, tail, -1, 0, &s, &tail);
    st_stmt one = {&st_sqlite_driver, s};

    if(src != SQLITE_OK)
      return sq_fail(st, what, src);
    if(!s)
      break; /* only white space was left */
    src = st_step_done(&one);
    if(src != SQLITE_DONE)
      rc = sq_fail(st, what, src);
    sqlite3_finalize(s);
    if(rc)
      return rc;
  }
  return rc;
}

static enum st_conflict sq_conflict(int src)
{
  if(src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
    return ST_UNIQUE;
  return (src & 0xff) == SQLITE_CONSTRAINT ? ST_CONSTRAINT : ST_NO_CONFLICT;
}

static vouch_rc sq_begin(vouch_store *st)
{
  return st_exec1(st, "BEGIN IMMEDIATE", "begin transaction");
}

static bool sq_alive(vouch_store *st)
{
  return st->db != NULL;
}

const struct st_driver st_sqlite_driver = {
    .name = "sqlite",
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int64 = sq_bind_int64,
    .bind_blob = sq_bind_blob,
    .params = sq_params,
    .step = sq_step,
    .col_int64 = sq_col_int64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_null = sq_col_null,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .changes = sq_changes,
    .last_id = sq_last_id,
    .in_tx = sq_in_tx,
    .exec_script = sq_exec_script,
    .fail = sq_fail,
    .conflict = sq_conflict,
    .begin = sq_begin,
    .alive = sq_alive,
    .close = st_sqlite_close,
};

/* ---------------------------------------------------------------- open */

/* The file is an SQLite database we may use: readable, a vouch store or
 * an empty one, and writable. */
static vouch_rc check_db(vouch_store *st, long long *version)
{
  long long appid = 0, objects = 0;
  vouch_rc rc;

  rc = st_query_int(st, "PRAGMA application_id", "read store header", &appid);
  if(!rc)
    rc = st_query_int(st, "SELECT count(*) FROM sqlite_schema",
                      "read store schema", &objects);
  if(!rc)
    rc = st_query_int(st, "PRAGMA user_version", "read schema version",
                      version);
  if(rc)
    return rc;
  if(appid != APPLICATION_ID && (appid != 0 || objects != 0)) {
    st_slog(st, LOG_ERR, "%s: not a vouch store or corrupt", st->path);
    return VOUCH_ERR_STORE;
  }
  if(*version > SCHEMA_VERSION) {
    st_slog(st, LOG_ERR, "%s: created by a newer vouch (schema %lld)",
            st->path, *version);
    return VOUCH_ERR_STORE;
  }
  return VOUCH_OK;
}

static vouch_rc set_pragmas(vouch_store *st)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, "PRAGMA journal_mode=WAL", &s);
  if(rc)
    return rc;
  src = st_step(s);
  if(src == SQLITE_ROW) {
    const char *mode = st_col_textn(s, 0, NULL);
    if(!mode || sqlite3_stricmp(mode, "wal")) {
      st_slog(st, LOG_ERR, "%s: store refuses the WAL journal mode", st->path);
      rc = VOUCH_ERR_STORE;
    }
  }
  else
    rc = st_sql_fail(st, "set WAL journal mode", src);
  st_finish(st, s);
  if(!rc)
    rc = st_exec_script(st,
                        "PRAGMA synchronous=FULL;"
                        "PRAGMA temp_store=MEMORY;"
                        "PRAGMA foreign_keys=ON;"
                        "PRAGMA secure_delete=ON;"
                        "PRAGMA trusted_schema=OFF;",
                        "set pragmas");
  return rc;
}

/* Brings the schema to SCHEMA_VERSION, one step per version, under a
 * write lock so that two first openers cannot both migrate. */
static vouch_rc migrate(vouch_store *st)
{
  char sql[64];
  long long version = 0;
  vouch_rc rc;

  rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc =
      st_query_int(st, "PRAGMA user_version", "read schema version", &version);
  if(rc)
    goto out;
  if(version > SCHEMA_VERSION || version < 0) {
    st_slog(st, LOG_ERR, "%s: created by a newer vouch (schema %lld)",
            st->path, version);
    rc = VOUCH_ERR_STORE;
    goto out;
  }
  for(; version < SCHEMA_VERSION && !rc; version++)
    rc = st_exec_script(st, migrations[version + 1], "migrate schema");
  if(rc)
    goto out;
  snprintf(sql, sizeof(sql),
           "PRAGMA application_id=%d;"
           "PRAGMA user_version=%d;",
           APPLICATION_ID, SCHEMA_VERSION);
  rc = st_exec_script(st, sql, "set schema version");
  if(!rc)
    rc = vouch_store_commit(st);
out:
  vouch_store_rollback(st);
  return rc;
}

vouch_rc st_sqlite_open(vouch_store *st, unsigned busy_timeout_ms)
{
  char *name;
  long long version = 0;
  int src;
  vouch_rc rc;

  /* Debian's SQLite reads "file:..." as a URI even without
   * SQLITE_OPEN_URI; "./" keeps a relative name the file we vetted. */
  name = vouch_asprintf("%s%s", st->path[0] == '/' ? "" : "./", st->path);
  if(!name)
    return VOUCH_ERR_NOMEM;
  /* No SQLITE_OPEN_CREATE: check_file made and vetted the file. */
  src = sqlite3_open_v2(name, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
                            SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  free(name);
  if(src != SQLITE_OK)
    return st_sql_fail(st, "open", src);
  /* SQLite falls back to reading only when it may not write; a store
   * that cannot count failures is no store for vouch. */
  if(sqlite3_db_readonly(st->db, "main") == 1) {
    st_slog(st, LOG_ERR,
            "%s: store is read-only (file or file system "
            "not writable)",
            st->path);
    return VOUCH_ERR_STORE;
  }
  sqlite3_extended_result_codes(st->db, 1);
  st_sqlite_timeout(st, busy_timeout_ms);
  /* Plain SQL may not corrupt the file (writable_schema and the like). */
  sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  rc = check_db(st, &version);
  if(!rc)
    rc = set_pragmas(st);
  if(!rc && version < SCHEMA_VERSION)
    rc = migrate(st);
  return rc;
}

void st_sqlite_timeout(vouch_store *st, unsigned busy_timeout_ms)
{
  sqlite3_busy_timeout(
      st->db, busy_timeout_ms > INT32_MAX ? INT32_MAX : (int)busy_timeout_ms);
}

void st_sqlite_close(vouch_store *st)
{
  sqlite3_close_v2(st->db);
  st->db = NULL;
}
