/*
 * worker.h - included (-include) into each tool's source when it is
 * compiled into vouchd's worker: the tool's main under its own name, and
 * what the worker offers the tools.
 */
#ifndef VOUCHD_WORKER_H
#define VOUCHD_WORKER_H

#include <stdbool.h>

int vouch_tool_vouchctl_main(int argc, char **argv);
int vouch_tool_reset_main(int argc, char **argv);
int vouch_tool_logout_all_main(int argc, char **argv);
int vouch_tool_cancel_main(int argc, char **argv);
int vouch_tool_export_main(int argc, char **argv);
int vouch_tool_account_main(int argc, char **argv);

/* vouch-account's security check on the tool's terminal (a PAM code). */
int vd_local_check(const char *user, bool reset_ok);

#endif /* VOUCHD_WORKER_H */
