/*
 * config.c - /etc/vouch/vouch.conf (SPEC section 2) and the one setter
 * behind both the file and the PAM module arguments.
 *
 * Format: "[section]" headers, "key = value" lines, whole-line comments
 * starting with '#', empty lines.  A '#' that starts a value or follows a
 * space or tab ends the value ("length = 6   # digits"); a '#' inside a
 * word ("https://h/p#x") is part of it.  Whitespace around names and
 * values is ignored.  Every error names "FILE:LINE" and parsing goes on so
 * that one run reports them all (OpenSSH servconf style); unknown sections
 * and keys are errors, never ignored.
 *
 * Memory: strings belong to the struct.  vouch_config_free() frees the
 * members and the struct itself, so it is only for a struct that came
 * from malloc (vouch_config_load does that); fill a calloc'ed struct when
 * calling vouch_config_defaults() directly.  Optional strings that are not
 * set (email dir, sms url, sms dir) are NULL.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <syslog.h>

#include <sodium.h>

#include "vouch.h"

#ifndef VOUCH_STATEDIR
#define VOUCH_STATEDIR "/var/lib/vouch"
#endif

#ifndef VOUCH_KEY_PATH
#define VOUCH_KEY_PATH "/etc/vouch/secret.key"
#endif

#ifndef VOUCH_LIBEXECDIR
#define VOUCH_LIBEXECDIR "/usr/local/libexec/vouch"
#endif
#ifndef VOUCH_DATADIR
#define VOUCH_DATADIR "/usr/local/share/vouch"
#endif

#ifndef VOUCH_DAEMON_SOCKET
#define VOUCH_DAEMON_SOCKET "/run/vouch/vouchd.sock"
#endif

#define CONF_MAX_FILE (1024 * 1024) /* bytes */
#define CONF_MAX_LINE 4096          /* bytes, without the newline */
#define CONF_MAX_PATH 4095
#define DAY 86400ULL
#define MAX_DURATION (365 * DAY)

enum kind {
  K_NUM,         /* unsigned */
  K_NUM64,       /* unsigned long long */
  K_DUR,         /* unsigned, seconds */
  K_DUR_MS,      /* unsigned, written in seconds, kept in milliseconds */
  K_SIZE,        /* unsigned long long, bytes */
  K_PATH,        /* char *, absolute path, required */
  K_OPT_PATH,    /* char *, absolute path or empty (NULL) */
  K_SMTP_URL,    /* char *, smtp:// or smtps:// or empty (NULL) */
  K_HTTP_URL,    /* char *, http:// or https:// or empty (NULL) */
  K_LINK,        /* char *, http(s):// with {token} */
  K_FROM,        /* char *, email address */
  K_EMAIL_TRANS, /* int, smtp | file */
  K_SMS_TRANS,   /* int, http | file */
  K_SMS_FORMAT,  /* int, form | json */
  K_SMS_AUTH,    /* int, none | basic | bearer */
  K_USER,        /* char *, printable ASCII user name or empty (NULL) */
  K_SMS_BODY,    /* char *, request body template or empty (NULL) */
  K_SOCKET,      /* char *, absolute path of a Unix socket (108 bytes) */
  K_TEXT,        /* char *, printable text without spaces or empty (NULL) */
  K_CONNINFO,    /* char *, printable ASCII with spaces (libpq keywords) */
  K_BACKEND      /* int, sqlite | postgresql */
};

struct key {
  const char *section;
  const char *name;
  enum kind kind;
  size_t off;
  unsigned long long min, max;
};

#define F(m) offsetof(vouch_config, m)
#define HASH_MEM_MIN                                                          \
  (crypto_pwhash_MEMLIMIT_MIN > 8192 ? crypto_pwhash_MEMLIMIT_MIN : 8192)
#define HASH_OPS_MIN                                                          \
  (crypto_pwhash_OPSLIMIT_MIN > 1 ? crypto_pwhash_OPSLIMIT_MIN : 1)

static const struct key keys[] = {
    {"store", "path", K_PATH, F(store_path), 0, 0},
    {"store", "busy_timeout", K_DUR_MS, F(busy_timeout_ms), 1, 600},
    {"secret", "key_file", K_PATH, F(key_file), 0, 0},
    {"password", "min_length", K_NUM, F(pw_min_length), 1, 1024},
    {"password", "max_length", K_NUM, F(pw_max_length), 8, 4096},
    {"password", "history", K_NUM, F(pw_history), 0, 24},
    {"password", "max_failures", K_NUM, F(pw_max_failures), 1, 100000},
    {"password", "hash_ops", K_NUM64, F(hash_ops), HASH_OPS_MIN, 20},
    {"password", "hash_mem", K_SIZE, F(hash_mem), HASH_MEM_MIN,
     4096ULL * 1024 * 1024},
    {"otp", "length", K_NUM, F(otp_length), 6, 10},
    {"otp", "email_ttl", K_DUR, F(otp_email_ttl), 1, MAX_DURATION},
    {"otp", "sms_ttl", K_DUR, F(otp_sms_ttl), 1, MAX_DURATION},
    {"otp", "max_attempts", K_NUM, F(otp_max_attempts), 1, 100},
    {"otp", "resend_interval", K_DUR, F(otp_resend_interval), 1, MAX_DURATION},
    {"otp", "resend_max", K_NUM, F(otp_resend_max), 1, 100},
    {"otp", "max_per_hour", K_NUM, F(otp_max_per_hour), 1, 1000},
    {"lockout", "max_failures", K_NUM, F(lock_max_failures), 1, 1000},
    {"lockout", "window", K_DUR, F(lock_window), 1, MAX_DURATION},
    {"reset", "link_ttl", K_DUR, F(reset_link_ttl), 1, MAX_DURATION},
    {"reset", "sms_ttl", K_DUR, F(reset_sms_ttl), 1, MAX_DURATION},
    {"reset", "max_per_hour", K_NUM, F(reset_max_per_hour), 1, 1000},
    {"reset", "link_url", K_LINK, F(reset_link_url), 0, 0},
    {"device", "code_ttl", K_DUR, F(device_code_ttl), 1, MAX_DURATION},
    {"delivery", "timeout", K_DUR, F(delivery_timeout), 1, 600},
    {"delivery", "helper", K_PATH, F(delivery_helper), 0, 0},
    {"delivery", "helpers", K_NUM, F(delivery_helpers), 0, 64},
    {"templates", "dir", K_PATH, F(templates_dir), 0, 0},
    {"email", "transport", K_EMAIL_TRANS, F(email_transport), 0, 0},
    {"email", "url", K_SMTP_URL, F(email_url), 0, 0},
    {"email", "from", K_FROM, F(email_from), 0, 0},
    {"email", "dir", K_OPT_PATH, F(email_dir), 0, 0},
    {"sms", "transport", K_SMS_TRANS, F(sms_transport), 0, 0},
    {"sms", "url", K_HTTP_URL, F(sms_url), 0, 0},
    {"sms", "dir", K_OPT_PATH, F(sms_dir), 0, 0},
    {"email", "username", K_USER, F(email_username), 0, 0},
    {"email", "password_file", K_OPT_PATH, F(email_password_file), 0, 0},
    {"sms", "format", K_SMS_FORMAT, F(sms_format), 0, 0},
    {"sms", "body", K_SMS_BODY, F(sms_body), 0, 0},
    {"sms", "auth", K_SMS_AUTH, F(sms_auth), 0, 0},
    {"sms", "username", K_USER, F(sms_username), 0, 0},
    {"sms", "secret_file", K_OPT_PATH, F(sms_secret_file), 0, 0},
    {"export", "dir", K_PATH, F(export_dir), 0, 0},
    {"export", "confirm_ttl", K_DUR, F(export_confirm_ttl), 60, MAX_DURATION},
    {"export", "keep", K_DUR, F(export_keep), 60, MAX_DURATION},
    {"store", "backend", K_BACKEND, F(store_backend), 0, 0},
    {"store", "conninfo", K_CONNINFO, F(store_conninfo), 0, 0},
    {"store", "password_file", K_OPT_PATH, F(store_password_file), 0, 0},
    {"store", "grant_to", K_USER, F(store_grant_to), 0, 0},
    {"store", "server_user", K_USER, F(store_server_user), 0, 0},
    {"store", "ca_file", K_PATH, F(store_ca_file), 0, 0},
    {"store", "host_name", K_USER, F(store_host_name), 0, 0},
    {"store", "connect_timeout", K_DUR, F(store_connect_timeout), 1, 60},
    {"store", "statement_timeout", K_DUR_MS, F(store_statement_timeout_ms), 1,
     600},
    {"daemon", "socket", K_SOCKET, F(daemon_socket), 0, 0},
    {"daemon", "timeout", K_DUR, F(daemon_timeout), 2, 300},
    {"daemon", "answer_timeout", K_DUR, F(daemon_answer_timeout), 10, 3600},
    {"daemon", "max_clients", K_NUM, F(daemon_max_clients), 8, 65536},
    {"daemon", "max_per_user", K_NUM, F(daemon_max_per_user), 1, 4096},
    {"daemon", "hash_workers", K_NUM, F(daemon_hash_workers), 1, 256},
    {"daemon", "user", K_USER, F(daemon_user), 0, 0},
    {"web", "listen", K_TEXT, F(web_listen), 0, 0},
    {"web", "base_url", K_HTTP_URL, F(web_base_url), 0, 0},
    {"web", "user", K_USER, F(web_user), 0, 0}};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const sections[] = {
    "store",    "secret",    "password", "otp", "lockout", "reset",  "device",
    "delivery", "templates", "email",    "sms", "export",  "daemon", "web"};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* ------------------------------------------------------------ messages */

#define say(log, arg, ...) vouch_logp(log, arg, LOG_ERR, __VA_ARGS__)

/* A value as it may be shown in a message: printable ASCII only, at most
 * 60 bytes. */
static void shown(const char *v, char *buf, size_t len)
{
  size_t i, n = 0;

  for(i = 0; v[i] && n + 4 < len; i++) {
    if(i == 60) {
      memcpy(buf + n, "...", 3);
      n += 3;
      break;
    }
    buf[n++] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
  }
  buf[n] = '\0';
}

/* "WHERE: [section] key: " followed by the message. */
static void key_error(vouch_log_fn log, void *arg, const char *where,
                      const struct key *k, const char *fmt, ...)
    VOUCH_PRINTF(5, 6);

static void key_error(vouch_log_fn log, void *arg, const char *where,
                      const struct key *k, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  say(log, arg, "%s: [%s] %s: %s", where, k->section, k->name, buf);
}

static void fmt_duration(unsigned long long s, char *buf, size_t len)
{
  if(s && s % DAY == 0)
    snprintf(buf, len, "%llud", s / DAY);
  else if(s && s % 3600 == 0)
    snprintf(buf, len, "%lluh", s / 3600);
  else if(s && s % 60 == 0)
    snprintf(buf, len, "%llum", s / 60);
  else
    snprintf(buf, len, "%llus", s);
}

static void fmt_size(unsigned long long s, char *buf, size_t len)
{
  if(s && s % (1024ULL * 1024 * 1024) == 0)
    snprintf(buf, len, "%lluG", s / (1024ULL * 1024 * 1024));
  else if(s && s % (1024ULL * 1024) == 0)
    snprintf(buf, len, "%lluM", s / (1024ULL * 1024));
  else if(s && s % 1024 == 0)
    snprintf(buf, len, "%lluK", s / 1024);
  else
    snprintf(buf, len, "%llu", s);
}

/* ------------------------------------------------------------- setters */

static int find_section(const char *name)
{
  size_t i;

  for(i = 0; i < NSECTIONS; i++)
    if(!strcmp(name, sections[i]))
      return (int)i;
  return -1;
}

static int find_key(const char *section, const char *name)
{
  size_t i;

  for(i = 0; i < NKEYS; i++)
    if(!strcmp(section, keys[i].section) && !strcmp(name, keys[i].name))
      return (int)i;
  return -1;
}

/* Numbers, durations and sizes: parsed without limits first so that a
 * malformed value and an out-of-range one get different messages. */
static vouch_rc set_number(vouch_config *c, const struct key *k,
                           const char *value, const char *where,
                           vouch_log_fn log, void *arg)
{
  char v[80], lo[32], hi[32];
  const char *what, *hint = "";
  unsigned long long n;
  vouch_rc rc;
  void *field = (char *)c + k->off;

  shown(value, v, sizeof(v));
  if(k->kind == K_DUR || k->kind == K_DUR_MS) {
    rc = vouch_parse_duration(value, ULLONG_MAX, &n);
    what = "a duration";
    hint = "a whole number with an optional suffix s, m, h or d; ";
    fmt_duration(k->min, lo, sizeof(lo));
    fmt_duration(k->max, hi, sizeof(hi));
  }
  else if(k->kind == K_SIZE) {
    rc = vouch_parse_size(value, ULLONG_MAX, &n);
    what = "a size";
    hint = "a whole number with an optional suffix K, M or G; ";
    fmt_size(k->min, lo, sizeof(lo));
    fmt_size(k->max, hi, sizeof(hi));
  }
  else {
    rc = vouch_parse_uint(value, 0, ULLONG_MAX, &n);
    what = "a whole number";
    snprintf(lo, sizeof(lo), "%llu", k->min);
    snprintf(hi, sizeof(hi), "%llu", k->max);
  }
  if(rc) {
    key_error(log, arg, where, k, "\"%s\" is not %s (%sallowed: %s to %s)", v,
              what, hint, lo, hi);
    return VOUCH_ERR_CONFIG;
  }
  if(n < k->min || n > k->max) {
    key_error(log, arg, where, k, "%s is out of range (%s to %s)", v, lo, hi);
    return VOUCH_ERR_CONFIG;
  }
  if(k->kind == K_NUM64 || k->kind == K_SIZE)
    *(unsigned long long *)field = n;
  else if(k->kind == K_DUR_MS)
    *(unsigned *)field = (unsigned)(n * 1000);
  else
    *(unsigned *)field = (unsigned)n;
  return VOUCH_OK;
}

static bool has_control(const char *s)
{
  for(; *s; s++)
    if((unsigned char)*s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* A URL with one of two schemes, a host part and nothing but printable
 * ASCII without spaces. */
static bool url_ok(const char *s, const char *scheme1, const char *scheme2)
{
  size_t n;

  if(!strncmp(s, scheme1, strlen(scheme1)))
    n = strlen(scheme1);
  else if(!strncmp(s, scheme2, strlen(scheme2)))
    n = strlen(scheme2);
  else
    return false;
  if(!s[n] || s[n] == '/' || s[n] == '?' || s[n] == '#')
    return false;
  for(; s[n]; n++)
    if(s[n] <= 0x20 || s[n] >= 0x7f)
      return false;
  return true;
}

/* The sender may be a bare host ("vouch@localhost"), which
 * vouch_valid_email refuses: it is checked as if it had a top-level
 * domain. */
static vouch_rc from_ok(const char *s, bool *ok)
{
  const char *at = strchr(s, '@');
  char *t;

  *ok = vouch_valid_email(s);
  if(*ok || !at || strchr(at, '.'))
    return VOUCH_OK;
  t = vouch_asprintf("%s.invalid", s);
  if(!t)
    return VOUCH_ERR_NOMEM;
  *ok = vouch_valid_email(t);
  free(t);
  return VOUCH_OK;
}

/* [store] conninfo: libpq's "keyword = value" pairs, printable ASCII
 * (libpq itself parses it, at connect). */
static const char *conninfo_problem(const char *s)
{
  size_t i;

  for(i = 0; s[i]; i++)
    if(s[i] < 0x20 || s[i] >= 0x7f)
      return "contains a control character or non-ASCII text";
  if(i > 1024)
    return "is longer than 1024 bytes";
  return NULL;
}

/* [email] username, [sms] username: printable ASCII without spaces (it
 * goes into an SMTP AUTH or an HTTP Basic header). */
static const char *user_problem(const char *s)
{
  size_t i;

  for(i = 0; s[i]; i++)
    if(s[i] <= 0x20 || s[i] >= 0x7f)
      return "contains a space, a control character or non-ASCII text";
  if(i > 255)
    return "is longer than 255 bytes";
  return NULL;
}

/* [sms] body: "{name}" (letters, digits, '_') is a variable and only
 * {to} and {text} exist; any other brace is literal text (JSON). */
static const char *body_problem(const char *s)
{
  size_t i, n;

  if(has_control(s))
    return "contains a control character";
  if(strlen(s) > 4096)
    return "is longer than 4096 bytes";
  for(i = 0; s[i]; i++) {
    if(s[i] != '{')
      continue;
    n = 1;
    while((s[i + n] >= 'a' && s[i + n] <= 'z') ||
          (s[i + n] >= 'A' && s[i + n] <= 'Z') ||
          (s[i + n] >= '0' && s[i + n] <= '9') || s[i + n] == '_')
      n++;
    if(n == 1 || s[i + n] != '}')
      continue;
    if(strncmp(s + i, "{to}", 4) && strncmp(s + i, "{text}", 6))
      return "contains an unknown variable (allowed: {to}, {text})";
  }
  return NULL;
}

/* Why a string value is refused, or NULL when it is acceptable. */
static const char *string_problem(const struct key *k, const char *s,
                                  bool *nomem)
{
  bool ok;

  *nomem = false;
  switch(k->kind) {
  case K_PATH:
  case K_OPT_PATH:
    if(s[0] != '/')
      return "is not an absolute path (it must start with /)";
    if(has_control(s))
      return "contains a control character";
    if(strlen(s) > CONF_MAX_PATH)
      return "is longer than 4095 bytes";
    return NULL;
  case K_SMTP_URL:
    return url_ok(s, "smtp://", "smtps://")
               ? NULL
               : "is not a URL starting with smtp:// or smtps:// followed by "
                 "a "
                 "host, without spaces";
  case K_HTTP_URL:
    return url_ok(s, "https://", "http://")
               ? NULL
               : "is not a URL starting with https:// or http:// followed by "
                 "a "
                 "host, without spaces";
  case K_USER:
  case K_TEXT:
    return user_problem(s);
  case K_CONNINFO:
    return conninfo_problem(s);
  case K_SOCKET:
    if(s[0] != '/')
      return "is not an absolute path (it must start with /)";
    if(has_control(s))
      return "contains a control character";
    if(strlen(s) > 107)
      return "is longer than 107 bytes (the limit of a Unix socket's path)";
    return NULL;
  case K_SMS_BODY:
    return body_problem(s);
  case K_LINK:
    if(!url_ok(s, "https://", "http://"))
      return "is not a URL starting with https:// or http:// followed by "
             "a host, without spaces";
    return strstr(s, "{token}")
               ? NULL
               : "does not contain {token} (where the reset token goes)";
  default:
    if(from_ok(s, &ok)) {
      *nomem = true;
      return NULL;
    }
    return ok ? NULL
              : "is not a valid email address (like "
                "vouch@example.org)";
  }
}

static const char *expected(enum kind kind)
{
  switch(kind) {
  case K_PATH:
  case K_SOCKET:
    return "an absolute path";
  case K_LINK:
    return "an https:// or http:// URL containing {token}";
  default:
    return "an email address";
  }
}

/* Empty optional values unset the string (NULL). */
static vouch_rc set_string(vouch_config *c, const struct key *k,
                           const char *value, const char *where,
                           vouch_log_fn log, void *arg)
{
  char **field = (char **)(void *)((char *)c + k->off);
  char v[80];
  const char *why;
  bool nomem;
  char *copy = NULL;

  if(!value[0] && (k->kind == K_PATH || k->kind == K_LINK ||
                   k->kind == K_FROM || k->kind == K_SOCKET)) {
    key_error(log, arg, where, k, "no value given (expected %s)",
              expected(k->kind));
    return VOUCH_ERR_CONFIG;
  }
  if(value[0]) {
    why = string_problem(k, value, &nomem);
    if(nomem)
      return VOUCH_ERR_NOMEM;
    if(why) {
      shown(value, v, sizeof(v));
      key_error(log, arg, where, k, "\"%s\" %s", v, why);
      return VOUCH_ERR_CONFIG;
    }
    copy = vouch_strdup(value);
    if(!copy)
      return VOUCH_ERR_NOMEM;
  }
  free(*field);
  *field = copy;
  return VOUCH_OK;
}

static vouch_rc set_transport(vouch_config *c, const struct key *k,
                              const char *value, const char *where,
                              vouch_log_fn log, void *arg)
{
  int *field = (int *)(void *)((char *)c + k->off);
  const char *net = k->kind == K_EMAIL_TRANS ? "smtp" : "http";
  char v[80];

  if(!strcmp(value, "file"))
    *field = VOUCH_TRANSPORT_FILE;
  else if(!strcmp(value, net))
    *field =
        k->kind == K_EMAIL_TRANS ? VOUCH_TRANSPORT_SMTP : VOUCH_TRANSPORT_HTTP;
  else {
    shown(value, v, sizeof(v));
    key_error(log, arg, where, k,
              "\"%s\" is not a transport (allowed: "
              "%s, file)",
              v, net);
    return VOUCH_ERR_CONFIG;
  }
  return VOUCH_OK;
}

/* [sms] format and auth: one word of a short list, kept as its index. */
static vouch_rc set_choice(vouch_config *c, const struct key *k,
                           const char *value, const char *where,
                           vouch_log_fn log, void *arg)
{
  static const char *const formats[] = {"form", "json", NULL};
  static const char *const auths[] = {"none", "basic", "bearer", NULL};
  static const char *const backends[] = {"sqlite", "postgresql", NULL};
  const char *const *names = k->kind == K_SMS_FORMAT ? formats
                             : k->kind == K_BACKEND  ? backends
                                                     : auths;
  int *field = (int *)(void *)((char *)c + k->off);
  char v[80];
  int i;

  for(i = 0; names[i]; i++)
    if(!strcmp(value, names[i])) {
      *field = i;
      return VOUCH_OK;
    }
  shown(value, v, sizeof(v));
  key_error(log, arg, where, k, "\"%s\" is not allowed (allowed: %s)", v,
            k->kind == K_SMS_FORMAT ? "form, json"
            : k->kind == K_BACKEND  ? "sqlite, postgresql"
                                    : "none, basic, bearer");
  return VOUCH_ERR_CONFIG;
}

/* "a, b, c" of the sections, or of the keys of one section. */
static void list_names(const char *section, char *buf, size_t len)
{
  size_t i, n = 0;

  buf[0] = '\0';
  for(i = 0; i < (section ? NKEYS : NSECTIONS); i++) {
    const char *name = section ? keys[i].name : sections[i];
    int r;
    if(section && strcmp(keys[i].section, section))
      continue;
    r = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
    if(r < 0 || (size_t)r >= len - n)
      return;
    n += (size_t)r;
  }
}

vouch_rc vouch_config_set(vouch_config *c, const char *section,
                          const char *key, const char *value,
                          const char *where, vouch_log_fn log, void *logarg)
{
  char names[512], shown_name[80];
  const struct key *k;
  int i;

  if(!where)
    where = "configuration";
  if(!c || !section || !key || !value)
    return VOUCH_ERR_USAGE;
  if(find_section(section) < 0) {
    shown(section, shown_name, sizeof(shown_name));
    list_names(NULL, names, sizeof(names));
    say(log, logarg,
        "%s: unknown section [%s] (allowed: "
        "%s)",
        where, shown_name, names);
    return VOUCH_ERR_CONFIG;
  }
  i = find_key(section, key);
  if(i < 0) {
    shown(key, shown_name, sizeof(shown_name));
    list_names(section, names, sizeof(names));
    say(log, logarg, "%s: [%s] unknown key \"%s\" (allowed: %s)", where,
        section, shown_name, names);
    return VOUCH_ERR_CONFIG;
  }
  k = &keys[i];
  switch(k->kind) {
  case K_EMAIL_TRANS:
  case K_SMS_TRANS:
    return set_transport(c, k, value, where, log, logarg);
  case K_PATH:
  case K_OPT_PATH:
  case K_SMTP_URL:
  case K_HTTP_URL:
  case K_LINK:
  case K_FROM:
  case K_USER:
  case K_SMS_BODY:
  case K_SOCKET:
  case K_TEXT:
  case K_CONNINFO:
    return set_string(c, k, value, where, log, logarg);
  case K_SMS_FORMAT:
  case K_SMS_AUTH:
  case K_BACKEND:
    return set_choice(c, k, value, where, log, logarg);
  default:
    return set_number(c, k, value, where, log, logarg);
  }
}

/* ------------------------------------------------------ defaults, free */

/* Every string member, for free and dup. */
static const size_t string_members[] = {F(path),
                                        F(store_path),
                                        F(key_file),
                                        F(reset_link_url),
                                        F(email_url),
                                        F(email_from),
                                        F(email_dir),
                                        F(sms_url),
                                        F(sms_dir),
                                        F(delivery_helper),
                                        F(templates_dir),
                                        F(pass_on),
                                        F(email_username),
                                        F(email_password_file),
                                        F(sms_body),
                                        F(sms_username),
                                        F(sms_secret_file),
                                        F(export_dir),
                                        F(store_conninfo),
                                        F(store_password_file),
                                        F(store_grant_to),
                                        F(store_server_user),
                                        F(store_ca_file),
                                        F(store_host_name),
                                        F(daemon_socket),
                                        F(daemon_user),
                                        F(web_listen),
                                        F(web_base_url),
                                        F(web_user)};

#define NSTRINGS (sizeof(string_members) / sizeof(string_members[0]))

static char **string_at(vouch_config *c, size_t i)
{
  return (char **)(void *)((char *)c + string_members[i]);
}

static void free_members(vouch_config *c)
{
  size_t i;

  for(i = 0; i < NSTRINGS; i++)
    free(*string_at(c, i));
  memset(c, 0, sizeof(*c));
}

vouch_rc vouch_config_dup(const vouch_config *c, vouch_config **out)
{
  vouch_config *d;
  size_t i;

  *out = NULL;
  d = malloc(sizeof(*d));
  if(!d)
    return VOUCH_ERR_NOMEM;
  memcpy(d, c, sizeof(*d));
  for(i = 0; i < NSTRINGS; i++)
    *string_at(d, i) = NULL;
  for(i = 0; i < NSTRINGS; i++) {
    const char *v = *string_at((vouch_config *)(uintptr_t)c, i);
    if(!v)
      continue;
    *string_at(d, i) = vouch_strdup(v);
    if(!*string_at(d, i)) {
      vouch_config_free(d);
      return VOUCH_ERR_NOMEM;
    }
  }
  *out = d;
  return VOUCH_OK;
}

void vouch_config_free(vouch_config *c)
{
  if(!c)
    return;
  free_members(c);
  free(c);
}

vouch_rc vouch_config_defaults(vouch_config *c)
{
  if(!c)
    return VOUCH_ERR_USAGE;
  memset(c, 0, sizeof(*c));
  c->busy_timeout_ms = 5000;
  c->pw_min_length = 8;
  c->pw_max_length = 256;
  c->pw_history = 1;
  c->pw_max_failures = 100;
  c->hash_ops = 2;
  c->hash_mem = 64ULL * 1024 * 1024;
  c->otp_length = 6;
  c->otp_email_ttl = 600;
  c->otp_sms_ttl = 600;
  c->otp_max_attempts = 5;
  c->otp_resend_interval = 30;
  c->otp_resend_max = 5;
  c->otp_max_per_hour = 20;
  c->lock_max_failures = 5;
  c->lock_window = 3600;
  c->reset_link_ttl = 86400;
  c->reset_sms_ttl = 1200;
  c->reset_max_per_hour = 5;
  c->device_code_ttl = 900;
  c->delivery_timeout = 10;
  c->delivery_helpers = 2;
  c->email_transport = VOUCH_TRANSPORT_SMTP;
  c->sms_transport = VOUCH_TRANSPORT_HTTP;
  c->sms_format = VOUCH_SMS_FORM;
  c->sms_auth = VOUCH_SMS_AUTH_NONE;
  c->export_confirm_ttl = 7 * 86400;
  c->export_keep = 30 * 86400;
  c->store_path = vouch_strdup(VOUCH_STATEDIR "/vouch.db");
  c->key_file = vouch_strdup(VOUCH_KEY_PATH);
  c->reset_link_url = vouch_strdup(""); /* [web] base_url's /reset */
  c->email_url = vouch_strdup("smtp://127.0.0.1:25");
  c->email_from = vouch_strdup("vouch@localhost");
  c->delivery_helper = vouch_strdup(VOUCH_LIBEXECDIR "/vouch-deliver");
  c->templates_dir = vouch_strdup(VOUCH_DATADIR "/templates");
  c->export_dir = vouch_strdup(VOUCH_STATEDIR "/exports");
  c->store_backend = VOUCH_BACKEND_SQLITE;
  c->store_ca_file = vouch_strdup("/etc/ssl/certs/ca-certificates.crt");
  c->store_server_user = vouch_strdup("postgres");
  c->store_connect_timeout = 5;
  c->store_statement_timeout_ms = 5000;
  c->daemon_timeout = 10;
  c->daemon_answer_timeout = 300;
  c->daemon_max_clients = 512;
  c->daemon_max_per_user = 16;
  c->daemon_hash_workers = 2;
  c->daemon_socket = vouch_strdup(VOUCH_DAEMON_SOCKET);
  c->web_listen = vouch_strdup("127.0.0.1:8417");
  c->web_base_url = vouch_strdup("https://example.org");
  if(!c->daemon_socket || !c->web_listen || !c->web_base_url ||
     !c->store_path || !c->key_file || !c->reset_link_url || !c->email_url ||
     !c->email_from || !c->delivery_helper || !c->templates_dir ||
     !c->export_dir || !c->store_ca_file || !c->store_server_user) {
    free_members(c);
    return VOUCH_ERR_NOMEM;
  }
  return VOUCH_OK;
}

/* --------------------------------------------------------------- check */

/* [email] SMTP authentication and the [sms] gateway request. */
static vouch_rc check_delivery(const vouch_config *c, const char *where,
                               vouch_log_fn log, void *logarg)
{
  vouch_rc rc = VOUCH_OK;

  if(c->email_username && !c->email_password_file) {
    say(log, logarg,
        "%s: [email] username needs password_file (a file "
        "holding the SMTP password, mode 0600)",
        where);
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->sms_auth != VOUCH_SMS_AUTH_NONE && !c->sms_secret_file) {
    say(log, logarg,
        "%s: [sms] auth = %s needs secret_file (a file holding "
        "the %s, mode 0600)",
        where, c->sms_auth == VOUCH_SMS_AUTH_BASIC ? "basic" : "bearer",
        c->sms_auth == VOUCH_SMS_AUTH_BASIC ? "password" : "token");
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->sms_auth == VOUCH_SMS_AUTH_BASIC && !c->sms_username) {
    say(log, logarg, "%s: [sms] auth = basic needs username", where);
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->sms_auth == VOUCH_SMS_AUTH_BASIC && c->sms_username &&
     strchr(c->sms_username, ':')) {
    say(log, logarg,
        "%s: [sms] username may not contain ':' with auth = "
        "basic",
        where);
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->sms_body && !strstr(c->sms_body, "{text}")) {
    say(log, logarg,
        "%s: [sms] body does not contain {text} (where the "
        "message goes)",
        where);
    rc = VOUCH_ERR_CONFIG;
  }
  return rc;
}

/* The longest line handed to the helper, and how many of them. */
#define PASS_ON_LINE_MAX (CONF_MAX_LINE + 80)
#define PASS_ON_MAX 32

vouch_rc vouch_config_set_arg(vouch_config *c, const char *arg,
                              const char *where, vouch_log_fn log,
                              void *logarg)
{
  const char *dot, *eq;
  char section[32], key[32];
  size_t sl, kl;

  if(!c || !arg || !where)
    return VOUCH_ERR_USAGE;
  dot = strchr(arg, '.');
  eq = strchr(arg, '=');
  sl = dot ? (size_t)(dot - arg) : 0;
  kl = dot && eq && eq > dot ? (size_t)(eq - dot - 1) : 0;
  if(!sl || !kl || sl >= sizeof(section) || kl >= sizeof(key)) {
    say(log, logarg, "%s: not section.key=value", where);
    return VOUCH_ERR_CONFIG;
  }
  memcpy(section, arg, sl);
  section[sl] = '\0';
  memcpy(key, dot + 1, kl);
  key[kl] = '\0';
  return vouch_config_set(c, section, key, eq + 1, where, log, logarg);
}

/* A key of [email] or [sms], the ones the delivery helper reads. */
static bool passed_arg(const char *arg)
{
  return !strncmp(arg, "email.", 6) || !strncmp(arg, "sms.", 4);
}

vouch_rc vouch_config_pass_on(vouch_config *c, const char *arg)
{
  size_t have, n, lines = 0;
  const char *p;
  char *grown;

  if(!c || !arg)
    return VOUCH_ERR_USAGE;
  if(!passed_arg(arg))
    return VOUCH_OK;
  n = strlen(arg) + 1;
  if(strchr(arg, '\n') || n > PASS_ON_LINE_MAX)
    return VOUCH_ERR_INPUT;
  have = c->pass_on ? strlen(c->pass_on) : 0;
  for(p = c->pass_on; p && *p; p++)
    lines += *p == '\n';
  if(lines >= PASS_ON_MAX)
    return VOUCH_ERR_INPUT;
  grown = realloc(c->pass_on, have + n + 1);
  if(!grown)
    return VOUCH_ERR_NOMEM;
  c->pass_on = grown;
  snprintf(grown + have, n + 1, "%s\n", arg);
  return VOUCH_OK;
}

/* One "section.key=value" line (len bytes) as a PAM line sets it. */
static vouch_rc apply_line(vouch_config *c, const char *line, size_t len,
                           vouch_log_fn log, void *logarg)
{
  char buf[PASS_ON_LINE_MAX + 1];

  if(len > PASS_ON_LINE_MAX) {
    say(log, logarg, "PAM argument: longer than %d bytes", PASS_ON_LINE_MAX);
    return VOUCH_ERR_CONFIG;
  }
  memcpy(buf, line, len);
  buf[len] = '\0';
  if(!passed_arg(buf)) {
    say(log, logarg,
        "PAM argument: only keys of [email] and [sms] are handed to the "
        "delivery helper");
    return VOUCH_ERR_CONFIG;
  }
  return vouch_config_set_arg(c, buf, "PAM argument", log, logarg);
}

vouch_rc vouch_config_apply_passed(vouch_config *c, const char *lines,
                                   vouch_log_fn log, void *logarg)
{
  const char *p = lines, *nl;
  unsigned n = 0;
  vouch_rc rc;

  if(!c)
    return VOUCH_ERR_USAGE;
  while(p && *p) {
    nl = strchr(p, '\n');
    if(++n > PASS_ON_MAX) {
      say(log, logarg, "PAM argument: more than %d keys", PASS_ON_MAX);
      return VOUCH_ERR_CONFIG;
    }
    rc = apply_line(c, p, nl ? (size_t)(nl - p) : strlen(p), log, logarg);
    if(rc)
      return rc;
    p = nl ? nl + 1 : p + strlen(p);
  }
  return vouch_config_check(c, log, logarg);
}

vouch_rc vouch_config_check(const vouch_config *c, vouch_log_fn log,
                            void *logarg)
{
  const char *where;
  vouch_rc rc = VOUCH_OK;

  if(!c)
    return VOUCH_ERR_USAGE;
  where = c->path ? c->path : "configuration";
  if(c->pw_max_length < c->pw_min_length) {
    say(log, logarg,
        "%s: [password] max_length (%u) is less than "
        "min_length (%u)",
        where, c->pw_max_length, c->pw_min_length);
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->email_transport == VOUCH_TRANSPORT_FILE && !c->email_dir) {
    say(log, logarg,
        "%s: [email] transport = file needs dir (the "
        "directory each message is written to)",
        where);
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->email_transport == VOUCH_TRANSPORT_SMTP && !c->email_url) {
    say(log, logarg,
        "%s: [email] transport = smtp needs url (smtp:// or "
        "smtps://)",
        where);
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->sms_transport == VOUCH_TRANSPORT_FILE && !c->sms_dir) {
    say(log, logarg,
        "%s: [sms] transport = file needs dir (the "
        "directory each message is written to)",
        where);
    rc = VOUCH_ERR_CONFIG;
  }
  if(check_delivery(c, where, log, logarg))
    rc = VOUCH_ERR_CONFIG;
  if(c->store_backend == VOUCH_BACKEND_POSTGRESQL &&
     (!c->store_conninfo || !*c->store_conninfo)) {
    say(log, logarg,
        "%s: [store] backend = postgresql needs conninfo (libpq keywords: "
        "host, dbname, user)",
        where);
    rc = VOUCH_ERR_CONFIG;
  }
  if(c->store_host_name && strlen(c->store_host_name) > VOUCH_HOST_NAME_MAX) {
    say(log, logarg, "%s: [store] host_name is longer than %d bytes", where,
        VOUCH_HOST_NAME_MAX);
    rc = VOUCH_ERR_CONFIG;
  }
  return rc;
}

/* ---------------------------------------------------------------- load */

struct parser {
  vouch_config *c;
  const char *path;
  vouch_log_fn log;
  void *logarg;
  int section;          /* -1 none yet, -2 an unknown one */
  unsigned seen[NKEYS]; /* line a key was set on, 0 = not yet */
  unsigned errors;
};

static void line_error(struct parser *p, unsigned line, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);

static void line_error(struct parser *p, unsigned line, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  say(p->log, p->logarg, "%s:%u: %s", p->path, line, buf);
  p->errors++;
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

/* Trims s in place, returns the first non-space. */
static char *trim(char *s)
{
  size_t n;

  while(is_space(*s))
    s++;
  n = strlen(s);
  while(n && is_space(s[n - 1]))
    s[--n] = '\0';
  return s;
}

/* Cuts a trailing comment: '#' at the start or after a space or tab. */
static void cut_comment(char *v)
{
  size_t i;

  for(i = 0; v[i]; i++)
    if(v[i] == '#' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t')) {
      v[i] = '\0';
      return;
    }
}

static void parse_section(struct parser *p, char *s, unsigned line)
{
  char *end = strchr(s, ']');
  char *name, *rest, names[512], v[80];

  if(!end) {
    line_error(p, line,
               "section header without ']' (expected "
               "[section])");
    p->section = -2;
    return;
  }
  *end = '\0';
  rest = end + 1;
  cut_comment(rest);
  name = trim(s + 1);
  if(*trim(rest)) {
    line_error(p, line, "unexpected text after ']' (expected [section])");
    p->section = -2;
    return;
  }
  p->section = find_section(name);
  if(p->section < 0) {
    shown(name, v, sizeof(v));
    list_names(NULL, names, sizeof(names));
    line_error(p, line, "unknown section [%s] (allowed: %s)", v, names);
    p->section = -2;
  }
}

static vouch_rc parse_pair(struct parser *p, char *s, unsigned line)
{
  char *eq = strchr(s, '='), *key, *value, *where, v[80];
  vouch_rc rc;
  int k;

  if(!eq) {
    line_error(p, line,
               "expected \"key = value\", \"[section]\" or a "
               "# comment");
    return VOUCH_OK;
  }
  *eq = '\0';
  key = trim(s);
  value = eq + 1;
  cut_comment(value);
  value = trim(value);
  shown(key, v, sizeof(v));
  if(!key[0]) {
    line_error(p, line, "no key name before '='");
    return VOUCH_OK;
  }
  if(p->section == -1) {
    line_error(p, line,
               "key \"%s\" is outside a section (put it under a "
               "[section] header)",
               v);
    return VOUCH_OK;
  }
  if(p->section == -2)
    return VOUCH_OK; /* the unknown section was reported already */
  k = find_key(sections[p->section], key);
  if(k >= 0 && p->seen[k]) {
    line_error(p, line, "[%s] %s is set twice (first on line %u)",
               keys[k].section, keys[k].name, p->seen[k]);
    return VOUCH_OK;
  }
  if(k >= 0)
    p->seen[k] = line;
  where = vouch_asprintf("%s:%u", p->path, line);
  if(!where)
    return VOUCH_ERR_NOMEM;
  rc = vouch_config_set(p->c, sections[p->section], key, value, where, p->log,
                        p->logarg);
  free(where);
  if(rc == VOUCH_ERR_NOMEM)
    return rc;
  if(rc)
    p->errors++;
  return VOUCH_OK;
}

/* One line (NUL-terminated in place, without its newline). */
static vouch_rc parse_line(struct parser *p, char *s, size_t len,
                           unsigned line)
{
  if(memchr(s, '\0', len)) {
    line_error(p, line, "line contains a NUL byte");
    return VOUCH_OK;
  }
  if(len > CONF_MAX_LINE) {
    line_error(p, line, "line is longer than %d bytes", CONF_MAX_LINE);
    return VOUCH_OK;
  }
  if(!vouch_valid_utf8(s, len)) {
    line_error(p, line, "line is not valid UTF-8");
    return VOUCH_OK;
  }
  s[len] = '\0';
  s = trim(s);
  if(!s[0] || s[0] == '#')
    return VOUCH_OK;
  if(s[0] == '[') {
    parse_section(p, s, line);
    return VOUCH_OK;
  }
  return parse_pair(p, s, line);
}

/* Splits buf (len bytes plus a terminating NUL) into lines. */
static vouch_rc parse_text(struct parser *p, char *buf, size_t len)
{
  size_t pos = 0;
  unsigned line = 0;
  vouch_rc rc = VOUCH_OK;

  if(len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
    pos = 3; /* a UTF-8 byte order mark */
  while(pos < len && !rc) {
    char *nl = memchr(buf + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
    line++;
    rc = parse_line(p, buf + pos, n, line);
    pos += n + 1;
  }
  return rc;
}

static vouch_rc read_file(const char *path, char **buf, size_t *len,
                          vouch_log_fn log, void *logarg)
{
  vouch_rc rc;
  int fd;

  rc = vouch_open_secure(path, O_RDONLY, false, &fd, log, logarg);
  if(rc == VOUCH_ERR_SYSTEM)
    rc = VOUCH_ERR_CONFIG; /* missing or unreadable */
  if(rc)
    return rc;
  rc = vouch_read_fd(fd, CONF_MAX_FILE, buf, len);
  close(fd);
  if(rc == VOUCH_ERR_INPUT) {
    say(log, logarg, "%s: file is larger than 1 MiB (%d bytes); refused", path,
        CONF_MAX_FILE);
    return VOUCH_ERR_CONFIG;
  }
  if(rc == VOUCH_ERR_SYSTEM) {
    say(log, logarg, "%s: cannot be read", path);
    return VOUCH_ERR_CONFIG;
  }
  return rc;
}

/* [export] dir left out follows the store: "exports" beside the file
 * of [store] path, so that a store moved elsewhere takes its archives
 * along instead of writing them where the default store would be. */
static vouch_rc export_dir_default(vouch_config *c, const struct parser *p)
{
  int k = find_key("export", "dir");
  const char *slash;
  char *dir;

  if(k < 0 || p->seen[k])
    return VOUCH_OK;
  slash = strrchr(c->store_path, '/');
  if(!slash)
    return VOUCH_OK;
  dir = vouch_asprintf("%.*s/exports", (int)(slash - c->store_path),
                       c->store_path);
  if(!dir)
    return VOUCH_ERR_NOMEM;
  free(c->export_dir);
  c->export_dir = dir;
  return VOUCH_OK;
}

vouch_rc vouch_config_load(const char *path, vouch_config **out,
                           vouch_log_fn log, void *logarg)
{
  struct parser *p = NULL;
  vouch_config *c = NULL;
  char *buf = NULL;
  size_t len = 0;
  vouch_rc rc;

  if(!path || !out)
    return VOUCH_ERR_USAGE;
  *out = NULL;
  c = calloc(1, sizeof(*c));
  p = calloc(1, sizeof(*p));
  if(!c || !p) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  rc = vouch_config_defaults(c);
  if(rc)
    goto out;
  c->path = vouch_strdup(path);
  if(!c->path) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  rc = read_file(path, &buf, &len, log, logarg);
  if(rc)
    goto out;
  p->c = c;
  p->path = path;
  p->log = log;
  p->logarg = logarg;
  p->section = -1;
  rc = parse_text(p, buf, len);
  if(rc)
    goto out;
  rc = export_dir_default(c, p);
  if(!rc)
    rc = vouch_config_check(c, log, logarg);
  if(p->errors)
    rc = VOUCH_ERR_CONFIG;
  if(rc)
    goto out;
  *out = c;
  c = NULL;
out:
  free(buf);
  free(p);
  vouch_config_free(c);
  return rc;
}
