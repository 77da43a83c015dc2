#!/bin/sh
# expiry.sh - vouch-reset with a frozen clock (libfaketime): the link
# works at link_ttl - 1 s and not at link_ttl + 1 s (24 h), the SMS code
# likewise at sms_ttl (20 min); SMS only to a verified phone; a wrong or
# malformed code; a locked account resets by SMS.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/reset/common.inc"

[ -n "$FAKETIME_LIB" ] || { fail "libfaketime not found"; finish; }
reset_setup
add_user alice 'old password 1' --email alice@example.org \
  --phone +4512345678
add_user bob 'bob password 1' --email bob@example.org --phone +4587654321
ctl phone verify alice --trusted >/dev/null || fail "phone verify"
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M"

# Link: 24 hours.
expect_rc 0 "request a link at 0" -- R_at 0 request alice --via email
tok=$(token_in "$(newest "$T/mail")"); rm -f "$T/mail"/*
pwfile 'new password 2'
expect_rc 0 "link at TTL - 1 s" -- \
  R_at $((86400 - 1)) complete alice --token "$tok" <"$T/pw"
expect_rc 0 "request a link at 100000" -- R_at 100000 request alice --via email
tok=$(token_in "$(newest "$T/mail")"); rm -f "$T/mail"/*
pwfile 'new password 3'
expect_rc 1 "link at TTL + 1 s" -- \
  R_at $((100000 + 86401)) complete alice --token "$tok" <"$T/pw"
expect_grep 'the reset link has expired or already been used' "$T/err" \
  "expired link: message"
rm -f "$T/mail"/*

# SMS: 20 minutes, to the verified phone only.
expect_rc 0 "request a code at 200000" -- R_at 200000 request alice --via sms
expect_text "$T/out" "reset code sent by SMS to +45 •••• ••78" \
  "masked number printed"
eq "$(count "$T/sms")" 1 "one SMS"
s=$(newest "$T/sms")
expect_grep '^To: \+4512345678' "$s" "to alice's phone"
expect_grep 'valid 20 min' "$s" "minutes from sms_ttl"
c=$(code_in "$s"); rm -f "$T/sms"/*
eq "${#c}" 6 "a 6-digit code"
pwfile 'new password 3'
expect_rc 2 "malformed code (5 digits)" -- \
  R_at 200010 complete alice --code 12345 <"$T/pw"
expect_grep 'malformed code: a code is 6 digits' "$T/err" \
  "malformed code: message"
expect_rc 2 "malformed code (letters)" -- \
  R_at 200010 complete alice --code abcdef <"$T/pw"
if [ "$c" = 000000 ]; then wrong=000001; else wrong=000000; fi
expect_rc 1 "wrong code" -- R_at 200020 complete alice --code "$wrong" \
  <"$T/pw"
expect_grep 'the reset code is not right for alice' "$T/err" \
  "wrong code: message"
expect_rc 0 "code at TTL - 1 s" -- \
  R_at $((200000 + 1199)) complete alice --code "$c" <"$T/pw"
expect_text "$T/out" "password changed" "changed by code"
answers 'new password 3'
drive $PAM_SUCCESS "the password set by code signs in" pw alice auth
expect_rc 1 "the code again" -- \
  R_at $((200000 + 1199)) complete alice --code "$c" <"$T/pw"

expect_rc 0 "request a code at 300000" -- R_at 300000 request alice --via sms
c=$(code_in "$(newest "$T/sms")"); rm -f "$T/sms"/*
pwfile 'new password 4'
expect_rc 1 "code at TTL + 1 s" -- \
  R_at $((300000 + 1201)) complete alice --code "$c" <"$T/pw"
expect_grep 'the reset code has expired or already been used' "$T/err" \
  "expired code: message"

# A locked account resets by SMS.
lock alice
expect_rc 0 "locked: request a code" -- R_at 400000 request alice --via sms
c=$(code_in "$(newest "$T/sms")"); rm -f "$T/sms"/*
expect_rc 0 "locked: complete by code" -- \
  R_at 400060 complete alice --code "$c" <"$T/pw"
eq "$(state alice)" active "unlocked by the reset"

# Not to an unverified phone, nor to none.
expect_rc 1 "bob's phone is not verified" -- R request bob --via sms
expect_grep 'bob has no verified phone number on file' "$T/err" \
  "unverified: message"
eq "$(count "$T/sms")" 0 "no SMS to an unverified phone"
ctl user set alice --phone '' >/dev/null || fail "clear phone"
expect_rc 1 "no phone at all" -- R request alice --via sms
finish
