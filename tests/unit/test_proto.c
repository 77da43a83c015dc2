/*
 * test_proto.c - the frames of vouchd's protocol (client/proto.c): what
 * is built parses back; malformed, truncated and oversized frames are
 * refused; whole-frame I/O keeps its time limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "vouch_client.h"

static vouch_frame f, g;

static void test_round_trip(void **state)
{
  int sv[2];

  (void)state;
  vouch_frame_init(&f, VF_HELLO);
  assert_int_equal(vouch_frame_add(&f, VOUCH_PROTO), VF_OK);
  assert_int_equal(vouch_frame_add(&f, ""), VF_OK);
  assert_int_equal(vouch_frame_add_num(&f, -42), VF_OK);
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  assert_int_equal(vouch_frame_send(sv[0], &f, 1000), VF_OK);
  assert_int_equal(vouch_frame_recv(sv[1], &g, 1000), VF_OK);
  assert_int_equal(g.type, VF_HELLO);
  assert_int_equal(g.nfields, 3);
  assert_string_equal(g.field[0], VOUCH_PROTO);
  assert_string_equal(g.field[1], "");
  assert_string_equal(g.field[2], "-42");
  close(sv[0]);
  assert_int_equal(vouch_frame_recv(sv[1], &g, 1000), VF_EOF);
  close(sv[1]);
}

static void test_malformed(void **state)
{
  (void)state;
  memcpy(f.data, "Pabc", 4); /* last field without its NUL */
  f.len = 4;
  assert_int_equal(vouch_frame_parse(&f), VF_BAD);
  memcpy(f.data, "p1\0", 3); /* not a type letter */
  f.len = 3;
  assert_int_equal(vouch_frame_parse(&f), VF_BAD);
  f.len = 0;
  assert_int_equal(vouch_frame_parse(&f), VF_BAD);
  memset(f.data, 0, VOUCH_FIELDS_MAX + 2); /* one field too many */
  f.data[0] = 'A';
  f.len = VOUCH_FIELDS_MAX + 2;
  assert_int_equal(vouch_frame_parse(&f), VF_BAD);
}

static void test_limits(void **state)
{
  static char big[VOUCH_FRAME_MAX + 1];
  unsigned char head[4] = {0, 0, 0x20, 0x01}; /* 8193 bytes */
  int sv[2];

  (void)state;
  memset(big, 'x', sizeof(big) - 1);
  vouch_frame_init(&f, VF_ANSWER);
  assert_int_equal(vouch_frame_add(&f, big), VF_BAD);
  /* An announced length above the maximum is refused before reading. */
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  assert_int_equal(write(sv[0], head, 4), 4);
  assert_int_equal(vouch_frame_recv(sv[1], &g, 1000), VF_BAD);
  /* A frame cut short: refused, not waited for past the peer's close. */
  head[2] = 0;
  head[3] = 10;
  assert_int_equal(write(sv[0], head, 4), 4);
  assert_int_equal(write(sv[0], "Aab", 3), 3);
  close(sv[0]);
  assert_int_equal(vouch_frame_recv(sv[1], &g, 1000), VF_BAD);
  close(sv[1]);
}

static void test_timeout(void **state)
{
  int sv[2];

  (void)state;
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  assert_int_equal(write(sv[0], "\0\0", 2), 2); /* half a length */
  assert_int_equal(vouch_frame_recv(sv[1], &g, 100), VF_TIMEOUT);
  close(sv[0]);
  close(sv[1]);
}

static void test_num(void **state)
{
  long long v = 0;

  (void)state;
  assert_true(vouch_frame_num("17", 0, 20, &v));
  assert_int_equal(v, 17);
  assert_false(vouch_frame_num("21", 0, 20, &v));
  assert_false(vouch_frame_num("", 0, 20, &v));
  assert_false(vouch_frame_num("1x", 0, 20, &v));
  assert_false(vouch_frame_num("99999999999999999999", 0, INT64_MAX, &v));
  assert_true(vouch_frame_num("-3", -5, 5, &v));
  assert_int_equal(v, -3);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip), cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_limits),     cmocka_unit_test(test_timeout),
      cmocka_unit_test(test_num),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
