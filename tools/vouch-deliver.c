/*
 * vouch-deliver - the delivery helper: reads one message in the wire
 * format of delivery.c on standard input and hands it to the transport
 * the configuration names (SMTP, an HTTP SMS gateway, or files).
 *
 * The core starts it (vouch_deliver) with an empty environment so that
 * libcurl never runs where the key is.  vouchd keeps a few running with
 * --serve (a message framed by a 4-byte big-endian length on stdin, an
 * answer framed the same way on stdout: the exit digit, then why), so
 * that libcurl starts once and connections are reused.  It reads nothing from
 * the environment (it clears it first: libcurl and OpenSSL would look at
 * proxy and certificate variables).  On failure it writes one line on
 * stderr saying why, never the body or a code.
 * Exit: 0 handed over, 1 delivery failed, 2 bad message or usage,
 * 4 configuration or system error.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>

#include "vouch.h"

#define INPUT_MAX (128 * 1024) /* bytes of one message on stdin */
#define ANSWER_MAX 4096        /* bytes of one answer in --serve */

enum { EX_OK = 0, EX_FAILED = 1, EX_USAGE = 2, EX_SYSTEM = 4 };

static const char usage[] =
    "Usage: vouch-deliver --config PATH < MESSAGE\n"
    "       vouch-deliver --config PATH --serve\n"
    "       vouch-deliver --help | --version\n"
    "\n"
    "Hands one message (channel, to, subject header lines, a blank line,\n"
    "the body) to the email or SMS transport of the configuration.  Started\n"
    "by vouchd; see vouch-deliver(8).  With --serve it stays running and\n"
    "hands over every message vouchd frames on standard input, answering\n"
    "each on standard output.\n"
    "\n"
    "Exit status: 0 handed over, 1 delivery failed, 2 bad message or usage,\n"
    "4 configuration or system error.\n";

static void log_stderr(void *arg, int priority, const char *msg)
{
  (void)arg;
  (void)priority;
  fprintf(stderr, "vouch-deliver: %s\n", msg);
}

static int exit_for(vouch_rc rc)
{
  switch(rc) {
  case VOUCH_OK:
    return EX_OK;
  case VOUCH_ERR_DELIVERY:
  case VOUCH_ERR_UNAVAIL:
    return EX_FAILED;
  case VOUCH_ERR_INPUT:
  case VOUCH_ERR_USAGE:
    return EX_USAGE;
  default:
    return EX_SYSTEM;
  }
}

/* --config PATH [--serve], or --help / --version (handled here). */
static int parse_args(int argc, char **argv, const char **conf, bool *serve)
{
  int i;

  *conf = NULL;
  *serve = false;
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage, stdout);
      return -1;
    }
    if(!strcmp(argv[i], "--version")) {
      printf("vouch-deliver %s\n", VOUCH_VERSION);
      return -1;
    }
    if(!strcmp(argv[i], "--serve") && !*serve) {
      *serve = true;
      continue;
    }
    if(!strcmp(argv[i], "--config") && i + 1 < argc && !*conf &&
       argv[i + 1][0]) {
      *conf = argv[++i];
      continue;
    }
    fprintf(stderr, "vouch-deliver: %s\n%s",
            !strcmp(argv[i], "--config") ? "--config needs one path"
                                         : "unknown argument",
            usage);
    return EX_USAGE;
  }
  if(!*conf) {
    fprintf(stderr, "vouch-deliver: --config PATH is required\n%s", usage);
    return EX_USAGE;
  }
  return EX_OK;
}

/* The configuration and libcurl, set up once for every message. */
struct state {
  const char *conf;
  vouch_config *cfg; /* the file's, loaded at the first message */
  bool curl_up;
  bool serve;
};

static int set_up(struct state *st, vouch_log_fn log, void *arg)
{
  vouch_rc rc;

  if(!st->cfg) {
    rc = vouch_config_load(st->conf, &st->cfg, log, arg);
    if(rc)
      return EX_SYSTEM;
  }
  if(!st->curl_up) {
    if(curl_global_init(CURL_GLOBAL_DEFAULT)) {
      log(arg, LOG_ERR, "libcurl could not be initialised");
      return EX_SYSTEM;
    }
    st->curl_up = true;
    if(st->serve && vouch_transport_reuse())
      log(arg, LOG_WARNING, "connections will not be reused");
  }
  return EX_OK;
}

/* One message (text, len) handed over; what went wrong goes to log. */
static int deliver(struct state *st, const char *text, size_t len,
                   vouch_log_fn log, void *arg)
{
  vouch_message m = {VOUCH_CHANNEL_EMAIL, NULL, NULL, NULL, NULL};
  vouch_config *own = NULL;
  const vouch_config *cfg;
  char err[160];
  vouch_rc rc;
  int ex;

  rc = vouch_message_parse(text, len, &m, err, sizeof(err));
  if(rc == VOUCH_ERR_NOMEM) {
    log(arg, LOG_ERR, "out of memory");
    return EX_SYSTEM;
  }
  if(rc) {
    vouch_logp(log, arg, LOG_ERR, "bad message: %s", err);
    return EX_USAGE;
  }
  ex = set_up(st, log, arg);
  if(ex)
    goto out;
  cfg = st->cfg;
  /* [email] and [sms] keys the PAM line set, over the file: a
   * configuration of this message's own. */
  if(m.sets) {
    ex = EX_SYSTEM;
    if(vouch_config_load(st->conf, &own, log, arg) ||
       vouch_config_apply_passed(own, m.sets, log, arg))
      goto out;
    cfg = own;
  }
  ex = exit_for(vouch_transport_send(cfg, &m, log, arg));
out:
  vouch_config_free(own);
  vouch_message_clear(&m);
  return ex;
}

/* One message from stdin, then exit. */
static int once(struct state *st)
{
  char *text = NULL;
  size_t len = 0;
  vouch_rc rc;
  int ex;

  rc = vouch_read_fd(0, INPUT_MAX, &text, &len);
  if(rc == VOUCH_ERR_INPUT) {
    fprintf(stderr, "vouch-deliver: message larger than %d bytes; refused\n",
            INPUT_MAX);
    return EX_USAGE;
  }
  if(rc) {
    fprintf(stderr, "vouch-deliver: cannot read the message: %s\n",
            vouch_strerror(rc));
    return EX_SYSTEM;
  }
  ex = deliver(st, text, len, log_stderr, NULL);
  vouch_wipe(text, len);
  free(text);
  return ex;
}

/* ---------------------------------------------------------------- serve */

/* What went wrong with one message, for its answer: lines joined by
 * "; ", cut at ANSWER_MAX. */
struct why {
  char text[ANSWER_MAX];
  size_t len;
};

static void log_collect(void *arg, int priority, const char *msg)
{
  struct why *w = arg;
  size_t n = strlen(msg), room;

  (void)priority;
  if(w->len && w->len + 2 < sizeof(w->text)) {
    memcpy(w->text + w->len, "; ", 2);
    w->len += 2;
  }
  room = sizeof(w->text) - 1 - w->len;
  if(n > room)
    n = room;
  memcpy(w->text + w->len, msg, n);
  w->len += n;
  w->text[w->len] = '\0';
}

/* All of n bytes, or 0 at end of input before the first byte; -1 on a
 * short read or error. */
static int read_all(int fd, void *buf, size_t n)
{
  size_t got = 0;
  ssize_t r;

  while(got < n) {
    r = read(fd, (char *)buf + got, n - got);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      return got || r < 0 ? -1 : 0;
    got += (size_t)r;
  }
  return 1;
}

static bool write_all(int fd, const void *buf, size_t n)
{
  size_t done = 0;
  ssize_t r;

  while(done < n) {
    r = write(fd, (const char *)buf + done, n - done);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      return false;
    done += (size_t)r;
  }
  return true;
}

static void put_be32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

/* Messages framed by vouchd (a 4-byte big-endian length, then the wire
 * format) until it closes the socket; each gets an answer framed the
 * same way: the exit status digit, then why it failed. */
static int serve(struct state *st)
{
  unsigned char hdr[4];
  struct why w;
  char *text;
  uint32_t len;
  int r, ex;

  for(;;) {
    r = read_all(0, hdr, 4);
    if(r == 0)
      return EX_OK;
    if(r < 0)
      return EX_SYSTEM;
    len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
          (uint32_t)hdr[2] << 8 | hdr[3];
    if(len > INPUT_MAX) {
      fprintf(stderr, "vouch-deliver: frame of %lu bytes; stopping\n",
              (unsigned long)len);
      return EX_USAGE;
    }
    text = malloc(len + 1);
    if(!text)
      return EX_SYSTEM;
    if(read_all(0, text, len) != 1 && len) {
      free(text);
      return EX_SYSTEM;
    }
    w.len = 0;
    w.text[0] = '\0';
    ex = deliver(st, text, len, log_collect, &w);
    vouch_wipe(text, len);
    free(text);
    /* The answer: the digit, then why (w.text[0] is spare room). */
    memmove(w.text + 1, w.text,
            w.len < ANSWER_MAX - 1 ? w.len : ANSWER_MAX - 1);
    w.text[0] = (char)('0' + ex);
    w.len = w.len < ANSWER_MAX - 1 ? w.len + 1 : ANSWER_MAX;
    put_be32(hdr, (uint32_t)w.len);
    if(!write_all(1, hdr, 4) || !write_all(1, w.text, w.len))
      return EX_SYSTEM;
  }
}

int main(int argc, char **argv)
{
  struct state st = {NULL, NULL, false, false};
  int ex;

  clearenv();
  /* libcurl with NOSIGNAL leaves SIGPIPE to us; a parent that went away
   * must give EPIPE, not kill us. */
  signal(SIGPIPE, SIG_IGN);
  ex = parse_args(argc, argv, &st.conf, &st.serve);
  if(ex)
    return ex < 0 ? EX_OK : ex;
  if(vouch_crypto_init()) {
    fputs("vouch-deliver: libsodium could not be initialised\n", stderr);
    return EX_SYSTEM;
  }
  ex = st.serve ? serve(&st) : once(&st);
  if(st.curl_up)
    curl_global_cleanup();
  vouch_config_free(st.cfg);
  return ex;
}
