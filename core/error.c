/*
 * error.c - the one error enum of libvouch and its three mappings: to an
 * English sentence, to the tools' exit codes (SPEC section 5) and to PAM
 * return codes.  Nothing else in vouch chooses an exit or a PAM code.
 */
#include <security/_pam_types.h>

#include "vouch.h"

static const char *const messages[VOUCH_RC_COUNT] = {
    "Success.",                                 /* OK */
    "Out of memory.",                           /* NOMEM */
    "An operating-system call failed.",         /* SYSTEM */
    "The configuration is missing or invalid.", /* CONFIG */
    "A file was refused because of its owner, mode, type or a symbolic "
    "link.",                                                  /* INSECURE */
    "The store is unusable (corrupt, read-only or failing).", /* STORE */
    "The store stayed locked past the busy timeout.",         /* BUSY */
    "The key file is missing or malformed.",                  /* KEY */
    "A cryptographic operation failed.",                      /* CRYPTO */
    "Wrong arguments or options.",                            /* USAGE */
    "A value is malformed.",                                  /* INPUT */
    "The user is unknown.",                                   /* NO_USER */
    "The requested object does not exist.",                   /* NOT_FOUND */
    "The object already exists.",                             /* EXISTS */
    "Verification failed.",                                   /* AUTH */
    "The account is locked: a password reset is required.",   /* LOCKED */
    "A new password must be chosen.",                     /* RESET_REQUIRED */
    "The membership has ended.",                          /* EXPIRED */
    "The new password is too short.",                     /* PW_SHORT */
    "The new password is too long.",                      /* PW_LONG */
    "The new password equals a recent one.",              /* PW_REUSED */
    "The two new passwords differ.",                      /* PW_MISMATCH */
    "The conversation with the user or terminal failed.", /* CONV */
    "This method is unavailable: try another way.",       /* UNAVAIL */
    "The message could not be handed over for delivery.", /* DELIVERY */
    "Too many requests: try again later.",                /* RATE */
    "Cancelled.",                                         /* ABORT */
    "The request was refused by policy.",                 /* DENIED */
    "The code or token has expired or was already used.", /* STALE */
    "The store cannot be reached."                        /* OFFLINE */
};

/* Casting through int keeps a value outside the enum from being assumed
 * impossible by the compiler. */
static int in_range(vouch_rc rc)
{
  int v = (int)rc;
  return v >= 0 && v < VOUCH_RC_COUNT;
}

const char *vouch_strerror(vouch_rc rc)
{
  if(!in_range(rc))
    return "unknown error";
  return messages[(int)rc];
}

int vouch_rc_to_exit(vouch_rc rc)
{
  if(!in_range(rc))
    return VOUCH_EXIT_SYSTEM;
  switch(rc) {
  case VOUCH_OK:
    return VOUCH_EXIT_OK;
  case VOUCH_ERR_AUTH:
  case VOUCH_ERR_LOCKED:
  case VOUCH_ERR_RESET_REQUIRED:
  case VOUCH_ERR_EXPIRED:
  case VOUCH_ERR_PW_REUSED:
  case VOUCH_ERR_RATE:
  case VOUCH_ERR_ABORT:
  case VOUCH_ERR_DENIED:
  case VOUCH_ERR_EXISTS:
  case VOUCH_ERR_STALE:
  case VOUCH_ERR_UNAVAIL:
    return VOUCH_EXIT_DENIED;
  case VOUCH_ERR_USAGE:
  case VOUCH_ERR_INPUT:
  case VOUCH_ERR_PW_SHORT:
  case VOUCH_ERR_PW_LONG:
  case VOUCH_ERR_PW_MISMATCH:
    return VOUCH_EXIT_USAGE;
  case VOUCH_ERR_NO_USER:
  case VOUCH_ERR_NOT_FOUND:
    return VOUCH_EXIT_UNKNOWN;
  default:
    return VOUCH_EXIT_SYSTEM;
  }
}

int vouch_rc_to_pam(vouch_rc rc)
{
  if(!in_range(rc))
    return PAM_SYSTEM_ERR;
  switch(rc) {
  case VOUCH_OK:
    return PAM_SUCCESS;
  case VOUCH_ERR_AUTH:
  case VOUCH_ERR_RATE:
  case VOUCH_ERR_ABORT:
  case VOUCH_ERR_DENIED:
  case VOUCH_ERR_STALE:
    return PAM_AUTH_ERR;
  case VOUCH_ERR_NO_USER:
    return PAM_USER_UNKNOWN;
  case VOUCH_ERR_LOCKED:
    return PAM_MAXTRIES;
  case VOUCH_ERR_RESET_REQUIRED:
    return PAM_NEW_AUTHTOK_REQD;
  case VOUCH_ERR_EXPIRED:
    return PAM_ACCT_EXPIRED;
  case VOUCH_ERR_PW_SHORT:
  case VOUCH_ERR_PW_LONG:
  case VOUCH_ERR_PW_REUSED:
  case VOUCH_ERR_PW_MISMATCH:
  case VOUCH_ERR_INPUT:
    return PAM_AUTHTOK_ERR;
  case VOUCH_ERR_CONV:
    return PAM_CONV_ERR;
  case VOUCH_ERR_UNAVAIL:
  case VOUCH_ERR_DELIVERY:
  case VOUCH_ERR_OFFLINE: /* fails closed, as when vouchd is down */
    return PAM_AUTHINFO_UNAVAIL;
  case VOUCH_ERR_NOMEM:
    return PAM_BUF_ERR;
  case VOUCH_ERR_CONFIG:
  case VOUCH_ERR_INSECURE:
  case VOUCH_ERR_KEY:
  case VOUCH_ERR_USAGE:
    return PAM_SERVICE_ERR;
  default:
    return PAM_SYSTEM_ERR;
  }
}
