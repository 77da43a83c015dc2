#!/bin/sh
# otp_ways.sh - choosing the way: SMS only to a verified phone, the
# numbered choice of channel=any, "a" falling through to the card on the
# next stack line, no way set up, and a delivery helper that fails.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
add_user alice 'correct horse' --email alice@example.org --phone +4512345612
add_user carl 'correct horse'
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card set"
OTP="pam_vouch_otp.so conf=$CONF"
service sms "auth required $OTP channel=sms"
service any "auth required $OTP channel=any"
service stack "auth [success=done authinfo_unavail=ignore default=die] $OTP channel=email
auth required pam_vouch_card.so conf=$CONF"

# The phone is not verified: no SMS.
conv_start sms alice auth
conv_wait_for 'ERROR_MSG: This account has no way set up to receive a code'
expect_conv $PAM_AUTHINFO_UNAVAIL "unverified phone: unavailable"
[ -z "$(ls "$T/sms")" ] || fail "nothing may be sent to an unverified phone"

# Verified by the administrator: the code goes by SMS.
ctl phone verify alice --trusted >/dev/null || fail "phone verify --trusted"
conv_start sms alice auth
conv_wait_for 'PROMPT_ECHO_OFF: .*code we sent to \+45 •••• ••12 '
wait_file "$T/sms" 1
m=$(newest "$T/sms")
expect_grep '^To: \+4512345612$' "$m" "SMS file: To line"
conv_answer "$(code_in "$m")"
expect_conv $PAM_SUCCESS "code by SMS"

# channel=any with both: the numbered choice in the prompt.
conv_start any alice auth
conv_wait_for 'PROMPT_ECHO_ON: Security check\. How should we send your code\? 1 = email to a•••@example\.org, 2 = SMS to \+45 •••• ••12, a = Try another way: '
conv_answer 2
wait_file "$T/sms" 2
conv_answer "$(code_in "$(newest "$T/sms")")"
expect_conv $PAM_SUCCESS "any: chose SMS"
conv_start any alice auth
conv_wait_for 'How should we send your code'
conv_answer a
# The card is the last way: no "a" is offered, though "a" still ends it.
conv_wait_for 'PROMPT_ECHO_ON: Security check\. Choose another way: 1 = card number ending in 1111: $'
conv_answer a
expect_conv $PAM_AUTHINFO_UNAVAIL "any: a at the choice, then a at the card"

# Try another way within one channel=any check: email, then SMS, then
# the card number; a wrong choice is answered, not silently repeated.
conv_start any alice auth
conv_wait_for 'How should we send your code'
conv_answer 1
wait_file "$T/mail" 1
conv_wait_for 'Enter the 6-digit code we sent to a•••@example\.org'
conv_answer a
conv_wait_for 'PROMPT_ECHO_ON: Security check\. Choose another way: 1 = SMS to \+45 •••• ••12, 2 = card number ending in 1111: $'
conv_answer 9
# Said in the repeated prompt itself (messages alone get lost over SSH).
conv_wait_for 'PROMPT_ECHO_ON: Please choose one of the listed ways\. Security check\. Choose another way: 1 = SMS'
conv_answer 1
conv_wait_for 'Enter the 6-digit code we sent to \+45 •••• ••12'
conv_answer a
conv_wait_for 'PROMPT_ECHO_ON: Security check\. Choose another way: 1 = card number ending in 1111: $'
conv_answer 1
conv_wait_for 'Enter the full number of your card ending in 1111'
conv_answer '4111 1111 1111 1111'
expect_conv $PAM_SUCCESS "any: email, then SMS, then the card"
ctl audit alice >"$T/audit"
expect_grep 'check\.another_way .*email' "$T/audit" "another way from email audited"
expect_grep 'check\.another_way .*sms' "$T/audit" "another way from SMS audited"
expect_grep 'card\.ok' "$T/audit" "the card decided"
rm -f "$T"/mail/* "$T"/sms/*

# "a" at the code prompt: the next line (the card) runs.  The email code
# of the check before is still good: offered again, nothing sent.
conv_start stack alice auth
conv_wait_for 'PROMPT_ECHO_OFF: Security check\. We already sent a code to a•••@example\.org at [0-2][0-9]:[0-5][0-9]\. Enter it, or type r to send a new one \(a: Try another way\): '
[ -z "$(ls "$T/mail")" ] || fail "a code offered again is not sent again"
conv_answer a
conv_wait_for 'PROMPT_ECHO_OFF: Security check\. Enter the full number of your card ending in 1111 \(a: Try another way\): '
conv_answer '4111-1111-1111-1111'
expect_conv $PAM_SUCCESS "try another way: card accepted"

# No email and no phone: unavailable, the card is next.
conv_start stack carl auth
conv_wait_for 'no way set up to receive a code'
expect_conv $PAM_AUTHINFO_UNAVAIL "no way to send a code, no card"

# A delivery helper that fails: unavailable, never a success.
add_user dave 'correct horse' --email dave@example.org
service broken "auth required $OTP channel=email delivery.helper=/bin/false"
conv_start broken dave auth
conv_wait_for 'ERROR_MSG: We could not send you a code right now'
expect_conv $PAM_AUTHINFO_UNAVAIL "delivery failure: unavailable"
ctl audit dave >"$T/audit"
expect_grep 'code.delivery_failed' "$T/audit" "delivery failure audited"

finish
