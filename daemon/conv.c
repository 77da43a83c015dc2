/*
 * conv.c - the daemon's end of a module's conversation (prompts,
 * messages, PAM items) and the options of the module's PAM line.
 *
 * Every wait on the client is bounded: a person's answer by [daemon]
 * answer_timeout, anything else by [daemon] timeout.  A client that goes
 * away or breaks the protocol ends the request (r->gone) and holds
 * nothing: no store transaction is open while the daemon waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <syslog.h>
#include <errno.h>
#include <unistd.h>

#include "vouchd.h"

static int send_frame(vd_req *r)
{
  if(r->gone)
    return -1;
  if(vouch_frame_send(r->fd, &r->io, r->timeout_ms)) {
    r->gone = true;
    return -1;
  }
  return 0;
}

/* The client's reply to what was just sent. */
static int reply(vd_req *r, int timeout_ms)
{
  int rc;

  if(r->gone)
    return -1;
  rc = vouch_frame_recv(r->fd, &r->io, timeout_ms);
  if(rc) {
    r->gone = true;
    return -1;
  }
  return 0;
}

/* One line from the worker's standard input (the tool's): echoed by the
 * terminal; NULL at its end. */
static char *read_line(void)
{
  char buf[1024];
  size_t n = 0;
  ssize_t got;
  char c;

  for(;;) {
    got = read(0, &c, 1);
    if(got < 0 && errno == EINTR)
      continue;
    if(got <= 0 || c == '\n')
      break;
    if(c == '\0' || n >= sizeof(buf) - 1)
      return NULL;
    buf[n++] = c;
  }
  if(got <= 0 && !n)
    return NULL;
  if(n && buf[n - 1] == '\r')
    n--;
  buf[n] = '\0';
  return vouch_strdup(buf);
}

/* local: the prompt on the tool's terminal (or, reading a pipe, as a line
 * on stderr), the answer from its standard input, without echo for
 * secrets. */
static int ask_local(int style, const char *prompt, char **answer)
{
  char err[64];
  bool tty = isatty(0) == 1;

  if(!tty || style == PAM_PROMPT_ECHO_ON) {
    fputs(prompt, stderr);
    if(!tty)
      fputc('\n', stderr);
    fflush(stderr);
  }
  if(style == PAM_PROMPT_ECHO_ON || !tty)
    *answer = read_line();
  else if(vouch_read_secret_err(prompt, 1024, answer, err, sizeof(err)))
    *answer = NULL;
  return *answer ? PAM_SUCCESS : PAM_CONV_ERR;
}

int vd_ask(vd_req *r, int style, const char *prompt, char **answer)
{
  int ret = PAM_CONV_ERR;

  *answer = NULL;
  if(r->local)
    return ask_local(style, prompt, answer);
  vouch_frame_init(&r->io, VF_PROMPT);
  if(vouch_frame_add_num(&r->io, style) || vouch_frame_add(&r->io, prompt))
    return PAM_BUF_ERR;
  if(send_frame(r) || reply(r, r->answer_ms))
    goto out;
  if(r->io.type == VF_ANSWER && r->io.nfields == 1) {
    *answer = vouch_strdup(r->io.field[0]);
    ret = *answer ? PAM_SUCCESS : PAM_BUF_ERR;
  }
  else if(r->io.type != VF_CONV_ERR || r->io.nfields)
    r->gone = true; /* not an answer: a broken client */
out:
  vouch_frame_wipe(&r->io);
  return ret;
}

void vd_say_always(vd_req *r, int style, const char *text)
{
  if(r->local) {
    fprintf(stderr, "%s\n", text);
    return;
  }
  vouch_frame_init(&r->io, VF_MESSAGE);
  if(vouch_frame_add_num(&r->io, style) || vouch_frame_add(&r->io, text))
    return;
  (void)send_frame(r);
}

void vd_say(vd_req *r, int style, const char *text)
{
  if(!(r->flags & PAM_SILENT))
    vd_say_always(r, style, text);
}

void vd_alive(vd_req *r)
{
  if(r->local)
    return;
  vouch_frame_init(&r->io, VF_ALIVE);
  (void)send_frame(r);
}

int vd_get_item(vd_req *r, const char *which, char **out)
{
  int ret = PAM_CONV_ERR;

  *out = NULL;
  if(r->local) {
    if(!strcmp(which, "authtok") && r->authtok) {
      *out = vouch_strdup(r->authtok);
      return *out ? PAM_SUCCESS : PAM_BUF_ERR;
    }
    return PAM_SUCCESS;
  }
  vouch_frame_init(&r->io, VF_GET);
  if(vouch_frame_add(&r->io, which))
    return PAM_BUF_ERR;
  if(send_frame(r) || reply(r, r->timeout_ms))
    goto out;
  if(r->io.type != VF_ITEM || r->io.nfields < 1) {
    r->gone = true;
    goto out;
  }
  ret = PAM_SUCCESS;
  if(!strcmp(r->io.field[0], "1") && r->io.nfields == 2) {
    *out = vouch_strdup(r->io.field[1]);
    if(!*out)
      ret = PAM_BUF_ERR;
  }
out:
  vouch_frame_wipe(&r->io);
  return ret;
}

int vd_set_item(vd_req *r, const char *which, const char *value)
{
  int ret = PAM_SYSTEM_ERR;

  if(r->local) {
    if(!strcmp(which, "authtok")) {
      vouch_free_secret(r->authtok);
      r->authtok = vouch_strdup(value);
    }
    return PAM_SUCCESS;
  }
  vouch_frame_init(&r->io, VF_SET);
  if(vouch_frame_add(&r->io, which) || vouch_frame_add(&r->io, value))
    ret = PAM_BUF_ERR;
  else if(!send_frame(r))
    ret = PAM_SUCCESS;
  vouch_frame_wipe(&r->io);
  return ret;
}

/* Matches arg against the module's options; true when it was one. */
static bool module_opt(vd_opt *opts, const char *arg)
{
  size_t n;

  for(; opts && opts->name; opts++) {
    n = strlen(opts->name);
    if(n && opts->name[n - 1] == '=') {
      if(!strncmp(arg, opts->name, n)) {
        opts->set = true;
        opts->value = arg + n;
        return true;
      }
    }
    else if(!strcmp(arg, opts->name)) {
      opts->set = true;
      return true;
    }
  }
  return false;
}

/* SECTION.KEY=VALUE: from root peers through the one configuration
 * setter; from anyone else refused and audited (a member's own screen
 * locker must not loosen lockout or code limits). */
static bool setting(vd_req *r, const char *arg)
{
  char detail[160];

  if(!r->root) {
    snprintf(detail, sizeof(detail), "uid %u: %.100s", (unsigned)r->peer.uid,
             arg);
    vouch_log(r->ctx, LOG_ERR,
              "a PAM line setting from a non-root caller (uid %u) refused: "
              "%.100s",
              (unsigned)r->peer.uid, arg);
    (void)vouch_audit(r->ctx, NULL, "daemon.setting_refused", detail);
    return false;
  }
  if(vouch_config_set_arg(r->ctx->cfg, arg, "PAM argument", r->ctx->log,
                          r->ctx->logarg))
    return false;
  return vouch_config_pass_on(r->ctx->cfg, arg) == VOUCH_OK;
}

/* nonmember=ignore|deny, for the modules of the security check: deny
 * (the default) gives a name without an account the same conversation
 * as a member's, and a failure (SPEC section 4); ignore steps aside so
 * that the next module of the stack (pam_unix) decides.  False when the
 * value or the module does not take it (then reported as unknown). */
static bool nonmember_opt(vd_req *r, const char *v)
{
  if(strcmp(r->module, "password") && strcmp(r->module, "otp") &&
     strcmp(r->module, "card"))
    return false;
  if(!strcmp(v, "ignore"))
    r->nonmember_ignore = true;
  else if(!strcmp(v, "deny"))
    r->nonmember_ignore = false;
  else
    return false;
  return true;
}

bool vd_nonmember(vd_req *r, const char *user)
{
  vouch_rc rc;

  if(!r->nonmember_ignore)
    return false;
  rc = vouch_account_exists(r->ctx, user);
  if(rc != VOUCH_ERR_NO_USER && rc != VOUCH_ERR_INPUT)
    return false;
  vouch_log(r->ctx, LOG_NOTICE,
            "%s: a name without a vouch account; the next module "
            "decides (nonmember=ignore)",
            r->module);
  return true;
}

int vd_open(vd_req *r, vd_opt *opts)
{
  vouch_config *cfg = NULL;
  int i, bad = 0;

  if(vd_config(&cfg))
    return PAM_BUF_ERR;
  if(vouch_ctx_with(cfg, r->service, vd_key(), vd_log, r, &r->ctx))
    return PAM_BUF_ERR;
  for(i = 0; i < r->argc; i++) {
    const char *a = r->argv[i];
    if(!strncmp(a, "conf=", 5)) {
      if(!vd_same_config(a + 5)) {
        vouch_log(r->ctx, LOG_ERR,
                  "conf=%.200s is not the configuration vouchd runs with "
                  "(%.200s): a module line names vouchd's file or none",
                  a + 5, r->ctx->cfg->path ? r->ctx->cfg->path : "?");
        bad++;
      }
      continue;
    }
    if(!strcmp(a, "debug"))
      r->ctx->debug = true;
    else if(!strcmp(a, "nodelay") && !strcmp(r->phase, "auth"))
      continue; /* the module's own (pam_fail_delay) */
    else if(!strncmp(a, "nonmember=", 10) && nonmember_opt(r, a + 10))
      continue;
    else if(module_opt(opts, a))
      continue;
    else if(strchr(a, '.') && strchr(a, '=')) {
      if(!setting(r, a))
        bad++;
    }
    else {
      vouch_log(r->ctx, LOG_ERR, "unknown option: %.100s", a);
      bad++;
    }
  }
  if(!bad && vouch_config_check(r->ctx->cfg, r->ctx->log, r->ctx->logarg))
    bad++;
  return bad ? PAM_SERVICE_ERR : PAM_SUCCESS;
}

const char *vd_open_user(vd_req *r, vd_opt *opts, int *pam_rc)
{
  *pam_rc = vd_open(r, opts);
  return *pam_rc == PAM_SUCCESS ? vd_user(r, pam_rc) : NULL;
}

const char *vd_user(vd_req *r, int *pam_rc)
{
  if(!r->user[0]) {
    *pam_rc = PAM_USER_UNKNOWN;
    return NULL;
  }
  *pam_rc = PAM_SUCCESS;
  return r->user;
}

long long vd_mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
