/*
 * store_pg.c - the store's PostgreSQL driver ([store] backend =
 * postgresql, SPEC 9): the statement layer of store_int.h over libpq,
 * for vouchd alone (libvouch.so and the PAM modules never have it).
 *
 * The SQL is the store files' own, written once with ?N parameters: a
 * statement is rewritten to $N once, prepared on its connection the
 * first time it runs (with the types of the values then bound: text,
 * int8, bytea), and kept in the store's cache.  Results come as text;
 * a bytea is decoded from its hex form, a boolean reads as 1 or 0.
 *
 * Transactions: BEGIN takes a transaction-level advisory lock that every
 * host's vouchd takes for its writes (STORE_WRITE_LOCK), so that a
 * read-modify-write on one host never interleaves with another's: what
 * BEGIN IMMEDIATE gives one host on SQLite, the fleet gets here, and
 * lockout counts, single-use codes and rate limits are exact across
 * hosts.  A COMMIT that PostgreSQL turned into a ROLLBACK (an earlier
 * error) is an error.
 *
 * A connection that breaks, a server that shuts down, or a primary that
 * became a standby is VOUCH_ERR_OFFLINE (modules: PAM_AUTHINFO_UNAVAIL);
 * the handle is then not kept, and the next request connects afresh
 * (target_session_attrs=read-write finds the new primary).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pg.h"
#include "store_int.h"

/* The status codes this driver returns (clear of SQLite's and the
 * layer's): what st_sql_fail and st_conflict read. */
#define PG_ERROR 0x10000 /* any other error */
#define PG_UNIQUE 0x10001
#define PG_CONSTRAINT 0x10002
#define PG_OFFLINE 0x10003
#define PG_BUSY 0x10004
#define PG_NOMEM 0x10005
#define PG_TOOBIG 0x10006

/* Type oids (pg_type.h is a server header). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

/* Every host's write transactions queue on this lock ("vouw"). */
#define STORE_WRITE_LOCK 1987016055
/* The first key of the host names' session locks (vouch_store_host_claim). */
#define HOST_LOCK_SPACE 1986950499

#define PARAMS_MAX 32

struct st_pg {
  PGconn *conn;
  unsigned names;   /* statements prepared on conn so far */
  int64_t changes;  /* rows the last statement changed */
  char sqlstate[6]; /* of the last error */
  char err[300];    /* its message, one line */
  bool broken;      /* the connection is not to be kept */
  unsigned epoch;   /* g_epoch when it connected */
};

/* Bumped whenever a connection is found lost: the kept ones made before
 * went to the same server and are dropped rather than each failing one
 * request (a server that crashed, or a primary that is gone). */
static atomic_uint g_epoch;
/* vouch_pg_key_check of this process's key once vouch_store_pg_key has
 * been told it (g_key_set): every new connection compares the store's. */
static atomic_llong g_key_check;
static atomic_bool g_key_set;

struct pg_stmt {
  vouch_store *st;
  char *sql;     /* with $N */
  char name[16]; /* "" until prepared (a kept statement) */
  bool keep;
  bool commit; /* the statement is COMMIT: its tag is checked */
  int nparams;
  Oid types[PARAMS_MAX];
  const char *values[PARAMS_MAX];
  int lengths[PARAMS_MAX];
  int formats[PARAMS_MAX];
  char num[PARAMS_MAX][24];
  PGresult *res;
  int row, rows;
  unsigned char **blobs; /* decoded bytea of the current row, by column */
  int nblobs;
};

/* ------------------------------------------------------------- errors */

/* Keeps the reason of a failed result (or of the connection) and says
 * which of the driver's codes it is. */
static int pg_failed(struct st_pg *pg, const PGresult *res)
{
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res ? PQresultErrorMessage(res) : "";

  if(!msg || !*msg)
    msg = PQerrorMessage(pg->conn);
  snprintf(pg->sqlstate, sizeof(pg->sqlstate), "%s", state ? state : "");
  snprintf(pg->err, sizeof(pg->err), "%s", msg && *msg ? msg : "failed");
  pg->err[strcspn(pg->err, "\n")] = '\0';
  if(PQstatus(pg->conn) != CONNECTION_OK || !state ||
     !strncmp(state, "08", 2) || !strcmp(state, "57P01") ||
     !strcmp(state, "57P02") || !strcmp(state, "57P03") ||
     !strcmp(state, "25006")) {
    /* gone, shut down, or now a standby (read-only) */
    if(!pg->broken)
      atomic_fetch_add(&g_epoch, 1);
    pg->broken = true;
    return PG_OFFLINE;
  }
  if(!strcmp(state, "55P03") || !strcmp(state, "57014") ||
     !strcmp(state, "40001") || !strcmp(state, "40P01"))
    return PG_BUSY;
  if(!strcmp(state, "53200"))
    return PG_NOMEM;
  if(!strcmp(state, "23505"))
    return PG_UNIQUE;
  if(!strncmp(state, "23", 2))
    return PG_CONSTRAINT;
  return PG_ERROR;
}

static vouch_rc pg_fail(const vouch_store *st, const char *what, int code)
{
  const char *msg = st->pg ? st->pg->err : "";

  switch(code) {
  case PG_OFFLINE:
    st_slog(st, LOG_ERR, "%s: %s: the database cannot be reached: %s",
            st->path, what, msg);
    return VOUCH_ERR_OFFLINE;
  case PG_BUSY:
    st_slog(st, LOG_ERR, "%s: %s: busy past the statement timeout: %s",
            st->path, what, msg);
    return VOUCH_ERR_BUSY;
  case PG_NOMEM:
    st_slog(st, LOG_ERR, "%s: %s: out of memory", st->path, what);
    return VOUCH_ERR_NOMEM;
  case PG_TOOBIG:
    st_slog(st, LOG_ERR, "%s: %s: too many or too large values", st->path,
            what);
    return VOUCH_ERR_STORE;
  case ST_CORRUPT:
    st_slog(st, LOG_ERR,
            "%s: %s: the database holds a value vouch did not "
            "write",
            st->path, what);
    return VOUCH_ERR_STORE;
  case ST_MISUSE:
    st_slog(st, LOG_ERR, "%s: %s: misuse of the store", st->path, what);
    return VOUCH_ERR_STORE;
  default:
    st_slog(st, LOG_ERR, "%s: %s: %s%s%s", st->path, what, msg,
            st->pg && *st->pg->sqlstate ? " SQLSTATE " : "",
            st->pg ? st->pg->sqlstate : "");
    return VOUCH_ERR_STORE;
  }
}

static enum st_conflict pg_conflict(int code)
{
  if(code == PG_UNIQUE)
    return ST_UNIQUE;
  return code == PG_CONSTRAINT ? ST_CONSTRAINT : ST_NO_CONFLICT;
}

/* --------------------------------------------------------- statements */

/* sql with ?N as $N (outside quoted text and names); the highest N in
 * *n.  NULL for want of memory or for more than PARAMS_MAX. */
static char *rewrite(const char *sql, int *n)
{
  size_t len = strlen(sql);
  char *out = malloc(len + 1), *o = out;
  char quote = 0;

  *n = 0;
  if(!out)
    return NULL;
  for(; *sql; sql++) {
    if(quote) {
      if(*sql == quote)
        quote = 0;
    }
    else if(*sql == '\'' || *sql == '"')
      quote = *sql;
    else if(*sql == '?' && sql[1] >= '0' && sql[1] <= '9') {
      int v = 0;
      *o++ = '$';
      while(sql[1] >= '0' && sql[1] <= '9' && v <= PARAMS_MAX) {
        v = v * 10 + (sql[1] - '0');
        *o++ = *++sql;
      }
      if(v < 1 || v > PARAMS_MAX) {
        free(out);
        return NULL;
      }
      if(v > *n)
        *n = v;
      continue;
    }
    *o++ = *sql;
  }
  *o = '\0';
  return out;
}

static int pg_prepare(vouch_store *st, const char *sql, bool keep, void **h)
{
  struct pg_stmt *s = calloc(1, sizeof(*s));

  *h = NULL;
  if(!s)
    return PG_NOMEM;
  s->sql = rewrite(sql, &s->nparams);
  if(!s->sql) {
    free(s);
    return PG_TOOBIG;
  }
  s->st = st;
  s->keep = keep;
  s->commit = !strcmp(sql, "COMMIT");
  *h = s;
  return ST_OK;
}

static int bind(struct pg_stmt *s, int i, Oid type, const char *v, int len,
                int format)
{
  if(i < 1 || i > s->nparams)
    return ST_MISUSE;
  i--;
  /* A kept statement was prepared with the types of its first run; a
   * value of another type needs a statement of its own.  A NULL is typed
   * too (by the call that bound it: text), or "?1 IS NULL" alone would
   * leave PostgreSQL nothing to infer the type from. */
  if(s->types[i] != type) {
    s->name[0] = '\0';
    s->types[i] = type;
  }
  s->values[i] = v;
  s->lengths[i] = len;
  s->formats[i] = format;
  return ST_OK;
}

static int pg_bind_text(void *h, int i, const char *v)
{
  return bind(h, i, OID_TEXT, v, 0, 0);
}

static int pg_bind_int64(void *h, int i, int64_t v)
{
  struct pg_stmt *s = h;

  if(i < 1 || i > s->nparams)
    return ST_MISUSE;
  snprintf(s->num[i - 1], sizeof(s->num[0]), "%" PRId64, v);
  return bind(s, i, OID_INT8, s->num[i - 1], 0, 0);
}

static int pg_bind_blob(void *h, int i, const void *p, size_t n)
{
  if(n > INT32_MAX)
    return PG_TOOBIG;
  /* NULL binds SQL NULL; an empty blob is not NULL */
  return bind(h, i, OID_BYTEA, p ? (const char *)p : NULL, p ? (int)n : 0, 1);
}

static int pg_params(void *h)
{
  return ((struct pg_stmt *)h)->nparams;
}

static void drop_blobs(struct pg_stmt *s)
{
  int i;

  for(i = 0; i < s->nblobs; i++) {
    free(s->blobs[i]);
    s->blobs[i] = NULL;
  }
}

/* Runs the statement: prepared once on the connection when kept. */
static int run(struct pg_stmt *s)
{
  struct st_pg *pg = s->st->pg;
  ExecStatusType status;
  const char *tag;

  if(!pg || !pg->conn)
    return PG_OFFLINE;
  if(s->keep && !s->name[0]) {
    PGresult *r;
    char name[16];

    snprintf(name, sizeof(name), "v%u", ++pg->names);
    r = PQprepare(pg->conn, name, s->sql, s->nparams, s->types);
    if(PQresultStatus(r) != PGRES_COMMAND_OK) {
      int code = pg_failed(pg, r);
      PQclear(r);
      return code;
    }
    PQclear(r);
    memcpy(s->name, name, sizeof(name));
  }
  if(s->name[0])
    s->res = PQexecPrepared(pg->conn, s->name, s->nparams, s->values,
                            s->lengths, s->formats, 0);
  else
    s->res = PQexecParams(pg->conn, s->sql, s->nparams, s->types, s->values,
                          s->lengths, s->formats, 0);
  status = PQresultStatus(s->res);
  if(status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    return pg_failed(pg, s->res);
  tag = PQcmdTuples(s->res);
  pg->changes = tag && *tag ? strtoll(tag, NULL, 10) : 0;
  if(s->commit && strcmp(PQcmdStatus(s->res), "COMMIT")) {
    snprintf(pg->err, sizeof(pg->err), "%s",
             "the transaction was rolled back by an earlier error");
    pg->sqlstate[0] = '\0';
    return PG_ERROR;
  }
  s->rows = status == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
  s->row = -1;
  return ST_OK;
}

static int pg_step(void *h)
{
  struct pg_stmt *s = h;
  int code;

  if(!s->res) {
    code = run(s);
    if(code != ST_OK)
      return code;
  }
  drop_blobs(s);
  if(s->row + 1 >= s->rows) {
    s->row = s->rows;
    return ST_DONE;
  }
  s->row++;
  return ST_ROW;
}

static bool here(const struct pg_stmt *s, int i)
{
  return s->res && s->row >= 0 && s->row < s->rows && i >= 0 &&
         i < PQnfields(s->res);
}

static bool pg_col_null(void *h, int i)
{
  struct pg_stmt *s = h;

  return !here(s, i) || PQgetisnull(s->res, s->row, i);
}

static int64_t pg_col_int64(void *h, int i)
{
  struct pg_stmt *s = h;
  const char *v;

  if(pg_col_null(h, i))
    return 0;
  v = PQgetvalue(s->res, s->row, i);
  if(PQftype(s->res, i) == OID_BOOL)
    return v[0] == 't';
  return (int64_t)strtoll(v, NULL, 10);
}

static const char *pg_col_text(void *h, int i, size_t *len, bool *ok)
{
  struct pg_stmt *s = h;

  (void)ok;
  if(pg_col_null(h, i)) {
    if(len)
      *len = 0;
    return NULL;
  }
  if(len)
    *len = (size_t)PQgetlength(s->res, s->row, i);
  return PQgetvalue(s->res, s->row, i);
}

static int hexval(char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* A bytea column of the current row, decoded from its hex text form
 * ("\x0a1b..."); kept until the next row or reset. */
static const void *pg_col_blob(void *h, int i, size_t *len)
{
  struct pg_stmt *s = h;
  const char *v;
  size_t n, k;
  unsigned char *out;

  *len = 0;
  if(pg_col_null(h, i))
    return NULL;
  if(!s->blobs) {
    s->nblobs = PQnfields(s->res);
    s->blobs = calloc((size_t)s->nblobs, sizeof(*s->blobs));
    if(!s->blobs) {
      s->nblobs = 0;
      return NULL;
    }
  }
  if(i >= s->nblobs)
    return NULL;
  v = PQgetvalue(s->res, s->row, i);
  n = (size_t)PQgetlength(s->res, s->row, i);
  if(n < 2 || v[0] != '\\' || v[1] != 'x' || n % 2)
    return NULL; /* not bytea's hex output */
  free(s->blobs[i]);
  s->blobs[i] = out = malloc(n / 2 ? n / 2 : 1);
  if(!out)
    return NULL;
  for(k = 0; k < n / 2 - 1; k++) {
    int hi = hexval(v[2 + 2 * k]), lo = hexval(v[3 + 2 * k]);
    if(hi < 0 || lo < 0)
      return NULL;
    out[k] = (unsigned char)(hi << 4 | lo);
  }
  *len = n / 2 - 1;
  return out;
}

static void pg_reset(void *h)
{
  struct pg_stmt *s = h;
  int i;

  drop_blobs(s);
  PQclear(s->res);
  s->res = NULL;
  s->row = -1;
  s->rows = 0;
  for(i = 0; i < s->nparams; i++)
    s->values[i] = NULL;
}

static void pg_finalize(void *h)
{
  struct pg_stmt *s = h;

  if(!s)
    return;
  pg_reset(s);
  free(s->blobs);
  free(s->sql);
  free(s);
}

static int64_t pg_changes(vouch_store *st)
{
  return st->pg ? st->pg->changes : 0;
}

/* The id the last INSERT drew from its identity column, on this
 * connection: lastval(). */
static int64_t pg_last_id(vouch_store *st)
{
  PGresult *r;
  int64_t id = 0;

  if(!st->pg || !st->pg->conn)
    return 0;
  r = PQexec(st->pg->conn, "SELECT pg_catalog.lastval()");
  if(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
    id = (int64_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
  else
    pg_failed(st->pg, r);
  PQclear(r);
  return id;
}

static bool pg_in_tx(const vouch_store *st)
{
  PGTransactionStatusType t;

  if(!st->pg || !st->pg->conn)
    return false;
  t = PQtransactionStatus(st->pg->conn);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static vouch_rc pg_exec_script(vouch_store *st, const char *sql,
                               const char *what)
{
  PGresult *r;
  ExecStatusType status;
  int code = ST_OK;

  if(!st->pg || !st->pg->conn)
    return pg_fail(st, what, PG_OFFLINE);
  r = PQexec(st->pg->conn, sql);
  status = PQresultStatus(r);
  if(status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    code = pg_failed(st->pg, r);
  PQclear(r);
  return code == ST_OK ? VOUCH_OK : pg_fail(st, what, code);
}

static vouch_rc pg_begin(vouch_store *st)
{
  char sql[96];
  vouch_rc rc;

  snprintf(sql, sizeof(sql),
           "BEGIN; SELECT pg_catalog.pg_advisory_xact_lock(%d::bigint)",
           STORE_WRITE_LOCK);
  rc = pg_exec_script(st, sql, "begin transaction");
  /* a lock not had in time leaves the transaction open and aborted */
  if(rc && pg_in_tx(st))
    PQclear(PQexec(st->pg->conn, "ROLLBACK"));
  return rc;
}

/* A kept connection is fit for the next request: connected, no
 * transaction, and no end announced by the server since it was last
 * used (a server that was stopped or killed closed it: the socket reads
 * as ready with nothing asked). */
static bool pg_alive(vouch_store *st)
{
  struct pollfd p;
  int i;

  if(!st->pg || !st->pg->conn || st->pg->broken ||
     st->pg->epoch != atomic_load(&g_epoch) ||
     PQstatus(st->pg->conn) != CONNECTION_OK ||
     PQtransactionStatus(st->pg->conn) != PQTRANS_IDLE)
    return false;
  p.fd = PQsocket(st->pg->conn);
  if(p.fd < 0)
    return false;
  /* A server that ends a connection may first send a notice ("the
   * connection is terminated"), then close it: read until nothing is
   * left, a few times at most. */
  for(i = 0; i < 4; i++) {
    p.events = POLLIN;
    p.revents = 0;
    if(poll(&p, 1, 0) <= 0)
      return true;
    if(!PQconsumeInput(st->pg->conn) ||
       PQstatus(st->pg->conn) != CONNECTION_OK) {
      st->pg->broken = true;
      return false;
    }
  }
  /* still talking unasked: not a connection to keep */
  st->pg->broken = true;
  return false;
}

static void pg_close(vouch_store *st)
{
  if(!st->pg)
    return;
  if(st->pg->conn)
    PQfinish(st->pg->conn);
  free(st->pg);
  st->pg = NULL;
}

static vouch_rc pg_open(vouch_store *st, const vouch_config *c);
static vouch_rc pg_key_same(vouch_store *st, long long want);

static const struct st_driver st_pg_driver = {
    .name = "postgresql",
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_blob = pg_bind_blob,
    .params = pg_params,
    .step = pg_step,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_null = pg_col_null,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .changes = pg_changes,
    .last_id = pg_last_id,
    .in_tx = pg_in_tx,
    .exec_script = pg_exec_script,
    .fail = pg_fail,
    .conflict = pg_conflict,
    .begin = pg_begin,
    .alive = pg_alive,
    .close = pg_close,
    .open = pg_open,
};

/* --------------------------------------------------------------- open */

/* A new connection to the store of c, checked to hold this vouch's
 * schema (vouchd makes no DDL: an old one is vouchctl init's to bring
 * up). */
static vouch_rc pg_open(vouch_store *st, const vouch_config *c)
{
  vouch_rc rc;
  long long v = 0;

  st->pg = calloc(1, sizeof(*st->pg));
  if(!st->pg)
    return VOUCH_ERR_NOMEM;
  st->pg->epoch = atomic_load(&g_epoch);
  rc = vouch_pg_connect(c, &st->pg->conn, st->log, st->logarg);
  if(rc)
    return rc;
  rc = st_query_int(st, "SELECT value FROM vouch_meta WHERE key = 'schema'",
                    "read schema version", &v);
  if(rc == VOUCH_ERR_STORE && !strcmp(st->pg->sqlstate, "42P01")) {
    st_slog(st, LOG_ERR,
            "%s: the database has no vouch store (schema vouch): run "
            "vouchctl init",
            st->path);
    return VOUCH_ERR_STORE;
  }
  if(rc)
    return rc;
  if(v != VOUCH_PG_SCHEMA_VERSION) {
    st_slog(st, LOG_ERR,
            "%s: schema version %lld, this vouchd needs %d: run vouchctl "
            "init %s",
            st->path, v, VOUCH_PG_SCHEMA_VERSION,
            v < VOUCH_PG_SCHEMA_VERSION ? "(as the schema's owner)"
                                        : "of a newer vouch? update this "
                                          "host");
    return VOUCH_ERR_STORE;
  }
  /* Codes and tokens are signed with the key: every connection checks
   * that its store's hosts share this one. */
  if(atomic_load(&g_key_set))
    return pg_key_same(st, atomic_load(&g_key_check));
  return VOUCH_OK;
}

void vouch_store_pg_enable(void)
{
  st_pg_backend = &st_pg_driver;
}

/* The store's key_check against want. */
static vouch_rc pg_key_same(vouch_store *st, long long want)
{
  long long v = 0;
  vouch_rc rc;

  rc = st_query_int(st, "SELECT value FROM vouch_meta WHERE key = 'key_check'",
                    "read which key the hosts share", &v);
  if(rc)
    return rc;
  if(v != want) {
    st_slog(st, LOG_ERR,
            "%s: this host's key is not the one the other hosts of the "
            "store use (copy theirs here, mode 0600, and restart vouchd)",
            st->path);
    return VOUCH_ERR_KEY;
  }
  return VOUCH_OK;
}

void vouch_store_pg_key(const unsigned char *key)
{
  atomic_store(&g_key_check, vouch_pg_key_check(key));
  atomic_store(&g_key_set, true);
}

vouch_rc vouch_store_signouts_listen(vouch_store *st)
{
  if(!st || st->drv != &st_pg_driver || !st->own)
    return VOUCH_ERR_USAGE;
  return pg_exec_script(st, "LISTEN vouch_signout", "listen for sign-outs");
}

vouch_rc vouch_store_host_claim(vouch_store *st, const char *host, bool *held)
{
  uint32_t h = 2166136261u; /* FNV-1a of the name */
  st_stmt *s = NULL;
  const char *p;
  vouch_rc rc;
  int src;

  *held = false;
  if(!st || st->drv != &st_pg_driver || !st->own || !host || !*host)
    return VOUCH_ERR_USAGE;
  for(p = host; *p; p++)
    h = (h ^ (unsigned char)*p) * 16777619u;
  /* The server ends this connection's backend (and frees the name)
   * within about half a minute of its host vanishing without a word
   * (power lost, link cut), instead of hours: the host, back, claims its
   * name again (TCP only; over a Unix socket the end shows at once). */
  rc = pg_exec_script(st,
                      "SET tcp_keepalives_idle = 10;"
                      " SET tcp_keepalives_interval = 5;"
                      " SET tcp_keepalives_count = 3;"
                      " SET tcp_user_timeout = 30000",
                      "keep the listening connection alive");
  if(rc)
    return rc;
  /* Two int4 keys: a space of their own, apart from STORE_WRITE_LOCK's. */
  rc = st_prepare(st,
                  "SELECT pg_catalog.pg_try_advisory_lock(CAST(?1 AS integer),"
                  " CAST(?2 AS integer))",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, (int64_t)HOST_LOCK_SPACE);
  src = src ? src : st_bind_int64(s, 2, (int64_t)(int32_t)h);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    *held = st_col_int64(s, 0) == 1;
  else
    rc = st_sql_fail(st, "claim this host's name", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_signouts_wait(vouch_store *st, int timeout_ms, bool *got)
{
  struct pollfd p;
  PGnotify *n;
  int r;

  *got = false;
  if(!st || st->drv != &st_pg_driver || !st->own)
    return VOUCH_ERR_USAGE;
  if(!st->pg || !st->pg->conn || PQstatus(st->pg->conn) != CONNECTION_OK)
    return pg_fail(st, "wait for sign-outs", PG_OFFLINE);
  p.fd = PQsocket(st->pg->conn);
  p.events = POLLIN;
  p.revents = 0;
  if(p.fd < 0)
    return pg_fail(st, "wait for sign-outs", PG_OFFLINE);
  r = poll(&p, 1, timeout_ms);
  if(r < 0 && errno != EINTR)
    return VOUCH_ERR_SYSTEM;
  if(r > 0 && !PQconsumeInput(st->pg->conn)) {
    pg_failed(st->pg, NULL);
    return pg_fail(st, "wait for sign-outs", PG_OFFLINE);
  }
  while((n = PQnotifies(st->pg->conn)) != NULL) {
    *got = true;
    PQfreemem(n);
  }
  return VOUCH_OK;
}
