/*
 * web_tv.c - the web operations of vouch-web's TV pages (/tv): a member
 * signs in with name and password, passes the security check (a code by
 * email or SMS, with "send again" and "try another way", or the card
 * number on file), then approves or refuses the sign-in code a device
 * shows (pam_vouch_device).  Every answer counts exactly as the same
 * answer at a PAM prompt: a wrong password as at pam_vouch_password, a
 * wrong code or card number as at pam_vouch_otp and pam_vouch_card (one
 * failed security check each, the same lockout).
 *
 * HTTP holds no state, so the steps are tied together by tokens (only
 * their keyed hashes are stored): "tv-check" once the password was
 * right, good for the steps of the check within [device] code_ttl;
 * "tv-ok" once the check was passed, used up by the decision (a device
 * code that no TV shows gets a new one with what was left of its time).
 * The page carries the token in a hidden field.  A new password and a
 * sign-out everywhere end both; every step looks at the account again
 * (locked, reset required, membership ended).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vouchd.h"

#define TV_CHECK VOUCH_TOKEN_TV_CHECK
#define TV_OK VOUCH_TOKEN_TV_OK
#define TV_OK_TTL 300 /* seconds to approve once the check was passed */

/* The ways open to the member, as the page names them. */
static void ways_of(const vouch_methods *m, char *out, size_t len)
{
  snprintf(out, len, "%s%s%s", m->email ? "email," : "", m->sms ? "sms," : "",
           m->card ? "card," : "");
  if(*out)
    out[strlen(out) - 1] = '\0';
}

static bool way_open(const vouch_methods *m, const char *way)
{
  return (!strcmp(way, "email") && m->email) ||
         (!strcmp(way, "sms") && m->sms) || (!strcmp(way, "card") && m->card);
}

/* The account may still sign a device in: NULL, else the status to
 * answer (as at the account phase of pam_vouch_password). */
static const char *standing(vd_req *r, const char *user)
{
  switch(vouch_account_check(r->ctx, user, NULL)) {
  case VOUCH_OK:
    return NULL;
  case VOUCH_ERR_LOCKED:
    return "islocked";
  case VOUCH_ERR_RESET_REQUIRED:
    return "resetreq";
  case VOUCH_ERR_EXPIRED:
    return "ended";
  case VOUCH_ERR_NO_USER:
    return "stale";
  default:
    return "error";
  }
}

/* A step of the check is done: its page.  note says what just happened
 * ("sent", "reoffered", "resent", "wait", "capped", "sendfail", "wrong",
 * "badcode", "codestale", "badcard", ""). */
static void check_page(vd_req *r, const char *user, const char *flow,
                       const vouch_methods *m, const char *way,
                       const char *note)
{
  char ways[32], len[8];
  const char *mask = !strcmp(way, "email") ? m->email_mask
                     : !strcmp(way, "sms") ? m->sms_mask
                                           : m->card_last4;

  ways_of(m, ways, sizeof(ways));
  snprintf(len, sizeof(len), "%u", r->ctx->cfg->otp_length);
  vd_web_reply(r, "check", "flow", flow, "way", way, "mask", mask, "ways",
               ways, "note", note, "len", len, "lang",
               vouch_user_lang(r->ctx, user), NULL);
}

/* A code on way (email or sms) for the check: sent, sent again, or the
 * one still out offered again; the note for the page, or NULL when the
 * account got locked. */
static const char *send_code(vd_req *r, const char *user, const char *way,
                             bool again)
{
  vouch_channel ch =
      !strcmp(way, "sms") ? VOUCH_CHANNEL_SMS : VOUCH_CHANNEL_EMAIL;
  vouch_code_info info;
  vouch_rc rc;

  memset(&info, 0, sizeof(info));
  rc = vouch_code_request(r->ctx, user, "check", ch, again, &info);
  switch(rc) {
  case VOUCH_OK:
    return info.reoffered ? "reoffered" : again ? "resent" : "sent";
  case VOUCH_ERR_RATE:
    return info.retry ? "capped" : "wait";
  case VOUCH_ERR_LOCKED:
    return NULL;
  default:
    return "sendfail";
  }
}

/* Sign-in passed: the first way open (email, then SMS, then the card)
 * that can be used now (a way whose code cannot be sent is passed over
 * while another is left), a code on it, and the token of the check. */
static void start_check(vd_req *r, const char *user)
{
  static const char *const order[] = {"email", "sms", "card"};
  char flow[VOUCH_TOKEN_CHARS + 1];
  const char *way = NULL, *note = "", *first = NULL, *first_note = "";
  vouch_methods m;
  size_t i;

  if(vouch_methods_get(r->ctx, user, &m)) {
    vd_web_reply(r, "error", NULL);
    return;
  }
  for(i = 0; i < sizeof(order) / sizeof(order[0]) && !way; i++) {
    if(!way_open(&m, order[i]))
      continue;
    note = strcmp(order[i], "card") ? send_code(r, user, order[i], false) : "";
    if(!note) {
      vd_web_reply(r, "islocked", "lang", vouch_user_lang(r->ctx, user), NULL);
      return;
    }
    if(!first) {
      first = order[i];
      first_note = note;
    }
    if(strcmp(note, "capped") && strcmp(note, "sendfail"))
      way = order[i];
  }
  if(!first) {
    vouch_audit(r->ctx, user, "check.no_way", "tv");
    vd_web_reply(r, "noway", "lang", vouch_user_lang(r->ctx, user), NULL);
    return;
  }
  if(!way) {
    way = first;
    note = first_note;
  }
  if(vouch_token_issue(r->ctx, user, TV_CHECK, r->ctx->cfg->device_code_ttl,
                       flow)) {
    vd_web_reply(r, "error", NULL);
    return;
  }
  check_page(r, user, flow, &m, way, note);
  vouch_wipe(flow, sizeof(flow));
}

/* tv.signin CODE USER PASSWORD: the device's code (its shape only: it is
 * decided at the end), then the password as at pam_vouch_password auth
 * and the account as at its account phase.  An unknown name answers as a
 * wrong password, after the same work; so does a locked account (the
 * page says what to do then): on the open web, a lockout anyone can
 * cause must not tell members from other names. */
static void tv_signin(vd_req *r, const char *code, const char *user,
                      const char *pw)
{
  char norm[VOUCH_DEVICE_CODE_CHARS + 1];
  const char *lang;
  vouch_rc rc;

  rc = vouch_device_code_parse(code, norm, sizeof(norm));
  vouch_wipe(norm, sizeof(norm));
  if(rc) {
    vd_web_reply(r, "badcode", NULL);
    return;
  }
  rc = vouch_password_check(r->ctx, user, pw);
  if(rc == VOUCH_OK)
    rc = vouch_account_check(r->ctx, user, NULL);
  lang = rc == VOUCH_OK || rc == VOUCH_ERR_RESET_REQUIRED ||
                 rc == VOUCH_ERR_EXPIRED
             ? vouch_user_lang(r->ctx, user)
             : "";
  switch(rc) {
  case VOUCH_OK:
    start_check(r, user);
    return;
  case VOUCH_ERR_RESET_REQUIRED:
    vd_web_reply(r, "resetreq", "lang", lang, NULL);
    return;
  case VOUCH_ERR_EXPIRED:
    vd_web_reply(r, "ended", "lang", lang, NULL);
    return;
  case VOUCH_ERR_AUTH:
  case VOUCH_ERR_NO_USER:
  case VOUCH_ERR_INPUT:
  case VOUCH_ERR_LOCKED:
    vd_web_reply(r, "wrong", NULL);
    return;
  default:
    vd_web_reply(r, "error", NULL);
  }
}

/* The check is passed: its token is used up and the next one issued. */
static void passed(vd_req *r, const char *user, const char *flow)
{
  char ok[VOUCH_TOKEN_CHARS + 1];
  vouch_rc rc;

  rc = vouch_token_redeem(r->ctx, user, TV_CHECK, flow);
  if(rc == VOUCH_OK)
    rc = vouch_token_issue(r->ctx, user, TV_OK, TV_OK_TTL, ok);
  if(rc == VOUCH_OK)
    vd_web_reply(r, "passed", "flow", ok, "user", user, "lang",
                 vouch_user_lang(r->ctx, user), NULL);
  else
    vd_web_reply(r, vd_web_token_status(rc), NULL);
  vouch_wipe(ok, sizeof(ok));
}

/* The answer to a code or card number: NULL when the check is passed
 * (then answered), else the note for the check page, or "" after the
 * account got locked (answered). */
static const char *judge(vd_req *r, const char *user, const char *way,
                         const char *answer)
{
  vouch_rc rc;

  if(!strcmp(way, "card"))
    rc = vouch_card_check(r->ctx, user, answer);
  else
    rc = vouch_code_redeem(
        r->ctx, user, "check",
        !strcmp(way, "sms") ? VOUCH_CHANNEL_SMS : VOUCH_CHANNEL_EMAIL, answer);
  switch(rc) {
  case VOUCH_OK:
    return NULL;
  case VOUCH_ERR_AUTH:
    return "wrong";
  case VOUCH_ERR_INPUT:
    return strcmp(way, "card") ? "badcode" : "badcard";
  case VOUCH_ERR_STALE:
    return "codestale";
  case VOUCH_ERR_LOCKED:
    vd_web_reply(r, "locked", "lang", vouch_user_lang(r->ctx, user), NULL);
    return "";
  default:
    vd_web_reply(r, "error", NULL);
    return "";
  }
}

/* tv.check FLOW WAY ACTION ANSWER: one step of the security check.
 * ACTION "answer" (ANSWER: the code, or the card number when WAY is
 * card), "resend" (a new code on WAY) or "way" (switch to WAY: a code is
 * sent there, or the card number is asked). */
static void tv_check(vd_req *r, const char *flow, const char *way,
                     const char *action, const char *answer)
{
  const char *note = "", *st;
  char user[64];
  vouch_methods m;
  vouch_rc rc;

  rc = vouch_token_owner(r->ctx, TV_CHECK, flow, user, sizeof(user));
  if(rc) {
    vd_web_reply(r, vd_web_token_status(rc), NULL);
    return;
  }
  if((st = standing(r, user)) != NULL) {
    vd_web_reply(r, st, "lang", vouch_user_lang(r->ctx, user), NULL);
    return;
  }
  if(vouch_methods_get(r->ctx, user, &m)) {
    vd_web_reply(r, "error", NULL);
    return;
  }
  if(!way_open(&m, way)) {
    vd_web_reply(r, "badway", NULL);
    return;
  }
  if(!strcmp(action, "answer")) {
    note = judge(r, user, way, answer);
    if(!note) {
      passed(r, user, flow);
      return;
    }
    if(!*note)
      return;
  }
  else if(!strcmp(action, "resend") && strcmp(way, "card")) {
    if(!(note = send_code(r, user, way, true))) {
      vd_web_reply(r, "islocked", "lang", vouch_user_lang(r->ctx, user), NULL);
      return;
    }
  }
  else if(!strcmp(action, "way")) {
    vouch_audit(r->ctx, user, "check.another_way", way);
    if(strcmp(way, "card") && !(note = send_code(r, user, way, false))) {
      vd_web_reply(r, "islocked", "lang", vouch_user_lang(r->ctx, user), NULL);
      return;
    }
  }
  else {
    vd_web_reply(r, "badway", NULL);
    return;
  }
  check_page(r, user, flow, &m, way, note);
}

/* tv.decide FLOW CODE approve|deny: the member who passed the check
 * approves or refuses the device showing CODE, as "vouch-account
 * approve" does, while the account may still sign in.  The token is
 * used up first; a code that is not waiting gets a new token for what
 * was left of the old one's time, so that the member may type it
 * again. */
static void tv_decide(vd_req *r, const char *flow, const char *code,
                      const char *decision)
{
  char user[64], again[VOUCH_TOKEN_CHARS + 1];
  bool approve = !strcmp(decision, "approve");
  time_t expires = 0, now;
  const char *lang, *st;
  vouch_rc rc;

  if(!approve && strcmp(decision, "deny")) {
    vd_web_reply(r, "error", NULL);
    return;
  }
  rc = vouch_token_owner_until(r->ctx, TV_OK, flow, user, sizeof(user),
                               &expires);
  if(!rc)
    rc = vouch_token_redeem(r->ctx, user, TV_OK, flow);
  if(rc) {
    vd_web_reply(r, vd_web_token_status(rc), NULL);
    return;
  }
  lang = vouch_user_lang(r->ctx, user);
  if(approve && (st = standing(r, user)) != NULL) {
    vd_web_reply(r, st, "lang", lang, NULL);
    return;
  }
  rc = vouch_device_decide(r->ctx, user, code, approve);
  if(rc == VOUCH_OK) {
    vd_web_reply(r, approve ? "approved" : "denied", "user", user, "lang",
                 lang, NULL);
    return;
  }
  if(rc == VOUCH_ERR_RATE) {
    vd_web_reply(r, "rate", "lang", lang, NULL);
    return;
  }
  now = time(NULL);
  if(rc != VOUCH_ERR_AUTH && rc != VOUCH_ERR_INPUT) {
    vd_web_reply(r, "error", "lang", lang, NULL);
    return;
  }
  if(expires <= now || vouch_token_issue(r->ctx, user, TV_OK,
                                         (unsigned)(expires - now), again)) {
    vd_web_reply(r, "stale", "lang", lang, NULL);
    return;
  }
  vd_web_reply(r, rc == VOUCH_ERR_AUTH ? "unknown" : "badcode", "flow", again,
               "user", user, "lang", lang, NULL);
  vouch_wipe(again, sizeof(again));
}

bool vd_web_tv(vd_req *r, const char *op, const char *const *a, unsigned n)
{
  if(!strcmp(op, "tv.signin") && n == 3)
    tv_signin(r, a[0], a[1], a[2]);
  else if(!strcmp(op, "tv.check") && n == 4)
    tv_check(r, a[0], a[1], a[2], a[3]);
  else if(!strcmp(op, "tv.decide") && n == 3)
    tv_decide(r, a[0], a[1], a[2]);
  else
    return false;
  return true;
}
