/*
 * pq.c - libpq loaded with dlopen on the first use of the PostgreSQL
 * store (see pq.h for why nothing links it).  The library is found by
 * its soname (Debian's libpq5) in the system's library path.
 */
#define VOUCH_PQ_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <syslog.h>

#include "pq.h"

#define LIBPQ_SONAME "libpq.so.5"

struct vouch_pq vouch_pq;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const char *g_missing; /* what failed, or NULL once loaded */
static char g_why[256];

static void load(void)
{
  void *h = dlopen(LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);

  if(!h) {
    const char *e = dlerror();
    snprintf(g_why, sizeof(g_why), "%s", e ? e : "not found");
    g_missing = LIBPQ_SONAME;
    return;
  }
#define VOUCH_PQ_LOAD(f)                                                      \
  if(!g_missing && !(vouch_pq.f = (__typeof__(f) *)dlsym(h, #f))) {           \
    g_missing = #f;                                                           \
    snprintf(g_why, sizeof(g_why), "%s", "no such function");                 \
  }
  VOUCH_PQ_FUNCS(VOUCH_PQ_LOAD)
#undef VOUCH_PQ_LOAD
  /* Never closed: its functions are in use until the process ends. */
}

vouch_rc vouch_pq_load(vouch_log_fn log, void *arg)
{
  pthread_once(&g_once, load);
  if(g_missing) {
    vouch_logp(log, arg, LOG_ERR,
               "the PostgreSQL store needs libpq (Debian's libpq5): %s: %s",
               g_missing, g_why);
    return VOUCH_ERR_CONFIG;
  }
  return VOUCH_OK;
}
