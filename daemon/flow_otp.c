/*
 * flow_otp.c - pam_vouch_otp's request: the security check by a one-time
 * code sent by email or SMS.  At the code prompt "r" sends the code
 * again; "a" tries another way: with channel=any the member is offered
 * the other ways open to them (email, SMS, the card number on file) and
 * switches within the module; PAM_AUTHINFO_UNAVAIL (the next line of the
 * stack runs) comes only when none is left, or without channel=any.
 * Codes, limits and lockout are in core/challenge.c.
 *
 * A name vouch does not know meets the same conversation (decoy.c): the
 * same prompts, messages, rounds and answers to "r" and "a".
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "vouchd.h"

#define PURPOSE "check"
/* Answers one conversation may give before it ends: wrong codes end
 * earlier through the code's attempt limit and the lockout. */
#define MAX_ROUNDS 20

/* The ways of a check, as bits of struct otp's used. */
#define WAY_EMAIL 1u
#define WAY_SMS 2u
#define WAY_CARD 4u

struct otp {
  vd_req *r;
  vouch_ctx *ctx;
  const char *user;
  const char *lang;
  vouch_methods m;
  bool any;      /* channel=any: "a" offers the other ways */
  unsigned used; /* the ways tried in this conversation */
  vouch_channel ch;
  const char *mask;
  char format[256]; /* what a well-formed answer looks like */
  vd_decoy decoy;   /* an unknown name's conversation */
};

static void say(struct otp *o, int style, vouch_msg_id id)
{
  vd_say(o->r, style, vouch_msg(o->lang, id));
}

static void sayf(struct otp *o, vouch_msg_id id, const char *arg)
{
  char msg[512];

  vouch_msgf(msg, sizeof(msg), o->lang, id, arg);
  vd_say(o->r, PAM_TEXT_INFO, msg);
}

static unsigned open_ways(const struct otp *o)
{
  return (o->m.email ? WAY_EMAIL : 0) | (o->m.sms ? WAY_SMS : 0) |
         (o->m.card ? WAY_CARD : 0);
}

/* A numbered choice among ways (bits); *way is the one picked, 0 for
 * "a".  Anything else is answered and asked again, three times. */
static int choose(struct otp *o, vouch_msg_id prompt_id, unsigned ways,
                  unsigned *way)
{
  static const unsigned order[] = {WAY_EMAIL, WAY_SMS, WAY_CARD};
  char list[640], item[192], prompt[1024];
  unsigned shown[3], n = 0, i;
  char *answer = NULL;
  size_t len = 0;
  int ret, round;

  list[0] = '\0';
  for(i = 0; i < 3; i++) {
    if(!(ways & order[i]))
      continue;
    if(order[i] == WAY_EMAIL)
      vouch_msgf(item, sizeof(item), o->lang, VOUCH_MSG_CHANNEL_EMAIL,
                 o->m.email_mask);
    else if(order[i] == WAY_SMS)
      vouch_msgf(item, sizeof(item), o->lang, VOUCH_MSG_CHANNEL_SMS,
                 o->m.sms_mask);
    else
      vouch_msgf(item, sizeof(item), o->lang, VOUCH_MSG_WAY_CARD,
                 o->m.card_last4);
    shown[n++] = order[i];
    len +=
        (size_t)snprintf(list + len, sizeof(list) - len, "%u = %s, ", n, item);
    if(len >= sizeof(list))
      return PAM_BUF_ERR;
  }
  snprintf(list + len, sizeof(list) - len, "a = %s",
           vouch_msg(o->lang, VOUCH_MSG_TRY_ANOTHER));
  vouch_msgf(prompt, sizeof(prompt), o->lang, prompt_id, list);
  for(round = 0; round < 3; round++) {
    ret = vd_ask(o->r, PAM_PROMPT_ECHO_ON, prompt, &answer);
    if(ret != PAM_SUCCESS)
      return ret;
    vouch_trim(answer);
    *way = 0;
    for(i = 0; i < n; i++)
      if(answer[0] == (char)('1' + i) && !answer[1])
        *way = shown[i];
    ret = *way || !strcmp(answer, "a") || !strcmp(answer, "A");
    vouch_free_secret(answer);
    if(ret)
      return PAM_SUCCESS;
    say(o, PAM_ERROR_MSG, VOUCH_MSG_CHOICE_INVALID);
  }
  return PAM_AUTH_ERR;
}

/* "a": the other ways open (channel=any), else the next stack line. */
static int another_way(struct otp *o, unsigned *way)
{
  unsigned left = open_ways(o) & ~o->used;
  int ret;

  *way = 0;
  if(!o->any || !left)
    return PAM_AUTHINFO_UNAVAIL;
  ret = choose(o, VOUCH_MSG_WAYS_PROMPT, left, way);
  if(ret == PAM_SUCCESS && !*way)
    ret = PAM_AUTHINFO_UNAVAIL;
  return ret;
}

/* Sends (or sends again) a code; PAM_SUCCESS means: go on asking. */
static int send_code(struct otp *o, bool again)
{
  vouch_rc rc;

  if(!o->m.known)
    rc = vd_decoy_send(&o->decoy, o->ctx, again);
  else
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
    rc = vd_decoy_code(&o->decoy, o->ctx, answer);
  else
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

/* Sends the first code on o->ch and asks for it until it is right, "a",
 * or the rounds run out. */
static int by_code(struct otp *o)
{
  char prompt[768];
  char *answer = NULL;
  int ret, round;

  o->used |= o->ch == VOUCH_CHANNEL_EMAIL ? WAY_EMAIL : WAY_SMS;
  o->mask = o->ch == VOUCH_CHANNEL_EMAIL ? o->m.email_mask : o->m.sms_mask;
  ret = send_code(o, false);
  if(ret != PAM_SUCCESS)
    return ret;
  vouch_msgf(prompt, sizeof(prompt), o->lang, VOUCH_MSG_CODE_PROMPT,
             o->ctx->cfg->otp_length, o->mask);
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

/* The first way: the one the PAM line and the account allow. */
static int first_way(struct otp *o, const char *want, unsigned *way)
{
  bool email = o->m.email, sms = o->m.sms;

  *way = 0;
  if(!strcmp(want, "email"))
    sms = false;
  else if(!strcmp(want, "sms"))
    email = false;
  if(!email && !sms) {
    say(o, PAM_ERROR_MSG, VOUCH_MSG_NO_METHOD);
    if(!o->any || !o->m.card)
      return PAM_AUTHINFO_UNAVAIL;
    *way = WAY_CARD; /* the one way left: the card number */
    return PAM_SUCCESS;
  }
  if(email && sms) {
    int ret = choose(o, VOUCH_MSG_CHANNEL_PROMPT, WAY_EMAIL | WAY_SMS, way);
    if(ret == PAM_SUCCESS && !*way) {
      o->used |= WAY_EMAIL | WAY_SMS; /* declined both */
      ret = another_way(o, way);
    }
    return ret;
  }
  *way = email ? WAY_EMAIL : WAY_SMS;
  return PAM_SUCCESS;
}

/* Runs the ways the member picks until one decides. */
static int check(struct otp *o, const char *want)
{
  unsigned way;
  int ret;

  if(o->m.locked) {
    say(o, PAM_ERROR_MSG, VOUCH_MSG_LOCKED);
    return PAM_MAXTRIES;
  }
  ret = first_way(o, want, &way);
  while(ret == PAM_SUCCESS && way) {
    if(way == WAY_CARD) {
      o->used |= WAY_CARD;
      ret = vd_card_converse(o->r, o->user, &o->m, &o->decoy);
    }
    else {
      o->ch = way == WAY_EMAIL ? VOUCH_CHANNEL_EMAIL : VOUCH_CHANNEL_SMS;
      ret = by_code(o);
    }
    if(ret != PAM_AUTHINFO_UNAVAIL || o->r->gone)
      return ret;
    ret = another_way(o, &way);
  }
  return ret;
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
  o.any = !strcmp(want, "any");
  o.user = vd_user(r, &ret);
  if(!o.user)
    return ret;
  if(vd_nonmember(r, o.user))
    return PAM_IGNORE;
  o.lang = vouch_user_lang(o.ctx, o.user);
  ret = vouch_rc_to_pam(vouch_methods_get(o.ctx, o.user, &o.m));
  if(ret != PAM_SUCCESS)
    return ret;
  vouch_msgf(o.format, sizeof(o.format), o.lang, VOUCH_MSG_CODE_FORMAT,
             o.ctx->cfg->otp_length);
  return check(&o, want);
}
