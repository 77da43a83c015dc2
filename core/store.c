/*
 * store.c - the account store on SQLite, and the only file in vouch that
 * speaks SQL.  Users, their password history and the audit trail live
 * here behind the vouch_store_* functions, so that a PostgreSQL backend
 * for fleets of login hosts can sit beside this one unchanged above.
 *
 * Every statement is prepared and bound; every read-modify-write runs in
 * BEGIN IMMEDIATE so that concurrent logins count exactly; errors are
 * reported with SQLite's own message but never with a bound value.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_int.h"

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
    vouch_schema_forgot /* version 7: limits of the forgot page */};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])) - 1)

/* Upper bound on the statements of one migration step. */
#define MAX_SCRIPT_STATEMENTS 256

void st_slog(const vouch_store *st, int prio, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;

  if(!st->log)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  st->log(st->logarg, prio, buf);
}

/* Maps a failed SQLite call to a vouch_rc and says what happened.  what
 * names the operation, never a value. */
vouch_rc st_sql_fail(const vouch_store *st, const char *what, int src)
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

static unsigned long sql_hash(const char *sql)
{
  unsigned long h = 14695981039346656037UL;

  while(*sql)
    h = (h ^ (unsigned char)*sql++) * 1099511628211UL;
  return h;
}

vouch_rc st_prepare(vouch_store *st, const char *sql, sqlite3_stmt **out)
{
  unsigned long h = sql_hash(sql);
  struct st_cached *c;
  unsigned i;
  int src;

  for(i = 0; i < st->ncached; i++) {
    c = &st->cached[i];
    if(c->hash != h || strcmp(c->sql, sql))
      continue;
    if(c->busy)
      break; /* in use further up: a statement of its own */
    c->busy = true;
    *out = c->s;
    return VOUCH_OK;
  }
  c = i == st->ncached && st->ncached < ST_CACHE ? &st->cached[st->ncached]
                                                 : NULL;
  src = sqlite3_prepare_v3(st->db, sql, -1, c ? SQLITE_PREPARE_PERSISTENT : 0,
                           out, NULL);
  if(src != SQLITE_OK) {
    *out = NULL;
    return st_sql_fail(st, "prepare", src);
  }
  if(c && (c->sql = strdup(sql)) != NULL) {
    c->hash = h;
    c->s = *out;
    c->busy = true;
    st->ncached++;
  }
  return VOUCH_OK;
}

void st_finish(vouch_store *st, sqlite3_stmt *s)
{
  unsigned i;

  if(!s)
    return;
  for(i = 0; st && i < st->ncached; i++)
    if(st->cached[i].s == s) {
      /* Reset ends its read of the store; the bound values (MACs among
       * them, bound without copies) are dropped. */
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
      st->cached[i].busy = false;
      return;
    }
  sqlite3_finalize(s);
}

/* Binds a string or SQL NULL. */
int st_bind_text(sqlite3_stmt *s, int i, const char *v)
{
  if(!v)
    return sqlite3_bind_null(s, i);
  return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Steps to the end, ignoring rows: for statements run for their effect. */
int st_step_done(sqlite3_stmt *s)
{
  int src;
  unsigned rows = 0;

  do {
    src = sqlite3_step(s);
  } while(src == SQLITE_ROW && rows++ < 1000000);
  return src;
}

/* Runs one fixed statement without parameters. */
vouch_rc st_exec1(vouch_store *st, const char *sql, const char *what)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_step_done(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, what, src);
  st_finish(st, s);
  return rc;
}

/* Runs a fixed script of several statements, one prepared at a time. */
vouch_rc st_exec_script(vouch_store *st, const char *sql, const char *what)
{
  const char *tail = sql;
  unsigned n;
  vouch_rc rc = VOUCH_OK;

  for(n = 0; tail && *tail && n < MAX_SCRIPT_STATEMENTS; n++) {
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v3(st->db, tail, -1, 0, &s, &tail);

    if(src != SQLITE_OK)
      return st_sql_fail(st, what, src);
    if(!s)
      break; /* only white space was left */
    src = st_step_done(s);
    if(src != SQLITE_DONE)
      rc = st_sql_fail(st, what, src);
    st_finish(st, s);
    if(rc)
      return rc;
  }
  return rc;
}

/* Reads one integer from a fixed query (a PRAGMA). */
vouch_rc st_query_int(vouch_store *st, const char *sql, const char *what,
                      long long *out)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = sqlite3_step(s);
  if(src == SQLITE_ROW)
    *out = sqlite3_column_int64(s, 0);
  else if(src == SQLITE_DONE)
    *out = 0;
  else
    rc = st_sql_fail(st, what, src);
  st_finish(st, s);
  return rc;
}

/* ---------------------------------------------------------- transactions */

/* In vouchd every thread writes to the same file: SQLite's busy handler
 * (sleep and retry) lets a few of hundreds of waiting writers starve
 * past the busy timeout, so the threads of one process queue on this
 * lock for their write transactions instead, and the busy handler is
 * left to waits on other processes (the tools' workers).  Recursive: a
 * thread that begins on a second handle meets SQLite's lock as before. */
static pthread_mutex_t g_writer = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static bool g_serialize;

void vouch_store_serialize(void)
{
  g_serialize = true;
}

static void writer_release(vouch_store *st)
{
  if(st->writer) {
    st->writer = false;
    pthread_mutex_unlock(&g_writer);
  }
}

vouch_rc vouch_store_begin(vouch_store *st)
{
  vouch_rc rc;

  if(g_serialize && st && !st->writer) {
    pthread_mutex_lock(&g_writer);
    st->writer = true;
  }
  rc = st_exec1(st, "BEGIN IMMEDIATE", "begin transaction");
  if(rc && st)
    writer_release(st);
  return rc;
}

vouch_rc vouch_store_commit(vouch_store *st)
{
  vouch_rc rc = st_exec1(st, "COMMIT", "commit");

  /* A failed COMMIT may leave the transaction open; end it here so the
   * caller never carries a half-done one further. */
  if(rc)
    vouch_store_rollback(st);
  else if(st)
    writer_release(st);
  return rc;
}

void vouch_store_rollback(vouch_store *st)
{
  if(!st)
    return;
  if(st->db && !sqlite3_get_autocommit(st->db))
    st_exec1(st, "ROLLBACK", "rollback");
  /* Also when SQLite ended the transaction itself (an I/O error). */
  writer_release(st);
}

/* Several statements of one function must land together: inside the
 * caller's transaction a savepoint, otherwise a transaction of our own
 * (IMMEDIATE, so that a read followed by a write cannot deadlock). */
vouch_rc st_atomic_enter(vouch_store *st, bool *own)
{
  *own = sqlite3_get_autocommit(st->db) != 0;
  if(*own)
    return vouch_store_begin(st);
  return st_exec1(st, "SAVEPOINT vouch_atomic", "savepoint");
}

vouch_rc st_atomic_leave(vouch_store *st, bool own, vouch_rc rc)
{
  if(own) {
    if(rc) {
      vouch_store_rollback(st);
      return rc;
    }
    return vouch_store_commit(st);
  }
  if(rc) {
    st_exec1(st, "ROLLBACK TO vouch_atomic", "rollback to savepoint");
    st_exec1(st, "RELEASE vouch_atomic", "release savepoint");
    return rc;
  }
  return st_exec1(st, "RELEASE vouch_atomic", "release savepoint");
}

/* ------------------------------------------------------------ open/close */

/* A concurrent first opener may win the race; its file is as good. */
static vouch_rc create_file(vouch_store *st)
{
  int fd =
      open(st->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  if(fd < 0 && errno == EEXIST)
    return VOUCH_OK;
  if(fd < 0 || fchmod(fd, 0600)) {
    st_slog(st, LOG_ERR, "%s: cannot create store: %s", st->path,
            strerror(errno));
    if(fd >= 0)
      close(fd);
    return VOUCH_ERR_SYSTEM;
  }
  close(fd);
  return VOUCH_OK;
}

/* Makes sure the file exists and passes the ownership and mode checks
 * before SQLite sees it. */
static vouch_rc check_file(vouch_store *st, int flags)
{
  struct stat sb;
  vouch_rc rc;

  if(lstat(st->path, &sb)) {
    if(errno != ENOENT) {
      st_slog(st, LOG_ERR, "%s: %s%s", st->path, strerror(errno),
              errno == EACCES ? " (run as root)" : "");
      return VOUCH_ERR_SYSTEM;
    }
    if(!(flags & VOUCH_STORE_CREATE)) {
      st_slog(st, LOG_ERR,
              "%s: store does not exist; run 'vouchctl init' as root",
              st->path);
      return VOUCH_ERR_STORE;
    }
    rc = create_file(st);
    if(rc)
      return rc;
  }
  else if(S_ISLNK(sb.st_mode)) {
    st_slog(st, LOG_ERR, "%s: store is a symbolic link; refused", st->path);
    return VOUCH_ERR_INSECURE;
  }
  /* Checked by path, never opened here: a descriptor of ours closed
   * beside SQLite's would drop the POSIX locks of every other
   * connection of this process (vouchd holds several).  SQLite then
   * opens it with SQLITE_OPEN_NOFOLLOW; a store that cannot be written
   * is reported as read-only by name below. */
  return vouch_check_secure(st->path, true, st->log, st->logarg);
}

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
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, "PRAGMA journal_mode=WAL", &s);
  if(rc)
    return rc;
  src = sqlite3_step(s);
  if(src == SQLITE_ROW) {
    const unsigned char *mode = sqlite3_column_text(s, 0);
    if(!mode || sqlite3_stricmp((const char *)mode, "wal")) {
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

static vouch_rc open_db(vouch_store *st, unsigned busy_timeout_ms)
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
  sqlite3_busy_timeout(
      st->db, busy_timeout_ms > INT32_MAX ? INT32_MAX : (int)busy_timeout_ms);
  /* Plain SQL may not corrupt the file (writable_schema and the like). */
  sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  rc = check_db(st, &version);
  if(!rc)
    rc = set_pragmas(st);
  if(!rc && version < SCHEMA_VERSION)
    rc = migrate(st);
  return rc;
}

/* vouchd opens the store for every request: a closed handle is kept
 * (up to POOL_MAX, with its prepared statements) for the next open of
 * the same file, which then only vets the path again and checks that
 * the file there is still the one the handle has open. */
#define POOL_MAX 8
static pthread_mutex_t g_pool_mu = PTHREAD_MUTEX_INITIALIZER;
static vouch_store *g_pool[POOL_MAX];
static unsigned g_npool;

static bool same_file(const vouch_store *st)
{
  struct stat sb;

  return !lstat(st->path, &sb) && S_ISREG(sb.st_mode) &&
         sb.st_dev == st->dev && sb.st_ino == st->ino;
}

static void really_close(vouch_store *st)
{
  unsigned i;

  if(!st)
    return;
  if(st->db) {
    vouch_store_rollback(st);
    for(i = 0; i < st->ncached; i++) {
      sqlite3_finalize(st->cached[i].s);
      free(st->cached[i].sql);
    }
    sqlite3_close_v2(st->db);
  }
  free(st->path);
  free(st);
}

/* A kept handle of path that is still good, or NULL. */
static vouch_store *pool_take(const char *path, unsigned busy_timeout_ms,
                              vouch_log_fn log, void *logarg)
{
  vouch_store *st = NULL;
  unsigned i;

  pthread_mutex_lock(&g_pool_mu);
  for(i = g_npool; i-- > 0;)
    if(!strcmp(g_pool[i]->path, path)) {
      st = g_pool[i];
      g_pool[i] = g_pool[--g_npool];
      break;
    }
  pthread_mutex_unlock(&g_pool_mu);
  if(!st)
    return NULL;
  st->log = log;
  st->logarg = logarg;
  if(check_file(st, 0) || !same_file(st)) {
    really_close(st); /* a fresh open says what is wrong */
    return NULL;
  }
  sqlite3_busy_timeout(
      st->db, busy_timeout_ms > INT32_MAX ? INT32_MAX : (int)busy_timeout_ms);
  return st;
}

/* Keeps st for the next open when it is clean; false: close it. */
static bool pool_give(vouch_store *st)
{
  bool kept = false;
  unsigned i;

  if(!g_serialize || !st->db || !st->ino)
    return false;
  vouch_store_rollback(st);
  for(i = 0; i < st->ncached; i++)
    if(st->cached[i].busy)
      return false;
  if(!sqlite3_get_autocommit(st->db) || st->writer)
    return false;
  pthread_mutex_lock(&g_pool_mu);
  if(g_npool < POOL_MAX) {
    g_pool[g_npool++] = st;
    kept = true;
  }
  pthread_mutex_unlock(&g_pool_mu);
  if(kept) {
    st->log = NULL;
    st->logarg = NULL;
  }
  return kept;
}

void vouch_store_forget(void)
{
  vouch_store *kept[POOL_MAX];
  unsigned n, i;

  pthread_mutex_lock(&g_pool_mu);
  n = g_npool;
  memcpy(kept, g_pool, n * sizeof(kept[0]));
  g_npool = 0;
  pthread_mutex_unlock(&g_pool_mu);
  for(i = 0; i < n; i++)
    really_close(kept[i]);
}

vouch_rc vouch_store_open(const char *path, unsigned busy_timeout_ms,
                          int flags, vouch_store **out, vouch_log_fn log,
                          void *logarg)
{
  vouch_store *st;
  struct stat sb;
  vouch_rc rc;

  if(!out)
    return VOUCH_ERR_INPUT;
  *out = NULL;
  if(!path || !*path) {
    if(log)
      log(logarg, LOG_ERR, "store path is empty");
    return VOUCH_ERR_CONFIG;
  }
  if(g_serialize && !flags) {
    *out = pool_take(path, busy_timeout_ms, log, logarg);
    if(*out)
      return VOUCH_OK;
  }
  st = calloc(1, sizeof(*st));
  if(!st)
    return VOUCH_ERR_NOMEM;
  st->log = log;
  st->logarg = logarg;
  st->path = strdup(path);
  if(!st->path) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  rc = check_file(st, flags);
  if(!rc)
    rc = open_db(st, busy_timeout_ms);
  if(rc)
    goto out;
  /* Only a handle opened plainly goes back to the pool. */
  if(!flags && !lstat(st->path, &sb)) {
    st->dev = sb.st_dev;
    st->ino = sb.st_ino;
  }
  *out = st;
  st = NULL;
out:
  really_close(st);
  return rc;
}

void vouch_store_close(vouch_store *st)
{
  if(!st || pool_give(st))
    return;
  really_close(st);
}

/* ------------------------------------------------------------ move aside */

/* The files SQLite keeps beside a store: the write-ahead log holds
 * committed changes not yet in the main file, so it goes along, and a
 * stale one must never meet the new store. */
static const char *const companions[] = {"-wal", "-shm", "-journal"};
#define NCOMPANIONS (sizeof(companions) / sizeof(companions[0]))

/* Renames from+suffix to to+suffix, never over an existing file; a
 * missing source is fine (returns 1). */
static int move_one(const char *from, const char *to, const char *suffix,
                    vouch_log_fn log, void *logarg)
{
  char a[PATH_MAX], b[PATH_MAX];
  int n1 = snprintf(a, sizeof(a), "%s%s", from, suffix);
  int n2 = snprintf(b, sizeof(b), "%s%s", to, suffix);

  if(n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(a) || (size_t)n2 >= sizeof(b))
    return -1;
  if(!renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE))
    return 0;
  if(errno == ENOENT && *suffix)
    return 1;
  vouch_logp(log, logarg, LOG_ERR, "cannot move %s to %s: %s", a, b,
             strerror(errno));
  return -1;
}

/* The companions first: a store must never be left without its log. */
static vouch_rc move_set(const char *path, const char *aside, vouch_log_fn log,
                         void *logarg)
{
  bool moved[NCOMPANIONS] = {false};
  size_t i;
  int r = 0;

  for(i = 0; i < NCOMPANIONS && r >= 0; i++) {
    r = move_one(path, aside, companions[i], log, logarg);
    moved[i] = r == 0;
  }
  if(r >= 0)
    r = move_one(path, aside, "", log, logarg);
  if(r >= 0)
    return VOUCH_OK;
  for(i = 0; i < NCOMPANIONS; i++)
    if(moved[i])
      (void)move_one(aside, path, companions[i], log, logarg);
  return VOUCH_ERR_SYSTEM;
}

vouch_rc vouch_store_move_aside(const char *path, time_t now, char *aside,
                                size_t len, vouch_log_fn log, void *logarg)
{
  char stamp[32], probe[PATH_MAX];
  struct tm tm;
  unsigned i;
  int n;

  if(!path || !*path || !aside || !len)
    return VOUCH_ERR_USAGE;
  if(!localtime_r(&now, &tm) ||
     !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm))
    return VOUCH_ERR_SYSTEM;
  /* Never over an earlier copy: a second move within the same second
   * gets a number. */
  for(i = 0; i < 10; i++) {
    n = i ? snprintf(aside, len, "%s.old-%s.%u", path, stamp, i)
          : snprintf(aside, len, "%s.old-%s", path, stamp);
    if(n < 0 || (size_t)n >= len || (size_t)n + 16 >= sizeof(probe)) {
      vouch_logp(log, logarg, LOG_ERR, "%s: path too long to move aside",
                 path);
      return VOUCH_ERR_INPUT;
    }
    snprintf(probe, sizeof(probe), "%s-wal", aside);
    if(access(aside, F_OK) && errno == ENOENT && access(probe, F_OK) &&
       errno == ENOENT)
      return move_set(path, aside, log, logarg);
  }
  vouch_logp(log, logarg, LOG_ERR,
             "%s: ten copies were moved aside this second", path);
  return VOUCH_ERR_EXISTS;
}

/* ----------------------------------------------------------------- users */

const char *vouch_state_name(vouch_state s)
{
  switch(s) {
  case VOUCH_STATE_ACTIVE:
    return "active";
  case VOUCH_STATE_LOCKED:
    return "locked";
  case VOUCH_STATE_RESET:
    return "reset-required";
  default:
    return "unknown";
  }
}

void st_free_secret(char *s)
{
  if(s) {
    vouch_wipe(s, strlen(s));
    free(s);
  }
}

void vouch_user_clear(vouch_user *u)
{
  if(!u)
    return;
  free(u->name);
  free(u->full_name);
  free(u->email);
  free(u->phone);
  st_free_secret(u->pw_hash);
  free(u->plan);
  vouch_wipe(u, sizeof(*u));
}

/* A copy of a text column, NULL for SQL NULL.  *ok turns false when
 * memory runs out. */
char *st_col_dup(sqlite3_stmt *s, int i, bool *ok)
{
  const unsigned char *t = sqlite3_column_text(s, i);
  char *copy;

  if(!t) {
    if(sqlite3_errcode(sqlite3_db_handle(s)) == SQLITE_NOMEM)
      *ok = false;
    return NULL;
  }
  copy = strdup((const char *)t);
  if(!copy)
    *ok = false;
  return copy;
}

#define USER_COLUMNS                                                          \
  "id, name, full_name, email, phone, phone_verified, lang, pw_hash,"         \
  " state, pw_failures, created, pw_changed, plan, period_end,"               \
  " card_mac IS NOT NULL, card_last4"

static vouch_rc user_from_row(sqlite3_stmt *s, vouch_user *u)
{
  const unsigned char *lang, *last4;
  sqlite3_int64 v;
  bool ok = true;

  u->id = sqlite3_column_int64(s, 0);
  u->name = st_col_dup(s, 1, &ok);
  u->full_name = st_col_dup(s, 2, &ok);
  u->email = st_col_dup(s, 3, &ok);
  u->phone = st_col_dup(s, 4, &ok);
  u->phone_verified = sqlite3_column_int64(s, 5) != 0;
  lang = sqlite3_column_text(s, 6);
  if(lang && sqlite3_column_bytes(s, 6) == 2)
    memcpy(u->lang, lang, 3);
  else
    memcpy(u->lang, "en", 3);
  u->pw_hash = st_col_dup(s, 7, &ok);
  u->state = (vouch_state)sqlite3_column_int(s, 8);
  v = sqlite3_column_int64(s, 9);
  u->pw_failures = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
  u->created = (time_t)sqlite3_column_int64(s, 10);
  u->pw_changed = (time_t)sqlite3_column_int64(s, 11);
  u->plan = st_col_dup(s, 12, &ok);
  u->period_end = (time_t)sqlite3_column_int64(s, 13);
  u->has_card = sqlite3_column_int(s, 14) != 0;
  last4 = sqlite3_column_text(s, 15);
  if(u->has_card && last4 && sqlite3_column_bytes(s, 15) == 4)
    memcpy(u->card_last4, last4, 5);
  else
    u->card_last4[0] = '\0';
  if(!ok || !u->name) {
    vouch_user_clear(u);
    return VOUCH_ERR_NOMEM;
  }
  return VOUCH_OK;
}

bool st_bad_name(const vouch_store *st, const char *name)
{
  if(name && *name)
    return false;
  st_slog(st, LOG_ERR, "%s: empty user name", st->path);
  return true;
}

vouch_rc vouch_store_user_get(vouch_store *st, const char *name, vouch_user *u)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!u)
    return VOUCH_ERR_INPUT;
  memset(u, 0, sizeof(*u));
  if(st_bad_name(st, name))
    return VOUCH_ERR_INPUT;
  rc =
      st_prepare(st, "SELECT " USER_COLUMNS " FROM users WHERE name = ?1", &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  if(src == SQLITE_OK)
    src = sqlite3_step(s);
  if(src == SQLITE_ROW)
    rc = user_from_row(s, u);
  else if(src == SQLITE_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "read user", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_user_add(vouch_store *st, const vouch_user *u)
{
  sqlite3_stmt *s = NULL;
  time_t now = time(NULL);
  vouch_rc rc;
  int src;

  if(!u || st_bad_name(st, u->name))
    return VOUCH_ERR_INPUT;
  rc =
      st_prepare(st,
                 "INSERT INTO users (name, full_name, email, phone,"
                 " phone_verified, lang, pw_hash, state, created, pw_changed,"
                 " plan, period_end)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                 &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, u->name);
  src = src ? src : st_bind_text(s, 2, u->full_name);
  src = src ? src : st_bind_text(s, 3, u->email);
  src = src ? src : st_bind_text(s, 4, u->phone);
  src = src ? src : sqlite3_bind_int(s, 5, u->phone_verified ? 1 : 0);
  src = src ? src : st_bind_text(s, 6, u->lang[0] ? u->lang : "en");
  src = src ? src : st_bind_text(s, 7, u->pw_hash);
  src = src ? src : sqlite3_bind_int(s, 8, (int)u->state);
  src = src ? src : sqlite3_bind_int64(s, 9, (sqlite3_int64)now);
  src = src ? src
            : sqlite3_bind_int64(s, 10, u->pw_hash ? (sqlite3_int64)now : 0);
  src = src ? src : st_bind_text(s, 11, u->plan);
  src = src ? src : sqlite3_bind_int64(s, 12, (sqlite3_int64)u->period_end);
  if(src == SQLITE_OK)
    src = sqlite3_step(s);
  if(src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY) {
    st_slog(st, LOG_ERR, "%s: user already exists", st->path);
    rc = VOUCH_ERR_EXISTS;
  }
  else if(src != SQLITE_DONE)
    rc = st_sql_fail(st, "add user", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_user_update(vouch_store *st, const vouch_user *u)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!u || st_bad_name(st, u->name))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE users SET full_name = ?2, email = ?3,"
                  " phone = ?4, phone_verified = ?5, lang = ?6, plan = ?7,"
                  " period_end = ?8 WHERE name = ?1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, u->name);
  src = src ? src : st_bind_text(s, 2, u->full_name);
  src = src ? src : st_bind_text(s, 3, u->email);
  src = src ? src : st_bind_text(s, 4, u->phone);
  src = src ? src : sqlite3_bind_int(s, 5, u->phone_verified ? 1 : 0);
  src = src ? src : st_bind_text(s, 6, u->lang[0] ? u->lang : "en");
  src = src ? src : st_bind_text(s, 7, u->plan);
  src = src ? src : sqlite3_bind_int64(s, 8, (sqlite3_int64)u->period_end);
  if(src == SQLITE_OK)
    src = sqlite3_step(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, "update user", src);
  else if(sqlite3_changes(st->db) == 0)
    rc = VOUCH_ERR_NO_USER;
  st_finish(st, s);
  return rc;
}

/* Runs a one-row write on the user named by ?1 (with an optional integer
 * ?2); VOUCH_ERR_NO_USER when no row matched. */
static vouch_rc user_write(vouch_store *st, const char *sql, const char *name,
                           bool has_int, sqlite3_int64 v, const char *what)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(st_bad_name(st, name))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  if(src == SQLITE_OK && has_int)
    src = sqlite3_bind_int64(s, 2, v);
  if(src == SQLITE_OK)
    src = st_step_done(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, what, src);
  else if(sqlite3_changes(st->db) == 0)
    rc = VOUCH_ERR_NO_USER;
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_user_del(vouch_store *st, const char *name)
{
  /* pw_history goes with the row (ON DELETE CASCADE); audit stays. */
  return user_write(st, "DELETE FROM users WHERE name = ?1", name, false, 0,
                    "delete user");
}

vouch_rc vouch_store_pw_success(vouch_store *st, const char *name)
{
  return user_write(st, "UPDATE users SET pw_failures = 0 WHERE name = ?1",
                    name, false, 0, "clear failure count");
}

vouch_rc vouch_store_set_state(vouch_store *st, const char *name,
                               vouch_state state)
{
  if(state != VOUCH_STATE_ACTIVE && state != VOUCH_STATE_LOCKED &&
     state != VOUCH_STATE_RESET)
    return VOUCH_ERR_INPUT;
  return user_write(st, "UPDATE users SET state = ?2 WHERE name = ?1", name,
                    true, (sqlite3_int64)state, "set state");
}

vouch_rc vouch_store_pw_failure(vouch_store *st, const char *name,
                                unsigned *count)
{
  sqlite3_stmt *s = NULL;
  sqlite3_int64 v = 0;
  vouch_rc rc;
  int src;

  if(!count || st_bad_name(st, name))
    return VOUCH_ERR_INPUT;
  *count = 0;
  /* One statement adds and reads back, so no other writer can slip in
   * between. */
  rc = st_prepare(st,
                  "UPDATE users SET pw_failures = pw_failures + 1"
                  " WHERE name = ?1 RETURNING pw_failures",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  if(src == SQLITE_OK)
    src = sqlite3_step(s);
  if(src == SQLITE_ROW) {
    v = sqlite3_column_int64(s, 0);
    src = st_step_done(s);
    if(src == SQLITE_DONE)
      *count = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
    else
      rc = st_sql_fail(st, "count failure", src);
  }
  else if(src == SQLITE_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "count failure", src);
  st_finish(st, s);
  return rc;
}

/* Collects all user names first so that fn may use the store freely
 * without a statement open underneath it. */
static vouch_rc collect_names(vouch_store *st, char ***names, size_t *count)
{
  sqlite3_stmt *s = NULL;
  char **list = NULL;
  size_t n = 0, cap = 0;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, "SELECT name FROM users ORDER BY name", &s);
  if(rc)
    return rc;
  for(;;) {
    bool ok = true;
    char *name;

    src = sqlite3_step(s);
    if(src != SQLITE_ROW)
      break;
    if(n == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      char **nl = realloc(list, ncap * sizeof(*nl));
      if(!nl) {
        rc = VOUCH_ERR_NOMEM;
        break;
      }
      list = nl;
      cap = ncap;
    }
    name = st_col_dup(s, 0, &ok);
    if(!ok || !name) {
      rc = VOUCH_ERR_NOMEM;
      break;
    }
    list[n++] = name;
  }
  if(!rc && src != SQLITE_DONE)
    rc = st_sql_fail(st, "list users", src);
  st_finish(st, s);
  if(rc) {
    vouch_store_free_list(list, n);
    return rc;
  }
  *names = list;
  *count = n;
  return VOUCH_OK;
}

vouch_rc vouch_store_user_each(vouch_store *st,
                               vouch_rc (*fn)(void *arg, const char *name),
                               void *arg)
{
  char **names = NULL;
  size_t i, n = 0;
  vouch_rc rc;

  if(!fn)
    return VOUCH_ERR_INPUT;
  rc = collect_names(st, &names, &n);
  for(i = 0; !rc && i < n; i++)
    rc = fn(arg, names[i]);
  vouch_store_free_list(names, n);
  return rc;
}

/* -------------------------------------------------------------- passwords */

vouch_rc st_user_id(vouch_store *st, const char *name, int64_t *id)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, "SELECT id FROM users WHERE name = ?1", &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  if(src == SQLITE_OK)
    src = sqlite3_step(s);
  if(src == SQLITE_ROW)
    *id = sqlite3_column_int64(s, 0);
  else if(src == SQLITE_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "find user", src);
  st_finish(st, s);
  return rc;
}

/* Runs a write bound to (?1 id, ?2 integer, ?3 text). */
vouch_rc st_id_write(vouch_store *st, const char *sql, int64_t id,
                     sqlite3_int64 v, const char *text, const char *what)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = sqlite3_bind_int64(s, 1, id);
  if(src == SQLITE_OK && sqlite3_bind_parameter_count(s) >= 2)
    src = sqlite3_bind_int64(s, 2, v);
  if(src == SQLITE_OK && sqlite3_bind_parameter_count(s) >= 3)
    src = st_bind_text(s, 3, text);
  if(src == SQLITE_OK)
    src = st_step_done(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, what, src);
  st_finish(st, s);
  return rc;
}

static vouch_rc replace_password(vouch_store *st, const char *name,
                                 const char *hash, unsigned keep)
{
  int64_t id = 0;
  vouch_rc rc;

  rc = st_user_id(st, name, &id);
  if(rc)
    return rc;
  /* The old hash moves by SQL alone and never passes through memory. */
  rc = st_id_write(st,
                   "INSERT INTO pw_history (user_id, hash, changed)"
                   " SELECT id, pw_hash, ?2 FROM users"
                   " WHERE id = ?1 AND pw_hash IS NOT NULL",
                   id, (sqlite3_int64)time(NULL), NULL,
                   "keep password history");
  if(!rc)
    rc = st_id_write(st,
                     "UPDATE users SET pw_changed = ?2, pw_hash = ?3"
                     " WHERE id = ?1",
                     id, (sqlite3_int64)time(NULL), hash, "set password");
  if(!rc)
    rc = st_id_write(st,
                     "DELETE FROM pw_history WHERE user_id = ?1"
                     " AND seq NOT IN (SELECT seq FROM pw_history"
                     " WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2)",
                     id, (sqlite3_int64)keep, NULL, "trim password history");
  return rc;
}

vouch_rc vouch_store_set_password(vouch_store *st, const char *name,
                                  const char *hash, unsigned keep)
{
  bool own = false;
  vouch_rc rc;

  if(st_bad_name(st, name))
    return VOUCH_ERR_INPUT;
  if(!hash || !*hash) {
    st_slog(st, LOG_ERR, "%s: empty password hash", st->path);
    return VOUCH_ERR_INPUT;
  }
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = replace_password(st, name, hash, keep);
  return st_atomic_leave(st, own, rc);
}

/* Why a renewal changed nothing: no such user, or no password. */
static vouch_rc no_password(vouch_store *st, const char *name)
{
  int64_t id = 0;
  vouch_rc rc = st_user_id(st, name, &id);

  if(rc)
    return rc;
  st_slog(st, LOG_ERR, "%s: user has no password to renew", st->path);
  return VOUCH_ERR_NOT_FOUND;
}

vouch_rc vouch_store_replace_hash(vouch_store *st, const char *name,
                                  const char *hash)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(st_bad_name(st, name))
    return VOUCH_ERR_INPUT;
  if(!hash || !*hash) {
    st_slog(st, LOG_ERR, "%s: empty password hash", st->path);
    return VOUCH_ERR_INPUT;
  }
  /* Only a set password is renewed: a cleared one stays cleared. */
  rc = st_prepare(st,
                  "UPDATE users SET pw_hash = ?2"
                  " WHERE name = ?1 AND pw_hash IS NOT NULL",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  if(src == SQLITE_OK)
    src = st_bind_text(s, 2, hash);
  if(src == SQLITE_OK)
    src = st_step_done(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, "renew password hash", src);
  else if(sqlite3_changes(st->db) == 0)
    rc = no_password(st, name);
  st_finish(st, s);
  return rc;
}

static vouch_rc list_push(char **list, size_t *n, sqlite3_stmt *s)
{
  bool ok = true;
  char *h = st_col_dup(s, 0, &ok);

  if(!ok)
    return VOUCH_ERR_NOMEM;
  if(h)
    list[(*n)++] = h;
  return VOUCH_OK;
}

vouch_rc vouch_store_pw_recent(vouch_store *st, const char *name, unsigned n,
                               char ***hashes, size_t *count)
{
  sqlite3_stmt *s = NULL;
  char **list = NULL;
  size_t got = 0;
  bool found = false;
  vouch_rc rc;
  int src;

  if(!hashes || !count || st_bad_name(st, name))
    return VOUCH_ERR_INPUT;
  *hashes = NULL;
  *count = 0;
  /* One statement, so the current hash and the history agree. */
  rc = st_prepare(st,
                  "SELECT pw_hash, 0 AS k, 0 AS seq FROM users"
                  " WHERE name = ?1 UNION ALL"
                  " SELECT h.hash, 1, h.seq FROM pw_history h"
                  " JOIN users u ON u.id = h.user_id WHERE u.name = ?1"
                  " ORDER BY k, seq DESC LIMIT ?2",
                  &s);
  if(rc)
    return rc;
  list = calloc((size_t)n + 1, sizeof(*list));
  if(!list)
    rc = VOUCH_ERR_NOMEM;
  src = rc ? SQLITE_OK : st_bind_text(s, 1, name);
  if(!rc && src == SQLITE_OK)
    src = sqlite3_bind_int64(s, 2, (sqlite3_int64)n + 1);
  while(!rc && src == SQLITE_OK) {
    src = sqlite3_step(s);
    if(src != SQLITE_ROW)
      break;
    src = SQLITE_OK;
    found = true;
    if(got < n)
      rc = list_push(list, &got, s);
  }
  if(!rc && src != SQLITE_DONE)
    rc = st_sql_fail(st, "read password history", src);
  if(!rc && !found)
    rc = VOUCH_ERR_NO_USER;
  st_finish(st, s);
  if(rc) {
    vouch_store_free_list(list, got);
    return rc;
  }
  *hashes = list;
  *count = got;
  return VOUCH_OK;
}

void vouch_store_free_list(char **list, size_t count)
{
  size_t i;

  if(!list)
    return;
  for(i = 0; i < count; i++)
    st_free_secret(list[i]);
  free(list);
}

/* ----------------------------------------------------------------- audit */

vouch_rc vouch_store_audit_add(vouch_store *st, time_t ts, const char *user,
                               const char *event, const char *service,
                               const char *detail)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!event || !*event) {
    st_slog(st, LOG_ERR, "%s: audit event without a name", st->path);
    return VOUCH_ERR_INPUT;
  }
  rc = st_prepare(st,
                  "INSERT INTO audit (ts, user, event, service, detail)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                  &s);
  if(rc)
    return rc;
  src = sqlite3_bind_int64(s, 1, (sqlite3_int64)ts);
  src = src ? src : st_bind_text(s, 2, user ? user : "");
  src = src ? src : st_bind_text(s, 3, event);
  src = src ? src : st_bind_text(s, 4, service ? service : "");
  src = src ? src : st_bind_text(s, 5, detail ? detail : "");
  if(src == SQLITE_OK)
    src = sqlite3_step(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, "write audit record", src);
  st_finish(st, s);
  return rc;
}

const char *st_col_text(sqlite3_stmt *s, int i)
{
  const unsigned char *t = sqlite3_column_text(s, i);

  return t ? (const char *)t : "";
}

vouch_rc vouch_store_audit_each(vouch_store *st, const char *user,
                                vouch_rc (*fn)(void *arg,
                                               const vouch_audit_row *r),
                                void *arg)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src = SQLITE_OK;

  if(!fn)
    return VOUCH_ERR_INPUT;
  rc = st_prepare(
      st,
      user ? "SELECT id, ts, user, event, service, detail FROM audit"
             " WHERE user = ?1 ORDER BY ts, id"
           : "SELECT id, ts, user, event, service, detail FROM audit"
             " ORDER BY ts, id",
      &s);
  if(rc)
    return rc;
  if(user)
    src = st_bind_text(s, 1, user);
  while(!rc && src == SQLITE_OK) {
    vouch_audit_row r;

    src = sqlite3_step(s);
    if(src != SQLITE_ROW)
      break;
    src = SQLITE_OK;
    r.id = sqlite3_column_int64(s, 0);
    r.ts = (time_t)sqlite3_column_int64(s, 1);
    r.user = st_col_text(s, 2);
    r.event = st_col_text(s, 3);
    r.service = st_col_text(s, 4);
    r.detail = st_col_text(s, 5);
    rc = fn(arg, &r);
  }
  if(!rc && src != SQLITE_DONE)
    rc = st_sql_fail(st, "read audit trail", src);
  st_finish(st, s);
  return rc;
}

/* -------------------------------------------------------- security check */

/* Codes, tokens, failed checks, sends and the card: the rows behind
 * core/challenge.c and core/card.c.  A user is found by name in the same
 * statement ("SELECT id FROM users WHERE name = ?1"), so that a missing
 * user shows as no row changed and is told apart afterwards. */

#define USER_ID_OF "(SELECT id FROM users WHERE name = ?1)"

/* Week a used or expired token is kept so that it reads as stale, not
 * unknown, when it comes back. */
#define TOKEN_KEEP (7 * 86400)

bool vouch_store_in_transaction(vouch_store *st)
{
  return st && st->db && !sqlite3_get_autocommit(st->db);
}

int st_bind_mac(sqlite3_stmt *s, int i, const unsigned char *mac)
{
  return sqlite3_bind_blob(s, i, mac, VOUCH_MAC_BYTES, SQLITE_STATIC);
}

vouch_rc st_user_insert(vouch_store *st, const char *what, int64_t *id,
                        const char *sql, const char *fmt, ...)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  va_list ap;
  int src = SQLITE_OK, i;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  va_start(ap, fmt);
  for(i = 0; fmt[i] && src == SQLITE_OK; i++) {
    if(fmt[i] == 't')
      src = st_bind_text(s, i + 1, va_arg(ap, const char *));
    else if(fmt[i] == 'i')
      src = sqlite3_bind_int(s, i + 1, va_arg(ap, int));
    else if(fmt[i] == 'I')
      src = sqlite3_bind_int64(s, i + 1, va_arg(ap, sqlite3_int64));
    else if(fmt[i] == 'm')
      src = st_bind_mac(s, i + 1, va_arg(ap, const unsigned char *));
    else
      src = SQLITE_MISUSE;
  }
  va_end(ap);
  src = src ? src : st_step_done(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, what, src);
  else if(sqlite3_changes(st->db) == 0)
    rc = VOUCH_ERR_NO_USER;
  else if(id)
    *id = (int64_t)sqlite3_last_insert_rowid(st->db);
  st_finish(st, s);
  return rc;
}

/* Why a statement bound to a user name changed nothing. */
vouch_rc st_no_row(vouch_store *st, const char *name, vouch_rc otherwise)
{
  int64_t id = 0;
  vouch_rc rc = st_user_id(st, name, &id);

  return rc ? rc : otherwise;
}

bool st_bad_purpose(const vouch_store *st, const char *purpose)
{
  if(purpose && *purpose && strlen(purpose) <= 32)
    return false;
  st_slog(st, LOG_ERR, "%s: empty or over-long purpose", st->path);
  return true;
}

/* Runs a write on row ?1 = id, for its effect. */
vouch_rc st_row_write(vouch_store *st, const char *sql, int64_t id,
                      const char *what)
{
  vouch_rc rc = st_id_write(st, sql, id, 0, NULL, what);

  if(!rc && sqlite3_changes(st->db) == 0)
    rc = VOUCH_ERR_NOT_FOUND;
  return rc;
}

static vouch_rc code_kill_old(vouch_store *st, const char *user,
                              const char *purpose, int channel, time_t now)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st,
                  "UPDATE codes SET used = 1 WHERE user_id = " USER_ID_OF
                  " AND purpose = ?2 AND channel = ?3 AND used = 0",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_text(s, 2, purpose);
  src = src ? src : sqlite3_bind_int(s, 3, channel);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  if(src != SQLITE_DONE)
    return st_sql_fail(st, "retire old codes", src);
  rc = st_prepare(st,
                  "DELETE FROM codes WHERE user_id = " USER_ID_OF
                  " AND (used = 1 OR expires <= ?2)",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  if(src != SQLITE_DONE)
    return st_sql_fail(st, "drop dead codes", src);
  return VOUCH_OK;
}

static vouch_rc code_add(vouch_store *st, const char *user,
                         const char *purpose, int channel,
                         const unsigned char *mac, time_t created,
                         time_t expires, int64_t *id)
{
  return st_user_insert(
      st, "store code", id,
      "INSERT INTO codes (user_id, purpose, channel, mac, created, expires)"
      " SELECT id, ?2, ?3, ?4, ?5, ?6 FROM users WHERE name = ?1",
      "ttimII", user, purpose, channel, mac, (sqlite3_int64)created,
      (sqlite3_int64)expires);
}

vouch_rc vouch_store_code_insert(vouch_store *st, const char *user,
                                 const char *purpose, int channel,
                                 const unsigned char *mac, time_t created,
                                 time_t expires, int64_t *id)
{
  bool own = false;
  vouch_rc rc;

  if(!mac || st_bad_name(st, user) || st_bad_purpose(st, purpose))
    return VOUCH_ERR_INPUT;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = code_kill_old(st, user, purpose, channel, created);
  if(!rc)
    rc = code_add(st, user, purpose, channel, mac, created, expires, id);
  return st_atomic_leave(st, own, rc);
}

static void code_from_row(sqlite3_stmt *s, vouch_code_row *out)
{
  sqlite3_int64 v;

  out->id = sqlite3_column_int64(s, 0);
  if(sqlite3_column_bytes(s, 1) == VOUCH_MAC_BYTES)
    memcpy(out->mac, sqlite3_column_blob(s, 1), VOUCH_MAC_BYTES);
  out->created = (time_t)sqlite3_column_int64(s, 2);
  out->expires = (time_t)sqlite3_column_int64(s, 3);
  v = sqlite3_column_int64(s, 4);
  out->attempts = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
}

vouch_rc vouch_store_code_live(vouch_store *st, const char *user,
                               const char *purpose, int channel, time_t now,
                               vouch_code_row *out)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!out || st_bad_name(st, user) || st_bad_purpose(st, purpose))
    return VOUCH_ERR_INPUT;
  memset(out, 0, sizeof(*out));
  rc = st_prepare(st,
                  "SELECT id, mac, created, expires, attempts FROM codes"
                  " WHERE user_id = " USER_ID_OF " AND purpose = ?2"
                  " AND channel = ?3 AND used = 0 AND expires > ?4"
                  " ORDER BY id DESC LIMIT 1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_text(s, 2, purpose);
  src = src ? src : sqlite3_bind_int(s, 3, channel);
  src = src ? src : sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
  src = src ? src : sqlite3_step(s);
  if(src == SQLITE_ROW)
    code_from_row(s, out);
  else if(src == SQLITE_DONE)
    rc = VOUCH_ERR_NOT_FOUND;
  else
    rc = st_sql_fail(st, "find code", src);
  st_finish(st, s);
  if(rc == VOUCH_ERR_NOT_FOUND)
    rc = st_no_row(st, user, VOUCH_ERR_NOT_FOUND);
  return rc;
}

vouch_rc vouch_store_code_attempt(vouch_store *st, int64_t id,
                                  unsigned *attempts)
{
  sqlite3_stmt *s = NULL;
  sqlite3_int64 v;
  vouch_rc rc;
  int src;

  if(!attempts)
    return VOUCH_ERR_INPUT;
  *attempts = 0;
  rc = st_prepare(st,
                  "UPDATE codes SET attempts = attempts + 1 WHERE id = ?1"
                  " RETURNING attempts",
                  &s);
  if(rc)
    return rc;
  src = sqlite3_bind_int64(s, 1, id);
  src = src ? src : sqlite3_step(s);
  if(src == SQLITE_ROW) {
    v = sqlite3_column_int64(s, 0);
    *attempts = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
    src = st_step_done(s);
    if(src != SQLITE_DONE)
      rc = st_sql_fail(st, "count code attempt", src);
  }
  else if(src == SQLITE_DONE)
    rc = VOUCH_ERR_NOT_FOUND;
  else
    rc = st_sql_fail(st, "count code attempt", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_code_use(vouch_store *st, int64_t id)
{
  return st_row_write(st, "UPDATE codes SET used = 1 WHERE id = ?1", id,
                      "use code");
}

vouch_rc vouch_store_code_drop(vouch_store *st, int64_t id)
{
  return st_row_write(st, "DELETE FROM codes WHERE id = ?1", id, "drop code");
}

/* ----------------------------------------------------------------- tokens */

static vouch_rc token_prune(vouch_store *st, const char *user, time_t before)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st,
                  "DELETE FROM tokens WHERE user_id = " USER_ID_OF
                  " AND expires <= ?2",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : sqlite3_bind_int64(s, 2, (sqlite3_int64)before);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  return src == SQLITE_DONE ? VOUCH_OK
                            : st_sql_fail(st, "drop old tokens", src);
}

static vouch_rc token_add(vouch_store *st, const char *user,
                          const char *purpose, const unsigned char *mac,
                          time_t created, time_t expires)
{
  return st_user_insert(
      st, "store token", NULL,
      "INSERT INTO tokens (user_id, purpose, mac, created, expires)"
      " SELECT id, ?2, ?3, ?4, ?5 FROM users WHERE name = ?1",
      "ttmII", user, purpose, mac, (sqlite3_int64)created,
      (sqlite3_int64)expires);
}

vouch_rc vouch_store_token_insert(vouch_store *st, const char *user,
                                  const char *purpose,
                                  const unsigned char *mac, time_t created,
                                  time_t expires)
{
  bool own = false;
  vouch_rc rc;

  if(!mac || st_bad_name(st, user) || st_bad_purpose(st, purpose))
    return VOUCH_ERR_INPUT;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = token_prune(st, user, created - TOKEN_KEEP);
  if(!rc)
    rc = token_add(st, user, purpose, mac, created, expires);
  return st_atomic_leave(st, own, rc);
}

/* A tokens row (and, with name, its owner's name) of the statement s
 * after a step that gave SQLITE_ROW. */
static vouch_rc token_row(sqlite3_stmt *s, vouch_token_row *out, char *name,
                          size_t len)
{
  const unsigned char *p;

  out->id = sqlite3_column_int64(s, 0);
  out->user_id = sqlite3_column_int64(s, 1);
  p = sqlite3_column_text(s, 2);
  if(p && (size_t)sqlite3_column_bytes(s, 2) < sizeof(out->purpose))
    memcpy(out->purpose, p, (size_t)sqlite3_column_bytes(s, 2) + 1);
  out->created = (time_t)sqlite3_column_int64(s, 3);
  out->expires = (time_t)sqlite3_column_int64(s, 4);
  out->used = sqlite3_column_int64(s, 5) != 0;
  if(!name)
    return VOUCH_OK;
  p = sqlite3_column_text(s, 6);
  if(!p || (size_t)sqlite3_column_bytes(s, 6) >= len)
    return VOUCH_ERR_STORE;
  memcpy(name, p, (size_t)sqlite3_column_bytes(s, 6) + 1);
  return VOUCH_OK;
}

/* The token of mac, by sql (?1 the mac). */
static vouch_rc token_by_mac(vouch_store *st, const char *sql,
                             const unsigned char *mac, vouch_token_row *out,
                             char *name, size_t len)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!mac || !out)
    return VOUCH_ERR_INPUT;
  memset(out, 0, sizeof(*out));
  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_mac(s, 1, mac);
  src = src ? src : sqlite3_step(s);
  if(src == SQLITE_ROW)
    rc = token_row(s, out, name, len);
  else if(src == SQLITE_DONE)
    rc = VOUCH_ERR_NOT_FOUND;
  else
    rc = st_sql_fail(st, "find token", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_token_find(vouch_store *st, const unsigned char *mac,
                                vouch_token_row *out)
{
  return token_by_mac(st,
                      "SELECT id, user_id, purpose, created, expires, used"
                      " FROM tokens WHERE mac = ?1",
                      mac, out, NULL, 0);
}

vouch_rc vouch_store_token_owner(vouch_store *st, const unsigned char *mac,
                                 vouch_token_row *out, char *name, size_t len)
{
  if(!name || !len)
    return VOUCH_ERR_INPUT;
  name[0] = '\0';
  return token_by_mac(st,
                      "SELECT t.id, t.user_id, t.purpose, t.created,"
                      " t.expires, t.used, u.name FROM tokens t JOIN users u"
                      " ON u.id = t.user_id WHERE t.mac = ?1",
                      mac, out, name, len);
}

vouch_rc vouch_store_token_use(vouch_store *st, int64_t id)
{
  return st_row_write(st, "UPDATE tokens SET used = 1 WHERE id = ?1", id,
                      "use token");
}

/* ------------------------------------------------- failed checks, sends */

/* Runs a write on the rows of user (?1) with one integer ?2, for its
 * effect; VOUCH_ERR_NO_USER is not told apart here. */
vouch_rc st_user_rows_write(vouch_store *st, const char *sql, const char *user,
                            sqlite3_int64 v, const char *what)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  if(src == SQLITE_OK && sqlite3_bind_parameter_count(s) >= 2)
    src = sqlite3_bind_int64(s, 2, v);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  return src == SQLITE_DONE ? VOUCH_OK : st_sql_fail(st, what, src);
}

vouch_rc vouch_store_check_failure_add(vouch_store *st, const char *user,
                                       const char *method, time_t ts,
                                       time_t prune_before)
{
  bool own = false;
  vouch_rc rc;

  if(!method || !*method || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = st_user_rows_write(
      st,
      "DELETE FROM check_failures WHERE user_id = " USER_ID_OF " AND ts <= ?2",
      user, (sqlite3_int64)prune_before, "drop old failed checks");
  if(!rc)
    rc = st_user_insert(st, "count failed check", NULL,
                        "INSERT INTO check_failures (user_id, ts, method)"
                        " SELECT id, ?2, ?3 FROM users WHERE name = ?1",
                        "tIt", user, (sqlite3_int64)ts, method);
  return st_atomic_leave(st, own, rc);
}

/* Reads count(*) (and max(ts) when last is not NULL) of a query bound to
 * (?1 user, ?2 since, ?3 purpose, ?4 channel as far as it has them). */
vouch_rc st_count_rows(vouch_store *st, const char *sql, const char *user,
                       time_t since, const char *purpose, int channel,
                       unsigned *count, time_t *last)
{
  sqlite3_stmt *s = NULL;
  sqlite3_int64 v;
  vouch_rc rc;
  int src, n;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  n = sqlite3_bind_parameter_count(s);
  src = st_bind_text(s, 1, user);
  src = src ? src : sqlite3_bind_int64(s, 2, (sqlite3_int64)since);
  if(!src && n >= 3)
    src = st_bind_text(s, 3, purpose);
  if(!src && n >= 4)
    src = sqlite3_bind_int(s, 4, channel);
  src = src ? src : sqlite3_step(s);
  if(src == SQLITE_ROW) {
    v = sqlite3_column_int64(s, 0);
    *count = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
    if(last)
      *last = (time_t)sqlite3_column_int64(s, 1);
  }
  else
    rc = st_sql_fail(st, "count rows", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_check_failure_count(vouch_store *st, const char *user,
                                         time_t since, unsigned *count)
{
  vouch_rc rc;

  if(!count || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  *count = 0;
  rc = st_count_rows(
      st,
      "SELECT count(*) FROM check_failures WHERE user_id = " USER_ID_OF
      " AND ts > ?2",
      user, since, NULL, 0, count, NULL);
  if(!rc && *count == 0)
    rc = st_no_row(st, user, VOUCH_OK);
  return rc;
}

vouch_rc vouch_store_check_failure_clear(vouch_store *st, const char *user)
{
  vouch_rc rc;

  if(st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_user_rows_write(
      st, "DELETE FROM check_failures WHERE user_id = " USER_ID_OF, user, 0,
      "clear failed checks");
  if(!rc && sqlite3_changes(st->db) == 0)
    rc = st_no_row(st, user, VOUCH_OK);
  return rc;
}

vouch_rc vouch_store_send_add(vouch_store *st, const char *user,
                              const char *purpose, int channel, time_t ts,
                              bool resend, time_t prune_before)
{
  bool own = false;
  vouch_rc rc;

  if(st_bad_name(st, user) || st_bad_purpose(st, purpose))
    return VOUCH_ERR_INPUT;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = st_user_rows_write(
      st, "DELETE FROM sends WHERE user_id = " USER_ID_OF " AND ts <= ?2",
      user, (sqlite3_int64)prune_before, "drop old sends");
  if(!rc)
    rc = st_user_insert(st, "record send", NULL,
                        "INSERT INTO sends (user_id, purpose, channel, ts,"
                        " resend) SELECT id, ?2, ?3, ?4, ?5 FROM users"
                        " WHERE name = ?1",
                        "ttiIi", user, purpose, channel, (sqlite3_int64)ts,
                        (int)resend);
  return st_atomic_leave(st, own, rc);
}

vouch_rc vouch_store_sends_since(vouch_store *st, const char *user,
                                 const char *purpose, int channel,
                                 time_t since, unsigned *count, time_t *last)
{
  vouch_rc rc;

  if(!count || !last || st_bad_name(st, user) || st_bad_purpose(st, purpose))
    return VOUCH_ERR_INPUT;
  *count = 0;
  *last = 0;
  rc = st_count_rows(
      st,
      "SELECT count(CASE WHEN ts > ?2 THEN 1 END),"
      " coalesce(max(ts), 0) FROM sends WHERE user_id = " USER_ID_OF
      " AND purpose = ?3 AND channel = ?4",
      user, since, purpose, channel, count, last);
  if(!rc && *last == 0)
    rc = st_no_row(st, user, VOUCH_OK);
  return rc;
}

/* The n-th newest send matched by sql (?1 user, ?2 since, ?3 n - 1, and
 * ?4 purpose, ?5 channel when it has them); 0 when there are fewer. */
static vouch_rc sends_nth(vouch_store *st, const char *sql, const char *user,
                          time_t since, unsigned n, const char *purpose,
                          int channel, time_t *nth)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  *nth = 0;
  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : sqlite3_bind_int64(s, 2, (sqlite3_int64)since);
  src = src ? src : sqlite3_bind_int64(s, 3, n ? (sqlite3_int64)n - 1 : 0);
  if(!src && purpose)
    src = st_bind_text(s, 4, purpose);
  if(!src && purpose)
    src = sqlite3_bind_int(s, 5, channel);
  src = src ? src : sqlite3_step(s);
  if(src == SQLITE_ROW)
    *nth = (time_t)sqlite3_column_int64(s, 0);
  else if(src != SQLITE_DONE)
    rc = st_sql_fail(st, "find a send", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_sends_window(vouch_store *st, const char *user,
                                  const char *purpose, int channel,
                                  time_t since, unsigned n, unsigned *count,
                                  time_t *nth)
{
  vouch_rc rc;

  if(!count || !nth || st_bad_name(st, user) ||
     (purpose && st_bad_purpose(st, purpose)))
    return VOUCH_ERR_INPUT;
  *count = 0;
  *nth = 0;
  if(purpose)
    rc = st_count_rows(st,
                       "SELECT count(*) FROM sends WHERE user_id = " USER_ID_OF
                       " AND ts > ?2 AND purpose = ?3 AND channel = ?4"
                       " AND resend = 1",
                       user, since, purpose, channel, count, NULL);
  else
    rc = st_count_rows(st,
                       "SELECT count(*) FROM sends WHERE user_id = " USER_ID_OF
                       " AND ts > ?2",
                       user, since, NULL, 0, count, NULL);
  if(rc || *count < n || !n)
    return rc;
  if(purpose)
    return sends_nth(st,
                     "SELECT ts FROM sends WHERE user_id = " USER_ID_OF
                     " AND ts > ?2 AND purpose = ?4 AND channel = ?5"
                     " AND resend = 1 ORDER BY ts DESC LIMIT 1 OFFSET ?3",
                     user, since, n, purpose, channel, nth);
  return sends_nth(st,
                   "SELECT ts FROM sends WHERE user_id = " USER_ID_OF
                   " AND ts > ?2 ORDER BY ts DESC LIMIT 1 OFFSET ?3",
                   user, since, n, NULL, 0, nth);
}

/* ------------------------------------------------------------------ card */

vouch_rc vouch_store_card_set(vouch_store *st, const char *user,
                              const unsigned char *mac, const char *last4)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!mac || !last4 || strlen(last4) != 4 || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE users SET card_mac = ?2, card_last4 = ?3"
                  " WHERE name = ?1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_mac(s, 2, mac);
  src = src ? src : st_bind_text(s, 3, last4);
  src = src ? src : st_step_done(s);
  if(src != SQLITE_DONE)
    rc = st_sql_fail(st, "set card", src);
  else if(sqlite3_changes(st->db) == 0)
    rc = VOUCH_ERR_NO_USER;
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_card_clear(vouch_store *st, const char *user)
{
  vouch_rc rc;

  rc = user_write(st,
                  "UPDATE users SET card_mac = NULL, card_last4 = NULL"
                  " WHERE name = ?1 AND card_mac IS NOT NULL",
                  user, false, 0, "clear card");
  if(rc == VOUCH_ERR_NO_USER)
    rc = st_no_row(st, user, VOUCH_ERR_NOT_FOUND);
  return rc;
}

vouch_rc vouch_store_card_get_mac(vouch_store *st, const char *user,
                                  unsigned char *mac, bool *has)
{
  sqlite3_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!mac || !has || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  *has = false;
  rc = st_prepare(st, "SELECT card_mac FROM users WHERE name = ?1", &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : sqlite3_step(s);
  if(src == SQLITE_ROW) {
    if(sqlite3_column_bytes(s, 0) == VOUCH_MAC_BYTES) {
      memcpy(mac, sqlite3_column_blob(s, 0), VOUCH_MAC_BYTES);
      *has = true;
    }
  }
  else if(src == SQLITE_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "read card", src);
  st_finish(st, s);
  return rc;
}
