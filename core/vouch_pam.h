/*
 * vouch_pam.h - what the PAM modules share: argument parsing into a
 * context, the conversation, and the mapping of results to PAM codes with
 * the message a person sees.  Only modules include it.
 */
#ifndef VOUCH_PAM_H
#define VOUCH_PAM_H

#include <security/pam_appl.h>
#include <security/pam_modules.h>

#include "vouch.h"

/* The entry points are the only symbols a module exports: everything is
 * built with -fvisibility=hidden and the linker script keeps pam_sm_*. */
#define VOUCH_PAM_EXPORT __attribute__((visibility("default"))) PAM_EXTERN

/* What follows is part of the shared core's interface (see vouch.h). */
#pragma GCC visibility push(default)

/* A module option: "name" is a flag, "name=" takes a value. */
typedef struct vouch_pam_opt {
  const char *name;
  bool set;
  const char *value;
} vouch_pam_opt;

/* Parses argv: conf=, debug, the module's own opts (array ending with a
 * NULL name) and SECTION.KEY=VALUE overrides of the configuration, then
 * opens the context.  Every problem is logged to syslog; returns a PAM
 * code (PAM_SUCCESS, PAM_SERVICE_ERR, PAM_BUF_ERR, ...). */
int vouch_pam_open(pam_handle_t *pamh, int argc, const char **argv,
                   vouch_pam_opt *opts, vouch_ctx **out);
/* Asks one question (PAM_PROMPT_ECHO_OFF or _ON); *answer is a new string
 * the caller frees with vouch_free_secret. */
int vouch_pam_ask(pam_handle_t *pamh, int style, const char *prompt,
                  char **answer);
/* Shows text as PAM_ERROR_MSG or PAM_TEXT_INFO (not with PAM_SILENT). */
void vouch_pam_say(pam_handle_t *pamh, int flags, int style, const char *text);
/* The user name, or NULL with a PAM code in *pam_rc. */
const char *vouch_pam_user(pam_handle_t *pamh, int *pam_rc);

#pragma GCC visibility pop

#endif /* VOUCH_PAM_H */
