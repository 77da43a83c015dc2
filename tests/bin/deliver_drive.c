/*
 * deliver_drive - runs vouch_deliver (the spawning side of delivery) from
 * shell tests.
 *
 *   deliver_drive [--dirty] [--close-stdio] [--kept N [--kill]] CONF
 *                 CHANNEL TO [SUBJECT]
 *
 * The body comes from stdin.  Prints "rc=N (text) ms=M" and the log lines
 * ("log: ...") on stderr and exits with the vouch_rc number.  --dirty
 * first leaves the process the way a careless host would: SIGINT and
 * SIGTERM ignored, SIGCHLD ignored (auto-reaping), SIGUSR1 and SIGHUP
 * blocked, descriptors 7 and 42 open without close-on-exec; the helper
 * must see none of it.  --close-stdio closes descriptors 0 and 1 before
 * delivering, so that the pipes land on them.  --kept N delivers the
 * message N times through helpers that stay running (as vouchd does) and
 * prints "kept: rc=R children=PIDS" after each; --kill SIGKILLs those
 * children after the first message.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "vouch.h"

static void log_stderr(void *arg, int priority, const char *msg)
{
  (void)arg;
  fprintf(stderr, "log: <%d> %s\n", priority, msg);
}

static void make_dirty(void)
{
  sigset_t set;
  int fd = open("/dev/null", O_RDONLY);

  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGCHLD, SIG_IGN);
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);
  if(fd >= 0) {
    dup2(fd, 7);
    dup2(fd, 42);
    close(fd);
  }
}

/* This process's children, as "pid pid ...". */
static void children(char *out, size_t len)
{
  char path[64];
  FILE *f;

  out[0] = '\0';
  snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
  f = fopen(path, "r");
  if(!f)
    return;
  if(!fgets(out, (int)len, f))
    out[0] = '\0';
  fclose(f);
  out[strcspn(out, "\n")] = '\0';
}

static void kill_children(void)
{
  char list[512], *p, *end;
  long pid;

  children(list, sizeof(list));
  for(p = list;; p = end) {
    pid = strtol(p, &end, 10);
    if(end == p)
      break;
    kill((pid_t)pid, SIGKILL);
  }
  usleep(100000);
}

static vouch_rc kept(vouch_ctx *ctx, const vouch_message *m, int n, bool kill)
{
  char list[512];
  vouch_rc rc = VOUCH_OK, r;
  int i;

  vouch_delivery_keep(ctx);
  for(i = 0; i < n; i++) {
    r = vouch_deliver(ctx, m);
    children(list, sizeof(list));
    fprintf(stderr, "kept: rc=%d children=%s\n", (int)r, list);
    if(r)
      rc = r;
    if(!i && kill)
      kill_children();
  }
  vouch_delivery_keep(NULL);
  children(list, sizeof(list));
  fprintf(stderr, "kept: after children=%s\n", list);
  return rc;
}

static long long ms_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
  vouch_message m = {VOUCH_CHANNEL_EMAIL, NULL, NULL, NULL, NULL};
  bool dirty = false, close_stdio = false, kill = false;
  int nkept = 0;
  vouch_ctx *ctx = NULL;
  size_t len = 0;
  long long t0;
  vouch_rc rc;
  int i = 1;

  /* Like vouchd: this process opens the store itself, which may be the
   * PostgreSQL one (tests with VOUCH_BACKEND=postgresql). */
  vouch_pg_clear_env();
  vouch_store_pg_enable();
  for(; i < argc && !strncmp(argv[i], "--", 2); i++) {
    if(!strcmp(argv[i], "--dirty"))
      dirty = true;
    else if(!strcmp(argv[i], "--close-stdio"))
      close_stdio = true;
    else if(!strcmp(argv[i], "--kept") && i + 1 < argc)
      nkept = atoi(argv[++i]);
    else if(!strcmp(argv[i], "--kill"))
      kill = true;
  }
  if(argc - i < 3 || argc - i > 4) {
    fputs("usage: deliver_drive [--dirty] [--close-stdio] CONF CHANNEL TO "
          "[SUBJECT] < BODY\n",
          stderr);
    return 125;
  }
  m.channel =
      strcmp(argv[i + 1], "sms") ? VOUCH_CHANNEL_EMAIL : VOUCH_CHANNEL_SMS;
  m.to = vouch_strdup(argv[i + 2]);
  m.subject = argc - i == 4 ? vouch_strdup(argv[i + 3]) : NULL;
  rc = vouch_read_fd(0, 256 * 1024, &m.body, &len);
  if(!rc)
    rc = vouch_ctx_new(argv[i], "deliver_drive", log_stderr, NULL, &ctx);
  if(!rc) {
    if(dirty)
      make_dirty();
    if(close_stdio) {
      close(0);
      close(1);
    }
    t0 = ms_now();
    rc = nkept ? kept(ctx, &m, nkept, kill) : vouch_deliver(ctx, &m);
    fprintf(stderr, "rc=%d (%s) ms=%lld\n", (int)rc, vouch_strerror(rc),
            ms_now() - t0);
  }
  else
    fprintf(stderr, "setup: rc=%d (%s)\n", (int)rc, vouch_strerror(rc));
  vouch_message_clear(&m);
  vouch_ctx_free(ctx);
  return (int)rc;
}
