/*
 * pam_util.c - argument parsing, conversation and messages shared by all
 * vouch PAM modules, so that each module holds only its entry points.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "vouch_pam.h"

static void pam_log(void *arg, int priority, const char *msg)
{
  pam_syslog((pam_handle_t *)arg, priority, "%s", msg);
}

/* Matches arg against the module's options; true when it was one. */
static bool module_opt(vouch_pam_opt *opts, const char *arg)
{
  size_t n;

  for(; opts && opts->name; opts++) {
    n = strlen(opts->name);
    if(n && opts->name[n - 1] == '=') {
      if(!strncmp(arg, opts->name, n)) {
        opts->set = true;
        opts->value = arg + n;
        return true;
      }
    }
    else if(!strcmp(arg, opts->name)) {
      opts->set = true;
      return true;
    }
  }
  return false;
}

/* SECTION.KEY=VALUE through the one configuration setter.  The delivery
 * helper reads the file again: [email] and [sms] keys go to it with each
 * message. */
static vouch_rc override(vouch_ctx *ctx, const char *arg)
{
  vouch_rc rc;

  rc = vouch_config_set_arg(ctx->cfg, arg, "PAM argument", ctx->log,
                            ctx->logarg);
  if(!rc)
    rc = vouch_config_pass_on(ctx->cfg, arg);
  return rc;
}

static int open_ctx(pam_handle_t *pamh, int argc, const char **argv,
                    vouch_ctx **out)
{
  const void *svc = NULL;
  const char *conf = NULL;
  vouch_rc rc;
  int i;

  for(i = 0; i < argc; i++)
    if(!strncmp(argv[i], "conf=", 5))
      conf = argv[i] + 5;
  if(conf && conf[0] != '/') {
    pam_syslog(pamh, LOG_ERR, "conf=%s: not an absolute path", conf);
    return PAM_SERVICE_ERR;
  }
  if(pam_get_item(pamh, PAM_SERVICE, &svc) != PAM_SUCCESS)
    svc = NULL;
  rc = vouch_ctx_new(conf, svc, pam_log, pamh, out);
  if(rc)
    return vouch_rc_to_pam(rc == VOUCH_ERR_SYSTEM ? VOUCH_ERR_CONFIG : rc);
  return PAM_SUCCESS;
}

int vouch_pam_open(pam_handle_t *pamh, int argc, const char **argv,
                   vouch_pam_opt *opts, vouch_ctx **out)
{
  vouch_ctx *ctx = NULL;
  int i, ret, bad = 0;

  *out = NULL;
  ret = open_ctx(pamh, argc, argv, &ctx);
  if(ret != PAM_SUCCESS)
    return ret;
  for(i = 0; i < argc; i++) {
    if(!strncmp(argv[i], "conf=", 5))
      continue;
    if(!strcmp(argv[i], "debug"))
      ctx->debug = true;
    else if(module_opt(opts, argv[i]))
      continue;
    else if(strchr(argv[i], '.') && strchr(argv[i], '=')) {
      if(override(ctx, argv[i]))
        bad++;
    }
    else {
      pam_syslog(pamh, LOG_ERR, "unknown option: %s", argv[i]);
      bad++;
    }
  }
  if(!bad && vouch_config_check(ctx->cfg, ctx->log, ctx->logarg))
    bad++;
  if(bad) {
    vouch_ctx_free(ctx);
    return PAM_SERVICE_ERR;
  }
  *out = ctx;
  return PAM_SUCCESS;
}

int vouch_pam_ask(pam_handle_t *pamh, int style, const char *prompt,
                  char **answer)
{
  char *resp = NULL;
  int ret;

  *answer = NULL;
  ret = pam_prompt(pamh, style, &resp, "%s", prompt);
  if(ret != PAM_SUCCESS) {
    vouch_free_secret(resp);
    return ret == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_CONV_ERR;
  }
  if(!resp)
    return PAM_CONV_ERR;
  *answer = resp;
  return PAM_SUCCESS;
}

void vouch_pam_say(pam_handle_t *pamh, int flags, int style, const char *text)
{
  if(flags & PAM_SILENT)
    return;
  (void)pam_prompt(pamh, style, NULL, "%s", text);
}

const char *vouch_pam_user(pam_handle_t *pamh, int *pam_rc)
{
  const char *user = NULL;

  *pam_rc = pam_get_user(pamh, &user, NULL);
  if(*pam_rc != PAM_SUCCESS)
    return NULL;
  if(!user || !*user) {
    *pam_rc = PAM_USER_UNKNOWN;
    return NULL;
  }
  return user;
}
