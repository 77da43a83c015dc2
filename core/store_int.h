/*
 * store_int.h - private to the store files (store.c and its siblings
 * store_*.c, one per concept): the handle, the statement layer between
 * the SQL and a database library, and the helpers every SQL statement
 * goes through.  Only these files speak SQL.
 */
#ifndef VOUCH_STORE_INT_H
#define VOUCH_STORE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store.h"

/* ------------------------------------------------------ statement layer
 *
 * The store files speak SQL through these st_* functions only, never to
 * a database library: a driver (struct st_driver, one per backend; today
 * SQLite's, core/store_sqlite.c) runs them.  The SQL is written once, in
 * the store files, with ?N parameters.
 *
 * Calls that bind or step return a status: ST_OK, ST_ROW (a row is
 * there to read), ST_DONE (the statement ran to its end), or an error of
 * the driver's own numbering, which only st_sql_fail and st_conflict
 * read.  The numbers are SQLite's result codes, so that its driver
 * passes them through; another driver keeps its errors clear of these. */
#define ST_OK 0
#define ST_CORRUPT 11 /* errors the store files raise themselves */
#define ST_MISUSE 21
#define ST_ROW 100
#define ST_DONE 101

/* What st_conflict makes of an error: a UNIQUE or PRIMARY KEY row that
 * exists already, another constraint, or no constraint at all. */
enum st_conflict { ST_NO_CONFLICT = 0, ST_UNIQUE, ST_CONSTRAINT };

/* A statement st_prepare gave.  Only the layer (store.c) and the
 * drivers look inside. */
typedef struct st_stmt st_stmt;
struct st_stmt {
  const struct st_driver *drv;
  void *h; /* the driver's own statement (SQLite: a sqlite3_stmt) */
};

/* A backend.  Statement calls take the driver's statement h; the
 * bound text and blobs must outlive the statement's run (never copied). */
struct st_driver {
  const char *name;
  /* keep: the statement goes into the cache and is used many times */
  int (*prepare)(vouch_store *st, const char *sql, bool keep, void **h);
  int (*bind_text)(void *h, int i, const char *v); /* NULL: SQL NULL */
  int (*bind_int64)(void *h, int i, int64_t v);
  int (*bind_blob)(void *h, int i, const void *p, size_t n);
  int (*params)(void *h); /* the highest parameter number */
  int (*step)(void *h);
  int64_t (*col_int64)(void *h, int i);
  /* NULL for SQL NULL; *len (may be NULL) the bytes; *ok (may be NULL)
   * turns false when the value could not be had for want of memory */
  const char *(*col_text)(void *h, int i, size_t *len, bool *ok);
  const void *(*col_blob)(void *h, int i, size_t *len);
  bool (*col_null)(void *h, int i);
  void (*reset)(void *h); /* kept for the next use; bindings dropped */
  void (*finalize)(void *h);
  int64_t (*changes)(vouch_store *st); /* rows the last write changed */
  /* the id of the row the last INSERT added.  Not "INSERT ... RETURNING
   * id" in the SQL: SQLite 3.40 runs RETURNING as a trigger, some 40 000
   * more instructions an insert (+7 % of vouchd's work per check, make
   * bench (a)); a driver without such a call may add it to the INSERTs
   * it prepares. */
  int64_t (*last_id)(vouch_store *st);
  bool (*in_tx)(const vouch_store *st);
  /* several statements without parameters (schema steps, settings) */
  vouch_rc (*exec_script)(vouch_store *st, const char *sql, const char *what);
  /* maps an error status to a vouch_rc and logs it as what */
  vouch_rc (*fail)(const vouch_store *st, const char *what, int code);
  enum st_conflict (*conflict)(int code);
  /* a write transaction (SQLite: BEGIN IMMEDIATE) */
  vouch_rc (*begin)(vouch_store *st);
  /* the handle may be kept for the next open (connected, no
   * transaction) */
  bool (*alive)(vouch_store *st);
  void (*close)(vouch_store *st);
  /* connects st to the store of c (PostgreSQL; SQLite opens by path) */
  vouch_rc (*open)(vouch_store *st, const vouch_config *c);
};

extern const struct st_driver st_sqlite_driver;

/* The PostgreSQL driver (store_pg.c), once vouch_store_pg_enable ran (in
 * vouchd alone); NULL elsewhere. */
extern const struct st_driver *st_pg_backend;

/* A prepared statement kept for the next use of the same SQL: parsing
 * is most of what a statement costs. */
#define ST_CACHE 128
struct st_cached {
  char *sql; /* its text (the caller's may be a buffer of its own) */
  unsigned long hash;
  st_stmt s;
  bool busy; /* handed out and not yet finished */
};

struct sqlite3;
struct st_pg;

struct vouch_store {
  const struct st_driver *drv;
  struct sqlite3 *db; /* the SQLite driver's connection */
  struct st_pg *pg;   /* the PostgreSQL driver's */
  char *path;         /* the file, or "PostgreSQL store" in messages */
  vouch_log_fn log;
  void *logarg;
  bool writer; /* holds the process's writer lock (vouch_store_serialize) */
  bool own;    /* VOUCH_STORE_OWN: never kept in the pool */
  dev_t dev;   /* the file opened, to tell it is still the one at path */
  ino_t ino;
  unsigned ncached;
  struct st_cached cached[ST_CACHE];
};

/* The SQLite-only parts of opening and closing (core/store_sqlite.c):
 * the file at st->path (vetted by store.c) opened, checked to be a vouch
 * store, set up and migrated; the busy timeout of a kept handle; the
 * connection closed. */
vouch_rc st_sqlite_open(vouch_store *st, unsigned busy_timeout_ms);
void st_sqlite_timeout(vouch_store *st, unsigned busy_timeout_ms);
void st_sqlite_close(vouch_store *st);

/* Schema steps kept beside the functions that use them (store_sqlite.c
 * lists them in order in its migrations). */
extern const char vouch_schema_sessions[]; /* version 3: store_session.c */
extern const char vouch_schema_accounts[]; /* version 4: store_account.c */
extern const char vouch_schema_devices[];  /* version 5: store_device.c */
extern const char vouch_schema_forgot[];   /* version 7: store_reset.c */
extern const char vouch_schema_fleet[];    /* version 8: store_session.c */

void st_slog(const vouch_store *st, int prio, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);
vouch_rc st_sql_fail(const vouch_store *st, const char *what, int src);
enum st_conflict st_conflict(const vouch_store *st, int src);
/* A statement of sql: the kept one when it is free.  Every statement
 * st_prepare gave ends with st_finish (reset and kept, or finalized). */
vouch_rc st_prepare(vouch_store *st, const char *sql, st_stmt **out);
void st_finish(vouch_store *st, st_stmt *s);
int st_bind_text(st_stmt *s, int i, const char *v);
int st_bind_int64(st_stmt *s, int i, int64_t v);
int st_bind_blob(st_stmt *s, int i, const void *p, size_t n);
int st_bind_mac(st_stmt *s, int i, const unsigned char *mac);
int st_params(st_stmt *s);
int st_step(st_stmt *s);
int st_step_done(st_stmt *s);
int64_t st_col_int64(st_stmt *s, int i);
const char *st_col_textn(st_stmt *s, int i, size_t *len);
const void *st_col_blob(st_stmt *s, int i, size_t *len);
bool st_col_null(st_stmt *s, int i);
int64_t st_changes(vouch_store *st);
int64_t st_last_id(vouch_store *st);
bool st_in_tx(const vouch_store *st);
vouch_rc st_exec1(vouch_store *st, const char *sql, const char *what);
vouch_rc st_exec_script(vouch_store *st, const char *sql, const char *what);
vouch_rc st_query_int(vouch_store *st, const char *sql, const char *what,
                      long long *out);
vouch_rc st_atomic_enter(vouch_store *st, bool *own);
vouch_rc st_atomic_leave(vouch_store *st, bool own, vouch_rc rc);
char *st_col_dup(st_stmt *s, int i, bool *ok);
bool st_bad_name(const vouch_store *st, const char *name);
vouch_rc st_user_id(vouch_store *st, const char *name, int64_t *id);
vouch_rc st_id_write(vouch_store *st, const char *sql, int64_t id, int64_t v,
                     const char *text, const char *what);
const char *st_col_text(st_stmt *s, int i);
/* Runs an "INSERT ... SELECT id, ... FROM users WHERE name = ?1" with its
 * parameters ?1, ?2, ... from the arguments, a letter of fmt each: t text
 * (const char *), i int, I int64_t, m a MAC (VOUCH_MAC_BYTES).  No row
 * inserted (no such user): VOUCH_ERR_NO_USER; *id (may be NULL) gets the
 * new row's id; SQL errors are logged as what. */
vouch_rc st_user_insert(vouch_store *st, const char *what, int64_t *id,
                        const char *sql, const char *fmt, ...);
vouch_rc st_no_row(vouch_store *st, const char *name, vouch_rc otherwise);
bool st_bad_purpose(const vouch_store *st, const char *purpose);
vouch_rc st_row_write(vouch_store *st, const char *sql, int64_t id,
                      const char *what);
vouch_rc st_count_rows(vouch_store *st, const char *sql, const char *user,
                       time_t since, const char *purpose, int channel,
                       unsigned *count, time_t *last);
vouch_rc st_user_rows_write(vouch_store *st, const char *sql, const char *user,
                            int64_t v, const char *what);
void st_free_secret(char *s);

#endif /* VOUCH_STORE_INT_H */
