/*
 * pam_client.c - what every vouch PAM module does: sends vouchd the
 * request (module, phase, the PAM items and the module's arguments) and
 * relays the daemon's conversation until its verdict.  The module decides
 * nothing: prompts and messages come ready, in the member's language.
 *
 * When the daemon cannot be reached or stops answering within [daemon]
 * timeout, the module fails closed with the code its caller chose
 * (PAM_AUTHINFO_UNAVAIL for auth), logged; never PAM_SUCCESS.  Two
 * choices of a line step aside instead, logged: pam_vouch_session
 * (bookkeeping, vouch_client_session) and pam_vouch_password's account
 * phase with vouchd_down=ignore, and that one only when nothing listens.
 *
 * A failed auth phase waits about 2 s (pam_fail_delay, as pam_unix), so
 * that a wrong answer to vouch costs what one to pam_unix does; "nodelay"
 * on the line leaves that to the application.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "vouch_pam_client.h"

#define SESSION_DATA "vouch_session_id"
#define CONV_MAX 64           /* prompts and messages a request may relay */
#define FAIL_DELAY_US 2000000 /* after a failed auth phase, as pam_unix */

/* Is opt one of the module's arguments? */
static bool has_arg(int argc, const char **argv, const char *opt)
{
  int i;

  for(i = 0; i < argc; i++)
    if(!strcmp(argv[i], opt))
      return true;
  return false;
}

static const char *item_str(pam_handle_t *pamh, int which)
{
  const void *v = NULL;

  if(pam_get_item(pamh, which, &v) != PAM_SUCCESS || !v)
    return "";
  return v;
}

static void free_data(pam_handle_t *pamh, void *data, int status)
{
  (void)pamh;
  (void)status;
  free(data);
}

static int hello(pam_handle_t *pamh, vouch_frame *f, const char *module,
                 const char *phase, int flags, const char *user, int argc,
                 const char **argv)
{
  int i, r = 0;

  vouch_frame_init(f, VF_HELLO);
  r |= vouch_frame_add(f, VOUCH_PROTO);
  r |= vouch_frame_add(f, module);
  r |= vouch_frame_add(f, phase);
  r |= vouch_frame_add_num(f, flags);
  r |= vouch_frame_add(f, user ? user : "");
  r |= vouch_frame_add(f, item_str(pamh, PAM_SERVICE));
  r |= vouch_frame_add(f, item_str(pamh, PAM_TTY));
  r |= vouch_frame_add(f, item_str(pamh, PAM_RHOST));
  r |= vouch_frame_add(f, item_str(pamh, PAM_RUSER));
  r |= vouch_frame_add_num(f, (long long)getuid());
  for(i = 0; i < argc; i++)
    r |= vouch_frame_add(f, argv[i]);
  return r ? -1 : 0;
}

static int which_item(const char *name)
{
  if(!strcmp(name, "authtok"))
    return PAM_AUTHTOK;
  if(!strcmp(name, "oldauthtok"))
    return PAM_OLDAUTHTOK;
  if(!strcmp(name, "user"))
    return PAM_USER;
  return -1;
}

/* VF_GET: an item or the session id this handle recorded. */
static int get_item(pam_handle_t *pamh, const vouch_frame *in,
                    vouch_frame *out)
{
  const void *v = NULL;
  int which;

  vouch_frame_init(out, VF_ITEM);
  if(in->nfields != 1)
    return -1;
  if(!strcmp(in->field[0], "session")) {
    if(pam_get_data(pamh, SESSION_DATA, &v) != PAM_SUCCESS)
      v = NULL;
  }
  else {
    which = which_item(in->field[0]);
    if(which != PAM_AUTHTOK && which != PAM_OLDAUTHTOK)
      return -1;
    if(pam_get_item(pamh, which, &v) != PAM_SUCCESS)
      v = NULL;
  }
  if(v && !vouch_frame_add(out, "1") && !vouch_frame_add(out, v))
    return 0;
  vouch_frame_init(out, VF_ITEM);
  return vouch_frame_add(out, "0") ? -1 : 0;
}

static int set_item(pam_handle_t *pamh, const vouch_frame *in)
{
  char *copy;
  int which;

  if(in->nfields != 2)
    return -1;
  if(!strcmp(in->field[0], "session")) {
    copy = strdup(in->field[1]);
    if(!copy)
      return -1;
    if(pam_set_data(pamh, SESSION_DATA, copy, free_data) != PAM_SUCCESS) {
      free(copy);
      return -1;
    }
    return 0;
  }
  which = which_item(in->field[0]);
  if(which < 0)
    return -1;
  return pam_set_item(pamh, which, in->field[1]) == PAM_SUCCESS ? 0 : -1;
}

/* VF_PROMPT: asks the person; the answer (or a failed conversation)
 * goes back. */
static int prompt(pam_handle_t *pamh, const vouch_frame *in, vouch_frame *out)
{
  long long style;
  char *resp = NULL;
  int r;

  if(in->nfields != 2 || !vouch_frame_num(in->field[0], 1, 2, &style))
    return -1;
  r = pam_prompt(pamh, (int)style, &resp, "%s", in->field[1]);
  if(r != PAM_SUCCESS || !resp) {
    vouch_frame_init(out, VF_CONV_ERR);
  }
  else {
    vouch_frame_init(out, VF_ANSWER);
    if(vouch_frame_add(out, resp))
      vouch_frame_init(out, VF_CONV_ERR); /* too long: no answer */
  }
  if(resp) {
    explicit_bzero(resp, strlen(resp));
    free(resp);
  }
  return 0;
}

static int message(pam_handle_t *pamh, const vouch_frame *in)
{
  long long style;

  if(in->nfields != 2 || !vouch_frame_num(in->field[0], 3, 4, &style))
    return -1;
  (void)pam_prompt(pamh, (int)style, NULL, "%s", in->field[1]);
  return 0;
}

/* One frame from the daemon: 1 = more to come, 0 = verdict in *ret,
 * -1 = broken protocol. */
static int step(pam_handle_t *pamh, int fd, int timeout_ms, vouch_frame *in,
                vouch_frame *out, int *ret)
{
  long long code;
  int r = 0;

  switch(in->type) {
  case VF_RESULT:
    if(in->nfields != 1 || !vouch_frame_num(in->field[0], 0, 64, &code))
      return -1;
    *ret = (int)code;
    return 0;
  case VF_ALIVE:
    return 1;
  case VF_MESSAGE:
    return message(pamh, in) ? -1 : 1;
  case VF_SET:
    return set_item(pamh, in) ? -1 : 1;
  case VF_GET:
    r = get_item(pamh, in, out);
    break;
  case VF_PROMPT:
    r = prompt(pamh, in, out);
    break;
  default:
    return -1;
  }
  if(!r)
    r = vouch_frame_send(fd, out, timeout_ms);
  vouch_frame_wipe(out);
  return r ? -1 : 1;
}

static int converse(pam_handle_t *pamh, int fd, int timeout_ms, int down_rc)
{
  vouch_frame *in, *out;
  int ret = down_rc, r, n;

  in = malloc(sizeof(*in));
  out = malloc(sizeof(*out));
  if(!in || !out) {
    free(in);
    free(out);
    return PAM_BUF_ERR;
  }
  /* Frames that ask for something are bounded; "still working" ones are
   * not counted (pam_vouch_device waits code_ttl, bounded by vouchd). */
  for(n = 0; n < CONV_MAX * 4;) {
    r = vouch_frame_recv(fd, in, timeout_ms);
    if(r) {
      pam_syslog(pamh, LOG_ERR, "vouchd %s; failing closed",
                 r == VF_TIMEOUT ? "did not answer in time"
                                 : "ended the conversation");
      break;
    }
    if(in->type != VF_ALIVE)
      n++;
    r = step(pamh, fd, timeout_ms, in, out, &ret);
    if(r < 0) {
      pam_syslog(pamh, LOG_ERR,
                 "vouchd sent a malformed frame; failing "
                 "closed");
      ret = down_rc;
    }
    if(r <= 0)
      break;
  }
  vouch_frame_wipe(in);
  free(in);
  free(out);
  return ret;
}

int vouch_client_pam(pam_handle_t *pamh, const struct vouch_pam_req *req,
                     int flags, int argc, const char **argv)
{
  vouch_client_conf conf;
  const char *conf_path = NULL, *user = NULL;
  vouch_frame *f;
  char err[256];
  int i, fd, ret, busy_rc;

  for(i = 0; i < argc; i++)
    if(!strncmp(argv[i], "conf=", 5))
      conf_path = argv[i] + 5;
  if(conf_path && conf_path[0] != '/') {
    pam_syslog(pamh, LOG_ERR, "conf=%s: not an absolute path", conf_path);
    return PAM_SERVICE_ERR;
  }
  if(vouch_client_conf_read(conf_path, &conf, err, sizeof(err))) {
    pam_syslog(pamh, LOG_ERR, "%s", err);
    return PAM_SERVICE_ERR;
  }
  if(!strcmp(req->phase, "auth") && !has_arg(argc, argv, "nodelay"))
    (void)pam_fail_delay(pamh, FAIL_DELAY_US);
  if(req->need_user) {
    ret = pam_get_user(pamh, &user, NULL);
    if(ret != PAM_SUCCESS)
      return ret;
    if(!user || !*user)
      return PAM_USER_UNKNOWN;
  }
  fd = vouch_client_connect(&conf, err, sizeof(err));
  if(fd < 0) {
    /* Stepping aside (vouchd_down=ignore) is for a vouchd that is not
     * there at all; a full, slow or strange one fails closed. */
    ret = req->down_rc;
    if(ret == PAM_IGNORE && errno != ENOENT && errno != ECONNREFUSED)
      ret = PAM_AUTHINFO_UNAVAIL;
    pam_syslog(pamh, LOG_ERR, "%s; %s", err,
               ret == PAM_IGNORE ? "stepping aside (vouchd_down=ignore)"
                                 : "failing closed");
    return ret;
  }
  busy_rc = req->down_rc == PAM_IGNORE ? PAM_AUTHINFO_UNAVAIL : req->down_rc;
  f = malloc(sizeof(*f));
  if(!f) {
    close(fd);
    return PAM_BUF_ERR;
  }
  if(hello(pamh, f, req->module, req->phase, flags, user, argc, argv)) {
    pam_syslog(pamh, LOG_ERR, "the module's arguments are too long");
    ret = PAM_SERVICE_ERR;
  }
  else if(vouch_frame_send(fd, f, conf.timeout_ms)) {
    pam_syslog(pamh, LOG_ERR,
               "vouchd at %s did not take the request; failing closed",
               conf.socket);
    ret = busy_rc;
  }
  else
    ret = converse(pamh, fd, conf.timeout_ms, busy_rc);
  vouch_frame_wipe(f);
  free(f);
  close(fd);
  return ret;
}

int vouch_client_session(pam_handle_t *pamh, bool open, int flags, int argc,
                         const char **argv)
{
  struct vouch_pam_req req = {"session", open ? "open" : "close", true,
                              PAM_SESSION_ERR};
  const void *id = NULL;
  int ret;

  /* One record a session: a second line of the stack (a profile and a
   * service's own line) finds the first one's id and steps aside; a
   * close without an id has nothing to end (and needs no vouchd). */
  if(pam_get_data(pamh, SESSION_DATA, &id) != PAM_SUCCESS)
    id = NULL;
  if(open && id)
    return PAM_IGNORE;
  if(!open && !id)
    return PAM_SUCCESS;
  ret = vouch_client_pam(pamh, &req, flags, argc, argv);
  if(!open && ret == PAM_SUCCESS)
    (void)pam_set_data(pamh, SESSION_DATA, NULL, NULL);
  if(ret == PAM_SUCCESS || ret == PAM_IGNORE)
    return ret;
  /* Recording is bookkeeping, not a verdict: without "strict" a failure
   * never ends the login (a typo in vouch.conf must not lock out root). */
  if(has_arg(argc, argv, "strict"))
    return PAM_SESSION_ERR;
  pam_syslog(pamh, LOG_ERR,
             "session %s not recorded (%s): sign-out of all devices will "
             "not reach it; the login goes on (add \"strict\" to refuse "
             "it instead)",
             open ? "open" : "close", pam_strerror(pamh, ret));
  return PAM_IGNORE;
}
