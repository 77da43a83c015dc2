# Resend limits on a moving clock: a resend ("r") waits [otp]
# resend_interval after the last send; at most resend_max resends an
# hour.  A first send is no resend: it counts only towards [otp]
# max_per_hour, every code of the member in the hour.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/challenge/common.inc"

sc_setup
ctl user add bob --email bob@example.org >/dev/null || fail "user add"

expect_at OK 0 send bob check email
expect_at RATE 29 send bob check email 0 resend
expect_at OK 30 send bob check email 0 resend
# The resent code replaced the first one.
rm -f "$T/mail"/*
expect_at OK 60 send bob check email 0 resend
c=$(code_of "$T/mail")
expect_at OK 61 redeem bob check email "$c"
expect_at OK 90 send bob check email 0 resend
expect_at OK 120 send bob check email 0 resend
expect_at OK 150 send bob check email 0 resend
# Five resends in the hour: the sixth waits, however long since the last.
expect_at RATE 600 send bob check email 0 resend
# A new check's first code is no resend.
expect_at OK 601 send bob check email
expect_at OK 602 send bob check email
# One hour after the first resend it falls out of the window.
expect_at RATE 3629 send bob check email 0 resend
expect_at OK 3631 send bob check email 0 resend
# resend_max is per purpose and channel.
expect_at OK 3632 send bob reset email 0 resend
finish
