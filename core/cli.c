/*
 * cli.c - what every command-line tool shares for talking to a person:
 * messages on stderr under the tool's name, the core's log sink, and
 * values from the command line quoted back safely.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vouch.h"

/* Bytes of a value quoted back before it is cut with "...". */
#define SHOW_MAX 64

static const char *prog = "vouch";
/* Whether the tool has told the person anything on stderr yet. */
static bool said;

/* Whom a tool acts for: set by vouchd's worker from the peer's
 * credentials, else the process's real uid. */
static bool caller_set;
static uid_t caller;

void vouch_cli_set_caller(uid_t uid)
{
  caller = uid;
  caller_set = true;
}

uid_t vouch_cli_caller(void)
{
  return caller_set ? caller : getuid();
}

void vouch_cli_name(const char *name)
{
  prog = name;
}

void vouch_cli_say(const char *fmt, ...)
{
  va_list ap;

  said = true;
  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void vouch_cli_log(void *arg, int priority, const char *msg)
{
  (void)arg;
  (void)priority;
  said = true;
  fprintf(stderr, "%s: %s\n", prog, msg);
}

const char *vouch_cli_shown(const char *s, char *buf, size_t len)
{
  size_t n = 0, i;
  unsigned char c;

  for(i = 0; s[i] && i < SHOW_MAX && n + 5 < len; i++) {
    c = (unsigned char)s[i];
    if(c >= 0x20 && c < 0x7f && c != '\\')
      buf[n++] = (char)c;
    else
      n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
  }
  if(s[i] && n + 4 < len) {
    memcpy(buf + n, "...", 3);
    n += 3;
  }
  buf[n] = '\0';
  return buf;
}

vouch_rc vouch_cli_usage_error(const char *cmd, const char *usage,
                               const char *fmt, ...)
{
  va_list ap;

  said = true;
  fprintf(stderr, "%s: %s%s", prog, cmd, *cmd ? ": " : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if(!*cmd)
    fprintf(stderr, "\nRun '%s --help' for usage.\n", prog);
  else
    fprintf(stderr, "\n%s", usage);
  return VOUCH_ERR_USAGE;
}

static vouch_rc take_option(const vouch_cli_spec *s, int argc, char **argv,
                            int *i)
{
  char *arg = argv[*i];
  char *eq = strchr(arg, '=');
  size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
  char buf[4 * SHOW_MAX + 8];
  const vouch_cli_opt *o = NULL;
  size_t k;

  for(k = 0; k < s->nopts && !o; k++)
    if(strlen(s->opts[k].name) == nlen && !strncmp(s->opts[k].name, arg, nlen))
      o = &s->opts[k];
  if(!o)
    return vouch_cli_usage_error(s->cmd, s->usage, "unknown option '%s'",
                                 vouch_cli_shown(arg, buf, sizeof(buf)));
  if(o->flag) {
    if(eq)
      return vouch_cli_usage_error(s->cmd, s->usage,
                                   "option %s takes no value", o->name);
    *o->flag = true;
    return VOUCH_OK;
  }
  if(*o->value)
    return vouch_cli_usage_error(s->cmd, s->usage, "option %s given twice",
                                 o->name);
  if(eq)
    *o->value = eq + 1;
  else if(*i + 1 < argc)
    *o->value = argv[++*i];
  else
    return vouch_cli_usage_error(s->cmd, s->usage, "option %s needs a value",
                                 o->name);
  return VOUCH_OK;
}

vouch_rc vouch_cli_parse(const vouch_cli_spec *s, int argc, char **argv)
{
  char buf[4 * SHOW_MAX + 8];
  bool dashdash = false, have_pos = false;
  vouch_rc rc;
  int i;

  for(i = 0; i < argc && strcmp(argv[i], "--"); i++) {
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(s->usage, stdout);
      return VOUCH_CLI_HELP;
    }
  }
  for(i = 0; i < argc; i++) {
    if(!dashdash && !strcmp(argv[i], "--"))
      dashdash = true;
    else if(!dashdash && argv[i][0] == '-' && argv[i][1]) {
      rc = take_option(s, argc, argv, &i);
      if(rc)
        return rc;
    }
    else if(s->pos && !have_pos) {
      *s->pos = argv[i];
      have_pos = true;
    }
    else
      return vouch_cli_usage_error(s->cmd, s->usage,
                                   "unexpected argument '%s'",
                                   vouch_cli_shown(argv[i], buf, sizeof(buf)));
  }
  if(s->pos && s->pos_required && !have_pos)
    return vouch_cli_usage_error(s->cmd, s->usage, "missing %s", s->posname);
  return VOUCH_OK;
}

vouch_rc vouch_cli_open(const char *conf, vouch_ctx **ctx)
{
  char buf[4 * SHOW_MAX + 8];
  struct stat sb;

  if(lstat(conf, &sb) && errno == ENOENT) {
    vouch_cli_say("configuration file %s does not exist: install "
                  "conf/vouch.conf there, or name another with --config PATH",
                  vouch_cli_shown(conf, buf, sizeof(buf)));
    return VOUCH_ERR_CONFIG;
  }
  return vouch_ctx_new(conf, prog, vouch_cli_log, NULL, ctx);
}

void vouch_cli_said(void)
{
  said = true;
}

int vouch_cli_exit(vouch_rc rc)
{
  int code;

  if(fflush(stdout) || ferror(stdout)) {
    vouch_cli_say("cannot write output: %s", strerror(errno));
    if(rc == VOUCH_OK || rc == (vouch_rc)VOUCH_CLI_HELP)
      rc = VOUCH_ERR_SYSTEM;
  }
  if(rc == (vouch_rc)VOUCH_CLI_HELP)
    return VOUCH_EXIT_OK;
  code = vouch_rc_to_exit(rc);
  /* A failure nobody explained (say, memory ran out where no message was
   * planned) still gets one line: never a bare non-zero exit. */
  if(code != VOUCH_EXIT_OK && !said)
    vouch_cli_say("%s", vouch_strerror(rc));
  return code;
}

/* ------------------------------------------------------------- tables */

struct vouch_table {
  size_t ncols, nrows, cap; /* rows, the title row included */
  char **cell;              /* nrows * ncols shown texts */
  size_t *width;            /* their widths in characters */
};

/* Length of the UTF-8 character at s (1-4), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
  size_t n, i;

  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2;
  else if(s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3;
  else if(s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4;
  else
    return 0;
  for(i = 1; i < n; i++)
    if((s[i] & 0xc0) != 0x80)
      return 0;
  return n;
}

/* Copies at most limit characters of s into out (when not NULL, which
 * then ends with a NUL), shown safely: control characters (C0 and C1)
 * and bytes that are not UTF-8 become '?'.  Returns the characters. */
static size_t copy_chars(const unsigned char *s, size_t limit, char *out)
{
  size_t o = 0, w = 0, n;

  for(; *s && w < limit; w++) {
    n = utf8_len(s);
    if(!n || *s < 0x20 || *s == 0x7f ||
       (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)) {
      if(out)
        out[o] = '?';
      o++;
      s += n ? n : 1;
      continue;
    }
    if(out)
      memcpy(out + o, s, n);
    o += n;
    s += n;
  }
  if(out)
    out[o] = '\0';
  return w;
}

/* The text as a terminal should get it, and its width; cut unless it
 * is in the last column (which pads nothing). */
static char *shown_cell(const char *text, bool cut, size_t *width)
{
  const unsigned char *s = (const unsigned char *)(*text ? text : "-");
  size_t w = copy_chars(s, (size_t)-1, NULL);
  char *out = malloc(strlen((const char *)s) + 4);

  if(!out)
    return NULL;
  if(w <= VOUCH_TABLE_CELL_MAX || !cut)
    copy_chars(s, w, out);
  else {
    copy_chars(s, VOUCH_TABLE_CELL_MAX - 3, out);
    memcpy(out + strlen(out), "...", 4);
    w = VOUCH_TABLE_CELL_MAX;
  }
  *width = w;
  return out;
}

vouch_table *vouch_table_new(size_t ncols, const char *const *head)
{
  vouch_table *t = calloc(1, sizeof(*t));

  if(!t || !ncols)
    goto fail;
  t->ncols = ncols;
  if(vouch_table_add(t, head))
    goto fail;
  return t;
fail:
  vouch_table_free(t);
  return NULL;
}

vouch_rc vouch_table_add(vouch_table *t, const char *const *cells)
{
  size_t i, base;

  if(t->nrows == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 16;
    char **c = realloc(t->cell, cap * t->ncols * sizeof(*c));
    size_t *w;

    if(!c)
      return VOUCH_ERR_NOMEM;
    t->cell = c;
    w = realloc(t->width, cap * t->ncols * sizeof(*w));
    if(!w)
      return VOUCH_ERR_NOMEM;
    t->width = w;
    t->cap = cap;
  }
  base = t->nrows * t->ncols;
  for(i = 0; i < t->ncols; i++) {
    t->cell[base + i] =
        shown_cell(cells[i], i + 1 < t->ncols, &t->width[base + i]);
    if(!t->cell[base + i]) {
      while(i--)
        free(t->cell[base + i]);
      return VOUCH_ERR_NOMEM;
    }
  }
  t->nrows++;
  return VOUCH_OK;
}

void vouch_table_print(const vouch_table *t, FILE *f)
{
  size_t r, c, col[16] = {0}; /* tables here have a handful of columns */
  size_t nc = t->ncols < 16 ? t->ncols : 16;

  for(r = 0; r < t->nrows; r++)
    for(c = 0; c < nc; c++)
      if(t->width[r * t->ncols + c] > col[c])
        col[c] = t->width[r * t->ncols + c];
  for(r = 0; r < t->nrows; r++) {
    for(c = 0; c < nc; c++) {
      fputs(t->cell[r * t->ncols + c], f);
      if(c + 1 < nc)
        fprintf(f, "%*s", (int)(col[c] - t->width[r * t->ncols + c] + 2), "");
    }
    fputc('\n', f);
  }
}

void vouch_table_free(vouch_table *t)
{
  size_t i;

  if(!t)
    return;
  for(i = 0; i < t->nrows * t->ncols; i++)
    free(t->cell[i]);
  free(t->cell);
  free(t->width);
  free(t);
}
