/*
 * usage/vouch-account.h - the usage texts of vouch-account, shown by the
 * command in vouchd and, for --help, by the tool itself
 * (client/tool_main.c): help needs no daemon.
 */
#ifndef VOUCH_USAGE_VOUCH_ACCOUNT_H
#define VOUCH_USAGE_VOUCH_ACCOUNT_H

#include "vouch_usage.h"

static const char usage_main[] =
    "Usage: vouch-account [--user NAME] [--config PATH] COMMAND [ARGS]\n"
    "\n"
    "Your own account, without an administrator.  Commands that change\n"
    "something first ask for your password and a security check.\n"
    "\n"
    "Commands:\n"
    "  email NEW             change your email address (a code goes to NEW)\n"
    "  phone NEW             change your phone number (a code goes to NEW)\n"
    "  password              change your password\n"
    "  logout-all            sign out of all devices\n"
    "  devices [--json]      list your sessions\n"
    "  cancel [--yes] [--delete-profile] | cancel --undo\n"
    "                        cancel your membership, or take it back\n"
    "  export                ask for your personal information\n"
    "  export confirm TOKEN  confirm the request (current password)\n"
    "  export list [--json]  your requests\n"
    "  approve [--deny]      sign a device in with its sign-in code\n"
    "\n"
    "Options (root only):\n"
    "  --user NAME     act for NAME\n"
    "  --config PATH   configuration file (default " VOUCH_CONF_PATH ")\n"
    "  -h, --help      show this help ('COMMAND --help' for a command)\n"
    "  --version       show the version\n"
    "\n"
    "Exit status: 0 done, 1 check failed or refused, 2 usage or bad input,\n"
    "3 unknown user, 4 system error.\n";
static const char usage_email[] =
    "Usage: vouch-account email NEW\n"
    "After the security check a code goes to NEW; NEW replaces the address\n"
    "on file once the code comes back, and the old address is told.\n";
static const char usage_phone[] =
    "Usage: vouch-account phone NEW\n"
    "NEW in E.164 form (+4512345678).  After the security check a code\n"
    "goes to NEW by SMS; NEW replaces the number on file (verified) once\n"
    "the code comes back, and your email address is told.\n";
static const char usage_password[] =
    "Usage: vouch-account password\n"
    "After the security check: the new password twice, then whether to\n"
    "sign out of all devices.\n";
static const char usage_logout[] =
    "Usage: vouch-account logout-all\n"
    "Signs you out of every session, this one too.\n";
static const char usage_devices[] = "Usage: vouch-account devices [--json]\n"
                                    "Lists your sessions, newest first.\n";
static const char usage_cancel[] =
    "Usage: vouch-account cancel [--yes] [--delete-profile]\n"
    "       vouch-account cancel --undo\n"
    "Access stays until the end of the billing period.  --yes does not ask\n"
    "to finish; --delete-profile removes your personal information at the\n"
    "period end; --undo takes a cancellation back before then.\n";
static const char usage_export[] =
    "Usage: vouch-account export\n"
    "       vouch-account export confirm TOKEN\n"
    "       vouch-account export list [--json]\n"
    "Asks for your personal information: an email brings a token to\n"
    "confirm with (and your current password); another tells when it is\n"
    "ready.\n";
static const char usage_approve[] =
    "Usage: vouch-account approve [--deny]\n"
    "Signs in the device showing a sign-in code as you (--deny refuses\n"
    "it).  The code is read from the terminal, or from standard input\n"
    "when that is not a terminal: never from the arguments, where other\n"
    "users could read it and approve first.\n";

static const struct vouch_usage vouch_usages[] = {
    {NULL, usage_main},           {"email", usage_email},
    {"phone", usage_phone},       {"password", usage_password},
    {"logout-all", usage_logout}, {"devices", usage_devices},
    {"cancel", usage_cancel},     {"export", usage_export},
    {"approve", usage_approve},   {NULL, NULL}};

#endif /* VOUCH_USAGE_VOUCH_ACCOUNT_H */
