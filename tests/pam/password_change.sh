#!/bin/sh
# password_change.sh - pam_vouch_password.so, password phase: the prompts
# for root and for the forced change at sign-in, mismatches, the length
# limits (rejected, never truncated), the history, success.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
add_user alice 'correct horse'
M="pam_vouch_password.so conf=$CONF"
service chg "auth required $M
password required $M"
NEW='PROMPT_ECHO_OFF: New password: '
RETYPE='PROMPT_ECHO_OFF: Retype new password: '
CUR='PROMPT_ECHO_OFF: Current password: '

# auth_ok / auth_bad USER PASSWORD DESC
auth_ok() {
  answers "$2"; drive $PAM_SUCCESS "$3" chg "$1" auth
}
auth_bad() {
  answers "$2"; drive $PAM_AUTH_ERR "$3" chg "$1" auth
}
# refused DESC ERROR-PATTERN NEW RETYPE: chauthtok refuses with a message.
refused() {
  answers "$3" "$4"
  drive $PAM_AUTHTOK_ERR "$1" chg alice chauthtok
  line 'chauthtok: PAM_AUTHTOK_ERR' "$1: PAM_AUTHTOK_ERR"
  expect_grep "^ERROR_MSG: $2" "$T/out" "$1: message"
}

# The tests run as root: no current password is asked (like pam_unix).
refused "retype differs" '.*match' 'Newpass-one' 'Newpass-two'
prompts "root is asked new and retype only" "$NEW" "$RETYPE"
refused "same as the current" '.*previous' 'correct horse' 'correct horse'
refused "seven characters" '.*[^0-9]8[^0-9]' 'short12' 'short12'
refused "seven characters, 14 bytes" '.*[^0-9]8[^0-9]' \
  'æøåæøåæ' 'æøåæøåæ'
printf 'new \377\376 password\nnew \377\376 password\n' >"$T/in"
drive $PAM_AUTHTOK_ERR "not UTF-8" chg alice chauthtok
expect_grep '^ERROR_MSG: ' "$T/out" "not UTF-8: message"
LONG=$(head -c 257 /dev/zero | tr '\0' L)
refused "257 bytes" '.*256' "$LONG" "$LONG"
answers '@CONVERR'
drive $PAM_CONV_ERR "conversation error" chg alice chauthtok
answers 'Newpass-one'
drive $PAM_CONV_ERR "no retype answer" chg alice chauthtok
auth_ok alice 'correct horse' "refusals left the password alone"
auth_bad alice "$LONG" "the long password was not set"
auth_bad alice "$(printf %s "$LONG" | head -c 256)" "nor a truncation of it"
auth_bad alice 'Newpass-one' "nor the first of a mismatch"
auth_ok alice 'correct horse' "the old password still works"

# Success.
answers 'Newpass-one' 'Newpass-one'
drive $PAM_SUCCESS "change" chg alice chauthtok
line 'chauthtok: PAM_SUCCESS' "change: PAM_SUCCESS"
prompts "change: new and retype" "$NEW" "$RETYPE"
auth_ok alice 'Newpass-one' "the new password works"
auth_bad alice 'correct horse' "the old one does not"
# The limits themselves are accepted: 256 bytes, 8 characters.
L256=$(head -c 256 /dev/zero | tr '\0' L)
answers "$L256" "$L256"
drive $PAM_SUCCESS "256 bytes accepted" chg alice chauthtok
auth_ok alice "$L256" "the 256-byte password works"
auth_bad alice "$(printf %s "$L256" | head -c 255)" "255 of them do not"
answers 'æøåæøåæø' 'æøåæøåæø'
drive $PAM_SUCCESS "8 characters (16 bytes) accepted" chg alice chauthtok
auth_ok alice 'æøåæøåæø' "the UTF-8 password works"

# The forced change at sign-in asks the current password first.
answers 'not it' 'Another-pw1' 'Another-pw1'
drive $PAM_AUTH_ERR "expired change, wrong current" chg alice \
  chauthtok-expired
line 'chauthtok-expired: PAM_AUTH_ERR' "wrong current: PAM_AUTH_ERR"
prompts "wrong current: asked the current only" "$CUR"
eq "$(failures alice)" 1 "wrong current password counted"
answers 'æøåæøåæø' 'Another-pw1' 'Another-pw1'
drive $PAM_SUCCESS "expired change" chg alice chauthtok-expired
prompts "expired change: current, new, retype" "$CUR" "$NEW" "$RETYPE"
auth_ok alice 'Another-pw1' "password set by the expired change works"
eq "$(failures alice)" 0 "failures cleared"

# Unknown user.
answers 'Newpass-one' 'Newpass-one'
drive $PAM_USER_UNKNOWN "unknown user" chg nosuch chauthtok

# history = 3: the current and the two before it are refused.
conf_set password history 3
add_user carol 'Pass-one-1'
for p in 'Pass-two-2' 'Pass-three-3' 'Pass-four-4'; do
  answers "$p" "$p"
  drive $PAM_SUCCESS "history: change to $p" chg carol chauthtok
done
for p in 'Pass-four-4' 'Pass-three-3' 'Pass-two-2'; do
  answers "$p" "$p"
  drive $PAM_AUTHTOK_ERR "history: $p refused" chg carol chauthtok
  expect_grep '^ERROR_MSG: .*previous' "$T/out" "history: $p message"
done
answers 'Pass-one-1' 'Pass-one-1'
drive $PAM_SUCCESS "history: the fourth-last is allowed" chg carol chauthtok
answers 'Pass-one-1'; drive $PAM_SUCCESS "history: it works" chg carol auth

finish
