/*
 * vouch-store-init --config FILE: "vouchctl init" for the PostgreSQL
 * store ([store] backend = postgresql), in LIBEXECDIR.  vouchctl makes
 * the key file, then runs this: only this helper links libpq (vouchd's
 * package has it; the tools' package needs none, and nothing that PAM
 * hosts or vouchd load pulls libpq in).  Makes or upgrades the schema
 * (core/pg_schema.c); prints what it did; exits 0, 4 on any error (said
 * on stderr), 2 on wrong usage.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pg.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

static void to_stderr(void *arg, int prio, const char *msg)
{
  (void)arg;
  (void)prio;
  fprintf(stderr, "vouch-store-init: %s\n", msg);
}

int main(int argc, char **argv)
{
  const char *conf = VOUCH_CONF_PATH;
  vouch_config *c = NULL;
  unsigned char *key;
  int from = 0, to = 0;
  vouch_rc rc;

  if(argc == 3 && !strcmp(argv[1], "--config"))
    conf = argv[2];
  else if(argc != 1) {
    fprintf(stderr, "usage: vouch-store-init [--config FILE]\n");
    return 2;
  }
  vouch_pg_clear_env();
  if(vouch_crypto_init() || vouch_config_load(conf, &c, to_stderr, NULL))
    return 4;
  /* Files of vouchd's user (the key file vouchctl handed over, the
   * password file) pass the owner check, as for vouchctl init. */
  if(c->daemon_user && *c->daemon_user) {
    struct passwd *pw = getpwnam(c->daemon_user);

    if(!pw) {
      fprintf(stderr, "vouch-store-init: [daemon] user %s: no such user\n",
              c->daemon_user);
      vouch_config_free(c);
      return 4;
    }
    vouch_state_owner(pw->pw_uid);
  }
  if(c->store_backend != VOUCH_BACKEND_POSTGRESQL) {
    fprintf(stderr, "vouch-store-init: for [store] backend = postgresql "
                    "(vouchctl init makes an SQLite store itself)\n");
    vouch_config_free(c);
    return 2;
  }
  key = sodium_malloc(VOUCH_KEY_BYTES);
  rc = key ? vouch_key_load(c->key_file, key, to_stderr, NULL)
           : VOUCH_ERR_NOMEM;
  if(!rc)
    rc = vouch_pg_init(c, key, &from, &to, to_stderr, NULL);
  if(key)
    sodium_free(key);
  if(!rc && from == to)
    printf("the PostgreSQL store is in place (schema version %d)\n", to);
  else if(!rc && !from)
    printf("made the PostgreSQL store (schema version %d)\n", to);
  else if(!rc)
    printf("upgraded the PostgreSQL store from schema version %d to %d\n",
           from, to);
  vouch_config_free(c);
  return rc ? 4 : 0;
}
