/*
 * worker.c - vouchd --worker TOOL UID ARGS...: one tool command, run by
 * a fresh image of vouchd that tool.c started with the tool's standard
 * descriptors.  UID is the peer's (vouch-account acts for that user's
 * account alone).  Whoever else starts "vouchd --worker" gets nothing
 * they could not do themselves: it holds only their own privileges.
 */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "vouchd.h"
#include "worker.h"

struct tool {
  const char *name;
  int (*main)(int argc, char **argv);
};

static const struct tool tools[] = {
    {"vouchctl", vouch_tool_vouchctl_main},
    {"vouch-reset", vouch_tool_reset_main},
    {"vouch-logout-all", vouch_tool_logout_all_main},
    {"vouch-cancel", vouch_tool_cancel_main},
    {"vouch-export", vouch_tool_export_main},
    {"vouch-account", vouch_tool_account_main},
};

/* The --config FILE the daemon put (or checked) before the command. */
static const char *config_of(int argc, char **argv)
{
  int i;

  for(i = 0; i + 1 < argc; i++)
    if(!strcmp(argv[i], "--config"))
      return argv[i + 1];
  for(i = 0; i < argc; i++)
    if(!strncmp(argv[i], "--config=", 9))
      return argv[i] + 9;
  return NULL;
}

int vd_worker_main(int argc, char **argv)
{
  long long uid;
  size_t i;

  if(argc < 4 || !vouch_frame_num(argv[3], 0, UINT32_MAX, &uid)) {
    fputs("vouchd: --worker is started by vouchd itself\n", stderr);
    return 2;
  }
  vouch_cli_set_caller((uid_t)uid);
  /* The tools run here are vouchd's: they open its store, whichever. */
  vouch_pg_clear_env();
  vouch_store_pg_enable();
  for(i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
    if(strcmp(argv[2], tools[i].name))
      continue;
    /* vouch-account's check runs the flows: they need the daemon's
     * configuration and key. */
    if(!strcmp(tools[i].name, "vouch-account")) {
      if(vd_worker_state(config_of(argc - 4, argv + 4)))
        return 4;
    }
    /* (vd_worker_state has told the store the key already) */
    else if(vd_worker_key(config_of(argc - 4, argv + 4)))
      return 4;
    /* The tool sees itself as argv[0], then its own arguments. */
    argv[3] = argv[2];
    return tools[i].main(argc - 3, argv + 3);
  }
  fprintf(stderr, "vouchd: no tool %.40s\n", argv[2]);
  return 2;
}
