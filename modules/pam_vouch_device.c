/*
 * pam_vouch_device.c - sign-in for a device without a keyboard: shows a
 * sign-in code and waits until a member approves it elsewhere (then
 * PAM_USER becomes that member), or until [device] code_ttl passes.
 * A client of vouchd: the decisions and texts are the daemon's
 * (daemon/flow_device.c).
 */
#include "vouch_pam_client.h"

VOUCH_PAM_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags,
                                         int argc, const char **argv)
{
  struct vouch_pam_req req = {"device", "auth", false, PAM_AUTHINFO_UNAVAIL};

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
