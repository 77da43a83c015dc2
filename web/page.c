/*
 * page.c - writes the pages: semantic HTML in the member's language, one
 * small stylesheet, no JavaScript, everything dynamic escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

/* Readable on a 320-px-wide phone; the only stylesheet. */
const char web_style_css[] =
    "html{font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1b;"
    "background:#f4f4f4}\n"
    "body{margin:0;padding:1rem}\n"
    "main{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem;"
    "border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}\n"
    "h1{font-size:1.5rem;margin:0 0 1rem}\n"
    "h2{font-size:1.05rem;margin:1.75rem 0 0}\n"
    "label{display:block;margin:1rem 0 .25rem;font-weight:600}\n"
    "input[type=password],input[type=text]{box-sizing:border-box;"
    "width:100%;font-size:1rem;padding:.6rem;border:1px solid #767676;"
    "border-radius:.25rem}\n"
    "button{margin-top:1.5rem;width:100%;font-size:1rem;padding:.75rem;"
    "border:0;border-radius:.25rem;background:#b00710;color:#fff;"
    "font-weight:600;cursor:pointer}\n"
    "button:focus,input:focus{outline:3px solid #0a58ca;outline-offset:2px}\n"
    ".error{color:#b00710;font-weight:600}\n"
    "button.quiet{background:#fff;color:#1b1b1b;border:1px solid #767676;"
    "margin-top:.5rem}\n"
    ".site{color:#595959;font-size:.9rem;margin:0 0 .5rem}\n";

static void grow(web_page *p, size_t more)
{
  size_t cap;
  char *b;

  if(p->failed || p->len + more + 1 <= p->cap)
    return;
  cap = p->cap ? p->cap : 2048;
  while(cap < p->len + more + 1)
    cap *= 2;
  b = realloc(p->buf, cap);
  if(!b) {
    p->failed = true;
    return;
  }
  p->buf = b;
  p->cap = cap;
}

void web_page_raw(web_page *p, const char *s)
{
  size_t n = strlen(s);

  grow(p, n);
  if(p->failed)
    return;
  memcpy(p->buf + p->len, s, n + 1);
  p->len += n;
}

void web_page_text(web_page *p, const char *s)
{
  char one[2] = {0, 0};

  for(; s && *s; s++) {
    switch(*s) {
    case '<':
      web_page_raw(p, "&lt;");
      break;
    case '>':
      web_page_raw(p, "&gt;");
      break;
    case '&':
      web_page_raw(p, "&amp;");
      break;
    case '"':
      web_page_raw(p, "&quot;");
      break;
    case '\'':
      web_page_raw(p, "&#39;");
      break;
    default:
      one[0] = *s;
      web_page_raw(p, one);
    }
  }
}

void web_page_para(web_page *p, const char *cls, const char *text)
{
  if(cls) {
    web_page_raw(p, "<p class=\"");
    web_page_text(p, cls);
    web_page_raw(p,
                 cls && !strcmp(cls, "error") ? "\" role=\"alert\">" : "\">");
  }
  else
    web_page_raw(p, "<p>");
  web_page_text(p, text);
  web_page_raw(p, "</p>\n");
}

void web_page_link(web_page *p, const char *prefix, const char *path,
                   const char *code, const char *text)
{
  web_page_raw(p, "<p><a href=\"");
  web_page_text(p, prefix);
  web_page_text(p, path);
  if(code && *code) {
    web_page_raw(p, "?code=");
    web_page_text(p, code);
  }
  web_page_raw(p, "\">");
  web_page_text(p, text);
  web_page_raw(p, "</a></p>\n");
}

void web_page_start(web_page *p, int status, const char *lang,
                    const char *prefix, web_text title)
{
  memset(p, 0, sizeof(*p));
  p->status = status;
  p->lang = lang;
  web_page_raw(p, "<!doctype html>\n<html lang=\"");
  web_page_text(p, lang);
  web_page_raw(p, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, "
                  "initial-scale=1\">\n"
                  "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
  web_page_text(p, web_text_get(lang, title));
  web_page_raw(p, "</title>\n<link rel=\"stylesheet\" href=\"");
  web_page_text(p, prefix);
  web_page_raw(p, "/style.css\">\n</head>\n<body>\n<main>\n"
                  "<p class=\"site\">");
  web_page_text(p, web_text_get(lang, W_SITE));
  web_page_raw(p, "</p>\n<h1>");
  web_page_text(p, web_text_get(lang, title));
  web_page_raw(p, "</h1>\n");
}

void web_page_end(web_page *p)
{
  web_page_raw(p, "</main>\n</body>\n</html>\n");
}

void web_page_free(web_page *p)
{
  free(p->buf);
  memset(p, 0, sizeof(*p));
}
