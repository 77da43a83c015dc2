/*
 * test_template.c - the message templates and their renderer: every
 * template exists in every language with exactly the variables English
 * has; English subjects are SPEC's; rendering fills variables, falls back
 * to English, refuses unknown variables, header injection, non-UTF-8,
 * unsafe and oversized files; a code stands alone as its 6 digits; the
 * masks of email addresses and phone numbers.  Runs with the source
 * directory as working directory (conf/templates is copied to a temp
 * directory with safe modes first: a checkout may be group-writable).
 */
#include <dirent.h>
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

#define SRC_DIR "conf/templates"
#define NLANGS 5
#define NTPL 14

static const char *const langs[NLANGS] = {"en", "da", "nl", "sv", "ms"};

/* Every template, its English subject (NULL: SMS) and its variables in
 * alphabetical order. */
static const struct {
  const char *name;
  const char *subject;
  const char *vars;
} tpls[NTPL] = {
    {"code-email", "Confirm account change with this code",
     "code minutes name"},
    {"code-sms", NULL, "code minutes"},
    {"signin-email", "Your sign-in code", "code minutes name"},
    {"signin-sms", NULL, "code minutes"},
    {"reset-required-email", "Password reset required", "hours link name"},
    {"reset-email", "Reset your password", "hours link name"},
    {"reset-sms", NULL, "code minutes"},
    {"password-changed-email", "Your password was changed", "name"},
    {"cancelled-email", "Your membership has been cancelled",
     "date name plan"},
    {"export-confirm-email",
     "Confirm your request for your personal information",
     "days link name token"},
    {"export-ready-email", "Your personal information is ready",
     "days link name"},
    {"phone-verify-sms", NULL, "code minutes"},
    {"email-verify-email", "Confirm your new email address",
     "code minutes name"},
    {"contact-changed-email", "Your account details were changed",
     "hours link name what"},
};

static struct {
  char text[16384];
} lb;
static char tmp[64];   /* the temp directory */
static char tdir[128]; /* tmp/templates */
static vouch_ctx *ctx;

static void capture(void *arg, int priority, const char *msg)
{
  size_t n = strlen(lb.text);

  (void)arg;
  (void)priority;
  snprintf(lb.text + n, sizeof(lb.text) - n, "%s\n", msg);
}

/* ------------------------------------------------------------- helpers */

static void write_file(const char *path, const char *text, size_t len,
                       mode_t mode)
{
  int fd;

  unlink(path);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if(fd < 0)
    fail_msg("cannot create %s", path);
  assert_int_equal(write(fd, text, len), (ssize_t)len);
  assert_int_equal(fchmod(fd, mode), 0);
  close(fd);
}

/* Reads a whole (small) file into a malloc'ed NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len)
{
  char *buf = malloc(70000);
  size_t n;
  FILE *f = fopen(path, "rb");

  if(!f || !buf)
    fail_msg("cannot read %s", path);
  n = fread(buf, 1, 69999, f);
  fclose(f);
  buf[n] = '\0';
  if(len)
    *len = n;
  return buf;
}

/* Copies conf/templates into tdir: directories 0755, files 0644. */
static void copy_templates(void)
{
  char from[256], to[256];
  size_t l, t;

  assert_int_equal(mkdir(tdir, 0755), 0);
  for(l = 0; l < NLANGS; l++) {
    snprintf(to, sizeof(to), "%s/%s", tdir, langs[l]);
    assert_int_equal(mkdir(to, 0755), 0);
    assert_int_equal(chmod(to, 0755), 0);
    for(t = 0; t < NTPL; t++) {
      size_t len;
      char *text;

      snprintf(from, sizeof(from), SRC_DIR "/%s/%s.txt", langs[l],
               tpls[t].name);
      snprintf(to, sizeof(to), "%s/%s/%s.txt", tdir, langs[l], tpls[t].name);
      text = slurp(from, &len);
      write_file(to, text, len, 0644);
      free(text);
    }
  }
}

static int setup(void **state)
{
  char path[192], conf[512];

  (void)state;
  umask(022);
  snprintf(tmp, sizeof(tmp), "/tmp/vouch-template.XXXXXX");
  if(!mkdtemp(tmp) || chmod(tmp, 0755))
    return -1;
  snprintf(tdir, sizeof(tdir), "%s/templates", tmp);
  copy_templates();
  snprintf(conf, sizeof(conf),
           "[store]\npath = %s/vouch.db\n[secret]\nkey_file = %s/key\n"
           "[email]\ntransport = file\ndir = %s\n"
           "[sms]\ntransport = file\ndir = %s\n"
           "[templates]\ndir = %s\n",
           tmp, tmp, tmp, tmp, tdir);
  snprintf(path, sizeof(path), "%s/vouch.conf", tmp);
  write_file(path, conf, strlen(conf), 0644);
  if(vouch_ctx_new(path, "test", capture, NULL, &ctx)) {
    fprintf(stderr, "vouch_ctx_new failed:\n%s", lb.text);
    return -1;
  }
  return 0;
}

static int teardown(void **state)
{
  char cmd[128];

  (void)state;
  vouch_ctx_free(ctx);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
  return system(cmd) == 0 ? 0 : -1;
}

/* Points the context at another templates directory. */
static void use_dir(const char *dir)
{
  free(ctx->cfg->templates_dir);
  ctx->cfg->templates_dir = strdup(dir);
  assert_non_null(ctx->cfg->templates_dir);
}

/* A scratch templates directory tmp/NAME with en/ (and da/ when da). */
static void scratch(const char *name, bool da, char *out, size_t len)
{
  char p[256];

  snprintf(out, len, "%s/%s", tmp, name);
  assert_int_equal(mkdir(out, 0755), 0);
  snprintf(p, sizeof(p), "%s/en", out);
  assert_int_equal(mkdir(p, 0755), 0);
  if(da) {
    snprintf(p, sizeof(p), "%s/da", out);
    assert_int_equal(mkdir(p, 0755), 0);
  }
  use_dir(out);
}

static void put(const char *dir, const char *rel, const char *text,
                mode_t mode)
{
  char p[256];

  snprintf(p, sizeof(p), "%s/%s", dir, rel);
  write_file(p, text, strlen(text), mode);
}

/* The {vars} of text, sorted, unique, space-separated. */
static void vars_of(const char *text, char *out, size_t len)
{
  char names[32][33];
  size_t n = 0, i, j;
  const char *p;

  for(p = text; *p; p++) {
    size_t k = 1;

    if(p[0] == '{' && p[1] == '{') {
      p++;
      continue;
    }
    if(p[0] != '{')
      continue;
    while((p[k] >= 'a' && p[k] <= 'z') || p[k] == '_')
      k++;
    if(k == 1 || p[k] != '}' || k > 33)
      continue;
    for(i = 0; i < n; i++)
      if(strlen(names[i]) == k - 1 && !memcmp(names[i], p + 1, k - 1))
        break;
    if(i == n && n < 32) {
      memcpy(names[n], p + 1, k - 1);
      names[n++][k - 1] = '\0';
    }
  }
  for(i = 0; i < n; i++)
    for(j = i + 1; j < n; j++)
      if(strcmp(names[j], names[i]) < 0) {
        char t[33];
        memcpy(t, names[i], 33);
        memcpy(names[i], names[j], 33);
        memcpy(names[j], t, 33);
      }
  out[0] = '\0';
  for(i = 0; i < n; i++) {
    size_t o = strlen(out);
    snprintf(out + o, len - o, "%s%s", i ? " " : "", names[i]);
  }
}

/* Renders tpl in lang with every variable of the set filled. */
static vouch_rc render_all(const char *name, const char *lang,
                           vouch_message *m)
{
  return vouch_render(
      ctx, name, lang, m, "code", "012345", "minutes", "10", "name",
      "Alice Example", "link", "https://example.org/reset?token=abc", "hours",
      "24", "plan", "Premium", "date", "2026-12-31", "token", "tok_en-123",
      "days", "30", "what",
      "a\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2@example.org", (char *)NULL);
}

static void clear_msg(vouch_message *m)
{
  free(m->subject);
  vouch_free_secret(m->body);
  m->subject = m->body = NULL;
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* The code occurs in text, and every occurrence stands alone. */
static void code_stands_alone(const char *text, const char *code,
                              const char *what)
{
  size_t n = strlen(code);
  const char *p = text;
  int found = 0;

  while((p = strstr(p, code))) {
    if((p > text && is_digit(p[-1])) || is_digit(p[n]))
      fail_msg("%s: code touches another digit", what);
    found++;
    p += n;
  }
  if(!found)
    fail_msg("%s: code %s not found", what, code);
}

/* --------------------------------------------------------------- tests */

static void every_template_in_every_language(void **state)
{
  char path[256], got[256];
  size_t l, t;

  (void)state;
  for(l = 0; l < NLANGS; l++) {
    struct dirent *e;
    DIR *d;
    int count = 0;

    snprintf(path, sizeof(path), SRC_DIR "/%s", langs[l]);
    d = opendir(path);
    assert_non_null(d);
    while((e = readdir(d)))
      if(e->d_name[0] != '.')
        count++;
    closedir(d);
    if(count != NTPL)
      fail_msg("%s has %d files, want %d", path, count, NTPL);
    for(t = 0; t < NTPL; t++) {
      size_t len;
      char *text;

      snprintf(path, sizeof(path), SRC_DIR "/%s/%s.txt", langs[l],
               tpls[t].name);
      text = slurp(path, &len);
      assert_true(vouch_valid_utf8(text, len));
      assert_int_equal(strlen(text), len);
      vars_of(text, got, sizeof(got));
      if(strcmp(got, tpls[t].vars))
        fail_msg("%s has variables '%s', English '%s'", path, got,
                 tpls[t].vars);
      if(!tpls[t].subject != !!strncmp(text, "Subject: ", 9))
        fail_msg("%s: Subject line wrong for its kind", path);
      free(text);
    }
  }
}

static void every_template_renders(void **state)
{
  vouch_message m = {0};
  size_t l, t;

  (void)state;
  use_dir(tdir);
  for(l = 0; l < NLANGS; l++)
    for(t = 0; t < NTPL; t++) {
      char what[96];

      snprintf(what, sizeof(what), "%s/%s", langs[l], tpls[t].name);
      if(render_all(tpls[t].name, langs[l], &m))
        fail_msg("%s does not render:\n%s", what, lb.text);
      assert_true(vouch_valid_utf8(m.body, strlen(m.body)));
      assert_null(strchr(m.body, '{'));
      assert_int_equal(m.body[strlen(m.body) - 1], '\n');
      assert_int_not_equal(m.body[strlen(m.body) - 2], '\n');
      if(tpls[t].subject) {
        assert_non_null(m.subject);
        assert_null(strchr(m.subject, '\n'));
        if(!strcmp(langs[l], "en"))
          assert_string_equal(m.subject, tpls[t].subject);
        else if(!strcmp(m.subject, tpls[t].subject))
          fail_msg("%s: subject not translated", what);
      }
      else
        assert_null(m.subject);
      if(strstr(tpls[t].vars, "code")) {
        code_stands_alone(m.body, "012345", what);
        /* a message with a code says how long it is valid */
        assert_non_null(strstr(m.body, " 10 "));
      }
      if(strstr(tpls[t].vars, "link"))
        assert_non_null(strstr(m.body, "token=abc"));
      if(tpls[t].subject == NULL && !strcmp(langs[l], "en") &&
         vouch_utf8_chars(m.body, strlen(m.body)) > 161)
        fail_msg("%s: longer than one SMS", what);
      clear_msg(&m);
    }
}

static void rendering_fills_variables(void **state)
{
  vouch_message m = {0};

  (void)state;
  use_dir(tdir);
  m.channel = VOUCH_CHANNEL_SMS;
  m.to = strdup("alice@example.org");
  assert_int_equal(vouch_render(ctx, "code-email", "en", &m, "code", "012345",
                                "minutes", "10", "name", "Alice",
                                (char *)NULL),
                   VOUCH_OK);
  /* to and channel are the caller's */
  assert_string_equal(m.to, "alice@example.org");
  assert_int_equal(m.channel, VOUCH_CHANNEL_SMS);
  assert_string_equal(m.subject, "Confirm account change with this code");
  assert_memory_equal(m.body, "Hello Alice,\n\n", 14);
  assert_non_null(strstr(m.body, "\n    012345\n"));
  assert_non_null(strstr(m.body, "valid for 10 minutes"));
  /* the unsolicited-code warning */
  assert_non_null(strstr(m.body, "Do not share this code"));
  assert_non_null(strstr(m.body, "change your password"));

  /* rendering again replaces subject and body (no leak under ASan); an
   * empty name takes the space before it along */
  assert_int_equal(vouch_render(ctx, "code-email", "da", &m, "code", "012345",
                                "minutes", "10", "name", "", (char *)NULL),
                   VOUCH_OK);
  assert_string_equal(m.subject, "Bekr\xc3\xa6"
                                 "ft \xc3\xa6ndringen af din konto med "
                                 "denne kode");
  assert_memory_equal(m.body, "Hej,\n\n", 6);
  /* NULL value is an empty one; NULL lang is English */
  assert_int_equal(vouch_render(ctx, "password-changed-email", NULL, &m,
                                "name", (char *)NULL, (char *)NULL),
                   VOUCH_OK);
  assert_memory_equal(m.body, "Hello,\n\n", 8);
  /* SMS: no subject, the whole file is the body */
  assert_int_equal(vouch_render(ctx, "code-sms", "en", &m, "code", "987654",
                                "minutes", "10", (char *)NULL),
                   VOUCH_OK);
  assert_null(m.subject);
  assert_non_null(strstr(m.body, "987654"));
  clear_msg(&m);
  free(m.to);
}

static void code_is_six_digits_alone(void **state)
{
  static const char *const with_code[] = {
      "code-email", "code-sms",         "signin-email",      "signin-sms",
      "reset-sms",  "phone-verify-sms", "email-verify-email"};
  vouch_message m = {0};
  size_t l, t;

  (void)state;
  use_dir(tdir);
  for(l = 0; l < NLANGS; l++)
    for(t = 0; t < sizeof(with_code) / sizeof(with_code[0]); t++) {
      char what[96];
      const char *p;
      int runs = 0;

      snprintf(what, sizeof(what), "%s/%s", langs[l], with_code[t]);
      assert_int_equal(vouch_render(ctx, with_code[t], langs[l], &m, "code",
                                    "012345", "minutes", "10", "name", "Bob",
                                    (char *)NULL),
                       VOUCH_OK);
      /* every maximal run of digits: "10" or exactly the code */
      for(p = m.body; *p; p++) {
        size_t n = 0;

        while(is_digit(p[n]))
          n++;
        if(!n)
          continue;
        if(n == 6 && !memcmp(p, "012345", 6))
          runs++;
        else if(!(n == 2 && !memcmp(p, "10", 2)))
          fail_msg("%s: digit run '%.*s'", what, (int)n, p);
        p += n - 1;
      }
      if(runs != 1)
        fail_msg("%s: the code appears %d times", what, runs);
      clear_msg(&m);
    }
}

static void falls_back_to_english(void **state)
{
  vouch_message m = {0};
  char d[192];

  (void)state;
  scratch("fallback", true, d, sizeof(d));
  put(d, "en/hello-email.txt", "Subject: Hi\n\nEnglish {name}\n", 0644);
  put(d, "en/other-email.txt", "Subject: Hi\n\nEnglish\n", 0644);
  put(d, "da/other-email.txt", "Subject: Hej\n\nDansk\n", 0644);
  /* da/ exists, the file does not */
  assert_int_equal(
      vouch_render(ctx, "hello-email", "da", &m, "name", "x", (char *)NULL),
      VOUCH_OK);
  assert_string_equal(m.body, "English x\n");
  /* no sv/ at all */
  assert_int_equal(vouch_render(ctx, "other-email", "sv", &m, (char *)NULL),
                   VOUCH_OK);
  assert_string_equal(m.body, "English\n");
  assert_int_equal(vouch_render(ctx, "other-email", "da", &m, (char *)NULL),
                   VOUCH_OK);
  assert_string_equal(m.subject, "Hej");
  assert_string_equal(m.body, "Dansk\n");
  clear_msg(&m);
  /* no English either */
  lb.text[0] = '\0';
  assert_int_equal(vouch_render(ctx, "missing-email", "da", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "/en/missing-email.txt"));
  assert_null(m.body);
}

static void unknown_variable_names_file(void **state)
{
  vouch_message m = {0};
  char d[192];

  (void)state;
  scratch("unknown", false, d, sizeof(d));
  put(d, "en/x-email.txt", "Subject: Hi {name}\n\nline\nHi {bogus}\n", 0644);
  lb.text[0] = '\0';
  assert_int_equal(
      vouch_render(ctx, "x-email", "en", &m, "name", "A", (char *)NULL),
      VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "/unknown/en/x-email.txt:4: "
                                  "unknown variable {bogus}"));
  assert_null(m.subject);
  assert_null(m.body);
}

static void braces(void **state)
{
  vouch_message m = {0};
  char d[192];

  (void)state;
  scratch("braces", false, d, sizeof(d));
  put(d, "en/b-sms.txt", "{{code} {code} {Code} { x } {} {code {{{code}}",
      0644);
  assert_int_equal(
      vouch_render(ctx, "b-sms", "en", &m, "code", "42", (char *)NULL),
      VOUCH_OK);
  assert_string_equal(m.body, "{code} 42 {Code} { x } {} {code {42}\n");
  /* trailing newlines become one; CRLF templates work */
  put(d, "en/n-email.txt", "Subject: Hi \r\n\r\nbody\r\n\r\n\n", 0644);
  assert_int_equal(vouch_render(ctx, "n-email", "en", &m, (char *)NULL),
                   VOUCH_OK);
  assert_string_equal(m.subject, "Hi");
  assert_string_equal(m.body, "body\n");
  put(d, "en/n-sms.txt", "no newline", 0644);
  assert_int_equal(vouch_render(ctx, "n-sms", "en", &m, (char *)NULL),
                   VOUCH_OK);
  assert_string_equal(m.body, "no newline\n");
  clear_msg(&m);
}

static void malformed_templates(void **state)
{
  vouch_message m = {0};
  char d[192];

  (void)state;
  scratch("malformed", false, d, sizeof(d));
  put(d, "en/a-email.txt", "Hello\n\nbody\n", 0644);
  put(d, "en/b-email.txt", "Subject: x\nbody\n", 0644);
  put(d, "en/c-email.txt", "Subject: x\n\n\n", 0644);
  put(d, "en/d-email.txt", "Subject: \n\nbody\n", 0644);
  put(d, "en/e-sms.txt", "bell \a here", 0644);
  lb.text[0] = '\0';
  assert_int_equal(vouch_render(ctx, "a-email", "en", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "a-email.txt:1: an email template "
                                  "starts with a \"Subject: ...\" line"));
  assert_int_equal(vouch_render(ctx, "b-email", "en", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "b-email.txt:2: a blank line"));
  assert_int_equal(vouch_render(ctx, "c-email", "en", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "c-email.txt: the message body is empty"));
  assert_int_equal(vouch_render(ctx, "d-email", "en", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "d-email.txt:1: the subject is empty"));
  assert_int_equal(vouch_render(ctx, "e-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "e-sms.txt:1: refused: control character"
                                  " 0x07"));
  assert_null(m.body);
}

static void header_injection_refused(void **state)
{
  vouch_message m = {0};
  char d[192];

  (void)state;
  scratch("inject", false, d, sizeof(d));
  put(d, "en/s-email.txt", "Subject: For {name}\n\nDear {name}\n", 0644);
  lb.text[0] = '\0';
  assert_int_equal(vouch_render(ctx, "s-email", "en", &m, "name",
                                "x\r\nBcc: evil@example.org", (char *)NULL),
                   VOUCH_ERR_INPUT);
  assert_non_null(strstr(lb.text, "{name}"));
  assert_null(strstr(lb.text, "evil")); /* values never reach the log */
  assert_int_equal(
      vouch_render(ctx, "s-email", "en", &m, "name", "x\ny", (char *)NULL),
      VOUCH_ERR_INPUT);
  assert_int_equal(
      vouch_render(ctx, "s-email", "en", &m, "name", "x\ty", (char *)NULL),
      VOUCH_ERR_INPUT);
  assert_null(m.subject);
  assert_null(m.body);
  /* a line break in a body value is fine, CR and escapes are not */
  put(d, "en/b-email.txt", "Subject: Hi\n\nDetails: {what}\n", 0644);
  assert_int_equal(
      vouch_render(ctx, "b-email", "en", &m, "what", "a\nb", (char *)NULL),
      VOUCH_OK);
  assert_string_equal(m.body, "Details: a\nb\n");
  assert_int_equal(
      vouch_render(ctx, "b-email", "en", &m, "what", "a\x1b[2J", (char *)NULL),
      VOUCH_ERR_INPUT);
  assert_int_equal(
      vouch_render(ctx, "b-email", "en", &m, "what", "a\rb", (char *)NULL),
      VOUCH_ERR_INPUT);
  clear_msg(&m);
}

static void non_utf8_refused(void **state)
{
  vouch_message m = {0};
  char d[192];

  (void)state;
  scratch("utf8", false, d, sizeof(d));
  put(d, "en/bad-sms.txt", "caf\xe9 {code}\n", 0644);
  put(d, "en/good-sms.txt", "caf\xc3\xa9 {code}\n", 0644);
  lb.text[0] = '\0';
  assert_int_equal(
      vouch_render(ctx, "bad-sms", "en", &m, "code", "1", (char *)NULL),
      VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "bad-sms.txt: refused: not valid UTF-8"));
  /* a value that is not UTF-8 */
  assert_int_equal(vouch_render(ctx, "good-sms", "en", &m, "code", "\xff\xfe",
                                (char *)NULL),
                   VOUCH_ERR_INPUT);
  assert_null(m.body);
  /* a NUL byte inside the file */
  {
    char p[256];

    snprintf(p, sizeof(p), "%s/en/nul-sms.txt", d);
    write_file(p, "a\0b\n", 4, 0644);
  }
  assert_int_equal(vouch_render(ctx, "nul-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "nul-sms.txt: refused: holds a NUL byte"));
}

static void unsafe_files_refused(void **state)
{
  vouch_message m = {0};
  char d[192], target[256], link[256];

  (void)state;
  scratch("unsafe", true, d, sizeof(d));
  put(d, "en/ok-sms.txt", "fine\n", 0644);
  put(d, "en/ww-sms.txt", "world\n", 0646);
  put(d, "en/gw-sms.txt", "group\n", 0664);
  snprintf(target, sizeof(target), "%s/en/ok-sms.txt", d);
  snprintf(link, sizeof(link), "%s/en/ln-sms.txt", d);
  assert_int_equal(symlink(target, link), 0);
  /* a symlink in a language directory is refused, not skipped over to
   * English */
  snprintf(link, sizeof(link), "%s/da/ok-sms.txt", d);
  assert_int_equal(symlink(target, link), 0);
  lb.text[0] = '\0';
  assert_int_equal(vouch_render(ctx, "ln-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_INSECURE);
  assert_non_null(strstr(lb.text, "ln-sms.txt: refused: it is a symbolic "
                                  "link"));
  assert_int_equal(vouch_render(ctx, "ok-sms", "da", &m, (char *)NULL),
                   VOUCH_ERR_INSECURE);
  assert_int_equal(vouch_render(ctx, "ww-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_INSECURE);
  assert_non_null(strstr(lb.text, "ww-sms.txt: refused: writable by group "
                                  "or others"));
  assert_int_equal(vouch_render(ctx, "gw-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_INSECURE);
  assert_null(m.body);
  /* a directory where the file should be */
  snprintf(link, sizeof(link), "%s/en/dir-sms.txt", d);
  assert_int_equal(mkdir(link, 0755), 0);
  assert_int_equal(vouch_render(ctx, "dir-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_INSECURE);
  assert_int_equal(vouch_render(ctx, "ok-sms", "en", &m, (char *)NULL),
                   VOUCH_OK);
  assert_string_equal(m.body, "fine\n");
  clear_msg(&m);
}

static void oversized_refused(void **state)
{
  vouch_message m = {0};
  char d[192], p[256];
  char *big = malloc(64 * 1024 + 2);

  (void)state;
  assert_non_null(big);
  scratch("big", false, d, sizeof(d));
  memset(big, 'a', 64 * 1024 + 1);
  snprintf(p, sizeof(p), "%s/en/big-sms.txt", d);
  write_file(p, big, 64 * 1024 + 1, 0644);
  snprintf(p, sizeof(p), "%s/en/max-sms.txt", d);
  write_file(p, big, 64 * 1024, 0644);
  lb.text[0] = '\0';
  assert_int_equal(vouch_render(ctx, "big-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_CONFIG);
  assert_non_null(strstr(lb.text, "big-sms.txt: refused: larger than "
                                  "65536 bytes"));
  assert_null(m.body);
  assert_int_equal(vouch_render(ctx, "max-sms", "en", &m, (char *)NULL),
                   VOUCH_OK);
  assert_int_equal(strlen(m.body), 64 * 1024 + 1);
  clear_msg(&m);
  /* a rendering that grows past the output cap */
  memset(big, 'b', 64 * 1024);
  big[64 * 1024] = '\0';
  put(d, "en/grow-sms.txt", "{v}{v}{v}{v}{v}", 0644);
  assert_int_equal(
      vouch_render(ctx, "grow-sms", "en", &m, "v", big, (char *)NULL),
      VOUCH_ERR_INPUT);
  assert_non_null(strstr(lb.text, "grow-sms.txt: rendered text longer than "
                                  "262144 bytes"));
  assert_null(m.body);
  free(big);
}

static void names_and_languages_checked(void **state)
{
  static const char *const bad[] = {
      "",     "../en/code-email", "Code-email", "code_email", "code.email",
      "-sms", "code-email/x"};
  vouch_message m = {0};
  size_t i;

  (void)state;
  use_dir(tdir);
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    if(vouch_render(ctx, bad[i], "en", &m, (char *)NULL) != VOUCH_ERR_USAGE)
      fail_msg("template name '%s' accepted", bad[i]);
  assert_int_equal(vouch_render(ctx, NULL, "en", &m, (char *)NULL),
                   VOUCH_ERR_USAGE);
  assert_int_equal(vouch_render(ctx, "code-sms", "xx", &m, (char *)NULL),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_render(ctx, "code-sms", "../en", &m, (char *)NULL),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_render(ctx, "code-sms", "EN", &m, (char *)NULL),
                   VOUCH_ERR_INPUT);
  assert_int_equal(vouch_render(ctx, "code-sms", "en", NULL, (char *)NULL),
                   VOUCH_ERR_USAGE);
  assert_int_equal(vouch_render(NULL, "code-sms", "en", &m, (char *)NULL),
                   VOUCH_ERR_USAGE);
  /* a variable name outside [a-z_] is the caller's mistake */
  assert_int_equal(
      vouch_render(ctx, "code-sms", "en", &m, "Code", "1", (char *)NULL),
      VOUCH_ERR_USAGE);
  assert_null(m.body);
}

/* ---------------------------------------------------------------- masks */

#define B "\xe2\x80\xa2"

static void mask_email(void **state)
{
  char buf[64];

  (void)state;
  vouch_mask_email("alice@example.org", buf, sizeof(buf));
  assert_string_equal(buf, "a" B B B "@example.org");
  vouch_mask_email("x@ex.dk", buf, sizeof(buf));
  assert_string_equal(buf, "x" B B B "@ex.dk");
  /* odd input */
  vouch_mask_email(NULL, buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_email("", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_email("alice", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_email("@example.org", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_email("alice@", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_email("a@b@example.org", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_email("a\n@example.org", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  /* truncation: terminated, never inside a bullet */
  vouch_mask_email("alice@example.org", buf, 4);
  assert_string_equal(buf, "a");
  vouch_mask_email("alice@example.org", buf, 6);
  assert_string_equal(buf, "a" B);
  vouch_mask_email("alice@example.org", buf, 8);
  assert_string_equal(buf, "a" B B);
  vouch_mask_email("alice@example.org", buf, 13);
  assert_string_equal(buf, "a" B B B "@e");
  vouch_mask_email("alice@example.org", buf, 1);
  assert_string_equal(buf, "");
  buf[0] = 'z';
  vouch_mask_email("alice@example.org", buf, 0);
  assert_int_equal(buf[0], 'z');
  vouch_mask_email(NULL, NULL, 0);
}

static void mask_phone(void **state)
{
  char buf[64];

  (void)state;
  vouch_mask_phone("+4512345612", buf, sizeof(buf));
  assert_string_equal(buf, "+45 " B B B B " " B B "12");
  vouch_mask_phone("+12025550199", buf, sizeof(buf));
  assert_string_equal(buf, "+12 " B B B B " " B B "99");
  vouch_mask_phone("+60123456789012", buf, sizeof(buf));
  assert_string_equal(buf, "+60 " B B B B " " B B "12");
  /* odd input: too short, no '+', letters, empty, NULL */
  vouch_mask_phone("+4512", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_phone("4512345612", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_phone("+45123abc12", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_phone("", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_phone(NULL, buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  vouch_mask_phone("+45123456789012345678", buf, sizeof(buf));
  assert_string_equal(buf, B B B);
  /* truncation */
  vouch_mask_phone("+4512345612", buf, 5);
  assert_string_equal(buf, "+45 ");
  vouch_mask_phone("+4512345612", buf, 9);
  assert_string_equal(buf, "+45 " B);
  vouch_mask_phone(NULL, buf, 4);
  assert_string_equal(buf, B);
  vouch_mask_phone(NULL, buf, 3);
  assert_string_equal(buf, "");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_template_in_every_language),
      cmocka_unit_test(every_template_renders),
      cmocka_unit_test(rendering_fills_variables),
      cmocka_unit_test(code_is_six_digits_alone),
      cmocka_unit_test(falls_back_to_english),
      cmocka_unit_test(unknown_variable_names_file),
      cmocka_unit_test(braces),
      cmocka_unit_test(malformed_templates),
      cmocka_unit_test(header_injection_refused),
      cmocka_unit_test(non_utf8_refused),
      cmocka_unit_test(unsafe_files_refused),
      cmocka_unit_test(oversized_refused),
      cmocka_unit_test(names_and_languages_checked),
      cmocka_unit_test(mask_email),
      cmocka_unit_test(mask_phone),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
