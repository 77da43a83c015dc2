/*
 * tool_main.c - the main of vouch-reset, vouch-logout-all, vouch-cancel,
 * vouch-export and vouch-account: each is vouchd's client and nothing
 * else (built once a tool, VOUCH_TOOL_NAME naming it).  The commands run
 * in vouchd; see tool_client.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vouch_client.h"

#if !defined(VOUCH_TOOL_NAME) || !defined(VOUCH_TOOL_USAGE)
#error "VOUCH_TOOL_NAME names the tool, VOUCH_TOOL_USAGE its usage header"
#endif
#include VOUCH_TOOL_USAGE

/* --help or -h before "--": the usage of the command named first (the
 * first word that is no option nor an option's value), else the
 * tool's. */
static const char *help(int argc, char **argv)
{
  const char *cmd = NULL;
  bool asked = false;
  int i, k;

  for(i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      asked = true;
    else if(!strcmp(argv[i], "--config") || !strcmp(argv[i], "--user"))
      i++;
    else if(!cmd && argv[i][0] != '-')
      cmd = argv[i];
  }
  if(!asked)
    return NULL;
  for(k = 1; cmd && vouch_usages[k].text; k++)
    if(!strcmp(cmd, vouch_usages[k].command))
      return vouch_usages[k].text;
  return vouch_usages[0].text;
}

int main(int argc, char **argv)
{
  const char *text = help(argc, argv);

  /* Answered here, so that they work with vouchd down. */
  if(argc == 2 && !strcmp(argv[1], "--version")) {
    printf("%s %s\n", VOUCH_TOOL_NAME, VOUCH_VERSION);
    return 0;
  }
  if(text) {
    fputs(text, stdout);
    return fflush(stdout) ? 4 : 0;
  }
  return vouch_client_tool(VOUCH_TOOL_NAME, argc, argv);
}
