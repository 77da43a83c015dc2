#!/bin/sh
# export.sh - vouch-export: request (email with a token), list, confirm
# with the token and the current password, run (the archive: JSON, 0600,
# everything about the member and no secret), the ready email, cancel;
# bad input, unknown users and requests, an insecure directory, a refused
# store.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/account/common.inc"

acc_setup
add_user bob 'battery staple'
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card set"
ctl membership alice --plan Premium --period-end 2031-01-31 >/dev/null
printf 'correct horse\n' >"$T/pw"
printf 'wrong horse\n' >"$T/badpw"

# --help everywhere, usage errors.
expect_rc 0 "--help" -- "$EXPORT" --help
expect_grep '^Usage: vouch-export \[--config PATH\] COMMAND' "$T/out" "usage"
for c in request confirm list cancel run; do
  expect_rc 0 "$c --help" -- xport $c --help
  expect_grep "^Usage: vouch-export $c" "$T/out" "$c usage"
done
expect_rc 2 "no command" -- xport
expect_rc 2 "unknown command" -- xport download alice
expect_grep "unknown command 'download'" "$T/err" "unknown command named"
expect_rc 2 "request without name" -- xport request
expect_rc 2 "request with two names" -- xport request alice bob
expect_rc 2 "confirm without token" -- xport confirm alice
expect_grep 'missing --token T' "$T/err" "missing token named"
expect_rc 2 "list with --token" -- xport list alice --token x
expect_rc 2 "run with a name" -- xport run alice
expect_rc 2 "unknown option" -- xport list alice --csv
expect_rc 2 "non-UTF-8 name" -- xport request "$(printf 'al\377ce')"
expect_grep "invalid user name 'al.xffce'" "$T/err" "non-UTF-8 shown safely"
expect_rc 2 "huge name" -- xport list "$(head -c 100000 /dev/zero | tr '\0' a)"
expect_rc 3 "request: unknown user" -- xport request nosuch
expect_grep 'unknown user nosuch' "$T/err" "unknown user named"
expect_rc 3 "list: unknown user" -- xport list nosuch
expect_rc 3 "cancel: unknown user" -- xport cancel nosuch 1
expect_rc 1 "request: no email address" -- xport request bob
expect_grep 'bob has no email address on file' "$T/err" "no address named"
expect_rc 0 "bob has no request left" -- xport list bob --json
expect_text "$T/out" "[]" "the unsent request was dropped"

# Request: an email with the token; one live request at a time.
expect_rc 0 "request" -- xport request alice
expect_grep '^request 2 for alice: not yet confirmed' "$T/out" \
  "id printed (1 went to bob's dropped request)"
expect_mail 1 "Confirm your request for your personal information" \
  "confirm email"
expect_grep 'waits 7 days' "$(newest "$T/mail")" "email names the days"
tok=$(token_mail)
eq "${#tok}" 43 "token in the email"
expect_rc 1 "second request while one waits" -- xport request alice
expect_grep 'already has request 2' "$T/err" "waiting request named"
expect_rc 0 "list" -- xport list alice
expect_grep '^ID +Created +Status +Details$' "$T/out" "table header"
expect_grep '^2 +[0-9-]{10} +Not yet confirmed +Confirm from the email we sent' \
  "$T/out" "unconfirmed row"

# Confirm: malformed token 2, nothing read; no request 3; wrong password 1
# (counted); wrong token 1 (the right one still works); right: in progress.
for bad in short "${tok}x" "$(printf '%s' "$tok" | sed 's/^./!/')" \
           "$(printf '\377%s' "$tok" | head -c 43)" \
           "$(head -c 10000 /dev/zero | tr '\0' A)" ""; do
  expect_rc 2 "malformed token" -- xport confirm alice --token "$bad" \
    <"$T/pw"
  # (10000 bytes are refused by the tool itself: a request is bounded)
  expect_grep 'malformed token|is too long' "$T/err" "malformed token named"
done
expect_rc 3 "confirm: unknown user" -- xport confirm nosuch --token "$tok" \
  <"$T/pw"
expect_rc 3 "confirm: no request" -- xport confirm bob --token "$tok" <"$T/pw"
expect_grep 'bob has no request waiting for confirmation' "$T/err" \
  "no request named"
expect_rc 1 "wrong password" -- xport confirm alice --token "$tok" \
  <"$T/badpw"
expect_grep 'wrong password' "$T/err" "wrong password named"
eq "$(failures alice)" 1 "wrong password counted"
expect_rc 2 "no password" -- xport confirm alice --token "$tok" </dev/null
other=$(printf '%s' "$tok" | tr 'A-Za-z' 'N-ZA-Mn-za-m')
expect_rc 1 "wrong token" -- xport confirm alice --token "$other" <"$T/pw"
expect_grep 'the token does not match' "$T/err" "wrong token named"
expect_rc 0 "confirm" -- xport confirm alice --token "$tok" <"$T/pw"
expect_grep 'request 2 for alice: in progress' "$T/out" "in progress"
eq "$(failures alice)" 0 "right password clears the count"
expect_rc 3 "confirm twice" -- xport confirm alice --token "$tok" <"$T/pw"
expect_rc 0 "list in progress" -- xport list alice
expect_grep '^2 +[0-9-]{10} +In progress ' "$T/out" "in progress row"

# Run: the archive.
expect_rc 0 "run" -- xport run
expect_text "$T/out" "built 1, expired 0, removed 0, failed 0" "one built"
expect_mail 2 "Your personal information is ready" "ready email"
expect_grep '30 days' "$(newest "$T/mail")" "ready email names the days"
a="$T/exports/2-alice.json"
[ -f "$a" ] || fail "archive $a missing"
eq "$(stat -c %a "$T/exports")" 700 "directory mode 0700"
eq "$(stat -c %a "$a")" 600 "archive mode 0600"
expect_rc 0 "archive parses" -- "$SYS_PY" -m json.tool "$a"
"$SYS_PY" - "$a" "$tok" <<'PY' || fail "archive content"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
text = open(sys.argv[1], encoding="utf-8").read()
p = doc["profile"]
assert p["name"] == "alice" and p["email"] == "alice@example.org", p
assert p["full_name"] == "Alice Example" and p["phone"] == "+4512345678"
assert p["phone_verified"] is False and p["language"] == "en"
assert p["state"] == "active" and p["card"] == {"last4": "1111"}, p
m = doc["membership"]
assert m["plan"] == "Premium" and m["period_end"] == "2031-01-31", m
assert isinstance(doc["sessions"], list)
events = [a["event"] for a in doc["audit"]]
assert "export.confirmed" in events and "password.ok" in events or \
    "export.confirmed" in events, events
assert doc["export_requests"][0]["id"] == 2
# No secret, no hash, no mac, no token: neither as a key nor as a value.
def keys(o):
    if isinstance(o, dict):
        for k, v in o.items():
            yield k
            yield from keys(v)
    elif isinstance(o, list):
        for v in o:
            yield from keys(v)
bad = [k for k in keys(doc) if any(w in k.lower()
       for w in ("hash", "mac", "token", "secret"))]
assert not bad, bad
assert "$argon2" not in text, "password hash in the archive"
assert sys.argv[2] not in text, "token in the archive"
assert "4111111111111111" not in text and "4111 1111" not in text
PY
expect_nogrep 'argon2' "$a" "no password hash"
expect_rc 0 "list ready" -- xport list alice
expect_grep "^2 +[0-9-]{10} +Ready +Ready until [0-9-]{10}: $a\$" "$T/out" \
  "ready row with the path"
expect_rc 0 "list --json" -- xport list alice --json
cp "$T/out" "$T/list.json"
expect_rc 0 "list --json parses" -- "$SYS_PY" -m json.tool "$T/list.json"
expect_grep '"status":"ready"' "$T/list.json" "json status"
expect_rc 0 "run again" -- xport run
expect_text "$T/out" "built 0, expired 0, removed 0, failed 0" "nothing left"
eq "$(mail_n)" 2 "no second ready email"

# Cancel: bad id 2, unknown id 3, someone else's 3; a ready one loses its
# archive; twice 1.
expect_rc 2 "cancel: bad id" -- xport cancel alice one
expect_grep "invalid request id 'one'" "$T/err" "bad id named"
expect_rc 2 "cancel: id 0" -- xport cancel alice 0
expect_rc 2 "cancel: huge id" -- xport cancel alice 99999999999999999999999
expect_rc 2 "cancel: no id" -- xport cancel alice
expect_rc 3 "cancel: unknown id" -- xport cancel alice 42
expect_grep 'alice has no request 42' "$T/err" "unknown id named"
expect_rc 3 "cancel: another's request" -- xport cancel bob 2
expect_rc 0 "cancel ready" -- xport cancel alice 2
[ ! -e "$a" ] || fail "archive not removed by cancel"
expect_rc 1 "cancel twice" -- xport cancel alice 2
expect_rc 0 "list cancelled" -- xport list alice
expect_grep '^2 +[0-9-]{10} +Cancelled +Cancelled$' "$T/out" "cancelled row"

# A cancelled unconfirmed request takes its token with it.
expect_rc 0 "request 3" -- xport request alice
tok2=$(token_mail)
expect_rc 0 "cancel 3" -- xport cancel alice 3
expect_rc 3 "confirm a cancelled request" -- xport confirm alice \
  --token "$tok2" <"$T/pw"
expect_rc 0 "audit" -- ctl audit alice
for e in export.requested export.confirmed export.ready export.cancelled; do
  expect_grep "$e" "$T/out" "$e audited"
done

# The directory: refused when open to others or a symlink.
expect_rc 0 "request 4" -- xport request alice
expect_rc 1 "an earlier request's token does not confirm a new one" -- \
  xport confirm alice --token "$tok2" <"$T/pw"
expect_grep 'expired or was already used' "$T/err" "old token refused"
expect_rc 0 "confirm 4" -- xport confirm alice --token "$(token_mail)" \
  <"$T/pw"
chmod 755 "$T/exports"
expect_rc 4 "run: directory open to others" -- xport run
expect_grep 'refused' "$T/err" "insecure directory named"
chmod 700 "$T/exports"
mv "$T/exports" "$T/exports.real"
ln -s "$T/exports.real" "$T/exports"
expect_rc 4 "run: directory is a symlink" -- xport run
rm "$T/exports"
mv "$T/exports.real" "$T/exports"
expect_rc 0 "run: directory fine again" -- xport run
expect_text "$T/out" "built 1, expired 0, removed 0, failed 0" "built after all"

# System errors.
expect_rc 4 "missing configuration" -- "$EXPORT" --config "$T/none" list alice
store_unusable
expect_rc 4 "store refused: list" -- xport list alice
expect_rc 4 "store refused: request" -- xport request alice
expect_rc 4 "store refused: run" -- xport run
store_usable
finish
