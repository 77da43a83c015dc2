/*
 * contact.c - a member changes the email address or phone number on
 * file.  The new one must prove itself first: a code goes to it and must
 * come back before it replaces the old one.  Then the old email address
 * hears of the change, so that a stranger who got in cannot quietly take
 * the account's contact details over.
 */
#include <stdio.h>
#include <string.h>

#include "vouch.h"
#include "store.h"

static const char *purpose_of(vouch_channel ch)
{
  return ch == VOUCH_CHANNEL_SMS ? "phone-verify" : "email-verify";
}

static bool valid_value(vouch_channel ch, const char *value)
{
  if(!value)
    return false;
  return ch == VOUCH_CHANNEL_SMS ? vouch_valid_phone(value)
                                 : vouch_valid_email(value);
}

static void mask(vouch_channel ch, const char *value, char *out, size_t len)
{
  if(ch == VOUCH_CHANNEL_SMS)
    vouch_mask_phone(value, out, len);
  else
    vouch_mask_email(value, out, len);
}

vouch_rc vouch_contact_begin(vouch_ctx *ctx, const char *user,
                             vouch_channel ch, const char *value, bool resend,
                             char *masked, size_t len)
{
  vouch_user u = {0};
  vouch_store *st;
  const char *now_on_file;
  vouch_rc rc;

  if(ch != VOUCH_CHANNEL_EMAIL && ch != VOUCH_CHANNEL_SMS)
    return VOUCH_ERR_USAGE;
  if(!valid_value(ch, value))
    return VOUCH_ERR_INPUT;
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_user_get(st, user, &u);
  if(rc)
    goto out;
  now_on_file = ch == VOUCH_CHANNEL_SMS ? u.phone : u.email;
  if(now_on_file && !strcmp(now_on_file, value) &&
     (ch == VOUCH_CHANNEL_EMAIL || u.phone_verified)) {
    rc = VOUCH_ERR_EXISTS;
    goto out;
  }
  rc = vouch_code_send(ctx, user, purpose_of(ch), ch, value, 0, resend);
  if(!rc && masked)
    mask(ch, value, masked, len);
out:
  vouch_user_clear(&u);
  return rc;
}

/* Sets the new value in one transaction; *old gets the address that
 * was on file (NULL when none). */
static vouch_rc contact_set(vouch_ctx *ctx, const char *user, vouch_channel ch,
                            const char *value, char **old)
{
  vouch_user u = {0};
  vouch_store *st = NULL;
  char **field;
  char *copy = vouch_strdup(value);
  vouch_rc rc;

  if(!copy)
    return VOUCH_ERR_NOMEM;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(!rc)
    rc = vouch_store_user_get(st, user, &u);
  if(rc)
    goto out;
  if(u.email && *u.email) {
    *old = vouch_strdup(u.email);
    if(!*old) {
      rc = VOUCH_ERR_NOMEM;
      goto out;
    }
  }
  field = ch == VOUCH_CHANNEL_SMS ? &u.phone : &u.email;
  vouch_free_secret(*field);
  *field = copy;
  copy = NULL;
  if(ch == VOUCH_CHANNEL_SMS)
    u.phone_verified = true;
  rc = vouch_store_user_update(st, &u);
  if(!rc)
    rc = vouch_audit(ctx, user,
                     ch == VOUCH_CHANNEL_SMS ? "contact.phone_changed"
                                             : "contact.email_changed",
                     NULL);
  if(!rc)
    rc = vouch_store_commit(st);
out:
  if(st)
    vouch_store_rollback(st);
  vouch_free_secret(copy);
  vouch_user_clear(&u);
  return rc;
}

/* "contact-changed-email" to the address that was on file, with a
 * reset link for "this wasn't me" (a new password signs out every
 * device). */
static vouch_rc tell_old(vouch_ctx *ctx, const char *user, const char *old,
                         const char *what)
{
  char token[VOUCH_TOKEN_CHARS + 1] = "", hours[16];
  vouch_message m = {0};
  vouch_user u = {0};
  char *link = NULL;
  vouch_store *st;
  vouch_rc rc;

  snprintf(hours, sizeof(hours), "%u",
           (ctx->cfg->reset_link_ttl + 3599) / 3600);
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc =
        vouch_token_issue(ctx, user, "reset", ctx->cfg->reset_link_ttl, token);
  if(!rc && !(link = vouch_reset_link(ctx->cfg, token)))
    rc = VOUCH_ERR_NOMEM;
  if(!rc)
    rc = vouch_render(ctx, "contact-changed-email", u.lang, &m, "name",
                      u.full_name ? u.full_name : "", "what", what, "link",
                      link, "hours", hours, (const char *)NULL);
  vouch_wipe(token, sizeof(token));
  vouch_free_secret(link);
  if(!rc) {
    m.channel = VOUCH_CHANNEL_EMAIL;
    m.to = vouch_strdup(old);
    rc = m.to ? vouch_deliver(ctx, &m) : VOUCH_ERR_NOMEM;
    vouch_audit(ctx, user, rc ? "notify.failed" : "notify.sent",
                "contact-changed-email");
  }
  vouch_message_clear(&m);
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_contact_finish(vouch_ctx *ctx, const char *user,
                              vouch_channel ch, const char *value,
                              const char *code, bool *told)
{
  char what[128];
  char *old = NULL;
  vouch_rc rc;

  if(told)
    *told = false;
  if(ch != VOUCH_CHANNEL_EMAIL && ch != VOUCH_CHANNEL_SMS)
    return VOUCH_ERR_USAGE;
  if(!valid_value(ch, value))
    return VOUCH_ERR_INPUT;
  rc = vouch_code_redeem_to(ctx, user, purpose_of(ch), ch, value, code);
  if(!rc)
    rc = contact_set(ctx, user, ch, value, &old);
  if(rc || !old)
    goto out;
  mask(ch, value, what, sizeof(what));
  if(!tell_old(ctx, user, old, what) && told)
    *told = true;
out:
  vouch_free_secret(old);
  return rc;
}
