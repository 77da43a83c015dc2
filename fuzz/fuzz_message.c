/*
 * fuzz_message.c - the wire format between the core and the delivery
 * helper.  vouch_message_parse on any bytes must not misbehave, and a
 * message it accepts must format back into text that parses into the
 * same message (the helper sees exactly what the core meant).
 */
#include "fuzz.h"
#include "vouch.h"

static int same(const char *a, const char *b)
{
  if(!a || !b)
    return a == b;
  return !strcmp(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  vouch_message m, again;
  char err[128];
  char *text = NULL;
  size_t len = 0;

  if(vouch_message_parse((const char *)data, size, &m, err, sizeof(err))) {
    FUZZ_ASSERT(strlen(err) > 0 && strlen(err) < sizeof(err));
    return 0;
  }
  FUZZ_ASSERT(m.body != NULL);
  FUZZ_ASSERT(vouch_message_format(&m, &text, &len) == VOUCH_OK);
  FUZZ_ASSERT(vouch_message_parse(text, len, &again, err, sizeof(err)) ==
              VOUCH_OK);
  FUZZ_ASSERT(again.channel == m.channel);
  FUZZ_ASSERT(same(again.to, m.to) && same(again.subject, m.subject));
  FUZZ_ASSERT(same(again.body, m.body));
  vouch_message_clear(&again);
  vouch_message_clear(&m);
  vouch_free_secret(text);
  return 0;
}
