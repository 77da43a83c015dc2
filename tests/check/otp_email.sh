#!/bin/sh
# otp_email.sh - pam_vouch_otp.so with codes by email (file transport):
# the masked destination in the prompt, a right code, a wrong code and a
# malformed answer asked again, "r" sends again (rate-limited), expiry at
# TTL-1 s and TTL+1 s by moving the clock, single use, the language.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
add_user alice 'correct horse' --email alice@example.org
add_user bo 'Kodeord-123' --email bo@example.dk --lang da
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"

# A right code.
conv_start otp alice auth
conv_wait_for 'PROMPT_ECHO_OFF: Security check\. Enter the 6-digit code we sent to a•••@example\.org \(r: Send code again, a: Try another way\): '
wait_file "$T/mail" 1
m=$(newest "$T/mail")
expect_grep '^Subject: Your sign-in code' "$m" "subject"
expect_grep '^To: alice@example\.org' "$m" "to"
code=$(code_in "$m")
[ -n "$code" ] || fail "no 6-digit code in the message"
conv_answer "$code"
expect_conv $PAM_SUCCESS "right code"
grep -q 'auth: PAM_SUCCESS' "$T/conv.out" || fail "right code: output"

# The used code again, now that a new one was sent: it is not the code.
conv_start otp alice auth
wait_file "$T/mail" 2
new=$(code_in "$(newest "$T/mail")")
[ "$new" != "$code" ] || fail "a new code each time"
conv_answer "$code"
conv_wait_for 'ERROR_MSG: That code is not right'
conv_answer "$new"
expect_conv $PAM_SUCCESS "old code refused, new code accepted"

# Wrong and malformed answers are asked again.
conv_start otp alice auth
wait_file "$T/mail" 3
code=$(code_in "$(newest "$T/mail")")
wrong=$(printf '%06d' $(( (1${code} - 1000000 + 1) % 1000000 )))
conv_answer "$wrong"
conv_wait_for 'ERROR_MSG: That code is not right'
conv_answer "12ab56"
conv_wait_for 'ERROR_MSG: Enter the 6 digits of the code'
conv_answer "  $code  "
expect_conv $PAM_SUCCESS "wrong, malformed, then right (spaces trimmed)"

# "r" right away is refused (resend_interval 30s); after 31 s it sends.
CLOCK0=0 conv_start_clock otp alice auth
wait_file "$T/mail" 4
first=$(code_in "$(newest "$T/mail")")
conv_answer r
conv_wait_for 'ERROR_MSG: Please wait a moment'
clock_set 31
conv_answer r
conv_wait_for 'TEXT_INFO: We sent a new code to a•••@example\.org\.'
wait_file "$T/mail" 5
second=$(code_in "$(newest "$T/mail")")
[ "$first" != "$second" ] || fail "resend: a new code"
conv_answer "$first"
conv_wait_for 'ERROR_MSG: That code is not right'
conv_answer "$second"
expect_conv $PAM_SUCCESS "resend: the new code counts, the old one died"

# Expiry: [otp] email_ttl = 10m.  At TTL-1 s the code works...
CLOCK0=0 conv_start_clock otp alice auth
wait_file "$T/mail" 6
code=$(code_in "$(newest "$T/mail")")
clock_set 599
conv_answer "$code"
expect_conv $PAM_SUCCESS "code at TTL-1s"
# ... at TTL+1 s it does not.
CLOCK0=3600 conv_start_clock otp alice auth
wait_file "$T/mail" 7
code=$(code_in "$(newest "$T/mail")")
clock_set 4201
conv_answer "$code"
conv_wait_for 'ERROR_MSG: That code has expired or was already used'
conv_answer a
expect_conv $PAM_AUTHINFO_UNAVAIL "code at TTL+1s refused, then a"

# The member's language: Danish prompt and Danish email.
conv_start otp bo auth
conv_wait_for 'PROMPT_ECHO_OFF: Sikkerhedskontrol\. Indtast den 6-cifrede kode, vi sendte til b•••@example\.dk'
wait_file "$T/mail" 8
m=$(newest "$T/mail")
code=$(code_in "$m")
conv_answer "$code"
expect_conv $PAM_SUCCESS "Danish member"

# Only keyed hashes in the store: no code appears in it (SQLite: in its
# files; PostgreSQL: in any row).
[ "$VOUCH_BACKEND" = sqlite ] || store_dump "$T/rows"
for f in "$T"/vouch.db* "$T/rows"; do
  [ -f "$f" ] || continue
  if grep -q "$code" "$f"; then fail "code found in $f"; fi
done

# An unknown user gets a code prompt too, and a wrong code is answered
# as a member's is (tests/check/unknown.sh compares whole transcripts).
conv_start otp nosuch auth
conv_wait_for 'PROMPT_ECHO_OFF: Security check\. Enter the 6-digit code'
conv_answer 123456
conv_wait_for 'ERROR_MSG: That code is not right'
conv_answer a
expect_conv $PAM_AUTHINFO_UNAVAIL "unknown user: wrong code, then another way"

finish
