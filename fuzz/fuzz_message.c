/*
 * fuzz_message.c - the wire format between the core and the delivery
 * helper.  vouch_message_parse on any bytes must not misbehave, and a
 * message it accepts must format back into text that parses into the
 * same message (the helper sees exactly what the core meant); the "set"
 * headers it accepts go through the configuration setter without harm.
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
  FUZZ_ASSERT(same(again.body, m.body) && same(again.sets, m.sets));
  /* The helper applies "set" headers over its configuration. */
  if(m.sets) {
    vouch_config *c = calloc(1, sizeof(*c));

    if(c && !vouch_config_defaults(c))
      (void)vouch_config_apply_passed(c, m.sets, NULL, NULL);
    vouch_config_free(c);
  }
  vouch_message_clear(&again);
  vouch_message_clear(&m);
  vouch_free_secret(text);
  return 0;
}
