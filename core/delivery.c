/*
 * delivery.c - hands one message to the delivery helper program.
 *
 * PAM modules run inside sshd, su and sudo: libcurl, its resolver threads
 * and its TLS library have no business there.  So the core writes the
 * message in a small wire format to the stdin of a helper
 * ([delivery] helper, vouch-deliver) started with an empty environment,
 * default signal handling and no inherited descriptors, reads the one
 * line the helper writes on stderr when it fails, and kills it when it
 * runs past [delivery] timeout.  Only exit status 0 is a delivery.
 *
 * Wire format: "channel: email|sms", "to: ADDRESS", "subject: TEXT" (email
 * only) lines, "set: section.key=value" lines ([email] and [sms] keys a
 * PAM line set: the helper reads the file again), a blank line, then the
 * body.  Lines end with LF.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "vouch.h"

#define BODY_MAX (64 * 1024) /* bytes of a message body */
#define SUBJECT_MAX 512      /* bytes of a subject */
#define TO_MAX 254           /* bytes of an address or number */
#define SET_MAX 4200         /* bytes of one "set" value */
#define SETS_MAX 32          /* "set" lines in one message */
#define ERR_KEEP 4096        /* bytes of the helper's stderr kept */
#define POLL_SLICE_MS 50     /* longest single wait of the parent */
#define FD_LOOP_MAX 65536    /* descriptors closed without close_range */

static const char helper_path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";

const char *vouch_channel_name(vouch_channel ch)
{
  return ch == VOUCH_CHANNEL_SMS ? "sms" : "email";
}

void vouch_message_clear(vouch_message *m)
{
  if(!m)
    return;
  free(m->to);
  free(m->subject);
  vouch_free_secret(m->body);
  free(m->sets);
  memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------ checking */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;

  if(!err || !errlen)
    return;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* A header value: no CR, LF or NUL (len bytes), valid UTF-8, not empty. */
static bool header_ok(const char *name, const char *v, size_t len, size_t max,
                      char *err, size_t errlen)
{
  if(!len) {
    set_err(err, errlen, "%s is empty", name);
    return false;
  }
  if(memchr(v, '\r', len) || memchr(v, '\n', len) || memchr(v, '\0', len)) {
    set_err(err, errlen, "%s contains CR, LF or NUL", name);
    return false;
  }
  if(len > max) {
    set_err(err, errlen, "%s is longer than %zu bytes", name, max);
    return false;
  }
  if(!vouch_valid_utf8(v, len)) {
    set_err(err, errlen, "%s is not valid UTF-8", name);
    return false;
  }
  return true;
}

/* The "set" lines: each "section.key=value", at most SETS_MAX. */
static bool sets_ok(const char *sets, char *err, size_t errlen)
{
  const char *p = sets, *nl, *dot, *eq;
  unsigned n = 0;
  size_t len;

  while(*p) {
    nl = strchr(p, '\n');
    len = nl ? (size_t)(nl - p) : strlen(p);
    if(++n > SETS_MAX) {
      set_err(err, errlen, "more than %d \"set\" headers", SETS_MAX);
      return false;
    }
    if(!header_ok("set", p, len, SET_MAX, err, errlen))
      return false;
    dot = memchr(p, '.', len);
    eq = memchr(p, '=', len);
    if(!dot || !eq || eq < dot || dot == p || eq == dot + 1) {
      set_err(err, errlen, "set is not section.key=value");
      return false;
    }
    p += len + (nl ? 1 : 0);
  }
  return true;
}

/* Every rule a message obeys, whether it is being sent or received. */
static bool message_ok(const vouch_message *m, char *err, size_t errlen)
{
  size_t blen;

  if(m->channel != VOUCH_CHANNEL_EMAIL && m->channel != VOUCH_CHANNEL_SMS) {
    set_err(err, errlen, "unknown channel");
    return false;
  }
  if(!m->to) {
    set_err(err, errlen, "no \"to\" header");
    return false;
  }
  if(!header_ok("to", m->to, strlen(m->to), TO_MAX, err, errlen))
    return false;
  if(m->channel == VOUCH_CHANNEL_EMAIL && !vouch_valid_email(m->to)) {
    set_err(err, errlen, "to is not a valid email address");
    return false;
  }
  if(m->channel == VOUCH_CHANNEL_SMS && !vouch_valid_phone(m->to)) {
    set_err(err, errlen,
            "to is not an E.164 phone number (+ and 8 to 15 "
            "digits)");
    return false;
  }
  if(m->channel == VOUCH_CHANNEL_EMAIL && !m->subject) {
    set_err(err, errlen, "an email needs a \"subject\" header");
    return false;
  }
  if(m->channel == VOUCH_CHANNEL_SMS && m->subject) {
    set_err(err, errlen, "an SMS has no subject");
    return false;
  }
  if(m->subject && !header_ok("subject", m->subject, strlen(m->subject),
                              SUBJECT_MAX, err, errlen))
    return false;
  if(m->sets && !sets_ok(m->sets, err, errlen))
    return false;
  blen = m->body ? strlen(m->body) : 0;
  if(!blen) {
    set_err(err, errlen, "the body is empty");
    return false;
  }
  if(blen > BODY_MAX) {
    set_err(err, errlen, "the body is longer than %d bytes", BODY_MAX);
    return false;
  }
  if(!vouch_valid_utf8(m->body, blen)) {
    set_err(err, errlen, "the body is not valid UTF-8");
    return false;
  }
  return true;
}

/* -------------------------------------------------------------- format */

/* "set: LINE\n" for each line of sets ("" for none); NULL: no memory. */
static char *format_sets(const char *sets)
{
  const char *p;
  size_t n = 1, lines = 0, at = 0, len;
  char *out;

  for(p = sets; p && *p; p++)
    lines += *p == '\n';
  if(sets && *sets && sets[strlen(sets) - 1] != '\n')
    lines++;
  n += (sets ? strlen(sets) : 0) + lines * 6;
  out = malloc(n);
  if(!out)
    return NULL;
  for(p = sets; p && *p; p += len + (p[len] == '\n')) {
    len = strcspn(p, "\n");
    memcpy(out + at, "set: ", 5);
    memcpy(out + at + 5, p, len);
    out[at + 5 + len] = '\n';
    at += len + 6;
  }
  out[at] = '\0';
  return out;
}

vouch_rc vouch_message_format(const vouch_message *m, char **out, size_t *len)
{
  char err[128], *sets;

  if(!m || !out || !len)
    return VOUCH_ERR_USAGE;
  *out = NULL;
  *len = 0;
  if(!message_ok(m, err, sizeof(err)))
    return VOUCH_ERR_INPUT;
  sets = format_sets(m->sets);
  if(!sets)
    return VOUCH_ERR_NOMEM;
  *out = vouch_asprintf(
      "channel: %s\nto: %s\n%s%s%s%s\n%s", vouch_channel_name(m->channel),
      m->to, m->subject ? "subject: " : "", m->subject ? m->subject : "",
      m->subject ? "\n" : "", sets, m->body);
  free(sets);
  if(!*out)
    return VOUCH_ERR_NOMEM;
  *len = strlen(*out);
  return VOUCH_OK;
}

/* --------------------------------------------------------------- parse */

/* A "set" header (repeatable): one more line of m->sets. */
static vouch_rc parse_set(const char *v, size_t vlen, unsigned lineno,
                          vouch_message *m, char *err, size_t errlen)
{
  size_t have = m->sets ? strlen(m->sets) : 0;
  char *grown;

  if(!header_ok("set", v, vlen, SET_MAX, err, errlen))
    return VOUCH_ERR_INPUT;
  if(have > (size_t)SETS_MAX * (SET_MAX + 1)) {
    set_err(err, errlen, "line %u: too many \"set\" headers", lineno);
    return VOUCH_ERR_INPUT;
  }
  grown = realloc(m->sets, have + vlen + 2);
  if(!grown)
    return VOUCH_ERR_NOMEM;
  m->sets = grown;
  memcpy(grown + have, v, vlen);
  grown[have + vlen] = '\n';
  grown[have + vlen + 1] = '\0';
  return VOUCH_OK;
}

/* One "name: value" line (len bytes, no LF) into m. */
static vouch_rc parse_header(const char *line, size_t len, unsigned lineno,
                             vouch_message *m, unsigned *seen, char *err,
                             size_t errlen)
{
  static const char *const names[] = {"channel", "to", "subject", "set"};
  const char *colon = memchr(line, ':', len);
  size_t nlen, vlen, i;
  const char *v;
  char **field;

  if(!colon) {
    set_err(err, errlen, "line %u: not a \"name: value\" header", lineno);
    return VOUCH_ERR_INPUT;
  }
  nlen = (size_t)(colon - line);
  v = colon + 1;
  if(v < line + len && *v == ' ')
    v++;
  vlen = len - (size_t)(v - line);
  for(i = 0; i < 4; i++)
    if(strlen(names[i]) == nlen && !memcmp(line, names[i], nlen))
      break;
  if(i == 4) {
    set_err(err, errlen,
            "line %u: unknown header (allowed: channel, to, "
            "subject, set)",
            lineno);
    return VOUCH_ERR_INPUT;
  }
  if(i == 3)
    return parse_set(v, vlen, lineno, m, err, errlen);
  if(*seen & (1u << i)) {
    set_err(err, errlen, "line %u: header \"%s\" repeated", lineno, names[i]);
    return VOUCH_ERR_INPUT;
  }
  *seen |= 1u << i;
  if(!header_ok(names[i], v, vlen, i == 2 ? SUBJECT_MAX : TO_MAX, err, errlen))
    return VOUCH_ERR_INPUT;
  if(i == 0) {
    if(vlen == 5 && !memcmp(v, "email", 5))
      m->channel = VOUCH_CHANNEL_EMAIL;
    else if(vlen == 3 && !memcmp(v, "sms", 3))
      m->channel = VOUCH_CHANNEL_SMS;
    else {
      set_err(err, errlen, "line %u: unknown channel (allowed: email, sms)",
              lineno);
      return VOUCH_ERR_INPUT;
    }
    return VOUCH_OK;
  }
  field = i == 1 ? &m->to : &m->subject;
  *field = strndup(v, vlen);
  return *field ? VOUCH_OK : VOUCH_ERR_NOMEM;
}

/* The header lines up to the blank line; *body_at is where the body
 * starts. */
static vouch_rc parse_headers(const char *text, size_t len, vouch_message *m,
                              size_t *body_at, char *err, size_t errlen)
{
  size_t pos = 0;
  unsigned lineno = 0, seen = 0;
  vouch_rc rc;

  for(;;) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t n;
    if(!nl) {
      set_err(err, errlen, "no blank line between the headers and the body");
      return VOUCH_ERR_INPUT;
    }
    n = (size_t)(nl - (text + pos));
    lineno++;
    if(!n)
      break;
    rc = parse_header(text + pos, n, lineno, m, &seen, err, errlen);
    if(rc)
      return rc;
    pos += n + 1;
  }
  if(!(seen & 1u)) {
    set_err(err, errlen, "no \"channel\" header");
    return VOUCH_ERR_INPUT;
  }
  *body_at = pos + 1;
  return VOUCH_OK;
}

vouch_rc vouch_message_parse(const char *text, size_t len, vouch_message *m,
                             char *err, size_t errlen)
{
  size_t body_at = 0, blen;
  vouch_rc rc;

  set_err(err, errlen, "malformed message");
  if(!m)
    return VOUCH_ERR_USAGE;
  memset(m, 0, sizeof(*m));
  if(!text || !len) {
    set_err(err, errlen, "the message is empty");
    return VOUCH_ERR_INPUT;
  }
  rc = parse_headers(text, len, m, &body_at, err, errlen);
  if(rc)
    goto out;
  blen = len - body_at;
  if(memchr(text + body_at, '\0', blen)) {
    set_err(err, errlen, "the body contains a NUL byte");
    rc = VOUCH_ERR_INPUT;
    goto out;
  }
  if(blen > BODY_MAX) {
    set_err(err, errlen, "the body is longer than %d bytes", BODY_MAX);
    rc = VOUCH_ERR_INPUT;
    goto out;
  }
  m->body = strndup(text + body_at, blen);
  if(!m->body) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  rc = message_ok(m, err, errlen) ? VOUCH_OK : VOUCH_ERR_INPUT;
out:
  if(rc)
    vouch_message_clear(m);
  else
    set_err(err, errlen, "ok");
  return rc;
}

/* ---------------------------------------------------------------- spawn */

struct helper {
  pid_t pid;
  int in;  /* parent's end of the socket that is the helper's stdin */
  int err; /* read end of the helper's stderr pipe */
  const char *msg;
  size_t len, sent;
  char errbuf[ERR_KEEP + 1];
  size_t errlen;
  int status;
  bool exited, lost, timed_out;
};

static long long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves fd above the standard descriptors, so that the dup2 calls in the
 * child cannot overwrite one another (a host may run with 0-2 closed). */
static int above_stdio(int fd)
{
  int n;

  if(fd < 0 || fd > 2)
    return fd;
  n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  close(fd);
  return n;
}

/* In the child between fork and execve: only async-signal-safe calls. */
static void child(const int fds[3], const char *path, char *const argv[],
                  int maxfd) __attribute__((noreturn));

static void child(const int fds[3], const char *path, char *const argv[],
                  int maxfd)
{
  static const char fail[] = "cannot execute the delivery helper\n";
  char *envp[] = {(char *)helper_path_env, NULL};
  struct sigaction sa;
  sigset_t none;
  int sig, fd;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for(sig = 1; sig < NSIG; sig++)
    sigaction(sig, &sa, NULL); /* fails harmlessly for KILL and STOP */
  if(dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0)
    _exit(127);
  if(close_range(3, ~0U, 0))
    for(fd = 3; fd < maxfd; fd++)
      close(fd);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* vouchd's CAP_KILL (ambient, for its workers) is not the helper's: it
   * parses what mail and SMS servers answer. */
  (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  execve(path, argv, envp);
  if(write(2, fail, sizeof(fail) - 1) < 0)
    _exit(127);
  _exit(127);
}

/* The helper must be an executable regular file: saying so here gives a
 * clearer log line than an exec failure in the child. */
static vouch_rc helper_usable(const vouch_ctx *ctx, const char *path)
{
  struct stat st;

  if(stat(path, &st)) {
    vouch_log(ctx, LOG_ERR, "delivery helper %s: %s", path, strerror(errno));
    return VOUCH_ERR_DELIVERY;
  }
  if(!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
    vouch_log(ctx, LOG_ERR, "delivery helper %s: not an executable file",
              path);
    return VOUCH_ERR_DELIVERY;
  }
  return VOUCH_OK;
}

static int fd_limit(void)
{
  struct rlimit rl;

  if(getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
     rl.rlim_cur > FD_LOOP_MAX)
    return FD_LOOP_MAX;
  return (int)rl.rlim_cur;
}

/* Descriptors for the child: sock[1] (stdin), pipe[1] (stderr), devnull;
 * the parent keeps sock[0] and pipe[0], non-blocking. */
static vouch_rc open_channels(int sock[2], int errp[2], int *devnull)
{
  if(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock))
    return VOUCH_ERR_SYSTEM;
  if(pipe2(errp, O_CLOEXEC))
    return VOUCH_ERR_SYSTEM;
  *devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  sock[1] = above_stdio(sock[1]);
  errp[1] = above_stdio(errp[1]);
  *devnull = above_stdio(*devnull);
  if(*devnull < 0 || sock[1] < 0 || errp[1] < 0)
    return VOUCH_ERR_SYSTEM;
  if(fcntl(sock[0], F_SETFL, O_NONBLOCK) ||
     fcntl(errp[0], F_SETFL, O_NONBLOCK))
    return VOUCH_ERR_SYSTEM;
  return VOUCH_OK;
}

static void close_fd(int *fd)
{
  if(*fd >= 0)
    close(*fd);
  *fd = -1;
}

static vouch_rc helper_start(vouch_ctx *ctx, struct helper *h)
{
  char arg0[] = "vouch-deliver", arg1[] = "--config";
  char *argv[] = {arg0, arg1, ctx->cfg->path, NULL};
  int sock[2] = {-1, -1}, errp[2] = {-1, -1}, devnull = -1;
  int maxfd = fd_limit(), fds[3];
  sigset_t all, old;
  vouch_rc rc;

  rc = helper_usable(ctx, ctx->cfg->delivery_helper);
  if(rc)
    return rc;
  rc = open_channels(sock, errp, &devnull);
  if(rc) {
    vouch_log(ctx, LOG_ERR, "delivery: cannot create pipes: %s",
              strerror(errno));
    goto out;
  }
  /* No signal handler of the host may run in the child before the
   * dispositions are reset. */
  fds[0] = sock[1];
  fds[1] = devnull;
  fds[2] = errp[1];
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  h->pid = fork();
  if(h->pid == 0)
    child(fds, ctx->cfg->delivery_helper, argv, maxfd);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if(h->pid < 0) {
    vouch_log(ctx, LOG_ERR, "delivery: cannot start the helper: %s",
              strerror(errno));
    rc = VOUCH_ERR_SYSTEM;
    goto out;
  }
  h->in = sock[0];
  h->err = errp[0];
  sock[0] = errp[0] = -1;
out:
  close_fd(&sock[0]);
  close_fd(&sock[1]);
  close_fd(&errp[0]);
  close_fd(&errp[1]);
  close_fd(&devnull);
  return rc;
}

/* Writes what the socket takes now; closes it when all is written or the
 * helper stopped reading (EPIPE: its exit status tells the rest). */
static void pump_input(struct helper *h)
{
  ssize_t r;

  while(h->sent < h->len) {
    r = send(h->in, h->msg + h->sent, h->len - h->sent,
             MSG_NOSIGNAL | MSG_DONTWAIT);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    if(r < 0)
      break;
    h->sent += (size_t)r;
  }
  close_fd(&h->in);
}

/* Reads what the stderr pipe holds now (at most a few reads), keeping the
 * first ERR_KEEP bytes; closes it at end of file. */
static void pump_error(struct helper *h)
{
  char buf[1024];
  ssize_t r;
  size_t keep;
  int i;

  for(i = 0; i < 64; i++) {
    r = read(h->err, buf, sizeof(buf));
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    if(r <= 0) {
      close_fd(&h->err);
      return;
    }
    keep = ERR_KEEP - h->errlen;
    if(keep > (size_t)r)
      keep = (size_t)r;
    memcpy(h->errbuf + h->errlen, buf, keep);
    h->errlen += keep;
  }
}

static bool reap(struct helper *h, int flags)
{
  pid_t r;

  do
    r = waitpid(h->pid, &h->status, flags);
  while(r < 0 && errno == EINTR);
  if(r == 0)
    return false;
  h->exited = true;
  h->lost = r != h->pid; /* reaped by someone else: status unknown */
  return true;
}

/* Feeds stdin, collects stderr and waits for the exit, all within
 * timeout seconds by the monotonic clock; then SIGKILL. */
static void helper_wait(struct helper *h, unsigned timeout)
{
  long long deadline = now_ms() + (long long)timeout * 1000;

  for(;;) {
    struct pollfd p[2];
    nfds_t n = 0, i;
    long long left;

    if(reap(h, WNOHANG)) {
      if(h->err >= 0)
        pump_error(h);
      return;
    }
    left = deadline - now_ms();
    if(left <= 0) {
      kill(h->pid, SIGKILL);
      reap(h, 0);
      h->timed_out = true;
      return;
    }
    if(h->in >= 0)
      p[n++] = (struct pollfd){.fd = h->in, .events = POLLOUT};
    if(h->err >= 0)
      p[n++] = (struct pollfd){.fd = h->err, .events = POLLIN};
    if(left > (n ? POLL_SLICE_MS : 10))
      left = n ? POLL_SLICE_MS : 10;
    if(poll(p, n, (int)left) <= 0)
      continue;
    for(i = 0; i < n; i++) {
      if(!p[i].revents)
        continue;
      if(p[i].fd == h->in)
        pump_input(h);
      else
        pump_error(h);
    }
  }
}

/* The helper's stderr as one log-safe line: control bytes become '?',
 * line breaks "; ". */
static void reason(struct helper *h, char *out, size_t len)
{
  size_t i, n = 0;
  char c;

  for(i = 0; i < h->errlen && n + 3 < len; i++) {
    c = h->errbuf[i];
    if(c == '\n' && i + 1 < h->errlen) {
      out[n++] = ';';
      out[n++] = ' ';
    }
    else if(c == '\n')
      continue;
    else
      out[n++] = ((unsigned char)c < 0x20 || c == 0x7f) ? '?' : c;
  }
  out[n] = '\0';
  if(!n)
    snprintf(out, len, "no reason given");
}

static vouch_rc report(vouch_ctx *ctx, const vouch_message *m,
                       struct helper *h)
{
  const char *ch = vouch_channel_name(m->channel);
  char why[ERR_KEEP + 64];

  reason(h, why, sizeof(why));
  if(h->timed_out)
    vouch_log(ctx, LOG_ERR,
              "%s delivery failed: the helper ran past the %us timeout "
              "and was stopped",
              ch, ctx->cfg->delivery_timeout);
  else if(h->lost)
    vouch_log(ctx, LOG_ERR,
              "%s delivery failed: the helper's exit status was lost "
              "(SIGCHLD reaped elsewhere)",
              ch);
  else if(WIFEXITED(h->status) && WEXITSTATUS(h->status) == 0)
    return VOUCH_OK;
  else if(WIFEXITED(h->status))
    vouch_log(ctx, LOG_ERR, "%s delivery failed (helper exit %d): %s", ch,
              WEXITSTATUS(h->status), why);
  else
    vouch_log(ctx, LOG_ERR, "%s delivery failed: helper killed by signal %d",
              ch, WIFSIGNALED(h->status) ? WTERMSIG(h->status) : 0);
  return VOUCH_ERR_DELIVERY;
}

/* ------------------------------------------------ helpers that stay up */

/* vouchd keeps up to [delivery] helpers "vouch-deliver --serve" running:
 * each message is a frame on a socket instead of a fork, an exec and
 * libcurl's start-up, and the helper keeps its connections.  A helper
 * serves one message at a time; when all are busy and no more may start,
 * the message gets a helper of its own as before.  A helper that runs
 * past the timeout, answers nonsense or dies is killed and reaped, and
 * the next message starts a new one. */
#define KEPT_MAX 64       /* the bound of [delivery] helpers */
#define KEPT_SERVED 10000 /* messages before a helper is renewed */
#define ANSWER_MAX 4096   /* bytes of one answer of a helper */

struct kept {
  pid_t pid;
  int fd; /* our end of the socket that is its stdin and stdout */
  unsigned gen, served;
};

static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;
static struct kept kept_idle[KEPT_MAX];
static unsigned kept_nidle, kept_live, kept_max, kept_gen;
static bool kept_on;
/* The helper and configuration they run: a request whose PAM line names
 * another helper gets one of its own. */
static char kept_helper[PATH_MAX], kept_conf[PATH_MAX];

static bool kept_fits(const vouch_config *cfg)
{
  bool fit;

  pthread_mutex_lock(&kept_mu);
  fit = kept_on && cfg->path && cfg->delivery_helper &&
        !strcmp(cfg->delivery_helper, kept_helper) &&
        !strcmp(cfg->path, kept_conf);
  pthread_mutex_unlock(&kept_mu);
  return fit;
}

/* Kills and reaps k; its status (when it had ended by itself) in
 * *status, or -1. */
static void kept_end(struct kept *k, int *status)
{
  int st = -1;
  pid_t r;

  if(k->fd >= 0)
    close(k->fd);
  k->fd = -1;
  if(k->pid <= 0)
    return;
  do
    r = waitpid(k->pid, &st, WNOHANG);
  while(r < 0 && errno == EINTR);
  if(r == 0) {
    kill(k->pid, SIGKILL);
    do
      r = waitpid(k->pid, NULL, 0);
    while(r < 0 && errno == EINTR);
    st = -1;
  }
  if(status)
    *status = r == k->pid ? st : -1;
  k->pid = -1;
}

static vouch_rc kept_start(vouch_ctx *ctx, struct kept *k)
{
  char arg0[] = "vouch-deliver", arg1[] = "--config", arg3[] = "--serve";
  char *argv[] = {arg0, arg1, ctx->cfg->path, arg3, NULL};
  int sock[2] = {-1, -1}, err = -1, fds[3], maxfd = fd_limit();
  sigset_t all, old;
  vouch_rc rc;

  k->pid = -1;
  k->fd = -1;
  k->served = 0;
  rc = helper_usable(ctx, ctx->cfg->delivery_helper);
  if(rc)
    return rc;
  /* Its stderr is ours (vouchd's log): it writes there only when it
   * cannot answer. */
  err = fcntl(2, F_GETFD) < 0 ? open("/dev/null", O_WRONLY | O_CLOEXEC)
                              : fcntl(2, F_DUPFD_CLOEXEC, 3);
  if(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) || err < 0 ||
     (sock[1] = above_stdio(sock[1])) < 0 || (err = above_stdio(err)) < 0 ||
     fcntl(sock[0], F_SETFL, O_NONBLOCK)) {
    vouch_log(ctx, LOG_ERR, "delivery: cannot create a socket: %s",
              strerror(errno));
    rc = VOUCH_ERR_SYSTEM;
    goto out;
  }
  fds[0] = fds[1] = sock[1];
  fds[2] = err;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  k->pid = fork();
  if(k->pid == 0)
    child(fds, ctx->cfg->delivery_helper, argv, maxfd);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if(k->pid < 0) {
    vouch_log(ctx, LOG_ERR, "delivery: cannot start the helper: %s",
              strerror(errno));
    rc = VOUCH_ERR_SYSTEM;
    goto out;
  }
  k->fd = sock[0];
  sock[0] = -1;
out:
  close_fd(&sock[0]);
  close_fd(&sock[1]);
  close_fd(&err);
  return rc;
}

/* An idle helper that has not gone away (a readable or hung-up socket
 * means it died or spoke out of turn), or a new one while fewer than
 * [delivery] helpers run.  false: none to be had; use one of its own. */
static bool kept_take(vouch_ctx *ctx, struct kept *k)
{
  struct pollfd p;
  bool start = false;

  pthread_mutex_lock(&kept_mu);
  while(kept_on && kept_nidle) {
    *k = kept_idle[--kept_nidle];
    p = (struct pollfd){.fd = k->fd, .events = POLLIN};
    if(poll(&p, 1, 0) == 0) {
      pthread_mutex_unlock(&kept_mu);
      return true;
    }
    kept_live--;
    pthread_mutex_unlock(&kept_mu);
    vouch_log(ctx, LOG_WARNING,
              "delivery helper %ld had ended; starting "
              "another",
              (long)k->pid);
    kept_end(k, NULL);
    pthread_mutex_lock(&kept_mu);
  }
  /* A helper of this configuration only (a SIGHUP may have come since
   * the caller looked): else the message gets one of its own. */
  if(kept_on && kept_live < kept_max &&
     !strcmp(ctx->cfg->delivery_helper, kept_helper) &&
     !strcmp(ctx->cfg->path, kept_conf)) {
    kept_live++;
    start = true;
    k->gen = kept_gen;
  }
  pthread_mutex_unlock(&kept_mu);
  if(!start)
    return false;
  if(kept_start(ctx, k) == VOUCH_OK)
    return true;
  pthread_mutex_lock(&kept_mu);
  kept_live--;
  pthread_mutex_unlock(&kept_mu);
  return false;
}

/* Back to the idle ones, or ended when it is of an earlier
 * configuration, has served long enough or failed (bad). */
static void kept_give(struct kept *k, bool bad)
{
  pthread_mutex_lock(&kept_mu);
  if(!bad && kept_on && k->gen == kept_gen && k->served < KEPT_SERVED &&
     kept_nidle < KEPT_MAX) {
    kept_idle[kept_nidle++] = *k;
    pthread_mutex_unlock(&kept_mu);
    return;
  }
  kept_live--;
  pthread_mutex_unlock(&kept_mu);
  kept_end(k, NULL);
}

/* Waits until fd is ready for events or the deadline passes. */
static bool ready(int fd, short events, long long deadline)
{
  struct pollfd p;
  long long left;
  int r;

  for(;;) {
    left = deadline - now_ms();
    if(left <= 0)
      return false;
    p = (struct pollfd){.fd = fd, .events = events};
    r = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
    if(r > 0)
      return true;
    if(r < 0 && errno != EINTR)
      return false;
  }
}

/* Sends all of buf before the deadline. */
static bool kept_send(int fd, const char *buf, size_t len, long long deadline)
{
  size_t done = 0;
  ssize_t r;

  while(done < len) {
    r = send(fd, buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if(r > 0) {
      done += (size_t)r;
      continue;
    }
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
       ready(fd, POLLOUT, deadline))
      continue;
    return false;
  }
  return true;
}

/* Reads exactly len bytes before the deadline; 0 on end of file or
 * error, -1 past the deadline, 1 done. */
static int kept_recv(int fd, char *buf, size_t len, long long deadline)
{
  size_t got = 0;
  ssize_t r;

  while(got < len) {
    r = recv(fd, buf + got, len - got, MSG_DONTWAIT);
    if(r > 0) {
      got += (size_t)r;
      continue;
    }
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if(!ready(fd, POLLIN, deadline))
        return -1;
      continue;
    }
    return 0;
  }
  return 1;
}

/* One message through a kept helper.  *used false: none could be had. */
static vouch_rc kept_deliver(vouch_ctx *ctx, const vouch_message *m,
                             const char *msg, size_t len, bool *used)
{
  const char *ch = vouch_channel_name(m->channel);
  long long deadline;
  unsigned char hdr[4];
  char answer[ANSWER_MAX + 1], why[ANSWER_MAX + 64];
  uint32_t alen;
  struct kept k;
  int r = 0, status;

  *used = false;
  if(!kept_take(ctx, &k))
    return VOUCH_ERR_DELIVERY;
  *used = true;
  k.served++;
  deadline = now_ms() + (long long)ctx->cfg->delivery_timeout * 1000;
  hdr[0] = (unsigned char)(len >> 24);
  hdr[1] = (unsigned char)(len >> 16);
  hdr[2] = (unsigned char)(len >> 8);
  hdr[3] = (unsigned char)len;
  if(!kept_send(k.fd, (const char *)hdr, 4, deadline) ||
     !kept_send(k.fd, msg, len, deadline))
    r = now_ms() >= deadline ? -1 : 0;
  else if((r = kept_recv(k.fd, (char *)hdr, 4, deadline)) == 1) {
    alen = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
           (uint32_t)hdr[2] << 8 | hdr[3];
    if(alen < 1 || alen > ANSWER_MAX)
      r = 2;
    else
      r = kept_recv(k.fd, answer, alen, deadline);
  }
  if(r == 1) {
    answer[alen] = '\0';
    kept_give(&k, false);
    if(answer[0] == '0')
      return VOUCH_OK;
    /* Only the log-safe part of what it said. */
    {
      struct helper h;
      h.errlen = alen - 1;
      memcpy(h.errbuf, answer + 1, h.errlen);
      reason(&h, why, sizeof(why));
    }
    vouch_log(ctx, LOG_ERR, "%s delivery failed (helper exit %c): %s", ch,
              answer[0], why);
    return VOUCH_ERR_DELIVERY;
  }
  pthread_mutex_lock(&kept_mu);
  kept_live--;
  pthread_mutex_unlock(&kept_mu);
  if(r < 0) {
    kept_end(&k, NULL);
    vouch_log(ctx, LOG_ERR,
              "%s delivery failed: the helper ran past the %us timeout "
              "and was stopped",
              ch, ctx->cfg->delivery_timeout);
    return VOUCH_ERR_DELIVERY;
  }
  kept_end(&k, &status);
  if(r == 2)
    vouch_log(ctx, LOG_ERR,
              "%s delivery failed: the helper answered out of "
              "protocol and was stopped",
              ch);
  else if(status != -1 && WIFSIGNALED(status))
    vouch_log(ctx, LOG_ERR, "%s delivery failed: helper killed by signal %d",
              ch, WTERMSIG(status));
  else if(status != -1 && WIFEXITED(status))
    vouch_log(ctx, LOG_ERR,
              "%s delivery failed: the helper exited (%d) "
              "without answering",
              ch, WEXITSTATUS(status));
  else
    vouch_log(ctx, LOG_ERR,
              "%s delivery failed: the helper went away "
              "without answering",
              ch);
  return VOUCH_ERR_DELIVERY;
}

void vouch_delivery_keep(vouch_ctx *ctx)
{
  struct kept old[KEPT_MAX], k;
  unsigned n, i;

  pthread_mutex_lock(&kept_mu);
  kept_gen++;
  kept_on = ctx && ctx->cfg && ctx->cfg->path && ctx->cfg->delivery_helper &&
            ctx->cfg->delivery_helpers &&
            strlen(ctx->cfg->path) < sizeof(kept_conf) &&
            strlen(ctx->cfg->delivery_helper) < sizeof(kept_helper);
  if(kept_on) {
    snprintf(kept_conf, sizeof(kept_conf), "%s", ctx->cfg->path);
    snprintf(kept_helper, sizeof(kept_helper), "%s",
             ctx->cfg->delivery_helper);
  }
  kept_max = kept_on ? ctx->cfg->delivery_helpers : 0;
  if(kept_max > KEPT_MAX)
    kept_max = KEPT_MAX;
  n = kept_nidle;
  memcpy(old, kept_idle, n * sizeof(old[0]));
  kept_nidle = 0;
  kept_live -= n;
  pthread_mutex_unlock(&kept_mu);
  for(i = 0; i < n; i++)
    kept_end(&old[i], NULL);
  /* One ready for the first message. */
  if(kept_on && kept_take(ctx, &k))
    kept_give(&k, false);
}

/* A host that ignores SIGCHLD would have the kernel reap the helper and
 * lose its status: the default disposition holds while we wait (as
 * pam_unix does for its helper). */
static bool chld_default(struct sigaction *saved)
{
  struct sigaction dfl;

  if(sigaction(SIGCHLD, NULL, saved))
    return false;
  if(!(saved->sa_flags & SA_NOCLDWAIT) &&
     ((saved->sa_flags & SA_SIGINFO) || saved->sa_handler != SIG_IGN))
    return false;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  return sigaction(SIGCHLD, &dfl, NULL) == 0;
}

vouch_rc vouch_deliver(vouch_ctx *ctx, const vouch_message *m)
{
  struct helper *h = NULL;
  vouch_message wire;
  struct sigaction saved;
  bool restore = false;
  char *msg = NULL;
  size_t len = 0;
  vouch_rc rc;

  if(!ctx || !ctx->cfg || !m)
    return VOUCH_ERR_USAGE;
  /* The helper reads the configuration file again: what a PAM line set
   * for [email] and [sms] goes with the message. */
  wire = *m;
  if(!wire.sets)
    wire.sets = ctx->cfg->pass_on;
  rc = vouch_message_format(&wire, &msg, &len);
  if(rc) {
    vouch_log(ctx, LOG_ERR, "%s delivery failed: the message is malformed",
              vouch_channel_name(m->channel));
    rc = rc == VOUCH_ERR_NOMEM ? rc : VOUCH_ERR_DELIVERY;
    goto out;
  }
  if(!ctx->cfg->path) {
    vouch_log(ctx, LOG_ERR, "delivery: no configuration file to pass on");
    rc = VOUCH_ERR_DELIVERY;
    goto out;
  }
  if(kept_fits(ctx->cfg)) {
    bool used;

    rc = kept_deliver(ctx, m, msg, len, &used);
    if(used)
      goto out;
  }
  h = calloc(1, sizeof(*h));
  if(!h) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  h->in = h->err = -1;
  h->msg = msg;
  h->len = len;
  restore = chld_default(&saved);
  rc = helper_start(ctx, h);
  if(rc) {
    rc = rc == VOUCH_ERR_NOMEM ? rc : VOUCH_ERR_DELIVERY;
    goto out;
  }
  helper_wait(h, ctx->cfg->delivery_timeout);
  rc = report(ctx, m, h);
out:
  if(restore)
    sigaction(SIGCHLD, &saved, NULL);
  if(h) {
    close_fd(&h->in);
    close_fd(&h->err);
    free(h);
  }
  if(msg) {
    vouch_wipe(msg, len);
    free(msg);
  }
  return rc;
}
