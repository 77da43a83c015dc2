/*
 * flow_password.c - pam_vouch_password's requests: auth (check), account
 * (locked, reset required, membership ended) and password (change with
 * history).  The logic is in core/password.c; this is the conversation.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "vouchd.h"

#define OPT_USE_FIRST 0
#define OPT_TRY_FIRST 1
#define OPT_USE_AUTHTOK 2
#define OPT_LOGOUT_ALL 3
#define OPT_RESET 4
#define OPT_DOWN 5

#define OPTIONS                                                               \
  {                                                                           \
    {"use_first_pass", false, NULL}, {"try_first_pass", false, NULL},         \
        {"use_authtok", false, NULL}, {"logout_all", false, NULL},            \
        {"reset=", false, NULL}, {"vouchd_down=", false, NULL},               \
    {                                                                         \
      NULL, false, NULL                                                       \
    }                                                                         \
  }

/* reset= and vouchd_down= say what the account phase does: on another
 * phase's line they would promise what nothing does. */
static int account_only(vd_req *r, const vd_opt *opts)
{
  if(!opts[OPT_RESET].set && !opts[OPT_DOWN].set)
    return PAM_SUCCESS;
  vouch_log(r->ctx, LOG_ERR, "%s: an option of the account phase only",
            opts[OPT_RESET].set ? "reset=" : "vouchd_down=");
  return PAM_SERVICE_ERR;
}

/* A password: the module's item when the options ask for it, else asked. */
static int get_secret(vd_req *r, const char *item, bool use_item,
                      bool must_use_item, const char *prompt, char **out)
{
  int ret;

  *out = NULL;
  if(use_item || must_use_item) {
    ret = vd_get_item(r, item, out);
    if(ret != PAM_SUCCESS || *out)
      return ret;
    if(must_use_item)
      return strcmp(item, "authtok") ? PAM_AUTHTOK_ERR : PAM_AUTH_ERR;
  }
  return vd_ask(r, PAM_PROMPT_ECHO_OFF, prompt, out);
}

int vd_password_auth(vd_req *r)
{
  vd_opt opts[] = OPTIONS;
  const char *user, *lang;
  char *pw = NULL;
  vouch_rc rc;
  int ret;

  user = vd_open_user(r, opts, &ret);
  if(!user)
    goto out;
  ret = account_only(r, opts);
  if(ret != PAM_SUCCESS)
    goto out;
  lang = vouch_user_lang(r->ctx, user);
  ret = get_secret(r, "authtok", opts[OPT_TRY_FIRST].set,
                   opts[OPT_USE_FIRST].set,
                   vouch_msg(lang, VOUCH_MSG_PASSWORD_PROMPT), &pw);
  if(ret != PAM_SUCCESS)
    goto out;
  if(vd_nonmember(r, user)) {
    /* The password goes on to the next module (try_first_pass). */
    ret = vd_set_item(r, "authtok", pw);
    if(ret == PAM_SUCCESS)
      ret = PAM_IGNORE;
    goto out;
  }
  rc = vouch_password_check(r->ctx, user, pw);
  if(rc == VOUCH_ERR_AUTH && opts[OPT_TRY_FIRST].set) {
    /* try_first_pass: the earlier module's password was not ours; ask. */
    vouch_free_secret(pw);
    ret = vd_ask(r, PAM_PROMPT_ECHO_OFF,
                 vouch_msg(lang, VOUCH_MSG_PASSWORD_PROMPT), &pw);
    if(ret != PAM_SUCCESS)
      goto out;
    rc = vouch_password_check(r->ctx, user, pw);
  }
  /* A name whose decoy check locked itself answers as a locked member. */
  if(rc == VOUCH_ERR_NO_USER && vd_decoy_locked(user))
    rc = VOUCH_ERR_LOCKED;
  if(rc == VOUCH_ERR_LOCKED)
    vd_say(r, PAM_ERROR_MSG, vouch_msg(lang, VOUCH_MSG_LOCKED));
  ret = vouch_rc_to_pam(rc);
  if(ret == PAM_SUCCESS)
    ret = vd_set_item(r, "authtok", pw);
  /* A name with no account is often a mistyped password: never logged. */
  vouch_log(r->ctx, LOG_DEBUG, "auth %s: %s",
            rc == VOUCH_ERR_NO_USER ? "(a name with no account)" : user,
            vouch_strerror(rc));
out:
  vouch_free_secret(pw);
  return ret;
}

int vd_password_account(vd_req *r)
{
  vd_opt opts[] = OPTIONS;
  const char *user, *lang;
  char msg[512], day[16];
  bool reset_deny = false;
  time_t end = 0;
  vouch_rc rc;
  int ret;

  user = vd_open_user(r, opts, &ret);
  if(!user)
    return ret;
  if(opts[OPT_RESET].set && strcmp(opts[OPT_RESET].value, "change")) {
    if(strcmp(opts[OPT_RESET].value, "deny")) {
      vouch_log(r->ctx, LOG_ERR, "reset=%.40s: use change or deny",
                opts[OPT_RESET].value);
      return PAM_SERVICE_ERR;
    }
    reset_deny = true;
  }
  if(vd_nonmember(r, user))
    return PAM_IGNORE;
  rc = vouch_account_check(r->ctx, user, &end);
  lang = vouch_user_lang(r->ctx, user);
  if(rc == VOUCH_ERR_LOCKED) {
    vd_say(r, PAM_ERROR_MSG, vouch_msg(lang, VOUCH_MSG_LOCKED));
    rc = VOUCH_ERR_RESET_REQUIRED; /* the way out is a new password */
  }
  else if(rc == VOUCH_ERR_RESET_REQUIRED && reset_deny) {
    /* The stack's password phase is not vouch's (a pam-auth-update
     * profile): PAM_NEW_AUTHTOK_REQD would change another password. */
    vd_say(r, PAM_ERROR_MSG, vouch_msg(lang, VOUCH_MSG_RESET_ELSEWHERE));
    return PAM_PERM_DENIED;
  }
  else if(rc == VOUCH_ERR_RESET_REQUIRED)
    vd_say(r, PAM_ERROR_MSG, vouch_msg(lang, VOUCH_MSG_RESET_REQUIRED));
  else if(rc == VOUCH_ERR_EXPIRED) {
    vouch_format_date(end, day, sizeof(day));
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_EXPIRED, day);
    vd_say(r, PAM_ERROR_MSG, msg);
  }
  return vouch_rc_to_pam(rc);
}

/* The person's message for a refused new password. */
static void say_refusal(vd_req *r, const char *lang, vouch_rc rc)
{
  const vouch_config *cfg = r->ctx->cfg;
  char msg[512];

  switch(rc) {
  case VOUCH_ERR_PW_SHORT:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_PW_SHORT, cfg->pw_min_length);
    break;
  case VOUCH_ERR_PW_LONG:
    vouch_msgf(msg, sizeof(msg), lang, VOUCH_MSG_PW_LONG, cfg->pw_max_length);
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
  vd_say(r, PAM_ERROR_MSG, msg);
}

/* Asks for the new password twice and judges it before it is set. */
static vouch_rc ask_new(vd_req *r, const char *user, const char *lang,
                        bool use_authtok, char **out)
{
  char *again = NULL;
  vouch_rc rc;

  *out = NULL;
  if(get_secret(r, "authtok", use_authtok, use_authtok,
                vouch_msg(lang, VOUCH_MSG_NEW_PASSWORD), out))
    return VOUCH_ERR_CONV;
  rc = vouch_password_acceptable(r->ctx, user, *out);
  if(rc || use_authtok)
    goto out;
  if(vd_ask(r, PAM_PROMPT_ECHO_OFF, vouch_msg(lang, VOUCH_MSG_RETYPE_PASSWORD),
            &again))
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

/* The session pam_vouch_session recorded in the module's handle, 0 when
 * none. */
static int64_t own_session(vd_req *r)
{
  char *id = NULL;
  long long v = 0;

  if(vd_get_item(r, "session", &id) == PAM_SUCCESS && id &&
     !vouch_frame_num(id, 1, INT64_MAX, &v))
    v = 0;
  free(id);
  return v;
}

/* logout_all: every other session of user ends; the caller's own, when
 * pam_vouch_session recorded one in this handle, stays. */
static vouch_rc logout_others(vd_req *r, const char *user)
{
  unsigned count = 0;
  vouch_rc rc;

  rc = vouch_sessions_revoke(r->ctx, user, own_session(r), &count);
  if(rc)
    vouch_log(r->ctx, LOG_ERR,
              "password of %s changed, but signing out its "
              "other sessions failed: %s",
              user, vouch_strerror(rc));
  else
    vouch_log(r->ctx, LOG_DEBUG, "%u other sessions of %s ended", count, user);
  return rc;
}

static int change(vd_req *r, const char *user, const vd_opt *opts)
{
  const char *lang = vouch_user_lang(r->ctx, user);
  char *old = NULL, *pw = NULL;
  vouch_rc rc = VOUCH_OK;
  int ret;

  /* Like pam_unix: root changing a password is not asked the current
   * one, unless the change is the forced one at sign-in. */
  if(r->ruid != 0 || (r->flags & PAM_CHANGE_EXPIRED_AUTHTOK)) {
    ret = get_secret(r, "oldauthtok", opts[OPT_TRY_FIRST].set,
                     opts[OPT_USE_FIRST].set,
                     vouch_msg(lang, VOUCH_MSG_CURRENT_PASSWORD), &old);
    if(ret != PAM_SUCCESS)
      return ret;
    rc = vouch_password_check(r->ctx, user, old);
  }
  if(!rc)
    rc = ask_new(r, user, lang, opts[OPT_USE_AUTHTOK].set, &pw);
  if(!rc)
    rc = vouch_password_set(r->ctx, user, pw, false);
  /* The member hears of every change, as after the tools' and a reset:
   * "Your password was changed". */
  if(!rc && vouch_notify(r->ctx, user, "password-changed-email", NULL))
    vouch_log(r->ctx, LOG_ERR,
              "password of %s changed, but the \"password changed\" "
              "email could not be sent",
              user);
  if(!rc && opts[OPT_LOGOUT_ALL].set)
    rc = logout_others(r, user);
  say_refusal(r, lang, rc);
  ret = vouch_rc_to_pam(rc);
  if(!rc) {
    vd_say(r, PAM_TEXT_INFO, vouch_msg(lang, VOUCH_MSG_PW_CHANGED));
    ret = vd_set_item(r, "authtok", pw);
  }
  vouch_free_secret(old);
  vouch_free_secret(pw);
  return ret;
}

int vd_password_change(vd_req *r)
{
  vd_opt opts[] = OPTIONS;
  const char *user;
  int ret;

  user = vd_open_user(r, opts, &ret);
  if(!user)
    return ret;
  ret = account_only(r, opts);
  if(ret != PAM_SUCCESS)
    return ret;
  if(vd_nonmember(r, user))
    return PAM_IGNORE;
  if(r->flags & PAM_PRELIM_CHECK)
    return vouch_rc_to_pam(vouch_account_exists(r->ctx, user));
  return change(r, user, opts);
}
