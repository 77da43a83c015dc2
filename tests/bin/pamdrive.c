/*
 * pamdrive.c - a PAM application for the stack tests.
 *
 *   pamdrive SERVICE USER OP [OP...]
 *
 * OP is one of auth, acct, chauthtok, chauthtok-expired, open, close,
 * setcred.  The operations run in order and stop at the first that fails.
 * The conversation answers each prompt with the next line of standard
 * input (newline stripped; "\0" is a NUL byte inside the answer, "\\" a
 * backslash; the line "@CONVERR" or the end of input make the conversation
 * fail with PAM_CONV_ERR).  Every message is printed as "STYLE: text" and
 * every operation as "OP: PAM_CODE_NAME", so tests can match exact lines.
 *
 * Exit status: 0 when every operation succeeded, otherwise the PAM code of
 * the one that failed; 100 on wrong usage, 101 when out of memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#define EXIT_USAGE 100
#define EXIT_NOMEM 101

struct op {
  const char *name;
  int which;
  int flags;
};

enum { OP_AUTH, OP_ACCT, OP_CHAUTHTOK, OP_OPEN, OP_CLOSE, OP_SETCRED };

static const struct op ops[] = {
  { "auth", OP_AUTH, 0 },
  { "acct", OP_ACCT, 0 },
  { "chauthtok", OP_CHAUTHTOK, 0 },
  { "chauthtok-expired", OP_CHAUTHTOK, PAM_CHANGE_EXPIRED_AUTHTOK },
  { "open", OP_OPEN, 0 },
  { "close", OP_CLOSE, 0 },
  { "setcred", OP_SETCRED, PAM_ESTABLISH_CRED }
};

#define NAME(x) { x, #x }
static const struct {
  int code;
  const char *name;
} codes[] = {
  NAME(PAM_SUCCESS), NAME(PAM_OPEN_ERR), NAME(PAM_SYMBOL_ERR),
  NAME(PAM_SERVICE_ERR), NAME(PAM_SYSTEM_ERR), NAME(PAM_BUF_ERR),
  NAME(PAM_PERM_DENIED), NAME(PAM_AUTH_ERR), NAME(PAM_CRED_INSUFFICIENT),
  NAME(PAM_AUTHINFO_UNAVAIL), NAME(PAM_USER_UNKNOWN), NAME(PAM_MAXTRIES),
  NAME(PAM_NEW_AUTHTOK_REQD), NAME(PAM_ACCT_EXPIRED),
  NAME(PAM_SESSION_ERR), NAME(PAM_CRED_UNAVAIL), NAME(PAM_CRED_EXPIRED),
  NAME(PAM_CRED_ERR), NAME(PAM_NO_MODULE_DATA), NAME(PAM_CONV_ERR),
  NAME(PAM_AUTHTOK_ERR), NAME(PAM_AUTHTOK_RECOVERY_ERR),
  NAME(PAM_AUTHTOK_LOCK_BUSY), NAME(PAM_AUTHTOK_DISABLE_AGING),
  NAME(PAM_TRY_AGAIN), NAME(PAM_IGNORE), NAME(PAM_ABORT),
  NAME(PAM_AUTHTOK_EXPIRED), NAME(PAM_MODULE_UNKNOWN),
  NAME(PAM_BAD_ITEM), NAME(PAM_CONV_AGAIN), NAME(PAM_INCOMPLETE)
};

static const char *code_name(int code)
{
  size_t i;

  for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    if(codes[i].code == code)
      return codes[i].name;
  }
  return "PAM_UNKNOWN_CODE";
}

/* Turns the escapes of line (len bytes, no newline) into bytes, in place;
 * the result may hold NUL bytes and is always NUL-terminated. */
static void unescape(char *line, size_t len)
{
  size_t i;
  size_t o = 0;

  for(i = 0; i < len; i++) {
    if(line[i] == '\\' && i + 1 < len && line[i + 1] == '0') {
      line[o++] = '\0';
      i++;
    }
    else if(line[i] == '\\' && i + 1 < len && line[i + 1] == '\\') {
      line[o++] = '\\';
      i++;
    }
    else
      line[o++] = line[i];
  }
  line[o] = '\0';
}

/* The next answer from stdin as a malloc'ed buffer, or NULL when the
 * conversation must fail (end of input, @CONVERR, no memory). */
static char *next_answer(void)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);

  if(n < 0) {
    free(line);
    return NULL;
  }
  if(n > 0 && line[n - 1] == '\n')
    line[--n] = '\0';
  if(!strcmp(line, "@CONVERR")) {
    free(line);
    return NULL;
  }
  unescape(line, (size_t)n);
  return line;
}

static void free_replies(struct pam_response *r, int num)
{
  int i;

  if(!r)
    return;
  for(i = 0; i < num; i++) {
    if(r[i].resp) {
      memset(r[i].resp, 0, strlen(r[i].resp));
      free(r[i].resp);
    }
  }
  free(r);
}

static const char *style_name(int style)
{
  switch(style) {
  case PAM_PROMPT_ECHO_OFF:
    return "PROMPT_ECHO_OFF";
  case PAM_PROMPT_ECHO_ON:
    return "PROMPT_ECHO_ON";
  case PAM_ERROR_MSG:
    return "ERROR_MSG";
  case PAM_TEXT_INFO:
    return "TEXT_INFO";
  default:
    return "UNKNOWN_STYLE";
  }
}

static int conv(int num, const struct pam_message **msg,
                struct pam_response **resp, void *appdata)
{
  struct pam_response *r;
  int i;

  (void)appdata;
  *resp = NULL;
  if(num <= 0 || num > PAM_MAX_NUM_MSG)
    return PAM_CONV_ERR;
  r = calloc((size_t)num, sizeof(*r));
  if(!r)
    return PAM_BUF_ERR;
  for(i = 0; i < num; i++) {
    int style = msg[i]->msg_style;

    printf("%s: %s\n", style_name(style), msg[i]->msg ? msg[i]->msg : "");
    fflush(stdout);
    if(style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON) {
      r[i].resp = next_answer();
      if(!r[i].resp) {
        free_replies(r, num);
        return PAM_CONV_ERR;
      }
    }
    else if(style != PAM_ERROR_MSG && style != PAM_TEXT_INFO) {
      free_replies(r, num);
      return PAM_CONV_ERR;
    }
  }
  *resp = r;
  return PAM_SUCCESS;
}

static const struct op *find_op(const char *name)
{
  size_t i;

  for(i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
    if(!strcmp(ops[i].name, name))
      return &ops[i];
  }
  return NULL;
}

static int run_op(pam_handle_t *pamh, const struct op *op)
{
  switch(op->which) {
  case OP_AUTH:
    return pam_authenticate(pamh, op->flags);
  case OP_ACCT:
    return pam_acct_mgmt(pamh, op->flags);
  case OP_CHAUTHTOK:
    return pam_chauthtok(pamh, op->flags);
  case OP_OPEN:
    return pam_open_session(pamh, op->flags);
  case OP_CLOSE:
    return pam_close_session(pamh, op->flags);
  default:
    return pam_setcred(pamh, op->flags);
  }
}

/* Prints "user: NAME" when a module changed PAM_USER. */
static void report_user(pam_handle_t *pamh, const char *given)
{
  const void *item = NULL;

  if(pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item)
    return;
  if(strcmp((const char *)item, given))
    printf("user: %s\n", (const char *)item);
}

static int usage(void)
{
  size_t i;

  fprintf(stderr, "usage: pamdrive SERVICE USER OP [OP...]\nOP:");
  for(i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
    fprintf(stderr, " %s", ops[i].name);
  fprintf(stderr, "\n");
  return EXIT_USAGE;
}

/* The failure delay a module asked for (pam_fail_delay) is the
 * application's to serve, as sshd does: the tests do not sleep it, they
 * see "FAIL_DELAY" on standard error after a failure that asked one. */
static void no_delay(int status, unsigned usec, void *appdata)
{
  (void)appdata;
  if(status != PAM_SUCCESS && usec > 0)
    fprintf(stderr, "FAIL_DELAY\n");
}

int main(int argc, char **argv)
{
  struct pam_conv pc = { conv, NULL };
  void (*delay_fn)(int, unsigned, void *) = no_delay;
  pam_handle_t *pamh = NULL;
  int rc;
  int i;

  if(argc < 4)
    return usage();
  for(i = 3; i < argc; i++) {
    if(!find_op(argv[i]))
      return usage();
  }
  rc = pam_start(argv[1], argv[2], &pc, &pamh);
  if(rc != PAM_SUCCESS) {
    printf("start: %s\n", code_name(rc));
    return rc ? rc : EXIT_USAGE;
  }
  (void)pam_set_item(pamh, PAM_FAIL_DELAY, (const void *)delay_fn);
  for(i = 3; i < argc && rc == PAM_SUCCESS; i++) {
    const struct op *op = find_op(argv[i]);

    rc = run_op(pamh, op);
    printf("%s: %s\n", op->name, code_name(rc));
    fflush(stdout);
  }
  report_user(pamh, argv[2]);
  pam_end(pamh, rc);
  fflush(stdout);
  return rc;
}
