/*
 * pg.c - the connection of the PostgreSQL store ([store] backend =
 * postgresql, SPEC 9): libpq's parameters built from the configuration
 * alone.  Every parameter that libpq would otherwise take from the PG*
 * environment, a service file, ~/.pgpass or ~/.postgresql is set
 * explicitly; the password comes from [store] password_file; every
 * connection that is not over a Unix socket verifies the server's
 * certificate and name (sslmode=verify-full against [store] ca_file);
 * connecting and each statement are bounded in time.
 *
 * In vouchd (the store's connections, core/store_pg.c) and
 * vouch-store-init (vouchctl init of this store), never in libvouch.so,
 * the PAM modules or the client library; libpq itself is loaded only
 * when this store is used (core/pq.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "pg.h"

extern char **environ;

#define PARAMS_MAX 40

/* Keywords [store] conninfo may not set: vouch sets them itself, or they
 * would read files or the environment (service files, passfile), or
 * weaken what is required (sslmode, gssencmode). */
static const char *const owned[] = {
    "password",    "passfile",        "service",    "sslmode",
    "sslrootcert", "requiressl",      "gssencmode", "sslcrl",
    "sslcrldir",   "connect_timeout", "options",    "krbsrvname",
    "gsslib",      "requirepeer",     "sslsni",     NULL};

/* Keywords it may set: where and who, and client certificates. */
static const char *const allowed[] = {"host",
                                      "hostaddr",
                                      "port",
                                      "dbname",
                                      "user",
                                      "application_name",
                                      "target_session_attrs",
                                      "sslcert",
                                      "sslkey",
                                      "ssl_min_protocol_version",
                                      "ssl_max_protocol_version",
                                      "keepalives",
                                      "keepalives_idle",
                                      "keepalives_interval",
                                      "keepalives_count",
                                      "tcp_user_timeout",
                                      "channel_binding",
                                      NULL};

static bool listed(const char *const *list, const char *word)
{
  for(; *list; list++)
    if(!strcmp(*list, word))
      return true;
  return false;
}

/* The parameters being built. */
struct params {
  const char *key[PARAMS_MAX + 1];
  const char *val[PARAMS_MAX + 1];
  unsigned n;
};

static void put(struct params *p, const char *key, const char *val)
{
  unsigned i;

  for(i = 0; i < p->n; i++)
    if(!strcmp(p->key[i], key)) {
      p->val[i] = val;
      return;
    }
  if(p->n < PARAMS_MAX) {
    p->key[p->n] = key;
    p->val[p->n++] = val;
  }
}

static const char *get(const struct params *p, const char *key)
{
  unsigned i;

  for(i = 0; i < p->n; i++)
    if(!strcmp(p->key[i], key))
      return p->val[i];
  return NULL;
}

/* A PG* variable in the environment, or NULL.  libpq reads them for
 * every parameter not given (an empty one counts as not given): vouch
 * connects only once they are gone (vouch_pg_clear_env at start). */
static const char *pg_variable(void)
{
  char **e;

  for(e = environ; e && *e; e++)
    if(!strncmp(*e, "PG", 2))
      return *e;
  return NULL;
}

/* An abstract socket ("@name") has no owner to check: refused. */
static bool abstract_host(const char *hosts)
{
  const char *h = hosts;

  while(h) {
    if(*h == '@')
      return true;
    h = strchr(h, ',');
    if(h)
      h++;
  }
  return false;
}

/* [store] conninfo into p: only allowed keywords; host, dbname and user
 * required.  The parsed options are kept in *opts (freed by the caller
 * with PQconninfoFree). */
static vouch_rc take_conninfo(const vouch_config *c, struct params *p,
                              PQconninfoOption **opts, vouch_log_fn log,
                              void *arg)
{
  PQconninfoOption *o;
  char *err = NULL;

  if(c->store_conninfo && (!strncmp(c->store_conninfo, "postgresql:", 11) ||
                           !strncmp(c->store_conninfo, "postgres:", 9))) {
    vouch_logp(log, arg, LOG_ERR,
               "[store] conninfo: write keyword=value pairs, not a URI");
    return VOUCH_ERR_CONFIG;
  }
  *opts = PQconninfoParse(c->store_conninfo ? c->store_conninfo : "", &err);
  if(!*opts) {
    /* libpq's reason may quote the text, a password written there too:
     * only the name of an unknown keyword is shown. */
    vouch_logp(log, arg, LOG_ERR, "[store] conninfo: %s",
               err && !strncmp(err, "invalid connection option", 25)
                   ? vouch_trim(err)
                   : "not libpq's keyword=value pairs (see vouch.conf(5))");
    PQfreemem(err);
    return VOUCH_ERR_CONFIG;
  }
  for(o = *opts; o->keyword; o++) {
    if(!o->val)
      continue;
    if(listed(owned, o->keyword)) {
      vouch_logp(log, arg, LOG_ERR,
                 "[store] conninfo: %s is set by vouch itself (see "
                 "vouch.conf(5): password_file, ca_file, connect_timeout, "
                 "statement_timeout)",
                 o->keyword);
      return VOUCH_ERR_CONFIG;
    }
    if(!listed(allowed, o->keyword)) {
      vouch_logp(log, arg, LOG_ERR, "[store] conninfo: %s is not taken",
                 o->keyword);
      return VOUCH_ERR_CONFIG;
    }
    put(p, o->keyword, o->val);
  }
  if(!get(p, "host") && !get(p, "hostaddr")) {
    vouch_logp(log, arg, LOG_ERR,
               "[store] conninfo: host is missing (a name, an address, or "
               "the directory of the server's Unix socket)");
    return VOUCH_ERR_CONFIG;
  }
  if(abstract_host(get(p, "host"))) {
    vouch_logp(log, arg, LOG_ERR,
               "[store] conninfo: host: an abstract socket (@...) has no "
               "owner vouch can check; use the server's socket directory");
    return VOUCH_ERR_CONFIG;
  }
  if(!get(p, "dbname") || !get(p, "user")) {
    vouch_logp(log, arg, LOG_ERR,
               "[store] conninfo: dbname and user are both needed");
    return VOUCH_ERR_CONFIG;
  }
  return VOUCH_OK;
}

/* The first line of [store] password_file (vouch_read_secret_file). */
static vouch_rc take_password(const vouch_config *c, char **pw,
                              vouch_log_fn log, void *arg)
{
  *pw = NULL;
  if(!c->store_password_file)
    return VOUCH_OK;
  return vouch_read_secret_file(c->store_password_file,
                                "the database password", pw, log, arg);
}

vouch_rc vouch_pg_connect(const vouch_config *c, PGconn **out,
                          vouch_log_fn log, void *arg)
{
  char timeout[16], options[240], user_timeout[24], *pw = NULL;
  PQconninfoOption *opts = NULL;
  struct params p;
  PGconn *conn;
  vouch_rc rc;

  *out = NULL;
  memset(&p, 0, sizeof(p));
  if(pg_variable()) {
    vouch_logp(log, arg, LOG_ERR,
               "PostgreSQL store: %.*s is set in the environment; vouch "
               "takes nothing from PG* variables (vouchd removes them at "
               "start)",
               (int)strcspn(pg_variable(), "="), pg_variable());
    return VOUCH_ERR_CONFIG;
  }
  rc = vouch_pq_load(log, arg);
  if(!rc)
    rc = take_conninfo(c, &p, &opts, log, arg);
  if(!rc)
    rc = take_password(c, &pw, log, arg);
  if(rc)
    goto out;
  snprintf(timeout, sizeof(timeout), "%u", c->store_connect_timeout);
  /* A statement, a wait for a lock, and an idle transaction are bounded
   * on the server too; names resolve in schema vouch (and pg_catalog)
   * only, whatever the role's settings. */
  snprintf(options, sizeof(options),
           "-c statement_timeout=%u -c lock_timeout=%u "
           "-c idle_in_transaction_session_timeout=%u "
           "-c search_path=vouch -c client_min_messages=warning "
           "-c bytea_output=hex "
           "-c default_transaction_isolation=read\\ committed",
           c->store_statement_timeout_ms, c->store_statement_timeout_ms,
           c->store_statement_timeout_ms * 2);
  /* Unacknowledged data on a dead link counts as gone after the connect
   * timeout (a primary killed mid-burst). */
  snprintf(user_timeout, sizeof(user_timeout), "%u",
           c->store_connect_timeout * 1000);
  put(&p, "connect_timeout", timeout);
  put(&p, "options", options);
  if(pw)
    put(&p, "password", pw);
  /* Files libpq would otherwise look for under $HOME: none. */
  put(&p, "passfile", "/nonexistent/vouch-no-passfile");
  put(&p, "sslcrl", "/nonexistent/vouch-no-crl");
  put(&p, "sslcrldir", "/nonexistent/vouch-no-crl-dir");
  put(&p, "gssencmode", "disable");
  /* TLS verified on every TCP connection (libpq never uses TLS over a
   * Unix socket); over a socket, the server's process must run as
   * [store] server_user. */
  put(&p, "sslmode", "verify-full");
  put(&p, "sslrootcert", c->store_ca_file);
  put(&p, "requirepeer", c->store_server_user);
  if(!get(&p, "sslcert"))
    put(&p, "sslcert", "/nonexistent/vouch-no-client-certificate");
  if(!get(&p, "sslkey"))
    put(&p, "sslkey", "/nonexistent/vouch-no-client-key");
  if(!get(&p, "application_name"))
    put(&p, "application_name", "vouchd");
  if(!get(&p, "target_session_attrs"))
    put(&p, "target_session_attrs", "read-write");
  if(!get(&p, "keepalives_idle"))
    put(&p, "keepalives_idle", "10");
  if(!get(&p, "tcp_user_timeout"))
    put(&p, "tcp_user_timeout", user_timeout);
  p.key[p.n] = NULL;
  p.val[p.n] = NULL;
  conn = PQconnectdbParams(p.key, p.val, 0);
  if(!conn) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  if(PQstatus(conn) != CONNECTION_OK) {
    vouch_logp(log, arg, LOG_ERR, "the PostgreSQL store cannot be reached: %s",
               vouch_trim(PQerrorMessage(conn)));
    PQfinish(conn);
    rc = VOUCH_ERR_OFFLINE;
    goto out;
  }
  *out = conn;
out:
  if(pw)
    vouch_free_secret(pw);
  if(opts)
    PQconninfoFree(opts);
  return rc;
}
