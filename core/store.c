/*
 * store.c - the account store: users, their password history and the
 * audit trail behind the vouch_store_* functions, and the statement
 * layer (st_prepare ... st_finish, the cache of prepared statements)
 * through which every store file speaks SQL to a driver.  The SQL is
 * written once; SQLite's driver is store_sqlite.c, so that a PostgreSQL
 * backend for fleets of login hosts can sit beside it unchanged above.
 *
 * Every statement is prepared and bound; every read-modify-write runs in
 * BEGIN IMMEDIATE so that concurrent logins count exactly; errors are
 * reported with the database's own message but never with a bound value.
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

#include "store_int.h"

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

static unsigned long sql_hash(const char *sql)
{
  unsigned long h = 14695981039346656037UL;

  while(*sql)
    h = (h ^ (unsigned char)*sql++) * 1099511628211UL;
  return h;
}

/* Maps a failed call of the driver to a vouch_rc and says what happened.
 * what names the operation, never a value. */
vouch_rc st_sql_fail(const vouch_store *st, const char *what, int src)
{
  return st->drv->fail(st, what, src);
}

enum st_conflict st_conflict(const vouch_store *st, int src)
{
  return st->drv->conflict(src);
}

/* A statement of the cache is handed out as its slot; any other one as a
 * wrapper of its own, freed by st_finish. */
static vouch_rc loose_stmt(vouch_store *st, void *h, st_stmt **out)
{
  st_stmt *s = malloc(sizeof(*s));

  if(!s) {
    st->drv->finalize(h);
    return VOUCH_ERR_NOMEM;
  }
  s->drv = st->drv;
  s->h = h;
  *out = s;
  return VOUCH_OK;
}

vouch_rc st_prepare(vouch_store *st, const char *sql, st_stmt **out)
{
  unsigned long h = sql_hash(sql);
  struct st_cached *c;
  void *handle = NULL;
  unsigned i;
  int src;

  *out = NULL;
  for(i = 0; i < st->ncached; i++) {
    c = &st->cached[i];
    if(c->hash != h || strcmp(c->sql, sql))
      continue;
    if(c->busy)
      break; /* in use further up: a statement of its own */
    c->busy = true;
    *out = &c->s;
    return VOUCH_OK;
  }
  c = i == st->ncached && st->ncached < ST_CACHE ? &st->cached[st->ncached]
                                                 : NULL;
  src = st->drv->prepare(st, sql, c != NULL, &handle);
  if(src != ST_OK) {
    if(handle)
      st->drv->finalize(handle);
    return st_sql_fail(st, "prepare", src);
  }
  if(!c || (c->sql = strdup(sql)) == NULL)
    return loose_stmt(st, handle, out);
  c->hash = h;
  c->s.drv = st->drv;
  c->s.h = handle;
  c->busy = true;
  st->ncached++;
  *out = &c->s;
  return VOUCH_OK;
}

void st_finish(vouch_store *st, st_stmt *s)
{
  unsigned i;

  if(!s)
    return;
  for(i = 0; st && i < st->ncached; i++)
    if(&st->cached[i].s == s) {
      s->drv->reset(s->h);
      st->cached[i].busy = false;
      return;
    }
  s->drv->finalize(s->h);
  free(s);
}

/* Binds a string or SQL NULL. */
int st_bind_text(st_stmt *s, int i, const char *v)
{
  return s->drv->bind_text(s->h, i, v);
}

int st_bind_int64(st_stmt *s, int i, int64_t v)
{
  return s->drv->bind_int64(s->h, i, v);
}

int st_bind_blob(st_stmt *s, int i, const void *p, size_t n)
{
  return s->drv->bind_blob(s->h, i, p, n);
}

int st_params(st_stmt *s)
{
  return s->drv->params(s->h);
}

int st_step(st_stmt *s)
{
  return s->drv->step(s->h);
}

/* Steps to the end, ignoring rows: for statements run for their effect. */
int st_step_done(st_stmt *s)
{
  int src;
  unsigned rows = 0;

  do {
    src = st_step(s);
  } while(src == ST_ROW && rows++ < 1000000);
  return src;
}

int64_t st_col_int64(st_stmt *s, int i)
{
  return s->drv->col_int64(s->h, i);
}

/* A text column, NULL for SQL NULL; *len (may be NULL) its bytes. */
const char *st_col_textn(st_stmt *s, int i, size_t *len)
{
  return s->drv->col_text(s->h, i, len, NULL);
}

const void *st_col_blob(st_stmt *s, int i, size_t *len)
{
  return s->drv->col_blob(s->h, i, len);
}

bool st_col_null(st_stmt *s, int i)
{
  return s->drv->col_null(s->h, i);
}

int64_t st_changes(vouch_store *st)
{
  return st->drv->changes(st);
}

int64_t st_last_id(vouch_store *st)
{
  return st->drv->last_id(st);
}

bool st_in_tx(const vouch_store *st)
{
  return st->drv && st->drv->in_tx(st);
}

/* Runs a fixed script of several statements (no parameters). */
vouch_rc st_exec_script(vouch_store *st, const char *sql, const char *what)
{
  return st->drv->exec_script(st, sql, what);
}

/* Runs one fixed statement without parameters. */
vouch_rc st_exec1(vouch_store *st, const char *sql, const char *what)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, what, src);
  st_finish(st, s);
  return rc;
}

/* Reads one integer from a fixed query (a PRAGMA). */
vouch_rc st_query_int(vouch_store *st, const char *sql, const char *what,
                      long long *out)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_step(s);
  if(src == ST_ROW)
    *out = st_col_int64(s, 0);
  else if(src == ST_DONE)
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
  rc = st ? st->drv->begin(st) : VOUCH_ERR_INPUT;
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
  if(st_in_tx(st))
    st_exec1(st, "ROLLBACK", "rollback");
  /* Also when SQLite ended the transaction itself (an I/O error). */
  writer_release(st);
}

/* Several statements of one function must land together: inside the
 * caller's transaction a savepoint, otherwise a transaction of our own
 * (IMMEDIATE, so that a read followed by a write cannot deadlock). */
vouch_rc st_atomic_enter(vouch_store *st, bool *own)
{
  *own = !st_in_tx(st);
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
  if(st->db || st->pg) {
    vouch_store_rollback(st);
    for(i = 0; i < st->ncached; i++) {
      st->drv->finalize(st->cached[i].s.h);
      free(st->cached[i].sql);
    }
    st->drv->close(st);
  }
  free(st->path);
  free(st);
}

/* A kept handle of path that is still good, or NULL. */
static vouch_store *pool_take(const struct st_driver *drv, const char *path,
                              unsigned busy_timeout_ms, vouch_log_fn log,
                              void *logarg)
{
  vouch_store *st = NULL;
  unsigned i;

  pthread_mutex_lock(&g_pool_mu);
  for(i = g_npool; i-- > 0;)
    if(g_pool[i]->drv == drv && !strcmp(g_pool[i]->path, path)) {
      st = g_pool[i];
      g_pool[i] = g_pool[--g_npool];
      break;
    }
  pthread_mutex_unlock(&g_pool_mu);
  if(!st)
    return NULL;
  st->log = log;
  st->logarg = logarg;
  if(drv != &st_sqlite_driver) {
    if(drv->alive(st))
      return st;
    really_close(st); /* the server went away: connect again */
    return NULL;
  }
  if(check_file(st, 0) || !same_file(st)) {
    really_close(st); /* a fresh open says what is wrong */
    return NULL;
  }
  st_sqlite_timeout(st, busy_timeout_ms);
  return st;
}

/* Keeps st for the next open when it is clean; false: close it. */
static bool pool_give(vouch_store *st)
{
  bool kept = false;
  unsigned i;

  if(!g_serialize || st->own || !st->drv->alive(st) ||
     (st->drv == &st_sqlite_driver && !st->ino))
    return false;
  vouch_store_rollback(st);
  for(i = 0; i < st->ncached; i++)
    if(st->cached[i].busy)
      return false;
  if(st_in_tx(st) || st->writer || !st->drv->alive(st))
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
    *out = pool_take(&st_sqlite_driver, path, busy_timeout_ms, log, logarg);
    if(*out)
      return VOUCH_OK;
  }
  st = calloc(1, sizeof(*st));
  if(!st)
    return VOUCH_ERR_NOMEM;
  st->drv = &st_sqlite_driver;
  st->log = log;
  st->logarg = logarg;
  st->path = strdup(path);
  if(!st->path) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  rc = check_file(st, flags);
  if(!rc)
    rc = st_sqlite_open(st, busy_timeout_ms);
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

const struct st_driver *st_pg_backend;

#define PG_LABEL "PostgreSQL store"

vouch_rc vouch_store_open_config(const vouch_config *c, int flags,
                                 vouch_store **out, vouch_log_fn log,
                                 void *logarg)
{
  vouch_store *st;
  vouch_rc rc;

  if(!out || !c)
    return VOUCH_ERR_INPUT;
  if(c->store_backend != VOUCH_BACKEND_POSTGRESQL)
    return vouch_store_open(c->store_path, c->busy_timeout_ms, flags, out, log,
                            logarg);
  *out = NULL;
  if(!st_pg_backend) {
    if(log)
      log(logarg, LOG_ERR,
          "[store] backend = postgresql: only vouchd opens this store (and "
          "vouchctl init makes it)");
    return VOUCH_ERR_CONFIG;
  }
  if(g_serialize && !(flags & VOUCH_STORE_OWN)) {
    *out = pool_take(st_pg_backend, PG_LABEL, 0, log, logarg);
    if(*out)
      return VOUCH_OK;
  }
  st = calloc(1, sizeof(*st));
  if(!st)
    return VOUCH_ERR_NOMEM;
  st->drv = st_pg_backend;
  st->own = (flags & VOUCH_STORE_OWN) != 0;
  st->log = log;
  st->logarg = logarg;
  st->path = strdup(PG_LABEL);
  rc = st->path ? st->drv->open(st, c) : VOUCH_ERR_NOMEM;
  if(rc) {
    really_close(st);
    return rc;
  }
  *out = st;
  return VOUCH_OK;
}

vouch_rc vouch_store_signouts_notify(vouch_store *st)
{
  if(!st)
    return VOUCH_ERR_INPUT;
  if(st->drv == &st_sqlite_driver)
    return VOUCH_OK; /* one host: nobody else to tell */
  return st_exec1(st, "SELECT pg_catalog.pg_notify('vouch_signout', '')",
                  "tell the other hosts");
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
char *st_col_dup(st_stmt *s, int i, bool *ok)
{
  const char *t = s->drv->col_text(s->h, i, NULL, ok);
  char *copy;

  if(!t)
    return NULL;
  copy = strdup(t);
  if(!copy)
    *ok = false;
  return copy;
}

#define USER_COLUMNS                                                          \
  "id, name, full_name, email, phone, phone_verified, lang, pw_hash,"         \
  " state, pw_failures, created, pw_changed, plan, period_end,"               \
  " card_mac IS NOT NULL, card_last4"

static vouch_rc user_from_row(st_stmt *s, vouch_user *u)
{
  const char *lang, *last4;
  size_t len = 0;
  int64_t v;
  bool ok = true;

  u->id = st_col_int64(s, 0);
  u->name = st_col_dup(s, 1, &ok);
  u->full_name = st_col_dup(s, 2, &ok);
  u->email = st_col_dup(s, 3, &ok);
  u->phone = st_col_dup(s, 4, &ok);
  u->phone_verified = st_col_int64(s, 5) != 0;
  lang = st_col_textn(s, 6, &len);
  if(lang && len == 2)
    memcpy(u->lang, lang, 3);
  else
    memcpy(u->lang, "en", 3);
  u->pw_hash = st_col_dup(s, 7, &ok);
  u->state = (vouch_state)(int)st_col_int64(s, 8);
  v = st_col_int64(s, 9);
  u->pw_failures = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
  u->created = (time_t)st_col_int64(s, 10);
  u->pw_changed = (time_t)st_col_int64(s, 11);
  u->plan = st_col_dup(s, 12, &ok);
  u->period_end = (time_t)st_col_int64(s, 13);
  u->has_card = (int)st_col_int64(s, 14) != 0;
  last4 = st_col_textn(s, 15, &len);
  if(u->has_card && last4 && len == 4)
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
  st_stmt *s = NULL;
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
  if(src == ST_OK)
    src = st_step(s);
  if(src == ST_ROW)
    rc = user_from_row(s, u);
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "read user", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_user_add(vouch_store *st, const vouch_user *u)
{
  st_stmt *s = NULL;
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
  src = src ? src : st_bind_int64(s, 5, u->phone_verified ? 1 : 0);
  src = src ? src : st_bind_text(s, 6, u->lang[0] ? u->lang : "en");
  src = src ? src : st_bind_text(s, 7, u->pw_hash);
  src = src ? src : st_bind_int64(s, 8, (int)u->state);
  src = src ? src : st_bind_int64(s, 9, (int64_t)now);
  src = src ? src : st_bind_int64(s, 10, u->pw_hash ? (int64_t)now : 0);
  src = src ? src : st_bind_text(s, 11, u->plan);
  src = src ? src : st_bind_int64(s, 12, (int64_t)u->period_end);
  if(src == ST_OK)
    src = st_step(s);
  if(st_conflict(st, src) == ST_UNIQUE) {
    st_slog(st, LOG_ERR, "%s: user already exists", st->path);
    rc = VOUCH_ERR_EXISTS;
  }
  else if(src != ST_DONE)
    rc = st_sql_fail(st, "add user", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_user_update(vouch_store *st, const vouch_user *u)
{
  st_stmt *s = NULL;
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
  src = src ? src : st_bind_int64(s, 5, u->phone_verified ? 1 : 0);
  src = src ? src : st_bind_text(s, 6, u->lang[0] ? u->lang : "en");
  src = src ? src : st_bind_text(s, 7, u->plan);
  src = src ? src : st_bind_int64(s, 8, (int64_t)u->period_end);
  if(src == ST_OK)
    src = st_step(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "update user", src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_NO_USER;
  st_finish(st, s);
  return rc;
}

/* Runs a one-row write on the user named by ?1 (with an optional integer
 * ?2); VOUCH_ERR_NO_USER when no row matched. */
static vouch_rc user_write(vouch_store *st, const char *sql, const char *name,
                           bool has_int, int64_t v, const char *what)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(st_bad_name(st, name))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  if(src == ST_OK && has_int)
    src = st_bind_int64(s, 2, v);
  if(src == ST_OK)
    src = st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, what, src);
  else if(st_changes(st) == 0)
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

vouch_rc vouch_store_pw_success_if(vouch_store *st, const char *name,
                                   const char *hash)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(st_bad_name(st, name) || !hash)
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE users SET pw_failures = 0 WHERE name = ?1"
                  " AND state != ?3 AND pw_hash = ?2",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  src = src ? src : st_bind_text(s, 2, hash);
  src = src ? src : st_bind_int64(s, 3, VOUCH_STATE_LOCKED);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "clear failure count", src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_STALE;
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_set_state(vouch_store *st, const char *name,
                               vouch_state state)
{
  if(state != VOUCH_STATE_ACTIVE && state != VOUCH_STATE_LOCKED &&
     state != VOUCH_STATE_RESET)
    return VOUCH_ERR_INPUT;
  return user_write(st, "UPDATE users SET state = ?2 WHERE name = ?1", name,
                    true, (int64_t)state, "set state");
}

vouch_rc vouch_store_pw_failure(vouch_store *st, const char *name,
                                unsigned *count)
{
  st_stmt *s = NULL;
  int64_t v = 0;
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
  if(src == ST_OK)
    src = st_step(s);
  if(src == ST_ROW) {
    v = st_col_int64(s, 0);
    src = st_step_done(s);
    if(src == ST_DONE)
      *count = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
    else
      rc = st_sql_fail(st, "count failure", src);
  }
  else if(src == ST_DONE)
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
  st_stmt *s = NULL;
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

    src = st_step(s);
    if(src != ST_ROW)
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
  if(!rc && src != ST_DONE)
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
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, "SELECT id FROM users WHERE name = ?1", &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, name);
  if(src == ST_OK)
    src = st_step(s);
  if(src == ST_ROW)
    *id = st_col_int64(s, 0);
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "find user", src);
  st_finish(st, s);
  return rc;
}

/* Runs a write bound to (?1 id, ?2 integer, ?3 text). */
vouch_rc st_id_write(vouch_store *st, const char *sql, int64_t id, int64_t v,
                     const char *text, const char *what)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, id);
  if(src == ST_OK && st_params(s) >= 2)
    src = st_bind_int64(s, 2, v);
  if(src == ST_OK && st_params(s) >= 3)
    src = st_bind_text(s, 3, text);
  if(src == ST_OK)
    src = st_step_done(s);
  if(src != ST_DONE)
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
                   id, (int64_t)time(NULL), NULL, "keep password history");
  if(!rc)
    rc = st_id_write(st,
                     "UPDATE users SET pw_changed = ?2, pw_hash = ?3"
                     " WHERE id = ?1",
                     id, (int64_t)time(NULL), hash, "set password");
  if(!rc)
    rc = st_id_write(st,
                     "DELETE FROM pw_history WHERE user_id = ?1"
                     " AND seq NOT IN (SELECT seq FROM pw_history"
                     " WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2)",
                     id, (int64_t)keep, NULL, "trim password history");
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
  st_stmt *s = NULL;
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
  if(src == ST_OK)
    src = st_bind_text(s, 2, hash);
  if(src == ST_OK)
    src = st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "renew password hash", src);
  else if(st_changes(st) == 0)
    rc = no_password(st, name);
  st_finish(st, s);
  return rc;
}

static vouch_rc list_push(char **list, size_t *n, st_stmt *s)
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
  st_stmt *s = NULL;
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
  src = rc ? ST_OK : st_bind_text(s, 1, name);
  if(!rc && src == ST_OK)
    src = st_bind_int64(s, 2, (int64_t)n + 1);
  while(!rc && src == ST_OK) {
    src = st_step(s);
    if(src != ST_ROW)
      break;
    src = ST_OK;
    found = true;
    if(got < n)
      rc = list_push(list, &got, s);
  }
  if(!rc && src != ST_DONE)
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
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!event || !*event) {
    st_slog(st, LOG_ERR, "%s: audit event without a name", st->path);
    return VOUCH_ERR_INPUT;
  }
  rc = st_prepare(st,
                  "INSERT INTO audit (ts, \"user\", event, service, detail)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, (int64_t)ts);
  src = src ? src : st_bind_text(s, 2, user ? user : "");
  src = src ? src : st_bind_text(s, 3, event);
  src = src ? src : st_bind_text(s, 4, service ? service : "");
  src = src ? src : st_bind_text(s, 5, detail ? detail : "");
  if(src == ST_OK)
    src = st_step(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "write audit record", src);
  st_finish(st, s);
  return rc;
}

const char *st_col_text(st_stmt *s, int i)
{
  const char *t = st_col_textn(s, i, NULL);

  return t ? t : "";
}

vouch_rc vouch_store_audit_each(vouch_store *st, const char *user,
                                vouch_rc (*fn)(void *arg,
                                               const vouch_audit_row *r),
                                void *arg)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src = ST_OK;

  if(!fn)
    return VOUCH_ERR_INPUT;
  rc = st_prepare(
      st,
      user ? "SELECT id, ts, \"user\", event, service, detail FROM audit"
             " WHERE \"user\" = ?1 ORDER BY ts, id"
           : "SELECT id, ts, \"user\", event, service, detail FROM audit"
             " ORDER BY ts, id",
      &s);
  if(rc)
    return rc;
  if(user)
    src = st_bind_text(s, 1, user);
  while(!rc && src == ST_OK) {
    vouch_audit_row r;

    src = st_step(s);
    if(src != ST_ROW)
      break;
    src = ST_OK;
    r.id = st_col_int64(s, 0);
    r.ts = (time_t)st_col_int64(s, 1);
    r.user = st_col_text(s, 2);
    r.event = st_col_text(s, 3);
    r.service = st_col_text(s, 4);
    r.detail = st_col_text(s, 5);
    rc = fn(arg, &r);
  }
  if(!rc && src != ST_DONE)
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
  return st && st_in_tx(st);
}

int st_bind_mac(st_stmt *s, int i, const unsigned char *mac)
{
  return st_bind_blob(s, i, mac, VOUCH_MAC_BYTES);
}

vouch_rc st_user_insert(vouch_store *st, const char *what, int64_t *id,
                        const char *sql, const char *fmt, ...)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  va_list ap;
  int src = ST_OK, i;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  va_start(ap, fmt);
  for(i = 0; fmt[i] && src == ST_OK; i++) {
    if(fmt[i] == 't')
      src = st_bind_text(s, i + 1, va_arg(ap, const char *));
    else if(fmt[i] == 'i')
      src = st_bind_int64(s, i + 1, va_arg(ap, int));
    else if(fmt[i] == 'I')
      src = st_bind_int64(s, i + 1, va_arg(ap, int64_t));
    else if(fmt[i] == 'm')
      src = st_bind_mac(s, i + 1, va_arg(ap, const unsigned char *));
    else
      src = ST_MISUSE;
  }
  va_end(ap);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, what, src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_NO_USER;
  else if(id)
    *id = st_last_id(st);
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

  if(!rc && st_changes(st) == 0)
    rc = VOUCH_ERR_NOT_FOUND;
  return rc;
}

static vouch_rc code_kill_old(vouch_store *st, const char *user,
                              const char *purpose, int channel, time_t now)
{
  st_stmt *s = NULL;
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
  src = src ? src : st_bind_int64(s, 3, channel);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  if(src != ST_DONE)
    return st_sql_fail(st, "retire old codes", src);
  rc = st_prepare(st,
                  "DELETE FROM codes WHERE user_id = " USER_ID_OF
                  " AND (used = 1 OR expires <= ?2)",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_int64(s, 2, (int64_t)now);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  if(src != ST_DONE)
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
      "ttimII", user, purpose, channel, mac, (int64_t)created,
      (int64_t)expires);
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

static void code_from_row(st_stmt *s, vouch_code_row *out)
{
  const void *p;
  size_t len = 0;
  int64_t v;

  out->id = st_col_int64(s, 0);
  p = st_col_blob(s, 1, &len);
  if(len == VOUCH_MAC_BYTES)
    memcpy(out->mac, p, VOUCH_MAC_BYTES);
  out->created = (time_t)st_col_int64(s, 2);
  out->expires = (time_t)st_col_int64(s, 3);
  v = st_col_int64(s, 4);
  out->attempts = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
}

vouch_rc vouch_store_code_live(vouch_store *st, const char *user,
                               const char *purpose, int channel, time_t now,
                               vouch_code_row *out)
{
  st_stmt *s = NULL;
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
  src = src ? src : st_bind_int64(s, 3, channel);
  src = src ? src : st_bind_int64(s, 4, (int64_t)now);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    code_from_row(s, out);
  else if(src == ST_DONE)
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
  st_stmt *s = NULL;
  int64_t v;
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
  src = st_bind_int64(s, 1, id);
  src = src ? src : st_step(s);
  if(src == ST_ROW) {
    v = st_col_int64(s, 0);
    *attempts = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
    src = st_step_done(s);
    if(src != ST_DONE)
      rc = st_sql_fail(st, "count code attempt", src);
  }
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NOT_FOUND;
  else
    rc = st_sql_fail(st, "count code attempt", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_code_use(vouch_store *st, int64_t id)
{
  /* Never twice, whatever read it as live (belt and braces: the caller
   * reads and uses it in one transaction). */
  return st_row_write(st,
                      "UPDATE codes SET used = 1 WHERE id = ?1 AND used = 0",
                      id, "use code");
}

vouch_rc vouch_store_code_use_same(vouch_store *st, const vouch_code_row *row)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!row)
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE codes SET used = 1 WHERE id = ?1 AND used = 0"
                  " AND mac = ?2 AND created = ?3",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, row->id);
  src = src ? src : st_bind_blob(s, 2, row->mac, sizeof(row->mac));
  src = src ? src : st_bind_int64(s, 3, (int64_t)row->created);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "use code", src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_NOT_FOUND;
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_decoy_write(vouch_store *st)
{
  vouch_rc rc;

  rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_audit_add(st, 0, "", "decoy", "", "");
  if(!rc)
    rc = st_exec1(st, "DELETE FROM audit WHERE event = 'decoy'",
                  "undo a decoy write");
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
  return rc;
}

vouch_rc vouch_store_code_drop(vouch_store *st, int64_t id)
{
  return st_row_write(st, "DELETE FROM codes WHERE id = ?1", id, "drop code");
}

/* ----------------------------------------------------------------- tokens */

static vouch_rc token_prune(vouch_store *st, const char *user, time_t before)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st,
                  "DELETE FROM tokens WHERE user_id = " USER_ID_OF
                  " AND expires <= ?2",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_int64(s, 2, (int64_t)before);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  return src == ST_DONE ? VOUCH_OK : st_sql_fail(st, "drop old tokens", src);
}

static vouch_rc token_add(vouch_store *st, const char *user,
                          const char *purpose, const unsigned char *mac,
                          time_t created, time_t expires)
{
  return st_user_insert(
      st, "store token", NULL,
      "INSERT INTO tokens (user_id, purpose, mac, created, expires)"
      " SELECT id, ?2, ?3, ?4, ?5 FROM users WHERE name = ?1",
      "ttmII", user, purpose, mac, (int64_t)created, (int64_t)expires);
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
 * after a step that gave ST_ROW. */
static vouch_rc token_row(st_stmt *s, vouch_token_row *out, char *name,
                          size_t len)
{
  const char *p;
  size_t n = 0;

  out->id = st_col_int64(s, 0);
  out->user_id = st_col_int64(s, 1);
  p = st_col_textn(s, 2, &n);
  if(p && n < sizeof(out->purpose))
    memcpy(out->purpose, p, n + 1);
  out->created = (time_t)st_col_int64(s, 3);
  out->expires = (time_t)st_col_int64(s, 4);
  out->used = st_col_int64(s, 5) != 0;
  if(!name)
    return VOUCH_OK;
  p = st_col_textn(s, 6, &n);
  if(!p || n >= len)
    return VOUCH_ERR_STORE;
  memcpy(name, p, n + 1);
  return VOUCH_OK;
}

/* The token of mac, by sql (?1 the mac). */
static vouch_rc token_by_mac(vouch_store *st, const char *sql,
                             const unsigned char *mac, vouch_token_row *out,
                             char *name, size_t len)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!mac || !out)
    return VOUCH_ERR_INPUT;
  memset(out, 0, sizeof(*out));
  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_mac(s, 1, mac);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    rc = token_row(s, out, name, len);
  else if(src == ST_DONE)
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
  return st_row_write(st,
                      "UPDATE tokens SET used = 1 WHERE id = ?1 AND used = 0",
                      id, "use token");
}

/* ------------------------------------------------- failed checks, sends */

/* Runs a write on the rows of user (?1) with one integer ?2, for its
 * effect; VOUCH_ERR_NO_USER is not told apart here. */
vouch_rc st_user_rows_write(vouch_store *st, const char *sql, const char *user,
                            int64_t v, const char *what)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  if(src == ST_OK && st_params(s) >= 2)
    src = st_bind_int64(s, 2, v);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  return src == ST_DONE ? VOUCH_OK : st_sql_fail(st, what, src);
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
      user, (int64_t)prune_before, "drop old failed checks");
  if(!rc)
    rc = st_user_insert(st, "count failed check", NULL,
                        "INSERT INTO check_failures (user_id, ts, method)"
                        " SELECT id, ?2, ?3 FROM users WHERE name = ?1",
                        "tIt", user, (int64_t)ts, method);
  return st_atomic_leave(st, own, rc);
}

/* Reads count(*) (and max(ts) when last is not NULL) of a query bound to
 * (?1 user, ?2 since, ?3 purpose, ?4 channel as far as it has them). */
vouch_rc st_count_rows(vouch_store *st, const char *sql, const char *user,
                       time_t since, const char *purpose, int channel,
                       unsigned *count, time_t *last)
{
  st_stmt *s = NULL;
  int64_t v;
  vouch_rc rc;
  int src, n;

  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  n = st_params(s);
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_int64(s, 2, (int64_t)since);
  if(!src && n >= 3)
    src = st_bind_text(s, 3, purpose);
  if(!src && n >= 4)
    src = st_bind_int64(s, 4, channel);
  src = src ? src : st_step(s);
  if(src == ST_ROW) {
    v = st_col_int64(s, 0);
    *count = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
    if(last)
      *last = (time_t)st_col_int64(s, 1);
  }
  else
    rc = st_sql_fail(st, "count rows", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_check_failure_count(vouch_store *st, const char *user,
                                         time_t since, unsigned *count)
{
  /* Every row, charged ones too: all are "abandoned" before the end of
   * time. */
  const time_t never = (time_t)(sizeof(time_t) >= 8 ? INT64_MAX : INT32_MAX);

  return vouch_store_check_failure_count_settled(st, user, since, never,
                                                 count);
}

vouch_rc vouch_store_check_failure_clear(vouch_store *st, const char *user)
{
  vouch_rc rc;

  if(st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_user_rows_write(
      st, "DELETE FROM check_failures WHERE user_id = " USER_ID_OF, user, 0,
      "clear failed checks");
  if(!rc && st_changes(st) == 0)
    rc = st_no_row(st, user, VOUCH_OK);
  return rc;
}

vouch_rc vouch_store_check_failure_count_settled(vouch_store *st,
                                                 const char *user,
                                                 time_t since,
                                                 time_t abandoned,
                                                 unsigned *count)
{
  st_stmt *s = NULL;
  int64_t v;
  vouch_rc rc;
  int src;

  if(!count || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  *count = 0;
  /* A charge's method holds a '?' (core/challenge.c); methods never do. */
  rc = st_prepare(
      st,
      "SELECT count(*) FROM check_failures WHERE user_id = " USER_ID_OF
      " AND ts > ?2 AND (method NOT LIKE '%?%'"
      " OR ts <= ?3)",
      &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_int64(s, 2, (int64_t)since);
  src = src ? src : st_bind_int64(s, 3, (int64_t)abandoned);
  src = src ? src : st_step(s);
  if(src == ST_ROW) {
    v = st_col_int64(s, 0);
    *count = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
  }
  else
    rc = st_sql_fail(st, "count failed checks", src);
  st_finish(st, s);
  if(!rc && *count == 0)
    rc = st_no_row(st, user, VOUCH_OK);
  return rc;
}

vouch_rc vouch_store_check_failure_settle(vouch_store *st, const char *user,
                                          const char *pending,
                                          const char *method)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!pending || !*pending || (method && !*method) || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  method ? "UPDATE check_failures SET method = ?3"
                           " WHERE user_id = " USER_ID_OF " AND method = ?2"
                         : "DELETE FROM check_failures"
                           " WHERE user_id = " USER_ID_OF " AND method = ?2",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_text(s, 2, pending);
  if(!src && method)
    src = st_bind_text(s, 3, method);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "settle a charged check", src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_NOT_FOUND;
  st_finish(st, s);
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
      user, (int64_t)prune_before, "drop old sends");
  if(!rc)
    rc = st_user_insert(st, "record send", NULL,
                        "INSERT INTO sends (user_id, purpose, channel, ts,"
                        " resend) SELECT id, ?2, ?3, ?4, ?5 FROM users"
                        " WHERE name = ?1",
                        "ttiIi", user, purpose, channel, (int64_t)ts,
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
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  *nth = 0;
  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_int64(s, 2, (int64_t)since);
  src = src ? src : st_bind_int64(s, 3, n ? (int64_t)n - 1 : 0);
  if(!src && purpose)
    src = st_bind_text(s, 4, purpose);
  if(!src && purpose)
    src = st_bind_int64(s, 5, channel);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    *nth = (time_t)st_col_int64(s, 0);
  else if(src != ST_DONE)
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
  st_stmt *s = NULL;
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
  if(src != ST_DONE)
    rc = st_sql_fail(st, "set card", src);
  else if(st_changes(st) == 0)
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
  st_stmt *s = NULL;
  size_t len = 0;
  vouch_rc rc;
  int src;

  if(!mac || !has || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  *has = false;
  rc = st_prepare(st, "SELECT card_mac FROM users WHERE name = ?1", &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_step(s);
  if(src == ST_ROW) {
    const void *p = st_col_blob(s, 0, &len);

    if(len == VOUCH_MAC_BYTES) {
      memcpy(mac, p, VOUCH_MAC_BYTES);
      *has = true;
    }
  }
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "read card", src);
  st_finish(st, s);
  return rc;
}
