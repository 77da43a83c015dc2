/*
 * fuzz_config.c - the configuration parser (vouch_config_load) on any
 * file content.  Each input is written to a private file under /dev/shm
 * (memory, fast) with the modes vouch_open_secure wants, then loaded.
 * Beyond memory safety: a refusal always reports at least one message,
 * and a configuration that loads passes vouch_config_check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "vouch.h"

static char path[64];

static void count(void *arg, int priority, const char *msg)
{
  unsigned *n = arg;

  (void)priority;
  FUZZ_ASSERT(msg && *msg);
  (*n)++;
}

static void cleanup(void)
{
  unlink(path);
}

static int write_file(const uint8_t *data, size_t size)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t done = 0;

  if(fd < 0)
    return -1;
  if(fchmod(fd, 0644)) {
    close(fd);
    return -1;
  }
  while(done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if(n <= 0)
      break;
    done += (size_t)n;
  }
  close(fd);
  return done == size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  vouch_config *c = NULL;
  unsigned msgs = 0;
  vouch_rc rc;

  if(!path[0]) {
    snprintf(path, sizeof(path), "/dev/shm/vouch-fuzz-conf.%ld",
             (long)getpid());
    atexit(cleanup);
  }
  if(write_file(data, size))
    return 0;
  rc = vouch_config_load(path, &c, count, &msgs);
  if(rc == VOUCH_OK) {
    FUZZ_ASSERT(c != NULL);
    FUZZ_ASSERT(vouch_config_check(c, count, &msgs) == VOUCH_OK);
    vouch_config_free(c);
  }
  else {
    FUZZ_ASSERT(c == NULL);
    FUZZ_ASSERT(rc == VOUCH_ERR_CONFIG || rc == VOUCH_ERR_NOMEM);
    FUZZ_ASSERT(msgs > 0 || rc == VOUCH_ERR_NOMEM);
  }
  return 0;
}
