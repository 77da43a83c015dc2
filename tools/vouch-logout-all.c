/*
 * vouch-logout-all - signs a member out everywhere: every recorded
 * session is revoked and its live leader process ended; with
 * --new-password every device must also sign in again with a new
 * password.  Parsing and printing only: the logic is in core/session.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vouch.h"
#include "usage/vouch-logout-all.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

#define SHOW_MAX 64 /* bytes of a bad value quoted back */

struct args {
  char *conf;
  char *name;
  bool new_password;
};

/* Options anywhere, "--" ends them, exactly one NAME. */
static vouch_rc parse(struct args *a, int argc, char **argv)
{
  const vouch_cli_opt opts[] = {{"--new-password", NULL, &a->new_password},
                                {"--config", &a->conf, NULL}};
  const vouch_cli_spec s = {"", usage, opts, 2, "NAME", &a->name, true};
  vouch_rc rc;

  if(argc == 2 && !strcmp(argv[1], "--version")) {
    printf("vouch-logout-all %s\n", VOUCH_VERSION);
    return VOUCH_CLI_HELP;
  }
  rc = vouch_cli_parse(&s, argc - 1, argv + 1);
  if(!rc && !a->conf)
    a->conf = (char *)VOUCH_CONF_PATH;
  if(!rc && !a->conf[0])
    rc = vouch_cli_usage_error("", usage, "--config needs a file name");
  return rc;
}

static vouch_rc check_name(const char *name)
{
  char buf[4 * SHOW_MAX + 8];

  if(vouch_valid_username(name))
    return VOUCH_OK;
  vouch_cli_say("invalid user name '%s': use 1 to 32 of A-Z a-z 0-9 . _ -, "
                "starting with a letter, digit or _",
                vouch_cli_shown(name, buf, sizeof(buf)));
  return VOUCH_ERR_INPUT;
}

static vouch_rc open_ctx(const char *conf, vouch_ctx **ctx)
{
  return vouch_cli_open(conf, ctx);
}

static vouch_rc run(const struct args *a, vouch_ctx **ctx)
{
  unsigned count = 0;
  vouch_rc rc;

  rc = check_name(a->name);
  if(!rc)
    rc = open_ctx(a->conf, ctx);
  if(!rc)
    rc = vouch_account_exists(*ctx, a->name);
  if(!rc)
    rc = vouch_sessions_revoke(*ctx, a->name, 0, &count);
  if(!rc)
    printf("signed %s out of %u session%s\n", a->name, count,
           count == 1 ? "" : "s");
  if(!rc && a->new_password) {
    rc = vouch_account_require_reset(*ctx, a->name);
    if(!rc)
      printf("%s must choose a new password at the next sign-in\n", a->name);
  }
  if(rc == VOUCH_ERR_NO_USER)
    vouch_cli_say("unknown user %s", a->name);
  return rc;
}

int main(int argc, char **argv)
{
  struct args a = {NULL, NULL, false};
  vouch_ctx *ctx = NULL;
  vouch_rc rc;

  vouch_cli_name("vouch-logout-all");

  rc = parse(&a, argc, argv);
  if(!rc)
    rc = run(&a, &ctx);
  vouch_ctx_free(ctx);
  return vouch_cli_exit(rc);
}
