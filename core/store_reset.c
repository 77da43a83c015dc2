/*
 * store_reset.c - the store's part of password reset: finding the
 * accounts that carry a full name, for recovery by name and card.
 */
#include <stdlib.h>

#include "store_int.h"

vouch_rc vouch_store_users_by_fullname(vouch_store *st, const char *full_name,
                                       size_t max, char ***names,
                                       size_t *count)
{
  sqlite3_stmt *s = NULL;
  char **list = NULL;
  size_t n = 0;
  vouch_rc rc;
  int src;

  if(!names || !count || !full_name || !*full_name || !max || max > 100000)
    return VOUCH_ERR_INPUT;
  *names = NULL;
  *count = 0;
  list = calloc(max, sizeof(*list));
  if(!list)
    return VOUCH_ERR_NOMEM;
  rc = st_prepare(st,
                  "SELECT name FROM users WHERE full_name = ?1"
                  " ORDER BY name LIMIT ?2",
                  &s);
  src = rc ? SQLITE_OK : st_bind_text(s, 1, full_name);
  if(!rc && src == SQLITE_OK)
    src = sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
  while(!rc && src == SQLITE_OK && n < max) {
    bool ok = true;

    src = sqlite3_step(s);
    if(src != SQLITE_ROW)
      break;
    src = SQLITE_OK;
    list[n] = st_col_dup(s, 0, &ok);
    if(!ok || !list[n])
      rc = VOUCH_ERR_NOMEM;
    else
      n++;
  }
  if(!rc && src != SQLITE_DONE && src != SQLITE_OK)
    rc = st_sql_fail(st, "find users by full name", src);
  st_finish(st, s);
  if(rc) {
    vouch_store_free_list(list, n);
    return rc;
  }
  *names = list;
  *count = n;
  return VOUCH_OK;
}

vouch_rc vouch_store_codes_kill(vouch_store *st, const char *user,
                                const char *purpose)
{
  sqlite3_stmt *s = NULL;
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
  return src == SQLITE_DONE ? VOUCH_OK : st_sql_fail(st, "retire codes", src);
}
