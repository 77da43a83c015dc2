/*
 * test_crypto.c - unit tests for core/crypto.c: password hashes, the key
 * file and its checks, the keyed MAC, random codes and tokens.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vouch.h"

/* Fast argon2id parameters: the tests check behaviour, not strength. */
#define OPS 1ULL
#define MEM (8ULL * 1024 * 1024)

static char logbuf[4096];

static void capture(void *arg, int prio, const char *msg)
{
  size_t used = strlen(logbuf);

  (void)arg;
  (void)prio;
  snprintf(logbuf + used, sizeof(logbuf) - used, "%s\n", msg);
}

static char tmpdir[64];

static int setup(void **state)
{
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/vouch-crypto.XXXXXX");
  if(!mkdtemp(tmpdir))
    return -1;
  logbuf[0] = '\0';
  return vouch_crypto_init() == VOUCH_OK ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *sb, int type,
                  struct FTW *ftw)
{
  (void)sb;
  (void)ftw;
  return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
  (void)state;
  return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void path_in(char *buf, size_t len, const char *name)
{
  snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const void *data, size_t len,
                       mode_t mode)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, len), (ssize_t)len);
  assert_int_equal(fchmod(fd, mode), 0);
  assert_int_equal(close(fd), 0);
}

/* ------------------------------------------------------------ passwords */

static void test_hash_verify(void **state)
{
  char h[VOUCH_HASH_MAX];
  const char *pw = "correct horse battery staple";

  (void)state;
  assert_int_equal(vouch_pw_hash(pw, strlen(pw), OPS, MEM, h), VOUCH_OK);
  assert_memory_equal(h, "$argon2id$", 10);
  assert_true(strlen(h) < VOUCH_HASH_MAX);
  assert_int_equal(vouch_pw_verify(h, pw, strlen(pw)), VOUCH_OK);
  /* Case-sensitive, and length matters. */
  assert_int_equal(
      vouch_pw_verify(h, "Correct horse battery staple", strlen(pw)),
      VOUCH_ERR_AUTH);
  assert_int_equal(vouch_pw_verify(h, pw, strlen(pw) - 1), VOUCH_ERR_AUTH);
  assert_int_equal(vouch_pw_verify(h, "", 0), VOUCH_ERR_AUTH);
}

static void test_hash_salted(void **state)
{
  char a[VOUCH_HASH_MAX], b[VOUCH_HASH_MAX];

  (void)state;
  assert_int_equal(vouch_pw_hash("same", 4, OPS, MEM, a), VOUCH_OK);
  assert_int_equal(vouch_pw_hash("same", 4, OPS, MEM, b), VOUCH_OK);
  assert_string_not_equal(a, b);
  assert_int_equal(vouch_pw_verify(a, "same", 4), VOUCH_OK);
  assert_int_equal(vouch_pw_verify(b, "same", 4), VOUCH_OK);
}

static void test_hash_empty(void **state)
{
  char h[VOUCH_HASH_MAX];

  (void)state;
  assert_int_equal(vouch_pw_hash("", 0, OPS, MEM, h), VOUCH_OK);
  assert_int_equal(vouch_pw_verify(h, "", 0), VOUCH_OK);
  assert_int_equal(vouch_pw_verify(h, "x", 1), VOUCH_ERR_AUTH);
}

static void test_hash_bad_params(void **state)
{
  char h[VOUCH_HASH_MAX];

  (void)state;
  assert_int_equal(vouch_pw_hash("pw", 2, 0, MEM, h), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_pw_hash("pw", 2, OPS, 1024, h), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_pw_hash(NULL, 0, OPS, MEM, h), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_pw_hash("pw", 2, OPS, MEM, NULL), VOUCH_ERR_INPUT);
}

static void test_verify_malformed(void **state)
{
  char h[VOUCH_HASH_MAX], long_hash[300];
  static const char *const bad[] = {
      "",
      "garbage",
      "$argon2id$",
      "$argon2id$v=19$m=abc,t=1,p=1$x$y",
      "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$",
      "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
      "$argon2i$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0$"
      "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"};
  size_t i;

  (void)state;
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(vouch_pw_verify(bad[i], "pw", 2), VOUCH_ERR_AUTH);
  assert_int_equal(vouch_pw_verify(NULL, "pw", 2), VOUCH_ERR_AUTH);
  /* A real hash cut short or with a flipped character fails too. */
  assert_int_equal(vouch_pw_hash("pw", 2, OPS, MEM, h), VOUCH_OK);
  h[strlen(h) - 1] = h[strlen(h) - 1] == 'A' ? 'B' : 'A';
  assert_int_equal(vouch_pw_verify(h, "pw", 2), VOUCH_ERR_AUTH);
  h[strlen(h) / 2] = '\0';
  assert_int_equal(vouch_pw_verify(h, "pw", 2), VOUCH_ERR_AUTH);
  /* Longer than any argon2id string: refused without decoding. */
  memset(long_hash, 'a', sizeof(long_hash) - 1);
  memcpy(long_hash, "$argon2id$", 10);
  long_hash[sizeof(long_hash) - 1] = '\0';
  assert_int_equal(vouch_pw_verify(long_hash, "pw", 2), VOUCH_ERR_AUTH);
}

static void test_needs_rehash(void **state)
{
  char h[VOUCH_HASH_MAX];

  (void)state;
  assert_int_equal(vouch_pw_hash("pw", 2, OPS, MEM, h), VOUCH_OK);
  assert_false(vouch_pw_needs_rehash(h, OPS, MEM));
  assert_true(vouch_pw_needs_rehash(h, OPS + 1, MEM));
  assert_true(vouch_pw_needs_rehash(h, OPS, MEM * 2));
  assert_true(vouch_pw_needs_rehash("garbage", OPS, MEM));
  assert_true(vouch_pw_needs_rehash(NULL, OPS, MEM));
  assert_true(vouch_pw_needs_rehash("", OPS, MEM));
}

/* ------------------------------------------------------------- key file */

static void test_key_create_load(void **state)
{
  unsigned char k1[VOUCH_KEY_BYTES], k2[VOUCH_KEY_BYTES];
  unsigned char zero[VOUCH_KEY_BYTES] = {0};
  char p1[128], p2[128];
  struct stat sb;
  mode_t old;

  (void)state;
  path_in(p1, sizeof(p1), "k1");
  path_in(p2, sizeof(p2), "k2");
  old = umask(0); /* the file must be 0600 whatever the umask */
  assert_int_equal(vouch_key_create(p1, capture, NULL), VOUCH_OK);
  umask(old);
  assert_int_equal(lstat(p1, &sb), 0);
  assert_true(S_ISREG(sb.st_mode));
  assert_int_equal(sb.st_mode & 07777, 0600);
  assert_int_equal(sb.st_size, VOUCH_KEY_BYTES);
  assert_int_equal(sb.st_uid, geteuid());
  assert_int_equal(vouch_key_create(p2, capture, NULL), VOUCH_OK);
  assert_int_equal(vouch_key_load(p1, k1, capture, NULL), VOUCH_OK);
  assert_int_equal(vouch_key_load(p2, k2, capture, NULL), VOUCH_OK);
  assert_memory_not_equal(k1, k2, VOUCH_KEY_BYTES);
  assert_memory_not_equal(k1, zero, VOUCH_KEY_BYTES);
}

static void test_key_exists(void **state)
{
  unsigned char k1[VOUCH_KEY_BYTES], k2[VOUCH_KEY_BYTES];
  char p[128];

  (void)state;
  path_in(p, sizeof(p), "key");
  assert_int_equal(vouch_key_create(p, capture, NULL), VOUCH_OK);
  assert_int_equal(vouch_key_load(p, k1, capture, NULL), VOUCH_OK);
  logbuf[0] = '\0';
  assert_int_equal(vouch_key_create(p, capture, NULL), VOUCH_ERR_EXISTS);
  assert_non_null(strstr(logbuf, p));
  assert_non_null(strstr(logbuf, "already exists"));
  /* The existing key is untouched. */
  assert_int_equal(vouch_key_load(p, k2, capture, NULL), VOUCH_OK);
  assert_memory_equal(k1, k2, VOUCH_KEY_BYTES);
}

static void test_key_create_no_dir(void **state)
{
  char p[128];

  (void)state;
  path_in(p, sizeof(p), "missing/key");
  assert_int_equal(vouch_key_create(p, capture, NULL), VOUCH_ERR_SYSTEM);
  assert_non_null(strstr(logbuf, p));
}

static void test_key_wrong_size(void **state)
{
  unsigned char k[VOUCH_KEY_BYTES], data[64] = {1};
  char p[128];

  (void)state;
  path_in(p, sizeof(p), "short");
  write_file(p, data, 31, 0600);
  assert_int_equal(vouch_key_load(p, k, capture, NULL), VOUCH_ERR_KEY);
  assert_non_null(strstr(logbuf, p));
  assert_non_null(strstr(logbuf, "found 31"));
  logbuf[0] = '\0';
  path_in(p, sizeof(p), "long");
  write_file(p, data, 64, 0600);
  assert_int_equal(vouch_key_load(p, k, capture, NULL), VOUCH_ERR_KEY);
  assert_non_null(strstr(logbuf, "found 64"));
  logbuf[0] = '\0';
  path_in(p, sizeof(p), "empty");
  write_file(p, data, 0, 0600);
  assert_int_equal(vouch_key_load(p, k, capture, NULL), VOUCH_ERR_KEY);
  assert_non_null(strstr(logbuf, "found 0"));
  path_in(p, sizeof(p), "absent");
  assert_int_equal(vouch_key_load(p, k, capture, NULL), VOUCH_ERR_KEY);
}

static void test_key_symlink(void **state)
{
  unsigned char k[VOUCH_KEY_BYTES];
  char real[128], link[128];

  (void)state;
  path_in(real, sizeof(real), "real");
  path_in(link, sizeof(link), "link");
  assert_int_equal(vouch_key_create(real, capture, NULL), VOUCH_OK);
  assert_int_equal(symlink(real, link), 0);
  assert_int_equal(vouch_key_load(link, k, capture, NULL), VOUCH_ERR_INSECURE);
  /* Creating through a dangling or real link is refused as well. */
  assert_int_not_equal(vouch_key_create(link, capture, NULL), VOUCH_OK);
}

static void test_key_group_readable(void **state)
{
  unsigned char k[VOUCH_KEY_BYTES];
  char p[128];

  (void)state;
  path_in(p, sizeof(p), "key");
  assert_int_equal(vouch_key_create(p, capture, NULL), VOUCH_OK);
  assert_int_equal(chmod(p, 0640), 0);
  assert_int_equal(vouch_key_load(p, k, capture, NULL), VOUCH_ERR_INSECURE);
  assert_int_equal(chmod(p, 0604), 0);
  assert_int_equal(vouch_key_load(p, k, capture, NULL), VOUCH_ERR_INSECURE);
  assert_int_equal(chmod(p, 0600), 0);
  assert_int_equal(vouch_key_load(p, k, capture, NULL), VOUCH_OK);
}

/* ------------------------------------------------------------------ MAC */

static void to_hex(const unsigned char *b, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  size_t i;

  for(i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = '\0';
}

static void test_mac(void **state)
{
  unsigned char key[VOUCH_KEY_BYTES], key2[VOUCH_KEY_BYTES];
  unsigned char a[VOUCH_MAC_BYTES], b[VOUCH_MAC_BYTES];
  char hex[2 * VOUCH_MAC_BYTES + 1];
  int i;

  (void)state;
  for(i = 0; i < VOUCH_KEY_BYTES; i++)
    key[i] = (unsigned char)i;
  /* Known answers: HMAC-SHA-256 over (be64 len || part)... */
  vouch_mac(key, a, "ab", "c", (char *)NULL);
  to_hex(a, sizeof(a), hex);
  assert_string_equal(hex, "17eca1f3cf4e1f92cd415f54de5121e3"
                           "67cbc209edff96da287c5cd432cf9a46");
  vouch_mac(key, b, "a", "bc", (char *)NULL);
  to_hex(b, sizeof(b), hex);
  assert_string_equal(hex, "3bddf4bc854ae05364f6353a7ec018de"
                           "74fb1fe6bb599207f172368d9490b9dd");
  assert_false(vouch_ct_equal(a, b, sizeof(a)));
  vouch_mac(key, a, (char *)NULL);
  to_hex(a, sizeof(a), hex);
  assert_string_equal(hex, "d38b42096d80f45f826b44a9d5607de7"
                           "2496a415d3f4a1a8c88e3bb9da8dc1cb");
  vouch_mac(key, b, "", (char *)NULL);
  assert_false(vouch_ct_equal(a, b, sizeof(a)));
  /* Deterministic for one key, different under another. */
  vouch_mac(key, a, "code", "alice", "123456", (char *)NULL);
  vouch_mac(key, b, "code", "alice", "123456", (char *)NULL);
  assert_true(vouch_ct_equal(a, b, sizeof(a)));
  memcpy(key2, key, sizeof(key));
  key2[0] ^= 1;
  vouch_mac(key2, b, "code", "alice", "123456", (char *)NULL);
  assert_false(vouch_ct_equal(a, b, sizeof(a)));
}

static void test_ct_equal(void **state)
{
  (void)state;
  assert_true(vouch_ct_equal("abc", "abc", 3));
  assert_false(vouch_ct_equal("abc", "abd", 3));
  assert_true(vouch_ct_equal("abc", "abd", 2));
  assert_true(vouch_ct_equal("x", "y", 0));
}

static void test_wipe(void **state)
{
  char buf[16];

  (void)state;
  memset(buf, 'x', sizeof(buf));
  vouch_wipe(buf, sizeof(buf));
  for(size_t i = 0; i < sizeof(buf); i++)
    assert_int_equal(buf[i], 0);
  vouch_wipe(NULL, 0);
}

/* ------------------------------------------------------ codes and tokens */

static void test_code_shape(void **state)
{
  char code[32];
  unsigned d;
  size_t i;

  (void)state;
  for(d = 1; d <= 18; d++) {
    assert_int_equal(vouch_random_code(d, code, d + 1), VOUCH_OK);
    assert_int_equal(strlen(code), d);
    for(i = 0; i < d; i++)
      assert_true(code[i] >= '0' && code[i] <= '9');
  }
  assert_int_equal(vouch_random_code(0, code, sizeof(code)), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_random_code(19, code, sizeof(code)), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_random_code(6, code, 6), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_random_code(6, NULL, 7), VOUCH_ERR_INPUT);
}

static void test_code_distribution(void **state)
{
  unsigned long counts[10] = {0};
  unsigned long leading_zero = 0;
  char code[7];
  int draws = 20000, i, j;

  (void)state;
  for(i = 0; i < draws; i++) {
    assert_int_equal(vouch_random_code(6, code, sizeof(code)), VOUCH_OK);
    for(j = 0; j < 6; j++)
      counts[code[j] - '0']++;
    if(code[0] == '0')
      leading_zero++;
  }
  /* 120000 digits: 12000 expected each, sd ~104; allow about 6 sd. */
  for(j = 0; j < 10; j++) {
    assert_in_range(counts[j], 11400, 12600);
  }
  /* Codes keep their leading zeros (about 2000 expected). */
  assert_in_range(leading_zero, 1600, 2400);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp((const char *)a, (const char *)b);
}

static void test_token(void **state)
{
  enum { N = 1000 };
  static char tokens[N][VOUCH_TOKEN_CHARS + 1];
  char small[VOUCH_TOKEN_CHARS];
  int i, j;

  (void)state;
  for(i = 0; i < N; i++) {
    assert_int_equal(vouch_random_token(tokens[i], sizeof(tokens[i])),
                     VOUCH_OK);
    assert_int_equal(strlen(tokens[i]), VOUCH_TOKEN_CHARS);
    for(j = 0; j < VOUCH_TOKEN_CHARS; j++) {
      char c = tokens[i][j];
      assert_true((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_');
    }
  }
  qsort(tokens, N, sizeof(tokens[0]), cmp_str);
  for(i = 1; i < N; i++)
    assert_string_not_equal(tokens[i - 1], tokens[i]);
  assert_int_equal(vouch_random_token(small, sizeof(small)), VOUCH_ERR_INPUT);
  assert_int_equal(vouch_random_token(NULL, 64), VOUCH_ERR_INPUT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_hash_verify, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hash_salted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hash_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hash_bad_params, setup, teardown),
      cmocka_unit_test_setup_teardown(test_verify_malformed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_needs_rehash, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_create_load, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_exists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_create_no_dir, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_wrong_size, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_symlink, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_group_readable, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_mac, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ct_equal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wipe, setup, teardown),
      cmocka_unit_test_setup_teardown(test_code_shape, setup, teardown),
      cmocka_unit_test_setup_teardown(test_code_distribution, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
