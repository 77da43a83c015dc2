/*
 * vouch-web - the member pages that emails and TVs point to (SPEC 8),
 * served with GNU libmicrohttpd on [web] listen (loopback; nginx in front
 * brings TLS and the public name).  A client of vouchd like the modules:
 * it holds no key, opens no store, and asks vouchd for every decision
 * (web operations, allowed to [web] user only).  What it owns is the
 * page: language, form, CSRF token, and the headers of every answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "web.h"

#ifndef VOUCH_VERSION
#define VOUCH_VERSION "0"
#endif

#define CONN_LIMIT 256    /* connections served at once */
#define CONN_TIMEOUT 15   /* seconds of silence before a connection ends */
#define CONN_MEMORY 32768 /* bytes of headers and buffers a connection */
#define TOKEN_MIN 16      /* characters of a link's token, at least */
#define TOKEN_MAX 128

static const char usage_text[] =
    "Usage: vouch-web [--config FILE]\n"
    "       vouch-web --help | --version\n"
    "\n"
    "Serves the member pages (password reset links) on [web] listen of\n"
    "FILE (default /etc/vouch/vouch.conf) as a client of vouchd; see\n"
    "vouch-web(8).  Runs in the foreground, logs to stderr and syslog;\n"
    "SIGTERM ends it.\n";

static vouch_client_conf g_conf;
char web_prefix[256];      /* the path of [web] base_url, without the / */
static char g_origin[256]; /* scheme://host[:port] of [web] base_url */

static void say(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(int priority, const char *fmt, ...)
{
  char buf[512];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  syslog(priority, "%s", buf);
  fprintf(stderr, "vouch-web: %s\n", buf);
}

/* ------------------------------------------------------------ answers */

static bool add_headers(struct MHD_Response *r, const char *type,
                        const char *lang, bool cache)
{
  bool ok = true;

  ok &= MHD_add_response_header(r, "Content-Type", type) == MHD_YES;
  ok &= MHD_add_response_header(
            r, "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'") ==
        MHD_YES;
  ok &=
      MHD_add_response_header(r, "Referrer-Policy", "no-referrer") == MHD_YES;
  ok &= MHD_add_response_header(r, "X-Frame-Options", "DENY") == MHD_YES;
  ok &= MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") ==
        MHD_YES;
  ok &= MHD_add_response_header(r, "Cross-Origin-Opener-Policy",
                                "same-origin") == MHD_YES;
  ok &= MHD_add_response_header(r, "Cross-Origin-Resource-Policy",
                                "same-origin") == MHD_YES;
  ok &= MHD_add_response_header(r, "Cache-Control",
                                cache ? "public, max-age=3600" : "no-store") ==
        MHD_YES;
  if(lang)
    ok &= MHD_add_response_header(r, "Content-Language", lang) == MHD_YES;
  return ok;
}

static enum MHD_Result send_bytes(struct MHD_Connection *c, int status,
                                  const char *type, const char *lang,
                                  const char *body, size_t len, bool cache,
                                  const char *allow)
{
  struct MHD_Response *r;
  enum MHD_Result ret;

  r = MHD_create_response_from_buffer(len, (void *)body,
                                      MHD_RESPMEM_MUST_COPY);
  if(!r)
    return MHD_NO;
  if(!add_headers(r, type, lang, cache) ||
     (allow && MHD_add_response_header(r, "Allow", allow) != MHD_YES)) {
    MHD_destroy_response(r);
    return MHD_NO;
  }
  ret = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ret;
}

enum MHD_Result web_send_page(struct MHD_Connection *c, web_page *p,
                              const char *allow)
{
  static const char oom[] = "<!doctype html><title>500</title>"
                            "<h1>Internal error</h1>\n";
  enum MHD_Result ret;

  if(p->failed)
    ret = send_bytes(c, 500, "text/html; charset=utf-8", "en", oom,
                     sizeof(oom) - 1, false, NULL);
  else
    ret = send_bytes(c, p->status, "text/html; charset=utf-8", p->lang, p->buf,
                     p->len, false, allow);
  web_page_free(p);
  return ret;
}

/* A page of a title and one paragraph. */
enum MHD_Result web_send_note(struct MHD_Connection *c, int status,
                              const char *lang, web_text title, web_text text,
                              const char *allow)
{
  web_page p;

  web_page_start(&p, status, lang, web_prefix, title);
  web_page_para(&p, NULL, web_text_get(lang, text));
  web_page_end(&p);
  return web_send_page(c, &p, allow);
}

enum MHD_Result web_link_page(struct MHD_Connection *c, int status,
                              const char *lang, web_text title, web_text text,
                              const char *path, const char *code,
                              web_text link)
{
  web_page p;

  web_page_start(&p, status, lang, web_prefix, title);
  web_page_para(&p, NULL, web_text_get(lang, text));
  web_page_link(&p, web_prefix, path, code, web_text_get(lang, link));
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

/* A form's CSRF token for what; a refusal is logged. */
bool web_csrf_ok(const web_form *f, const char *what)
{
  if(web_csrf_check(what, web_form_get(f, "csrf")))
    return true;
  say(LOG_NOTICE, "a form with a wrong or expired CSRF token refused");
  return false;
}

enum MHD_Result web_forbidden(struct MHD_Connection *c, const char *lang)
{
  return web_send_note(c, 403, lang, W_FORBIDDEN_TITLE, W_FORBIDDEN_TEXT,
                       NULL);
}

enum MHD_Result web_bad_form(struct MHD_Connection *c, const char *lang)
{
  return web_send_note(c, 400, lang, W_BADFORM_TITLE, W_BADFORM_TEXT, NULL);
}

/* ------------------------------------------------------------- vouchd */

/* One web operation; the answer's status ("ok", "stale", ...), or NULL
 * when vouchd could not be asked (logged). */
const char *web_ask(const char *op, const char *const *args, unsigned n,
                    vouch_frame *ans)
{
  char err[256];

  if(vouch_client_web(&g_conf, op, args, n, ans, err, sizeof(err))) {
    say(LOG_ERR, "%s", err);
    return NULL;
  }
  return ans->field[0];
}

/* The answer's field after name ("lang", "min"), or NULL. */
const char *web_ans_get(const vouch_frame *ans, const char *name)
{
  unsigned i;

  for(i = 1; i + 1 < ans->nfields; i += 2)
    if(!strcmp(ans->field[i], name))
      return ans->field[i + 1];
  return NULL;
}

/* ------------------------------------------------------------- /reset */

bool web_token_ok(const char *t)
{
  size_t len = t ? strlen(t) : 0, i;

  if(len < TOKEN_MIN || len > TOKEN_MAX)
    return false;
  for(i = 0; i < len; i++)
    if(!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
         (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_'))
      return false;
  return true;
}

static void reset_what(const char *token, char *what, size_t len)
{
  snprintf(what, len, "reset|%s", token);
}

/* The form to choose a new password; error (may be NULL) above it. */
static enum MHD_Result reset_form(struct MHD_Connection *c, int status,
                                  const char *lang, const char *token,
                                  const char *error);

/* The page for a status vouchd gave about a token that is not usable. */
static enum MHD_Result token_gone(struct MHD_Connection *c, const char *st,
                                  const char *lang)
{
  if(st && !strcmp(st, "stale"))
    return web_link_page(c, 410, lang, W_EXPIRED_TITLE, W_EXPIRED_TEXT,
                         "/forgot", NULL, W_ASK_NEW);
  if(st && !strcmp(st, "invalid"))
    return web_send_note(c, 404, lang, W_INVALID_TITLE, W_INVALID_TEXT, NULL);
  return web_send_note(c, 503, lang, W_ERROR_TITLE, W_ERROR_TEXT, NULL);
}

const char *web_answer_lang(const char *st, const vouch_frame *ans,
                            const char *lang)
{
  const char *l = st ? web_lang_known(web_ans_get(ans, "lang")) : NULL;

  return l ? l : lang;
}

typedef enum MHD_Result (*gone_page)(struct MHD_Connection *c, const char *st,
                                     const char *lang);
typedef enum MHD_Result (*token_form)(struct MHD_Connection *c, int status,
                                      const char *lang, const char *token,
                                      const char *error);

/* GET of a page a link's token opens: vouchd checks the token with op
 * (nothing is used up); its form, or gone's page.  The account's
 * language when vouchd names it. */
static enum MHD_Result token_get(struct MHD_Connection *c, const char *lang,
                                 const char *op, gone_page gone,
                                 token_form form)
{
  const char *token, *st, *args[1];
  vouch_frame ans;

  token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
  if(!web_token_ok(token))
    return web_send_note(c, 404, lang, W_INVALID_TITLE, W_INVALID_TEXT, NULL);
  args[0] = token;
  st = web_ask(op, args, 1, &ans);
  lang = web_answer_lang(st, &ans, lang);
  if(!st || strcmp(st, "ok"))
    return gone(c, st, lang);
  return form(c, 200, lang, token, NULL);
}

/* GET /reset?token=T: the form when the link is good.  Nothing is used
 * up: mail scanners open links before members do. */
static enum MHD_Result reset_get(struct MHD_Connection *c, const char *lang)
{
  return token_get(c, lang, "reset.check", token_gone, reset_form);
}

/* What vouchd said of a refused new password, in lang. */
static const char *refusal(const char *st, const vouch_frame *ans,
                           const char *lang, char *buf, size_t len)
{
  const char *min = web_ans_get(ans, "min");

  if(!strcmp(st, "short")) {
    web_text_fill(buf, len, web_text_get(lang, W_SHORT),
                  min && strlen(min) < 6 ? min : "8");
    return buf;
  }
  if(!strcmp(st, "long"))
    return web_text_get(lang, W_LONG);
  if(!strcmp(st, "reused"))
    return web_text_get(lang, W_REUSED);
  if(!strcmp(st, "badchars"))
    return web_text_get(lang, W_BAD_CHARS);
  return NULL;
}

/* POST /reset: token, csrf, password, password2. */
static enum MHD_Result reset_post(struct MHD_Connection *c, const char *lang,
                                  const web_form *f)
{
  static const char *const fields[] = {"csrf", "token", "password",
                                       "password2", NULL};
  const char *token = web_form_get(f, "token"), *pw, *pw2, *st, *args[2];
  char what[TOKEN_MAX + 16], buf[256];
  const char *why;
  vouch_frame ans;
  enum MHD_Result ret;

  pw = web_form_get(f, "password");
  pw2 = web_form_get(f, "password2");
  if(!web_form_only(f, fields) || !web_token_ok(token) || !pw || !pw2)
    return web_bad_form(c, lang);
  reset_what(token, what, sizeof(what));
  if(!web_csrf_ok(f, what))
    return web_forbidden(c, lang);
  if(strcmp(pw, pw2)) {
    /* The form again, in the account's language (as vouchd names it). */
    args[0] = token;
    st = web_ask("reset.check", args, 1, &ans);
    lang = web_answer_lang(st, &ans, lang);
    if(!st || strcmp(st, "ok"))
      return token_gone(c, st, lang);
    return reset_form(c, 400, lang, token, web_text_get(lang, W_MISMATCH));
  }
  args[0] = token;
  args[1] = pw;
  st = web_ask("reset.complete", args, 2, &ans);
  lang = web_answer_lang(st, &ans, lang);
  if(st && !strcmp(st, "ok"))
    ret = web_send_note(c, 200, lang, W_DONE_TITLE, W_DONE_TEXT, NULL);
  else if(st && (why = refusal(st, &ans, lang, buf, sizeof(buf))) != NULL)
    ret = reset_form(c, 400, lang, token, why);
  else
    ret = token_gone(c, st, lang);
  vouch_frame_wipe(&ans);
  return ret;
}

/* ------------------------------------------------------------ /forgot */

/* A labelled input. */
void web_field(web_page *p, const char *lang, const char *name, web_text label,
               const char *type, const char *extra)
{
  web_page_raw(p, "<label for=\"");
  web_page_text(p, name);
  web_page_raw(p, "\">");
  web_page_text(p, web_text_get(lang, label));
  web_page_raw(p, "</label>\n<input id=\"");
  web_page_text(p, name);
  web_page_raw(p, "\" name=\"");
  web_page_text(p, name);
  web_page_raw(p, "\" type=\"");
  web_page_text(p, type);
  web_page_raw(p, "\" ");
  web_page_raw(p, extra);
  web_page_raw(p, " required>\n");
}

/* <form method="post" action="PREFIX/path"> with its CSRF token for
 * what, and the hidden fields (name, value pairs, NULL-ended). */
void web_form_start(web_page *p, const char *path, const char *what,
                    const char *const *hidden)
{
  char csrf[WEB_CSRF_MAX];

  web_csrf_make(what, csrf);
  web_page_raw(p, "<form method=\"post\" action=\"");
  web_page_text(p, web_prefix);
  web_page_text(p, path);
  web_page_raw(p, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
  web_page_text(p, csrf);
  web_page_raw(p, "\">\n");
  for(; hidden && hidden[0]; hidden += 2) {
    web_page_raw(p, "<input type=\"hidden\" name=\"");
    web_page_text(p, hidden[0]);
    web_page_raw(p, "\" value=\"");
    web_page_text(p, hidden[1]);
    web_page_raw(p, "\">\n");
  }
}

/* The submit button (label, class cls or NULL) and the form's end. */
void web_form_button(web_page *p, const char *lang, web_text label,
                     const char *cls)
{
  web_page_raw(p, "<button type=\"submit\"");
  if(cls) {
    web_page_raw(p, " class=\"");
    web_page_text(p, cls);
    web_page_raw(p, "\"");
  }
  web_page_raw(p, ">");
  web_page_text(p, web_text_get(lang, label));
  web_page_raw(p, "</button>\n</form>\n");
}

/* A page with its title, an error (may be NULL) and an introduction. */
void web_form_page(web_page *p, int status, const char *lang, web_text title,
                   const char *error, web_text intro)
{
  web_page_start(p, status, lang, web_prefix, title);
  if(error)
    web_page_para(p, "error", error);
  web_page_para(p, NULL, web_text_get(lang, intro));
}

void web_form_end(web_page *p, const char *lang)
{
  web_form_button(p, lang, W_CONTINUE, NULL);
}

static enum MHD_Result forgot_form(struct MHD_Connection *c, int status,
                                   const char *lang, const char *error)
{
  web_page p;

  web_page_start(&p, status, lang, web_prefix, W_FORGOT_TITLE);
  if(error)
    web_page_para(&p, "error", error);
  web_page_para(&p, NULL, web_text_get(lang, W_FORGOT_INTRO));
  web_form_start(&p, "/forgot", "forgot", NULL);
  web_field(&p, lang, "who", W_WHO, "text",
            "autocomplete=\"username\" maxlength=\"254\"");
  web_form_end(&p, lang);
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

static void what_of(const char *who, char *what, size_t len)
{
  snprintf(what, len, "forgot|%s", who);
}

/* The page for the SMS code and the new password. */
static enum MHD_Result code_form(struct MHD_Connection *c, int status,
                                 const char *lang, const char *who,
                                 const char *error)
{
  const char *hidden[] = {"who", who, NULL};
  char what[320];
  web_page p;

  what_of(who, what, sizeof(what));
  web_form_page(&p, status, lang, W_SENT_TITLE, error, W_SENT_SMS);
  web_form_start(&p, "/forgot/code", what, hidden);
  web_field(&p, lang, "code", W_CODE, "text",
            "inputmode=\"numeric\" autocomplete=\"one-time-code\" "
            "maxlength=\"10\"");
  web_field(&p, lang, "password", W_NEW_PW, "password",
            "autocomplete=\"new-password\"");
  web_field(&p, lang, "password2", W_NEW_PW2, "password",
            "autocomplete=\"new-password\"");
  web_form_end(&p, lang);
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

static enum MHD_Result reset_form(struct MHD_Connection *c, int status,
                                  const char *lang, const char *token,
                                  const char *error)
{
  const char *hidden[] = {"token", token, NULL};
  char what[TOKEN_MAX + 16];
  web_page p;

  reset_what(token, what, sizeof(what));
  web_form_page(&p, status, lang, W_RESET_TITLE, error, W_RESET_INTRO);
  web_form_start(&p, "/reset", what, hidden);
  web_field(&p, lang, "password", W_NEW_PW, "password",
            "autocomplete=\"new-password\"");
  web_field(&p, lang, "password2", W_NEW_PW2, "password",
            "autocomplete=\"new-password\"");
  web_form_end(&p, lang);
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

/* The forgot pages answer no sooner than this after the request came:
 * whether an account has the address, and what vouchd did for it, does
 * not show in the time. */
#define FORGOT_PAD_MS 2000

static long long mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pad_from(long long start)
{
  struct timespec nap;
  long long left;
  int i;

  for(i = 0; i < 100; i++) {
    left = start + FORGOT_PAD_MS - mono_ms();
    if(left <= 0)
      return;
    nap.tv_sec = (time_t)(left / 1000);
    nap.tv_nsec = (long)(left % 1000) * 1000000L;
    nanosleep(&nap, NULL);
  }
}

/* POST /forgot: who.  The same page whether or not an account has it. */
static enum MHD_Result forgot_post(struct MHD_Connection *c, const char *lang,
                                   const web_form *f)
{
  static const char *const fields[] = {"csrf", "who", NULL};
  const char *who = web_form_get(f, "who"), *st, *args[1];
  long long start = mono_ms();
  vouch_frame ans;

  if(!web_form_only(f, fields) || !who)
    return web_bad_form(c, lang);
  if(!web_csrf_ok(f, "forgot"))
    return web_forbidden(c, lang);
  if(strlen(who) > 254)
    return forgot_form(c, 400, lang, web_text_get(lang, W_WHO_BAD));
  args[0] = who;
  st = web_ask("forgot", args, 1, &ans);
  pad_from(start);
  if(st && !strcmp(st, "email"))
    return web_send_note(c, 200, lang, W_SENT_TITLE, W_SENT_EMAIL, NULL);
  if(st && !strcmp(st, "sms"))
    return code_form(c, 200, lang, who, NULL);
  if(st && !strcmp(st, "invalid"))
    return forgot_form(c, 400, lang, web_text_get(lang, W_WHO_BAD));
  if(st && !strcmp(st, "rate"))
    return web_send_note(c, 429, lang, W_RATE_TITLE, W_RATE_TEXT, NULL);
  return web_send_note(c, 503, lang, W_ERROR_TITLE, W_ERROR_TEXT, NULL);
}

/* What vouchd said of a code answer, in lang (NULL: nothing to say). */
static const char *code_refusal(const char *st, const vouch_frame *ans,
                                const char *lang, char *buf, size_t len)
{
  if(!strcmp(st, "wrong"))
    return web_text_get(lang, W_CODE_WRONG);
  if(!strcmp(st, "badcode"))
    return web_text_get(lang, W_CODE_BAD);
  return refusal(st, ans, lang, buf, len);
}

/* POST /forgot/code: who, code, password, password2. */
static enum MHD_Result code_post(struct MHD_Connection *c, const char *lang,
                                 const web_form *f)
{
  static const char *const fields[] = {"csrf",     "who",       "code",
                                       "password", "password2", NULL};
  const char *who = web_form_get(f, "who"), *code = web_form_get(f, "code");
  const char *pw = web_form_get(f, "password");
  const char *pw2 = web_form_get(f, "password2"), *st, *why, *args[3];
  char what[320], buf[256];
  long long start = mono_ms();
  vouch_frame ans;
  enum MHD_Result ret;

  if(!web_form_only(f, fields) || !who || !code || !pw || !pw2 ||
     strlen(who) > 254 || strlen(code) > 16)
    return web_bad_form(c, lang);
  what_of(who, what, sizeof(what));
  if(!web_csrf_ok(f, what))
    return web_forbidden(c, lang);
  if(strcmp(pw, pw2))
    return code_form(c, 400, lang, who, web_text_get(lang, W_MISMATCH));
  args[0] = who;
  args[1] = code;
  args[2] = pw;
  st = web_ask("forgot.complete", args, 3, &ans);
  pad_from(start);
  if(st && !strcmp(st, "ok"))
    ret = web_send_note(c, 200, lang, W_DONE_TITLE, W_DONE_TEXT, NULL);
  else if(st && !strcmp(st, "reused-again"))
    ret = forgot_form(c, 400, lang, web_text_get(lang, W_REUSED_AGAIN));
  else if(st && (why = code_refusal(st, &ans, lang, buf, sizeof(buf))))
    ret = code_form(c, 400, lang, who, why);
  else
    ret = web_send_note(c, 503, lang, W_ERROR_TITLE, W_ERROR_TEXT, NULL);
  vouch_frame_wipe(&ans);
  return ret;
}

/* ------------------------------------------------------------ /export */

static void export_what(const char *token, char *what, size_t len)
{
  snprintf(what, len, "export|%s", token);
}

/* The confirmation form (current password), and the way to cancel. */
static enum MHD_Result export_form(struct MHD_Connection *c, int status,
                                   const char *lang, const char *token,
                                   const char *error)
{
  const char *hidden[] = {"token", token, NULL};
  char what[TOKEN_MAX + 16];
  web_page p;

  export_what(token, what, sizeof(what));
  web_form_page(&p, status, lang, W_EXPORT_TITLE, error, W_EXPORT_INTRO);
  web_form_start(&p, "/export/confirm", what, hidden);
  web_field(&p, lang, "password", W_CURRENT_PW, "password",
            "autocomplete=\"current-password\"");
  web_form_button(&p, lang, W_EXPORT_CONFIRM, NULL);
  web_page_para(&p, NULL, web_text_get(lang, W_EXPORT_CANCEL_INTRO));
  web_form_start(&p, "/export/cancel", what, hidden);
  web_form_button(&p, lang, W_EXPORT_CANCEL, "quiet");
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

/* A token vouchd says is used or expired ("stale": title and text, 410),
 * or not usable otherwise. */
static enum MHD_Result gone(struct MHD_Connection *c, const char *st,
                            const char *lang, web_text title, web_text text)
{
  if(st && !strcmp(st, "stale"))
    return web_send_note(c, 410, lang, title, text, NULL);
  return token_gone(c, st, lang);
}

/* A status vouchd gave about an export token that is not usable. */
static enum MHD_Result export_gone(struct MHD_Connection *c, const char *st,
                                   const char *lang)
{
  return gone(c, st, lang, W_EXPORT_TITLE, W_EXPORT_GONE_TEXT);
}

/* GET /export/confirm?token=T: nothing is used up. */
static enum MHD_Result export_get(struct MHD_Connection *c, const char *lang)
{
  return token_get(c, lang, "export.check", export_gone, export_form);
}

/* POST /export/confirm (token, password) or /export/cancel (token). */
static enum MHD_Result export_post(struct MHD_Connection *c, const char *lang,
                                   const web_form *f, bool cancel)
{
  static const char *const fields[] = {"csrf", "token", "password", NULL};
  const char *token = web_form_get(f, "token");
  const char *pw = web_form_get(f, "password"), *st, *args[2];
  char what[TOKEN_MAX + 16];
  vouch_frame ans;
  enum MHD_Result ret;

  if(!web_form_only(f, fields) || !web_token_ok(token) || (!cancel && !pw))
    return web_bad_form(c, lang);
  export_what(token, what, sizeof(what));
  if(!web_csrf_ok(f, what))
    return web_forbidden(c, lang);
  args[0] = token;
  args[1] = pw;
  st = web_ask(cancel ? "export.cancel" : "export.confirm", args,
               cancel ? 1 : 2, &ans);
  lang = web_answer_lang(st, &ans, lang);
  if(st && !strcmp(st, "ok"))
    ret = cancel ? web_send_note(c, 200, lang, W_EXPORT_CANCELLED_TITLE,
                                 W_EXPORT_CANCELLED_TEXT, NULL)
                 : web_send_note(c, 200, lang, W_EXPORT_DONE_TITLE,
                                 W_EXPORT_DONE_TEXT, NULL);
  else if(st && !strcmp(st, "wrong"))
    ret = export_form(c, 400, lang, token, web_text_get(lang, W_PW_WRONG));
  else if(st && !strcmp(st, "locked"))
    ret = web_send_note(c, 403, lang, W_ERROR_TITLE, W_LOCKED, NULL);
  else
    ret = export_gone(c, st, lang);
  vouch_frame_wipe(&ans);
  return ret;
}

/* The sign-in form of a download. */
static enum MHD_Result download_form(struct MHD_Connection *c, int status,
                                     const char *lang, const char *token,
                                     const char *error)
{
  const char *hidden[] = {"token", token, NULL};
  char what[TOKEN_MAX + 16];
  web_page p;

  snprintf(what, sizeof(what), "download|%s", token);
  web_form_page(&p, status, lang, W_DOWNLOAD_TITLE, error, W_DOWNLOAD_INTRO);
  web_form_start(&p, "/export/download", what, hidden);
  web_field(&p, lang, "user", W_USER, "text",
            "autocomplete=\"username\" maxlength=\"64\"");
  web_field(&p, lang, "password", W_PASSWORD, "password",
            "autocomplete=\"current-password\"");
  web_form_button(&p, lang, W_DOWNLOAD, NULL);
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

static enum MHD_Result download_gone(struct MHD_Connection *c, const char *st,
                                     const char *lang)
{
  return gone(c, st, lang, W_DOWNLOAD_TITLE, W_DOWNLOAD_GONE);
}

/* GET /export/download?token=T: the sign-in form while the copy is kept. */
static enum MHD_Result download_get(struct MHD_Connection *c, const char *lang)
{
  return token_get(c, lang, "export.dlcheck", download_gone, download_form);
}

/* The archive vouchd opened, as the answer (MHD closes fd). */
static enum MHD_Result send_file(struct MHD_Connection *c, int fd,
                                 const vouch_frame *ans)
{
  const char *size = web_ans_get(ans, "size"),
             *name = web_ans_get(ans, "name");
  struct MHD_Response *r;
  enum MHD_Result ret;
  char disp[128];
  long long n;
  char *end;

  n = size ? strtoll(size, &end, 10) : -1;
  if(n < 0 || (size && *end) || !name || strlen(name) > 80 ||
     strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(name)) {
    close(fd);
    return MHD_NO;
  }
  r = MHD_create_response_from_fd((uint64_t)n, fd);
  if(!r) {
    close(fd);
    return MHD_NO;
  }
  snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
  if(!add_headers(r, "application/json; charset=utf-8", NULL, false) ||
     MHD_add_response_header(r, "Content-Disposition", disp) != MHD_YES) {
    MHD_destroy_response(r);
    return MHD_NO;
  }
  ret = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ret;
}

/* POST /export/download: token, user, password. */
static enum MHD_Result download_post(struct MHD_Connection *c,
                                     const char *lang, const web_form *f)
{
  static const char *const fields[] = {"csrf", "token", "user", "password",
                                       NULL};
  const char *token = web_form_get(f, "token"), *st, *args[3];
  const char *user = web_form_get(f, "user");
  const char *pw = web_form_get(f, "password");
  char what[TOKEN_MAX + 16], err[256];
  vouch_frame ans;
  enum MHD_Result ret;
  int fd = -1;

  if(!web_form_only(f, fields) || !web_token_ok(token) || !user || !pw ||
     strlen(user) > 64)
    return web_bad_form(c, lang);
  snprintf(what, sizeof(what), "download|%s", token);
  if(!web_csrf_ok(f, what))
    return web_forbidden(c, lang);
  args[0] = token;
  args[1] = user;
  args[2] = pw;
  st = NULL;
  if(vouch_client_web_fd(&g_conf, "export.download", args, 3, &ans, &fd, err,
                         sizeof(err)))
    say(LOG_ERR, "%s", err);
  else
    st = ans.field[0];
  lang = web_answer_lang(st, &ans, lang);
  if(st && !strcmp(st, "ok") && fd >= 0) {
    ret = send_file(c, fd, &ans);
    fd = -1;
  }
  else if(st && !strcmp(st, "wrong"))
    ret =
        download_form(c, 400, lang, token, web_text_get(lang, W_SIGNIN_WRONG));
  else if(st && !strcmp(st, "locked"))
    ret = web_send_note(c, 403, lang, W_ERROR_TITLE, W_LOCKED, NULL);
  else
    ret = download_gone(c, st, lang);
  if(fd >= 0)
    close(fd);
  vouch_frame_wipe(&ans);
  return ret;
}

/* ------------------------------------------------------------ routing */

/* A request being read: the form body, bounded. */
struct req {
  size_t len;
  bool too_large;
  char body[WEB_BODY_MAX + 1];
};

/* Printable ASCII only: what may go into a log line as it is. */
static bool printable(const char *s)
{
  for(; *s; s++)
    if(*s < 0x20 || *s > 0x7e)
      return false;
  return true;
}

/* POST from a page of ours, as far as the browser tells: Sec-Fetch-Site
 * (when sent) is same-origin, and Origin (when sent) is ours.  Under
 * Referrer-Policy no-referrer browsers send "Origin: null" with a form
 * of the same site, as a sandboxed frame does: then Sec-Fetch-Site must
 * say same-origin.  Clients that send neither (not browsers) are left to
 * the CSRF token. */
static bool same_origin(struct MHD_Connection *c)
{
  const char *o = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
  const char *s =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");

  if(s && strcmp(s, "same-origin") && strcmp(s, "none")) {
    say(LOG_NOTICE,
        "a POST from another site refused (Sec-Fetch-Site "
        "%.40s)",
        printable(s) ? s : "unprintable");
    return false;
  }
  if(o && !strcmp(o, "null") && !(s && !strcmp(s, "same-origin"))) {
    say(LOG_NOTICE, "a POST with Origin null refused (no Sec-Fetch-Site "
                    "same-origin)");
    return false;
  }
  if(o && strcmp(o, "null") && strcasecmp(o, g_origin)) {
    say(LOG_NOTICE,
        "a POST from another origin refused (Origin %.100s, "
        "[web] base_url's is %s)",
        printable(o) ? o : "unprintable", g_origin);
    return false;
  }
  return true;
}

static bool form_type(struct MHD_Connection *c)
{
  const char *t =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  size_t n = strlen("application/x-www-form-urlencoded");

  return t && !strncasecmp(t, "application/x-www-form-urlencoded", n) &&
         (t[n] == '\0' || t[n] == ';' || t[n] == ' ');
}

static enum MHD_Result post(struct MHD_Connection *c, const char *path,
                            const char *lang, struct req *rq)
{
  web_form f;
  enum MHD_Result ret;

  if(rq->too_large)
    return web_send_note(c, 413, lang, W_BADFORM_TITLE, W_TOOLARGE_TEXT, NULL);
  if(!same_origin(c))
    return web_forbidden(c, lang);
  if(!form_type(c) || web_form_parse(rq->body, rq->len, &f))
    return web_bad_form(c, lang);
  if(!strcmp(path, "/reset"))
    ret = reset_post(c, lang, &f);
  else if(!strcmp(path, "/forgot"))
    ret = forgot_post(c, lang, &f);
  else if(!strcmp(path, "/forgot/code"))
    ret = code_post(c, lang, &f);
  else if(!strcmp(path, "/export/confirm"))
    ret = export_post(c, lang, &f, false);
  else if(!strcmp(path, "/export/cancel"))
    ret = export_post(c, lang, &f, true);
  else if(!strcmp(path, "/export/download"))
    ret = download_post(c, lang, &f);
  else if(!strcmp(path, "/tv") || !strcmp(path, "/tv/check") ||
          !strcmp(path, "/tv/approve"))
    ret = web_tv_post(c, path, lang, &f);
  else
    ret = web_send_note(c, 404, lang, W_NOTFOUND_TITLE, W_NOTFOUND_TEXT, NULL);
  web_form_free(&f);
  return ret;
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url,
                             const char *method, struct req *rq)
{
  const char *lang = web_lang_accept(
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language"));
  size_t plen = strlen(web_prefix);
  bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
  const char *path;

  if(strncmp(url, web_prefix, plen) || (url[plen] && url[plen] != '/'))
    return web_send_note(c, 404, lang, W_NOTFOUND_TITLE, W_NOTFOUND_TEXT,
                         NULL);
  path = url + plen;
  if(!strcmp(path, "/style.css") && get)
    return send_bytes(c, 200, "text/css; charset=utf-8", NULL, web_style_css,
                      strlen(web_style_css), true, NULL);
  if(!strcmp(path, "/style.css"))
    return web_send_note(c, 405, lang, W_ERROR_TITLE, W_METHOD_TEXT,
                         "GET, HEAD");
  /* Browsers ask for it on every site: nothing, without an error. */
  if(!strcmp(path, "/favicon.ico") && get)
    return send_bytes(c, 204, "image/x-icon", NULL, "", 0, true, NULL);
  if(!strcmp(path, "/forgot") && get)
    return forgot_form(c, 200, lang, NULL);
  if(!strcmp(path, "/forgot/code") && !strcmp(method, "POST"))
    return post(c, path, lang, rq);
  if(!strcmp(path, "/tv") && get)
    return web_tv_get(c, lang);
  if((!strcmp(path, "/tv") || !strcmp(path, "/tv/check") ||
      !strcmp(path, "/tv/approve")) &&
     !strcmp(method, "POST"))
    return post(c, path, lang, rq);
  if(!strcmp(path, "/tv"))
    return web_send_note(c, 405, lang, W_ERROR_TITLE, W_METHOD_TEXT,
                         "GET, HEAD, POST");
  if(!strcmp(path, "/tv/check") || !strcmp(path, "/tv/approve"))
    return web_send_note(c, 405, lang, W_ERROR_TITLE, W_METHOD_TEXT, "POST");
  if(!strcmp(path, "/export/confirm") && get)
    return export_get(c, lang);
  if(!strcmp(path, "/export/download") && get)
    return download_get(c, lang);
  if(!strcmp(path, "/export/download") && !strcmp(method, "POST"))
    return post(c, path, lang, rq);
  if((!strcmp(path, "/export/confirm") || !strcmp(path, "/export/cancel")) &&
     !strcmp(method, "POST"))
    return post(c, path, lang, rq);
  if(strcmp(path, "/reset") && strcmp(path, "/forgot"))
    return web_send_note(c, 404, lang, W_NOTFOUND_TITLE, W_NOTFOUND_TEXT,
                         NULL);
  if(get)
    return reset_get(c, lang);
  if(!strcmp(method, "POST"))
    return post(c, path, lang, rq);
  return web_send_note(c, 405, lang, W_ERROR_TITLE, W_METHOD_TEXT,
                       "GET, HEAD, POST");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  struct req *rq = *con_cls;
  const char *cl;

  (void)cls;
  (void)version;
  if(!rq) {
    rq = calloc(1, sizeof(*rq));
    if(!rq)
      return MHD_NO;
    *con_cls = rq;
    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if(cl && (strlen(cl) > 6 || atol(cl) > WEB_BODY_MAX)) {
      /* Answered before the body is read (no "100 Continue"). */
      rq->too_large = true;
      return web_send_note(c, 413,
                           web_lang_accept(MHD_lookup_connection_value(
                               c, MHD_HEADER_KIND, "Accept-Language")),
                           W_BADFORM_TITLE, W_TOOLARGE_TEXT, NULL);
    }
    return MHD_YES;
  }
  if(*upload_size) {
    if(!rq->too_large && rq->len + *upload_size <= WEB_BODY_MAX) {
      memcpy(rq->body + rq->len, upload, *upload_size);
      rq->len += *upload_size;
    }
    else
      rq->too_large = true;
    *upload_size = 0;
    return MHD_YES;
  }
  return route(c, url, method, rq);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode why)
{
  struct req *rq = *con_cls;

  (void)cls;
  (void)c;
  (void)why;
  if(rq) {
    sodium_memzero(rq, sizeof(*rq)); /* the body held a password */
    free(rq);
  }
  *con_cls = NULL;
}

/* ------------------------------------------------------------ startup */

/* [web] base_url: its origin and its path (the routes' prefix). */
static int split_base(const char *url)
{
  const char *host, *slash;

  if(strncmp(url, "https://", 8) && strncmp(url, "http://", 7)) {
    say(LOG_ERR, "[web] base_url: not an http:// or https:// address");
    return -1;
  }
  host = strstr(url, "://") + 3;
  slash = strchr(host, '/');
  if(!slash)
    slash = host + strlen(host);
  snprintf(g_origin, sizeof(g_origin), "%.*s", (int)(slash - url), url);
  snprintf(web_prefix, sizeof(web_prefix), "%s", slash);
  while(web_prefix[0] && web_prefix[strlen(web_prefix) - 1] == '/')
    web_prefix[strlen(web_prefix) - 1] = '\0';
  return 0;
}

/* [web] listen: "127.0.0.1:8417" or "[::1]:8417", bound here. */
static int listen_on(const char *spec)
{
  struct sockaddr_storage ss;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
  char host[64];
  const char *colon = strrchr(spec, ':');
  long port;
  char *end;
  int fd, one = 1;
  socklen_t len;

  memset(&ss, 0, sizeof(ss));
  port = colon ? strtol(colon + 1, &end, 10) : -1;
  if(!colon || *end || port < 1 || port > 65535 ||
     (size_t)(colon - spec) >= sizeof(host)) {
    say(LOG_ERR, "[web] listen: not HOST:PORT");
    return -1;
  }
  snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
  if(host[0] == '[' && host[strlen(host) - 1] == ']') {
    memmove(host, host + 1, strlen(host));
    host[strlen(host) - 1] = '\0';
  }
  if(inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((unsigned short)port);
    len = sizeof(*v4);
  }
  else if(inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((unsigned short)port);
    len = sizeof(*v6);
  }
  else {
    say(LOG_ERR, "[web] listen: %s is not an IP address", host);
    return -1;
  }
  fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if(fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
     bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 128)) {
    say(LOG_ERR, "[web] listen %s: %s", spec, strerror(errno));
    if(fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* Started as root: becomes [web] user (the only uid vouchd answers web
 * operations for, besides root). */
static int become_web_user(void)
{
  struct passwd *pw;

  if(geteuid() != 0)
    return 0;
  if(!g_conf.web_user[0]) {
    say(LOG_ERR, "started as root: set [web] user to the user vouch-web "
                 "runs as (vouchd answers web operations to that user)");
    return -1;
  }
  pw = getpwnam(g_conf.web_user);
  if(!pw) {
    say(LOG_ERR, "[web] user %s: no such user", g_conf.web_user);
    return -1;
  }
  if(setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid) ||
     setuid(0) == 0) {
    say(LOG_ERR, "cannot become %s: %s", g_conf.web_user, strerror(errno));
    return -1;
  }
  return 0;
}

static int args(int argc, char **argv, const char **conf)
{
  int i;

  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--config") && i + 1 < argc)
      *conf = argv[++i];
    else if(!strncmp(argv[i], "--config=", 9))
      *conf = argv[i] + 9;
    else if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage_text, stdout);
      exit(0);
    }
    else if(!strcmp(argv[i], "--version")) {
      printf("vouch-web %s\n", VOUCH_VERSION);
      exit(0);
    }
    else {
      fprintf(stderr, "vouch-web: unknown argument: %.100s\n%s", argv[i],
              usage_text);
      return 2;
    }
  }
  return 0;
}

int main(int argc, char **argv)
{
  const char *conf = NULL;
  struct MHD_Daemon *d;
  char err[512];
  sigset_t set;
  int fd, sig, rc;

  rc = args(argc, argv, &conf);
  if(rc)
    return rc;
  openlog("vouch-web", LOG_PID, LOG_AUTHPRIV);
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  if(vouch_client_conf_read(conf, &g_conf, err, sizeof(err))) {
    say(LOG_ERR, "cannot start: %s", err);
    return 4;
  }
  if(split_base(g_conf.web_base_url) || web_csrf_init())
    return 4;
  fd = listen_on(g_conf.web_listen);
  if(fd < 0 || become_web_user())
    return 4;
  d = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
      NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
      MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
  if(!d) {
    say(LOG_ERR, "cannot start the HTTP server on %s", g_conf.web_listen);
    return 4;
  }
  say(LOG_NOTICE, "ready on %s (vouchd at %s)", g_conf.web_listen,
      g_conf.socket);
  do
    sig = 0;
  while(sigwait(&set, &sig) == 0 && sig == SIGHUP);
  MHD_stop_daemon(d);
  say(LOG_NOTICE, "stopped");
  return 0;
}
