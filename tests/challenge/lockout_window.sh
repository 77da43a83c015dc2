# Lockout counts failed security checks of every method within
# [lockout] window: spread wider than the window they never lock; within
# it they lock and the reset email is sent, its link good for one reset.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/challenge/common.inc"

sc_setup "[lockout]
max_failures = 3
window = 1h"
ctl user add carol --email carol@example.org >/dev/null || fail "user add"
ctl user add dave --email dave@example.org >/dev/null || fail "user add"
expect_at OK 0 card-set dave "4111 1111 1111 1111"

# Spread: never more than 2 inside one hour.
expect_at AUTH 0 fail carol card
expect_at AUTH 1800 fail carol email
expect_at AUTH 3601 fail carol sms
expect_at AUTH 5402 fail carol card
expect_at AUTH 7203 fail carol card
n=$(ls "$T/mail" | wc -l)
eq "$n" 0 "no lockout email for spread failures"
# Two more within the hour of the last: locked.
expect_at LOCKED 7300 fail carol card
# Locked: refused without counting, and no second email.
expect_at LOCKED 7310 fail carol card
n=$(ls "$T/mail" | wc -l)
eq "$n" 1 "one lockout email"
tok=$(token_of "$T/mail")
eq "${#tok}" 43 "lockout email carries a reset link"
expect_at OK 7400 token-redeem carol reset "$tok"
expect_at STALE 7401 token-redeem carol reset "$tok"

# Code, card and email failures add up; a new code does not reset them.
expect_at OK 10000 send dave check email
c=$(code_of "$T/mail")
w=$(printf '%s' "$c" | tr 0123456789 1234567890)
expect_at AUTH 10010 redeem dave check email "$w"
expect_at AUTH 10020 card-check dave "4242 4242 4242 4242"
expect_at OK 10030 send dave check email
c=$(code_of "$T/mail")
w=$(printf '%s' "$c" | tr 0123456789 1234567890)
expect_at LOCKED 10040 redeem dave check email "$w"
expect_at LOCKED 10050 redeem dave check email "$c"
expect_at LOCKED 10060 card-check dave "4111 1111 1111 1111"
tok=$(token_of "$T/mail")
eq "${#tok}" 43 "dave's lockout email carries a reset link"
# The link lives [reset] link_ttl (24h) from the lock.
expect_at STALE $((10040 + 86401)) token-redeem dave reset "$tok"
finish
