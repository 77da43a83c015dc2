/*
 * flow_session.c - pam_vouch_session's requests: records each session
 * (service, tty, remote host, leader pid) so that it can be listed and
 * signed out everywhere, and marks it ended when it closes.  The logic is
 * in core/session.c.
 *
 * The leader is the process that asked: the PAM host (the peer of the
 * socket), never a pid a client names.  A session of a user vouch does
 * not know is none of its business: not recorded, PAM_IGNORE.  A store
 * that cannot record a session of a known user answers PAM_SESSION_ERR;
 * the module turns that into PAM_IGNORE unless its line says "strict".
 * The id goes back to the module's handle, where close and the password
 * change (logout_all) find it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "vouchd.h"

/* "strict" is the module's own (a failure refuses the session). */
#define OPTIONS                                                               \
  {                                                                           \
    {"strict", false, NULL},                                                  \
    {                                                                         \
      NULL, false, NULL                                                       \
    }                                                                         \
  }

int vd_session_open(vd_req *r)
{
  vd_opt opts[] = OPTIONS;
  char idbuf[32];
  int64_t id = 0;
  const char *user;
  vouch_rc rc;
  int ret;

  user = vd_open_user(r, opts, &ret);
  if(!user)
    return ret;
  rc = vouch_session_open(r->ctx, user, r->tty[0] ? r->tty : NULL,
                          r->rhost[0] ? r->rhost : NULL, (long)r->peer.pid,
                          &id);
  if(rc == VOUCH_ERR_NO_USER) {
    /* Not vouch's business, and the name is not logged. */
    vouch_log(r->ctx, LOG_DEBUG,
              "session of a name with no account: "
              "not recorded");
    return PAM_IGNORE;
  }
  vouch_log(r->ctx, LOG_DEBUG, "open session of %s: %s", user,
            vouch_strerror(rc));
  if(rc)
    return PAM_SESSION_ERR;
  snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
  return vd_set_item(r, "session", idbuf);
}

int vd_session_close(vd_req *r)
{
  vd_opt opts[] = OPTIONS;
  char *data = NULL;
  long long id;
  vouch_rc rc;
  int ret;

  ret = vd_open(r, opts);
  if(ret != PAM_SUCCESS)
    return ret;
  ret = vd_get_item(r, "session", &data);
  if(ret != PAM_SUCCESS)
    return PAM_SESSION_ERR;
  /* No id: this handle opened no session we recorded. */
  if(!data || !vouch_frame_num(data, 1, INT64_MAX, &id)) {
    free(data);
    return PAM_SUCCESS;
  }
  free(data);
  /* Only the owner's session, and from a non-root caller only through
   * its leader: nobody ends another's record to escape sign-out. */
  rc = vouch_session_close(r->ctx, (int64_t)id, r->user[0] ? r->user : "",
                           r->root ? 0 : (long)r->peer.pid);
  vouch_log(r->ctx, LOG_DEBUG, "close session %lld: %s", id,
            vouch_strerror(rc));
  /* The record went with its user: nothing is left to end. */
  if(rc && rc != VOUCH_ERR_NOT_FOUND)
    return PAM_SESSION_ERR;
  return PAM_SUCCESS;
}
