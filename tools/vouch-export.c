/*
 * vouch-export - "Download your personal information" (SPEC section 5):
 * request, confirm (token from the email and the current password), list,
 * cancel, and run (builds the archives, retires what expired).  Parsing
 * and printing only: the rules live in core/export.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vouch.h"
#include "usage/vouch-export.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

#define SHOW_MAX 64 /* bytes of a bad value quoted back */
#define ARGS_HELP VOUCH_RC_COUNT
#define MAX_POS 3

struct args {
  const char *conf;
  const char *pos[MAX_POS];
  int npos;
  const char *token;
  bool json, help;
};

static vouch_rc usage_error(const char *usage, const char *fmt, ...)
    VOUCH_PRINTF(2, 3);
static vouch_rc usage_error(const char *usage, const char *fmt, ...)
{
  va_list ap;

  vouch_cli_said();
  fputs("vouch-export: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if(usage == usage_main)
    fputs("\nRun 'vouch-export --help' for usage.\n", stderr);
  else
    fprintf(stderr, "\n%s", usage);
  return VOUCH_ERR_USAGE;
}

/* ------------------------------------------------------------ arguments */

static vouch_rc take_option(struct args *a, int argc, char **argv, int *i)
{
  char buf[4 * SHOW_MAX + 8];
  const char *arg = argv[*i];
  const char **slot = NULL;

  if(!strcmp(arg, "--help") || !strcmp(arg, "-h"))
    a->help = true;
  else if(!strcmp(arg, "--json"))
    a->json = true;
  else if(!strcmp(arg, "--config") || !strncmp(arg, "--config=", 9))
    slot = &a->conf;
  else if(!strcmp(arg, "--token") || !strncmp(arg, "--token=", 8))
    slot = &a->token;
  else
    return usage_error(usage_main, "unknown option '%s'",
                       vouch_cli_shown(arg, buf, sizeof(buf)));
  if(!slot)
    return VOUCH_OK;
  if(strchr(arg, '='))
    *slot = strchr(arg, '=') + 1;
  else if(*i + 1 < argc)
    *slot = argv[++*i];
  else
    return usage_error(usage_main, "option %s needs a value", arg);
  return VOUCH_OK;
}

static vouch_rc parse(struct args *a, int argc, char **argv)
{
  char buf[4 * SHOW_MAX + 8];
  bool dashdash = false;
  vouch_rc rc = VOUCH_OK;
  int i;

  for(i = 1; i < argc && !rc; i++) {
    if(!dashdash && !strcmp(argv[i], "--"))
      dashdash = true;
    else if(!dashdash && !strcmp(argv[i], "--version")) {
      printf("vouch-export %s\n", VOUCH_VERSION);
      return ARGS_HELP;
    }
    else if(!dashdash && argv[i][0] == '-' && argv[i][1])
      rc = take_option(a, argc, argv, &i);
    else if(a->npos < MAX_POS)
      a->pos[a->npos++] = argv[i];
    else
      rc = usage_error(usage_main, "unexpected argument '%s'",
                       vouch_cli_shown(argv[i], buf, sizeof(buf)));
  }
  return rc;
}

/* The command's own checks: the arguments it takes, a valid name. */
static vouch_rc want(const struct args *a, const char *usage, int npos,
                     bool json, bool token)
{
  char buf[4 * SHOW_MAX + 8];

  if(a->help) {
    fputs(usage, stdout);
    return ARGS_HELP;
  }
  if(!a->conf[0])
    return usage_error(usage, "--config needs a file name");
  if(a->npos < npos)
    return usage_error(usage, "missing %s", a->npos == 1 ? "NAME" : "ID");
  if(a->npos > npos)
    return usage_error(usage, "unexpected argument '%s'",
                       vouch_cli_shown(a->pos[npos], buf, sizeof(buf)));
  if(a->json && !json)
    return usage_error(usage, "this command has no --json");
  if(!token && a->token)
    return usage_error(usage, "this command takes no --token");
  if(token && !a->token)
    return usage_error(usage, "missing --token T");
  if(npos > 1 && !vouch_valid_username(a->pos[1])) {
    vouch_cli_say("invalid user name '%s': use 1 to 32 of A-Z a-z 0-9 . _ -, "
                  "starting with a letter, digit or _",
                  vouch_cli_shown(a->pos[1], buf, sizeof(buf)));
    return VOUCH_ERR_INPUT;
  }
  return VOUCH_OK;
}

static vouch_rc open_ctx(const char *conf, vouch_ctx **ctx)
{
  return vouch_cli_open(conf, ctx);
}

static vouch_rc user_problem(vouch_rc rc, const char *name)
{
  if(rc == VOUCH_ERR_NO_USER)
    vouch_cli_say("unknown user %s", name);
  return rc;
}

/* -------------------------------------------------------------- request */

static vouch_rc cmd_request(vouch_ctx *ctx, const struct args *a)
{
  const char *name = a->pos[1];
  int64_t id = 0;
  vouch_rc rc;

  rc = user_problem(vouch_export_request(ctx, name, &id), name);
  if(rc == VOUCH_ERR_EXISTS)
    vouch_cli_say("%s already has request %lld waiting for confirmation or in "
                  "progress: confirm or cancel it first",
                  name, (long long)id);
  else if(rc == VOUCH_ERR_UNAVAIL)
    vouch_cli_say("%s has no email address on file: the request was not made",
                  name);
  else if(rc == VOUCH_ERR_DELIVERY)
    vouch_cli_say(
        "the confirmation email could not be sent: the request was not "
        "made");
  if(rc)
    return rc;
  if(a->json)
    printf("{\"id\":%lld,\"status\":\"%s\"}\n", (long long)id,
           vouch_export_status_name(VOUCH_EXPORT_UNCONFIRMED));
  else
    printf("request %lld for %s: not yet confirmed; confirm it from the "
           "email we sent\n",
           (long long)id, name);
  return VOUCH_OK;
}

/* -------------------------------------------------------------- confirm */

static vouch_rc confirm_problem(vouch_rc rc, const char *name, bool token)
{
  switch(rc) {
  case VOUCH_ERR_INPUT:
    vouch_cli_say("malformed token: it is %d characters of A-Z a-z 0-9 - _",
                  VOUCH_TOKEN_CHARS);
    break;
  case VOUCH_ERR_NOT_FOUND:
    vouch_cli_say("%s has no request waiting for confirmation", name);
    break;
  case VOUCH_ERR_STALE:
    vouch_cli_say(token ? "the token expired or was already used"
                        : "the request expired: make a new one");
    break;
  case VOUCH_ERR_AUTH:
    vouch_cli_say(token ? "the token does not match" : "wrong password");
    break;
  case VOUCH_ERR_LOCKED:
    vouch_cli_say("the account is locked: a password reset is needed");
    break;
  default:
    user_problem(rc, name);
  }
  return rc;
}

static vouch_rc cmd_confirm(vouch_ctx *ctx, const struct args *a)
{
  const char *name = a->pos[1];
  bool at_token = false;
  char *pw = NULL;
  char err[128];
  int64_t id = 0;
  vouch_rc rc;

  /* Everything that needs no password is settled before asking. */
  rc = vouch_export_pending(ctx, name, a->token, &id);
  if(rc)
    return confirm_problem(rc, name, false);
  rc = vouch_read_secret_err(
      vouch_msg(vouch_user_lang(ctx, name), VOUCH_MSG_CURRENT_PASSWORD),
      ctx->cfg->pw_max_length, &pw, err, sizeof(err));
  if(rc) {
    vouch_cli_say("cannot read the current password: %s", err);
    return rc;
  }
  rc = vouch_export_confirm(ctx, name, a->token, pw, &id, &at_token);
  vouch_free_secret(pw);
  if(rc)
    return confirm_problem(rc, name, at_token);
  printf("request %lld for %s: in progress; you get an email when it is "
         "ready\n",
         (long long)id, name);
  return VOUCH_OK;
}

/* ----------------------------------------------------------------- list */

struct lister {
  bool json;
  unsigned n;
};

/* What a person can do about a request, or where it is. */
static void details(const vouch_export_row *r, char *buf, size_t len)
{
  char date[16];

  vouch_format_date(r->expires, date, sizeof(date));
  switch(r->status) {
  case VOUCH_EXPORT_UNCONFIRMED:
    snprintf(buf, len, "Confirm from the email we sent by %s", date);
    break;
  case VOUCH_EXPORT_IN_PROGRESS:
    snprintf(buf, len, "We are preparing your information");
    break;
  case VOUCH_EXPORT_READY:
    snprintf(buf, len, "Ready until %s: %s", date, r->path);
    break;
  case VOUCH_EXPORT_CANCELLED:
    snprintf(buf, len, "Cancelled");
    break;
  default:
    snprintf(buf, len, "%s",
             r->confirmed ? "The download is no longer available"
                          : "Not confirmed in time");
  }
}

static void json_time(const char *key, time_t t)
{
  char buf[32];

  printf(",\"%s\":", key);
  if(!t) {
    fputs("null", stdout);
    return;
  }
  vouch_format_time(t, buf, sizeof(buf));
  vouch_json_string(stdout, buf);
}

static vouch_rc list_row(void *arg, const vouch_export_row *r)
{
  struct lister *l = arg;
  char created[16], detail[4200];

  details(r, detail, sizeof(detail));
  if(l->json) {
    printf("%s{\"id\":%lld,\"status\":\"%s\"", l->n ? "," : "",
           (long long)r->id, vouch_export_status_name(r->status));
    json_time("created", r->created);
    json_time("confirmed", r->confirmed);
    json_time("ready", r->ready);
    json_time("expires", r->expires);
    fputs(",\"path\":", stdout);
    vouch_json_string(stdout,
                      r->status == VOUCH_EXPORT_READY ? r->path : NULL);
    fputs(",\"details\":", stdout);
    vouch_json_string(stdout, detail);
    fputs("}", stdout);
  }
  else {
    if(!l->n)
      printf("%-6s %-10s  %-17s  %s\n", "ID", "Created", "Status", "Details");
    vouch_format_date(r->created, created, sizeof(created));
    printf("%-6lld %-10s  %-17s  %s\n", (long long)r->id, created,
           vouch_export_status_label(r->status), detail);
  }
  l->n++;
  return VOUCH_OK;
}

static vouch_rc cmd_list(vouch_ctx *ctx, const struct args *a)
{
  struct lister l = {a->json, 0};
  vouch_rc rc;

  if(a->json)
    fputs("[", stdout);
  rc =
      user_problem(vouch_export_each(ctx, a->pos[1], list_row, &l), a->pos[1]);
  if(a->json)
    fputs("]\n", stdout);
  else if(!rc && !l.n)
    printf("%s has no requests\n", a->pos[1]);
  return rc;
}

/* --------------------------------------------------------------- cancel */

static vouch_rc cmd_cancel(vouch_ctx *ctx, const struct args *a)
{
  char buf[4 * SHOW_MAX + 8];
  unsigned long long id;
  vouch_rc rc;

  if(vouch_parse_uint(a->pos[2], 1, INT64_MAX, &id)) {
    vouch_cli_say(
        "invalid request id '%s': a whole number as vouch-export list "
        "shows",
        vouch_cli_shown(a->pos[2], buf, sizeof(buf)));
    return VOUCH_ERR_INPUT;
  }
  rc = user_problem(vouch_export_cancel(ctx, a->pos[1], (int64_t)id),
                    a->pos[1]);
  if(rc == VOUCH_ERR_NOT_FOUND)
    vouch_cli_say("%s has no request %llu", a->pos[1], id);
  else if(rc == VOUCH_ERR_DENIED)
    vouch_cli_say("request %llu is already cancelled or expired", id);
  else if(!rc)
    printf("request %llu for %s: cancelled\n", id, a->pos[1]);
  return rc;
}

/* ------------------------------------------------------------------ run */

static vouch_rc cmd_run(vouch_ctx *ctx, const struct args *a)
{
  vouch_export_stats s;
  vouch_rc rc;

  (void)a;
  /* A run that fails before it counts must not print stack garbage. */
  memset(&s, 0, sizeof(s));
  rc = vouch_export_run(ctx, &s);
  printf("built %u, expired %u, removed %u, failed %u\n", s.built, s.expired,
         s.removed, s.failed);
  return rc;
}

/* ----------------------------------------------------------------- main */

static vouch_rc dispatch(struct args *a)
{
  static const struct {
    const char *name;
    const char *usage;
    int npos;
    bool json, token;
    vouch_rc (*fn)(vouch_ctx *ctx, const struct args *a);
  } cmds[] = {{"request", usage_request, 2, true, false, cmd_request},
              {"confirm", usage_confirm, 2, false, true, cmd_confirm},
              {"list", usage_list, 2, true, false, cmd_list},
              {"cancel", usage_cancel, 3, false, false, cmd_cancel},
              {"run", usage_run, 1, false, false, cmd_run}};
  char buf[4 * SHOW_MAX + 8];
  vouch_ctx *ctx = NULL;
  vouch_rc rc;
  size_t i;

  if(!a->npos && a->help) {
    fputs(usage_main, stdout);
    return ARGS_HELP;
  }
  if(!a->npos)
    return usage_error(usage_main, "missing COMMAND");
  for(i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    if(strcmp(a->pos[0], cmds[i].name))
      continue;
    rc = want(a, cmds[i].usage, cmds[i].npos, cmds[i].json, cmds[i].token);
    if(!rc)
      rc = open_ctx(a->conf, &ctx);
    if(!rc)
      rc = cmds[i].fn(ctx, a);
    vouch_ctx_free(ctx);
    return rc;
  }
  return usage_error(usage_main, "unknown command '%s'",
                     vouch_cli_shown(a->pos[0], buf, sizeof(buf)));
}

int main(int argc, char **argv)
{
  struct args a;
  vouch_rc rc;

  vouch_cli_name("vouch-export");

  memset(&a, 0, sizeof(a));
  a.conf = VOUCH_CONF_PATH;
  rc = parse(&a, argc, argv);
  if(!rc)
    rc = dispatch(&a);
  return vouch_cli_exit(rc);
}
