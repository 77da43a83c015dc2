/*
 * device.c - signing in a device without a keyboard (a TV): it shows a
 * short code, a member who is signed in elsewhere approves or refuses it
 * with vouch-account, and the device's PAM module, polling, signs in as
 * that member.
 *
 * The code is not bound to anyone until a member claims it, so only its
 * keyed hash is stored and looked up by that hash.  A member's wrong
 * approvals are counted and limited: 31^8 codes are too many to guess
 * within VOUCH_DEVICE_WRONG_MAX tries, and a wrong answer says nothing
 * about whether the code exists, was decided or expired.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "vouch.h"
#include "store.h"

#define ALPHABET_LEN (sizeof(VOUCH_DEVICE_ALPHABET) - 1)
#define ADD_TRIES 3 /* a fresh code that collides with a stored one */

/* The keyed hash of a normalised code. */
static vouch_rc code_mac(vouch_ctx *ctx, const char *code,
                         unsigned char mac[VOUCH_MAC_BYTES])
{
  const unsigned char *key;
  vouch_rc rc = vouch_ctx_key(ctx, &key);

  if(!rc)
    vouch_mac(key, mac, "device", code, NULL);
  return rc;
}

/* VOUCH_DEVICE_CODE_CHARS uniform characters of the alphabet. */
static void random_code(char *code)
{
  size_t i;

  for(i = 0; i < VOUCH_DEVICE_CODE_CHARS; i++)
    code[i] = VOUCH_DEVICE_ALPHABET[randombytes_uniform(ALPHABET_LEN)];
  code[VOUCH_DEVICE_CODE_CHARS] = '\0';
}

vouch_rc vouch_device_code_parse(const char *in, char *out, size_t len)
{
  size_t n = 0;
  bool dash = false;
  char c;

  if(!in || !out || len < VOUCH_DEVICE_CODE_CHARS + 1)
    return VOUCH_ERR_INPUT;
  for(; *in; in++) {
    c = *in;
    if(c == ' ' || c == '\t')
      continue;
    if(c == '-' && n == VOUCH_DEVICE_CODE_CHARS / 2 && !dash) {
      dash = true;
      continue;
    }
    if(c >= 'a' && c <= 'z')
      c = (char)(c - 'a' + 'A');
    if(n >= VOUCH_DEVICE_CODE_CHARS || c == '\0' ||
       !strchr(VOUCH_DEVICE_ALPHABET, c))
      goto bad;
    out[n++] = c;
  }
  if(n != VOUCH_DEVICE_CODE_CHARS)
    goto bad;
  out[n] = '\0';
  return VOUCH_OK;
bad:
  vouch_wipe(out, len);
  return VOUCH_ERR_INPUT;
}

/* Stores a fresh code; *code gets it. */
static vouch_rc device_add(vouch_ctx *ctx, vouch_store *st, time_t now,
                           time_t expires, char *code, int64_t *id)
{
  unsigned char mac[VOUCH_MAC_BYTES];
  vouch_rc rc = VOUCH_ERR_EXISTS;
  int tries;

  for(tries = 0; tries < ADD_TRIES && rc == VOUCH_ERR_EXISTS; tries++) {
    random_code(code);
    rc = code_mac(ctx, code, mac);
    if(!rc)
      rc = vouch_store_device_add(st, mac, ctx->service, now, expires, id);
  }
  vouch_wipe(mac, sizeof(mac));
  return rc;
}

vouch_rc vouch_device_start(vouch_ctx *ctx, char *shown, size_t len,
                            int64_t *id, time_t *expires)
{
  char code[VOUCH_DEVICE_CODE_CHARS + 1] = "";
  time_t now = time(NULL), end;
  vouch_store *st;
  vouch_rc rc;

  if(!shown || len < VOUCH_DEVICE_SHOWN_MAX || !id)
    return VOUCH_ERR_USAGE;
  end = now + (time_t)ctx->cfg->device_code_ttl;
  rc = vouch_crypto_init();
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = device_add(ctx, st, now, end, code, id);
  if(!rc)
    rc = vouch_audit(ctx, NULL, "device.code", ctx->service);
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  if(!rc) {
    snprintf(shown, len, "%.4s-%.4s", code, code + 4);
    if(expires)
      *expires = end;
  }
  vouch_wipe(code, sizeof(code));
  return rc;
}

/* The decision on a live row, inside the transaction. */
static vouch_rc poll_row(vouch_ctx *ctx, vouch_store *st,
                         const vouch_device_row *r,
                         vouch_device_status *status, char **user)
{
  time_t now = time(NULL);
  vouch_rc rc;

  *status = r->status;
  if(r->status == VOUCH_DEVICE_USED)
    return VOUCH_ERR_STALE;
  if(r->status == VOUCH_DEVICE_WAITING && now >= r->expires) {
    rc = vouch_store_device_move(st, r->id, VOUCH_DEVICE_WAITING,
                                 VOUCH_DEVICE_USED, NULL, now);
    if(!rc)
      rc = vouch_audit(ctx, NULL, "device.expired", ctx->service);
    return rc ? rc : VOUCH_ERR_STALE;
  }
  if(r->status != VOUCH_DEVICE_APPROVED)
    return VOUCH_OK;
  *user = vouch_strdup(r->user);
  if(!*user)
    return VOUCH_ERR_NOMEM;
  rc = vouch_store_device_move(st, r->id, VOUCH_DEVICE_APPROVED,
                               VOUCH_DEVICE_USED, NULL, now);
  if(!rc)
    rc = vouch_audit(ctx, r->user, "device.signin", ctx->service);
  return rc;
}

vouch_rc vouch_device_poll(vouch_ctx *ctx, int64_t id,
                           vouch_device_status *status, char **user)
{
  vouch_device_row r;
  vouch_store *st;
  vouch_rc rc, out;

  if(!status || !user)
    return VOUCH_ERR_USAGE;
  *user = NULL;
  *status = VOUCH_DEVICE_WAITING;
  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  rc = vouch_store_device_get(st, id, &r);
  if(!rc)
    rc = poll_row(ctx, st, &r, status, user);
  out = rc;
  if(!rc || rc == VOUCH_ERR_STALE)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  if(!rc)
    rc = out;
  if(rc) {
    free(*user);
    *user = NULL;
  }
  return rc;
}

vouch_rc vouch_device_abandon(vouch_ctx *ctx, int64_t id)
{
  vouch_store *st;
  vouch_rc rc;
  int i;

  rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(rc)
    return rc;
  /* Waiting, approved or denied: whatever it was, it is over. */
  for(i = VOUCH_DEVICE_WAITING; i <= VOUCH_DEVICE_DENIED; i++) {
    rc = vouch_store_device_move(st, id, (vouch_device_status)i,
                                 VOUCH_DEVICE_USED, NULL, time(NULL));
    if(rc != VOUCH_ERR_NOT_FOUND)
      break;
  }
  if(rc == VOUCH_ERR_NOT_FOUND)
    rc = VOUCH_OK;
  if(!rc)
    rc = vouch_store_commit(st);
  vouch_store_rollback(st);
  return rc;
}

/* A code that is not waiting: one wrong approval, the same answer for
 * every reason. */
static vouch_rc decide_wrong(vouch_ctx *ctx, vouch_store *st, const char *user,
                             time_t now)
{
  vouch_rc rc;

  rc = vouch_store_device_failure_add(st, user, now,
                                      now - VOUCH_DEVICE_WRONG_WINDOW);
  if(!rc)
    rc = vouch_audit(ctx, user, "device.wrong", NULL);
  if(!rc)
    rc = vouch_store_commit(st);
  return rc ? rc : VOUCH_ERR_AUTH;
}

/* The decision inside the transaction. */
static vouch_rc decide(vouch_ctx *ctx, vouch_store *st, const char *user,
                       const unsigned char *mac, bool approve)
{
  time_t now = time(NULL);
  unsigned wrong = 0;
  int64_t id = 0;
  vouch_rc rc;

  rc = vouch_account_exists(ctx, user);
  if(!rc)
    rc = vouch_store_device_failures(st, user, now - VOUCH_DEVICE_WRONG_WINDOW,
                                     &wrong);
  if(rc)
    return rc;
  if(wrong >= VOUCH_DEVICE_WRONG_MAX) {
    rc = vouch_audit(ctx, user, "device.rate", NULL);
    if(!rc)
      rc = vouch_store_commit(st);
    return rc ? rc : VOUCH_ERR_RATE;
  }
  rc = vouch_store_device_find(st, mac, now, &id);
  if(rc == VOUCH_ERR_NOT_FOUND)
    return decide_wrong(ctx, st, user, now);
  if(!rc)
    rc = vouch_store_device_move(
        st, id, VOUCH_DEVICE_WAITING,
        approve ? VOUCH_DEVICE_APPROVED : VOUCH_DEVICE_DENIED, user, now);
  if(!rc)
    rc = vouch_audit(ctx, user, approve ? "device.approved" : "device.denied",
                     NULL);
  if(!rc)
    rc = vouch_store_commit(st);
  return rc;
}

vouch_rc vouch_device_decide(vouch_ctx *ctx, const char *user,
                             const char *code, bool approve)
{
  char norm[VOUCH_DEVICE_CODE_CHARS + 1];
  unsigned char mac[VOUCH_MAC_BYTES];
  vouch_store *st;
  vouch_rc rc;

  if(!user || !vouch_valid_username(user))
    return VOUCH_ERR_NO_USER;
  rc = vouch_device_code_parse(code, norm, sizeof(norm));
  if(rc)
    return rc;
  rc = code_mac(ctx, norm, mac);
  vouch_wipe(norm, sizeof(norm));
  if(!rc)
    rc = vouch_ctx_store(ctx, &st);
  if(!rc)
    rc = vouch_store_begin(st);
  if(!rc) {
    rc = decide(ctx, st, user, mac, approve);
    vouch_store_rollback(st);
  }
  vouch_wipe(mac, sizeof(mac));
  return rc;
}
