#!/bin/sh
# export_expiry.sh - vouch-export with the clock frozen (libfaketime): an
# unconfirmed request and its token live [export] confirm_ttl (2d here),
# then confirm is refused and run retires the request; a ready archive
# lives [export] keep (3d here), then run removes it; list shows both as
# expired even before a run.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/account/common.inc"

acc_setup "confirm_ttl = 2d
keep = 3d"
printf 'correct horse\n' >"$T/pw"
D=86400
X() { at "$@"; }

# Request 1 at BASE, confirmed at 2d - 1 s, built at 2d: ready until 5d.
expect_rc 0 "request 1" -- X 0 "$EXPORT" --config "$CONF" request alice
expect_grep 'waits 2 days' "$(newest "$T/mail")" "email names 2 days"
tok1=$(token_mail)
expect_rc 0 "confirm at 2d - 1s" -- X $((2 * D - 1)) "$EXPORT" \
  --config "$CONF" confirm alice --token "$tok1" <"$T/pw"
expect_rc 0 "run at 2d" -- X $((2 * D)) "$EXPORT" --config "$CONF" run
expect_text "$T/out" "built 1, expired 0, removed 0, failed 0" "built"
expect_mail 2 "Your personal information is ready" "ready email"
expect_grep 'available for 3 days' "$(newest "$T/mail")" "3 days named"
a=$(ls "$T/exports"/*.json)
[ -f "$a" ] || fail "no archive"

# Request 2 at 3d is never confirmed: expired at 5d.
expect_rc 0 "request 2" -- X $((3 * D)) "$EXPORT" --config "$CONF" \
  request alice
tok2=$(token_mail)
expect_rc 1 "request while 2 waits" -- X $((3 * D)) "$EXPORT" \
  --config "$CONF" request alice
expect_rc 0 "run before the ends" -- X $((5 * D - 1)) "$EXPORT" \
  --config "$CONF" run
expect_text "$T/out" "built 0, expired 0, removed 0, failed 0" "all kept"
[ -f "$a" ] || fail "archive removed too early"
expect_rc 1 "confirm at 2d + 1s: expired" -- X $((5 * D + 1)) "$EXPORT" \
  --config "$CONF" confirm alice --token "$tok2" <"$T/pw"
expect_grep 'the request expired' "$T/err" "expired request named"
eq "$(failures alice)" 0 "an expired request asks no password"

# Both show as expired before any run retires them.
expect_rc 0 "list" -- X $((5 * D + 1)) "$EXPORT" --config "$CONF" list \
  alice --json
cp "$T/out" "$T/l.json"
"$SYS_PY" - "$T/l.json" <<'PY' || fail "list after the ends"
import json, sys
rows = {r["id"]: r for r in json.load(open(sys.argv[1]))}
assert rows[2]["status"] == "expired", rows
assert rows[2]["details"] == "Not confirmed in time", rows
assert rows[1]["status"] == "expired", rows
assert rows[1]["details"] == "The download is no longer available", rows
assert rows[1]["expires"] == "2030-01-06T00:00:00Z", rows
PY
expect_rc 0 "list text" -- X $((5 * D + 1)) "$EXPORT" --config "$CONF" \
  list alice
expect_grep '^2 +2030-01-04 +Expired +Not confirmed in time$' "$T/out" \
  "expired row"

expect_rc 0 "run after the ends" -- X $((5 * D + 1)) "$EXPORT" \
  --config "$CONF" run
expect_text "$T/out" "built 0, expired 1, removed 1, failed 0" "retired"
[ ! -e "$a" ] || fail "archive still there after keep"
expect_rc 0 "run again" -- X $((6 * D)) "$EXPORT" --config "$CONF" run
expect_text "$T/out" "built 0, expired 0, removed 0, failed 0" "idempotent"
expect_rc 0 "audit" -- ctl audit alice
expect_grep 'export\.expired' "$T/out" "expiry audited"
expect_grep 'export\.removed' "$T/out" "removal audited"
expect_rc 1 "cancel an expired request" -- X $((9 * D)) "$EXPORT" \
  --config "$CONF" cancel alice 1

# The expired token is dead too.
expect_rc 0 "request 3" -- X $((10 * D)) "$EXPORT" --config "$CONF" \
  request alice
tok3=$(token_mail)
expect_rc 1 "an old token" -- X $((10 * D)) "$EXPORT" --config "$CONF" \
  confirm alice --token "$tok2" <"$T/pw"
expect_rc 0 "the new token" -- X $((10 * D)) "$EXPORT" --config "$CONF" \
  confirm alice --token "$tok3" <"$T/pw"
finish
