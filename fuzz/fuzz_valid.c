/*
 * fuzz_valid.c - the input validators and number, date, duration and size
 * parsers on any text.  Beyond memory safety it checks what each promises:
 * an accepted phone is "+" and 8 to 15 digits, an accepted user name
 * matches its pattern, an accepted number lies in its range, a parsed
 * date formats back to the same text.
 */
#include "fuzz.h"
#include "vouch.h"

static void check_phone(const char *s)
{
  size_t i, n = strlen(s);

  if(!vouch_valid_phone(s))
    return;
  FUZZ_ASSERT(n >= 9 && n <= 16 && s[0] == '+');
  for(i = 1; i < n; i++)
    FUZZ_ASSERT(s[i] >= '0' && s[i] <= '9');
}

static int name_char(char c, int first)
{
  if((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
     (c >= '0' && c <= '9') || c == '_')
    return 1;
  return !first && (c == '.' || c == '-');
}

static void check_username(const char *s)
{
  size_t i, n = strlen(s);

  if(!vouch_valid_username(s))
    return;
  FUZZ_ASSERT(n >= 1 && n <= 32);
  for(i = 0; i < n; i++)
    FUZZ_ASSERT(name_char(s[i], i == 0));
}

static void check_numbers(const char *s)
{
  unsigned long long v = 0;
  time_t t = 0;
  char buf[32];

  if(vouch_parse_uint(s, 3, 1000000, &v) == VOUCH_OK)
    FUZZ_ASSERT(v >= 3 && v <= 1000000);
  if(vouch_parse_duration(s, 86400, &v) == VOUCH_OK)
    FUZZ_ASSERT(v <= 86400);
  if(vouch_parse_size(s, 1ULL << 40, &v) == VOUCH_OK)
    FUZZ_ASSERT(v <= 1ULL << 40);
  if(vouch_parse_date(s, &t) == VOUCH_OK) {
    FUZZ_ASSERT(t >= 0 && t % 86400 == 0);
    vouch_format_date(t, buf, sizeof(buf));
    FUZZ_ASSERT(!strcmp(buf, s));
    vouch_format_time(t, buf, sizeof(buf));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = fuzz_cstr(data, size);
  char masked[64];
  bool utf8;

  if(!s)
    return 0;
  utf8 = vouch_valid_utf8((const char *)data, size);
  if(utf8)
    FUZZ_ASSERT(vouch_utf8_chars((const char *)data, size) <= size);
  check_phone(s);
  check_username(s);
  check_numbers(s);
  if(vouch_valid_email(s))
    FUZZ_ASSERT(strlen(s) <= 254 && strchr(s, '@'));
  if(vouch_valid_fullname(s))
    FUZZ_ASSERT(vouch_valid_utf8(s, strlen(s)));
  (void)vouch_valid_lang(s);
  (void)vouch_valid_plan(s);
  vouch_mask_email(s, masked, sizeof(masked));
  FUZZ_ASSERT(strlen(masked) < sizeof(masked));
  vouch_mask_phone(s, masked, sizeof(masked));
  FUZZ_ASSERT(strlen(masked) < sizeof(masked));
  free(s);
  return 0;
}
