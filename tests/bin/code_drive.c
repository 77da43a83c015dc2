/*
 * code_drive.c - drives the security-check core for the shell tests
 * (tests/challenge), so that libfaketime can move the clock of one call.
 *
 *   code_drive CONF send USER PURPOSE email|sms [TTL [resend]]
 *   code_drive CONF redeem USER PURPOSE email|sms ANSWER
 *   code_drive CONF token-issue USER PURPOSE TTL   (prints the token)
 *   code_drive CONF token-redeem USER PURPOSE TOKEN
 *   code_drive CONF fail USER METHOD               (vouch_check_failed)
 *   code_drive CONF card-set|card-check USER NUMBER
 *   code_drive CONF phone-verified USER
 *
 * Prints the result as one line "rc=NAME" (NAME of the vouch_rc: OK,
 * AUTH, STALE, ...) and exits with the vouch_rc value; 100 on wrong
 * usage.  (A test program: the card number on the command line is fine
 * here, never in a tool.)
 */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "vouch.h"

#define EXIT_USAGE 100

static const char *const rc_names[VOUCH_RC_COUNT] = {
    "OK",        "NOMEM",          "SYSTEM",    "CONFIG",   "INSECURE",
    "STORE",     "BUSY",           "KEY",       "CRYPTO",   "USAGE",
    "INPUT",     "NO_USER",        "NOT_FOUND", "EXISTS",   "AUTH",
    "LOCKED",    "RESET_REQUIRED", "EXPIRED",   "PW_SHORT", "PW_LONG",
    "PW_REUSED", "PW_MISMATCH",    "CONV",      "UNAVAIL",  "DELIVERY",
    "RATE",      "ABORT",          "DENIED",    "STALE"};

static void to_stderr(void *arg, int prio, const char *msg)
{
  (void)arg;
  (void)prio;
  fprintf(stderr, "code_drive: %s\n", msg);
}

static int channel_of(const char *s, vouch_channel *ch)
{
  if(!strcmp(s, "email"))
    *ch = VOUCH_CHANNEL_EMAIL;
  else if(!strcmp(s, "sms"))
    *ch = VOUCH_CHANNEL_SMS;
  else
    return -1;
  return 0;
}

static vouch_rc do_send(vouch_ctx *ctx, int argc, char **argv)
{
  unsigned long long ttl = 0;
  vouch_channel ch;

  if(argc < 6 || channel_of(argv[5], &ch))
    return VOUCH_ERR_USAGE;
  if(argc >= 7 && vouch_parse_uint(argv[6], 0, 100000000, &ttl))
    return VOUCH_ERR_USAGE;
  return vouch_code_send(ctx, argv[3], argv[4], ch, NULL, (unsigned)ttl,
                         argc >= 8 && !strcmp(argv[7], "resend"));
}

static vouch_rc do_token_issue(vouch_ctx *ctx, int argc, char **argv)
{
  char token[VOUCH_TOKEN_CHARS + 1];
  unsigned long long ttl = 0;
  vouch_rc rc;

  if(argc != 6 || vouch_parse_uint(argv[5], 1, 100000000, &ttl))
    return VOUCH_ERR_USAGE;
  rc = vouch_token_issue(ctx, argv[3], argv[4], (unsigned)ttl, token);
  if(!rc)
    printf("token=%s\n", token);
  return rc;
}

static vouch_rc dispatch(vouch_ctx *ctx, int argc, char **argv)
{
  const char *op = argv[2];
  vouch_channel ch;

  if(!strcmp(op, "send"))
    return do_send(ctx, argc, argv);
  if(!strcmp(op, "redeem") && argc == 7 && !channel_of(argv[5], &ch))
    return vouch_code_redeem(ctx, argv[3], argv[4], ch, argv[6]);
  if(!strcmp(op, "token-issue"))
    return do_token_issue(ctx, argc, argv);
  if(!strcmp(op, "token-redeem") && argc == 6)
    return vouch_token_redeem(ctx, argv[3], argv[4], argv[5]);
  if(!strcmp(op, "fail") && argc == 5)
    return vouch_check_failed(ctx, argv[3], argv[4]);
  if(!strcmp(op, "card-set") && argc == 5)
    return vouch_card_set(ctx, argv[3], argv[4]);
  if(!strcmp(op, "card-check") && argc == 5)
    return vouch_card_check(ctx, argv[3], argv[4]);
  if(!strcmp(op, "phone-verified") && argc == 4)
    return vouch_phone_set_verified(ctx, argv[3]);
  return VOUCH_ERR_USAGE;
}

int main(int argc, char **argv)
{
  vouch_ctx *ctx = NULL;
  vouch_rc rc;

  if(argc < 4) {
    fprintf(stderr, "usage: code_drive CONF OP USER ...\n");
    return EXIT_USAGE;
  }
  /* Like vouchd: this process opens the store itself, which may be the
   * PostgreSQL one (tests with VOUCH_BACKEND=postgresql). */
  vouch_pg_clear_env();
  vouch_store_pg_enable();
  rc = vouch_ctx_new(argv[1], "code_drive", to_stderr, NULL, &ctx);
  if(!rc)
    rc = dispatch(ctx, argc, argv);
  vouch_ctx_free(ctx);
  if(rc == VOUCH_ERR_USAGE) {
    fprintf(stderr, "code_drive: bad arguments\n");
    return EXIT_USAGE;
  }
  printf("rc=%s\n", rc_names[rc]);
  return (int)rc;
}
