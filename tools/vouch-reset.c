/*
 * vouch-reset - password reset: send a reset link by email or a code by
 * SMS, finish the reset with it and a new password, or recover an
 * account by full name and card number.  It only parses arguments and
 * prints; the flow lives in core/reset.c.  Exit codes come from
 * vouch_cli_exit() alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vouch.h"
#include "usage/vouch-reset.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

#define SHOW_MAX 64 /* bytes of a bad value quoted back */
#define CARD_MAX 64 /* bytes of a card number as typed */

struct cli {
  const char *conf;
  vouch_ctx *ctx;
};

/* ------------------------------------------------------------ output */

/* ------------------------------------------------------------- usage */

/* --------------------------------------------------------- arguments */

static vouch_rc check_name(const char *name)
{
  char buf[4 * SHOW_MAX + 8];

  if(vouch_valid_username(name))
    return VOUCH_OK;
  vouch_cli_say(
      "invalid user name '%s': use 1 to 32 of A-Z a-z 0-9 . _ -, starting "
      "with a letter, digit or _",
      vouch_cli_shown(name, buf, sizeof(buf)));
  return VOUCH_ERR_INPUT;
}

/* ------------------------------------------------------------ context */

static vouch_rc open_ctx(struct cli *c)
{
  return vouch_cli_open(c->conf, &c->ctx);
}

static vouch_rc unknown_user(const char *name)
{
  vouch_cli_say("unknown user %s", name);
  return VOUCH_ERR_NO_USER;
}

/* The user must exist before anything is sent or asked. */
static vouch_rc open_for_user(struct cli *c, const char *name)
{
  vouch_rc rc = check_name(name);

  if(!rc && !c->ctx)
    rc = open_ctx(c);
  if(!rc)
    rc = vouch_account_exists(c->ctx, name);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  return rc;
}

/* ----------------------------------------------------------- request */

static void say_request_error(const char *name, vouch_channel ch, vouch_rc rc)
{
  if(rc == VOUCH_ERR_UNAVAIL && ch == VOUCH_CHANNEL_EMAIL)
    vouch_cli_say("%s has no email address on file: no reset link can be sent",
                  name);
  else if(rc == VOUCH_ERR_UNAVAIL)
    vouch_cli_say(
        "%s has no verified phone number on file: no reset code can be "
        "sent by SMS",
        name);
  else if(rc == VOUCH_ERR_RATE)
    vouch_cli_say(
        "too many reset codes asked for %s: wait before asking again", name);
  else if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  else
    vouch_cli_say("the reset could not be sent: %s", vouch_strerror(rc));
}

static vouch_rc cmd_request(struct cli *c, int argc, char **argv)
{
  char *name = NULL, *via = NULL;
  char masked[128], buf[4 * SHOW_MAX + 8];
  const vouch_cli_opt opts[] = {{"--via", &via, NULL}};
  const vouch_cli_spec s = {"request", usage_request, opts, 1,
                            "NAME",    &name,         true};
  vouch_channel ch = VOUCH_CHANNEL_EMAIL;
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(rc)
    return rc;
  if(!via)
    return vouch_cli_usage_error("request", usage_request,
                                 "missing --via email|sms");
  if(!strcmp(via, "sms"))
    ch = VOUCH_CHANNEL_SMS;
  else if(strcmp(via, "email"))
    return vouch_cli_usage_error("request", usage_request,
                                 "--via takes email or sms, not '%s'",
                                 vouch_cli_shown(via, buf, sizeof(buf)));
  rc = open_for_user(c, name);
  if(rc)
    return rc;
  rc = vouch_reset_request(c->ctx, name, ch, masked, sizeof(masked));
  if(rc) {
    say_request_error(name, ch, rc);
    return rc;
  }
  if(ch == VOUCH_CHANNEL_EMAIL)
    printf("reset link sent by email to %s\n", masked);
  else
    printf("reset code sent by SMS to %s\n", masked);
  return VOUCH_OK;
}

/* ---------------------------------------------------------- complete */

static vouch_rc read_new_password(vouch_ctx *ctx, const char *name, char **pw)
{
  size_t max = (size_t)ctx->cfg->pw_max_length + 1;
  const char *lang = vouch_user_lang(ctx, name);
  bool tty = isatty(0) == 1;
  char *again = NULL;
  char err[128];
  vouch_rc rc;

  rc = vouch_read_secret_err(vouch_msg(lang, VOUCH_MSG_NEW_PASSWORD), max, pw,
                             err, sizeof(err));
  if(!rc && tty)
    rc = vouch_read_secret_err(vouch_msg(lang, VOUCH_MSG_RETYPE_PASSWORD), max,
                               &again, err, sizeof(err));
  if(rc)
    vouch_cli_say("cannot read the new password: %s", err);
  else if(tty && (strlen(*pw) != strlen(again) ||
                  !vouch_ct_equal(*pw, again, strlen(*pw)))) {
    vouch_cli_say("the two passwords differ");
    rc = VOUCH_ERR_PW_MISMATCH;
  }
  vouch_free_secret(again);
  if(rc) {
    vouch_free_secret(*pw);
    *pw = NULL;
  }
  return rc;
}

static void say_complete_error(const vouch_ctx *ctx, const char *name,
                               bool token, vouch_rc rc)
{
  const vouch_config *cfg = ctx->cfg;
  const char *what = token ? "reset link" : "reset code";

  if(rc == VOUCH_ERR_PW_SHORT)
    vouch_cli_say("password too short: at least %u characters",
                  cfg->pw_min_length);
  else if(rc == VOUCH_ERR_PW_LONG)
    vouch_cli_say("password too long: at most %u bytes", cfg->pw_max_length);
  else if(rc == VOUCH_ERR_PW_REUSED)
    vouch_cli_say(
        "password refused: it equals one of the last %u passwords; the %s "
        "still works",
        cfg->pw_history, what);
  else if(rc == VOUCH_ERR_INPUT)
    vouch_cli_say("password refused: not valid UTF-8 text");
  else if(rc == VOUCH_ERR_STALE)
    vouch_cli_say("the %s has expired or already been used: ask for a new one",
                  what);
  else if(rc == VOUCH_ERR_AUTH)
    vouch_cli_say("the %s is not right for %s", what, name);
  else if(rc == VOUCH_ERR_LOCKED)
    vouch_cli_say(
        "the %s is not right; too many failed checks: %s is locked, ask "
        "for a new reset",
        what, name);
  else if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  else
    vouch_cli_say("%s", vouch_strerror(rc));
}

/* Both or neither, or a malformed token or code: refused before asking
 * for the password. */
static vouch_rc check_proof(struct cli *c, const char *token, const char *code)
{
  vouch_rc rc = vouch_reset_proof_check(c->ctx, token, code);

  if(rc == VOUCH_ERR_INPUT && token)
    vouch_cli_say(
        "malformed token: a token is %d characters of A-Z a-z 0-9 - _",
        VOUCH_TOKEN_CHARS);
  else if(rc == VOUCH_ERR_INPUT)
    vouch_cli_say("malformed code: a code is %u digits",
                  c->ctx->cfg->otp_length);
  return rc;
}

static vouch_rc cmd_complete(struct cli *c, int argc, char **argv)
{
  char *name = NULL, *token = NULL, *code = NULL, *pw = NULL;
  const vouch_cli_opt opts[] = {{"--token", &token, NULL},
                                {"--code", &code, NULL}};
  const vouch_cli_spec s = {"complete", usage_complete, opts, 2,
                            "NAME",     &name,          true};
  vouch_reset_done done = {0};
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(rc)
    return rc;
  if(!token == !code)
    return vouch_cli_usage_error("complete", usage_complete,
                                 "give exactly one of --token and --code");
  rc = check_name(name);
  if(!rc)
    rc = open_ctx(c);
  if(!rc)
    rc = check_proof(c, token, code);
  if(!rc)
    rc = open_for_user(c, name);
  if(!rc)
    rc = read_new_password(c->ctx, name, &pw);
  if(rc)
    goto out;
  rc = vouch_reset_complete(c->ctx, name, token, code, pw, &done);
  if(done.changed)
    printf("password changed\n");
  if(rc && done.changed)
    vouch_cli_say(
        "the password was changed, but not everything after it worked: "
        "%s",
        vouch_strerror(rc));
  else if(rc)
    say_complete_error(c->ctx, name, token != NULL, rc);
out:
  vouch_free_secret(pw);
  return rc;
}

/* ----------------------------------------------------------- recover */

static vouch_rc cmd_recover(struct cli *c, int argc, char **argv)
{
  char *full = NULL, *card = NULL;
  char digits[32], masked[128], err[128];
  const vouch_cli_opt opts[] = {{"--name", &full, NULL}};
  const vouch_cli_spec s = {"recover", usage_recover, opts, 1,
                            NULL,      NULL,          false};
  const char *why = NULL;
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(rc)
    return rc;
  if(!full)
    return vouch_cli_usage_error("recover", usage_recover, "missing --name");
  if(!vouch_valid_fullname(full)) {
    vouch_cli_say(
        "invalid full name: use 1 to 128 characters of UTF-8 text without "
        "control characters");
    return VOUCH_ERR_INPUT;
  }
  rc = open_ctx(c);
  if(!rc) {
    rc = vouch_read_secret_err("Card number: ", CARD_MAX, &card, err,
                               sizeof(err));
    if(rc)
      vouch_cli_say("cannot read the card number: %s", err);
  }
  if(!rc) {
    rc = vouch_card_parse(card, digits, sizeof(digits), &why);
    vouch_wipe(digits, sizeof(digits));
    if(rc)
      vouch_cli_say("invalid card number: %s", why ? why : vouch_strerror(rc));
  }
  if(!rc)
    rc = vouch_reset_recover(c->ctx, full, card, masked, sizeof(masked));
  if(!rc)
    printf("We sent a reset link to %s\n", masked);
  else if(rc != VOUCH_ERR_INPUT)
    vouch_cli_say("recovery failed: %s", vouch_strerror(rc));
  vouch_free_secret(card);
  return rc;
}

/* ---------------------------------------------------------- dispatch */

static vouch_rc run(struct cli *c, int argc, char **argv)
{
  static const struct {
    const char *name;
    vouch_rc (*run)(struct cli *c, int argc, char **argv);
  } cmds[] = {{"request", cmd_request},
              {"complete", cmd_complete},
              {"recover", cmd_recover}};
  char buf[4 * SHOW_MAX + 8];
  size_t k;
  int i = 1;

  for(; i < argc && argv[i][0] == '-'; i++) {
    if(!strcmp(argv[i], "--version")) {
      printf("vouch-reset %s\n", VOUCH_VERSION);
      return VOUCH_CLI_HELP;
    }
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage_main, stdout);
      return VOUCH_CLI_HELP;
    }
    if(!strcmp(argv[i], "--config") && i + 1 < argc)
      c->conf = argv[++i];
    else if(!strncmp(argv[i], "--config=", 9))
      c->conf = argv[i] + 9;
    else if(!strcmp(argv[i], "--config"))
      return vouch_cli_usage_error("", usage_main,
                                   "option --config needs a value");
    else
      return vouch_cli_usage_error("", usage_main, "unknown option '%s'",
                                   vouch_cli_shown(argv[i], buf, sizeof(buf)));
  }
  if(!c->conf[0])
    return vouch_cli_usage_error("", usage_main, "--config needs a file name");
  if(i >= argc)
    return vouch_cli_usage_error("", usage_main, "missing command");
  for(k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
    if(!strcmp(argv[i], cmds[k].name))
      return cmds[k].run(c, argc - i - 1, argv + i + 1);
  return vouch_cli_usage_error("", usage_main, "unknown command '%s'",
                               vouch_cli_shown(argv[i], buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
  struct cli c = {VOUCH_CONF_PATH, NULL};
  vouch_rc rc;

  vouch_cli_name("vouch-reset");

  rc = run(&c, argc, argv);
  vouch_ctx_free(c.ctx);
  return vouch_cli_exit(rc);
}
