/*
 * session.c - sessions and signing out everywhere: each PAM session is
 * recorded with its leader process and that process's start time, so
 * that "sign out all devices" can end the live ones without ever hitting
 * a process that merely reuses a recorded pid.  Also the reset-required
 * mark that makes every device sign in again with a new password.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "vouch.h"
#include "store.h"

#define FIELD_MAX 128      /* bytes kept of a tty or remote host */
#define STAT_MAX 4096      /* bytes read of /proc/PID/stat */
#define GRACE_MS 2000      /* between SIGHUP and SIGTERM */
#define POLL_MS 50         /* steps of the wait for leaders to go */
#define START_FIELD 22     /* starttime in proc(5) */
#define FIRST_AFTER_COMM 3 /* the state, right after ")" */

/* ------------------------------------------------------------ processes */

/* The next space-separated field of *p into buf; false when none. */
static bool next_field(const char **p, const char *end, char *buf, size_t len)
{
  const char *s = *p;
  size_t n;

  while(s < end && *s == ' ')
    s++;
  for(n = 0; s + n < end && s[n] != ' ' && s[n] != '\n'; n++)
    ;
  if(!n || n >= len)
    return false;
  memcpy(buf, s, n);
  buf[n] = '\0';
  *p = s + n;
  return true;
}

vouch_rc vouch_proc_stat_parse(const char *text, size_t len, char *state,
                               unsigned long long *start)
{
  const char *p = NULL, *end = text + len;
  char field[32];
  int i;
  size_t k;

  if(!text || !state || !start)
    return VOUCH_ERR_INPUT;
  /* The command name may hold anything but is at most 16 bytes; the
   * last ')' closes it. */
  for(k = 0; k < len; k++)
    if(text[k] == ')')
      p = text + k + 1;
  if(!p)
    return VOUCH_ERR_INPUT;
  for(i = FIRST_AFTER_COMM; i <= START_FIELD; i++) {
    if(!next_field(&p, end, field, sizeof(field)))
      return VOUCH_ERR_INPUT;
    if(i == FIRST_AFTER_COMM) {
      if(strlen(field) != 1)
        return VOUCH_ERR_INPUT;
      *state = field[0];
    }
  }
  return vouch_parse_uint(field, 0, INT64_MAX, start);
}

vouch_rc vouch_proc_start(long pid, unsigned long long *start)
{
  char path[64], buf[STAT_MAX];
  ssize_t got;
  size_t len = 0;
  char state = 0;
  vouch_rc rc;
  int fd;

  if(pid <= 0 || pid > INT32_MAX)
    return VOUCH_ERR_NOT_FOUND;
  snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if(fd < 0)
    return errno == ENOENT || errno == ESRCH ? VOUCH_ERR_NOT_FOUND
                                             : VOUCH_ERR_SYSTEM;
  do {
    got = read(fd, buf + len, sizeof(buf) - 1 - len);
    if(got > 0)
      len += (size_t)got;
  } while((got > 0 || (got < 0 && errno == EINTR)) && len < sizeof(buf) - 1);
  close(fd);
  if(got < 0)
    return errno == ESRCH ? VOUCH_ERR_NOT_FOUND : VOUCH_ERR_SYSTEM;
  buf[len] = '\0';
  rc = vouch_proc_stat_parse(buf, len, &state, start);
  if(rc)
    return VOUCH_ERR_SYSTEM;
  /* a zombie or a dead task is gone: its session has ended */
  if(state == 'Z' || state == 'X' || state == 'x')
    return VOUCH_ERR_NOT_FOUND;
  return VOUCH_OK;
}

/* True while the recorded leader is the same live process, and one we
 * may signal: never init, never ourselves. */
static bool leader_alive(const vouch_session_pid *p)
{
  unsigned long long now = 0;

  if(p->pid <= 1 || p->pid == (long)getpid())
    return false;
  if(vouch_proc_start(p->pid, &now))
    return false;
  return now == p->pid_start;
}

/* ------------------------------------------------------- open and close */

/* This host's name in a store that several hosts share, into buf (len
 * bytes, VOUCH_HOST_MAX + 1), which it returns: [store] host_name (pids,
 * and so sessions' leaders, are per host; vouchd refuses a PostgreSQL
 * store without it).  A store of one host (SQLite) names no host ("")
 * : every session is this host's, whatever it is called. */
static const char *this_host(const vouch_ctx *ctx, char *buf, size_t len)
{
  const char *set = ctx->cfg->store_host_name;

  buf[0] = '\0';
  if(ctx->cfg->store_backend != VOUCH_BACKEND_POSTGRESQL)
    return buf;
  if(set && *set)
    snprintf(buf, len, "%s", set);
  else if(gethostname(buf, len) || !buf[0])
    snprintf(buf, len, "%s", "localhost");
  buf[len - 1] = '\0';
  return buf;
}

/* A copy of s fit for listing: printable ASCII, at most FIELD_MAX bytes
 * (a tty or remote host comes from the PAM application). */
static void clean_field(const char *s, char *out)
{
  size_t n = 0;

  for(; s && s[n] && n < FIELD_MAX; n++) {
    unsigned char c = (unsigned char)s[n];
    out[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  out[n] = '\0';
}

/* The process is there for /proc, as a zombie or a dead task. */
static bool proc_zombie(long pid)
{
  char path[64], buf[STAT_MAX], state = 0;
  unsigned long long start;
  ssize_t got;
  int fd;

  snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if(fd < 0)
    return false;
  got = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if(got <= 0)
    return false;
  buf[got] = '\0';
  if(vouch_proc_stat_parse(buf, (size_t)got, &state, &start))
    return false;
  return state == 'Z' || state == 'X' || state == 'x';
}

/* True when the recorded leader is no longer that process: it ended (or
 * its pid now names another process).  Its session ended without a
 * close (a crash, a vouchd that was down at logout). */
static bool leader_gone(const vouch_session_pid *p)
{
  unsigned long long now = 0;
  vouch_rc rc;

  rc = vouch_proc_start(p->pid, &now);
  if(rc == VOUCH_ERR_NOT_FOUND) {
    /* A process /proc does not show (hidepid) still exists: only one
     * the kernel does not know, or a zombie, is gone. */
    if(kill((pid_t)p->pid, 0) == -1 && errno == ESRCH)
      return true;
    return proc_zombie(p->pid);
  }
  return !rc && now != p->pid_start;
}

/* In st's transaction: ends the open sessions of user on this host whose
 * leader is gone, and finds the open one of leader pid/start (*same, 0:
 * none), so that a session stacked twice is recorded once.  Pids are
 * this host's: another host's sessions are its own to reap. */
static vouch_rc reap(vouch_ctx *ctx, vouch_store *st, const char *user,
                     long pid, unsigned long long start, int64_t *same)
{
  vouch_session_pid *list = NULL;
  char detail[64], *owner = NULL, host[VOUCH_HOST_MAX + 1];
  bool was_open;
  size_t i, n = 0;
  vouch_rc rc;

  if(same)
    *same = 0;
  rc = vouch_store_sessions_open(st, user, this_host(ctx, host, sizeof(host)),
                                 &list, &n);
  for(i = 0; !rc && i < n; i++) {
    if(same && list[i].pid == pid && list[i].pid_start == start) {
      *same = list[i].id;
      continue;
    }
    if(!leader_gone(&list[i]))
      continue;
    rc =
        vouch_store_session_end(st, list[i].id, time(NULL), &owner, &was_open);
    free(owner);
    owner = NULL;
    snprintf(detail, sizeof(detail), "id=%lld leader gone",
             (long long)list[i].id);
    if(!rc && was_open)
      rc = vouch_audit(ctx, user, "session.close", detail);
  }
  free(list);
  return rc;
}

vouch_rc vouch_session_open(vouch_ctx *ctx, const char *user, const char *tty,
                            const char *rhost, long pid, int64_t *id)
{
  char ctty[FIELD_MAX + 1], chost[FIELD_MAX + 1], detail[400];
  char host[VOUCH_HOST_MAX + 1];
  vouch_session_row r = {0};
  vouch_store *st;
  vouch_rc rc;

  if(!id)
    return VOUCH_ERR_INPUT;
  *id = 0;
  if(!user || !vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  rc = vouch_proc_start(pid, &r.pid_start);
  if(rc) {
    vouch_log(ctx, LOG_ERR, "session of %s: no process %ld", user, pid);
    return rc == VOUCH_ERR_NOT_FOUND ? VOUCH_ERR_INPUT : rc;
  }
  clean_field(tty, ctty);
  clean_field(rhost, chost);
  r.service = ctx->service;
  r.tty = ctty;
  r.rhost = chost;
  r.pid = pid;
  r.started = time(NULL);
  r.host = this_host(ctx, host, sizeof(host));
  rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = reap(ctx, st, user, pid, r.pid_start, id);
  if(!rc && !*id) {
    rc = vouch_store_session_add(st, user, &r, id);
    snprintf(detail, sizeof(detail), "id=%lld tty=%s rhost=%s pid=%ld",
             (long long)*id, ctty[0] ? ctty : "-", chost[0] ? chost : "-",
             pid);
    if(!rc)
      rc = vouch_audit(ctx, user, "session.open", detail);
  }
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc) {
    vouch_store_rollback(st);
    *id = 0;
  }
  return rc;
}

/* In st's transaction: may this caller end session id? */
static vouch_rc close_allowed(vouch_ctx *ctx, vouch_store *st, int64_t id,
                              const char *user, long leader)
{
  char *owner = NULL, detail[96];
  long pid = 0;
  vouch_rc rc;

  rc = vouch_store_session_leader(st, id, &owner, &pid);
  if(rc)
    return rc;
  if(user && strcmp(owner, user))
    rc = VOUCH_ERR_NOT_FOUND;
  else if(leader && pid != leader)
    rc = VOUCH_ERR_DENIED;
  if(rc) {
    snprintf(detail, sizeof(detail), "id=%lld by pid %ld: %s", (long long)id,
             leader,
             rc == VOUCH_ERR_DENIED ? "not its leader" : "not its owner");
    (void)vouch_audit(ctx, owner, "session.close_refused", detail);
  }
  free(owner);
  return rc;
}

vouch_rc vouch_session_close(vouch_ctx *ctx, int64_t id, const char *user,
                             long leader)
{
  vouch_store *st;
  char *owner = NULL;
  char detail[64];
  bool was_open = false;
  vouch_rc rc, why;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  why = close_allowed(ctx, st, id, user, leader);
  if(why) {
    /* the refusal's audit row stays */
    rc = vouch_store_commit(st);
    if(rc)
      vouch_store_rollback(st);
    return why;
  }
  rc = vouch_store_session_end(st, id, time(NULL), &owner, &was_open);
  snprintf(detail, sizeof(detail), "id=%lld%s", (long long)id,
           was_open ? "" : " already ended");
  if(!rc)
    rc = vouch_audit(ctx, owner, "session.close", detail);
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
  free(owner);
  return rc;
}

vouch_rc vouch_sessions_each(vouch_ctx *ctx, const char *user,
                             vouch_rc (*fn)(void *arg,
                                            const vouch_session_row *r),
                             void *arg)
{
  vouch_store *st;
  vouch_rc rc;

  if(!user || !vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  return vouch_store_sessions_each(st, user, fn, arg);
}

/* ------------------------------------------------------------- sign out */

static void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

  while(nanosleep(&ts, &ts) && errno == EINTR)
    ;
}

/* Sends sig to every leader still alive (checked right before); returns
 * how many got it. */
static size_t signal_live(vouch_ctx *ctx, const vouch_session_pid *list,
                          size_t n, int sig)
{
  size_t i, sent = 0;

  for(i = 0; i < n; i++) {
    if(!leader_alive(&list[i]))
      continue;
    if(kill((pid_t)list[i].pid, sig) == 0) {
      sent++;
      vouch_log(ctx, LOG_DEBUG, "session %lld: %s sent to pid %ld",
                (long long)list[i].id, sig == SIGHUP ? "SIGHUP" : "SIGTERM",
                list[i].pid);
    }
  }
  return sent;
}

/* SIGHUP to the live leaders, up to GRACE_MS for them to go, then
 * SIGTERM to those still there. */
static void end_leaders(vouch_ctx *ctx, const vouch_session_pid *list,
                        size_t n)
{
  long waited;
  size_t i;
  bool left = true;

  if(!signal_live(ctx, list, n, SIGHUP))
    return;
  for(waited = 0; left && waited < GRACE_MS; waited += POLL_MS) {
    sleep_ms(POLL_MS);
    left = false;
    for(i = 0; i < n && !left; i++)
      left = leader_alive(&list[i]);
  }
  if(left)
    signal_live(ctx, list, n, SIGTERM);
}

/* A leader that opened other sessions too (another member's, one after
 * the other, or the caller's own kept one) is a shared process: a
 * service's, not this session's alone.  Its record is revoked, but it
 * gets no signal (pid 0 in list): signing out one member must never end
 * a service.  Audited. */
static vouch_rc spare_shared(vouch_ctx *ctx, vouch_store *st, const char *user,
                             const char *host, vouch_session_pid *list,
                             size_t n)
{
  char detail[96];
  unsigned count;
  vouch_rc rc = VOUCH_OK;
  size_t i;

  for(i = 0; !rc && i < n; i++) {
    rc = vouch_store_leader_sessions(st, list[i].pid, list[i].pid_start,
                                     list[i].host[0] ? list[i].host : host,
                                     &count);
    if(rc || count <= 1)
      continue;
    snprintf(detail, sizeof(detail), "id=%lld pid=%ld shared: not signalled",
             (long long)list[i].id, list[i].pid);
    rc = vouch_audit(ctx, user, "session.spared", detail);
    list[i].pid = 0;
  }
  return rc;
}

/* Another host's session: not signalled here (its pid is that host's). */
static bool elsewhere(const vouch_session_pid *p, const char *host)
{
  return p->host[0] && strcmp(p->host, host) != 0;
}

/* In st's transaction: queues the sign-out of every other host's
 * session of list for its vouchd (and takes them out of list), and tells
 * the hosts once. */
static vouch_rc queue_elsewhere(vouch_store *st, const char *host,
                                vouch_session_pid *list, size_t n)
{
  size_t i, queued = 0;
  vouch_rc rc = VOUCH_OK;

  for(i = 0; !rc && i < n; i++) {
    if(!elsewhere(&list[i], host))
      continue;
    if(list[i].pid)
      rc = vouch_store_signout_add(st, &list[i], time(NULL));
    list[i].pid = 0; /* never signalled on this host */
    queued++;
  }
  if(!rc && queued)
    rc = vouch_store_signouts_notify(st);
  return rc;
}

vouch_rc vouch_sessions_revoke(vouch_ctx *ctx, const char *user,
                               int64_t keep_id, unsigned *count)
{
  vouch_session_pid *list = NULL;
  vouch_store *st;
  char detail[64], host[VOUCH_HOST_MAX + 1];
  size_t n = 0;
  vouch_rc rc;

  if(count)
    *count = 0;
  if(!user || !vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  this_host(ctx, host, sizeof(host));
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = reap(ctx, st, user, 0, 0, NULL);
  if(!rc)
    rc = vouch_store_sessions_revoke(st, user, keep_id, time(NULL), &list, &n);
  if(!rc)
    rc = spare_shared(ctx, st, user, host, list, n);
  /* The other hosts' vouchd end theirs: queued in this transaction, so
   * that a host that is away now takes them when it is back. */
  if(!rc)
    rc = queue_elsewhere(st, host, list, n);
  /* Signed out everywhere: no reset link or code sent before works any
   * more (someone who had one must not sign in with it afterwards), nor
   * a TV sign-in on the web half done. */
  if(!rc)
    rc = vouch_store_proofs_kill(st, user);
  snprintf(detail, sizeof(detail), "count=%zu", n);
  if(!rc)
    rc = vouch_audit(ctx, user, "sessions.revoked", detail);
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc) {
    vouch_store_rollback(st);
    goto out;
  }
  /* The store says signed out before any signal: a leader that comes
   * back finds its session revoked. */
  end_leaders(ctx, list, n);
  if(count)
    *count = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
out:
  free(list);
  return rc;
}

vouch_rc vouch_signouts_run(vouch_ctx *ctx, unsigned *count)
{
  vouch_session_pid *list = NULL;
  char host[VOUCH_HOST_MAX + 1];
  vouch_store *st;
  size_t n = 0, i;
  vouch_rc rc;

  if(count)
    *count = 0;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_signouts_list(st, this_host(ctx, host, sizeof(host)),
                                   &list, &n);
  if(rc)
    return rc;
  /* Signalled only when the queue agrees with the session's own record
   * (a revoked session of this host with that leader), and never a
   * leader that opened other sessions too (a service). */
  for(i = 0; !rc && i < n; i++) {
    bool ours = false;
    unsigned shared = 0;

    rc = vouch_store_session_revoked(st, &list[i], host, &ours);
    if(!rc && ours)
      rc = vouch_store_leader_sessions(st, list[i].pid, list[i].pid_start,
                                       host, &shared);
    if(rc)
      break;
    if(!ours)
      vouch_log(ctx, LOG_WARNING,
                "session %lld: a queued sign-out that matches no signed-out "
                "session of this host; ignored",
                (long long)list[i].id);
    else if(shared > 1)
      vouch_log(ctx, LOG_NOTICE,
                "session %lld: signed out from another host; its leader "
                "(pid %ld) is shared: not signalled",
                (long long)list[i].id, list[i].pid);
    else
      vouch_log(ctx, LOG_NOTICE,
                "session %lld: signed out from another host (pid %ld)",
                (long long)list[i].id, list[i].pid);
    if(!ours || shared > 1)
      list[i].pid = 0;
  }
  if(rc) {
    free(list);
    return rc;
  }
  end_leaders(ctx, list, n);
  /* Removed only once signalled: a vouchd killed in between signals
   * them again when it is back (a leader that is gone, or another
   * process by now, gets nothing: end_leaders checks its start time). */
  for(i = 0; !rc && i < n; i++)
    rc = vouch_store_signout_done(st, host, list[i].id);
  free(list);
  if(count)
    *count = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
  return rc;
}

/* -------------------------------------------------------- reset required */

vouch_rc vouch_account_require_reset(vouch_ctx *ctx, const char *user)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  if(!user || !vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_user_get(st, user, &u);
  /* A lockout is the stronger state: it stays (a reset clears both). */
  if(!rc && u.state != VOUCH_STATE_LOCKED)
    rc = vouch_store_set_state(st, user, VOUCH_STATE_RESET);
  if(!rc)
    rc = vouch_audit(ctx, user, "account.reset-required",
                     u.state == VOUCH_STATE_LOCKED ? "already locked" : NULL);
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
  vouch_user_clear(&u);
  return rc;
}
