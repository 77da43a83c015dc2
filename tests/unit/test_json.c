/*
 * test_json.c - the JSON writer and the strict flat-object reader
 * (core/json.c): escaping, UTF-8 handling, every refusal with its reason
 * and byte offset, and that nothing reaches the callback from a bad object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vouch.h"

/* ------------------------------------------------------------ writer */

/* vouch_json_string(s) as a malloc'ed string. */
static char *written(const char *s)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  assert_non_null(f);
  vouch_json_string(f, s);
  assert_int_equal(fclose(f), 0);
  return buf;
}

static void check_written(const char *in, const char *want)
{
  char *got = written(in);

  assert_string_equal(got, want);
  free(got);
}

static void test_write_plain(void **state)
{
  (void)state;
  check_written("alice", "\"alice\"");
  check_written("", "\"\"");
  check_written(NULL, "null");
  check_written("a/b c", "\"a/b c\"");
}

static void test_write_escapes(void **state)
{
  (void)state;
  check_written("say \"hi\"", "\"say \\\"hi\\\"\"");
  check_written("back\\slash", "\"back\\\\slash\"");
  check_written("a\nb\tc\rd", "\"a\\u000ab\\u0009c\\u000dd\"");
  check_written("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
}

static void test_write_utf8(void **state)
{
  (void)state;
  /* valid UTF-8 passes through unchanged */
  check_written("S\xc3\xb8ren \xe2\x82\xac \xf0\x9f\x98\x80",
                "\"S\xc3\xb8ren \xe2\x82\xac \xf0\x9f\x98\x80\"");
  /* each invalid byte becomes U+FFFD */
  check_written("a\xff"
                "b",
                "\"a\\ufffdb\"");
  check_written("\xc3", "\"\\ufffd\"");                       /* truncated */
  check_written("\xc0\xaf", "\"\\ufffd\\ufffd\"");            /* overlong */
  check_written("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
  check_written("\xf4\x90\x80\x80",                           /* > U+10FFFF */
                "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
  check_written("\xe2\x82"
                "x",
                "\"\\ufffd\\ufffdx\"");
}

/* ------------------------------------------------------------ reader */

struct seen {
  int count;
  char key[8][64];
  char value[8][64];
  int null[8];
  int fail_at; /* member index whose callback fails */
};

static vouch_rc collect(void *arg, const char *key, const char *value)
{
  struct seen *s = arg;

  if(s->count == s->fail_at)
    return VOUCH_ERR_EXISTS;
  assert_true(s->count < 8);
  snprintf(s->key[s->count], 64, "%s", key);
  snprintf(s->value[s->count], 64, "%s", value ? value : "");
  s->null[s->count] = value == NULL;
  s->count++;
  return VOUCH_OK;
}

static vouch_rc parse(const char *text, size_t len, struct seen *s, char *err,
                      size_t errlen)
{
  memset(s, 0, sizeof(*s));
  s->fail_at = -1;
  return vouch_json_object(text, len, collect, s, err, errlen);
}

static void test_read_members(void **state)
{
  const char *t = " {\"user\": \"alice\", \"email\" :\"a@example.org\",\n"
                  "\t\"phone\": null }\r\n";
  struct seen s;
  char err[160];

  (void)state;
  assert_int_equal(parse(t, strlen(t), &s, err, sizeof(err)), VOUCH_OK);
  assert_string_equal(err, "");
  assert_int_equal(s.count, 3);
  assert_string_equal(s.key[0], "user");
  assert_string_equal(s.value[0], "alice");
  assert_false(s.null[0]);
  assert_string_equal(s.key[1], "email");
  assert_string_equal(s.value[1], "a@example.org");
  assert_string_equal(s.key[2], "phone");
  assert_true(s.null[2]);
}

static void test_read_empty_object(void **state)
{
  struct seen s;
  char err[160];

  (void)state;
  assert_int_equal(parse("{}", 2, &s, err, sizeof(err)), VOUCH_OK);
  assert_int_equal(s.count, 0);
  assert_int_equal(parse(" { } ", 5, &s, err, sizeof(err)), VOUCH_OK);
  assert_int_equal(s.count, 0);
  /* an empty string value is a value */
  assert_int_equal(parse("{\"\":\"\"}", 7, &s, err, sizeof(err)), VOUCH_OK);
  assert_int_equal(s.count, 1);
  assert_string_equal(s.key[0], "");
  assert_string_equal(s.value[0], "");
}

static void test_read_escapes(void **state)
{
  const char *t = "{\"k\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"}";
  const char *u = "{\"n\":\"S\\u00f8ren \\u20AC \\ud83d\\ude00 \\u0041\"}";
  struct seen s;
  char err[160];

  (void)state;
  assert_int_equal(parse(t, strlen(t), &s, err, sizeof(err)), VOUCH_OK);
  assert_string_equal(s.value[0], "q\" b\\ s/ \b\f\n\r\t");
  assert_int_equal(parse(u, strlen(u), &s, err, sizeof(err)), VOUCH_OK);
  assert_string_equal(s.value[0],
                      "S\xc3\xb8ren \xe2\x82\xac \xf0\x9f\x98\x80 A");
  /* raw UTF-8 is kept as it is, in keys too */
  t = "{\"\xc3\xa6\":\"\xe2\x82\xac\"}";
  assert_int_equal(parse(t, strlen(t), &s, err, sizeof(err)), VOUCH_OK);
  assert_string_equal(s.key[0], "\xc3\xa6");
  assert_string_equal(s.value[0], "\xe2\x82\xac");
}

static void expect_error(const char *text, size_t len, const char *want)
{
  struct seen s;
  char err[160];

  assert_int_equal(parse(text, len, &s, err, sizeof(err)), VOUCH_ERR_INPUT);
  if(strcmp(err, want))
    fail_msg("input %s: error \"%s\", wanted \"%s\"", text, err, want);
  /* a refused object reaches the callback with nothing */
  assert_int_equal(s.count, 0);
}

static void test_reject_syntax(void **state)
{
  (void)state;
  expect_error("", 0, "empty input, expected '{' at byte 0");
  expect_error("  \n", 3, "empty input, expected '{' at byte 3");
  expect_error("[]", 2, "expected '{' at byte 0");
  expect_error("\"a\"", 3, "expected '{' at byte 0");
  expect_error("{", 1, "unterminated object at byte 1");
  expect_error("{\"a\":\"b\"", 8, "unterminated object at byte 8");
  expect_error("{\"a\":\"b\",}", 10, "expected a quoted key at byte 9");
  expect_error("{,}", 3, "expected a quoted key at byte 1");
  expect_error("{a:\"b\"}", 7, "expected a quoted key at byte 1");
  expect_error("{\"a\" \"b\"}", 9, "expected ':' after the key at byte 5");
  expect_error("{\"a\":}", 6, "value of \"a\" must be a string at byte 5");
  expect_error("{\"a\":\"b\" \"c\":\"d\"}", 17,
               "expected ',' or '}' at byte 9");
  expect_error("{\"a\":\"b\"} x", 11,
               "unexpected text after the object at byte 10");
  expect_error("{}{}", 4, "unexpected text after the object at byte 2");
  expect_error("{\"a\":nul}", 9, "value of \"a\" must be a string at byte 5");
  expect_error("{\"a\":nullx}", 11, "expected ',' or '}' at byte 9");
  expect_error("{\"a\":'b'}", 9, "value of \"a\" must be a string at byte 5");
}

static void test_reject_non_strings(void **state)
{
  (void)state;
  expect_error("{\"age\": 42}", 11,
               "value of \"age\" must be a string, not a number at byte 8");
  expect_error("{\"n\":-1}", 8,
               "value of \"n\" must be a string, not a number at byte 5");
  expect_error("{\"ok\":true}", 11,
               "value of \"ok\" must be a string, not a boolean at byte 6");
  expect_error("{\"ok\":false}", 12,
               "value of \"ok\" must be a string, not a boolean at byte 6");
  expect_error("{\"o\":{\"a\":\"b\"}}", 15,
               "value of \"o\" must be a string, not an object at byte 5");
  expect_error("{\"l\":[\"a\"]}", 11,
               "value of \"l\" must be a string, not an array at byte 5");
}

static void test_reject_strings(void **state)
{
  (void)state;
  expect_error("{\"a\":\"b}", 8, "unterminated string at byte 5");
  expect_error("{\"a", 3, "unterminated string at byte 1");
  expect_error("{\"a\":\"b\\", 8, "unterminated string at byte 7");
  expect_error("{\"a\":\"b\nc\"}", 11,
               "control character in string at byte 7");
  expect_error("{\"a\":\"\\x41\"}", 12, "invalid escape at byte 6");
  expect_error("{\"a\":\"\\u12\"}", 12,
               "\\u needs four hex digits at byte 10");
  expect_error("{\"a\":\"\\u12", 10, "\\u needs four hex digits at byte 8");
  expect_error("{\"a\":\"\\u0000\"}", 14, "\\u0000 is not allowed at byte 6");
  expect_error("{\"a\":\"\\ud83d\"}", 14,
               "high surrogate without a low surrogate at byte 6");
  expect_error("{\"a\":\"\\ud83d\\u0041\"}", 20,
               "high surrogate without a low surrogate at byte 6");
  expect_error("{\"a\":\"\\ude00\"}", 14, "lone low surrogate at byte 6");
}

static void test_reject_bytes(void **state)
{
  (void)state;
  expect_error("{\"a\":\"b\0\"}", 10, "NUL byte at byte 7");
  expect_error("{\"a\":\"b\"}\0", 10, "NUL byte at byte 9");
  expect_error("{\"a\":\"\xff\"}", 9, "invalid UTF-8 at byte 6");
  expect_error("{\"a\":\"\xc3\"}", 9, "invalid UTF-8 at byte 6");
  expect_error("{\"a\":\"\xed\xa0\x80\"}", 11, "invalid UTF-8 at byte 6");
  expect_error("{\"\xc0\xaf\":\"b\"}", 10, "invalid UTF-8 at byte 2");
}

static void test_reject_duplicates(void **state)
{
  (void)state;
  expect_error("{\"a\":\"1\",\"a\":\"2\"}", 17,
               "duplicate key \"a\" at byte 9");
  /* the same key spelled with an escape is the same key */
  expect_error("{\"a\":\"1\",\"\\u0061\":null}", 22,
               "duplicate key \"a\" at byte 9");
}

static void test_limits(void **state)
{
  struct seen s;
  char err[160];
  char *big;
  size_t n = 1024 * 1024 + 1;
  size_t i;
  char text[2048];
  size_t len = 0;

  (void)state;
  big = malloc(n);
  assert_non_null(big);
  memset(big, ' ', n);
  big[0] = '{';
  big[n - 1] = '}';
  assert_int_equal(parse(big, n, &s, err, sizeof(err)), VOUCH_ERR_INPUT);
  assert_string_equal(err, "object longer than 1048576 bytes at byte 1048576");
  assert_int_equal(parse(big, n - 1, &s, err, sizeof(err)), VOUCH_ERR_INPUT);
  big[n - 2] = '}';
  assert_int_equal(parse(big, n - 1, &s, err, sizeof(err)), VOUCH_OK);
  free(big);

  /* 64 members are fine, 65 are not */
  text[len++] = '{';
  for(i = 0; i < 65; i++)
    len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\"k%zu\":\"v\"",
                            i ? "," : "", i);
  text[len++] = '}';
  assert_int_equal(parse(text, len, &s, err, sizeof(err)), VOUCH_ERR_INPUT);
  assert_non_null(strstr(err, "more than 64 members"));
}

static void test_callback_and_err(void **state)
{
  const char *t = "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}";
  struct seen s;
  char err[160];
  char tiny[8];

  (void)state;
  /* the callback's failure stops the walk and is returned */
  memset(&s, 0, sizeof(s));
  s.fail_at = 1;
  assert_int_equal(
      vouch_json_object(t, strlen(t), collect, &s, err, sizeof(err)),
      VOUCH_ERR_EXISTS);
  assert_int_equal(s.count, 1);
  /* err may be NULL, or short: the message is cut, not overrun */
  assert_int_equal(parse("x", 1, &s, NULL, 0), VOUCH_ERR_INPUT);
  assert_int_equal(parse("x", 1, &s, tiny, sizeof(tiny)), VOUCH_ERR_INPUT);
  assert_string_equal(tiny, "expecte");
  assert_int_equal(vouch_json_object(NULL, 0, collect, &s, err, sizeof(err)),
                   VOUCH_ERR_INPUT);
}

/* What the writer produces the reader takes back unchanged. */
static void test_round_trip(void **state)
{
  const char *values[] = {"plain", "", "q\"b\\s/", "\x01\x1f\x7f\n\t",
                          "S\xc3\xb8ren \xf0\x9f\x98\x80"};
  struct seen s;
  char err[160];
  char *v;
  char *obj;
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
    v = written(values[i]);
    obj = vouch_asprintf("{\"v\":%s}", v);
    assert_non_null(obj);
    assert_int_equal(parse(obj, strlen(obj), &s, err, sizeof(err)), VOUCH_OK);
    assert_string_equal(s.value[0], values[i]);
    free(obj);
    free(v);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_plain),
      cmocka_unit_test(test_write_escapes),
      cmocka_unit_test(test_write_utf8),
      cmocka_unit_test(test_read_members),
      cmocka_unit_test(test_read_empty_object),
      cmocka_unit_test(test_read_escapes),
      cmocka_unit_test(test_reject_syntax),
      cmocka_unit_test(test_reject_non_strings),
      cmocka_unit_test(test_reject_strings),
      cmocka_unit_test(test_reject_bytes),
      cmocka_unit_test(test_reject_duplicates),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_callback_and_err),
      cmocka_unit_test(test_round_trip),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
