/*
 * web_client.c - vouch-web's side of the protocol: one web operation a
 * connection (VF_WEB: proto, op, its fields), one answer (VF_WEB_ANSWER).
 * vouchd decides everything; the page only shows what it answered.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vouch_client.h"

int vouch_client_web(const vouch_client_conf *conf, const char *op,
                     const char *const *args, unsigned nargs, vouch_frame *ans,
                     char *err, size_t errlen)
{
  return vouch_client_web_fd(conf, op, args, nargs, ans, NULL, err, errlen);
}

int vouch_client_web_fd(const vouch_client_conf *conf, const char *op,
                        const char *const *args, unsigned nargs,
                        vouch_frame *ans, int *file, char *err, size_t errlen)
{
  vouch_frame req;
  unsigned i;
  int fd, r, rc = -1, fds[3], nfds = 0;

  vouch_frame_init(&req, VF_WEB);
  r = vouch_frame_add(&req, VOUCH_PROTO);
  if(!r)
    r = vouch_frame_add(&req, op);
  for(i = 0; !r && i < nargs; i++)
    r = vouch_frame_add(&req, args[i] ? args[i] : "");
  if(file)
    *file = -1;
  if(r) {
    snprintf(err, errlen, "%s: the request is too large", op);
    goto out;
  }
  fd = vouch_client_connect(conf, err, errlen);
  if(fd < 0)
    goto out;
  r = vouch_frame_send(fd, &req, conf->timeout_ms);
  if(!r)
    r = vouch_frame_recv_fds(fd, ans, fds, &nfds, conf->timeout_ms);
  close(fd);
  /* A file comes only where one is asked for, and only one. */
  for(i = 0; i < (unsigned)nfds; i++) {
    if(file && i == 0 && !r)
      *file = fds[0];
    else
      close(fds[i]);
  }
  if(r == VF_TIMEOUT)
    snprintf(err, errlen, "%s: vouchd did not answer within %d ms", op,
             conf->timeout_ms);
  else if(r)
    snprintf(err, errlen, "%s: vouchd went away or broke the protocol", op);
  else if(ans->type != VF_WEB_ANSWER || ans->nfields < 1)
    snprintf(err, errlen, "%s: vouchd answered out of protocol", op);
  else
    rc = 0;
out:
  vouch_frame_wipe(&req);
  return rc;
}
