/*
 * audit.c - every security event goes to two places: the store's audit
 * table (kept when a user is deleted, listed by `vouchctl audit`) and
 * syslog's authpriv facility.  Callers pass no secrets; names are only
 * ever the validated user names of the store.
 */
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "vouch.h"
#include "store.h"

vouch_rc vouch_audit(vouch_ctx *ctx, const char *user, const char *event,
                     const char *detail)
{
  vouch_store *st;
  vouch_rc rc;

  syslog(LOG_AUTHPRIV | LOG_NOTICE, "vouch: %s user=%s service=%s%s%s", event,
         user ? user : "-", ctx->service[0] ? ctx->service : "-",
         detail ? " " : "", detail ? detail : "");
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_audit_add(st, time(NULL), user ? user : "", event,
                               ctx->service, detail ? detail : "");
  if(rc)
    vouch_log(ctx, LOG_ERR, "could not record audit event %s: %s", event,
              vouch_strerror(rc));
  return rc;
}
