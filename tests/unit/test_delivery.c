/*
 * test_delivery.c - the wire format between the core and the delivery
 * helper (round trips and every rejection), the pieces of an email
 * (quoted-printable, RFC 2047 subjects), the STARTTLS loopback decision,
 * the SMS request body, the [email]/[sms] keys, and the file transport.
 * Runs as root (one directory is given to nobody).
 */
#include <dirent.h>
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
#include <sodium.h>

#include "vouch.h"

static char logged[4096];

static void log_keep(void *arg, int priority, const char *msg)
{
  size_t n = strlen(logged);

  (void)arg;
  (void)priority;
  snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

/* ---------------------------------------------------------- wire format */

static void roundtrip(vouch_channel ch, const char *to, const char *subject,
                      const char *body)
{
  vouch_message m = {ch, (char *)to, (char *)subject, (char *)body, NULL};
  vouch_message back;
  char *text = NULL, err[128];
  size_t len = 0;

  assert_int_equal(vouch_message_format(&m, &text, &len), VOUCH_OK);
  assert_int_equal(len, strlen(text));
  assert_int_equal(vouch_message_parse(text, len, &back, err, sizeof(err)),
                   VOUCH_OK);
  assert_int_equal(back.channel, ch);
  assert_string_equal(back.to, to);
  if(subject)
    assert_string_equal(back.subject, subject);
  else
    assert_null(back.subject);
  assert_string_equal(back.body, body);
  vouch_message_clear(&back);
  assert_null(back.body);
  free(text);
}

static void test_roundtrip(void **state)
{
  char *big = malloc(65537);

  (void)state;
  roundtrip(VOUCH_CHANNEL_EMAIL, "a@example.org", "Hello", "Code 123456\n");
  roundtrip(VOUCH_CHANNEL_EMAIL, "ase@example.dk", "Bekræft ændring – kode",
            "Hej Åse\n\nKode: 123456\n");
  roundtrip(VOUCH_CHANNEL_SMS, "+4512345678", NULL, "kode 123456");
  /* a body that looks like headers stays body */
  roundtrip(VOUCH_CHANNEL_SMS, "+4512345678", NULL, "to: x\n\nchannel: y");
  assert_non_null(big);
  memset(big, 'a', 65536);
  big[65536] = '\0';
  roundtrip(VOUCH_CHANNEL_SMS, "+4512345678", NULL, big); /* exactly 64 KiB */
  free(big);
  assert_string_equal(vouch_channel_name(VOUCH_CHANNEL_EMAIL), "email");
  assert_string_equal(vouch_channel_name(VOUCH_CHANNEL_SMS), "sms");
}

static void refused(const char *text, size_t len, const char *why)
{
  vouch_message m;
  char err[128];

  assert_int_equal(vouch_message_parse(text, len, &m, err, sizeof(err)),
                   VOUCH_ERR_INPUT);
  if(!strstr(err, why))
    fail_msg("reason \"%s\" lacks \"%s\"", err, why);
  assert_null(m.to);
  assert_null(m.body);
}
#define REFUSED(lit, why) refused(lit, sizeof(lit) - 1, why)

static void test_parse_rejects(void **state)
{
  char *big;
  size_t n;

  (void)state;
  refused("", 0, "empty");
  REFUSED("channel: email\nto: a@example.org\nsubject: s", "no blank line");
  REFUSED("channel: email\nto: a@example.org\nsubject: s\nbody\n", "line 4");
  REFUSED("to: a@example.org\nsubject: s\n\nb", "no \"channel\"");
  REFUSED("channel: sms\n\nb", "no \"to\"");
  REFUSED("channel: pigeon\nto: +4512345678\n\nb", "unknown channel");
  REFUSED("channel: sms\nfrom: x\nto: +4512345678\n\nb", "line 2: unknown");
  REFUSED("channel: sms\nto: +4512345678\nchannel: sms\n\nb", "repeated");
  REFUSED("channel: sms\nto: +4512345678\nto: +4512345678\n\nb", "repeated");
  REFUSED("channel: sms\nto +4512345678\n\nb", "not a \"name: value\"");
  REFUSED("channel: email\nto: a@example.org\r\nsubject: s\n\nb",
          "to contains CR");
  REFUSED("channel: email\nto: a@example.org\nsubject: s\rt\n\nb",
          "subject contains CR");
  REFUSED("channel: email\nto: a@exa\0mple.org\nsubject: s\n\nb",
          "to contains CR, LF or NUL");
  REFUSED("channel: email\nto: a@example.org\nsubject: \377\n\nb",
          "subject is not valid UTF-8");
  REFUSED("channel: email\nto: a@example.org\nsubject: \n\nb",
          "subject is empty");
  REFUSED("channel: email\nto: a@example.org\n\nb", "needs a \"subject\"");
  REFUSED("channel: sms\nto: +4512345678\nsubject: s\n\nb", "no subject");
  REFUSED("channel: email\nto: +4512345678\nsubject: s\n\nb",
          "not a valid email");
  REFUSED("channel: sms\nto: a@example.org\n\nb", "not an E.164");
  REFUSED("channel: sms\nto: +45123\n\nb", "not an E.164");
  REFUSED("channel: sms\nto: +4512345678\n\n", "body is empty");
  REFUSED("channel: sms\nto: +4512345678\n\nab\0c", "NUL");
  REFUSED("channel: sms\nto: +4512345678\n\n\xc3\x28", "not valid UTF-8");
  REFUSED("channel: sms\nto: +4512345678\n\n\xed\xa0\x80", "UTF-8");
  big = malloc(65600);
  assert_non_null(big);
  n = (size_t)snprintf(big, 65600, "channel: sms\nto: +4512345678\n\n");
  memset(big + n, 'a', 65537);
  refused(big, n + 65537, "longer than 65536");
  free(big);
}

/* PAM-line keys of [email] and [sms] travel to the helper as "set"
 * headers and are applied over the file there; nothing else does. */
static void test_passed_keys(void **state)
{
  vouch_message m = {VOUCH_CHANNEL_SMS, "+4512345678", NULL, "Code 1", NULL};
  vouch_message back;
  vouch_config *c = calloc(1, sizeof(*c));
  char *text = NULL, err[128], many[64 * 40];
  size_t len = 0, n = 0;
  int i;

  (void)state;
  assert_non_null(c);
  assert_int_equal(vouch_config_defaults(c), VOUCH_OK);
  assert_int_equal(vouch_config_pass_on(c, "store.path=/x"), VOUCH_OK);
  assert_null(c->pass_on);
  assert_int_equal(vouch_config_pass_on(c, "sms.dir=/tmp/s=1.d"), VOUCH_OK);
  assert_int_equal(vouch_config_pass_on(c, "email.from=a@b.example"),
                   VOUCH_OK);
  assert_string_equal(c->pass_on,
                      "sms.dir=/tmp/s=1.d\nemail.from=a@b.example\n");
  assert_int_equal(vouch_config_pass_on(c, "sms.dir=a\nb"), VOUCH_ERR_INPUT);

  m.sets = c->pass_on;
  assert_int_equal(vouch_message_format(&m, &text, &len), VOUCH_OK);
  assert_string_equal(text, "channel: sms\nto: +4512345678\n"
                            "set: sms.dir=/tmp/s=1.d\n"
                            "set: email.from=a@b.example\n\nCode 1");
  assert_int_equal(vouch_message_parse(text, len, &back, err, sizeof(err)),
                   VOUCH_OK);
  assert_string_equal(back.sets, c->pass_on);
  assert_string_equal(back.body, "Code 1");
  free(text);

  /* Applied over the file's values, then checked as a whole. */
  assert_int_equal(vouch_config_apply_passed(c, back.sets, NULL, NULL),
                   VOUCH_OK);
  assert_string_equal(c->sms_dir, "/tmp/s=1.d");
  assert_string_equal(c->email_from, "a@b.example");
  vouch_message_clear(&back);
  assert_int_equal(vouch_config_apply_passed(c, "store.path=/x\n", NULL, NULL),
                   VOUCH_ERR_CONFIG);
  assert_int_equal(vouch_config_apply_passed(c, "sms.nosuch=1\n", NULL, NULL),
                   VOUCH_ERR_CONFIG);
  assert_int_equal(vouch_config_apply_passed(c, "sms=1\n", NULL, NULL),
                   VOUCH_ERR_CONFIG);
  assert_int_equal(vouch_config_apply_passed(c, "", NULL, NULL), VOUCH_OK);

  /* Malformed or too many "set" headers are refused. */
  REFUSED("channel: sms\nto: +4512345678\nset: nodot\n\nb",
          "not section.key=value");
  REFUSED("channel: sms\nto: +4512345678\nset: sms.dir\n\nb",
          "not section.key=value");
  REFUSED("channel: sms\nto: +4512345678\nset: \n\nb", "set is empty");
  REFUSED("channel: sms\nto: +4512345678\nset: sms.dir=\r/x\n\nb",
          "set contains CR");
  n = (size_t)snprintf(many, sizeof(many), "channel: sms\nto: +4512345678\n");
  for(i = 0; i < 33; i++)
    n +=
        (size_t)snprintf(many + n, sizeof(many) - n, "set: sms.dir=/d%d\n", i);
  n += (size_t)snprintf(many + n, sizeof(many) - n, "\nb");
  refused(many, n, "more than 32");
  vouch_config_free(c);
}

static void test_format_rejects(void **state)
{
  vouch_message m = {VOUCH_CHANNEL_EMAIL, "a@example.org", "s\nBcc: x", "b",
                     NULL};
  char *out = (char *)1;
  size_t len = 9;

  (void)state;
  assert_int_equal(vouch_message_format(&m, &out, &len), VOUCH_ERR_INPUT);
  assert_null(out);
  assert_int_equal(len, 0);
  m.subject = "s";
  m.to = "a@example.org\nsubject: x";
  assert_int_equal(vouch_message_format(&m, &out, &len), VOUCH_ERR_INPUT);
  m.to = "a@example.org";
  m.body = "";
  assert_int_equal(vouch_message_format(&m, &out, &len), VOUCH_ERR_INPUT);
  m.channel = VOUCH_CHANNEL_SMS;
  m.body = "b";
  assert_int_equal(vouch_message_format(&m, &out, &len), VOUCH_ERR_INPUT);
  m.channel = (vouch_channel)7;
  assert_int_equal(vouch_message_format(&m, &out, &len), VOUCH_ERR_INPUT);
}

/* ------------------------------------------------------- email pieces */

/* Decodes QP (soft breaks, =XX) and checks line lengths. */
static char *qp_decode(const char *s)
{
  char *out = malloc(strlen(s) + 1);
  size_t i = 0, n = 0, col = 0;

  assert_non_null(out);
  while(s[i]) {
    if(s[i] == '\r') {
      assert_int_equal(s[i + 1], '\n');
      assert_true(col <= 76);
      out[n++] = '\n';
      i += 2;
      col = 0;
      continue;
    }
    if(s[i] == '=' && s[i + 1] == '\r') {
      assert_true(col + 1 <= 76);
      i += 3;
      col = 0;
      continue;
    }
    if(s[i] == '=') {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      assert_true(strchr("0123456789ABCDEF", hex[0]) && hex[0]);
      assert_true(strchr("0123456789ABCDEF", hex[1]) && hex[1]);
      out[n++] = (char)strtol(hex, NULL, 16);
      i += 3;
      col += 3;
      continue;
    }
    assert_true(s[i] >= 0x20 || s[i] == '\t');
    assert_true((unsigned char)s[i] < 0x7f);
    out[n++] = s[i++];
    col++;
  }
  assert_true(col <= 76);
  out[n] = '\0';
  return out;
}

static void qp_is(const char *in, const char *want)
{
  char *got = vouch_qp_encode(in, strlen(in));

  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

static void test_qp(void **state)
{
  unsigned char rnd[3000];
  char text[3001], *enc, *dec;
  int round;
  size_t i;

  (void)state;
  qp_is("abc", "abc");
  qp_is("a=b", "a=3Db");
  qp_is("æ", "=C3=A6");
  qp_is("end \nx\t\n", "end=20\r\nx=09\r\n");
  qp_is("a\r\nb", "a\r\nb");
  qp_is("a\rb", "a=0Db");
  qp_is(".dot\n", ".dot\r\n");
  qp_is("", "");
  /* 80 'a': soft break after 75 */
  memset(text, 'a', 80);
  text[80] = '\0';
  enc = vouch_qp_encode(text, 80);
  assert_non_null(enc);
  assert_int_equal(strcspn(enc, "\r"), 76);
  assert_memory_equal(enc + 75, "=\r\n", 3);
  free(enc);
  /* random UTF-8-ish text decodes back, every line within 76 */
  for(round = 0; round < 50; round++) {
    randombytes_buf(rnd, sizeof(rnd));
    for(i = 0; i < sizeof(rnd); i++) {
      unsigned char c = rnd[i] % 100;
      text[i] = c < 5                        ? '\n'
                : c < 15                     ? ' '
                : c < 20                     ? '='
                : c < 25                     ? '\t'
                : (char)(rnd[i] | 0x80) == 0 ? 'x'
                : c < 40                     ? (char)(0x80 | rnd[i])
                                             : (char)('A' + c % 26);
      if(!text[i])
        text[i] = 'z';
    }
    text[sizeof(rnd)] = '\0';
    enc = vouch_qp_encode(text, sizeof(rnd));
    assert_non_null(enc);
    dec = qp_decode(enc);
    assert_string_equal(dec, text);
    free(enc);
    free(dec);
  }
}

/* Decodes a header made of RFC 2047 B words (or plain text). */
static void header_is(const char *in, bool encoded)
{
  char *h = vouch_header_encode(in), *p, out[2048];
  size_t n = 0;

  assert_non_null(h);
  if(!encoded) {
    assert_string_equal(h, in);
    free(h);
    return;
  }
  p = h;
  while(*p) {
    char *end;
    size_t bin = 0;
    assert_memory_equal(p, "=?UTF-8?B?", 10);
    end = strstr(p + 10, "?=");
    assert_non_null(end);
    assert_true(end + 2 - p <= 75); /* RFC 2047: a word is <= 75 chars */
    assert_int_equal(sodium_base642bin((unsigned char *)out + n,
                                       sizeof(out) - n, p + 10,
                                       (size_t)(end - p - 10), NULL, &bin,
                                       NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    /* each word is whole UTF-8 on its own */
    assert_true(vouch_valid_utf8(out + n, bin));
    n += bin;
    p = end + 2;
    if(*p) {
      assert_memory_equal(p, "\r\n ", 3);
      p += 3;
    }
  }
  out[n] = '\0';
  assert_string_equal(out, in);
  free(h);
}

static void test_header_encode(void **state)
{
  (void)state;
  header_is("Confirm account change with this code", false);
  header_is("Bekræft ændring af konto med denne kode", true);
  header_is("Bevestig uw wijziging – code", true);
  header_is("=?UTF-8?B?QQ==?= looks encoded", true);
  header_is("A very long English subject line that goes past the limit of "
            "seventy-eight characters",
            true);
  header_is("ææææææææææææææææææææææææææææææææææææææææææææææææææææææææææ"
            "ææææææææææææææææææææææææææææææææææææææææææ€€€€€€€€😀😀😀",
            true);
}

static void test_loopback(void **state)
{
  (void)state;
  assert_true(vouch_url_is_loopback("smtp://127.0.0.1:25"));
  assert_true(vouch_url_is_loopback("smtp://127.0.0.1"));
  assert_true(vouch_url_is_loopback("smtp://127.1.2.3:2525"));
  assert_true(vouch_url_is_loopback("smtp://localhost:25"));
  assert_true(vouch_url_is_loopback("smtp://LocalHost"));
  assert_true(vouch_url_is_loopback("smtp://[::1]:25"));
  assert_true(vouch_url_is_loopback("smtp://user@127.0.0.1:25"));
  assert_false(vouch_url_is_loopback("smtp://127.0.0.1@mail.example.org"));
  assert_false(vouch_url_is_loopback("smtp://127.0.0.1.example.org"));
  assert_false(vouch_url_is_loopback("smtp://localhost.example.org"));
  assert_false(vouch_url_is_loopback("smtp://mail.example.org:587"));
  assert_false(vouch_url_is_loopback("smtp://192.0.2.1:25"));
  assert_false(vouch_url_is_loopback("smtp://128.0.0.1"));
  assert_false(vouch_url_is_loopback("smtp://[::2]"));
  assert_false(vouch_url_is_loopback("smtp://[::ffff:10.0.0.1]"));
  assert_false(vouch_url_is_loopback("not a url"));
  assert_false(vouch_url_is_loopback(""));
  assert_false(vouch_url_is_loopback(NULL));
}

/* ------------------------------------------------------------ SMS body */

static void test_sms_body(void **state)
{
  vouch_message m = {VOUCH_CHANNEL_SMS, "+4512345678", NULL,
                     "Kode 1 & 2 = \"æ\"\\\n\x01/", NULL};
  vouch_config *c = calloc(1, sizeof(*c));
  char *out = NULL;

  (void)state;
  assert_non_null(c);
  assert_int_equal(vouch_config_defaults(c), VOUCH_OK);
  assert_int_equal(vouch_sms_request_body(c, &m, &out), VOUCH_OK);
  assert_string_equal(out, "to=%2B4512345678&text=Kode%201%20%26%202%20%3D%20"
                           "%22%C3%A6%22%5C%0A%01%2F");
  free(out);
  c->sms_format = VOUCH_SMS_JSON;
  assert_int_equal(vouch_sms_request_body(c, &m, &out), VOUCH_OK);
  assert_string_equal(out, "{\"to\":\"+4512345678\",\"text\":\"Kode 1 & 2 = "
                           "\\\"æ\\\"\\\\\\n\\u0001/\"}");
  free(out);
  c->sms_body = vouch_strdup("{text}|{to}|{x}|{");
  assert_int_equal(vouch_sms_request_body(c, &m, &out), VOUCH_OK);
  assert_string_equal(out, "Kode 1 & 2 = \\\"æ\\\"\\\\\\n\\u0001/"
                           "|+4512345678|{x}|{");
  free(out);
  vouch_config_free(c);
}

/* -------------------------------------------------------------- config */

static vouch_rc set(vouch_config *c, const char *s, const char *k,
                    const char *v)
{
  return vouch_config_set(c, s, k, v, "test:1", log_keep, NULL);
}

static void test_config_keys(void **state)
{
  vouch_config *c = calloc(1, sizeof(*c));

  (void)state;
  assert_non_null(c);
  assert_int_equal(vouch_config_defaults(c), VOUCH_OK);
  assert_int_equal(c->sms_format, VOUCH_SMS_FORM);
  assert_int_equal(c->sms_auth, VOUCH_SMS_AUTH_NONE);
  assert_null(c->sms_body);
  assert_null(c->email_username);
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_OK);
  assert_int_equal(set(c, "sms", "format", "json"), VOUCH_OK);
  assert_int_equal(c->sms_format, VOUCH_SMS_JSON);
  assert_int_equal(set(c, "sms", "format", "xml"), VOUCH_ERR_CONFIG);
  assert_non_null(strstr(logged, "test:1: [sms] format: \"xml\" is not "
                                 "allowed (allowed: form, json)"));
  assert_int_equal(set(c, "sms", "auth", "digest"), VOUCH_ERR_CONFIG);
  assert_int_equal(set(c, "sms", "body", "x={text}&f={from}"),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(logged, "unknown variable"));
  assert_int_equal(set(c, "sms", "username", "a b"), VOUCH_ERR_CONFIG);
  /* relations */
  logged[0] = '\0';
  assert_int_equal(set(c, "sms", "auth", "basic"), VOUCH_OK);
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_ERR_CONFIG);
  assert_non_null(strstr(logged, "auth = basic needs secret_file"));
  assert_non_null(strstr(logged, "auth = basic needs username"));
  assert_int_equal(set(c, "sms", "username", "a:b"), VOUCH_OK);
  assert_int_equal(set(c, "sms", "secret_file", "/etc/vouch/sms"), VOUCH_OK);
  logged[0] = '\0';
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_ERR_CONFIG);
  assert_non_null(strstr(logged, "may not contain ':'"));
  assert_int_equal(set(c, "sms", "username", "gw"), VOUCH_OK);
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_OK);
  assert_int_equal(set(c, "sms", "auth", "bearer"), VOUCH_OK);
  assert_int_equal(set(c, "sms", "secret_file", ""), VOUCH_OK);
  logged[0] = '\0';
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_ERR_CONFIG);
  assert_non_null(strstr(logged, "auth = bearer needs secret_file"));
  assert_int_equal(set(c, "sms", "auth", "none"), VOUCH_OK);
  assert_int_equal(set(c, "sms", "body", "to={to}"), VOUCH_OK);
  logged[0] = '\0';
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_ERR_CONFIG);
  assert_non_null(strstr(logged, "body does not contain {text}"));
  assert_int_equal(set(c, "sms", "body", "{\"t\":\"{text}\"}"), VOUCH_OK);
  assert_int_equal(set(c, "email", "username", "mailer"), VOUCH_OK);
  logged[0] = '\0';
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_ERR_CONFIG);
  assert_non_null(strstr(logged, "username needs password_file"));
  assert_int_equal(set(c, "email", "password_file", "relative"),
                   VOUCH_ERR_CONFIG);
  assert_int_equal(set(c, "email", "password_file", "/etc/vouch/smtp"),
                   VOUCH_OK);
  assert_int_equal(vouch_config_check(c, log_keep, NULL), VOUCH_OK);
  vouch_config_free(c);
}

/* ------------------------------------------------------ file transport */

static int count_files(const char *dir, const char *suffix)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  assert_non_null(d);
  while((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name), s = strlen(suffix);
    if(e->d_name[0] != '.' && l > s && !strcmp(e->d_name + l - s, suffix))
      n++;
    if(!strncmp(e->d_name, ".tmp-", 5))
      n += 1000; /* a temporary file left behind */
  }
  closedir(d);
  return n;
}

static void test_file_transport(void **state)
{
  char dir[] = "/tmp/vouch-test-delivery.XXXXXX", sub[128];
  vouch_message em = {VOUCH_CHANNEL_EMAIL, "a@example.org", "Subject",
                      "Code 123456\n", NULL};
  vouch_message sm = {VOUCH_CHANNEL_SMS, "+4512345678", NULL, "Code 1", NULL};
  vouch_config *c = calloc(1, sizeof(*c));

  (void)state;
  assert_non_null(c);
  assert_int_equal(vouch_config_defaults(c), VOUCH_OK);
  assert_non_null(mkdtemp(dir));
  c->email_transport = VOUCH_TRANSPORT_FILE;
  c->sms_transport = VOUCH_TRANSPORT_FILE;
  c->email_dir = vouch_strdup(dir);
  c->sms_dir = vouch_strdup(dir);
  assert_int_equal(vouch_transport_send(c, &em, log_keep, NULL), VOUCH_OK);
  assert_int_equal(vouch_transport_send(c, &em, log_keep, NULL), VOUCH_OK);
  assert_int_equal(vouch_transport_send(c, &sm, log_keep, NULL), VOUCH_OK);
  assert_int_equal(count_files(dir, ".eml"), 2);
  assert_int_equal(count_files(dir, ".sms"), 1);
  /* refused: group-writable, world-writable sticky, another owner */
  chmod(dir, 0770);
  assert_int_equal(vouch_transport_send(c, &em, log_keep, NULL),
                   VOUCH_ERR_CONFIG);
  chmod(dir, 01777);
  assert_int_equal(vouch_transport_send(c, &sm, log_keep, NULL),
                   VOUCH_ERR_CONFIG);
  chmod(dir, 0700);
  if(geteuid() == 0) {
    assert_int_equal(chown(dir, 65534, 65534), 0);
    assert_int_equal(vouch_transport_send(c, &em, log_keep, NULL),
                     VOUCH_ERR_CONFIG);
    assert_int_equal(chown(dir, 0, 0), 0);
  }
  assert_int_equal(count_files(dir, ".eml"), 2);
  /* SMS over HTTP without a url: unavailable, before any network use */
  c->sms_transport = VOUCH_TRANSPORT_HTTP;
  logged[0] = '\0';
  assert_int_equal(vouch_transport_send(c, &sm, log_keep, NULL),
                   VOUCH_ERR_UNAVAIL);
  assert_non_null(strstr(logged, "SMS is not configured"));
  snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
  assert_int_equal(system(sub), 0);
  vouch_config_free(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip),
      cmocka_unit_test(test_parse_rejects),
      cmocka_unit_test(test_format_rejects),
      cmocka_unit_test(test_passed_keys),
      cmocka_unit_test(test_qp),
      cmocka_unit_test(test_header_encode),
      cmocka_unit_test(test_loopback),
      cmocka_unit_test(test_sms_body),
      cmocka_unit_test(test_config_keys),
      cmocka_unit_test(test_file_transport),
  };

  if(sodium_init() < 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
