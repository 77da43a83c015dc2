/*
 * vouchd.c - the per-host service that alone holds the key and opens the
 * store (SPEC section 7).  It listens on [daemon] socket (or on the socket
 * systemd hands over), serves each connection in a thread of its own with
 * bounded waits, and decides who may ask what from the peer's
 * credentials (SO_PEERCRED).
 *
 * A stopped, slow or killed client holds nothing: no store transaction is
 * open while a flow waits on its client, and every wait has a limit.
 * SIGHUP reloads the configuration; SIGTERM ends the daemon cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "store.h"
#include "vouchd.h"

#define THREAD_STACK (1024 * 1024)
#define DRAIN_SECONDS 5 /* SIGTERM: how long running requests may finish */
#define UID_SLOTS 256   /* distinct non-root uids counted at once */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static vouch_config *g_cfg; /* the current configuration */
/* [web] user's uid: vouch-web serves every member, so max_per_user does
 * not apply to it (max_clients does). */
static uid_t g_web_uid;
static bool g_web_uid_set;
static const char *g_conf_path;
static unsigned char *g_key; /* sodium_malloc'ed, read-only */
static unsigned g_clients;   /* connections being served */
static struct {
  uid_t uid;
  unsigned n;
} g_uids[UID_SLOTS];

static const char *usage_text =
    "usage: vouchd [--config FILE]\n"
    "\n"
    "The vouch service: holds the key and the store, and answers the PAM\n"
    "modules and tools on [daemon] socket.  Runs in the foreground, logs\n"
    "to stderr and syslog; SIGHUP reloads the configuration, SIGTERM ends\n"
    "it.  See vouchd(8).\n";

void vd_log(void *arg, int priority, const char *msg)
{
  const vd_req *r = arg;

  if(r && r->service && r->service[0]) {
    syslog(priority, "%s: %s", r->service, msg);
    fprintf(stderr, "vouchd: %s: %s\n", r->service, msg);
  }
  else {
    syslog(priority, "%s", msg);
    fprintf(stderr, "vouchd: %s\n", msg);
  }
}

static void say(int priority, const char *fmt, ...) VOUCH_PRINTF(2, 3);
static void say(int priority, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  vd_log(NULL, priority, buf);
}

vouch_rc vd_config(vouch_config **out)
{
  vouch_rc rc;

  pthread_mutex_lock(&g_lock);
  rc = vouch_config_dup(g_cfg, out);
  pthread_mutex_unlock(&g_lock);
  if(rc)
    return rc;
  /* Clients give up after [daemon] timeout: the daemon's own waits
   * toward delivery end before that, so that a slow gateway makes the
   * method unavailable instead of the daemon unreachable. */
  if((*out)->delivery_timeout >= (*out)->daemon_timeout)
    (*out)->delivery_timeout = (*out)->daemon_timeout - 1;
  return VOUCH_OK;
}

unsigned char *vd_key(void)
{
  return g_key;
}

bool vd_same_config(const char *path)
{
  struct stat a, b;

  return !stat(path, &a) && !stat(g_conf_path, &b) && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

/* ------------------------------------------------------------ requests */

struct route {
  const char *module, *phase;
  int (*run)(vd_req *r);
};

static const struct route routes[] = {
    {"password", "auth", vd_password_auth},
    {"password", "account", vd_password_account},
    {"password", "password", vd_password_change},
    {"otp", "auth", vd_otp_auth},
    {"card", "auth", vd_card_auth},
    {"session", "open", vd_session_open},
    {"session", "close", vd_session_close},
    {"device", "auth", vd_device_auth},
};

const char *vd_config_path(void)
{
  return g_conf_path;
}

void vd_refused(vd_req *r, const char *event, const char *why)
{
  vouch_config *cfg = NULL;
  vouch_ctx *ctx = NULL;
  char detail[200];

  snprintf(detail, sizeof(detail), "uid %u pid %ld: %s", (unsigned)r->peer.uid,
           (long)r->peer.pid, why);
  if(vd_config(&cfg) == VOUCH_OK &&
     vouch_ctx_with(cfg, "vouchd", g_key, vd_log, NULL, &ctx) == VOUCH_OK)
    (void)vouch_audit(ctx, NULL, event, detail);
  else
    say(LOG_WARNING, "%s: %s", event, detail);
  vouch_ctx_free(ctx);
}

/* May this peer ask about this user?  Root: anyone; any other uid only
 * its own account; the web's uid no PAM request at all. */
static bool allowed(vd_req *r, const char *web_user)
{
  struct passwd pw, *res = NULL;
  char buf[1024];

  if(r->root)
    return true;
  if(getpwuid_r(r->peer.uid, &pw, buf, sizeof(buf), &res) || !res)
    return false;
  if(web_user && !strcmp(res->pw_name, web_user))
    return false;
  return !r->user[0] || !strcmp(r->user, res->pw_name);
}

static const struct route *find_route(const vd_req *r)
{
  size_t i;

  for(i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
    if(!strcmp(routes[i].module, r->module) &&
       !strcmp(routes[i].phase, r->phase))
      return &routes[i];
  return NULL;
}

static void answer(vd_req *r, int pam_rc)
{
  vouch_frame_init(&r->io, VF_RESULT);
  if(!vouch_frame_add_num(&r->io, pam_rc))
    (void)vouch_frame_send(r->fd, &r->io, r->timeout_ms);
}

static void serve(vd_req *r)
{
  const struct route *route;
  const char *why;
  char *web_user = NULL;
  vouch_config *cfg = NULL;
  int rc, fds[3], nfds = 0, i;

  if(vd_config(&cfg))
    return;
  r->timeout_ms = (int)cfg->daemon_timeout * 1000;
  r->answer_ms = (int)cfg->daemon_answer_timeout * 1000;
  web_user = cfg->web_user ? strdup(cfg->web_user) : NULL;
  vouch_config_free(cfg);
  rc = vouch_frame_recv_fds(r->fd, &r->hello, fds, &nfds, r->timeout_ms);
  if(rc == VF_EOF || rc == VF_TIMEOUT || rc == VF_IO)
    goto out; /* gone or idle: nothing was asked */
  if(!rc && r->hello.type == VF_TOOL) {
    vd_tool(r, fds, nfds);
    goto out;
  }
  if(!rc && r->hello.type == VF_WEB) {
    vd_web(r, web_user);
    goto out;
  }
  route = NULL;
  if(rc)
    why = "malformed or oversized frame";
  else if(!vd_parse_hello(r, &why)) {
    route = find_route(r);
    why = "unknown module or phase";
  }
  if(!route) {
    vd_refused(r, "daemon.bad_request", why);
    answer(r, PAM_SYSTEM_ERR);
    goto out;
  }
  if(!allowed(r, web_user)) {
    vd_refused(r, "daemon.refused", "a PAM request for another account");
    answer(r, PAM_PERM_DENIED);
    goto out;
  }
  rc = route->run(r);
  if(!r->gone)
    answer(r, rc);
out:
  for(i = 0; i < nfds; i++)
    close(fds[i]);
  free(web_user);
}

static void uid_count(uid_t uid, int delta)
{
  int i;

  for(i = 0; i < UID_SLOTS; i++)
    if(g_uids[i].n && g_uids[i].uid == uid) {
      g_uids[i].n += (unsigned)delta;
      return;
    }
  for(i = 0; i < UID_SLOTS && delta > 0; i++)
    if(!g_uids[i].n) {
      g_uids[i].uid = uid;
      g_uids[i].n = 1;
      return;
    }
}

static unsigned uid_load(uid_t uid)
{
  int i, used = 0;

  for(i = 0; i < UID_SLOTS; i++) {
    if(g_uids[i].n)
      used++;
    if(g_uids[i].n && g_uids[i].uid == uid)
      return g_uids[i].n;
  }
  return used == UID_SLOTS ? UINT_MAX : 0;
}

static void *worker(void *arg)
{
  vd_req *r = arg;

  serve(r);
  vouch_ctx_free(r->ctx);
  close(r->fd);
  pthread_mutex_lock(&g_lock);
  g_clients--;
  if(!r->root)
    uid_count(r->peer.uid, -1);
  pthread_mutex_unlock(&g_lock);
  vouch_frame_wipe(&r->hello);
  vouch_frame_wipe(&r->io);
  free(r);
  return NULL;
}

/* Takes a connection: counted against [daemon] max_clients and, for
 * non-root peers, max_per_user, so that no member can crowd out others. */
static void take(int fd)
{
  socklen_t len = sizeof(struct ucred);
  pthread_attr_t attr;
  pthread_t tid;
  vd_req *r;
  bool full;

  r = calloc(1, sizeof(*r));
  if(!r) {
    close(fd);
    return;
  }
  r->fd = fd;
  if(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &r->peer, &len)) {
    free(r);
    close(fd);
    return;
  }
  r->root = r->peer.uid == 0;
  pthread_mutex_lock(&g_lock);
  full = g_clients >= g_cfg->daemon_max_clients ||
         (!r->root && !(g_web_uid_set && r->peer.uid == g_web_uid) &&
          uid_load(r->peer.uid) >= g_cfg->daemon_max_per_user);
  if(!full) {
    g_clients++;
    if(!r->root)
      uid_count(r->peer.uid, 1);
  }
  pthread_mutex_unlock(&g_lock);
  if(full) {
    say(LOG_WARNING, "too many connections (uid %u): one refused",
        (unsigned)r->peer.uid);
    free(r);
    close(fd);
    return;
  }
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, THREAD_STACK);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if(pthread_create(&tid, &attr, worker, r)) {
    say(LOG_ERR, "no thread for a connection: %s", strerror(errno));
    pthread_mutex_lock(&g_lock);
    g_clients--;
    if(!r->root)
      uid_count(r->peer.uid, -1);
    pthread_mutex_unlock(&g_lock);
    free(r);
    close(fd);
  }
  pthread_attr_destroy(&attr);
}

/* -------------------------------------------------------------- startup */

static void log_stderr(void *arg, int priority, const char *msg)
{
  (void)arg;
  vd_log(NULL, priority, msg);
}

/* The uid of [web] user, read with g_lock held (take) or before any
 * thread (startup, reload under g_lock). */
static void web_uid_of(const vouch_config *cfg)
{
  struct passwd pw, *res = NULL;
  char buf[1024];

  g_web_uid_set = false;
  if(cfg->web_user && cfg->web_user[0] &&
     !getpwnam_r(cfg->web_user, &pw, buf, sizeof(buf), &res) && res) {
    g_web_uid = res->pw_uid;
    g_web_uid_set = res->pw_uid != 0;
  }
}

static vouch_rc load_config(vouch_config **out)
{
  vouch_rc rc;

  rc = vouch_config_load(g_conf_path, out, log_stderr, NULL);
  if(rc)
    return rc;
  rc = vouch_config_check(*out, log_stderr, NULL);
  /* Sessions carry their host in a shared store: two hosts of one name
   * would reap and sign out each other's sessions by the wrong pids. */
  if(!rc && (*out)->store_backend == VOUCH_BACKEND_POSTGRESQL &&
     (!(*out)->store_host_name || !*(*out)->store_host_name)) {
    say(LOG_ERR, "[store] backend = postgresql needs host_name: a name "
                 "of its own for this host among the store's hosts");
    rc = VOUCH_ERR_CONFIG;
  }
  if(rc) {
    vouch_config_free(*out);
    *out = NULL;
  }
  return rc;
}

/* The key that vouchctl init made, loaded once the socket is bound and
 * vouchd runs as [daemon] user, before it accepts anyone.  The
 * store is opened by each request (and refused there with its precise
 * reason, should it become unusable): here it is only checked, so that
 * the log says at once what is wrong with it. */
static vouch_rc open_state(void)
{
  vouch_store *st = NULL;
  vouch_rc rc;

  g_key = sodium_malloc(VOUCH_KEY_BYTES);
  if(!g_key)
    return VOUCH_ERR_NOMEM;
  rc = vouch_key_load(g_cfg->key_file, g_key, log_stderr, NULL);
  if(rc)
    return rc;
  sodium_mprotect_readonly(g_key);
  /* The hosts of a shared store sign codes and tokens with one key:
   * checked by every connection, this one first (a database down now is
   * checked when it is back). */
  vouch_store_pg_key(g_key);
  rc = vouch_store_open_config(g_cfg, 0, &st, log_stderr, NULL);
  if(rc == VOUCH_ERR_KEY)
    return rc;
  if(rc)
    say(LOG_ERR, "the store is not usable now: every request fails until "
                 "it is");
  vouch_store_close(st);
  return VOUCH_OK;
}

int vd_worker_state(const char *conf)
{
  g_conf_path = conf ? conf : VOUCH_CONF_PATH;
  if(vouch_crypto_init() || load_config(&g_cfg) || open_state()) {
    fprintf(stderr, "vouch-account: the security check cannot start\n");
    return -1;
  }
  return 0;
}

int vd_worker_key(const char *conf)
{
  vouch_config *cfg = NULL;
  unsigned char *key = NULL;
  vouch_rc rc;

  /* A configuration the tool cannot use is the tool's to report. */
  if(vouch_config_load(conf ? conf : VOUCH_CONF_PATH, &cfg, NULL, NULL) ||
     cfg->store_backend != VOUCH_BACKEND_POSTGRESQL) {
    vouch_config_free(cfg);
    return 0;
  }
  rc = vouch_crypto_init();
  if(!rc) {
    key = sodium_malloc(VOUCH_KEY_BYTES);
    rc = key ? vouch_key_load(cfg->key_file, key, log_stderr, NULL)
             : VOUCH_ERR_NOMEM;
  }
  if(!rc)
    vouch_store_pg_key(key);
  if(key)
    sodium_free(key);
  vouch_config_free(cfg);
  return rc ? -1 : 0;
}

/* A socket from systemd (LISTEN_FDS), or -1. */
static int inherited_socket(void)
{
  const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
  long long p, n;

  if(!pid || !fds || !vouch_frame_num(pid, 1, INT_MAX, &p) ||
     !vouch_frame_num(fds, 1, 64, &n) || (pid_t)p != getpid())
    return -1;
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  (void)fcntl(3, F_SETFD, FD_CLOEXEC);
  return 3;
}

/* Another vouchd answering at path? */
static bool in_use(const struct sockaddr_un *sa)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool used;

  if(fd < 0)
    return false;
  used = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
  close(fd);
  return used;
}

static int own_socket(const char *path)
{
  struct sockaddr_un sa;
  struct stat st;
  char dir[sizeof(sa.sun_path)];
  char *slash;
  int fd;

  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
  snprintf(dir, sizeof(dir), "%s", path);
  slash = strrchr(dir, '/');
  if(slash && slash != dir) {
    *slash = '\0';
    /* chmod: umask(077) of main would leave it 0700, closed to the
     * members' own clients. */
    if(!mkdir(dir, 0755))
      (void)chmod(dir, 0755);
    else if(errno != EEXIST) {
      say(LOG_ERR, "%s: %s%s", dir, strerror(errno),
          errno == EACCES ? " (run vouchd as root)" : "");
      return -1;
    }
  }
  if(!lstat(path, &st)) {
    if(!S_ISSOCK(st.st_mode)) {
      say(LOG_ERR, "%s exists and is not a socket; not replaced", path);
      return -1;
    }
    if(in_use(&sa)) {
      say(LOG_ERR, "another vouchd answers at %s", path);
      return -1;
    }
    unlink(path);
  }
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if(fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
     chmod(path, 0666) || listen(fd, SOMAXCONN)) {
    say(LOG_ERR, "%s: %s%s", path, strerror(errno),
        errno == EACCES ? " (run vouchd as root)" : "");
    if(fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* Delivery helpers that stay running, for the configuration in use. */
static void keep_helpers(void)
{
  vouch_config *cfg = NULL;
  vouch_ctx *ctx = NULL;

  if(vd_config(&cfg) == VOUCH_OK &&
     vouch_ctx_with(cfg, "vouchd", g_key, vd_log, NULL, &ctx) == VOUCH_OK)
    vouch_delivery_keep(ctx);
  vouch_ctx_free(ctx);
}

static void reload(void)
{
  vouch_config *cfg = NULL, *old;

  if(load_config(&cfg)) {
    say(LOG_ERR, "SIGHUP: %s has errors; the configuration in use stays",
        g_conf_path);
    return;
  }
  pthread_mutex_lock(&g_lock);
  old = g_cfg;
  g_cfg = cfg;
  web_uid_of(cfg);
  pthread_mutex_unlock(&g_lock);
  vouch_hash_limit(cfg->daemon_hash_workers);
  vouch_config_free(old);
  vouch_store_forget();
  keep_helpers();
  vd_fleet_start(cfg);
  say(LOG_NOTICE, "configuration reloaded from %s", g_conf_path);
}

/* Serves until SIGTERM or SIGINT. */
static void run(int lfd, int sfd)
{
  struct pollfd p[2] = {{lfd, POLLIN, 0}, {sfd, POLLIN, 0}};
  struct signalfd_siginfo si;
  int fd;

  for(;;) {
    if(poll(p, 2, -1) < 0) {
      if(errno == EINTR)
        continue;
      say(LOG_ERR, "poll: %s", strerror(errno));
      return;
    }
    if(p[1].revents & POLLIN) {
      if(read(sfd, &si, sizeof(si)) != sizeof(si))
        continue;
      if(si.ssi_signo == SIGHUP)
        reload();
      else
        return;
    }
    if(p[0].revents & POLLIN) {
      fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
      if(fd >= 0)
        take(fd);
      else if(errno == EMFILE || errno == ENFILE)
        usleep(10000); /* out of descriptors: let some close */
    }
  }
}

static void drain(void)
{
  unsigned left;
  int i;

  for(i = 0; i < DRAIN_SECONDS * 20; i++) {
    pthread_mutex_lock(&g_lock);
    left = g_clients;
    pthread_mutex_unlock(&g_lock);
    if(!left)
      return;
    usleep(50000);
  }
}

static int args(int argc, char **argv)
{
  int i;

  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--config") && i + 1 < argc)
      g_conf_path = argv[++i];
    else if(!strncmp(argv[i], "--config=", 9))
      g_conf_path = argv[i] + 9;
    else if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage_text, stdout);
      exit(0);
    }
    else if(!strcmp(argv[i], "--version")) {
      printf("vouchd %s\n", VOUCH_VERSION);
      exit(0);
    }
    else {
      fprintf(stderr, "vouchd: unknown argument: %.100s\n%s", argv[i],
              usage_text);
      return 2;
    }
  }
  if(!g_conf_path)
    g_conf_path = VOUCH_CONF_PATH;
  return 0;
}

int main(int argc, char **argv)
{
  sigset_t set;
  char err[256];
  int lfd = -1, sfd = -1, rc;
  bool owned = false;

  if(argc > 1 && !strcmp(argv[1], "--worker"))
    return vd_worker_main(argc, argv);
  rc = args(argc, argv);
  if(rc)
    return rc;
  /* Nothing of the PostgreSQL store comes from PG* variables; vouchd
   * alone may open that store. */
  vouch_pg_clear_env();
  vouch_store_pg_enable();
  umask(077);
  openlog("vouchd", LOG_PID, LOG_AUTHPRIV);
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if(sfd < 0 || vouch_crypto_init() || load_config(&g_cfg)) {
    say(LOG_ERR, "cannot start: %s has errors", g_conf_path);
    return 4;
  }

  /* Not root: it must be [daemon] user already (systemd's User=). */
  if(geteuid() != 0 && vd_become_user(g_cfg->daemon_user, err, sizeof(err))) {
    say(LOG_ERR, "cannot start: %s", err);
    return 4;
  }
  lfd = inherited_socket();
  if(lfd < 0) {
    lfd = own_socket(g_cfg->daemon_socket);
    owned = true;
  }
  if(lfd < 0)
    return 4;
  /* The socket is bound (as root where needed); the rest runs as
   * [daemon] user, whose files the key and the store are. */
  if(vd_become_user(g_cfg->daemon_user, err, sizeof(err))) {
    say(LOG_ERR, "cannot start: %s", err);
    return 4;
  }
  if(open_state()) {
    say(LOG_ERR,
        "cannot start: no usable key file %s (above: why; vouchctl init "
        "makes a missing one)",
        g_cfg->key_file);
    if(owned)
      unlink(g_cfg->daemon_socket);
    return 4;
  }
  vouch_hash_limit(g_cfg->daemon_hash_workers);
  web_uid_of(g_cfg);
  vouch_store_serialize();
  keep_helpers();
  vd_fleet_start(g_cfg);
  say(LOG_NOTICE, "ready on %s",
      owned ? g_cfg->daemon_socket : "the socket systemd handed over");
  run(lfd, sfd);
  close(lfd);
  if(owned)
    unlink(g_cfg->daemon_socket);
  drain();
  vd_fleet_stop();
  vouch_delivery_keep(NULL);
  say(LOG_NOTICE, "stopped");
  return 0;
}
