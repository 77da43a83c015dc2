/*
 * connect.c - how a client finds vouchd: the [daemon] keys of vouch.conf
 * (socket, timeout, user; every other key is the daemon's to check), and
 * a connection that checks both ends as SSSD's client does: the socket
 * file and the process behind it must belong to root or to the daemon's
 * user.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vouch_client.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif
#ifndef VOUCH_DAEMON_SOCKET
#define VOUCH_DAEMON_SOCKET "/run/vouch/vouchd.sock"
#endif

#define CONF_MAX (1024 * 1024)

static char *trim(char *s)
{
  char *e;

  while(*s == ' ' || *s == '\t')
    s++;
  e = s + strlen(s);
  while(e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
    *--e = '\0';
  return s;
}

/* "10", "10s", "2m", "1h": milliseconds, or -1. */
static long long duration_ms(const char *v)
{
  long long n = 0, unit = 1000;
  size_t i;

  for(i = 0; v[i] >= '0' && v[i] <= '9' && i < 9; i++)
    n = n * 10 + (v[i] - '0');
  if(!i)
    return -1;
  if(!strcmp(v + i, "m"))
    unit = 60000;
  else if(!strcmp(v + i, "h"))
    unit = 3600000;
  else if(v[i] && strcmp(v + i, "s"))
    return -1;
  return n * unit;
}

/* A key of [web]: kept as text for vouch-web, which checks them. */
static int set_web_key(vouch_client_conf *c, const char *k, const char *v,
                       char *err, size_t errlen)
{
  char *dst = NULL;
  size_t size = 0;

  if(!strcmp(k, "listen")) {
    dst = c->web_listen;
    size = sizeof(c->web_listen);
  }
  else if(!strcmp(k, "base_url")) {
    dst = c->web_base_url;
    size = sizeof(c->web_base_url);
  }
  else if(!strcmp(k, "user")) {
    dst = c->web_user;
    size = sizeof(c->web_user);
  }
  if(!dst)
    return 0;
  if(strlen(v) >= size) {
    snprintf(err, errlen, "[web] %s: longer than %zu bytes", k, size - 1);
    return -1;
  }
  snprintf(dst, size, "%s", v);
  return 0;
}

static int set_key(vouch_client_conf *c, const char *k, const char *v,
                   char *err, size_t errlen)
{
  struct passwd *pw;
  long long ms;

  if(!strcmp(k, "socket")) {
    if(v[0] != '/' || strlen(v) >= sizeof(c->socket)) {
      snprintf(err, errlen,
               "[daemon] socket: not an absolute path of at "
               "most 107 bytes");
      return -1;
    }
    snprintf(c->socket, sizeof(c->socket), "%s", v);
  }
  else if(!strcmp(k, "timeout")) {
    ms = duration_ms(v);
    if(ms < 2000 || ms > 300000) {
      snprintf(err, errlen, "[daemon] timeout: not a duration from 2s to 5m");
      return -1;
    }
    c->timeout_ms = (int)ms;
  }
  else if(!strcmp(k, "user") && *v) {
    pw = getpwnam(v);
    if(!pw) {
      snprintf(err, errlen, "[daemon] user: no such user");
      return -1;
    }
    c->daemon_uid = pw->pw_uid;
    c->has_daemon_uid = true;
  }
  return 0;
}

/* Only the INI shape is checked here (vouchd checks every key): a file
 * that is not one is refused, as the daemon would. */
static bool has_control(const char *s)
{
  for(; *s; s++)
    if((unsigned char)*s < 0x20 && *s != '\t')
      return true;
  return false;
}

static int parse(char *text, size_t len, vouch_client_conf *c, char *err,
                 size_t errlen)
{
  char *line, *next, *eq, *hash;
  bool in_daemon = false, in_web = false;
  unsigned n = 0;

  if(strlen(text) != len) {
    snprintf(err, errlen, "%s: contains a NUL byte", c->path);
    return -1;
  }
  for(line = text; line; line = next) {
    next = strchr(line, '\n');
    n++;
    if(next)
      *next++ = '\0';
    hash = strchr(line, '#');
    if(hash)
      *hash = '\0';
    line = trim(line);
    eq = strchr(line, '=');
    if(has_control(line) ||
       (line[0] && line[0] != '[' && (!eq || eq == line)) ||
       (line[0] == '[' && line[strlen(line) - 1] != ']')) {
      snprintf(err, errlen, "%s:%u: not a [section] or key = value line",
               c->path, n);
      return -1;
    }
    if(line[0] == '[') {
      in_daemon = !strcmp(line, "[daemon]");
      in_web = !strcmp(line, "[web]");
      continue;
    }
    if(!(in_daemon || in_web) || !eq)
      continue;
    *eq = '\0';
    if(in_daemon && set_key(c, trim(line), trim(eq + 1), err, errlen))
      return -1;
    if(in_web && set_web_key(c, trim(line), trim(eq + 1), err, errlen))
      return -1;
  }
  return 0;
}

int vouch_client_conf_read(const char *path, vouch_client_conf *c, char *err,
                           size_t errlen)
{
  struct stat st;
  char *text = NULL;
  ssize_t n;
  size_t got = 0;
  int fd, rc = -1;

  memset(c, 0, sizeof(*c));
  snprintf(c->socket, sizeof(c->socket), "%s", VOUCH_DAEMON_SOCKET);
  c->timeout_ms = 10000;
  snprintf(c->web_listen, sizeof(c->web_listen), "127.0.0.1:8417");
  snprintf(c->web_base_url, sizeof(c->web_base_url), "https://example.org");
  if(!path)
    path = VOUCH_CONF_PATH;
  c->path = path;
  fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if(fd < 0) {
    if(errno == ELOOP)
      snprintf(err, errlen, "%s: refused: it is a symbolic link", path);
    else
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  /* The refusals of the daemon's own reader, in its words. */
  if(fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: refused: not a regular file%s", path,
             S_ISDIR(st.st_mode) ? " (it is a directory)" : "");
    goto out;
  }
  if(st.st_uid != 0 && st.st_uid != geteuid()) {
    snprintf(err, errlen, "%s: refused: owned by uid %lu, not by root", path,
             (unsigned long)st.st_uid);
    goto out;
  }
  if(st.st_mode & 022) {
    snprintf(err, errlen,
             "%s: refused: writable by group or others (mode %04o); run "
             "chmod go-w on it",
             path, (unsigned)st.st_mode & 07777);
    goto out;
  }
  if(st.st_size > CONF_MAX) {
    snprintf(err, errlen, "%s: refused: larger than %d bytes", path, CONF_MAX);
    goto out;
  }
  text = malloc((size_t)st.st_size + 1);
  if(!text) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  while(got < (size_t)st.st_size) {
    n = read(fd, text + got, (size_t)st.st_size - got);
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0)
      break;
    got += (size_t)n;
  }
  text[got] = '\0';
  rc = parse(text, got, c, err, errlen);
out:
  free(text);
  close(fd);
  return rc;
}

/* The socket file and the process behind it: root's or the daemon's. */
static bool trusted_uid(const vouch_client_conf *c, uid_t uid)
{
  return uid == 0 || (c->has_daemon_uid && uid == c->daemon_uid);
}

static int check_peer(const vouch_client_conf *c, int fd, char *err,
                      size_t errlen)
{
  struct ucred cred;
  socklen_t len = sizeof(cred);
  struct stat st;

  if(lstat(c->socket, &st) || !S_ISSOCK(st.st_mode) ||
     !trusted_uid(c, st.st_uid)) {
    snprintf(err, errlen,
             "%s: not a socket owned by root or vouchd's user; refused",
             c->socket);
    return -1;
  }
  if(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
     !trusted_uid(c, cred.uid)) {
    snprintf(err, errlen,
             "%s: the process behind it is not root's or vouchd's user's; "
             "refused",
             c->socket);
    return -1;
  }
  return 0;
}

int vouch_client_connect(const vouch_client_conf *c, char *err, size_t errlen)
{
  struct sockaddr_un sa;
  struct pollfd p;
  socklen_t len = sizeof(int);
  int fd, soerr = 0, r;

  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->socket);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if(fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return -1;
  }
  r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
  if(r && (errno == EINPROGRESS || errno == EAGAIN)) {
    p.fd = fd;
    p.events = POLLOUT;
    p.revents = 0;
    r = poll(&p, 1, c->timeout_ms);
    if(r == 0) {
      snprintf(err, errlen, "vouchd at %s did not answer within %d ms",
               c->socket, c->timeout_ms);
      errno = ETIMEDOUT;
      goto fail;
    }
    r = (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) || soerr)
            ? -1
            : 0;
    if(soerr)
      errno = soerr;
  }
  if(r && (errno == EACCES || errno == EPERM)) {
    snprintf(err, errlen, "cannot reach vouchd at %s: %s", c->socket,
             strerror(errno));
    goto fail;
  }
  if(r) {
    snprintf(err, errlen, "vouchd is not running at %s: %s", c->socket,
             strerror(errno));
    goto fail;
  }
  if(check_peer(c, fd, err, errlen)) {
    errno = EPERM; /* not vouchd: never "absent" */
    goto fail;
  }
  return fd;
fail:
  /* errno tells the caller why (EACCES: a hint of its own; ENOENT and
   * ECONNREFUSED: nothing listens there). */
  soerr = errno;
  close(fd);
  errno = soerr;
  return -1;
}
