/*
 * pam_vouch_otp.c - the security check by a one-time code sent by email
 * or SMS.  At the code prompt "r" sends the code again and "a" tries
 * another way.
 * A client of vouchd: the decisions and texts are the daemon's
 * (daemon/flow_otp.c).
 */
#include "vouch_pam_client.h"

VOUCH_PAM_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags,
                                         int argc, const char **argv)
{
  struct vouch_pam_req req = {"otp", "auth", true, PAM_AUTHINFO_UNAVAIL};

  return vouch_client_pam(pamh, &req, flags, argc, argv);
}

VOUCH_PAM_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
                                    const char **argv)
{
  (void)pamh;
  (void)flags;
  (void)argc;
  (void)argv;
  return PAM_SUCCESS;
}
