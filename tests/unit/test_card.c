/*
 * test_card.c - unit tests for core/card.c: parsing card numbers (digits,
 * spaces, dashes, 12 to 19 digits, Luhn), storing only the keyed hash and
 * the last 4 digits, checking a number, and the lockout that wrong
 * numbers lead to - with a real store, key and delivery helper.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sc_fixture.h"

#define ONLY_DIGITS "only digits, spaces and dashes"
#define LENGTH "a card number has 12 to 19 digits"
#define LUHN "not a valid card number (the check digit is wrong)"

struct parse_case {
  const char *in;
  const char *digits; /* NULL: refused with why */
  const char *why;
};

static const struct parse_case parse_cases[] = {
    {"4111111111111111", "4111111111111111", NULL},       /* Visa */
    {"4111 1111 1111 1111", "4111111111111111", NULL},    /* spaces */
    {"4111-1111-1111-1111", "4111111111111111", NULL},    /* dashes */
    {" 4111-1111 1111-1111 ", "4111111111111111", NULL},  /* mixed */
    {"4222222222222", "4222222222222", NULL},             /* Visa 13 */
    {"5555 5555 5555 4444", "5555555555554444", NULL},    /* Mastercard */
    {"5105105105105100", "5105105105105100", NULL},       /* Mastercard */
    {"3782 822463 10005", "378282246310005", NULL},       /* Amex */
    {"371449635398431", "371449635398431", NULL},         /* Amex */
    {"6011000990139424", "6011000990139424", NULL},       /* Discover */
    {"123456789015", "123456789015", NULL},               /* 12 digits */
    {"6011000000000000001", "6011000000000000001", NULL}, /* 19 digits */
    {"4111111111111112", NULL, LUHN},                     /* bad Luhn */
    {"5555555555554445", NULL, LUHN},
    {"41111111111", NULL, LENGTH},          /* 11 digits */
    {"41111111111111111115", NULL, LENGTH}, /* 20 digits */
    {"4111111111111111111111111111111111111111", NULL, LENGTH},
    {"", NULL, LENGTH},
    {"   ", NULL, LENGTH},
    {"4111 1111 1111 111a", NULL, ONLY_DIGITS}, /* letters */
    {"card 4111111111111111", NULL, ONLY_DIGITS},
    {"4111.1111.1111.1111", NULL, ONLY_DIGITS},
    {"4111\t1111 1111 1111", NULL, ONLY_DIGITS},
    {"4111111111111111\n", NULL, ONLY_DIGITS},
    {"+4111111111111111", NULL, ONLY_DIGITS},
    {"\xef\xbc\x94"
     "111111111111111",
     NULL, ONLY_DIGITS}, /* fullwidth */
    {"4111\xff"
     "111111111111",
     NULL, ONLY_DIGITS}, /* not UTF-8 */
};

static void test_parse_table(void **state)
{
  char digits[24];
  const char *why;
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
    const struct parse_case *c = &parse_cases[i];
    vouch_rc rc;

    why = "unset";
    memset(digits, 'x', sizeof(digits));
    rc = vouch_card_parse(c->in, digits, sizeof(digits), &why);
    if(c->digits) {
      assert_int_equal(rc, VOUCH_OK);
      assert_string_equal(digits, c->digits);
      assert_null(why);
    }
    else {
      assert_int_equal(rc, VOUCH_ERR_INPUT);
      assert_non_null(why);
      assert_string_equal(why, c->why);
      /* Nothing of a refused number stays in the buffer. */
      for(size_t j = 0; j < sizeof(digits); j++)
        assert_int_equal(digits[j], '\0');
    }
  }
  /* A buffer too small for 19 digits is refused, NULL input too. */
  assert_int_equal(vouch_card_parse("4111111111111111", digits, 19, &why),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_card_parse(NULL, digits, sizeof(digits), &why),
                   VOUCH_ERR_INPUT);
  assert_string_equal(why, LENGTH);
  assert_int_equal(
      vouch_card_parse("4111111111111111", digits, sizeof(digits), NULL),
      VOUCH_OK);
}

static void set_alice_card(void)
{
  assert_int_equal(vouch_card_set(sc_ctx, "alice", "4111 1111 1111 1111"),
                   VOUCH_OK);
}

static void test_set_check(void **state)
{
  vouch_store *st;
  vouch_user u;

  (void)state;
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111111111111111"),
                   VOUCH_ERR_UNAVAIL);
  set_alice_card();
  assert_int_equal(vouch_ctx_store(sc_ctx, &st), VOUCH_OK);
  assert_int_equal(vouch_store_user_get(st, "alice", &u), VOUCH_OK);
  assert_true(u.has_card);
  assert_string_equal(u.card_last4, "1111");
  vouch_user_clear(&u);
  assert_int_equal(sc_audits("alice", "card.set"), 1);

  /* Right in any of the accepted spellings. */
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111111111111111"),
                   VOUCH_OK);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111-1111-1111-1111"),
                   VOUCH_OK);
  assert_int_equal(sc_audits("alice", "card.ok"), 2);
  /* Malformed: refused, not counted. */
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111111111111112"),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "1111"), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "abc"), VOUCH_ERR_INPUT);
  assert_int_equal(sc_audits("alice", "check.fail"), 0);
  /* Wrong but well-formed: counted. */
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4242424242424242"),
                   VOUCH_ERR_AUTH);
  assert_int_equal(sc_audits("alice", "check.fail"), 1);
  /* The card is bound to its owner: the same number is no card of bob. */
  assert_int_equal(vouch_card_check(sc_ctx, "bob", "4111111111111111"),
                   VOUCH_ERR_UNAVAIL);
  assert_int_equal(vouch_card_set(sc_ctx, "bob", "4242 4242 4242 4242"),
                   VOUCH_OK);
  assert_int_equal(vouch_card_check(sc_ctx, "bob", "4111111111111111"),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_card_check(sc_ctx, "nobody", "4111111111111111"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_card_check(sc_ctx, "../x", "4111111111111111"),
                   VOUCH_ERR_NO_USER);
  /* Only the keyed hash and the last 4 digits reach the store. */
  vouch_ctx_free(sc_ctx);
  sc_ctx = sc_open();
  assert_non_null(sc_ctx);
  assert_false(sc_store_holds("4111111111111111"));
  assert_false(sc_store_holds("4111 1111 1111 1111"));
  assert_false(sc_store_holds("4242424242424242"));
  assert_false(sc_store_holds("411111111111"));
}

static void test_set_refused(void **state)
{
  (void)state;
  assert_int_equal(vouch_card_set(sc_ctx, "alice", "4111111111111112"),
                   VOUCH_ERR_INPUT);
  assert_non_null(strstr(sc_log, LUHN));
  assert_int_equal(vouch_card_set(sc_ctx, "alice", "x"), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_card_set(sc_ctx, "nobody", "4111111111111111"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(vouch_card_set(sc_ctx, "", "4111111111111111"),
                   VOUCH_ERR_NO_USER);
  assert_int_equal(sc_audits("alice", "card.set"), 0);
  /* A new card replaces the old one. */
  set_alice_card();
  assert_int_equal(vouch_card_set(sc_ctx, "alice", "5555555555554444"),
                   VOUCH_OK);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "5555555555554444"),
                   VOUCH_OK);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111111111111111"),
                   VOUCH_ERR_AUTH);
}

static void test_clear(void **state)
{
  (void)state;
  assert_int_equal(vouch_card_clear(sc_ctx, "alice"), VOUCH_ERR_NOT_FOUND);
  set_alice_card();
  assert_int_equal(vouch_card_clear(sc_ctx, "alice"), VOUCH_OK);
  assert_int_equal(sc_audits("alice", "card.cleared"), 1);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111111111111111"),
                   VOUCH_ERR_UNAVAIL);
  assert_int_equal(vouch_card_clear(sc_ctx, "alice"), VOUCH_ERR_NOT_FOUND);
  assert_int_equal(vouch_card_clear(sc_ctx, "nobody"), VOUCH_ERR_NO_USER);
}

/* The token of the reset link in the only message of the mail folder. */
static void take_link_token(char *token)
{
  char *text = sc_message(sc_mail), *at;

  assert_non_null(text);
  assert_non_null(strstr(text, "Subject: Password reset required"));
  at = strstr(text, "https://example.org/r?token=");
  assert_non_null(at);
  at += strlen("https://example.org/r?token=");
  assert_true(strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789-_") == VOUCH_TOKEN_CHARS);
  memcpy(token, at, VOUCH_TOKEN_CHARS);
  token[VOUCH_TOKEN_CHARS] = '\0';
  free(text);
  sc_clear(sc_mail);
}

static void test_lockout(void **state)
{
  char token[VOUCH_TOKEN_CHARS + 1];
  int i;

  (void)state;
  set_alice_card();
  for(i = 0; i < 4; i++)
    assert_int_equal(vouch_card_check(sc_ctx, "alice", "4242424242424242"),
                     VOUCH_ERR_AUTH);
  assert_int_equal(sc_count(sc_mail), 0);
  assert_int_equal(sc_state("alice"), VOUCH_STATE_ACTIVE);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4242424242424242"),
                   VOUCH_ERR_LOCKED);
  assert_int_equal(sc_state("alice"), VOUCH_STATE_LOCKED);
  assert_int_equal(sc_audits("alice", "account.locked"), 1);
  /* Locked: even the right number is refused, nothing more counted. */
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111111111111111"),
                   VOUCH_ERR_LOCKED);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4242424242424242"),
                   VOUCH_ERR_LOCKED);
  assert_int_equal(sc_audits("alice", "check.fail"), 5);
  assert_int_equal(sc_audits("alice", "account.locked"), 1);
  /* One email with a link whose token redeems once. */
  take_link_token(token);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", token),
                   VOUCH_OK);
  assert_int_equal(vouch_token_redeem(sc_ctx, "alice", "reset", token),
                   VOUCH_ERR_STALE);
  /* After an unlock the count starts again from zero. */
  assert_int_equal(vouch_account_unlock(sc_ctx, "alice"), VOUCH_OK);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4242424242424242"),
                   VOUCH_ERR_AUTH);
  assert_int_equal(vouch_card_check(sc_ctx, "alice", "4111111111111111"),
                   VOUCH_OK);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, sc_setup, sc_teardown)
  /* clang-format off */
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_table),
    T(test_set_check),
    T(test_set_refused),
    T(test_clear),
    T(test_lockout),
  };
  /* clang-format on */
#undef T

  return cmocka_run_group_tests(tests, NULL, NULL);
}
