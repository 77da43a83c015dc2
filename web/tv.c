/*
 * tv.c - the TV pages (SPEC 8): a device without a keyboard shows a
 * sign-in code (pam_vouch_device, with url= also its address and a QR
 * code of /tv?code=C); the member opens /tv on a phone or computer, signs
 * in (user, password), passes the security check (a code by email or SMS
 * with "send code again" and "try another way", or the card number on
 * file) and approves or refuses the device.
 *
 *   GET  /tv[?code=C]  the sign-in form (the code prefilled)
 *   POST /tv           code, user, password   -> the check
 *   POST /tv/check     flow, device, way, and action (answer: code or
 *                      card; resend) or to (another way) -> the check
 *                      again, or the approval
 *   POST /tv/approve   flow, code, decision (approve or deny)
 *
 * vouchd decides every step (daemon/web_tv.c); "flow" is its single-use
 * token of the step, and each form's CSRF token is bound to it.
 */
#include <stdio.h>
#include <string.h>

#include "web.h"

#define DEVICE_MAX 16 /* bytes of a typed sign-in code */
#define ANSWER_MAX 64 /* bytes of a code or card number */

/* A submit button inside a form: name=value (both may be NULL). */
static void button(web_page *p, const char *lang, const char *name,
                   const char *value, web_text label, const char *cls,
                   bool novalidate)
{
  web_page_raw(p, "<button type=\"submit\"");
  if(name) {
    web_page_raw(p, " name=\"");
    web_page_text(p, name);
    web_page_raw(p, "\" value=\"");
    web_page_text(p, value);
    web_page_raw(p, "\"");
  }
  if(cls) {
    web_page_raw(p, " class=\"");
    web_page_text(p, cls);
    web_page_raw(p, "\"");
  }
  if(novalidate)
    web_page_raw(p, " formnovalidate");
  web_page_raw(p, ">");
  web_page_text(p, web_text_get(lang, label));
  web_page_raw(p, "</button>\n");
}

/* A text input with a value (the device's code), required. */
static void code_field(web_page *p, const char *lang, const char *value)
{
  web_page_raw(p, "<label for=\"code\">");
  web_page_text(p, web_text_get(lang, W_TV_CODE));
  web_page_raw(p, "</label>\n<input id=\"code\" name=\"code\" type=\"text\" "
                  "autocomplete=\"off\" autocapitalize=\"characters\" "
                  "spellcheck=\"false\" maxlength=\"16\" value=\"");
  web_page_text(p, value ? value : "");
  web_page_raw(p, "\" required>\n");
}

static void flow_what(const char *step, const char *flow, char *what,
                      size_t len)
{
  snprintf(what, len, "%s|%s", step, flow);
}

/* ------------------------------------------------------------ sign-in */

static enum MHD_Result signin_form(struct MHD_Connection *c, int status,
                                   const char *lang, const char *code,
                                   const char *user, const char *error)
{
  web_page p;

  web_form_page(&p, status, lang, W_TV_TITLE, error, W_TV_INTRO);
  web_form_start(&p, "/tv", "tv", NULL);
  code_field(&p, lang, code);
  web_page_raw(&p, "<label for=\"user\">");
  web_page_text(&p, web_text_get(lang, W_USER));
  web_page_raw(&p, "</label>\n<input id=\"user\" name=\"user\" type=\"text\" "
                   "autocomplete=\"username\" maxlength=\"64\" value=\"");
  web_page_text(&p, user ? user : "");
  web_page_raw(&p, "\" required>\n");
  web_field(&p, lang, "password", W_PASSWORD, "password",
            "autocomplete=\"current-password\"");
  web_form_end(&p, lang);
  /* Also the way out of a lockout: the sign-in says "not right" to a
   * locked account too. */
  web_page_link(&p, web_prefix, "/forgot", NULL,
                web_text_get(lang, W_TV_FORGOT));
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

enum MHD_Result web_tv_get(struct MHD_Connection *c, const char *lang)
{
  const char *code =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "code");

  if(code && !web_value_ok(code, DEVICE_MAX))
    return signin_form(c, 400, lang, NULL, NULL,
                       web_text_get(lang, W_TV_CODE_BAD));
  return signin_form(c, 200, lang, code, NULL, NULL);
}

/* --------------------------------------------------------- the check */

struct check {
  const char *flow, *device, *way, *mask, *ways, *note;
};

/* What the check page says first: what was just sent, or what was wrong
 * (error: the paragraph is an error). */
static const char *check_text(const char *lang, const struct check *k,
                              bool *error, char *buf, size_t len)
{
  static const struct {
    const char *note;
    web_text text;
  } errors[] = {{"wrong", W_CHECK_WRONG},    {"badcode", W_CHECK_BADCODE},
                {"codestale", W_CODE_STALE}, {"badcard", W_CARD_BAD},
                {"wait", W_CODE_WAIT},       {"capped", W_CODE_CAPPED},
                {"sendfail", W_SEND_FAILED}};
  web_text t;
  size_t i;

  *error = false;
  for(i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
    if(!strcmp(k->note, errors[i].note)) {
      *error = true;
      if(!strcmp(k->note, "wrong") && !strcmp(k->way, "card"))
        return web_text_get(lang, W_CARD_WRONG);
      return web_text_get(lang, errors[i].text);
    }
  if(!strcmp(k->way, "card"))
    t = W_CHECK_CARD;
  else if(!strcmp(k->note, "reoffered"))
    t = W_CHECK_AGAIN;
  else if(!strcmp(k->note, "resent"))
    t = W_CHECK_RESENT;
  else
    t = !strcmp(k->way, "sms") ? W_CHECK_SMS : W_CHECK_EMAIL;
  web_text_fill(buf, len, web_text_get(lang, t), k->mask);
  return buf;
}

/* The other ways open, as buttons named "to". */
static void other_ways(web_page *p, const char *lang, const struct check *k)
{
  static const struct {
    const char *way;
    web_text label;
  } all[] = {{"email", W_WAY_EMAIL}, {"sms", W_WAY_SMS}, {"card", W_WAY_CARD}};
  char ways[32], *save = NULL, *w;
  bool first = true;
  size_t i;

  snprintf(ways, sizeof(ways), "%s", k->ways);
  for(w = strtok_r(ways, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
    if(!strcmp(w, k->way))
      continue;
    for(i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
      if(strcmp(w, all[i].way))
        continue;
      if(first)
        web_page_raw(p, "<h2>");
      if(first)
        web_page_text(p, web_text_get(lang, W_ANOTHER));
      if(first)
        web_page_raw(p, "</h2>\n");
      first = false;
      button(p, lang, "to", all[i].way, all[i].label, "quiet", true);
    }
  }
}

static enum MHD_Result check_page(struct MHD_Connection *c, const char *lang,
                                  const struct check *k)
{
  const char *hidden[] = {"flow", k->flow, "device", k->device,
                          "way",  k->way,  NULL};
  bool card = !strcmp(k->way, "card"), error;
  char what[160], buf[512];
  const char *text;
  web_page p;

  text = check_text(lang, k, &error, buf, sizeof(buf));
  web_page_start(&p, error ? 400 : 200, lang, web_prefix, W_CHECK_TITLE);
  web_page_para(&p, error ? "error" : NULL, text);
  if(error && !card && strcmp(k->note, "codestale") &&
     strcmp(k->note, "sendfail")) {
    web_text_fill(buf, sizeof(buf),
                  web_text_get(lang, !strcmp(k->way, "sms") ? W_CHECK_SMS
                                                            : W_CHECK_EMAIL),
                  k->mask);
    web_page_para(&p, NULL, buf);
  }
  flow_what("tv", k->flow, what, sizeof(what));
  web_form_start(&p, "/tv/check", what, hidden);
  if(card)
    web_field(&p, lang, "card", W_CARD, "text",
              "inputmode=\"numeric\" autocomplete=\"cc-number\" "
              "maxlength=\"32\"");
  else
    web_field(&p, lang, "code", W_CODE, "text",
              "inputmode=\"numeric\" autocomplete=\"one-time-code\" "
              "maxlength=\"10\"");
  button(&p, lang, "action", "answer", W_CONTINUE, NULL, false);
  if(!card)
    button(&p, lang, "action", "resend", W_RESEND, "quiet", true);
  other_ways(&p, lang, k);
  web_page_raw(&p, "</form>\n");
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

/* The check page from vouchd's answer "check". */
static enum MHD_Result check_from(struct MHD_Connection *c, const char *lang,
                                  const vouch_frame *ans, const char *device)
{
  struct check k;

  k.flow = web_ans_get(ans, "flow");
  k.way = web_ans_get(ans, "way");
  k.mask = web_ans_get(ans, "mask");
  k.ways = web_ans_get(ans, "ways");
  k.note = web_ans_get(ans, "note");
  k.device = device;
  if(!k.flow || !web_token_ok(k.flow) || !k.way || !k.mask || !k.ways ||
     !k.note)
    return web_send_note(c, 503, lang, W_ERROR_TITLE, W_ERROR_TEXT, NULL);
  return check_page(c, lang, &k);
}

/* ------------------------------------------------------------ approve */

static enum MHD_Result approve_page(struct MHD_Connection *c, int status,
                                    const char *lang, const char *flow,
                                    const char *user, const char *device,
                                    const char *error)
{
  const char *hidden[] = {"flow", flow, NULL};
  char what[160], buf[512];
  web_page p;

  web_page_start(&p, status, lang, web_prefix, W_APPROVE_TITLE);
  if(error)
    web_page_para(&p, "error", error);
  web_text_fill(buf, sizeof(buf), web_text_get(lang, W_APPROVE_TEXT), user);
  web_page_para(&p, NULL, buf);
  flow_what("tvok", flow, what, sizeof(what));
  web_form_start(&p, "/tv/approve", what, hidden);
  code_field(&p, lang, device);
  button(&p, lang, "decision", "approve", W_APPROVE, NULL, false);
  button(&p, lang, "decision", "deny", W_DENY, "quiet", false);
  web_page_raw(&p, "</form>\n");
  web_page_end(&p);
  return web_send_page(c, &p, NULL);
}

/* The approval page from vouchd's answer ("passed", "unknown", ...). */
static enum MHD_Result approve_from(struct MHD_Connection *c, int status,
                                    const char *lang, const vouch_frame *ans,
                                    const char *device, const char *error)
{
  const char *flow = web_ans_get(ans, "flow");
  const char *user = web_ans_get(ans, "user");

  if(!flow || !web_token_ok(flow) || !user)
    return web_send_note(c, 503, lang, W_ERROR_TITLE, W_ERROR_TEXT, NULL);
  return approve_page(c, status, lang, flow, user, device, error);
}

/* ------------------------------------------------------ ends of a flow */

/* A typed device code fit for a link: letters, digits and "-". */
static const char *link_code(const char *device)
{
  size_t n = device ? strlen(device) : 0;

  if(!n || n > DEVICE_MAX ||
     strspn(device, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789-") != n)
    return NULL;
  return device;
}

/* The pages every step may end on; NULL st: vouchd was not reached.
 * device: the code typed so far, for "start again". */
static enum MHD_Result ended(struct MHD_Connection *c, const char *st,
                             const char *lang, const char *device)
{
  device = link_code(device);
  if(st && !strcmp(st, "locked"))
    return web_link_page(c, 403, lang, W_CHECK_TITLE, W_LOCKED, "/forgot",
                         NULL, W_TV_FORGOT);
  if(st && !strcmp(st, "islocked"))
    return web_link_page(c, 403, lang, W_ISLOCKED_TITLE, W_ISLOCKED_TEXT,
                         "/forgot", NULL, W_TV_FORGOT);
  if(st && !strcmp(st, "resetreq"))
    return web_link_page(c, 403, lang, W_RESETREQ_TITLE, W_RESETREQ_TEXT,
                         "/forgot", NULL, W_ASK_NEW);
  if(st && !strcmp(st, "ended"))
    return web_send_note(c, 403, lang, W_TV_TITLE, W_ENDED_TEXT, NULL);
  if(st && !strcmp(st, "noway"))
    return web_send_note(c, 403, lang, W_NOWAY_TITLE, W_NOWAY_TEXT, NULL);
  if(st && !strcmp(st, "rate"))
    return web_link_page(c, 429, lang, W_RATE_TITLE, W_DEVICE_RATE, "/tv",
                         device, W_START_AGAIN);
  if(st && (!strcmp(st, "stale") || !strcmp(st, "invalid")))
    return web_link_page(c, 410, lang, W_TV_STALE_TITLE, W_TV_STALE_TEXT,
                         "/tv", device, W_START_AGAIN);
  if(st && !strcmp(st, "badway"))
    return web_bad_form(c, lang);
  return web_send_note(c, 503, lang, W_ERROR_TITLE, W_ERROR_TEXT, NULL);
}

/* ------------------------------------------------------------- posts */

/* POST /tv: code, user, password. */
static enum MHD_Result signin_post(struct MHD_Connection *c, const char *lang,
                                   const web_form *f)
{
  static const char *const fields[] = {"csrf", "code", "user", "password",
                                       NULL};
  const char *code = web_form_get(f, "code"), *user = web_form_get(f, "user");
  const char *pw = web_form_get(f, "password"), *st, *args[3];
  vouch_frame ans;
  enum MHD_Result ret;

  if(!web_form_only(f, fields) || !code || !user || !pw ||
     strlen(code) > DEVICE_MAX || strlen(user) > 64)
    return web_bad_form(c, lang);
  if(!web_csrf_ok(f, "tv"))
    return web_forbidden(c, lang);
  args[0] = code;
  args[1] = user;
  args[2] = pw;
  st = web_ask("tv.signin", args, 3, &ans);
  lang = web_answer_lang(st, &ans, lang);
  if(st && !strcmp(st, "check"))
    ret = check_from(c, lang, &ans, code);
  else if(st && !strcmp(st, "badcode"))
    ret = signin_form(c, 400, lang, code, user,
                      web_text_get(lang, W_TV_CODE_BAD));
  else if(st && !strcmp(st, "wrong"))
    ret = signin_form(c, 400, lang, code, user,
                      web_text_get(lang, W_SIGNIN_WRONG));
  else
    ret = ended(c, st, lang, code);
  vouch_frame_wipe(&ans);
  return ret;
}

/* POST /tv/check: flow, device, way, and action (answer with code or
 * card, resend) or to (another way). */
static enum MHD_Result check_post(struct MHD_Connection *c, const char *lang,
                                  const web_form *f)
{
  static const char *const fields[] = {
      "csrf", "flow", "device", "way", "action", "to", "code", "card", NULL};
  const char *flow = web_form_get(f, "flow"), *way = web_form_get(f, "way");
  const char *device = web_form_get(f, "device");
  const char *action = web_form_get(f, "action"), *to = web_form_get(f, "to");
  const char *answer = web_form_get(f, "code"), *st, *args[4];
  char what[160];
  vouch_frame ans;
  enum MHD_Result ret;

  if(!answer)
    answer = web_form_get(f, "card");
  if(!web_form_only(f, fields) || !web_token_ok(flow) || !way || !device ||
     strlen(device) > DEVICE_MAX || (!action && !to) || (action && to) ||
     (to && strlen(to) > 8) || (answer && strlen(answer) > ANSWER_MAX))
    return web_bad_form(c, lang);
  flow_what("tv", flow, what, sizeof(what));
  if(!web_csrf_ok(f, what))
    return web_forbidden(c, lang);
  if(action && strcmp(action, "answer") && strcmp(action, "resend"))
    return web_bad_form(c, lang);
  if(action && !strcmp(action, "answer") && (!answer || !*answer))
    return web_bad_form(c, lang);
  args[0] = flow;
  args[1] = to ? to : way;
  args[2] = to ? "way" : action;
  args[3] = answer && action && !strcmp(action, "answer") ? answer : "";
  st = web_ask("tv.check", args, 4, &ans);
  lang = web_answer_lang(st, &ans, lang);
  if(st && !strcmp(st, "check"))
    ret = check_from(c, lang, &ans, device);
  else if(st && !strcmp(st, "passed"))
    ret = approve_from(c, 200, lang, &ans, device, NULL);
  else
    ret = ended(c, st, lang, device);
  vouch_frame_wipe(&ans);
  return ret;
}

/* POST /tv/approve: flow, code, decision. */
static enum MHD_Result approve_post(struct MHD_Connection *c, const char *lang,
                                    const web_form *f)
{
  static const char *const fields[] = {"csrf", "flow", "code", "decision",
                                       NULL};
  const char *flow = web_form_get(f, "flow"), *code = web_form_get(f, "code");
  const char *decision = web_form_get(f, "decision"), *st, *args[3];
  char what[160];
  vouch_frame ans;
  enum MHD_Result ret;

  if(!web_form_only(f, fields) || !web_token_ok(flow) || !code ||
     strlen(code) > DEVICE_MAX || !decision ||
     (strcmp(decision, "approve") && strcmp(decision, "deny")))
    return web_bad_form(c, lang);
  flow_what("tvok", flow, what, sizeof(what));
  if(!web_csrf_ok(f, what))
    return web_forbidden(c, lang);
  args[0] = flow;
  args[1] = code;
  args[2] = decision;
  st = web_ask("tv.decide", args, 3, &ans);
  lang = web_answer_lang(st, &ans, lang);
  if(st && !strcmp(st, "approved"))
    ret = web_send_note(c, 200, lang, W_APPROVED_TITLE, W_APPROVED_TEXT, NULL);
  else if(st && !strcmp(st, "denied"))
    ret = web_send_note(c, 200, lang, W_DENIED_TITLE, W_DENIED_TEXT, NULL);
  else if(st && !strcmp(st, "unknown"))
    ret = approve_from(c, 400, lang, &ans, code,
                       web_text_get(lang, W_DEVICE_UNKNOWN));
  else if(st && !strcmp(st, "badcode"))
    ret = approve_from(c, 400, lang, &ans, code,
                       web_text_get(lang, W_TV_CODE_BAD));
  else
    ret = ended(c, st, lang, code);
  vouch_frame_wipe(&ans);
  return ret;
}

enum MHD_Result web_tv_post(struct MHD_Connection *c, const char *path,
                            const char *lang, const web_form *f)
{
  if(!strcmp(path, "/tv"))
    return signin_post(c, lang, f);
  if(!strcmp(path, "/tv/check"))
    return check_post(c, lang, f);
  return approve_post(c, lang, f);
}
