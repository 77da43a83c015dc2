/*
 * test_error.c - the error enum's three mappings: every code has its own
 * sentence, the SPEC section 5 exit code and the PAM code it must have,
 * and values outside the enum are handled without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <security/_pam_types.h>

#include "vouch.h"

struct expect {
  vouch_rc rc;
  int exit_code;
  int pam;
};

static const struct expect table[VOUCH_RC_COUNT] = {
    {VOUCH_OK, 0, PAM_SUCCESS},
    {VOUCH_ERR_NOMEM, 4, PAM_BUF_ERR},
    {VOUCH_ERR_SYSTEM, 4, PAM_SYSTEM_ERR},
    {VOUCH_ERR_CONFIG, 4, PAM_SERVICE_ERR},
    {VOUCH_ERR_INSECURE, 4, PAM_SERVICE_ERR},
    {VOUCH_ERR_STORE, 4, PAM_SYSTEM_ERR},
    {VOUCH_ERR_BUSY, 4, PAM_SYSTEM_ERR},
    {VOUCH_ERR_KEY, 4, PAM_SERVICE_ERR},
    {VOUCH_ERR_CRYPTO, 4, PAM_SYSTEM_ERR},
    {VOUCH_ERR_USAGE, 2, PAM_SERVICE_ERR},
    {VOUCH_ERR_INPUT, 2, PAM_AUTHTOK_ERR},
    {VOUCH_ERR_NO_USER, 3, PAM_USER_UNKNOWN},
    {VOUCH_ERR_NOT_FOUND, 3, PAM_SYSTEM_ERR},
    {VOUCH_ERR_EXISTS, 1, PAM_SYSTEM_ERR},
    {VOUCH_ERR_AUTH, 1, PAM_AUTH_ERR},
    {VOUCH_ERR_LOCKED, 1, PAM_MAXTRIES},
    {VOUCH_ERR_RESET_REQUIRED, 1, PAM_NEW_AUTHTOK_REQD},
    {VOUCH_ERR_EXPIRED, 1, PAM_ACCT_EXPIRED},
    {VOUCH_ERR_PW_SHORT, 2, PAM_AUTHTOK_ERR},
    {VOUCH_ERR_PW_LONG, 2, PAM_AUTHTOK_ERR},
    {VOUCH_ERR_PW_REUSED, 1, PAM_AUTHTOK_ERR},
    {VOUCH_ERR_PW_MISMATCH, 2, PAM_AUTHTOK_ERR},
    {VOUCH_ERR_CONV, 4, PAM_CONV_ERR},
    {VOUCH_ERR_UNAVAIL, 1, PAM_AUTHINFO_UNAVAIL},
    {VOUCH_ERR_DELIVERY, 4, PAM_AUTHINFO_UNAVAIL},
    {VOUCH_ERR_RATE, 1, PAM_AUTH_ERR},
    {VOUCH_ERR_ABORT, 1, PAM_AUTH_ERR},
    {VOUCH_ERR_DENIED, 1, PAM_AUTH_ERR},
    {VOUCH_ERR_STALE, 1, PAM_AUTH_ERR},
    {VOUCH_ERR_OFFLINE, 4, PAM_AUTHINFO_UNAVAIL}};

static void test_table_is_complete(void **state)
{
  int i;

  (void)state;
  for(i = 0; i < VOUCH_RC_COUNT; i++)
    assert_int_equal(table[i].rc, i);
}

static void test_exit_codes(void **state)
{
  int i;

  (void)state;
  for(i = 0; i < VOUCH_RC_COUNT; i++) {
    if(vouch_rc_to_exit(table[i].rc) != table[i].exit_code)
      fail_msg("rc %d: exit %d, wanted %d", i, vouch_rc_to_exit(table[i].rc),
               table[i].exit_code);
  }
  assert_int_equal(vouch_rc_to_exit(VOUCH_OK), VOUCH_EXIT_OK);
  assert_int_equal(vouch_rc_to_exit(VOUCH_ERR_AUTH), VOUCH_EXIT_DENIED);
  assert_int_equal(vouch_rc_to_exit(VOUCH_ERR_USAGE), VOUCH_EXIT_USAGE);
  assert_int_equal(vouch_rc_to_exit(VOUCH_ERR_NO_USER), VOUCH_EXIT_UNKNOWN);
  assert_int_equal(vouch_rc_to_exit(VOUCH_ERR_STORE), VOUCH_EXIT_SYSTEM);
}

static void test_pam_codes(void **state)
{
  int i;

  (void)state;
  for(i = 0; i < VOUCH_RC_COUNT; i++) {
    if(vouch_rc_to_pam(table[i].rc) != table[i].pam)
      fail_msg("rc %d: PAM %d, wanted %d", i, vouch_rc_to_pam(table[i].rc),
               table[i].pam);
  }
}

static void test_strerror_distinct(void **state)
{
  int i, j;

  (void)state;
  for(i = 0; i < VOUCH_RC_COUNT; i++) {
    const char *m = vouch_strerror((vouch_rc)i);
    size_t n;
    assert_non_null(m);
    n = strlen(m);
    assert_true(n > 5);
    /* a sentence: capital letter first, full stop last */
    assert_true(m[0] >= 'A' && m[0] <= 'Z');
    assert_int_equal(m[n - 1], '.');
    for(j = 0; j < i; j++)
      assert_string_not_equal(m, vouch_strerror((vouch_rc)j));
  }
  assert_string_equal(vouch_strerror(VOUCH_OK), "Success.");
  assert_string_equal(vouch_strerror(VOUCH_ERR_NO_USER),
                      "The user is unknown.");
}

static void test_out_of_range(void **state)
{
  const int bad[] = {-1, VOUCH_RC_COUNT, VOUCH_RC_COUNT + 1, 1000,
                     -2147483647};
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    vouch_rc rc = (vouch_rc)bad[i];
    assert_string_equal(vouch_strerror(rc), "unknown error");
    assert_int_equal(vouch_rc_to_exit(rc), 4);
    assert_int_equal(vouch_rc_to_pam(rc), PAM_SYSTEM_ERR);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_is_complete),
      cmocka_unit_test(test_exit_codes),
      cmocka_unit_test(test_pam_codes),
      cmocka_unit_test(test_strerror_distinct),
      cmocka_unit_test(test_out_of_range),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
