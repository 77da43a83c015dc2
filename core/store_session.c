/*
 * store_session.c - the store's part of sessions: each PAM session opened
 * for a member (service, tty, remote host, leader pid and its start time)
 * so that it can be listed and signed out everywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

const char vouch_schema_sessions[] =
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " service TEXT NOT NULL DEFAULT '',"
    " tty TEXT NOT NULL DEFAULT '',"
    " rhost TEXT NOT NULL DEFAULT '',"
    " pid INTEGER NOT NULL,"
    " pid_start INTEGER NOT NULL," /* start time, clock ticks after boot */
    " started INTEGER NOT NULL,"
    " ended INTEGER NOT NULL DEFAULT 0,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX sessions_user ON sessions(user_id, ended);";

/* Version 8: the host each session runs on (pids are per host; '' for
 * sessions recorded before, which are this host's), and the sign-outs
 * one host owes another: "sign out of all devices" on a store that
 * several hosts share (SPEC 9) ends the sessions of other hosts there,
 * through this table and a notification (core/store_pg.c). */
const char vouch_schema_fleet[] =
    "ALTER TABLE sessions ADD COLUMN host TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE signouts ("
    " host TEXT NOT NULL,"
    " session_id INTEGER NOT NULL,"
    " pid INTEGER NOT NULL,"
    " pid_start INTEGER NOT NULL,"
    " created INTEGER NOT NULL);"
    "CREATE INDEX signouts_host ON signouts(host);";

vouch_rc vouch_store_session_add(vouch_store *st, const char *user,
                                 const vouch_session_row *r, int64_t *id)
{
  st_stmt *s = NULL;
  int64_t uid = 0;
  vouch_rc rc;
  int src;

  if(!r || !id || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_user_id(st, user, &uid);
  if(!rc)
    rc = st_prepare(st,
                    "INSERT INTO sessions (user_id, service, tty, rhost,"
                    " pid, pid_start, started, host) VALUES (?1, ?2, ?3, ?4,"
                    " ?5, ?6, ?7, ?8)",
                    &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, uid);
  src = src ? src : st_bind_text(s, 2, r->service ? r->service : "");
  src = src ? src : st_bind_text(s, 3, r->tty ? r->tty : "");
  src = src ? src : st_bind_text(s, 4, r->rhost ? r->rhost : "");
  src = src ? src : st_bind_int64(s, 5, (int64_t)r->pid);
  /* start times fit 63 bits: ticks since boot */
  src = src ? src : st_bind_int64(s, 6, (int64_t)r->pid_start);
  src = src ? src : st_bind_int64(s, 7, (int64_t)r->started);
  src = src ? src : st_bind_text(s, 8, r->host ? r->host : "");
  src = src ? src : st_step(s);
  if(src == ST_DONE)
    *id = st_last_id(st);
  else
    rc = st_sql_fail(st, "record session", src);
  st_finish(st, s);
  return rc;
}

/* The owner of session id (*user, free it), whether it is open and its
 * leader's pid (either may be NULL). */
static vouch_rc session_owner(vouch_store *st, int64_t id, char **user,
                              bool *open, long *pid)
{
  st_stmt *s = NULL;
  bool ok = true;
  vouch_rc rc;
  int src;

  rc = st_prepare(st,
                  "SELECT u.name, s.ended, s.pid FROM sessions s"
                  " JOIN users u ON u.id = s.user_id WHERE s.id = ?1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, id);
  src = src ? src : st_step(s);
  if(src == ST_ROW) {
    *user = st_col_dup(s, 0, &ok);
    if(open)
      *open = st_col_int64(s, 1) == 0;
    if(pid)
      *pid = (long)st_col_int64(s, 2);
    if(!ok || !*user)
      rc = VOUCH_ERR_NOMEM;
  }
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NOT_FOUND;
  else
    rc = st_sql_fail(st, "read session", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_session_leader(vouch_store *st, int64_t id, char **user,
                                    long *pid)
{
  if(!user || !pid)
    return VOUCH_ERR_INPUT;
  *user = NULL;
  *pid = 0;
  return session_owner(st, id, user, NULL, pid);
}

vouch_rc vouch_store_session_end(vouch_store *st, int64_t id, time_t ended,
                                 char **user, bool *was_open)
{
  bool own = false;
  vouch_rc rc;

  if(!user || !was_open)
    return VOUCH_ERR_INPUT;
  *user = NULL;
  *was_open = false;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = session_owner(st, id, user, was_open, NULL);
  if(!rc && *was_open)
    rc = st_id_write(st, "UPDATE sessions SET ended = ?2 WHERE id = ?1", id,
                     (int64_t)ended, NULL, "end session");
  rc = st_atomic_leave(st, own, rc);
  if(rc) {
    free(*user);
    *user = NULL;
  }
  return rc;
}

vouch_rc vouch_store_sessions_each(vouch_store *st, const char *user,
                                   vouch_rc (*fn)(void *arg,
                                                  const vouch_session_row *r),
                                   void *arg)
{
  st_stmt *s = NULL;
  int64_t uid = 0;
  vouch_rc rc;
  int src;

  if(!fn || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_user_id(st, user, &uid);
  if(!rc)
    rc = st_prepare(st,
                    "SELECT id, service, tty, rhost, pid, pid_start,"
                    " started, ended, revoked FROM sessions"
                    " WHERE user_id = ?1 ORDER BY started DESC, id DESC",
                    &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, uid);
  while(!rc && src == ST_OK) {
    vouch_session_row r;

    src = st_step(s);
    if(src != ST_ROW)
      break;
    src = ST_OK;
    r.id = st_col_int64(s, 0);
    r.service = st_col_text(s, 1);
    r.tty = st_col_text(s, 2);
    r.rhost = st_col_text(s, 3);
    r.pid = (long)st_col_int64(s, 4);
    r.pid_start = (unsigned long long)st_col_int64(s, 5);
    r.started = (time_t)st_col_int64(s, 6);
    r.ended = (time_t)st_col_int64(s, 7);
    r.revoked = st_col_int64(s, 8) != 0;
    rc = fn(arg, &r);
  }
  if(!rc && src != ST_DONE)
    rc = st_sql_fail(st, "list sessions", src);
  st_finish(st, s);
  return rc;
}

/* Appends the leader of the current row (id, pid, pid_start[, host]) to
 * *list. */
static vouch_rc pid_push(vouch_store *st, st_stmt *s, vouch_session_pid **list,
                         size_t *n, size_t *cap, bool with_host)
{
  vouch_session_pid *p;
  const char *host = "";
  size_t len = 0;

  if(*n == *cap) {
    size_t ncap = *cap ? *cap * 2 : 16;

    p = realloc(*list, ncap * sizeof(*p));
    if(!p)
      return VOUCH_ERR_NOMEM;
    *list = p;
    *cap = ncap;
  }
  if(with_host) {
    host = st_col_textn(s, 3, &len);
    if(!host)
      host = "";
    if(len >= sizeof(p->host))
      return st_sql_fail(st, "read a session's host", ST_CORRUPT);
  }
  p = &(*list)[(*n)++];
  p->id = st_col_int64(s, 0);
  p->pid = (long)st_col_int64(s, 1);
  p->pid_start = (unsigned long long)st_col_int64(s, 2);
  memcpy(p->host, host, len);
  p->host[len] = '\0';
  return VOUCH_OK;
}

/* Collects the leaders a prepared and bound statement returns. */
static vouch_rc pid_rows(vouch_store *st, st_stmt *s, int src, bool with_host,
                         const char *what, vouch_session_pid **list, size_t *n)
{
  size_t cap = 0;
  vouch_rc rc = VOUCH_OK;

  while(!rc && src == ST_OK) {
    src = st_step(s);
    if(src != ST_ROW)
      break;
    src = ST_OK;
    rc = pid_push(st, s, list, n, &cap, with_host);
  }
  if(!rc && src != ST_DONE)
    rc = st_sql_fail(st, what, src);
  st_finish(st, s);
  if(rc) {
    free(*list);
    *list = NULL;
    *n = 0;
  }
  return rc;
}

vouch_rc vouch_store_leader_sessions(vouch_store *st, long pid,
                                     unsigned long long start,
                                     const char *host, unsigned *n)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!n || !host)
    return VOUCH_ERR_INPUT;
  *n = 0;
  rc = st_prepare(st,
                  "SELECT count(*) FROM sessions"
                  " WHERE pid = ?1 AND pid_start = ?2"
                  " AND (host = ?3 OR host = '')",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, (int64_t)pid);
  src = src ? src : st_bind_int64(s, 2, (int64_t)start);
  src = src ? src : st_bind_text(s, 3, host);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    *n = (unsigned)st_col_int64(s, 0);
  else
    rc = st_sql_fail(st, "count a leader's sessions", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_sessions_open(vouch_store *st, const char *user,
                                   const char *host, vouch_session_pid **list,
                                   size_t *n)
{
  st_stmt *s = NULL;
  int64_t uid = 0;
  vouch_rc rc;
  int src;

  if(!list || !n || !host || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  *list = NULL;
  *n = 0;
  rc = st_user_id(st, user, &uid);
  if(!rc)
    rc = st_prepare(st,
                    "SELECT id, pid, pid_start FROM sessions"
                    " WHERE user_id = ?1 AND ended = 0"
                    " AND (host = ?2 OR host = '') ORDER BY id",
                    &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, uid);
  src = src ? src : st_bind_text(s, 2, host);
  return pid_rows(st, s, src, false, "list open sessions", list, n);
}

vouch_rc vouch_store_sessions_revoke(vouch_store *st, const char *user,
                                     int64_t keep_id, time_t now,
                                     vouch_session_pid **list, size_t *n)
{
  st_stmt *s = NULL;
  int64_t uid = 0;
  vouch_rc rc;
  int src;

  if(!list || !n || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  *list = NULL;
  *n = 0;
  rc = st_user_id(st, user, &uid);
  if(!rc)
    rc = st_prepare(st,
                    "UPDATE sessions SET revoked = 1, ended = ?3"
                    " WHERE user_id = ?1 AND ended = 0 AND id != ?2"
                    " RETURNING id, pid, pid_start, host",
                    &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, uid);
  src = src ? src : st_bind_int64(s, 2, keep_id);
  src = src ? src : st_bind_int64(s, 3, (int64_t)now);
  return pid_rows(st, s, src, true, "revoke sessions", list, n);
}

vouch_rc vouch_store_signout_add(vouch_store *st, const vouch_session_pid *p,
                                 time_t now)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!p || !p->host[0])
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "INSERT INTO signouts (host, session_id, pid, pid_start,"
                  " created) VALUES (?1, ?2, ?3, ?4, ?5)",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, p->host);
  src = src ? src : st_bind_int64(s, 2, p->id);
  src = src ? src : st_bind_int64(s, 3, (int64_t)p->pid);
  src = src ? src : st_bind_int64(s, 4, (int64_t)p->pid_start);
  src = src ? src : st_bind_int64(s, 5, (int64_t)now);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "queue a sign-out for another host", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_signouts_list(vouch_store *st, const char *host,
                                   vouch_session_pid **list, size_t *n)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!list || !n || !host || !*host)
    return VOUCH_ERR_INPUT;
  *list = NULL;
  *n = 0;
  rc = st_prepare(st,
                  "SELECT session_id, pid, pid_start, host FROM signouts"
                  " WHERE host = ?1 ORDER BY session_id",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, host);
  return pid_rows(st, s, src, true, "read this host's sign-outs", list, n);
}

vouch_rc vouch_store_signout_done(vouch_store *st, const char *host,
                                  int64_t id)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!host || !*host)
    return VOUCH_ERR_INPUT;
  rc = st_prepare(
      st, "DELETE FROM signouts WHERE host = ?1 AND session_id = ?2", &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, host);
  src = src ? src : st_bind_int64(s, 2, id);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "remove a sign-out done", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_session_revoked(vouch_store *st,
                                     const vouch_session_pid *p,
                                     const char *host, bool *yes)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!p || !host || !yes)
    return VOUCH_ERR_INPUT;
  *yes = false;
  rc = st_prepare(st,
                  "SELECT count(*) FROM sessions WHERE id = ?1 AND host = ?2"
                  " AND pid = ?3 AND pid_start = ?4 AND revoked = 1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, p->id);
  src = src ? src : st_bind_text(s, 2, host);
  src = src ? src : st_bind_int64(s, 3, (int64_t)p->pid);
  src = src ? src : st_bind_int64(s, 4, (int64_t)p->pid_start);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    *yes = st_col_int64(s, 0) == 1;
  else
    rc = st_sql_fail(st, "check a sign-out", src);
  st_finish(st, s);
  return rc;
}
