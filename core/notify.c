/*
 * notify.c - the emails that tell a member what happened to the account
 * (password changed, membership cancelled, data export steps): one
 * template, the member's language and address, the delivery helper.
 */
#include <string.h>

#include "vouch.h"
#include "store.h"

#define MAX_PAIRS 16

/* The caller's variables and {name}, as one array. */
static vouch_rc with_name(const char *const *pairs, const char *name,
                          const char **out)
{
  size_t n = 0;

  for(; pairs && pairs[n]; n += 2)
    if(n + 4 > 2 * MAX_PAIRS)
      return VOUCH_ERR_USAGE;
  if(n)
    memcpy(out, pairs, n * sizeof(*out));
  out[n] = "name";
  out[n + 1] = name;
  out[n + 2] = NULL;
  return VOUCH_OK;
}

vouch_rc vouch_notify(vouch_ctx *ctx, const char *user, const char *tpl,
                      const char *const *pairs)
{
  const char *all[2 * MAX_PAIRS + 1];
  vouch_message m = {0};
  vouch_user u = {0};
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_user_get(st, user, &u);
  if(rc)
    goto out;
  if(!u.email || !*u.email) {
    rc = VOUCH_ERR_UNAVAIL;
    goto out;
  }
  rc = with_name(pairs, u.full_name ? u.full_name : "", all);
  if(!rc)
    rc = vouch_render_vars(ctx, tpl, u.lang, &m, all);
  if(rc)
    goto out;
  m.channel = VOUCH_CHANNEL_EMAIL;
  m.to = vouch_strdup(u.email);
  rc = m.to ? vouch_deliver(ctx, &m) : VOUCH_ERR_NOMEM;
  vouch_audit(ctx, user, rc ? "notify.failed" : "notify.sent", tpl);
out:
  vouch_message_clear(&m);
  vouch_user_clear(&u);
  return rc;
}
