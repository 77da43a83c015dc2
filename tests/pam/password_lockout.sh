#!/bin/sh
# password_lockout.sh - pam_vouch_password.so: [password] max_failures
# consecutive wrong passwords lock the account; then even the right
# password gets PAM_MAXTRIES with a message about a password reset, the
# account phase wants a new password, and `vouchctl unlock` restores.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
conf_set password max_failures 3
add_user alice 'correct horse'
add_user bob 'battery staple'
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M
account required $M"

# Failures are consecutive: a success in between starts again.
answers 'wrong'
drive $PAM_AUTH_ERR "wrong 1" pw alice auth
drive $PAM_AUTH_ERR "wrong 2" pw alice auth
answers 'correct horse'
drive $PAM_SUCCESS "right after two wrong" pw alice auth
eq "$(failures alice)" 0 "success resets the count"
answers 'wrong'
drive $PAM_AUTH_ERR "wrong 1 again" pw alice auth
drive $PAM_AUTH_ERR "wrong 2 again" pw alice auth
eq "$(failures alice)" 2 "two failures"
expect_nogrep 'ERROR_MSG' "$T/out" "no lockout message before the limit"

# The third consecutive failure locks.
drive_fails "wrong 3 locks" pw alice auth
eq "$(failures alice)" 3 "three failures"
answers 'correct horse'
drive $PAM_MAXTRIES "locked: right password refused" pw alice auth
line 'auth: PAM_MAXTRIES' "locked: PAM_MAXTRIES"
expect_grep '^ERROR_MSG: .*[Pp]assword reset' "$T/out" \
  "locked: message names a password reset"
answers 'wrong'
drive $PAM_MAXTRIES "locked: wrong password refused the same way" \
  pw alice auth
: >"$T/in"
drive $PAM_NEW_AUTHTOK_REQD "locked: account phase" pw alice acct
# Another user is not affected.
answers 'battery staple'
drive $PAM_SUCCESS "other user unaffected" pw bob auth acct

expect_rc 3 "unlock of an unknown user" -- ctl unlock nosuch
expect_rc 0 "vouchctl unlock" -- ctl unlock alice
eq "$(failures alice)" 0 "unlock clears the count"
answers 'correct horse'
drive $PAM_SUCCESS "unlocked: right password" pw alice auth acct
answers 'wrong'
drive $PAM_AUTH_ERR "unlocked: counting starts again" pw alice auth
eq "$(failures alice)" 1 "one failure after unlock"

# Unknown users never lock and never turn into PAM_MAXTRIES.
answers 'wrong'
i=0
while [ $i -lt 4 ]; do
  drive $PAM_USER_UNKNOWN "unknown user, try $i" pw nosuch auth
  i=$((i + 1))
done

# Danish message for a Danish user.
add_user bo 'Kodeord-123' --lang da
answers 'wrong'
drive $PAM_AUTH_ERR "bo wrong 1" pw bo auth
drive $PAM_AUTH_ERR "bo wrong 2" pw bo auth
drive_fails "bo wrong 3" pw bo auth
answers 'Kodeord-123'
drive $PAM_MAXTRIES "bo locked" pw bo auth
expect_grep '^ERROR_MSG: .*[Nn]ulstilling' "$T/out" "Danish lockout message"

finish
