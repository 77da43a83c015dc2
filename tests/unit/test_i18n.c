/*
 * test_i18n.c - the catalogue: every language has every text English has,
 * with the same printf conversions, as valid UTF-8; unknown languages
 * fall back to English; formatting fills the argument; headings split
 * into the tools' columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vouch.h"

static const char *const langs[] = {"en", "da", "nl", "sv", "ms"};

/* The conversions of a format, e.g. "%u" or "%s", concatenated. */
static void conversions(const char *fmt, char *out, size_t len)
{
  size_t n = 0;

  for(; *fmt && n + 3 < len; fmt++) {
    if(fmt[0] == '%' && fmt[1]) {
      out[n++] = '%';
      out[n++] = fmt[1];
      fmt++;
    }
  }
  out[n] = '\0';
}

static void every_language_has_every_text(void **state)
{
  char want[32], got[32];
  size_t i;
  int id;

  (void)state;
  for(id = 0; id < VOUCH_MSG_COUNT; id++) {
    const char *en = vouch_msg("en", (vouch_msg_id)id);

    assert_true(strlen(en) > 0);
    conversions(en, want, sizeof(want));
    for(i = 1; i < sizeof(langs) / sizeof(langs[0]); i++) {
      const char *t = vouch_msg(langs[i], (vouch_msg_id)id);

      /* A missing translation would fall back to the English text. */
      if(t == en)
        fail_msg("message %d has no %s text", id, langs[i]);
      assert_true(vouch_valid_utf8(t, strlen(t)));
      conversions(t, got, sizeof(got));
      if(strcmp(want, got))
        fail_msg("message %d in %s has conversions '%s', English '%s'", id,
                 langs[i], got, want);
    }
  }
}

static void unknown_language_is_english(void **state)
{
  (void)state;
  assert_string_equal(vouch_msg("xx", VOUCH_MSG_PASSWORD_PROMPT),
                      "Password: ");
  assert_string_equal(vouch_msg(NULL, VOUCH_MSG_PASSWORD_PROMPT),
                      "Password: ");
  assert_string_equal(vouch_msg("da", VOUCH_MSG_PASSWORD_PROMPT),
                      "Adgangskode: ");
  assert_string_equal(vouch_msg("en", VOUCH_MSG_COUNT), "");
}

static void formatting_fills_arguments(void **state)
{
  char buf[256];

  (void)state;
  vouch_msgf(buf, sizeof(buf), "en", VOUCH_MSG_PW_SHORT, 8u);
  assert_string_equal(buf, "Your password must have at least 8 characters.");
  vouch_msgf(buf, sizeof(buf), "sv", VOUCH_MSG_EXPIRED, "2026-12-31");
  assert_non_null(strstr(buf, "2026-12-31"));
  vouch_msgf(buf, 10, "en", VOUCH_MSG_EXPIRED, "2026-12-31");
  assert_int_equal(strlen(buf), 9);
}

/* Characters of UTF-8 text s up to end (or its end). */
static size_t chars(const char *s, const char *end)
{
  size_t n = 0;

  for(; *s && (!end || s < end); s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

/* Headings: as many as the tool has columns in every language; those of
 * the export list fit the widths vouch-account pads them to. */
static void headings_fit(void **state)
{
  static const size_t width[] = {6, 12};
  const char *t, *tab;
  size_t i, n, col;

  (void)state;
  for(i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
    t = vouch_msg(langs[i], VOUCH_MSG_DEV_COLUMNS);
    for(n = 0; (t = strchr(t, '\t')); t++)
      n++;
    if(n != 4)
      fail_msg("devices headings in %s: %zu tabs, want 4", langs[i], n);
    t = vouch_msg(langs[i], VOUCH_MSG_ACC_EXPORT_COLUMNS);
    for(col = 0; (tab = strchr(t, '\t')); col++, t = tab + 1)
      if(col < 2 && chars(t, tab) > width[col])
        fail_msg("export heading %zu in %s is wider than %zu", col, langs[i],
                 width[col]);
    if(col != 2)
      fail_msg("export headings in %s: %zu tabs, want 2", langs[i], col);
  }
}

static void plurals_and_ids(void **state)
{
  char buf[256];

  (void)state;
  vouch_msgf(buf, sizeof(buf), "en", VOUCH_MSG_ACC_SIGNED_OUT_ONE, 1u);
  assert_string_equal(buf, "Signed out of 1 session.");
  vouch_msgf(buf, sizeof(buf), "da", VOUCH_MSG_ACC_SIGNED_OUT_MANY, 3u);
  assert_string_equal(buf, "Du er logget ud af 3 sessioner.");
  vouch_msgf(buf, sizeof(buf), "nl", VOUCH_MSG_ACC_EXPORT_SUBMITTED,
             1234567890123LL);
  assert_non_null(strstr(buf, "Verzoek 1234567890123 is verzonden"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_language_has_every_text),
      cmocka_unit_test(unknown_language_is_english),
      cmocka_unit_test(formatting_fills_arguments),
      cmocka_unit_test(headings_fit),
      cmocka_unit_test(plurals_and_ids),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
