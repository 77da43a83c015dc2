#!/bin/sh
# lockout.sh - failed security checks of all methods together lock the
# account at [lockout] max_failures: every module refuses, and a
# "Password reset required" email with a reset link is sent.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check "[lockout]
max_failures = 3"
add_user alice 'correct horse' --email alice@example.org
printf '4111111111111111\n' | ctl card set alice >/dev/null ||
  fail "card set"
OTP="pam_vouch_otp.so conf=$CONF channel=email"
service otp "auth required $OTP"
service card "auth required pam_vouch_card.so conf=$CONF"
service pw "auth required pam_vouch_password.so conf=$CONF
account required pam_vouch_password.so conf=$CONF"

# One wrong card number and two wrong codes: three failures, locked.
conv_start card alice auth
conv_wait_for 'ending in 1111'
conv_answer '4111 1111 1111 111x'
conv_wait_for 'ERROR_MSG: Enter the whole card number'
conv_answer '4111111111111112'
conv_wait_for 'ERROR_MSG: That is not a valid card number'
conv_answer '5555555555554444'
conv_wait_for 'ERROR_MSG: That card number does not match'
conv_answer a
expect_conv $PAM_AUTHINFO_UNAVAIL "card: malformed not counted, wrong counted"

conv_start otp alice auth
wait_file "$T/mail" 1
code=$(code_in "$(newest "$T/mail")")
wrong=$(printf '%06d' $(( (1${code} - 1000000 + 1) % 1000000 )))
conv_answer "$wrong"
conv_wait_for 'That code is not right'
conv_answer "$wrong"
conv_wait_for 'ERROR_MSG: Password reset required'
expect_conv $PAM_MAXTRIES "the third failure locks"

wait_file "$T/mail" 2
m=$(newest "$T/mail")
expect_grep '^Subject: Password reset required' "$m" "lockout email"
expect_grep 'token=[A-Za-z0-9_-]{43}' "$m" "lockout email: reset link"
ctl user show alice --json >"$T/show"
expect_grep '"state":"locked"' "$T/show" "state locked"

# Every module refuses now, even with the right answers.
conv_start otp alice auth
conv_wait_for 'ERROR_MSG: Password reset required'
expect_conv $PAM_MAXTRIES "otp refuses a locked account"
[ "$(ls "$T/mail" | wc -l)" -eq 2 ] || fail "no code sent to a locked account"
conv_start card alice auth
conv_wait_for 'ERROR_MSG: Password reset required'
expect_conv $PAM_MAXTRIES "card refuses a locked account"
printf 'correct horse\n' >"$T/in"
expect_rc $PAM_MAXTRIES "password refuses a locked account" -- \
  pam_env "$PAMDRIVE" pw alice auth <"$T/in"

# Failures spread wider than the window do not lock.
ctl unlock alice >/dev/null
add_user bob 'correct horse' --email bob@example.org
printf '4111111111111111\n' | ctl card set bob >/dev/null
for off in 0 1900 3800 5700; do
  CLOCK0=$off conv_start_clock card bob auth
  conv_wait_for 'ending in 1111'
  conv_answer '5555555555554444'
  conv_wait_for 'does not match'
  conv_answer a
  expect_conv $PAM_AUTHINFO_UNAVAIL "bob: one failure at $off"
done
ctl user show bob --json >"$T/show"
expect_grep '"state":"active"' "$T/show" "failures outside the window: active"

finish
