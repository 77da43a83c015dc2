#!/bin/sh
# email.sh - vouch-reset by email link: "Reset your password" carries a
# token= link; a refused password (too short, not UTF-8, huge, equal to
# the previous) leaves the token usable; another user's, truncated and
# tampered tokens are refused; completing sets the password (the old one
# no longer signs in through pam_vouch_password), lifts the lockout,
# signs every session out, retires older reset links, sends "Your
# password was changed" and signs nobody in; the token works once; on a
# terminal the password is asked twice without echo.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/reset/common.inc"
. "$VOUCH_SRC/tests/sessions/common.inc"

reset_setup
add_user alice 'old password 1' --email alice@example.org --name "Alice Smith"
add_user bob 'bob password 1' --email bob@example.org
add_user carol 'carol password 1'
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M
account required $M"
sess_service

# A locked account may ask for a reset: it is the way out.
lock alice
eq "$(state alice)" locked "alice locked"
expect_rc 0 "request by email" -- R request alice --via email
expect_text "$T/out" "reset link sent by email to a•••@example.org" \
  "masked address printed"
eq "$(count "$T/mail")" 1 "one email"
m=$(newest "$T/mail")
eq "$(subject_of "$m")" "Reset your password" "subject"
expect_grep '^To: alice@example.org' "$m" "to alice"
expect_grep '^https://example\.org/reset\?token=[A-Za-z0-9_-]{43}$' "$m" \
  "the link from [reset] link_url"
expect_grep 'valid for 24 hours' "$m" "hours from link_ttl"
tok=$(token_in "$m")
eq "${#tok}" 43 "token of 43 characters"
rm -f "$T/mail"/*
# SQLite: in the files, freed pages too; PostgreSQL: in any row.
if [ "$VOUCH_BACKEND" = sqlite ]; then
  if grep -qa -- "$tok" "$T/vouch.db" "$T"/vouch.db-wal 2>/dev/null; then
    fail "token kept in clear in the store"
  fi
else
  store_dump "$T/rows"
  if grep -qa -- "$tok" "$T/rows"; then
    fail "token kept in clear in the store"
  fi
fi
ctl audit alice >"$T/audit"
expect_grep 'reset\.requested vouch-reset via=email' "$T/audit" "audited"

# Refused passwords: the precise message and code, the token unused.
store_dump "$T/before"
pwfile 'short'
expect_rc 2 "too short" -- R complete alice --token "$tok" <"$T/pw"
expect_grep '^vouch-reset: password too short: at least 8 characters$' \
  "$T/err" "too short: message"
printf '\377\376abcdefgh\n' >"$T/pw"
expect_rc 2 "not UTF-8" -- R complete alice --token "$tok" <"$T/pw"
expect_grep 'password refused: not valid UTF-8 text$' "$T/err" \
  "not UTF-8: message"
head -c 100000 /dev/zero | tr '\0' a >"$T/pw"
expect_rc 2 "huge input" -- R complete alice --token "$tok" <"$T/pw"
expect_grep 'cannot read the new password: longer than 257 bytes$' \
  "$T/err" "huge: message"
pwfile 'old password 1'
expect_rc 1 "same as the previous" -- R complete alice --token "$tok" \
  <"$T/pw"
expect_grep 'password refused: it equals one of the last 1 passwords' \
  "$T/err" "reused: message"
: >"$T/pw"
expect_rc 2 "no input" -- R complete alice --token "$tok" <"$T/pw"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "refused passwords changed nothing"

# Wrong tokens.
pwfile 'new password 2'
expect_rc 1 "alice's token for bob" -- R complete bob --token "$tok" \
  <"$T/pw"
expect_grep 'the reset link is not right for bob' "$T/err" "bob: message"
short=$(printf '%s' "$tok" | cut -c1-42)
expect_rc 2 "truncated token" -- R complete alice --token "$short" <"$T/pw"
expect_grep 'malformed token: a token is 43 characters' "$T/err" \
  "truncated: message"
expect_nogrep 'password' "$T/err" "truncated: refused before the password"
expect_rc 2 "token with a bad character" -- \
  R complete alice --token "$(printf '%s' "$short" | cut -c1-41)+=" <"$T/pw"
first=$(printf '%s' "$tok" | cut -c1)
if [ "$first" = A ]; then other=B; else other=A; fi
tampered="$other$(printf '%s' "$tok" | cut -c2-)"
expect_rc 1 "tampered token" -- R complete alice --token "$tampered" \
  <"$T/pw"
expect_grep 'the reset link is not right for alice' "$T/err" \
  "tampered: message"
eq "$(state alice)" locked "still locked after the refusals"

# A second request: two live links; the one used retires the other.
expect_rc 0 "second request" -- R request alice --via email
tok2=$(token_in "$(newest "$T/mail")")
rm -f "$T/mail"/*

# A live session of alice, to be signed out.
hold_start h1 alice || finish

# The right token.
expect_rc 0 "complete with the token" -- R complete alice --token "$tok" \
  <"$T/pw"
expect_text "$T/out" "password changed" "password changed printed"
eq "$(hold_result h1)" SIGHUP "the session leader was signed out"
eq "$(state alice)" active "lockout lifted"
eq "$(failures alice)" 0 "failure count cleared"
eq "$(count "$T/mail")" 1 "one email after the change"
m=$(newest "$T/mail")
eq "$(subject_of "$m")" "Your password was changed" "changed: subject"
expect_grep '^To: alice@example.org' "$m" "changed: to alice"
rm -f "$T/mail"/*
ctl audit alice >"$T/audit"
expect_grep 'reset\.completed vouch-reset via=token sessions=1' \
  "$T/audit" "completion audited with the sessions"
expect_grep 'sessions\.revoked' "$T/audit" "sign-out audited"
expect_nogrep 'auth\.ok|password\.ok|session\.open.*vouch-reset' \
  "$T/audit" "nobody signed in by the reset"

# Through PAM: the old password fails, the new one works.
answers 'old password 1'
drive $PAM_AUTH_ERR "old password refused" pw alice auth
answers 'new password 2'
drive $PAM_SUCCESS "new password accepted, account open" pw alice auth acct

# Single use; the other link died with the change.
pwfile 'new password 3'
expect_rc 1 "the token again" -- R complete alice --token "$tok" <"$T/pw"
expect_grep 'the reset link has expired or already been used' "$T/err" \
  "used: message"
expect_rc 1 "the older second link" -- R complete alice --token "$tok2" \
  <"$T/pw"
expect_grep 'expired or already been used' "$T/err" "retired: message"

# No address on file: no link can be sent; a reset by another way still
# completes without the email.
expect_rc 1 "carol has no email" -- R request carol --via email
expect_grep 'carol has no email address on file' "$T/err" \
  "no email: message"
ctok=$("$CODE_DRIVE" "$CONF" token-issue carol reset 86400 |
  sed -n 's/^token=//p')
pwfile 'carol password 2'
expect_rc 0 "complete without an email address" -- \
  R complete carol --token "$ctok" <"$T/pw"
expect_text "$T/out" "password changed" "carol: password changed"
eq "$(count "$T/mail")" 0 "no email for carol"

# On a terminal: asked twice, without echo; a mismatch is 2.
expect_rc 0 "request for bob" -- R request bob --via email
btok=$(token_in "$(newest "$T/mail")")
expect_rc 2 "different retype" -- tty_run \
  'New password: ' 'tty secret 7\n' 'Retype new password: ' 'tty secret 8\n' \
  -- "$RESET" --config "$CONF" complete bob --token "$btok"
expect_grep 'vouch-reset: the two passwords differ' "$T/out" "mismatch"
expect_rc 0 "complete on a terminal" -- tty_run \
  'New password: ' 'tty secret 7\n' 'Retype new password: ' 'tty secret 7\n' \
  -- "$RESET" --config "$CONF" complete bob --token "$btok"
expect_grep '<New password: >' "$T/out" "first prompt"
expect_grep '<Retype new password: >' "$T/out" "second prompt"
expect_grep 'password changed' "$T/out" "changed on a terminal"
expect_nogrep 'tty secret' "$T/out" "no echo"
answers 'tty secret 7'
drive $PAM_SUCCESS "bob signs in with the new password" pw bob auth

# Unknown users.
expect_rc 3 "request: unknown user" -- R request zed --via email
expect_grep '^vouch-reset: unknown user zed$' "$T/err" "unknown: message"
expect_rc 3 "complete: unknown user" -- R complete zed --token "$tok" \
  <"$T/pw"
finish
