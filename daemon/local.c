/*
 * local.c - vouch-account's security check, run by vouchd's worker on
 * the terminal the member's tool handed over: no PAM service file, the
 * same flows as the modules.  The stack it stands for:
 *
 *   auth     requisite  pam_vouch_password
 *   auth     [success=done authinfo_unavail=ignore default=die]
 *                       pam_vouch_otp channel=any
 *   auth     required   pam_vouch_card
 *   account  required   pam_vouch_password
 */
#include <string.h>
#include <unistd.h>

#include "vouchd.h"
#include "worker.h"

/* One flow with its PAM line's arguments; the context goes with it. */
static int step(vd_req *r, int (*flow)(vd_req *), int argc, const char **argv)
{
  int ret;

  r->argc = argc;
  r->argv = argv;
  ret = flow(r);
  vouch_ctx_free(r->ctx);
  r->ctx = NULL;
  return ret;
}

int vd_local_check(const char *user, bool reset_ok)
{
  static const char *otp_args[] = {"channel=any"};
  const char *tty = ttyname(0);
  vd_req r;
  int ret;

  memset(&r, 0, sizeof(r));
  r.local = true;
  r.fd = -1;
  r.peer.pid = getpid();
  r.peer.uid = vouch_cli_caller();
  r.ruid = r.peer.uid;
  r.user = user;
  r.service = "vouch-account";
  r.tty = tty ? tty : "";
  r.rhost = "";
  r.ruser = user;
  ret = step(&r, vd_password_auth, 0, NULL);
  if(ret == PAM_SUCCESS) {
    ret = step(&r, vd_otp_auth, 1, otp_args);
    if(ret == PAM_AUTHINFO_UNAVAIL)
      ret = step(&r, vd_card_auth, 0, NULL);
  }
  if(ret == PAM_SUCCESS)
    ret = step(&r, vd_password_account, 0, NULL);
  if(ret == PAM_NEW_AUTHTOK_REQD && reset_ok)
    ret = PAM_SUCCESS;
  vouch_free_secret(r.authtok);
  return ret;
}
