/*
 * pam_vouch_session.c - PAM session entry points: records each session
 * (service, tty, remote host, leader pid) so that it can be listed and
 * signed out everywhere, and marks it ended when it closes.  A client of
 * vouchd (daemon/flow_session.c); the session's id stays in the PAM
 * handle for close and for pam_vouch_password's logout_all.
 *
 * Recording is bookkeeping, not a verdict: a bad configuration, a vouchd
 * that cannot be reached or a user without an account never fails the
 * login (logged, PAM_IGNORE) unless the line says "strict".
 */
#include "vouch_pam_client.h"

VOUCH_PAM_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags,
                                         int argc, const char **argv)
{
  return vouch_client_session(pamh, true, flags, argc, argv);
}

VOUCH_PAM_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags,
                                          int argc, const char **argv)
{
  return vouch_client_session(pamh, false, flags, argc, argv);
}
