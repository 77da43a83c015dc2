# Codes and tokens expire exactly: valid at TTL - 1 s, stale at TTL + 1 s
# (email code 10m, SMS code 5m here, reset SMS 20m, reset link 24h);
# each is single use.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/challenge/common.inc"

sc_setup "[otp]
sms_ttl = 5m"
ctl user add alice --email alice@example.org --phone +4512345678 >/dev/null ||
  fail "user add"
expect_at OK 0 phone-verified alice

# Email: 10 minutes.
expect_at OK 0 send alice check email
c=$(code_of "$T/mail")
eq "${#c}" 6 "email code has 6 digits"
expect_at OK 599 redeem alice check email "$c"
expect_at STALE 599 redeem alice check email "$c"
expect_at OK 1000 send alice check email
c=$(code_of "$T/mail")
expect_at STALE 1601 redeem alice check email "$c"
expect_at STALE 1600 redeem alice check email "$c"

# SMS: [otp] sms_ttl.
expect_at OK 2000 send alice check sms
c=$(code_of "$T/sms")
eq "${#c}" 6 "sms code has 6 digits"
expect_at OK 2299 redeem alice check sms "$c"
expect_at OK 3000 send alice check sms
c=$(code_of "$T/sms")
expect_at STALE 3301 redeem alice check sms "$c"

# A reset code by SMS with the [reset] ttl the caller passes (20m).
expect_at OK 4000 send alice reset sms 1200
c=$(code_of "$T/sms")
expect_at OK 5199 redeem alice reset sms "$c"
expect_at OK 6000 send alice reset sms 1200
c=$(code_of "$T/sms")
expect_at STALE 7201 redeem alice reset sms "$c"

# Reset link token: 24 hours.
tok=$(at 10000 token-issue alice reset 86400 | sed -n 's/^token=//p')
eq "${#tok}" 43 "token has 43 characters"
expect_at OK $((10000 + 86399)) token-redeem alice reset "$tok"
expect_at STALE $((10000 + 86399)) token-redeem alice reset "$tok"
tok=$(at 10000 token-issue alice reset 86400 | sed -n 's/^token=//p')
expect_at STALE $((10000 + 86401)) token-redeem alice reset "$tok"

# Nothing of a code or a token is kept in clear (SQLite: in the files,
# freed pages too; PostgreSQL: in any row).
if [ "$VOUCH_BACKEND" = sqlite ]; then
  if grep -qa -- "$tok" "$T/vouch.db" "$T"/vouch.db-wal 2>/dev/null; then
    fail "token found in the store"
  fi
else
  store_dump "$T/rows"
  if grep -qa -- "$tok" "$T/rows"; then fail "token found in the store"; fi
fi
finish
