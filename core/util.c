/*
 * util.c - the small pieces every other file leans on: the range-checked
 * number, duration, size and date parsers (the only way a number enters
 * vouch), the input validators, safe file opening and reading, and string
 * helpers.  Validators are strict on purpose: what they accept ends up in
 * mail headers, SMS gateways, logs and terminals.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "vouch.h"

extern char **environ;

/* ------------------------------------------------------------- numbers */

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Parses the n leading digits of s (n >= 1, all digits) without
 * overflow. */
static vouch_rc digits_value(const char *s, size_t n, unsigned long long *out)
{
  unsigned long long v = 0;
  size_t i;

  if(n == 0)
    return VOUCH_ERR_INPUT;
  for(i = 0; i < n; i++) {
    unsigned d;
    if(!is_digit(s[i]))
      return VOUCH_ERR_INPUT;
    d = (unsigned)(s[i] - '0');
    if(v > (ULLONG_MAX - d) / 10)
      return VOUCH_ERR_INPUT;
    v = v * 10 + d;
  }
  *out = v;
  return VOUCH_OK;
}

vouch_rc vouch_parse_uint(const char *s, unsigned long long min,
                          unsigned long long max, unsigned long long *out)
{
  unsigned long long v;

  if(!s || !out)
    return VOUCH_ERR_INPUT;
  if(digits_value(s, strlen(s), &v))
    return VOUCH_ERR_INPUT;
  if(v < min || v > max)
    return VOUCH_ERR_INPUT;
  *out = v;
  return VOUCH_OK;
}

/* Number followed by at most one suffix character whose multiplier is
 * looked up in units/mults; a bare number counts as is. */
static vouch_rc parse_scaled(const char *s, const char *units,
                             const unsigned long long *mults,
                             unsigned long long max, unsigned long long *out)
{
  unsigned long long v, mult = 1;
  size_t n = 0, len;

  if(!s || !out)
    return VOUCH_ERR_INPUT;
  len = strlen(s);
  while(n < len && is_digit(s[n]))
    n++;
  if(n == 0 || len - n > 1)
    return VOUCH_ERR_INPUT;
  if(len - n == 1) {
    const char *u = strchr(units, s[n]);
    if(!u || s[n] == '\0')
      return VOUCH_ERR_INPUT;
    mult = mults[u - units];
  }
  if(digits_value(s, n, &v))
    return VOUCH_ERR_INPUT;
  if(v > ULLONG_MAX / mult)
    return VOUCH_ERR_INPUT;
  v *= mult;
  if(v > max)
    return VOUCH_ERR_INPUT;
  *out = v;
  return VOUCH_OK;
}

vouch_rc vouch_parse_duration(const char *s, unsigned long long max_seconds,
                              unsigned long long *out_seconds)
{
  static const unsigned long long mults[] = {1, 60, 3600, 86400};
  return parse_scaled(s, "smhd", mults, max_seconds, out_seconds);
}

vouch_rc vouch_parse_size(const char *s, unsigned long long max,
                          unsigned long long *out)
{
  static const unsigned long long mults[] = {1024ULL, 1024ULL * 1024,
                                             1024ULL * 1024 * 1024};
  return parse_scaled(s, "KMG", mults, max, out);
}

/* --------------------------------------------------------------- dates */

static bool leap_year(long y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(long y, unsigned m)
{
  static const unsigned days[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  if(m == 2 && leap_year(y))
    return 29;
  return days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): no mktime, so no time zone can shift the result. */
static long long days_from_civil(long y, unsigned m, unsigned d)
{
  long era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (long)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (long)d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (long long)era * 146097 + doe - 719468;
}

vouch_rc vouch_parse_date(const char *s, time_t *out)
{
  unsigned long long y, m, d;

  if(!s || !out || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return VOUCH_ERR_INPUT;
  if(digits_value(s, 4, &y) || digits_value(s + 5, 2, &m) ||
     digits_value(s + 8, 2, &d))
    return VOUCH_ERR_INPUT;
  if(y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 ||
     d > days_in_month((long)y, (unsigned)m))
    return VOUCH_ERR_INPUT;
  *out =
      (time_t)(days_from_civil((long)y, (unsigned)m, (unsigned)d) * 86400LL);
  return VOUCH_OK;
}

static void format_utc(time_t t, bool with_time, char *buf, size_t len)
{
  struct tm tm;
  size_t n;

  if(!buf || len == 0)
    return;
  buf[0] = '\0';
  if(!gmtime_r(&t, &tm))
    return;
  if(with_time)
    n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
  else
    n = strftime(buf, len, "%Y-%m-%d", &tm);
  if(n == 0)
    buf[0] = '\0';
}

void vouch_format_date(time_t t, char *buf, size_t len)
{
  format_utc(t, false, buf, len);
}

void vouch_format_time(time_t t, char *buf, size_t len)
{
  format_utc(t, true, buf, len);
}

/* --------------------------------------------------------------- UTF-8 */

/* Length of the well-formed sequence at p (at most left bytes) and its
 * code point, or 0 when it is malformed, overlong, a surrogate or above
 * U+10FFFF (RFC 3629 table 3-7 of Unicode). */
static size_t utf8_next(const unsigned char *p, size_t left, unsigned long *cp)
{
  size_t n, i;
  unsigned long c;
  unsigned char lo = 0x80, hi = 0xbf;

  if(p[0] < 0x80) {
    *cp = p[0];
    return 1;
  }
  if(p[0] >= 0xc2 && p[0] <= 0xdf)
    n = 2;
  else if(p[0] >= 0xe0 && p[0] <= 0xef)
    n = 3;
  else if(p[0] >= 0xf0 && p[0] <= 0xf4)
    n = 4;
  else
    return 0;
  if(left < n)
    return 0;
  if(p[0] == 0xe0)
    lo = 0xa0; /* overlong */
  else if(p[0] == 0xed)
    hi = 0x9f; /* surrogates */
  else if(p[0] == 0xf0)
    lo = 0x90; /* overlong */
  else if(p[0] == 0xf4)
    hi = 0x8f; /* above U+10FFFF */
  if(p[1] < lo || p[1] > hi)
    return 0;
  c = p[0] & (0xff >> (n + 1));
  for(i = 1; i < n; i++) {
    if(i > 1 && (p[i] < 0x80 || p[i] > 0xbf))
      return 0;
    c = (c << 6) | (p[i] & 0x3f);
  }
  *cp = c;
  return n;
}

bool vouch_valid_utf8(const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;

  if(!s)
    return len == 0;
  while(i < len) {
    unsigned long cp;
    size_t n = utf8_next(p + i, len - i, &cp);
    if(n == 0)
      return false;
    i += n;
  }
  return true;
}

size_t vouch_utf8_chars(const char *s, size_t len)
{
  size_t i, count = 0;

  if(!s)
    return 0;
  for(i = 0; i < len; i++)
    if(((unsigned char)s[i] & 0xc0) != 0x80)
      count++;
  return count;
}

/* ---------------------------------------------------------- validators */

static bool is_alnum(char c)
{
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool vouch_valid_username(const char *s)
{
  size_t i;

  if(!s || !(is_alnum(s[0]) || s[0] == '_'))
    return false;
  for(i = 1; s[i]; i++) {
    if(i >= 32)
      return false;
    if(!is_alnum(s[i]) && !strchr("._-", s[i]))
      return false;
  }
  return true;
}

/* Local part: RFC 5322 dot-atom without the characters that could break
 * out of a header or a list (quotes, brackets, comma, semicolon...). */
static bool email_local_ok(const char *s, size_t n)
{
  size_t i;

  if(n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
    return false;
  for(i = 0; i < n; i++) {
    if(s[i] == '.' && s[i + 1] == '.')
      return false;
    if(!is_alnum(s[i]) && !strchr(".!#$%&'*+-/=?^_`{|}~", s[i]))
      return false;
  }
  return true;
}

/* Domain: two or more LDH labels of 1 to 63 bytes, no hyphen at either
 * end, a top-level label that is not all digits. */
static bool email_domain_ok(const char *s, size_t n)
{
  size_t i, start = 0, labels = 0;
  bool all_digits = true;

  if(n == 0 || n > 253)
    return false;
  for(i = 0; i <= n; i++) {
    if(i == n || s[i] == '.') {
      size_t l = i - start;
      if(l == 0 || l > 63 || s[start] == '-' || s[i - 1] == '-')
        return false;
      labels++;
      if(i == n)
        break;
      start = i + 1;
      all_digits = true;
      continue;
    }
    if(!is_alnum(s[i]) && s[i] != '-')
      return false;
    if(!is_digit(s[i]))
      all_digits = false;
  }
  return labels >= 2 && !all_digits;
}

bool vouch_valid_email(const char *s)
{
  const char *at;
  size_t len;

  if(!s)
    return false;
  len = strlen(s);
  at = strchr(s, '@');
  if(len > 254 || !at || strchr(at + 1, '@'))
    return false;
  return email_local_ok(s, (size_t)(at - s)) &&
         email_domain_ok(at + 1, len - (size_t)(at - s) - 1);
}

bool vouch_valid_phone(const char *s)
{
  size_t i;

  if(!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
    return false;
  for(i = 1; s[i]; i++)
    if(!is_digit(s[i]) || i > 15)
      return false;
  return i - 1 >= 8;
}

bool vouch_valid_lang(const char *s)
{
  static const char *const langs[] = {"en", "da", "nl", "sv", "ms"};
  size_t i;

  if(!s)
    return false;
  for(i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
    if(!strcmp(s, langs[i]))
      return true;
  return false;
}

/* Code points that must not reach a terminal or a mail header: C0, DEL,
 * C1, the line and paragraph separators and the bidirectional overrides
 * and isolates (which can make text read differently than it is). */
static bool bad_name_char(unsigned long cp)
{
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
         cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

bool vouch_valid_fullname(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, len, chars = 0;
  bool visible = false;

  if(!s)
    return false;
  len = strlen(s);
  while(i < len) {
    unsigned long cp;
    size_t n = utf8_next(p + i, len - i, &cp);
    if(n == 0 || bad_name_char(cp) || ++chars > 128)
      return false;
    if(cp != ' ' && cp != 0xa0 && cp != 0x3000)
      visible = true;
    i += n;
  }
  return visible;
}

bool vouch_valid_plan(const char *s)
{
  size_t i;

  if(!s || !s[0] || s[0] == ' ')
    return false;
  for(i = 0; s[i]; i++)
    if(i >= 64 || s[i] < 0x20 || s[i] > 0x7e)
      return false;
  return s[i - 1] != ' ';
}

/* -------------------------------------------------------------- files */

void vouch_logp(vouch_log_fn log, void *arg, int priority, const char *fmt,
                ...)
{
  char buf[1536];
  va_list ap;

  if(!log)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  log(arg, priority, buf);
}

#define say(log, arg, ...) vouch_logp(log, arg, LOG_ERR, __VA_ARGS__)

/* The user vouchd runs as ([daemon] user), whose files the state is:
 * besides root and the effective user, the one owner allowed. */
static uid_t state_owner;
static bool state_owner_set;

void vouch_state_owner(uid_t uid)
{
  state_owner = uid;
  state_owner_set = true;
}

/* Refuses what fstat shows to be unsafe; messages name path. */
static vouch_rc check_stat(const char *path, const struct stat *st,
                           bool private_file, vouch_log_fn log, void *arg)
{
  unsigned mode = (unsigned)st->st_mode & 07777;

  if(!S_ISREG(st->st_mode)) {
    say(log, arg, "%s: refused: not a regular file%s", path,
        S_ISDIR(st->st_mode) ? " (it is a directory)" : "");
    return VOUCH_ERR_INSECURE;
  }
  if(st->st_uid != 0 && st->st_uid != geteuid() &&
     !(state_owner_set && st->st_uid == state_owner)) {
    say(log, arg,
        "%s: refused: owned by uid %lu, not by root or vouchd's user", path,
        (unsigned long)st->st_uid);
    return VOUCH_ERR_INSECURE;
  }
  if(mode & 022) {
    say(log, arg,
        "%s: refused: writable by group or others (mode %04o); "
        "run chmod go-w on it",
        path, mode);
    return VOUCH_ERR_INSECURE;
  }
  if(private_file && (mode & 077)) {
    say(log, arg,
        "%s: refused: readable by group or others (mode %04o); "
        "it must be mode 0600",
        path, mode);
    return VOUCH_ERR_INSECURE;
  }
  return VOUCH_OK;
}

static vouch_rc open_failed(const char *path, int err, vouch_log_fn log,
                            void *arg)
{
  char ebuf[128];

  if(err == ELOOP) {
    say(log, arg, "%s: refused: it is a symbolic link", path);
    return VOUCH_ERR_INSECURE;
  }
  if(err == EISDIR) {
    say(log, arg, "%s: refused: not a regular file (it is a directory)", path);
    return VOUCH_ERR_INSECURE;
  }
  if(err == ENOMEM)
    return VOUCH_ERR_NOMEM;
  /* Who meets EACCES here runs vouchd or vouchctl init as another user
   * than the one the files belong to. */
  say(log, arg, "%s: %s%s", path, strerror_r(err, ebuf, sizeof(ebuf)),
      err == EACCES || err == EPERM ? " (run as root)" : "");
  return VOUCH_ERR_SYSTEM;
}

vouch_rc vouch_open_secure(const char *path, int flags, bool private_file,
                           int *fd, vouch_log_fn log, void *logarg)
{
  struct stat st;
  vouch_rc rc;
  int f, fl;

  if(!path || !path[0] || !fd)
    return VOUCH_ERR_USAGE;
  *fd = -1;
  /* O_NONBLOCK so that a FIFO planted at path cannot hang us before
   * fstat refuses it; cleared again below for the regular file. */
  f = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
  if(f < 0)
    return open_failed(path, errno, log, logarg);
  if(fstat(f, &st)) {
    rc = open_failed(path, errno, log, logarg);
    goto out;
  }
  rc = check_stat(path, &st, private_file, log, logarg);
  if(rc)
    goto out;
  fl = fcntl(f, F_GETFL);
  if(!(flags & O_NONBLOCK) &&
     (fl < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) < 0)) {
    rc = open_failed(path, errno, log, logarg);
    goto out;
  }
  *fd = f;
  f = -1;
out:
  if(f >= 0)
    close(f);
  return rc;
}

vouch_rc vouch_check_secure(const char *path, bool private_file,
                            vouch_log_fn log, void *logarg)
{
  struct stat st;

  if(!path || !path[0])
    return VOUCH_ERR_USAGE;
  if(lstat(path, &st))
    return open_failed(path, errno, log, logarg);
  if(S_ISLNK(st.st_mode))
    return open_failed(path, ELOOP, log, logarg);
  /* The effective ids decide, as for open (setuid tools). */
  if(faccessat(AT_FDCWD, path, R_OK, AT_EACCESS))
    return open_failed(path, errno, log, logarg);
  return check_stat(path, &st, private_file, log, logarg);
}

/* Moves len bytes into a bigger buffer, wiping the old one: the file may
 * be a key. */
static char *grow(char *buf, size_t len, size_t newcap)
{
  char *n = malloc(newcap);

  if(n && len)
    memcpy(n, buf, len);
  if(buf) {
    sodium_memzero(buf, len);
    free(buf);
  }
  return n;
}

vouch_rc vouch_read_fd(int fd, size_t max, char **out, size_t *len)
{
  char *buf = NULL;
  size_t cap = 0, used = 0;
  vouch_rc rc = VOUCH_OK;

  if(!out || max >= SIZE_MAX - 1)
    return VOUCH_ERR_USAGE;
  *out = NULL;
  for(;;) {
    ssize_t r;
    if(used == cap) {
      size_t want = cap ? cap * 2 : 4096;
      if(want > max + 1)
        want = max + 1;
      if(want <= used)
        want = used + 1;
      buf = grow(buf, used, want + 1);
      if(!buf)
        return VOUCH_ERR_NOMEM;
      cap = want;
    }
    r = read(fd, buf + used, cap - used);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0) {
      rc = VOUCH_ERR_SYSTEM;
      goto out;
    }
    if(r == 0)
      break;
    used += (size_t)r;
    if(used > max) {
      rc = VOUCH_ERR_INPUT; /* too large */
      goto out;
    }
  }
  buf[used] = '\0';
  *out = buf;
  buf = NULL;
  if(len)
    *len = used;
out:
  if(buf) {
    sodium_memzero(buf, cap + 1);
    free(buf);
  }
  return rc;
}

/* ------------------------------------------------------------- strings */

char *vouch_asprintf(const char *fmt, ...)
{
  va_list ap, ap2;
  char *s;
  int n;

  va_start(ap, fmt);
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if(n < 0) {
    va_end(ap2);
    return NULL;
  }
  s = malloc((size_t)n + 1);
  if(s)
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return s;
}

char *vouch_strdup(const char *s)
{
  size_t n;
  char *d;

  if(!s)
    return NULL;
  n = strlen(s) + 1;
  d = malloc(n);
  if(d)
    memcpy(d, s, n);
  return d;
}

void vouch_free_secret(char *s)
{
  if(!s)
    return;
  sodium_memzero(s, strlen(s));
  free(s);
}

char *vouch_trim(char *s)
{
  size_t n;

  while(*s == ' ' || *s == '\t')
    s++;
  n = strlen(s);
  while(n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

/* A password or token: the first line of a private file. */
vouch_rc vouch_read_secret_file(const char *path, const char *what, char **out,
                                vouch_log_fn log, void *arg)
{
  char *buf = NULL;
  size_t len = 0, n;
  vouch_rc rc;
  int fd;

  *out = NULL;
  rc = vouch_open_secure(path, O_RDONLY, true, &fd, log, arg);
  if(rc) {
    vouch_logp(log, arg, LOG_ERR, "%s: cannot use %s", path, what);
    return VOUCH_ERR_CONFIG;
  }
  rc = vouch_read_fd(fd, VOUCH_SECRET_FILE_MAX, &buf, &len);
  close(fd);
  if(rc) {
    vouch_logp(log, arg, LOG_ERR, "%s: cannot read %s (at most %d bytes)",
               path, what, VOUCH_SECRET_FILE_MAX);
    rc = rc == VOUCH_ERR_NOMEM ? rc : VOUCH_ERR_CONFIG;
    goto out;
  }
  n = strcspn(buf, "\n");
  if(n && buf[n - 1] == '\r')
    n--;
  if(!n || memchr(buf, '\0', n)) {
    vouch_logp(log, arg, LOG_ERR,
               "%s: the first line (%s) is empty or holds a NUL byte", path,
               what);
    rc = VOUCH_ERR_CONFIG;
    goto out;
  }
  *out = strndup(buf, n);
  rc = *out ? VOUCH_OK : VOUCH_ERR_NOMEM;
out:
  if(buf) {
    sodium_memzero(buf, len);
    free(buf);
  }
  return rc;
}

/* Every PG* variable out of the environment (core/pg.c connects only
 * without them). */
void vouch_pg_clear_env(void)
{
  char name[128];
  size_t i, n;

  /* Removing shifts environ: start again after each. */
  for(i = 0; environ && environ[i];) {
    n = strcspn(environ[i], "=");
    if(!strncmp(environ[i], "PG", 2) && n < sizeof(name)) {
      memcpy(name, environ[i], n);
      name[n] = '\0';
      unsetenv(name);
      i = 0;
      continue;
    }
    i++;
  }
}
