/*
 * flow_otp.c - pam_vouch_otp's request: the security check by a one-time code sent by email
 * or SMS.  At the code prompt "r" sends the code again and "a" tries
 * another way (PAM_AUTHINFO_UNAVAIL, so the next line of the stack runs).
 * Codes, limits and lockout are in core/challenge.c.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>


#include "vouchd.h"

#define PURPOSE "check"
/* Answers one conversation may give before it ends: wrong codes end
 * earlier through the code's attempt limit and the lockout. */
#define MAX_ROUNDS 20

struct otp {
  vd_req *r;
  vouch_ctx *ctx;
  const char *user;
  const char *lang;
  vouch_methods m;
  vouch_channel ch;
  const char *mask;
  char format[256]; /* what a well-formed answer looks like */
};

static int start(struct otp *o, const char *want);

static void say(const struct otp *o, int style, vouch_msg_id id)
{
  vd_say(o->r, style, vouch_msg(o->lang, id));
}

static void sayf(const struct otp *o, vouch_msg_id id, const char *arg)
{
  char msg[512];

  vouch_msgf(msg, sizeof(msg), o->lang, id, arg);
  vd_say(o->r, PAM_TEXT_INFO, msg);
}

/* channel=any with both ways open: a numbered choice in the prompt. */
static int choose(struct otp *o)
{
  char email[192], sms[128], list[512], prompt[768];
  char *answer = NULL;
  int ret, round;

  vouch_msgf(email, sizeof(email), o->lang, VOUCH_MSG_CHANNEL_EMAIL,
             o->m.email_mask);
  vouch_msgf(sms, sizeof(sms), o->lang, VOUCH_MSG_CHANNEL_SMS, o->m.sms_mask);
  snprintf(list, sizeof(list), "1 = %s, 2 = %s, a = %s", email, sms,
           vouch_msg(o->lang, VOUCH_MSG_TRY_ANOTHER));
  vouch_msgf(prompt, sizeof(prompt), o->lang, VOUCH_MSG_CHANNEL_PROMPT, list);
  for(round = 0; round < 3; round++) {
    ret = vd_ask(o->r, PAM_PROMPT_ECHO_ON, prompt, &answer);
    if(ret != PAM_SUCCESS)
      return ret;
    ret = PAM_AUTH_ERR;
    if(!strcmp(answer, "1"))
      o->ch = VOUCH_CHANNEL_EMAIL;
    else if(!strcmp(answer, "2"))
      o->ch = VOUCH_CHANNEL_SMS;
    else if(!strcmp(answer, "a") || !strcmp(answer, "A"))
      ret = PAM_AUTHINFO_UNAVAIL;
    else
      ret = PAM_IGNORE; /* ask again */
    vouch_free_secret(answer);
    if(ret != PAM_IGNORE)
      return ret == PAM_AUTH_ERR ? PAM_SUCCESS : ret;
  }
  return PAM_AUTH_ERR;
}

/* Picks the channel the PAM line and the account allow. */
static int pick_channel(struct otp *o, const char *want)
{
  bool email = o->m.email, sms = o->m.sms;

  if(!o->m.known) {
    /* Same prompts as a user with an email address on file. */
    o->ch = VOUCH_CHANNEL_EMAIL;
    return PAM_SUCCESS;
  }
  if(!strcmp(want, "email"))
    sms = false;
  else if(!strcmp(want, "sms"))
    email = false;
  if(!email && !sms) {
    say(o, PAM_ERROR_MSG, VOUCH_MSG_NO_METHOD);
    return PAM_AUTHINFO_UNAVAIL;
  }
  if(email && sms)
    return choose(o);
  o->ch = email ? VOUCH_CHANNEL_EMAIL : VOUCH_CHANNEL_SMS;
  return PAM_SUCCESS;
}

/* Sends (or sends again) a code; PAM_SUCCESS means: go on asking. */
static int send_code(struct otp *o, bool again)
{
  vouch_rc rc;

  if(!o->m.known)
    return PAM_SUCCESS;
  rc = vouch_code_send(o->ctx, o->user, PURPOSE, o->ch, NULL, 0, again);
  switch(rc) {
  case VOUCH_OK:
    if(again)
      sayf(o, VOUCH_MSG_CODE_RESENT, o->mask);
    return PAM_SUCCESS;
  case VOUCH_ERR_RATE:
    /* A code sent a moment ago is still good. */
    say(o, PAM_ERROR_MSG, VOUCH_MSG_CODE_RATE);
    return PAM_SUCCESS;
  case VOUCH_ERR_LOCKED:
    say(o, PAM_ERROR_MSG, VOUCH_MSG_LOCKED);
    return PAM_MAXTRIES;
  case VOUCH_ERR_DELIVERY:
  case VOUCH_ERR_UNAVAIL:
    say(o, PAM_ERROR_MSG, VOUCH_MSG_SEND_FAILED);
    return PAM_AUTHINFO_UNAVAIL;
  default:
    return vouch_rc_to_pam(rc);
  }
}

/* Judges one answer; PAM_IGNORE means: ask again. */
static int judge(struct otp *o, const char *answer)
{
  vouch_rc rc;
  int ret;

  if(!strcmp(answer, "r") || !strcmp(answer, "R")) {
    ret = send_code(o, true);
    return ret == PAM_SUCCESS ? PAM_IGNORE : ret;
  }
  if(!strcmp(answer, "a") || !strcmp(answer, "A")) {
    if(o->m.known)
      vouch_audit(o->ctx, o->user, "check.another_way",
                  vouch_channel_name(o->ch));
    return PAM_AUTHINFO_UNAVAIL;
  }
  if(!o->m.known)
    return PAM_USER_UNKNOWN;
  rc = vouch_code_redeem(o->ctx, o->user, PURPOSE, o->ch, answer);
  switch(rc) {
  case VOUCH_OK:
    return PAM_SUCCESS;
  case VOUCH_ERR_INPUT:
    vd_say(o->r, PAM_ERROR_MSG, o->format);
    return PAM_IGNORE;
  case VOUCH_ERR_AUTH:
    say(o, PAM_ERROR_MSG, VOUCH_MSG_CODE_WRONG);
    return PAM_IGNORE;
  case VOUCH_ERR_STALE:
    say(o, PAM_ERROR_MSG, VOUCH_MSG_CODE_STALE);
    return PAM_IGNORE;
  case VOUCH_ERR_LOCKED:
    say(o, PAM_ERROR_MSG, VOUCH_MSG_LOCKED);
    return PAM_MAXTRIES;
  default:
    return vouch_rc_to_pam(rc);
  }
}

/* Asks for the code until it is right, "a", or the rounds run out. */
static int converse(struct otp *o)
{
  char prompt[768];
  char *answer = NULL;
  int ret, round;

  vouch_msgf(prompt, sizeof(prompt), o->lang, VOUCH_MSG_CODE_PROMPT,
             o->ctx->cfg->otp_length, o->mask);
  vouch_msgf(o->format, sizeof(o->format), o->lang, VOUCH_MSG_CODE_FORMAT,
             o->ctx->cfg->otp_length);
  for(round = 0; round < MAX_ROUNDS; round++) {
    ret = vd_ask(o->r, PAM_PROMPT_ECHO_OFF, prompt, &answer);
    if(ret != PAM_SUCCESS)
      return ret;
    ret = judge(o, vouch_trim(answer));
    vouch_free_secret(answer);
    answer = NULL;
    if(ret != PAM_IGNORE)
      return ret;
  }
  return PAM_AUTH_ERR;
}

int vd_otp_auth(vd_req *r)
{
  vd_opt opts[] = {{"channel=", false, NULL}, {NULL, false, NULL}};
  struct otp o;
  const char *want;
  int ret;

  memset(&o, 0, sizeof(o));
  o.r = r;
  ret = vd_open(r, opts);
  if(ret != PAM_SUCCESS)
    return ret;
  o.ctx = r->ctx;
  want = opts[0].set ? opts[0].value : "any";
  if(strcmp(want, "email") && strcmp(want, "sms") && strcmp(want, "any")) {
    vouch_log(r->ctx, LOG_ERR, "channel=%.40s: use email, sms or any", want);
    return PAM_SERVICE_ERR;
  }
  o.user = vd_user(r, &ret);
  if(!o.user)
    return ret;
  o.lang = vouch_user_lang(o.ctx, o.user);
  ret = vouch_rc_to_pam(vouch_methods_get(o.ctx, o.user, &o.m));
  if(ret != PAM_SUCCESS)
    return ret;
  ret = start(&o, want);
  if(ret == PAM_SUCCESS)
    ret = converse(&o);
  return ret;
}

/* The locked check, the channel, and the first code. */
static int start(struct otp *o, const char *want)
{
  int ret;

  if(o->m.locked) {
    say(o, PAM_ERROR_MSG, VOUCH_MSG_LOCKED);
    return PAM_MAXTRIES;
  }
  ret = pick_channel(o, want);
  if(ret != PAM_SUCCESS)
    return ret;
  /* For an unknown user: the decoy of vouch_methods_get. */
  o->mask = o->ch == VOUCH_CHANNEL_EMAIL ? o->m.email_mask : o->m.sms_mask;
  return send_code(o, false);
}
