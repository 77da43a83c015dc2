/*
 * vouch_pam_client.h - the one function a vouch PAM module calls: it
 * relays one PAM request to vouchd (see pam_client.c).
 */
#ifndef VOUCH_PAM_CLIENT_H
#define VOUCH_PAM_CLIENT_H

#include <stdbool.h>

#include <security/pam_appl.h>
#include <security/pam_modules.h>

#include "vouch_client.h"

/* The entry points are the only symbols a module exports: everything is
 * built with -fvisibility=hidden and the linker script keeps pam_sm_*. */
#define VOUCH_PAM_EXPORT __attribute__((visibility("default"))) PAM_EXTERN

struct vouch_pam_req {
  const char *module; /* password otp card session device */
  const char *phase;  /* auth account password open close */
  bool need_user;     /* asks PAM for the user name first */
  int down_rc;        /* the code when vouchd cannot be reached */
};

int vouch_client_pam(pam_handle_t *pamh, const struct vouch_pam_req *req,
                     int flags, int argc, const char **argv);

/* pam_vouch_session's open (true) or close: one record even when the
 * module is stacked twice; without the "strict" option every failure is
 * logged and PAM_IGNORE, never the end of a login. */
int vouch_client_session(pam_handle_t *pamh, bool open, int flags, int argc,
                         const char **argv);

#endif /* VOUCH_PAM_CLIENT_H */
