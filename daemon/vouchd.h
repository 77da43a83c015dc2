/*
 * vouchd.h - what the parts of vouchd share: one request of a PAM module
 * (its peer, its items and arguments, the connection it converses over)
 * and the flows that answer it, one file a module (flow_*.c).
 *
 * A flow holds no store transaction while it waits on its client: every
 * core call it makes opens and ends its own, and the conversation happens
 * between them.
 */
#ifndef VOUCHD_H
#define VOUCHD_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#include "vouch.h"
#include "vouch_client.h"

/* A module option: "name" is a flag, "name=" takes a value. */
typedef struct vd_opt {
  const char *name;
  bool set;
  const char *value;
} vd_opt;

typedef struct vd_req {
  int fd;
  struct ucred peer;
  bool root;          /* the peer runs as root */
  const char *module; /* the hello's fields, kept in hello */
  const char *phase;
  int flags;
  const char *user; /* "" when the module sent none */
  const char *service, *tty, *rhost, *ruser;
  uid_t ruid; /* the caller's real uid (as root peers say; else the peer's) */
  int argc;
  const char **argv;
  vouch_ctx *ctx;
  int timeout_ms;        /* the client's wait for a frame */
  int answer_ms;         /* the daemon's wait for a person's answer */
  bool gone;             /* the client went away or broke the protocol */
  bool local;            /* vouch-account's check: the worker's own terminal */
  bool nonmember_ignore; /* nonmember=ignore: PAM_IGNORE for no account */
  char *authtok;         /* local: the item the password flow set */
  vouch_frame hello;
  vouch_frame io;
} vd_req;

/* --- vouchd.c: the daemon's shared state */
/* A copy of the current configuration (reloaded on SIGHUP). */
vouch_rc vd_config(vouch_config **out);
/* The thread that takes the sign-outs other hosts queued for this one
 * (daemon/fleet.c): started (or told to connect again) for a PostgreSQL
 * store at start and after each reload; stopped at SIGTERM. */
void vd_fleet_start(const vouch_config *cfg);
void vd_fleet_stop(void);
unsigned char *vd_key(void);
/* Is path the configuration file vouchd runs with (the same file)? */
bool vd_same_config(const char *path);
/* The path of that file. */
const char *vd_config_path(void);
/* Records a refused request (store and syslog). */
void vd_refused(vd_req *r, const char *event, const char *why);

/* --- privilege.c: becomes [daemon] user (keeping CAP_KILL) when started
 * as root; 0, or -1 with the reason in err. */
int vd_become_user(const char *user, char *err, size_t errlen);

/* --- tool.c: a tool's request (the hello is VF_TOOL), run in a worker
 * with the tool's standard descriptors fds[0..2]; answers VF_EXIT. */
int vd_tool(vd_req *r, const int *fds, int nfds);

/* --- web.c: a web operation of vouch-web (the hello is VF_WEB), for
 * [web] user or root only; answers VF_WEB_ANSWER. */
void vd_web(vd_req *r, const char *web_user);
/* The answer: status, then name/value pairs (NULL-ended). */
void vd_web_reply(vd_req *r, const char *status, ...)
    __attribute__((sentinel));
/* The status of a link's token ("ok", "stale", "invalid", "error") for
 * the rc of vouch_token_owner and its kin. */
const char *vd_web_token_status(vouch_rc rc);
/* --- web_tv.c: the TV pages' operations (tv.signin, tv.check,
 * tv.decide; a the arguments, n of them); false when op is none of
 * them. */
bool vd_web_tv(vd_req *r, const char *op, const char *const *a, unsigned n);

/* --- worker.c: vouchd --worker TOOL UID ARGS...: the command itself */
int vd_worker_main(int argc, char **argv);
/* The configuration and key of a worker that runs flows (vouchd.c). */
int vd_worker_state(const char *conf);
/* A worker whose tool opens a shared (PostgreSQL) store: every
 * connection it makes checks the key its hosts share, as vouchd's do;
 * -1 (said on stderr) when that key cannot be read. */
int vd_worker_key(const char *conf);
/* --- local.c: vouch-account's security check, run by the worker on the
 * tool's terminal: password, then a code (channel=any, with the other
 * ways), then the account phase; a PAM code.  reset_ok: a required new
 * password does not refuse (the command sets one). */
int vd_local_check(const char *user, bool reset_ok);
void vd_log(void *arg, int priority, const char *msg);

/* --- request.c: the hello frame into r; -1 with *why when malformed */
int vd_parse_hello(vd_req *r, const char **why);

/* --- conv.c: the conversation with the module, and its options */
/* Asks the person (PAM_PROMPT_ECHO_OFF or _ON); *answer is freed with
 * vouch_free_secret.  Returns a PAM code. */
int vd_ask(vd_req *r, int style, const char *prompt, char **answer);
/* Shows text (PAM_ERROR_MSG or PAM_TEXT_INFO), not with PAM_SILENT. */
void vd_say(vd_req *r, int style, const char *text);
/* Shows text whatever the flags. */
void vd_say_always(vd_req *r, int style, const char *text);
/* The module's item ("authtok", "oldauthtok", "session"); *out NULL when
 * unset.  Returns a PAM code. */
int vd_get_item(vd_req *r, const char *which, char **out);
int vd_set_item(vd_req *r, const char *which, const char *value);
/* Tells the client that a long wait goes on. */
void vd_alive(vd_req *r);
/* The options of the PAM line: debug, opts (NULL-name ended) and
 * SECTION.KEY=VALUE settings (root peers only); opens r->ctx.  Returns a
 * PAM code. */
int vd_open(vd_req *r, vd_opt *opts);
/* The user name, NULL (with *pam_rc set) when the module sent none. */
const char *vd_user(vd_req *r, int *pam_rc);
/* Milliseconds of the monotonic clock. */
long long vd_mono_ms(void);
/* vd_open, then vd_user: the user, or NULL with the PAM code in *pam_rc. */
const char *vd_open_user(vd_req *r, vd_opt *opts, int *pam_rc);
/* nonmember=ignore and user has no account (or a name no account can
 * have): the module steps aside with PAM_IGNORE.  Logged without the
 * name (often a password typed at the name prompt). */
bool vd_nonmember(vd_req *r, const char *user);

/* --- decoy.c: an unknown name's security check, answered as a member's
 * (vouch_rc as the core would return it) */
#define VD_DECOY_ID 16
typedef struct vd_decoy {
  unsigned char id[VD_DECOY_ID]; /* a keyed hash of the name */
} vd_decoy;

/* d for name (before any other call). */
void vd_decoy_init(vd_decoy *d, const char *name);
/* A code "sent" on ch (again: "r"), as vouch_code_request would answer
 * for a member: offered again, sent, or refused by a cap (info). */
vouch_rc vd_decoy_send(vd_decoy *d, vouch_ctx *ctx, vouch_channel ch,
                       bool again, vouch_code_info *info);
vouch_rc vd_decoy_code(vd_decoy *d, vouch_ctx *ctx, vouch_channel ch,
                       const char *answer);
vouch_rc vd_decoy_card(vd_decoy *d, vouch_ctx *ctx, const char *answer);
/* A member's code request took ms (sent: a code was sent), for the
 * decoy's pace. */
void vd_decoy_pace(bool sent, long long ms);
/* The decoy of name locked itself (as a member's account would). */
bool vd_decoy_locked(const char *name);

/* --- flow_card.c: the card number, asked until right, "a" or locked;
 * also a way of pam_vouch_otp channel=any.  decoy: the unknown name's
 * count, shared with the other ways of the same conversation. */
int vd_card_converse(vd_req *r, const char *user, const vouch_methods *m,
                     vd_decoy *decoy);

/* --- flow_*.c: one a module and phase; each returns a PAM code */
int vd_password_auth(vd_req *r);
int vd_password_account(vd_req *r);
int vd_password_change(vd_req *r);
int vd_otp_auth(vd_req *r);
int vd_card_auth(vd_req *r);
int vd_session_open(vd_req *r);
int vd_session_close(vd_req *r);
int vd_device_auth(vd_req *r);

/* --- qr.c: a QR code of text drawn with Unicode half blocks, lines
 * separated by newlines (none after the last); malloc'ed, NULL when text
 * does not fit one of at most max_cols columns (quiet zone included) or
 * out of memory. */
char *vd_qr_text(const char *text, unsigned max_cols);

#endif /* VOUCHD_H */
