#!/bin/sh
# ctl_card_phone.sh - vouchctl card set/clear and phone verify: the card
# number only as a keyed hash and last 4 digits, precise refusals, a phone
# verified by an SMS code read back, or --trusted.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
ctl user add alice --email alice@example.org --phone +4512345612 >/dev/null
ctl user add bob >/dev/null

# card set: from stdin, spaces and dashes accepted.
printf '4111 1111-1111 1111\n' >"$T/in"
expect_rc 0 "card set" -- ctl card set alice <"$T/in"
expect_grep 'ending in 1111' "$T/out" "card set: last 4 shown"
# (SQLite: in its files; PostgreSQL: in any row)
[ "$VOUCH_BACKEND" = sqlite ] || store_dump "$T/rows"
for f in "$T"/vouch.db* "$T/rows"; do
  [ -f "$f" ] || continue
  if grep -q 4111111111111111 "$f"; then fail "card number found in $f"; fi
done
ctl user show alice --json >"$T/show"
store_dump "$T/before"
printf '4111 1111 1111 1112\n' >"$T/in"
expect_rc 2 "bad check digit" -- ctl card set alice <"$T/in"
expect_grep 'invalid card number' "$T/err" "bad check digit: reason"
printf '4111 1111 11\n' >"$T/in"
expect_rc 2 "too few digits" -- ctl card set alice <"$T/in"
printf '4111x1111 1111 1111\n' >"$T/in"
expect_rc 2 "letters" -- ctl card set alice <"$T/in"
printf '\377\376\n' >"$T/in"
expect_rc 2 "not UTF-8" -- ctl card set alice <"$T/in"
: >"$T/in"
expect_rc 2 "no input" -- ctl card set alice <"$T/in"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "refused cards change nothing"
printf '4111111111111111\n' >"$T/in"
expect_rc 3 "card set: unknown user" -- ctl card set nosuch <"$T/in"
expect_rc 2 "card set: bad name" -- ctl card set 'bad name' <"$T/in"
expect_rc 0 "card clear" -- ctl card clear alice
expect_rc 3 "card clear: none on file" -- ctl card clear alice
expect_rc 2 "card: unknown subcommand" -- ctl card show alice
expect_rc 0 "card --help" -- ctl card --help

# phone verify: a code by SMS, read back.
rm -f "$T/sms"/*
mkfifo "$T/code.fifo"
( ctl phone verify alice <"$T/code.fifo" >"$T/pv.out" 2>&1; echo $? >"$T/pv.rc" ) &
exec 6>"$T/code.fifo"
wait_file "$T/sms" 1
m=$(newest "$T/sms")
expect_grep '^To: \+4512345612$' "$m" "phone verify: SMS to the number on file"
printf '%s\n' "$(code_in "$m")" >&6
exec 6>&-
wait
[ "$(cat "$T/pv.rc")" = 0 ] || { fail "phone verify: exit $(cat "$T/pv.rc")"; cat "$T/pv.out" >&2; }
ctl user show alice --json >"$T/show"
expect_grep '"phone_verified":true' "$T/show" "phone verified"

# A wrong code: exit 1, not verified.
ctl user set alice --phone +4587654321 >/dev/null
printf '000000\n' >"$T/in"
expect_rc 1 "phone verify: wrong code" -- ctl phone verify alice <"$T/in"
ctl user show alice --json >"$T/show"
expect_grep '"phone_verified":false' "$T/show" "wrong code: still unverified"
printf '12\n' >"$T/in"
expect_rc 2 "phone verify: malformed code" -- ctl phone verify alice <"$T/in"
expect_rc 1 "phone verify: no phone on file" -- ctl phone verify bob </dev/null
expect_rc 0 "phone verify --trusted" -- ctl phone verify alice --trusted
ctl user show alice --json >"$T/show"
expect_grep '"phone_verified":true' "$T/show" "--trusted: verified"
expect_rc 3 "phone verify: unknown user" -- ctl phone verify nosuch --trusted
expect_rc 2 "phone verify: unknown option" -- ctl phone verify alice --trust

finish
