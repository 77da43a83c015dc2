/*
 * store_int.h - private to the store files (store.c and its siblings
 * store_*.c, one per concept): the handle and the helpers every SQL
 * statement goes through.  Only these files speak SQL.
 */
#ifndef VOUCH_STORE_INT_H
#define VOUCH_STORE_INT_H

#include <sys/types.h>

#include <sqlite3.h>

#include "store.h"

/* A prepared statement kept for the next use of the same SQL: parsing
 * is most of what a statement costs. */
#define ST_CACHE 128
struct st_cached {
  char *sql; /* its text (the caller's may be a buffer of its own) */
  unsigned long hash;
  sqlite3_stmt *s;
  bool busy; /* handed out and not yet finished */
};

struct vouch_store {
  sqlite3 *db;
  char *path;
  vouch_log_fn log;
  void *logarg;
  bool writer; /* holds the process's writer lock (vouch_store_serialize) */
  dev_t dev;   /* the file opened, to tell it is still the one at path */
  ino_t ino;
  unsigned ncached;
  struct st_cached cached[ST_CACHE];
};

/* Schema steps kept beside the functions that use them (store.c lists
 * them in order in its migrations). */
extern const char vouch_schema_sessions[]; /* version 3: store_session.c */
extern const char vouch_schema_accounts[]; /* version 4: store_account.c */
extern const char vouch_schema_devices[];  /* version 5: store_device.c */
extern const char vouch_schema_forgot[];   /* version 7: store_reset.c */

void st_slog(const vouch_store *st, int prio, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);
vouch_rc st_sql_fail(const vouch_store *st, const char *what, int src);
/* A statement of sql: the kept one when it is free.  Every statement
 * st_prepare gave ends with st_finish (reset and kept, or finalized). */
vouch_rc st_prepare(vouch_store *st, const char *sql, sqlite3_stmt **out);
void st_finish(vouch_store *st, sqlite3_stmt *s);
int st_bind_text(sqlite3_stmt *s, int i, const char *v);
int st_step_done(sqlite3_stmt *s);
vouch_rc st_exec1(vouch_store *st, const char *sql, const char *what);
vouch_rc st_exec_script(vouch_store *st, const char *sql, const char *what);
vouch_rc st_query_int(vouch_store *st, const char *sql, const char *what,
                      long long *out);
vouch_rc st_atomic_enter(vouch_store *st, bool *own);
vouch_rc st_atomic_leave(vouch_store *st, bool own, vouch_rc rc);
char *st_col_dup(sqlite3_stmt *s, int i, bool *ok);
bool st_bad_name(const vouch_store *st, const char *name);
vouch_rc st_user_id(vouch_store *st, const char *name, int64_t *id);
vouch_rc st_id_write(vouch_store *st, const char *sql, int64_t id,
                     sqlite3_int64 v, const char *text, const char *what);
const char *st_col_text(sqlite3_stmt *s, int i);
int st_bind_mac(sqlite3_stmt *s, int i, const unsigned char *mac);
/* Runs an "INSERT ... SELECT id, ... FROM users WHERE name = ?1" with its
 * parameters ?1, ?2, ... from the arguments, a letter of fmt each: t text
 * (const char *), i int, I sqlite3_int64, m a MAC (VOUCH_MAC_BYTES).  No
 * row inserted (no such user): VOUCH_ERR_NO_USER; *id (may be NULL) gets
 * the new row's id; SQL errors are logged as what. */
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
                            sqlite3_int64 v, const char *what);
void st_free_secret(char *s);

#endif /* VOUCH_STORE_INT_H */
