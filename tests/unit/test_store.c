/*
 * test_store.c - unit tests for core/store.c: creation and the file
 * checks, migrations, users, exact counters under concurrent processes,
 * password history, the audit trail, the security-check tables (codes,
 * tokens, failed checks, sends, card), and the failure modes an operator
 * meets (corrupt, foreign, read-only, busy, insecure files).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "vouch.h"
#include "store.h"

static char logbuf[8192];
static char tmpdir[64];
static char dbpath[128];

static void capture(void *arg, int prio, const char *msg)
{
  size_t used = strlen(logbuf);

  (void)arg;
  (void)prio;
  snprintf(logbuf + used, sizeof(logbuf) - used, "%s\n", msg);
}

static int rm_one(const char *path, const struct stat *sb, int type,
                  struct FTW *ftw)
{
  (void)sb;
  (void)ftw;
  return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state)
{
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/vouch-store.XXXXXX");
  if(!mkdtemp(tmpdir))
    return -1;
  snprintf(dbpath, sizeof(dbpath), "%s/vouch.db", tmpdir);
  logbuf[0] = '\0';
  return 0;
}

/* Read-only: root ignores mode bits, so the file is made immutable
 * (chattr +i) or its directory a read-only bind mount. */
static int set_immutable(const char *path, bool on)
{
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  int flags = 0, rc = -1;

  if(fd < 0)
    return -1;
  if(ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
    if(on)
      flags |= FS_IMMUTABLE_FL;
    else
      flags &= ~FS_IMMUTABLE_FL;
    rc = ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  close(fd);
  return rc;
}

static int teardown(void **state)
{
  char ro[128];

  (void)state;
  /* A test that failed half-way may have left these behind. */
  snprintf(ro, sizeof(ro), "%s/ro", tmpdir);
  umount2(ro, MNT_DETACH);
  set_immutable(dbpath, false);
  return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void path_in(char *buf, size_t len, const char *name)
{
  snprintf(buf, len, "%s/%s", tmpdir, name);
}

static vouch_store *open_new(void)
{
  vouch_store *st = NULL;

  assert_int_equal(
      vouch_store_open(dbpath, 5000, VOUCH_STORE_CREATE, &st, capture, NULL),
      VOUCH_OK);
  assert_non_null(st);
  return st;
}

static void add(vouch_store *st, const char *name)
{
  vouch_user u;

  memset(&u, 0, sizeof(u));
  u.name = (char *)name;
  assert_int_equal(vouch_store_user_add(st, &u), VOUCH_OK);
}

/* Runs one query on the file behind the store's back. */
static long long peek(const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  long long v = -1;

  assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  if(sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

/* ----------------------------------------------------------- open/create */

static void test_create_reopen(void **state)
{
  vouch_store *st = NULL;
  vouch_user u;
  struct stat sb;

  (void)state;
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_STORE);
  assert_null(st);
  assert_non_null(strstr(logbuf, "does not exist"));
  assert_int_equal(lstat(dbpath, &sb), -1);
  st = open_new();
  assert_int_equal(lstat(dbpath, &sb), 0);
  assert_int_equal(sb.st_mode & 07777, 0600);
  assert_int_equal(sb.st_uid, geteuid());
  add(st, "alice");
  vouch_store_close(st);
  /* Reopen without CREATE, and with CREATE on an existing store. */
  st = NULL;
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &u), VOUCH_OK);
  vouch_user_clear(&u);
  vouch_store_close(st);
  st = open_new();
  vouch_store_close(st);
  vouch_store_close(NULL);
  assert_int_equal(
      vouch_store_open("", 1000, VOUCH_STORE_CREATE, &st, capture, NULL),
      VOUCH_ERR_CONFIG);
}

static void test_migration(void **state)
{
  vouch_store *st;

  (void)state;
  st = open_new();
  vouch_store_close(st);
  assert_int_equal(peek("PRAGMA user_version"), 8); /* the current schema */
  assert_int_equal(peek("PRAGMA application_id"), 0x766f7563);
  assert_int_equal(peek("SELECT count(*) FROM sqlite_schema WHERE name IN"
                        " ('codes', 'tokens', 'check_failures', 'sends')"),
                   4);
  assert_int_equal(peek("SELECT count(*) FROM sqlite_schema WHERE name IN"
                        " ('users', 'pw_history', 'audit',"
                        " 'audit_user_ts')"),
                   4);
  assert_int_equal(peek("SELECT count(*) FROM pragma_journal_mode"
                        " WHERE journal_mode = 'wal'"),
                   1);
  /* A store from the future is refused by name. */
  peek("PRAGMA user_version = 99");
  st = NULL;
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_STORE);
  assert_null(st);
  assert_non_null(strstr(logbuf, "created by a newer vouch (schema 99)"));
}

static void test_foreign_db(void **state)
{
  vouch_store *st = NULL;
  sqlite3 *db = NULL;

  (void)state;
  assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "CREATE TABLE users (x)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(chmod(dbpath, 0600), 0);
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_STORE);
  assert_non_null(strstr(logbuf, "not a vouch store or corrupt"));
}

static void test_corrupt(void **state)
{
  vouch_store *st = NULL;
  char junk[8192];
  int fd;
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(junk); i++)
    junk[i] = (char)(i * 7 + 3);
  fd = open(dbpath, O_WRONLY | O_CREAT | O_EXCL, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
  close(fd);
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_STORE);
  assert_null(st);
  assert_non_null(strstr(logbuf, dbpath));
  assert_non_null(strstr(logbuf, "not a vouch store or corrupt"));
  /* CREATE never overwrites what is there. */
  assert_int_equal(
      vouch_store_open(dbpath, 1000, VOUCH_STORE_CREATE, &st, capture, NULL),
      VOUCH_ERR_STORE);
}

/* A relative name that looks like an SQLite URI is still a file name:
 * the file vetted is the file opened, never an in-memory database. */
static void test_uri_like_path(void **state)
{
  static const char name[] = "file:vouch.db?mode=memory";
  char cwd[512], full[256];
  vouch_store *st = NULL;
  vouch_user u;
  struct stat sb;

  (void)state;
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(tmpdir), 0);
  assert_int_equal(
      vouch_store_open(name, 1000, VOUCH_STORE_CREATE, &st, capture, NULL),
      VOUCH_OK);
  add(st, "alice");
  vouch_store_close(st);
  assert_int_equal(chdir(cwd), 0);
  snprintf(full, sizeof(full), "%s/%s", tmpdir, name);
  assert_int_equal(lstat(full, &sb), 0);
  assert_true(sb.st_size > 0);
  st = NULL;
  assert_int_equal(vouch_store_open(full, 1000, 0, &st, capture, NULL),
                   VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &u), VOUCH_OK);
  vouch_user_clear(&u);
  vouch_store_close(st);
}

static void test_symlink_refused(void **state)
{
  vouch_store *st;
  char link[128];

  (void)state;
  st = open_new();
  vouch_store_close(st);
  st = NULL;
  path_in(link, sizeof(link), "link.db");
  assert_int_equal(symlink(dbpath, link), 0);
  assert_int_equal(vouch_store_open(link, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_INSECURE);
  assert_int_equal(
      vouch_store_open(link, 1000, VOUCH_STORE_CREATE, &st, capture, NULL),
      VOUCH_ERR_INSECURE);
  assert_null(st);
}

static void test_modes_refused(void **state)
{
  vouch_store *st;

  (void)state;
  st = open_new();
  vouch_store_close(st);
  st = NULL;
  assert_int_equal(chmod(dbpath, 0644), 0);
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_INSECURE);
  assert_int_equal(chmod(dbpath, 0640), 0);
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_INSECURE);
  assert_int_equal(chmod(dbpath, 0620), 0);
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_INSECURE);
  assert_null(st);
  assert_int_equal(chmod(dbpath, 0600), 0);
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_OK);
  vouch_store_close(st);
}

static void test_owner_refused(void **state)
{
  vouch_store *st;

  (void)state;
  if(geteuid() != 0) {
    /* Only root can give a file away; say so rather than pass. */
    fail_msg("test_owner_refused needs root to chown the store");
  }
  st = open_new();
  vouch_store_close(st);
  st = NULL;
  assert_int_equal(chown(dbpath, 65534, 65534), 0);
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_INSECURE);
  assert_null(st);
}

static void expect_readonly(const char *path)
{
  vouch_store *st = NULL;

  logbuf[0] = '\0';
  assert_int_equal(vouch_store_open(path, 1000, 0, &st, capture, NULL),
                   VOUCH_ERR_STORE);
  assert_null(st);
  assert_non_null(strstr(logbuf, path));
  assert_non_null(strstr(logbuf, "read-only"));
}

static void test_readonly(void **state)
{
  char dir[128], path[160];
  vouch_store *st;
  int methods = 0;

  (void)state;
  st = open_new();
  add(st, "alice");
  vouch_store_close(st);
  if(geteuid() != 0) {
    assert_int_equal(chmod(dbpath, 0400), 0);
    expect_readonly(dbpath);
    return;
  }
  if(set_immutable(dbpath, true) == 0) {
    expect_readonly(dbpath);
    assert_int_equal(set_immutable(dbpath, false), 0);
    methods++;
  }
  path_in(dir, sizeof(dir), "ro");
  snprintf(path, sizeof(path), "%s/vouch.db", dir);
  assert_int_equal(mkdir(dir, 0700), 0);
  assert_int_equal(rename(dbpath, path), 0);
  if(mount(dir, dir, NULL, MS_BIND, NULL) == 0) {
    if(mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0) {
      expect_readonly(path);
      methods++;
    }
    assert_int_equal(umount(dir), 0);
  }
  /* At least one way to make a file read-only for root must exist. */
  assert_true(methods >= 1);
  /* Writable again: the same store opens. */
  st = NULL;
  assert_int_equal(vouch_store_open(path, 1000, 0, &st, capture, NULL),
                   VOUCH_OK);
  vouch_store_close(st);
}

static double now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void test_busy(void **state)
{
  vouch_store *a, *b = NULL;
  unsigned count = 0;
  double t0, dt;

  (void)state;
  a = open_new();
  add(a, "alice");
  assert_int_equal(vouch_store_begin(a), VOUCH_OK);
  assert_int_equal(vouch_store_pw_failure(a, "alice", &count), VOUCH_OK);
  /* Opening needs no write lock once the schema is current. */
  assert_int_equal(vouch_store_open(dbpath, 100, 0, &b, capture, NULL),
                   VOUCH_OK);
  logbuf[0] = '\0';
  t0 = now_ms();
  assert_int_equal(vouch_store_begin(b), VOUCH_ERR_BUSY);
  dt = now_ms() - t0;
  assert_true(dt >= 80.0);
  assert_true(dt < 3000.0);
  assert_non_null(strstr(logbuf, "busy"));
  t0 = now_ms();
  assert_int_equal(vouch_store_pw_failure(b, "alice", &count), VOUCH_ERR_BUSY);
  assert_true(now_ms() - t0 < 3000.0);
  vouch_store_rollback(b); /* nothing open: harmless */
  assert_int_equal(vouch_store_commit(a), VOUCH_OK);
  assert_int_equal(vouch_store_begin(b), VOUCH_OK);
  assert_int_equal(vouch_store_pw_failure(b, "alice", &count), VOUCH_OK);
  assert_int_equal(count, 2);
  assert_int_equal(vouch_store_commit(b), VOUCH_OK);
  vouch_store_close(b);
  vouch_store_close(a);
}

/* ----------------------------------------------------------------- users */

static void test_user_crud(void **state)
{
  vouch_store *st;
  vouch_user u, g;
  time_t before = time(NULL);

  (void)state;
  st = open_new();
  memset(&u, 0, sizeof(u));
  u.name = "alice";
  u.email = "alice@example.org";
  u.full_name = "Alice Ærø";
  assert_int_equal(vouch_store_user_add(st, &u), VOUCH_OK);
  assert_int_equal(vouch_store_user_add(st, &u), VOUCH_ERR_EXISTS);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_true(g.id > 0);
  assert_string_equal(g.name, "alice");
  assert_string_equal(g.email, "alice@example.org");
  assert_string_equal(g.full_name, "Alice Ærø");
  assert_null(g.phone);
  assert_null(g.pw_hash);
  assert_null(g.plan);
  assert_false(g.phone_verified);
  assert_string_equal(g.lang, "en");
  assert_int_equal(g.state, VOUCH_STATE_ACTIVE);
  assert_int_equal(g.pw_failures, 0);
  assert_true(g.created >= before && g.created <= time(NULL));
  assert_int_equal(g.pw_changed, 0);
  assert_int_equal(g.period_end, 0);
  vouch_user_clear(&g);
  assert_null(g.name);

  u.email = NULL;
  u.phone = "+4512345678";
  u.phone_verified = true;
  memcpy(u.lang, "da", 3);
  u.plan = "gold";
  u.period_end = 1767225600;
  assert_int_equal(vouch_store_user_update(st, &u), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_null(g.email);
  assert_string_equal(g.phone, "+4512345678");
  assert_true(g.phone_verified);
  assert_string_equal(g.lang, "da");
  assert_string_equal(g.plan, "gold");
  assert_int_equal(g.period_end, 1767225600);
  vouch_user_clear(&g);

  /* Names are exact: case matters, no user is found by prefix. */
  assert_int_equal(vouch_store_user_get(st, "Alice", &g), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_user_get(st, "ali", &g), VOUCH_ERR_NO_USER);
  u.name = "bob";
  assert_int_equal(vouch_store_user_update(st, &u), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_user_del(st, "bob"), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_user_del(st, "alice"), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_user_del(st, "alice"), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_user_get(st, "", &g), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_user_get(st, NULL, &g), VOUCH_ERR_INPUT);
  vouch_store_close(st);
}

static vouch_rc collect(void *arg, const char *name)
{
  char *buf = arg;
  size_t used = strlen(buf);

  snprintf(buf + used, 256 - used, "%s,", name);
  return strcmp(name, "stop") == 0 ? VOUCH_ERR_ABORT : VOUCH_OK;
}

static void test_user_each(void **state)
{
  vouch_store *st;
  char names[256] = "";

  (void)state;
  st = open_new();
  assert_int_equal(vouch_store_user_each(st, collect, names), VOUCH_OK);
  assert_string_equal(names, "");
  add(st, "carol");
  add(st, "alice");
  add(st, "bob");
  assert_int_equal(vouch_store_user_each(st, collect, names), VOUCH_OK);
  assert_string_equal(names, "alice,bob,carol,");
  add(st, "stop");
  add(st, "zed");
  names[0] = '\0';
  assert_int_equal(vouch_store_user_each(st, collect, names), VOUCH_ERR_ABORT);
  assert_string_equal(names, "alice,bob,carol,stop,");
  vouch_store_close(st);
}

static void test_counters_state(void **state)
{
  vouch_store *st;
  vouch_user g;
  unsigned c = 99;

  (void)state;
  st = open_new();
  add(st, "alice");
  assert_int_equal(vouch_store_pw_failure(st, "alice", &c), VOUCH_OK);
  assert_int_equal(c, 1);
  assert_int_equal(vouch_store_pw_failure(st, "alice", &c), VOUCH_OK);
  assert_int_equal(c, 2);
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  assert_int_equal(vouch_store_pw_failure(st, "alice", &c), VOUCH_OK);
  assert_int_equal(c, 3);
  vouch_store_rollback(st);
  assert_int_equal(vouch_store_pw_failure(st, "alice", &c), VOUCH_OK);
  assert_int_equal(c, 3);
  assert_int_equal(vouch_store_pw_failure(st, "nobody", &c),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_pw_success(st, "alice"), VOUCH_OK);
  assert_int_equal(vouch_store_pw_success(st, "nobody"), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_int_equal(g.pw_failures, 0);
  vouch_user_clear(&g);

  /* A sign-in decided on an earlier read: only while the account is
   * still open with the same hash. */
  assert_int_equal(vouch_store_set_password(st, "alice", "$h1", 1), VOUCH_OK);
  assert_int_equal(vouch_store_pw_failure(st, "alice", &c), VOUCH_OK);
  assert_int_equal(vouch_store_pw_success_if(st, "alice", "$h0"),
                   VOUCH_ERR_STALE);
  assert_int_equal(vouch_store_pw_failure(st, "alice", &c), VOUCH_OK);
  assert_int_equal(c, 2);
  assert_int_equal(vouch_store_pw_success_if(st, "alice", "$h1"), VOUCH_OK);
  assert_int_equal(vouch_store_pw_failure(st, "alice", &c), VOUCH_OK);
  assert_int_equal(c, 1);

  assert_int_equal(vouch_store_set_state(st, "alice", VOUCH_STATE_LOCKED),
                   VOUCH_OK);
  assert_int_equal(vouch_store_pw_success_if(st, "alice", "$h1"),
                   VOUCH_ERR_STALE);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_int_equal(g.state, VOUCH_STATE_LOCKED);
  assert_int_equal(g.pw_failures, 1);
  vouch_user_clear(&g);
  assert_int_equal(vouch_store_set_state(st, "alice", VOUCH_STATE_RESET),
                   VOUCH_OK);
  /* A new password required: the old one still signs in (the account
   * phase asks for the new one). */
  assert_int_equal(vouch_store_pw_success_if(st, "alice", "$h1"), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_int_equal(g.state, VOUCH_STATE_RESET);
  vouch_user_clear(&g);
  assert_int_equal(vouch_store_set_state(st, "alice", (vouch_state)7),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_set_state(st, "nobody", VOUCH_STATE_ACTIVE),
                   VOUCH_ERR_NO_USER);
  assert_string_equal(vouch_state_name(VOUCH_STATE_ACTIVE), "active");
  assert_string_equal(vouch_state_name(VOUCH_STATE_LOCKED), "locked");
  assert_string_equal(vouch_state_name(VOUCH_STATE_RESET), "reset-required");
  assert_string_equal(vouch_state_name((vouch_state)42), "unknown");
  vouch_store_close(st);
}

/* Each child counts 25 failures in its own transactions on its own
 * connection; the counts handed back must be exactly 1..200. */
static int child_count(int wfd)
{
  vouch_store *st = NULL;
  unsigned c;
  int i;

  if(vouch_store_open(dbpath, 30000, 0, &st, NULL, NULL))
    return 1;
  for(i = 0; i < 25; i++) {
    if(vouch_store_begin(st) || vouch_store_pw_failure(st, "alice", &c) ||
       vouch_store_commit(st))
      return 2;
    if(write(wfd, &c, sizeof(c)) != (ssize_t)sizeof(c))
      return 3;
  }
  vouch_store_close(st);
  return 0;
}

static void test_concurrent_failures(void **state)
{
  enum { KIDS = 8, TOTAL = KIDS * 25 };
  unsigned seen[TOTAL + 1] = {0}, c;
  pid_t pids[KIDS];
  int p[2], i, done = 0, bad = 0;
  double deadline;
  vouch_store *st;
  vouch_user g;

  (void)state;
  st = open_new();
  add(st, "alice");
  vouch_store_close(st);
  assert_int_equal(pipe(p), 0);
  for(i = 0; i < KIDS; i++) {
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if(pids[i] == 0) {
      close(p[0]);
      _exit(child_count(p[1]));
    }
  }
  close(p[1]);
  deadline = now_ms() + 60000.0;
  while(done < KIDS && now_ms() < deadline) {
    for(i = 0; i < KIDS; i++) {
      int status;
      if(pids[i] > 0 && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
        if(!WIFEXITED(status) || WEXITSTATUS(status) != 0)
          bad++;
        pids[i] = 0;
        done++;
      }
    }
    usleep(10000);
  }
  for(i = 0; i < KIDS; i++) {
    if(pids[i] > 0) {
      kill(pids[i], SIGKILL);
      waitpid(pids[i], NULL, 0);
    }
  }
  assert_int_equal(done, KIDS);
  assert_int_equal(bad, 0);
  for(i = 0; i < TOTAL; i++) {
    assert_int_equal(read(p[0], &c, sizeof(c)), (ssize_t)sizeof(c));
    assert_in_range(c, 1, TOTAL);
    assert_int_equal(seen[c], 0);
    seen[c] = 1;
  }
  assert_int_equal(read(p[0], &c, sizeof(c)), 0);
  close(p[0]);
  st = NULL;
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_int_equal(g.pw_failures, TOTAL);
  vouch_user_clear(&g);
  vouch_store_close(st);
}

/* -------------------------------------------------------------- passwords */

static void expect_recent(vouch_store *st, unsigned n, const char *want)
{
  char **h = NULL, got[256] = "";
  size_t count = 0, i;

  assert_int_equal(vouch_store_pw_recent(st, "alice", n, &h, &count),
                   VOUCH_OK);
  assert_true(count <= n);
  for(i = 0; i < count; i++) {
    size_t used = strlen(got);
    snprintf(got + used, sizeof(got) - used, "%s,", h[i]);
  }
  vouch_store_free_list(h, count);
  assert_string_equal(got, want);
}

static void test_password_history(void **state)
{
  vouch_store *st;
  vouch_user g;
  char **h = NULL;
  size_t count = 9;
  time_t before = time(NULL);

  (void)state;
  st = open_new();
  add(st, "alice");
  add(st, "bob");
  expect_recent(st, 5, "");
  assert_int_equal(vouch_store_set_password(st, "alice", "h1", 2), VOUCH_OK);
  expect_recent(st, 5, "h1,");
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_string_equal(g.pw_hash, "h1");
  assert_true(g.pw_changed >= before && g.pw_changed <= time(NULL));
  vouch_user_clear(&g);
  assert_int_equal(vouch_store_set_password(st, "alice", "h2", 2), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "alice", "h3", 2), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "alice", "h4", 2), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "bob", "b1", 2), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "bob", "b2", 2), VOUCH_OK);
  /* Current first, then newest history; at most keep old ones kept. */
  expect_recent(st, 10, "h4,h3,h2,");
  expect_recent(st, 2, "h4,h3,");
  expect_recent(st, 1, "h4,");
  expect_recent(st, 0, "");
  assert_int_equal(peek("SELECT count(*) FROM pw_history"), 3);
  assert_int_equal(vouch_store_set_password(st, "alice", "h5", 0), VOUCH_OK);
  expect_recent(st, 10, "h5,");
  assert_int_equal(vouch_store_set_password(st, "nobody", "x", 1),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_set_password(st, "alice", "", 1),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_set_password(st, "alice", NULL, 1),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_pw_recent(st, "nobody", 3, &h, &count),
                   VOUCH_ERR_NO_USER);
  assert_null(h);
  assert_int_equal(count, 0);
  vouch_store_close(st);
}

static void test_password_in_transaction(void **state)
{
  vouch_store *st;

  (void)state;
  st = open_new();
  add(st, "alice");
  add(st, "bob");
  assert_int_equal(vouch_store_set_password(st, "bob", "b1", 2), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "bob", "b2", 2), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "alice", "h5", 2), VOUCH_OK);
  /* Inside a caller's transaction the change rolls back with it. */
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "alice", "h6", 3), VOUCH_OK);
  expect_recent(st, 10, "h6,h5,");
  vouch_store_rollback(st);
  expect_recent(st, 10, "h5,");
  /* A failing call inside a transaction leaves it usable. */
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "nobody", "x", 1),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_set_password(st, "alice", "h7", 3), VOUCH_OK);
  assert_int_equal(vouch_store_commit(st), VOUCH_OK);
  expect_recent(st, 10, "h7,h5,");
  /* Deleting the user takes the history along. */
  assert_int_equal(vouch_store_user_del(st, "alice"), VOUCH_OK);
  assert_int_equal(peek("SELECT count(*) FROM pw_history h JOIN users u"
                        " ON u.id = h.user_id WHERE u.name = 'bob'"),
                   1);
  assert_int_equal(peek("SELECT count(*) FROM pw_history"), 1);
  vouch_store_close(st);
}

static void test_replace_hash(void **state)
{
  vouch_store *st;
  vouch_user g;

  (void)state;
  st = open_new();
  add(st, "alice");
  add(st, "bob");
  assert_int_equal(vouch_store_replace_hash(st, "alice", "r1"),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_null(g.pw_hash);
  vouch_user_clear(&g);
  assert_int_equal(vouch_store_set_password(st, "alice", "h1", 3), VOUCH_OK);
  assert_int_equal(vouch_store_set_password(st, "alice", "h2", 3), VOUCH_OK);
  peek("UPDATE users SET pw_changed = 1000 WHERE name = 'alice'");
  /* A renewal swaps the current hash only: no history, same date. */
  assert_int_equal(vouch_store_replace_hash(st, "alice", "h2b"), VOUCH_OK);
  expect_recent(st, 10, "h2b,h1,");
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_string_equal(g.pw_hash, "h2b");
  assert_int_equal(g.pw_changed, 1000);
  vouch_user_clear(&g);
  assert_int_equal(vouch_store_replace_hash(st, "nobody", "x"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_replace_hash(st, "alice", ""), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_replace_hash(st, "alice", NULL),
                   VOUCH_ERR_INPUT);
  vouch_store_close(st);
}

static void test_user_clear(void **state)
{
  vouch_user u;
  const unsigned char *p;
  size_t i;

  (void)state;
  memset(&u, 0xff, sizeof(u));
  u.name = strdup("alice");
  u.full_name = NULL;
  u.email = strdup("a@example.org");
  u.phone = NULL;
  u.pw_hash = strdup("$argon2id$secret");
  u.plan = NULL;
  vouch_user_clear(&u);
  p = (const unsigned char *)&u;
  for(i = 0; i < sizeof(u); i++)
    assert_int_equal(p[i], 0);
  vouch_user_clear(&u); /* a cleared user clears again */
  vouch_user_clear(NULL);
}

/* ----------------------------------------------------------------- audit */

static vouch_rc audit_line(void *arg, const vouch_audit_row *r)
{
  char *buf = arg;
  size_t used = strlen(buf);

  assert_true(r->id > 0);
  snprintf(buf + used, 1024 - used, "%lld|%s|%s|%s|%s\n", (long long)r->ts,
           r->user, r->event, r->service, r->detail);
  return VOUCH_OK;
}

static void test_audit(void **state)
{
  vouch_store *st;
  char out[1024] = "";

  (void)state;
  st = open_new();
  add(st, "alice");
  assert_int_equal(vouch_store_audit_add(st, 200, "alice", "login", "sshd",
                                         "from 192.0.2.1"),
                   VOUCH_OK);
  assert_int_equal(vouch_store_audit_add(st, 100, "bob", "lock", NULL, NULL),
                   VOUCH_OK);
  assert_int_equal(
      vouch_store_audit_add(st, 200, NULL, "init", "vouchctl", ""), VOUCH_OK);
  assert_int_equal(vouch_store_audit_add(st, 150, "alice", "fail", "su", "x"),
                   VOUCH_OK);
  assert_int_equal(vouch_store_audit_add(st, 1, "alice", "", "", ""),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_audit_add(st, 1, "alice", NULL, "", ""),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_audit_each(st, NULL, audit_line, out),
                   VOUCH_OK);
  assert_string_equal(out, "100|bob|lock||\n"
                           "150|alice|fail|su|x\n"
                           "200|alice|login|sshd|from 192.0.2.1\n"
                           "200||init|vouchctl|\n");
  out[0] = '\0';
  assert_int_equal(vouch_store_audit_each(st, "alice", audit_line, out),
                   VOUCH_OK);
  assert_string_equal(out, "150|alice|fail|su|x\n"
                           "200|alice|login|sshd|from 192.0.2.1\n");
  /* Audit outlives the user. */
  assert_int_equal(vouch_store_user_del(st, "alice"), VOUCH_OK);
  out[0] = '\0';
  assert_int_equal(vouch_store_audit_each(st, "alice", audit_line, out),
                   VOUCH_OK);
  assert_string_equal(out, "150|alice|fail|su|x\n"
                           "200|alice|login|sshd|from 192.0.2.1\n");
  out[0] = '\0';
  assert_int_equal(vouch_store_audit_each(st, "nobody", audit_line, out),
                   VOUCH_OK);
  assert_string_equal(out, "");
  vouch_store_close(st);
}

/* ---------------------------------------------------------- transactions */

static void test_transactions(void **state)
{
  vouch_store *st;
  vouch_user g;

  (void)state;
  st = open_new();
  vouch_store_rollback(st); /* nothing open */
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  add(st, "alice");
  vouch_store_rollback(st);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  /* Nested BEGIN is a programming error, reported and refused. */
  logbuf[0] = '\0';
  assert_int_equal(vouch_store_begin(st), VOUCH_ERR_STORE);
  assert_non_null(strstr(logbuf, dbpath));
  add(st, "alice");
  assert_int_equal(vouch_store_commit(st), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  vouch_user_clear(&g);
  /* COMMIT without BEGIN fails and leaves nothing open. */
  assert_int_equal(vouch_store_commit(st), VOUCH_ERR_STORE);
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  vouch_store_rollback(st);
  vouch_store_close(st);
}

/* ------------------------------------------------- version 1 -> 2 */

/* The released version 1 schema, frozen here as it was shipped. */
static const char v1_schema[] =
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
    "CREATE INDEX audit_user_ts ON audit(user, ts);"
    "INSERT INTO users (name, email, pw_hash, state, pw_failures, created)"
    " VALUES ('alice', 'alice@example.org', '$argon2id$old', 1, 3, 1000);"
    "INSERT INTO pw_history (user_id, hash, changed)"
    " VALUES (1, '$argon2id$older', 900);"
    "INSERT INTO audit (ts, user, event) VALUES (1000, 'alice', 'old');"
    "PRAGMA application_id = 1987016035;"
    "PRAGMA user_version = 1;";

static void test_migration_v1(void **state)
{
  sqlite3 *db = NULL;
  vouch_store *st = NULL;
  unsigned char mac[VOUCH_MAC_BYTES];
  char **h = NULL;
  size_t n = 0;
  vouch_user g;
  int fd;

  (void)state;
  fd = open(dbpath, O_RDWR | O_CREAT | O_EXCL, 0600);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, v1_schema, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(peek("PRAGMA user_version"), 1);

  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_OK);
  assert_int_equal(peek("PRAGMA user_version"),
                   8); /* migrated to the current schema */
  /* Everything of version 1 is still there, untouched. */
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_string_equal(g.email, "alice@example.org");
  assert_string_equal(g.pw_hash, "$argon2id$old");
  assert_int_equal(g.state, VOUCH_STATE_LOCKED);
  assert_int_equal(g.pw_failures, 3);
  assert_int_equal(g.created, 1000);
  assert_false(g.has_card);
  assert_string_equal(g.card_last4, "");
  vouch_user_clear(&g);
  assert_int_equal(vouch_store_pw_recent(st, "alice", 5, &h, &n), VOUCH_OK);
  assert_int_equal(n, 2);
  assert_string_equal(h[1], "$argon2id$older");
  vouch_store_free_list(h, n);
  assert_int_equal(peek("SELECT count(*) FROM audit WHERE event = 'old'"), 1);
  /* And the version 2 parts work on the migrated user. */
  memset(mac, 7, sizeof(mac));
  assert_int_equal(vouch_store_card_set(st, "alice", mac, "4242"), VOUCH_OK);
  assert_int_equal(
      vouch_store_code_insert(st, "alice", "check", 0, mac, 10, 20, NULL),
      VOUCH_OK);
  vouch_store_close(st);
  /* Opening again migrates nothing. */
  st = NULL;
  assert_int_equal(vouch_store_open(dbpath, 1000, 0, &st, capture, NULL),
                   VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_true(g.has_card);
  assert_string_equal(g.card_last4, "4242");
  vouch_user_clear(&g);
  vouch_store_close(st);
  assert_int_equal(peek("SELECT count(*) FROM codes"), 1);
}

/* ------------------------------------------------------ security check */

static void mac_of(unsigned char *mac, int v)
{
  memset(mac, v, VOUCH_MAC_BYTES);
}

static void test_codes(void **state)
{
  unsigned char m1[VOUCH_MAC_BYTES], m2[VOUCH_MAC_BYTES];
  vouch_code_row c;
  vouch_store *st;
  int64_t id1 = 0, id2 = 0;
  unsigned a = 0;

  (void)state;
  st = open_new();
  add(st, "alice");
  add(st, "bob");
  mac_of(m1, 1);
  mac_of(m2, 2);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 0, 100, &c),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_live(st, "nobody", "check", 0, 100, &c),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_store_code_insert(st, "nobody", "check", 0, m1, 100, 700, NULL),
      VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_store_code_insert(st, "alice", "", 0, m1, 100, 700, NULL),
      VOUCH_ERR_INPUT);
  assert_int_equal(
      vouch_store_code_insert(st, "alice", "check", 0, m1, 100, 700, &id1),
      VOUCH_OK);
  assert_true(id1 > 0);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 0, 100, &c),
                   VOUCH_OK);
  assert_int_equal(c.id, id1);
  assert_memory_equal(c.mac, m1, VOUCH_MAC_BYTES);
  assert_int_equal(c.created, 100);
  assert_int_equal(c.expires, 700);
  assert_int_equal(c.attempts, 0);
  /* Bound to user, purpose and channel; dead at expires. */
  assert_int_equal(vouch_store_code_live(st, "bob", "check", 0, 100, &c),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_live(st, "alice", "reset", 0, 100, &c),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 1, 100, &c),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 0, 699, &c),
                   VOUCH_OK);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 0, 700, &c),
                   VOUCH_ERR_NOT_FOUND);
  /* Attempts count; a newer code kills the older one. */
  assert_int_equal(vouch_store_code_attempt(st, id1, &a), VOUCH_OK);
  assert_int_equal(a, 1);
  assert_int_equal(vouch_store_code_attempt(st, id1, &a), VOUCH_OK);
  assert_int_equal(a, 2);
  assert_int_equal(
      vouch_store_code_insert(st, "alice", "check", 1, m2, 110, 710, NULL),
      VOUCH_OK);
  assert_int_equal(
      vouch_store_code_insert(st, "alice", "check", 0, m2, 120, 720, &id2),
      VOUCH_OK);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 0, 130, &c),
                   VOUCH_OK);
  assert_int_equal(c.id, id2);
  assert_memory_equal(c.mac, m2, VOUCH_MAC_BYTES);
  assert_int_equal(c.attempts, 0);
  /* The old one is gone (dead codes are dropped); the sms one lives. */
  assert_int_equal(peek("SELECT count(*) FROM codes"), 2);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 1, 130, &c),
                   VOUCH_OK);
  id1 = c.id;
  assert_int_equal(vouch_store_code_use(st, id2), VOUCH_OK);
  /* Used once: never again (a conditional statement). */
  assert_int_equal(vouch_store_code_use(st, id2), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 0, 130, &c),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_drop(st, id1), VOUCH_OK);
  assert_int_equal(vouch_store_code_live(st, "alice", "check", 1, 130, &c),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_drop(st, 99999), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_use(st, 99999), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_code_attempt(st, 99999, &a),
                   VOUCH_ERR_NOT_FOUND);
  /* Codes go with their user. */
  assert_int_equal(vouch_store_user_del(st, "alice"), VOUCH_OK);
  assert_int_equal(peek("SELECT count(*) FROM codes"), 0);
  vouch_store_close(st);
}

static void test_tokens(void **state)
{
  unsigned char m1[VOUCH_MAC_BYTES], m2[VOUCH_MAC_BYTES];
  vouch_token_row t;
  vouch_store *st;
  vouch_user g;

  (void)state;
  st = open_new();
  add(st, "alice");
  mac_of(m1, 1);
  mac_of(m2, 2);
  assert_int_equal(vouch_store_token_find(st, m1, &t), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(
      vouch_store_token_insert(st, "nobody", "reset", m1, 100, 200),
      VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_store_token_insert(st, "alice", "reset", m1, 100, 200), VOUCH_OK);
  /* A mac is unique. */
  assert_int_equal(
      vouch_store_token_insert(st, "alice", "reset", m1, 100, 200),
      VOUCH_ERR_STORE);
  assert_int_equal(vouch_store_token_find(st, m1, &t), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_int_equal(t.user_id, g.id);
  vouch_user_clear(&g);
  assert_string_equal(t.purpose, "reset");
  assert_int_equal(t.created, 100);
  assert_int_equal(t.expires, 200);
  assert_false(t.used);
  assert_int_equal(vouch_store_token_use(st, t.id), VOUCH_OK);
  assert_int_equal(vouch_store_token_use(st, t.id), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_token_find(st, m1, &t), VOUCH_OK);
  assert_true(t.used);
  assert_int_equal(vouch_store_token_use(st, 99999), VOUCH_ERR_NOT_FOUND);
  /* Kept a week past expiry, then dropped by the next insert. */
  assert_int_equal(vouch_store_token_insert(st, "alice", "reset", m2,
                                            200 + 7 * 86400, 300 + 7 * 86400),
                   VOUCH_OK);
  assert_int_equal(vouch_store_token_find(st, m1, &t), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_token_find(st, m2, &t), VOUCH_OK);
  vouch_store_close(st);
}

static void test_check_failures_sends(void **state)
{
  vouch_store *st;
  unsigned n = 99;
  time_t last = 99;

  (void)state;
  st = open_new();
  add(st, "alice");
  add(st, "bob");
  assert_int_equal(vouch_store_check_failure_count(st, "alice", 0, &n),
                   VOUCH_OK);
  assert_int_equal(n, 0);
  assert_int_equal(vouch_store_check_failure_count(st, "nobody", 0, &n),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_check_failure_add(st, "nobody", "sms", 100, 0),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_check_failure_add(st, "alice", "sms", 100, 0),
                   VOUCH_OK);
  assert_int_equal(vouch_store_check_failure_add(st, "alice", "card", 200, 0),
                   VOUCH_OK);
  assert_int_equal(vouch_store_check_failure_add(st, "bob", "email", 200, 0),
                   VOUCH_OK);
  assert_int_equal(vouch_store_check_failure_count(st, "alice", 0, &n),
                   VOUCH_OK);
  assert_int_equal(n, 2);
  assert_int_equal(vouch_store_check_failure_count(st, "alice", 100, &n),
                   VOUCH_OK);
  assert_int_equal(n, 1);
  /* Pruning drops only what is at or before the bound. */
  assert_int_equal(
      vouch_store_check_failure_add(st, "alice", "email", 300, 100), VOUCH_OK);
  assert_int_equal(peek("SELECT count(*) FROM check_failures"), 3);
  assert_int_equal(vouch_store_check_failure_clear(st, "alice"), VOUCH_OK);
  assert_int_equal(vouch_store_check_failure_count(st, "alice", 0, &n),
                   VOUCH_OK);
  assert_int_equal(n, 0);
  assert_int_equal(vouch_store_check_failure_clear(st, "nobody"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(peek("SELECT count(*) FROM check_failures"), 1);

  assert_int_equal(
      vouch_store_sends_since(st, "alice", "check", 0, 0, &n, &last),
      VOUCH_OK);
  assert_int_equal(n, 0);
  assert_int_equal(last, 0);
  assert_int_equal(
      vouch_store_sends_since(st, "nobody", "check", 0, 0, &n, &last),
      VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_store_send_add(st, "alice", "check", 0, 100, false, 0), VOUCH_OK);
  assert_int_equal(
      vouch_store_send_add(st, "alice", "check", 0, 150, false, 0), VOUCH_OK);
  assert_int_equal(
      vouch_store_send_add(st, "alice", "check", 1, 160, false, 0), VOUCH_OK);
  assert_int_equal(
      vouch_store_send_add(st, "alice", "reset", 0, 170, false, 0), VOUCH_OK);
  assert_int_equal(
      vouch_store_send_add(st, "nobody", "check", 0, 170, false, 0),
      VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_store_sends_since(st, "alice", "check", 0, 0, &n, &last),
      VOUCH_OK);
  assert_int_equal(n, 2);
  assert_int_equal(last, 150);
  /* The last send counts for the interval even outside the window. */
  assert_int_equal(
      vouch_store_sends_since(st, "alice", "check", 0, 150, &n, &last),
      VOUCH_OK);
  assert_int_equal(n, 0);
  assert_int_equal(last, 150);
  assert_int_equal(
      vouch_store_send_add(st, "alice", "check", 0, 200, false, 100),
      VOUCH_OK);
  assert_int_equal(peek("SELECT count(*) FROM sends WHERE ts = 100"), 0);
  /* The hourly caps: every code of the member, or the resends alone. */
  assert_int_equal(
      vouch_store_send_add(st, "alice", "check", 0, 210, true, 100), VOUCH_OK);
  assert_int_equal(
      vouch_store_sends_window(st, "alice", NULL, 0, 100, 3, &n, &last),
      VOUCH_OK);
  assert_int_equal(n, 5);      /* 150 160 170 200 210 */
  assert_int_equal(last, 170); /* the third newest */
  assert_int_equal(
      vouch_store_sends_window(st, "alice", "check", 0, 100, 1, &n, &last),
      VOUCH_OK);
  assert_int_equal(n, 1);
  assert_int_equal(last, 210);
  assert_int_equal(
      vouch_store_sends_window(st, "alice", "check", 1, 100, 1, &n, &last),
      VOUCH_OK);
  assert_int_equal(n, 0);
  assert_int_equal(last, 0);
  assert_int_equal(vouch_store_user_del(st, "alice"), VOUCH_OK);
  assert_int_equal(peek("SELECT count(*) FROM sends"), 0);
  vouch_store_close(st);
}

static void test_card_columns(void **state)
{
  unsigned char m1[VOUCH_MAC_BYTES], got[VOUCH_MAC_BYTES];
  vouch_store *st;
  vouch_user g;
  bool has = true;

  (void)state;
  st = open_new();
  add(st, "alice");
  mac_of(m1, 9);
  memset(got, 0, sizeof(got));
  assert_int_equal(vouch_store_card_get_mac(st, "alice", got, &has), VOUCH_OK);
  assert_false(has);
  assert_int_equal(vouch_store_card_get_mac(st, "nobody", got, &has),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_card_clear(st, "alice"), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_store_card_clear(st, "nobody"), VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_card_set(st, "alice", m1, "123"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_store_card_set(st, "nobody", m1, "1234"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_store_card_set(st, "alice", m1, "1234"), VOUCH_OK);
  assert_int_equal(vouch_store_card_get_mac(st, "alice", got, &has), VOUCH_OK);
  assert_true(has);
  assert_memory_equal(got, m1, VOUCH_MAC_BYTES);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_true(g.has_card);
  assert_string_equal(g.card_last4, "1234");
  vouch_user_clear(&g);
  assert_int_equal(vouch_store_card_clear(st, "alice"), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &g), VOUCH_OK);
  assert_false(g.has_card);
  assert_string_equal(g.card_last4, "");
  vouch_user_clear(&g);
  assert_false(vouch_store_in_transaction(st));
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  assert_true(vouch_store_in_transaction(st));
  vouch_store_rollback(st);
  assert_false(vouch_store_in_transaction(st));
  vouch_store_close(st);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  /* clang-format off */
  const struct CMUnitTest tests[] = {
    T(test_create_reopen),
    T(test_migration),
    T(test_foreign_db),
    T(test_corrupt),
    T(test_uri_like_path),
    T(test_symlink_refused),
    T(test_modes_refused),
    T(test_owner_refused),
    T(test_readonly),
    T(test_busy),
    T(test_user_crud),
    T(test_user_each),
    T(test_counters_state),
    T(test_concurrent_failures),
    T(test_password_history),
    T(test_password_in_transaction),
    T(test_replace_hash),
    T(test_user_clear),
    T(test_audit),
    T(test_transactions),
    T(test_migration_v1),
    T(test_codes),
    T(test_tokens),
    T(test_check_failures_sends),
    T(test_card_columns),
  };
  /* clang-format on */
#undef T

  return cmocka_run_group_tests(tests, NULL, NULL);
}
