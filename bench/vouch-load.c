/*
 * vouch-load.c - the benchmark's load generator (bench/bench.py): CLIENTS
 * threads, each a client of vouchd speaking the protocol of
 * client/vouch_client.h as a PAM module does (one connection a request),
 * for SECONDS.  Benchmark only; never installed.
 *
 *   vouch-load CONF MODULE EXPECT PREFIX FIRST COUNT WRAP CLIENTS SECONDS
 *              ANSWERS [ARG...]
 *
 * Request k (0, 1, ...) is for user PREFIX(FIRST + k) while k < COUNT
 * (WRAP 0: then it stops), or PREFIX(FIRST + k % COUNT) (WRAP 1), or
 * for user PREFIX itself while k < COUNT (WRAP 2: COUNT requests for one
 * member, as tests/fleet/hosts.sh sends them).  Also built as a test
 * program (tests/vouch-load).
 * ANSWERS: the answers to the prompts, one a prompt, separated by '|'
 * (then "no answer"); a request for an item is answered "unset".  A
 * request whose verdict is not EXPECT (a PAM code) counts as an error.
 * ARG...: the module's arguments (conf=... is added).
 *
 * Prints one line: "requests N ok N errors N sent N seconds S issued N"
 * (sent: requests whose first answer the daemon took, e.g. the wrong
 * codes it judged; issued: users asked about) and up to 3 error samples
 * on stderr.  Exit status 0 unless it could not
 * start.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vouch_client.h"

#define ANSWERS_MAX 8

static vouch_client_conf g_conf;
static const char *g_conf_path, *g_module, *g_prefix;
static long g_expect, g_first, g_count, g_wrap;
static double g_end;
static char *g_answers[ANSWERS_MAX];
static int g_nanswers;
static int g_argc;
static char **g_argv;
static atomic_long g_next, g_ok, g_errors, g_sent;
static pthread_mutex_t g_err_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_samples;

static double now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sample(const char *user, const char *what)
{
  pthread_mutex_lock(&g_err_lock);
  if(g_samples++ < 3)
    fprintf(stderr, "vouch-load: %s: %s\n", user, what);
  pthread_mutex_unlock(&g_err_lock);
}

/* One request; the PAM code, or -1 with *what set. */
static int one(const char *user, vouch_frame *in, vouch_frame *out,
               const char **what, bool *sent)
{
  char err[256], conf_arg[1100];
  long long code;
  int fd, i, n, prompts = 0, r, ret = -1;

  fd = vouch_client_connect(&g_conf, err, sizeof(err));
  if(fd < 0) {
    *what = "connect failed";
    return -1;
  }
  vouch_frame_init(out, VF_HELLO);
  snprintf(conf_arg, sizeof(conf_arg), "conf=%s", g_conf_path);
  r = vouch_frame_add(out, VOUCH_PROTO) | vouch_frame_add(out, g_module) |
      vouch_frame_add(out, "auth") | vouch_frame_add_num(out, 0) |
      vouch_frame_add(out, user) | vouch_frame_add(out, "vouch-load") |
      vouch_frame_add(out, "") | vouch_frame_add(out, "") |
      vouch_frame_add(out, "") | vouch_frame_add_num(out, 0) |
      vouch_frame_add(out, conf_arg);
  for(i = 0; i < g_argc; i++)
    r |= vouch_frame_add(out, g_argv[i]);
  if(r || vouch_frame_send(fd, out, g_conf.timeout_ms)) {
    *what = "request not taken";
    goto done;
  }
  for(n = 0; n < 256; n++) {
    r = vouch_frame_recv(fd, in, g_conf.timeout_ms);
    if(r) {
      *what = r == VF_TIMEOUT ? "no answer in time" : "conversation ended";
      goto done;
    }
    switch(in->type) {
    case VF_RESULT:
      if(in->nfields != 1 || !vouch_frame_num(in->field[0], 0, 64, &code)) {
        *what = "malformed result";
        goto done;
      }
      ret = (int)code;
      goto done;
    case VF_PROMPT:
      if(prompts < g_nanswers) {
        vouch_frame_init(out, VF_ANSWER);
        vouch_frame_add(out, g_answers[prompts]);
      }
      else
        vouch_frame_init(out, VF_CONV_ERR);
      prompts++;
      break;
    case VF_GET:
      vouch_frame_init(out, VF_ITEM);
      vouch_frame_add(out, "0");
      break;
    case VF_MESSAGE:
    case VF_SET:
    case VF_ALIVE:
      continue;
    default:
      *what = "unknown frame";
      goto done;
    }
    if(vouch_frame_send(fd, out, g_conf.timeout_ms)) {
      *what = "answer not taken";
      goto done;
    }
    if(in->type == VF_PROMPT && prompts == 1 && g_nanswers)
      *sent = true;
  }
  *what = "too many frames";
done:
  close(fd);
  return ret;
}

static void *worker(void *arg)
{
  vouch_frame *in = malloc(sizeof(*in)), *out = malloc(sizeof(*out));
  char user[128], what[64];
  const char *why = NULL;
  bool sent;
  long k, idx;
  int rc;

  (void)arg;
  if(!in || !out)
    abort();
  while(now() < g_end) {
    k = atomic_fetch_add(&g_next, 1);
    if(g_wrap != 1 && k >= g_count) {
      atomic_fetch_sub(&g_next, 1);
      break;
    }
    idx = g_first + (g_wrap == 1 ? k % g_count : k);
    if(g_wrap == 2)
      snprintf(user, sizeof(user), "%s", g_prefix);
    else
      snprintf(user, sizeof(user), "%s%ld", g_prefix, idx);
    sent = false;
    rc = one(user, in, out, &why, &sent);
    if(sent)
      atomic_fetch_add(&g_sent, 1);
    if(rc == g_expect)
      atomic_fetch_add(&g_ok, 1);
    else {
      atomic_fetch_add(&g_errors, 1);
      if(rc >= 0) {
        snprintf(what, sizeof(what), "PAM code %d", rc);
        why = what;
      }
      sample(user, why);
    }
  }
  free(in);
  free(out);
  return NULL;
}

int main(int argc, char **argv)
{
  char err[256], *s, *p;
  pthread_t *tids;
  double t0, secs;
  long clients, i;

  if(argc < 11) {
    fprintf(stderr, "usage: vouch-load CONF MODULE EXPECT PREFIX FIRST "
                    "COUNT WRAP CLIENTS SECONDS ANSWERS [ARG...]\n");
    return 2;
  }
  g_conf_path = argv[1];
  g_module = argv[2];
  g_expect = atol(argv[3]);
  g_prefix = argv[4];
  g_first = atol(argv[5]);
  g_count = atol(argv[6]);
  g_wrap = atol(argv[7]);
  clients = atol(argv[8]);
  secs = atof(argv[9]);
  s = strdup(argv[10]);
  while(s && *s && g_nanswers < ANSWERS_MAX) {
    p = strchr(s, '|');
    if(p)
      *p = '\0';
    g_answers[g_nanswers++] = s;
    if(!p)
      break;
    s = p + 1;
  }
  g_argc = argc - 11;
  g_argv = argv + 11;
  if(clients < 1 || g_count < 1 ||
     vouch_client_conf_read(g_conf_path, &g_conf, err, sizeof(err))) {
    fprintf(stderr, "vouch-load: %s\n",
            clients < 1 || g_count < 1 ? "bad arguments" : err);
    return 2;
  }
  tids = calloc((size_t)clients, sizeof(*tids));
  if(!tids)
    return 2;
  t0 = now();
  g_end = t0 + secs;
  for(i = 0; i < clients; i++)
    if(pthread_create(&tids[i], NULL, worker, NULL)) {
      fprintf(stderr, "vouch-load: cannot start thread %ld\n", i);
      return 2;
    }
  for(i = 0; i < clients; i++)
    pthread_join(tids[i], NULL);
  secs = now() - t0;
  printf("requests %ld ok %ld errors %ld sent %ld seconds %.3f issued "
         "%ld\n",
         atomic_load(&g_ok) + atomic_load(&g_errors), atomic_load(&g_ok),
         atomic_load(&g_errors), atomic_load(&g_sent), secs,
         atomic_load(&g_next));
  free(tids);
  return 0;
}
