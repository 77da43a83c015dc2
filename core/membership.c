/*
 * membership.c - cancelling a membership (SPEC section 5, vouch-cancel):
 * the cancellation is recorded, the member keeps access through the last
 * day of the period (the account phase in password.c decides on
 * period_end alone), may take it back until then, and may ask that the
 * personal data go once the period is over.  Nothing here pauses a
 * membership: vouch offers no pause.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "vouch.h"
#include "store.h"

#define DAY 86400

void vouch_membership_clear(vouch_membership *m)
{
  if(!m)
    return;
  free(m->plan);
  memset(m, 0, sizeof(*m));
}

vouch_rc vouch_membership_get(vouch_ctx *ctx, const char *user,
                              vouch_membership *m)
{
  vouch_store *st;
  vouch_rc rc;

  if(!m)
    return VOUCH_ERR_INPUT;
  memset(m, 0, sizeof(*m));
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_membership_get(st, user, m);
  return rc;
}

/* The period is over from 00:00 UTC of the day after period_end. */
static bool period_over(const vouch_membership *m, time_t now)
{
  return m->period_end && now >= m->period_end + DAY;
}

/* The decision and the record, inside the transaction. */
static vouch_rc cancel_record(vouch_ctx *ctx, vouch_store *st,
                              const char *user, bool delete_profile,
                              vouch_membership *m)
{
  char detail[160], date[16];
  time_t now = time(NULL);
  vouch_rc rc;

  rc = vouch_store_membership_get(st, user, m);
  if(rc)
    return rc;
  if(!m->plan || period_over(m, now)) {
    vouch_audit(ctx, user, "membership.cancel-refused",
                m->plan ? "period already ended" : "no membership");
    return VOUCH_ERR_DENIED;
  }
  if(m->cancelled) {
    vouch_audit(ctx, user, "membership.cancel-refused", "already cancelled");
    return VOUCH_ERR_EXISTS;
  }
  rc = vouch_store_cancel_set(st, user, now, delete_profile);
  vouch_format_date(m->period_end, date, sizeof(date));
  snprintf(detail, sizeof(detail), "plan=%s until=%s delete_profile=%s",
           m->plan, date, delete_profile ? "yes" : "no");
  if(!rc)
    rc = vouch_audit(ctx, user, "membership.cancelled", detail);
  return rc;
}

vouch_rc vouch_membership_cancel(vouch_ctx *ctx, const char *user,
                                 bool delete_profile, vouch_rc *mail)
{
  vouch_membership m = {0};
  const char *pairs[5];
  char date[16];
  vouch_store *st;
  vouch_rc rc, sent;

  if(mail)
    *mail = VOUCH_OK;
  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = cancel_record(ctx, st, user, delete_profile, &m);
  /* A refusal's audit record is kept as well. */
  if(!rc || rc == VOUCH_ERR_DENIED || rc == VOUCH_ERR_EXISTS) {
    vouch_rc crc = vouch_store_commit(st);
    if(crc)
      rc = crc;
  }
  vouch_store_rollback(st);
  if(rc)
    goto out;
  vouch_format_date(m.period_end, date, sizeof(date));
  pairs[0] = "plan";
  pairs[1] = m.plan;
  pairs[2] = "date";
  pairs[3] = date;
  pairs[4] = NULL;
  sent = vouch_notify(ctx, user, "cancelled-email", pairs);
  if(mail)
    *mail = sent;
out:
  vouch_membership_clear(&m);
  return rc;
}

static vouch_rc undo_record(vouch_ctx *ctx, vouch_store *st, const char *user)
{
  vouch_membership m = {0};
  vouch_rc rc;

  rc = vouch_store_membership_get(st, user, &m);
  if(rc)
    goto out;
  if(!m.plan || !m.cancelled) {
    rc = VOUCH_ERR_DENIED;
    goto out;
  }
  if(period_over(&m, time(NULL))) {
    vouch_audit(ctx, user, "membership.restore-refused", "period ended");
    rc = VOUCH_ERR_EXPIRED;
    goto out;
  }
  rc = vouch_store_cancel_set(st, user, 0, false);
  if(!rc)
    rc = vouch_audit(ctx, user, "membership.restored", m.plan);
out:
  vouch_membership_clear(&m);
  return rc;
}

vouch_rc vouch_membership_undo(vouch_ctx *ctx, const char *user)
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
  rc = undo_record(ctx, st, user);
  if(!rc || rc == VOUCH_ERR_EXPIRED) {
    vouch_rc crc = vouch_store_commit(st);
    if(crc)
      rc = crc;
  }
  vouch_store_rollback(st);
  return rc;
}

vouch_rc vouch_profile_erase(vouch_ctx *ctx, const char *user)
{
  vouch_store *st;
  vouch_rc rc;

  if(!vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_ctx_store(ctx, &st);
  if(rc)
    return rc;
  /* Archives first: a failure leaves the data and the job to a rerun. */
  rc = vouch_export_forget(ctx, user);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_profile_erase(st, user, time(NULL));
  if(!rc)
    rc = vouch_audit(ctx, user, "profile.deleted",
                     "personal data removed after the period end");
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  return rc;
}

vouch_rc vouch_membership_apply_due(vouch_ctx *ctx,
                                    void (*fn)(void *arg, const char *user,
                                               vouch_rc rc),
                                    void *arg, unsigned *count)
{
  char **names = NULL;
  size_t i, n = 0;
  vouch_store *st;
  vouch_rc rc, first = VOUCH_OK;

  if(count)
    *count = 0;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_cancel_due(st, time(NULL), &names, &n);
  if(rc)
    return rc;
  /* One account's failure does not hold the others back. */
  for(i = 0; i < n; i++) {
    rc = vouch_profile_erase(ctx, names[i]);
    if(fn)
      fn(arg, names[i], rc);
    if(!rc && count)
      (*count)++;
    if(rc && !first)
      first = rc;
  }
  vouch_store_free_list(names, n);
  return first;
}
