/*
 * vouch_client.h - the client side of vouchd's protocol: what PAM modules
 * and tools link.  It holds no key and loads no SQLite, libsodium, libcurl
 * or libpq: it frames requests, reaches the daemon's socket (checking
 * who answers), and relays the daemon's conversation.
 *
 * The wire format (version "vouch/1"): a frame is a 4-byte big-endian
 * length N (1 <= N <= VOUCH_FRAME_MAX), then N bytes: one type letter and
 * zero or more fields, each a string ended by a NUL byte.  A frame that
 * breaks any of this is refused whole.
 */
#ifndef VOUCH_CLIENT_H
#define VOUCH_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VOUCH_PROTO "vouch/1"
#define VOUCH_FRAME_MAX 8192
#define VOUCH_FIELDS_MAX 64

/* Frame types.  Client to daemon: */
#define VF_HELLO                                                              \
  'H'                   /* PAM request: proto module phase flags user service \
                           tty rhost ruser ruid argv... */
#define VF_ANSWER 'A'   /* the person's answer to the last prompt: text */
#define VF_CONV_ERR 'E' /* the conversation failed (no answer) */
#define VF_ITEM 'I'     /* answer to VF_GET: "1" value, or "0" (unset) */
#define VF_TOOL                                                               \
  'T'                 /* a tool's request: proto tool argv[1..]; stdin,       \
                         stdout and stderr passed along (SCM_RIGHTS) */
#define VF_SIGNAL 'C' /* the tool's user interrupted: signal number */
#define VF_WEB                                                                \
  'W' /* a web operation of vouch-web ([web] user or root): proto op args...  \
       */
/* Daemon to client: */
#define VF_PROMPT 'P'     /* ask: style (1 echo off, 2 echo on) text */
#define VF_MESSAGE 'M'    /* show: style (3 error, 4 info) text */
#define VF_GET 'G'        /* which item: authtok oldauthtok session */
#define VF_SET 'S'        /* which value: authtok user session */
#define VF_ALIVE 'K'      /* still working (a long wait), no answer */
#define VF_RESULT 'R'     /* the end: a PAM code */
#define VF_EXIT 'X'       /* the end of a tool's request: its exit code */
#define VF_WEB_ANSWER 'B' /* a web operation's answer: status, then fields */

typedef struct vouch_frame {
  char type;
  unsigned nfields;
  const char *field[VOUCH_FIELDS_MAX];
  size_t len;                 /* payload bytes used in data */
  char data[VOUCH_FRAME_MAX]; /* type letter, then the fields */
} vouch_frame;

/* Result of frame I/O. */
#define VF_OK 0
#define VF_EOF -1     /* the peer closed the connection */
#define VF_TIMEOUT -2 /* nothing within the time given */
#define VF_BAD -3     /* malformed, oversized or unknown */
#define VF_IO -4      /* a system error (errno is set) */

void vouch_frame_init(vouch_frame *f, char type);
/* Adds a field; VF_BAD when it does not fit. */
int vouch_frame_add(vouch_frame *f, const char *s);
int vouch_frame_add_num(vouch_frame *f, long long n);
/* Splits data[0..len) into type and fields; VF_BAD when malformed. */
int vouch_frame_parse(vouch_frame *f);
/* Whole-frame I/O within timeout_ms (< 0: no limit). */
int vouch_frame_send(int fd, const vouch_frame *f, int timeout_ms);
int vouch_frame_recv(int fd, vouch_frame *f, int timeout_ms);
/* The same, with file descriptors passed along (SCM_RIGHTS): a tool
 * hands vouchd its standard input, output and error.  recv keeps at
 * most 3 (*nfds of them, close-on-exec); the caller closes them. */
int vouch_frame_send_fds(int fd, const vouch_frame *f, const int *fds,
                         int nfds, int timeout_ms);
int vouch_frame_recv_fds(int fd, vouch_frame *f, int *fds, int *nfds,
                         int timeout_ms);
/* Wipes the frame (it may have carried a password). */
void vouch_frame_wipe(vouch_frame *f);
/* A decimal field in [min, max]; false otherwise. */
bool vouch_frame_num(const char *s, long long min, long long max,
                     long long *out);

/* How a client reaches vouchd: [daemon] socket, timeout and user of the
 * configuration file (the daemon checks every other key). */
typedef struct vouch_client_conf {
  const char *path; /* the file read */
  char socket[108];
  int timeout_ms;
  uid_t daemon_uid; /* besides root, the uid the daemon may run as */
  bool has_daemon_uid;
  /* [web]: read for vouch-web (listen, base_url, user) */
  char web_listen[64];
  char web_base_url[256];
  char web_user[33];
} vouch_client_conf;

/* Reads path (NULL: the installed vouch.conf).  On failure writes a
 * message into err and returns -1. */
int vouch_client_conf_read(const char *path, vouch_client_conf *conf,
                           char *err, size_t errlen);
/* Connects within conf->timeout_ms and checks that the socket and the
 * process behind it belong to root or the daemon's user.  Returns the
 * descriptor, or -1 with a message in err. */
int vouch_client_connect(const vouch_client_conf *conf, char *err,
                         size_t errlen);

/* One web operation (vouch-web): op and its nargs fields to vouchd, its
 * answer (VF_WEB_ANSWER: a status, then fields) in *ans.  0, or -1 with
 * a message in err (vouchd unreachable, slow or out of protocol). */
int vouch_client_web(const vouch_client_conf *conf, const char *op,
                     const char *const *args, unsigned nargs, vouch_frame *ans,
                     char *err, size_t errlen);
/* The same, with a file vouchd may pass along (an archive to download):
 * *file is its descriptor (the caller closes it), or -1. */
int vouch_client_web_fd(const vouch_client_conf *conf, const char *op,
                        const char *const *args, unsigned nargs,
                        vouch_frame *ans, int *file, char *err, size_t errlen);

/* A tool as vouchd's client: argv and the standard descriptors handed to
 * vouchd, which runs the command; returns the exit code to exit with. */
int vouch_client_tool(const char *tool, int argc, char **argv);

#endif /* VOUCH_CLIENT_H */
