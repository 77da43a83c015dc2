/*
 * form.c - the one parser of form bodies (application/x-www-form-urlencoded)
 * in vouch-web.  libmicrohttpd decodes query strings; its POST processor
 * needs a live connection, so bodies are read here, by a small parser
 * that a fuzzer can reach (fuzz/fuzz_form.c).  Strict on purpose: a form
 * of ours has a few known fields, so anything else is a bad request.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "web.h"

static int hexval(char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes s[0..len) ("+" is a space, %XX a byte) into a new string. */
static char *decode(const char *s, size_t len, size_t *outlen)
{
  char *out = malloc(len + 1);
  size_t i, n = 0;
  int hi, lo;

  if(!out)
    return NULL;
  for(i = 0; i < len; i++) {
    if(s[i] == '+')
      out[n++] = ' ';
    else if(s[i] != '%')
      out[n++] = s[i];
    else {
      hi = i + 2 < len ? hexval(s[i + 1]) : -1;
      lo = i + 2 < len ? hexval(s[i + 2]) : -1;
      if(hi < 0 || lo < 0) {
        sodium_memzero(out, len + 1);
        free(out);
        return NULL;
      }
      out[n++] = (char)(hi << 4 | lo);
      i += 2;
    }
  }
  out[n] = '\0';
  *outlen = n;
  return out;
}

/* Valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
static bool utf8_ok(const unsigned char *s, size_t len)
{
  size_t i = 0, n, k;
  unsigned long cp;

  while(i < len) {
    if(s[i] < 0x80) {
      i++;
      continue;
    }
    if((s[i] & 0xe0) == 0xc0) {
      n = 1;
      cp = s[i] & 0x1f;
    }
    else if((s[i] & 0xf0) == 0xe0) {
      n = 2;
      cp = s[i] & 0x0f;
    }
    else if((s[i] & 0xf8) == 0xf0) {
      n = 3;
      cp = s[i] & 0x07;
    }
    else
      return false;
    for(k = 1; k <= n; k++) {
      if(i + k >= len || (s[i + k] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
       (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
       (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

bool web_value_ok(const char *v, size_t max)
{
  size_t len, i;

  if(!v)
    return false;
  len = strlen(v);
  if(len > max || !utf8_ok((const unsigned char *)v, len))
    return false;
  for(i = 0; i < len; i++)
    if((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
      return false;
  return true;
}

static bool name_ok(const char *n, size_t len)
{
  size_t i;

  if(!len || len > 32)
    return false;
  for(i = 0; i < len; i++)
    if(!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') ||
         n[i] == '_'))
      return false;
  return true;
}

void web_form_free(web_form *f)
{
  unsigned i;

  for(i = 0; i < f->n; i++) {
    free(f->name[i]);
    if(f->value[i]) {
      sodium_memzero(f->value[i], strlen(f->value[i]));
      free(f->value[i]);
    }
  }
  memset(f, 0, sizeof(*f));
}

/* One "name=value" pair, s[0..len). */
static const char *add_pair(web_form *f, const char *s, size_t len)
{
  const char *eq = memchr(s, '=', len);
  size_t nlen, vlen;
  char *name, *value;

  if(!eq)
    return "a field without a value";
  if(f->n == WEB_FIELDS_MAX)
    return "too many fields";
  name = decode(s, (size_t)(eq - s), &nlen);
  if(!name)
    return "a bad %-escape in a field name";
  if(!name_ok(name, nlen) || strlen(name) != nlen) {
    free(name);
    return "a field name that is not ours";
  }
  if(web_form_get(f, name)) {
    free(name);
    return "a field given twice";
  }
  value = decode(eq + 1, len - (size_t)(eq + 1 - s), &vlen);
  f->name[f->n] = name;
  f->value[f->n] = value;
  f->n++;
  if(!value)
    return "a bad %-escape in a value";
  if(strlen(value) != vlen || !web_value_ok(value, WEB_VALUE_MAX))
    return "a value that is too long, not UTF-8 or holds control "
           "characters";
  return NULL;
}

const char *web_form_parse(const char *body, size_t len, web_form *f)
{
  const char *p = body, *end = body + len, *amp, *why = NULL;

  memset(f, 0, sizeof(*f));
  if(len > WEB_BODY_MAX)
    return "the form is too large";
  while(p < end && !why) {
    amp = memchr(p, '&', (size_t)(end - p));
    if(!amp)
      amp = end;
    if(amp == p)
      why = "an empty field";
    else
      why = add_pair(f, p, (size_t)(amp - p));
    p = amp + 1;
  }
  if(why)
    web_form_free(f);
  return why;
}

const char *web_form_get(const web_form *f, const char *name)
{
  unsigned i;

  for(i = 0; i < f->n; i++)
    if(!strcmp(f->name[i], name))
      return f->value[i];
  return NULL;
}

bool web_form_only(const web_form *f, const char *const *names)
{
  unsigned i, k;

  for(i = 0; i < f->n; i++) {
    for(k = 0; names[k] && strcmp(names[k], f->name[i]); k++)
      ;
    if(!names[k])
      return false;
  }
  return true;
}
