/*
 * test_util.c - the number, duration, size and date parsers at their
 * boundaries, the validators with good and hostile input, and
 * vouch_open_secure / vouch_read_fd against every file they must refuse.
 * Runs as root (the owner check chowns a file to nobody).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "vouch.h"

/* ------------------------------------------------------------- numbers */

static void test_parse_uint(void **state)
{
  unsigned long long v = 77;

  (void)state;
  assert_int_equal(vouch_parse_uint("0", 0, 10, &v), VOUCH_OK);
  assert_int_equal(v, 0);
  assert_int_equal(vouch_parse_uint("10", 0, 10, &v), VOUCH_OK);
  assert_int_equal(v, 10);
  assert_int_equal(vouch_parse_uint("007", 0, 10, &v), VOUCH_OK);
  assert_int_equal(v, 7);
  v = 77;
  assert_int_equal(vouch_parse_uint("11", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("4", 5, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(v, 77); /* untouched on failure */
  assert_int_equal(vouch_parse_uint("18446744073709551615", 0, ULLONG_MAX, &v),
                   VOUCH_OK);
  assert_true(v == ULLONG_MAX);
  assert_int_equal(vouch_parse_uint("18446744073709551616", 0, ULLONG_MAX, &v),
                   VOUCH_ERR_INPUT);
  assert_int_equal(
      vouch_parse_uint("99999999999999999999999", 0, ULLONG_MAX, &v),
      VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint(" 1", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("1 ", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("+1", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("-1", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("-0", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("0x1", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("1e3", 0, 10000, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint("1.0", 0, 10, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_uint(NULL, 0, 10, &v), VOUCH_ERR_INPUT);
}

static void test_parse_duration(void **state)
{
  unsigned long long v = 0;

  (void)state;
  assert_int_equal(vouch_parse_duration("0", 100, &v), VOUCH_OK);
  assert_int_equal(v, 0);
  assert_int_equal(vouch_parse_duration("30", 100, &v), VOUCH_OK);
  assert_int_equal(v, 30);
  assert_int_equal(vouch_parse_duration("30s", 100, &v), VOUCH_OK);
  assert_int_equal(v, 30);
  assert_int_equal(vouch_parse_duration("10m", 10000, &v), VOUCH_OK);
  assert_int_equal(v, 600);
  assert_int_equal(vouch_parse_duration("2h", 10000, &v), VOUCH_OK);
  assert_int_equal(v, 7200);
  assert_int_equal(vouch_parse_duration("365d", 31536000, &v), VOUCH_OK);
  assert_int_equal(v, 31536000);
  assert_int_equal(vouch_parse_duration("366d", 31536000, &v),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("31536001", 31536000, &v),
                   VOUCH_ERR_INPUT);
  /* 2^64 / 86400 + 1 days overflows in the multiplication */
  assert_int_equal(vouch_parse_duration("213503982334602d", ULLONG_MAX, &v),
                   VOUCH_ERR_INPUT);
  assert_int_equal(
      vouch_parse_duration("18446744073709551616", ULLONG_MAX, &v),
      VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("s", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("10 s", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("10ss", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("10ms", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("10S", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("10w", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("-1s", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("+1s", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration(" 1s", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_duration("1s ", 100, &v), VOUCH_ERR_INPUT);
}

static void test_parse_size(void **state)
{
  unsigned long long v = 0;

  (void)state;
  assert_int_equal(vouch_parse_size("0", 100, &v), VOUCH_OK);
  assert_int_equal(v, 0);
  assert_int_equal(vouch_parse_size("8192", 1ULL << 40, &v), VOUCH_OK);
  assert_int_equal(v, 8192);
  assert_int_equal(vouch_parse_size("8K", 1ULL << 40, &v), VOUCH_OK);
  assert_int_equal(v, 8192);
  assert_int_equal(vouch_parse_size("64M", 1ULL << 40, &v), VOUCH_OK);
  assert_int_equal(v, 67108864);
  assert_int_equal(vouch_parse_size("4G", 4ULL << 30, &v), VOUCH_OK);
  assert_true(v == 4ULL << 30);
  assert_int_equal(vouch_parse_size("4097M", 4ULL << 30, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_size("17179869184G", ULLONG_MAX, &v),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_size("", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_size("K", 100, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_size("1KB", 1 << 20, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_size("1T", ULLONG_MAX, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_size("1 K", 1 << 20, &v), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_size("-1K", 1 << 20, &v), VOUCH_ERR_INPUT);
}

/* --------------------------------------------------------------- dates */

static void test_parse_date(void **state)
{
  time_t t = 0;
  char buf[32];

  (void)state;
  assert_int_equal(vouch_parse_date("1970-01-01", &t), VOUCH_OK);
  assert_int_equal(t, 0);
  assert_int_equal(vouch_parse_date("2024-02-29", &t), VOUCH_OK);
  assert_int_equal(t, 1709164800);
  assert_int_equal(vouch_parse_date("2000-02-29", &t), VOUCH_OK);
  assert_int_equal(t, 951782400);
  assert_int_equal(vouch_parse_date("2026-12-31", &t), VOUCH_OK);
  assert_int_equal(t, 1798675200);
  assert_int_equal(vouch_parse_date("9999-12-31", &t), VOUCH_OK);
  assert_int_equal(t, 253402214400LL);
  vouch_format_date(t, buf, sizeof(buf));
  assert_string_equal(buf, "9999-12-31");

  assert_int_equal(vouch_parse_date("2023-02-29", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("1900-02-29", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2024-04-31", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("1969-12-31", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("10000-01-01", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-13-01", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-00-10", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-01-00", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-01-32", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-1-01", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-01-1", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026/01/01", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-01-01 ", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("+026-01-01", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("2026-+1-01", &t), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_parse_date("", &t), VOUCH_ERR_INPUT);
}

static void test_format(void **state)
{
  char buf[32], small[5];

  (void)state;
  vouch_format_date(0, buf, sizeof(buf));
  assert_string_equal(buf, "1970-01-01");
  vouch_format_date(1709164800 + 86399, buf, sizeof(buf));
  assert_string_equal(buf, "2024-02-29");
  vouch_format_time(1709164800 + 3723, buf, sizeof(buf));
  assert_string_equal(buf, "2024-02-29T01:02:03Z");
  vouch_format_time(0, buf, 21);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
  /* too small: an empty string, never an overflow */
  vouch_format_date(0, small, sizeof(small));
  assert_string_equal(small, "");
}

/* --------------------------------------------------------------- UTF-8 */

static bool utf8(const char *s)
{
  return vouch_valid_utf8(s, strlen(s));
}

static void test_utf8(void **state)
{
  (void)state;
  assert_true(utf8(""));
  assert_true(utf8("plain ascii"));
  assert_true(utf8("J\xc3\xb8rgen"));     /* U+00F8 */
  assert_true(utf8("\xe2\x82\xac"));      /* U+20AC */
  assert_true(utf8("\xf0\x9f\x98\x80"));  /* U+1F600 */
  assert_true(utf8("\xf4\x8f\xbf\xbf"));  /* U+10FFFF */
  assert_true(utf8("\xed\x9f\xbf"));      /* U+D7FF */
  assert_true(utf8("\xee\x80\x80"));      /* U+E000 */
  assert_false(utf8("\xc0\xaf"));         /* overlong / */
  assert_false(utf8("\xc1\xbf"));         /* overlong */
  assert_false(utf8("\xe0\x80\xaf"));     /* overlong / */
  assert_false(utf8("\xe0\x9f\xbf"));     /* overlong */
  assert_false(utf8("\xf0\x8f\xbf\xbf")); /* overlong */
  assert_false(utf8("\xed\xa0\x80"));     /* U+D800 */
  assert_false(utf8("\xed\xbf\xbf"));     /* U+DFFF */
  assert_false(utf8("\xf4\x90\x80\x80")); /* U+110000 */
  assert_false(utf8("\xf5\x80\x80\x80"));
  assert_false(utf8("\xff"));
  assert_false(utf8("\x80"));             /* lone cont. */
  assert_false(utf8("ab\xc3"));           /* truncated */
  assert_false(utf8("\xe2\x82"));         /* truncated */
  assert_false(utf8("\xf0\x9f\x98"));     /* truncated */
  assert_false(utf8("\xe2\x28\xa1"));     /* bad cont. */
  assert_false(utf8("\xf0\x9f\x28\x80")); /* bad 3rd */
  /* len bounds the check: the bad byte past len is not looked at */
  assert_true(vouch_valid_utf8("ab\xff", 2));
  assert_false(vouch_valid_utf8("\xc3\xb8", 1));
  assert_int_equal(vouch_utf8_chars("J\xc3\xb8rgen", 7), 6);
  assert_int_equal(vouch_utf8_chars("\xf0\x9f\x98\x80x", 5), 2);
  assert_int_equal(vouch_utf8_chars("", 0), 0);
}

/* ---------------------------------------------------------- validators */

static void test_username(void **state)
{
  (void)state;
  assert_true(vouch_valid_username("a"));
  assert_true(vouch_valid_username("_svc"));
  assert_true(vouch_valid_username("alice.smith-2_x"));
  assert_true(vouch_valid_username("0"));
  assert_true(vouch_valid_username("abcdefghijklmnopqrstuvwxyz012345"));
  assert_false(vouch_valid_username("abcdefghijklmnopqrstuvwxyz0123456"));
  assert_false(vouch_valid_username(""));
  assert_false(vouch_valid_username(NULL));
  assert_false(vouch_valid_username("-rf"));
  assert_false(vouch_valid_username(".hidden"));
  assert_false(vouch_valid_username("a b"));
  assert_false(vouch_valid_username("a/b"));
  assert_false(vouch_valid_username("a:b"));
  assert_false(vouch_valid_username("a\n"));
  assert_false(vouch_valid_username("j\xc3\xb8rgen"));
}

static void test_email(void **state)
{
  char buf[300];

  (void)state;
  assert_true(vouch_valid_email("alice@example.org"));
  assert_true(vouch_valid_email("a.b+tag@mail.example.co.uk"));
  assert_true(vouch_valid_email("o'brien@example.ie"));
  assert_true(vouch_valid_email("x@a-b.xn--p1ai"));
  assert_false(vouch_valid_email(NULL));
  assert_false(vouch_valid_email(""));
  assert_false(vouch_valid_email("alice"));
  assert_false(vouch_valid_email("@example.org"));
  assert_false(vouch_valid_email("alice@"));
  assert_false(vouch_valid_email("alice@localhost"));
  assert_false(vouch_valid_email("alice@@example.org"));
  assert_false(vouch_valid_email("a@b@example.org"));
  assert_false(vouch_valid_email("al ice@example.org"));
  assert_false(vouch_valid_email("alice@exa mple.org"));
  assert_false(vouch_valid_email("alice@example.org\r\nBcc: x@y.org"));
  assert_false(vouch_valid_email("\"alice\"@example.org"));
  assert_false(vouch_valid_email("<alice@example.org>"));
  assert_false(vouch_valid_email("alice@example.org,bob@example.org"));
  assert_false(vouch_valid_email("alice@example.org;bob@example.org"));
  assert_false(vouch_valid_email(".alice@example.org"));
  assert_false(vouch_valid_email("alice.@example.org"));
  assert_false(vouch_valid_email("al..ice@example.org"));
  assert_false(vouch_valid_email("alice@.example.org"));
  assert_false(vouch_valid_email("alice@example..org"));
  assert_false(vouch_valid_email("alice@example.org."));
  assert_false(vouch_valid_email("alice@-example.org"));
  assert_false(vouch_valid_email("alice@example-.org"));
  assert_false(vouch_valid_email("alice@example.123"));
  assert_false(vouch_valid_email("alice@[127.0.0.1]"));
  assert_false(vouch_valid_email("alice@ex_ample.org"));
  assert_false(vouch_valid_email("j\xc3\xb8rgen@example.org"));
  /* local part: 64 bytes ok, 65 not */
  memset(buf, 'a', 64);
  snprintf(buf + 64, sizeof(buf) - 64, "@example.org");
  assert_true(vouch_valid_email(buf));
  memset(buf, 'a', 65);
  snprintf(buf + 65, sizeof(buf) - 65, "@example.org");
  assert_false(vouch_valid_email(buf));
  /* label of 64 bytes */
  memset(buf, 'b', sizeof(buf));
  memcpy(buf, "a@", 2);
  snprintf(buf + 66, sizeof(buf) - 66, ".org");
  assert_false(vouch_valid_email(buf));
  snprintf(buf + 65, sizeof(buf) - 65, ".org");
  assert_true(vouch_valid_email(buf));
  /* 254 bytes in all ok, 255 not: 4 labels of 61 + .org = 251 */
  snprintf(buf, sizeof(buf), "ab@%061d.%061d.%061d.%061d.org", 0, 0, 0, 0);
  assert_int_equal(strlen(buf), 254);
  assert_true(vouch_valid_email(buf));
  snprintf(buf, sizeof(buf), "abc@%061d.%061d.%061d.%061d.org", 0, 0, 0, 0);
  assert_int_equal(strlen(buf), 255);
  assert_false(vouch_valid_email(buf));
}

static void test_phone(void **state)
{
  (void)state;
  assert_true(vouch_valid_phone("+4512345678"));        /* 10 digits */
  assert_true(vouch_valid_phone("+12345678"));          /* 8 digits */
  assert_true(vouch_valid_phone("+123456789012345"));   /* 15 digits */
  assert_false(vouch_valid_phone("+1234567"));          /* 7 */
  assert_false(vouch_valid_phone("+1234567890123456")); /* 16 */
  assert_false(vouch_valid_phone("+0123456789"));
  assert_false(vouch_valid_phone("4512345678"));
  assert_false(vouch_valid_phone("++4512345678"));
  assert_false(vouch_valid_phone("+45 12345678"));
  assert_false(vouch_valid_phone("+45-12345678"));
  assert_false(vouch_valid_phone("+4512345678\n"));
  assert_false(vouch_valid_phone("+"));
  assert_false(vouch_valid_phone(""));
  assert_false(vouch_valid_phone(NULL));
}

static void test_lang(void **state)
{
  (void)state;
  assert_true(vouch_valid_lang("en"));
  assert_true(vouch_valid_lang("da"));
  assert_true(vouch_valid_lang("nl"));
  assert_true(vouch_valid_lang("sv"));
  assert_true(vouch_valid_lang("ms"));
  assert_false(vouch_valid_lang("EN"));
  assert_false(vouch_valid_lang("de"));
  assert_false(vouch_valid_lang("en_US"));
  assert_false(vouch_valid_lang("e"));
  assert_false(vouch_valid_lang("en "));
  assert_false(vouch_valid_lang(""));
  assert_false(vouch_valid_lang(NULL));
}

static void test_fullname(void **state)
{
  char buf[600];
  size_t i;

  (void)state;
  assert_true(vouch_valid_fullname("Alice Smith"));
  assert_true(vouch_valid_fullname("J\xc3\xb8rgen S\xc3\xb8rensen"));
  assert_true(vouch_valid_fullname("O'Brien-Smith, Jr."));
  assert_true(vouch_valid_fullname("\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99"));
  assert_false(vouch_valid_fullname(""));
  assert_false(vouch_valid_fullname("   "));
  assert_false(vouch_valid_fullname(NULL));
  assert_false(vouch_valid_fullname("Alice\nSmith"));
  assert_false(vouch_valid_fullname("Alice\tSmith"));
  assert_false(vouch_valid_fullname("Alice\x7f"));
  assert_false(vouch_valid_fullname("Alice\xc2\x85"));    /* C1 NEL */
  assert_false(vouch_valid_fullname("Alice\xc2\x9b[2J")); /* C1 CSI */
  assert_false(vouch_valid_fullname("Alice\x1b[2J"));
  assert_false(vouch_valid_fullname("Alice\xe2\x80\xae")); /* RLO */
  assert_false(vouch_valid_fullname("Alice\xe2\x80\xa8")); /* LS */
  assert_false(vouch_valid_fullname("Alice\xc3"));         /* trunc. */
  assert_false(vouch_valid_fullname("Alice\xc0\xa0"));     /* overlong */
  /* 128 code points (two bytes each) ok, 129 not */
  for(i = 0; i < 128; i++)
    memcpy(buf + 2 * i, "\xc3\xb8", 2);
  buf[256] = '\0';
  assert_true(vouch_valid_fullname(buf));
  memcpy(buf + 256, "\xc3\xb8", 3);
  assert_false(vouch_valid_fullname(buf));
}

static void test_plan(void **state)
{
  char buf[80];

  (void)state;
  assert_true(vouch_valid_plan("Gold"));
  assert_true(vouch_valid_plan("Family plan (4 screens) ~ yearly!"));
  assert_true(vouch_valid_plan("x"));
  assert_false(vouch_valid_plan(""));
  assert_false(vouch_valid_plan(NULL));
  assert_false(vouch_valid_plan(" Gold"));
  assert_false(vouch_valid_plan("Gold "));
  assert_false(vouch_valid_plan("Gold\n"));
  assert_false(vouch_valid_plan("Gold\x7f"));
  assert_false(vouch_valid_plan("Gr\xc3\xb8n"));
  memset(buf, 'p', 64);
  buf[64] = '\0';
  assert_true(vouch_valid_plan(buf));
  buf[64] = 'p';
  buf[65] = '\0';
  assert_false(vouch_valid_plan(buf));
}

/* ------------------------------------------------------------- strings */

static void test_strings(void **state)
{
  char *s, *big;

  (void)state;
  s = vouch_asprintf("%s-%d-%c", "ab", 42, 'z');
  assert_non_null(s);
  assert_string_equal(s, "ab-42-z");
  free(s);
  s = vouch_asprintf("%s", "");
  assert_string_equal(s, "");
  free(s);
  big = malloc(5001);
  assert_non_null(big);
  memset(big, 'q', 5000);
  big[5000] = '\0';
  s = vouch_asprintf("<%s>", big);
  assert_int_equal(strlen(s), 5002);
  free(s);
  free(big);
  assert_null(vouch_strdup(NULL));
  s = vouch_strdup("copy");
  assert_string_equal(s, "copy");
  free(s);
  vouch_free_secret(NULL);
  vouch_free_secret(vouch_strdup("hunter2"));
}

/* --------------------------------------------------------------- files */

struct logbuf {
  char text[4096];
  int count;
  int priority;
};

static void capture(void *arg, int priority, const char *msg)
{
  struct logbuf *lb = arg;
  size_t n = strlen(lb->text);

  snprintf(lb->text + n, sizeof(lb->text) - n, "%s\n", msg);
  lb->count++;
  lb->priority = priority;
}

static char dir[64];

static int make_dir(void **state)
{
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/vouch-util.XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
  char cmd[128];

  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to dir/name with mode; returns the path in path. */
static void put_file(const char *name, const char *text, mode_t mode,
                     char *path, size_t len)
{
  FILE *f;

  snprintf(path, len, "%s/%s", dir, name);
  unlink(path);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(chmod(path, mode), 0);
}

static vouch_rc open_one(const char *path, bool private_file,
                         struct logbuf *lb, int *fd)
{
  memset(lb, 0, sizeof(*lb));
  return vouch_open_secure(path, O_RDONLY, private_file, fd, capture, lb);
}

static void test_open_good(void **state)
{
  char path[256], *text = NULL;
  struct logbuf lb;
  size_t len = 0;
  int fd = -1;

  (void)state;
  put_file("good", "hello\n", 0600, path, sizeof(path));
  assert_int_equal(open_one(path, true, &lb, &fd), VOUCH_OK);
  assert_true(fd >= 0);
  assert_int_equal(lb.count, 0);
  assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
  assert_int_equal(vouch_read_fd(fd, 100, &text, &len), VOUCH_OK);
  assert_string_equal(text, "hello\n");
  assert_int_equal(len, 6);
  free(text);
  close(fd);
  /* 0644 is fine for a file that is not private */
  put_file("public", "x", 0644, path, sizeof(path));
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_OK);
  close(fd);
  /* log may be NULL */
  assert_int_equal(vouch_open_secure(path, O_RDONLY, false, &fd, NULL, NULL),
                   VOUCH_OK);
  close(fd);
}

static void test_open_refused(void **state)
{
  char path[256], link[256], want[512];
  struct logbuf lb;
  int fd = 7;

  (void)state;
  put_file("target", "x", 0600, path, sizeof(path));
  snprintf(link, sizeof(link), "%s/link", dir);
  assert_int_equal(symlink(path, link), 0);
  assert_int_equal(open_one(link, false, &lb, &fd), VOUCH_ERR_INSECURE);
  assert_int_equal(fd, -1);
  assert_int_equal(lb.priority, LOG_ERR);
  snprintf(want, sizeof(want), "%s: refused: it is a symbolic link\n", link);
  assert_string_equal(lb.text, want);

  put_file("ww", "x", 0646, path, sizeof(path));
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_ERR_INSECURE);
  snprintf(want, sizeof(want),
           "%s: refused: writable by group or others "
           "(mode 0646); run chmod go-w on it\n",
           path);
  assert_string_equal(lb.text, want);

  put_file("gw", "x", 0620, path, sizeof(path));
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_ERR_INSECURE);
  assert_non_null(strstr(lb.text, "writable by group or others"));

  put_file("gr", "x", 0640, path, sizeof(path));
  assert_int_equal(open_one(path, true, &lb, &fd), VOUCH_ERR_INSECURE);
  snprintf(want, sizeof(want),
           "%s: refused: readable by group or others "
           "(mode 0640); it must be mode 0600\n",
           path);
  assert_string_equal(lb.text, want);
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_OK);
  close(fd);

  put_file("other", "x", 0600, path, sizeof(path));
  assert_int_equal(chown(path, 65534, 65534), 0);
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_ERR_INSECURE);
  snprintf(want, sizeof(want),
           "%s: refused: owned by uid 65534, not by "
           "root or vouchd's user\n",
           path);
  assert_string_equal(lb.text, want);
  /* vouchd's user ([daemon] user) owns the state: its files pass */
  vouch_state_owner(65534);
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_OK);
  close(fd);
  vouch_state_owner(0);
}

static void test_open_not_regular(void **state)
{
  char path[256], want[512];
  struct logbuf lb;
  int fd;

  (void)state;
  assert_int_equal(open_one(dir, false, &lb, &fd), VOUCH_ERR_INSECURE);
  snprintf(want, sizeof(want),
           "%s: refused: not a regular file (it is a "
           "directory)\n",
           dir);
  assert_string_equal(lb.text, want);

  /* a FIFO must be refused at once, not block the open */
  snprintf(path, sizeof(path), "%s/fifo", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_ERR_INSECURE);
  snprintf(want, sizeof(want), "%s: refused: not a regular file\n", path);
  assert_string_equal(lb.text, want);

  assert_int_equal(open_one("/dev/null", false, &lb, &fd), VOUCH_ERR_INSECURE);
  assert_string_equal(lb.text, "/dev/null: refused: not a regular file\n");

  snprintf(path, sizeof(path), "%s/missing", dir);
  assert_int_equal(open_one(path, false, &lb, &fd), VOUCH_ERR_SYSTEM);
  snprintf(want, sizeof(want), "%s: No such file or directory\n", path);
  assert_string_equal(lb.text, want);
}

static void test_read_fd_limits(void **state)
{
  char path[256], *text = (char *)"unchanged";
  struct logbuf lb;
  size_t len = 99;
  int fd;
  char big[10001];

  (void)state;
  memset(big, 'z', 10000);
  big[10000] = '\0';
  put_file("big", big, 0600, path, sizeof(path));
  assert_int_equal(open_one(path, true, &lb, &fd), VOUCH_OK);
  assert_int_equal(vouch_read_fd(fd, 9999, &text, &len), VOUCH_ERR_INPUT);
  assert_null(text);
  close(fd);
  assert_int_equal(open_one(path, true, &lb, &fd), VOUCH_OK);
  assert_int_equal(vouch_read_fd(fd, 10000, &text, &len), VOUCH_OK);
  assert_int_equal(len, 10000);
  assert_int_equal(strlen(text), 10000);
  free(text);
  close(fd);

  put_file("empty", "", 0600, path, sizeof(path));
  assert_int_equal(open_one(path, true, &lb, &fd), VOUCH_OK);
  assert_int_equal(vouch_read_fd(fd, 0, &text, &len), VOUCH_OK);
  assert_int_equal(len, 0);
  assert_string_equal(text, "");
  free(text);
  close(fd);

  /* a read error (a closed descriptor) is a system error */
  assert_int_equal(vouch_read_fd(fd, 100, &text, &len), VOUCH_ERR_SYSTEM);
  assert_null(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_uint),
      cmocka_unit_test(test_parse_duration),
      cmocka_unit_test(test_parse_size),
      cmocka_unit_test(test_parse_date),
      cmocka_unit_test(test_format),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_username),
      cmocka_unit_test(test_email),
      cmocka_unit_test(test_phone),
      cmocka_unit_test(test_lang),
      cmocka_unit_test(test_fullname),
      cmocka_unit_test(test_plan),
      cmocka_unit_test(test_strings),
      cmocka_unit_test(test_open_good),
      cmocka_unit_test(test_open_refused),
      cmocka_unit_test(test_open_not_regular),
      cmocka_unit_test(test_read_fd_limits),
  };
  return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
