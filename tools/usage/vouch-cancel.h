/*
 * usage/vouch-cancel.h - the usage texts of vouch-cancel, shown by the
 * command in vouchd and, for --help, by the tool itself
 * (client/tool_main.c): help needs no daemon.
 */
#ifndef VOUCH_USAGE_VOUCH_CANCEL_H
#define VOUCH_USAGE_VOUCH_CANCEL_H

#include "vouch_usage.h"

static const char usage[] =
    "Usage: vouch-cancel [--config PATH] NAME [--yes] [--delete-profile]\n"
    "       vouch-cancel [--config PATH] --undo NAME\n"
    "       vouch-cancel [--config PATH] --apply-due\n"
    "       vouch-cancel --help | --version\n"
    "\n"
    "Cancels the membership of NAME: access continues until the end of the\n"
    "billing period, then sign-in is refused.  Asks \"Finish cancellation?\"\n"
    "on the terminal (or reads one line of standard input) unless --yes.\n"
    "\n"
    "  --yes              finish without asking\n"
    "  --delete-profile   remove the personal information (full name,\n"
    "                     email, phone, card, password, sessions, codes,\n"
    "                     tokens, exports) once the period has ended\n"
    "  --undo             restore a cancelled membership before the period\n"
    "                     end\n"
    "  --apply-due        remove the personal information of every account\n"
    "                     whose period has ended and that asked for it\n"
    "                     (run daily from cron)\n"
    "  --hold             pausing a membership is not provided\n"
    "  --config PATH      configuration file (default " VOUCH_CONF_PATH ")\n"
    "\n"
    "Exit status: 0 done, 1 refused or not confirmed, 2 usage or bad input,\n"
    "3 unknown user, 4 system error.\n";

static const struct vouch_usage vouch_usages[] = {{NULL, usage}, {NULL, NULL}};

#endif /* VOUCH_USAGE_VOUCH_CANCEL_H */
