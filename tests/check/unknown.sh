#!/bin/sh
# unknown.sh - a user vouch does not know meets the prompts of a member
# with an email address and a card: a masked address and a card ending
# (a decoy made from a keyed hash of the name: the same at every attempt,
# different for another name, changing with the key), never "•••" alone;
# nothing is sent.  Every answer kind (malformed, wrong, "r", "a", the
# ways of channel=any, the lockout) gets the transcript of a member with
# an email address and a card, line by line and with the same PAM code,
# the masks aside.
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
eq "$(prompt_of otp nosuch | grep -oE "$MASK")" "$(echo "$p1" | grep -oE "$MASK")" \
  "the same decoy address at the next attempt"
p2=$(prompt_of otp "other$(printf '%03d' 7)")
[ -n "$p2" ] || fail "no prompt for another unknown user"
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 0 "nothing sent for unknown users"

c1=$(prompt_of card nosuch)
echo "$c1" | grep -qE '^PROMPT_ECHO_OFF: Security check\. Enter the full number of your card ending in [0-9]{4} \(a: Try another way\): $' &&
  pass "unknown user: a card prompt with four digits" ||
  fail "unknown user: card prompt '$c1'"
eq "$(prompt_of card nosuch)" "$c1" "the same card ending at the next attempt"

# Transcripts: a member with an email address and a card (bob) and a
# name vouch does not know, answering the same; masks and card endings
# set aside.  A new member each run: a member's count outlives the
# conversation (as the decoy's does, in vouchd's memory).
RUN=0
norm() {
  sed -E -e "s/$MASK/MASK/g" -e 's/ending in [0-9]{4}/ending in NNNN/g' \
    -e 's/ at [0-9]{2}:[0-9]{2}/ at HH:MM/g' -e '/PWRAP_/d' "$1"
}
# pair DESC SERVICE ANSWER...: bob$RUN's and nosuch$RUN's transcripts,
# answering the same, are equal.
pair() {
  d=$1 svc=$2; shift 2
  answers "$@"
  pam_env "$PAMDRIVE" "$svc" "bob$RUN" auth <"$T/in" >"$T/t.bob" 2>&1
  rb=$?
  pam_env "$PAMDRIVE" "$svc" "nosuch$RUN" auth <"$T/in" >"$T/t.nosuch" 2>&1
  rn=$?
  norm "$T/t.bob" >"$T/n.bob"; norm "$T/t.nosuch" >"$T/n.nosuch"
  eq "$rn" "$rb" "$d: the same PAM code"
  expect_same "$T/n.bob" "$T/n.nosuch" "$d: the same transcript"
  rm -f "$T"/mail/*
}
# same DESC SERVICE ANSWER...: a new member bob$RUN (an email address and
# a card) and a new unknown name, compared (pair).
same() {
  RUN=$((RUN + 1))
  add_user "bob$RUN" 'correct horse' --email "bob$RUN@example.org"
  printf '4111 1111 1111 1111\n' | ctl card set "bob$RUN" >/dev/null ||
    fail "card set bob$RUN"
  pair "$@"
  [ "$(wc -l <"$T/n.bob")" -ge 2 ] || fail "$1: a short transcript"
}
same "otp: malformed, wrong, r, a, card (malformed, wrong), a" otp \
  12ab 000000 r a 1 '4111 1111 1111 111x' '4000 0000 0000 0002' a
same "otp: a, then a at the ways" otp a a
same "otp: five wrong codes lock" otp 000000 000000 000000 000000 000000
same "otp: a, card, five wrong numbers lock" otp a 1 \
  '4000 0000 0000 0002' '4000 0000 0000 0002' '4000 0000 0000 0002' \
  '4000 0000 0000 0002' '4000 0000 0000 0002'
same "otp: a wrong choice" otp a 7 a
same "card: malformed, wrong, a" card 12 '4000 0000 0000 0002' a

# A member's state outlives the conversation, and so does the decoy's:
# conversations one after the other (pair: the same two names again),
# each compared.
same "a sign-in left at the code" otp a a
pair "the next sign-in: the code offered again" otp a a
grep -q 'already sent a code' "$T/n.bob" ||
  fail "the next sign-in: no code offered again"
pair "r: a new code, then wrong twice" otp r 000000 000000 a a
pair "wrong three times more: locked" otp 000000 000000 000000
grep -q 'Password reset required' "$T/n.nosuch" ||
  fail "failures over sign-ins: the decoy did not lock"
pair "locked: the next sign-in says so at once" otp
service pw "auth required pam_vouch_password.so conf=$CONF"
pair "locked: the password module says so too" pw 'not the password'
grep -q 'Password reset required' "$T/n.bob" ||
  fail "locked: the member's password prompt does not say so"
same "r over sign-ins: the wait" otp r a a
pair "r at once in the next sign-in: wait" otp r a a
grep -q 'Password reset required' "$T/n.nosuch" &&
  fail "the last run must not lock" || true
ctl audit >"$T/audit"
expect_grep ' - check\.unknown ' "$T/audit" "unknown names' failures audited"
expect_nogrep 'nosuch' "$T/audit" "the unknown name is not recorded"

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
# A PostgreSQL store takes only the key it was made with (vouchd refuses
# another): a new store for the new key there; the names stay unknown.
if [ "$VOUCH_BACKEND" != sqlite ]; then
  stop_daemon
  store_sql 'DROP SCHEMA vouch CASCADE' || fail "drop the store"
  ctl init >/dev/null || fail "vouchctl init with the new key"
fi
start_daemon # vouchd reads the key when it starts
for n in u1 u2 u3 u4 u5 u6 u7 u8; do
  echo "$(prompt_of otp $n)$(prompt_of card $n)" >>"$T/after"
done
cmp -s "$T/before" "$T/after" && fail "the decoys do not depend on the key" ||
  pass "the decoys depend on the key"
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 0 "still nothing sent"

finish
