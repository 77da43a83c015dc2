#!/bin/sh
# otp_limits.sh - code limits that protect without locking anyone out
# (issue 14), on a moving clock: seven sign-ins in ten minutes, a live
# code offered again instead of a new one (single use, its wrong answers
# counted), [otp] max_per_hour naming the time to try again and offering
# the other ways, [otp] resend_max counting only "r", and the sign-in
# email's own subject.  No message may contradict what was sent.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
add_user alice 'correct horse' --email alice@example.org
add_user bob 'correct horse' --email bob@example.org
add_user carol 'correct horse' --email carol@example.org
printf '4111 1111 1111 1111\n' | ctl card set bob >/dev/null ||
  fail "card set"
OTP="pam_vouch_otp.so conf=$CONF"
service otp "auth required $OTP channel=email"
service any "auth required $OTP channel=any"

mails() { ls "$T/mail" | wc -l | tr -d ' '; }
hhmm() { date -u -d "@$((BASE + $1))" +%H:%M; }
SENT='PROMPT_ECHO_OFF: Security check\. Enter the 6-digit code we sent to'

# signin AT USER SERVICE: a sign-in at clock AT whose code is sent now;
# the prompt says sent, and the mail is there.  Leaves the conversation
# open; $code is the code of the new mail.
signin_sent() {
  n=$(mails)
  CLOCK0=$1 conv_start_clock "$3" "$2" auth
  conv_wait_for "$SENT"
  wait_file "$T/mail" $((n + 1))
  code=$(code_in "$(newest "$T/mail")")
}

# --- Seven sign-ins in ten minutes (alice, email codes).
signin_sent 0 alice otp
expect_grep '^Subject: Your sign-in code' "$(newest "$T/mail")" \
  "the sign-in email says so"
expect_nogrep 'account change' "$(newest "$T/mail")" \
  "the sign-in email speaks of no account change"
conv_answer "$code"
expect_conv $PAM_SUCCESS "sign-in 1"
signin_sent 60 alice otp
conv_answer "$code"
expect_conv $PAM_SUCCESS "sign-in 2"
# A sign-in left at the prompt: its code stays good.
signin_sent 120 alice otp
left=$code
conv_end
# The next one within the code's life offers it again and sends nothing.
n=$(mails)
CLOCK0=180 conv_start_clock otp alice auth
conv_wait_for "PROMPT_ECHO_OFF: Security check\. We already sent a code to a•••@example\.org at $(hhmm 120)\. Enter it, or type r to send a new one \(a: Try another way\): "
[ "$(mails)" = "$n" ] || fail "a code offered again was sent again"
grep -q "$SENT" "$T/conv.out" && fail "offered again, yet 'we sent' said"
conv_answer "$left"
expect_conv $PAM_SUCCESS "sign-in 3: the code offered again works"
signin_sent 240 alice otp
conv_answer "$code"
expect_conv $PAM_SUCCESS "sign-in 4"
signin_sent 300 alice otp
conv_answer "$code"
expect_conv $PAM_SUCCESS "sign-in 5"
# One wrong answer, then the sign-in is left: the wrong answer counts,
# and the code offered again is still the one code.
signin_sent 360 alice otp
left=$code
wrong=$(printf '%06d' $(( (1${code} - 1000000 + 1) % 1000000 )))
conv_answer "$wrong"
conv_wait_for 'ERROR_MSG: That code is not right'
conv_end
n=$(mails)
CLOCK0=420 conv_start_clock otp alice auth
conv_wait_for "We already sent a code to a•••@example\.org at $(hhmm 360)\."
conv_answer "$left"
expect_conv $PAM_SUCCESS "sign-in 6: offered again after a wrong answer"
[ "$(mails)" = "$n" ] || fail "sign-in 6: nothing may be sent"
# Used up: the next sign-in sends a new code; the old one is no good.
signin_sent 480 alice otp
[ "$code" != "$left" ] || fail "a new code after the old one was used"
conv_answer "$left"
conv_wait_for 'ERROR_MSG: That code is not right'
conv_answer "$code"
expect_conv $PAM_SUCCESS "sign-in 7: a used code never again"
ctl audit alice >"$T/audit"
[ "$(grep -c 'check\.fail' "$T/audit")" = 2 ] ||
  fail "failures counted exactly: want 2, got $(grep -c 'check\.fail' "$T/audit")"
[ "$(grep -c 'code\.reoffered' "$T/audit")" = 2 ] || fail "reoffers audited"
# Seven sign-ins and two left at the prompt: seven codes sent, not nine.
[ "$(mails)" = 7 ] || fail "seven sign-ins: 7 mails, got $(mails)"

# --- The hourly cap (bob: email and a card, max_per_hour = 3).
conf_set otp max_per_hour 3
for t in 7200 7260 7320; do
  signin_sent $t bob any
  conv_answer "$code"
  expect_conv $PAM_SUCCESS "bob at $t"
done
n=$(mails)
CLOCK0=7380 conv_start_clock any bob auth
conv_wait_for "ERROR_MSG: You have asked for many codes in the last hour\. You can ask for a new code at $(hhmm 10800)\."
conv_wait_for 'PROMPT_ECHO_ON: Security check\. Choose another way: 1 = card number ending in 1111: $'
conv_answer 1
conv_wait_for 'Enter the full number of your card ending in 1111'
conv_answer '4111 1111 1111 1111'
expect_conv $PAM_SUCCESS "cap: the card gets the member in"
grep -q 'Enter the 6-digit code\|already sent a code' "$T/conv.out" &&
  fail "cap: a prompt for a code that was not sent"
grep -q 'wait a moment' "$T/conv.out" && fail "cap: 'wait a moment'"
[ "$(mails)" = "$n" ] || fail "cap: nothing may be sent"
# Without channel=any the next line of the stack runs.
CLOCK0=7400 conv_start_clock otp bob auth
conv_wait_for "You can ask for a new code at $(hhmm 10800)\."
expect_conv $PAM_AUTHINFO_UNAVAIL "cap, channel=email: unavailable"
grep -q 'PROMPT_ECHO_OFF' "$T/conv.out" && fail "cap: a code prompt"
# An hour after the first of the three, codes flow again.
signin_sent 10801 bob any
conv_answer "$code"
expect_conv $PAM_SUCCESS "an hour later: a code again"
conf_set otp max_per_hour 20

# --- resend_max counts only "r" (carol, resend_max = 2).
conf_set otp resend_max 2
n=$(mails)
signin_sent 20000 carol otp
clock_set 20031
conv_answer r
conv_wait_for 'TEXT_INFO: We sent a new code to c•••@example\.org\.'
wait_file "$T/mail" $((n + 2))
clock_set 20062
conv_answer r
wait_file "$T/mail" $((n + 3))
code=$(code_in "$(newest "$T/mail")")
clock_set 20093
conv_answer r
conv_wait_for "ERROR_MSG: You have asked for many codes in the last hour\. You can ask for a new code at $(hhmm 23631)\."
grep -q 'wait a moment' "$T/conv.out" && fail "resend cap: 'wait a moment'"
# The last code still works: the prompt stays true.
conv_answer "$code"
expect_conv $PAM_SUCCESS "resend cap: the last code still works"
[ "$(mails)" = $((n + 3)) ] || fail "resend cap: nothing more sent"
# New sign-ins are no resends: their codes go out.
for t in 20100 20160; do
  signin_sent $t carol otp
  conv_answer "$code"
  expect_conv $PAM_SUCCESS "carol's new sign-in at $t"
done
finish
