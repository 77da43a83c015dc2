/*
 * sc_fixture.h - the world a security-check unit test runs in: a temp
 * directory with a configuration, a real key file, a real store, a copy
 * of the message templates and the file transports, delivered by the
 * real delivery helper ($VOUCH_BUILD/vouch-deliver).  Included by
 * test_challenge.c and test_card.c (each a program of its own).
 *
 * Tests (never the core) read VOUCH_BUILD and VOUCH_SRC, which
 * tests/run.sh exports.
 */
#ifndef SC_FIXTURE_H
#define SC_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vouch.h"
#include "store.h"

static char sc_dir[64];
static char sc_conf[128];
static char sc_mail[128];
static char sc_sms[128];
static char sc_db[128];
static char sc_log[16384];
static vouch_ctx *sc_ctx;

static inline void sc_capture(void *arg, int prio, const char *msg)
{
  size_t used = strlen(sc_log);

  (void)arg;
  (void)prio;
  snprintf(sc_log + used, sizeof(sc_log) - used, "%s\n", msg);
}

static inline int sc_rm_one(const char *path, const struct stat *sb, int type,
                            struct FTW *ftw)
{
  (void)sb;
  (void)ftw;
  return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* The next name in d that does not start with a dot; NULL at the end. */
static inline const char *sc_next(DIR *d)
{
  struct dirent *e;

  for(;;) {
    e = readdir(d);
    if(!e)
      return NULL;
    if(e->d_name[0] != '.')
      return e->d_name;
  }
}

/* Reads a whole file (NUL-terminated, malloc'ed); NULL when missing. */
static inline char *sc_slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0;

  if(!f)
    return NULL;
  for(;;) {
    size_t got;
    if(n + 4096 + 1 > cap) {
      char *nb;
      cap = cap ? cap * 2 : 8192;
      nb = realloc(buf, cap);
      if(!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    got = fread(buf + n, 1, 4096, f);
    n += got;
    if(got < 4096)
      break;
  }
  fclose(f);
  buf[n] = '\0';
  if(len)
    *len = n;
  return buf;
}

static inline int sc_write(const char *path, const char *text, mode_t mode)
{
  FILE *f = fopen(path, "w");

  if(!f)
    return -1;
  fputs(text, f);
  if(fclose(f))
    return -1;
  return chmod(path, mode);
}

/* Copies SRC/conf/templates/LANG/NAME.txt to DIR/templates/LANG/ with
 * the modes vouch asks of them (0755 directories, 0644 files). */
static inline int sc_copy_templates(const char *src)
{
  char from[512], to[512], path[1024];
  DIR *top, *lang;
  const char *l, *e;
  int rc = 0;

  snprintf(from, sizeof(from), "%s/conf/templates", src);
  snprintf(to, sizeof(to), "%s/templates", sc_dir);
  if(mkdir(to, 0755) || chmod(to, 0755))
    return -1;
  top = opendir(from);
  if(!top)
    return -1;
  while(!rc) {
    l = sc_next(top);
    if(!l)
      break;
    snprintf(path, sizeof(path), "%s/%s", to, l);
    if(mkdir(path, 0755) || chmod(path, 0755)) {
      rc = -1;
      break;
    }
    snprintf(path, sizeof(path), "%s/%s", from, l);
    lang = opendir(path);
    if(!lang) {
      rc = -1;
      break;
    }
    while(!rc) {
      char *text;
      e = sc_next(lang);
      if(!e)
        break;
      snprintf(path, sizeof(path), "%s/%s/%s", from, l, e);
      text = sc_slurp(path, NULL);
      snprintf(path, sizeof(path), "%s/%s/%s", to, l, e);
      rc = text ? sc_write(path, text, 0644) : -1;
      free(text);
    }
    closedir(lang);
  }
  closedir(top);
  return rc;
}

/* Writes the configuration with extra INI text appended (a section of
 * its own, so it must not repeat one of the sections below). */
static inline int sc_write_conf(const char *helper, const char *extra)
{
  char *text;
  int rc;

  text = vouch_asprintf("[store]\npath = %s\n"
                        "[secret]\nkey_file = %s/secret.key\n"
                        "[password]\nhash_ops = 1\nhash_mem = 8M\n"
                        "[delivery]\nhelper = %s\ntimeout = 10s\n"
                        "[templates]\ndir = %s/templates\n"
                        "[email]\ntransport = file\ndir = %s\n"
                        "from = vouch@example.org\n"
                        "[sms]\ntransport = file\ndir = %s\n"
                        "[reset]\nlink_url = https://example.org/r?"
                        "token={token}\n%s",
                        sc_db, sc_dir, helper, sc_dir, sc_mail, sc_sms,
                        extra ? extra : "");
  if(!text)
    return -1;
  rc = sc_write(sc_conf, text, 0644);
  free(text);
  return rc;
}

/* Opens a fresh context on the configuration (the test's own handle). */
static inline vouch_ctx *sc_open(void)
{
  vouch_ctx *ctx = NULL;

  if(vouch_ctx_new(sc_conf, "test", sc_capture, NULL, &ctx))
    return NULL;
  return ctx;
}

static inline int sc_add_user(const char *name, const char *email,
                              const char *phone, bool verified,
                              const char *full, const char *lang)
{
  vouch_store *st;
  vouch_user u;

  memset(&u, 0, sizeof(u));
  u.name = (char *)name;
  u.email = (char *)email;
  u.phone = (char *)phone;
  u.phone_verified = verified;
  u.full_name = (char *)full;
  snprintf(u.lang, sizeof(u.lang), "%s", lang ? lang : "en");
  if(vouch_ctx_store(sc_ctx, &st))
    return -1;
  return vouch_store_user_add(st, &u) ? -1 : 0;
}

/* The fixture: extra is more INI text for the configuration, helper a
 * delivery helper path (NULL: the built vouch-deliver). */
static inline int sc_setup_with(const char *extra, const char *helper)
{
  const char *build = getenv("VOUCH_BUILD");
  const char *src = getenv("VOUCH_SRC");
  char path[512], deliver[512];
  vouch_store *st = NULL;

  if(!build || !src) {
    fprintf(stderr, "VOUCH_BUILD and VOUCH_SRC: run through tests/run.sh\n");
    return -1;
  }
  snprintf(deliver, sizeof(deliver), "%s/vouch-deliver", build);
  snprintf(sc_dir, sizeof(sc_dir), "/tmp/vouch-sc.XXXXXX");
  if(!mkdtemp(sc_dir) || chmod(sc_dir, 0755))
    return -1;
  snprintf(sc_conf, sizeof(sc_conf), "%s/vouch.conf", sc_dir);
  snprintf(sc_mail, sizeof(sc_mail), "%s/mail", sc_dir);
  snprintf(sc_sms, sizeof(sc_sms), "%s/sms", sc_dir);
  snprintf(sc_db, sizeof(sc_db), "%s/vouch.db", sc_dir);
  sc_log[0] = '\0';
  if(mkdir(sc_mail, 0700) || mkdir(sc_sms, 0700) || sc_copy_templates(src) ||
     sc_write_conf(helper ? helper : deliver, extra))
    return -1;
  snprintf(path, sizeof(path), "%s/secret.key", sc_dir);
  if(vouch_key_create(path, sc_capture, NULL) ||
     vouch_store_open(sc_db, 5000, VOUCH_STORE_CREATE, &st, sc_capture, NULL))
    return -1;
  vouch_store_close(st);
  sc_ctx = sc_open();
  if(!sc_ctx)
    return -1;
  /* alice: everything; bob: email and an unverified phone; carol:
   * nothing to send to. */
  if(sc_add_user("alice", "alice@example.org", "+4512345678", true,
                 "Alice Ærø", "en") ||
     sc_add_user("bob", "bob@example.org", "+4587654321", false, NULL, "da") ||
     sc_add_user("carol", NULL, NULL, false, NULL, NULL))
    return -1;
  return 0;
}

static inline int sc_setup(void **state)
{
  (void)state;
  return sc_setup_with(NULL, NULL);
}

static inline int sc_teardown(void **state)
{
  (void)state;
  vouch_ctx_free(sc_ctx);
  sc_ctx = NULL;
  return nftw(sc_dir, sc_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Number of regular files in dir. */
static inline int sc_count(const char *dir)
{
  DIR *d = opendir(dir);
  int n = 0;

  if(!d)
    return -1;
  while(sc_next(d))
    n++;
  closedir(d);
  return n;
}

/* Removes every message from dir. */
static inline void sc_clear(const char *dir)
{
  DIR *d = opendir(dir);
  const char *e;
  char path[512];

  if(!d)
    return;
  for(;;) {
    e = sc_next(d);
    if(!e)
      break;
    snprintf(path, sizeof(path), "%s/%s", dir, e);
    unlink(path);
  }
  closedir(d);
}

/* The only message in dir (NULL when there is not exactly one). */
static inline char *sc_message(const char *dir)
{
  DIR *d = opendir(dir);
  const char *e;
  char path[512] = "";
  int n = 0;

  if(!d)
    return NULL;
  for(;;) {
    e = sc_next(d);
    if(!e)
      break;
    snprintf(path, sizeof(path), "%s/%s", dir, e);
    n++;
  }
  closedir(d);
  return n == 1 ? sc_slurp(path, NULL) : NULL;
}

/* The first run of exactly len digits in text into out (len + 1). */
static inline bool sc_find_code(const char *text, unsigned len, char *out)
{
  const char *p = text;

  while(p && *p) {
    size_t run = strspn(p, "0123456789");
    if(run == len) {
      memcpy(out, p, len);
      out[len] = '\0';
      return true;
    }
    p += run ? run : 1;
  }
  return false;
}

/* The body of a delivered message: after the first blank line (headers
 * hold random hex that may contain digits). */
static inline const char *sc_body(const char *text)
{
  const char *p = text ? strstr(text, "\n\n") : NULL;

  return p ? p + 2 : NULL;
}

/* The code in the body of the only message of dir; clears dir. */
static inline bool sc_take_code(const char *dir, unsigned len, char *out)
{
  char *text = sc_message(dir);
  bool ok = text && sc_find_code(sc_body(text), len, out);

  free(text);
  sc_clear(dir);
  return ok;
}

/* True when needle appears in the bytes of the store file or its WAL. */
static inline bool sc_store_holds(const char *needle)
{
  const char *suffix[] = {"", "-wal", "-journal"};
  char path[256];
  bool found = false;
  size_t i, len;

  for(i = 0; i < 3 && !found; i++) {
    char *bytes;
    snprintf(path, sizeof(path), "%s%s", sc_db, suffix[i]);
    bytes = sc_slurp(path, &len);
    if(bytes)
      found = memmem(bytes, len, needle, strlen(needle)) != NULL;
    free(bytes);
  }
  return found;
}

/* Number of audit rows of user with event. */
struct sc_audit_count {
  const char *event;
  int n;
};

static inline vouch_rc sc_audit_one(void *arg, const vouch_audit_row *r)
{
  struct sc_audit_count *c = arg;

  if(!strcmp(r->event, c->event))
    c->n++;
  return VOUCH_OK;
}

static inline int sc_audits(const char *user, const char *event)
{
  struct sc_audit_count c = {event, 0};
  vouch_store *st;

  if(vouch_ctx_store(sc_ctx, &st) ||
     vouch_store_audit_each(st, user, sc_audit_one, &c))
    return -1;
  return c.n;
}

static inline vouch_state sc_state(const char *user)
{
  vouch_store *st;
  vouch_user u;
  vouch_state s = (vouch_state)-1;

  if(!vouch_ctx_store(sc_ctx, &st) && !vouch_store_user_get(st, user, &u)) {
    s = u.state;
    vouch_user_clear(&u);
  }
  return s;
}

#endif /* SC_FIXTURE_H */
