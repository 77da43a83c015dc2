/*
 * template.c - the messages vouch sends, rendered from plain text files in
 * [templates] dir/LANG/NAME.txt so that an administrator can reword them
 * without a rebuild, and the masked destinations prompts show.
 *
 * A template is UTF-8 text.  Email templates open with a "Subject: ..."
 * line and a blank line; SMS templates (NAME ends in "-sms") are all body.
 * {var} (lower-case letters and '_') is replaced by its value; "{{" is a
 * literal '{'; any other '{' is itself.  An empty value also drops one
 * space written just before it, so that "Hello {name}," reads "Hello,"
 * when no name is known.  Values may hold codes: every buffer that held
 * one is wiped.  Template files are opened like the configuration (no
 * symlink, owner root or us, not group/world-writable) because whoever can
 * edit them can make vouch send anything in its name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "vouch.h"

#define TPL_MAX_BYTES (64 * 1024) /* one template file */
#define TPL_MAX_OUT (256 * 1024)  /* one rendered subject or body */
#define TPL_MAX_VARS 16
#define TPL_MAX_NAME 64

typedef struct {
  const char *name;
  const char *value;
} tpl_var;

typedef struct {
  char *p;
  size_t len;
  size_t cap;
  bool overflow; /* the rendering grew past TPL_MAX_OUT */
} tpl_buf;

/* What one rendering works on; path names the file in messages. */
typedef struct {
  vouch_ctx *ctx;
  const char *path;
  const tpl_var *vars;
  size_t nvars;
} tpl_job;

static void buf_free(tpl_buf *b)
{
  if(b->p) {
    vouch_wipe(b->p, b->cap);
    free(b->p);
  }
  b->p = NULL;
  b->len = b->cap = 0;
}

/* Makes room for n more bytes and the NUL; the old buffer is wiped when
 * it moves (it may hold a code). */
static vouch_rc buf_grow(tpl_buf *b, size_t n)
{
  size_t cap = b->cap ? b->cap : 256;
  char *p;

  if(n > TPL_MAX_OUT - b->len) {
    b->overflow = true;
    return VOUCH_ERR_INPUT;
  }
  if(b->len + n + 1 <= b->cap)
    return VOUCH_OK;
  while(cap < b->len + n + 1)
    cap *= 2;
  p = malloc(cap);
  if(!p)
    return VOUCH_ERR_NOMEM;
  if(b->len)
    memcpy(p, b->p, b->len);
  if(b->p) {
    vouch_wipe(b->p, b->cap);
    free(b->p);
  }
  b->p = p;
  b->cap = cap;
  return VOUCH_OK;
}

static vouch_rc buf_put(tpl_buf *b, const char *s, size_t n)
{
  vouch_rc rc = buf_grow(b, n);

  if(rc)
    return rc;
  if(n)
    memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  return VOUCH_OK;
}

static bool var_char(char c)
{
  return (c >= 'a' && c <= 'z') || c == '_';
}

static bool valid_var_name(const char *s)
{
  size_t i;

  if(!s || !s[0])
    return false;
  for(i = 0; s[i]; i++)
    if(!var_char(s[i]) || i >= 32)
      return false;
  return true;
}

static bool valid_tpl_name(const char *s)
{
  size_t i;

  if(!s || !s[0] || s[0] == '-')
    return false;
  for(i = 0; s[i]; i++)
    if(i >= TPL_MAX_NAME || !((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
      return false;
  return true;
}

static bool is_sms(const char *name)
{
  size_t n = strlen(name);

  return n > 4 && !strcmp(name + n - 4, "-sms");
}

/* A value may hold line breaks and tabs in a body, nothing else below
 * 0x20 nor DEL; in the subject not even those. */
static bool value_ok(const char *v, bool subject)
{
  const unsigned char *p = (const unsigned char *)v;

  for(; *p; p++) {
    if(*p == 0x7f)
      return false;
    if(*p < 0x20 && (subject || (*p != '\n' && *p != '\t')))
      return false;
  }
  return true;
}

static const char *lookup(const tpl_job *j, const char *name, size_t n)
{
  size_t i;

  for(i = 0; i < j->nvars; i++)
    if(strlen(j->vars[i].name) == n && !memcmp(j->vars[i].name, name, n))
      return j->vars[i].value;
  return NULL;
}

/* Replaces the variable whose name is src[0..n) (the braces excluded). */
static vouch_rc put_var(const tpl_job *j, const char *src, size_t n,
                        unsigned line, bool subject, tpl_buf *out)
{
  const char *v = lookup(j, src, n);

  if(!v) {
    vouch_log(j->ctx, LOG_ERR, "%s:%u: unknown variable {%.*s}", j->path, line,
              (int)(n > 40 ? 40 : n), src);
    return VOUCH_ERR_CONFIG;
  }
  if(!value_ok(v, subject)) {
    vouch_log(j->ctx, LOG_ERR,
              "%s:%u: the value of {%.*s} holds a %s, refused", j->path, line,
              (int)(n > 40 ? 40 : n), src,
              subject ? "line break or control character (subject)"
                      : "control character");
    return VOUCH_ERR_INPUT;
  }
  if(!v[0] && out->len && out->p[out->len - 1] == ' ')
    out->len--;
  return buf_put(out, v, strlen(v));
}

/* Expands src[0..n), whose first line is line, into out. */
static vouch_rc expand(const tpl_job *j, const char *src, size_t n,
                       unsigned line, bool subject, tpl_buf *out)
{
  vouch_rc rc = VOUCH_OK;
  size_t i = 0;

  while(i < n && !rc) {
    size_t k = i + 1;

    if(src[i] != '{') {
      while(k < n && src[k] != '{')
        k++;
      rc = buf_put(out, src + i, k - i);
      while(i < k)
        line += src[i++] == '\n';
      continue;
    }
    if(k < n && src[k] == '{') {
      rc = buf_put(out, "{", 1);
      i += 2;
      continue;
    }
    while(k < n && var_char(src[k]))
      k++;
    if(k > i + 1 && k < n && src[k] == '}') {
      rc = put_var(j, src + i + 1, k - i - 1, line, subject, out);
      i = k + 1;
      continue;
    }
    rc = buf_put(out, "{", 1);
    i++;
  }
  if(out->overflow)
    vouch_log(j->ctx, LOG_ERR, "%s: rendered text longer than %u bytes",
              j->path, (unsigned)TPL_MAX_OUT);
  return rc;
}

/* The text of a template may hold line breaks (LF or CRLF) and tabs but
 * no other control character, and must be UTF-8. */
static vouch_rc check_text(const tpl_job *j, const char *t, size_t len)
{
  unsigned line = 1;
  size_t i;

  if(!vouch_valid_utf8(t, len)) {
    vouch_log(j->ctx, LOG_ERR, "%s: refused: not valid UTF-8 text", j->path);
    return VOUCH_ERR_CONFIG;
  }
  for(i = 0; i < len; i++) {
    unsigned char c = (unsigned char)t[i];

    if(c == '\n')
      line++;
    else if((c < 0x20 && c != '\t' && !(c == '\r' && t[i + 1] == '\n')) ||
            c == 0x7f) {
      vouch_log(j->ctx, LOG_ERR,
                "%s:%u: refused: control character 0x%02x in a template",
                j->path, line, c);
      return VOUCH_ERR_CONFIG;
    }
  }
  return VOUCH_OK;
}

/* Finds where the template for lang lives, falling back to English when
 * the language directory or the file is missing.  *path is malloc'ed. */
static vouch_rc find_file(vouch_ctx *ctx, const char *name, const char *lang,
                          char **path)
{
  const char *dir = ctx->cfg->templates_dir;
  struct stat st;
  char *p;

  p = vouch_asprintf("%s/%s/%s.txt", dir, lang, name);
  if(!p)
    return VOUCH_ERR_NOMEM;
  if(strcmp(lang, "en") && lstat(p, &st) &&
     (errno == ENOENT || errno == ENOTDIR)) {
    vouch_log(ctx, LOG_DEBUG, "%s: missing, using the English template", p);
    free(p);
    p = vouch_asprintf("%s/en/%s.txt", dir, name);
    if(!p)
      return VOUCH_ERR_NOMEM;
  }
  if(lstat(p, &st) && (errno == ENOENT || errno == ENOTDIR)) {
    vouch_log(ctx, LOG_ERR, "%s: template missing", p);
    free(p);
    return VOUCH_ERR_CONFIG;
  }
  *path = p;
  return VOUCH_OK;
}

static vouch_rc load_file(vouch_ctx *ctx, const char *path, char **text,
                          size_t *len)
{
  vouch_rc rc;
  int fd;

  rc = vouch_open_secure(path, O_RDONLY, false, &fd, ctx->log, ctx->logarg);
  if(rc)
    return rc;
  rc = vouch_read_fd(fd, TPL_MAX_BYTES, text, len);
  close(fd);
  if(rc == VOUCH_ERR_INPUT) {
    vouch_log(ctx, LOG_ERR, "%s: refused: larger than %u bytes", path,
              (unsigned)TPL_MAX_BYTES);
    return VOUCH_ERR_CONFIG;
  }
  if(rc)
    vouch_log(ctx, LOG_ERR, "%s: cannot read: %s", path, vouch_strerror(rc));
  else if(strlen(*text) != *len) {
    vouch_log(ctx, LOG_ERR, "%s: refused: holds a NUL byte", path);
    free(*text);
    *text = NULL;
    rc = VOUCH_ERR_CONFIG;
  }
  return rc;
}

/* Splits an email template: "Subject: S" line, blank line, body.  Sets
 * subject/slen to S (CR before LF excluded), *body to the body. */
static vouch_rc split_email(const tpl_job *j, const char *t, size_t len,
                            const char **subject, size_t *slen,
                            const char **body)
{
  static const char tag[] = "Subject:";
  const char *s = t + sizeof(tag) - 1;
  const char *nl = memchr(t, '\n', len);
  const char *e;

  if(len < sizeof(tag) - 1 || memcmp(t, tag, sizeof(tag) - 1) || !nl) {
    vouch_log(j->ctx, LOG_ERR,
              "%s:1: an email template starts with a \"Subject: ...\" line",
              j->path);
    return VOUCH_ERR_CONFIG;
  }
  while(s < nl && (*s == ' ' || *s == '\t'))
    s++;
  e = nl;
  while(e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
    e--;
  if(e == s) {
    vouch_log(j->ctx, LOG_ERR, "%s:1: the subject is empty", j->path);
    return VOUCH_ERR_CONFIG;
  }
  *body = nl + 1;
  if(*body < t + len && **body == '\r')
    (*body)++;
  if(*body >= t + len || **body != '\n') {
    vouch_log(j->ctx, LOG_ERR,
              "%s:2: a blank line must follow the subject line", j->path);
    return VOUCH_ERR_CONFIG;
  }
  (*body)++;
  *subject = s;
  *slen = (size_t)(e - s);
  return VOUCH_OK;
}

/* Ends the body with exactly one newline; an empty body is an error. */
static vouch_rc finish_body(const tpl_job *j, tpl_buf *b)
{
  while(b->len && (b->p[b->len - 1] == '\n' || b->p[b->len - 1] == '\r'))
    b->len--;
  if(!b->len) {
    vouch_log(j->ctx, LOG_ERR, "%s: the message body is empty", j->path);
    return VOUCH_ERR_CONFIG;
  }
  return buf_put(b, "\n", 1);
}

/* Renders text (already checked) into subject (emails) and body. */
static vouch_rc render_text(const tpl_job *j, const char *t, size_t len,
                            bool sms, tpl_buf *subject, tpl_buf *body)
{
  const char *s = NULL, *b = t;
  size_t slen = 0;
  unsigned line = 1;
  vouch_rc rc;

  if(!sms) {
    rc = split_email(j, t, len, &s, &slen, &b);
    if(rc)
      return rc;
    rc = expand(j, s, slen, 1, true, subject);
    if(rc)
      return rc;
    line = 3;
  }
  rc = expand(j, b, len - (size_t)(b - t), line, false, body);
  if(!rc)
    rc = finish_body(j, body);
  if(!rc && (!vouch_valid_utf8(body->p, body->len) ||
             (subject->p && !vouch_valid_utf8(subject->p, subject->len)))) {
    vouch_log(j->ctx, LOG_ERR, "%s: the rendered message is not UTF-8",
              j->path);
    rc = VOUCH_ERR_INPUT;
  }
  return rc;
}

/* Collects the name, value pairs; values must be UTF-8. */
static vouch_rc collect(vouch_ctx *ctx, const char *const *pairs,
                        tpl_var *vars, size_t *n)
{
  size_t i;

  *n = 0;
  for(i = 0; pairs[i]; i += 2) {
    const char *v = pairs[i + 1];

    if(*n >= TPL_MAX_VARS || !valid_var_name(pairs[i])) {
      vouch_log(ctx, LOG_ERR, "template: bad or too many variables");
      return VOUCH_ERR_USAGE;
    }
    if(!v)
      v = "";
    if(!vouch_valid_utf8(v, strlen(v))) {
      vouch_log(ctx, LOG_ERR, "template: the value of {%s} is not UTF-8",
                pairs[i]);
      return VOUCH_ERR_INPUT;
    }
    vars[*n].name = pairs[i];
    vars[(*n)++].value = v;
  }
  return VOUCH_OK;
}

/* Checks the arguments; NULL lang means English. */
static vouch_rc check_args(vouch_ctx *ctx, const char *name, const char **lang,
                           const vouch_message *m)
{
  if(!ctx || !ctx->cfg || !ctx->cfg->templates_dir || !m)
    return VOUCH_ERR_USAGE;
  if(!valid_tpl_name(name)) {
    vouch_log(ctx, LOG_ERR, "template name refused (only a-z and '-')");
    return VOUCH_ERR_USAGE;
  }
  if(!*lang)
    *lang = "en";
  if(!vouch_valid_lang(*lang)) {
    vouch_log(ctx, LOG_ERR, "template %s: unknown language", name);
    return VOUCH_ERR_INPUT;
  }
  return VOUCH_OK;
}

vouch_rc vouch_render(vouch_ctx *ctx, const char *name, const char *lang,
                      vouch_message *m, ...)
{
  const char *pairs[2 * TPL_MAX_VARS + 2];
  size_t n = 0;
  va_list ap;

  va_start(ap, m);
  for(pairs[n] = va_arg(ap, const char *); pairs[n];
      pairs[n] = va_arg(ap, const char *)) {
    if(n + 2 >= sizeof(pairs) / sizeof(pairs[0])) {
      va_end(ap);
      vouch_log(ctx, LOG_ERR, "template: bad or too many variables");
      return VOUCH_ERR_USAGE;
    }
    pairs[n + 1] = va_arg(ap, const char *);
    n += 2;
  }
  va_end(ap);
  return vouch_render_vars(ctx, name, lang, m, pairs);
}

vouch_rc vouch_render_vars(vouch_ctx *ctx, const char *name, const char *lang,
                           vouch_message *m, const char *const *pairs)
{
  tpl_var vars[TPL_MAX_VARS];
  tpl_buf subject = {0}, body = {0};
  tpl_job job = {0};
  char *path = NULL, *text = NULL;
  size_t len = 0;
  vouch_rc rc;

  rc = check_args(ctx, name, &lang, m);
  if(rc)
    return rc;
  rc = collect(ctx, pairs, vars, &job.nvars);
  if(rc)
    goto out;
  rc = find_file(ctx, name, lang, &path);
  if(!rc)
    rc = load_file(ctx, path, &text, &len);
  if(rc)
    goto out;
  job.ctx = ctx;
  job.path = path;
  job.vars = vars;
  rc = check_text(&job, text, len);
  if(!rc)
    rc = render_text(&job, text, len, is_sms(name), &subject, &body);
  if(rc)
    goto out;
  vouch_free_secret(m->subject);
  vouch_free_secret(m->body);
  m->subject = subject.p; /* NULL for SMS */
  m->body = body.p;
  subject.p = body.p = NULL;
out:
  buf_free(&subject);
  buf_free(&body);
  free(text);
  free(path);
  vouch_wipe(vars, sizeof(vars));
  return rc;
}

/* ---------------------------------------------------------------- masks */

#define BULLET "\xe2\x80\xa2" /* U+2022 */

/* Copies s into out[len] and cuts at a character boundary when it does
 * not fit, so that a short buffer never ends inside a UTF-8 sequence. */
static void put_utf8(char *out, size_t len, const char *s)
{
  size_t n = strlen(s);

  if(!out || !len)
    return;
  if(n >= len) {
    n = len - 1;
    while(n && ((unsigned char)s[n] & 0xc0) == 0x80)
      n--;
  }
  memcpy(out, s, n);
  out[n] = '\0';
}

void vouch_mask_email(const char *email, char *out, size_t len)
{
  char buf[320];

  if(!vouch_valid_email(email)) {
    put_utf8(out, len, BULLET BULLET BULLET);
    return;
  }
  /* valid: ASCII, one '@', a local part of at least one byte */
  snprintf(buf, sizeof(buf), "%c" BULLET BULLET BULLET "%s", email[0],
           strchr(email, '@'));
  put_utf8(out, len, buf);
}

void vouch_mask_phone(const char *phone, char *out, size_t len)
{
  char buf[64];
  size_t n;

  if(!vouch_valid_phone(phone)) {
    put_utf8(out, len, BULLET BULLET BULLET);
    return;
  }
  n = strlen(phone); /* '+' and 8 to 15 digits */
  snprintf(buf, sizeof(buf),
           "+%c%c " BULLET BULLET BULLET BULLET " " BULLET BULLET "%c%c",
           phone[1], phone[2], phone[n - 2], phone[n - 1]);
  put_utf8(out, len, buf);
}
