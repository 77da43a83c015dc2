/*
 * vouch.h - the public interface of libvouch, the core every PAM module and
 * every tool links.  Modules and tools only parse arguments and print; the
 * behaviour they share lives behind these declarations, once.
 *
 * Conventions: every function that can fail returns a vouch_rc; outputs come
 * last; strings handed out are malloc'ed and owned by the caller unless said
 * otherwise; secrets are wiped (vouch_wipe) before they are freed.
 */
#ifndef VOUCH_H
#define VOUCH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libvouch is built with -fvisibility=hidden: what this header declares is
 * its interface, exported by the shared core (libvouch.so.0, version node
 * VOUCH_0 in core/libvouch.map); everything else stays inside it. */
#pragma GCC visibility push(default)

#define VOUCH_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* The release (the Makefile passes the one of debian/changelog). */
#ifndef VOUCH_VERSION
#define VOUCH_VERSION "0.1.0"
#endif

/* ---------------------------------------------------------------- errors */

typedef enum {
  VOUCH_OK = 0,
  VOUCH_ERR_NOMEM = 1,      /* out of memory */
  VOUCH_ERR_SYSTEM = 2,     /* an operating-system call failed */
  VOUCH_ERR_CONFIG = 3,     /* configuration missing or invalid */
  VOUCH_ERR_INSECURE = 4,   /* file owner, mode, type or symlink refused */
  VOUCH_ERR_STORE = 5,      /* store unusable: corrupt, read-only, SQL */
  VOUCH_ERR_BUSY = 6,       /* store locked past the busy timeout */
  VOUCH_ERR_KEY = 7,        /* key file missing or malformed */
  VOUCH_ERR_CRYPTO = 8,     /* libsodium failed */
  VOUCH_ERR_USAGE = 9,      /* wrong arguments or options */
  VOUCH_ERR_INPUT = 10,     /* a value is malformed */
  VOUCH_ERR_NO_USER = 11,   /* unknown user */
  VOUCH_ERR_NOT_FOUND = 12, /* unknown object other than a user */
  VOUCH_ERR_EXISTS = 13,    /* object already exists */
  VOUCH_ERR_AUTH = 14,      /* verification failed */
  VOUCH_ERR_LOCKED = 15,    /* locked out: a password reset is needed */
  VOUCH_ERR_RESET_REQUIRED = 16, /* a new password must be chosen */
  VOUCH_ERR_EXPIRED = 17,        /* membership has ended */
  VOUCH_ERR_PW_SHORT = 18,       /* new password shorter than min_length */
  VOUCH_ERR_PW_LONG = 19,        /* new password longer than max_length */
  VOUCH_ERR_PW_REUSED = 20,      /* new password equals a recent one */
  VOUCH_ERR_PW_MISMATCH = 21,    /* the two new passwords differ */
  VOUCH_ERR_CONV = 22,           /* PAM conversation or terminal failed */
  VOUCH_ERR_UNAVAIL = 23,        /* method unavailable: try another way */
  VOUCH_ERR_DELIVERY = 24,       /* message could not be handed over */
  VOUCH_ERR_RATE = 25,           /* rate limit reached */
  VOUCH_ERR_ABORT = 26,          /* the person cancelled */
  VOUCH_ERR_DENIED = 27,         /* request refused by policy */
  VOUCH_ERR_STALE = 28,          /* code or token expired or already used */
  VOUCH_ERR_OFFLINE = 29         /* the shared store cannot be reached */
} vouch_rc;

#define VOUCH_RC_COUNT 30

/* Tool exit codes (SPEC section 5). */
enum {
  VOUCH_EXIT_OK = 0,
  VOUCH_EXIT_DENIED = 1,
  VOUCH_EXIT_USAGE = 2,
  VOUCH_EXIT_UNKNOWN = 3,
  VOUCH_EXIT_SYSTEM = 4
};

/* Short English description of rc; never NULL. */
const char *vouch_strerror(vouch_rc rc);
/* The one mapping to tool exit codes. */
int vouch_rc_to_exit(vouch_rc rc);
/* The one mapping to PAM return codes (PAM_* from security/_pam_types.h). */
int vouch_rc_to_pam(vouch_rc rc);

/* -------------------------------------------------------------- messages */

/* Where diagnostics go: tools print to stderr, modules to syslog.
 * priority is a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO,
 * LOG_DEBUG).  Messages never contain secrets. */
typedef void (*vouch_log_fn)(void *arg, int priority, const char *msg);
/* The one formatter of messages to a vouch_log_fn (none when log is
 * NULL); at most 1535 bytes of a message. */
void vouch_logp(vouch_log_fn log, void *arg, int priority, const char *fmt,
                ...) VOUCH_PRINTF(4, 5);

/* ------------------------------------------------------------ utilities */

/* Range-checked unsigned decimal parser: whole string, no sign, no
 * leading/trailing space.  VOUCH_ERR_INPUT when malformed or out of range. */
vouch_rc vouch_parse_uint(const char *s, unsigned long long min,
                          unsigned long long max, unsigned long long *out);
/* Duration: integer with optional suffix s, m, h or d (bare = seconds). */
vouch_rc vouch_parse_duration(const char *s, unsigned long long max_seconds,
                              unsigned long long *out_seconds);
/* Size: integer with optional suffix K, M or G (powers of 1024). */
vouch_rc vouch_parse_size(const char *s, unsigned long long max,
                          unsigned long long *out);
/* Calendar date YYYY-MM-DD, a real day between 1970 and 9999.
 * out is 00:00:00 UTC of that day. */
vouch_rc vouch_parse_date(const char *s, time_t *out);
/* Formats t (UTC) as YYYY-MM-DD into buf (at least 11 bytes). */
void vouch_format_date(time_t t, char *buf, size_t len);
/* Formats t (UTC) as YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes). */
void vouch_format_time(time_t t, char *buf, size_t len);

/* Input validation; each returns true when the value is acceptable. */
bool vouch_valid_utf8(const char *s, size_t len);
size_t vouch_utf8_chars(const char *s, size_t len); /* code points */
/* [A-Za-z0-9_][A-Za-z0-9._-]{0,31} */
bool vouch_valid_username(const char *s);
bool vouch_valid_email(const char *s); /* local@domain.tld, <= 254 bytes */
bool vouch_valid_phone(const char *s); /* E.164: + then 8 to 15 digits */
bool vouch_valid_lang(const char *s);  /* en da nl sv ms */
/* UTF-8, 1-128 chars, no controls */
bool vouch_valid_fullname(const char *s);
bool vouch_valid_plan(const char *s); /* printable ASCII, 1-64 bytes */

/* Safe file access.  Opens path without following a symlink (in the last
 * component), refuses anything but a regular file, a file not owned by
 * root, the effective user or vouchd's user (vouch_state_owner), a file
 * writable by group or others, and
 * (when private is true) a file readable by group or others.  Returns the
 * open descriptor (O_CLOEXEC) in *fd.  Messages go to log. */
/* The uid of [daemon] user: files it owns pass the owner check too (root
 * running vouchctl init on vouchd's files). */
void vouch_state_owner(uid_t uid);
/* The checks of vouch_open_secure without opening the file: for the
 * store, whose file must never be opened and closed beside SQLite's own
 * descriptors in a process that holds several connections (vouchd):
 * closing any descriptor of a file drops every POSIX lock the process
 * holds on it, and other connections' transactions with them. */
vouch_rc vouch_check_secure(const char *path, bool private_file,
                            vouch_log_fn log, void *logarg);
vouch_rc vouch_open_secure(const char *path, int flags, bool private_file,
                           int *fd, vouch_log_fn log, void *logarg);
/* Reads a whole file opened by vouch_open_secure into a NUL-terminated
 * malloc'ed buffer; refuses files larger than max bytes. */
vouch_rc vouch_read_fd(int fd, size_t max, char **out, size_t *len);
/* A password or token: the first line (without CR) of path, a private
 * file (vouch_open_secure) of at most VOUCH_SECRET_FILE_MAX bytes;
 * malloc'ed into *out (vouch_free_secret).  what names it in messages.
 * VOUCH_ERR_CONFIG when refused, empty or unreadable. */
/* Removes every PG* variable from the environment of the process, so
 * that libpq takes nothing from it (call once at start, before threads;
 * core/pg.c connects only without them). */
void vouch_pg_clear_env(void);
#define VOUCH_SECRET_FILE_MAX 4096
vouch_rc vouch_read_secret_file(const char *path, const char *what, char **out,
                                vouch_log_fn log, void *arg);

/* Joins printf-style text into a new malloc'ed string (NULL on ENOMEM). */
char *vouch_asprintf(const char *fmt, ...) VOUCH_PRINTF(1, 2);
/* Skips leading and cuts trailing spaces and tabs of s in place; returns
 * the first kept character. */
char *vouch_trim(char *s);
/* strdup that tolerates NULL. */
char *vouch_strdup(const char *s);
/* Wipes then frees a NUL-terminated secret (NULL is fine). */
void vouch_free_secret(char *s);

/* ---------------------------------------------------------- configuration */

#define VOUCH_TRANSPORT_SMTP 0
#define VOUCH_TRANSPORT_HTTP 1
#define VOUCH_TRANSPORT_FILE 2

typedef struct vouch_config {
  char *path; /* file it was read from */
  /* [store] */
  char *store_path;         /* path = /var/lib/vouch/vouch.db */
  unsigned busy_timeout_ms; /* busy_timeout = 5s */
  /* [secret] */
  char *key_file; /* key_file = /etc/vouch/secret.key */
  /* [password] */
  unsigned pw_min_length;      /* min_length = 8 (characters) */
  unsigned pw_max_length;      /* max_length = 256 (bytes) */
  unsigned pw_history;         /* history = 1 */
  unsigned pw_max_failures;    /* max_failures = 100 */
  unsigned long long hash_ops; /* hash_ops = 2 (argon2id opslimit) */
  unsigned long long hash_mem; /* hash_mem = 64M (argon2id memlimit) */
  /* [otp] */
  unsigned otp_length;          /* length = 6 */
  unsigned otp_email_ttl;       /* email_ttl = 10m, seconds */
  unsigned otp_sms_ttl;         /* sms_ttl = 10m */
  unsigned otp_max_attempts;    /* max_attempts = 5 */
  unsigned otp_resend_interval; /* resend_interval = 30s */
  unsigned otp_resend_max;      /* resend_max = 5 per hour ("r" only) */
  unsigned otp_max_per_hour;    /* max_per_hour = 20 codes of a member */
  /* [lockout] */
  unsigned lock_max_failures; /* max_failures = 5 */
  unsigned lock_window;       /* window = 1h */
  /* [reset] */
  unsigned reset_link_ttl;     /* link_ttl = 24h */
  unsigned reset_sms_ttl;      /* sms_ttl = 20m */
  unsigned reset_max_per_hour; /* max_per_hour = 5 forgot requests */
  char *reset_link_url;        /* link_url, contains {token}; "": base_url's */
  /* [device] */
  unsigned device_code_ttl; /* code_ttl = 15m */
  /* [delivery] */
  unsigned delivery_timeout; /* timeout = 10s */
  char *delivery_helper;     /* helper = LIBEXECDIR/vouch-deliver */
  unsigned delivery_helpers; /* helpers = 2 kept running by vouchd */
  /* [templates] */
  char *templates_dir; /* dir = DATADIR/templates */
  /* [email] and [sms] keys set after the file was read (a PAM line's
   * SECTION.KEY=VALUE), "section.key=value" lines: handed to the delivery
   * helper with each message, since it reads the file again; NULL: none */
  char *pass_on;
  /* [email] */
  int email_transport; /* transport = smtp */
  char *email_url;     /* url = smtp://127.0.0.1:25 */
  char *email_from;    /* from = vouch@localhost */
  char *email_dir;     /* dir = (file transport) */
  /* [sms] */
  int sms_transport; /* transport = http */
  char *sms_url;     /* url = (http transport) */
  char *sms_dir;     /* dir = (file transport) */
  /* --- added for core/transport.c (deliver): SMTP authentication and
   * the SMS gateway request.  Optional strings not set are NULL. */
  char *email_username;      /* [email] username = (no SMTP AUTH) */
  char *email_password_file; /* [email] password_file (private file) */
  int sms_format;            /* [sms] format = form (VOUCH_SMS_FORM) */
  char *sms_body;            /* [sms] body = (NULL: the format's default) */
  int sms_auth;              /* [sms] auth = none (VOUCH_SMS_AUTH_NONE) */
  char *sms_username;        /* [sms] username (basic auth) */
  char *sms_secret_file;     /* [sms] secret_file (password or token) */
  /* --- added for core/export.c (account): [export] */
  char *export_dir;            /* dir = STATEDIR/exports (0700) */
  unsigned export_confirm_ttl; /* confirm_ttl = 7d, seconds */
  unsigned export_keep;        /* keep = 30d: a ready archive's life */
  /* [store] backend and conninfo (PostgreSQL, for fleets: core/pg.c) */
  int store_backend;         /* backend = sqlite (VOUCH_BACKEND_SQLITE) */
  char *store_conninfo;      /* conninfo = (libpq keywords) */
  char *store_password_file; /* password_file = (none) */
  char *store_grant_to;      /* grant_to = (vouchctl init grants no role) */
  char *store_server_user;   /* server_user = postgres (socket peer) */
  char *store_ca_file;       /* ca_file = /etc/ssl/certs/ca-certificates.crt */
  char *store_host_name;     /* host_name = (the system's host name) */
  unsigned store_connect_timeout;      /* connect_timeout = 5s */
  unsigned store_statement_timeout_ms; /* statement_timeout = 5s */
  /* [daemon]: vouchd and how its clients reach it */
  char *daemon_socket;            /* socket = /run/vouch/vouchd.sock */
  unsigned daemon_timeout;        /* timeout = 10s: clients give up */
  unsigned daemon_answer_timeout; /* answer_timeout = 5m: a person's turn */
  unsigned daemon_max_clients;    /* max_clients = 512 connections */
  unsigned daemon_max_per_user;   /* max_per_user = 16 (non-root uids) */
  unsigned daemon_hash_workers;   /* hash_workers = 2 argon2id at once */
  char *daemon_user;              /* user = (root): the user vouchd runs as */
  /* [web]: vouch-web */
  char *web_listen;   /* listen = 127.0.0.1:8417 */
  char *web_base_url; /* base_url = https://example.org */
  char *web_user;     /* user = (the uid vouch-web runs as) */
} vouch_config;

#define VOUCH_BACKEND_SQLITE 0
#define VOUCH_BACKEND_POSTGRESQL 1

/* --- added for core/transport.c (deliver): values of [sms] format and
 * [sms] auth. */
#define VOUCH_SMS_FORM 0
#define VOUCH_SMS_JSON 1
#define VOUCH_SMS_AUTH_NONE 0
#define VOUCH_SMS_AUTH_BASIC 1
#define VOUCH_SMS_AUTH_BEARER 2

/* Fills c with the defaults (strings allocated). */
vouch_rc vouch_config_defaults(vouch_config *c);
/* Reads path (opened with vouch_open_secure, not private) over the
 * defaults.  Every error is reported to log as "FILE:LINE: message", all of
 * them in one run; then VOUCH_ERR_CONFIG.  On success *out is owned by the
 * caller (vouch_config_free). */
vouch_rc vouch_config_load(const char *path, vouch_config **out,
                           vouch_log_fn log, void *logarg);
/* The one setter behind the file and the PAM line: sets [section] key to
 * value.  where ("FILE:LINE" or "PAM argument") prefixes each message. */
vouch_rc vouch_config_set(vouch_config *c, const char *section,
                          const char *key, const char *value,
                          const char *where, vouch_log_fn log, void *logarg);
/* vouch_config_set for "section.key=value" (a PAM line's argument);
 * where prefixes each message, also "not section.key=value". */
vouch_rc vouch_config_set_arg(vouch_config *c, const char *arg,
                              const char *where, vouch_log_fn log,
                              void *logarg);
/* Records "section.key=value", set after the file was read, for the
 * delivery helper (pass_on) when section is "email" or "sms"; others are
 * not its business and are left out. */
vouch_rc vouch_config_pass_on(vouch_config *c, const char *arg);
/* Applies "section.key=value" lines (pass_on, as the helper receives
 * them) with vouch_config_set_arg, where "PAM argument"; only [email] and
 * [sms] keys (VOUCH_ERR_CONFIG for others), then vouch_config_check. */
vouch_rc vouch_config_apply_passed(vouch_config *c, const char *lines,
                                   vouch_log_fn log, void *logarg);
/* Checks relations between keys (e.g. transport file needs dir). */
vouch_rc vouch_config_check(const vouch_config *c, vouch_log_fn log,
                            void *logarg);
void vouch_config_free(vouch_config *c);
/* A deep copy of c (vouchd: one a request, for a PAM line's settings). */
vouch_rc vouch_config_dup(const vouch_config *c, vouch_config **out);

/* ---------------------------------------------------------------- crypto */

#define VOUCH_KEY_BYTES 32
#define VOUCH_MAC_BYTES 32
#define VOUCH_HASH_MAX 128   /* >= crypto_pwhash_STRBYTES */
#define VOUCH_TOKEN_CHARS 43 /* 32 random bytes, URL-safe base64 */

/* sodium_init; safe to call more than once. */
vouch_rc vouch_crypto_init(void);
/* argon2id string hash of pw into out (VOUCH_HASH_MAX bytes). */
vouch_rc vouch_pw_hash(const char *pw, size_t len, unsigned long long ops,
                       unsigned long long mem, char out[VOUCH_HASH_MAX]);
/* VOUCH_OK when pw matches hash, VOUCH_ERR_AUTH otherwise. */
/* At most n argon2id runs at once in this process (0: no bound). */
void vouch_hash_limit(unsigned n);
vouch_rc vouch_pw_verify(const char *hash, const char *pw, size_t len);
/* True when hash was made with other parameters than ops/mem. */
bool vouch_pw_needs_rehash(const char *hash, unsigned long long ops,
                           unsigned long long mem);
/* Creates a key file of VOUCH_KEY_BYTES random bytes, mode 0600, failing
 * with VOUCH_ERR_EXISTS when it exists. */
vouch_rc vouch_key_create(const char *path, vouch_log_fn log, void *logarg);
/* Loads the key file (vouch_open_secure, private) into key. */
vouch_rc vouch_key_load(const char *path, unsigned char key[VOUCH_KEY_BYTES],
                        vouch_log_fn log, void *logarg);
/* HMAC-SHA-256 over the parts, each length-prefixed, so that
 * ("ab","c") and ("a","bc") differ.  parts end with a NULL pointer. */
void vouch_mac(const unsigned char key[VOUCH_KEY_BYTES],
               unsigned char out[VOUCH_MAC_BYTES], ...);
/* Constant-time equality. */
bool vouch_ct_equal(const void *a, const void *b, size_t len);
/* Uniform random decimal code of digits digits (out: digits + 1 bytes). */
vouch_rc vouch_random_code(unsigned digits, char *out, size_t outlen);
/* Random URL-safe base64 token of 256 bits (out: VOUCH_TOKEN_CHARS + 1). */
vouch_rc vouch_random_token(char *out, size_t outlen);
/* sodium_memzero. */
void vouch_wipe(void *p, size_t len);

/* ------------------------------------------------ users and audit rows */

/* The store (the SQL behind every record) is internal to the core and
 * vouchd: its functions are declared in core/store.h, which modules,
 * tools and the client never include.  vouch_ctx holds one, opaque. */
typedef struct vouch_store vouch_store;

typedef enum {
  VOUCH_STATE_ACTIVE = 0,
  VOUCH_STATE_LOCKED = 1, /* lockout: only a reset or unlock clears it */
  VOUCH_STATE_RESET = 2   /* must choose a new password at sign-in */
} vouch_state;

/* "active", "locked", "reset-required" */
const char *vouch_state_name(vouch_state s);

typedef struct vouch_user {
  int64_t id;
  char *name;
  char *full_name; /* NULL when not set */
  char *email;     /* NULL when not set */
  char *phone;     /* NULL when not set, E.164 */
  bool phone_verified;
  char lang[3];  /* "en" by default */
  char *pw_hash; /* NULL when no password is set */
  vouch_state state;
  unsigned pw_failures; /* consecutive failed passwords */
  time_t created;
  time_t pw_changed;  /* 0 when never */
  char *plan;         /* NULL when no membership */
  time_t period_end;  /* 0 when none; 00:00 UTC of the end day */
  bool has_card;      /* a card number is on file */
  char card_last4[5]; /* its last 4 digits, "" when none */
} vouch_user;

/* Frees the members (wiping the hash) and zeroes u. */
void vouch_user_clear(vouch_user *u);

/* Audit trail. */
typedef struct vouch_audit_row {
  int64_t id;
  time_t ts;
  const char *user; /* "" when none */
  const char *event;
  const char *service; /* "" when none */
  const char *detail;  /* "" when none */
} vouch_audit_row;

/* --------------------------------------------------------------- context */

/* What modules and tools hold: configuration, key and store, opened
 * lazily, with the service name and the log sink. */
typedef struct vouch_ctx {
  vouch_config *cfg;
  vouch_store *store; /* NULL until used (vouch_ctx_store) */
  unsigned char *key; /* sodium_malloc'ed, NULL until loaded */
  char *service;      /* PAM service or tool name */
  vouch_log_fn log;
  void *logarg;
  bool debug;
  bool key_borrowed; /* key belongs to the caller (vouchd): not freed */
} vouch_ctx;

/* Loads the configuration at conf_path (NULL: VOUCH_CONF_PATH). */
vouch_rc vouch_ctx_new(const char *conf_path, const char *service,
                       vouch_log_fn log, void *logarg, vouch_ctx **out);
/* A context over cfg (taken, freed with the context) and, when key is not
 * NULL, a key the caller keeps (vouchd loads it once for every request). */
vouch_rc vouch_ctx_with(vouch_config *cfg, const char *service,
                        unsigned char *key, vouch_log_fn log, void *logarg,
                        vouch_ctx **out);
/* Loads the key on first use. */
vouch_rc vouch_ctx_key(vouch_ctx *ctx, const unsigned char **out);
/* Closes everything, wiping the key. */
void vouch_ctx_free(vouch_ctx *ctx);
/* printf-style message to the sink. */
void vouch_log(const vouch_ctx *ctx, int priority, const char *fmt, ...)
    VOUCH_PRINTF(3, 4);

/* ----------------------------------------------------------------- audit */

/* Records a security event in the store and in syslog (authpriv).  user
 * may be NULL; detail is free text without secrets, may be NULL.  Failing
 * to record is reported to the sink and returned. */
vouch_rc vouch_audit(vouch_ctx *ctx, const char *user, const char *event,
                     const char *detail);

/* --------------------------------------------------------------- password */

/* Checks the password of user.  Unknown users, malformed names and empty
 * or over-long passwords cost the same argon2id work as a known user and
 * fail.  A failure is counted exactly; at [password] max_failures the
 * account is locked.  A locked account fails with VOUCH_ERR_LOCKED even
 * with the right password.  On success the counter is cleared and the
 * hash is renewed when its parameters differ from the configuration.
 * Returns VOUCH_OK, VOUCH_ERR_AUTH, VOUCH_ERR_NO_USER, VOUCH_ERR_LOCKED or
 * a system error.  Audited. */
vouch_rc vouch_password_check(vouch_ctx *ctx, const char *user,
                              const char *pw);
/* Checks a candidate new password against length, UTF-8 and the last
 * [password] history passwords.  VOUCH_OK or VOUCH_ERR_PW_SHORT,
 * VOUCH_ERR_PW_LONG, VOUCH_ERR_INPUT, VOUCH_ERR_PW_REUSED, NO_USER. */
vouch_rc vouch_password_acceptable(vouch_ctx *ctx, const char *user,
                                   const char *pw);
/* The part of it that needs no account: length (bytes at most
 * max_length, characters at least min_length) and UTF-8. */
vouch_rc vouch_password_shape(const vouch_ctx *ctx, const char *pw);
/* vouch_password_acceptable, then sets it, clears reset-required and
 * (when unlock is true) a lockout and the failure count.  Audited. */
vouch_rc vouch_password_set(vouch_ctx *ctx, const char *user, const char *pw,
                            bool unlock);
/* Account phase: VOUCH_OK, VOUCH_ERR_NO_USER, VOUCH_ERR_LOCKED,
 * VOUCH_ERR_RESET_REQUIRED, VOUCH_ERR_EXPIRED (period ended: access
 * lasts through the period end day, until 00:00 UTC of the next day; the
 * end day is stored in *period_end when not NULL). */
vouch_rc vouch_account_check(vouch_ctx *ctx, const char *user,
                             time_t *period_end);
/* VOUCH_OK when user exists, VOUCH_ERR_NO_USER when not. */
vouch_rc vouch_account_exists(vouch_ctx *ctx, const char *user);
/* Clears a lockout or reset-required state and the failure count. */
vouch_rc vouch_account_unlock(vouch_ctx *ctx, const char *user);

/* ======================================================================
 * Security check (issue 3): delivery, templates, codes, tokens, cards,
 * lockout.  Each part names the file that implements it.
 * ==================================================================== */

/* ------------------------------------------- delivery (core/delivery.c) */

typedef enum { VOUCH_CHANNEL_EMAIL = 0, VOUCH_CHANNEL_SMS = 1 } vouch_channel;

const char *vouch_channel_name(vouch_channel ch); /* "email", "sms" */

/* One message to one person. */
typedef struct vouch_message {
  vouch_channel channel;
  char *to;      /* email address or E.164 number */
  char *subject; /* email only; NULL for SMS */
  char *body;    /* UTF-8 text; may hold a code: wiped */
  char *sets;    /* the configuration's pass_on lines, or NULL */
} vouch_message;

/* Frees the members, wiping the body. */
void vouch_message_clear(vouch_message *m);
/* The wire format between the core and the delivery helper, on the
 * helper's stdin: "channel: email|sms", "to: ...", "subject: ..." lines,
 * a "set: section.key=value" line for each line of sets, a blank line,
 * then the body.  Header values may not hold CR or LF. */
vouch_rc vouch_message_format(const vouch_message *m, char **out, size_t *len);
vouch_rc vouch_message_parse(const char *text, size_t len, vouch_message *m,
                             char *err, size_t errlen);
/* Hands m to the delivery helper ([delivery] helper) run with an empty
 * environment, the configuration path as its argument and the message on
 * stdin, killed after [delivery] timeout.  VOUCH_ERR_DELIVERY (logged, no
 * secret) unless the helper exits 0. */
vouch_rc vouch_deliver(vouch_ctx *ctx, const vouch_message *m);
/* vouchd only: from now on vouch_deliver hands messages to helpers that
 * stay running ("vouch-deliver --serve", at most [delivery] helpers of
 * ctx's configuration), started as needed and restarted when one dies;
 * one is started now.  Helpers started under an earlier call are
 * retired.  With helpers = 0 (or ctx NULL: at exit) every message gets
 * a helper of its own again. */
void vouch_delivery_keep(vouch_ctx *ctx);

/* ------------------------------ transports (core/transport.c, libcurl) */

/* Used only by the delivery helper program, never inside a PAM host
 * process: smtp/smtps, http (SMS gateway) and file transports. */
vouch_rc vouch_transport_send(const vouch_config *cfg, const vouch_message *m,
                              vouch_log_fn log, void *logarg);
/* A helper that stays running: transfers from now on share connections
 * (SMTP and gateway connections stay open for the next message), DNS and
 * TLS sessions.  Call once, single-threaded, after curl_global_init. */
vouch_rc vouch_transport_reuse(void);

/* --- added for core/transport.c (deliver): the pieces of a message,
 * public for the unit tests (they pull libcurl in: link with -lcurl). */
/* True when the host of url is a loopback address (127.0.0.0/8, ::1,
 * localhost), where smtp:// may go without STARTTLS. */
bool vouch_url_is_loopback(const char *url);
/* Quoted-printable (RFC 2045) of UTF-8 text: CRLF line ends, soft line
 * breaks so that no line exceeds 76 characters.  NULL on ENOMEM. */
char *vouch_qp_encode(const char *s, size_t len);
/* A header value as is when it is short ASCII, else as RFC 2047 encoded
 * words (=?UTF-8?B?...?=) folded with CRLF SP.  NULL on ENOMEM. */
char *vouch_header_encode(const char *s);
/* The SMS gateway request body from [sms] body and format: {to} and
 * {text} URL-encoded (form) or JSON-escaped (json).  Wipe *out. */
vouch_rc vouch_sms_request_body(const vouch_config *cfg,
                                const vouch_message *m, char **out);

/* ------------------------------------------ templates (core/template.c) */

/* Renders message template name (e.g. "code-email") in lang, falling back
 * to English, from [templates] dir/LANG/NAME.txt; an email template's first
 * line is "Subject: ...".  {var} is replaced by the value of the matching
 * name in the NULL-terminated name, value pairs; an unknown {var} is an
 * error.  m->to and m->channel are left to the caller. */
vouch_rc vouch_render(vouch_ctx *ctx, const char *name, const char *lang,
                      vouch_message *m, ...);
/* vouch_render with the variables as an array of name, value pairs ending
 * with a NULL name. */
vouch_rc vouch_render_vars(vouch_ctx *ctx, const char *name, const char *lang,
                           vouch_message *m, const char *const *pairs);
/* Sends the email template tpl (e.g. "password-changed-email") to the
 * address on file of user, in the user's language; {name} is the user's
 * full name; pairs (NULL-terminated name, value pairs, may be NULL) give
 * the other variables.  VOUCH_ERR_UNAVAIL when no address is on file;
 * VOUCH_ERR_DELIVERY when it could not be handed over.  Audited as
 * "notify.sent" or "notify.failed" with the template name. */
vouch_rc vouch_notify(vouch_ctx *ctx, const char *user, const char *tpl,
                      const char *const *pairs);
/* "a•••@example.org" and "+45 •••• "
 * "••12": a destination shown without giving it away. */
void vouch_mask_email(const char *email, char *out, size_t len);
void vouch_mask_phone(const char *phone, char *out, size_t len);

/* ------------------------------------------------ codes (core/challenge.c) */

/* Sends a new length-digit code for (user, purpose, channel), e.g. purpose
 * "check" (security check), "phone-verify", "reset".  Only its keyed hash
 * is stored, bound to user, purpose and channel, valid ttl seconds (0: the
 * channel's [otp] ttl); earlier live codes of the same kind die.  dest NULL
 * means the address on file (SMS only to a verified phone: else
 * VOUCH_ERR_UNAVAIL); a code sent to an explicit dest is bound to it as
 * well and redeemed with vouch_code_redeem_to and the same dest.  A
 * resend ("r") is refused (VOUCH_ERR_RATE) before [otp] resend_interval
 * since the last send and beyond [otp] resend_max resends of (purpose,
 * channel) in the last hour; any code beyond [otp] max_per_hour of the
 * user in the last hour is refused too.  Delivery failure:
 * VOUCH_ERR_DELIVERY, the code is dropped.  Audited. */
vouch_rc vouch_code_send(vouch_ctx *ctx, const char *user, const char *purpose,
                         vouch_channel ch, const char *dest, unsigned ttl,
                         bool resend);
/* What became of a request for a code (vouch_code_request). */
typedef struct vouch_code_info {
  bool reoffered; /* a live code was already out: nothing was sent */
  time_t sent;    /* when the code in force was sent; 0: none is live */
  time_t retry;   /* VOUCH_ERR_RATE by an hourly cap: when it frees a
                     place; 0: the resend interval (a moment) */
} vouch_code_info;
/* The code of a check to the address on file: vouch_code_send, except
 * that without resend a live code of (user, purpose, channel), unused
 * and unexpired, is offered again instead of a new one (nothing sent,
 * info->reoffered; "code.reoffered" audited): it stays single use and
 * keeps its attempts.  info may be NULL. */
vouch_rc vouch_code_request(vouch_ctx *ctx, const char *user,
                            const char *purpose, vouch_channel ch, bool resend,
                            vouch_code_info *info);
/* Checks answer against the live code: one attempt on the code and one
 * failed security check are charged and committed first, then the
 * answer is judged (see vouch_check_charge).  VOUCH_OK uses the code up
 * and takes the failed check back; a wrong answer keeps both (the code
 * dies at [otp] max_attempts): VOUCH_ERR_AUTH, or VOUCH_ERR_LOCKED when
 * this failure locked the account; no live code: VOUCH_ERR_STALE; an
 * answer that is not length digits: VOUCH_ERR_INPUT (not counted). */
/* A well-formed code: exactly len digits.  The one check of a code's
 * shape, for members' answers and for the decoy of unknown names. */
bool vouch_valid_code(const char *a, unsigned len);
/* A well-formed token: VOUCH_TOKEN_CHARS of the URL-safe base64 alphabet;
 * the one check of a token's shape (reset, export). */
bool vouch_valid_token(const char *t);
/* A reset link: [reset] link_url with {token} replaced by token when it
 * is set, else [web] base_url + "/reset?token=" + token (vouch-web's
 * page); malloc'ed, wiped by the caller (vouch_free_secret); NULL when
 * out of memory.  The one maker of reset links. */
char *vouch_reset_link(const vouch_config *cfg, const char *token);
/* A link to vouch-web's page path ("/export/confirm"): [web] base_url,
 * path and "?token=" token; malloc'ed (vouch_free_secret), NULL when out
 * of memory. */
char *vouch_web_link(const vouch_config *cfg, const char *path,
                     const char *token);
vouch_rc vouch_code_redeem(vouch_ctx *ctx, const char *user,
                           const char *purpose, vouch_channel ch,
                           const char *answer);
/* The same for an answer from someone who may not know the account (the
 * forgot page, which only a phone number reaches): a wrong answer counts
 * an attempt on the code (dead at [otp] max_attempts) but no failed
 * security check, so that a stranger cannot lock the account. */
vouch_rc vouch_code_redeem_untrusted(vouch_ctx *ctx, const char *user,
                                     const char *purpose, vouch_channel ch,
                                     const char *answer);
/* The same for a code sent to the explicit destination dest (see
 * vouch_code_send): the code of another destination is a wrong answer. */
vouch_rc vouch_code_redeem_to(vouch_ctx *ctx, const char *user,
                              const char *purpose, vouch_channel ch,
                              const char *dest, const char *answer);

/* --------------------------------------------------------- tokens (same) */

/* Whose live token of purpose it is, without using it up (a page that
 * shows a form for it): user (len bytes) gets the owner.
 * VOUCH_ERR_INPUT malformed, VOUCH_ERR_AUTH unknown or of another
 * purpose, VOUCH_ERR_STALE expired or used (user is still set). */
vouch_rc vouch_token_owner(vouch_ctx *ctx, const char *purpose,
                           const char *token, char *user, size_t len);
/* The same, and *expires (may be NULL) gets when the token dies. */
vouch_rc vouch_token_owner_until(vouch_ctx *ctx, const char *purpose,
                                 const char *token, char *user, size_t len,
                                 time_t *expires);
/* The purposes of the TV pages' tokens (vouch-web /tv): a password and
 * a sign-out everywhere end them, as they end reset links. */
#define VOUCH_TOKEN_TV_CHECK "tv-check"
#define VOUCH_TOKEN_TV_OK "tv-ok"

/* A single-use URL-safe token for (user, purpose), valid ttl seconds; only
 * its keyed hash is stored. */
vouch_rc vouch_token_issue(vouch_ctx *ctx, const char *user,
                           const char *purpose, unsigned ttl,
                           char token[VOUCH_TOKEN_CHARS + 1]);
/* VOUCH_OK uses it up; malformed: VOUCH_ERR_INPUT; unknown, tampered or
 * another user's: VOUCH_ERR_AUTH; expired or used: VOUCH_ERR_STALE. */
vouch_rc vouch_token_redeem(vouch_ctx *ctx, const char *user,
                            const char *purpose, const char *token);

/* -------------------------------------------------- lockout (same file) */

/* Records one failed security check (any method) inside the caller's
 * transaction or its own; at [lockout] max_failures within [lockout]
 * window the account is locked and a "Password reset required" email with
 * a reset link (token purpose "reset", [reset] link_ttl) is sent.
 * Returns VOUCH_ERR_AUTH, or VOUCH_ERR_LOCKED when this failure locked. */
vouch_rc vouch_check_failed(vouch_ctx *ctx, const char *user,
                            const char *method);
/* A check judged by vouchd (a card number; codes do the same inside
 * vouch_code_redeem) is charged before it is judged: one failed check,
 * committed, under a name of its own (core/challenge.c says why), and
 * settled by the verdict.  vouch_check_charge refuses a locked account
 * ("METHOD.refused", VOUCH_ERR_LOCKED) and locks one whose failed checks
 * already reached the limit; vouch_check_verdict takes the charge back
 * for a right answer (ok_event audited; VOUCH_OK unless the account was
 * locked since: VOUCH_ERR_LOCKED), or keeps it for a wrong one
 * (VOUCH_ERR_AUTH, or VOUCH_ERR_LOCKED when it locked the account; the
 * "Password reset required" email goes out as for vouch_check_failed). */
typedef struct {
  char method[33];  /* check_failures.method of the verdict */
  char pending[64]; /* ... of the charged row until then */
  bool charged;
} vouch_charge;
vouch_rc vouch_check_charge(vouch_ctx *ctx, const char *user,
                            const char *method, vouch_charge *c);
vouch_rc vouch_check_verdict(vouch_ctx *ctx, const char *user,
                             const vouch_charge *c, bool right,
                             const char *ok_event);

/* ------------------------------------------------ cards (core/card.c) */

/* Accepts digits with spaces and dashes; 12 to 19 digits with a valid Luhn
 * check digit.  digits gets the bare number (len >= 20); *why a reason for
 * the person when VOUCH_ERR_INPUT. */
vouch_rc vouch_card_parse(const char *in, char *digits, size_t len,
                          const char **why);
/* Stores the keyed hash of the whole number and its last 4 digits. */
vouch_rc vouch_card_set(vouch_ctx *ctx, const char *user, const char *in);
vouch_rc vouch_card_clear(vouch_ctx *ctx, const char *user);
/* VOUCH_OK on a match; VOUCH_ERR_UNAVAIL when no card is on file;
 * VOUCH_ERR_INPUT when malformed (not counted); a wrong number counts as a
 * failed security check (VOUCH_ERR_AUTH or VOUCH_ERR_LOCKED). */
vouch_rc vouch_card_check(vouch_ctx *ctx, const char *user, const char *in);

/* ----------------------------------------------- phone (challenge.c) */

/* Marks the phone on file verified (after a phone-verify code, or trusted
 * by an administrator).  Audited. */
vouch_rc vouch_phone_set_verified(vouch_ctx *ctx, const char *user);

/* ------------------------------------ methods of a user (core/check.c) */

/* What a security check can offer user, with destinations masked. */
typedef struct vouch_methods {
  bool known;  /* the user exists */
  bool locked; /* locked out: every check refuses */
  bool email;  /* an email address is on file */
  char email_mask[128];
  bool sms; /* a verified phone is on file */
  char sms_mask[64];
  bool card; /* a card is on file */
  char card_last4[5];
} vouch_methods;

/* A masked email address (vouch_mask_email) that looks like one on file,
 * made from a keyed hash of (label, seed): the same for the same seed, so
 * that asking again shows nothing new.  For answers about people vouch
 * does not know; nothing is ever sent to it. */
vouch_rc vouch_decoy_email(vouch_ctx *ctx, const char *label, const char *seed,
                           char *masked, size_t len);
/* Fills m for user.  An unknown user is not an error: m->known is false,
 * and email_mask and card_last4 hold a decoy made from a keyed hash of
 * the name (the same at every attempt), so that the prompts do not show
 * that the user is unknown. */
vouch_rc vouch_methods_get(vouch_ctx *ctx, const char *user, vouch_methods *m);
/* ======================================================================
 * Account flows (issue 4).
 * ==================================================================== */

/* ------------------------------------------- sessions (core/session.c) */

/* The longest [store] host_name: the name this host's sessions carry in
 * a store that several hosts share. */
#define VOUCH_HOST_NAME_MAX 64

typedef struct vouch_session_row {
  int64_t id;
  const char *service, *tty, *rhost; /* "" when unknown */
  long pid;                          /* the session's leader process */
  unsigned long long pid_start;      /* its start, ticks after boot */
  time_t started;
  time_t ended;     /* 0 while open */
  bool revoked;     /* signed out everywhere */
  const char *host; /* the host it runs on (a shared store) */
} vouch_session_row;

/* Records a session of user opened now by process pid (its start time is
 * read from /proc); *id names it for vouch_session_close.  A session of
 * the same leader still open is that id (stacked twice: one record), and
 * open sessions of user whose leader is gone are ended first. */
vouch_rc vouch_session_open(vouch_ctx *ctx, const char *user, const char *tty,
                            const char *rhost, long pid, int64_t *id);
/* Marks the session ended (a session already ended or revoked is fine).
 * user (NULL: any) must own it, else VOUCH_ERR_NOT_FOUND; leader (0:
 * any) must be its leader, else VOUCH_ERR_DENIED: one caller never ends
 * another's session, which would then escape sign-out.  Audited. */
vouch_rc vouch_session_close(vouch_ctx *ctx, int64_t id, const char *user,
                             long leader);
/* Calls fn for each session of user, newest first. */
vouch_rc vouch_sessions_each(vouch_ctx *ctx, const char *user,
                             vouch_rc (*fn)(void *arg,
                                            const vouch_session_row *r),
                             void *arg);
/* Signs user out everywhere: every open session but keep_id (0: none) is
 * revoked and ended (those whose leader is gone just ended, uncounted);
 * its leader, unless it is a shared process (one that opened other
 * sessions too, of anyone: a service, or the caller's own), gets SIGHUP,
 * then SIGTERM after a short grace, and only while its start time still
 * matches the record (a reused pid is never signalled).  *count (may be NULL)
 * gets the number of sessions ended.  Audited. */
vouch_rc vouch_sessions_revoke(vouch_ctx *ctx, const char *user,
                               int64_t keep_id, unsigned *count);
/* With a store that several hosts share ([store] backend = postgresql),
 * the sessions of other hosts are queued for their vouchd and announced
 * (sign-outs owed, in the same transaction); each host's vouchd takes
 * its own with this, as the notification comes and whenever it
 * connects again, and ends their leaders as above; a queued sign-out
 * is removed once signalled, so that a vouchd that dies in between
 * signals it again when it is back.  *count (may be NULL) gets how many
 * it took. */
vouch_rc vouch_signouts_run(vouch_ctx *ctx, unsigned *count);
/* Marks the account reset-required: the next sign-in must choose a new
 * password.  Audited. */
vouch_rc vouch_account_require_reset(vouch_ctx *ctx, const char *user);

/* --- added for core/session.c (sessions): processes (the store's part
 * is core/store_session.c, declared in core/store.h). */
/* The PAM data name under which pam_vouch_session keeps the id (an
 * int64_t) of the session it recorded, for pam_vouch_password's
 * logout_all to spare the caller's own session. */
#define VOUCH_SESSION_DATA "vouch_session_id"
/* The state (field 3) and start time (field 22, clock ticks after boot)
 * in the text of /proc/PID/stat; the command name may hold spaces and
 * parentheses, so fields are counted after the last ')'.  VOUCH_ERR_INPUT
 * when malformed. */
vouch_rc vouch_proc_stat_parse(const char *text, size_t len, char *state,
                               unsigned long long *start);
/* The start time of a live process pid: VOUCH_ERR_NOT_FOUND when there
 * is no such process or it has exited (a zombie). */
vouch_rc vouch_proc_start(long pid, unsigned long long *start);

/* ---------------------- membership and export (core/membership.c,
 * core/export.c; their store part is core/store_account.c) */

/* A membership and its cancellation.  Cancelling records the intent:
 * the period end stays, access lasts through that day. */
typedef struct vouch_membership {
  char *plan;             /* NULL when there is no membership */
  time_t period_end;      /* the last day, 00:00 UTC; 0 when none */
  time_t cancelled;       /* when it was cancelled; 0 when not */
  bool delete_profile;    /* personal data goes after the period end */
  time_t profile_deleted; /* when it went; 0 when not (yet) */
} vouch_membership;

void vouch_membership_clear(vouch_membership *m);
/* VOUCH_ERR_NO_USER for an unknown user. */
vouch_rc vouch_membership_get(vouch_ctx *ctx, const char *user,
                              vouch_membership *m);
/* Records the cancellation (now) and sends "cancelled-email".
 * VOUCH_ERR_DENIED when there is no membership or it already ended;
 * VOUCH_ERR_EXISTS when it is already cancelled.  The email is sent after
 * the record is committed: *mail (may be NULL) gets its result
 * (VOUCH_ERR_UNAVAIL: no address on file).  Audited. */
vouch_rc vouch_membership_cancel(vouch_ctx *ctx, const char *user,
                                 bool delete_profile, vouch_rc *mail);
/* Clears the cancellation while the period lasts: VOUCH_ERR_DENIED when
 * not cancelled, VOUCH_ERR_EXPIRED after the period end.  Audited. */
vouch_rc vouch_membership_undo(vouch_ctx *ctx, const char *user);
/* Removes the personal data of every cancelled account whose period has
 * ended and that asked for it (see vouch_profile_erase); fn (may be NULL)
 * hears of each account and its result.  Idempotent. */
vouch_rc vouch_membership_apply_due(vouch_ctx *ctx,
                                    void (*fn)(void *arg, const char *user,
                                               vouch_rc rc),
                                    void *arg, unsigned *count);
/* Removes full name, email, phone, card, password and its history,
 * sessions, codes, tokens, security-check records and export requests
 * (with their archives) of user; the user row keeps its name, state and
 * membership, the audit trail stays.  Audited. */
vouch_rc vouch_profile_erase(vouch_ctx *ctx, const char *user);

typedef enum {
  VOUCH_EXPORT_UNCONFIRMED = 0, /* waiting for the member's confirmation */
  VOUCH_EXPORT_IN_PROGRESS = 1, /* confirmed; vouch-export run builds it */
  VOUCH_EXPORT_READY = 2,       /* archive written, until expires */
  VOUCH_EXPORT_CANCELLED = 3,
  VOUCH_EXPORT_EXPIRED = 4
} vouch_export_status;

/* "not-confirmed", "in-progress", "ready", "cancelled", "expired" */
const char *vouch_export_status_name(vouch_export_status s);
/* "Not yet confirmed", "In progress", "Ready", "Cancelled", "Expired" */
const char *vouch_export_status_label(vouch_export_status s);

/* One export request.  Strings live as long as the callback. */
typedef struct vouch_export_row {
  int64_t id;
  const char *user;
  vouch_export_status status;
  time_t created;
  time_t confirmed; /* 0 until confirmed */
  time_t ready;     /* 0 until ready */
  time_t expires;   /* unconfirmed: confirmation deadline; ready: removal */
  const char *path; /* the archive, "" until ready */
} vouch_export_row;

/* Creates a request, issues an "export" token ([export] confirm_ttl) and
 * sends "export-confirm-email".  VOUCH_ERR_EXISTS while another request
 * of user waits for confirmation or is in progress; when the email cannot
 * be sent the request is dropped (VOUCH_ERR_UNAVAIL, DELIVERY).
 * Audited. */
vouch_rc vouch_export_request(vouch_ctx *ctx, const char *user, int64_t *id);
/* What confirm needs before it asks for the password: a well-formed
 * token (VOUCH_ERR_INPUT), a known user, a request waiting for
 * confirmation (VOUCH_ERR_NOT_FOUND; VOUCH_ERR_STALE when it expired). */
vouch_rc vouch_export_pending(vouch_ctx *ctx, const char *user,
                              const char *token, int64_t *id);
/* Checks the current password (vouch_password_check: failures count as
 * at sign-in), redeems the token and moves the request in progress.
 * *at_token (may be NULL) tells whether a failure came from the token. */
vouch_rc vouch_export_confirm(vouch_ctx *ctx, const char *user,
                              const char *token, const char *password,
                              int64_t *id, bool *at_token);
/* Requests of user newest first, with the status as of now (a request
 * past its expiry shows as expired before vouch-export run retires it). */
vouch_rc vouch_export_each(vouch_ctx *ctx, const char *user,
                           vouch_rc (*fn)(void *arg,
                                          const vouch_export_row *r),
                           void *arg);
/* Cancels request id of user (its archive is removed).
 * VOUCH_ERR_NOT_FOUND when user has no such request, VOUCH_ERR_DENIED
 * when it is already cancelled or expired.  Audited. */
vouch_rc vouch_export_cancel(vouch_ctx *ctx, const char *user, int64_t id);

typedef struct vouch_export_stats {
  unsigned built;   /* archives written and announced */
  unsigned expired; /* unconfirmed requests retired */
  unsigned removed; /* ready archives removed after [export] keep */
  unsigned failed;  /* requests that could not be built or announced */
} vouch_export_stats;

/* Builds every request in progress (one JSON document under [export]
 * dir, mode 0600, without any secret or hash), marks it ready and sends
 * "export-ready-email"; retires unconfirmed requests past confirm_ttl and
 * removes archives past keep.  Audited. */
vouch_rc vouch_export_run(vouch_ctx *ctx, vouch_export_stats *stats);
/* Removes every archive of user (for vouch_profile_erase, which drops
 * the requests). */
vouch_rc vouch_export_forget(vouch_ctx *ctx, const char *user);

/* ------------------------------------------------- reset (core/reset.c) */

/* Starts a password reset of user: by email a single-use link (token
 * purpose "reset", valid [reset] link_ttl, [reset] link_url with {token}
 * replaced) in the "reset-email" message; by SMS a code (purpose "reset",
 * valid [reset] sms_ttl) to the verified phone on file.  A locked account
 * may ask: a reset is its way out.  masked (len bytes) gets the
 * destination as vouch_mask_email / vouch_mask_phone show it.
 * VOUCH_ERR_NO_USER; VOUCH_ERR_UNAVAIL when there is no email address,
 * or no verified phone, on file; VOUCH_ERR_RATE; VOUCH_ERR_DELIVERY.
 * Audited. */
vouch_rc vouch_reset_request(vouch_ctx *ctx, const char *user,
                             vouch_channel ch, char *masked, size_t len);
/* The proof of a reset, before anything is asked: exactly one of token
 * and code (else VOUCH_ERR_USAGE), well formed (a token: VOUCH_TOKEN_CHARS
 * of URL-safe base64; a code: [otp] length digits; else
 * VOUCH_ERR_INPUT). */
vouch_rc vouch_reset_proof_check(const vouch_ctx *ctx, const char *token,
                                 const char *code);

/* Whose reset link token is, without using it up (a page that shows
 * the form for it): user (len bytes) gets the owner.  VOUCH_ERR_INPUT
 * malformed, VOUCH_ERR_AUTH unknown or not a reset link, VOUCH_ERR_STALE
 * expired or used (user is still set). */
vouch_rc vouch_reset_token_user(vouch_ctx *ctx, const char *token, char *user,
                                size_t len);

/* What vouch_reset_complete did. */
typedef struct vouch_reset_done {
  bool changed;      /* the new password is set */
  unsigned sessions; /* sessions signed out */
  bool notified;     /* "Your password was changed" went out */
} vouch_reset_done;

/* Finishes a reset with token (from the link) or code (from the SMS):
 * checks pw with vouch_password_acceptable first (a refused password
 * leaves the proof unused), then uses up the proof (VOUCH_ERR_AUTH:
 * wrong, tampered or another user's; VOUCH_ERR_STALE: expired or used; a
 * wrong code counts as a failed security check), sets pw clearing a
 * lockout, reset-required and the failure count, retires every other
 * reset link and code of user, signs user out everywhere and sends
 * "password-changed-email" (no address on file is fine).  Nobody is
 * logged in.  After the change (done->changed) a failure of the rest is
 * returned.  Audited. */
vouch_rc vouch_reset_complete(vouch_ctx *ctx, const char *user,
                              const char *token, const char *code,
                              const char *pw, vouch_reset_done *done);

/* Forgot password (vouch-web): who is an email address (any case) or a
 * phone number (+ and digits; spaces, dashes, dots and brackets are
 * dropped); *channel says which.  When exactly one account has it (a
 * phone: verified), user (len bytes) gets its name: the caller answers
 * first, then sends with vouch_reset_request, so that nothing the
 * delivery does shows in the answer, which the caller also pads in time.
 * At most [reset] max_per_hour an hour for the destination (counted in
 * the store, also for one no account has: VOUCH_ERR_RATE) and for the
 * account (then user stays "": nothing is sent, the answer is the
 * usual).  VOUCH_OK, VOUCH_ERR_INPUT (neither), VOUCH_ERR_RATE or a
 * system error. */
vouch_rc vouch_reset_forgot(vouch_ctx *ctx, const char *who,
                            vouch_channel *channel, char *user, size_t len);
/* Finishes a forgot request by SMS: the code sent to the phone number
 * who, and the new password.  The password's shape is checked first,
 * alike for every number; then the code (vouch_code_redeem_untrusted: a
 * wrong one does not count toward the account's lockout); every way a
 * code fails, and a number no account has, is VOUCH_ERR_AUTH; only then
 * the password rules with the history (VOUCH_ERR_PW_REUSED: the code is
 * used up).  Done as vouch_reset_complete (sign-out everywhere,
 * "password changed").  Audited. */
vouch_rc vouch_reset_forgot_complete(vouch_ctx *ctx, const char *who,
                                     const char *code, const char *pw,
                                     vouch_reset_done *done);

/* Recovery pads every call (after its input checks) on the monotonic
 * clock to a whole number of these: hit and miss take the same time. */
#define VOUCH_RECOVER_QUANTUM_MS 2000

/* Recovery by full name and card number: when exactly one account with
 * that full name has that card on file (compared without counting
 * failures: vouch_card_matches), a reset link goes to its email address
 * and masked gets that address masked.  Otherwise (no account, wrong
 * card, several, no address) masked gets an address of the same form
 * derived from a keyed hash of full_name, so that the answer does not
 * tell whether an account exists.  VOUCH_ERR_INPUT for a malformed name
 * or card (not padded); VOUCH_ERR_DELIVERY when the link could not be
 * sent.  Audited. */
vouch_rc vouch_reset_recover(vouch_ctx *ctx, const char *full_name,
                             const char *card, char *masked, size_t len);

/* core/card.c: VOUCH_OK when in is the card on file of user,
 * VOUCH_ERR_AUTH when not (nothing counted, a lockout ignored),
 * VOUCH_ERR_UNAVAIL when no card is on file, VOUCH_ERR_INPUT when
 * malformed. */
vouch_rc vouch_card_matches(vouch_ctx *ctx, const char *user, const char *in);

/* ------------------ device sign-in and member self-service (member):
 * core/device.c, core/contact.c; the store's part core/store_device.c */

/* A sign-in code: 8 characters of an alphabet without look-alikes (no 0
 * O 1 I L), shown as two groups "ABCD-EFGH".  Only its keyed hash is
 * stored; it lives [device] code_ttl and serves once. */
#define VOUCH_DEVICE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define VOUCH_DEVICE_CODE_CHARS 8
#define VOUCH_DEVICE_SHOWN_MAX 16 /* "ABCD-EFGH" and its NUL fit */
/* Wrong approvals a member may make in VOUCH_DEVICE_WRONG_WINDOW
 * seconds before every approval is refused with VOUCH_ERR_RATE. */
#define VOUCH_DEVICE_WRONG_MAX 5
#define VOUCH_DEVICE_WRONG_WINDOW 900

typedef enum {
  VOUCH_DEVICE_WAITING = 0,
  VOUCH_DEVICE_APPROVED = 1,
  VOUCH_DEVICE_DENIED = 2,
  VOUCH_DEVICE_USED = 3
} vouch_device_status;

/* Makes a new sign-in code for the device at service ctx->service:
 * shown (len >= VOUCH_DEVICE_SHOWN_MAX) gets "ABCD-EFGH", *id names it,
 * *expires (may be NULL) when it dies.  Audited. */
vouch_rc vouch_device_start(vouch_ctx *ctx, char *shown, size_t len,
                            int64_t *id, time_t *expires);
/* One look at code id.  *status WAITING: keep waiting; APPROVED: *user
 * (malloc'ed) is the approving member and the code is used up in the
 * same transaction (a second poll finds it used); DENIED: refused.
 * VOUCH_ERR_STALE when it expired (time(NULL) >= expiry, the code is
 * retired) or was used; VOUCH_ERR_NOT_FOUND when there is no such code.
 * Audited when it ends. */
vouch_rc vouch_device_poll(vouch_ctx *ctx, int64_t id,
                           vouch_device_status *status, char **user);
/* Retires code id of a device that stopped waiting. */
vouch_rc vouch_device_abandon(vouch_ctx *ctx, int64_t id);
/* Normalises a typed code (case, spaces and one dash between the groups
 * do not matter) into out (VOUCH_DEVICE_CODE_CHARS + 1 bytes);
 * VOUCH_ERR_INPUT when it is not 8 characters of the alphabet. */
vouch_rc vouch_device_code_parse(const char *in, char *out, size_t len);
/* Member user approves (or, with approve false, refuses) the waiting
 * code typed as code.  VOUCH_ERR_INPUT for a malformed code (not
 * counted); VOUCH_ERR_RATE after VOUCH_DEVICE_WRONG_MAX wrong codes in
 * VOUCH_DEVICE_WRONG_WINDOW; VOUCH_ERR_AUTH for a code that is not
 * waiting (unknown, expired, decided or used: one answer for all, and
 * one wrong code counted); VOUCH_ERR_NO_USER.  Audited. */
vouch_rc vouch_device_decide(vouch_ctx *ctx, const char *user,
                             const char *code, bool approve);

/* A change of email address or phone number, confirmed by a code sent
 * to the new one (core/contact.c).  begin checks the value
 * (VOUCH_ERR_INPUT), that it differs from the one on file
 * (VOUCH_ERR_EXISTS) and sends a code to it (purpose "email-verify" or
 * "phone-verify", vouch_code_send with dest; resend as there); masked
 * (len bytes) gets it masked. */
vouch_rc vouch_contact_begin(vouch_ctx *ctx, const char *user,
                             vouch_channel ch, const char *value, bool resend,
                             char *masked, size_t len);
/* Redeems the code sent to value (vouch_code_redeem_to: a code sent to
 * another value is wrong; VOUCH_ERR_AUTH, STALE, LOCKED, INPUT), then
 * sets value (a phone number verified) and tells the
 * previous email address ("contact-changed-email", {what} the masked new
 * value; *told false when there was none or it could not be sent).
 * Audited. */
vouch_rc vouch_contact_finish(vouch_ctx *ctx, const char *user,
                              vouch_channel ch, const char *value,
                              const char *code, bool *told);

/* ------------------------------------------ administration (core/admin.c) */

/* What vouchctl does to the store, each in the transaction it needs: the
 * tool parses, checks the values' form and prints. */

/* The details an administrator gives for user name (user add, set and
 * import): NULL leaves one alone (add: not set, lang "en"), "" clears it
 * (set). */
typedef struct vouch_user_details {
  const char *name;
  const char *email;
  const char *phone;
  const char *full_name;
  const char *lang;
} vouch_user_details;

/* Creates the store of [store] path (mode 0600) when it is missing, or
 * opens an existing one (checked, its schema migrated); then closes it. */
vouch_rc vouch_admin_store_init(vouch_ctx *ctx);
/* Moves the store of [store] path aside to path.old-YYYYMMDD-HHMMSS (the
 * local time of now; SQLite's files beside it go with it), never over an
 * existing file and never deleting one; aside (len bytes) gets the new
 * name. */
vouch_rc vouch_admin_store_move_aside(vouch_ctx *ctx, time_t now, char *aside,
                                      size_t len);
/* Adds user d->name, active and without a password: VOUCH_ERR_EXISTS
 * when the name is taken.  Audited ("user.add", the details given). */
vouch_rc vouch_admin_user_add(vouch_ctx *ctx, const vouch_user_details *d);
/* Changes the details given of user d->name (a new phone number is not
 * verified): VOUCH_ERR_NO_USER.  Audited ("user.set"). */
vouch_rc vouch_admin_user_set(vouch_ctx *ctx, const vouch_user_details *d);
/* The stored user name into *u (vouch_user_clear): VOUCH_ERR_NO_USER. */
vouch_rc vouch_admin_user_get(vouch_ctx *ctx, const char *name, vouch_user *u);
/* Deletes user name and everything of theirs but the audit trail:
 * VOUCH_ERR_NO_USER.  Audited ("user.del"). */
vouch_rc vouch_admin_user_del(vouch_ctx *ctx, const char *name);
/* The next user to import into *d (its strings live until the next
 * call), or *end set at the end; any other rc than VOUCH_OK stops the
 * import. */
typedef vouch_rc (*vouch_admin_next_fn)(void *arg, vouch_user_details *d,
                                        bool *end);
/* Adds every user next gives, as vouch_admin_user_add but all in one
 * transaction and each with an audit row in the store only ("user.add",
 * "import"); the first failure (VOUCH_ERR_EXISTS: the last user given
 * exists) rolls them all back.  Then audited ("user.import", the count);
 * *added gets the number added. */
vouch_rc vouch_admin_user_import(vouch_ctx *ctx, vouch_admin_next_fn next,
                                 void *arg, unsigned long *added);
/* Sets the membership of user name to plan until period_end (plan NULL:
 * removes it); either ends an earlier cancellation, and with it a
 * deletion of personal data asked for.  *old gets the membership as it
 * was (vouch_membership_clear).  VOUCH_ERR_NO_USER.  Audited
 * ("membership.set", "membership.clear"). */
vouch_rc vouch_admin_membership_set(vouch_ctx *ctx, const char *name,
                                    const char *plan, time_t period_end,
                                    vouch_membership *old);
/* Calls fn for each audit row in time order, of every user when user is
 * NULL; stops at the first non-OK. */
vouch_rc vouch_admin_audit_each(vouch_ctx *ctx, const char *user,
                                vouch_rc (*fn)(void *arg,
                                               const vouch_audit_row *r),
                                void *arg);

/* --------------------------------------------- tools (core/cli.c) */

/* The name the tool's messages start with ("vouchctl"). */
/* The uid a tool acts for: vouchd's worker sets the peer's; otherwise
 * the real uid. */
void vouch_cli_set_caller(uid_t uid);
uid_t vouch_cli_caller(void);
void vouch_cli_name(const char *name);
/* "NAME: message" on stderr. */
void vouch_cli_say(const char *fmt, ...) VOUCH_PRINTF(1, 2);
/* The core's log sink for tools: every message to stderr under NAME. */
void vouch_cli_log(void *arg, int priority, const char *msg);
/* s made safe to quote back: printable ASCII as is, other bytes as \xNN,
 * cut with "..." after 64 bytes; buf needs 4 * 64 + 8 bytes. */
const char *vouch_cli_shown(const char *s, char *buf, size_t len);
/* "NAME: CMD: message" and the command's usage (or, for the tool itself,
 * CMD "", a pointer to --help) on stderr; returns VOUCH_ERR_USAGE. */
vouch_rc vouch_cli_usage_error(const char *cmd, const char *usage,
                               const char *fmt, ...) VOUCH_PRINTF(3, 4);

/* One option of a command: with value, "--opt V" or "--opt=V" sets
 * *value; with flag, "--opt" sets *flag. */
typedef struct vouch_cli_opt {
  const char *name;
  char **value;
  bool *flag;
} vouch_cli_opt;

/* A command's arguments: options anywhere, "--" ends them, at most one
 * positional argument (posname, e.g. "NAME", names it in messages). */
typedef struct vouch_cli_spec {
  const char *cmd; /* "user add", for messages */
  const char *usage;
  const vouch_cli_opt *opts;
  size_t nopts;
  const char *posname;
  char **pos; /* NULL when the command takes none */
  bool pos_required;
} vouch_cli_spec;

/* Loads the configuration conf into a context whose service is the
 * tool's name; a missing file gets its own advice. */
vouch_rc vouch_cli_open(const char *conf, vouch_ctx **ctx);

/* vouch_cli_parse: --help printed the usage (the tool exits 0). */
#define VOUCH_CLI_HELP VOUCH_RC_COUNT

/* Records that the tool told the person something on stderr by other
 * means than the functions above (which record it themselves). */
void vouch_cli_said(void);
/* The end of a tool: flushes stdout (a write error is said, and turns
 * success into VOUCH_ERR_SYSTEM), then the exit status of rc
 * (VOUCH_CLI_HELP: 0).  A failure the tool has not explained on stderr
 * gets "NAME: " and vouch_strerror(rc) there first. */
int vouch_cli_exit(vouch_rc rc);

/* Parses argv against s; VOUCH_OK, VOUCH_CLI_HELP or VOUCH_ERR_USAGE (the
 * problem said on stderr). */
vouch_rc vouch_cli_parse(const vouch_cli_spec *s, int argc, char **argv);

/* ------------------------------------------------------- JSON and input */

#include <stdio.h>

/* A table for a terminal (vouchctl sessions, vouch-account devices):
 * rows are kept until print, which pads every column but the last to
 * its widest cell.  Widths count UTF-8 characters; control bytes and
 * bytes that are not UTF-8 show as '?', and a cell (but in the last
 * column) longer than VOUCH_TABLE_CELL_MAX characters is cut with
 * "...". */
#define VOUCH_TABLE_CELL_MAX 40
typedef struct vouch_table vouch_table;
/* head: ncols column titles (copied).  NULL when memory ran out. */
vouch_table *vouch_table_new(size_t ncols, const char *const *head);
/* cells: ncols texts ("" shows as "-"). */
vouch_rc vouch_table_add(vouch_table *t, const char *const *cells);
void vouch_table_print(const vouch_table *t, FILE *f);
void vouch_table_free(vouch_table *t);

/* Writes s as a quoted, escaped JSON string to f; NULL writes null. */
void vouch_json_string(FILE *f, const char *s);
/* Parses one flat JSON object whose values are strings or null; calls fn
 * for each member (value NULL for null).  On malformed text returns
 * VOUCH_ERR_INPUT with a reason in err. */
vouch_rc vouch_json_object(const char *text, size_t len,
                           vouch_rc (*fn)(void *arg, const char *key,
                                          const char *value),
                           void *arg, char *err, size_t errlen);
/* Reads a secret: from the terminal without echo after printing prompt
 * to the terminal, or one line from standard input when it is not a
 * terminal.  Refuses more than max bytes, a NUL byte and an empty line
 * read from a pipe at end of file (VOUCH_ERR_INPUT).  *out is freed with
 * vouch_free_secret. */
vouch_rc vouch_read_secret(const char *prompt, size_t max, char **out);

/* --- added for core/term.c (ctl): vouch_read_secret that also says why a
 * line was refused ("longer than N bytes", "NUL byte in input", "no
 * input", "interrupted") in err; err may be NULL. */
vouch_rc vouch_read_secret_err(const char *prompt, size_t max, char **out,
                               char *err, size_t errlen);

/* ------------------------------------------------------------------ i18n */

typedef enum {
  VOUCH_MSG_PASSWORD_PROMPT,  /* "Password: " */
  VOUCH_MSG_CURRENT_PASSWORD, /* "Current password: " */
  VOUCH_MSG_NEW_PASSWORD,     /* "New password: " */
  VOUCH_MSG_RETYPE_PASSWORD,  /* "Retype new password: " */
  VOUCH_MSG_PW_MISMATCH,      /* the two entries differ */
  VOUCH_MSG_PW_SHORT,         /* %u: minimum characters */
  VOUCH_MSG_PW_LONG,          /* %u: maximum bytes */
  VOUCH_MSG_PW_REUSED,        /* may not equal the previous */
  VOUCH_MSG_PW_INVALID,       /* not valid text */
  VOUCH_MSG_PW_CHANGED,       /* "Your password was changed." */
  VOUCH_MSG_LOCKED,           /* password reset required */
  VOUCH_MSG_RESET_REQUIRED,   /* choose a new password now */
  VOUCH_MSG_RESET_ELSEWHERE,  /* reset the password, then sign in again */
  VOUCH_MSG_EXPIRED,          /* %s: membership ended on date */
  /* Security check (pam_vouch_otp, pam_vouch_card).  Prompts carry all
   * a person needs: info messages get lost over SSH. */
  VOUCH_MSG_CHANNEL_PROMPT, /* %s: the numbered choices */
  VOUCH_MSG_CHANNEL_EMAIL,  /* %s: masked address, "email to %s" */
  VOUCH_MSG_CHANNEL_SMS,    /* %s: masked number, "SMS to %s" */
  VOUCH_MSG_TRY_ANOTHER,    /* "Try another way" */
  VOUCH_MSG_CODE_PROMPT,    /* %u digits, %s masked destination */
  VOUCH_MSG_CODE_RESENT,    /* %s: masked destination */
  VOUCH_MSG_CODE_WRONG,     /* the code is not right */
  VOUCH_MSG_CODE_STALE,     /* expired or used up: r for a new one */
  VOUCH_MSG_CODE_RATE,      /* wait before asking again */
  VOUCH_MSG_CODE_FORMAT,    /* %u: digits expected, or r or a */
  VOUCH_MSG_SEND_FAILED,    /* could not send: try another way */
  VOUCH_MSG_NO_METHOD,      /* nothing to send a code to */
  VOUCH_MSG_CARD_PROMPT,    /* %s: last 4 digits */
  VOUCH_MSG_CARD_WRONG,     /* does not match the card on file */
  VOUCH_MSG_CARD_FORMAT,    /* 12-19 digits, spaces/dashes ok */
  VOUCH_MSG_CARD_LUHN,      /* not a valid card number */
  /* Device sign-in (pam_vouch_device) and vouch-account (issue 6). */
  VOUCH_MSG_DEVICE_CODE,    /* %s: the sign-in code, "ABCD-EFGH" */
  VOUCH_MSG_DEVICE_HOW,     /* %s: the code for "vouch-account approve" */
  VOUCH_MSG_DEVICE_URL,     /* %s: the web address to open instead */
  VOUCH_MSG_DEVICE_DENIED,  /* the sign-in was refused */
  VOUCH_MSG_DEVICE_EXPIRED, /* the code expired: start again */
  VOUCH_MSG_SIGNOUT_ASK,    /* "Sign out of all devices? [y/N] " */
  VOUCH_MSG_CANCEL_ASK,     /* "Finish cancellation? [y/N] " */
  VOUCH_MSG_CONFIRM_PROMPT, /* %u digits, %s the new address or number */
  /* "Try another way" within pam_vouch_otp channel=any (issue 11). */
  VOUCH_MSG_WAYS_PROMPT,    /* %s: the numbered other ways */
  VOUCH_MSG_WAY_CARD,       /* %s: last 4 digits, "card number ending in" */
  VOUCH_MSG_CHOICE_INVALID, /* not one of the choices shown */
  VOUCH_MSG_DEVICE_ASK,     /* "Sign-in code shown on the device: " */
  VOUCH_MSG_DEV_COLUMNS,    /* devices: 5 headings, tab-separated */
  VOUCH_MSG_DEV_OPEN,       /* devices: a session still open */
  VOUCH_MSG_DEV_SIGNED_OUT, /* devices: " (signed out)" */
  VOUCH_MSG_DEV_NONE,       /* devices: none recorded */
  /* Code limits that tell the truth (issue 14); _ONLY: no other way is
   * left, so no "a". */
  VOUCH_MSG_CODE_PROMPT_ONLY,  /* %u digits, %s masked destination */
  VOUCH_MSG_CODE_REOFFER,      /* %s masked destination, %s time HH:MM */
  VOUCH_MSG_CODE_REOFFER_ONLY, /* %s masked destination, %s time HH:MM */
  VOUCH_MSG_CODE_FORMAT_ONLY,  /* %u: digits expected, or r */
  VOUCH_MSG_CODE_CAPPED,       /* %s: time HH:MM a new code may be had */
  /* vouch-account's results (stdout) and refusals (stderr, after
   * "vouch-account: ", lower case, no full stop), issue 11. */
  VOUCH_MSG_ACC_SIGNED_OUT_ONE,   /* %u (1): "Signed out of 1 session." */
  VOUCH_MSG_ACC_SIGNED_OUT_MANY,  /* %u (0, 2, ...): sessions signed out */
  VOUCH_MSG_ACC_EMAIL_NOW,        /* %s: the new email address */
  VOUCH_MSG_ACC_EMAIL_NOW_TOLD,   /* %s: ditto; the previous one was told */
  VOUCH_MSG_ACC_PHONE_NOW,        /* %s: the new phone number */
  VOUCH_MSG_ACC_PHONE_NOW_TOLD,   /* %s: ditto; the email address was told */
  VOUCH_MSG_ACC_CANCEL_PLAN,      /* %s: the plan, "Cancel your %s ..." */
  VOUCH_MSG_ACC_CANCEL_UNTIL,     /* %s: last day of the billing period */
  VOUCH_MSG_ACC_CANCEL_ERASE,     /* then the personal information goes */
  VOUCH_MSG_ACC_CANCELLED,        /* cancelled (no email could be sent) */
  VOUCH_MSG_ACC_CANCELLED_MAIL,   /* cancelled, a confirmation email sent */
  VOUCH_MSG_ACC_RESTORED,         /* cancel --undo: membership restored */
  VOUCH_MSG_ACC_UNCHANGED,        /* answered no: "Nothing was changed." */
  VOUCH_MSG_ACC_EXPORT_SUBMITTED, /* %lld: the request's id */
  VOUCH_MSG_ACC_EXPORT_CONFIRMED, /* %lld: the request's id */
  VOUCH_MSG_ACC_EXPORT_COLUMNS,   /* export list: 3 headings, tab-separated */
  VOUCH_MSG_ACC_EXPORT_NONE,      /* export list: "No requests." */
  VOUCH_MSG_EXPORT_UNCONFIRMED,   /* a request's status: "Not yet confirmed" */
  VOUCH_MSG_EXPORT_IN_PROGRESS,   /* "In progress" */
  VOUCH_MSG_EXPORT_READY,         /* "Ready" */
  VOUCH_MSG_EXPORT_CANCELLED,     /* "Cancelled" */
  VOUCH_MSG_EXPORT_EXPIRED,       /* "Expired" */
  VOUCH_MSG_ACC_APPROVED,         /* %s: the member the device signs in as */
  VOUCH_MSG_ACC_REFUSED,          /* approve --deny: "The sign-in was ..." */
  VOUCH_MSG_ACC_INTERRUPTED,      /* end of input: nothing was changed */
  VOUCH_MSG_ACC_RESET_FIRST,      /* a new password is due first */
  VOUCH_MSG_ACC_CHECK_FAILED,     /* the security check failed */
  VOUCH_MSG_ACC_ANSWER_INVALID,   /* %u: bytes an answer may have */
  VOUCH_MSG_ACC_EMAIL_INVALID,    /* %s: the value as typed */
  VOUCH_MSG_ACC_PHONE_INVALID,    /* %s: the value as typed */
  VOUCH_MSG_ACC_ON_FILE,          /* %s: the value is already on file */
  VOUCH_MSG_ACC_NOT_SENT,         /* %s: no code could be sent there */
  VOUCH_MSG_ACC_NO_MEMBERSHIP,    /* nothing to cancel */
  VOUCH_MSG_ACC_NOT_CANCELLED,    /* --undo without a cancellation */
  VOUCH_MSG_ACC_ENDED,            /* the membership has already ended */
  VOUCH_MSG_ACC_IS_CANCELLED,     /* cancelled before */
  VOUCH_MSG_ACC_EXPORT_PENDING,   /* a request waits or is in progress */
  VOUCH_MSG_ACC_EXPORT_NO_EMAIL,  /* no email address to send a token to */
  VOUCH_MSG_ACC_EXPORT_NOT_SENT,  /* the email could not be sent */
  VOUCH_MSG_ACC_TOKEN_MALFORMED,  /* not a token */
  VOUCH_MSG_ACC_TOKEN_NOTHING,    /* no request waits for confirmation */
  VOUCH_MSG_ACC_TOKEN_WRONG,      /* wrong password or token */
  VOUCH_MSG_ACC_CODE_INVALID,     /* %s as typed, %s the alphabet */
  VOUCH_MSG_ACC_CODE_UNKNOWN,     /* no device waits with that code */
  VOUCH_MSG_ACC_CODE_RATE,        /* %d: minutes to wait */
  VOUCH_MSG_COUNT
} vouch_msg_id;

/* The message that tells a person why a card number was refused
 * (VOUCH_MSG_CARD_FORMAT or VOUCH_MSG_CARD_LUHN). */
vouch_msg_id vouch_card_problem(const char *in);

/* The catalogue text for id in lang (English when lang is unknown or the
 * entry is missing).  Never NULL.  Texts may hold one printf conversion
 * as the comment on the id says. */
const char *vouch_msg(const char *lang, vouch_msg_id id);
/* Formats the catalogue text for id in lang with the arguments its
 * comment names into buf (truncated to len, always terminated). */
void vouch_msgf(char *buf, size_t len, const char *lang, vouch_msg_id id, ...);
/* The language of user (English when unknown or unset); a static string. */
const char *vouch_user_lang(vouch_ctx *ctx, const char *user);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* VOUCH_H */
