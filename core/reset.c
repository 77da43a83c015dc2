/*
 * reset.c - password reset: asking for one (a link by email or a code by
 * SMS), finishing it with the link's token or the code and a new
 * password, and recovering an account by full name and card number when
 * the person knows nothing else.
 *
 * A reset never logs anyone in: it sets the password, lifts a lockout,
 * signs every session out and tells the member by email.  The new
 * password is checked before the token or code is used, so that a refused
 * password does not use it up.
 *
 * Recovery must not tell who has an account: a miss gets the same
 * sentence as a hit, with a masked address derived from a keyed hash of
 * the name entered (the same every time), after the same time: the whole
 * call is padded on the monotonic clock to a multiple of
 * VOUCH_RECOVER_QUANTUM_MS (a frozen or moved wall clock changes
 * nothing).  That also slows down a guesser to one try per quantum and
 * process; every try is audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "vouch.h"
#include "store.h"

#define RECOVER_CANDIDATES 64 /* accounts of one full name looked at */
#define CARD_BUF 32

/* ---------------------------------------------------------------- helpers */

vouch_rc vouch_reset_proof_check(const vouch_ctx *ctx, const char *token,
                                 const char *code)
{
  if(!token == !code)
    return VOUCH_ERR_USAGE;
  if(token)
    return vouch_valid_token(token) ? VOUCH_OK : VOUCH_ERR_INPUT;
  return vouch_valid_code(code, ctx->cfg->otp_length) ? VOUCH_OK
                                                      : VOUCH_ERR_INPUT;
}

/* A reset token for user and the "Reset your password" email with its
 * link, to the address on file. */
static vouch_rc send_link(vouch_ctx *ctx, const char *user)
{
  char token[VOUCH_TOKEN_CHARS + 1] = "", hours[16];
  const char *pairs[5];
  char *link = NULL;
  vouch_rc rc;

  rc = vouch_token_issue(ctx, user, "reset", ctx->cfg->reset_link_ttl, token);
  if(rc)
    goto out;
  link = vouch_reset_link(ctx->cfg, token);
  if(!link) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  snprintf(hours, sizeof(hours), "%u",
           (ctx->cfg->reset_link_ttl + 3599) / 3600);
  pairs[0] = "link";
  pairs[1] = link;
  pairs[2] = "hours";
  pairs[3] = hours;
  pairs[4] = NULL;
  rc = vouch_notify(ctx, user, "reset-email", pairs);
out:
  vouch_wipe(token, sizeof(token));
  vouch_free_secret(link);
  return rc;
}

/* ---------------------------------------------------------------- request */

/* What request needs to know of user first: where the message goes. */
static vouch_rc request_dest(vouch_ctx *ctx, const char *user,
                             vouch_channel ch, char *masked, size_t len)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_user_get(st, user, &u);
  if(rc)
    goto out;
  if(ch == VOUCH_CHANNEL_EMAIL && u.email && *u.email)
    vouch_mask_email(u.email, masked, len);
  else if(ch == VOUCH_CHANNEL_SMS && u.phone && *u.phone && u.phone_verified)
    vouch_mask_phone(u.phone, masked, len);
  else
    rc = VOUCH_ERR_UNAVAIL;
out:
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_reset_request(vouch_ctx *ctx, const char *user,
                             vouch_channel ch, char *masked, size_t len)
{
  const char *via = ch == VOUCH_CHANNEL_SMS ? "via=sms" : "via=email";
  vouch_rc rc;

  if(!masked || len < 2 ||
     (ch != VOUCH_CHANNEL_EMAIL && ch != VOUCH_CHANNEL_SMS))
    return VOUCH_ERR_INPUT;
  masked[0] = '\0';
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = request_dest(ctx, user, ch, masked, len);
  if(rc == VOUCH_ERR_UNAVAIL)
    vouch_audit(ctx, user, "reset.unavailable", via);
  if(rc)
    return rc;
  if(ch == VOUCH_CHANNEL_EMAIL)
    rc = send_link(ctx, user);
  else
    rc = vouch_code_send(ctx, user, "reset", VOUCH_CHANNEL_SMS, NULL,
                         ctx->cfg->reset_sms_ttl, false);
  if(rc) {
    char detail[96];
    snprintf(detail, sizeof(detail), "%s %s", via, vouch_strerror(rc));
    vouch_audit(ctx, user, "reset.request_failed", detail);
    masked[0] = '\0';
    return rc;
  }
  return vouch_audit(ctx, user, "reset.requested", via);
}

/* --------------------------------------------------------------- complete */

/* Uses up the token or the code; a refusal is audited. */
static vouch_rc redeem_proof(vouch_ctx *ctx, const char *user,
                             const char *token, const char *code)
{
  char detail[96];
  vouch_rc rc;

  if(token)
    rc = vouch_token_redeem(ctx, user, "reset", token);
  else
    rc = vouch_code_redeem(ctx, user, "reset", VOUCH_CHANNEL_SMS, code);
  if(rc && rc != VOUCH_ERR_NO_USER) {
    snprintf(detail, sizeof(detail), "via=%s %s", token ? "token" : "code",
             vouch_strerror(rc));
    vouch_audit(ctx, user, "reset.refused", detail);
  }
  return rc;
}

/* Once the password is new, no other reset link or code of user may
 * work (the one of a lockout email, a second request). */
static vouch_rc retire_proofs(vouch_ctx *ctx, const char *user)
{
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_tokens_kill(st, user, "reset");
  if(!rc)
    rc = vouch_store_codes_kill(st, user, "reset");
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  return rc;
}

/* After the new password: the other proofs die, sign-out everywhere and
 * the email.  A missing address is not an error; a failed email is
 * logged (the change stands).  Returns the first failure of the rest. */
static vouch_rc after_change(vouch_ctx *ctx, const char *user,
                             vouch_reset_done *done)
{
  vouch_rc rc, nrc;

  rc = retire_proofs(ctx, user);
  if(rc)
    vouch_audit(ctx, user, "reset.retire_failed", vouch_strerror(rc));
  nrc = vouch_sessions_revoke(ctx, user, 0, &done->sessions);
  if(nrc) {
    done->sessions = 0;
    vouch_audit(ctx, user, "reset.logout_failed", vouch_strerror(nrc));
    rc = rc ? rc : nrc;
  }
  nrc = vouch_notify(ctx, user, "password-changed-email", NULL);
  done->notified = nrc == VOUCH_OK;
  if(nrc && nrc != VOUCH_ERR_UNAVAIL)
    vouch_log(ctx, LOG_WARNING,
              "the \"password changed\" email to %s could not be sent: %s",
              user, vouch_strerror(nrc));
  return rc;
}

vouch_rc vouch_reset_complete(vouch_ctx *ctx, const char *user,
                              const char *token, const char *code,
                              const char *pw, vouch_reset_done *done)
{
  char detail[64];
  vouch_rc rc;

  if(!done || !pw)
    return VOUCH_ERR_INPUT;
  memset(done, 0, sizeof(*done));
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_reset_proof_check(ctx, token, code);
  if(rc)
    return rc;
  /* Before the token: a refused password must not use it up. */
  rc = vouch_password_acceptable(ctx, user, pw);
  if(!rc)
    rc = redeem_proof(ctx, user, token, code);
  if(!rc)
    rc = vouch_password_set(ctx, user, pw, true);
  if(rc)
    return rc;
  done->changed = true;
  rc = after_change(ctx, user, done);
  snprintf(detail, sizeof(detail), "via=%s sessions=%u%s",
           token ? "token" : "code", done->sessions, rc ? " incomplete" : "");
  vouch_audit(ctx, user, "reset.completed", detail);
  return rc;
}

vouch_rc vouch_reset_token_user(vouch_ctx *ctx, const char *token, char *user,
                                size_t len)
{
  return vouch_token_owner(ctx, "reset", token, user, len);
}

/* ----------------------------------------------------------------- forgot */

/* who as a destination: an email address in lower case, or a phone
 * number without spaces, dashes and brackets. */
static vouch_rc forgot_dest(const char *who, char *out, size_t len,
                            bool *phone)
{
  size_t i, n = 0;

  if(!who || strlen(who) >= len)
    return VOUCH_ERR_INPUT;
  if(vouch_valid_email(who)) {
    for(i = 0; who[i]; i++)
      out[i] = (char)(who[i] >= 'A' && who[i] <= 'Z' ? who[i] + 32 : who[i]);
    out[i] = '\0';
    *phone = false;
    return VOUCH_OK;
  }
  for(i = 0; who[i]; i++)
    if(!strchr(" -().", who[i]))
      out[n++] = who[i];
  out[n] = '\0';
  *phone = true;
  return vouch_valid_phone(out) ? VOUCH_OK : VOUCH_ERR_INPUT;
}

/* The one account with the destination, into user (len bytes; "" for
 * none or several). */
static vouch_rc forgot_owner(vouch_ctx *ctx, const char *dest, bool phone,
                             char *user, size_t len)
{
  vouch_store *st;
  char **names = NULL;
  size_t n = 0;
  vouch_rc rc;

  user[0] = '\0';
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_users_by_contact(st, dest, phone, 2, &names, &n);
  if(!rc && n == 1 && strlen(names[0]) < len)
    snprintf(user, len, "%s", names[0]);
  vouch_store_free_list(names, n);
  return rc;
}

/* The decision on a forgot request: the account to send to, in user
 * ("" for none). */
static vouch_rc forgot_decide(vouch_ctx *ctx, const char *dest, bool phone,
                              char *user, size_t len)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  const char *via = phone ? "via=sms" : "via=email";
  const unsigned char *key;
  bool dest_ok = false, user_ok = false;
  vouch_store *st;
  vouch_rc rc;

  rc = forgot_owner(ctx, dest, phone, user, len);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  vouch_mac(key, mac, "forgot", dest, NULL);
  rc = vouch_store_forgot_take(st, mac, user[0] ? user : NULL, time(NULL),
                               3600, ctx->cfg->reset_max_per_hour, &dest_ok,
                               &user_ok);
  vouch_wipe(mac, sizeof(mac));
  if(rc)
    return rc;
  if(!dest_ok) {
    vouch_log(ctx, LOG_NOTICE,
              "forgot: too many requests for one "
              "destination (%s)",
              via);
    user[0] = '\0';
    return VOUCH_ERR_RATE;
  }
  /* An account's own limit answers as usual and sends nothing: a 429
   * here would tie an email address and a phone to one account. */
  if(user[0] && !user_ok) {
    vouch_audit(ctx, user, "reset.forgot_limited", via);
    user[0] = '\0';
  }
  else if(!user[0]) /* no account: syslog only, the store keeps no row */
    vouch_log(ctx, LOG_INFO, "forgot: no account has the destination (%s)",
              via);
  return VOUCH_OK;
}

vouch_rc vouch_reset_forgot(vouch_ctx *ctx, const char *who,
                            vouch_channel *channel, char *user, size_t len)
{
  char dest[256];
  bool phone = false;
  vouch_rc rc;

  if(!channel || !user || !len)
    return VOUCH_ERR_USAGE;
  user[0] = '\0';
  rc = forgot_dest(who, dest, sizeof(dest), &phone);
  if(rc)
    return rc;
  *channel = phone ? VOUCH_CHANNEL_SMS : VOUCH_CHANNEL_EMAIL;
  return forgot_decide(ctx, dest, phone, user, len);
}

vouch_rc vouch_reset_forgot_complete(vouch_ctx *ctx, const char *who,
                                     const char *code, const char *pw,
                                     vouch_reset_done *done)
{
  char dest[256], user[64];
  bool phone = false;
  vouch_rc rc;

  if(!done || !pw)
    return VOUCH_ERR_INPUT;
  memset(done, 0, sizeof(*done));
  rc = forgot_dest(who, dest, sizeof(dest), &phone);
  if(!rc && !phone)
    rc = VOUCH_ERR_INPUT;
  if(!rc)
    rc = vouch_reset_proof_check(ctx, NULL, code);
  /* What needs no account, alike for every number. */
  if(!rc)
    rc = vouch_password_shape(ctx, pw);
  if(!rc)
    rc = forgot_owner(ctx, dest, true, user, sizeof(user));
  if(rc)
    return rc;
  if(!user[0]) {
    vouch_log(ctx, LOG_INFO, "forgot: a code for a number no account has");
    return VOUCH_ERR_AUTH;
  }
  /* The code first: without it nothing about the account (its previous
   * passwords) is looked at, and no password is hashed.  A wrong code
   * counts on the code, not on the account: a stranger knows the number
   * only. */
  rc =
      vouch_code_redeem_untrusted(ctx, user, "reset", VOUCH_CHANNEL_SMS, code);
  if(rc == VOUCH_ERR_STALE || rc == VOUCH_ERR_LOCKED || rc == VOUCH_ERR_INPUT)
    rc = VOUCH_ERR_AUTH;
  if(!rc)
    rc = vouch_password_set(ctx, user, pw, true);
  if(!rc) {
    done->changed = true;
    rc = after_change(ctx, user, done);
    vouch_audit(ctx, user, "reset.completed", "via=web code");
  }
  else if(rc != VOUCH_ERR_AUTH)
    vouch_audit(ctx, user, "reset.refused", vouch_strerror(rc));
  return rc;
}

/* ---------------------------------------------------------------- recover */

/* Nanoseconds from a to b. */
static long long ns_between(const struct timespec *a, const struct timespec *b)
{
  return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL +
         (b->tv_nsec - a->tv_nsec);
}

/* Waits until the time since start is a whole, non-zero number of
 * quanta, on the monotonic clock.  Relative sleeps, checked against the
 * clock each time: an absolute clock_nanosleep is rewritten by
 * libfaketime, relative ones are left alone. */
static void pad_time(const struct timespec *start)
{
  const long long q = (long long)VOUCH_RECOVER_QUANTUM_MS * 1000000LL;
  struct timespec now, nap;
  long long spent, target, left;
  int i;

  if(clock_gettime(CLOCK_MONOTONIC, &now))
    return;
  spent = ns_between(start, &now);
  target = spent <= 0 ? q : ((spent + q - 1) / q) * q;
  for(i = 0; i < 1000; i++) {
    if(clock_gettime(CLOCK_MONOTONIC, &now))
      return;
    left = target - ns_between(start, &now);
    if(left <= 0)
      return;
    nap.tv_sec = (time_t)(left / 1000000000LL);
    nap.tv_nsec = (long)(left % 1000000000LL);
    nanosleep(&nap, NULL);
  }
}

/* The one account among names whose card on file is card, in *match
 * (NULL when none or several).  Wrong cards are audited, not counted: a
 * stranger must not be able to lock an account by its owner's name. */
static vouch_rc find_match(vouch_ctx *ctx, char **names, size_t n,
                           const char *card, const char **match)
{
  size_t i, hits = 0;
  vouch_rc rc;

  *match = NULL;
  for(i = 0; i < n; i++) {
    rc = vouch_card_matches(ctx, names[i], card);
    if(rc == VOUCH_OK) {
      hits++;
      *match = names[i];
    }
    else if(rc == VOUCH_ERR_AUTH || rc == VOUCH_ERR_UNAVAIL)
      vouch_audit(ctx, names[i], "reset.recover_refused",
                  rc == VOUCH_ERR_AUTH ? "card does not match"
                                       : "no card on file");
    else
      return rc;
  }
  if(hits > 1) {
    *match = NULL;
    vouch_audit(ctx, NULL, "reset.recover_refused",
                "name and card match several accounts");
  }
  return VOUCH_OK;
}

/* The part of recovery between the input checks and the padding. */
static vouch_rc recover_run(vouch_ctx *ctx, const char *full_name,
                            const char *card, char *masked, size_t len)
{
  char **names = NULL;
  const char *match = NULL;
  vouch_user u = {0};
  vouch_store *st;
  size_t n = 0;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_users_by_fullname(st, full_name, RECOVER_CANDIDATES,
                                       &names, &n);
  if(!rc)
    rc = find_match(ctx, names, n, card, &match);
  if(!rc && match)
    rc = vouch_store_user_get(st, match, &u);
  if(rc)
    goto out;
  if(match && u.email && *u.email) {
    rc = send_link(ctx, match);
    if(!rc) {
      vouch_mask_email(u.email, masked, len);
      rc = vouch_audit(ctx, match, "reset.recover", "link sent");
    }
    else
      vouch_audit(ctx, match, "reset.recover_failed", vouch_strerror(rc));
    goto out;
  }
  if(match)
    vouch_audit(ctx, match, "reset.recover_refused", "no email on file");
  else
    vouch_audit(ctx, NULL, "reset.recover_refused", "no matching account");
  rc = vouch_decoy_email(ctx, "recover-decoy", full_name, masked, len);
out:
  vouch_store_free_list(names, n);
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_reset_recover(vouch_ctx *ctx, const char *full_name,
                             const char *card, char *masked, size_t len)
{
  char digits[CARD_BUF];
  struct timespec start;
  vouch_rc rc;

  if(!masked || len < 2)
    return VOUCH_ERR_INPUT;
  masked[0] = '\0';
  if(!vouch_valid_fullname(full_name))
    return VOUCH_ERR_INPUT;
  rc = vouch_card_parse(card, digits, sizeof(digits), NULL);
  vouch_wipe(digits, sizeof(digits));
  if(rc)
    return rc;
  if(clock_gettime(CLOCK_MONOTONIC, &start))
    return VOUCH_ERR_SYSTEM;
  rc = recover_run(ctx, full_name, card, masked, len);
  if(rc)
    masked[0] = '\0';
  pad_time(&start);
  return rc;
}
