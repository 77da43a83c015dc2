/*
 * test_challenge.c - unit tests for core/challenge.c: codes by email and
 * SMS (made, stored only as a keyed hash, delivered for real through the
 * file transports, redeemed once), attempts, rate limits, the lockout
 * with its reset email, tokens, and concurrent redemption.  Expiry with
 * a moved clock is tested by the scripts in tests/challenge.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "sc_fixture.h"

#define CH_EMAIL VOUCH_CHANNEL_EMAIL
#define CH_SMS VOUCH_CHANNEL_SMS

static void send_ok(const char *user, const char *purpose, vouch_channel ch)
{
  assert_int_equal(vouch_code_send(sc_ctx, user, purpose, ch, NULL, 0, false),
                   VOUCH_OK);
}

/* Sends a code and reads it back from the delivered message. */
static void send_take(const char *user, const char *purpose, vouch_channel ch,
                      char *code)
{
  const char *dir = ch == CH_SMS ? sc_sms : sc_mail;

  sc_clear(dir);
  send_ok(user, purpose, ch);
  assert_true(sc_take_code(dir, sc_ctx->cfg->otp_length, code));
}

/* A wrong answer of the right shape. */
static void wrong_of(const char *code, char *wrong)
{
  size_t i, n = strlen(code);

  for(i = 0; i < n; i++)
    wrong[i] = (char)('0' + (code[i] - '0' + 1) % 10);
  wrong[n] = '\0';
}

static vouch_rc redeem(const char *user, const char *purpose, vouch_channel ch,
                       const char *answer)
{
  return vouch_code_redeem(sc_ctx, user, purpose, ch, answer);
}

/* ------------------------------------------------------------ codes */

static void test_email_code(void **state)
{
  char code[16], *text;

  (void)state;
  sc_clear(sc_mail);
  send_ok("alice", "check", CH_EMAIL);
  text = sc_message(sc_mail);
  assert_non_null(text);
  assert_non_null(strstr(text, "To: alice@example.org"));
  assert_non_null(strstr(text, "Subject: Confirm account change with this"
                               " code"));
  assert_non_null(strstr(text, "Hello Alice Ærø,"));
  assert_non_null(strstr(text, "valid for 10 minutes"));
  assert_true(sc_find_code(sc_body(text), 6, code));
  assert_int_equal(strspn(code, "0123456789"), 6);
  free(text);
  sc_clear(sc_mail);
  /* The code appears nowhere but in the message. */
  assert_null(strstr(sc_log, code));
  assert_int_equal(sc_audits("alice", "code.sent"), 1);

  /* Answers of the wrong shape: refused, never counted. */
  assert_int_equal(redeem("alice", "check", CH_EMAIL, ""), VOUCH_ERR_INPUT);
  assert_int_equal(redeem("alice", "check", CH_EMAIL, "12345"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(redeem("alice", "check", CH_EMAIL, "1234567"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(redeem("alice", "check", CH_EMAIL, "12a456"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(redeem("alice", "check", CH_EMAIL, " 12345"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(redeem("alice", "check", CH_EMAIL, "١٢٣٤٥٦"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(redeem("alice", "check", CH_EMAIL, NULL), VOUCH_ERR_INPUT);
  assert_int_equal(sc_audits("alice", "check.fail"), 0);
  /* Bound to purpose, channel and user. */
  assert_int_equal(redeem("alice", "reset", CH_EMAIL, code), VOUCH_ERR_STALE);
  assert_int_equal(redeem("alice", "check", CH_SMS, code), VOUCH_ERR_STALE);
  assert_int_equal(redeem("bob", "check", CH_EMAIL, code), VOUCH_ERR_STALE);
  /* Right once, then used up. */
  assert_int_equal(redeem("alice", "check", CH_EMAIL, code), VOUCH_OK);
  assert_int_equal(redeem("alice", "check", CH_EMAIL, code), VOUCH_ERR_STALE);
  assert_int_equal(sc_audits("alice", "code.ok"), 1);
  assert_int_equal(sc_audits("alice", "check.fail"), 0);
}

static void test_only_mac_stored(void **state)
{
  char code[16];

  (void)state;
  /* Ten digits: no chance that they turn up in the file by accident. */
  sc_ctx->cfg->otp_length = 10;
  send_take("alice", "check", CH_EMAIL, code);
  assert_int_equal(strlen(code), 10);
  vouch_ctx_free(sc_ctx);
  sc_ctx = sc_open();
  assert_non_null(sc_ctx);
  assert_false(sc_store_holds(code));
  sc_ctx->cfg->otp_length = 10;
  assert_int_equal(redeem("alice", "check", CH_EMAIL, code), VOUCH_OK);
  assert_false(sc_store_holds(code));
}

static void test_sms_and_phone(void **state)
{
  char code[16], *text;

  (void)state;
  send_take("alice", "check", CH_SMS, code);
  assert_int_equal(redeem("alice", "check", CH_SMS, code), VOUCH_OK);
  sc_clear(sc_sms);
  send_ok("alice", "check", CH_SMS);
  text = sc_message(sc_sms);
  assert_non_null(text);
  assert_true(!strncmp(text, "To: +4512345678\n\n", 17));
  assert_non_null(strstr(text, "valid 10 min"));
  free(text);
  sc_clear(sc_sms);

  /* bob's phone is not verified: no security-check SMS to it. */
  assert_int_equal(
      vouch_code_send(sc_ctx, "bob", "check", CH_SMS, NULL, 0, false),
      VOUCH_ERR_UNAVAIL);
  assert_int_equal(sc_count(sc_sms), 0);
  assert_int_equal(sc_audits("bob", "code.unavailable"), 1);
  /* carol has nothing on file at all. */
  assert_int_equal(
      vouch_code_send(sc_ctx, "carol", "check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_UNAVAIL);
  assert_int_equal(
      vouch_code_send(sc_ctx, "carol", "check", CH_SMS, NULL, 0, false),
      VOUCH_ERR_UNAVAIL);
  assert_int_equal(sc_count(sc_mail), 0);
  /* Verifying bob's phone: the code goes to the unverified number. */
  send_take("bob", "phone-verify", CH_SMS, code);
  assert_int_equal(redeem("bob", "phone-verify", CH_SMS, code), VOUCH_OK);
  assert_int_equal(vouch_phone_set_verified(sc_ctx, "bob"), VOUCH_OK);
  assert_int_equal(sc_audits("bob", "phone.verified"), 1);
  send_take("bob", "check", CH_SMS, code);
  assert_int_equal(redeem("bob", "check", CH_SMS, code), VOUCH_OK);
  assert_int_equal(vouch_phone_set_verified(sc_ctx, "carol"),
                   VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_phone_set_verified(sc_ctx, "nobody"),
                   VOUCH_ERR_NO_USER);
  /* An explicit destination (a new number being confirmed). */
  assert_int_equal(vouch_code_send(sc_ctx, "carol", "phone-verify", CH_SMS,
                                   "+4511112222", 0, false),
                   VOUCH_OK);
  text = sc_message(sc_sms);
  assert_non_null(text);
  assert_true(!strncmp(text, "To: +4511112222\n", 16));
  free(text);
}

static void test_templates_lang_ttl(void **state)
{
  char *text;

  (void)state;
  /* bob reads Danish; an explicit ttl shows in the message. */
  sc_clear(sc_mail);
  assert_int_equal(
      vouch_code_send(sc_ctx, "bob", "check", CH_EMAIL, NULL, 90, false),
      VOUCH_OK);
  text = sc_message(sc_mail);
  assert_non_null(text);
  assert_non_null(strstr(sc_body(text), "Hej"));
  assert_null(strstr(text, "Hello"));
  assert_non_null(strstr(sc_body(text), " 2 "));
  free(text);
  sc_clear(sc_mail);
  assert_int_equal(vouch_code_send(sc_ctx, "alice", "email-verify", CH_EMAIL,
                                   "alice.new@example.org", 0, false),
                   VOUCH_OK);
  text = sc_message(sc_mail);
  assert_non_null(text);
  assert_non_null(strstr(text, "To: alice.new@example.org"));
  assert_non_null(strstr(text, "Subject: Confirm your new email address"));
  free(text);
  sc_clear(sc_sms);
  assert_int_equal(vouch_code_send(sc_ctx, "alice", "reset", CH_SMS, NULL,
                                   sc_ctx->cfg->reset_sms_ttl, false),
                   VOUCH_OK);
  text = sc_message(sc_sms);
  assert_non_null(text);
  assert_non_null(strstr(text, "reset code"));
  assert_non_null(strstr(text, "valid 20 min"));
  free(text);
}

static void test_bad_requests(void **state)
{
  (void)state;
  assert_int_equal(
      vouch_code_send(sc_ctx, "nobody", "check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_code_send(sc_ctx, "-x", "check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_code_send(sc_ctx, NULL, "check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_NO_USER);
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "Check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_INPUT);
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_INPUT);
  assert_int_equal(vouch_code_send(sc_ctx, "alice",
                                   "abcdefghijklmnopqrstuvwxyzabcdefg",
                                   CH_EMAIL, NULL, 0, false),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_code_send(sc_ctx, "alice", "check", (vouch_channel)7,
                                   NULL, 0, false),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_code_send(sc_ctx, "alice", "check", CH_EMAIL,
                                   "not an address", 0, false),
                   VOUCH_ERR_INPUT);
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "check", CH_SMS, "12345", 0, false),
      VOUCH_ERR_INPUT);
  assert_int_equal(vouch_code_send(sc_ctx, "alice", "check", CH_EMAIL,
                                   "a@b.example\r\nBcc: x@y.example", 0,
                                   false),
                   VOUCH_ERR_INPUT);
  assert_int_equal(redeem("nobody", "check", CH_EMAIL, "123456"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(redeem("alice", "a b", CH_EMAIL, "123456"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(sc_count(sc_mail), 0);
  assert_int_equal(sc_count(sc_sms), 0);
}

static void test_attempts(void **state)
{
  char code[16], wrong[16];
  int i;

  (void)state;
  sc_ctx->cfg->lock_max_failures = 100; /* this test is about the code */
  send_take("alice", "check", CH_EMAIL, code);
  wrong_of(code, wrong);
  for(i = 0; i < 4; i++)
    assert_int_equal(redeem("alice", "check", CH_EMAIL, wrong),
                     VOUCH_ERR_AUTH);
  /* Still alive after max_attempts - 1 wrong answers. */
  assert_int_equal(redeem("alice", "check", CH_EMAIL, code), VOUCH_OK);
  send_take("alice", "check", CH_EMAIL, code);
  wrong_of(code, wrong);
  for(i = 0; i < 5; i++)
    assert_int_equal(redeem("alice", "check", CH_EMAIL, wrong),
                     VOUCH_ERR_AUTH);
  /* The fifth wrong answer killed it: the right one is too late. */
  assert_int_equal(redeem("alice", "check", CH_EMAIL, code), VOUCH_ERR_STALE);
  assert_int_equal(sc_audits("alice", "check.fail"), 9);
  assert_int_equal(sc_state("alice"), VOUCH_STATE_ACTIVE);
}

static void test_rate_limits(void **state)
{
  int i;

  (void)state;
  send_ok("alice", "check", CH_EMAIL);
  /* A resend right away is too soon. */
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "check", CH_EMAIL, NULL, 0, true),
      VOUCH_ERR_RATE);
  assert_int_equal(sc_audits("alice", "code.rate"), 1);
  /* resend_max counts the resends alone: first sends go on... */
  for(i = 0; i < 7; i++)
    send_ok("alice", "check", CH_EMAIL);
  assert_int_equal(sc_count(sc_mail), 8);
  /* ... up to [otp] max_per_hour codes of the member in the hour. */
  for(i = 8; i < 20; i++)
    send_ok("alice", "reset", CH_EMAIL);
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_RATE);
  assert_int_equal(sc_count(sc_mail), 20);
  /* Counted per member, whatever the purpose and channel. */
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "check", CH_SMS, NULL, 0, false),
      VOUCH_ERR_RATE);
  send_ok("bob", "check", CH_EMAIL);
}

static void test_delivery_failure(void **state)
{
  vouch_code_row c;
  vouch_store *st;
  char any[8];
  int i;

  (void)state;
  assert_int_equal(sc_teardown(NULL), 0);
  assert_int_equal(sc_setup_with(NULL, "/bin/false"), 0);
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_DELIVERY);
  assert_int_equal(sc_audits("alice", "code.delivery_failed"), 1);
  assert_int_equal(sc_audits("alice", "code.sent"), 0);
  /* No code is left that any answer could redeem. */
  assert_int_equal(vouch_ctx_store(sc_ctx, &st), VOUCH_OK);
  assert_int_equal(
      vouch_store_code_live(st, "alice", "check", CH_EMAIL, time(NULL), &c),
      VOUCH_ERR_NOT_FOUND);
  for(i = 0; i < 3; i++) {
    snprintf(any, sizeof(any), "%06d", i * 333333);
    assert_int_equal(redeem("alice", "check", CH_EMAIL, any), VOUCH_ERR_STALE);
  }
  assert_int_equal(sc_audits("alice", "check.fail"), 0);
}

/* ----------------------------------------------------------- lockout */

/* The token in the link of the only message in the mail folder. */
static void take_link_token(char *token)
{
  char *text = sc_message(sc_mail), *at;

  assert_non_null(text);
  assert_non_null(strstr(text, "To: alice@example.org"));
  assert_non_null(strstr(text, "Subject: Password reset required"));
  assert_non_null(strstr(text, "valid for 24 hours"));
  at = strstr(text, "https://example.org/r?token=");
  assert_non_null(at);
  at += strlen("https://example.org/r?token=");
  assert_int_equal(strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "abcdefghijklmnopqrstuvwxyz0123456789-_"),
                   VOUCH_TOKEN_CHARS);
  memcpy(token, at, VOUCH_TOKEN_CHARS);
  token[VOUCH_TOKEN_CHARS] = '\0';
  free(text);
  sc_clear(sc_mail);
}

static void test_lockout(void **state)
{
  char code[16], wrong[16], token[VOUCH_TOKEN_CHARS + 1];
  int i;

  (void)state;
  send_take("alice", "check", CH_EMAIL, code);
  wrong_of(code, wrong);
  for(i = 0; i < 3; i++)
    assert_int_equal(redeem("alice", "check", CH_EMAIL, wrong),
                     VOUCH_ERR_AUTH);
  /* A new code (another channel, even) does not reset the count. */
  send_take("alice", "check", CH_SMS, code);
  wrong_of(code, wrong);
  assert_int_equal(redeem("alice", "check", CH_SMS, wrong), VOUCH_ERR_AUTH);
  assert_int_equal(sc_count(sc_mail), 0);
  assert_int_equal(redeem("alice", "check", CH_SMS, wrong), VOUCH_ERR_LOCKED);
  assert_int_equal(sc_state("alice"), VOUCH_STATE_LOCKED);
  assert_int_equal(sc_audits("alice", "account.locked"), 1);
  assert_int_equal(sc_audits("alice", "lockout.email_sent"), 1);
  take_link_token(token);

  /* Locked: refused up front, not counted, no new code. */
  assert_int_equal(redeem("alice", "check", CH_SMS, code), VOUCH_ERR_LOCKED);
  assert_int_equal(
      vouch_code_send(sc_ctx, "alice", "check", CH_EMAIL, NULL, 0, false),
      VOUCH_ERR_LOCKED);
  assert_int_equal(vouch_check_failed(sc_ctx, "alice", "card"),
                   VOUCH_ERR_LOCKED);
  assert_int_equal(sc_audits("alice", "check.fail"), 5);
  assert_int_equal(sc_count(sc_mail), 0);
  /* But a reset code can still be sent: it is the way out. */
  send_take("alice", "reset", CH_SMS, code);
  assert_int_equal(redeem("alice", "reset", CH_SMS, code), VOUCH_OK);

  /* The link's token: not bob's, not for another purpose, once. */
  assert_int_equal(vouch_token_redeem(sc_ctx, "bob", "reset", token),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "export", token),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", token),
                   VOUCH_OK);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", token),
                   VOUCH_ERR_STALE);
  assert_false(sc_store_holds(token));
}

static void test_lockout_other_methods(void **state)
{
  (void)state;
  /* Failures of every method add up; bob has no email: locked, and
   * the missing email is audited. */
  assert_int_equal(vouch_check_failed(sc_ctx, "carol", "card"),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_check_failed(sc_ctx, "carol", "sms"), VOUCH_ERR_AUTH);
  assert_int_equal(vouch_check_failed(sc_ctx, "carol", "email"),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_check_failed(sc_ctx, "carol", "card"),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_check_failed(sc_ctx, "carol", "card"),
                   VOUCH_ERR_LOCKED);
  assert_int_equal(sc_state("carol"), VOUCH_STATE_LOCKED);
  assert_int_equal(sc_audits("carol", "lockout.email_failed"), 1);
  assert_int_equal(sc_count(sc_mail), 0);
  assert_int_equal(vouch_check_failed(sc_ctx, "nobody", "card"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_check_failed(sc_ctx, "alice", "no such"),
                   VOUCH_ERR_INPUT);
}

static void test_check_failed_in_transaction(void **state)
{
  char token[VOUCH_TOKEN_CHARS + 1];
  vouch_store *st;
  int i;

  (void)state;
  assert_int_equal(vouch_ctx_store(sc_ctx, &st), VOUCH_OK);
  for(i = 0; i < 4; i++)
    assert_int_equal(vouch_check_failed(sc_ctx, "alice", "card"),
                     VOUCH_ERR_AUTH);
  /* Inside the caller's transaction: its rollback takes it back. */
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  assert_int_equal(vouch_check_failed(sc_ctx, "alice", "card"),
                   VOUCH_ERR_LOCKED);
  assert_true(vouch_store_in_transaction(st));
  vouch_store_rollback(st);
  assert_int_equal(sc_state("alice"), VOUCH_STATE_ACTIVE);
  sc_clear(sc_mail);
  /* And its commit keeps it. */
  assert_int_equal(vouch_store_begin(st), VOUCH_OK);
  assert_int_equal(vouch_check_failed(sc_ctx, "alice", "card"),
                   VOUCH_ERR_LOCKED);
  assert_int_equal(vouch_store_commit(st), VOUCH_OK);
  assert_int_equal(sc_state("alice"), VOUCH_STATE_LOCKED);
  take_link_token(token);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", token),
                   VOUCH_OK);
}

/* ------------------------------------------------------------ tokens */

static void test_tokens(void **state)
{
  char token[VOUCH_TOKEN_CHARS + 1], other[VOUCH_TOKEN_CHARS + 1];
  char bad[VOUCH_TOKEN_CHARS + 2];

  (void)state;
  assert_int_equal(vouch_token_issue(sc_ctx, "alice", "reset", 3600, token),
                   VOUCH_OK);
  assert_int_equal(strlen(token), VOUCH_TOKEN_CHARS);
  assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz0123456789-_"),
                   VOUCH_TOKEN_CHARS);
  assert_int_equal(vouch_token_issue(sc_ctx, "alice", "reset", 3600, other),
                   VOUCH_OK);
  assert_string_not_equal(token, other);
  assert_int_equal(sc_audits("alice", "token.issued"), 2);
  assert_null(strstr(sc_log, token));

  /* Malformed: truncated, too long, outside the alphabet. */
  memcpy(bad, token, VOUCH_TOKEN_CHARS - 1);
  bad[VOUCH_TOKEN_CHARS - 1] = '\0';
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", bad),
                   VOUCH_ERR_INPUT);
  snprintf(bad, sizeof(bad), "%sA", token);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", bad),
                   VOUCH_ERR_INPUT);
  snprintf(bad, sizeof(bad), "%s", token);
  bad[5] = '+';
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", bad),
                   VOUCH_ERR_INPUT);
  bad[5] = '=';
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", bad),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", ""),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", NULL),
                   VOUCH_ERR_INPUT);
  /* Tampered: one character changed. */
  snprintf(bad, sizeof(bad), "%s", token);
  bad[10] = bad[10] == 'A' ? 'B' : 'A';
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", bad),
                   VOUCH_ERR_AUTH);
  /* Another user's, another purpose's, an unknown user. */
  assert_int_equal(vouch_token_redeem(sc_ctx, "bob", "reset", token),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "export", token),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_token_redeem(sc_ctx, "nobody", "reset", token),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(sc_audits("alice", "token.fail"), 2);
  /* Right: once. The other token is still good. */
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", token),
                   VOUCH_OK);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", token),
                   VOUCH_ERR_STALE);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", other),
                   VOUCH_OK);
  assert_false(sc_store_holds(token));
  assert_false(sc_store_holds(other));
  /* Bad requests. */
  assert_int_equal(vouch_token_issue(sc_ctx, "nobody", "reset", 60, token),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_token_issue(sc_ctx, "alice", "Reset", 60, token),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_token_issue(sc_ctx, "alice", "reset", 0, token),
                   VOUCH_ERR_INPUT);
}

/* ------------------------------------------------------- concurrency */

/* Forks n children that each redeem answer in a process and store
 * connection of their own; counts their results by vouch_rc. */
static void race(int n, const char *answer, int *count_by_rc)
{
  pid_t pids[16];
  int p[2], i, status;
  char go;
  struct timespec t0, t;

  assert_true(n <= 16);
  assert_int_equal(pipe(p), 0);
  for(i = 0; i < n; i++) {
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if(pids[i] == 0) {
      vouch_ctx *ctx = NULL;
      vouch_rc rc;
      close(p[1]);
      if(vouch_ctx_new(sc_conf, "race", NULL, NULL, &ctx))
        _exit(100);
      /* Everyone starts together when the parent closes the pipe. */
      if(read(p[0], &go, 1) != 0)
        _exit(101);
      rc = vouch_code_redeem(ctx, "alice", "check", CH_EMAIL, answer);
      vouch_ctx_free(ctx);
      _exit((int)rc);
    }
  }
  close(p[0]);
  usleep(100000);
  close(p[1]);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for(i = 0; i < n; i++) {
    pid_t got = 0;
    do {
      got = waitpid(pids[i], &status, WNOHANG);
      if(got == 0)
        usleep(10000);
      clock_gettime(CLOCK_MONOTONIC, &t);
    } while(got == 0 && t.tv_sec - t0.tv_sec < 60);
    if(got == 0) {
      kill(pids[i], SIGKILL);
      waitpid(pids[i], &status, 0);
    }
    assert_true(WIFEXITED(status));
    assert_true(WEXITSTATUS(status) < VOUCH_RC_COUNT);
    count_by_rc[WEXITSTATUS(status)]++;
  }
}

static void test_concurrent_redeem(void **state)
{
  int by_rc[VOUCH_RC_COUNT] = {0};
  char code[16], wrong[16];

  (void)state;
  send_take("alice", "check", CH_EMAIL, code);
  race(6, code, by_rc);
  assert_int_equal(by_rc[VOUCH_OK], 1);
  assert_int_equal(by_rc[VOUCH_ERR_STALE], 5);
  assert_int_equal(sc_audits("alice", "code.ok"), 1);

  /* N parallel wrong answers count N, on the code and the account. */
  memset(by_rc, 0, sizeof(by_rc));
  send_take("alice", "check", CH_EMAIL, code);
  wrong_of(code, wrong);
  race(4, wrong, by_rc);
  assert_int_equal(by_rc[VOUCH_ERR_AUTH], 4);
  assert_int_equal(sc_audits("alice", "check.fail"), 4);
  /* One more kills the code (max_attempts 5) and locks (max 5). */
  assert_int_equal(redeem("alice", "check", CH_EMAIL, wrong),
                   VOUCH_ERR_LOCKED);
  assert_int_equal(sc_audits("alice", "code.fail"), 5);
}

/* A code sent to a new address confirms that address alone: not the
 * address on file, not another new one, and a contact change cannot be
 * finished with the code of another change. */
static void test_code_bound_to_dest(void **state)
{
  char code[16];
  vouch_user u = {0};
  vouch_store *st;

  (void)state;
  sc_clear(sc_mail);
  assert_int_equal(vouch_code_send(sc_ctx, "alice", "email-verify", CH_EMAIL,
                                   "a.new@example.org", 0, false),
                   VOUCH_OK);
  assert_true(sc_take_code(sc_mail, sc_ctx->cfg->otp_length, code));
  assert_int_equal(vouch_code_redeem_to(sc_ctx, "alice", "email-verify",
                                        CH_EMAIL, "b.new@example.org", code),
                   VOUCH_ERR_AUTH);
  assert_int_equal(redeem("alice", "email-verify", CH_EMAIL, code),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_code_redeem_to(sc_ctx, "alice", "email-verify",
                                        CH_EMAIL, "not an address", code),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_code_redeem_to(sc_ctx, "alice", "email-verify",
                                        CH_EMAIL, "a.new@example.org", code),
                   VOUCH_OK);

  /* Two changes at once: the second code kills the first; the live code
   * (sent to b) does not let the first change set a. */
  sc_clear(sc_mail);
  assert_int_equal(vouch_contact_begin(sc_ctx, "alice", CH_EMAIL,
                                       "a.new@example.org", false, NULL, 0),
                   VOUCH_OK);
  sc_clear(sc_mail);
  assert_int_equal(vouch_contact_begin(sc_ctx, "alice", CH_EMAIL,
                                       "b.new@example.org", false, NULL, 0),
                   VOUCH_OK);
  assert_true(sc_take_code(sc_mail, sc_ctx->cfg->otp_length, code));
  assert_int_equal(vouch_contact_finish(sc_ctx, "alice", CH_EMAIL,
                                        "a.new@example.org", code, NULL),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_ctx_store(sc_ctx, &st), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &u), VOUCH_OK);
  assert_string_not_equal(u.email, "a.new@example.org");
  vouch_user_clear(&u);
  /* The same code confirms b, the address it was sent to. */
  assert_int_equal(vouch_contact_finish(sc_ctx, "alice", CH_EMAIL,
                                        "b.new@example.org", code, NULL),
                   VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &u), VOUCH_OK);
  assert_string_equal(u.email, "b.new@example.org");
  vouch_user_clear(&u);
  /* Phone numbers the same way. */
  sc_clear(sc_sms);
  assert_int_equal(vouch_contact_begin(sc_ctx, "carol", CH_SMS, "+4511112222",
                                       false, NULL, 0),
                   VOUCH_OK);
  assert_true(sc_take_code(sc_sms, sc_ctx->cfg->otp_length, code));
  assert_int_equal(
      vouch_contact_finish(sc_ctx, "carol", CH_SMS, "+4533334444", code, NULL),
      VOUCH_ERR_AUTH);
  assert_int_equal(
      vouch_contact_finish(sc_ctx, "carol", CH_SMS, "+4511112222", code, NULL),
      VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "carol", &u), VOUCH_OK);
  assert_string_equal(u.phone, "+4511112222");
  assert_true(u.phone_verified);
  vouch_user_clear(&u);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, sc_setup, sc_teardown)
  /* clang-format off */
  const struct CMUnitTest tests[] = {
    T(test_email_code),
    T(test_only_mac_stored),
    T(test_sms_and_phone),
    T(test_templates_lang_ttl),
    T(test_bad_requests),
    T(test_attempts),
    T(test_rate_limits),
    T(test_delivery_failure),
    T(test_lockout),
    T(test_lockout_other_methods),
    T(test_check_failed_in_transaction),
    T(test_tokens),
    T(test_concurrent_redeem),
    T(test_code_bound_to_dest),
  };
  /* clang-format on */
#undef T

  return cmocka_run_group_tests(tests, NULL, NULL);
}
