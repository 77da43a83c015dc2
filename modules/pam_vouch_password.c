/*
 * pam_vouch_password.c - PAM entry points for passwords: auth (check),
 * account (locked, reset required, membership ended) and password
 * (change with history).  The logic is in core/password.c.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "vouch_pam.h"

#define OPT_USE_FIRST 0
#define OPT_TRY_FIRST 1
#define OPT_USE_AUTHTOK 2
#define OPT_LOGOUT_ALL 3

#define OPTIONS                                                               \
  {                                                                           \
    {"use_first_pass", false, NULL}, {"try_first_pass", false, NULL},         \
        {"use_authtok", false, NULL}, {"logout_all", false, NULL},            \
    {                                                                         \
      NULL, false, NULL                                                       \
    }                                                                         \
  }

/* A password: the stored item when the options ask for it, else asked. */
static int get_secret(pam_handle_t *pamh, int item, bool use_item,
                      bool must_use_item, const char *prompt, char **out)
{
  const void *stored = NULL;
  int ret;

  *out = NULL;
  if(use_item || must_use_item) {
    ret = pam_get_item(pamh, item, &stored);
    if(ret == PAM_SUCCESS && stored) {
      *out = strdup(stored);
      return *out ? PAM_SUCCESS : PAM_BUF_ERR;
    }
    if(must_use_item)
      return item == PAM_AUTHTOK ? PAM_AUTH_ERR : PAM_AUTHTOK_ERR;
  }
  return vouch_pam_ask(pamh, PAM_PROMPT_ECHO_OFF, prompt, out);
}

VOUCH_PAM_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags,
                                         int argc, const char **argv)
{
  vouch_pam_opt opts[] = OPTIONS;
  vouch_ctx *ctx = NULL;
  const char *user, *lang;
  char *pw = NULL;
  vouch_rc rc;
  int ret;

  ret = vouch_pam_open(pamh, argc, argv, opts, &ctx);
  if(ret != PAM_SUCCESS)
    return ret;
  user = vouch_pam_user(pamh, &ret);
  if(!user)
    goto out;
  lang = vouch_user_lang(ctx, user);
  ret = get_secret(pamh, PAM_AUTHTOK, opts[OPT_TRY_FIRST].set,
                   opts[OPT_USE_FIRST].set,
                   vouch_msg(lang, VOUCH_MSG_PASSWORD_PROMPT), &pw);
  if(ret != PAM_SUCCESS)
    goto out;
  rc = vouch_password_check(ctx, user, pw);
  if(rc == VOUCH_ERR_AUTH && opts[OPT_TRY_FIRST].set) {
    /* try_first_pass: the earlier module's password was not ours; ask. */
    vouch_free_secret(pw);
    ret = vouch_pam_ask(pamh, PAM_PROMPT_ECHO_OFF,
                        vouch_msg(lang, VOUCH_MSG_PASSWORD_PROMPT), &pw);
    if(ret != PAM_SUCCESS)
      goto out;
    rc = vouch_password_check(ctx, user, pw);
  }
  if(rc == VOUCH_ERR_LOCKED)
    vouch_pam_say(pamh, flags, PAM_ERROR_MSG,
                  vouch_msg(lang, VOUCH_MSG_LOCKED));
  ret = vouch_rc_to_pam(rc);
  if(ret == PAM_SUCCESS)
    ret = pam_set_item(pamh, PAM_AUTHTOK, pw);
  vouch_log(ctx, LOG_DEBUG, "auth %s: %s", user, vouch_strerror(rc));
out:
  vouch_free_secret(pw);
  vouch_ctx_free(ctx);
  return ret;
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
  vouch_pam_opt opts[] = OPTIONS;
  vouch_ctx *ctx = NULL;
  const char *user, *lang;
  char msg[512], day[16];
  time_t end = 0;
  vouch_rc rc;
  int ret;

  ret = vouch_pam_open(pamh, argc, argv, opts, &ctx);
  if(ret != PAM_SUCCESS)
    return ret;
  user = vouch_pam_user(pamh, &ret);
  if(!user)
    goto out;
  rc = vouch_account_check(ctx, user, &end);
  lang = vouch_user_lang(ctx, user);
  if(rc == VOUCH_ERR_LOCKED) {
    vouch_pam_say(pamh, flags, PAM_ERROR_MSG,
                  vouch_msg(lang, VOUCH_MSG_LOCKED));
    rc = VOUCH_ERR_RESET_REQUIRED; /* the way out is a new password */
  }
  else if(rc == VOUCH_ERR_RESET_REQUIRED)
    vouch_pam_say(pamh, flags, PAM_ERROR_MSG,
                  vouch_msg(lang, VOUCH_MSG_RESET_REQUIRED));
  else if(rc == VOUCH_ERR_EXPIRED) {
    vouch_format_date(end, day, sizeof(day));
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_EXPIRED, day);
    vouch_pam_say(pamh, flags, PAM_ERROR_MSG, msg);
  }
  ret = vouch_rc_to_pam(rc);
out:
  vouch_ctx_free(ctx);
  return ret;
}

/* The person's message for a refused new password. */
static void say_refusal(pam_handle_t *pamh, int flags, vouch_ctx *ctx,
                        const char *lang, vouch_rc rc)
{
  char msg[512];

  switch(rc) {
  case VOUCH_ERR_PW_SHORT:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_PW_SHORT,
               ctx->cfg->pw_min_length);
    break;
  case VOUCH_ERR_PW_LONG:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_PW_LONG,
               ctx->cfg->pw_max_length);
    break;
  case VOUCH_ERR_PW_REUSED:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_PW_REUSED);
    break;
  case VOUCH_ERR_INPUT:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_PW_INVALID);
    break;
  case VOUCH_ERR_PW_MISMATCH:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_PW_MISMATCH);
    break;
  case VOUCH_ERR_LOCKED:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_LOCKED);
    break;
  default:
    return;
  }
  vouch_pam_say(pamh, flags, PAM_ERROR_MSG, msg);
}

/* Asks for the new password twice and judges it before it is set. */
static vouch_rc ask_new(pam_handle_t *pamh, vouch_ctx *ctx, const char *user,
                        const char *lang, bool use_authtok, char **out)
{
  char *again = NULL;
  vouch_rc rc;

  *out = NULL;
  if(get_secret(pamh, PAM_AUTHTOK, use_authtok, use_authtok,
                vouch_msg(lang, VOUCH_MSG_NEW_PASSWORD), out))
    return VOUCH_ERR_CONV;
  rc = vouch_password_acceptable(ctx, user, *out);
  if(rc || use_authtok)
    goto out;
  if(vouch_pam_ask(pamh, PAM_PROMPT_ECHO_OFF,
                   vouch_msg(lang, VOUCH_MSG_RETYPE_PASSWORD), &again))
    rc = VOUCH_ERR_CONV;
  else if(strcmp(*out, again))
    rc = VOUCH_ERR_PW_MISMATCH;
out:
  vouch_free_secret(again);
  if(rc) {
    vouch_free_secret(*out);
    *out = NULL;
  }
  return rc;
}

/* logout_all: every other session of user ends; the caller's own, when
 * pam_vouch_session recorded one in this handle, stays. */
static vouch_rc logout_others(pam_handle_t *pamh, vouch_ctx *ctx,
                              const char *user)
{
  const void *data = NULL;
  int64_t keep = 0;
  unsigned count = 0;
  vouch_rc rc;

  if(pam_get_data(pamh, VOUCH_SESSION_DATA, &data) == PAM_SUCCESS && data)
    keep = *(const int64_t *)data;
  rc = vouch_sessions_revoke(ctx, user, keep, &count);
  if(rc)
    vouch_log(ctx, LOG_ERR,
              "password of %s changed, but signing out its "
              "other sessions failed: %s",
              user, vouch_strerror(rc));
  else
    vouch_log(ctx, LOG_DEBUG, "%u other sessions of %s ended", count, user);
  return rc;
}

static int change(pam_handle_t *pamh, int flags, vouch_ctx *ctx,
                  const char *user, const vouch_pam_opt *opts)
{
  const char *lang = vouch_user_lang(ctx, user);
  char *old = NULL, *pw = NULL;
  vouch_rc rc = VOUCH_OK;
  int ret;

  /* Like pam_unix: root changing a password is not asked the current
   * one, unless the change is the forced one at sign-in. */
  if(getuid() != 0 || (flags & PAM_CHANGE_EXPIRED_AUTHTOK)) {
    ret = get_secret(pamh, PAM_OLDAUTHTOK, opts[OPT_TRY_FIRST].set,
                     opts[OPT_USE_FIRST].set,
                     vouch_msg(lang, VOUCH_MSG_CURRENT_PASSWORD), &old);
    if(ret != PAM_SUCCESS)
      return ret;
    rc = vouch_password_check(ctx, user, old);
  }
  if(!rc)
    rc = ask_new(pamh, ctx, user, lang, opts[OPT_USE_AUTHTOK].set, &pw);
  if(!rc)
    rc = vouch_password_set(ctx, user, pw, false);
  if(!rc && opts[OPT_LOGOUT_ALL].set)
    rc = logout_others(pamh, ctx, user);
  say_refusal(pamh, flags, ctx, lang, rc);
  ret = vouch_rc_to_pam(rc);
  if(!rc) {
    vouch_pam_say(pamh, flags, PAM_TEXT_INFO,
                  vouch_msg(lang, VOUCH_MSG_PW_CHANGED));
    ret = pam_set_item(pamh, PAM_AUTHTOK, pw);
  }
  vouch_free_secret(old);
  vouch_free_secret(pw);
  return ret;
}

VOUCH_PAM_EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
                                      const char **argv)
{
  vouch_pam_opt opts[] = OPTIONS;
  vouch_ctx *ctx = NULL;
  const char *user;
  int ret;

  ret = vouch_pam_open(pamh, argc, argv, opts, &ctx);
  if(ret != PAM_SUCCESS)
    return ret;
  user = vouch_pam_user(pamh, &ret);
  if(!user)
    goto out;
  if(flags & PAM_PRELIM_CHECK)
    ret = vouch_rc_to_pam(vouch_account_exists(ctx, user));
  else
    ret = change(pamh, flags, ctx, user, opts);
out:
  vouch_ctx_free(ctx);
  return ret;
}
