/*
 * pam_vouch_session.c - PAM session entry points: records each session
 * (service, tty, remote host, leader pid) so that it can be listed and
 * signed out everywhere, and marks it ended when it closes.  The logic is
 * in core/session.c.
 *
 * A session of a user vouch does not know is none of its business: it is
 * not recorded and the module returns PAM_IGNORE.  A store that cannot
 * record a session of a known user fails closed: PAM_SESSION_ERR.
 */
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "vouch_pam.h"

static void free_id(pam_handle_t *pamh, void *data, int status)
{
  (void)pamh;
  (void)status;
  free(data);
}

/* The PAM item as a string, NULL when unset. */
static const char *item(pam_handle_t *pamh, int which)
{
  const void *v = NULL;

  if(pam_get_item(pamh, which, &v) != PAM_SUCCESS)
    return NULL;
  return v;
}

VOUCH_PAM_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags,
                                         int argc, const char **argv)
{
  vouch_ctx *ctx = NULL;
  int64_t *keep = NULL;
  int64_t id = 0;
  const char *user;
  vouch_rc rc;
  int ret;

  (void)flags;
  ret = vouch_pam_open(pamh, argc, argv, NULL, &ctx);
  if(ret != PAM_SUCCESS)
    return ret;
  user = vouch_pam_user(pamh, &ret);
  if(!user)
    goto out;
  rc = vouch_session_open(ctx, user, item(pamh, PAM_TTY),
                          item(pamh, PAM_RHOST), (long)getpid(), &id);
  vouch_log(ctx, LOG_DEBUG, "open session of %s: %s", user,
            vouch_strerror(rc));
  if(rc == VOUCH_ERR_NO_USER) {
    ret = PAM_IGNORE;
    goto out;
  }
  ret = PAM_SESSION_ERR;
  if(rc)
    goto out;
  keep = malloc(sizeof(*keep));
  if(!keep) {
    ret = PAM_BUF_ERR;
    goto out;
  }
  *keep = id;
  ret = pam_set_data(pamh, VOUCH_SESSION_DATA, keep, free_id);
  if(ret != PAM_SUCCESS)
    free(keep);
  else
    ret = PAM_SUCCESS;
out:
  vouch_ctx_free(ctx);
  return ret;
}

VOUCH_PAM_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags,
                                          int argc, const char **argv)
{
  const void *data = NULL;
  vouch_ctx *ctx = NULL;
  int64_t id;
  vouch_rc rc;
  int ret;

  (void)flags;
  ret = vouch_pam_open(pamh, argc, argv, NULL, &ctx);
  if(ret != PAM_SUCCESS)
    return ret;
  /* No id: this handle opened no session we recorded. */
  if(pam_get_data(pamh, VOUCH_SESSION_DATA, &data) != PAM_SUCCESS || !data)
    goto out;
  id = *(const int64_t *)data;
  rc = vouch_session_close(ctx, id);
  vouch_log(ctx, LOG_DEBUG, "close session %lld: %s", (long long)id,
            vouch_strerror(rc));
  /* The record went with its user: nothing is left to end. */
  if(rc && rc != VOUCH_ERR_NOT_FOUND)
    ret = PAM_SESSION_ERR;
out:
  vouch_ctx_free(ctx);
  return ret;
}
