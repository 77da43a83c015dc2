/*
 * test_session.c - unit tests for core/session.c: reading a process's
 * start time from /proc (hostile command names), recording, listing and
 * closing sessions, signing out everywhere with real child processes
 * (SIGHUP, SIGTERM after the grace, a reused pid never signalled, the
 * kept session and our own process spared), and reset-required.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "sc_fixture.h"

/* A stat line: pid, comm, state, fields 4..21, then start and two
 * more. */
static void stat_line(char *buf, size_t len, const char *comm,
                      const char *state, const char *start)
{
  snprintf(buf, len,
           "4242 (%s) %s 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 "
           "1 0 %s 1234567 100\n",
           comm, state, start);
}

static void test_stat_parse(void **state)
{
  static const char *const comms[] = {"bash", "a) b (c", ") R 1 2 3",
                                      "((",   "x y z",   ""};
  char buf[512], st = 0;
  unsigned long long start = 0;
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(comms) / sizeof(comms[0]); i++) {
    stat_line(buf, sizeof(buf), comms[i], "S", "987654");
    assert_int_equal(vouch_proc_stat_parse(buf, strlen(buf), &st, &start),
                     VOUCH_OK);
    assert_int_equal(st, 'S');
    assert_int_equal(start, 987654ULL);
  }
  stat_line(buf, sizeof(buf), "z", "Z", "18446744073709551615");
  assert_int_equal(vouch_proc_stat_parse(buf, strlen(buf), &st, &start),
                   VOUCH_ERR_INPUT); /* beyond 63 bits */
  stat_line(buf, sizeof(buf), "z", "Z", "12x");
  assert_int_equal(vouch_proc_stat_parse(buf, strlen(buf), &st, &start),
                   VOUCH_ERR_INPUT);
  stat_line(buf, sizeof(buf), "z", "Z", "-5");
  assert_int_equal(vouch_proc_stat_parse(buf, strlen(buf), &st, &start),
                   VOUCH_ERR_INPUT);
  stat_line(buf, sizeof(buf), "z", "SS", "5");
  assert_int_equal(vouch_proc_stat_parse(buf, strlen(buf), &st, &start),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_proc_stat_parse("4242 bash S 1 2", 15, &st, &start),
                   VOUCH_ERR_INPUT); /* no ')' */
  assert_int_equal(vouch_proc_stat_parse("1 (a) S 1 2 3", 13, &st, &start),
                   VOUCH_ERR_INPUT); /* too few fields */
  assert_int_equal(vouch_proc_stat_parse("", 0, &st, &start), VOUCH_ERR_INPUT);
  /* the length is honoured: the start field is cut off */
  stat_line(buf, sizeof(buf), "bash", "S", "987654");
  assert_int_equal(vouch_proc_stat_parse(buf,
                                         (size_t)(strstr(buf, "987654") - buf),
                                         &st, &start),
                   VOUCH_ERR_INPUT);
}

static unsigned long long uptime_ticks(void)
{
  char *text = sc_slurp("/proc/uptime", NULL);
  double up = text ? strtod(text, NULL) : 0;

  free(text);
  return (unsigned long long)(up * (double)sysconf(_SC_CLK_TCK)) + 2;
}

/* A child that names itself comm, tells us on fd it is ready and waits
 * (at most 30 s); with ignore_hup it ignores SIGHUP. */
static pid_t child(const char *comm, bool ignore_hup)
{
  int fds[2];
  pid_t pid;
  char c;

  assert_int_equal(pipe(fds), 0);
  pid = fork();
  assert_true(pid >= 0);
  if(pid == 0) {
    if(ignore_hup)
      signal(SIGHUP, SIG_IGN);
    if(comm)
      prctl(PR_SET_NAME, comm, 0, 0, 0);
    (void)!write(fds[1], "r", 1);
    sleep(30);
    _exit(0);
  }
  close(fds[1]);
  assert_int_equal(read(fds[0], &c, 1), 1);
  close(fds[0]);
  return pid;
}

/* How child pid ended: its signal, or -1 when it is still running after
 * ms milliseconds. */
static int ended_by(pid_t pid, int ms)
{
  int status = 0, i;

  for(i = 0; i <= ms / 10; i++) {
    if(waitpid(pid, &status, WNOHANG) == pid)
      return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    usleep(10000);
  }
  return -1;
}

static void test_proc_start(void **state)
{
  unsigned long long self = 0, kid = 0;
  pid_t pid;
  int i;

  (void)state;
  assert_int_equal(vouch_proc_start((long)getpid(), &self), VOUCH_OK);
  assert_true(self > 0);
  pid = child("a) 1 2 (3) x", false);
  assert_int_equal(vouch_proc_start((long)pid, &kid), VOUCH_OK);
  assert_true(kid >= self);
  assert_true(kid <= uptime_ticks());
  kill(pid, SIGKILL);
  /* a zombie has ended: not found, before and after it is reaped */
  for(i = 0; i < 200 && vouch_proc_start((long)pid, &kid) == VOUCH_OK; i++)
    usleep(10000);
  assert_int_equal(vouch_proc_start((long)pid, &kid), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(ended_by(pid, 2000), SIGKILL);
  assert_int_equal(vouch_proc_start((long)pid, &kid), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_proc_start(0, &kid), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_proc_start(-1, &kid), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_proc_start(1L << 40, &kid), VOUCH_ERR_NOT_FOUND);
}

struct rows {
  int n;
  vouch_session_row r[8];
  char tty[8][160], rhost[8][160];
};

static vouch_rc keep_row(void *arg, const vouch_session_row *r)
{
  struct rows *o = arg;

  if(o->n < 8) {
    o->r[o->n] = *r;
    snprintf(o->tty[o->n], sizeof(o->tty[0]), "%s", r->tty);
    snprintf(o->rhost[o->n], sizeof(o->rhost[0]), "%s", r->rhost);
  }
  o->n++;
  return VOUCH_OK;
}

static void test_open_close_list(void **state)
{
  struct rows o = {0};
  char longhost[201];
  int64_t a = 0, b = 0, x = 7, again = 0;
  long me = (long)getpid(), other = (long)child(NULL, false);

  (void)state;
  memset(longhost, 'h', 200);
  longhost[200] = '\0';
  assert_int_equal(
      vouch_session_open(sc_ctx, "alice", "pts/1", "host.one", me, &a),
      VOUCH_OK);
  assert_int_equal(vouch_session_open(sc_ctx, "alice", "\x01tty\x7f\xc3\xa9",
                                      longhost, other, &b),
                   VOUCH_OK);
  assert_true(b > a && a > 0);
  /* the same leader again (a module stacked twice): the same record */
  assert_int_equal(
      vouch_session_open(sc_ctx, "alice", "pts/1", "host.one", me, &again),
      VOUCH_OK);
  assert_int_equal(again, a);
  assert_int_equal(vouch_session_open(sc_ctx, "nosuch", NULL, NULL, me, &x),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(x, 0);
  assert_int_equal(vouch_session_open(sc_ctx, "../x", NULL, NULL, me, &x),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_session_open(sc_ctx, "alice", NULL, NULL, 0, &x),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_sessions_each(sc_ctx, "alice", keep_row, &o),
                   VOUCH_OK);
  assert_int_equal(o.n, 2);
  assert_int_equal(o.r[0].id, b); /* newest first */
  assert_string_equal(o.tty[0], "?tty???");
  assert_int_equal(strlen(o.rhost[0]), 128);
  assert_string_equal(o.tty[1], "pts/1");
  assert_string_equal(o.rhost[1], "host.one");
  assert_int_equal(o.r[1].pid, me);
  assert_int_equal(o.r[0].pid, other);
  assert_int_equal(o.r[1].ended, 0);
  assert_false(o.r[1].revoked);
  /* another user's session, or not through its leader: refused */
  assert_int_equal(vouch_session_close(sc_ctx, a, "bob", 0),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_session_close(sc_ctx, a, "alice", other),
                   VOUCH_ERR_DENIED);
  assert_int_equal(sc_audits("alice", "session.close_refused"), 2);
  assert_int_equal(vouch_session_close(sc_ctx, a, "alice", me), VOUCH_OK);
  assert_int_equal(vouch_session_close(sc_ctx, a, NULL, 0), VOUCH_OK);
  assert_int_equal(vouch_session_close(sc_ctx, 9999, NULL, 0),
                   VOUCH_ERR_NOT_FOUND);
  memset(&o, 0, sizeof(o));
  assert_int_equal(vouch_sessions_each(sc_ctx, "alice", keep_row, &o),
                   VOUCH_OK);
  assert_true(o.r[1].ended > 0);
  assert_int_equal(o.r[0].ended, 0);
  assert_int_equal(sc_audits("alice", "session.open"), 2);
  assert_int_equal(sc_audits("alice", "session.close"), 2);
  /* the leader of b ends without a close: the next open ends b */
  kill((pid_t)other, SIGKILL);
  assert_int_equal(ended_by((pid_t)other, 2000), SIGKILL);
  assert_int_equal(vouch_session_open(sc_ctx, "alice", "pts/2", NULL, me, &x),
                   VOUCH_OK);
  assert_true(x > b);
  memset(&o, 0, sizeof(o));
  assert_int_equal(vouch_sessions_each(sc_ctx, "alice", keep_row, &o),
                   VOUCH_OK);
  assert_int_equal(o.n, 3);
  assert_int_equal(o.r[0].id, x);
  assert_int_equal(o.r[0].ended, 0);
  assert_int_equal(o.r[1].id, b);
  assert_true(o.r[1].ended > 0);
  assert_false(o.r[1].revoked);
  assert_int_equal(sc_audits("alice", "session.close"), 3);
  assert_int_equal(vouch_session_close(sc_ctx, x, "alice", 0), VOUCH_OK);
  o.n = 0;
  assert_int_equal(vouch_sessions_each(sc_ctx, "bob", keep_row, &o), VOUCH_OK);
  assert_int_equal(o.n, 0);
  assert_int_equal(vouch_sessions_each(sc_ctx, "nosuch", keep_row, &o),
                   VOUCH_ERR_NO_USER);
}

/* Records a session of pid for user with its real start time + skew. */
static int64_t record(const char *user, pid_t pid, unsigned long long skew)
{
  vouch_session_row r = {0};
  vouch_store *st;
  int64_t id = 0;

  assert_int_equal(vouch_proc_start((long)pid, &r.pid_start), VOUCH_OK);
  r.pid_start += skew;
  r.pid = (long)pid;
  r.service = "test";
  r.started = time(NULL);
  assert_int_equal(vouch_ctx_store(sc_ctx, &st), VOUCH_OK);
  assert_int_equal(vouch_store_session_add(st, user, &r, &id), VOUCH_OK);
  return id;
}

static void test_revoke(void **state)
{
  pid_t hup = child(NULL, false), term = child(NULL, true);
  pid_t reused = child(NULL, false), bobs = child(NULL, false);
  pid_t mine = child(NULL, false), shared = child(NULL, false);
  struct rows o = {0};
  int64_t keep, rid;
  unsigned count = 99;
  time_t t0;
  int i;

  (void)state;
  record("alice", hup, 0);
  record("alice", term, 0);
  rid = record("alice", reused, 1); /* another process's start time */
  record("alice", getpid(), 0);     /* never ourselves */
  keep = record("alice", mine, 0);  /* the caller's own: kept */
  record("alice", mine, 0);         /* its leader: shared, spared */
  record("alice", shared, 0);       /* a service's process, that */
  record("bob", shared, 0);         /* served bob too: spared */
  record("bob", bobs, 0);           /* another member */
  t0 = time(NULL);
  assert_int_equal(vouch_sessions_revoke(sc_ctx, "alice", keep, &count),
                   VOUCH_OK);
  /* the reused pid's: just ended; the shared ones revoked, counted */
  assert_int_equal(count, 5);
  assert_true(time(NULL) - t0 >= 1); /* waited the grace for term */
  assert_true(time(NULL) - t0 <= 4);
  assert_int_equal(ended_by(hup, 1000), SIGHUP);
  assert_int_equal(ended_by(term, 1000), SIGTERM);
  assert_int_equal(ended_by(reused, 200), -1);
  assert_int_equal(ended_by(bobs, 10), -1);
  assert_int_equal(ended_by(mine, 10), -1);
  assert_int_equal(ended_by(shared, 10), -1);
  assert_int_equal(sc_audits("alice", "session.spared"), 2);
  assert_int_equal(vouch_sessions_each(sc_ctx, "alice", keep_row, &o),
                   VOUCH_OK);
  assert_int_equal(o.n, 7);
  for(i = 0; i < 7; i++) {
    assert_int_equal(o.r[i].revoked, o.r[i].id != keep && o.r[i].id != rid);
    assert_int_equal(o.r[i].ended == 0, o.r[i].id == keep);
  }
  assert_int_equal(sc_audits("alice", "sessions.revoked"), 1);
  /* nothing open but the kept one: nothing more to do, at once */
  t0 = time(NULL);
  assert_int_equal(vouch_sessions_revoke(sc_ctx, "alice", keep, &count),
                   VOUCH_OK);
  assert_int_equal(count, 0);
  assert_true(time(NULL) - t0 <= 1);
  assert_int_equal(vouch_sessions_revoke(sc_ctx, "alice", 0, NULL), VOUCH_OK);
  assert_int_equal(vouch_sessions_revoke(sc_ctx, "nosuch", 0, &count),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_sessions_revoke(sc_ctx, "", 0, &count),
                   VOUCH_ERR_NO_USER);
  kill(reused, SIGKILL);
  kill(bobs, SIGKILL);
  kill(mine, SIGKILL);
  kill(shared, SIGKILL);
  assert_int_equal(ended_by(reused, 2000), SIGKILL);
  assert_int_equal(ended_by(bobs, 2000), SIGKILL);
  assert_int_equal(ended_by(mine, 2000), SIGKILL);
  assert_int_equal(ended_by(shared, 2000), SIGKILL);
}

static void test_require_reset(void **state)
{
  vouch_store *st;

  (void)state;
  assert_int_equal(vouch_account_require_reset(sc_ctx, "alice"), VOUCH_OK);
  assert_int_equal(sc_state("alice"), VOUCH_STATE_RESET);
  assert_int_equal(sc_audits("alice", "account.reset-required"), 1);
  assert_int_equal(vouch_account_check(sc_ctx, "alice", NULL),
                   VOUCH_ERR_RESET_REQUIRED);
  /* a lockout is stronger and stays */
  assert_int_equal(vouch_ctx_store(sc_ctx, &st), VOUCH_OK);
  assert_int_equal(vouch_store_set_state(st, "bob", VOUCH_STATE_LOCKED),
                   VOUCH_OK);
  assert_int_equal(vouch_account_require_reset(sc_ctx, "bob"), VOUCH_OK);
  assert_int_equal(sc_state("bob"), VOUCH_STATE_LOCKED);
  assert_int_equal(vouch_account_require_reset(sc_ctx, "nosuch"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_account_require_reset(sc_ctx, "bad/name"),
                   VOUCH_ERR_NO_USER);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stat_parse),
      cmocka_unit_test(test_proc_start),
      cmocka_unit_test_setup_teardown(test_open_close_list, sc_setup,
                                      sc_teardown),
      cmocka_unit_test_setup_teardown(test_revoke, sc_setup, sc_teardown),
      cmocka_unit_test_setup_teardown(test_require_reset, sc_setup,
                                      sc_teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
