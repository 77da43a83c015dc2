/*
 * web.c - the web operations of vouch-web (VF_WEB): the same decisions as
 * the tools and modules, answered as a status and a few fields for the
 * page to show in the member's language.  Only [web] user (and root) may
 * ask; anyone else is refused and audited.  vouch-web parses the outside
 * world's HTTP and holds no key: everything it may do is listed here.
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "vouchd.h"

void vd_web_reply(vd_req *r, const char *status, ...)
{
  va_list ap;
  const char *s;
  int bad;

  vouch_frame_init(&r->io, VF_WEB_ANSWER);
  bad = vouch_frame_add(&r->io, status);
  va_start(ap, status);
  while(!bad && (s = va_arg(ap, const char *)) != NULL)
    bad = vouch_frame_add(&r->io, s);
  va_end(ap);
  if(!bad)
    (void)vouch_frame_send(r->fd, &r->io, r->timeout_ms);
}

/* Is the peer [web] user (or root)? */
static bool web_peer(vd_req *r, const char *web_user)
{
  struct passwd pw, *res = NULL;
  char buf[1024];

  if(r->root)
    return true;
  if(!web_user || !*web_user ||
     getpwuid_r(r->peer.uid, &pw, buf, sizeof(buf), &res) || !res)
    return false;
  return !strcmp(res->pw_name, web_user);
}

/* The status of a link's token (vouch_reset_token_user's rc). */
const char *vd_web_token_status(vouch_rc rc)
{
  switch(rc) {
  case VOUCH_OK:
    return "ok";
  case VOUCH_ERR_STALE:
    return "stale";
  case VOUCH_ERR_AUTH:
  case VOUCH_ERR_INPUT:
    return "invalid";
  default:
    return "error";
  }
}

/* reset.check TOKEN: may the reset form be shown?  Uses nothing up. */
static void reset_check(vd_req *r, const char *token)
{
  char user[64];
  vouch_rc rc;

  rc = vouch_reset_token_user(r->ctx, token, user, sizeof(user));
  if(rc == VOUCH_OK || rc == VOUCH_ERR_STALE)
    vd_web_reply(r, vd_web_token_status(rc), "lang",
                 vouch_user_lang(r->ctx, user), NULL);
  else
    vd_web_reply(r, vd_web_token_status(rc), NULL);
}

/* The answer to a refused new password, or NULL. */
static const char *pw_status(vouch_rc rc)
{
  switch(rc) {
  case VOUCH_ERR_PW_SHORT:
    return "short";
  case VOUCH_ERR_PW_LONG:
    return "long";
  case VOUCH_ERR_PW_REUSED:
    return "reused";
  case VOUCH_ERR_INPUT:
    return "badchars";
  default:
    return NULL;
  }
}

/* reset.complete TOKEN PASSWORD: the new password, as vouch-reset
 * complete --token sets it (policy, history, sign-out everywhere, the
 * "password changed" email); the token is used up only then. */
static void reset_complete(vd_req *r, const char *token, const char *pw)
{
  char user[64], min[16];
  vouch_reset_done done;
  const char *lang;
  vouch_rc rc;

  rc = vouch_reset_token_user(r->ctx, token, user, sizeof(user));
  if(rc) {
    vd_web_reply(r, vd_web_token_status(rc), NULL);
    return;
  }
  lang = vouch_user_lang(r->ctx, user);
  rc = vouch_reset_complete(r->ctx, user, token, NULL, pw, &done);
  snprintf(min, sizeof(min), "%u", r->ctx->cfg->pw_min_length);
  if(rc == VOUCH_OK || done.changed)
    vd_web_reply(r, "ok", "lang", lang, NULL);
  else if(pw_status(rc))
    vd_web_reply(r, pw_status(rc), "lang", lang, "min", min, NULL);
  else
    vd_web_reply(r, vd_web_token_status(rc), "lang", lang, NULL);
}

/* forgot WHO: a link by email or a code by SMS when an account has it;
 * the same answer when none has.  The answer goes first and the message
 * after it, so that a slow mail server or gateway does not show (vouch-web
 * pads its page in time). */
static void forgot(vd_req *r, const char *who)
{
  vouch_channel ch = VOUCH_CHANNEL_EMAIL;
  char user[64], masked[128];
  vouch_rc rc;

  rc = vouch_reset_forgot(r->ctx, who, &ch, user, sizeof(user));
  if(rc == VOUCH_OK)
    vd_web_reply(r, ch == VOUCH_CHANNEL_SMS ? "sms" : "email", NULL);
  else if(rc == VOUCH_ERR_INPUT)
    vd_web_reply(r, "invalid", NULL);
  else if(rc == VOUCH_ERR_RATE)
    vd_web_reply(r, "rate", NULL);
  else
    vd_web_reply(r, "error", NULL);
  /* Whatever happens now (no verified phone, a delivery that fails, a
   * code limit), the page has said the same; the audit trail says what. */
  if(rc == VOUCH_OK && user[0])
    (void)vouch_reset_request(r->ctx, user, ch, masked, sizeof(masked));
}

/* forgot.complete WHO CODE PASSWORD: the SMS code and the new password.
 * Every way a code fails answers "wrong", whether or not an account has
 * the number. */
static void forgot_complete(vd_req *r, const char *who, const char *code,
                            const char *pw)
{
  vouch_reset_done done;
  const char *st;
  char min[16];
  vouch_rc rc;

  snprintf(min, sizeof(min), "%u", r->ctx->cfg->pw_min_length);
  if(!vouch_valid_code(code, r->ctx->cfg->otp_length)) {
    vd_web_reply(r, "badcode", NULL);
    return;
  }
  rc = vouch_reset_forgot_complete(r->ctx, who, code, pw, &done);
  if(rc == VOUCH_OK || done.changed)
    st = "ok";
  else if(rc == VOUCH_ERR_AUTH)
    st = "wrong";
  else if(rc == VOUCH_ERR_PW_REUSED)
    st = "reused-again";
  else
    st = pw_status(rc) ? pw_status(rc) : "error";
  vd_web_reply(r, st, "min", min, NULL);
}

/* The request an export token confirms: its owner in user, its id;
 * else the status to answer. */
static const char *export_of(vd_req *r, const char *token, char *user,
                             size_t len, int64_t *id)
{
  vouch_rc rc = vouch_token_owner(r->ctx, "export", token, user, len);

  if(!rc)
    rc = vouch_export_pending(r->ctx, user, token, id);
  if(!rc)
    return NULL;
  if(rc == VOUCH_ERR_NOT_FOUND)
    return "stale"; /* confirmed, cancelled or retired already */
  return vd_web_token_status(rc);
}

/* export.check TOKEN: may the confirmation form be shown? */
static void export_check(vd_req *r, const char *token)
{
  char user[64];
  const char *st;
  int64_t id = 0;

  st = export_of(r, token, user, sizeof(user), &id);
  vd_web_reply(r, st ? st : "ok", "lang",
               user[0] ? vouch_user_lang(r->ctx, user) : "", NULL);
}

/* export.confirm TOKEN PASSWORD: as vouch-export confirm; a wrong
 * password counts as at sign-in. */
static void export_confirm(vd_req *r, const char *token, const char *pw)
{
  char user[64];
  const char *st;
  bool at_token = false;
  int64_t id = 0;
  vouch_rc rc;

  st = export_of(r, token, user, sizeof(user), &id);
  if(st) {
    vd_web_reply(r, st, NULL);
    return;
  }
  rc = vouch_export_confirm(r->ctx, user, token, pw, &id, &at_token);
  if(rc == VOUCH_OK)
    st = "ok";
  else if(rc == VOUCH_ERR_AUTH && !at_token)
    st = "wrong";
  else if(rc == VOUCH_ERR_LOCKED)
    st = "locked";
  else if(rc == VOUCH_ERR_STALE || rc == VOUCH_ERR_NOT_FOUND)
    st = "stale";
  else
    st = vd_web_token_status(rc);
  vd_web_reply(r, st, "lang", vouch_user_lang(r->ctx, user), NULL);
}

/* export.cancel TOKEN: the request waiting for this confirmation ends. */
static void export_cancel(vd_req *r, const char *token)
{
  char user[64];
  const char *st;
  int64_t id = 0;

  st = export_of(r, token, user, sizeof(user), &id);
  if(!st)
    st = vouch_export_cancel(r->ctx, user, id) ? "error" : "ok";
  vd_web_reply(r, st, "lang", user[0] ? vouch_user_lang(r->ctx, user) : "",
               NULL);
}

/* The newest ready archive of a user: its path. */
struct ready {
  char path[4096];
  int64_t id;
};

static vouch_rc ready_row(void *arg, const vouch_export_row *row)
{
  struct ready *rd = arg;

  if(row->status == VOUCH_EXPORT_READY && row->path && row->path[0] &&
     !rd->path[0] && strlen(row->path) < sizeof(rd->path)) {
    snprintf(rd->path, sizeof(rd->path), "%s", row->path);
    rd->id = row->id;
  }
  return VOUCH_OK;
}

/* export.dlcheck TOKEN: may the sign-in form of a download be shown? */
static void download_check(vd_req *r, const char *token)
{
  char user[64];
  vouch_rc rc;

  rc = vouch_token_owner(r->ctx, "download", token, user, sizeof(user));
  vd_web_reply(r, vd_web_token_status(rc), "lang",
               user[0] ? vouch_user_lang(r->ctx, user) : "", NULL);
}

/* export.download TOKEN USER PASSWORD: the member of the link signs in
 * (a wrong password counts as at sign-in); the archive goes to the page
 * as an open file (SCM_RIGHTS): vouch-web may not read the export
 * directory itself. */
static void download(vd_req *r, const char *token, const char *name,
                     const char *pw)
{
  char user[64], size[32], file[64];
  struct ready rd = {"", 0};
  struct stat sb;
  vouch_rc rc;
  int fd;

  rc = vouch_token_owner(r->ctx, "download", token, user, sizeof(user));
  if(rc) {
    vd_web_reply(r, vd_web_token_status(rc), NULL);
    return;
  }
  if(strcmp(user, name)) {
    vouch_audit(r->ctx, user, "export.download_refused", "another name");
    vd_web_reply(r, "wrong", "lang", vouch_user_lang(r->ctx, user), NULL);
    return;
  }
  rc = vouch_password_check(r->ctx, user, pw);
  if(rc) {
    vd_web_reply(r, rc == VOUCH_ERR_LOCKED ? "locked" : "wrong", "lang",
                 vouch_user_lang(r->ctx, user), NULL);
    return;
  }
  rc = vouch_export_each(r->ctx, user, ready_row, &rd);
  fd = !rc && rd.path[0]
           ? open(rd.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)
           : -1;
  if(fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
    if(fd >= 0)
      close(fd);
    vd_web_reply(r, "stale", "lang", vouch_user_lang(r->ctx, user), NULL);
    return;
  }
  snprintf(size, sizeof(size), "%lld", (long long)sb.st_size);
  snprintf(file, sizeof(file), "personal-information-%lld.json",
           (long long)rd.id);
  vouch_audit(r->ctx, user, "export.downloaded", file);
  vouch_frame_init(&r->io, VF_WEB_ANSWER);
  if(!vouch_frame_add(&r->io, "ok") && !vouch_frame_add(&r->io, "size") &&
     !vouch_frame_add(&r->io, size) && !vouch_frame_add(&r->io, "name") &&
     !vouch_frame_add(&r->io, file))
    (void)vouch_frame_send_fds(r->fd, &r->io, &fd, 1, r->timeout_ms);
  close(fd);
}

void vd_web(vd_req *r, const char *web_user)
{
  const vouch_frame *h = &r->hello;
  vouch_config *cfg = NULL;
  const char *op;

  r->service = "web";
  if(!web_peer(r, web_user)) {
    vd_refused(r, "daemon.refused",
               "a web operation from a uid that is "
               "not [web] user");
    vd_web_reply(r, "refused", NULL);
    return;
  }
  if(h->nfields < 2 || strcmp(h->field[0], VOUCH_PROTO)) {
    vd_refused(r, "daemon.bad_request", "web: wrong protocol version");
    vd_web_reply(r, "error", NULL);
    return;
  }
  if(vd_config(&cfg) ||
     vouch_ctx_with(cfg, "web", vd_key(), vd_log, r, &r->ctx)) {
    vd_web_reply(r, "error", NULL);
    return;
  }
  op = h->field[1];
  if(!strcmp(op, "reset.check") && h->nfields == 3)
    reset_check(r, h->field[2]);
  else if(!strcmp(op, "reset.complete") && h->nfields == 4)
    reset_complete(r, h->field[2], h->field[3]);
  else if(!strcmp(op, "export.check") && h->nfields == 3)
    export_check(r, h->field[2]);
  else if(!strcmp(op, "export.confirm") && h->nfields == 4)
    export_confirm(r, h->field[2], h->field[3]);
  else if(!strcmp(op, "export.cancel") && h->nfields == 3)
    export_cancel(r, h->field[2]);
  else if(!strcmp(op, "export.dlcheck") && h->nfields == 3)
    download_check(r, h->field[2]);
  else if(!strcmp(op, "export.download") && h->nfields == 5)
    download(r, h->field[2], h->field[3], h->field[4]);
  else if(!strcmp(op, "forgot") && h->nfields == 3)
    forgot(r, h->field[2]);
  else if(!strcmp(op, "forgot.complete") && h->nfields == 5)
    forgot_complete(r, h->field[2], h->field[3], h->field[4]);
  else if(vd_web_tv(r, op, h->field + 2, h->nfields - 2))
    ;
  else {
    vd_refused(r, "daemon.bad_request", "web: unknown operation");
    vd_web_reply(r, "error", NULL);
  }
}
