#!/bin/sh
# clock.sh - the clock moved backwards (libfaketime).  The rule: a code's
# TTL is an absolute expiry time fixed when it is sent (expires = sent +
# ttl); a clock that goes back extends nothing and restarts nothing.  So
# a code sent at T with the clock then set to T-1h is good until T+ttl by
# the clock and dead at T+ttl+1 s, however little time passed since.
# Failed checks recorded "in the future" still count in the lockout
# window: going back in time does not forgive them.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check "[otp]
resend_max = 100
[lockout]
max_failures = 3
window = 1h"
add_user alice 'correct horse' --email alice@example.org
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card set"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
service card "auth required pam_vouch_card.so conf=$CONF"
TTL=600
T0=7200   # "T": BASE + 2 h

# Sent at T, clock back to T-1h: the code still works (not expired).
CLOCK0=$T0 conv_start_clock otp alice auth
wait_file "$T/mail" 1
code=$(code_in "$(newest "$T/mail")")
clock_set $((T0 - 3600))
conv_answer "$code"
expect_conv $PAM_SUCCESS "code sent at T, answered at T-1h"

# Sent at T, clock back to T-1h, then forward to T+ttl+1: expired, even
# though less than ttl passed since the clock went back.
CLOCK0=$T0 conv_start_clock otp alice auth
wait_file "$T/mail" 2
code=$(code_in "$(newest "$T/mail")")
clock_set $((T0 - 3600))
conv_answer "12ab"   # malformed: asked again, the clock moves on
conv_wait_for 'ERROR_MSG: Enter the 6 digits'
clock_set $((T0 + TTL + 1))
conv_answer "$code"
conv_wait_for 'ERROR_MSG: That code has expired or was already used'
conv_answer a
expect_conv $PAM_AUTHINFO_UNAVAIL \
  "expired at T+ttl+1 although the clock went back"

# ... and at T-1h+ttl+1 (a TTL counted again from the jump) it is still
# good: the expiry did not move.  This "T" is an hour later (T1): at T0
# the code above, unused and good by the clock until T0+ttl, would be
# offered again instead of a new one being sent.
T1=$((T0 + 3600))
CLOCK0=$T1 conv_start_clock otp alice auth
conv_wait_for 'PROMPT_ECHO_OFF: Security check\. Enter the 6-digit code we sent'
wait_file "$T/mail" 3
code=$(code_in "$(newest "$T/mail")")
clock_set $((T1 - 3600 + TTL + 1))
conv_answer "$code"
expect_conv $PAM_SUCCESS "T-1h+ttl+1 is before T+ttl: still good"

# Lockout: 2 wrong card numbers at T (max_failures 3), then the clock
# goes back 2 h: the next wrong number locks (the failures "from the
# future" are still in the window).
at() { date -u -d "@$((BASE + $1))" '+@%Y-%m-%d %H:%M:%S'; }
# (A wrong number is asked again: "a" then ends the run.)
answers '4000 0000 0000 0002' a
PAM_FAKETIME=$(at $T0) drive $PAM_AUTHINFO_UNAVAIL "wrong card 1 at T" \
  card alice auth
PAM_FAKETIME=$(at $((T0 + 1))) drive $PAM_AUTHINFO_UNAVAIL \
  "wrong card 2 at T+1" card alice auth
expect_rc 0 "not locked yet" -- ctl user show alice --json
expect_nogrep '"locked"' "$T/out" "not locked after 2 failures"
PAM_FAKETIME=$(at $((T0 - 7200))) drive_fails "wrong card 3 at T-2h" \
  card alice auth
ctl user show alice --json | tr -d ' \n' >"$T/show"
expect_grep '"state":"locked"' "$T/show" \
  "locked: failures ahead of the clock count"
finish
