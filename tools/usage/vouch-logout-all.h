/*
 * usage/vouch-logout-all.h - the usage texts of vouch-logout-all, shown
 * by the command in vouchd and, for --help, by the tool itself
 * (client/tool_main.c): help needs no daemon.
 */
#ifndef VOUCH_USAGE_VOUCH_LOGOUT_ALL_H
#define VOUCH_USAGE_VOUCH_LOGOUT_ALL_H

#include "vouch_usage.h"

static const char usage[] =
    "Usage: vouch-logout-all [--config PATH] NAME [--new-password]\n"
    "       vouch-logout-all --help\n"
    "\n"
    "Signs NAME out of every session recorded by pam_vouch_session: each\n"
    "is marked revoked and its leader process gets SIGHUP, then SIGTERM\n"
    "after 2 seconds (only while it is still the recorded process).\n"
    "\n"
    "  --new-password  also make every device sign in again with a new\n"
    "                  password (the account becomes reset-required)\n"
    "  --config PATH   configuration file (default " VOUCH_CONF_PATH ")\n"
    "  -h, --help      show this help\n"
    "  --version       show the version\n"
    "\n"
    "Exit status: 0 done, 2 usage or bad input, 3 unknown user,\n"
    "4 system error.\n";

static const struct vouch_usage vouch_usages[] = {{NULL, usage}, {NULL, NULL}};

#endif /* VOUCH_USAGE_VOUCH_LOGOUT_ALL_H */
