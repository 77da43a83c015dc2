/*
 * card.c - the payment card on file as a security check: the person
 * types the whole number (spaces and dashes welcome), vouch compares its
 * keyed hash with the one stored.  Only that hash and the last 4 digits
 * are ever stored; the digits live in memory only as long as the check.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "vouch.h"
#include "store.h"

#define CARD_MIN 12
#define CARD_MAX 19
#define CARD_BUF 20 /* CARD_MAX digits and the NUL */

static bool luhn_ok(const char *d, size_t n)
{
  unsigned sum = 0;
  size_t i;

  for(i = 0; i < n; i++) {
    unsigned v = (unsigned)(d[n - 1 - i] - '0');
    if(i % 2) {
      v *= 2;
      if(v > 9)
        v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0;
}

vouch_rc vouch_card_parse(const char *in, char *digits, size_t len,
                          const char **why)
{
  const char *reason = NULL;
  size_t n = 0;
  const char *p;

  if(why)
    *why = NULL;
  if(!digits || len < CARD_BUF) {
    if(why)
      *why = "no room for the digits";
    return VOUCH_ERR_INPUT;
  }
  digits[0] = '\0';
  for(p = in ? in : ""; *p && !reason; p++) {
    if(*p >= '0' && *p <= '9') {
      if(n < CARD_MAX)
        digits[n] = *p;
      n++;
    }
    else if(*p != ' ' && *p != '-')
      reason = "only digits, spaces and dashes";
  }
  if(!reason && (n < CARD_MIN || n > CARD_MAX))
    reason = "a card number has 12 to 19 digits";
  if(!reason && !luhn_ok(digits, n))
    reason = "not a valid card number (the check digit is wrong)";
  if(reason) {
    vouch_wipe(digits, len);
    if(why)
      *why = reason;
    return VOUCH_ERR_INPUT;
  }
  digits[n] = '\0';
  return VOUCH_OK;
}

/* The keyed hash of a parsed card number, bound to its owner. */
static void card_mac(const unsigned char *key, const char *user,
                     const char *digits, unsigned char mac[VOUCH_MAC_BYTES])
{
  vouch_mac(key, mac, "card", user, digits, NULL);
}

vouch_rc vouch_card_set(vouch_ctx *ctx, const char *user, const char *in)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  char digits[CARD_BUF], last4[5], detail[32];
  const unsigned char *key;
  const char *why = NULL;
  vouch_store *st;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_card_parse(in, digits, sizeof(digits), &why);
  if(rc) {
    vouch_log(ctx, LOG_ERR, "card number refused: %s", why);
    return rc;
  }
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(rc)
    goto out;
  card_mac(key, user, digits, mac);
  memcpy(last4, digits + strlen(digits) - 4, 5);
  rc = vouch_store_begin(st);
  if(!rc)
    rc = vouch_store_card_set(st, user, mac, last4);
  if(!rc) {
    snprintf(detail, sizeof(detail), "last4=%s", last4);
    rc = vouch_audit(ctx, user, "card.set", detail);
  }
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
out:
  vouch_wipe(digits, sizeof(digits));
  vouch_wipe(mac, sizeof(mac));
  return rc;
}

vouch_rc vouch_card_clear(vouch_ctx *ctx, const char *user)
{
  vouch_store *st;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_card_clear(st, user);
  if(!rc)
    rc = vouch_audit(ctx, user, "card.cleared", NULL);
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  return rc;
}

/* Reads what a check needs: refusals first (locked, no card), then the
 * stored hash into mac. */
static vouch_rc card_on_file(vouch_ctx *ctx, vouch_store *st, const char *user,
                             unsigned char *mac)
{
  vouch_user u = {0};
  bool has = false;
  vouch_rc rc;

  rc = vouch_store_user_get(st, user, &u);
  if(!rc && u.state == VOUCH_STATE_LOCKED) {
    rc = vouch_audit(ctx, user, "card.refused", "account locked");
    rc = rc ? rc : VOUCH_ERR_LOCKED;
  }
  if(!rc)
    rc = vouch_store_card_get_mac(st, user, mac, &has);
  if(!rc && !has) {
    rc = vouch_audit(ctx, user, "card.unavailable", "no card on file");
    rc = rc ? rc : VOUCH_ERR_UNAVAIL;
  }
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_card_check(vouch_ctx *ctx, const char *user, const char *in)
{
  unsigned char want[VOUCH_MAC_BYTES], got[VOUCH_MAC_BYTES];
  char digits[CARD_BUF];
  const unsigned char *key;
  const char *why = NULL;
  vouch_charge charge;
  vouch_store *st;
  vouch_rc rc, parsed;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  parsed = vouch_card_parse(in, digits, sizeof(digits), &why);
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(!rc)
    rc = card_on_file(ctx, st, user, want);
  if(!rc && parsed) {
    vouch_log(ctx, LOG_DEBUG, "card number refused: %s", why);
    rc = parsed; /* a typing error, not a wrong card: not counted */
  }
  if(rc)
    goto out;
  card_mac(key, user, digits, got);
  /* Charged before it is judged; the verdict re-checks the lock. */
  rc = vouch_check_charge(ctx, user, "card", &charge);
  if(!rc)
    rc = vouch_check_verdict(ctx, user, &charge,
                             vouch_ct_equal(want, got, VOUCH_MAC_BYTES),
                             "card.ok");
out:
  vouch_wipe(digits, sizeof(digits));
  vouch_wipe(want, sizeof(want));
  vouch_wipe(got, sizeof(got));
  return rc;
}

/* For recovery by name and card (core/reset.c): a comparison that
 * counts nothing and ignores a lockout.  The caller slows guessing down
 * (reset.c pads each recovery to a fixed time) and audits. */
vouch_rc vouch_card_matches(vouch_ctx *ctx, const char *user, const char *in)
{
  unsigned char want[VOUCH_MAC_BYTES], got[VOUCH_MAC_BYTES];
  char digits[CARD_BUF];
  const unsigned char *key;
  vouch_store *st;
  bool has = false;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_card_parse(in, digits, sizeof(digits), NULL);
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(!rc)
    rc = vouch_store_card_get_mac(st, user, want, &has);
  if(!rc && !has)
    rc = VOUCH_ERR_UNAVAIL;
  if(rc)
    goto out;
  card_mac(key, user, digits, got);
  rc = vouch_ct_equal(want, got, VOUCH_MAC_BYTES) ? VOUCH_OK : VOUCH_ERR_AUTH;
out:
  vouch_wipe(digits, sizeof(digits));
  vouch_wipe(want, sizeof(want));
  vouch_wipe(got, sizeof(got));
  return rc;
}
