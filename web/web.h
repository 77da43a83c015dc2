/*
 * web.h - what the parts of vouch-web share.  vouch-web parses HTTP from
 * the outside world, so it holds no key and opens no store: every answer
 * it gives comes from vouchd (web operations, VF_WEB), and what it adds is
 * the page: the member's language, the form, its CSRF token and the
 * headers every answer carries.
 */
#ifndef VOUCH_WEB_H
#define VOUCH_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "vouch_client.h"

#define WEB_BODY_MAX 8192  /* bytes of a form body */
#define WEB_FIELDS_MAX 8   /* fields of a form */
#define WEB_VALUE_MAX 4096 /* bytes of one decoded value */

/* ------------------------------------------------------------ form.c */

/* A decoded application/x-www-form-urlencoded body. */
typedef struct web_form {
  unsigned n;
  char *name[WEB_FIELDS_MAX];
  char *value[WEB_FIELDS_MAX]; /* may hold a password: wiped */
} web_form;

/* Parses body[0..len) into f: at most WEB_FIELDS_MAX fields named
 * [a-z0-9_] (each once), values valid UTF-8 without control characters.
 * NULL, or why it was refused (f is then empty). */
const char *web_form_parse(const char *body, size_t len, web_form *f);
/* The value of name, or NULL. */
const char *web_form_get(const web_form *f, const char *name);
/* true when every field's name is one of names (NULL-ended). */
bool web_form_only(const web_form *f, const char *const *names);
void web_form_free(web_form *f);
/* A query or form value: valid UTF-8 of at most max bytes, no control
 * characters. */
bool web_value_ok(const char *v, size_t max);

/* ------------------------------------------------------------ text.c */

typedef enum {
  W_SITE,
  W_RESET_TITLE,
  W_RESET_INTRO,
  W_NEW_PW,
  W_NEW_PW2,
  W_CONTINUE,
  W_DONE_TITLE,
  W_DONE_TEXT,
  W_EXPIRED_TITLE,
  W_EXPIRED_TEXT,
  W_INVALID_TITLE,
  W_INVALID_TEXT,
  W_MISMATCH,
  W_SHORT, /* %s: the least number of characters */
  W_LONG,
  W_REUSED,
  W_BAD_CHARS,
  W_ERROR_TITLE,
  W_ERROR_TEXT,
  W_NOTFOUND_TITLE,
  W_NOTFOUND_TEXT,
  W_BADFORM_TITLE,
  W_BADFORM_TEXT,
  W_FORBIDDEN_TITLE,
  W_FORBIDDEN_TEXT,
  W_TOOLARGE_TEXT,
  W_METHOD_TEXT,
  W_FORGOT_TITLE,
  W_FORGOT_INTRO,
  W_WHO,
  W_WHO_BAD,
  W_SENT_TITLE,
  W_SENT_EMAIL,
  W_SENT_SMS,
  W_CODE,
  W_CODE_WRONG,
  W_CODE_STALE,
  W_CODE_BAD,
  W_LOCKED,
  W_RATE_TITLE,
  W_RATE_TEXT,
  W_ASK_NEW,
  W_EXPORT_TITLE,
  W_EXPORT_INTRO,
  W_CURRENT_PW,
  W_EXPORT_CONFIRM,
  W_EXPORT_CANCEL_INTRO,
  W_EXPORT_CANCEL,
  W_EXPORT_DONE_TITLE,
  W_EXPORT_DONE_TEXT,
  W_EXPORT_CANCELLED_TITLE,
  W_EXPORT_CANCELLED_TEXT,
  W_EXPORT_GONE_TEXT,
  W_PW_WRONG,
  W_DOWNLOAD_TITLE,
  W_DOWNLOAD_INTRO,
  W_USER,
  W_PASSWORD,
  W_DOWNLOAD,
  W_DOWNLOAD_GONE,
  W_SIGNIN_WRONG,
  W_REUSED_AGAIN,
  W_TV_TITLE,
  W_TV_INTRO,
  W_TV_CODE,
  W_TV_CODE_BAD,
  W_CHECK_TITLE,
  W_CHECK_EMAIL,
  W_CHECK_SMS,
  W_CHECK_AGAIN,
  W_CHECK_RESENT,
  W_CHECK_CARD,
  W_CARD,
  W_CARD_BAD,
  W_CARD_WRONG,
  W_CHECK_WRONG,
  W_CHECK_BADCODE,
  W_RESEND,
  W_ANOTHER,
  W_WAY_EMAIL,
  W_WAY_SMS,
  W_WAY_CARD,
  W_CODE_WAIT,
  W_CODE_CAPPED,
  W_SEND_FAILED,
  W_NOWAY_TITLE,
  W_NOWAY_TEXT,
  W_RESETREQ_TITLE,
  W_RESETREQ_TEXT,
  W_ENDED_TEXT,
  W_TV_STALE_TITLE,
  W_TV_STALE_TEXT,
  W_START_AGAIN,
  W_APPROVE_TITLE,
  W_APPROVE_TEXT,
  W_APPROVE,
  W_DENY,
  W_APPROVED_TITLE,
  W_APPROVED_TEXT,
  W_DENIED_TITLE,
  W_DENIED_TEXT,
  W_DEVICE_UNKNOWN,
  W_DEVICE_RATE,
  W_TV_FORGOT,
  W_ISLOCKED_TITLE,
  W_ISLOCKED_TEXT,
  W_COUNT
} web_text;

#define WEB_LANGS 5
extern const char *const web_langs[WEB_LANGS]; /* en da nl sv ms */

/* The text in lang (a code of web_langs; anything else: English). */
const char *web_text_get(const char *lang, web_text t);
/* The first language of an Accept-Language header that vouch speaks (by
 * q-value), else "en". */
const char *web_lang_accept(const char *header);
/* fmt with its one "%s" replaced by value, into buf. */
void web_text_fill(char *buf, size_t len, const char *fmt, const char *value);
/* lang when vouch speaks it, else NULL. */
const char *web_lang_known(const char *lang);

/* ------------------------------------------------------------ page.c */

/* A page being written: HTML in the member's language. */
typedef struct web_page {
  int status;
  const char *lang;
  char *buf;
  size_t len, cap;
  bool failed; /* out of memory: the page is replaced by a plain 500 */
} web_page;

void web_page_start(web_page *p, int status, const char *lang,
                    const char *prefix, web_text title);
void web_page_raw(web_page *p, const char *s);
/* Text with <, >, &, " and ' escaped. */
void web_page_text(web_page *p, const char *s);
/* <p class="cls">text</p> (cls may be NULL). */
void web_page_para(web_page *p, const char *cls, const char *text);
/* <p><a href="PREFIX/path?code=CODE">text</a></p>, without the query
 * when code is NULL or empty (a device's code: letters, digits, "-"). */
void web_page_link(web_page *p, const char *prefix, const char *path,
                   const char *code, const char *text);
void web_page_end(web_page *p);
void web_page_free(web_page *p);

/* The stylesheet (one, small: no JavaScript anywhere). */
extern const char web_style_css[];

/* ------------------------------------------------------------ csrf.c */

#define WEB_CSRF_MAX 96

/* A token that binds a form to what (e.g. the path and the reset token)
 * for two hours, from a secret this process made at start. */
int web_csrf_init(void);
void web_csrf_make(const char *what, char out[WEB_CSRF_MAX]);
bool web_csrf_check(const char *what, const char *token);

/* ------------------------------------------------------- vouch-web.c */

/* The path of [web] base_url without its last "/": every route's prefix. */
extern char web_prefix[256];

/* Sends p (then freed) with the headers every answer carries. */
enum MHD_Result web_send_page(struct MHD_Connection *c, web_page *p,
                              const char *allow);
/* A page of a title and one paragraph. */
enum MHD_Result web_send_note(struct MHD_Connection *c, int status,
                              const char *lang, web_text title, web_text text,
                              const char *allow);
/* A page of a title, a text and a link to path (with ?code=code when
 * code is set: web_page_link). */
enum MHD_Result web_link_page(struct MHD_Connection *c, int status,
                              const char *lang, web_text title, web_text text,
                              const char *path, const char *code,
                              web_text link);
/* 403 (a wrong or missing CSRF token) and 400 (a malformed form). */
enum MHD_Result web_forbidden(struct MHD_Connection *c, const char *lang);
enum MHD_Result web_bad_form(struct MHD_Connection *c, const char *lang);
/* The form's CSRF token is right for what; a refusal is logged. */
bool web_csrf_ok(const web_form *f, const char *what);
/* One web operation of vouchd: the answer's status, or NULL when vouchd
 * could not be asked (logged). */
const char *web_ask(const char *op, const char *const *args, unsigned n,
                    vouch_frame *ans);
/* The answer's field after name, or NULL. */
const char *web_ans_get(const vouch_frame *ans, const char *name);
/* The account's language when vouchd named one (st not NULL), else lang. */
const char *web_answer_lang(const char *st, const vouch_frame *ans,
                            const char *lang);
/* A link's token: URL-safe base64 of a sane length. */
bool web_token_ok(const char *t);
/* A labelled input (type, and extra attributes as HTML), required. */
void web_field(web_page *p, const char *lang, const char *name, web_text label,
               const char *type, const char *extra);
/* <form method="post" action="PREFIX/path"> with its CSRF token for
 * what, and the hidden fields (name, value pairs, NULL-ended). */
void web_form_start(web_page *p, const char *path, const char *what,
                    const char *const *hidden);
/* The submit button (label, class cls or NULL) and the form's end. */
void web_form_button(web_page *p, const char *lang, web_text label,
                     const char *cls);
/* A page with its title, an error (may be NULL) and an introduction. */
void web_form_page(web_page *p, int status, const char *lang, web_text title,
                   const char *error, web_text intro);
/* The "Continue" button and the form's end. */
void web_form_end(web_page *p, const char *lang);

/* ------------------------------------------------------------- tv.c */

/* GET /tv (?code= prefilled) and POST /tv, /tv/check, /tv/approve. */
enum MHD_Result web_tv_get(struct MHD_Connection *c, const char *lang);
enum MHD_Result web_tv_post(struct MHD_Connection *c, const char *path,
                            const char *lang, const web_form *f);

#endif /* VOUCH_WEB_H */
