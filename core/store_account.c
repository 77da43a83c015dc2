/*
 * store_account.c - the store's part of membership cancellation and of
 * personal-data export requests: the cancellation columns of users, the
 * exports table, and the erasure of a member's personal data (which
 * reaches into the tables of other concepts, in one transaction).
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Version 4.  users.cancelled: when the membership was cancelled (0:
 * not); delete_profile: personal data goes after the period end;
 * profile_deleted: when it went.  exports.status: vouch_export_status. */
const char vouch_schema_accounts[] =
    "ALTER TABLE users ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN delete_profile INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN profile_deleted INTEGER NOT NULL"
    " DEFAULT 0;"
    "CREATE TABLE exports ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL,"
    " status INTEGER NOT NULL DEFAULT 0,"
    " confirmed INTEGER NOT NULL DEFAULT 0,"
    " ready INTEGER NOT NULL DEFAULT 0,"
    " expires INTEGER NOT NULL DEFAULT 0,"
    " path TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX exports_user ON exports(user_id, status);";

#define ACC_USER_ID "(SELECT id FROM users WHERE name = ?1)"

/* ------------------------------------------------------------ membership */

vouch_rc vouch_store_membership_get(vouch_store *st, const char *user,
                                    vouch_membership *m)
{
  st_stmt *s = NULL;
  bool ok = true;
  vouch_rc rc;
  int src;

  if(!m)
    return VOUCH_ERR_INPUT;
  memset(m, 0, sizeof(*m));
  if(st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "SELECT plan, period_end, cancelled, delete_profile,"
                  " profile_deleted FROM users WHERE name = ?1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  if(src == ST_OK)
    src = st_step(s);
  if(src == ST_ROW) {
    m->plan = st_col_dup(s, 0, &ok);
    m->period_end = (time_t)st_col_int64(s, 1);
    m->cancelled = (time_t)st_col_int64(s, 2);
    m->delete_profile = (int)st_col_int64(s, 3) != 0;
    m->profile_deleted = (time_t)st_col_int64(s, 4);
    if(!ok)
      rc = VOUCH_ERR_NOMEM;
  }
  else if(src == ST_DONE)
    rc = VOUCH_ERR_NO_USER;
  else
    rc = st_sql_fail(st, "read membership", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_cancel_set(vouch_store *st, const char *user,
                                time_t cancelled, bool delete_profile)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE users SET cancelled = ?2, delete_profile = ?3"
                  " WHERE name = ?1",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_int64(s, 2, (int64_t)cancelled);
  src = src ? src : st_bind_int64(s, 3, cancelled && delete_profile ? 1 : 0);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "record cancellation", src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_NO_USER;
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_cancel_due(vouch_store *st, time_t now, char ***names,
                                size_t *count)
{
  st_stmt *s = NULL;
  char **list = NULL;
  size_t n = 0, cap = 0;
  vouch_rc rc;
  int src;

  if(!names || !count)
    return VOUCH_ERR_INPUT;
  *names = NULL;
  *count = 0;
  /* Access lasts through the period end day: due from the next 00:00. */
  rc = st_prepare(st,
                  "SELECT name FROM users WHERE cancelled != 0"
                  " AND delete_profile != 0 AND profile_deleted = 0"
                  " AND period_end != 0 AND period_end + 86400 <= ?1"
                  " ORDER BY name",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, (int64_t)now);
  while(!rc && src == ST_OK) {
    bool ok = true;
    char *name;

    src = st_step(s);
    if(src != ST_ROW)
      break;
    src = ST_OK;
    if(n == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      char **nl = realloc(list, ncap * sizeof(*nl));
      if(!nl) {
        rc = VOUCH_ERR_NOMEM;
        break;
      }
      list = nl;
      cap = ncap;
    }
    name = st_col_dup(s, 0, &ok);
    if(!ok || !name)
      rc = VOUCH_ERR_NOMEM;
    else
      list[n++] = name;
  }
  if(!rc && src != ST_DONE)
    rc = st_sql_fail(st, "list accounts due for erasure", src);
  st_finish(st, s);
  if(rc) {
    vouch_store_free_list(list, n);
    return rc;
  }
  *names = list;
  *count = n;
  return VOUCH_OK;
}

/* What belongs to the member's person, table by table; the user row
 * itself is emptied last. */
static const char *const erase_sql[] = {
    "DELETE FROM sessions WHERE user_id = " ACC_USER_ID,
    "DELETE FROM codes WHERE user_id = " ACC_USER_ID,
    "DELETE FROM tokens WHERE user_id = " ACC_USER_ID,
    "DELETE FROM pw_history WHERE user_id = " ACC_USER_ID,
    "DELETE FROM check_failures WHERE user_id = " ACC_USER_ID,
    "DELETE FROM sends WHERE user_id = " ACC_USER_ID,
    "DELETE FROM exports WHERE user_id = " ACC_USER_ID,
    "UPDATE users SET full_name = NULL, email = NULL, phone = NULL,"
    " phone_verified = 0, pw_hash = NULL, pw_failures = 0,"
    " card_mac = NULL, card_last4 = NULL, profile_deleted = ?2"
    " WHERE name = ?1"};

vouch_rc vouch_store_profile_erase(vouch_store *st, const char *user,
                                   time_t now)
{
  int64_t id = 0;
  bool own = false;
  size_t i;
  vouch_rc rc;

  if(st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = st_user_id(st, user, &id);
  for(i = 0; !rc && i < sizeof(erase_sql) / sizeof(erase_sql[0]); i++)
    rc = st_user_rows_write(st, erase_sql[i], user, (int64_t)now,
                            "erase personal data");
  return st_atomic_leave(st, own, rc);
}

/* --------------------------------------------------------------- exports */

vouch_rc vouch_store_tokens_kill(vouch_store *st, const char *user,
                                 const char *purpose)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  if(st_bad_name(st, user) || st_bad_purpose(st, purpose))
    return VOUCH_ERR_INPUT;
  rc = st_prepare(st,
                  "UPDATE tokens SET used = 1 WHERE user_id = " ACC_USER_ID
                  " AND purpose = ?2 AND used = 0",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  src = src ? src : st_bind_text(s, 2, purpose);
  src = src ? src : st_step_done(s);
  st_finish(st, s);
  return src == ST_DONE ? VOUCH_OK : st_sql_fail(st, "retire tokens", src);
}

vouch_rc vouch_store_proofs_kill(vouch_store *st, const char *user)
{
  static const char *const tokens[] = {"reset", VOUCH_TOKEN_TV_CHECK,
                                       VOUCH_TOKEN_TV_OK};
  vouch_rc rc = VOUCH_OK;
  size_t i;

  for(i = 0; !rc && i < sizeof(tokens) / sizeof(tokens[0]); i++)
    rc = vouch_store_tokens_kill(st, user, tokens[i]);
  return rc ? rc : vouch_store_codes_kill(st, user, "reset");
}

static vouch_rc export_insert(vouch_store *st, const char *user,
                              time_t created, time_t expires, int64_t *id)
{
  return st_user_insert(
      st, "add export request", id,
      "INSERT INTO exports (user_id, created, status, expires)"
      " SELECT id, ?2, 0, ?3 FROM users WHERE name = ?1",
      "tII", user, (int64_t)created, (int64_t)expires);
}

vouch_rc vouch_store_export_add(vouch_store *st, const char *user,
                                time_t created, time_t expires, int64_t *id)
{
  bool own = false;
  vouch_rc rc;

  if(st_bad_name(st, user))
    return VOUCH_ERR_INPUT;
  rc = st_atomic_enter(st, &own);
  if(rc)
    return rc;
  rc = vouch_store_tokens_kill(st, user, "export");
  if(!rc)
    rc = export_insert(st, user, created, expires, id);
  return st_atomic_leave(st, own, rc);
}

static void export_from_row(st_stmt *s, vouch_export_row *r)
{
  int status = (int)st_col_int64(s, 2);

  r->id = st_col_int64(s, 0);
  r->user = st_col_text(s, 1);
  r->status = status >= 0 && status <= (int)VOUCH_EXPORT_EXPIRED
                  ? (vouch_export_status)status
                  : VOUCH_EXPORT_EXPIRED;
  r->created = (time_t)st_col_int64(s, 3);
  r->confirmed = (time_t)st_col_int64(s, 4);
  r->ready = (time_t)st_col_int64(s, 5);
  r->expires = (time_t)st_col_int64(s, 6);
  r->path = st_col_text(s, 7);
}

vouch_rc vouch_store_export_each(vouch_store *st, const char *user,
                                 vouch_rc (*fn)(void *arg,
                                                const vouch_export_row *r),
                                 void *arg)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src = ST_OK;

  if(!fn)
    return VOUCH_ERR_INPUT;
  /* The CAST types ?1 for PostgreSQL, which cannot tell the type of a
   * NULL parameter that only "IS NULL" uses. */
  rc = st_prepare(st,
                  "SELECT e.id, u.name, e.status, e.created, e.confirmed,"
                  " e.ready, e.expires, e.path FROM exports e"
                  " JOIN users u ON u.id = e.user_id"
                  " WHERE CAST(?1 AS TEXT) IS NULL OR u.name = ?1"
                  " ORDER BY e.id DESC",
                  &s);
  if(rc)
    return rc;
  src = st_bind_text(s, 1, user);
  while(!rc && src == ST_OK) {
    vouch_export_row r;

    src = st_step(s);
    if(src != ST_ROW)
      break;
    src = ST_OK;
    export_from_row(s, &r);
    rc = fn(arg, &r);
  }
  if(!rc && src != ST_DONE)
    rc = st_sql_fail(st, "read export requests", src);
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_export_move(vouch_store *st, int64_t id,
                                 vouch_export_status from,
                                 vouch_export_status to, time_t now,
                                 time_t expires, const char *path)
{
  st_stmt *s = NULL;
  vouch_rc rc;
  int src;

  rc = st_prepare(st,
                  "UPDATE exports SET status = ?3, expires = ?4,"
                  " path = coalesce(?5, path),"
                  " confirmed = CASE WHEN ?3 = 1 THEN ?6 ELSE confirmed END,"
                  " ready = CASE WHEN ?3 = 2 THEN ?6 ELSE ready END"
                  " WHERE id = ?1 AND status = ?2",
                  &s);
  if(rc)
    return rc;
  src = st_bind_int64(s, 1, id);
  src = src ? src : st_bind_int64(s, 2, (int)from);
  src = src ? src : st_bind_int64(s, 3, (int)to);
  src = src ? src : st_bind_int64(s, 4, (int64_t)expires);
  src = src ? src : st_bind_text(s, 5, path);
  src = src ? src : st_bind_int64(s, 6, (int64_t)now);
  src = src ? src : st_step_done(s);
  if(src != ST_DONE)
    rc = st_sql_fail(st, "update export request", src);
  else if(st_changes(st) == 0)
    rc = VOUCH_ERR_NOT_FOUND;
  st_finish(st, s);
  return rc;
}

vouch_rc vouch_store_export_drop(vouch_store *st, int64_t id)
{
  return st_row_write(st, "DELETE FROM exports WHERE id = ?1", id,
                      "drop export request");
}
