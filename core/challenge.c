/*
 * challenge.c - one-time codes by email and SMS, single-use tokens, and
 * the lockout that failed security checks lead to.
 *
 * Codes and tokens exist in clear only in memory, between their making
 * and their delivery; the store keeps keyed hashes bound to the user, the
 * purpose and (for codes) the channel.  Every decision that reads and
 * then writes runs in one write transaction, so that two processes
 * redeeming one code give one success and N wrong answers count N; an
 * answer is charged (committed) before it is judged (check_charge).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "vouch.h"
#include "store.h"

#define CODE_BUF 16      /* [otp] length is at most 10 digits */
#define PURPOSE_MAX 32   /* [a-z-]{1,32} */
#define SEND_WINDOW 3600 /* the hourly cap on sends */
/* A charged check whose verdict has not come within this many seconds
 * never will (vouchd gave up on it, or died): it counts as failed. */
#define CHARGE_ABANDONED 120

/* ---------------------------------------------------------------- helpers */

static bool valid_purpose(const char *p)
{
  size_t n;

  if(!p)
    return false;
  for(n = 0; p[n]; n++) {
    if(n >= PURPOSE_MAX || !((p[n] >= 'a' && p[n] <= 'z') || p[n] == '-'))
      return false;
  }
  return n > 0;
}

static bool valid_channel(vouch_channel ch)
{
  return ch == VOUCH_CHANNEL_EMAIL || ch == VOUCH_CHANNEL_SMS;
}

/* An explicit destination (NULL: the one on file) fits the channel. */
static bool valid_dest(vouch_channel ch, const char *dest)
{
  if(!dest)
    return true;
  return ch == VOUCH_CHANNEL_EMAIL ? vouch_valid_email(dest)
                                   : vouch_valid_phone(dest);
}

/* Exactly len ASCII digits. */
bool vouch_valid_code(const char *a, unsigned len)
{
  unsigned i;

  if(!a)
    return false;
  for(i = 0; i < len; i++) {
    if(a[i] < '0' || a[i] > '9')
      return false;
  }
  return a[len] == '\0';
}

bool vouch_valid_token(const char *t)
{
  size_t i;

  if(!t)
    return false;
  for(i = 0; i < VOUCH_TOKEN_CHARS; i++) {
    char c = t[i];
    if(!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  }
  return t[VOUCH_TOKEN_CHARS] == '\0';
}

/* A reset must stay possible for a locked account: it is the way out. */
static bool refused_when_locked(const char *purpose)
{
  return strcmp(purpose, "reset") != 0;
}

/* Message template of a code for purpose on ch. */
static const char *code_template(const char *purpose, vouch_channel ch)
{
  if(ch == VOUCH_CHANNEL_SMS && !strcmp(purpose, "phone-verify"))
    return "phone-verify-sms";
  if(ch == VOUCH_CHANNEL_SMS && !strcmp(purpose, "reset"))
    return "reset-sms";
  if(ch == VOUCH_CHANNEL_EMAIL && !strcmp(purpose, "email-verify"))
    return "email-verify-email";
  if(!strcmp(purpose, "signin"))
    return ch == VOUCH_CHANNEL_SMS ? "signin-sms" : "signin-email";
  return ch == VOUCH_CHANNEL_SMS ? "code-sms" : "code-email";
}

/* Audits and commits a refusal decided inside the transaction. */
static vouch_rc refuse(vouch_ctx *ctx, vouch_store *st, const char *user,
                       const char *event, const char *detail, vouch_rc why)
{
  vouch_rc rc = vouch_audit(ctx, user, event, detail);

  if(!rc)
    rc = vouch_store_commit(st);
  return rc ? rc : why;
}

/* ------------------------------------------------------------------ tokens */

/* Issues a token; works inside an open transaction as well. */
static vouch_rc token_make(vouch_ctx *ctx, vouch_store *st,
                           const unsigned char *key, const char *user,
                           const char *purpose, unsigned ttl,
                           char token[VOUCH_TOKEN_CHARS + 1])
{
  unsigned char mac[VOUCH_MAC_BYTES];
  char detail[64];
  time_t now = time(NULL);
  vouch_rc rc;

  rc = vouch_random_token(token, VOUCH_TOKEN_CHARS + 1);
  if(rc)
    return rc;
  vouch_mac(key, mac, "token", purpose, token, NULL);
  rc =
      vouch_store_token_insert(st, user, purpose, mac, now, now + (time_t)ttl);
  vouch_wipe(mac, sizeof(mac));
  if(!rc) {
    snprintf(detail, sizeof(detail), "purpose=%s ttl=%u", purpose, ttl);
    rc = vouch_audit(ctx, user, "token.issued", detail);
  }
  if(rc)
    vouch_wipe(token, VOUCH_TOKEN_CHARS + 1);
  return rc;
}

vouch_rc vouch_token_issue(vouch_ctx *ctx, const char *user,
                           const char *purpose, unsigned ttl,
                           char token[VOUCH_TOKEN_CHARS + 1])
{
  const unsigned char *key;
  vouch_store *st;
  vouch_rc rc;

  if(!token)
    return VOUCH_ERR_INPUT;
  token[0] = '\0';
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  if(!valid_purpose(purpose) || !ttl)
    return VOUCH_ERR_INPUT;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(!rc)
    rc = token_make(ctx, st, key, user, purpose, ttl, token);
  return rc;
}

/* The decision on a well-formed token, inside the transaction. */
static vouch_rc token_decide(vouch_ctx *ctx, vouch_store *st,
                             const vouch_user *u, const char *purpose,
                             const unsigned char *mac)
{
  char detail[64];
  vouch_token_row t;
  vouch_rc rc;

  snprintf(detail, sizeof(detail), "purpose=%s", purpose);
  rc = vouch_store_token_find(st, mac, &t);
  if(rc == VOUCH_ERR_NOT_FOUND || (!rc && t.user_id != u->id) ||
     (!rc && strcmp(t.purpose, purpose)))
    return refuse(ctx, st, u->name, "token.fail", detail, VOUCH_ERR_AUTH);
  if(rc)
    return rc;
  if(t.used || t.expires <= time(NULL))
    return refuse(ctx, st, u->name, "token.stale", detail, VOUCH_ERR_STALE);
  rc = vouch_store_token_use(st, t.id);
  if(!rc)
    rc = vouch_audit(ctx, u->name, "token.ok", detail);
  if(!rc)
    rc = vouch_store_commit(st);
  return rc;
}

/* The keyed hash a token of purpose is stored by, and the store to look
 * in; VOUCH_ERR_INPUT for a malformed purpose or token. */
static vouch_rc token_mac(vouch_ctx *ctx, const char *purpose,
                          const char *token,
                          unsigned char mac[VOUCH_MAC_BYTES], vouch_store **st)
{
  const unsigned char *key;
  vouch_rc rc;

  if(!valid_purpose(purpose) || !vouch_valid_token(token))
    return VOUCH_ERR_INPUT;
  rc = vouch_ctx_store(ctx, st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(!rc)
    vouch_mac(key, mac, "token", purpose, token, NULL);
  return rc;
}

vouch_rc vouch_token_redeem(vouch_ctx *ctx, const char *user,
                            const char *purpose, const char *token)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = token_mac(ctx, purpose, token, mac, &st);
  if(rc)
    return rc;
  rc = vouch_store_begin(st);
  if(rc)
    goto out;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = token_decide(ctx, st, &u, purpose, mac);
out:
  vouch_store_rollback(st);
  vouch_wipe(mac, sizeof(mac));
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_token_owner(vouch_ctx *ctx, const char *purpose,
                           const char *token, char *user, size_t len)
{
  return vouch_token_owner_until(ctx, purpose, token, user, len, NULL);
}

vouch_rc vouch_token_owner_until(vouch_ctx *ctx, const char *purpose,
                                 const char *token, char *user, size_t len,
                                 time_t *expires)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  vouch_token_row t;
  vouch_store *st;
  vouch_rc rc;

  if(!user || !len)
    return VOUCH_ERR_USAGE;
  user[0] = '\0';
  rc = token_mac(ctx, purpose, token, mac, &st);
  if(rc)
    return rc;
  rc = vouch_store_token_owner(st, mac, &t, user, len);
  vouch_wipe(mac, sizeof(mac));
  if(!rc && expires)
    *expires = t.expires;
  if(rc == VOUCH_ERR_NOT_FOUND || (!rc && strcmp(t.purpose, purpose))) {
    user[0] = '\0';
    return VOUCH_ERR_AUTH;
  }
  if(!rc && (t.used || t.expires <= time(NULL)))
    return VOUCH_ERR_STALE;
  return rc;
}

/* ----------------------------------------------------------------- lockout */

char *vouch_web_link(const vouch_config *cfg, const char *path,
                     const char *token)
{
  size_t n = strlen(cfg->web_base_url);

  while(n && cfg->web_base_url[n - 1] == '/')
    n--;
  return vouch_asprintf("%.*s%s?token=%s", (int)n, cfg->web_base_url, path,
                        token);
}

char *vouch_reset_link(const vouch_config *cfg, const char *token)
{
  const char *url = cfg->reset_link_url, *at;

  if(!url || !url[0])
    return vouch_web_link(cfg, "/reset", token);
  at = strstr(url, "{token}");
  if(!at)
    return vouch_asprintf("%s", url);
  return vouch_asprintf("%.*s%s%s", (int)(at - url), url, token,
                        at + strlen("{token}"));
}

/* Renders and delivers the "Password reset required" email. */
static vouch_rc send_reset_email(vouch_ctx *ctx, const vouch_user *u,
                                 const char *link)
{
  vouch_message m = {0};
  char hours[16];
  vouch_rc rc;

  snprintf(hours, sizeof(hours), "%u",
           (ctx->cfg->reset_link_ttl + 3599) / 3600);
  rc = vouch_render(ctx, "reset-required-email", u->lang, &m, "link", link,
                    "hours", hours, "name", u->full_name ? u->full_name : "",
                    (const char *)NULL);
  if(!rc) {
    m.channel = VOUCH_CHANNEL_EMAIL;
    m.to = vouch_strdup(u->email);
    rc = m.to ? vouch_deliver(ctx, &m) : VOUCH_ERR_NOMEM;
  }
  vouch_message_clear(&m);
  return rc;
}

/* After a lock: a reset token and the email that carries its link.  The
 * account stays locked whatever happens here; failures are audited. */
static void lockout_notify(vouch_ctx *ctx, vouch_store *st,
                           const unsigned char *key, const char *user)
{
  char token[VOUCH_TOKEN_CHARS + 1] = "";
  vouch_user u = {0};
  char *link = NULL;
  vouch_rc rc;

  rc = vouch_store_user_get(st, user, &u);
  if(!rc && (!u.email || !*u.email)) {
    vouch_audit(ctx, user, "lockout.email_failed", "no email on file");
    goto out;
  }
  if(!rc)
    rc = token_make(ctx, st, key, user, "reset", ctx->cfg->reset_link_ttl,
                    token);
  if(!rc) {
    link = vouch_reset_link(ctx->cfg, token);
    rc = link ? send_reset_email(ctx, &u, link) : VOUCH_ERR_NOMEM;
  }
  if(rc)
    vouch_audit(ctx, user, "lockout.email_failed", vouch_strerror(rc));
  else
    vouch_audit(ctx, user, "lockout.email_sent", NULL);
out:
  vouch_wipe(token, sizeof(token));
  vouch_free_secret(link);
  vouch_user_clear(&u);
}

/* Locks the account (the failed checks have done their work: an unlock
 * starts from zero), audited with detail, in the open transaction. */
static vouch_rc lock_now(vouch_ctx *ctx, vouch_store *st, const char *user,
                         const char *detail)
{
  vouch_rc rc = vouch_store_set_state(st, user, VOUCH_STATE_LOCKED);

  if(!rc)
    rc = vouch_store_check_failure_clear(st, user);
  if(!rc)
    rc = vouch_audit(ctx, user, "account.locked", detail);
  return rc;
}

/* The failed checks of user within [lockout] window: settled ones, and
 * charged ones whose verdict never came (CHARGE_ABANDONED); not the
 * charges of checks being judged now (two right answers at once, or a
 * member's right answer beside someone's wrong one, must not lock). */
static vouch_rc failures_now(vouch_ctx *ctx, vouch_store *st, const char *user,
                             unsigned *count)
{
  time_t now = time(NULL);

  return vouch_store_check_failure_count_settled(
      st, user, now - (time_t)ctx->cfg->lock_window, now - CHARGE_ABANDONED,
      count);
}

/* The failed checks within [lockout] window, the newest one recorded by
 * the caller: audited, and the account locked at [lockout]
 * max_failures.  *locked says whether this failure locked it. */
static vouch_rc failure_counted(vouch_ctx *ctx, vouch_store *st,
                                const char *user, const char *method,
                                bool *locked)
{
  char detail[96];
  unsigned count = 0;
  vouch_rc rc;

  *locked = false;
  rc = failures_now(ctx, st, user, &count);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "method=%s failures=%u", method, count);
  rc = vouch_audit(ctx, user, "check.fail", detail);
  if(rc || count < ctx->cfg->lock_max_failures)
    return rc;
  rc = lock_now(ctx, st, user, detail);
  *locked = !rc;
  return rc;
}

/* Counts one failed check of an unlocked user inside the open
 * transaction and locks the account at [lockout] max_failures within
 * [lockout] window.  *locked says whether this failure locked it. */
static vouch_rc count_failure(vouch_ctx *ctx, vouch_store *st,
                              const char *user, const char *method,
                              bool *locked)
{
  time_t now = time(NULL);
  vouch_rc rc;

  *locked = false;
  rc = vouch_store_check_failure_add(st, user, method, now,
                                     now - (time_t)ctx->cfg->lock_window);
  return rc ? rc : failure_counted(ctx, st, user, method, locked);
}

/* ------------------------------------------------------- charged checks */

/* A code or a card number is charged as one failed check before it is
 * judged, and the charge is committed: a judgement whose outcome never
 * reached the store (with a shared database, a link cut between vouchd
 * and it by someone who told a right answer from a wrong one by the
 * traffic that follows) has still counted.  The charged row carries a
 * name of its own (c->pending) until the verdict: a wrong answer gives
 * it the method's name and may lock, a right one takes it back.  An
 * account whose failed checks already reached the limit (verdicts that
 * never came) is locked here instead (*locked), and refused. */
static vouch_rc check_charge(vouch_ctx *ctx, vouch_store *st, const char *user,
                             const char *method, vouch_charge *c, bool *locked)
{
  char digits[24], detail[96];
  time_t now = time(NULL);
  time_t since = now - (time_t)ctx->cfg->lock_window;
  unsigned count = 0;
  vouch_rc rc;

  *locked = false;
  memset(c, 0, sizeof(*c));
  rc = failures_now(ctx, st, user, &count);
  if(!rc && count >= ctx->cfg->lock_max_failures) {
    snprintf(detail, sizeof(detail), "method=%s failures=%u", method, count);
    rc = lock_now(ctx, st, user, detail);
    *locked = !rc;
    return rc ? rc : VOUCH_ERR_LOCKED;
  }
  if(!rc)
    rc = vouch_random_code(16, digits, sizeof(digits));
  if(rc)
    return rc;
  snprintf(c->method, sizeof(c->method), "%s", method);
  snprintf(c->pending, sizeof(c->pending), "%s?%s", method, digits);
  rc = vouch_store_check_failure_add(st, user, c->pending, now, since);
  c->charged = !rc;
  return rc;
}

/* The verdict on a charged check, in the open transaction: a right
 * answer takes the charge back; a wrong one keeps it under the method's
 * name, audited, and locks at the limit (*locked) unless the account was
 * locked since the charge (that lock cleared the row). */
static vouch_rc check_verdict(vouch_ctx *ctx, vouch_store *st,
                              const vouch_user *u, const vouch_charge *c,
                              bool right, bool *locked)
{
  vouch_rc rc;

  *locked = false;
  rc = vouch_store_check_failure_settle(st, u->name, c->pending,
                                        right ? NULL : c->method);
  if(rc == VOUCH_ERR_NOT_FOUND)
    return VOUCH_OK;
  if(rc || right || u->state == VOUCH_STATE_LOCKED)
    return rc;
  return failure_counted(ctx, st, u->name, c->method, locked);
}

/* The transaction of a charge or a verdict on user: body decides on u
 * (VOUCH_OK, or a refusal, VOUCH_ERR_LOCKED or VOUCH_ERR_AUTH, which is
 * committed as well); the lockout email goes out once it is. */
typedef vouch_rc (*check_body)(vouch_ctx *ctx, vouch_store *st,
                               const vouch_user *u, void *arg, bool *locked);

static vouch_rc check_tx(vouch_ctx *ctx, const char *user, check_body body,
                         void *arg)
{
  const unsigned char *key;
  vouch_user u = {0};
  vouch_store *st;
  bool locked = false;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = body(ctx, st, &u, arg, &locked);
  if(!rc || rc == VOUCH_ERR_LOCKED || rc == VOUCH_ERR_AUTH) {
    vouch_rc crc = vouch_store_commit(st);
    rc = crc ? crc : rc;
  }
  vouch_store_rollback(st);
  if(locked && rc == VOUCH_ERR_LOCKED)
    lockout_notify(ctx, st, key, user);
  vouch_user_clear(&u);
  return rc;
}

/* "METHOD.refused" for a locked account. */
static vouch_rc refused_locked(vouch_ctx *ctx, const char *user,
                               const char *method)
{
  char event[PURPOSE_MAX + 16];
  vouch_rc rc;

  snprintf(event, sizeof(event), "%s.refused", method);
  rc = vouch_audit(ctx, user, event, "account locked");
  return rc ? rc : VOUCH_ERR_LOCKED;
}

struct charge_arg {
  const char *method;
  vouch_charge *c;
};

static vouch_rc charge_body(vouch_ctx *ctx, vouch_store *st,
                            const vouch_user *u, void *arg, bool *locked)
{
  struct charge_arg *a = arg;

  if(u->state == VOUCH_STATE_LOCKED)
    return refused_locked(ctx, u->name, a->method);
  return check_charge(ctx, st, u->name, a->method, a->c, locked);
}

vouch_rc vouch_check_charge(vouch_ctx *ctx, const char *user,
                            const char *method, vouch_charge *c)
{
  struct charge_arg a = {method, c};
  vouch_rc rc;

  memset(c, 0, sizeof(*c));
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  if(!valid_purpose(method))
    return VOUCH_ERR_INPUT;
  rc = check_tx(ctx, user, charge_body, &a);
  if(rc)
    c->charged = false;
  return rc;
}

struct verdict_arg {
  const vouch_charge *c;
  bool right;
  const char *ok_event;
};

static vouch_rc verdict_body(vouch_ctx *ctx, vouch_store *st,
                             const vouch_user *u, void *arg, bool *locked)
{
  struct verdict_arg *a = arg;
  vouch_rc rc;

  rc = check_verdict(ctx, st, u, a->c, a->right, locked);
  /* A right answer, decided on a read taken before: accepted only if the
   * account is still not locked (another check, here or on another host
   * of a shared store, may have locked it since). */
  if(!rc && u->state == VOUCH_STATE_LOCKED)
    return refused_locked(ctx, u->name, a->c->method);
  if(!rc && a->right)
    return vouch_audit(ctx, u->name, a->ok_event, NULL);
  if(!rc)
    return *locked ? VOUCH_ERR_LOCKED : VOUCH_ERR_AUTH;
  return rc;
}

vouch_rc vouch_check_verdict(vouch_ctx *ctx, const char *user,
                             const vouch_charge *c, bool right,
                             const char *ok_event)
{
  struct verdict_arg a = {c, right, ok_event};

  if(!c || !c->charged || !vouch_valid_username(user))
    return VOUCH_ERR_INPUT;
  return check_tx(ctx, user, verdict_body, &a);
}

/* The part of vouch_check_failed that runs in a transaction. */
static vouch_rc check_failed_tx(vouch_ctx *ctx, vouch_store *st,
                                const char *user, const char *method,
                                bool *locked)
{
  vouch_user u = {0};
  vouch_rc rc;

  *locked = false;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc && u.state == VOUCH_STATE_LOCKED)
    rc = vouch_audit(ctx, user, "check.refused", "account locked");
  else if(!rc)
    rc = count_failure(ctx, st, user, method, locked);
  if(!rc && u.state == VOUCH_STATE_LOCKED)
    rc = VOUCH_ERR_LOCKED;
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_check_failed(vouch_ctx *ctx, const char *user,
                            const char *method)
{
  const unsigned char *key;
  vouch_store *st;
  bool own, locked = false;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  if(!valid_purpose(method))
    return VOUCH_ERR_INPUT;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(rc)
    return rc;
  own = !vouch_store_in_transaction(st);
  if(own) {
    rc = vouch_store_begin(st);
    if(rc)
      return rc;
  }
  rc = check_failed_tx(ctx, st, user, method, &locked);
  if(own) {
    if(!rc || rc == VOUCH_ERR_LOCKED) {
      vouch_rc crc = vouch_store_commit(st);
      rc = crc ? crc : rc;
    }
    vouch_store_rollback(st);
  }
  if(rc)
    return rc;
  /* Inside the caller's transaction the email goes out before its
   * commit: the lock must not wait for the caller. */
  if(locked)
    lockout_notify(ctx, st, key, user);
  return locked ? VOUCH_ERR_LOCKED : VOUCH_ERR_AUTH;
}

/* ------------------------------------------------------------------- codes */

/* Where a code for u goes: dest, or the address on file (a phone only
 * when verified, except for the code that verifies it). */
static vouch_rc pick_dest(const vouch_user *u, const char *purpose,
                          vouch_channel ch, const char *dest, const char **to)
{
  *to = dest;
  if(dest)
    return VOUCH_OK;
  if(ch == VOUCH_CHANNEL_EMAIL)
    *to = u->email && *u->email ? u->email : NULL;
  else if(u->phone && *u->phone &&
          (u->phone_verified || !strcmp(purpose, "phone-verify")))
    *to = u->phone;
  return *to ? VOUCH_OK : VOUCH_ERR_UNAVAIL;
}

/* The limits on a new code for (user, purpose, ch): a resend ("r") waits
 * [otp] resend_interval after the last send and at most [otp] resend_max
 * are made an hour; every code of the member counts towards [otp]
 * max_per_hour.  An hourly cap sets *retry to when it frees a place. */
static vouch_rc rate_check(vouch_ctx *ctx, vouch_store *st, const char *user,
                           const char *purpose, vouch_channel ch, bool resend,
                           time_t now, time_t *retry)
{
  const vouch_config *cfg = ctx->cfg;
  unsigned count = 0;
  time_t last = 0, nth = 0;
  vouch_rc rc;

  *retry = 0;
  if(resend) {
    rc = vouch_store_sends_since(st, user, purpose, (int)ch, now - SEND_WINDOW,
                                 &count, &last);
    if(rc)
      return rc;
    if(last && now - last < (time_t)cfg->otp_resend_interval)
      return VOUCH_ERR_RATE;
  }
  rc = vouch_store_sends_window(st, user, NULL, 0, now - SEND_WINDOW,
                                cfg->otp_max_per_hour, &count, &nth);
  if(!rc && count >= cfg->otp_max_per_hour) {
    *retry = nth + SEND_WINDOW;
    return VOUCH_ERR_RATE;
  }
  if(!rc && resend)
    rc =
        vouch_store_sends_window(st, user, purpose, (int)ch, now - SEND_WINDOW,
                                 cfg->otp_resend_max, &count, &nth);
  if(!rc && resend && count >= cfg->otp_resend_max) {
    *retry = nth + SEND_WINDOW;
    return VOUCH_ERR_RATE;
  }
  return rc;
}

/* The keyed hash of a code.  A code sent to an explicit destination (a
 * new address being confirmed) is bound to it too, so that it confirms
 * that address and no other ("code-to"); a code sent to the address on
 * file keeps the unbound form. */
static void code_mac(const unsigned char *key, unsigned char *mac,
                     const char *user, const char *purpose, const char *chn,
                     const char *dest, const char *code)
{
  if(dest)
    vouch_mac(key, mac, "code-to", user, purpose, chn, dest, code, NULL);
  else
    vouch_mac(key, mac, "code", user, purpose, chn, code, NULL);
}

/* One request for a code. */
struct code_req {
  const char *purpose;
  vouch_channel ch;
  const char *dest; /* NULL: the address on file */
  unsigned ttl;
  bool resend;  /* "r": a new code whatever is out */
  bool reoffer; /* a live code already out is offered again */
};

/* A live code of the request already out: nothing is sent; it stays the
 * one code, single use, with the attempts it has had. */
static vouch_rc code_reoffer(vouch_ctx *ctx, vouch_store *st,
                             const vouch_user *u, const struct code_req *q,
                             const char *detail, vouch_code_info *info)
{
  vouch_code_row c;
  vouch_rc rc;

  rc = vouch_store_code_live(st, u->name, q->purpose, (int)q->ch, time(NULL),
                             &c);
  vouch_wipe(c.mac, sizeof(c.mac));
  if(rc)
    return rc;
  info->reoffered = true;
  info->sent = c.created;
  rc = vouch_audit(ctx, u->name, "code.reoffered", detail);
  if(!rc)
    rc = vouch_store_commit(st);
  return rc;
}

/* A refused request: is a code sent before still good? */
static vouch_rc code_rate(vouch_ctx *ctx, vouch_store *st, const vouch_user *u,
                          const struct code_req *q, const char *detail,
                          vouch_code_info *info)
{
  vouch_code_row c;

  if(!q->dest && !vouch_store_code_live(st, u->name, q->purpose, (int)q->ch,
                                        time(NULL), &c))
    info->sent = c.created;
  vouch_wipe(c.mac, sizeof(c.mac));
  return refuse(ctx, st, u->name, "code.rate", detail, VOUCH_ERR_RATE);
}

/* Everything about one code request that reads and writes the store, in
 * one transaction; on VOUCH_OK the code is stored and the send counted
 * (or a live one re-offered, info->reoffered), and *to points into u. */
static vouch_rc code_store(vouch_ctx *ctx, vouch_store *st,
                           const unsigned char *key, vouch_user *u,
                           const struct code_req *q, const char *code,
                           const char **to, int64_t *id, vouch_code_info *info)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  const char *chn = vouch_channel_name(q->ch);
  time_t now = time(NULL), keep;
  char detail[96];
  vouch_rc rc;

  snprintf(detail, sizeof(detail), "channel=%s purpose=%s", chn, q->purpose);
  if(u->state == VOUCH_STATE_LOCKED && refused_when_locked(q->purpose))
    return refuse(ctx, st, u->name, "code.refused", detail, VOUCH_ERR_LOCKED);
  if(pick_dest(u, q->purpose, q->ch, q->dest, to))
    return refuse(ctx, st, u->name, "code.unavailable", detail,
                  VOUCH_ERR_UNAVAIL);
  if(q->reoffer && !q->resend && !q->dest) {
    rc = code_reoffer(ctx, st, u, q, detail, info);
    if(rc != VOUCH_ERR_NOT_FOUND)
      return rc;
  }
  rc = rate_check(ctx, st, u->name, q->purpose, q->ch, q->resend, now,
                  &info->retry);
  if(rc == VOUCH_ERR_RATE)
    return code_rate(ctx, st, u, q, detail, info);
  if(rc)
    return rc;
  code_mac(key, mac, u->name, q->purpose, chn, q->dest, code);
  rc = vouch_store_code_insert(st, u->name, q->purpose, (int)q->ch, mac, now,
                               now + (time_t)q->ttl, id);
  vouch_wipe(mac, sizeof(mac));
  keep = (time_t)ctx->cfg->otp_resend_interval;
  keep = now - (keep > SEND_WINDOW ? keep : SEND_WINDOW);
  if(!rc)
    rc = vouch_store_send_add(st, u->name, q->purpose, (int)q->ch, now,
                              q->resend, keep);
  if(!rc)
    rc = vouch_store_commit(st);
  info->sent = now;
  return rc;
}

/* Renders the message with code and hands it to the delivery helper. */
static vouch_rc code_deliver(vouch_ctx *ctx, const vouch_user *u,
                             const char *purpose, vouch_channel ch,
                             const char *to, const char *code, unsigned ttl)
{
  vouch_message m = {0};
  char minutes[16];
  vouch_rc rc;

  snprintf(minutes, sizeof(minutes), "%u", (ttl + 59) / 60);
  rc = vouch_render(ctx, code_template(purpose, ch), u->lang, &m, "code", code,
                    "minutes", minutes, "name",
                    u->full_name ? u->full_name : "", (const char *)NULL);
  if(!rc) {
    m.channel = ch;
    m.to = vouch_strdup(to);
    rc = m.to ? vouch_deliver(ctx, &m) : VOUCH_ERR_NOMEM;
  }
  vouch_message_clear(&m);
  return rc;
}

/* A code that never reached the person must never be redeemed. */
static vouch_rc code_undeliverable(vouch_ctx *ctx, vouch_store *st,
                                   const char *user, int64_t id,
                                   const char *detail, vouch_rc why)
{
  vouch_rc rc = vouch_store_code_drop(st, id);

  if(rc && rc != VOUCH_ERR_NOT_FOUND)
    return rc;
  vouch_audit(ctx, user, "code.delivery_failed", detail);
  return why == VOUCH_ERR_DELIVERY || why == VOUCH_ERR_NOMEM ||
                 why == VOUCH_ERR_CONFIG
             ? why
             : VOUCH_ERR_DELIVERY;
}

/* vouch_code_send and vouch_code_request. */
static vouch_rc code_request(vouch_ctx *ctx, const char *user,
                             struct code_req *q, vouch_code_info *info)
{
  char code[CODE_BUF] = "", detail[96];
  const unsigned char *key;
  const char *to = NULL;
  vouch_user u = {0};
  vouch_store *st;
  int64_t id = 0;
  vouch_rc rc;

  memset(info, 0, sizeof(*info));
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  if(!valid_purpose(q->purpose) || !valid_channel(q->ch) ||
     !valid_dest(q->ch, q->dest))
    return VOUCH_ERR_INPUT;
  if(!q->ttl)
    q->ttl = q->ch == VOUCH_CHANNEL_SMS ? ctx->cfg->otp_sms_ttl
                                        : ctx->cfg->otp_email_ttl;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(!rc)
    rc = vouch_random_code(ctx->cfg->otp_length, code, sizeof(code));
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    goto out;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = code_store(ctx, st, key, &u, q, code, &to, &id, info);
  vouch_store_rollback(st);
  if(rc || info->reoffered)
    goto out;
  snprintf(detail, sizeof(detail), "channel=%s purpose=%s",
           vouch_channel_name(q->ch), q->purpose);
  rc = code_deliver(ctx, &u, q->purpose, q->ch, to, code, q->ttl);
  if(rc)
    rc = code_undeliverable(ctx, st, user, id, detail, rc);
  else
    rc = vouch_audit(ctx, user, "code.sent", detail);
out:
  vouch_wipe(code, sizeof(code));
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_code_send(vouch_ctx *ctx, const char *user, const char *purpose,
                         vouch_channel ch, const char *dest, unsigned ttl,
                         bool resend)
{
  struct code_req q = {purpose, ch, dest, ttl, resend, false};
  vouch_code_info info;

  return code_request(ctx, user, &q, &info);
}

vouch_rc vouch_code_request(vouch_ctx *ctx, const char *user,
                            const char *purpose, vouch_channel ch, bool resend,
                            vouch_code_info *info)
{
  struct code_req q = {purpose, ch, NULL, 0, resend, true};
  vouch_code_info none;

  return code_request(ctx, user, &q, info ? info : &none);
}

/* A code's check in two transactions (see check_charge): the charge
 * takes one attempt on the code and, when the check counts toward the
 * lockout, one failed check, and is committed before the answer is
 * judged; the verdict then uses the code up or settles the attempt. */
struct code_check {
  const char *purpose;
  vouch_channel ch;
  bool count;         /* toward the lockout */
  vouch_code_row row; /* the live code (its mac wiped after judging) */
  unsigned attempts;  /* with this one */
  vouch_charge charge;
  char detail[96];
};

/* The charge, in the open transaction: refusals first (locked, no live
 * code), then the attempt.  An answer past the code's attempts (its
 * verdict is the one that kills the code; others are being judged, or
 * were never settled) is refused here, not judged.  A locked account's
 * answers (a reset code: the way out) count on the code alone. */
static vouch_rc code_charge(vouch_ctx *ctx, vouch_store *st,
                            const vouch_user *u, struct code_check *k,
                            bool *locked)
{
  vouch_rc rc;

  snprintf(k->detail, sizeof(k->detail), "channel=%s purpose=%s",
           vouch_channel_name(k->ch), k->purpose);
  if(u->state == VOUCH_STATE_LOCKED && refused_when_locked(k->purpose))
    return refuse(ctx, st, u->name, "code.refused", k->detail,
                  VOUCH_ERR_LOCKED);
  rc = vouch_store_code_live(st, u->name, k->purpose, (int)k->ch, time(NULL),
                             &k->row);
  if(rc == VOUCH_ERR_NOT_FOUND)
    return refuse(ctx, st, u->name, "code.stale", k->detail, VOUCH_ERR_STALE);
  if(!rc)
    rc = vouch_store_code_attempt(st, k->row.id, &k->attempts);
  if(!rc && k->attempts > ctx->cfg->otp_max_attempts)
    return refuse(ctx, st, u->name, "code.stale", k->detail, VOUCH_ERR_STALE);
  if(!rc && k->count && u->state != VOUCH_STATE_LOCKED) {
    rc = check_charge(ctx, st, u->name, vouch_channel_name(k->ch), &k->charge,
                      locked);
    if(rc == VOUCH_ERR_LOCKED) {
      rc = vouch_store_commit(st);
      *locked = *locked && !rc;
      return rc ? rc : VOUCH_ERR_LOCKED;
    }
  }
  return rc ? rc : vouch_store_commit(st);
}

/* A wrong answer, charged: the code dies at [otp] max_attempts; the
 * failed check is kept (and may lock). */
static vouch_rc code_wrong(vouch_ctx *ctx, vouch_store *st,
                           const vouch_user *u, struct code_check *k,
                           bool *locked)
{
  char detail[64];
  bool dead = k->attempts >= ctx->cfg->otp_max_attempts;
  vouch_rc rc = VOUCH_OK;

  if(dead) {
    rc = vouch_store_code_use_same(st, &k->row);
    if(rc == VOUCH_ERR_NOT_FOUND)
      rc = VOUCH_OK; /* used up (or replaced) since */
  }
  if(!rc) {
    snprintf(detail, sizeof(detail), "channel=%s attempts=%u%s",
             vouch_channel_name(k->ch), k->attempts, dead ? " code dead" : "");
    rc = vouch_audit(ctx, u->name, "code.fail", detail);
  }
  /* Kept under the method's name; counted unless the account was locked
   * since the charge. */
  if(!rc && k->charge.charged)
    rc = check_verdict(ctx, st, u, &k->charge, false, locked);
  if(!rc && u->state == VOUCH_STATE_LOCKED && k->count &&
     refused_when_locked(k->purpose))
    rc = vouch_audit(ctx, u->name, "check.refused", "account locked");
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc) {
    *locked = false; /* rolled back: nothing was locked */
    return rc;
  }
  return *locked || (u->state == VOUCH_STATE_LOCKED &&
                     refused_when_locked(k->purpose))
             ? VOUCH_ERR_LOCKED
             : VOUCH_ERR_AUTH;
}

/* The verdict, in the open transaction, on u read again. */
static vouch_rc code_verdict(vouch_ctx *ctx, vouch_store *st,
                             const vouch_user *u, struct code_check *k,
                             bool right, bool *locked)
{
  vouch_rc rc;

  if(!right)
    return code_wrong(ctx, st, u, k, locked);
  /* A right answer, decided on reads taken before: the account may have
   * been locked since, or the code used by another answer. */
  if(k->charge.charged) {
    rc = check_verdict(ctx, st, u, &k->charge, true, locked);
    if(rc)
      return rc;
  }
  if(u->state == VOUCH_STATE_LOCKED && refused_when_locked(k->purpose))
    return refuse(ctx, st, u->name, "code.refused", k->detail,
                  VOUCH_ERR_LOCKED);
  rc = vouch_store_code_use_same(st, &k->row);
  if(rc == VOUCH_ERR_NOT_FOUND)
    return refuse(ctx, st, u->name, "code.stale", k->detail, VOUCH_ERR_STALE);
  if(!rc)
    rc = vouch_audit(ctx, u->name, "code.ok", k->detail);
  if(!rc)
    rc = vouch_store_commit(st);
  return rc;
}

vouch_rc vouch_code_redeem(vouch_ctx *ctx, const char *user,
                           const char *purpose, vouch_channel ch,
                           const char *answer)
{
  return vouch_code_redeem_to(ctx, user, purpose, ch, NULL, answer);
}

static vouch_rc redeem(vouch_ctx *ctx, const char *user, const char *purpose,
                       vouch_channel ch, const char *dest, const char *answer,
                       bool count);

vouch_rc vouch_code_redeem_untrusted(vouch_ctx *ctx, const char *user,
                                     const char *purpose, vouch_channel ch,
                                     const char *answer)
{
  return redeem(ctx, user, purpose, ch, NULL, answer, false);
}

vouch_rc vouch_code_redeem_to(vouch_ctx *ctx, const char *user,
                              const char *purpose, vouch_channel ch,
                              const char *dest, const char *answer)
{
  return redeem(ctx, user, purpose, ch, dest, answer, true);
}

static vouch_rc redeem(vouch_ctx *ctx, const char *user, const char *purpose,
                       vouch_channel ch, const char *dest, const char *answer,
                       bool count)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  struct code_check k;
  const unsigned char *key;
  vouch_user u = {0};
  vouch_store *st;
  bool locked = false, right;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  if(!valid_purpose(purpose) || !valid_channel(ch) ||
     !vouch_valid_code(answer, ctx->cfg->otp_length) || !valid_dest(ch, dest))
    return VOUCH_ERR_INPUT;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(rc)
    return rc;
  memset(&k, 0, sizeof(k));
  k.purpose = purpose;
  k.ch = ch;
  k.count = count;
  code_mac(key, mac, user, purpose, vouch_channel_name(ch), dest, answer);
  /* Charged (and committed) first, then judged, then settled. */
  rc = vouch_store_begin(st);
  if(rc)
    goto out;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = code_charge(ctx, st, &u, &k, &locked);
  vouch_store_rollback(st);
  vouch_user_clear(&u);
  if(rc)
    goto out;
  right = vouch_ct_equal(mac, k.row.mac, VOUCH_MAC_BYTES);
  rc = vouch_store_begin(st);
  if(rc)
    goto out;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = code_verdict(ctx, st, &u, &k, right, &locked);
  vouch_store_rollback(st);
out:
  if(locked)
    lockout_notify(ctx, st, key, user);
  vouch_wipe(mac, sizeof(mac));
  vouch_wipe(k.row.mac, sizeof(k.row.mac));
  vouch_user_clear(&u);
  return rc;
}

/* ------------------------------------------------------------------- phone */

vouch_rc vouch_phone_set_verified(vouch_ctx *ctx, const char *user)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc && (!u.phone || !*u.phone)) {
    vouch_log(ctx, LOG_ERR, "%s has no phone number on file", user);
    rc = VOUCH_ERR_NOT_FOUND;
  }
  if(!rc) {
    u.phone_verified = true;
    rc = vouch_store_user_update(st, &u);
  }
  if(!rc)
    rc = vouch_audit(ctx, user, "phone.verified", NULL);
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  vouch_user_clear(&u);
  return rc;
}
