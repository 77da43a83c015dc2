/*
 * fuzz_encode.c - what the delivery helper builds from a message before
 * it goes out: the quoted-printable body (no line over 76 characters,
 * only printable ASCII), the RFC 2047 header value (no bare CR or LF
 * that could inject a header) and the SMS gateway request body.
 */
#include "fuzz.h"
#include "vouch.h"

static int hexval(char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Checks the shape of q (lines of at most 76 characters, printable
 * ASCII, space or tab, never whitespace before a line end) and that it
 * decodes back to in, whose CRLF and LF line ends both become CRLF. */
static void check_qp(const char *q, const char *in)
{
  size_t col = 0, o = 0, i;
  char *dec = malloc(strlen(q) + 1);
  const char *p;

  if(!dec)
    return;
  for(p = q; *p; p++) {
    if(*p == '\r') {
      FUZZ_ASSERT(p[1] == '\n');
      FUZZ_ASSERT(p == q || (p[-1] != ' ' && p[-1] != '\t'));
      col = 0;
      dec[o++] = '\n';
      p++;
      continue;
    }
    FUZZ_ASSERT((*p >= ' ' && *p <= '~') || *p == '\t');
    FUZZ_ASSERT(++col <= 76);
    if(*p == '=' && p[1] == '\r') { /* soft line break: dropped */
      FUZZ_ASSERT(p[2] == '\n');
      p += 2;
      col = 0;
      continue;
    }
    if(*p == '=') {
      FUZZ_ASSERT(hexval(p[1]) >= 0 && hexval(p[2]) >= 0);
      dec[o++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
      p += 2;
      col += 2;
      FUZZ_ASSERT(col <= 76);
      continue;
    }
    dec[o++] = *p;
  }
  dec[o] = '\0';
  /* in with CRLF turned into LF must equal the decoded text. */
  for(i = 0, o = 0; in[i]; i++) {
    if(in[i] == '\r' && in[i + 1] == '\n')
      continue;
    FUZZ_ASSERT(dec[o] == in[i]);
    o++;
  }
  FUZZ_ASSERT(dec[o] == '\0');
  free(dec);
}

static void check_header(const char *h)
{
  const char *p;

  /* A line break may only be CRLF followed by a space (folding). */
  for(p = h; *p; p++) {
    if(*p == '\r')
      FUZZ_ASSERT(p[1] == '\n' && p[2] == ' ');
    else if(*p == '\n')
      FUZZ_ASSERT(p > h && p[-1] == '\r');
  }
}

struct sms_json {
  const char *want;
  int seen;
};

/* The JSON request body read back by the project's own JSON parser. */
static vouch_rc sms_member(void *arg, const char *key, const char *value)
{
  struct sms_json *j = arg;

  if(!strcmp(key, "text")) {
    FUZZ_ASSERT(value && !strcmp(value, j->want));
    j->seen = 1;
  }
  return VOUCH_OK;
}

static void check_sms(const char *body, int json)
{
  vouch_config *cfg = calloc(1, sizeof(*cfg));
  struct sms_json j = {body, 0};
  vouch_message m;
  char *out = NULL;
  char err[128];

  if(!cfg || vouch_config_defaults(cfg) != VOUCH_OK) {
    vouch_config_free(cfg);
    return;
  }
  cfg->sms_format = json ? VOUCH_SMS_JSON : VOUCH_SMS_FORM;
  memset(&m, 0, sizeof(m));
  m.channel = VOUCH_CHANNEL_SMS;
  m.to = (char *)"+4512345678";
  m.body = (char *)body;
  if(vouch_sms_request_body(cfg, &m, &out) == VOUCH_OK) {
    FUZZ_ASSERT(!strpbrk(out, "\r\n"));
    if(json) {
      FUZZ_ASSERT(vouch_json_object(out, strlen(out), sms_member, &j, err,
                                    sizeof(err)) == VOUCH_OK);
      FUZZ_ASSERT(j.seen);
    }
  }
  vouch_free_secret(out);
  vouch_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = fuzz_cstr(data, size);
  char *out = NULL;
  int utf8;

  if(!s)
    return 0;
  out = vouch_qp_encode(s, strlen(s));
  if(out)
    check_qp(out, s);
  free(out);
  utf8 = vouch_valid_utf8(s, strlen(s));
  if(utf8 && !strpbrk(s, "\r\n")) {
    out = vouch_header_encode(s);
    if(out)
      check_header(out);
    free(out);
  }
  if(utf8)
    check_sms(s, size && data[0] & 1);
  free(s);
  return 0;
}
