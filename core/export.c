/*
 * export.c - "Download your personal information" (SPEC section 5,
 * vouch-export): a request waits for the member's confirmation (a token
 * sent by email plus the current password), then vouch-export run writes
 * one JSON document with everything vouch holds about the member - never
 * a secret, a hash or a mac; the card only by its last 4 digits - and
 * announces it.  Unconfirmed requests and ready archives expire.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "vouch.h"
#include "store.h"

#define DAY 86400
#define MAX_ROWS 100000 /* requests handled by one run */

static const char *const status_names[] = {"not-confirmed", "in-progress",
                                           "ready", "cancelled", "expired"};
static const char *const status_labels[] = {"Not yet confirmed", "In progress",
                                            "Ready", "Cancelled", "Expired"};

const char *vouch_export_status_name(vouch_export_status s)
{
  return (unsigned)s <= VOUCH_EXPORT_EXPIRED ? status_names[s] : "unknown";
}

const char *vouch_export_status_label(vouch_export_status s)
{
  return (unsigned)s <= VOUCH_EXPORT_EXPIRED ? status_labels[s] : "Unknown";
}

/* The status a person sees now: past its expiry a request has expired
 * even before a run retires it. */
static vouch_export_status effective(const vouch_export_row *r, time_t now)
{
  if((r->status == VOUCH_EXPORT_UNCONFIRMED ||
      r->status == VOUCH_EXPORT_READY) &&
     r->expires <= now)
    return VOUCH_EXPORT_EXPIRED;
  return r->status;
}

static unsigned days_of(unsigned seconds)
{
  return (seconds + DAY - 1) / DAY;
}

/* ------------------------------------------------------- copies of rows */

/* Requests copied out of the store, so that the store is free while they
 * are handled. */
struct rows {
  vouch_export_row *v;
  size_t n, cap;
  time_t now;
  bool live_only; /* keep only requests waiting or in progress now */
};

static vouch_rc rows_push(void *arg, const vouch_export_row *r)
{
  struct rows *rs = arg;
  vouch_export_row *c;

  if(rs->live_only && effective(r, rs->now) != VOUCH_EXPORT_UNCONFIRMED &&
     r->status != VOUCH_EXPORT_IN_PROGRESS)
    return VOUCH_OK;
  if(rs->n == rs->cap) {
    size_t ncap = rs->cap ? rs->cap * 2 : 16;
    vouch_export_row *nv;
    if(ncap > MAX_ROWS)
      return VOUCH_ERR_NOMEM;
    nv = realloc(rs->v, ncap * sizeof(*nv));
    if(!nv)
      return VOUCH_ERR_NOMEM;
    rs->v = nv;
    rs->cap = ncap;
  }
  c = &rs->v[rs->n];
  *c = *r;
  c->user = vouch_strdup(r->user);
  c->path = vouch_strdup(r->path);
  if(!c->user || !c->path) {
    free((char *)c->user);
    free((char *)c->path);
    return VOUCH_ERR_NOMEM;
  }
  rs->n++;
  return VOUCH_OK;
}

static void rows_free(struct rows *rs)
{
  size_t i;

  for(i = 0; i < rs->n; i++) {
    free((char *)rs->v[i].user);
    free((char *)rs->v[i].path);
  }
  free(rs->v);
  memset(rs, 0, sizeof(*rs));
}

static vouch_rc rows_load(vouch_store *st, const char *user, bool live_only,
                          struct rows *rs)
{
  vouch_rc rc;

  memset(rs, 0, sizeof(*rs));
  rs->now = time(NULL);
  rs->live_only = live_only;
  rc = vouch_store_export_each(st, user, rows_push, rs);
  if(rc)
    rows_free(rs);
  return rc;
}

/* -------------------------------------------------------------- request */

/* Inside the transaction: refuses a second live request, adds one. */
static vouch_rc request_add(vouch_ctx *ctx, vouch_store *st, const char *user,
                            int64_t *id)
{
  struct rows rs;
  char detail[64];
  time_t now = time(NULL);
  vouch_rc rc;

  rc = rows_load(st, user, true, &rs);
  if(rc)
    return rc;
  if(rs.n) {
    *id = rs.v[0].id;
    rows_free(&rs);
    return VOUCH_ERR_EXISTS;
  }
  rc = vouch_store_export_add(st, user, now,
                              now + (time_t)ctx->cfg->export_confirm_ttl, id);
  snprintf(detail, sizeof(detail), "request=%lld", (long long)*id);
  if(!rc)
    rc = vouch_audit(ctx, user, "export.requested", detail);
  return rc;
}

/* Issues the token and sends it; the request dies when that fails. */
static vouch_rc request_send(vouch_ctx *ctx, vouch_store *st, const char *user,
                             int64_t id)
{
  char token[VOUCH_TOKEN_CHARS + 1] = "";
  char days[16], detail[96], *link = NULL;
  const char *pairs[7];
  vouch_rc rc;

  snprintf(days, sizeof(days), "%u", days_of(ctx->cfg->export_confirm_ttl));
  rc = vouch_token_issue(ctx, user, "export", ctx->cfg->export_confirm_ttl,
                         token);
  /* The link to vouch-web's confirmation page, and the token itself for
   * vouch-export confirm and vouch-account. */
  if(!rc && !(link = vouch_web_link(ctx->cfg, "/export/confirm", token)))
    rc = VOUCH_ERR_NOMEM;
  pairs[0] = "token";
  pairs[1] = token;
  pairs[2] = "days";
  pairs[3] = days;
  pairs[4] = "link";
  pairs[5] = link;
  pairs[6] = NULL;
  if(!rc)
    rc = vouch_notify(ctx, user, "export-confirm-email", pairs);
  vouch_wipe(token, sizeof(token));
  vouch_free_secret(link);
  if(!rc)
    return VOUCH_OK;
  snprintf(detail, sizeof(detail), "request=%lld: %s", (long long)id,
           vouch_strerror(rc));
  if(!vouch_store_begin(st)) {
    if(!vouch_store_export_drop(st, id) &&
       !vouch_store_tokens_kill(st, user, "export") &&
       !vouch_audit(ctx, user, "export.dropped", detail))
      vouch_store_commit(st);
    vouch_store_rollback(st);
  }
  return rc;
}

vouch_rc vouch_export_request(vouch_ctx *ctx, const char *user, int64_t *id)
{
  vouch_store *st;
  int64_t rid = 0;
  vouch_rc rc;

  if(id)
    *id = 0;
  rc = vouch_account_exists(ctx, user);
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = request_add(ctx, st, user, &rid);
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  if(id)
    *id = rid;
  if(!rc)
    rc = request_send(ctx, st, user, rid);
  return rc;
}

/* -------------------------------------------------------------- confirm */

vouch_rc vouch_export_pending(vouch_ctx *ctx, const char *user,
                              const char *token, int64_t *id)
{
  struct rows rs;
  vouch_store *st;
  vouch_rc rc;
  size_t i;

  if(id)
    *id = 0;
  if(!vouch_valid_token(token))
    return VOUCH_ERR_INPUT;
  rc = vouch_account_exists(ctx, user);
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = rows_load(st, user, false, &rs);
  if(rc)
    return rc;
  rc = VOUCH_ERR_NOT_FOUND;
  for(i = 0; i < rs.n && rc == VOUCH_ERR_NOT_FOUND; i++) {
    if(rs.v[i].status != VOUCH_EXPORT_UNCONFIRMED)
      continue;
    rc = effective(&rs.v[i], rs.now) == VOUCH_EXPORT_UNCONFIRMED
             ? VOUCH_OK
             : VOUCH_ERR_STALE;
    if(id)
      *id = rs.v[i].id;
  }
  rows_free(&rs);
  return rc;
}

vouch_rc vouch_export_confirm(vouch_ctx *ctx, const char *user,
                              const char *token, const char *password,
                              int64_t *id, bool *at_token)
{
  char detail[64];
  vouch_store *st;
  int64_t rid = 0;
  vouch_rc rc;

  if(at_token)
    *at_token = false;
  rc = vouch_export_pending(ctx, user, token, &rid);
  if(id)
    *id = rid;
  /* The password first: a mistyped one does not use the token up. */
  if(!rc)
    rc = vouch_password_check(ctx, user, password);
  if(!rc) {
    rc = vouch_token_redeem(ctx, user, "export", token);
    if(rc && at_token)
      *at_token = true;
  }
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_export_move(st, rid, VOUCH_EXPORT_UNCONFIRMED,
                               VOUCH_EXPORT_IN_PROGRESS, time(NULL), 0, NULL);
  snprintf(detail, sizeof(detail), "request=%lld", (long long)rid);
  if(!rc)
    rc = vouch_audit(ctx, user, "export.confirmed", detail);
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  return rc;
}

/* ----------------------------------------------------------- list, cancel */

struct each_now {
  vouch_rc (*fn)(void *arg, const vouch_export_row *r);
  void *arg;
  time_t now;
};

static vouch_rc each_now(void *arg, const vouch_export_row *r)
{
  struct each_now *e = arg;
  vouch_export_row c = *r;

  c.status = effective(r, e->now);
  return e->fn(e->arg, &c);
}

vouch_rc vouch_export_each(vouch_ctx *ctx, const char *user,
                           vouch_rc (*fn)(void *arg,
                                          const vouch_export_row *r),
                           void *arg)
{
  struct each_now e = {fn, arg, time(NULL)};
  vouch_store *st;
  vouch_rc rc;

  if(!fn)
    return VOUCH_ERR_INPUT;
  rc = vouch_account_exists(ctx, user);
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_export_each(st, user, each_now, &e);
  return rc;
}

/* Removes an archive; one that is already gone is fine. */
static vouch_rc remove_archive(vouch_ctx *ctx, const char *path)
{
  if(!path || !*path || unlink(path) == 0 || errno == ENOENT)
    return VOUCH_OK;
  vouch_log(ctx, LOG_ERR, "cannot remove %s: %s", path, strerror(errno));
  return VOUCH_ERR_SYSTEM;
}

static vouch_rc cancel_row(vouch_ctx *ctx, vouch_store *st,
                           const vouch_export_row *r, time_t now)
{
  char detail[64];
  vouch_rc rc;

  if(effective(r, now) == VOUCH_EXPORT_CANCELLED ||
     effective(r, now) == VOUCH_EXPORT_EXPIRED)
    return VOUCH_ERR_DENIED;
  rc = remove_archive(ctx, r->path);
  if(!rc)
    rc = vouch_store_export_move(st, r->id, r->status, VOUCH_EXPORT_CANCELLED,
                                 now, 0, "");
  if(!rc && r->status == VOUCH_EXPORT_UNCONFIRMED)
    rc = vouch_store_tokens_kill(st, r->user, "export");
  snprintf(detail, sizeof(detail), "request=%lld", (long long)r->id);
  if(!rc)
    rc = vouch_audit(ctx, r->user, "export.cancelled", detail);
  return rc;
}

vouch_rc vouch_export_cancel(vouch_ctx *ctx, const char *user, int64_t id)
{
  struct rows rs;
  vouch_store *st;
  vouch_rc rc;
  size_t i;

  rc = vouch_account_exists(ctx, user);
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = rows_load(st, user, false, &rs);
  if(rc)
    goto out;
  rc = VOUCH_ERR_NOT_FOUND;
  for(i = 0; i < rs.n; i++)
    if(rs.v[i].id == id)
      rc = cancel_row(ctx, st, &rs.v[i], rs.now);
  rows_free(&rs);
  if(!rc)
    rc = vouch_store_commit(st);
out:
  vouch_store_rollback(st);
  return rc;
}

vouch_rc vouch_export_forget(vouch_ctx *ctx, const char *user)
{
  struct rows rs;
  vouch_store *st;
  vouch_rc rc;
  size_t i;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = rows_load(st, user, false, &rs);
  if(rc)
    return rc;
  for(i = 0; !rc && i < rs.n; i++)
    rc = remove_archive(ctx, rs.v[i].path);
  rows_free(&rs);
  return rc;
}

/* -------------------------------------------------------------- archive */

/* Opens [export] dir, making it (0700) when missing: a directory, no
 * symlink, owned by root or us, closed to group and others. */
static vouch_rc open_dir(vouch_ctx *ctx, int *dfd)
{
  const char *dir = ctx->cfg->export_dir;
  struct stat sb;

  if(mkdir(dir, 0700) && errno != EEXIST) {
    vouch_log(ctx, LOG_ERR, "cannot create %s: %s", dir, strerror(errno));
    return VOUCH_ERR_SYSTEM;
  }
  *dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(*dfd < 0) {
    vouch_log(ctx, LOG_ERR, "%s: %s", dir,
              errno == ELOOP || errno == ENOTDIR
                  ? "not a directory or a symbolic link; refused"
                  : strerror(errno));
    return errno == ELOOP || errno == ENOTDIR ? VOUCH_ERR_INSECURE
                                              : VOUCH_ERR_SYSTEM;
  }
  if(fstat(*dfd, &sb) == 0 && (sb.st_uid == 0 || sb.st_uid == geteuid()) &&
     !(sb.st_mode & 077))
    return VOUCH_OK;
  vouch_log(ctx, LOG_ERR,
            "%s: refused: the export directory must be owned by root and "
            "closed to group and others (mode 0700)",
            dir);
  close(*dfd);
  *dfd = -1;
  return VOUCH_ERR_INSECURE;
}

static void put_time(FILE *f, const char *key, time_t t, bool last)
{
  char buf[32];

  fprintf(f, "\"%s\":", key);
  if(t) {
    vouch_format_time(t, buf, sizeof(buf));
    vouch_json_string(f, buf);
  }
  else
    fputs("null", f);
  fputs(last ? "" : ",", f);
}

static void put_str(FILE *f, const char *key, const char *v, bool last)
{
  fprintf(f, "\"%s\":", key);
  vouch_json_string(f, v);
  fputs(last ? "" : ",", f);
}

/* The profile: everything of the user row but the password hash. */
static void put_profile(FILE *f, const vouch_user *u)
{
  fputs("\"profile\":{", f);
  put_str(f, "name", u->name, false);
  put_str(f, "full_name", u->full_name, false);
  put_str(f, "email", u->email, false);
  put_str(f, "phone", u->phone, false);
  fprintf(f, "\"phone_verified\":%s,", u->phone_verified ? "true" : "false");
  put_str(f, "language", u->lang, false);
  put_str(f, "state", vouch_state_name(u->state), false);
  fprintf(f, "\"password_set\":%s,", u->pw_hash ? "true" : "false");
  put_time(f, "password_changed", u->pw_changed, false);
  put_time(f, "created", u->created, false);
  fputs("\"card\":", f);
  if(u->has_card) {
    fputs("{", f);
    put_str(f, "last4", u->card_last4, true);
    fputs("}", f);
  }
  else
    fputs("null", f);
  fputs("},", f);
}

static void put_membership(FILE *f, const vouch_membership *m)
{
  char date[16];

  fputs("\"membership\":", f);
  if(!m->plan) {
    fputs("null,", f);
    return;
  }
  vouch_format_date(m->period_end, date, sizeof(date));
  fputs("{", f);
  put_str(f, "plan", m->plan, false);
  put_str(f, "period_end", m->period_end ? date : NULL, false);
  put_time(f, "cancelled", m->cancelled, false);
  fprintf(f, "\"delete_profile\":%s", m->delete_profile ? "true" : "false");
  fputs("},", f);
}

struct writer {
  FILE *f;
  unsigned n;
};

static vouch_rc put_session(void *arg, const vouch_session_row *r)
{
  struct writer *w = arg;

  fputs(w->n++ ? ",{" : "{", w->f);
  put_str(w->f, "service", r->service, false);
  put_str(w->f, "tty", r->tty, false);
  put_str(w->f, "remote_host", r->rhost, false);
  fprintf(w->f, "\"pid\":%ld,", r->pid);
  put_time(w->f, "started", r->started, false);
  put_time(w->f, "ended", r->ended, false);
  fprintf(w->f, "\"signed_out\":%s}", r->revoked ? "true" : "false");
  return VOUCH_OK;
}

static vouch_rc put_audit(void *arg, const vouch_audit_row *r)
{
  struct writer *w = arg;

  fputs(w->n++ ? ",{" : "{", w->f);
  put_time(w->f, "time", r->ts, false);
  put_str(w->f, "event", r->event, false);
  put_str(w->f, "service", r->service, false);
  put_str(w->f, "detail", r->detail, true);
  fputs("}", w->f);
  return VOUCH_OK;
}

static vouch_rc put_request(void *arg, const vouch_export_row *r)
{
  struct writer *w = arg;

  fputs(w->n++ ? ",{" : "{", w->f);
  fprintf(w->f, "\"id\":%lld,", (long long)r->id);
  put_str(w->f, "status", vouch_export_status_name(r->status), false);
  put_time(w->f, "created", r->created, false);
  put_time(w->f, "confirmed", r->confirmed, true);
  fputs("}", w->f);
  return VOUCH_OK;
}

/* The whole document into f. */
static vouch_rc put_document(vouch_store *st, const char *user, FILE *f)
{
  struct writer w = {f, 0};
  vouch_membership m = {0};
  vouch_user u = {0};
  vouch_rc rc;

  rc = vouch_store_user_get(st, user, &u);
  if(!rc)
    rc = vouch_store_membership_get(st, user, &m);
  if(rc)
    goto out;
  fputs("{\"format\":\"vouch-personal-information-1\",", f);
  put_time(f, "generated", time(NULL), false);
  put_profile(f, &u);
  put_membership(f, &m);
  fputs("\"sessions\":[", f);
  rc = vouch_store_sessions_each(st, user, put_session, &w);
  fputs("],\"audit\":[", f);
  w.n = 0;
  if(!rc)
    rc = vouch_store_audit_each(st, user, put_audit, &w);
  fputs("],\"export_requests\":[", f);
  w.n = 0;
  if(!rc)
    rc = vouch_store_export_each(st, user, put_request, &w);
  fputs("]}\n", f);
out:
  vouch_membership_clear(&m);
  vouch_user_clear(&u);
  return rc;
}

/* Writes the document to a temporary name, then renames it into place. */
static vouch_rc write_archive(vouch_ctx *ctx, vouch_store *st, int dfd,
                              const vouch_export_row *r, const char *name)
{
  char tmp[128];
  FILE *f;
  vouch_rc rc;
  int fd;

  snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
  (void)unlinkat(dfd, tmp, 0); /* left by a run that died */
  fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600);
  f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
  if(!f) {
    vouch_log(ctx, LOG_ERR, "%s/%s: %s", ctx->cfg->export_dir, tmp,
              strerror(errno));
    if(fd >= 0)
      close(fd);
    return VOUCH_ERR_SYSTEM;
  }
  rc = put_document(st, r->user, f);
  if(fflush(f) || ferror(f) || fsync(fd))
    rc = rc ? rc : VOUCH_ERR_SYSTEM;
  if(fclose(f))
    rc = rc ? rc : VOUCH_ERR_SYSTEM;
  if(!rc && renameat(dfd, tmp, dfd, name))
    rc = VOUCH_ERR_SYSTEM;
  if(rc) {
    vouch_log(ctx, LOG_ERR, "%s/%s: cannot write the archive: %s",
              ctx->cfg->export_dir, name,
              rc == VOUCH_ERR_SYSTEM ? strerror(errno) : vouch_strerror(rc));
    (void)unlinkat(dfd, tmp, 0);
  }
  return rc;
}

/* Builds one archive, marks it ready and announces it. */
static vouch_rc build_one(vouch_ctx *ctx, vouch_store *st, int dfd,
                          const vouch_export_row *r)
{
  char token[VOUCH_TOKEN_CHARS + 1] = "";
  const char *pairs[5];
  char name[96], days[16], detail[64];
  char *path = NULL, *link = NULL;
  time_t now = time(NULL);
  vouch_rc rc;

  snprintf(name, sizeof(name), "%lld-%s.json", (long long)r->id, r->user);
  snprintf(days, sizeof(days), "%u", days_of(ctx->cfg->export_keep));
  snprintf(detail, sizeof(detail), "request=%lld", (long long)r->id);
  path = vouch_asprintf("%s/%s", ctx->cfg->export_dir, name);
  rc = path ? write_archive(ctx, st, dfd, r, name) : VOUCH_ERR_NOMEM;
  if(!rc)
    rc = vouch_store_export_move(st, r->id, VOUCH_EXPORT_IN_PROGRESS,
                                 VOUCH_EXPORT_READY, now,
                                 now + (time_t)ctx->cfg->export_keep, path);
  if(!rc)
    rc = vouch_audit(ctx, r->user, "export.ready", detail);
  /* The download page of vouch-web: the link works while the archive
   * is kept, for the member who signs in there. */
  if(!rc)
    rc = vouch_token_issue(ctx, r->user, "download", ctx->cfg->export_keep,
                           token);
  if(!rc && !(link = vouch_web_link(ctx->cfg, "/export/download", token)))
    rc = VOUCH_ERR_NOMEM;
  pairs[0] = "days";
  pairs[1] = days;
  pairs[2] = "link";
  pairs[3] = link;
  pairs[4] = NULL;
  if(!rc)
    rc = vouch_notify(ctx, r->user, "export-ready-email", pairs);
  vouch_wipe(token, sizeof(token));
  vouch_free_secret(link);
  free(path);
  return rc;
}

/* Retires one request that is past its expiry. */
static vouch_rc expire_one(vouch_ctx *ctx, vouch_store *st,
                           const vouch_export_row *r, time_t now)
{
  char detail[64];
  bool ready = r->status == VOUCH_EXPORT_READY;
  vouch_rc rc;

  rc = ready ? remove_archive(ctx, r->path) : VOUCH_OK;
  if(!rc)
    rc = vouch_store_export_move(st, r->id, r->status, VOUCH_EXPORT_EXPIRED,
                                 now, r->expires, "");
  if(!rc && !ready)
    rc = vouch_store_tokens_kill(st, r->user, "export");
  snprintf(detail, sizeof(detail), "request=%lld", (long long)r->id);
  if(!rc)
    rc = vouch_audit(ctx, r->user, ready ? "export.removed" : "export.expired",
                     detail);
  return rc;
}

static vouch_rc run_one(vouch_ctx *ctx, vouch_store *st, int *dfd,
                        const vouch_export_row *r, time_t now,
                        vouch_export_stats *s)
{
  vouch_rc rc = VOUCH_OK;

  if(effective(r, now) == VOUCH_EXPORT_EXPIRED &&
     r->status != VOUCH_EXPORT_EXPIRED) {
    rc = expire_one(ctx, st, r, now);
    if(!rc && r->status == VOUCH_EXPORT_READY)
      s->removed++;
    else if(!rc)
      s->expired++;
  }
  else if(r->status == VOUCH_EXPORT_IN_PROGRESS) {
    if(*dfd < 0)
      rc = open_dir(ctx, dfd);
    if(!rc)
      rc = build_one(ctx, st, *dfd, r);
    if(!rc)
      s->built++;
  }
  if(rc && rc != VOUCH_ERR_NOT_FOUND) /* another run took it */
    s->failed++;
  return rc == VOUCH_ERR_NOT_FOUND ? VOUCH_OK : rc;
}

vouch_rc vouch_export_run(vouch_ctx *ctx, vouch_export_stats *stats)
{
  vouch_export_stats s = {0, 0, 0, 0};
  vouch_rc rc, first = VOUCH_OK;
  struct rows rs;
  vouch_store *st;
  int dfd = -1;
  size_t i;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = rows_load(st, NULL, false, &rs);
  if(rc)
    return rc;
  /* One request's failure does not hold the others back. */
  for(i = 0; i < rs.n; i++) {
    rc = run_one(ctx, st, &dfd, &rs.v[i], rs.now, &s);
    if(rc && !first)
      first = rc;
    if(rc == VOUCH_ERR_INSECURE || rc == VOUCH_ERR_STORE ||
       rc == VOUCH_ERR_BUSY)
      break; /* the same for every request */
  }
  if(dfd >= 0)
    close(dfd);
  rows_free(&rs);
  if(stats)
    *stats = s;
  return first;
}
