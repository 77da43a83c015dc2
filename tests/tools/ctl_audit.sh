# ctl_audit.sh - vouchctl audit [NAME] [--json]: the trail in time order,
# filtered by user, as text and as JSON lines; kept after a user is gone.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
ctl user add alice >/dev/null || fail "user add alice"
ctl user add bob >/dev/null || fail "user add bob"
printf 'alice pass 1\n' | ctl passwd alice >/dev/null || fail "passwd"
ctl user set bob --lang da >/dev/null || fail "user set"
ctl unlock alice >/dev/null || fail "unlock"

expect_rc 0 "audit" -- ctl audit
expect_grep '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z alice user\.add vouchctl -$' \
  "$T/out" "text line format"
sed 's/^[^ ]* //' "$T/out" >"$T/events"
printf '%s\n' 'alice user.add vouchctl -' 'bob user.add vouchctl -' \
  'alice password.changed vouchctl -' 'bob user.set vouchctl lang' \
  'alice account.unlock vouchctl active' >"$T/want"
expect_same "$T/want" "$T/events" "all events in order"

expect_rc 0 "audit alice" -- ctl audit alice
sed 's/^[^ ]* //' "$T/out" >"$T/events"
grep '^alice ' "$T/want" >"$T/want.alice"
expect_same "$T/want.alice" "$T/events" "only alice's events"

expect_rc 0 "audit --json" -- ctl audit --json
[ "$(wc -l <"$T/out")" -eq 5 ] || fail "one JSON object per event"
mask_times <"$T/out" | head -n 2 >"$T/json"
printf '%s\n' \
  '{"ts":"TIME","user":"alice","event":"user.add","service":"vouchctl","detail":null}' \
  '{"ts":"TIME","user":"bob","event":"user.add","service":"vouchctl","detail":null}' \
  >"$T/want.json"
expect_same "$T/want.json" "$T/json" "golden JSON lines"
/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert list(o) == ["ts", "user", "event", "service", "detail"], o
' "$T/out" || fail "every line is a JSON object with the five keys"
expect_rc 0 "audit bob --json" -- ctl audit --json bob
expect_grep '"event":"user.set","service":"vouchctl","detail":"lang"' \
  "$T/out" "bob's JSON"
expect_nogrep '"user":"alice"' "$T/out" "filtered JSON"

# the trail outlives the user; a name never seen is unknown
ctl user del bob >/dev/null || fail "user del"
expect_rc 0 "audit of a deleted user" -- ctl audit bob
expect_grep ' bob user\.del vouchctl -$' "$T/out" "deletion in the trail"
expect_rc 3 "audit of an unknown user" -- ctl audit zed
expect_grep '^vouchctl: unknown user zed$' "$T/err" "unknown named"
ctl user add carl >/dev/null || fail "user add carl"
store_sql "DELETE FROM audit WHERE \"user\" = 'carl'"
expect_rc 0 "audit of a user without events" -- ctl audit carl
[ -s "$T/out" ] && fail "no events printed for carl"

expect_rc 2 "audit bad name" -- ctl audit 'no way'
expect_grep "invalid user name 'no way'" "$T/err" "bad name named"
expect_rc 2 "audit two names" -- ctl audit alice bob
expect_rc 2 "audit unknown option" -- ctl audit --xml
expect_grep "audit: unknown option '--xml'" "$T/err" "unknown option named"
expect_rc 0 "audit --help" -- ctl audit --help
expect_grep '^Usage: vouchctl audit \[NAME\] \[--json\]' "$T/out" "usage"

# stored text with control characters never reaches the terminal raw
# (the characters themselves in the literals: SQLite has char(),
# PostgreSQL chr())
esc=$(printf '\033')
store_sql "INSERT INTO audit (ts, \"user\", event, service, detail)
  VALUES (0, 'alice', 'x$esc[2J', 'svc', 'a
b')"
expect_rc 0 "audit with control characters" -- ctl audit alice
expect_grep '^1970-01-01T00:00:00Z alice x\?\[2J svc a\?b$' "$T/out" \
  "controls replaced in text"
expect_rc 0 "audit json with control characters" -- ctl audit alice --json
expect_grep '"event":"x\\u001b\[2J","service":"svc","detail":"a\\u000ab"' \
  "$T/out" "controls escaped in JSON"

finish
