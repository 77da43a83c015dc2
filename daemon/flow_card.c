/*
 * flow_card.c - pam_vouch_card's request: the security check by the full
 * number of the card on file (digits, spaces and dashes; no expiry date,
 * CVC or postcode).  "a" tries another way (PAM_AUTHINFO_UNAVAIL).  A
 * name vouch does not know meets the same conversation (decoy.c).  The
 * check, its counting and the lockout are in core/card.c and
 * core/challenge.c.
 */
#include <string.h>

#include "vouchd.h"

/* Numbers one conversation may try; wrong ones end earlier by lockout. */
#define MAX_ROUNDS 10

static void say(vd_req *r, const char *lang, vouch_msg_id id)
{
  vd_say(r, PAM_ERROR_MSG, vouch_msg(lang, id));
}

/* Judges one answer; PAM_IGNORE means: ask again. */
static int judge(vd_req *r, const char *user, const char *lang,
                 const vouch_methods *m, vd_decoy *decoy, const char *answer)
{
  vouch_rc rc;

  if(!strcmp(answer, "a") || !strcmp(answer, "A")) {
    if(m->known)
      vouch_audit(r->ctx, user, "check.another_way", "card");
    return PAM_AUTHINFO_UNAVAIL;
  }
  if(m->known)
    rc = vouch_card_check(r->ctx, user, answer);
  else
    rc = vd_decoy_card(decoy, r->ctx, answer);
  switch(rc) {
  case VOUCH_OK:
    return PAM_SUCCESS;
  case VOUCH_ERR_INPUT:
    say(r, lang, vouch_card_problem(answer));
    return PAM_IGNORE;
  case VOUCH_ERR_AUTH:
    say(r, lang, VOUCH_MSG_CARD_WRONG);
    return PAM_IGNORE;
  case VOUCH_ERR_LOCKED:
    say(r, lang, VOUCH_MSG_LOCKED);
    return PAM_MAXTRIES;
  default:
    return vouch_rc_to_pam(rc);
  }
}

int vd_card_converse(vd_req *r, const char *user, const vouch_methods *m,
                     vd_decoy *decoy)
{
  const char *lang = vouch_user_lang(r->ctx, user);
  char prompt[512];
  char *answer = NULL;
  int ret, round;

  if(m->locked || (!m->known && vd_decoy_locked(user))) {
    say(r, lang, VOUCH_MSG_LOCKED);
    return PAM_MAXTRIES;
  }
  if(m->known && !m->card) {
    say(r, lang, VOUCH_MSG_NO_METHOD);
    return PAM_AUTHINFO_UNAVAIL;
  }
  /* For an unknown user, the decoy ending of vouch_methods_get. */
  vouch_msgf(prompt, sizeof(prompt), lang, VOUCH_MSG_CARD_PROMPT,
             m->card_last4);
  for(round = 0; round < MAX_ROUNDS; round++) {
    ret = vd_ask(r, PAM_PROMPT_ECHO_OFF, prompt, &answer);
    if(ret != PAM_SUCCESS)
      return ret;
    ret = judge(r, user, lang, m, decoy, vouch_trim(answer));
    vouch_free_secret(answer);
    answer = NULL;
    if(ret != PAM_IGNORE)
      return ret;
  }
  return PAM_AUTH_ERR;
}

int vd_card_auth(vd_req *r)
{
  vd_decoy decoy = {0};
  vouch_methods m;
  const char *user;
  int ret;

  user = vd_open_user(r, NULL, &ret);
  if(!user)
    return ret;
  if(vd_nonmember(r, user))
    return PAM_IGNORE;
  vd_decoy_init(&decoy, user);
  ret = vouch_rc_to_pam(vouch_methods_get(r->ctx, user, &m));
  if(ret == PAM_SUCCESS)
    ret = vd_card_converse(r, user, &m, &decoy);
  return ret;
}
