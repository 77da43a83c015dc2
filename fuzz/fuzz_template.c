/*
 * fuzz_template.c - template rendering (vouch_render) on any template
 * text.  The input's first byte picks an email or an SMS template; the
 * rest is written as the template file into a private directory under
 * /dev/shm (memory, fast) and rendered with a few variables, one of them
 * hostile.  A rendering that succeeds is UTF-8, its subject has no line
 * break and its body ends with exactly one newline.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "vouch.h"

static char dir[64];
static vouch_ctx ctx;

static void quiet(void *arg, int priority, const char *msg)
{
  (void)arg;
  (void)priority;
  (void)msg;
}

static void cleanup(void)
{
  char p[128];

  snprintf(p, sizeof(p), "%s/en/fuzz-email.txt", dir);
  unlink(p);
  snprintf(p, sizeof(p), "%s/en/fuzz-sms.txt", dir);
  unlink(p);
  snprintf(p, sizeof(p), "%s/en", dir);
  rmdir(p);
  rmdir(dir);
  vouch_config_free(ctx.cfg);
}

static int setup(void)
{
  char p[128];

  snprintf(dir, sizeof(dir), "/dev/shm/vouch-fuzz-tpl.%ld", (long)getpid());
  snprintf(p, sizeof(p), "%s/en", dir);
  if((mkdir(dir, 0755) && errno != EEXIST) ||
     (mkdir(p, 0755) && errno != EEXIST))
    return -1;
  ctx.cfg = calloc(1, sizeof(*ctx.cfg));
  if(!ctx.cfg || vouch_config_defaults(ctx.cfg))
    return -1;
  free(ctx.cfg->templates_dir);
  ctx.cfg->templates_dir = strdup(dir);
  ctx.log = quiet;
  ctx.service = (char *)"fuzz";
  atexit(cleanup);
  return ctx.cfg->templates_dir ? 0 : -1;
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t done = 0;

  if(fd < 0)
    return -1;
  while(done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if(n <= 0)
      break;
    done += (size_t)n;
  }
  close(fd);
  return done == size ? 0 : -1;
}

static void check(const vouch_message *m, int sms)
{
  size_t n = strlen(m->body);

  FUZZ_ASSERT(n > 0 && m->body[n - 1] == '\n');
  FUZZ_ASSERT(n == 1 || m->body[n - 2] != '\n');
  FUZZ_ASSERT(vouch_valid_utf8(m->body, n));
  if(sms)
    return;
  FUZZ_ASSERT(m->subject && *m->subject);
  FUZZ_ASSERT(!strpbrk(m->subject, "\r\n"));
  FUZZ_ASSERT(vouch_valid_utf8(m->subject, strlen(m->subject)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int ready;
  const char *name;
  vouch_message m;
  char path[160];
  int sms;

  if(!ready)
    ready = setup() ? -1 : 1;
  if(ready < 0 || !size)
    return 0;
  sms = data[0] & 1;
  name = sms ? "fuzz-sms" : "fuzz-email";
  snprintf(path, sizeof(path), "%s/en/%s.txt", dir, name);
  if(write_file(path, data + 1, size - 1))
    return 0;
  memset(&m, 0, sizeof(m));
  if(vouch_render(&ctx, name, "da", &m, "code", "123456", "name",
                  "Zoë {code} \r\nBcc: x@y", "url",
                  "https://example.org/r?token=abc",
                  (const char *)NULL) == VOUCH_OK)
    check(&m, sms);
  vouch_message_clear(&m);
  return 0;
}
