/*
 * check.c - what a security check can offer a user (email, verified
 * phone, card), with the destinations masked for prompts, and which
 * message explains a refused card number.  The checks themselves live in
 * challenge.c (codes) and card.c.
 */
#include <string.h>

#include "vouch.h"

vouch_rc vouch_methods_get(vouch_ctx *ctx, const char *user, vouch_methods *m)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  memset(m, 0, sizeof(*m));
  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  if(!vouch_valid_username(user))
    return VOUCH_OK;
  rc = vouch_store_user_get(st, user, &u);
  if(rc == VOUCH_ERR_NO_USER)
    return VOUCH_OK;
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
