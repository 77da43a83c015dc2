/*
 * pam_vouch_password.c - PAM entry points for passwords: auth (check),
 * account (locked, reset required, membership ended) and password
 * (change with history).  A client of vouchd: the decisions and texts are
 * the daemon's (daemon/flow_password.c).
 */
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

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

/* The account phase while vouchd cannot be reached is the line's choice,
 * said out loud: vouchd_down=fail (the default, PAM_AUTHINFO_UNAVAIL) or
 * vouchd_down=ignore (PAM_IGNORE, logged): never a silent pass. */
VOUCH_PAM_EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
                                      const char **argv)
{
  struct vouch_pam_req req = {"password", "account", true,
                              PAM_AUTHINFO_UNAVAIL};
  int i;

  for(i = 0; i < argc; i++) {
    if(strncmp(argv[i], "vouchd_down=", 12))
      continue;
    if(!strcmp(argv[i] + 12, "ignore"))
      req.down_rc = PAM_IGNORE;
    else if(strcmp(argv[i] + 12, "fail")) {
      pam_syslog(pamh, LOG_ERR, "%s: use vouchd_down=fail or ignore", argv[i]);
      return PAM_SERVICE_ERR;
    }
  }
  return vouch_client_pam(pamh, &req, flags, argc, argv);
}

VOUCH_PAM_EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
                                      const char **argv)
{
  return run(pamh, "password", flags, argc, argv);
}
