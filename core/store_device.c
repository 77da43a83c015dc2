/*
 * store_device.c - the store's part of device sign-in: the codes a device
 * without a keyboard shows until a signed-in member approves or refuses
 * them, and the wrong approvals counted for rate limiting.
 */
#include <string.h>

#include "store_int.h"

const char vouch_schema_devices[] =
    "CREATE TABLE device_codes ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " mac BLOB NOT NULL UNIQUE,"
    " service TEXT NOT NULL DEFAULT '',"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " status INTEGER NOT NULL DEFAULT 0," /* 0 waiting 1 approved 2 denied 3
                                             used */
    " user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    " decided INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE device_failures ("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " ts INTEGER NOT NULL);"
    "CREATE INDEX device_failures_user ON device_failures(user_id, ts);";

#define DEVICE_KEEP 86400 /* a dead code is kept a day, for the audit */

vouch_rc vouch_store_device_add(vouch_store *st, const unsigned char *mac,
                                const char *service, time_t created,
                                time_t expires, int64_t *id)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!mac || !id)
    return VOUCH_ERR_INPUT;
  rc = st_id_write(st, "DELETE FROM device_codes WHERE expires < ?1",
                   (int64_t)created - DEVICE_KEEP, 0, NULL,
                   "drop old sign-in codes");
  if(!rc)
    rc = st_prepare(st,
                    "INSERT INTO device_codes (mac, service, created,"
                    " expires) VALUES (?1, ?2, ?3, ?4)"
                    " ON CONFLICT (mac) DO NOTHING",
                    &s);
  if(rc)
    return rc;
  src = st_bind_mac(s, 1, mac);
  src = src ? src : st_bind_text(s, 2, service ? service : "");
  src = src ? src : st_bind_int64(s, 3, (int64_t)created);
  src = src ? src : st_bind_int64(s, 4, (int64_t)expires);
  src = src ? src : st_step(s);
  /* A code that exists already changes nothing (no error: PostgreSQL
   * would abort the caller's transaction, and the caller tries another
   * code in it). */
  if(src == ST_DONE && st_changes(st) == 0)
    rc = VOUCH_ERR_EXISTS;
  else if(src == ST_DONE)
    *id = st_last_id(st);
  else if(st_conflict(st, src) != ST_NO_CONFLICT)
    rc = VOUCH_ERR_EXISTS;
  else
    rc = st_sql_fail(st, "store sign-in code", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_device_get(vouch_store *st, int64_t id,
                                vouch_device_row *out)
{
  st_stmt *s = NULL;
  const char *user;
  vouch_rc rc;
  int src;

  if(!out)
    return VOUCH_ERR_INPUT;
  memset(out, 0, sizeof(*out));
  rc = st_prepare(st,
                  "SELECT d.id, d.status, d.created, d.expires,"
                  " COALESCE(u.name, '') FROM device_codes d"
                  " LEFT JOIN users u ON u.id = d.user_id WHERE d.id = ?1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, id);
  src = src ? src : st_step(s);
  if(src == ST_ROW) {
    out->id = st_col_int64(s, 0);
    out->status = (vouch_device_status)(int)st_col_int64(s, 1);
    out->created = (time_t)st_col_int64(s, 2);
    out->expires = (time_t)st_col_int64(s, 3);
    user = st_col_text(s, 4);
    if(strlen(user) < sizeof(out->user))
      memcpy(out->user, user, strlen(user) + 1);
    else
      rc = st_sql_fail(st, "read sign-in code", ST_CORRUPT);
  }
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NOT_FOUND;
  else
    rc = st_sql_fail(st, "read sign-in code", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_device_find(vouch_store *st, const unsigned char *mac,
                                 time_t now, int64_t *id)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(!mac || !id)
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "SELECT id FROM device_codes WHERE mac = ?1"
                  " AND status = 0 AND expires > ?2",
                  &s);
  if(rc)
    return rc;
  src = st_bind_mac(s, 1, mac);
  src = src ? src : st_bind_int64(s, 2, (int64_t)now);
  src = src ? src : st_step(s);
  if(src == ST_ROW)
    *id = st_col_int64(s, 0);
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NOT_FOUND;
  else
    rc = st_sql_fail(st, "find sign-in code", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_device_move(vouch_store *st, int64_t id,
                                 vouch_device_status from,
                                 vouch_device_status to, const char *user,
                                 time_t now)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(user && st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE device_codes SET status = ?3, decided = ?4,"
                  " user_id = COALESCE((SELECT id FROM users"
                  " WHERE name = ?5), user_id)"
                  " WHERE id = ?1 AND status = ?2",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, id);
  src = src ? src : st_bind_int64(s, 2, (int)from);
  src = src ? src : st_bind_int64(s, 3, (int)to);
  src = src ? src : st_bind_int64(s, 4, (int64_t)now);
  src = src ? src : st_bind_text(s, 5, user);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "decide sign-in code", src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_NOT_FOUND;
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_device_failure_add(vouch_store *st, const char *user,
                                        time_t ts, time_t prune_before)
{
  bool own = false;
  vouch_rc rc;

  if(st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = st_user_rows_write(st,
                          "DELETE FROM device_failures WHERE user_id ="
                          " (SELECT id FROM users WHERE name = ?1)"
                          " AND ts <= ?2",
                          user, (int64_t)prune_before,
                          "drop old wrong approvals");
  if(!rc)
    rc = st_user_insert(st, "count wrong approval", NULL,
                        "INSERT INTO device_failures (user_id, ts)"
                        " SELECT id, ?2 FROM users WHERE name = ?1",
                        "tI", user, (int64_t)ts);
  return st_atomic_leave(st, own, rc);
}

vouch_rc vouch_store_device_failures(vouch_store *st, const char *user,
                                     time_t since, unsigned *count)
{
  if(!count || st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  *count = 0;
  return st_count_rows(st,
                       "SELECT count(*) FROM device_failures WHERE user_id ="
                       " (SELECT id FROM users WHERE name = ?1) AND ts > ?2",
                       user, since, NULL, 0, count, NULL);
}
