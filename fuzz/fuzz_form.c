/*
 * fuzz_form.c - vouch-web's form body parser (web/form.c) and its
 * Accept-Language and value checks on any bytes.  Beyond memory safety:
 * an accepted form has at most WEB_FIELDS_MAX fields with names of
 * [a-z0-9_] and values that pass web_value_ok; the language chosen is
 * always one vouch speaks.
 */
#include "fuzz.h"
#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *lang, *why;
  web_form f;
  unsigned i;
  char *s;
  size_t k;

  why = web_form_parse((const char *)data, size, &f);
  if(!why) {
    FUZZ_ASSERT(f.n <= WEB_FIELDS_MAX);
    for(i = 0; i < f.n; i++) {
      for(k = 0; f.name[i][k]; k++)
        FUZZ_ASSERT((f.name[i][k] >= 'a' && f.name[i][k] <= 'z') ||
                    (f.name[i][k] >= '0' && f.name[i][k] <= '9') ||
                    f.name[i][k] == '_');
      FUZZ_ASSERT(web_value_ok(f.value[i], WEB_VALUE_MAX));
      FUZZ_ASSERT(web_form_get(&f, f.name[i]) == f.value[i]);
    }
    web_form_free(&f);
  }
  else
    FUZZ_ASSERT(f.n == 0);
  s = fuzz_cstr(data, size);
  if(!s)
    return 0;
  lang = web_lang_accept(s);
  FUZZ_ASSERT(web_lang_known(lang) != NULL);
  (void)web_value_ok(s, WEB_VALUE_MAX);
  free(s);
  return 0;
}
