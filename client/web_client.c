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
  vouch_frame req;
  unsigned i;
  int fd, r, rc = -1;

  vouch_frame_init(&req, VF_WEB);
  r = vouch_frame_add(&req, VOUCH_PROTO);
  if(!r)
    r = vouch_frame_add(&req, op);
  for(i = 0; !r && i < nargs; i++)
    r = vouch_frame_add(&req, args[i] ? args[i] : "");
  if(r) {
    snprintf(err, errlen, "%s: the request is too large", op);
    goto out;
  }
  fd = vouch_client_connect(conf, err, errlen);
  if(fd < 0)
    goto out;
  r = vouch_frame_send(fd, &req, conf->timeout_ms);
  if(!r)
    r = vouch_frame_recv(fd, ans, conf->timeout_ms);
  close(fd);
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
