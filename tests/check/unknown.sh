#!/bin/sh
# unknown.sh - a user vouch does not know meets the prompts of a member
# with an email address and a card: a masked address and a card ending
# (a decoy made from a keyed hash of the name: the same at every attempt,
# different for another name, changing with the key), never "•••" alone;
# nothing is sent; every answer fails (PAM_USER_UNKNOWN), "a" is
# PAM_AUTHINFO_UNAVAIL as for a member.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
add_user alice 'correct horse' --email alice@example.org
service otp "auth required pam_vouch_otp.so conf=$CONF channel=any"
service card "auth required pam_vouch_card.so conf=$CONF"
MASK='[a-z]•••@[a-z0-9.]+\.[a-z]+'

# prompt_of SERVICE USER: the prompt line the module shows first.
prompt_of() {
  answers ''
  pam_env "$PAMDRIVE" "$1" "$2" auth <"$T/in" >"$T/out" 2>"$T/err"
  grep '^PROMPT_' "$T/out" | head -n 1
}

p1=$(prompt_of otp nosuch)
echo "$p1" | grep -qE "^PROMPT_ECHO_OFF: Security check\. Enter the 6-digit code we sent to $MASK \(r: Send code again, a: Try another way\): \$" &&
  pass "unknown user: a code prompt with a masked address" ||
  fail "unknown user: prompt '$p1'"
eq "$(prompt_of otp nosuch)" "$p1" "the same decoy at the next attempt"
p2=$(prompt_of otp "other$(printf '%03d' 7)")
[ -n "$p2" ] || fail "no prompt for another unknown user"
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 0 "nothing sent for unknown users"

c1=$(prompt_of card nosuch)
echo "$c1" | grep -qE '^PROMPT_ECHO_OFF: Security check\. Enter the full number of your card ending in [0-9]{4} \(a: Try another way\): $' &&
  pass "unknown user: a card prompt with four digits" ||
  fail "unknown user: card prompt '$c1'"
eq "$(prompt_of card nosuch)" "$c1" "the same card ending at the next attempt"

# Answers: any code or card number fails as for a wrong one; "a" moves on.
answers 123456
drive $PAM_USER_UNKNOWN "unknown user, a code" otp nosuch auth
answers a
drive $PAM_AUTHINFO_UNAVAIL "unknown user, try another way" otp nosuch auth
answers '4111 1111 1111 1111'
drive $PAM_USER_UNKNOWN "unknown user, a card number" card nosuch auth
answers a
drive $PAM_AUTHINFO_UNAVAIL "unknown user, card: another way" card nosuch auth

# A name that is not a valid user name gets a decoy too.
p3=$(prompt_of otp 'bad name!')
echo "$p3" | grep -qE "we sent to $MASK " &&
  pass "invalid name: a decoy as well" || fail "invalid name: prompt '$p3'"

# The decoy comes from the key: another key, another decoy (most likely;
# both prompts are compared over eight names).
for n in u1 u2 u3 u4 u5 u6 u7 u8; do
  echo "$(prompt_of otp $n)$(prompt_of card $n)" >>"$T/before"
done
head -c 32 /dev/urandom >"$T/secret.key.new" &&
  cat "$T/secret.key.new" >"$T/secret.key"
start_daemon # vouchd reads the key when it starts
for n in u1 u2 u3 u4 u5 u6 u7 u8; do
  echo "$(prompt_of otp $n)$(prompt_of card $n)" >>"$T/after"
done
cmp -s "$T/before" "$T/after" && fail "the decoys do not depend on the key" ||
  pass "the decoys depend on the key"
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 0 "still nothing sent"

finish
