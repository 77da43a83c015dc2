/*
 * check.c - what a security check can offer a user (email, verified
 * phone, card), with the destinations masked for prompts, and which
 * message explains a refused card number.  The checks themselves live in
 * challenge.c (codes) and card.c.
 */
#include <stdio.h>
#include <string.h>

#include "vouch.h"
#include "store.h"

vouch_rc vouch_decoy_email(vouch_ctx *ctx, const char *label, const char *seed,
                           char *masked, size_t len)
{
  static const char *const domains[] = {
      "gmail.com",  "outlook.com", "yahoo.com", "hotmail.com",
      "icloud.com", "gmx.net",     "proton.me", "live.com",
      "aol.com",    "mail.com",    "web.de",    "yandex.com"};
  const size_t nd = sizeof(domains) / sizeof(domains[0]);
  unsigned char mac[VOUCH_MAC_BYTES];
  const unsigned char *key;
  char addr[64];
  vouch_rc rc;

  rc = vouch_ctx_key(ctx, &key);
  if(rc)
    return rc;
  vouch_mac(key, mac, label, seed, NULL);
  snprintf(addr, sizeof(addr), "%c@%s", 'a' + mac[0] % 26,
           domains[mac[1] % nd]);
  vouch_mask_email(addr, masked, len);
  vouch_wipe(mac, sizeof(mac));
  return VOUCH_OK;
}

/* For a user vouch does not know, the prompts a member with an email
 * address and a card gets: a masked address and a card ending made from a
 * keyed hash of the name, the same at every attempt (asking twice shows
 * nothing new) and never used to send anything.  m->known stays false. */
static vouch_rc decoy(vouch_ctx *ctx, const char *user, vouch_methods *m)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  const unsigned char *key;
  vouch_rc rc;

  rc = vouch_decoy_email(ctx, "decoy", user, m->email_mask,
                         sizeof(m->email_mask));
  if(!rc)
    rc = vouch_ctx_key(ctx, &key);
  if(rc)
    return rc;
  m->email = true;
  vouch_mac(key, mac, "decoy-card", user, NULL);
  m->card = true;
  snprintf(m->card_last4, sizeof(m->card_last4), "%04u",
           ((unsigned)mac[0] << 8 | mac[1]) % 10000);
  vouch_wipe(mac, sizeof(mac));
  return VOUCH_OK;
}

vouch_rc vouch_methods_get(vouch_ctx *ctx, const char *user, vouch_methods *m)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  memset(m, 0, sizeof(*m));
  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  if(!user)
    return VOUCH_ERR_USAGE;
  if(!vouch_valid_username(user))
    return decoy(ctx, user, m);
  rc = vouch_store_user_get(st, user, &u);
  if(rc == VOUCH_ERR_NO_USER)
    return decoy(ctx, user, m);
  if(rc)
    return rc;
  m->known = true;
  m->locked = u.state == VOUCH_STATE_LOCKED;
  if(u.email && *u.email) {
    m->email = true;
    vouch_mask_email(u.email, m->email_mask, sizeof(m->email_mask));
  }
  if(u.phone && *u.phone && u.phone_verified) {
    m->sms = true;
    vouch_mask_phone(u.phone, m->sms_mask, sizeof(m->sms_mask));
  }
  if(u.has_card) {
    m->card = true;
    memcpy(m->card_last4, u.card_last4, sizeof(m->card_last4));
  }
  vouch_user_clear(&u);
  return VOUCH_OK;
}

vouch_msg_id vouch_card_problem(const char *in)
{
  char digits[32];
  const char *why = NULL;
  size_t n = 0;
  const char *p;

  /* Well-formed but failing the check digit: a typo in the digits. */
  for(p = in; *p; p++) {
    if(*p >= '0' && *p <= '9')
      n++;
    else if(*p != ' ' && *p != '-')
      return VOUCH_MSG_CARD_FORMAT;
  }
  if(n < 12 || n > 19)
    return VOUCH_MSG_CARD_FORMAT;
  if(vouch_card_parse(in, digits, sizeof(digits), &why) == VOUCH_ERR_INPUT) {
    vouch_wipe(digits, sizeof(digits));
    return VOUCH_MSG_CARD_LUHN;
  }
  vouch_wipe(digits, sizeof(digits));
  return VOUCH_MSG_CARD_FORMAT;
}
