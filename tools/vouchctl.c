/*
 * vouchctl - the administrator's tool: creates the key and the store,
 * manages users, passwords, lockouts and memberships, and lists the audit
 * trail.  It only parses arguments and prints; every rule lives in
 * libvouch.  Exit codes come from vouch_cli_exit() alone.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vouch.h"
#ifndef VOUCH_WORKER
#include "vouch_client.h"
#endif

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

#define IMPORT_LINE_MAX 65536 /* bytes of one JSON line */
#define SHOW_MAX 64           /* bytes of a bad value quoted back */

struct cli {
  const char *conf;
  vouch_ctx *ctx;
};

/* ------------------------------------------------------------ output */

/* The core's diagnostics (config, store, key) arrive here. */

/* Prints stored text for a terminal: control bytes become '?'. */
static void put_text(const char *s)
{
  for(; *s; s++)
    putchar(((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s);
}

/* ----------------------------------------------------------- usage */

static const char usage_main[] =
    "Usage: vouchctl [--config PATH] COMMAND [ARGUMENTS]\n"
    "       vouchctl --help | --version\n"
    "\n"
    "Commands:\n"
    "  init [--new-store]         create the key file and the store\n"
    "  user add NAME [OPTIONS]    add a user\n"
    "  user show NAME [--json]    show a user\n"
    "  user set NAME OPTIONS      change a user's details\n"
    "  user del NAME              delete a user\n"
    "  user import [FILE]         add users from JSON lines (- for stdin)\n"
    "  passwd NAME                set a password (terminal or stdin)\n"
    "  unlock NAME                clear a lockout or a required reset\n"
    "  sessions NAME [--json]     list the sessions of a user\n"
    "  audit [NAME] [--json]      list the audit trail\n"
    "  membership NAME --plan P --period-end YYYY-MM-DD\n"
    "  membership NAME --clear    set or remove a membership\n"
    "  card set|clear NAME        set (stdin or terminal) or remove a card\n"
    "  phone verify NAME [--trusted]  verify the phone number by SMS code\n"
    "\n"
    "Options:\n"
    "  --config PATH   configuration file (default " VOUCH_CONF_PATH ")\n"
    "  -h, --help      show this help\n"
    "  --version       show the version\n"
    "\n"
    "'vouchctl COMMAND --help' shows the usage of a command.\n"
    "Exit status: 0 done, 1 denied, 2 usage or bad input, 3 unknown user,\n"
    "4 system error.\n";

static const char usage_user[] =
    "Usage: vouchctl user add NAME [--email E] [--phone P] [--name N]"
    " [--lang xx]\n"
    "       vouchctl user show NAME [--json]\n"
    "       vouchctl user set NAME [--email E] [--phone P] [--name N]"
    " [--lang xx]\n"
    "       vouchctl user del NAME\n"
    "       vouchctl user import [FILE | -]\n";

static const char usage_add[] =
    "Usage: vouchctl user add NAME [--email E] [--phone P] [--name N]"
    " [--lang xx]\n"
    "  --email E    email address, e.g. alice@example.org\n"
    "  --phone P    phone number in E.164 form, e.g. +4512345678\n"
    "  --name N     full name (UTF-8, at most 128 characters)\n"
    "  --lang xx    language: en, da, nl, sv or ms (default en)\n";

static const char usage_show[] =
    "Usage: vouchctl user show NAME [--json]\n"
    "  --json       one JSON object instead of text\n";

static const char usage_set[] =
    "Usage: vouchctl user set NAME [--email E] [--phone P] [--name N]"
    " [--lang xx]\n"
    "At least one option; an empty value clears email, phone or name.\n"
    "A new phone number is not verified.\n";

static const char usage_del[] = "Usage: vouchctl user del NAME\n";

static const char usage_import[] =
    "Usage: vouchctl user import [FILE | -]\n"
    "Reads JSON lines {\"user\": ..., \"email\": ..., \"phone\": ...,"
    " \"name\": ..., \"lang\": ...}\n"
    "from FILE or standard input; \"user\" is required.  All lines are\n"
    "imported or none; the first bad line is named.\n";

static const char usage_passwd[] =
    "Usage: vouchctl passwd NAME\n"
    "Reads the new password from the terminal (twice, without echo) or one\n"
    "line from standard input; clears a lockout.\n";

static const char usage_unlock[] = "Usage: vouchctl unlock NAME\n";

static const char usage_audit[] =
    "Usage: vouchctl audit [NAME] [--json]\n"
    "  --json       one JSON object per line instead of text\n";

static const char usage_membership[] =
    "Usage: vouchctl membership NAME --plan P --period-end YYYY-MM-DD\n"
    "       vouchctl membership NAME --clear\n";

/* A usage error: names the problem and the right form, on stderr. */

/* ------------------------------------------------------- arguments */

/* ------------------------------------------------------- validation */

enum field { F_USER, F_EMAIL, F_PHONE, F_NAME, F_LANG, F_PLAN };

static const struct {
  const char *what;
  bool (*valid)(const char *s);
  const char *hint;
} fields[] = {
    {"user name", vouch_valid_username,
     "use 1 to 32 of A-Z a-z 0-9 . _ -, starting with a letter, digit or _"},
    {"email address", vouch_valid_email,
     "use the form name@example.org, at most 254 bytes"},
    {"phone number", vouch_valid_phone, "use E.164 form, e.g. +4512345678"},
    {"full name", vouch_valid_fullname,
     "use 1 to 128 characters of UTF-8 text without control characters"},
    {"language", vouch_valid_lang, "use one of en, da, nl, sv, ms"},
    {"plan", vouch_valid_plan, "use 1 to 64 printable ASCII characters"},
};

/* True when v is acceptable as f; otherwise says why into msg. */
static bool field_ok(enum field f, const char *v, char *msg, size_t len)
{
  char buf[4 * SHOW_MAX + 8];

  if(fields[f].valid(v))
    return true;
  snprintf(msg, len, "invalid %s '%s': %s", fields[f].what,
           vouch_cli_shown(v, buf, sizeof(buf)), fields[f].hint);
  return false;
}

static vouch_rc check_field(enum field f, const char *v)
{
  char msg[512];

  if(field_ok(f, v, msg, sizeof(msg)))
    return VOUCH_OK;
  vouch_cli_say("%s", msg);
  return VOUCH_ERR_INPUT;
}

/* ---------------------------------------------------------- context */

static vouch_rc open_ctx(struct cli *c)
{
  return vouch_cli_open(c->conf, &c->ctx);
}

static vouch_rc unknown_user(const char *name)
{
  vouch_cli_say("unknown user %s", name);
  return VOUCH_ERR_NO_USER;
}

/* ------------------------------------------------------------- init */

/* [daemon] user's uid, once state_user found it. */
static uid_t owner_uid;
static bool owner_set;

/* Checks one existing directory on the way to a file: a directory,
 * owned by root or us (or, the one that holds the file, by vouchd's
 * user), not writable by others unless sticky (never for the one that
 * holds the file). */
static vouch_rc check_dir(const char *dir, bool last)
{
  struct stat sb;

  if(stat(dir, &sb)) {
    vouch_cli_say("%s: %s", dir, strerror(errno));
    return VOUCH_ERR_SYSTEM;
  }
  if(!S_ISDIR(sb.st_mode)) {
    vouch_cli_say("%s: not a directory", dir);
    return VOUCH_ERR_INSECURE;
  }
  if(sb.st_uid != 0 && sb.st_uid != geteuid() &&
     !(last && owner_set && sb.st_uid == owner_uid)) {
    vouch_cli_say("refusing %s: directory owned by uid %lu", dir,
                  (unsigned long)sb.st_uid);
    return VOUCH_ERR_INSECURE;
  }
  if((sb.st_mode & 022) && (last || !(sb.st_mode & S_ISVTX))) {
    vouch_cli_say("refusing %s: directory writable by group or others", dir);
    return VOUCH_ERR_INSECURE;
  }
  return VOUCH_OK;
}

/* Creates the missing directories above the file path with mode, and
 * checks every one of them. */
static vouch_rc make_parents(const char *path, mode_t mode)
{
  char *dir = vouch_strdup(path);
  char *slash;
  char *p;
  vouch_rc rc = VOUCH_OK;

  if(!dir)
    return VOUCH_ERR_NOMEM;
  slash = strrchr(dir, '/');
  if(!slash || slash == dir)
    goto out; /* in the working directory or in / */
  *slash = '\0';
  for(p = strchr(dir + 1, '/'); !rc; p = strchr(p + 1, '/')) {
    if(p)
      *p = '\0';
    if(mkdir(dir, mode) == 0) {
      if(chmod(dir, mode)) {
        vouch_cli_say("%s: %s", dir, strerror(errno));
        rc = VOUCH_ERR_SYSTEM;
        break;
      }
      printf("created directory %s\n", dir);
    }
    else if(errno != EEXIST) {
      vouch_cli_say("cannot create directory %s: %s", dir, strerror(errno));
      rc = VOUCH_ERR_SYSTEM;
      break;
    }
    rc = check_dir(dir, p == NULL);
    if(!p)
      break;
    *p = '/';
  }
out:
  free(dir);
  return rc;
}

/* lstat: 1 when path exists, 0 when it does not, -1 on another error
 * (said). */
static int exists(const char *path)
{
  struct stat sb;

  if(!lstat(path, &sb))
    return 1;
  if(errno == ENOENT)
    return 0;
  vouch_cli_say("%s: %s%s", path, strerror(errno),
                errno == EACCES ? " (run vouchctl init as root)" : "");
  return -1;
}

static vouch_rc init_key(vouch_ctx *ctx)
{
  const char *path = ctx->cfg->key_file;
  const unsigned char *key;
  vouch_rc rc;
  int e;

  rc = make_parents(path, 0755);
  if(rc)
    return rc;
  e = exists(path);
  if(e < 0)
    return VOUCH_ERR_SYSTEM;
  if(e) {
    rc = vouch_ctx_key(ctx, &key); /* checks owner, mode and size */
    if(!rc)
      printf("kept key file %s\n", path);
    return rc;
  }
  rc = vouch_key_create(path, ctx->log, ctx->logarg);
  if(!rc)
    printf("created key file %s\n", path);
  return rc;
}

static vouch_rc init_store(vouch_ctx *ctx, bool *created)
{
  const char *path = ctx->cfg->store_path;
  vouch_rc rc;
  int e;

  rc = make_parents(path, 0700);
  if(rc)
    return rc;
  e = exists(path);
  if(e < 0)
    return VOUCH_ERR_SYSTEM;
  rc = vouch_admin_store_init(ctx);
  if(rc)
    return rc;
  *created = !e;
  printf("%s store %s\n", e ? "kept" : "created", path);
  return VOUCH_OK;
}

/* A new key would silently kill every card hash, code and token of the
 * store (they are keyed with the lost key): the administrator chooses
 * between the backup and a deliberate new start. */
static vouch_rc refuse_new_key(struct cli *c)
{
  const char *key = c->ctx->cfg->key_file;
  const char *store = c->ctx->cfg->store_path;
  bool dflt = !strcmp(c->conf, VOUCH_CONF_PATH);

  vouch_cli_say("the key file %s is missing, but the store %s exists", key,
                store);
  vouch_cli_say("refusing to make a new key: the store's card numbers, "
                "codes and tokens work only with the key they were made "
                "with");
  fprintf(stderr,
          "To keep the store, restore the key from your backup of it:\n"
          "  install -m 0600 -o root -g root BACKUP %s\n"
          "then run vouchctl init again to check it.\n"
          "To start again with a new, empty store instead (members, "
          "passwords and\ncards are not carried over), run\n"
          "  vouchctl%s%s init --new-store\n"
          "which moves the store aside to %s.old-DATE-TIME (it is\n"
          "kept) and makes a new key and store.\n",
          key, dflt ? "" : " --config ", dflt ? "" : c->conf, store);
  return VOUCH_ERR_KEY;
}

#ifndef VOUCH_WORKER
/* A running vouchd (or its systemd socket) would go on with the old
 * store's key in memory against a new store. */
static vouch_rc daemon_stopped(struct cli *c)
{
  vouch_client_conf cc;
  char err[320];
  int fd;

  if(vouch_client_conf_read(c->conf, &cc, err, sizeof(err)))
    return VOUCH_OK; /* vouchd could not run with it either */
  fd = vouch_client_connect(&cc, err, sizeof(err));
  if(fd < 0)
    return VOUCH_OK;
  close(fd);
  vouch_cli_say("vouchd answers at %s: stop it first (systemctl stop "
                "vouchd.socket vouchd.service), then run init --new-store "
                "again",
                cc.socket);
  return VOUCH_ERR_SYSTEM; /* a state of the system: exit 4 */
}
#endif

static vouch_rc new_store(struct cli *c)
{
  const char *store = c->ctx->cfg->store_path;
  char aside[PATH_MAX];
  vouch_rc rc = VOUCH_OK;
  int e = exists(store);

  if(e < 0)
    return VOUCH_ERR_SYSTEM;
#ifndef VOUCH_WORKER
  rc = daemon_stopped(c);
#endif
  if(!rc && e)
    rc =
        vouch_admin_store_move_aside(c->ctx, time(NULL), aside, sizeof(aside));
  if(!rc && e)
    printf("moved the old store %s aside to %s (kept, not deleted)\n", store,
           aside);
  return rc;
}

static const char usage_init[] =
    "Usage: vouchctl init [--new-store]\n"
    "Creates the key file and the store named in the configuration, with\n"
    "missing parent directories; keeps (and checks) what exists.  Refuses\n"
    "to make a new key for an existing store (restore the key file from\n"
    "its backup instead).\n"
    "  --new-store  start again: move the store aside to\n"
    "               PATH.old-YYYYMMDD-HHMMSS (kept, never deleted), then\n"
    "               make a new store (and a key file when it is missing)\n";

/* [daemon] user: vouchd runs as that user, so the key file and the
 * store are its (made by root here, then handed over).  *pw stays
 * empty (pw_name NULL) when vouchd runs as root. */
static vouch_rc state_user(struct cli *c, struct passwd *pw, char *buf,
                           size_t len)
{
  const char *user = c->ctx->cfg->daemon_user;
  struct passwd *res = NULL;

  memset(pw, 0, sizeof(*pw));
  if(!user || !*user)
    return VOUCH_OK;
  if(getpwnam_r(user, pw, buf, len, &res) || !res) {
    vouch_cli_say("[daemon] user %s: no such user (the Debian package "
                  "makes it; by hand: adduser --system --group %s)",
                  user, user);
    memset(pw, 0, sizeof(*pw));
    return VOUCH_ERR_CONFIG;
  }
  vouch_state_owner(pw->pw_uid);
  owner_uid = pw->pw_uid;
  owner_set = true;
  return VOUCH_OK;
}

/* Hands path (when it exists) to the user vouchd runs as. */
static vouch_rc hand_over(const char *path, const struct passwd *pw)
{
  struct stat st;
  int fd;

  fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if(fd < 0)
    return errno == ENOENT ? VOUCH_OK : VOUCH_ERR_SYSTEM;
  if(fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    close(fd);
    return VOUCH_ERR_SYSTEM;
  }
  if((st.st_uid != pw->pw_uid || st.st_gid != pw->pw_gid) &&
     fchown(fd, pw->pw_uid, pw->pw_gid)) {
    vouch_cli_say("%s: cannot hand it to %s: %s", path, pw->pw_name,
                  strerror(errno));
    close(fd);
    return VOUCH_ERR_SYSTEM;
  }
  if(st.st_uid != pw->pw_uid)
    printf("%s now belongs to %s (vouchd's user)\n", path, pw->pw_name);
  close(fd);
  return VOUCH_OK;
}

static vouch_rc hand_state_over(struct cli *c, const struct passwd *pw)
{
  const char *db = c->ctx->cfg->store_path;
  static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
  char path[PATH_MAX];
  vouch_rc rc;
  size_t i;

  if(!pw->pw_name)
    return VOUCH_OK;
  rc = hand_over(c->ctx->cfg->key_file, pw);
  for(i = 0; !rc && i < sizeof(ext) / sizeof(ext[0]); i++) {
    if((size_t)snprintf(path, sizeof(path), "%s%s", db, ext[i]) >=
       sizeof(path))
      return VOUCH_ERR_SYSTEM;
    rc = hand_over(path, pw);
  }
  return rc;
}

/* path (a file or a directory) belongs to root or to us, and neither
 * group nor others may write it. */
static bool trusted_program(const char *path)
{
  struct stat st;

  return !stat(path, &st) && (st.st_uid == 0 || st.st_uid == geteuid()) &&
         !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* The PostgreSQL store: its schema is made by vouch-store-init (the one
 * program that links libpq, in vouchd's package): the one beside this
 * program (a build tree), else LIBEXECDIR's.  Its messages go to our
 * stdout and stderr. */
static vouch_rc init_pg_store(struct cli *c)
{
  char self[PATH_MAX], helper[PATH_MAX + 24], *slash;
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  int status;
  pid_t pid;

  if(n <= 0)
    return VOUCH_ERR_SYSTEM;
  self[n] = '\0';
  slash = strrchr(self, '/');
  if(!slash)
    return VOUCH_ERR_SYSTEM;
  *slash = '\0';
  snprintf(helper, sizeof(helper), "%s/vouch-store-init", self);
  if(access(helper, F_OK)) {
    snprintf(self, sizeof(self), "%s", VOUCH_LIBEXECDIR);
    snprintf(helper, sizeof(helper), "%s/vouch-store-init", VOUCH_LIBEXECDIR);
  }
  /* Run as root: only a program no one else could have put there. */
  if(!trusted_program(self) || !trusted_program(helper)) {
    vouch_cli_say("%s: not a program of root's (owner root, not writable "
                  "by group or others): not run",
                  helper);
    return VOUCH_ERR_INSECURE;
  }
  fflush(stdout);
  pid = fork();
  if(pid < 0)
    return VOUCH_ERR_SYSTEM;
  if(pid == 0) {
    execl(helper, "vouch-store-init", "--config", c->conf, (char *)NULL);
    fprintf(stderr, "vouchctl: cannot run %s: %s\n", helper, strerror(errno));
    _exit(4);
  }
  while(waitpid(pid, &status, 0) < 0)
    if(errno != EINTR)
      return VOUCH_ERR_SYSTEM;
  if(WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return VOUCH_OK;
  vouch_cli_say("the PostgreSQL store was not made or checked (the reason "
                "is above)");
  return WIFEXITED(status) && WEXITSTATUS(status) == 2 ? VOUCH_ERR_USAGE
                                                       : VOUCH_ERR_STORE;
}

/* init of [store] backend = postgresql: the key file here (the same on
 * every host of the store: the schema records which), then the schema. */
static vouch_rc init_pg(struct cli *c, bool fresh, const struct passwd *owner)
{
  vouch_rc rc;

  if(fresh) {
    vouch_cli_say("--new-store is for an SQLite store; a PostgreSQL store "
                  "is dropped with PostgreSQL's own tools");
    return VOUCH_ERR_USAGE;
  }
  rc = init_key(c->ctx);
  if(!rc && owner->pw_name)
    rc = hand_over(c->ctx->cfg->key_file, owner);
  if(!rc)
    rc = init_pg_store(c);
  return rc;
}

static vouch_rc cmd_init(struct cli *c, int argc, char **argv)
{
  bool fresh = false, created = false;
  const vouch_cli_opt opts[] = {{"--new-store", NULL, &fresh}};
  const vouch_cli_spec s = {"init", usage_init, opts, 1, NULL, NULL, false};
  struct passwd owner;
  char pwbuf[2048];
  bool had_key;
  vouch_rc rc;
  int e;

  rc = vouch_cli_parse(&s, argc, argv);
  if(rc)
    return rc;
  rc = open_ctx(c);
  if(!rc)
    rc = state_user(c, &owner, pwbuf, sizeof(pwbuf));
  if(rc)
    return rc;
  if(c->ctx->cfg->store_backend == VOUCH_BACKEND_POSTGRESQL)
    return init_pg(c, fresh, &owner);
  e = exists(c->ctx->cfg->key_file);
  if(e < 0)
    return VOUCH_ERR_SYSTEM;
  had_key = e;
  if(fresh) {
    /* A key that cannot serve the new store stops it before the old
     * store moves. */
    if(had_key)
      rc = init_key(c->ctx);
    if(!rc)
      rc = new_store(c);
  }
  else if(!had_key) {
    e = exists(c->ctx->cfg->store_path);
    if(e < 0)
      return VOUCH_ERR_SYSTEM;
    if(e)
      return refuse_new_key(c);
  }
  if(!rc)
    rc = init_key(c->ctx);
  if(!rc)
    rc = init_store(c->ctx, &created);
  if(!rc)
    rc = hand_state_over(c, &owner);
  if(!rc && had_key && !created)
    printf("nothing to do: the key file and the store are in place\n");
  return rc;
}

/* ------------------------------------------------------ user add/set */

struct details {
  char *name;
  char *email;
  char *phone;
  char *full;
  char *lang;
};

/* Validates the options given; empty values clear (set) or are refused
 * (add). */
static vouch_rc check_details(const struct details *d, bool empty_clears)
{
  const struct {
    enum field f;
    const char *v;
  } list[] = {{F_EMAIL, d->email},
              {F_PHONE, d->phone},
              {F_NAME, d->full},
              {F_LANG, d->lang}};
  size_t i;
  vouch_rc rc;

  for(i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
    if(!list[i].v || (empty_clears && !list[i].v[0] && list[i].f != F_LANG))
      continue;
    rc = check_field(list[i].f, list[i].v);
    if(rc)
      return rc;
  }
  return VOUCH_OK;
}

static vouch_rc parse_details(const char *cmd, const char *usage,
                              struct details *d, int argc, char **argv)
{
  const vouch_cli_opt opts[] = {{"--email", &d->email, NULL},
                                {"--phone", &d->phone, NULL},
                                {"--name", &d->full, NULL},
                                {"--lang", &d->lang, NULL}};
  const vouch_cli_spec s = {cmd, usage, opts, 4, "NAME", &d->name, true};
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(!rc)
    rc = check_field(F_USER, d->name);
  return rc;
}

/* The details as the core takes them. */
static vouch_user_details as_details(const struct details *d)
{
  vouch_user_details ud = {d->name, d->email, d->phone, d->full, d->lang};

  return ud;
}

static vouch_rc cmd_user_add(struct cli *c, int argc, char **argv)
{
  struct details d = {0};
  vouch_user_details ud;
  vouch_rc rc;

  rc = parse_details("user add", usage_add, &d, argc, argv);
  if(!rc)
    rc = check_details(&d, false);
  if(!rc)
    rc = open_ctx(c);
  if(rc)
    return rc;
  ud = as_details(&d);
  rc = vouch_admin_user_add(c->ctx, &ud);
  if(rc == VOUCH_ERR_EXISTS)
    vouch_cli_say("user %s already exists", d.name);
  if(!rc)
    printf("added user %s\n", d.name);
  return rc;
}

static vouch_rc cmd_user_set(struct cli *c, int argc, char **argv)
{
  struct details d = {0};
  vouch_user_details ud;
  vouch_rc rc;

  rc = parse_details("user set", usage_set, &d, argc, argv);
  if(!rc && !d.email && !d.phone && !d.full && !d.lang)
    rc =
        vouch_cli_usage_error("user set", usage_set,
                              "give at least one of --email, --phone, --name, "
                              "--lang");
  if(!rc)
    rc = check_details(&d, true);
  if(!rc)
    rc = open_ctx(c);
  if(rc)
    return rc;
  ud = as_details(&d);
  rc = vouch_admin_user_set(c->ctx, &ud);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(d.name);
  if(!rc)
    printf("changed user %s\n", d.name);
  return rc;
}

/* ---------------------------------------------------- user show/del */

static vouch_rc parse_name(const char *cmd, const char *usage, char **name,
                           bool *json, int argc, char **argv)
{
  const vouch_cli_opt opts[] = {{"--json", NULL, json}};
  const vouch_cli_spec s = {cmd,    usage, opts, json ? 1 : 0,
                            "NAME", name,  true};
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(!rc)
    rc = check_field(F_USER, *name);
  return rc;
}

static void show_json(const vouch_user *u, const vouch_membership *m)
{
  char changed[32];
  char created[32];
  char cancelled[32];
  char end[16];

  vouch_format_time(u->pw_changed, changed, sizeof(changed));
  vouch_format_time(u->created, created, sizeof(created));
  vouch_format_date(u->period_end, end, sizeof(end));
  fputs("{\"user\":", stdout);
  vouch_json_string(stdout, u->name);
  fputs(",\"name\":", stdout);
  vouch_json_string(stdout, u->full_name);
  fputs(",\"email\":", stdout);
  vouch_json_string(stdout, u->email);
  fputs(",\"phone\":", stdout);
  vouch_json_string(stdout, u->phone);
  printf(",\"phone_verified\":%s,\"lang\":",
         u->phone_verified ? "true" : "false");
  vouch_json_string(stdout, u->lang);
  printf(",\"state\":\"%s\",\"password_set\":%s,\"password_changed\":",
         vouch_state_name(u->state), u->pw_hash ? "true" : "false");
  vouch_json_string(stdout, u->pw_changed ? changed : NULL);
  printf(",\"failures\":%u,\"plan\":", u->pw_failures);
  vouch_json_string(stdout, u->plan);
  fputs(",\"period_end\":", stdout);
  vouch_json_string(stdout, u->plan && u->period_end ? end : NULL);
  vouch_format_time(m->cancelled, cancelled, sizeof(cancelled));
  fputs(",\"cancelled\":", stdout);
  vouch_json_string(stdout, m->cancelled ? cancelled : NULL);
  printf(",\"delete_profile\":%s",
         m->cancelled && m->delete_profile ? "true" : "false");
  fputs(",\"created\":", stdout);
  vouch_json_string(stdout, created);
  fputs("}\n", stdout);
}

static void show_line(const char *key, const char *value, const char *tail)
{
  printf("%-12s", key);
  put_text(value ? value : "not set");
  if(value && tail)
    fputs(tail, stdout);
  putchar('\n');
}

static void show_text(const vouch_user *u, const vouch_membership *m)
{
  char when[32];
  char line[96];

  show_line("user:", u->name, NULL);
  show_line("name:", u->full_name, NULL);
  show_line("email:", u->email, NULL);
  show_line("phone:", u->phone,
            u->phone_verified ? " (verified)" : " (not verified)");
  show_line("language:", u->lang, NULL);
  show_line("state:", vouch_state_name(u->state), NULL);
  vouch_format_time(u->pw_changed, when, sizeof(when));
  if(!u->pw_hash)
    snprintf(line, sizeof(line), "not set");
  else if(u->pw_changed)
    snprintf(line, sizeof(line), "set, changed %s", when);
  else
    snprintf(line, sizeof(line), "set");
  show_line("password:", line, NULL);
  snprintf(line, sizeof(line), "%u", u->pw_failures);
  show_line("failures:", line, NULL);
  vouch_format_date(u->period_end, when, sizeof(when));
  snprintf(line, sizeof(line), ", period ends %s",
           u->period_end ? when : "never");
  show_line("membership:", u->plan ? u->plan : "none", u->plan ? line : NULL);
  if(m->cancelled) {
    vouch_format_time(m->cancelled, when, sizeof(when));
    show_line("cancelled:", when,
              m->delete_profile ? ", personal data goes after the period"
                                : ", access until the period ends");
  }
  vouch_format_time(u->created, when, sizeof(when));
  show_line("created:", when, NULL);
}

static vouch_rc cmd_user_show(struct cli *c, int argc, char **argv)
{
  vouch_membership m = {0};
  vouch_user u = {0};
  char *name = NULL;
  bool json = false;
  vouch_rc rc;

  rc = parse_name("user show", usage_show, &name, &json, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(!rc)
    rc = vouch_admin_user_get(c->ctx, name, &u);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  if(!rc)
    rc = vouch_membership_get(c->ctx, name, &m);
  if(!rc) {
    if(json)
      show_json(&u, &m);
    else
      show_text(&u, &m);
  }
  vouch_membership_clear(&m);
  vouch_user_clear(&u);
  return rc;
}

static vouch_rc cmd_user_del(struct cli *c, int argc, char **argv)
{
  char *name = NULL;
  vouch_rc rc;

  rc = parse_name("user del", usage_del, &name, NULL, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(rc)
    return rc;
  rc = vouch_admin_user_del(c->ctx, name);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  if(!rc)
    printf("deleted user %s\n", name);
  return rc;
}

/* ------------------------------------------------------- user import */

struct row {
  struct details d;
  char msg[512];
};

static vouch_rc row_member(void *arg, const char *key, const char *value)
{
  struct row *r = arg;
  char buf[4 * SHOW_MAX + 8];
  char **slot = NULL;

  if(!strcmp(key, "user"))
    slot = &r->d.name;
  else if(!strcmp(key, "email"))
    slot = &r->d.email;
  else if(!strcmp(key, "phone"))
    slot = &r->d.phone;
  else if(!strcmp(key, "name"))
    slot = &r->d.full;
  else if(!strcmp(key, "lang"))
    slot = &r->d.lang;
  if(!slot) {
    snprintf(r->msg, sizeof(r->msg),
             "unknown key \"%s\" (expected user, "
             "email, phone, name, lang)",
             vouch_cli_shown(key, buf, sizeof(buf)));
    return VOUCH_ERR_INPUT;
  }
  /* null and "" both leave an optional detail unset */
  if(value && value[0]) {
    *slot = vouch_strdup(value);
    if(!*slot)
      return VOUCH_ERR_NOMEM;
  }
  return VOUCH_OK;
}

static void row_clear(struct row *r)
{
  free(r->d.name);
  free(r->d.email);
  free(r->d.phone);
  free(r->d.full);
  free(r->d.lang);
  memset(r, 0, sizeof(*r));
}

/* Checks a parsed row; the reason goes into r->msg. */
static vouch_rc row_check(struct row *r)
{
  const struct {
    enum field f;
    const char *v;
  } list[] = {{F_USER, r->d.name},
              {F_EMAIL, r->d.email},
              {F_PHONE, r->d.phone},
              {F_NAME, r->d.full},
              {F_LANG, r->d.lang}};
  size_t i;

  if(!r->d.name) {
    snprintf(r->msg, sizeof(r->msg), "missing \"user\"");
    return VOUCH_ERR_INPUT;
  }
  for(i = 0; i < sizeof(list) / sizeof(list[0]); i++)
    if(list[i].v && !field_ok(list[i].f, list[i].v, r->msg, sizeof(r->msg)))
      return VOUCH_ERR_INPUT;
  return VOUCH_OK;
}

/* Parses and checks the user of one line. */
static vouch_rc parse_row(const char *line, size_t len, struct row *r)
{
  vouch_rc rc;

  rc = vouch_json_object(line, len, row_member, r, r->msg, sizeof(r->msg));
  if(!rc)
    rc = row_check(r);
  return rc;
}

/* Reads one line without its newline into buf (IMPORT_LINE_MAX + 1
 * bytes).  Returns 1 for a line, 0 at the end, -1 when too long or on a
 * read error (errno set then, 0 for too long). */
static int read_line(FILE *f, char *buf, size_t *len)
{
  size_t n = 0;
  int ch;

  for(;;) {
    ch = getc(f);
    if(ch == EOF || ch == '\n')
      break;
    if(n == IMPORT_LINE_MAX) {
      errno = 0;
      return -1;
    }
    buf[n++] = (char)ch;
  }
  *len = n;
  if(ferror(f))
    return -1;
  if(ch == EOF && n == 0)
    return 0;
  return 1;
}

static bool blank(const char *s, size_t len)
{
  size_t i;

  for(i = 0; i < len; i++)
    if(s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return false;
  return true;
}

struct import {
  FILE *f;
  const char *fname; /* for messages */
  char *buf;
  unsigned long line;
  unsigned long added;
  struct row row; /* the line the core was given last */
};

/* vouch_admin_next_fn: the user of the next line that is not blank; a
 * line that cannot be read or is malformed is said with its number. */
static vouch_rc next_user(void *arg, vouch_user_details *d, bool *end)
{
  struct import *im = arg;
  size_t len;
  vouch_rc rc;
  int got;
  int err;

  row_clear(&im->row);
  do {
    got = read_line(im->f, im->buf, &len);
    if(got == 0) {
      *end = true;
      return VOUCH_OK;
    }
    im->line++;
    if(got < 0) {
      err = errno;
      vouch_cli_say("%s:%lu: %s", im->fname, im->line,
                    err ? strerror(err) : "line longer than 65536 bytes");
      return err ? VOUCH_ERR_SYSTEM : VOUCH_ERR_INPUT;
    }
  } while(blank(im->buf, len));
  rc = parse_row(im->buf, len, &im->row);
  if(rc && im->row.msg[0])
    vouch_cli_say("%s:%lu: %s", im->fname, im->line, im->row.msg);
  if(!rc)
    *d = as_details(&im->row.d);
  return rc;
}

static vouch_rc cmd_user_import(struct cli *c, int argc, char **argv)
{
  char *file = NULL;
  const vouch_cli_spec s = {"user import", usage_import, NULL, 0,
                            "FILE",        &file,        false};
  struct import im = {0};
  char shown[4 * SHOW_MAX + 8];
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(rc)
    return rc;
  im.fname = file && strcmp(file, "-") ? file : "stdin";
  im.f = file && strcmp(file, "-") ? fopen(file, "re") : stdin;
  if(!im.f) {
    vouch_cli_say("cannot open %s: %s",
                  vouch_cli_shown(file, shown, sizeof(shown)),
                  strerror(errno));
    return VOUCH_ERR_INPUT;
  }
  im.buf = malloc(IMPORT_LINE_MAX + 1);
  rc = im.buf ? open_ctx(c) : VOUCH_ERR_NOMEM;
  if(!rc)
    rc = vouch_admin_user_import(c->ctx, next_user, &im, &im.added);
  if(rc == VOUCH_ERR_EXISTS)
    vouch_cli_say("%s:%lu: user %s already exists", im.fname, im.line,
                  im.row.d.name);
  if(!rc)
    printf("imported %lu user%s\n", im.added, im.added == 1 ? "" : "s");
  row_clear(&im.row);
  if(im.f != stdin)
    fclose(im.f);
  free(im.buf);
  return rc;
}

/* ----------------------------------------------------------- passwd */

static void say_policy(const vouch_ctx *ctx, vouch_rc rc, const char *name)
{
  const vouch_config *cfg = ctx->cfg;

  if(rc == VOUCH_ERR_PW_SHORT)
    vouch_cli_say("password too short: at least %u characters",
                  cfg->pw_min_length);
  else if(rc == VOUCH_ERR_PW_LONG)
    vouch_cli_say("password too long: at most %u bytes", cfg->pw_max_length);
  else if(rc == VOUCH_ERR_PW_REUSED)
    vouch_cli_say("password refused: it equals one of the last %u passwords",
                  cfg->pw_history);
  else if(rc == VOUCH_ERR_INPUT)
    vouch_cli_say("password refused: not valid UTF-8 text");
  else if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
}

/* Reads the new password: twice from a terminal, once from a pipe. */
static vouch_rc read_new_password(const vouch_ctx *ctx, char **pw)
{
  size_t max = (size_t)ctx->cfg->pw_max_length + 1;
  bool tty = isatty(0) == 1;
  char *again = NULL;
  char err[128];
  vouch_rc rc;

  rc = vouch_read_secret_err(vouch_msg("en", VOUCH_MSG_NEW_PASSWORD), max, pw,
                             err, sizeof(err));
  if(!rc && tty)
    rc = vouch_read_secret_err(vouch_msg("en", VOUCH_MSG_RETYPE_PASSWORD), max,
                               &again, err, sizeof(err));
  if(rc)
    vouch_cli_say("cannot read the new password: %s", err);
  else if(tty && (strlen(*pw) != strlen(again) ||
                  !vouch_ct_equal(*pw, again, strlen(*pw)))) {
    vouch_cli_say("the two passwords differ");
    rc = VOUCH_ERR_PW_MISMATCH;
  }
  vouch_free_secret(again);
  if(rc) {
    vouch_free_secret(*pw);
    *pw = NULL;
  }
  return rc;
}

static vouch_rc cmd_passwd(struct cli *c, int argc, char **argv)
{
  char *name = NULL;
  char *pw = NULL;
  vouch_rc rc;

  rc = parse_name("passwd", usage_passwd, &name, NULL, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(!rc)
    rc = vouch_account_exists(c->ctx, name); /* before asking */
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  if(!rc)
    rc = read_new_password(c->ctx, &pw);
  if(rc)
    goto out;
  rc = vouch_password_set(c->ctx, name, pw, true);
  if(rc)
    say_policy(c->ctx, rc, name);
  else
    printf("password set for %s\n", name);
out:
  vouch_free_secret(pw);
  return rc;
}

/* ----------------------------------------------------------- unlock */

static vouch_rc cmd_unlock(struct cli *c, int argc, char **argv)
{
  char *name = NULL;
  vouch_rc rc;

  rc = parse_name("unlock", usage_unlock, &name, NULL, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(!rc)
    rc = vouch_account_unlock(c->ctx, name);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  if(!rc)
    printf("unlocked %s\n", name);
  return rc;
}

/* ------------------------------------------------------------ audit */

struct audit_out {
  bool json;
  unsigned long rows;
};

static vouch_rc audit_row(void *arg, const vouch_audit_row *r)
{
  struct audit_out *o = arg;
  char ts[32];

  o->rows++;
  vouch_format_time(r->ts, ts, sizeof(ts));
  if(o->json) {
    printf("{\"ts\":\"%s\",\"user\":", ts);
    vouch_json_string(stdout, r->user[0] ? r->user : NULL);
    fputs(",\"event\":", stdout);
    vouch_json_string(stdout, r->event);
    fputs(",\"service\":", stdout);
    vouch_json_string(stdout, r->service[0] ? r->service : NULL);
    fputs(",\"detail\":", stdout);
    vouch_json_string(stdout, r->detail[0] ? r->detail : NULL);
    fputs("}\n", stdout);
    return VOUCH_OK;
  }
  printf("%s ", ts);
  put_text(r->user[0] ? r->user : "-");
  putchar(' ');
  put_text(r->event);
  putchar(' ');
  put_text(r->service[0] ? r->service : "-");
  putchar(' ');
  put_text(r->detail[0] ? r->detail : "-");
  putchar('\n');
  return VOUCH_OK;
}

static vouch_rc cmd_audit(struct cli *c, int argc, char **argv)
{
  struct audit_out o = {false, 0};
  const vouch_cli_opt opts[] = {{"--json", NULL, &o.json}};
  char *name = NULL;
  const vouch_cli_spec s = {"audit", usage_audit, opts, 1,
                            "NAME",  &name,       false};
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(!rc && name)
    rc = check_field(F_USER, name);
  if(!rc)
    rc = open_ctx(c);
  if(!rc)
    rc = vouch_admin_audit_each(c->ctx, name, audit_row, &o);
  /* a deleted user keeps the trail; a name never seen is unknown */
  if(!rc && name && !o.rows) {
    rc = vouch_account_exists(c->ctx, name);
    if(rc == VOUCH_ERR_NO_USER)
      unknown_user(name);
  }
  return rc;
}

/* ------------------------------------------------------- membership */

struct member_args {
  char *name;
  char *plan;
  char *end;
  bool clear;
  time_t end_t;
};

static vouch_rc parse_membership(struct member_args *m, int argc, char **argv)
{
  const vouch_cli_opt opts[] = {{"--plan", &m->plan, NULL},
                                {"--period-end", &m->end, NULL},
                                {"--clear", NULL, &m->clear}};
  const vouch_cli_spec s = {"membership", usage_membership, opts, 3,
                            "NAME",       &m->name,         true};
  char buf[4 * SHOW_MAX + 8];
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(rc)
    return rc;
  if(m->clear && (m->plan || m->end))
    return vouch_cli_usage_error(
        s.cmd, s.usage, "--clear goes without --plan and --period-end");
  if(!m->clear && (!m->plan || !m->end))
    return vouch_cli_usage_error(s.cmd, s.usage,
                                 "give --plan and --period-end, "
                                 "or --clear");
  rc = check_field(F_USER, m->name);
  if(!rc && !m->clear)
    rc = check_field(F_PLAN, m->plan);
  if(!rc && !m->clear && vouch_parse_date(m->end, &m->end_t)) {
    vouch_cli_say(
        "invalid date '%s': use YYYY-MM-DD, a real day between 1970 and "
        "9999",
        vouch_cli_shown(m->end, buf, sizeof(buf)));
    rc = VOUCH_ERR_INPUT;
  }
  return rc;
}

static vouch_rc cmd_membership(struct cli *c, int argc, char **argv)
{
  struct member_args m = {0};
  vouch_membership old = {0};
  vouch_rc rc;

  rc = parse_membership(&m, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(rc)
    return rc;
  rc = vouch_admin_membership_set(c->ctx, m.name, m.clear ? NULL : m.plan,
                                  m.end_t, &old);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(m.name);
  if(!rc && m.clear)
    printf("removed the membership of %s\n", m.name);
  else if(!rc)
    printf("membership of %s: %s, period ends %s\n", m.name, m.plan, m.end);
  if(!rc && old.cancelled)
    printf("the cancellation of %s is cleared%s\n", m.name,
           old.delete_profile ? ": the personal data stays" : "");
  vouch_membership_clear(&old);
  return rc;
}

/* ------------------------------------------------------------- card */

static const char usage_card[] =
    "Usage: vouchctl card set NAME\n"
    "       vouchctl card clear NAME\n"
    "set reads the full card number (digits, spaces and dashes) from the\n"
    "terminal without echo, or one line from stdin; only a keyed hash of\n"
    "it and its last 4 digits are stored.\n";

static vouch_rc cmd_card_set(struct cli *c, int argc, char **argv)
{
  char *name = NULL, *number = NULL;
  char digits[32], err[128];
  const char *why = NULL;
  vouch_rc rc;

  digits[0] = '\0';
  rc = parse_name("card set", usage_card, &name, NULL, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(!rc) {
    rc = vouch_read_secret_err("Card number: ", 64, &number, err, sizeof(err));
    if(rc)
      vouch_cli_say("cannot read the card number: %s", err);
  }
  if(!rc) {
    rc = vouch_card_parse(number, digits, sizeof(digits), &why);
    if(rc)
      vouch_cli_say("invalid card number: %s", why ? why : vouch_strerror(rc));
  }
  if(!rc)
    rc = vouch_card_set(c->ctx, name, number);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  if(!rc)
    printf("card ending in %s set for %s\n", digits + strlen(digits) - 4,
           name);
  vouch_wipe(digits, sizeof(digits));
  vouch_free_secret(number);
  return rc;
}

static vouch_rc cmd_card_clear(struct cli *c, int argc, char **argv)
{
  char *name = NULL;
  vouch_rc rc;

  rc = parse_name("card clear", usage_card, &name, NULL, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(!rc)
    rc = vouch_card_clear(c->ctx, name);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  else if(rc == VOUCH_ERR_NOT_FOUND)
    vouch_cli_say("%s has no card on file", name);
  if(!rc)
    printf("card of %s removed\n", name);
  return rc;
}

/* ------------------------------------------------------------ phone */

static const char usage_phone[] =
    "Usage: vouchctl phone verify NAME [--trusted]\n"
    "Sends a code by SMS to the phone number on file and reads it back\n"
    "(terminal or stdin); the number is then verified and may receive\n"
    "security-check codes.  --trusted marks it verified without a code.\n";

/* The code round trip of phone verify. */
static vouch_rc verify_by_code(vouch_ctx *ctx, const char *name)
{
  char *code = NULL;
  char err[128];
  vouch_rc rc;

  rc = vouch_code_send(ctx, name, "phone-verify", VOUCH_CHANNEL_SMS, NULL, 0,
                       false);
  if(rc == VOUCH_ERR_UNAVAIL)
    vouch_cli_say("%s has no phone number on file", name);
  if(rc)
    return rc;
  rc = vouch_read_secret_err("Code: ", 64, &code, err, sizeof(err));
  if(rc)
    vouch_cli_say("cannot read the code: %s", err);
  if(!rc)
    rc = vouch_code_redeem(ctx, name, "phone-verify", VOUCH_CHANNEL_SMS,
                           vouch_trim(code));
  if(rc == VOUCH_ERR_AUTH || rc == VOUCH_ERR_STALE)
    vouch_cli_say(
        "the code is not right or has expired; the number stays unverified");
  else if(rc == VOUCH_ERR_INPUT && code)
    vouch_cli_say("a code is %u digits", ctx->cfg->otp_length);
  else if(rc == VOUCH_ERR_LOCKED)
    vouch_cli_say("%s is locked: a password reset is required", name);
  vouch_free_secret(code);
  return rc;
}

static vouch_rc cmd_phone_verify(struct cli *c, int argc, char **argv)
{
  bool trusted = false;
  char *name = NULL;
  const vouch_cli_opt opts[] = {{"--trusted", NULL, &trusted}};
  const vouch_cli_spec s = {"phone verify", usage_phone, opts, 1,
                            "NAME",         &name,       true};
  vouch_rc rc;

  rc = vouch_cli_parse(&s, argc, argv);
  if(!rc)
    rc = check_field(F_USER, name);
  if(!rc)
    rc = open_ctx(c);
  if(!rc && !trusted)
    rc = verify_by_code(c->ctx, name);
  if(!rc)
    rc = vouch_phone_set_verified(c->ctx, name);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  if(!rc)
    printf("phone number of %s verified\n", name);
  return rc;
}

/* --------------------------------------------------------- sessions */

static const char usage_sessions[] =
    "Usage: vouchctl sessions NAME [--json]\n"
    "Lists the sessions pam_vouch_session recorded for NAME, newest first:\n"
    "ID, STARTED, ENDED (or open), SERVICE, TTY, FROM (remote host), PID\n"
    "of the leader, and \"revoked\" for those signed out everywhere.\n"
    "  --json       one JSON object per line instead of text\n";

struct sessions_out {
  bool json;
  unsigned long rows;
  vouch_table *t;
};

static void session_json(const vouch_session_row *r)
{
  char started[32], ended[32];

  vouch_format_time(r->started, started, sizeof(started));
  vouch_format_time(r->ended, ended, sizeof(ended));
  printf("{\"id\":%lld,\"started\":\"%s\",\"ended\":", (long long)r->id,
         started);
  vouch_json_string(stdout, r->ended ? ended : NULL);
  fputs(",\"service\":", stdout);
  vouch_json_string(stdout, r->service[0] ? r->service : NULL);
  fputs(",\"tty\":", stdout);
  vouch_json_string(stdout, r->tty[0] ? r->tty : NULL);
  fputs(",\"rhost\":", stdout);
  vouch_json_string(stdout, r->rhost[0] ? r->rhost : NULL);
  printf(",\"pid\":%ld,\"revoked\":%s}\n", r->pid,
         r->revoked ? "true" : "false");
}

static vouch_rc session_row(void *arg, const vouch_session_row *r)
{
  struct sessions_out *o = arg;
  char id[24], started[32], ended[32], pid[40];
  const char *cells[7];

  if(o->json) {
    session_json(r);
    return VOUCH_OK;
  }
  vouch_format_time(r->started, started, sizeof(started));
  vouch_format_time(r->ended, ended, sizeof(ended));
  snprintf(id, sizeof(id), "%lld", (long long)r->id);
  snprintf(pid, sizeof(pid), "%ld%s", r->pid, r->revoked ? " revoked" : "");
  cells[0] = id;
  cells[1] = started;
  cells[2] = r->ended ? ended : "open";
  cells[3] = r->service;
  cells[4] = r->tty;
  cells[5] = r->rhost;
  cells[6] = pid;
  o->rows++;
  return vouch_table_add(o->t, cells);
}

static vouch_rc cmd_sessions(struct cli *c, int argc, char **argv)
{
  static const char *const head[] = {"ID",  "STARTED", "ENDED", "SERVICE",
                                     "TTY", "FROM",    "PID"};
  struct sessions_out o = {false, 0, NULL};
  char *name = NULL;
  vouch_rc rc;

  rc = parse_name("sessions", usage_sessions, &name, &o.json, argc, argv);
  if(!rc)
    rc = open_ctx(c);
  if(!rc && !o.json) {
    o.t = vouch_table_new(7, head);
    if(!o.t)
      rc = VOUCH_ERR_NOMEM;
  }
  if(!rc)
    rc = vouch_sessions_each(c->ctx, name, session_row, &o);
  if(rc == VOUCH_ERR_NO_USER)
    unknown_user(name);
  if(!rc && !o.json && o.rows)
    vouch_table_print(o.t, stdout);
  if(!rc && !o.json && !o.rows)
    printf("no sessions recorded for %s\n", name);
  vouch_table_free(o.t);
  return rc;
}

/* --------------------------------------------------------- dispatch */

struct command {
  const char *name;
  vouch_rc (*run)(struct cli *c, int argc, char **argv);
};

static vouch_rc dispatch(const struct command *list, size_t n,
                         const char *group, const char *usage, struct cli *c,
                         int argc, char **argv)
{
  char buf[4 * SHOW_MAX + 8];
  size_t i;

  if(argc < 1)
    return vouch_cli_usage_error(group, usage, "missing command");
  if(!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
    fputs(usage, stdout);
    return VOUCH_CLI_HELP;
  }
  for(i = 0; i < n; i++)
    if(!strcmp(argv[0], list[i].name))
      return list[i].run(c, argc - 1, argv + 1);
  return vouch_cli_usage_error(group, usage, "unknown command '%s'",
                               vouch_cli_shown(argv[0], buf, sizeof(buf)));
}

static vouch_rc cmd_user(struct cli *c, int argc, char **argv)
{
  static const struct command user_cmds[] = {{"add", cmd_user_add},
                                             {"show", cmd_user_show},
                                             {"set", cmd_user_set},
                                             {"del", cmd_user_del},
                                             {"import", cmd_user_import}};

  return dispatch(user_cmds, 5, "user", usage_user, c, argc, argv);
}

static vouch_rc cmd_card(struct cli *c, int argc, char **argv)
{
  static const struct command card_cmds[] = {{"set", cmd_card_set},
                                             {"clear", cmd_card_clear}};

  return dispatch(card_cmds, 2, "card", usage_card, c, argc, argv);
}

static vouch_rc cmd_phone(struct cli *c, int argc, char **argv)
{
  static const struct command phone_cmds[] = {{"verify", cmd_phone_verify}};

  return dispatch(phone_cmds, 1, "phone", usage_phone, c, argc, argv);
}

/* Global options come before the command. */
static vouch_rc run(struct cli *c, int argc, char **argv)
{
  static const struct command cmds[] = {
      {"init", cmd_init},        {"user", cmd_user},
      {"passwd", cmd_passwd},    {"unlock", cmd_unlock},
      {"audit", cmd_audit},      {"membership", cmd_membership},
      {"card", cmd_card},        {"phone", cmd_phone},
      {"sessions", cmd_sessions}};
  char buf[4 * SHOW_MAX + 8];
  int i = 1;

  for(; i < argc && argv[i][0] == '-'; i++) {
    if(!strcmp(argv[i], "--version")) {
      printf("vouchctl %s\n", VOUCH_VERSION);
      return VOUCH_CLI_HELP;
    }
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      break;
    if(!strcmp(argv[i], "--config") && i + 1 < argc)
      c->conf = argv[++i];
    else if(!strncmp(argv[i], "--config=", 9))
      c->conf = argv[i] + 9;
    else if(!strcmp(argv[i], "--config"))
      return vouch_cli_usage_error("", usage_main,
                                   "option --config needs a value");
    else
      return vouch_cli_usage_error("", usage_main, "unknown option '%s'",
                                   vouch_cli_shown(argv[i], buf, sizeof(buf)));
  }
  if(!c->conf[0])
    return vouch_cli_usage_error("", usage_main, "--config needs a file name");
  return dispatch(cmds, sizeof(cmds) / sizeof(cmds[0]), "", usage_main, c,
                  argc - i, argv + i);
}

#ifndef VOUCH_WORKER
/* Runs here (no vouchd needed): init, which makes the key and the store
 * vouchd needs, and every --help. */
static bool runs_here(int argc, char **argv)
{
  const char *cmd = NULL;
  int i;

  for(i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return true;
    if(!cmd && !strcmp(argv[i], "--config"))
      i++;
    else if(!cmd && argv[i][0] != '-')
      cmd = argv[i];
  }
  return !cmd || !strcmp(cmd, "init");
}
#endif

int main(int argc, char **argv)
{
  struct cli c = {VOUCH_CONF_PATH, NULL};
  vouch_rc rc;

  vouch_cli_name("vouchctl");
#ifndef VOUCH_WORKER
  /* Every command but init runs in vouchd (which it makes the key and
   * store for); --help and a missing command need no daemon either. */
  if(!runs_here(argc, argv))
    return vouch_client_tool("vouchctl", argc, argv);
#endif

  rc = run(&c, argc, argv);
  vouch_ctx_free(c.ctx);
  return vouch_cli_exit(rc);
}
