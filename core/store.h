/*
 * store.h - the store's interface: the SQL behind every record vouch
 * keeps (users, passwords, audit trail, codes, tokens, sessions,
 * memberships, exports, sign-in codes), one function a statement or
 * transaction step.  Internal to the core and vouchd: modules, tools and
 * the client never include it; they reach the store only through the
 * core's functions in vouch.h (core/admin.c for vouchctl).  Nothing here
 * is exported by the shared core (the declarations keep the hidden
 * visibility of libvouch's build).  The SQL itself lives in core/store.c
 * and core/store_*.c (core/store_int.h).
 */
#ifndef VOUCH_STORE_H
#define VOUCH_STORE_H

#include "vouch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------- opening and transactions */

#define VOUCH_STORE_CREATE 1 /* create the file (0600) when missing */
#define VOUCH_STORE_OWN                                                       \
  2 /* a handle of its own: never from or to the                              \
       pool (a connection that listens) */

/* Opens the store: the file must pass vouch_open_secure (private); SQLite
 * opens it with SQLITE_OPEN_NOFOLLOW, WAL, synchronous=FULL, foreign keys,
 * the busy timeout; the schema is migrated by PRAGMA user_version. */
vouch_rc vouch_store_open(const char *path, unsigned busy_timeout_ms,
                          int flags, vouch_store **out, vouch_log_fn log,
                          void *logarg);

/* The store of c: vouch_store_open of [store] path, or with [store]
 * backend = postgresql a connection to the shared database (kept for the
 * next open in vouchd, which alone may open it: vouch_store_pg_enable).
 * A database that cannot be reached: VOUCH_ERR_OFFLINE. */
vouch_rc vouch_store_open_config(const vouch_config *c, int flags,
                                 vouch_store **out, vouch_log_fn log,
                                 void *logarg);

/* Lets this process open the PostgreSQL store (vouchd; core/store_pg.c,
 * which the shared core libvouch.so does not have). */
void vouch_store_pg_enable(void);

/* From now on every new connection of this process to a PostgreSQL
 * store checks that the store's hosts share key (vouchctl init recorded
 * a keyed hash of theirs), and fails with VOUCH_ERR_KEY otherwise: at
 * vouchd's start, and when a database that was down then is back, or
 * another one is found by a conninfo of several hosts. */
void vouch_store_pg_key(const unsigned char *key);
void vouch_store_close(vouch_store *st);

/* Moves the store at path (and SQLite's files beside it) aside to
 * path.old-YYYYMMDD-HHMMSS (local time of now), never over an existing
 * file and never deleting one; aside (len bytes) gets the new name. */
vouch_rc vouch_store_move_aside(const char *path, time_t now, char *aside,
                                size_t len, vouch_log_fn log, void *logarg);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  Every read-modify-write runs
 * between begin and commit; rollback is safe when nothing is open. */
vouch_rc vouch_store_begin(vouch_store *st);
/* vouchd: the write transactions of this process's threads queue on one
 * lock (from begin to commit or rollback) instead of SQLite's busy
 * handler, which lets some of many waiting writers starve. */
void vouch_store_serialize(void);
/* vouchd also keeps closed handles for the next open of the same file
 * (vetted again then); this closes those kept now (SIGHUP). */
void vouch_store_forget(void);
vouch_rc vouch_store_commit(vouch_store *st);
void vouch_store_rollback(vouch_store *st);

/* ---------------------------------------------------- users and passwords */

/* Users.  get fills *u (VOUCH_ERR_NO_USER when missing). */
vouch_rc vouch_store_user_get(vouch_store *st, const char *name,
                              vouch_user *u);
/* Inserts u (id, created, counters are set by the store). */
vouch_rc vouch_store_user_add(vouch_store *st, const vouch_user *u);
/* Writes full_name, email, phone, phone_verified, lang, plan, period_end
 * of u to the user named u->name. */
vouch_rc vouch_store_user_update(vouch_store *st, const vouch_user *u);
/* Deletes the user and everything that belongs to them except audit. */
vouch_rc vouch_store_user_del(vouch_store *st, const char *name);
/* Calls fn for each user name in order; stops at the first non-OK. */
vouch_rc vouch_store_user_each(vouch_store *st,
                               vouch_rc (*fn)(void *arg, const char *name),
                               void *arg);

/* Adds one to the consecutive failure count in one statement and returns
 * the new count (exact under concurrency: call inside begin/commit). */
vouch_rc vouch_store_pw_failure(vouch_store *st, const char *name,
                                unsigned *count);
/* Sets the failure count to zero. */
vouch_rc vouch_store_pw_success(vouch_store *st, const char *name);
/* The same for a sign-in decided on a read taken before the transaction
 * (the password hashed outside it): only while the account is still not
 * locked and its hash still hash; VOUCH_ERR_STALE when either changed in
 * between (another thread or host locked it or set a new password). */
vouch_rc vouch_store_pw_success_if(vouch_store *st, const char *name,
                                   const char *hash);
vouch_rc vouch_store_set_state(vouch_store *st, const char *name,
                               vouch_state state);
/* Replaces the password hash; the previous hash moves into the history,
 * which keeps at most keep old hashes.  Sets pw_changed to now. */
vouch_rc vouch_store_set_password(vouch_store *st, const char *name,
                                  const char *hash, unsigned keep);
/* Replaces the hash of the same password (a renewal after a parameter
 * change) without touching the history or pw_changed. */
vouch_rc vouch_store_replace_hash(vouch_store *st, const char *name,
                                  const char *hash);
/* The current hash and then up to n - 1 previous ones, newest first, as a
 * malloc'ed array of malloc'ed strings (free with vouch_store_free_list). */
vouch_rc vouch_store_pw_recent(vouch_store *st, const char *name, unsigned n,
                               char ***hashes, size_t *count);
void vouch_store_free_list(char **list, size_t count);

/* ------------------------------------------------------------ audit trail */

vouch_rc vouch_store_audit_add(vouch_store *st, time_t ts, const char *user,
                               const char *event, const char *service,
                               const char *detail);
/* Rows in time order, all users when user is NULL. */
vouch_rc vouch_store_audit_each(vouch_store *st, const char *user,
                                vouch_rc (*fn)(void *arg,
                                               const vouch_audit_row *r),
                                void *arg);

/* --------------------------------------------------------- security check */

/* Used by core/challenge.c and core/card.c (issue 3).  Users are named;
 * channel is a vouch_channel value; macs are VOUCH_MAC_BYTES long; times
 * are passed in by the caller (so that one clock reading serves a whole
 * decision).  Each returns VOUCH_ERR_NO_USER for an unknown user. */

/* True while a transaction (begin without commit or rollback) is open. */
bool vouch_store_in_transaction(vouch_store *st);

/* One live code as stored. */
typedef struct vouch_code_row {
  int64_t id;
  unsigned char mac[VOUCH_MAC_BYTES];
  time_t created;
  time_t expires;
  unsigned attempts;
} vouch_code_row;

/* Stores a new code; every older unused code of the same user, purpose
 * and channel dies, dead codes of the user are dropped.  *id may be
 * NULL. */
vouch_rc vouch_store_code_insert(vouch_store *st, const char *user,
                                 const char *purpose, int channel,
                                 const unsigned char *mac, time_t created,
                                 time_t expires, int64_t *id);
/* The newest unused code with expires > now: VOUCH_ERR_NOT_FOUND when
 * there is none. */
vouch_rc vouch_store_code_live(vouch_store *st, const char *user,
                               const char *purpose, int channel, time_t now,
                               vouch_code_row *out);
/* Adds one failed attempt to code id and returns the new count. */
vouch_rc vouch_store_code_attempt(vouch_store *st, int64_t id,
                                  unsigned *attempts);
/* Marks code id used (it can never be redeemed again); VOUCH_ERR_NOT_FOUND
 * when there is no such code or it was used already (one conditional
 * statement: never twice, also across hosts). */
vouch_rc vouch_store_code_use(vouch_store *st, int64_t id);
/* The same for the code read as row, if it is still that code (an id
 * may be given again to a new code once the old one is gone). */
vouch_rc vouch_store_code_use_same(vouch_store *st, const vouch_code_row *row);
/* A durable write that leaves nothing behind: an unknown name's decoy
 * (daemon/decoy.c) makes it where a member's security check commits its
 * charge, so that the time of an answer does not tell whether the name
 * exists. */
vouch_rc vouch_store_decoy_write(vouch_store *st);
/* Deletes code id (a code that never reached the person). */
vouch_rc vouch_store_code_drop(vouch_store *st, int64_t id);

/* One token as stored. */
typedef struct vouch_token_row {
  int64_t id;
  int64_t user_id; /* vouch_user.id of the owner */
  char purpose[33];
  time_t created;
  time_t expires;
  bool used;
} vouch_token_row;

/* Stores a token's mac (unique) for user; tokens of user that expired
 * more than a week before created are dropped. */
vouch_rc vouch_store_token_insert(vouch_store *st, const char *user,
                                  const char *purpose,
                                  const unsigned char *mac, time_t created,
                                  time_t expires);
/* The token with this mac: VOUCH_ERR_NOT_FOUND when there is none. */
vouch_rc vouch_store_token_find(vouch_store *st, const unsigned char *mac,
                                vouch_token_row *out);
/* Marks token id used; VOUCH_ERR_NOT_FOUND when there is no such token
 * or it was used already. */
vouch_rc vouch_store_token_use(vouch_store *st, int64_t id);
/* vouch_store_token_find, and the owner's name into name (len bytes). */
vouch_rc vouch_store_token_owner(vouch_store *st, const unsigned char *mac,
                                 vouch_token_row *out, char *name, size_t len);

/* Failed security checks (all methods) for the lockout window.  add drops
 * the user's rows at or before prune_before; count counts rows with
 * ts > since; clear drops them all (when the account is locked). */
vouch_rc vouch_store_check_failure_add(vouch_store *st, const char *user,
                                       const char *method, time_t ts,
                                       time_t prune_before);
vouch_rc vouch_store_check_failure_count(vouch_store *st, const char *user,
                                         time_t since, unsigned *count);
vouch_rc vouch_store_check_failure_clear(vouch_store *st, const char *user);
/* count of the failed checks with ts > since that are settled, or
 * charged and never settled (ts <= abandoned): the charges of checks
 * still being judged are left out. */
vouch_rc vouch_store_check_failure_count_settled(vouch_store *st,
                                                 const char *user,
                                                 time_t since,
                                                 time_t abandoned,
                                                 unsigned *count);
/* The verdict on a failed check charged under the name pending (see
 * core/challenge.c): renamed to method, or removed when method is NULL.
 * VOUCH_ERR_NOT_FOUND when no such row is left (a lock or an unlock
 * cleared it). */
vouch_rc vouch_store_check_failure_settle(vouch_store *st, const char *user,
                                          const char *pending,
                                          const char *method);

/* Messages sent, for the resend limits.  add records one (resend: an
 * "r", not the first code of a check) and drops the user's rows at or
 * before prune_before; since gives the number of sends of (user, purpose,
 * channel) with ts > since and the time of the last one (0: none). */
vouch_rc vouch_store_send_add(vouch_store *st, const char *user,
                              const char *purpose, int channel, time_t ts,
                              bool resend, time_t prune_before);
/* For the hourly caps: *count of the user's sends with ts > since (with
 * purpose: only the resends of (purpose, channel); NULL: every code of
 * the user) and, when *count >= n > 0, *nth the time of the n-th newest
 * (else 0): the cap of n frees one place an hour after it. */
vouch_rc vouch_store_sends_window(vouch_store *st, const char *user,
                                  const char *purpose, int channel,
                                  time_t since, unsigned n, unsigned *count,
                                  time_t *nth);
vouch_rc vouch_store_sends_since(vouch_store *st, const char *user,
                                 const char *purpose, int channel,
                                 time_t since, unsigned *count, time_t *last);

/* The card on file: its mac and last 4 digits.  get sets *has false and
 * leaves mac alone when there is none; clear returns VOUCH_ERR_NOT_FOUND
 * when there was none. */
vouch_rc vouch_store_card_set(vouch_store *st, const char *user,
                              const unsigned char *mac, const char *last4);
vouch_rc vouch_store_card_clear(vouch_store *st, const char *user);
vouch_rc vouch_store_card_get_mac(vouch_store *st, const char *user,
                                  unsigned char *mac, bool *has);

/* ---------------------------------------------------------------- context */

/* Opens the store on first use. */
vouch_rc vouch_ctx_store(vouch_ctx *ctx, vouch_store **out);

/* ---------------------------------------- sessions (core/store_session.c) */

/* A host's name in a shared store ([store] host_name, else the system's
 * host name): at most this many bytes. */
#define VOUCH_HOST_MAX VOUCH_HOST_NAME_MAX

/* A session's leader as recorded, to be signed out; pids are the host's
 * ("" for sessions recorded before version 8: this host's). */
typedef struct vouch_session_pid {
  int64_t id;
  long pid;
  unsigned long long pid_start;
  char host[VOUCH_HOST_MAX + 1];
} vouch_session_pid;

/* Inserts an open session of user; VOUCH_ERR_NO_USER when unknown. */
vouch_rc vouch_store_session_add(vouch_store *st, const char *user,
                                 const vouch_session_row *r, int64_t *id);
/* Sets ended of session id when it is open (*was_open tells); *user gets
 * the owner's name (free it).  VOUCH_ERR_NOT_FOUND for an unknown id. */
vouch_rc vouch_store_session_end(vouch_store *st, int64_t id, time_t ended,
                                 char **user, bool *was_open);
/* Rows of user newest first (fn must not use the store). */
vouch_rc vouch_store_sessions_each(vouch_store *st, const char *user,
                                   vouch_rc (*fn)(void *arg,
                                                  const vouch_session_row *r),
                                   void *arg);
/* Marks every open session of user but keep_id revoked and ended at now
 * (inside the caller's transaction) and returns their leaders (*list
 * malloc'ed, free it; NULL when *n is 0). */
vouch_rc vouch_store_sessions_revoke(vouch_store *st, const char *user,
                                     int64_t keep_id, time_t now,
                                     vouch_session_pid **list, size_t *n);
/* The owner (*user, free it) and leader pid of session id;
 * VOUCH_ERR_NOT_FOUND for an unknown id. */
vouch_rc vouch_store_session_leader(vouch_store *st, int64_t id, char **user,
                                    long *pid);
/* *n: the sessions (of any user, open or ended) recorded for the leader
 * pid with start time start on host. */
vouch_rc vouch_store_leader_sessions(vouch_store *st, long pid,
                                     unsigned long long start,
                                     const char *host, unsigned *n);
/* The open sessions of user on host (*list, *n entries; free it), oldest
 * first. */
vouch_rc vouch_store_sessions_open(vouch_store *st, const char *user,
                                   const char *host, vouch_session_pid **list,
                                   size_t *n);
/* Queues the sign-out of p's session for its host (p->host), which reads
 * it with vouch_store_signouts_list; in the caller's transaction. */
vouch_rc vouch_store_signout_add(vouch_store *st, const vouch_session_pid *p,
                                 time_t now);
/* The sign-outs queued for host (*list, free it).  They stay queued
 * until vouch_store_signout_done: a vouchd that dies while it signals
 * finds them again when it starts. */
vouch_rc vouch_store_signouts_list(vouch_store *st, const char *host,
                                   vouch_session_pid **list, size_t *n);
/* Removes the sign-out of session id queued for host (once signalled). */
vouch_rc vouch_store_signout_done(vouch_store *st, const char *host,
                                  int64_t id);
/* *yes: p names a session of host that was signed out (revoked), with
 * the same leader: a queued sign-out that matches no such record is
 * none this host's vouchd recorded. */
vouch_rc vouch_store_session_revoked(vouch_store *st,
                                     const vouch_session_pid *p,
                                     const char *host, bool *yes);
/* Tells every host's vouchd that sign-outs are queued (PostgreSQL:
 * NOTIFY, delivered at commit; SQLite: nothing, one host). */
vouch_rc vouch_store_signouts_notify(vouch_store *st);
/* On a store opened with VOUCH_STORE_OWN: listens for those
 * notifications (PostgreSQL only: VOUCH_ERR_USAGE on SQLite). */
vouch_rc vouch_store_signouts_listen(vouch_store *st);
/* Waits up to timeout_ms for a notification; *got tells whether one
 * came.  VOUCH_ERR_OFFLINE when the connection is lost. */
vouch_rc vouch_store_signouts_wait(vouch_store *st, int timeout_ms, bool *got);
/* *held: this connection (VOUCH_STORE_OWN, PostgreSQL) now holds host's
 * name for as long as it lives; false when another connection holds it
 * (another vouchd runs with that [store] host_name). */
vouch_rc vouch_store_host_claim(vouch_store *st, const char *host, bool *held);

/* --------------------------- membership and export (core/store_account.c) */

/* The store's part.  Unknown users: VOUCH_ERR_NO_USER. */
vouch_rc vouch_store_membership_get(vouch_store *st, const char *user,
                                    vouch_membership *m);
/* cancelled 0 clears the cancellation (and delete_profile). */
vouch_rc vouch_store_cancel_set(vouch_store *st, const char *user,
                                time_t cancelled, bool delete_profile);
/* Names of cancelled accounts that asked for deletion, whose period end
 * day is over at now and whose data is still there (free with
 * vouch_store_free_list). */
vouch_rc vouch_store_cancel_due(vouch_store *st, time_t now, char ***names,
                                size_t *count);
/* The data part of vouch_profile_erase, in one transaction. */
vouch_rc vouch_store_profile_erase(vouch_store *st, const char *user,
                                   time_t now);
/* Inserts an unconfirmed request; earlier "export" tokens of user die. */
vouch_rc vouch_store_export_add(vouch_store *st, const char *user,
                                time_t created, time_t expires, int64_t *id);
/* Rows of user (NULL: everybody) newest first, as stored; fn must not use
 * the store. */
vouch_rc vouch_store_export_each(vouch_store *st, const char *user,
                                 vouch_rc (*fn)(void *arg,
                                                const vouch_export_row *r),
                                 void *arg);
/* Moves request id from status from to status to at now with a new
 * expiry and (when not NULL) path; sets confirmed or ready when to is
 * in progress or ready.  VOUCH_ERR_NOT_FOUND when id is not in from. */
vouch_rc vouch_store_export_move(vouch_store *st, int64_t id,
                                 vouch_export_status from,
                                 vouch_export_status to, time_t now,
                                 time_t expires, const char *path);
vouch_rc vouch_store_export_drop(vouch_store *st, int64_t id);
/* Marks every unused token of user for purpose used. */
vouch_rc vouch_store_tokens_kill(vouch_store *st, const char *user,
                                 const char *purpose);
/* What a new password and a sign-out everywhere end: every reset link
 * and reset code still out, and the TV pages' tokens (a sign-in on the
 * web half done).  Inside the caller's transaction. */
vouch_rc vouch_store_proofs_kill(vouch_store *st, const char *user);

/* --------------------------------------------- reset (core/store_reset.c) */

/* core/store_reset.c: the names of at most max users whose full name is
 * exactly full_name, in name order (free with vouch_store_free_list). */
/* The names of at most max users with that email address (any case) or,
 * with phone, that verified phone number, in name order. */
vouch_rc vouch_store_users_by_contact(vouch_store *st, const char *value,
                                      bool phone, size_t max, char ***names,
                                      size_t *count);
/* A forgot request to the destination mac (a keyed hash) for user (NULL:
 * no account), at now: *dest_ok and *user_ok when fewer than max were
 * taken for the destination and for the user in the window seconds
 * before; only when both are is it counted.  One transaction: exact
 * across hosts. */
vouch_rc vouch_store_forgot_take(vouch_store *st, const unsigned char *mac,
                                 const char *user, time_t now, unsigned window,
                                 unsigned max, bool *dest_ok, bool *user_ok);
vouch_rc vouch_store_users_by_fullname(vouch_store *st, const char *full_name,
                                       size_t max, char ***names,
                                       size_t *count);
/* Marks every unused code of user for purpose (any channel) used. */
vouch_rc vouch_store_codes_kill(vouch_store *st, const char *user,
                                const char *purpose);

/* ----------------------------------- device sign-in (core/store_device.c) */

/* The store's part of device sign-in. */
typedef struct vouch_device_row {
  int64_t id;
  vouch_device_status status;
  time_t created;
  time_t expires;
  char user[33]; /* the deciding member, "" while waiting */
} vouch_device_row;

/* Inserts a waiting code (VOUCH_ERR_EXISTS when the mac is taken) and
 * drops codes that expired more than a day before created. */
vouch_rc vouch_store_device_add(vouch_store *st, const unsigned char *mac,
                                const char *service, time_t created,
                                time_t expires, int64_t *id);
/* Row id: VOUCH_ERR_NOT_FOUND when there is none. */
vouch_rc vouch_store_device_get(vouch_store *st, int64_t id,
                                vouch_device_row *out);
/* The waiting code with this mac and expires > now, else
 * VOUCH_ERR_NOT_FOUND. */
vouch_rc vouch_store_device_find(vouch_store *st, const unsigned char *mac,
                                 time_t now, int64_t *id);
/* Moves code id from status from to status to at now; user (may be
 * NULL) becomes the deciding member.  VOUCH_ERR_NOT_FOUND when id is not
 * in from. */
vouch_rc vouch_store_device_move(vouch_store *st, int64_t id,
                                 vouch_device_status from,
                                 vouch_device_status to, const char *user,
                                 time_t now);
/* Wrong approvals: add drops the member's rows at or before
 * prune_before; count counts rows with ts > since. */
vouch_rc vouch_store_device_failure_add(vouch_store *st, const char *user,
                                        time_t ts, time_t prune_before);
vouch_rc vouch_store_device_failures(vouch_store *st, const char *user,
                                     time_t since, unsigned *count);

#ifdef __cplusplus
}
#endif

#endif /* VOUCH_STORE_H */
