/*
 * crypto.c - every cryptographic primitive vouch uses, on libsodium:
 * argon2id password hashes, the key file, the keyed MAC that codes, tokens
 * and card numbers are stored under, constant-time comparison and the
 * random codes and tokens people receive.  Nothing else in vouch calls
 * libsodium for these, so the choices are made once, here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <pthread.h>

#include <sodium.h>

#include "vouch.h"

_Static_assert(VOUCH_HASH_MAX >= crypto_pwhash_STRBYTES,
               "VOUCH_HASH_MAX too small for an argon2id string");
_Static_assert(VOUCH_KEY_BYTES == crypto_auth_hmacsha256_KEYBYTES,
               "the key is an HMAC-SHA-256 key");
_Static_assert(VOUCH_MAC_BYTES == crypto_auth_hmacsha256_BYTES,
               "the MAC is an HMAC-SHA-256 tag");
_Static_assert(VOUCH_TOKEN_CHARS + 1 ==
                   sodium_base64_ENCODED_LEN(
                       32, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
               "a token is 32 bytes in unpadded URL-safe base64");

#define TOKEN_BYTES 32
#define CODE_MAX_DIGITS 18

vouch_rc vouch_crypto_init(void)
{
  /* 0 the first time, 1 afterwards, -1 on failure. */
  if(sodium_init() < 0)
    return VOUCH_ERR_CRYPTO;
  return VOUCH_OK;
}

void vouch_wipe(void *p, size_t len)
{
  if(p && len)
    sodium_memzero(p, len);
}

bool vouch_ct_equal(const void *a, const void *b, size_t len)
{
  return sodium_memcmp(a, b, len) == 0;
}

/* ------------------------------------------------------------ passwords */

static bool params_ok(unsigned long long ops, unsigned long long mem)
{
  return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
         ops <= crypto_pwhash_argon2id_OPSLIMIT_MAX &&
         mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
         mem <= crypto_pwhash_argon2id_MEMLIMIT_MAX &&
         mem <= (unsigned long long)SIZE_MAX;
}

/* The bound on argon2id runs at once (vouchd's [daemon] hash_workers):
 * each takes hash_mem, so memory stays bounded however many members sign
 * in together.  0: no bound (tools, tests). */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static unsigned gate_limit, gate_busy;

void vouch_hash_limit(unsigned n)
{
  pthread_mutex_lock(&gate_lock);
  gate_limit = n;
  pthread_cond_broadcast(&gate_cond);
  pthread_mutex_unlock(&gate_lock);
}

static void gate_enter(void)
{
  pthread_mutex_lock(&gate_lock);
  while(gate_limit && gate_busy >= gate_limit)
    pthread_cond_wait(&gate_cond, &gate_lock);
  gate_busy++;
  pthread_mutex_unlock(&gate_lock);
}

static void gate_leave(void)
{
  pthread_mutex_lock(&gate_lock);
  gate_busy--;
  pthread_cond_signal(&gate_cond);
  pthread_mutex_unlock(&gate_lock);
}

vouch_rc vouch_pw_hash(const char *pw, size_t len, unsigned long long ops,
                       unsigned long long mem, char out[VOUCH_HASH_MAX])
{
  vouch_rc rc;
  int r;

  if(!out)
    return VOUCH_ERR_INPUT;
  out[0] = '\0';
  if(!pw || len > crypto_pwhash_PASSWD_MAX || !params_ok(ops, mem))
    return VOUCH_ERR_INPUT;
  rc = vouch_crypto_init();
  if(rc)
    return rc;
  errno = 0;
  gate_enter();
  r = crypto_pwhash_str_alg(out, pw, len, ops, (size_t)mem,
                            crypto_pwhash_ALG_ARGON2ID13);
  gate_leave();
  if(r != 0) {
    /* argon2 fails for want of its memory block; anything else is the
     * library's fault. */
    rc = errno == ENOMEM ? VOUCH_ERR_NOMEM : VOUCH_ERR_CRYPTO;
    vouch_wipe(out, VOUCH_HASH_MAX);
    return rc;
  }
  return VOUCH_OK;
}

/* A well-formed argon2id string fits in crypto_pwhash_STRBYTES; anything
 * else never reaches the decoder. */
static bool hash_shape_ok(const char *hash)
{
  static const char prefix[] = crypto_pwhash_argon2id_STRPREFIX;
  size_t n;

  if(!hash)
    return false;
  n = strnlen(hash, crypto_pwhash_STRBYTES);
  if(n == 0 || n >= crypto_pwhash_STRBYTES)
    return false;
  return strncmp(hash, prefix, sizeof(prefix) - 1) == 0;
}

vouch_rc vouch_pw_verify(const char *hash, const char *pw, size_t len)
{
  int r;

  if(!hash_shape_ok(hash) || !pw || len > crypto_pwhash_PASSWD_MAX)
    return VOUCH_ERR_AUTH;
  if(vouch_crypto_init())
    return VOUCH_ERR_CRYPTO;
  gate_enter();
  r = crypto_pwhash_str_verify(hash, pw, len);
  gate_leave();
  return r != 0 ? VOUCH_ERR_AUTH : VOUCH_OK;
}

bool vouch_pw_needs_rehash(const char *hash, unsigned long long ops,
                           unsigned long long mem)
{
  if(!hash_shape_ok(hash) || !params_ok(ops, mem))
    return true;
  /* The argon2id-specific check also answers "yes" for another
   * algorithm, which the generic one would accept. */
  return crypto_pwhash_argon2id_str_needs_rehash(hash, ops, (size_t)mem) != 0;
}

/* ------------------------------------------------------------- key file */

static vouch_rc write_all(int fd, const unsigned char *p, size_t len)
{
  size_t done = 0;
  unsigned tries = 0;

  while(done < len && tries++ < 1000) {
    ssize_t n = write(fd, p + done, len - done);
    if(n < 0) {
      if(errno == EINTR)
        continue;
      return VOUCH_ERR_SYSTEM;
    }
    done += (size_t)n;
  }
  return done == len ? VOUCH_OK : VOUCH_ERR_SYSTEM;
}

vouch_rc vouch_key_create(const char *path, vouch_log_fn log, void *logarg)
{
  unsigned char key[VOUCH_KEY_BYTES];
  vouch_rc rc;
  int fd = -1;
  bool created = false;

  if(!path || !*path)
    return VOUCH_ERR_INPUT;
  rc = vouch_crypto_init();
  if(rc)
    return rc;
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if(fd < 0) {
    rc = errno == EEXIST ? VOUCH_ERR_EXISTS : VOUCH_ERR_SYSTEM;
    vouch_logp(log, logarg, LOG_ERR, "%s: cannot create key file: %s", path,
               rc == VOUCH_ERR_EXISTS ? "it already exists" : strerror(errno));
    return rc;
  }
  created = true;
  randombytes_buf(key, sizeof(key));
  rc = VOUCH_ERR_SYSTEM;
  /* The umask may only have narrowed 0600, fchmod makes it exact. */
  if(fchmod(fd, 0600) || write_all(fd, key, sizeof(key)) || fsync(fd)) {
    vouch_logp(log, logarg, LOG_ERR, "%s: cannot write key file: %s", path,
               strerror(errno));
    goto out;
  }
  if(close(fd)) {
    fd = -1;
    vouch_logp(log, logarg, LOG_ERR, "%s: cannot write key file: %s", path,
               strerror(errno));
    goto out;
  }
  fd = -1;
  rc = VOUCH_OK;
out:
  vouch_wipe(key, sizeof(key));
  if(fd >= 0)
    close(fd);
  if(rc && created)
    unlink(path);
  return rc;
}

/* Reads at most cap bytes; *got tells how many were there. */
static vouch_rc read_upto(int fd, unsigned char *buf, size_t cap, size_t *got)
{
  size_t done = 0;
  unsigned tries = 0;

  while(done < cap && tries++ < 1000) {
    ssize_t n = read(fd, buf + done, cap - done);
    if(n < 0) {
      if(errno == EINTR)
        continue;
      return VOUCH_ERR_SYSTEM;
    }
    if(n == 0)
      break;
    done += (size_t)n;
  }
  *got = done;
  return VOUCH_OK;
}

vouch_rc vouch_key_load(const char *path, unsigned char key[VOUCH_KEY_BYTES],
                        vouch_log_fn log, void *logarg)
{
  unsigned char buf[VOUCH_KEY_BYTES + 1];
  struct stat sb;
  size_t got = 0;
  vouch_rc rc;
  int fd = -1;

  if(!path || !*path || !key)
    return VOUCH_ERR_INPUT;
  if(lstat(path, &sb)) {
    rc = errno == ENOENT ? VOUCH_ERR_KEY : VOUCH_ERR_SYSTEM;
    if(errno == ENOENT)
      vouch_logp(log, logarg, LOG_ERR,
                 "%s: key file does not exist; run 'vouchctl init' as root",
                 path);
    else
      vouch_logp(log, logarg, LOG_ERR, "%s: cannot read key file: %s%s", path,
                 strerror(errno), errno == EACCES ? " (run as root)" : "");
    return rc;
  }
  if(S_ISLNK(sb.st_mode)) {
    vouch_logp(log, logarg, LOG_ERR,
               "%s: key file is a symbolic link; refused", path);
    return VOUCH_ERR_INSECURE;
  }
  rc = vouch_open_secure(path, O_RDONLY, true, &fd, log, logarg);
  if(rc)
    return rc;
  rc = read_upto(fd, buf, sizeof(buf), &got);
  if(rc) {
    vouch_logp(log, logarg, LOG_ERR, "%s: cannot read key file: %s", path,
               strerror(errno));
    goto out;
  }
  if(got != VOUCH_KEY_BYTES) {
    long long size = fstat(fd, &sb) ? (long long)got : (long long)sb.st_size;
    vouch_logp(log, logarg, LOG_ERR,
               "%s: key file must hold exactly %d bytes, found %lld", path,
               VOUCH_KEY_BYTES, size);
    rc = VOUCH_ERR_KEY;
    goto out;
  }
  memcpy(key, buf, VOUCH_KEY_BYTES);
out:
  vouch_wipe(buf, sizeof(buf));
  close(fd);
  return rc;
}

/* ------------------------------------------------------------------ MAC */

void vouch_mac(const unsigned char key[VOUCH_KEY_BYTES],
               unsigned char out[VOUCH_MAC_BYTES], ...)
{
  crypto_auth_hmacsha256_state st;
  const char *part;
  va_list ap;

  crypto_auth_hmacsha256_init(&st, key, VOUCH_KEY_BYTES);
  va_start(ap, out);
  part = va_arg(ap, const char *);
  while(part) {
    size_t plen = strlen(part);
    uint64_t len = plen;
    unsigned char be[8];
    int i;

    /* The length prefix keeps ("ab","c") apart from ("a","bc"). */
    for(i = 7; i >= 0; i--) {
      be[i] = (unsigned char)(len & 0xff);
      len >>= 8;
    }
    crypto_auth_hmacsha256_update(&st, be, sizeof(be));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)part, plen);
    part = va_arg(ap, const char *);
  }
  va_end(ap);
  crypto_auth_hmacsha256_final(&st, out);
  sodium_memzero(&st, sizeof(st));
}

/* ------------------------------------------------------ codes and tokens */

vouch_rc vouch_random_code(unsigned digits, char *out, size_t outlen)
{
  unsigned i;
  vouch_rc rc;

  if(!out || digits < 1 || digits > CODE_MAX_DIGITS ||
     outlen < (size_t)digits + 1)
    return VOUCH_ERR_INPUT;
  rc = vouch_crypto_init();
  if(rc)
    return rc;
  /* randombytes_uniform rejects the biased top of the range. */
  for(i = 0; i < digits; i++)
    out[i] = (char)('0' + randombytes_uniform(10));
  out[digits] = '\0';
  return VOUCH_OK;
}

vouch_rc vouch_random_token(char *out, size_t outlen)
{
  unsigned char raw[TOKEN_BYTES];
  vouch_rc rc;

  if(!out || outlen < VOUCH_TOKEN_CHARS + 1)
    return VOUCH_ERR_INPUT;
  rc = vouch_crypto_init();
  if(rc)
    return rc;
  randombytes_buf(raw, sizeof(raw));
  sodium_bin2base64(out, outlen, raw, sizeof(raw),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  vouch_wipe(raw, sizeof(raw));
  return VOUCH_OK;
}
