/*
 * vouch-account - the member's own tool, installed setuid root like
 * passwd and chfn: change the email address or phone number, change the
 * password, sign out everywhere, list devices, cancel, ask for the data
 * vouch holds, approve a device's sign-in code.
 *
 * It acts only for the user of the real uid (root may name another with
 * --user).  Before anything else it clears the environment, the umask and
 * stray descriptors, so that nothing the caller controls steers it; only
 * root may name a configuration.  Each sensitive subcommand first runs
 * the PAM service "vouch-account" (password, then the security check).
 * The logic is in libvouch; interrupting any prompt changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/_pam_types.h>

#include "vouch.h"
#include "usage/vouch-account.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif
#define SERVICE "vouch-account"
#define ANSWER_MAX 1024 /* bytes of one answer */
#define CODE_ROUNDS 10  /* answers at the code prompt */
#define HELP_SHOWN VOUCH_RC_COUNT
#define SHOW_MAX 64

struct app {
  const char *conf;
  const char *as;   /* --user NAME (root only) */
  char user[33];    /* whom it acts for */
  const char *lang; /* the member's language */
  vouch_ctx *ctx;
  bool root;
};

/* ------------------------------------------------------------- output */

/* A catalogue text for the member, on stderr. */
static void tell(const struct app *a, vouch_msg_id id)
{
  vouch_cli_said();
  fprintf(stderr, "%s\n", vouch_msg(a->lang, id));
}

/* A catalogue refusal for the member: "vouch-account: text" on stderr. */
static void say(const struct app *a, vouch_msg_id id)
{
  vouch_cli_say("%s", vouch_msg(a->lang, id));
}

/* A catalogue result for the member, on stdout. */
static void put(const struct app *a, vouch_msg_id id)
{
  printf("%s\n", vouch_msg(a->lang, id));
}

/* "Signed out of N sessions", singular or plural. */
static void put_signed_out(const struct app *a, unsigned n)
{
  char msg[256];

  vouch_msgf(msg, sizeof(msg), a->lang,
             n == 1 ? VOUCH_MSG_ACC_SIGNED_OUT_ONE
                    : VOUCH_MSG_ACC_SIGNED_OUT_MANY,
             n);
  printf("%s\n", msg);
}

/* -------------------------------------------------------------- usage */

static vouch_rc usage_error(const char *usage, const char *msg,
                            const char *arg)
{
  char buf[4 * SHOW_MAX + 8];

  vouch_cli_said();
  fprintf(stderr, "vouch-account: %s", msg);
  if(arg)
    fprintf(stderr, " '%s'", vouch_cli_shown(arg, buf, sizeof(buf)));
  fprintf(stderr, "\n%s", usage);
  return VOUCH_ERR_USAGE;
}

/* Exactly the flags named (NULL-terminated pairs name, bool *) and
 * want positional arguments; --help prints usage; "--" ends the options.
 * While a positional argument is still wanted, an argument that is not
 * one of the flags is taken as it: a token may begin with '-'. */
static vouch_rc args(const char *usage, int argc, char **argv,
                     const char **pos, int want, ...)
{
  va_list ap;
  const char *name;
  bool *flag = NULL, dashdash = false;
  int i, n = 0;

  for(i = 1; i < argc; i++) {
    if(!dashdash && !strcmp(argv[i], "--")) {
      dashdash = true;
      continue;
    }
    if(!dashdash && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
      fputs(usage, stdout);
      return HELP_SHOWN;
    }
    name = NULL;
    if(!dashdash && argv[i][0] == '-' && argv[i][1]) {
      va_start(ap, want);
      for(name = va_arg(ap, const char *); name;
          name = va_arg(ap, const char *)) {
        flag = va_arg(ap, bool *);
        if(!strcmp(name, argv[i]))
          break;
      }
      va_end(ap);
      if(name) {
        *flag = true;
        continue;
      }
      if(n >= want)
        return usage_error(usage, "unknown option", argv[i]);
    }
    if(n >= want)
      return usage_error(usage, "unexpected argument", argv[i]);
    pos[n++] = argv[i];
  }
  if(n < want)
    return usage_error(usage, "missing argument", NULL);
  return VOUCH_OK;
}

/* ------------------------------------------------------------- answers */

/* One line from fd 0 with echo (a choice, not a secret). */
static vouch_rc read_echo(char **out)
{
  char buf[ANSWER_MAX + 1];
  size_t n = 0;
  ssize_t r;
  char c;

  for(;;) {
    r = read(0, &c, 1);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0 || c == '\n')
      break;
    if(c == '\0' || n >= ANSWER_MAX)
      return VOUCH_ERR_INPUT;
    buf[n++] = c;
  }
  if(r <= 0 && n == 0)
    return VOUCH_ERR_ABORT;
  if(n && buf[n - 1] == '\r')
    n--;
  buf[n] = '\0';
  *out = vouch_strdup(buf);
  vouch_wipe(buf, sizeof(buf));
  return *out ? VOUCH_OK : VOUCH_ERR_NOMEM;
}

/* Asks prompt on the terminal (or, reading a pipe, shows it as a line on
 * stderr) and reads one answer; end of input or a signal is
 * VOUCH_ERR_ABORT, which changes nothing and says so. */
static vouch_rc ask(const struct app *a, const char *prompt, bool echo,
                    char **out)
{
  char err[64] = "", msg[256];
  bool tty = isatty(0) == 1;
  vouch_rc rc;

  *out = NULL;
  if(!tty || echo) {
    fputs(prompt, stderr);
    if(!tty)
      fputc('\n', stderr);
    fflush(stderr);
  }
  if(echo && tty)
    rc = read_echo(out);
  else
    rc = vouch_read_secret_err(tty ? prompt : NULL, ANSWER_MAX, out, err,
                               sizeof(err));
  if(rc == VOUCH_ERR_INPUT && !strcmp(err, "no input"))
    rc = VOUCH_ERR_ABORT;
  if(rc == VOUCH_ERR_ABORT)
    say(a, VOUCH_MSG_ACC_INTERRUPTED);
  else if(rc == VOUCH_ERR_INPUT) {
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_ANSWER_INVALID,
               (unsigned)ANSWER_MAX);
    vouch_cli_say("%s", msg);
  }
  else if(rc)
    vouch_cli_say("%s", err[0] ? err : vouch_strerror(rc));
  return rc;
}

/* A yes/no question; anything but yes (y, yes, j, ja, ya) is no. */
static vouch_rc ask_yes(const struct app *a, vouch_msg_id id, bool *yes)
{
  static const char *const words[] = {"y", "yes", "j", "ja", "ya"};
  char *ans = NULL;
  size_t i;
  vouch_rc rc = ask(a, vouch_msg(a->lang, id), true, &ans);

  *yes = false;
  for(i = 0; !rc && i < sizeof(words) / sizeof(words[0]); i++)
    if(!strcasecmp(vouch_trim(ans), words[i]))
      *yes = true;
  vouch_free_secret(ans);
  return rc;
}

/* ------------------------------------------------------ the check */

static vouch_rc pam_result(int ret)
{
  switch(ret) {
  case PAM_SUCCESS:
    return VOUCH_OK;
  case PAM_CONV_ERR:
  case PAM_ABORT:
    return VOUCH_ERR_ABORT;
  case PAM_USER_UNKNOWN:
    return VOUCH_ERR_NO_USER;
  case PAM_NEW_AUTHTOK_REQD:
    return VOUCH_ERR_RESET_REQUIRED;
  case PAM_ACCT_EXPIRED:
    return VOUCH_ERR_EXPIRED;
  case PAM_MAXTRIES:
    return VOUCH_ERR_LOCKED;
  case PAM_AUTH_ERR:
  case PAM_AUTHINFO_UNAVAIL:
  case PAM_PERM_DENIED:
  case PAM_CRED_INSUFFICIENT:
    return VOUCH_ERR_AUTH;
  case PAM_BUF_ERR:
    return VOUCH_ERR_NOMEM;
  default:
    return VOUCH_ERR_SYSTEM;
  }
}

/* The security check, for a->user and nobody else: vouchd's own flows
 * (password, then a code or the card number, then the account phase) on
 * the tool's terminal; no PAM service is involved. */
static vouch_rc check(const struct app *a, bool reset_ok)
{
  vouch_rc rc;

  rc = pam_result(vd_local_check(a->user, reset_ok));
  if(rc == VOUCH_ERR_ABORT)
    say(a, VOUCH_MSG_ACC_INTERRUPTED);
  else if(rc == VOUCH_ERR_RESET_REQUIRED)
    say(a, VOUCH_MSG_ACC_RESET_FIRST);
  else if(rc == VOUCH_ERR_LOCKED)
    tell(a, VOUCH_MSG_LOCKED);
  else if(rc)
    say(a, VOUCH_MSG_ACC_CHECK_FAILED);
  return rc;
}

/* ------------------------------------------------------ email, phone */

/* Asks for the code sent to the new value until it is right. */
static vouch_rc confirm_code(const struct app *a, vouch_channel ch,
                             const char *value, const char *masked)
{
  char prompt[512], done[512];
  char *ans = NULL;
  bool told = false;
  vouch_rc rc = VOUCH_ERR_AUTH;
  int round;

  vouch_msgf(prompt, sizeof(prompt), a->lang, VOUCH_MSG_CONFIRM_PROMPT,
             a->ctx->cfg->otp_length, masked);
  for(round = 0; round < CODE_ROUNDS; round++) {
    rc = ask(a, prompt, false, &ans);
    if(rc)
      break;
    if(!strcasecmp(vouch_trim(ans), "r"))
      rc = vouch_contact_begin(a->ctx, a->user, ch, value, true, NULL, 0);
    else
      rc = vouch_contact_finish(a->ctx, a->user, ch, value, vouch_trim(ans),
                                &told);
    vouch_free_secret(ans);
    ans = NULL;
    if(rc == VOUCH_ERR_AUTH)
      tell(a, VOUCH_MSG_CODE_WRONG);
    else if(rc == VOUCH_ERR_STALE)
      tell(a, VOUCH_MSG_CODE_STALE);
    else if(rc == VOUCH_ERR_RATE)
      tell(a, VOUCH_MSG_CODE_RATE);
    else if(rc == VOUCH_ERR_INPUT)
      fprintf(stderr, "%s\n", prompt);
    else
      break;
  }
  if(!rc) {
    if(ch == VOUCH_CHANNEL_SMS)
      vouch_msgf(done, sizeof(done), a->lang,
                 told ? VOUCH_MSG_ACC_PHONE_NOW_TOLD : VOUCH_MSG_ACC_PHONE_NOW,
                 value);
    else
      vouch_msgf(done, sizeof(done), a->lang,
                 told ? VOUCH_MSG_ACC_EMAIL_NOW_TOLD : VOUCH_MSG_ACC_EMAIL_NOW,
                 value);
    printf("%s\n", done);
  }
  return rc;
}

static vouch_rc contact(struct app *a, vouch_channel ch, const char *usage,
                        int argc, char **argv)
{
  char masked[128], buf[4 * SHOW_MAX + 8], msg[512];
  const char *value = NULL;
  vouch_rc rc = args(usage, argc, argv, &value, 1, (const char *)NULL);

  if(rc)
    return rc;
  if(ch == VOUCH_CHANNEL_SMS ? !vouch_valid_phone(value)
                             : !vouch_valid_email(value)) {
    vouch_msgf(msg, sizeof(msg), a->lang,
               ch == VOUCH_CHANNEL_SMS ? VOUCH_MSG_ACC_PHONE_INVALID
                                       : VOUCH_MSG_ACC_EMAIL_INVALID,
               vouch_cli_shown(value, buf, sizeof(buf)));
    vouch_cli_say("%s", msg);
    return VOUCH_ERR_INPUT;
  }
  rc = check(a, false);
  if(!rc)
    rc = vouch_contact_begin(a->ctx, a->user, ch, value, false, masked,
                             sizeof(masked));
  if(rc == VOUCH_ERR_EXISTS || rc == VOUCH_ERR_DELIVERY ||
     rc == VOUCH_ERR_UNAVAIL) {
    vouch_msgf(msg, sizeof(msg), a->lang,
               rc == VOUCH_ERR_EXISTS ? VOUCH_MSG_ACC_ON_FILE
                                      : VOUCH_MSG_ACC_NOT_SENT,
               vouch_cli_shown(value, buf, sizeof(buf)));
    vouch_cli_say("%s", msg);
  }
  else if(rc == VOUCH_ERR_RATE)
    tell(a, VOUCH_MSG_CODE_RATE);
  if(!rc)
    rc = confirm_code(a, ch, value, masked);
  return rc;
}

static vouch_rc cmd_email(struct app *a, int argc, char **argv)
{
  return contact(a, VOUCH_CHANNEL_EMAIL, usage_email, argc, argv);
}

static vouch_rc cmd_phone(struct app *a, int argc, char **argv)
{
  return contact(a, VOUCH_CHANNEL_SMS, usage_phone, argc, argv);
}

/* ------------------------------------------------------------ password */

static void say_policy(const struct app *a, vouch_rc rc)
{
  char msg[256];

  if(rc == VOUCH_ERR_PW_SHORT)
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_PW_SHORT,
               a->ctx->cfg->pw_min_length);
  else if(rc == VOUCH_ERR_PW_LONG)
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_PW_LONG,
               a->ctx->cfg->pw_max_length);
  else if(rc == VOUCH_ERR_PW_REUSED)
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_PW_REUSED);
  else if(rc == VOUCH_ERR_PW_MISMATCH)
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_PW_MISMATCH);
  else if(rc == VOUCH_ERR_INPUT)
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_PW_INVALID);
  else
    return;
  vouch_cli_said();
  fprintf(stderr, "%s\n", msg);
}

/* The new password twice, acceptable to the policy. */
static vouch_rc new_password(const struct app *a, char **pw)
{
  char *again = NULL;
  vouch_rc rc;

  rc = ask(a, vouch_msg(a->lang, VOUCH_MSG_NEW_PASSWORD), false, pw);
  if(!rc)
    rc = ask(a, vouch_msg(a->lang, VOUCH_MSG_RETYPE_PASSWORD), false, &again);
  if(!rc && (strlen(*pw) != strlen(again) ||
             !vouch_ct_equal(*pw, again, strlen(*pw))))
    rc = VOUCH_ERR_PW_MISMATCH;
  if(!rc)
    rc = vouch_password_acceptable(a->ctx, a->user, *pw);
  say_policy(a, rc);
  vouch_free_secret(again);
  return rc;
}

static vouch_rc cmd_password(struct app *a, int argc, char **argv)
{
  char *pw = NULL;
  unsigned n = 0;
  bool all = false;
  vouch_rc rc = args(usage_password, argc, argv, NULL, 0, (const char *)NULL);

  if(!rc)
    rc = check(a, true);
  if(rc)
    return rc;
  rc = new_password(a, &pw);
  /* Asked before anything changes: an interruption leaves all as is. */
  if(!rc)
    rc = ask_yes(a, VOUCH_MSG_SIGNOUT_ASK, &all);
  if(!rc)
    rc = vouch_password_set(a->ctx, a->user, pw, false);
  say_policy(a, rc);
  if(!rc) {
    tell(a, VOUCH_MSG_PW_CHANGED);
    (void)vouch_notify(a->ctx, a->user, "password-changed-email", NULL);
  }
  if(!rc && all)
    rc = vouch_sessions_revoke(a->ctx, a->user, 0, &n);
  if(!rc && all)
    put_signed_out(a, n);
  vouch_free_secret(pw);
  return rc;
}

/* ------------------------------------------------- sessions, devices */

static vouch_rc cmd_logout(struct app *a, int argc, char **argv)
{
  unsigned n = 0;
  vouch_rc rc = args(usage_logout, argc, argv, NULL, 0, (const char *)NULL);

  if(!rc)
    rc = check(a, false);
  if(!rc)
    rc = vouch_sessions_revoke(a->ctx, a->user, 0, &n);
  if(!rc)
    put_signed_out(a, n);
  return rc;
}

struct rows {
  bool json;
  unsigned long n;
  vouch_table *t;
  const char *lang; /* the member's: headings and words of the table */
};

static vouch_rc device_row(void *arg, const vouch_session_row *r)
{
  struct rows *o = arg;
  char started[32], ended[32], from[VOUCH_TABLE_CELL_MAX * 4 + 16];
  const char *cells[5];

  vouch_format_time(r->started, started, sizeof(started));
  vouch_format_time(r->ended, ended, sizeof(ended));
  if(o->json) {
    printf("{\"id\":%lld,\"started\":\"%s\",\"ended\":", (long long)r->id,
           started);
    vouch_json_string(stdout, r->ended ? ended : NULL);
    fputs(",\"service\":", stdout);
    vouch_json_string(stdout, r->service);
    fputs(",\"tty\":", stdout);
    vouch_json_string(stdout, r->tty);
    fputs(",\"rhost\":", stdout);
    vouch_json_string(stdout, r->rhost);
    printf(",\"revoked\":%s}\n", r->revoked ? "true" : "false");
    return VOUCH_OK;
  }
  snprintf(from, sizeof(from), "%s%s", r->rhost[0] ? r->rhost : "-",
           r->revoked ? vouch_msg(o->lang, VOUCH_MSG_DEV_SIGNED_OUT) : "");
  cells[0] = started;
  cells[1] = r->ended ? ended : vouch_msg(o->lang, VOUCH_MSG_DEV_OPEN);
  cells[2] = r->service;
  cells[3] = r->tty;
  cells[4] = from;
  o->n++;
  return vouch_table_add(o->t, cells);
}

/* The n headings of id in the member's language (tab-separated in the
 * catalogue) into buf and head. */
static void headings(const char *lang, vouch_msg_id id, char *buf, size_t len,
                     const char **head, int n)
{
  char *p = buf;
  int i;

  snprintf(buf, len, "%s", vouch_msg(lang, id));
  for(i = 0; i < n; i++) {
    head[i] = p ? p : "";
    p = p ? strchr(p, '\t') : NULL;
    if(p)
      *p++ = '\0';
  }
}

static vouch_rc cmd_devices(struct app *a, int argc, char **argv)
{
  const char *head[5];
  char hbuf[256];
  struct rows o = {false, 0, NULL, a->lang};
  vouch_rc rc = args(usage_devices, argc, argv, NULL, 0, "--json", &o.json,
                     (const char *)NULL);

  if(!rc && !o.json) {
    headings(a->lang, VOUCH_MSG_DEV_COLUMNS, hbuf, sizeof(hbuf), head, 5);
    o.t = vouch_table_new(5, head);
    if(!o.t)
      rc = VOUCH_ERR_NOMEM;
  }
  if(!rc)
    rc = vouch_sessions_each(a->ctx, a->user, device_row, &o);
  if(!rc && !o.json && o.n)
    vouch_table_print(o.t, stdout);
  if(!rc && !o.json && !o.n)
    put(a, VOUCH_MSG_DEV_NONE);
  vouch_table_free(o.t);
  return rc;
}

/* ------------------------------------------------------------- cancel */

static vouch_rc show_plan(const struct app *a, bool delete_profile)
{
  vouch_membership m = {0};
  char end[16], msg[512];
  vouch_rc rc = vouch_membership_get(a->ctx, a->user, &m);

  if(!rc && !m.plan) {
    say(a, VOUCH_MSG_ACC_NO_MEMBERSHIP);
    rc = VOUCH_ERR_DENIED;
  }
  if(!rc) {
    vouch_format_date(m.period_end, end, sizeof(end));
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_CANCEL_PLAN, m.plan);
    printf("%s\n", msg);
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_CANCEL_UNTIL, end);
    printf("%s\n", msg);
    if(delete_profile)
      put(a, VOUCH_MSG_ACC_CANCEL_ERASE);
  }
  vouch_membership_clear(&m);
  return rc;
}

static vouch_rc cancel_undo(struct app *a)
{
  vouch_rc rc = check(a, false);

  if(!rc)
    rc = vouch_membership_undo(a->ctx, a->user);
  if(!rc)
    put(a, VOUCH_MSG_ACC_RESTORED);
  else if(rc == VOUCH_ERR_DENIED)
    say(a, VOUCH_MSG_ACC_NOT_CANCELLED);
  else if(rc == VOUCH_ERR_EXPIRED)
    say(a, VOUCH_MSG_ACC_ENDED);
  return rc;
}

static vouch_rc cmd_cancel(struct app *a, int argc, char **argv)
{
  bool yes = false, del = false, undo = false, go = false;
  vouch_rc mail = VOUCH_OK;
  vouch_rc rc =
      args(usage_cancel, argc, argv, NULL, 0, "--yes", &yes,
           "--delete-profile", &del, "--undo", &undo, (const char *)NULL);

  if(!rc && undo && (yes || del))
    rc = usage_error(usage_cancel, "--undo stands alone", NULL);
  if(!rc && undo)
    return cancel_undo(a);
  if(!rc)
    rc = check(a, false);
  if(!rc)
    rc = show_plan(a, del);
  go = yes;
  if(!rc && !yes)
    rc = ask_yes(a, VOUCH_MSG_CANCEL_ASK, &go);
  if(!rc && !go) {
    put(a, VOUCH_MSG_ACC_UNCHANGED);
    vouch_cli_said(); /* that is the whole answer: no "Cancelled." */
    return VOUCH_ERR_ABORT;
  }
  if(!rc)
    rc = vouch_membership_cancel(a->ctx, a->user, del, &mail);
  if(!rc)
    put(a, mail ? VOUCH_MSG_ACC_CANCELLED : VOUCH_MSG_ACC_CANCELLED_MAIL);
  else if(rc == VOUCH_ERR_EXISTS)
    say(a, VOUCH_MSG_ACC_IS_CANCELLED);
  else if(rc == VOUCH_ERR_DENIED)
    say(a, VOUCH_MSG_ACC_ENDED);
  return rc;
}

/* ------------------------------------------------------------- export */

/* s, then spaces up to width characters (of UTF-8 text), then a space. */
static void put_cell(const char *s, size_t width)
{
  size_t n = 0;

  fputs(s, stdout);
  for(; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  for(; n < width; n++)
    putchar(' ');
  putchar(' ');
}

/* A request's status in the member's language. */
static const char *status_label(const char *lang, vouch_export_status s)
{
  /* In the order of vouch_export_status. */
  static const vouch_msg_id ids[] = {
      VOUCH_MSG_EXPORT_UNCONFIRMED, VOUCH_MSG_EXPORT_IN_PROGRESS,
      VOUCH_MSG_EXPORT_READY, VOUCH_MSG_EXPORT_CANCELLED,
      VOUCH_MSG_EXPORT_EXPIRED};

  if((unsigned)s < sizeof(ids) / sizeof(ids[0]))
    return vouch_msg(lang, ids[s]);
  return vouch_export_status_label(s);
}

static vouch_rc export_row(void *arg, const vouch_export_row *r)
{
  struct rows *o = arg;
  const char *head[3];
  char created[16], hbuf[128];

  vouch_format_date(r->created, created, sizeof(created));
  if(o->json) {
    printf("{\"id\":%lld,\"created\":\"%s\",\"status\":\"%s\"}\n",
           (long long)r->id, created, vouch_export_status_name(r->status));
    return VOUCH_OK;
  }
  if(!o->n++) {
    headings(o->lang, VOUCH_MSG_ACC_EXPORT_COLUMNS, hbuf, sizeof(hbuf), head,
             3);
    put_cell(head[0], 6);
    put_cell(head[1], 12);
    printf("%s\n", head[2]);
  }
  printf("%-6lld %-12s %s\n", (long long)r->id, created,
         status_label(o->lang, r->status));
  return VOUCH_OK;
}

static vouch_rc export_confirm(struct app *a, const char *token)
{
  char *pw = NULL, msg[512];
  int64_t id = 0;
  vouch_rc rc = vouch_export_pending(a->ctx, a->user, token, &id);

  if(rc == VOUCH_ERR_INPUT)
    say(a, VOUCH_MSG_ACC_TOKEN_MALFORMED);
  else if(rc == VOUCH_ERR_NOT_FOUND || rc == VOUCH_ERR_STALE)
    say(a, VOUCH_MSG_ACC_TOKEN_NOTHING);
  if(!rc)
    rc = ask(a, vouch_msg(a->lang, VOUCH_MSG_CURRENT_PASSWORD), false, &pw);
  if(!rc)
    rc = vouch_export_confirm(a->ctx, a->user, token, pw, &id, NULL);
  if(!rc) {
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_EXPORT_CONFIRMED,
               (long long)id);
    printf("%s\n", msg);
  }
  else if(rc == VOUCH_ERR_AUTH)
    say(a, VOUCH_MSG_ACC_TOKEN_WRONG);
  else if(rc == VOUCH_ERR_LOCKED)
    tell(a, VOUCH_MSG_LOCKED);
  vouch_free_secret(pw);
  return rc;
}

static vouch_rc cmd_export(struct app *a, int argc, char **argv)
{
  const char *pos[2] = {NULL, NULL};
  struct rows o = {false, 0, NULL, a->lang};
  char msg[512];
  int64_t id = 0;
  vouch_rc rc;

  if(argc > 1 && !strcmp(argv[1], "confirm")) {
    rc = args(usage_export, argc - 1, argv + 1, pos, 1, (const char *)NULL);
    return rc ? rc : export_confirm(a, pos[0]);
  }
  if(argc > 1 && !strcmp(argv[1], "list")) {
    rc = args(usage_export, argc - 1, argv + 1, NULL, 0, "--json", &o.json,
              (const char *)NULL);
    if(!rc)
      rc = vouch_export_each(a->ctx, a->user, export_row, &o);
    if(!rc && !o.json && !o.n)
      put(a, VOUCH_MSG_ACC_EXPORT_NONE);
    return rc;
  }
  rc = args(usage_export, argc, argv, NULL, 0, (const char *)NULL);
  if(!rc)
    rc = check(a, false);
  if(!rc)
    rc = vouch_export_request(a->ctx, a->user, &id);
  if(!rc) {
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_EXPORT_SUBMITTED,
               (long long)id);
    printf("%s\n", msg);
  }
  else if(rc == VOUCH_ERR_EXISTS)
    say(a, VOUCH_MSG_ACC_EXPORT_PENDING);
  else if(rc == VOUCH_ERR_UNAVAIL)
    say(a, VOUCH_MSG_ACC_EXPORT_NO_EMAIL);
  else if(rc == VOUCH_ERR_DELIVERY)
    say(a, VOUCH_MSG_ACC_EXPORT_NOT_SENT);
  return rc;
}

/* ------------------------------------------------------------ approve */

static vouch_rc cmd_approve(struct app *a, int argc, char **argv)
{
  char norm[VOUCH_DEVICE_CODE_CHARS + 1], buf[4 * SHOW_MAX + 8], msg[512];
  const char *unused = NULL;
  char *code = NULL;
  bool deny = false;
  vouch_rc rc = args(usage_approve, argc, argv, &unused, 0, "--deny", &deny,
                     (const char *)NULL);

  if(!rc)
    rc = ask(a, vouch_msg(a->lang, VOUCH_MSG_DEVICE_ASK), true, &code);
  if(!rc && vouch_device_code_parse(vouch_trim(code), norm, sizeof(norm))) {
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_CODE_INVALID,
               vouch_cli_shown(code, buf, sizeof(buf)), VOUCH_DEVICE_ALPHABET);
    vouch_cli_say("%s", msg);
    rc = VOUCH_ERR_INPUT;
  }
  vouch_wipe(norm, sizeof(norm));
  if(!rc)
    rc = check(a, false);
  if(!rc)
    rc = vouch_device_decide(a->ctx, a->user, code, !deny);
  if(!rc && deny)
    put(a, VOUCH_MSG_ACC_REFUSED);
  else if(!rc) {
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_APPROVED, a->user);
    printf("%s\n", msg);
  }
  else if(rc == VOUCH_ERR_AUTH)
    say(a, VOUCH_MSG_ACC_CODE_UNKNOWN);
  else if(rc == VOUCH_ERR_RATE) {
    vouch_msgf(msg, sizeof(msg), a->lang, VOUCH_MSG_ACC_CODE_RATE,
               VOUCH_DEVICE_WRONG_WINDOW / 60);
    vouch_cli_say("%s", msg);
  }
  vouch_free_secret(code);
  return rc;
}

/* -------------------------------------------------------------- setup */

/* Nothing the caller set survives: environment, umask, descriptors. */
static int sanitize(void)
{
  static const int sigs[] = {SIGINT,  SIGQUIT, SIGTERM, SIGHUP, SIGPIPE,
                             SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM};
  sigset_t none;
  size_t i;
  int fd;

  if(clearenv() || setenv("PATH", "/usr/bin:/bin", 1))
    return -1;
  umask(077);
  /* Signals as the caller left them (ignored, blocked) do not carry
   * over: an interrupt ends the tool, which changes nothing. */
  for(i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
    signal(sigs[i], SIG_DFL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* 0, 1 and 2 must exist, or a file we open could take their place. */
  for(fd = 0; fd < 3; fd++) {
    if(fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
      return -1;
  }
  if(close_range(3, ~0U, 0)) {
    for(fd = 3; fd < 65536; fd++)
      (void)close(fd);
  }
  return 0;
}

/* Global options; *first gets the index of the command. */
static vouch_rc global_options(struct app *a, int argc, char **argv,
                               int *first)
{
  int i;

  for(i = 1; i < argc && argv[i][0] == '-'; i++) {
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage_main, stdout);
      return HELP_SHOWN;
    }
    if(!strcmp(argv[i], "--version")) {
      printf("vouch-account %s\n", VOUCH_VERSION);
      return HELP_SHOWN;
    }
    if((strcmp(argv[i], "--user") && strcmp(argv[i], "--config")) ||
       i + 1 >= argc)
      return usage_error(usage_main, "unknown option or missing value",
                         argv[i]);
    /* --config from anyone: vouchd runs with its own and refused any
     * other before this ran. */
    if(!a->root && !strcmp(argv[i], "--user")) {
      vouch_cli_say("only root may use %s", argv[i]);
      return VOUCH_ERR_DENIED;
    }
    if(!strcmp(argv[i], "--user"))
      a->as = argv[++i];
    else
      a->conf = argv[++i];
  }
  if(i >= argc)
    return usage_error(usage_main, "missing COMMAND", NULL);
  *first = i;
  return VOUCH_OK;
}

/* Whom the tool acts for: the real uid's name, or root's --user. */
static vouch_rc who(struct app *a)
{
  char buf[4 * SHOW_MAX + 8];
  const char *name = a->as;
  struct passwd *pw;

  if(!name) {
    errno = 0;
    pw = getpwuid(vouch_cli_caller());
    if(!pw) {
      vouch_cli_say("your user id %lu has no name",
                    (unsigned long)vouch_cli_caller());
      return VOUCH_ERR_NO_USER;
    }
    name = pw->pw_name;
  }
  if(!vouch_valid_username(name) || strlen(name) >= sizeof(a->user)) {
    vouch_cli_say("invalid user name '%s'",
                  vouch_cli_shown(name, buf, sizeof(buf)));
    return VOUCH_ERR_INPUT;
  }
  memcpy(a->user, name, strlen(name) + 1);
  return VOUCH_OK;
}

struct command {
  const char *name;
  vouch_rc (*run)(struct app *a, int argc, char **argv);
};

static bool wants_help(int argc, char **argv)
{
  int i;

  for(i = 1; i < argc; i++)
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return true;
  return false;
}

static vouch_rc dispatch(struct app *a, int argc, char **argv)
{
  static const struct command cmds[] = {
      {"email", cmd_email},       {"phone", cmd_phone},
      {"password", cmd_password}, {"logout-all", cmd_logout},
      {"devices", cmd_devices},   {"cancel", cmd_cancel},
      {"export", cmd_export},     {"approve", cmd_approve}};
  size_t i;
  vouch_rc rc;

  for(i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    if(strcmp(argv[0], cmds[i].name))
      continue;
    if(wants_help(argc, argv))
      return cmds[i].run(a, argc, argv); /* prints usage only */
    rc = vouch_ctx_new(a->conf, SERVICE, vouch_cli_log, NULL, &a->ctx);
    if(!rc)
      rc = vouch_account_exists(a->ctx, a->user);
    if(rc == VOUCH_ERR_NO_USER)
      vouch_cli_say("%s has no vouch account", a->user);
    if(rc)
      return rc;
    a->lang = vouch_user_lang(a->ctx, a->user);
    return cmds[i].run(a, argc, argv);
  }
  return usage_error(usage_main, "unknown command", argv[0]);
}

int main(int argc, char **argv)
{
  struct app a;
  vouch_rc rc;
  int first = 0;

  vouch_cli_name("vouch-account");

  memset(&a, 0, sizeof(a));
  a.conf = VOUCH_CONF_PATH;
  a.lang = "en";
  a.root = vouch_cli_caller() == 0;
  if(sanitize()) {
    vouch_cli_say("cannot set up a clean environment");
    return VOUCH_EXIT_SYSTEM;
  }
  rc = global_options(&a, argc, argv, &first);
  if(!rc)
    rc = who(&a);
  if(!rc)
    rc = dispatch(&a, argc - first, argv + first);
  vouch_ctx_free(a.ctx);
  return vouch_cli_exit(rc);
}
