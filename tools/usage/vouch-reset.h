/*
 * usage/vouch-reset.h - the usage texts of vouch-reset, shown by the
 * command in vouchd and, for --help, by the tool itself
 * (client/tool_main.c): help needs no daemon.
 */
#ifndef VOUCH_USAGE_VOUCH_RESET_H
#define VOUCH_USAGE_VOUCH_RESET_H

#include "vouch_usage.h"

static const char usage_main[] =
    "Usage: vouch-reset [--config PATH] COMMAND [ARGUMENTS]\n"
    "       vouch-reset --help | --version\n"
    "\n"
    "Commands:\n"
    "  request NAME --via email|sms   send a reset link by email or a\n"
    "                                 code by SMS to the member\n"
    "  complete NAME --token T | --code C\n"
    "                                 choose a new password with the\n"
    "                                 link's token or the SMS code\n"
    "  recover --name \"Full Name\"     send a reset link when the name\n"
    "                                 and card number (stdin) match\n"
    "\n"
    "Options:\n"
    "  --config PATH   configuration file (default " VOUCH_CONF_PATH ")\n"
    "  -h, --help      show this help\n"
    "  --version       show the version\n"
    "\n"
    "'vouch-reset COMMAND --help' shows the usage of a command.\n"
    "Exit status: 0 done, 1 denied, 2 usage or bad input, 3 unknown user,\n"
    "4 system error.\n";
static const char usage_request[] =
    "Usage: vouch-reset request NAME --via email|sms\n"
    "  --via email  a link valid [reset] link_ttl to the email address\n"
    "  --via sms    a code valid [reset] sms_ttl to the verified phone\n"
    "A locked account may ask for a reset.  Prints where it went, masked.\n";
static const char usage_complete[] =
    "Usage: vouch-reset complete NAME --token T\n"
    "       vouch-reset complete NAME --code C\n"
    "  --token T    the token of the reset link (after token=)\n"
    "  --code C     the code sent by SMS\n"
    "Reads the new password from the terminal (twice, without echo) or one\n"
    "line from standard input.  Sets it, clears a lockout, signs every\n"
    "session out and tells the member by email.  Nobody is signed in.\n";
static const char usage_recover[] =
    "Usage: vouch-reset recover --name \"Full Name\"\n"
    "Reads the full card number from the terminal (without echo) or one\n"
    "line from standard input.  When the name and the card match one\n"
    "account, a reset link goes to its email address.  The answer has the\n"
    "same form, and takes the same time, whether anything matched or not.\n";

static const struct vouch_usage vouch_usages[] = {{NULL, usage_main},
                                                  {"request", usage_request},
                                                  {"complete", usage_complete},
                                                  {"recover", usage_recover},
                                                  {NULL, NULL}};

#endif /* VOUCH_USAGE_VOUCH_RESET_H */
