/*
 * web.c - the web operations of vouch-web (VF_WEB): the same decisions as
 * the tools and modules, answered as a status and a few fields for the
 * page to show in the member's language.  Only [web] user (and root) may
 * ask; anyone else is refused and audited.  vouch-web parses the outside
 * world's HTTP and holds no key: everything it may do is listed here.
 */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vouchd.h"

/* The answer: status, then name/value pairs (NULL-ended). */
static void reply(vd_req *r, const char *status, ...)
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
static const char *token_status(vouch_rc rc)
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
    reply(r, token_status(rc), "lang", vouch_user_lang(r->ctx, user), NULL);
  else
    reply(r, token_status(rc), NULL);
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
    reply(r, token_status(rc), NULL);
    return;
  }
  lang = vouch_user_lang(r->ctx, user);
  rc = vouch_reset_complete(r->ctx, user, token, NULL, pw, &done);
  snprintf(min, sizeof(min), "%u", r->ctx->cfg->pw_min_length);
  if(rc == VOUCH_OK || done.changed)
    reply(r, "ok", "lang", lang, NULL);
  else if(rc == VOUCH_ERR_PW_SHORT)
    reply(r, "short", "lang", lang, "min", min, NULL);
  else if(rc == VOUCH_ERR_PW_LONG)
    reply(r, "long", "lang", lang, NULL);
  else if(rc == VOUCH_ERR_PW_REUSED)
    reply(r, "reused", "lang", lang, NULL);
  else if(rc == VOUCH_ERR_INPUT)
    reply(r, "badchars", "lang", lang, NULL);
  else
    reply(r, token_status(rc), "lang", lang, NULL);
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
    reply(r, "refused", NULL);
    return;
  }
  if(h->nfields < 2 || strcmp(h->field[0], VOUCH_PROTO)) {
    vd_refused(r, "daemon.bad_request", "web: wrong protocol version");
    reply(r, "error", NULL);
    return;
  }
  if(vd_config(&cfg) ||
     vouch_ctx_with(cfg, "web", vd_key(), vd_log, r, &r->ctx)) {
    reply(r, "error", NULL);
    return;
  }
  op = h->field[1];
  if(!strcmp(op, "reset.check") && h->nfields == 3)
    reset_check(r, h->field[2]);
  else if(!strcmp(op, "reset.complete") && h->nfields == 4)
    reset_complete(r, h->field[2], h->field[3]);
  else {
    vd_refused(r, "daemon.bad_request", "web: unknown operation");
    reply(r, "error", NULL);
  }
}
