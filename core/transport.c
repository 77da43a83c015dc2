/*
 * transport.c - the ways a message leaves the host: SMTP (libcurl), an
 * HTTP SMS gateway (libcurl) and files in a directory.
 *
 * Only the delivery helper (tools/vouch-deliver.c) links this file: PAM
 * hosts never load libcurl (see delivery.c).  The helper calls
 * curl_global_init() first.  Every transfer is bounded by [delivery]
 * timeout, takes no proxy from the environment, verifies TLS peers and
 * host names, follows no redirect and caps what it reads.  smtp:// must
 * upgrade with STARTTLS unless the server is on a loopback address.
 * Messages carry codes: every buffer holding a body is wiped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "vouch.h"

#define REPLY_MAX (64 * 1024) /* bytes of an SMS gateway's reply */
#define QP_LINE 75            /* characters before a soft line break */
#define WORD_BYTES 45         /* text bytes in one RFC 2047 word */
#define USER_AGENT "vouch-deliver"

/* ------------------------------------------------------------- buffers */

/* A growing buffer that wipes what it leaves behind: it holds bodies. */
struct buf {
  char *p;
  size_t len, cap;
  bool nomem;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
  char *np;
  size_t cap;

  if(b->nomem)
    return;
  if(b->len + n + 1 > b->cap) {
    cap = b->cap ? b->cap : 256;
    while(cap < b->len + n + 1)
      cap *= 2;
    np = malloc(cap);
    if(!np) {
      b->nomem = true;
      return;
    }
    if(b->p) {
      memcpy(np, b->p, b->len);
      sodium_memzero(b->p, b->cap);
      free(b->p);
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
  buf_add(b, s, strlen(s));
}

static void buf_free(struct buf *b)
{
  if(b->p) {
    sodium_memzero(b->p, b->cap);
    free(b->p);
  }
  memset(b, 0, sizeof(*b));
}

/* Hands the finished text over (NUL-terminated) or NULL on ENOMEM. */
static char *buf_take(struct buf *b)
{
  char *p;

  if(b->nomem || !b->p) {
    buf_free(b);
    return b->nomem ? NULL : vouch_strdup("");
  }
  p = b->p;
  memset(b, 0, sizeof(*b));
  return p;
}

static void say(vouch_log_fn log, void *arg, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);

static void say(vouch_log_fn log, void *arg, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;

  if(!log)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  log(arg, LOG_ERR, msg);
}

/* ------------------------------------------------------------ loopback */

static bool host_is_loopback(const char *host)
{
  struct in6_addr a6;
  struct in_addr a4;
  char inner[INET6_ADDRSTRLEN + 1];
  size_t n = strlen(host);

  if(!strcasecmp(host, "localhost"))
    return true;
  if(inet_pton(AF_INET, host, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  if(n < 3 || host[0] != '[' || host[n - 1] != ']' || n - 2 >= sizeof(inner))
    return false;
  memcpy(inner, host + 1, n - 2);
  inner[n - 2] = '\0';
  return inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* The host as libcurl itself will see it, so that "127.0.0.1@evil" and
 * the like cannot make the decision and the connection disagree. */
bool vouch_url_is_loopback(const char *url)
{
  CURLU *u;
  char *host = NULL;
  bool yes = false;

  if(!url)
    return false;
  u = curl_url();
  if(!u)
    return false;
  if(!curl_url_set(u, CURLUPART_URL, url, 0) &&
     !curl_url_get(u, CURLUPART_HOST, &host, 0))
    yes = host_is_loopback(host);
  curl_free(host);
  curl_url_cleanup(u);
  return yes;
}

/* ------------------------------------------------------------ encoding */

static const char hexdig[] = "0123456789ABCDEF";

/* One input line (without its line end) into QP with soft breaks. */
static void qp_line(struct buf *b, const unsigned char *s, size_t n)
{
  size_t i, col = 0;
  char tok[3];
  size_t tlen;

  for(i = 0; i < n; i++) {
    unsigned char c = s[i];
    bool ws = c == ' ' || c == '\t';
    if((c >= 33 && c <= 126 && c != '=') || (ws && i + 1 < n)) {
      tok[0] = (char)c;
      tlen = 1;
    }
    else {
      tok[0] = '=';
      tok[1] = hexdig[c >> 4];
      tok[2] = hexdig[c & 15];
      tlen = 3;
    }
    if(col + tlen > QP_LINE) {
      buf_add(b, "=\r\n", 3);
      col = 0;
    }
    buf_add(b, tok, tlen);
    col += tlen;
  }
}

char *vouch_qp_encode(const char *s, size_t len)
{
  struct buf b = {0};
  size_t pos = 0;

  while(pos < len) {
    const char *nl = memchr(s + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
    size_t text = n;
    if(nl && n && s[pos + n - 1] == '\r')
      text--; /* CRLF in the input is one line end too */
    qp_line(&b, (const unsigned char *)s + pos, text);
    if(nl)
      buf_add(&b, "\r\n", 2);
    pos += n + (nl ? 1 : 0);
  }
  return buf_take(&b);
}

static size_t utf8_len(unsigned char c)
{
  if(c < 0x80)
    return 1;
  if((c & 0xe0) == 0xc0)
    return 2;
  if((c & 0xf0) == 0xe0)
    return 3;
  return 4;
}

/* RFC 2047 "B" words of at most WORD_BYTES bytes each (never splitting a
 * character), joined by eol and a space. */
static char *header_encode_eol(const char *s, const char *eol)
{
  char b64[sodium_base64_ENCODED_LEN(WORD_BYTES,
                                     sodium_base64_VARIANT_ORIGINAL)];
  struct buf b = {0};
  size_t i, len = strlen(s), pos = 0;
  bool plain = len <= 66 && !strstr(s, "=?");

  for(i = 0; plain && i < len; i++)
    if(s[i] < 0x20 || s[i] > 0x7e)
      plain = false;
  if(plain)
    return vouch_strdup(s);
  while(pos < len) {
    size_t n = 0;
    while(pos + n < len) {
      size_t c = utf8_len((unsigned char)s[pos + n]);
      if(n + c > WORD_BYTES)
        break;
      n += c;
    }
    if(!n)
      n = 1; /* never stall on a malformed byte */
    if(pos + n > len)
      n = len - pos;
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + pos, n,
                      sodium_base64_VARIANT_ORIGINAL);
    if(pos) {
      buf_str(&b, eol);
      buf_add(&b, " ", 1);
    }
    buf_str(&b, "=?UTF-8?B?");
    buf_str(&b, b64);
    buf_str(&b, "?=");
    pos += n;
  }
  return buf_take(&b);
}

char *vouch_header_encode(const char *s)
{
  return s ? header_encode_eol(s, "\r\n") : NULL;
}

static void url_escape(struct buf *b, const char *s)
{
  char t[3];

  for(; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
       c == '~') {
      buf_add(b, s, 1);
      continue;
    }
    t[0] = '%';
    t[1] = hexdig[c >> 4];
    t[2] = hexdig[c & 15];
    buf_add(b, t, 3);
  }
}

static void json_escape(struct buf *b, const char *s)
{
  char t[8];

  for(; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if(c == '"' || c == '\\') {
      t[0] = '\\';
      t[1] = (char)c;
      buf_add(b, t, 2);
    }
    else if(c == '\n')
      buf_add(b, "\\n", 2);
    else if(c == '\r')
      buf_add(b, "\\r", 2);
    else if(c == '\t')
      buf_add(b, "\\t", 2);
    else if(c < 0x20 || c == 0x7f) {
      snprintf(t, sizeof(t), "\\u%04x", c);
      buf_add(b, t, 6);
    }
    else
      buf_add(b, s, 1);
  }
}

vouch_rc vouch_sms_request_body(const vouch_config *cfg,
                                const vouch_message *m, char **out)
{
  bool json = cfg->sms_format == VOUCH_SMS_JSON;
  const char *t = cfg->sms_body;
  struct buf b = {0};

  *out = NULL;
  if(!t)
    t = json ? "{\"to\":\"{to}\",\"text\":\"{text}\"}" : "to={to}&text={text}";
  while(*t) {
    const char *v = NULL;
    if(!strncmp(t, "{to}", 4)) {
      v = m->to;
      t += 4;
    }
    else if(!strncmp(t, "{text}", 6)) {
      v = m->body;
      t += 6;
    }
    else {
      buf_add(&b, t++, 1);
      continue;
    }
    if(json)
      json_escape(&b, v ? v : "");
    else
      url_escape(&b, v ? v : "");
  }
  *out = buf_take(&b);
  return *out ? VOUCH_OK : VOUCH_ERR_NOMEM;
}

/* ------------------------------------------------------------ messages */

/* RFC 5322 date in UTC, with English names whatever the locale. */
static void rfc5322_date(char *out, size_t len)
{
  static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                  "Thu", "Fri", "Sat"};
  static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t now = time(NULL);
  struct tm tm;

  if(!gmtime_r(&now, &tm)) {
    snprintf(out, len, "Thu, 01 Jan 1970 00:00:00 +0000");
    return;
  }
  snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
           days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void random_hex(char *out, size_t bytes)
{
  unsigned char r[16];

  if(bytes > sizeof(r))
    bytes = sizeof(r);
  randombytes_buf(r, bytes);
  sodium_bin2hex(out, bytes * 2 + 1, r, bytes);
}

/* An RFC 5322 message.  For SMTP: CRLF and a quoted-printable body; for a
 * file: LF and the body as it is (8bit). */
static char *compose_email(const vouch_config *cfg, const vouch_message *m,
                           bool smtp, size_t *len)
{
  const char *eol = smtp ? "\r\n" : "\n";
  const char *dom = strchr(cfg->email_from, '@');
  char date[64], id[33];
  char *subject = header_encode_eol(m->subject ? m->subject : "", eol);
  char *body = smtp ? vouch_qp_encode(m->body, strlen(m->body)) : NULL;
  const char *parts[] = {"Date: ",
                         date,
                         eol,
                         "From: ",
                         cfg->email_from,
                         eol,
                         "To: ",
                         m->to,
                         eol,
                         "Subject: ",
                         subject ? subject : "",
                         eol,
                         "Message-ID: <",
                         id,
                         "@",
                         dom ? dom + 1 : "localhost",
                         ">",
                         eol,
                         "MIME-Version: 1.0",
                         eol,
                         "Content-Type: text/plain; charset=UTF-8",
                         eol,
                         "Content-Transfer-Encoding: ",
                         smtp ? "quoted-printable" : "8bit",
                         eol,
                         eol,
                         smtp ? (body ? body : "") : m->body};
  struct buf b = {0};
  size_t i;

  rfc5322_date(date, sizeof(date));
  random_hex(id, 16);
  for(i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
    buf_str(&b, parts[i]);
  if(b.len && b.p[b.len - 1] != '\n')
    buf_str(&b, eol);
  if(!subject || (smtp && !body))
    b.nomem = true;
  free(subject);
  vouch_free_secret(body);
  *len = b.len;
  return buf_take(&b);
}

/* ---------------------------------------------------------------- files */

/* The directory of the file transport: no symlink, owned by root or us,
 * writable by nobody else (a sticky /tmp is refused too). */
static vouch_rc open_dir(const char *dir, int *dfd, vouch_log_fn log,
                         void *arg)
{
  struct stat st;
  int fd;

  fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(fd < 0) {
    say(log, arg, "%s: %s", dir,
        errno == ELOOP || errno == ENOTDIR
            ? "is a symbolic link or not a directory; refused"
            : strerror(errno));
    return VOUCH_ERR_CONFIG;
  }
  if(fstat(fd, &st) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
     (st.st_mode & 022)) {
    say(log, arg,
        "%s: directory must be owned by root and writable by nobody "
        "else; refused",
        dir);
    close(fd);
    return VOUCH_ERR_CONFIG;
  }
  *dfd = fd;
  return VOUCH_OK;
}

static vouch_rc write_all(int fd, const char *p, size_t len)
{
  ssize_t r;

  while(len) {
    r = write(fd, p, len);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      return VOUCH_ERR_SYSTEM;
    p += r;
    len -= (size_t)r;
  }
  return VOUCH_OK;
}

/* A fresh ".tmp-XXXXXX" in dfd, mode 0600 (mkstemp, relative to the
 * directory that was checked). */
static int open_temp(int dfd, char name[16])
{
  static const char set[] = "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  int i, j, fd = -1;

  for(i = 0; i < 16 && fd < 0; i++) {
    memcpy(name, ".tmp-", 5);
    for(j = 0; j < 6; j++)
      name[5 + j] = set[randombytes_uniform(sizeof(set) - 1)];
    name[11] = '\0';
    fd = openat(dfd, name,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if(fd < 0 && errno != EEXIST)
      break;
  }
  if(fd >= 0 && fchmod(fd, 0600)) {
    close(fd);
    unlinkat(dfd, name, 0);
    fd = -1;
  }
  return fd;
}

/* Renames tmp to "<unix-time>-<random hex><ext>", never replacing. */
static vouch_rc publish(int dfd, const char *tmp, const char *ext)
{
  char name[80], hex[17];
  int i, r = -1;

  for(i = 0; i < 4 && r; i++) {
    random_hex(hex, 8);
    snprintf(name, sizeof(name), "%lld-%s%s", (long long)time(NULL), hex, ext);
    r = renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE);
    if(r && errno == EINVAL) /* a file system without NOREPLACE */
      r = renameat(dfd, tmp, dfd, name);
    else if(r && errno != EEXIST)
      break;
  }
  return r ? VOUCH_ERR_SYSTEM : VOUCH_OK;
}

static vouch_rc send_file(const char *dir, const char *ext, const char *text,
                          size_t len, vouch_log_fn log, void *arg)
{
  char tmp[16] = "";
  int dfd = -1, fd = -1;
  vouch_rc rc;

  if(!dir) {
    say(log, arg, "file transport without a dir");
    return VOUCH_ERR_CONFIG;
  }
  rc = open_dir(dir, &dfd, log, arg);
  if(rc)
    return rc;
  fd = open_temp(dfd, tmp);
  rc = fd < 0 ? VOUCH_ERR_SYSTEM : write_all(fd, text, len);
  if(!rc && fsync(fd))
    rc = VOUCH_ERR_SYSTEM;
  if(fd >= 0 && close(fd) && !rc)
    rc = VOUCH_ERR_SYSTEM;
  if(!rc)
    rc = publish(dfd, tmp, ext);
  if(!rc)
    fsync(dfd);
  if(rc) {
    say(log, arg, "%s: cannot write a message file: %s", dir, strerror(errno));
    if(tmp[0])
      unlinkat(dfd, tmp, 0);
    rc = VOUCH_ERR_DELIVERY;
  }
  close(dfd);
  return rc;
}

/* ---------------------------------------------------------------- curl */

/* The helper that stays running shares connections, DNS answers and TLS
 * sessions between its transfers (one thread: no lock callbacks). */
static CURLSH *g_share;

vouch_rc vouch_transport_reuse(void)
{
  CURLSH *sh;

  if(g_share)
    return VOUCH_OK;
  sh = curl_share_init();
  if(!sh)
    return VOUCH_ERR_NOMEM;
  if(curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) ||
     curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
     curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION)) {
    curl_share_cleanup(sh);
    return VOUCH_ERR_SYSTEM;
  }
  g_share = sh;
  return VOUCH_OK;
}

/* What every transfer shares.  The transfer ends a little before the
 * parent's deadline so that the helper can still say why. */
static bool common_opts(CURL *c, const vouch_config *cfg, char *errbuf)
{
  long ms = (long)cfg->delivery_timeout * 1000;
  bool bad = false;

  ms = ms > 1500 ? ms - 500 : ms * 2 / 3;
  bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_SSLVERSION,
                          (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
  bad |=
      curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT) != CURLE_OK;
  if(g_share)
    bad |= curl_easy_setopt(c, CURLOPT_SHARE, g_share) != CURLE_OK;
  return !bad;
}

struct upload {
  const char *p;
  size_t len, pos;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *arg)
{
  struct upload *u = arg;
  size_t want = size * n, left = u->len - u->pos;

  if(want > left)
    want = left;
  memcpy(dst, u->p + u->pos, want);
  u->pos += want;
  return want;
}

/* Opts of an SMTP transfer; the password (when any) in *pw. */
static bool smtp_opts(CURL *c, const vouch_config *cfg,
                      struct curl_slist *rcpt, const char *from,
                      struct upload *up, const char *pw)
{
  bool tls = strncmp(cfg->email_url, "smtps://", 8) &&
             !vouch_url_is_loopback(cfg->email_url);
  bool bad = false;

  bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_URL, cfg->email_url) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_USE_SSL,
                          (long)(tls ? CURLUSESSL_ALL : CURLUSESSL_NONE)) !=
         CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_MAIL_FROM, from) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_READDATA, up) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->len) !=
         CURLE_OK;
  if(pw) {
    bad |=
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->email_username) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_PASSWORD, pw) != CURLE_OK;
  }
  return !bad;
}

static vouch_rc send_smtp(const vouch_config *cfg, const vouch_message *m,
                          vouch_log_fn log, void *arg)
{
  char errbuf[CURL_ERROR_SIZE] = "";
  struct curl_slist *rcpt = NULL;
  struct upload up = {NULL, 0, 0};
  char *msg = NULL, *from = NULL, *to = NULL, *pw = NULL;
  CURL *c = NULL;
  CURLcode res;
  vouch_rc rc = VOUCH_ERR_NOMEM;

  if(cfg->email_username) {
    rc = vouch_read_secret_file(cfg->email_password_file, "the SMTP password",
                                &pw, log, arg);
    if(rc)
      goto out;
    rc = VOUCH_ERR_NOMEM;
  }
  msg = compose_email(cfg, m, true, &up.len);
  from = vouch_asprintf("<%s>", cfg->email_from);
  to = vouch_asprintf("<%s>", m->to);
  c = curl_easy_init();
  if(!msg || !from || !to || !c)
    goto out;
  rcpt = curl_slist_append(NULL, to);
  if(!rcpt)
    goto out;
  up.p = msg;
  if(!common_opts(c, cfg, errbuf) || !smtp_opts(c, cfg, rcpt, from, &up, pw)) {
    say(log, arg, "SMTP: libcurl refused an option (too old?)");
    rc = VOUCH_ERR_SYSTEM;
    goto out;
  }
  res = curl_easy_perform(c);
  rc = VOUCH_OK;
  if(res) {
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if(code)
      say(log, arg, "SMTP delivery failed: %s (last reply %ld)",
          errbuf[0] ? errbuf : curl_easy_strerror(res), code);
    else
      say(log, arg, "SMTP delivery failed: %s",
          errbuf[0] ? errbuf : curl_easy_strerror(res));
    rc = VOUCH_ERR_DELIVERY;
  }
out:
  if(c)
    curl_easy_cleanup(c);
  curl_slist_free_all(rcpt);
  vouch_free_secret(msg);
  free(from);
  free(to);
  vouch_free_secret(pw);
  return rc;
}

struct reply {
  size_t len;
  bool too_large;
};

/* The gateway's reply is counted and dropped (it may echo the text),
 * and refused past REPLY_MAX. */
static size_t reply_cb(char *p, size_t size, size_t n, void *arg)
{
  struct reply *r = arg;

  (void)p;
  if(n && size > (REPLY_MAX + 1) / n)
    n = REPLY_MAX + 1;
  else
    n *= size;
  if(r->len + n > REPLY_MAX) {
    r->too_large = true;
    return 0;
  }
  r->len += n;
  return n;
}

static bool http_opts(CURL *c, const vouch_config *cfg, const char *body,
                      struct curl_slist *hdr, struct reply *rep,
                      const char *secret)
{
  bool bad = false;

  bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_URL, cfg->sms_url) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_MAXREDIRS, 0L) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                          (curl_off_t)strlen(body)) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_cb) != CURLE_OK;
  bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, rep) != CURLE_OK;
  if(cfg->sms_auth == VOUCH_SMS_AUTH_BASIC) {
    bad |= curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) !=
           CURLE_OK;
    bad |=
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->sms_username) != CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_PASSWORD, secret) != CURLE_OK;
  }
  else if(cfg->sms_auth == VOUCH_SMS_AUTH_BEARER) {
    bad |= curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER) !=
           CURLE_OK;
    bad |= curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, secret) != CURLE_OK;
  }
  return !bad;
}

static vouch_rc http_result(CURL *c, CURLcode res, const struct reply *rep,
                            const char *errbuf, vouch_log_fn log, void *arg)
{
  long status = 0;

  if(rep->too_large) {
    say(log, arg, "SMS gateway: reply too large (more than %d bytes)",
        REPLY_MAX);
    return VOUCH_ERR_DELIVERY;
  }
  if(res) {
    say(log, arg, "SMS gateway: %s",
        errbuf[0] ? errbuf : curl_easy_strerror(res));
    return VOUCH_ERR_DELIVERY;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if(status < 200 || status > 299) {
    say(log, arg, "SMS gateway answered HTTP %ld%s", status,
        status >= 300 && status < 400 ? " (redirects are not followed)" : "");
    return VOUCH_ERR_DELIVERY;
  }
  return VOUCH_OK;
}

static vouch_rc send_http(const vouch_config *cfg, const vouch_message *m,
                          vouch_log_fn log, void *arg)
{
  char errbuf[CURL_ERROR_SIZE] = "";
  struct curl_slist *hdr = NULL, *h2 = NULL;
  struct reply rep = {0, false};
  char *body = NULL, *secret = NULL;
  CURL *c = NULL;
  vouch_rc rc;

  if(!cfg->sms_url) {
    say(log, arg, "SMS is not configured ([sms] url is empty)");
    return VOUCH_ERR_UNAVAIL;
  }
  if(cfg->sms_auth != VOUCH_SMS_AUTH_NONE) {
    rc = vouch_read_secret_file(cfg->sms_secret_file, "the SMS gateway secret",
                                &secret, log, arg);
    if(rc)
      return rc;
  }
  rc = vouch_sms_request_body(cfg, m, &body);
  if(rc)
    goto out;
  rc = VOUCH_ERR_NOMEM;
  hdr = curl_slist_append(NULL, cfg->sms_format == VOUCH_SMS_JSON
                                    ? "Content-Type: application/json"
                                    : "Content-Type: application/"
                                      "x-www-form-urlencoded");
  h2 = hdr ? curl_slist_append(hdr, "Expect:") : NULL;
  c = curl_easy_init();
  if(!h2 || !c)
    goto out;
  if(!common_opts(c, cfg, errbuf) ||
     !http_opts(c, cfg, body, hdr, &rep, secret)) {
    say(log, arg, "SMS gateway: libcurl refused an option (too old?)");
    rc = VOUCH_ERR_SYSTEM;
    goto out;
  }
  rc = http_result(c, curl_easy_perform(c), &rep, errbuf, log, arg);
out:
  if(c)
    curl_easy_cleanup(c);
  curl_slist_free_all(hdr);
  vouch_free_secret(body);
  vouch_free_secret(secret);
  return rc;
}

/* ------------------------------------------------------------- public */

static vouch_rc email_file(const vouch_config *cfg, const vouch_message *m,
                           vouch_log_fn log, void *arg)
{
  size_t len = 0;
  char *text = compose_email(cfg, m, false, &len);
  vouch_rc rc;

  if(!text)
    return VOUCH_ERR_NOMEM;
  rc = send_file(cfg->email_dir, ".eml", text, len, log, arg);
  vouch_free_secret(text);
  return rc;
}

static vouch_rc sms_file(const vouch_config *cfg, const vouch_message *m,
                         vouch_log_fn log, void *arg)
{
  size_t blen = strlen(m->body);
  bool nl = blen && m->body[blen - 1] == '\n';
  char *text =
      vouch_asprintf("To: %s\n\n%s%s", m->to, m->body, nl ? "" : "\n");
  vouch_rc rc;

  if(!text)
    return VOUCH_ERR_NOMEM;
  rc = send_file(cfg->sms_dir, ".sms", text, strlen(text), log, arg);
  vouch_free_secret(text);
  return rc;
}

vouch_rc vouch_transport_send(const vouch_config *cfg, const vouch_message *m,
                              vouch_log_fn log, void *logarg)
{
  if(!cfg || !m || !m->to || !m->body)
    return VOUCH_ERR_USAGE;
  if(m->channel == VOUCH_CHANNEL_EMAIL) {
    if(!m->subject)
      return VOUCH_ERR_USAGE;
    if(cfg->email_transport == VOUCH_TRANSPORT_FILE)
      return email_file(cfg, m, log, logarg);
    if(!cfg->email_url) {
      say(log, logarg, "email is not configured ([email] url is empty)");
      return VOUCH_ERR_UNAVAIL;
    }
    return send_smtp(cfg, m, log, logarg);
  }
  if(cfg->sms_transport == VOUCH_TRANSPORT_FILE)
    return sms_file(cfg, m, log, logarg);
  return send_http(cfg, m, log, logarg);
}
