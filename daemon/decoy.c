/*
 * decoy.c - the security check of a name vouch does not know.  It answers
 * as the store would answer a member with an email address and a card
 * (the masks of vouch_methods_get): the same messages for a malformed, a
 * wrong and a stale answer, the same wait before a new code, the lockout
 * message at [lockout] max_failures, so that the transcript of a module
 * does not tell a stranger whether the name exists (SPEC 4).  Nothing is
 * sent; each wrong answer is audited without a name, a store write like
 * the member's count.
 *
 * A member's state outlives the conversation: a code still good is
 * offered again at the next sign-in, sends count towards the hourly caps,
 * failures towards the lockout.  So the decoy keeps the same state, in
 * memory, for the names it met lately: a table of DECOY_NAMES entries
 * (the least recently used goes), each known by a keyed hash of its
 * name, never the name.  What it cannot imitate: a restart of vouchd
 * forgets it, and more than DECOY_SENDS codes an hour or DECOY_FAILS
 * failures in a window are not told apart.
 *
 * And it takes a member's time: a code request waits as long as one of
 * the members' recent requests of the same outcome took (vd_decoy_pace),
 * so that the hand-off to delivery that a member's path makes does not
 * show as a difference in time.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store.h"
#include "vouchd.h"

#define DECOY_NAMES 256
#define DECOY_SENDS 64    /* codes an hour a name remembers */
#define DECOY_FAILS 32    /* failures a name remembers */
#define DECOY_WINDOW 3600 /* the hour of the caps, as core/challenge.c */

struct send {
  time_t at;
  unsigned char ch;
  bool resend;
};

struct entry {
  unsigned char id[VD_DECOY_ID];
  bool used;
  long long touched; /* LRU stamp */
  bool locked;
  time_t fails[DECOY_FAILS];
  unsigned nfails;
  struct send sends[DECOY_SENDS];
  unsigned nsends;
  struct {
    time_t sent; /* 0: none */
    unsigned attempts;
    bool dead;
  } code[2];
};

static struct entry table[DECOY_NAMES];
static long long stamp;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* How long members' code requests took lately, by outcome (a code sent:
 * a store write, the template, the hand-off to vouch-deliver; or not:
 * offered again or refused), so that a decoy request takes as long as a
 * member's: a sample of the same kind, drawn at random. */
#define PACE_SAMPLES 64
static struct {
  unsigned ms[PACE_SAMPLES];
  unsigned n, next;
} pace[2];

void vd_decoy_pace(bool sent, long long ms)
{
  unsigned k = sent ? 1 : 0;

  if(ms < 0)
    return;
  pthread_mutex_lock(&lock);
  pace[k].ms[pace[k].next] = ms > 60000 ? 60000 : (unsigned)ms;
  pace[k].next = (pace[k].next + 1) % PACE_SAMPLES;
  if(pace[k].n < PACE_SAMPLES)
    pace[k].n++;
  pthread_mutex_unlock(&lock);
}

/* Waits until a request begun at t0 has taken as long as a member's of
 * that kind took (a sample). */
static void pace_wait(bool sent, const vouch_config *cfg, long long t0)
{
  unsigned k = sent ? 1 : 0, ms = 0;
  long long spent = vd_mono_ms() - t0;
  struct timespec ts;

  pthread_mutex_lock(&lock);
  if(pace[k].n)
    ms = pace[k].ms[randombytes_uniform(pace[k].n)];
  pthread_mutex_unlock(&lock);
  if(ms > cfg->delivery_timeout * 1000)
    ms = cfg->delivery_timeout * 1000;
  ms = spent >= (long long)ms ? 0 : ms - (unsigned)spent;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  while(nanosleep(&ts, &ts) && errno == EINTR)
    ;
}

void vd_decoy_init(vd_decoy *d, const char *name)
{
  unsigned char mac[VOUCH_MAC_BYTES];

  memset(d, 0, sizeof(*d));
  vouch_mac(vd_key(), mac, "decoy", name ? name : "", (const char *)NULL);
  memcpy(d->id, mac, sizeof(d->id));
  vouch_wipe(mac, sizeof(mac));
}

/* The entry of d's name, made (or taken from the least recently used)
 * when missing; under lock. */
static struct entry *find(const vd_decoy *d)
{
  struct entry *e, *old = &table[0];
  int i;

  for(i = 0; i < DECOY_NAMES; i++) {
    e = &table[i];
    if(e->used && !memcmp(e->id, d->id, sizeof(e->id))) {
      e->touched = ++stamp;
      return e;
    }
    if(!e->used || (old->used && e->touched < old->touched))
      old = e;
  }
  memset(old, 0, sizeof(*old));
  memcpy(old->id, d->id, sizeof(old->id));
  old->used = true;
  old->touched = ++stamp;
  return old;
}

/* Forgets sends and failures older than their windows. */
static void expire(struct entry *e, const vouch_config *cfg, time_t now)
{
  unsigned i, k;

  for(i = k = 0; i < e->nsends; i++)
    if(now - e->sends[i].at < DECOY_WINDOW)
      e->sends[k++] = e->sends[i];
  e->nsends = k;
  for(i = k = 0; i < e->nfails; i++)
    if(now - e->fails[i] < (time_t)cfg->lock_window)
      e->fails[k++] = e->fails[i];
  e->nfails = k;
}

static unsigned chi(vouch_channel ch)
{
  return ch == VOUCH_CHANNEL_SMS ? 1 : 0;
}

/* The code of ch still good: sent, not expired, not dead. */
static bool live(const struct entry *e, const vouch_config *cfg,
                 vouch_channel ch, time_t now)
{
  unsigned ttl =
      ch == VOUCH_CHANNEL_SMS ? cfg->otp_sms_ttl : cfg->otp_email_ttl;
  unsigned c = chi(ch);

  return e->code[c].sent && !e->code[c].dead &&
         now < e->code[c].sent + (time_t)ttl;
}

/* The hourly caps, as rate_check of core/challenge.c: VOUCH_ERR_RATE with
 * *retry when a place frees (0: the resend interval). */
static vouch_rc capped(const struct entry *e, const vouch_config *cfg,
                       vouch_channel ch, bool again, time_t now, time_t *retry)
{
  unsigned i, n = 0;
  time_t last = 0;

  *retry = 0;
  if(again) {
    for(i = 0; i < e->nsends; i++)
      if(e->sends[i].ch == chi(ch) && e->sends[i].at > last)
        last = e->sends[i].at;
    if(last && now - last < (time_t)cfg->otp_resend_interval)
      return VOUCH_ERR_RATE;
  }
  if(e->nsends >= cfg->otp_max_per_hour) {
    *retry = e->sends[e->nsends - cfg->otp_max_per_hour].at + DECOY_WINDOW;
    return VOUCH_ERR_RATE;
  }
  if(!again)
    return VOUCH_OK;
  for(i = 0; i < e->nsends; i++)
    if(e->sends[i].ch == chi(ch) && e->sends[i].resend)
      n++;
  if(n < cfg->otp_resend_max)
    return VOUCH_OK;
  /* the resend_max-th newest resend frees a place an hour after it */
  n -= cfg->otp_resend_max;
  for(i = 0; i < e->nsends; i++)
    if(e->sends[i].ch == chi(ch) && e->sends[i].resend && !n--)
      break;
  *retry = e->sends[i].at + DECOY_WINDOW;
  return VOUCH_ERR_RATE;
}

vouch_rc vd_decoy_send(vd_decoy *d, vouch_ctx *ctx, vouch_channel ch,
                       bool again, vouch_code_info *info)
{
  const vouch_config *cfg = ctx->cfg;
  long long t0 = vd_mono_ms();
  time_t now = time(NULL);
  struct entry *e;
  vouch_rc rc;

  memset(info, 0, sizeof(*info));
  pthread_mutex_lock(&lock);
  e = find(d);
  expire(e, cfg, now);
  if(e->locked) {
    rc = VOUCH_ERR_LOCKED;
    goto out;
  }
  if(!again && live(e, cfg, ch, now)) {
    info->reoffered = true;
    info->sent = e->code[chi(ch)].sent;
    rc = VOUCH_OK;
    goto out;
  }
  rc = capped(e, cfg, ch, again, now, &info->retry);
  if(rc) {
    if(live(e, cfg, ch, now))
      info->sent = e->code[chi(ch)].sent;
    goto out;
  }
  if(e->nsends == DECOY_SENDS) {
    memmove(e->sends, e->sends + 1, sizeof(e->sends[0]) * (DECOY_SENDS - 1));
    e->nsends--;
  }
  e->sends[e->nsends].at = now;
  e->sends[e->nsends].ch = (unsigned char)chi(ch);
  e->sends[e->nsends].resend = again;
  e->nsends++;
  e->code[chi(ch)].sent = now;
  e->code[chi(ch)].attempts = 0;
  e->code[chi(ch)].dead = false;
  info->sent = now;
out:
  pthread_mutex_unlock(&lock);
  /* a member's code was written and handed over: so is this one, as a
   * row of the audit trail without a name, and in the time it takes */
  if(!rc && !info->reoffered)
    (void)vouch_audit(ctx, NULL, "check.unknown", "send");
  pace_wait(!rc && !info->reoffered, cfg, t0);
  return rc;
}

/* Where a member's code or card number is charged before it is judged
 * (a write of its own, core/challenge.c), the decoy writes as much. */
static void decoy_charge(vouch_ctx *ctx)
{
  vouch_store *st;

  if(!vouch_ctx_store(ctx, &st))
    (void)vouch_store_decoy_write(st);
}

/* A wrong answer, under lock: counted as the member's would be. */
static vouch_rc wrong(struct entry *e, vouch_ctx *ctx, time_t now)
{
  if(e->nfails == DECOY_FAILS) {
    memmove(e->fails, e->fails + 1, sizeof(e->fails[0]) * (DECOY_FAILS - 1));
    e->nfails--;
  }
  e->fails[e->nfails++] = now;
  if(e->nfails >= ctx->cfg->lock_max_failures)
    e->locked = true;
  return e->locked ? VOUCH_ERR_LOCKED : VOUCH_ERR_AUTH;
}

vouch_rc vd_decoy_code(vd_decoy *d, vouch_ctx *ctx, vouch_channel ch,
                       const char *answer)
{
  const vouch_config *cfg = ctx->cfg;
  time_t now = time(NULL);
  struct entry *e;
  unsigned c = chi(ch);
  bool judged = false;
  vouch_rc rc;

  if(!vouch_valid_code(answer, cfg->otp_length))
    return VOUCH_ERR_INPUT;
  pthread_mutex_lock(&lock);
  e = find(d);
  expire(e, cfg, now);
  if(e->locked)
    rc = VOUCH_ERR_LOCKED;
  else if(!live(e, cfg, ch, now))
    rc = VOUCH_ERR_STALE; /* the code died: a new one with r */
  else {
    if(++e->code[c].attempts >= cfg->otp_max_attempts)
      e->code[c].dead = true;
    rc = wrong(e, ctx, now);
    judged = true;
  }
  pthread_mutex_unlock(&lock);
  /* A member's answer is charged (one write), then settled (another). */
  if(judged)
    decoy_charge(ctx);
  if(rc == VOUCH_ERR_AUTH || rc == VOUCH_ERR_LOCKED)
    (void)vouch_audit(ctx, NULL, "check.unknown", "code");
  return rc;
}

vouch_rc vd_decoy_card(vd_decoy *d, vouch_ctx *ctx, const char *answer)
{
  char digits[32];
  const char *why = NULL;
  struct entry *e;
  bool judged;
  vouch_rc rc;

  rc = vouch_card_parse(answer, digits, sizeof(digits), &why);
  vouch_wipe(digits, sizeof(digits));
  if(rc)
    return VOUCH_ERR_INPUT;
  pthread_mutex_lock(&lock);
  e = find(d);
  expire(e, ctx->cfg, time(NULL));
  judged = !e->locked;
  rc = e->locked ? VOUCH_ERR_LOCKED : wrong(e, ctx, time(NULL));
  pthread_mutex_unlock(&lock);
  if(judged)
    decoy_charge(ctx);
  (void)vouch_audit(ctx, NULL, "check.unknown", "card");
  return rc;
}

bool vd_decoy_locked(const char *name)
{
  struct entry *e;
  vd_decoy d;
  bool locked = false;
  int i;

  vd_decoy_init(&d, name);
  pthread_mutex_lock(&lock);
  for(i = 0; i < DECOY_NAMES; i++) {
    e = &table[i];
    if(e->used && !memcmp(e->id, d.id, sizeof(e->id)))
      locked = e->locked;
  }
  pthread_mutex_unlock(&lock);
  return locked;
}
