/*
 * fuzz_card.c - vouch_card_parse on any text: never reads or writes out
 * of bounds, and what it accepts is 12 to 19 digits with a valid Luhn
 * check digit, taken from the input in order.
 */
#include "fuzz.h"
#include "vouch.h"

static int luhn(const char *d, size_t n)
{
  unsigned sum = 0;
  size_t i;

  for(i = 0; i < n; i++) {
    unsigned v = (unsigned)(d[n - 1 - i] - '0');
    if(i % 2) {
      v *= 2;
      if(v > 9)
        v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char digits[20];
  const char *why = NULL;
  char *in = fuzz_cstr(data, size);
  size_t i, n = 0;
  vouch_rc rc;

  if(!in)
    return 0;
  rc = vouch_card_parse(in, digits, sizeof(digits), &why);
  if(rc == VOUCH_OK) {
    size_t len = strlen(digits);
    FUZZ_ASSERT(len >= 12 && len <= 19 && luhn(digits, len));
    for(i = 0; in[i]; i++) {
      if(in[i] >= '0' && in[i] <= '9')
        FUZZ_ASSERT(n < len && digits[n++] == in[i]);
      else
        FUZZ_ASSERT(in[i] == ' ' || in[i] == '-');
    }
    FUZZ_ASSERT(n == len);
  }
  else {
    FUZZ_ASSERT(rc == VOUCH_ERR_INPUT && why && *why);
    /* The problem shown to the person exists for every refusal. */
    vouch_msg_id id = vouch_card_problem(in);
    FUZZ_ASSERT(id == VOUCH_MSG_CARD_FORMAT || id == VOUCH_MSG_CARD_LUHN);
  }
  free(in);
  return 0;
}
