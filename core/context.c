/*
 * context.c - the handle modules and tools hold: configuration, the key
 * and the store, opened on first use so that a module that fails early
 * never touches the store, and the sink that diagnostics go to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <sodium.h>

#include "vouch.h"
#include "store.h"

#ifndef VOUCH_CONF_PATH
#define VOUCH_CONF_PATH "/etc/vouch/vouch.conf"
#endif

void vouch_log(const vouch_ctx *ctx, int priority, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;

  if(!ctx || !ctx->log)
    return;
  if(priority == LOG_DEBUG && !ctx->debug)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  ctx->log(ctx->logarg, priority, buf);
}

vouch_rc vouch_ctx_new(const char *conf_path, const char *service,
                       vouch_log_fn log, void *logarg, vouch_ctx **out)
{
  vouch_ctx *ctx;
  vouch_rc rc;

  *out = NULL;
  rc = vouch_crypto_init();
  if(rc)
    return rc;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx)
    return VOUCH_ERR_NOMEM;
  ctx->log = log;
  ctx->logarg = logarg;
  ctx->service = vouch_strdup(service ? service : "");
  if(!ctx->service) {
    rc = VOUCH_ERR_NOMEM;
    goto out;
  }
  rc = vouch_config_load(conf_path ? conf_path : VOUCH_CONF_PATH, &ctx->cfg,
                         log, logarg);
  if(rc)
    goto out;
  *out = ctx;
  ctx = NULL;
out:
  vouch_ctx_free(ctx);
  return rc;
}

vouch_rc vouch_ctx_with(vouch_config *cfg, const char *service,
                        unsigned char *key, vouch_log_fn log, void *logarg,
                        vouch_ctx **out)
{
  vouch_ctx *ctx;

  *out = NULL;
  ctx = calloc(1, sizeof(*ctx));
  if(!ctx) {
    vouch_config_free(cfg);
    return VOUCH_ERR_NOMEM;
  }
  ctx->cfg = cfg;
  ctx->key = key;
  ctx->key_borrowed = key != NULL;
  ctx->log = log;
  ctx->logarg = logarg;
  ctx->service = vouch_strdup(service ? service : "");
  if(!ctx->service) {
    vouch_ctx_free(ctx);
    return VOUCH_ERR_NOMEM;
  }
  *out = ctx;
  return VOUCH_OK;
}

vouch_rc vouch_ctx_store(vouch_ctx *ctx, vouch_store **out)
{
  vouch_rc rc;

  if(!ctx->store) {
    rc = vouch_store_open_config(ctx->cfg, 0, &ctx->store, ctx->log,
                                 ctx->logarg);
    if(rc) {
      ctx->store = NULL;
      return rc;
    }
  }
  *out = ctx->store;
  return VOUCH_OK;
}

vouch_rc vouch_ctx_key(vouch_ctx *ctx, const unsigned char **out)
{
  vouch_rc rc;

  if(!ctx->key) {
    ctx->key = sodium_malloc(VOUCH_KEY_BYTES);
    if(!ctx->key)
      return VOUCH_ERR_NOMEM;
    rc = vouch_key_load(ctx->cfg->key_file, ctx->key, ctx->log, ctx->logarg);
    if(rc) {
      sodium_free(ctx->key);
      ctx->key = NULL;
      return rc;
    }
    /* The key is never needed in a core dump nor written back. */
    sodium_mprotect_readonly(ctx->key);
  }
  *out = ctx->key;
  return VOUCH_OK;
}

void vouch_ctx_free(vouch_ctx *ctx)
{
  if(!ctx)
    return;
  if(ctx->store)
    vouch_store_close(ctx->store);
  if(ctx->key && !ctx->key_borrowed)
    sodium_free(ctx->key); /* wipes */
  if(ctx->cfg)
    vouch_config_free(ctx->cfg);
  free(ctx->service);
  free(ctx);
}
