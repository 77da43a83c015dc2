/*
 * test_config.c - vouch.conf parsing: the defaults, the shipped
 * conf/vouch.conf, a file that sets every key, and every kind of error
 * with its exact "FILE:LINE: message", all of them reported in one run.
 * Also the PAM-argument path through vouch_config_set and the cross-key
 * checks.  Runs with the source directory as working directory.
 */
#include <fcntl.h>
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

struct logbuf {
  char text[16384];
  int count;
};

static struct logbuf lb;
static char dir[64];
static char conf[128];

static void capture(void *arg, int priority, const char *msg)
{
  struct logbuf *b = arg;
  size_t n = strlen(b->text);

  assert_int_equal(priority, LOG_ERR);
  snprintf(b->text + n, sizeof(b->text) - n, "%s\n", msg);
  b->count++;
}

static int setup(void **state)
{
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/vouch-config.XXXXXX");
  if(!mkdtemp(dir))
    return -1;
  snprintf(conf, sizeof(conf), "%s/vouch.conf", dir);
  return 0;
}

static int teardown(void **state)
{
  char cmd[128];

  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Writes len bytes of text to conf (mode 0644). */
static void write_bytes(const char *text, size_t len)
{
  int fd;

  unlink(conf);
  fd = open(conf, O_WRONLY | O_CREAT | O_EXCL, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, len), (ssize_t)len);
  assert_int_equal(close(fd), 0);
  assert_int_equal(chmod(conf, 0644), 0);
}

/* Loads text as conf; the log lands in lb. */
static vouch_rc load_text(const char *text, vouch_config **c)
{
  write_bytes(text, strlen(text));
  memset(&lb, 0, sizeof(lb));
  return vouch_config_load(conf, c, capture, &lb);
}

/* want with each "%s" replaced by the configuration file name. */
static void expand(const char *want, char *out, size_t len)
{
  size_t n = 0;

  for(; *want && n + strlen(conf) + 1 < len; want++) {
    if(want[0] == '%' && want[1] == 's') {
      memcpy(out + n, conf, strlen(conf));
      n += strlen(conf);
      want++;
    }
    else
      out[n++] = *want;
  }
  out[n] = '\0';
}

/* Loads text that must fail; checks the log is exactly want, in which
 * "%s" stands for the file name. */
static void expect_errors(const char *text, const char *want, int n)
{
  vouch_config *c = (vouch_config *)&lb; /* must be reset to NULL */
  char full[8192];

  assert_int_equal(load_text(text, &c), VOUCH_ERR_CONFIG);
  assert_null(c);
  expand(want, full, sizeof(full));
  assert_string_equal(lb.text, full);
  assert_int_equal(lb.count, n);
}

static void assert_defaults(const vouch_config *c)
{
  assert_string_equal(c->store_path, "/var/lib/vouch/vouch.db");
  assert_int_equal(c->busy_timeout_ms, 5000);
  assert_string_equal(c->key_file, "/etc/vouch/secret.key");
  assert_int_equal(c->pw_min_length, 8);
  assert_int_equal(c->pw_max_length, 256);
  assert_int_equal(c->pw_history, 1);
  assert_int_equal(c->pw_max_failures, 100);
  assert_int_equal(c->hash_ops, 2);
  assert_int_equal(c->hash_mem, 64 * 1024 * 1024);
  assert_int_equal(c->otp_length, 6);
  assert_int_equal(c->otp_email_ttl, 600);
  assert_int_equal(c->otp_sms_ttl, 600);
  assert_int_equal(c->otp_max_attempts, 5);
  assert_int_equal(c->otp_resend_interval, 30);
  assert_int_equal(c->otp_resend_max, 5);
  assert_int_equal(c->otp_max_per_hour, 20);
  assert_int_equal(c->lock_max_failures, 5);
  assert_int_equal(c->lock_window, 3600);
  assert_int_equal(c->reset_link_ttl, 86400);
  assert_int_equal(c->reset_sms_ttl, 1200);
  assert_string_equal(c->reset_link_url, "");
  assert_int_equal(c->device_code_ttl, 900);
  assert_int_equal(c->delivery_timeout, 10);
  assert_int_equal(c->email_transport, VOUCH_TRANSPORT_SMTP);
  assert_string_equal(c->email_url, "smtp://127.0.0.1:25");
  assert_string_equal(c->email_from, "vouch@localhost");
  assert_null(c->email_dir);
  assert_int_equal(c->sms_transport, VOUCH_TRANSPORT_HTTP);
  assert_null(c->sms_url);
  assert_null(c->sms_dir);
}

/* -------------------------------------------------------------- loading */

static void test_defaults(void **state)
{
  vouch_config *c = calloc(1, sizeof(*c));

  (void)state;
  assert_non_null(c);
  assert_int_equal(vouch_config_defaults(c), VOUCH_OK);
  assert_null(c->path);
  assert_defaults(c);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_check(c, capture, &lb), VOUCH_OK);
  assert_int_equal(lb.count, 0);
  vouch_config_free(c);
  vouch_config_free(NULL);
}

static void test_shipped_file(void **state)
{
  vouch_config *c = NULL;
  struct stat st;

  (void)state;
  /* the shipped file may be group-writable in a checkout: load a copy */
  assert_int_equal(stat("conf/vouch.conf", &st), 0);
  {
    FILE *f = fopen("conf/vouch.conf", "r");
    char *text = malloc((size_t)st.st_size + 1);
    assert_non_null(f);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)st.st_size, f),
                     (size_t)st.st_size);
    text[st.st_size] = '\0';
    fclose(f);
    assert_int_equal(load_text(text, &c), VOUCH_OK);
    free(text);
  }
  assert_int_equal(lb.count, 0);
  assert_non_null(c);
  assert_string_equal(c->path, conf);
  assert_defaults(c);
  vouch_config_free(c);
}

static void test_empty_file(void **state)
{
  vouch_config *c = NULL;

  (void)state;
  assert_int_equal(load_text("", &c), VOUCH_OK);
  assert_defaults(c);
  vouch_config_free(c);
  assert_int_equal(load_text("\n# only a comment\n\n   \n", &c), VOUCH_OK);
  assert_defaults(c);
  vouch_config_free(c);
}

static void test_every_key(void **state)
{
  vouch_config *c = NULL;

  (void)state;
  assert_int_equal(
      load_text("\xef\xbb\xbf# a full example\n"
                "[store]\n"
                "path = /srv/vouch/v.db\n"
                "  busy_timeout=2m   \n"
                "[ secret ]   # trailing comment on a header\n"
                "key_file\t=\t/srv/vouch/k   # the key\n"
                "[password]\r\n"
                "min_length = 12\r\n"
                "max_length = 4096\n"
                "history = 0\n"
                "max_failures = 100000\n"
                "hash_ops = 20\n"
                "hash_mem = 8K\n"
                "[otp]\n"
                "length = 10\n"
                "email_ttl = 365d\n"
                "sms_ttl = 1\n"
                "max_attempts = 100\n"
                "resend_interval = 2h\n"
                "resend_max = 1\n"
                "max_per_hour = 1000\n"
                "[lockout]\n"
                "max_failures = 1000\n"
                "window = 1d\n"
                "[reset]\n"
                "link_ttl = 48h\n"
                "sms_ttl = 5m\n"
                "link_url = http://h.example/r?a=1&t={token}#frag  # comment\n"
                "[device]\n"
                "code_ttl = 30s\n"
                "[delivery]\n"
                "timeout = 10m\n"
                "[email]\n"
                "transport = file\n"
                "url = smtps://mail.example.org:465\n"
                "from = noreply@example.org\n"
                "dir = /tmp/mail dir\n"
                "[sms]\n"
                "transport = file\n"
                "url = https://sms.example.org/send\n"
                "dir = /tmp/sms\n"
                "[otp]\n"
                "# a section may come back; its keys are still counted once\n",
                &c),
      VOUCH_OK);
  assert_int_equal(lb.count, 0);
  assert_string_equal(c->store_path, "/srv/vouch/v.db");
  assert_int_equal(c->busy_timeout_ms, 120000);
  assert_string_equal(c->key_file, "/srv/vouch/k");
  assert_int_equal(c->pw_min_length, 12);
  assert_int_equal(c->pw_max_length, 4096);
  assert_int_equal(c->pw_history, 0);
  assert_int_equal(c->pw_max_failures, 100000);
  assert_int_equal(c->hash_ops, 20);
  assert_int_equal(c->hash_mem, 8192);
  assert_int_equal(c->otp_length, 10);
  assert_int_equal(c->otp_email_ttl, 31536000);
  assert_int_equal(c->otp_sms_ttl, 1);
  assert_int_equal(c->otp_max_attempts, 100);
  assert_int_equal(c->otp_resend_interval, 7200);
  assert_int_equal(c->otp_resend_max, 1);
  assert_int_equal(c->otp_max_per_hour, 1000);
  assert_int_equal(c->lock_max_failures, 1000);
  assert_int_equal(c->lock_window, 86400);
  assert_int_equal(c->reset_link_ttl, 172800);
  assert_int_equal(c->reset_sms_ttl, 300);
  assert_string_equal(c->reset_link_url,
                      "http://h.example/r?a=1&t={token}#frag");
  assert_int_equal(c->device_code_ttl, 30);
  assert_int_equal(c->delivery_timeout, 600);
  assert_int_equal(c->email_transport, VOUCH_TRANSPORT_FILE);
  assert_string_equal(c->email_url, "smtps://mail.example.org:465");
  assert_string_equal(c->email_from, "noreply@example.org");
  assert_string_equal(c->email_dir, "/tmp/mail dir");
  assert_int_equal(c->sms_transport, VOUCH_TRANSPORT_FILE);
  assert_string_equal(c->sms_url, "https://sms.example.org/send");
  assert_string_equal(c->sms_dir, "/tmp/sms");
  vouch_config_free(c);
}

/* ------------------------------------------------------------- errors */

static void test_structure_errors(void **state)
{
  (void)state;
  expect_errors("min_length = 8\n",
                "%s:1: key \"min_length\" is outside "
                "a section (put it under a [section] header)\n",
                1);
  expect_errors(
      "[passwd]\nmin_length = 3\n[otp]\nlength = 7\n",
      "%s:1: unknown section [passwd] (allowed: store, secret, "
      "password, otp, lockout, reset, device, delivery, templates, email, "
      "sms, export, daemon, web)\n",
      1);
  expect_errors("[otp]\nlenght = 6\n",
                "%s:2: [otp] unknown key \"lenght\" (allowed: length, "
                "email_ttl, sms_ttl, max_attempts, resend_interval, "
                "resend_max, max_per_hour)\n",
                1);
  expect_errors("[otp]\nlength = 7\n\nlength = 8\n",
                "%s:4: [otp] length is set twice (first on line 2)\n", 1);
  expect_errors("[otp]\nlength 6\n",
                "%s:2: expected \"key = value\", "
                "\"[section]\" or a # comment\n",
                1);
  expect_errors("[otp]\n= 6\n", "%s:2: no key name before '='\n", 1);
  expect_errors("[otp\n",
                "%s:1: section header without ']' (expected "
                "[section])\n",
                1);
  expect_errors("[otp] length = 6\n",
                "%s:1: unexpected text after ']' "
                "(expected [section])\n",
                1);
}

static void test_value_errors(void **state)
{
  (void)state;
  expect_errors("[otp]\nlength = 3\n",
                "%s:2: [otp] length: 3 is out of range (6 to 10)\n", 1);
  expect_errors("[otp]\nlength = 11\n",
                "%s:2: [otp] length: 11 is out of range (6 to 10)\n", 1);
  expect_errors("[otp]\nmax_per_hour = 0\n",
                "%s:2: [otp] max_per_hour: 0 is out of range (1 to 1000)\n",
                1);
  expect_errors("[otp]\nlength = six\n",
                "%s:2: [otp] length: \"six\" is "
                "not a whole number (allowed: 6 to 10)\n",
                1);
  expect_errors("[otp]\nlength = -6\n",
                "%s:2: [otp] length: \"-6\" is "
                "not a whole number (allowed: 6 to 10)\n",
                1);
  expect_errors("[otp]\nlength =\n",
                "%s:2: [otp] length: \"\" is not a "
                "whole number (allowed: 6 to 10)\n",
                1);
  expect_errors("[otp]\nlength = 18446744073709551616\n",
                "%s:2: [otp] length: \"18446744073709551616\" is not a "
                "whole number (allowed: 6 to 10)\n",
                1);
  expect_errors("[password]\nhistory = 25\n",
                "%s:2: [password] history: "
                "25 is out of range (0 to 24)\n",
                1);
  expect_errors("[otp]\nemail_ttl = 0\n",
                "%s:2: [otp] email_ttl: 0 is "
                "out of range (1s to 365d)\n",
                1);
  expect_errors("[otp]\nemail_ttl = 366d\n",
                "%s:2: [otp] email_ttl: 366d "
                "is out of range (1s to 365d)\n",
                1);
  expect_errors("[otp]\nemail_ttl = 10 m\n",
                "%s:2: [otp] email_ttl: "
                "\"10 m\" is not a duration (a whole number with an "
                "optional suffix s, m, h or d; allowed: 1s to 365d)\n",
                1);
  expect_errors("[delivery]\ntimeout = 11m\n",
                "%s:2: [delivery] timeout: "
                "11m is out of range (1s to 10m)\n",
                1);
  expect_errors("[store]\nbusy_timeout = 1h\n",
                "%s:2: [store] "
                "busy_timeout: 1h is out of range (1s to 10m)\n",
                1);
  expect_errors("[password]\nhash_mem = 4K\n",
                "%s:2: [password] hash_mem: "
                "4K is out of range (8K to 4G)\n",
                1);
  expect_errors("[password]\nhash_mem = 5G\n",
                "%s:2: [password] hash_mem: "
                "5G is out of range (8K to 4G)\n",
                1);
  expect_errors("[password]\nhash_mem = 64MB\n",
                "%s:2: [password] "
                "hash_mem: \"64MB\" is not a size (a whole number with an "
                "optional suffix K, M or G; allowed: 8K to 4G)\n",
                1);
  expect_errors("[password]\nhash_ops = 0\n",
                "%s:2: [password] hash_ops: "
                "0 is out of range (1 to 20)\n",
                1);
}

static void test_string_errors(void **state)
{
  (void)state;
  expect_errors("[store]\npath = vouch.db\n",
                "%s:2: [store] path: "
                "\"vouch.db\" is not an absolute path (it must start with "
                "/)\n",
                1);
  expect_errors("[store]\npath =\n",
                "%s:2: [store] path: no value "
                "given (expected an absolute path)\n",
                1);
  expect_errors("[reset]\nlink_url =\n",
                "%s:2: [reset] link_url: no "
                "value given (expected an https:// or http:// URL "
                "containing {token})\n",
                1);
  expect_errors("[email]\nfrom = # nobody\n",
                "%s:2: [email] from: no "
                "value given (expected an email address)\n",
                1);
  expect_errors("[secret]\nkey_file = /a\tb\n",
                "%s:2: [secret] key_file: "
                "\"/a?b\" contains a control character\n",
                1);
  expect_errors("[reset]\nlink_url = https://example.org/reset\n",
                "%s:2: [reset] link_url: \"https://example.org/reset\" "
                "does not contain {token} (where the reset token goes)\n",
                1);
  expect_errors("[reset]\nlink_url = ftp://x/{token}\n",
                "%s:2: [reset] link_url: \"ftp://x/{token}\" is not a URL "
                "starting with https:// or http:// followed by a host, "
                "without spaces\n",
                1);
  expect_errors("[email]\nurl = http://mail.example.org\n",
                "%s:2: [email] url: \"http://mail.example.org\" is not a "
                "URL starting with smtp:// or smtps:// followed by a host, "
                "without spaces\n",
                1);
  expect_errors("[sms]\nurl = https://\n",
                "%s:2: [sms] url: \"https://\" is not a URL starting with "
                "https:// or http:// followed by a host, without spaces\n",
                1);
  expect_errors("[email]\nfrom = not an address\n",
                "%s:2: [email] from: \"not an address\" is not a valid "
                "email address (like vouch@example.org)\n",
                1);
  expect_errors("[email]\ntransport = sendmail\n",
                "%s:2: [email] transport: \"sendmail\" is not a transport "
                "(allowed: smtp, file)\n",
                1);
  expect_errors("[sms]\ntransport = smtp\n",
                "%s:2: [sms] transport: \"smtp\" is not a transport "
                "(allowed: http, file)\n",
                1);
}

static void test_check_errors(void **state)
{
  (void)state;
  expect_errors("[email]\ntransport = file\n[sms]\ntransport = file\n",
                "%s: [email] transport = file needs dir (the directory "
                "each message is written to)\n"
                "%s: [sms] transport = file needs dir (the directory each "
                "message is written to)\n",
                2);
  expect_errors("[password]\nmin_length = 20\nmax_length = 16\n",
                "%s: [password] max_length (16) is less than min_length "
                "(20)\n",
                1);
  expect_errors("[email]\nurl =\n",
                "%s: [email] transport = smtp needs "
                "url (smtp:// or smtps://)\n",
                1);
}

static void test_line_errors(void **state)
{
  char *text;
  size_t n;

  (void)state;
  expect_errors("[otp]\nlength = 6 \xff\n",
                "%s:2: line is not valid "
                "UTF-8\n",
                1);
  expect_errors("[otp]\nlength = \xc0\xb6\n",
                "%s:2: line is not valid "
                "UTF-8\n",
                1);
  /* a NUL byte in the middle of line 2 */
  write_bytes("[otp]\nleng\0th = 6\nlength = 7\n", 29);
  {
    vouch_config *c = NULL;
    char want[512];
    memset(&lb, 0, sizeof(lb));
    assert_int_equal(vouch_config_load(conf, &c, capture, &lb),
                     VOUCH_ERR_CONFIG);
    assert_null(c);
    snprintf(want, sizeof(want), "%s:2: line contains a NUL byte\n", conf);
    assert_string_equal(lb.text, want);
  }
  /* 4096 bytes are fine, 4097 are not */
  text = malloc(8192);
  assert_non_null(text);
  n = (size_t)snprintf(text, 8192, "[otp]\n# ");
  memset(text + n, 'x', 4094);
  snprintf(text + n + 4094, 8192 - n - 4094, "\nlength = 6\n");
  {
    vouch_config *c = NULL;
    assert_int_equal(load_text(text, &c), VOUCH_OK);
    vouch_config_free(c);
  }
  n = (size_t)snprintf(text, 8192, "[otp]\n# ");
  memset(text + n, 'x', 4095);
  snprintf(text + n + 4095, 8192 - n - 4095, "\nlength = 6\n");
  expect_errors(text, "%s:2: line is longer than 4096 bytes\n", 1);
  free(text);
}

static void test_big_file(void **state)
{
  vouch_config *c = NULL;
  char *text;
  char want[512];
  size_t n = 1024 * 1024;

  (void)state;
  text = malloc(n + 2);
  assert_non_null(text);
  memset(text, '\n', n + 1);
  memcpy(text, "# ", 2);
  write_bytes(text, n); /* exactly 1 MiB: accepted */
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_load(conf, &c, capture, &lb), VOUCH_OK);
  vouch_config_free(c);
  c = NULL;
  write_bytes(text, n + 1); /* one byte more: refused */
  free(text);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_load(conf, &c, capture, &lb),
                   VOUCH_ERR_CONFIG);
  assert_null(c);
  snprintf(want, sizeof(want),
           "%s: file is larger than 1 MiB (1048576 "
           "bytes); refused\n",
           conf);
  assert_string_equal(lb.text, want);
}

static void test_all_errors_in_one_run(void **state)
{
  (void)state;
  expect_errors(
      "# several mistakes\n"
      "[otp]\n"
      "length = 3\n"
      "colour = blue\n"
      "length = 7\n"
      "sms_ttl = 5x\n"
      "[bogus]\n"
      "anything = goes\n"
      "[password]\n"
      "junk\n"
      "min_length = 8\n"
      "history = 99 # too many\n"
      "[email]\n"
      "transport = file\n",
      "%s:3: [otp] length: 3 is out of range (6 to 10)\n"
      "%s:4: [otp] unknown key \"colour\" (allowed: length, email_ttl, "
      "sms_ttl, max_attempts, resend_interval, resend_max, max_per_hour)\n"
      "%s:5: [otp] length is set twice (first on line 3)\n"
      "%s:6: [otp] sms_ttl: \"5x\" is not a duration (a whole number with "
      "an optional suffix s, m, h or d; allowed: 1s to 365d)\n"
      "%s:7: unknown section [bogus] (allowed: store, secret, password, "
      "otp, lockout, reset, device, delivery, templates, email, sms, "
      "export, daemon, web)\n"
      "%s:10: expected \"key = value\", \"[section]\" or a # comment\n"
      "%s:12: [password] history: 99 is out of range (0 to 24)\n"
      "%s: [email] transport = file needs dir (the directory each message "
      "is written to)\n",
      8);
}

static void test_file_refused(void **state)
{
  vouch_config *c = (vouch_config *)&lb;
  char link[160], want[512];

  (void)state;
  write_bytes("[otp]\nlength = 6\n", 17);
  assert_int_equal(chmod(conf, 0666), 0);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_load(conf, &c, capture, &lb),
                   VOUCH_ERR_INSECURE);
  assert_null(c);
  snprintf(want, sizeof(want),
           "%s: refused: writable by group or others "
           "(mode 0666); run chmod go-w on it\n",
           conf);
  assert_string_equal(lb.text, want);

  assert_int_equal(chmod(conf, 0644), 0);
  snprintf(link, sizeof(link), "%s/link.conf", dir);
  unlink(link);
  assert_int_equal(symlink(conf, link), 0);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_load(link, &c, capture, &lb),
                   VOUCH_ERR_INSECURE);
  snprintf(want, sizeof(want), "%s: refused: it is a symbolic link\n", link);
  assert_string_equal(lb.text, want);

  assert_int_equal(chown(conf, 65534, 0), 0);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_load(conf, &c, capture, &lb),
                   VOUCH_ERR_INSECURE);
  snprintf(want, sizeof(want),
           "%s: refused: owned by uid 65534, not by "
           "root or vouchd's user\n",
           conf);
  assert_string_equal(lb.text, want);

  snprintf(link, sizeof(link), "%s/missing.conf", dir);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_load(link, &c, capture, &lb),
                   VOUCH_ERR_CONFIG);
  snprintf(want, sizeof(want), "%s: No such file or directory\n", link);
  assert_string_equal(lb.text, want);
  /* no log sink at all is fine */
  assert_int_equal(vouch_config_load(link, &c, NULL, NULL), VOUCH_ERR_CONFIG);
}

/* ------------------------------------------------------ PAM arguments */

static void test_pam_argument(void **state)
{
  vouch_config *c = NULL;

  (void)state;
  assert_int_equal(load_text("[otp]\nlength = 8\n", &c), VOUCH_OK);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(
      vouch_config_set(c, "otp", "length", "9", "PAM argument", capture, &lb),
      VOUCH_OK);
  assert_int_equal(c->otp_length, 9);
  assert_int_equal(
      vouch_config_set(c, "otp", "length", "99", "PAM argument", capture, &lb),
      VOUCH_ERR_CONFIG);
  assert_int_equal(c->otp_length, 9); /* unchanged on error */
  assert_int_equal(
      vouch_config_set(c, "otpx", "length", "6", "PAM argument", capture, &lb),
      VOUCH_ERR_CONFIG);
  assert_int_equal(
      vouch_config_set(c, "otp", "size", "6", "PAM argument", capture, &lb),
      VOUCH_ERR_CONFIG);
  assert_string_equal(
      lb.text,
      "PAM argument: [otp] length: 99 is out of range (6 to 10)\n"
      "PAM argument: unknown section [otpx] (allowed: store, secret, "
      "password, otp, lockout, reset, device, delivery, templates, email, "
      "sms, export, daemon, web)\n"
      "PAM argument: [otp] unknown key \"size\" (allowed: length, email_ttl, "
      "sms_ttl, max_attempts, resend_interval, resend_max, max_per_hour)\n");
  /* strings are replaced without a leak; empty clears optional ones */
  assert_int_equal(vouch_config_set(c, "sms", "url", "https://gw.example/x",
                                    "PAM argument", capture, &lb),
                   VOUCH_OK);
  assert_string_equal(c->sms_url, "https://gw.example/x");
  assert_int_equal(
      vouch_config_set(c, "sms", "url", "", "PAM argument", capture, &lb),
      VOUCH_OK);
  assert_null(c->sms_url);
  assert_int_equal(vouch_config_set(c, "store", "path", "/x/y.db",
                                    "PAM argument", capture, &lb),
                   VOUCH_OK);
  assert_string_equal(c->store_path, "/x/y.db");
  /* control characters in a value are not echoed */
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_set(c, "email", "from", "a\x1b[2J@x.org", NULL,
                                    capture, &lb),
                   VOUCH_ERR_CONFIG);
  assert_string_equal(lb.text, "configuration: [email] from: \"a?[2J@x.org\" "
                               "is not a valid email address (like "
                               "vouch@example.org)\n");
  /* check after PAM arguments uses the file name */
  assert_int_equal(vouch_config_set(c, "email", "transport", "file",
                                    "PAM argument", capture, &lb),
                   VOUCH_OK);
  memset(&lb, 0, sizeof(lb));
  assert_int_equal(vouch_config_check(c, capture, &lb), VOUCH_ERR_CONFIG);
  assert_int_equal(lb.count, 1);
  assert_non_null(strstr(lb.text, ": [email] transport = file needs dir"));
  assert_int_equal(strncmp(lb.text, conf, strlen(conf)), 0);
  assert_int_equal(
      vouch_config_set(NULL, "otp", "length", "6", NULL, NULL, NULL),
      VOUCH_ERR_USAGE);
  vouch_config_free(c);
}

static void test_long_value_shown_short(void **state)
{
  char text[512], want[512], nines[101];

  (void)state;
  memset(nines, '9', 100);
  nines[100] = '\0';
  snprintf(text, sizeof(text), "[otp]\nlength = %s\n", nines);
  nines[60] = '\0';
  snprintf(want, sizeof(want),
           "%%s:2: [otp] length: \"%s...\" is not a "
           "whole number (allowed: 6 to 10)\n",
           nines);
  expect_errors(text, want, 1);
}

/* [export] dir left out follows [store] path; set, it stays; the new
 * [daemon] keys take their values; a copy is deep. */
static void test_export_dir_and_daemon(void **state)
{
  vouch_config *c = NULL, *d = NULL;

  (void)state;
  assert_int_equal(load_text("[store]\npath = /srv/vouch/v.db\n", &c),
                   VOUCH_OK);
  assert_string_equal(c->export_dir, "/srv/vouch/exports");
  vouch_config_free(c);
  assert_int_equal(load_text("[store]\npath = /srv/vouch/v.db\n"
                             "[export]\ndir = /var/x\n",
                             &c),
                   VOUCH_OK);
  assert_string_equal(c->export_dir, "/var/x");
  vouch_config_free(c);
  assert_int_equal(load_text("[daemon]\nsocket = /run/v/s\ntimeout = 3s\n"
                             "answer_timeout = 1m\nmax_clients = 64\n"
                             "max_per_user = 4\nhash_workers = 1\n"
                             "[web]\nlisten = 127.0.0.1:9000\n",
                             &c),
                   VOUCH_OK);
  assert_string_equal(c->daemon_socket, "/run/v/s");
  assert_int_equal(c->daemon_timeout, 3);
  assert_int_equal(c->daemon_answer_timeout, 60);
  assert_int_equal(c->daemon_max_clients, 64);
  assert_int_equal(c->daemon_max_per_user, 4);
  assert_int_equal(c->daemon_hash_workers, 1);
  assert_string_equal(c->web_listen, "127.0.0.1:9000");
  assert_int_equal(vouch_config_dup(c, &d), VOUCH_OK);
  assert_ptr_not_equal(d->daemon_socket, c->daemon_socket);
  assert_string_equal(d->daemon_socket, "/run/v/s");
  assert_string_equal(d->store_path, c->store_path);
  vouch_config_free(c);
  vouch_config_free(d);
  expect_errors("[daemon]\ntimeout = 1s\n",
                "%s:2: [daemon] timeout: 1s is out of range (2s to 5m)\n", 1);
  expect_errors("[store]\nbackend = postgresql\n",
                "%s: [store] backend = postgresql needs conninfo (libpq "
                "keywords: host, dbname, user)\n",
                1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_shipped_file),
      cmocka_unit_test(test_empty_file),
      cmocka_unit_test(test_every_key),
      cmocka_unit_test(test_structure_errors),
      cmocka_unit_test(test_value_errors),
      cmocka_unit_test(test_string_errors),
      cmocka_unit_test(test_check_errors),
      cmocka_unit_test(test_line_errors),
      cmocka_unit_test(test_big_file),
      cmocka_unit_test(test_all_errors_in_one_run),
      cmocka_unit_test(test_file_refused),
      cmocka_unit_test(test_pam_argument),
      cmocka_unit_test(test_long_value_shown_short),
      cmocka_unit_test(test_export_dir_and_daemon),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
