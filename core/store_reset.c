/*
 * store_reset.c - the store's part of password reset: finding the
 * accounts that carry a full name (recovery by name and card), an email
 * address or a verified phone (the forgot page), and the count of
 * forgot requests per destination and per account.
 */
#include <stdlib.h>

#include "store_int.h"

/* Version 7: a row per forgot request, for its limits (the destination
 * as a keyed hash: no address is kept for a name that has no account). */
const char vouch_schema_forgot[] =
    "CREATE TABLE forgot_requests ("
    " dest_mac BLOB NOT NULL CHECK (length(dest_mac) = 32),"
    " user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    " ts INTEGER NOT NULL);"
    "CREATE INDEX forgot_requests_dest ON forgot_requests(dest_mac, ts);"
    "CREATE INDEX forgot_requests_user ON forgot_requests(user_id, ts);"
    "CREATE INDEX forgot_requests_ts ON forgot_requests(ts);";

/* The names of at most max users that sql (?1 value, ?2 the limit)
 * selects. */
static vouch_rc users_where(vouch_store *st, const char *sql,
                            const char *value, size_t max, char ***names,
                            size_t *count, const char *what)
{
  st_stmt *s = NULL;
  char **list = NULL;
  size_t n = 0;
  vouch_rc rc;
  int src;

  if(!names || !count || !value || !*value || !max || max > 100000)
    return VOUCH_ERR_INPUT;
  *names = NULL;
  *count = 0;
  list = calloc(max, sizeof(*list));
  if(!list)
    return VOUCH_ERR_NOMEM;
  rc = st_prepare(st, sql, &s);
  src = rc ? ST_OK : st_bind_text(s, 1, value);
  if(!rc && src == ST_OK)
    src = st_bind_int64(s, 2, (int64_t)max);
  while(!rc && src == ST_OK && n < max) {
    bool ok = true;

    src = st_step(s);
    if(src != ST_ROW)
      break;
    src = ST_OK;
    list[n] = st_col_dup(s, 0, &ok);
    if(!ok || !list[n])
      rc = VOUCH_ERR_NOMEM;
    else
      n++;
  }
  if(!rc && src != ST_DONE && src != ST_OK)
    rc = st_sql_fail(st, what, src);
  st_finish(st, s);
  if(rc) {
    vouch_store_free_list(list, n);
    return rc;
  }
  *names = list;
  *count = n;
  return VOUCH_OK;
}

vouch_rc vouch_store_users_by_fullname(vouch_store *st, const char *full_name,
                                       size_t max, char ***names,
                                       size_t *count)
{
  return users_where(st,
                     "SELECT name FROM users WHERE full_name = ?1"
                     " ORDER BY name LIMIT ?2",
                     full_name, max, names, count, "find users by full name");
}

vouch_rc vouch_store_users_by_contact(vouch_store *st, const char *value,
                                      bool phone, size_t max, char ***names,
                                      size_t *count)
{
  if(phone)
    return users_where(st,
                       "SELECT name FROM users WHERE phone = ?1"
                       " AND phone_verified = 1 ORDER BY name LIMIT ?2",
                       value, max, names, count, "find users by phone");
  return users_where(st,
                     "SELECT name FROM users WHERE lower(email) = lower(?1)"
                     " ORDER BY name LIMIT ?2",
                     value, max, names, count, "find users by email");
}

/* Rows of forgot_requests since, for the destination or the user. */
static vouch_rc forgot_count(vouch_store *st, const char *sql,
                             const unsigned char *mac, const char *user,
                             time_t since, unsigned *n)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  *n = 0;
  rc = st_prepare(st, sql, &s);
  if(rc)
    return rc;
  src = mac ? st_bind_mac(s, 1, mac) : st_bind_text(s, 1, user);
  src = src ? src : st_bind_int64(s, 2, (int64_t)since);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    *n = (unsigned)st_col_int64(s, 0);
  else
    rc = st_sql_fail(st, "count forgot requests", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_forgot_take(vouch_store *st, const unsigned char *mac,
                                 const char *user, time_t now, unsigned window,
                                 unsigned max, bool *dest_ok, bool *user_ok)
{
  unsigned by_dest = 0, by_user = 0;
  st_stmt *s = NULL;
  vouch_rc rc;
  bool own;
  int src;

  if(!mac || !dest_ok || !user_ok || (user && st_bad_name(st, user)))
    return VOUCH_ERR_INPUT;
  *dest_ok = *user_ok = false;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = forgot_count(st,
                    "SELECT count(*) FROM forgot_requests"
                    " WHERE dest_mac = ?1 AND ts > ?2",
                    mac, NULL, now - (time_t)window, &by_dest);
  if(!rc && user)
    rc = forgot_count(st,
                      "SELECT count(*) FROM forgot_requests WHERE user_id ="
                      " (SELECT id FROM users WHERE name = ?1) AND ts > ?2",
                      NULL, user, now - (time_t)window, &by_user);
  if(!rc) {
    *dest_ok = by_dest < max;
    *user_ok = by_user < max;
  }
  if(!rc && *dest_ok && *user_ok) {
    rc = st_prepare(st,
                    "INSERT INTO forgot_requests (dest_mac, user_id, ts)"
                    " VALUES (?1, (SELECT id FROM users WHERE name = ?2), ?3)",
                    &s);
    src = rc ? ST_OK : st_bind_mac(s, 1, mac);
    src = src ? src : st_bind_text(s, 2, user);
    src = src ? src : st_bind_int64(s, 3, (int64_t)now);
    src = src ? src : st_step_done(s);
    if(!rc && src != ST_DONE)
      rc = st_sql_fail(st, "record a forgot request", src);
    st_finish(st, s);
  }
  /* Rows older than a day count for nothing any more. */
  if(!rc) {
    rc = st_prepare(st, "DELETE FROM forgot_requests WHERE ts < ?1", &s);
    src = rc ? ST_OK : st_bind_int64(s, 1, (int64_t)now - 86400);
    src = src ? src : st_step_done(s);
    if(!rc && src != ST_DONE)
      rc = st_sql_fail(st, "prune forgot requests", src);
    st_finish(st, s);
  }
  return st_atomic_leave(st, own, rc);
}

vouch_rc vouch_store_codes_kill(vouch_store *st, const char *user,
                                const char *purpose)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(st_bad_name(st, user) || st_bad_purpose(st, purpose))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE codes SET used = 1 WHERE user_id ="
                  " (SELECT id FROM users WHERE name = ?1)"
                  " AND purpose = ?2 AND used = 0",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_text(s, 2, purpose);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  return src == ST_DONE ? VOUCH_OK : st_sql_fail(st, "retire codes", src);
}
