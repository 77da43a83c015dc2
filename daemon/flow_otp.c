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
#include <time.h>

#include "vouchd.h"

/* A sign-in's code says so ("Your sign-in code"); vouch-account's check
 * comes before an account change ("Confirm account change"). */
#define PURPOSE_SIGNIN "signin"
#define PURPOSE_CHANGE "check"
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
  const char *purpose;
  vouch_methods m;
  bool any;      /* channel=any: "a" offers the other ways */
  unsigned used; /* the ways tried in this conversation */
  vouch_channel ch;
  const char *mask;
  char format[256]; /* what a well-formed answer looks like */
  char prompt[768]; /* the code prompt: what was sent, and when */
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

/* Whether "a" leads anywhere besides the ways in listed: a way of this
 * module not yet tried (channel=any), or the next line of the stack
 * (without channel=any the module cannot know it; the SPEC sends "a"
 * there). */
static bool another_left(const struct otp *o, unsigned listed)
{
  return !o->any || (open_ways(o) & ~(o->used | listed)) != 0;
}

/* A time of day as the member reads it, "14:02" (the host's zone). */
static void hhmm(time_t t, char *buf, size_t len)
{
  struct tm tm;

  if(!localtime_r(&t, &tm) || !strftime(buf, len, "%H:%M", &tm))
    snprintf(buf, len, "--:--");
}

/* A numbered choice among ways (bits); *way is the one picked, 0 for
 * "a".  Anything else is answered and asked again, three times. */
static int choose(struct otp *o, vouch_msg_id prompt_id, unsigned ways,
                  unsigned *way)
{
  static const unsigned order[] = {WAY_EMAIL, WAY_SMS, WAY_CARD};
  char list[640], item[192], prompt[1024], again[1280];
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
  if(another_left(o, ways))
    snprintf(list + len, sizeof(list) - len, "a = %s",
             vouch_msg(o->lang, VOUCH_MSG_TRY_ANOTHER));
  else
    list[len - 2] = '\0'; /* no ", " after the last way */
  vouch_msgf(prompt, sizeof(prompt), o->lang, prompt_id, list);
  for(round = 0; round < 3; round++) {
    ret = vd_ask(o->r, PAM_PROMPT_ECHO_ON, round ? again : prompt, &answer);
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
    /* Said in the prompt itself: messages alone get lost over SSH. */
    snprintf(again, sizeof(again), "%s %s",
             vouch_msg(o->lang, VOUCH_MSG_CHOICE_INVALID), prompt);
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

/* The code prompt: the code just sent, or the one re-offered. */
static void set_prompt(struct otp *o, const vouch_code_info *info)
{
  bool a = another_left(o, 0);
  char at[16];

  if(info->reoffered) {
    hhmm(info->sent, at, sizeof(at));
    vouch_msgf(o->prompt, sizeof(o->prompt), o->lang,
               a ? VOUCH_MSG_CODE_REOFFER : VOUCH_MSG_CODE_REOFFER_ONLY,
               o->mask, at);
  }
  else
    vouch_msgf(o->prompt, sizeof(o->prompt), o->lang,
               a ? VOUCH_MSG_CODE_PROMPT : VOUCH_MSG_CODE_PROMPT_ONLY,
               o->ctx->cfg->otp_length, o->mask);
  vouch_msgf(o->format, sizeof(o->format), o->lang,
             a ? VOUCH_MSG_CODE_FORMAT : VOUCH_MSG_CODE_FORMAT_ONLY,
             o->ctx->cfg->otp_length);
}

/* No new code now.  An hourly cap says when; with no code left to enter
 * the member goes on to the other ways (PAM_AUTHINFO_UNAVAIL). */
static int refused(struct otp *o, bool again, const vouch_code_info *info)
{
  char at[16], msg[512];

  if(!info->retry) {
    /* The resend interval: a code sent a moment ago is still good. */
    say(o, PAM_ERROR_MSG, VOUCH_MSG_CODE_RATE);
    return again ? PAM_SUCCESS : PAM_AUTHINFO_UNAVAIL;
  }
  hhmm(info->retry, at, sizeof(at));
  vouch_msgf(msg, sizeof(msg), o->lang, VOUCH_MSG_CODE_CAPPED, at);
  vd_say(o->r, PAM_ERROR_MSG, msg);
  return again && info->sent ? PAM_SUCCESS : PAM_AUTHINFO_UNAVAIL;
}

/* Sends (or sends again) a code, or offers again the one still out;
 * PAM_SUCCESS means: go on asking. */
static int send_code(struct otp *o, bool again)
{
  vouch_code_info info;
  long long t0;
  vouch_rc rc;

  memset(&info, 0, sizeof(info));
  if(!o->m.known)
    rc = vd_decoy_send(&o->decoy, o->ctx, o->ch, again, &info);
  else {
    t0 = vd_mono_ms();
    rc = vouch_code_request(o->ctx, o->user, o->purpose, o->ch, again, &info);
    vd_decoy_pace(!rc && !info.reoffered, vd_mono_ms() - t0);
  }
  switch(rc) {
  case VOUCH_OK:
    if(again)
      sayf(o, VOUCH_MSG_CODE_RESENT, o->mask);
    set_prompt(o, &info);
    return PAM_SUCCESS;
  case VOUCH_ERR_RATE:
    return refused(o, again, &info);
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
    rc = vd_decoy_code(&o->decoy, o->ctx, o->ch, answer);
  else
    rc = vouch_code_redeem(o->ctx, o->user, o->purpose, o->ch, answer);
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
  char *answer = NULL;
  int ret, round;

  o->used |= o->ch == VOUCH_CHANNEL_EMAIL ? WAY_EMAIL : WAY_SMS;
  o->mask = o->ch == VOUCH_CHANNEL_EMAIL ? o->m.email_mask : o->m.sms_mask;
  ret = send_code(o, false);
  if(ret != PAM_SUCCESS)
    return ret;
  for(round = 0; round < MAX_ROUNDS; round++) {
    ret = vd_ask(o->r, PAM_PROMPT_ECHO_OFF, o->prompt, &answer);
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

  if(o->m.locked || (!o->m.known && vd_decoy_locked(o->user))) {
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
  vd_decoy_init(&o.decoy, o.user);
  ret = vouch_rc_to_pam(vouch_methods_get(o.ctx, o.user, &o.m));
  if(ret != PAM_SUCCESS)
    return ret;
  o.purpose = r->local ? PURPOSE_CHANGE : PURPOSE_SIGNIN;
  return check(&o, want);
}
