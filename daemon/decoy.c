/*
 * decoy.c - the security check of a name vouch does not know.  It answers
 * as the store would answer a member with an email address and a card
 * (the masks of vouch_methods_get): the same messages for a malformed, a
 * wrong and a stale answer, the same wait before a new code, the lockout
 * message at [lockout] max_failures, so that the transcript of a module
 * does not tell a stranger whether the name exists (SPEC 4).  Nothing is
 * sent; each wrong answer is audited without a name, a store write like
 * the member's count.
 *
 * What it cannot imitate: a member's count outlives the conversation.
 */
#include <time.h>

#include "vouchd.h"

static long long mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A wrong answer: counted as the member's would be. */
static vouch_rc wrong(vd_decoy *d, vouch_ctx *ctx, const char *method)
{
  (void)vouch_audit(ctx, NULL, "check.unknown", method);
  d->failures++;
  return d->failures >= ctx->cfg->lock_max_failures ? VOUCH_ERR_LOCKED
                                                    : VOUCH_ERR_AUTH;
}

vouch_rc vd_decoy_send(vd_decoy *d, vouch_ctx *ctx, bool again)
{
  long long now = mono_ms();

  if(again && d->sent_ms &&
     now - d->sent_ms < (long long)ctx->cfg->otp_resend_interval * 1000)
    return VOUCH_ERR_RATE;
  d->sent_ms = now;
  d->attempts = 0;
  return VOUCH_OK;
}

vouch_rc vd_decoy_code(vd_decoy *d, vouch_ctx *ctx, const char *answer)
{
  if(!vouch_valid_code(answer, ctx->cfg->otp_length))
    return VOUCH_ERR_INPUT;
  if(d->attempts >= ctx->cfg->otp_max_attempts)
    return VOUCH_ERR_STALE; /* the code died: a new one with r */
  d->attempts++;
  return wrong(d, ctx, "code");
}

vouch_rc vd_decoy_card(vd_decoy *d, vouch_ctx *ctx, const char *answer)
{
  char digits[32];
  const char *why = NULL;
  vouch_rc rc;

  rc = vouch_card_parse(answer, digits, sizeof(digits), &why);
  vouch_wipe(digits, sizeof(digits));
  if(rc)
    return VOUCH_ERR_INPUT;
  return wrong(d, ctx, "card");
}
