#!/bin/sh
# password_notify.sh - a password changed through the PAM password phase
# (passwd, or the forced change at sign-in) sends the member "Your
# password was changed", as the tools and a reset do; and `debug` never
# logs a name that matched no account (a mistyped name is often a
# password).
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
add_user alice 'correct horse' --email alice@example.org
M="pam_vouch_password.so conf=$CONF debug"
service pw "auth required $M
password required $M"

# root changes it: no current password, the new one twice.
answers 'new battery staple' 'new battery staple'
drive $PAM_SUCCESS "root changes alice's password" pw alice chauthtok
wait_file "$T/mail" 1
m=$(newest "$T/mail")
expect_grep '^Subject: Your password was changed' "$m" \
  "the password changed email"
expect_grep '^To: alice@example\.org' "$m" "to the address on file"
answers 'new battery staple'
drive $PAM_SUCCESS "the new password works" pw alice auth

# A refused change sends nothing.
rm -f "$T"/mail/*
answers 'new battery staple' 'new battery staple'
drive_fails "the same password again is refused" pw alice chauthtok
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 0 "nothing sent for a refused change"

# debug: the name of a known member is logged, an unknown one never.
answers 'zebra-typed-as-name'
drive $PAM_USER_UNKNOWN "unknown name" pw 'zebratyped' auth
expect_grep 'auth alice: ' "$T/vouchd.log" "debug names a member"
expect_nogrep 'zebratyped' "$T/vouchd.log" "debug never names an unknown user"
expect_grep 'auth \(a name with no account\)' "$T/vouchd.log" \
  "debug says that a name had no account"

finish
