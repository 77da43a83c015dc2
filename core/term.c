/*
 * term.c - reading a secret for the tools: from the terminal with echo off,
 * or one line from standard input when it is a pipe or a file.  Bytes are
 * read one at a time with read(2) so that nothing past the line is
 * consumed: a second call reads the next line, and whatever follows stays
 * for the caller.  The terminal is restored on every path, also when a
 * signal interrupts the read.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vouch.h"

#define SECRET_MAX_LIMIT (1024 * 1024)

static volatile sig_atomic_t got_signal;

static const int catch_signals[] = {SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                                    SIGTSTP, SIGTTIN, SIGTTOU};
#define NSIGNALS (sizeof(catch_signals) / sizeof(catch_signals[0]))

/* The terminal state to give back, and the signal dispositions. */
struct tty_state {
  struct termios saved;
  sigset_t oldmask;
  sigset_t waitmask; /* oldmask without catch_signals */
  struct sigaction oldact[NSIGNALS];
};

static void on_signal(int sig)
{
  got_signal = sig;
}

static vouch_rc set_err(char *err, size_t errlen, vouch_rc rc, const char *msg)
{
  if(err && errlen)
    snprintf(err, errlen, "%s", msg);
  return rc;
}

/* Blocks the signals (they are let through only while waiting in ppoll,
 * so none can slip in between a check and a read), then turns off echo. */
static vouch_rc tty_enter(struct tty_state *ts, char *err, size_t errlen)
{
  struct sigaction sa;
  struct termios quiet;
  sigset_t block;
  size_t i;

  sigemptyset(&block);
  for(i = 0; i < NSIGNALS; i++)
    sigaddset(&block, catch_signals[i]);
  if(sigprocmask(SIG_BLOCK, &block, &ts->oldmask))
    return set_err(err, errlen, VOUCH_ERR_SYSTEM, "cannot block signals");
  ts->waitmask = ts->oldmask;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  got_signal = 0;
  for(i = 0; i < NSIGNALS; i++) {
    sigdelset(&ts->waitmask, catch_signals[i]);
    sigaction(catch_signals[i], &sa, &ts->oldact[i]);
  }
  if(tcgetattr(0, &ts->saved))
    goto fail;
  quiet = ts->saved;
  quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
  if(tcsetattr(0, TCSAFLUSH, &quiet))
    goto fail;
  return VOUCH_OK;
fail:
  for(i = 0; i < NSIGNALS; i++)
    sigaction(catch_signals[i], &ts->oldact[i], NULL);
  sigprocmask(SIG_SETMASK, &ts->oldmask, NULL);
  return set_err(err, errlen, VOUCH_ERR_CONV,
                 "cannot turn off echo on the terminal");
}

/* Restores echo, then the signal handlers, then the mask: a signal that
 * is still pending is delivered to its own disposition afterwards. */
static void tty_leave(struct tty_state *ts)
{
  size_t i;
  ssize_t w;

  tcsetattr(0, TCSANOW, &ts->saved);
  w = write(2, "\n", 1); /* the line end is cosmetic */
  (void)w;
  for(i = 0; i < NSIGNALS; i++)
    sigaction(catch_signals[i], &ts->oldact[i], NULL);
  sigprocmask(SIG_SETMASK, &ts->oldmask, NULL);
}

/* Reads one byte from fd 0: 1 for a byte, 0 at end of file, -1 with rc
 * set on an error or a signal. */
static int read_byte(const struct tty_state *ts, unsigned char *c,
                     vouch_rc *rc)
{
  struct pollfd pfd;
  ssize_t r;

  for(;;) {
    if(ts) {
      pfd.fd = 0;
      pfd.events = POLLIN;
      pfd.revents = 0;
      if(ppoll(&pfd, 1, NULL, &ts->waitmask) < 0 && errno != EINTR)
        break;
      if(got_signal) {
        *rc = VOUCH_ERR_ABORT;
        return -1;
      }
    }
    r = read(0, c, 1);
    if(r >= 0)
      return (int)r;
    if(errno != EINTR && errno != EAGAIN)
      break;
  }
  *rc = VOUCH_ERR_SYSTEM;
  return -1;
}

/* Reads the line into buf (max + 2 bytes): at most max bytes before the
 * newline, plus a '\r' that is stripped.  Stops at the first byte that
 * makes the line unacceptable. */
static vouch_rc read_line(const struct tty_state *ts, size_t max, char *buf,
                          size_t *len, char *err, size_t errlen)
{
  char msg[64];
  unsigned char c;
  vouch_rc rc = VOUCH_OK;
  size_t n = 0;
  int r;

  for(;;) {
    r = read_byte(ts, &c, &rc);
    if(r < 0)
      return set_err(err, errlen, rc,
                     rc == VOUCH_ERR_ABORT ? "interrupted"
                                           : "cannot read standard input");
    if(r == 0 || c == '\n')
      break;
    if(c == '\0')
      return set_err(err, errlen, VOUCH_ERR_INPUT, "NUL byte in input");
    if(n == max + 1)
      goto toolong;
    buf[n++] = (char)c;
  }
  if(r == 0 && n == 0)
    return set_err(err, errlen, VOUCH_ERR_INPUT, "no input");
  if(n && buf[n - 1] == '\r')
    n--;
  if(n > max)
    goto toolong;
  buf[n] = '\0';
  *len = n;
  return VOUCH_OK;
toolong:
  snprintf(msg, sizeof(msg), "longer than %zu bytes", max);
  return set_err(err, errlen, VOUCH_ERR_INPUT, msg);
}

vouch_rc vouch_read_secret_err(const char *prompt, size_t max, char **out,
                               char *err, size_t errlen)
{
  struct tty_state ts;
  bool tty = isatty(0) == 1;
  char *buf = NULL;
  size_t len = 0;
  ssize_t w = 0;
  vouch_rc rc;

  if(err && errlen)
    err[0] = '\0';
  *out = NULL;
  if(max == 0 || max > SECRET_MAX_LIMIT)
    return set_err(err, errlen, VOUCH_ERR_USAGE, "invalid length limit");
  buf = malloc(max + 2);
  if(!buf)
    return set_err(err, errlen, VOUCH_ERR_NOMEM, "out of memory");
  if(tty) {
    rc = tty_enter(&ts, err, errlen);
    if(rc)
      goto out;
    if(prompt)
      w = write(2, prompt, strlen(prompt)); /* lost: read anyway */
    (void)w;
  }
  rc = read_line(tty ? &ts : NULL, max, buf, &len, err, errlen);
  if(tty) {
    if(rc)
      tcflush(0, TCIFLUSH); /* the rest of a refused line is not input */
    tty_leave(&ts);
  }
  if(rc)
    goto out;
  *out = malloc(len + 1);
  if(!*out) {
    rc = set_err(err, errlen, VOUCH_ERR_NOMEM, "out of memory");
    goto out;
  }
  memcpy(*out, buf, len + 1);
out:
  vouch_wipe(buf, max + 2);
  free(buf);
  return rc;
}

vouch_rc vouch_read_secret(const char *prompt, size_t max, char **out)
{
  return vouch_read_secret_err(prompt, max, out, NULL, 0);
}
