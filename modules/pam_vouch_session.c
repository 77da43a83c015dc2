/*
 * pam_vouch_session.c - PAM session entry points: records each session
 * (service, tty, remote host, leader pid) so that it can be listed and
 * signed out everywhere, and marks it ended when it closes.  A client of
 * vouchd (daemon/flow_session.c); the session's id stays in the PAM
 * handle for close and for pam_vouch_password's logout_all.
 */
#include "vouch_pam_client.h"

VOUCH_PAM_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags,
                                         int argc, const char **argv)
{
  struct vouch_pam_req req = {"session", "open", true, PAM_SESSION_ERR};

  return vouch_client_pam(pamh, &req, flags, argc, argv);
}

VOUCH_PAM_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags,
                                          int argc, const char **argv)
{
  struct vouch_pam_req req = {"session", "close", true, PAM_SESSION_ERR};

  return vouch_client_pam(pamh, &req, flags, argc, argv);
}
