/*
 * request.c - the first frame of a connection, parsed into the request:
 * VOUCH_PROTO module phase flags user service tty rhost ruser ruid
 * argv...  Everything after it points into r->hello.  It takes bytes
 * from any local user: bounded, total, fuzzed (fuzz/fuzz_request.c).
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "vouchd.h"

int vd_parse_hello(vd_req *r, const char **why)
{
  const vouch_frame *h = &r->hello;
  long long v;

  *why = "malformed request";
  if(h->type != VF_HELLO || h->nfields < 10)
    return -1;
  if(strcmp(h->field[0], VOUCH_PROTO)) {
    *why = "unknown protocol version";
    return -1;
  }
  r->module = h->field[1];
  r->phase = h->field[2];
  if(!vouch_frame_num(h->field[3], INT_MIN, INT_MAX, &v))
    return -1;
  r->flags = (int)v;
  r->user = h->field[4];
  r->service = h->field[5];
  r->tty = h->field[6];
  r->rhost = h->field[7];
  r->ruser = h->field[8];
  if(!vouch_frame_num(h->field[9], 0, UINT32_MAX, &v))
    return -1;
  /* Only root's claim of a real uid counts (passwd run by a member is
   * setuid root and says whose it is); others are who they are. */
  r->ruid = r->root ? (uid_t)v : r->peer.uid;
  r->argc = (int)h->nfields - 10;
  r->argv = (const char **)&h->field[10];
  return 0;
}
