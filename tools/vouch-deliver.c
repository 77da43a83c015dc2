/*
 * vouch-deliver - the delivery helper: reads one message in the wire
 * format of delivery.c on standard input and hands it to the transport
 * the configuration names (SMTP, an HTTP SMS gateway, or files).
 *
 * The core starts it (vouch_deliver) with an empty environment so that
 * libcurl never runs inside a PAM host process.  It reads nothing from
 * the environment (it clears it first: libcurl and OpenSSL would look at
 * proxy and certificate variables).  On failure it writes one line on
 * stderr saying why, never the body or a code.
 * Exit: 0 handed over, 1 delivery failed, 2 bad message or usage,
 * 4 configuration or system error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "vouch.h"

#define INPUT_MAX (128 * 1024) /* bytes of one message on stdin */

enum { EX_OK = 0, EX_FAILED = 1, EX_USAGE = 2, EX_SYSTEM = 4 };

static const char usage[] =
    "Usage: vouch-deliver --config PATH < MESSAGE\n"
    "       vouch-deliver --help | --version\n"
    "\n"
    "Hands one message (channel, to, subject header lines, a blank line,\n"
    "the body) to the email or SMS transport of the configuration.  Started\n"
    "by the vouch modules and tools; see vouch-deliver(8).\n"
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

/* --config PATH, or --help / --version (handled here). */
static int parse_args(int argc, char **argv, const char **conf)
{
  int i;

  *conf = NULL;
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage, stdout);
      return -1;
    }
    if(!strcmp(argv[i], "--version")) {
      printf("vouch-deliver %s\n", VOUCH_VERSION);
      return -1;
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

/* The message from stdin into m. */
static int read_message(vouch_message *m)
{
  char *text = NULL, err[160];
  size_t len = 0;
  vouch_rc rc;

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
  rc = vouch_message_parse(text, len, m, err, sizeof(err));
  vouch_wipe(text, len);
  free(text);
  if(rc == VOUCH_ERR_NOMEM) {
    fputs("vouch-deliver: out of memory\n", stderr);
    return EX_SYSTEM;
  }
  if(rc) {
    fprintf(stderr, "vouch-deliver: bad message: %s\n", err);
    return EX_USAGE;
  }
  return EX_OK;
}

int main(int argc, char **argv)
{
  vouch_message m = {VOUCH_CHANNEL_EMAIL, NULL, NULL, NULL, NULL};
  vouch_config *cfg = NULL;
  const char *conf;
  bool curl_up = false;
  vouch_rc rc;
  int ex;

  clearenv();
  /* libcurl with NOSIGNAL leaves SIGPIPE to us; a parent that went away
   * must give EPIPE, not kill us. */
  signal(SIGPIPE, SIG_IGN);
  ex = parse_args(argc, argv, &conf);
  if(ex)
    return ex < 0 ? EX_OK : ex;
  ex = read_message(&m);
  if(ex)
    goto out;
  ex = EX_SYSTEM;
  rc = vouch_crypto_init();
  if(!rc)
    rc = vouch_config_load(conf, &cfg, log_stderr, NULL);
  /* [email] and [sms] keys the PAM line set, over the file. */
  if(!rc && m.sets)
    rc = vouch_config_apply_passed(cfg, m.sets, log_stderr, NULL);
  if(rc)
    goto out;
  if(curl_global_init(CURL_GLOBAL_DEFAULT)) {
    fputs("vouch-deliver: libcurl could not be initialised\n", stderr);
    goto out;
  }
  curl_up = true;
  rc = vouch_transport_send(cfg, &m, log_stderr, NULL);
  ex = exit_for(rc);
out:
  if(curl_up)
    curl_global_cleanup();
  vouch_message_clear(&m);
  vouch_config_free(cfg);
  return ex;
}
