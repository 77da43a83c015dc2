/*
 * fuzz_request.c - what any local user can send vouchd first: the bytes
 * of a frame's payload through the frame parser and the request parser
 * (daemon/request.c), as root and as a member.  Properties: no crash,
 * every field a request keeps points inside the frame, a non-root peer's
 * claimed real uid never counts.
 */
#include "fuzz.h"

#include "vouchd.h"

static vd_req r;

static int inside(const char *p)
{
  return p >= r.hello.data && p < r.hello.data + r.hello.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *why = NULL;
  int i;

  if(size < 1 || size > sizeof(r.hello.data))
    return 0;
  memset(&r, 0, sizeof(r));
  r.root = data[0] & 1;
  r.peer.uid = r.root ? 0 : 1000;
  memcpy(r.hello.data, data + 1, size - 1);
  r.hello.len = size - 1;
  if(vouch_frame_parse(&r.hello))
    return 0;
  if(vd_parse_hello(&r, &why)) {
    FUZZ_ASSERT(why); /* refused with a reason */
    return 0;
  }
  /* Every field kept points into the frame. */
  FUZZ_ASSERT(inside(r.module) && inside(r.phase) && inside(r.user) &&
              inside(r.service) && inside(r.tty) && inside(r.rhost) &&
              inside(r.ruser));
  for(i = 0; i < r.argc; i++)
    FUZZ_ASSERT(inside(r.argv[i]));
  /* A member's claimed real uid never counts. */
  FUZZ_ASSERT(r.root || r.ruid == 1000);
  return 0;
}
