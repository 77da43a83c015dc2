/*
 * tool_client.c - what every vouch tool is on the caller's side: its
 * arguments and its standard input, output and error handed to vouchd,
 * which runs the command in a worker of its own (the key and the store
 * stay there) and says how it ended.  The tool holds no privilege: who
 * may do what is decided by vouchd from the socket's peer credentials.
 *
 * When vouchd is not running the tool exits 4 and names the socket.  An
 * interrupt (Ctrl-C) is passed on to the worker, which ends the command
 * as it would have ended it in the tool itself; a second one ends the
 * tool at once.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vouch_client.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

#define EXIT_SYSTEM 4
/* The one tool any user may run (for their own account). */
#define MEMBER_TOOL "vouch-account"

static volatile sig_atomic_t got_signal;
/* config_of's answer for "--config" as the last argument. */
static const char NO_VALUE[] = "";

static void on_signal(int sig)
{
  if(got_signal)
    _exit(128 + sig); /* the second one: now */
  got_signal = sig;
}

/* --config FILE or --config=FILE anywhere before "--": vouchd checks it
 * is its own. */
static const char *config_of(int argc, char **argv)
{
  int i;

  for(i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    if(!strcmp(argv[i], "--config"))
      return i + 1 < argc ? argv[i + 1] : NO_VALUE;
    if(!strncmp(argv[i], "--config=", 9))
      return argv[i] + 9;
  }
  return NULL;
}

static void catch_signals(void)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  sigaction(SIGQUIT, &sa, NULL);
}

/* Waits for the worker's end, passing an interrupt on. */
static int wait_exit(const char *tool, int fd, vouch_frame *f)
{
  long long code;
  int r;

  for(;;) {
    if(got_signal > 0) {
      vouch_frame_init(f, VF_SIGNAL);
      if(vouch_frame_add_num(f, got_signal) || vouch_frame_send(fd, f, 2000))
        return 128 + got_signal;
      got_signal = -got_signal; /* passed on; a second one exits */
    }
    r = vouch_frame_recv(fd, f, 1000);
    if(r == VF_TIMEOUT)
      continue;
    if(r == VF_IO && errno == EINTR)
      continue;
    if(r)
      break;
    if(f->type == VF_ALIVE)
      continue;
    if(f->type == VF_EXIT && f->nfields == 1 &&
       vouch_frame_num(f->field[0], 0, 255, &code))
      return (int)code;
    break;
  }
  fprintf(stderr, "%s: vouchd ended the request without an answer\n", tool);
  return EXIT_SYSTEM;
}

/* A value quoted back: printable ASCII, at most 64 bytes, then "...". */
static void shown(const char *s, char *buf, size_t len)
{
  size_t n = 0, i;

  for(i = 0; s[i] && i < 64 && n + 5 < len; i++) {
    unsigned char c = (unsigned char)s[i];
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
}

/* The configuration file: named and present, as the tool itself would
 * insist, before vouchd is looked for in it. */
static int read_conf(const char *tool, const char *path,
                     vouch_client_conf *conf)
{
  char err[320], buf[320];
  struct stat st;

  if(path == NO_VALUE) {
    fprintf(stderr, "%s: option --config needs a value\n", tool);
    return 2;
  }
  if(path && !*path) {
    fprintf(stderr, "%s: --config needs a file name\n", tool);
    return 2;
  }
  if(!path)
    path = VOUCH_CONF_PATH;
  if(lstat(path, &st) && errno == ENOENT) {
    shown(path, buf, sizeof(buf));
    fprintf(stderr,
            "%s: configuration file %s does not exist: install "
            "conf/vouch.conf there, or name another with --config PATH\n",
            tool, buf);
    return EXIT_SYSTEM;
  }
  if(vouch_client_conf_read(path, conf, err, sizeof(err))) {
    fprintf(stderr, "%s: %s%s\n", tool, err,
            errno != EACCES             ? ""
            : strcmp(tool, MEMBER_TOOL) ? " (run it as root)"
                                        : " (it must be readable by every "
                                          "user: chmod 644)");
    return EXIT_SYSTEM;
  }
  return 0;
}

int vouch_client_tool(const char *tool, int argc, char **argv)
{
  static const int fds[3] = {0, 1, 2};
  vouch_client_conf conf;
  static vouch_frame f;
  char err[320];
  int i, fd, rc;

  rc = read_conf(tool, config_of(argc, argv), &conf);
  if(rc)
    return rc;
  vouch_frame_init(&f, VF_TOOL);
  rc = vouch_frame_add(&f, VOUCH_PROTO) | vouch_frame_add(&f, tool);
  for(i = 1; i < argc && !rc; i++)
    rc = vouch_frame_add(&f, argv[i]);
  if(rc) {
    shown(argv[i - 1], err, sizeof(err));
    fprintf(stderr,
            "%s: argument '%s' is too long (the arguments may take %d "
            "bytes, %d of them at most)\n",
            tool, err, VOUCH_FRAME_MAX - 64, VOUCH_FIELDS_MAX - 2);
    return 2;
  }
  fd = vouch_client_connect(&conf, err, sizeof(err));
  if(fd < 0 && (errno == EACCES || errno == EPERM)) {
    if(strcmp(tool, MEMBER_TOOL))
      fprintf(stderr, "%s: %s\n%s: only root may run %s\n", tool, err, tool,
              tool);
    else
      fprintf(stderr,
              "%s: %s\n%s: vouchd's socket must be open to every user "
              "(vouchd makes it 0666 in a 0755 directory)\n",
              tool, err, tool);
    return EXIT_SYSTEM;
  }
  if(fd < 0) {
    fprintf(stderr,
            "%s: %s\n%s: start vouchd first (systemctl start "
            "vouchd.socket, or vouchd --config %s)\n",
            tool, err, tool, conf.path);
    return EXIT_SYSTEM;
  }
  catch_signals();
  if(vouch_frame_send_fds(fd, &f, fds, 3, conf.timeout_ms)) {
    fprintf(stderr, "%s: vouchd at %s did not take the request\n", tool,
            conf.socket);
    rc = EXIT_SYSTEM;
  }
  else
    rc = wait_exit(tool, fd, &f);
  vouch_frame_wipe(&f);
  close(fd);
  return rc;
}
