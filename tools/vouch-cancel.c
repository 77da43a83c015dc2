/*
 * vouch-cancel - cancels a membership (SPEC section 5): shows what
 * happens, asks to finish, records it and sends the confirmation email;
 * --undo takes it back before the period end; --apply-due (cron) removes
 * the personal data of ended memberships that asked for it.  Parsing and
 * printing only: the rules live in core/membership.c.
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
#include "usage/vouch-cancel.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

#define SHOW_MAX 64 /* bytes of a bad value quoted back */
#define ARGS_HELP VOUCH_CLI_HELP

struct args {
  char *conf;
  char *name;
  bool yes, delete_profile, undo, apply_due, hold;
};

static vouch_rc parse(struct args *a, int argc, char **argv)
{
  const vouch_cli_opt opts[] = {{"--config", &a->conf, NULL},
                                {"--yes", NULL, &a->yes},
                                {"--delete-profile", NULL, &a->delete_profile},
                                {"--undo", NULL, &a->undo},
                                {"--apply-due", NULL, &a->apply_due},
                                {"--hold", NULL, &a->hold}};
  const vouch_cli_spec s = {"", usage, opts, 6, "NAME", &a->name, false};
  vouch_rc rc;
  int i;

  for(i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    if(!strcmp(argv[i], "--version")) {
      printf("vouch-cancel %s\n", VOUCH_VERSION);
      return ARGS_HELP;
    }
  }
  rc = vouch_cli_parse(&s, argc - 1, argv + 1);
  if(!rc && !a->conf)
    a->conf = (char *)VOUCH_CONF_PATH;
  return rc;
}

/* The combinations that make sense, and a valid name. */
static vouch_rc check_args(const struct args *a)
{
  char buf[4 * SHOW_MAX + 8];

  if(a->hold) {
    vouch_cli_say(
        "pausing a membership (--hold) is not provided: cancel it with "
        "vouch-cancel NAME, and restart it later with vouchctl "
        "membership");
    return VOUCH_ERR_USAGE;
  }
  if(!a->conf[0])
    return vouch_cli_usage_error("", usage, "--config needs a file name");
  if(a->apply_due && (a->name || a->undo || a->yes || a->delete_profile))
    return vouch_cli_usage_error("", usage,
                                 "--apply-due takes no other argument");
  if(a->undo && (a->yes || a->delete_profile))
    return vouch_cli_usage_error(
        "", usage, "--undo goes without --yes and --delete-profile");
  if(!a->apply_due && !a->name)
    return vouch_cli_usage_error("", usage, "missing NAME");
  if(a->name && !vouch_valid_username(a->name)) {
    vouch_cli_say("invalid user name '%s': use 1 to 32 of A-Z a-z 0-9 . _ -, "
                  "starting with a letter, digit or _",
                  vouch_cli_shown(a->name, buf, sizeof(buf)));
    return VOUCH_ERR_INPUT;
  }
  return VOUCH_OK;
}

static vouch_rc open_ctx(const char *conf, vouch_ctx **ctx)
{
  return vouch_cli_open(conf, ctx);
}

/* ---------------------------------------------------------------- cancel */

/* "y" or "yes" (any case) on one line; anything else is a no. */
static bool ask_finish(void)
{
  char line[64];
  size_t n;

  fputs("Finish cancellation? [y/N] ", stdout);
  fflush(stdout);
  if(!fgets(line, sizeof(line), stdin))
    return false;
  if(!isatty(STDIN_FILENO))
    putchar('\n'); /* the answer did not end the prompt's line */
  n = strcspn(line, "\r\n");
  if(n == strlen(line) && !feof(stdin))
    return false; /* longer than any answer */
  line[n] = '\0';
  return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

static void show_plan(const char *name, const vouch_membership *m,
                      bool delete_profile)
{
  char end[16], after[16];

  vouch_format_date(m->period_end, end, sizeof(end));
  vouch_format_date(m->period_end + 86400, after, sizeof(after));
  printf("Cancel the %s membership of %s.\n", m->plan, name);
  printf("You keep access until %s, the end of the billing period; from "
         "%s sign-in is refused.\n",
         end, after);
  if(delete_profile)
    printf("On %s the personal information of %s is removed: full name, "
           "email, phone, card, password and its history, sessions, codes, "
           "tokens and export requests.  The user name and the audit trail "
           "stay.\n",
           after, name);
  else
    printf("The profile is kept (with --delete-profile the personal "
           "information would be removed on %s).\n",
           after);
}

/* Why the membership of name cannot be cancelled, or VOUCH_OK. */
static vouch_rc cancellable(const char *name, const vouch_membership *m)
{
  char end[16];

  vouch_format_date(m->period_end, end, sizeof(end));
  if(!m->plan) {
    vouch_cli_say("%s has no membership to cancel", name);
    return VOUCH_ERR_DENIED;
  }
  if(m->cancelled) {
    vouch_cli_say(
        "the membership of %s is already cancelled (access until %s); "
        "vouch-cancel --undo %s restores it",
        name, end, name);
    return VOUCH_ERR_DENIED;
  }
  if(m->period_end && time(NULL) >= m->period_end + 86400) {
    vouch_cli_say("the membership of %s already ended on %s", name, end);
    return VOUCH_ERR_DENIED;
  }
  return VOUCH_OK;
}

static vouch_rc do_cancel(vouch_ctx *ctx, const struct args *a)
{
  vouch_membership m = {0};
  char end[16];
  vouch_rc rc, mail = VOUCH_OK;

  rc = vouch_membership_get(ctx, a->name, &m);
  if(rc == VOUCH_ERR_NO_USER)
    vouch_cli_say("unknown user %s", a->name);
  if(!rc)
    rc = cancellable(a->name, &m);
  if(rc)
    goto out;
  show_plan(a->name, &m, a->delete_profile);
  if(!a->yes && !ask_finish()) {
    vouch_cli_say("not confirmed: nothing changed");
    rc = VOUCH_ERR_ABORT;
    goto out;
  }
  rc = vouch_membership_cancel(ctx, a->name, a->delete_profile, &mail);
  if(rc == VOUCH_ERR_EXISTS || rc == VOUCH_ERR_DENIED)
    vouch_cli_say("the membership of %s changed meanwhile: nothing done",
                  a->name);
  if(rc)
    goto out;
  vouch_format_date(m.period_end, end, sizeof(end));
  printf("The membership of %s has been cancelled; access continues until "
         "%s.\n",
         a->name, end);
  if(mail == VOUCH_ERR_UNAVAIL)
    printf("No email address is on file: no confirmation was sent.\n");
  else if(mail) {
    vouch_cli_say("the confirmation email could not be sent: %s",
                  vouch_strerror(mail));
    rc = mail;
  }
out:
  vouch_membership_clear(&m);
  return rc;
}

static vouch_rc do_undo(vouch_ctx *ctx, const struct args *a)
{
  vouch_membership m = {0};
  char end[16];
  vouch_rc rc;

  rc = vouch_membership_undo(ctx, a->name);
  if(rc == VOUCH_ERR_NO_USER)
    vouch_cli_say("unknown user %s", a->name);
  if(rc == VOUCH_ERR_NO_USER ||
     (rc && rc != VOUCH_ERR_DENIED && rc != VOUCH_ERR_EXPIRED))
    return rc;
  if(vouch_membership_get(ctx, a->name, &m) == VOUCH_OK)
    vouch_format_date(m.period_end, end, sizeof(end));
  else
    end[0] = '\0';
  if(rc == VOUCH_ERR_DENIED)
    vouch_cli_say("the membership of %s is not cancelled: nothing to restore",
                  a->name);
  else if(rc == VOUCH_ERR_EXPIRED)
    vouch_cli_say("the membership of %s ended on %s: it cannot be restored",
                  a->name, end);
  else
    printf("The membership of %s is restored (%s, period ends %s).\n", a->name,
           m.plan ? m.plan : "", end);
  vouch_membership_clear(&m);
  return rc;
}

static void due_report(void *arg, const char *user, vouch_rc rc)
{
  (void)arg;
  if(rc)
    vouch_cli_say("%s: could not remove the personal information: %s", user,
                  vouch_strerror(rc));
  else
    printf("removed the personal information of %s\n", user);
}

static vouch_rc do_apply_due(vouch_ctx *ctx)
{
  unsigned count = 0;
  vouch_rc rc;

  rc = vouch_membership_apply_due(ctx, due_report, NULL, &count);
  if(!rc && !count)
    printf("no account is due\n");
  return rc;
}

int main(int argc, char **argv)
{
  struct args a = {NULL, NULL, false, false, false, false, false};
  vouch_ctx *ctx = NULL;
  vouch_rc rc;

  vouch_cli_name("vouch-cancel");

  rc = parse(&a, argc, argv);
  if(!rc)
    rc = check_args(&a);
  if(!rc)
    rc = open_ctx(a.conf, &ctx);
  if(!rc && a.apply_due)
    rc = do_apply_due(ctx);
  else if(!rc && a.undo)
    rc = do_undo(ctx, &a);
  else if(!rc)
    rc = do_cancel(ctx, &a);
  vouch_ctx_free(ctx);
  return vouch_cli_exit(rc);
}
