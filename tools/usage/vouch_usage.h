/*
 * vouch_usage.h - a tool's usage texts by command: the first entry (no
 * command) is the tool's own, the list ends with a NULL text.
 */
#ifndef VOUCH_USAGE_H
#define VOUCH_USAGE_H

#include <stddef.h>

struct vouch_usage {
  const char *command;
  const char *text;
};

#endif /* VOUCH_USAGE_H */
