/*
 * cli.c - what every command-line tool shares for talking to a person:
 * messages on stderr under the tool's name, the core's log sink, and
 * values from the command line quoted back safely.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vouch.h"

/* Bytes of a value quoted back before it is cut with "...". */
#define SHOW_MAX 64

static const char *prog = "vouch";

void vouch_cli_name(const char *name)
{
  prog = name;
}

void vouch_cli_say(const char *fmt, ...)
{
  va_list ap;

  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void vouch_cli_log(void *arg, int priority, const char *msg)
{
  (void)arg;
  (void)priority;
  fprintf(stderr, "%s: %s\n", prog, msg);
}

const char *vouch_cli_shown(const char *s, char *buf, size_t len)
{
  size_t n = 0, i;
  unsigned char c;

  for(i = 0; s[i] && i < SHOW_MAX && n + 5 < len; i++) {
    c = (unsigned char)s[i];
    if(c >= 0x20 && c < 0x7f && c != '\\')
      buf[n++] = (char)c;
    else
      n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
  }
  if(s[i] && n + 4 < len) {
    memcpy(buf + n, "...", 3);
    n += 3;
  }
  buf[n] = '\0';
  return buf;
}
