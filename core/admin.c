/*
 * admin.c - what vouchctl does to the store: creating it (or moving it
 * aside), adding, changing, showing and deleting users, importing many in
 * one transaction, setting a membership and reading the audit trail.
 * The tool parses, checks the values' form and prints; the statements
 * and the transactions they share live here, so that no tool needs the
 * store's interface (store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vouch.h"
#include "store.h"

/* ------------------------------------------------------------- store */

vouch_rc vouch_admin_store_init(vouch_ctx *ctx)
{
  vouch_store *st = NULL;
  vouch_rc rc;

  rc = vouch_store_open(ctx->cfg->store_path, ctx->cfg->busy_timeout_ms,
                        VOUCH_STORE_CREATE, &st, ctx->log, ctx->logarg);
  if(!rc)
    vouch_store_close(st);
  return rc;
}

vouch_rc vouch_admin_store_move_aside(vouch_ctx *ctx, time_t now, char *aside,
                                      size_t len)
{
  return vouch_store_move_aside(ctx->cfg->store_path, now, aside, len,
                                ctx->log, ctx->logarg);
}

/* Ends a read-modify-write: commits when rc is OK, rolls back if not. */
static vouch_rc finish_txn(vouch_store *st, vouch_rc rc)
{
  if(!rc)
    rc = vouch_store_commit(st);
  if(rc)
    vouch_store_rollback(st);
  return rc;
}

/* ctx's store with a transaction begun. */
static vouch_rc begin_txn(vouch_ctx *ctx, vouch_store **st)
{
  vouch_rc rc = vouch_ctx_store(ctx, st);

  if(!rc)
    rc = vouch_store_begin(*st);
  return rc;
}

/* ------------------------------------------------------------- users */

/* Which details an audit record mentions (never their values). */
static void changed_list(const vouch_user_details *d, char *buf, size_t len)
{
  snprintf(buf, len, "%s%s%s%s", d->email ? " email" : "",
           d->phone ? " phone" : "", d->full_name ? " name" : "",
           d->lang ? " lang" : "");
}

/* The new user of d as the store takes it; u borrows d's strings. */
static void user_of(const vouch_user_details *d, vouch_user *u)
{
  memset(u, 0, sizeof(*u));
  u->name = (char *)d->name;
  u->email = (char *)d->email;
  u->phone = (char *)d->phone;
  u->full_name = (char *)d->full_name;
  snprintf(u->lang, sizeof(u->lang), "%s", d->lang ? d->lang : "en");
  u->state = VOUCH_STATE_ACTIVE;
}

/* Adds the user of d unless the name is taken (inside a transaction, so
 * the check holds): VOUCH_ERR_EXISTS then. */
static vouch_rc add_new(vouch_store *st, const vouch_user_details *d)
{
  vouch_user old = {0};
  vouch_user u;
  vouch_rc rc;

  rc = vouch_store_user_get(st, d->name, &old);
  vouch_user_clear(&old);
  if(rc == VOUCH_OK)
    return VOUCH_ERR_EXISTS;
  if(rc != VOUCH_ERR_NO_USER)
    return rc;
  user_of(d, &u);
  return vouch_store_user_add(st, &u);
}

vouch_rc vouch_admin_user_add(vouch_ctx *ctx, const vouch_user_details *d)
{
  vouch_store *st;
  char what[64];
  vouch_rc rc;

  changed_list(d, what, sizeof(what));
  rc = begin_txn(ctx, &st);
  if(rc)
    return rc;
  rc = add_new(st, d);
  if(!rc)
    rc = vouch_audit(ctx, d->name, "user.add", what[0] ? what + 1 : NULL);
  return finish_txn(st, rc);
}

/* Replaces *field by v ("" clears); false when out of memory. */
static bool replace(char **field, const char *v)
{
  char *copy = NULL;

  if(v[0]) {
    copy = vouch_strdup(v);
    if(!copy)
      return false;
  }
  free(*field);
  *field = copy;
  return true;
}

/* The details given over u; a new phone number is not verified. */
static vouch_rc apply_details(vouch_user *u, const vouch_user_details *d)
{
  bool ok = true;

  if(d->phone && (!u->phone || strcmp(u->phone, d->phone))) {
    u->phone_verified = false;
    ok = replace(&u->phone, d->phone);
  }
  if(ok && d->email)
    ok = replace(&u->email, d->email);
  if(ok && d->full_name)
    ok = replace(&u->full_name, d->full_name);
  if(d->lang)
    snprintf(u->lang, sizeof(u->lang), "%s", d->lang);
  return ok ? VOUCH_OK : VOUCH_ERR_NOMEM;
}

vouch_rc vouch_admin_user_set(vouch_ctx *ctx, const vouch_user_details *d)
{
  vouch_user u = {0};
  vouch_store *st;
  char what[64];
  vouch_rc rc;

  changed_list(d, what, sizeof(what));
  rc = begin_txn(ctx, &st);
  if(rc)
    return rc;
  rc = vouch_store_user_get(st, d->name, &u);
  if(!rc)
    rc = apply_details(&u, d);
  if(!rc)
    rc = vouch_store_user_update(st, &u);
  if(!rc)
    rc = vouch_audit(ctx, d->name, "user.set", what + 1);
  rc = finish_txn(st, rc);
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_admin_user_get(vouch_ctx *ctx, const char *name, vouch_user *u)
{
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_user_get(st, name, u);
  return rc;
}

vouch_rc vouch_admin_user_del(vouch_ctx *ctx, const char *name)
{
  vouch_store *st;
  vouch_rc rc;

  rc = begin_txn(ctx, &st);
  if(rc)
    return rc;
  rc = vouch_store_user_del(st, name);
  if(!rc)
    rc = vouch_audit(ctx, name, "user.del", NULL);
  return finish_txn(st, rc);
}

/* The users next gives, each with the store's own audit row. */
static vouch_rc import_all(vouch_ctx *ctx, vouch_store *st,
                           vouch_admin_next_fn next, void *arg,
                           unsigned long *added)
{
  vouch_user_details d;
  bool end = false;
  vouch_rc rc;

  for(;;) {
    memset(&d, 0, sizeof(d));
    rc = next(arg, &d, &end);
    if(rc || end)
      return rc;
    rc = add_new(st, &d);
    if(!rc)
      rc = vouch_store_audit_add(st, time(NULL), d.name, "user.add",
                                 ctx->service, "import");
    if(rc)
      return rc;
    (*added)++;
  }
}

vouch_rc vouch_admin_user_import(vouch_ctx *ctx, vouch_admin_next_fn next,
                                 void *arg, unsigned long *added)
{
  char detail[32];
  vouch_store *st;
  vouch_rc rc;

  *added = 0;
  rc = begin_txn(ctx, &st);
  if(rc)
    return rc;
  rc = import_all(ctx, st, next, arg, added);
  rc = finish_txn(st, rc);
  if(rc)
    return rc;
  snprintf(detail, sizeof(detail), "%lu users", *added);
  vouch_audit(ctx, NULL, "user.import", detail);
  return VOUCH_OK;
}

/* -------------------------------------------------------- membership */

/* The membership's part of vouch_admin_membership_set, inside its
 * transaction: a new plan (or none) ends an earlier cancellation, and
 * with it the deletion of the personal data it may have asked for. */
static vouch_rc membership_write(vouch_store *st, const char *name,
                                 const char *plan, time_t period_end,
                                 vouch_membership *old)
{
  vouch_user u = {0};
  vouch_rc rc;

  rc = vouch_store_user_get(st, name, &u);
  if(!rc)
    rc = vouch_store_membership_get(st, name, old);
  if(!rc && old->cancelled)
    rc = vouch_store_cancel_set(st, name, 0, false);
  if(!rc && !replace(&u.plan, plan ? plan : ""))
    rc = VOUCH_ERR_NOMEM;
  u.period_end = plan ? period_end : 0;
  if(!rc)
    rc = vouch_store_user_update(st, &u);
  vouch_user_clear(&u);
  return rc;
}

vouch_rc vouch_admin_membership_set(vouch_ctx *ctx, const char *name,
                                    const char *plan, time_t period_end,
                                    vouch_membership *old)
{
  char detail[160], end[16];
  vouch_store *st;
  vouch_rc rc;

  memset(old, 0, sizeof(*old));
  rc = begin_txn(ctx, &st);
  if(rc)
    return rc;
  rc = membership_write(st, name, plan, period_end, old);
  vouch_format_date(period_end, end, sizeof(end));
  if(!plan)
    snprintf(detail, sizeof(detail), "%s",
             old->cancelled ? "cancellation cleared" : "");
  else
    snprintf(detail, sizeof(detail), "%s until %s%s", plan, end,
             old->cancelled ? ", cancellation cleared" : "");
  if(!rc)
    rc = vouch_audit(ctx, name, plan ? "membership.set" : "membership.clear",
                     *detail ? detail : NULL);
  return finish_txn(st, rc);
}

/* ------------------------------------------------------------- audit */

vouch_rc vouch_admin_audit_each(vouch_ctx *ctx, const char *user,
                                vouch_rc (*fn)(void *arg,
                                               const vouch_audit_row *r),
                                void *arg)
{
  vouch_store *st;
  vouch_rc rc;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_audit_each(st, user, fn, arg);
  return rc;
}
