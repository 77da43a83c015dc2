#!/bin/sh
# pam_line.sh - keys of [email] and [sms] set on a PAM line reach the
# delivery helper (which reads the configuration file again): the code
# goes where the PAM line says, not where the file says; a PAM line key
# the helper refuses makes the send fail (the method unavailable), never
# a message to the file's destination.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
add_user alice 'correct horse' --email alice@example.org
mkdir -p "$T/mail2"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email email.dir=$T/mail2 email.from=otp@example.net"

conv_start otp alice auth
conv_wait_for 'Enter the 6-digit code we sent to a•••@example\.org'
wait_file "$T/mail2" 1
m=$(newest "$T/mail2")
expect_grep '^From: .*otp@example\.net' "$m" "the PAM line's sender"
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 0 "nothing in the file's directory"
code=$(code_in "$m")
[ -n "$code" ] || fail "no code in the message"
conv_answer "$code"
expect_conv $PAM_SUCCESS "code from the PAM line's directory"

# Without the override, the file's directory.
service plain "auth required pam_vouch_otp.so conf=$CONF channel=email"
conv_start plain alice auth
wait_file "$T/mail" 1
code=$(code_in "$(newest "$T/mail")")
conv_answer "$code"
expect_conv $PAM_SUCCESS "code from the file's directory"
eq "$(ls "$T/mail2" | wc -l | tr -d ' ')" 1 "the other directory untouched"

# A directory the helper cannot use: the send fails, the method is
# unavailable, nothing lands anywhere.
service bad "auth required pam_vouch_otp.so conf=$CONF channel=email email.dir=$T/nosuch"
answers ''
drive $PAM_AUTHINFO_UNAVAIL "unusable PAM-line directory" bad alice auth
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 1 "nothing more in the file's directory"

finish
