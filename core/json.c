/*
 * json.c - the small amount of JSON vouch speaks: writing strings for the
 * tools' --json output, and reading one flat object of string members (a
 * line of `vouchctl user import`).  The reader is strict on purpose: input
 * that is not exactly a flat object of strings is refused with the reason
 * and the byte offset, never guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch.h"

#define JSON_MAX_TEXT (1024 * 1024) /* bytes of one object */
#define JSON_MAX_MEMBERS 64

/* Length of the valid UTF-8 sequence at s (at most n bytes available), or
 * 0 when the bytes there are not one: overlong forms, surrogates and code
 * points above U+10FFFF are invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
  size_t len;
  size_t i;
  unsigned long cp;

  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xc2 && s[0] <= 0xdf) {
    len = 2;
    cp = s[0] & 0x1f;
  }
  else if(s[0] >= 0xe0 && s[0] <= 0xef) {
    len = 3;
    cp = s[0] & 0x0f;
  }
  else if(s[0] >= 0xf0 && s[0] <= 0xf4) {
    len = 4;
    cp = s[0] & 0x07;
  }
  else
    return 0;
  if(n < len)
    return 0;
  for(i = 1; i < len; i++) {
    if((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
     (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return len;
}

void vouch_json_string(FILE *f, const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t n;
  size_t len;

  if(!s) {
    fputs("null", f);
    return;
  }
  n = strlen(s);
  putc('"', f);
  while(n) {
    if(*p == '"' || *p == '\\') {
      putc('\\', f);
      putc(*p, f);
      len = 1;
    }
    else if(*p < 0x20 || *p == 0x7f) {
      fprintf(f, "\\u%04x", (unsigned)*p);
      len = 1;
    }
    else {
      len = utf8_seq(p, n);
      if(len)
        fwrite(p, 1, len, f);
      else {
        /* not text: say so instead of passing invalid UTF-8 on */
        fputs("\\ufffd", f);
        len = 1;
      }
    }
    p += len;
    n -= len;
  }
  putc('"', f);
}

/* ------------------------------------------------------------- reader */

struct member {
  const char *key;   /* points into parser.buf */
  const char *value; /* NULL for null */
};

struct parser {
  const unsigned char *text;
  size_t len;
  size_t pos;
  char *buf; /* decoded strings, NUL-separated */
  size_t used;
  struct member m[JSON_MAX_MEMBERS];
  size_t count;
  char *err;
  size_t errlen;
};

static vouch_rc fail_at(struct parser *p, size_t at, const char *why)
{
  if(p->err && p->errlen)
    snprintf(p->err, p->errlen, "%s at byte %zu", why, at);
  return VOUCH_ERR_INPUT;
}

static void skip_ws(struct parser *p)
{
  while(p->pos < p->len &&
        (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
         p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
    p->pos++;
}

/* Refuses NUL bytes and invalid UTF-8 anywhere, before any parsing. */
static vouch_rc check_bytes(struct parser *p)
{
  size_t i = 0;
  size_t n;

  while(i < p->len) {
    if(p->text[i] == 0)
      return fail_at(p, i, "NUL byte");
    n = utf8_seq(p->text + i, p->len - i);
    if(!n)
      return fail_at(p, i, "invalid UTF-8");
    i += n;
  }
  return VOUCH_OK;
}

static int hexval(unsigned char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits of a \u escape starting at p->pos. */
static vouch_rc read_hex4(struct parser *p, unsigned long *out)
{
  size_t i;
  int v;

  *out = 0;
  if(p->len - p->pos < 4)
    return fail_at(p, p->pos, "\\u needs four hex digits");
  for(i = 0; i < 4; i++) {
    v = hexval(p->text[p->pos + i]);
    if(v < 0)
      return fail_at(p, p->pos + i, "\\u needs four hex digits");
    *out = (*out << 4) | (unsigned long)v;
  }
  p->pos += 4;
  return VOUCH_OK;
}

static void put_utf8(struct parser *p, unsigned long cp)
{
  char *o = p->buf + p->used;

  if(cp < 0x80) {
    o[0] = (char)cp;
    p->used += 1;
  }
  else if(cp < 0x800) {
    o[0] = (char)(0xc0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3f));
    p->used += 2;
  }
  else if(cp < 0x10000) {
    o[0] = (char)(0xe0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    p->used += 3;
  }
  else {
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    p->used += 4;
  }
}

/* A \u escape; p->pos is just after the 'u'.  Surrogate pairs become one
 * code point; a lone surrogate and U+0000 are refused (strings are C
 * strings). */
static vouch_rc read_unicode(struct parser *p)
{
  size_t start = p->pos - 2;
  unsigned long cp;
  unsigned long lo;
  vouch_rc rc;

  rc = read_hex4(p, &cp);
  if(rc)
    return rc;
  if(cp >= 0xdc00 && cp <= 0xdfff)
    return fail_at(p, start, "lone low surrogate");
  if(cp >= 0xd800 && cp <= 0xdbff) {
    if(p->len - p->pos < 2 || p->text[p->pos] != '\\' ||
       p->text[p->pos + 1] != 'u')
      return fail_at(p, start, "high surrogate without a low surrogate");
    p->pos += 2;
    rc = read_hex4(p, &lo);
    if(rc)
      return rc;
    if(lo < 0xdc00 || lo > 0xdfff)
      return fail_at(p, start, "high surrogate without a low surrogate");
    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
  }
  if(cp == 0)
    return fail_at(p, start, "\\u0000 is not allowed");
  put_utf8(p, cp);
  return VOUCH_OK;
}

static vouch_rc read_escape(struct parser *p)
{
  static const char from[] = "\"\\/bfnrt";
  static const char to[] = "\"\\/\b\f\n\r\t";
  const char *hit;
  unsigned char c;

  if(p->pos + 1 >= p->len)
    return fail_at(p, p->pos, "unterminated string");
  c = p->text[p->pos + 1];
  p->pos += 2;
  if(c == 'u')
    return read_unicode(p);
  hit = c ? strchr(from, c) : NULL;
  if(!hit)
    return fail_at(p, p->pos - 2, "invalid escape");
  p->buf[p->used++] = to[hit - from];
  return VOUCH_OK;
}

/* A string; p->pos is on the opening quote.  *out points at the decoded,
 * NUL-terminated copy in p->buf (never longer than the quoted text). */
static vouch_rc read_string(struct parser *p, const char **out)
{
  size_t start = p->pos;
  unsigned char c;
  vouch_rc rc;

  *out = p->buf + p->used;
  p->pos++;
  for(;;) {
    if(p->pos >= p->len)
      return fail_at(p, start, "unterminated string");
    c = p->text[p->pos];
    if(c == '"')
      break;
    if(c < 0x20)
      return fail_at(p, p->pos, "control character in string");
    if(c == '\\') {
      rc = read_escape(p);
      if(rc)
        return rc;
    }
    else {
      p->buf[p->used++] = (char)c;
      p->pos++;
    }
  }
  p->pos++;
  p->buf[p->used++] = '\0';
  return VOUCH_OK;
}

/* Names what a value that is not a string is, for the message. */
static const char *kind_of(unsigned char c)
{
  if(c == '{')
    return "an object";
  if(c == '[')
    return "an array";
  if(c == 't' || c == 'f')
    return "a boolean";
  if(c == '-' || (c >= '0' && c <= '9'))
    return "a number";
  return NULL;
}

/* Copies key for a message: printable ASCII, at most 40 bytes. */
static void show_key(const char *key, char *out, size_t len)
{
  size_t i;
  size_t n = 0;

  for(i = 0; key[i] && n + 4 < len && i < 40; i++)
    out[n++] = (key[i] >= 0x20 && key[i] < 0x7f) ? key[i] : '?';
  if(key[i] && n + 4 < len) {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n] = '\0';
}

static vouch_rc read_value(struct parser *p, const char *key, const char **out)
{
  char why[128];
  char shown[48];
  const char *kind;
  unsigned char c;

  *out = NULL;
  if(p->pos >= p->len)
    return fail_at(p, p->pos, "missing value");
  c = p->text[p->pos];
  if(c == '"')
    return read_string(p, out);
  if(p->len - p->pos >= 4 && !memcmp(p->text + p->pos, "null", 4)) {
    p->pos += 4;
    return VOUCH_OK;
  }
  show_key(key, shown, sizeof(shown));
  kind = kind_of(c);
  if(kind)
    snprintf(why, sizeof(why), "value of \"%s\" must be a string, not %s",
             shown, kind);
  else
    snprintf(why, sizeof(why), "value of \"%s\" must be a string", shown);
  return fail_at(p, p->pos, why);
}

static vouch_rc add_member(struct parser *p, size_t at, const char *key,
                           const char *value)
{
  char why[96];
  char shown[48];
  size_t i;

  for(i = 0; i < p->count; i++) {
    if(!strcmp(p->m[i].key, key)) {
      show_key(key, shown, sizeof(shown));
      snprintf(why, sizeof(why), "duplicate key \"%s\"", shown);
      return fail_at(p, at, why);
    }
  }
  if(p->count == JSON_MAX_MEMBERS)
    return fail_at(p, at, "more than 64 members");
  p->m[p->count].key = key;
  p->m[p->count].value = value;
  p->count++;
  return VOUCH_OK;
}

/* One "key": value pair; p->pos is on what should be the key. */
static vouch_rc read_member(struct parser *p)
{
  const char *key;
  const char *value;
  size_t at = p->pos;
  vouch_rc rc;

  if(p->pos >= p->len)
    return fail_at(p, p->pos, "unterminated object");
  if(p->text[p->pos] != '"')
    return fail_at(p, p->pos, "expected a quoted key");
  rc = read_string(p, &key);
  if(rc)
    return rc;
  skip_ws(p);
  if(p->pos >= p->len || p->text[p->pos] != ':')
    return fail_at(p, p->pos, "expected ':' after the key");
  p->pos++;
  skip_ws(p);
  rc = read_value(p, key, &value);
  if(rc)
    return rc;
  return add_member(p, at, key, value);
}

static vouch_rc parse_object(struct parser *p)
{
  vouch_rc rc;

  skip_ws(p);
  if(p->pos >= p->len)
    return fail_at(p, p->pos, "empty input, expected '{'");
  if(p->text[p->pos] != '{')
    return fail_at(p, p->pos, "expected '{'");
  p->pos++;
  skip_ws(p);
  if(p->pos < p->len && p->text[p->pos] == '}')
    p->pos++;
  else {
    for(;;) {
      rc = read_member(p);
      if(rc)
        return rc;
      skip_ws(p);
      if(p->pos >= p->len)
        return fail_at(p, p->pos, "unterminated object");
      if(p->text[p->pos] == '}') {
        p->pos++;
        break;
      }
      if(p->text[p->pos] != ',')
        return fail_at(p, p->pos, "expected ',' or '}'");
      p->pos++;
      skip_ws(p);
    }
  }
  skip_ws(p);
  if(p->pos < p->len)
    return fail_at(p, p->pos, "unexpected text after the object");
  return VOUCH_OK;
}

vouch_rc vouch_json_object(const char *text, size_t len,
                           vouch_rc (*fn)(void *arg, const char *key,
                                          const char *value),
                           void *arg, char *err, size_t errlen)
{
  struct parser p;
  size_t i;
  vouch_rc rc;

  memset(&p, 0, sizeof(p));
  p.text = (const unsigned char *)text;
  p.len = len;
  p.err = err;
  p.errlen = errlen;
  if(err && errlen)
    err[0] = '\0';
  if(!text || !fn)
    return fail_at(&p, 0, "no input");
  if(len > JSON_MAX_TEXT)
    return fail_at(&p, JSON_MAX_TEXT, "object longer than 1048576 bytes");
  rc = check_bytes(&p);
  if(rc)
    return rc;
  /* decoded strings never outgrow their quoted form, NULs included */
  p.buf = malloc(len + 1);
  if(!p.buf)
    return VOUCH_ERR_NOMEM;
  rc = parse_object(&p);
  if(rc)
    goto out;
  /* members reach fn only once the whole object is known to be good */
  for(i = 0; i < p.count; i++) {
    rc = fn(arg, p.m[i].key, p.m[i].value);
    if(rc)
      goto out;
  }
out:
  vouch_wipe(p.buf, len + 1);
  free(p.buf);
  return rc;
}
