/*
 * fleet.c - the sign-outs that other hosts owe this one, with [store]
 * backend = postgresql (SPEC 9).  "Sign out of all devices" on any host
 * queues the sessions of every other host in the store (table signouts,
 * in the same transaction) and notifies; here a thread of vouchd with a
 * connection of its own LISTENs, reads this host's queued sign-outs,
 * ends their leaders, and only then removes them (a vouchd killed in
 * between finds them again).  It takes them too whenever it connects (a
 * host that was cut off catches up),
 * and every CHECK_SECONDS without a notification (a notification sent
 * while it reconnected is not lost, and a dead link shows).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <syslog.h>
#include <time.h>

#include "store.h"
#include "vouchd.h"

#define WAIT_MS 1000     /* one wait for a notification */
#define CHECK_SECONDS 10 /* the queue is looked at anyway this often */

static pthread_t g_tid;
static bool g_running;     /* started and not yet joined */
static atomic_bool g_done; /* the thread ended by itself (not PostgreSQL) */
static atomic_bool g_stop;
static atomic_uint g_gen; /* bumped by a reload: connect again */

static void nap(unsigned ms)
{
  struct timespec ts = {0, 0};
  unsigned i;

  /* in steps, so that SIGTERM's stop is seen soon */
  for(i = 0; i < ms / 100 && !atomic_load(&g_stop); i++) {
    ts.tv_nsec = 100000000L;
    nanosleep(&ts, NULL);
  }
}

/* This host's queued sign-outs, in a context (and store handle) of its
 * own: a broken connection goes with it. */
static vouch_rc take_owed(void)
{
  vouch_config *cfg = NULL;
  vouch_ctx *ctx = NULL;
  unsigned n = 0;
  vouch_rc rc;

  rc = vd_config(&cfg);
  if(!rc)
    rc = vouch_ctx_with(cfg, "vouchd", vd_key(), vd_log, NULL, &ctx);
  else
    vouch_config_free(cfg);
  if(!rc)
    rc = vouch_signouts_run(ctx, &n);
  if(!rc && n)
    vouch_log(ctx, LOG_NOTICE, "signed out %u session(s) for other hosts", n);
  vouch_ctx_free(ctx);
  return rc;
}

/* This host's name, held by the listening connection: two vouchd of one
 * [store] host_name (a configuration copied without changing it) would
 * take each other's sign-outs and count each other's sessions as their
 * own.  The second one takes no sign-outs until the name is free, and
 * says so (every minute) once it has been refused for CLAIM_TRIES
 * seconds in a row: the connection of a vouchd that just stopped, or of
 * this one before a reload, may hold the name a moment longer (and one
 * whose host vanished, until the server's keepalives end it: about
 * half a minute, core/store_pg.c). */
#define CLAIM_TRIES 5
static vouch_rc claim(vouch_store *st, const char *host)
{
  static time_t said;
  static unsigned refused;
  time_t now = time(NULL);
  char msg[256];
  bool held = false;
  vouch_rc rc;

  rc = vouch_store_host_claim(st, host, &held);
  if(rc)
    return rc;
  if(held) {
    refused = 0;
    return VOUCH_OK;
  }
  if(++refused >= CLAIM_TRIES && (now < said || now - said >= 60)) {
    said = now;
    snprintf(msg, sizeof(msg),
             "another vouchd is connected to the store as host_name %s: "
             "give each host a name of its own ([store] host_name); this "
             "one takes no sign-outs from other hosts until that name is "
             "free",
             host);
    vd_log(NULL, LOG_ERR, msg);
  }
  return VOUCH_ERR_BUSY;
}

/* One connection's life: listen, catch up, then wait and take. */
static vouch_rc listen_once(void)
{
  vouch_config *cfg = NULL;
  vouch_store *st = NULL;
  unsigned gen = atomic_load(&g_gen);
  time_t last;
  bool got;
  vouch_rc rc;

  rc = vd_config(&cfg);
  if(rc)
    return rc;
  if(cfg->store_backend != VOUCH_BACKEND_POSTGRESQL) {
    vouch_config_free(cfg);
    return VOUCH_ERR_USAGE;
  }
  rc = vouch_store_open_config(cfg, VOUCH_STORE_OWN, &st, vd_log, NULL);
  if(!rc)
    rc = claim(st, cfg->store_host_name);
  vouch_config_free(cfg);
  if(!rc)
    rc = vouch_store_signouts_listen(st);
  if(!rc)
    rc = take_owed();
  last = time(NULL);
  while(!rc && !atomic_load(&g_stop) && atomic_load(&g_gen) == gen) {
    rc = vouch_store_signouts_wait(st, WAIT_MS, &got);
    if(!rc && (got || time(NULL) - last >= CHECK_SECONDS)) {
      rc = take_owed();
      last = time(NULL);
    }
  }
  vouch_store_close(st);
  return rc;
}

static void *loop(void *arg)
{
  (void)arg;
  while(!atomic_load(&g_stop)) {
    vouch_rc rc = listen_once();

    if(rc == VOUCH_ERR_USAGE) {
      atomic_store(&g_done, true);
      break; /* the store is not PostgreSQL (any more) */
    }
    if(rc && !atomic_load(&g_stop))
      nap(1000); /* the database is away, or the name taken: again */
  }
  return NULL;
}

void vd_fleet_start(const vouch_config *cfg)
{
  atomic_fetch_add(&g_gen, 1);
  if(g_running && atomic_load(&g_done)) {
    pthread_join(g_tid, NULL); /* it ended when the store was SQLite */
    g_running = false;
  }
  if(g_running || cfg->store_backend != VOUCH_BACKEND_POSTGRESQL)
    return;
  atomic_store(&g_done, false);
  atomic_store(&g_stop, false);
  if(pthread_create(&g_tid, NULL, loop, NULL) == 0)
    g_running = true;
  else
    vd_log(NULL, LOG_ERR,
           "cannot start the thread that takes sign-outs "
           "from other hosts");
}

void vd_fleet_stop(void)
{
  if(!g_running)
    return;
  atomic_store(&g_stop, true);
  pthread_join(g_tid, NULL);
  g_running = false;
}
