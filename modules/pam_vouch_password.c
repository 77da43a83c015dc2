/*
 * pam_vouch_password.c - PAM entry points for passwords: auth (check),
 * account (locked, reset required, membership ended) and password
 * (change with history).  A client of vouchd: the decisions and texts are
 * the daemon's (daemon/flow_password.c).
 */
#include "vouch_pam_client.h"

static int run(pam_handle_t *pamh, const char *phase, int flags, int argc,
               const char **argv)
{
  struct vouch_pam_req req = {"password", phase, true, PAM_AUTHINFO_UNAVAIL};

  return vouch_client_pam(pamh, &req, flags, argc, argv);
}

VOUCH_PAM_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags,
                                         int argc, const char **argv)
{
  return run(pamh, "auth", flags, argc, argv);
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

VOUCH_PAM_EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
                                      const char **argv)
{
  return run(pamh, "account", flags, argc, argv);
}

VOUCH_PAM_EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
                                      const char **argv)
{
  return run(pamh, "password", flags, argc, argv);
}
