/*
 * flow_device.c - pam_vouch_device's request: sign-in for a device
 * without a keyboard.  Shows a sign-in code and waits until a member
 * signed in elsewhere approves it with "vouch-account approve" (then
 * PAM_USER becomes that member) or refuses it, or until [device]
 * code_ttl passes.  Codes, approvals and their limits are in
 * core/device.c.
 *
 * Options: url=ADDRESS (also shown, "{code}" in it becomes the code,
 * with a QR code of it; without "{code}" the QR code's address gets
 * "code=" and the code added), noqr (the address without the QR code),
 * lang=xx (the language of the texts; the member is not known yet).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "vouchd.h"

#define POLL_FIRST_MS 500
#define POLL_MAX_MS 2000
/* Real seconds the wait may outlast code_ttl, should the wall clock
 * stand still or go back. */
#define SAFETY_SLACK 5

struct device {
  vd_req *r;
  vouch_ctx *ctx;
  const char *lang;
  const char *url;
  bool qr;
  char shown[VOUCH_DEVICE_SHOWN_MAX];
  int64_t id;
};

static void say(const struct device *d, int style, vouch_msg_id id,
                const char *arg)
{
  char msg[1024];

  vouch_msgf(msg, sizeof(msg), d->lang, id, arg);
  /* Shown even with PAM_SILENT: without it nobody can sign in. */
  vd_say_always(d->r, style, msg);
}

/* The PAM text messages of a QR code stay within this many bytes each
 * (Linux-PAM's PAM_MAX_MSG_SIZE is 512): whole lines of it a message. */
#define QR_MSG_MAX 500
/* The widest QR code drawn: a console of 80 columns. */
#define QR_COLS_MAX 80

/* The end of the line that starts at p. */
static char *line_end(char *p)
{
  char *nl = strchr(p, '\n');

  return nl ? nl : p + strlen(p);
}

/* The QR code of url, a few whole lines a message. */
static void say_qr(const struct device *d, const char *url)
{
  char *qr = vd_qr_text(url, QR_COLS_MAX), *start, *end, *next, save;

  if(!qr) {
    vouch_log(d->ctx, LOG_ERR,
              "url=: its QR code would be wider than %d columns: the "
              "address is shown without it (a shorter url= fits)",
              QR_COLS_MAX);
    return;
  }
  for(start = qr; *start; start = *end ? end + 1 : end) {
    end = line_end(start);
    while(*end && (size_t)((next = line_end(end + 1)) - start) <= QR_MSG_MAX)
      end = next;
    save = *end;
    *end = '\0';
    vd_say_always(d->r, PAM_TEXT_INFO, start);
    *end = save;
  }
  free(qr);
}

/* The url option with {code} replaced by the code, and its QR code (of
 * the address with the code in it). */
static void say_url(const struct device *d)
{
  char url[512], link[600];
  const char *p = strstr(d->url, "{code}");

  if(p)
    snprintf(url, sizeof(url), "%.*s%s%s", (int)(p - d->url), d->url, d->shown,
             p + 6);
  else
    snprintf(url, sizeof(url), "%s", d->url);
  say(d, PAM_TEXT_INFO, VOUCH_MSG_DEVICE_URL, url);
  if(!d->qr)
    return;
  if(p)
    snprintf(link, sizeof(link), "%s", url);
  else {
    /* code=C joins the query, before a #fragment. */
    const char *frag = strchr(url, '#');
    int n = frag ? (int)(frag - url) : (int)strlen(url);
    const char *q = memchr(url, '?', (size_t)n);

    snprintf(link, sizeof(link), "%.*s%scode=%s%s", n, url, q ? "&" : "?",
             d->shown, frag ? frag : "");
  }
  say_qr(d, link);
}

static double mono_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

  while(nanosleep(&ts, &ts) < 0 && ts.tv_nsec >= 0 && ts.tv_sec >= 0)
    ;
}

/* The answer to one poll; PAM_IGNORE means: keep waiting. */
static int judge(struct device *d, vouch_rc rc, vouch_device_status status,
                 const char *user)
{
  if(rc == VOUCH_ERR_STALE) {
    say(d, PAM_ERROR_MSG, VOUCH_MSG_DEVICE_EXPIRED, NULL);
    return PAM_AUTH_ERR;
  }
  if(rc)
    return vouch_rc_to_pam(rc);
  if(status == VOUCH_DEVICE_DENIED) {
    say(d, PAM_ERROR_MSG, VOUCH_MSG_DEVICE_DENIED, NULL);
    return PAM_AUTH_ERR;
  }
  if(status != VOUCH_DEVICE_APPROVED)
    return PAM_IGNORE;
  if(vd_set_item(d->r, "user", user) != PAM_SUCCESS)
    return PAM_SYSTEM_ERR;
  return PAM_SUCCESS;
}

/* Polls with backoff until the code is decided or dies. */
static int wait_decision(struct device *d)
{
  double limit =
      mono_now() + (double)d->ctx->cfg->device_code_ttl + SAFETY_SLACK;
  vouch_device_status status;
  long interval = POLL_FIRST_MS;
  char *user = NULL;
  vouch_rc rc;
  int ret;

  for(;;) {
    rc = vouch_device_poll(d->ctx, d->id, &status, &user);
    ret = judge(d, rc, status, user);
    free(user);
    user = NULL;
    if(ret != PAM_IGNORE)
      return ret;
    if(mono_now() >= limit) {
      say(d, PAM_ERROR_MSG, VOUCH_MSG_DEVICE_EXPIRED, NULL);
      return PAM_AUTH_ERR;
    }
    sleep_ms(interval);
    /* The client waits for frames: tell it the wait goes on, and stop
     * when it has gone. */
    vd_alive(d->r);
    if(d->r->gone)
      return PAM_CONV_ERR;
    interval = interval * 3 / 2;
    if(interval > POLL_MAX_MS)
      interval = POLL_MAX_MS;
  }
}

static int show_and_wait(struct device *d)
{
  int ret;
  vouch_rc rc;

  rc = vouch_device_start(d->ctx, d->shown, sizeof(d->shown), &d->id, NULL);
  if(rc)
    return vouch_rc_to_pam(rc);
  say(d, PAM_TEXT_INFO, VOUCH_MSG_DEVICE_CODE, d->shown);
  say(d, PAM_TEXT_INFO, VOUCH_MSG_DEVICE_HOW, d->shown);
  if(d->url)
    say_url(d);
  ret = wait_decision(d);
  if(ret != PAM_SUCCESS)
    (void)vouch_device_abandon(d->ctx, d->id);
  return ret;
}

int vd_device_auth(vd_req *r)
{
  vd_opt opts[] = {{"url=", false, NULL},
                   {"lang=", false, NULL},
                   {"noqr", false, NULL},
                   {NULL, false, NULL}};
  struct device d;
  int ret;

  memset(&d, 0, sizeof(d));
  d.r = r;
  ret = vd_open(r, opts);
  if(ret != PAM_SUCCESS)
    return ret;
  d.ctx = r->ctx;
  d.lang = opts[1].set ? opts[1].value : "en";
  if(!vouch_valid_lang(d.lang)) {
    vouch_log(r->ctx, LOG_ERR, "lang=%.20s: use en, da, nl, sv or ms", d.lang);
    return PAM_SERVICE_ERR;
  }
  if(opts[0].set && (!*opts[0].value || strlen(opts[0].value) > 256)) {
    vouch_log(r->ctx, LOG_ERR, "url=: empty or longer than 256 bytes");
    return PAM_SERVICE_ERR;
  }
  d.url = opts[0].set ? opts[0].value : NULL;
  d.qr = !opts[2].set;
  return show_and_wait(&d);
}
