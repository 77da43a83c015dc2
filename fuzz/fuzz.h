/*
 * fuzz.h - what every libFuzzer target of vouch shares: the entry point's
 * declaration (clang does not declare it) and a NUL-terminated copy of
 * the input, since most parsers take C strings.
 */
#ifndef VOUCH_FUZZ_H
#define VOUCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'ed copy of data with a NUL after it (NULL when out of
 * memory: the target then does nothing). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);

  if(!s)
    return NULL;
  if(size)
    memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

/* Stops the run with a crash libFuzzer reports and keeps: a property
 * that must hold did not. */
#define FUZZ_ASSERT(x)                                                        \
  do {                                                                        \
    if(!(x))                                                                  \
      abort();                                                                \
  } while(0)

#endif /* VOUCH_FUZZ_H */
