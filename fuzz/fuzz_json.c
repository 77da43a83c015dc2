/*
 * fuzz_json.c - vouch_json_object (the parser of `vouchctl user import`
 * lines) on any bytes: every member it reports is valid UTF-8 without
 * a NUL, and a refusal always carries a reason.
 */
#include "fuzz.h"
#include "vouch.h"

static vouch_rc member(void *arg, const char *key, const char *value)
{
  unsigned *n = arg;

  FUZZ_ASSERT(key != NULL);
  FUZZ_ASSERT(vouch_valid_utf8(key, strlen(key)));
  if(value)
    FUZZ_ASSERT(vouch_valid_utf8(value, strlen(value)));
  (*n)++;
  /* Stop early now and then, as a caller that refuses a key does. */
  return !strcmp(key, "stop") ? VOUCH_ERR_INPUT : VOUCH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char err[128];
  unsigned n = 0;
  vouch_rc rc;

  err[0] = '\0';
  rc = vouch_json_object((const char *)data, size, member, &n, err,
                         sizeof(err));
  if(rc == VOUCH_ERR_INPUT)
    FUZZ_ASSERT(strlen(err) < sizeof(err));
  else
    FUZZ_ASSERT(rc == VOUCH_OK);
  return 0;
}
