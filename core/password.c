/*
 * password.c - passwords: checking one at sign-in (with exact failure
 * counting and lockout), judging a new one against the policy and the
 * history, setting it, and the account-phase decision.
 *
 * Unknown users and malformed input cost the same argon2id work as a
 * known user, so that timing tells nothing about which names exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "vouch.h"
#include "store.h"

/* The argon2id work a real verification would cost, spent on nothing. */
static void dummy_work(const vouch_ctx *ctx, const char *pw, size_t len)
{
  char scratch[VOUCH_HASH_MAX];

  if(len > ctx->cfg->pw_max_length)
    len = ctx->cfg->pw_max_length;
  (void)vouch_pw_hash(pw, len, ctx->cfg->hash_ops, ctx->cfg->hash_mem,
                      scratch);
  vouch_wipe(scratch, sizeof(scratch));
}

/* Before a password is judged, one failure is charged and committed:
 * a judgement whose outcome never reached the store (with a shared
 * database, a link cut between vouchd and it by someone who told a
 * right answer from a wrong one by the traffic that follows) has still
 * counted.  A right password takes it back (record_success).  An account
 * that is locked, or that reached the limit with the decision never
 * recorded, is refused here, not counted (and locked now).  *count gets
 * the failures with this one. */
static vouch_rc charge(vouch_ctx *ctx, vouch_store *st, const char *user,
                       bool *refused, unsigned *count)
{
  char detail[64];
  vouch_user u = {0};
  vouch_rc rc;

  *refused = false;
  *count = 0;
  rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc && (u.state == VOUCH_STATE_LOCKED ||
             u.pw_failures >= ctx->cfg->pw_max_failures)) {
    *refused = true;
    rc = vouch_audit(ctx, user, "password.refused", "account locked");
    if(!rc && u.state != VOUCH_STATE_LOCKED) {
      snprintf(detail, sizeof(detail), "failures=%u", u.pw_failures);
      rc = vouch_store_set_state(st, user, VOUCH_STATE_LOCKED);
      if(!rc)
        rc = vouch_audit(ctx, user, "account.locked", detail);
    }
  }
  else if(!rc)
    rc = vouch_store_pw_failure(st, user, count);
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
  vouch_user_clear(&u);
  return rc;
}

/* A wrong password, already counted by charge as the count-th failure:
 * audited, and the account locked when count reached the limit. */
static vouch_rc record_failure(vouch_ctx *ctx, vouch_store *st,
                               const char *user, unsigned count)
{
  char detail[64];
  vouch_user u = {0};
  vouch_rc rc;
  bool locked = count >= ctx->cfg->pw_max_failures;

  rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_user_get(st, user, &u);
  snprintf(detail, sizeof(detail), "failures=%u", count);
  if(!rc)
    rc = vouch_audit(ctx, user, "password.fail", detail);
  if(!rc && locked && u.state != VOUCH_STATE_LOCKED) {
    rc = vouch_store_set_state(st, user, VOUCH_STATE_LOCKED);
    if(!rc)
      rc = vouch_audit(ctx, user, "account.locked", detail);
  }
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
  vouch_user_clear(&u);
  if(rc)
    return rc;
  return locked ? VOUCH_ERR_LOCKED : VOUCH_ERR_AUTH;
}

/* After a right password: clear the counter, renew an outdated hash. */
static vouch_rc record_success(vouch_ctx *ctx, vouch_store *st,
                               const vouch_user *u, const char *pw)
{
  char fresh[VOUCH_HASH_MAX];
  bool rehash;
  vouch_rc rc;

  rehash = vouch_pw_needs_rehash(u->pw_hash, ctx->cfg->hash_ops,
                                 ctx->cfg->hash_mem);
  if(rehash) {
    rc = vouch_pw_hash(pw, strlen(pw), ctx->cfg->hash_ops, ctx->cfg->hash_mem,
                       fresh);
    if(rc)
      rehash = false; /* keep the old hash; sign-in still succeeds */
  }
  rc = vouch_store_begin(st);
  if(rc)
    goto out;
  /* Decided on u, read before the hashing: the account may have been
   * locked or given a new password since, here or on another host. */
  rc = vouch_store_pw_success_if(st, u->name, u->pw_hash);
  if(rc == VOUCH_ERR_STALE) {
    vouch_store_rollback(st);
    rc = vouch_audit(ctx, u->name, "password.refused",
                     "account changed during the check");
    rc = rc ? rc : VOUCH_ERR_AUTH;
    goto out;
  }
  if(!rc && rehash)
    rc = vouch_store_replace_hash(st, u->name, fresh);
  if(!rc)
    rc = vouch_audit(ctx, u->name, "password.ok",
                     rehash ? "hash renewed" : NULL);
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
out:
  vouch_wipe(fresh, sizeof(fresh));
  return rc;
}

vouch_rc vouch_password_check(vouch_ctx *ctx, const char *user, const char *pw)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;
  size_t len = strlen(pw);
  bool known = false, right = false, refused = false;
  unsigned count = 0;

  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  if(vouch_valid_username(user)) {
    rc = vouch_store_user_get(st, user, &u);
    if(rc && rc != VOUCH_ERR_NO_USER)
      goto out;
    known = !rc;
  }
  /* Counted before it is judged (charge); a locked account is not. */
  if(known && u.state != VOUCH_STATE_LOCKED) {
    rc = charge(ctx, st, user, &refused, &count);
    if(rc)
      goto out;
  }
  if(known && !refused && u.pw_hash && len && len <= ctx->cfg->pw_max_length)
    right = !vouch_pw_verify(u.pw_hash, pw, len);
  else
    dummy_work(ctx, pw, len);

  if(!known) {
    /* The typed name may be a mistyped password: it is not logged. */
    rc = vouch_audit(ctx, NULL, "password.fail", "unknown user");
    rc = rc ? rc : VOUCH_ERR_NO_USER;
  }
  else if(u.state == VOUCH_STATE_LOCKED) {
    rc = vouch_audit(ctx, user, "password.refused", "account locked");
    rc = rc ? rc : VOUCH_ERR_LOCKED;
  }
  else if(refused)
    rc = VOUCH_ERR_LOCKED; /* audited by charge */
  else if(!right)
    rc = record_failure(ctx, st, user, count);
  else
    rc = record_success(ctx, st, &u, pw);
out:
  vouch_user_clear(&u);
  return rc;
}

/* VOUCH_ERR_PW_REUSED when pw matches one of the last history passwords. */
static vouch_rc check_history(vouch_ctx *ctx, vouch_store *st,
                              const char *user, const char *pw)
{
  char **recent = NULL;
  size_t count = 0, i;
  vouch_rc rc;

  if(!ctx->cfg->pw_history)
    return VOUCH_OK;
  rc = vouch_store_pw_recent(st, user, ctx->cfg->pw_history, &recent, &count);
  if(rc)
    return rc;
  for(i = 0; i < count; i++) {
    if(!vouch_pw_verify(recent[i], pw, strlen(pw))) {
      rc = VOUCH_ERR_PW_REUSED;
      break;
    }
  }
  vouch_store_free_list(recent, count);
  return rc;
}

vouch_rc vouch_password_shape(const vouch_ctx *ctx, const char *pw)
{
  size_t len = strlen(pw);

  if(len > ctx->cfg->pw_max_length)
    return VOUCH_ERR_PW_LONG;
  if(!vouch_valid_utf8(pw, len))
    return VOUCH_ERR_INPUT;
  if(vouch_utf8_chars(pw, len) < ctx->cfg->pw_min_length)
    return VOUCH_ERR_PW_SHORT;
  return VOUCH_OK;
}

vouch_rc vouch_password_acceptable(vouch_ctx *ctx, const char *user,
                                   const char *pw)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_store_user_get(st, user, &u);
  vouch_user_clear(&u);
  if(!rc)
    rc = vouch_password_shape(ctx, pw);
  if(rc)
    return rc;
  return check_history(ctx, st, user, pw);
}

vouch_rc vouch_password_set(vouch_ctx *ctx, const char *user, const char *pw,
                            bool unlock)
{
  char hash[VOUCH_HASH_MAX];
  vouch_user u = {0};
  vouch_store *st = NULL;
  vouch_rc rc;

  rc = vouch_password_acceptable(ctx, user, pw);
  if(rc)
    return rc;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_pw_hash(pw, strlen(pw), ctx->cfg->hash_ops, ctx->cfg->hash_mem,
                       hash);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    goto out;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = vouch_store_set_password(st, user, hash, ctx->cfg->pw_history);
  if(!rc && (u.state == VOUCH_STATE_RESET ||
             (unlock && u.state == VOUCH_STATE_LOCKED)))
    rc = vouch_store_set_state(st, user, VOUCH_STATE_ACTIVE);
  if(!rc && unlock)
    rc = vouch_store_pw_success(st, user);
  /* A new password ends every reset link and code still out, and a TV
   * sign-in on the web half done with the old one. */
  if(!rc)
    rc = vouch_store_proofs_kill(st, user);
  if(!rc)
    rc = vouch_audit(ctx, user, "password.changed", NULL);
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
out:
  vouch_wipe(hash, sizeof(hash));
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_account_check(vouch_ctx *ctx, const char *user,
                             time_t *period_end)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_store_user_get(st, user, &u);
  if(rc)
    goto out;
  if(u.state == VOUCH_STATE_LOCKED)
    rc = VOUCH_ERR_LOCKED;
  else if(u.state == VOUCH_STATE_RESET)
    rc = VOUCH_ERR_RESET_REQUIRED;
  else if(u.plan && u.period_end && time(NULL) >= u.period_end + 86400) {
    if(period_end)
      *period_end = u.period_end;
    rc = VOUCH_ERR_EXPIRED;
  }
  if(rc)
    vouch_audit(ctx, user, "account.denied", vouch_strerror(rc));
out:
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_account_exists(vouch_ctx *ctx, const char *user)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_user_get(st, user, &u);
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_account_unlock(vouch_ctx *ctx, const char *user)
{
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = vouch_store_set_state(st, user, VOUCH_STATE_ACTIVE);
  if(!rc)
    rc = vouch_store_pw_success(st, user);
  if(!rc)
    rc = vouch_audit(ctx, user, "account.unlock", vouch_state_name(u.state));
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
  vouch_user_clear(&u);
  return rc;
}
