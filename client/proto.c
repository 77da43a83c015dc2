/*
 * proto.c - frames of vouchd's protocol: building, parsing and whole-frame
 * I/O with a time limit.  Shared by the clients and the daemon, so that
 * both ends apply the same bounds.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "vouch_client.h"

void vouch_frame_init(vouch_frame *f, char type)
{
  f->type = type;
  f->nfields = 0;
  f->data[0] = type;
  f->len = 1;
}

int vouch_frame_add(vouch_frame *f, const char *s)
{
  size_t n = strlen(s) + 1;

  if(f->nfields >= VOUCH_FIELDS_MAX || n > sizeof(f->data) - f->len)
    return VF_BAD;
  memcpy(f->data + f->len, s, n);
  f->field[f->nfields++] = f->data + f->len;
  f->len += n;
  return VF_OK;
}

int vouch_frame_add_num(vouch_frame *f, long long n)
{
  char buf[32];

  snprintf(buf, sizeof(buf), "%lld", n);
  return vouch_frame_add(f, buf);
}

int vouch_frame_parse(vouch_frame *f)
{
  size_t i, start;

  f->nfields = 0;
  if(f->len < 1 || f->len > sizeof(f->data))
    return VF_BAD;
  f->type = f->data[0];
  if(f->type < 'A' || f->type > 'Z')
    return VF_BAD;
  if(f->len > 1 && f->data[f->len - 1] != '\0')
    return VF_BAD;
  start = 1;
  for(i = 1; i < f->len; i++) {
    if(f->data[i] != '\0')
      continue;
    if(f->nfields >= VOUCH_FIELDS_MAX)
      return VF_BAD;
    f->field[f->nfields++] = f->data + start;
    start = i + 1;
  }
  return VF_OK;
}

bool vouch_frame_num(const char *s, long long min, long long max,
                     long long *out)
{
  long long v = 0;
  bool neg = false;
  size_t i = 0;

  if(s[0] == '-') {
    neg = true;
    i = 1;
  }
  if(!s[i] || strlen(s + i) > 18)
    return false;
  for(; s[i]; i++) {
    if(s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  if(neg)
    v = -v;
  if(v < min || v > max)
    return false;
  *out = v;
  return true;
}

static long long now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events, or the deadline (< 0: none). */
static int wait_fd(int fd, short events, long long deadline)
{
  struct pollfd p = {fd, events, 0};
  long long left;
  int r;

  for(;;) {
    left = deadline < 0 ? -1 : deadline - now_ms();
    if(deadline >= 0 && left <= 0)
      return VF_TIMEOUT;
    r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
    if(r > 0)
      return VF_OK;
    if(r == 0)
      continue;
    if(errno != EINTR)
      return VF_IO;
  }
}

static int write_all(int fd, const char *buf, size_t len, long long deadline)
{
  ssize_t n;
  int r;

  while(len) {
    r = wait_fd(fd, POLLOUT, deadline);
    if(r)
      return r;
    n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if(n < 0) {
      if(errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
        continue;
      return errno == EPIPE || errno == ECONNRESET ? VF_EOF : VF_IO;
    }
    buf += n;
    len -= (size_t)n;
  }
  return VF_OK;
}

/* The payload after its head: an end before it is whole is a cut frame. */
static int read_all(int fd, char *buf, size_t len, long long deadline)
{
  ssize_t n;
  int r;

  while(len) {
    r = wait_fd(fd, POLLIN, deadline);
    if(r)
      return r;
    n = recv(fd, buf, len, MSG_DONTWAIT);
    if(n < 0) {
      if(errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
        continue;
      return errno == ECONNRESET ? VF_EOF : VF_IO;
    }
    if(n == 0)
      return VF_BAD;
    buf += n;
    len -= (size_t)n;
  }
  return VF_OK;
}

/* The 4-byte big-endian length before a frame's payload. */
static void put_head(unsigned char *head, size_t len)
{
  uint32_t n = (uint32_t)len;

  head[0] = (unsigned char)(n >> 24);
  head[1] = (unsigned char)(n >> 16);
  head[2] = (unsigned char)(n >> 8);
  head[3] = (unsigned char)n;
}

int vouch_frame_send(int fd, const vouch_frame *f, int timeout_ms)
{
  long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  unsigned char head[4];
  int r;

  put_head(head, f->len);
  r = write_all(fd, (const char *)head, 4, deadline);
  if(!r)
    r = write_all(fd, f->data, f->len, deadline);
  return r;
}

/* The 4-byte head through sendmsg with fds attached (SCM_RIGHTS). */
static int send_head_fds(int fd, const unsigned char *head, const int *fds,
                         int nfds, long long deadline)
{
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int) * 3)];
  } u;
  struct iovec iov = {(void *)(uintptr_t)head, 4};
  struct msghdr m;
  struct cmsghdr *c;
  ssize_t n;
  int r;

  memset(&m, 0, sizeof(m));
  memset(&u, 0, sizeof(u));
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = u.buf;
  m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
  c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
  memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
  for(;;) {
    r = wait_fd(fd, POLLOUT, deadline);
    if(r)
      return r;
    n = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
    if(n == 4)
      return VF_OK;
    if(n >= 0)
      return VF_IO; /* a Unix socket takes 4 bytes whole */
    if(errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
      return errno == EPIPE || errno == ECONNRESET ? VF_EOF : VF_IO;
  }
}

int vouch_frame_send_fds(int fd, const vouch_frame *f, const int *fds,
                         int nfds, int timeout_ms)
{
  long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  unsigned char head[4];
  int r;

  if(nfds < 1 || nfds > 3)
    return VF_BAD;
  put_head(head, f->len);
  r = send_head_fds(fd, head, fds, nfds, deadline);
  if(!r)
    r = write_all(fd, f->data, f->len, deadline);
  return r;
}

/* The 4-byte head through recvmsg, keeping up to 3 fds that come with
 * it (close-on-exec); any others are closed. */
static int recv_head_fds(int fd, unsigned char *head, int *fds, int *nfds,
                         long long deadline)
{
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int) * 8)];
  } u;
  struct iovec iov = {head, 4};
  struct msghdr m;
  struct cmsghdr *c;
  size_t got = 0, i, k;
  ssize_t n;
  int r;

  *nfds = 0;
  while(got < 4) {
    r = wait_fd(fd, POLLIN, deadline);
    if(r)
      return r;
    memset(&m, 0, sizeof(m));
    iov.iov_base = head + got;
    iov.iov_len = 4 - got;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof(u.buf);
    n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if(n < 0) {
      if(errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
        continue;
      return errno == ECONNRESET ? VF_EOF : VF_IO;
    }
    for(c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if(c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for(i = 0; i < k; i++) {
        int one;
        memcpy(&one, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        if(*nfds < 3)
          fds[(*nfds)++] = one;
        else
          close(one);
      }
    }
    if(n == 0)
      return got ? VF_BAD : VF_EOF;
    got += (size_t)n;
  }
  return VF_OK;
}

int vouch_frame_recv_fds(int fd, vouch_frame *f, int *fds, int *nfds,
                         int timeout_ms)
{
  long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  unsigned char head[4];
  uint32_t n;
  int r;

  f->len = 0;
  f->nfields = 0;
  r = recv_head_fds(fd, head, fds, nfds, deadline);
  if(r)
    return r;
  n = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
      (uint32_t)head[2] << 8 | head[3];
  if(n < 1 || n > sizeof(f->data))
    return VF_BAD;
  r = read_all(fd, f->data, n, deadline);
  if(r)
    return r == VF_EOF ? VF_BAD : r;
  f->len = n;
  return vouch_frame_parse(f);
}

int vouch_frame_recv(int fd, vouch_frame *f, int timeout_ms)
{
  int fds[3], nfds = 0, r, i;

  /* Descriptors nobody asked for are closed, never kept. */
  r = vouch_frame_recv_fds(fd, f, fds, &nfds, timeout_ms);
  for(i = 0; i < nfds; i++)
    close(fds[i]);
  return r;
}

void vouch_frame_wipe(vouch_frame *f)
{
  explicit_bzero(f, sizeof(*f));
}
