/*
 * csrf.c - the CSRF token of every form: "T.MAC", T the time it was made
 * and MAC an HMAC-SHA-256 over T and what the form acts on, keyed by a
 * secret this process draws at start (never vouchd's key).  Good for two
 * hours; a restart of vouch-web asks the member to open the page again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "web.h"

#define CSRF_TTL (2 * 3600)

static unsigned char g_secret[crypto_auth_hmacsha256_KEYBYTES];

int web_csrf_init(void)
{
  if(sodium_init() < 0)
    return -1;
  crypto_auth_hmacsha256_keygen(g_secret);
  return 0;
}

static void mac_of(long long t, const char *what,
                   unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
  crypto_auth_hmacsha256_state st;
  char ts[24];

  snprintf(ts, sizeof(ts), "%lld|", t);
  crypto_auth_hmacsha256_init(&st, g_secret, sizeof(g_secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)what,
                                strlen(what));
  crypto_auth_hmacsha256_final(&st, mac);
}

void web_csrf_make(const char *what, char out[WEB_CSRF_MAX])
{
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  long long t = (long long)time(NULL);
  int n;

  mac_of(t, what, mac);
  n = snprintf(out, WEB_CSRF_MAX, "%lld.", t);
  sodium_bin2base64(out + n, WEB_CSRF_MAX - (size_t)n, mac, sizeof(mac),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool web_csrf_check(const char *what, const char *token)
{
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  unsigned char got[crypto_auth_hmacsha256_BYTES];
  const char *dot, *end = NULL;
  long long t = 0, now = (long long)time(NULL);
  size_t glen = 0;
  const char *p;

  if(!token || strlen(token) >= WEB_CSRF_MAX)
    return false;
  dot = strchr(token, '.');
  if(!dot || dot == token || dot - token > 12)
    return false;
  for(p = token; p < dot; p++) {
    if(*p < '0' || *p > '9')
      return false;
    t = t * 10 + (*p - '0');
  }
  if(t > now + 60 || now - t > CSRF_TTL)
    return false;
  if(sodium_base642bin(got, sizeof(got), dot + 1, strlen(dot + 1), NULL, &glen,
                       &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
     glen != sizeof(got) || (end && *end))
    return false;
  mac_of(t, what, mac);
  return sodium_memcmp(mac, got, sizeof(mac)) == 0;
}
