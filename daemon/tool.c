/*
 * tool.c - a tool's request: vouchd runs the command (vouchctl,
 * vouch-reset, vouch-logout-all, vouch-cancel, vouch-export,
 * vouch-account) in a worker of its own, a fresh image of vouchd started
 * with "--worker" (never a bare fork of this threaded process), with
 * the standard input, output and error the tool handed over.  The
 * command's output and exit code are the tool's; the key and the store
 * stay on this side of the socket.
 *
 * Who may run what comes from the peer's credentials: root any tool;
 * any other uid only vouch-account, which then acts for that uid's user
 * alone.  A tool's --config must name the file vouchd runs with; without
 * one, vouchd's is passed on.  The worker ends with the tool: a tool
 * that goes away takes its worker with it (SIGTERM, then SIGKILL).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "vouchd.h"

#define WORKER_ARGS (VOUCH_FIELDS_MAX + 8)
#define KILL_GRACE_MS 2000

static const char *const tools[] = {"vouchctl",         "vouch-reset",
                                    "vouch-logout-all", "vouch-cancel",
                                    "vouch-export",     "vouch-account"};

static bool known_tool(const char *name)
{
  size_t i;

  for(i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
    if(!strcmp(name, tools[i]))
      return true;
  return false;
}

/* A line on the tool's stderr (the descriptor it handed over). */
static void tell(int fd, const char *tool, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);
static void tell(int fd, const char *tool, const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  int n;

  n = snprintf(buf, sizeof(buf), "%s: ", tool);
  va_start(ap, fmt);
  vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
  va_end(ap);
  n = (int)strlen(buf);
  if(n < (int)sizeof(buf) - 1)
    buf[n++] = '\n';
  if(write(fd, buf, (size_t)n) < 0)
    return;
}

static void finish(vd_req *r, int code)
{
  vouch_frame_init(&r->io, VF_EXIT);
  if(!vouch_frame_add_num(&r->io, code))
    (void)vouch_frame_send(r->fd, &r->io, r->timeout_ms);
}

/* The --config of the tool's arguments (the tools read it before the
 * command, as FILE or =FILE), or NULL. */
static const char *config_arg(int argc, const char **argv)
{
  int i;

  for(i = 0; i < argc && strcmp(argv[i], "--"); i++) {
    if(!strcmp(argv[i], "--config") && i + 1 < argc)
      return argv[i + 1];
    if(!strncmp(argv[i], "--config=", 9))
      return argv[i] + 9;
  }
  return NULL;
}

/* vouchd --worker TOOL UID [--config FILE] ARGS...: with the file the
 * daemon runs with unless the tool named it. */
static int worker_argv(vd_req *r, const char *tool, int argc,
                       const char **argv, const char **out, char *uid,
                       size_t uidlen)
{
  const char *conf;
  int n = 0, i;

  conf = config_arg(argc, argv);
  snprintf(uid, uidlen, "%u", (unsigned)r->peer.uid);
  out[n++] = "vouchd";
  out[n++] = "--worker";
  out[n++] = tool;
  out[n++] = uid;
  if(!conf) {
    out[n++] = "--config";
    out[n++] = vd_config_path();
  }
  for(i = 0; i < argc && n < WORKER_ARGS - 1; i++)
    out[n++] = argv[i];
  out[n] = NULL;
  return conf && !vd_same_config(conf) ? -1 : 0;
}

/* The worker: the tool's descriptors as 0, 1 and 2, nothing else open,
 * default signals, then a fresh image (async-signal-safe calls only). */
static pid_t spawn(const int *fds, const char *const *argv)
{
  int tmp[3];
  sigset_t none;
  pid_t pid;
  int i;

  pid = fork();
  if(pid != 0)
    return pid;
  /* Above every descriptor in use first, so that none is overwritten
   * before it is copied. */
  for(i = 0; i < 3; i++) {
    tmp[i] = fcntl(fds[i], F_DUPFD, 3);
    if(tmp[i] < 0)
      _exit(126);
  }
  for(i = 0; i < 3; i++) {
    if(dup2(tmp[i], i) < 0)
      _exit(126);
  }
  close_range(3, ~0U, 0);
  for(i = 1; i < NSIG; i++)
    signal(i, SIG_DFL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execv("/proc/self/exe", (char *const *)(uintptr_t)argv);
  _exit(127);
}

/* The tool's exit code: the worker's (126 and 127, no worker at all,
 * are a system error), 128 + N for a signal, as a shell says it. */
static int exit_code(int status)
{
  if(WIFEXITED(status))
    return WEXITSTATUS(status) >= 126 ? 4 : WEXITSTATUS(status);
  if(WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return 4;
}

/* Waits for the worker while watching the tool: an interrupt it passes
 * on reaches the worker; a tool that goes away ends it. */
static int watch(vd_req *r, pid_t pid)
{
  struct pollfd p = {r->fd, POLLIN, 0};
  long long kill_at = -1, sig;
  int status, rc;

  for(;;) {
    if(waitpid(pid, &status, WNOHANG) == pid)
      return exit_code(status);
    if(kill_at >= 0 && vd_mono_ms() >= kill_at) {
      kill(pid, SIGKILL);
      kill_at = -1;
    }
    p.revents = 0;
    if(poll(&p, 1, 50) <= 0 || kill_at >= 0 || r->gone)
      continue;
    rc = vouch_frame_recv(r->fd, &r->io, r->timeout_ms);
    if(!rc && r->io.type == VF_SIGNAL && r->io.nfields == 1 &&
       vouch_frame_num(r->io.field[0], 1, 64, &sig) &&
       (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)) {
      kill(pid, (int)sig);
      continue;
    }
    /* Gone, or speaking out of turn: the worker ends. */
    r->gone = true;
    kill(pid, SIGTERM);
    kill_at = vd_mono_ms() + KILL_GRACE_MS;
  }
}

int vd_tool(vd_req *r, const int *fds, int nfds)
{
  const vouch_frame *h = &r->hello;
  const char *argv[WORKER_ARGS];
  const char *tool;
  char uid[16], detail[160];
  pid_t pid;
  int code;

  if(h->nfields < 2 || strcmp(h->field[0], VOUCH_PROTO) ||
     !known_tool(h->field[1]) || nfds != 3) {
    vd_refused(r, "daemon.bad_request", "malformed tool request");
    finish(r, 4);
    return 0;
  }
  tool = h->field[1];
  r->service = tool;
  if(!r->root && strcmp(tool, "vouch-account")) {
    snprintf(detail, sizeof(detail), "%s run by uid %u", tool,
             (unsigned)r->peer.uid);
    vd_refused(r, "daemon.refused", detail);
    tell(fds[2], tool,
         "only root may run %s (run it as root, or use "
         "vouch-account for your own account)",
         tool);
    finish(r, 1);
    return 0;
  }
  if(worker_argv(r, tool, (int)h->nfields - 2,
                 (const char **)(uintptr_t)&h->field[2], argv, uid,
                 sizeof(uid))) {
    tell(fds[2], tool,
         "--config must name the configuration vouchd runs "
         "with (%s), or be left out",
         vd_config_path());
    finish(r, 2);
    return 0;
  }
  pid = spawn(fds, argv);
  if(pid < 0) {
    tell(fds[2], tool, "vouchd could not start the command: %s",
         strerror(errno));
    finish(r, 4);
    return 0;
  }
  code = watch(r, pid);
  if(!r->gone)
    finish(r, code);
  return 0;
}
