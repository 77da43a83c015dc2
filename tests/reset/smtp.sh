#!/bin/sh
# smtp.sh - a reset by email link over a real SMTP server (aiosmtpd on
# 127.0.0.1): "Reset your password" with the link, the reset, then "Your
# password was changed"; with the server gone the request exits 4.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/reset/common.inc"

reset_setup
smtp_start || finish
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
add_user alice 'old password 1' --email alice@example.org --name "Alice Smith"
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M"

expect_rc 0 "request over SMTP" -- R request alice --via email
expect_text "$T/out" "reset link sent by email to a•••@example.org" "masked"
mail_wait 1
f=$(mail_last)
eq "$(mail_header "$f" Subject)" "Reset your password" "subject"
eq "$(mail_header "$f" To)" "alice@example.org" "to"
mail_body "$f" >"$T/body"
expect_grep 'Hello Alice Smith,' "$T/body" "greeting with the full name"
tok=$(token_in "$T/body")
eq "${#tok}" 43 "the token from the decoded body"

pwfile 'new password 2'
expect_rc 0 "complete" -- R complete alice --token "$tok" <"$T/pw"
expect_text "$T/out" "password changed" "changed"
mail_wait 2
f=$(mail_last)
eq "$(mail_header "$f" Subject)" "Your password was changed" \
  "the change is told"
answers 'new password 2'
drive $PAM_SUCCESS "the new password signs in" pw alice auth
answers 'old password 1'
drive $PAM_AUTH_ERR "the old one does not" pw alice auth

stop_servers
expect_rc 4 "SMTP server gone" -- R request alice --via email
expect_grep 'the reset could not be sent' "$T/err" "gone: message"
finish
