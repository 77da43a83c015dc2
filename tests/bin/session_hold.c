/*
 * session_hold.c - a session leader for the session tests.
 *
 *   session_hold SERVICE USER PIDFILE RESULTFILE [--tty T] [--rhost H]
 *                [--ignore-hup]
 *
 * Opens a PAM session for USER through SERVICE (under pam_wrapper), sets
 * PAM_TTY and PAM_RHOST first when given, writes its pid to PIDFILE, then
 * waits (at most 60 s) for SIGHUP or SIGTERM; --ignore-hup ignores
 * SIGHUP.  Then writes what ended the wait ("SIGHUP", "SIGTERM" or
 * "timeout") to RESULTFILE, closes the session and exits 0.  Exit status
 * is the PAM code when pam_start or pam_open_session fails, 100 on wrong
 * usage, 101 when a file cannot be written.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define EXIT_USAGE 100
#define EXIT_FILE 101
#define WAIT_STEPS 600 /* of 100 ms: 60 s */

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
  got = sig;
}

/* Messages are printed; a prompt fails (sessions never ask). */
static int conv(int num, const struct pam_message **msg,
                struct pam_response **resp, void *appdata)
{
  int i;

  (void)appdata;
  *resp = NULL;
  for(i = 0; i < num; i++) {
    if(msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
       msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
      return PAM_CONV_ERR;
    printf("MSG: %s\n", msg[i]->msg ? msg[i]->msg : "");
  }
  return PAM_SUCCESS;
}

/* Writes text to path through a temporary name, so a reader never sees
 * half of it. */
static int put_file(const char *path, const char *text)
{
  char tmp[4096];
  FILE *f;

  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  f = fopen(tmp, "w");
  if(!f)
    return -1;
  fputs(text, f);
  if(fclose(f))
    return -1;
  return rename(tmp, path);
}

static void catch_signals(int ignore_hup)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  if(ignore_hup)
    sa.sa_handler = SIG_IGN;
  sigaction(SIGHUP, &sa, NULL);
}

static const char *wait_signal(void)
{
  struct timespec ts = {0, 100000000L};
  int i;

  for(i = 0; i < WAIT_STEPS && !got; i++)
    nanosleep(&ts, NULL);
  if(got == SIGHUP)
    return "SIGHUP\n";
  if(got == SIGTERM)
    return "SIGTERM\n";
  return "timeout\n";
}

int main(int argc, char **argv)
{
  struct pam_conv pc = {conv, NULL};
  pam_handle_t *pamh = NULL;
  const char *tty = NULL, *rhost = NULL;
  char pid[32];
  int ignore_hup = 0, rc, i;

  if(argc < 5)
    return EXIT_USAGE;
  for(i = 5; i < argc; i++) {
    if(!strcmp(argv[i], "--ignore-hup"))
      ignore_hup = 1;
    else if(!strcmp(argv[i], "--tty") && i + 1 < argc)
      tty = argv[++i];
    else if(!strcmp(argv[i], "--rhost") && i + 1 < argc)
      rhost = argv[++i];
    else
      return EXIT_USAGE;
  }
  catch_signals(ignore_hup);
  rc = pam_start(argv[1], argv[2], &pc, &pamh);
  if(rc != PAM_SUCCESS)
    return rc;
  if(tty)
    pam_set_item(pamh, PAM_TTY, tty);
  if(rhost)
    pam_set_item(pamh, PAM_RHOST, rhost);
  rc = pam_open_session(pamh, 0);
  printf("open: %d\n", rc);
  fflush(stdout);
  if(rc != PAM_SUCCESS) {
    pam_end(pamh, rc);
    return rc;
  }
  snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
  if(put_file(argv[3], pid)) {
    pam_end(pamh, rc);
    return EXIT_FILE;
  }
  if(put_file(argv[4], wait_signal()))
    rc = EXIT_FILE;
  i = pam_close_session(pamh, 0);
  printf("close: %d\n", i);
  pam_end(pamh, i);
  return rc;
}
