/*
 * usage/vouch-export.h - the usage texts of vouch-export, shown by the
 * command in vouchd and, for --help, by the tool itself
 * (client/tool_main.c): help needs no daemon.
 */
#ifndef VOUCH_USAGE_VOUCH_EXPORT_H
#define VOUCH_USAGE_VOUCH_EXPORT_H

#include "vouch_usage.h"

static const char usage_main[] =
    "Usage: vouch-export [--config PATH] COMMAND [ARGUMENTS]\n"
    "       vouch-export --help | --version\n"
    "\n"
    "Commands:\n"
    "  request NAME [--json]       ask for a copy of NAME's personal\n"
    "                              information; emails a confirmation "
    "token\n"
    "  confirm NAME --token T      confirm with the token and the current\n"
    "                              password (terminal or one stdin line)\n"
    "  list NAME [--json]          the requests of NAME and their status\n"
    "  cancel NAME ID              cancel a request (and remove its "
    "archive)\n"
    "  run                         build confirmed archives, retire expired\n"
    "                              requests and archives (run from cron)\n"
    "\n"
    "Options:\n"
    "  --config PATH   configuration file (default " VOUCH_CONF_PATH ")\n"
    "  -h, --help      show this help ('vouch-export COMMAND --help' too)\n"
    "\n"
    "Exit status: 0 done, 1 refused or verification failed, 2 usage or bad\n"
    "input, 3 unknown user or request, 4 system error.\n";
static const char usage_request[] =
    "Usage: vouch-export request NAME [--json]\n"
    "Creates a request \"not yet confirmed\" and emails NAME a token to\n"
    "confirm it with, valid [export] confirm_ttl; prints the request id.\n";
static const char usage_confirm[] =
    "Usage: vouch-export confirm NAME --token T\n"
    "Reads NAME's current password from the terminal without echo, or one\n"
    "line of standard input, checks it and the token, and moves the\n"
    "request \"in progress\".\n";
static const char usage_list[] =
    "Usage: vouch-export list NAME [--json]\n"
    "Shows Created, Status (Not yet confirmed, In progress, Ready,\n"
    "Cancelled, Expired) and Details of each request, newest first.\n";
static const char usage_cancel[] =
    "Usage: vouch-export cancel NAME ID\n"
    "Cancels request ID of NAME; a ready archive is removed.\n";
static const char usage_run[] =
    "Usage: vouch-export run\n"
    "Builds the archive of every request in progress (JSON, mode 0600,\n"
    "under [export] dir), marks it ready and emails the member; expires\n"
    "requests not confirmed within [export] confirm_ttl and removes\n"
    "archives older than [export] keep.\n";

static const struct vouch_usage vouch_usages[] = {{NULL, usage_main},
                                                  {"request", usage_request},
                                                  {"confirm", usage_confirm},
                                                  {"list", usage_list},
                                                  {"cancel", usage_cancel},
                                                  {"run", usage_run},
                                                  {NULL, NULL}};

#endif /* VOUCH_USAGE_VOUCH_EXPORT_H */
