#!/bin/sh
# logout_all.sh - vouch-logout-all: revokes every session of a member,
# ends live leaders (SIGHUP; SIGTERM 2 s later to one that ignores it),
# never signals a process whose start time differs from the record (a
# reused pid), leaves other members alone, counts; --new-password makes
# the account phase demand a new password until one is set; exit codes.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/sessions/common.inc"

setup_store
add_user alice 'correct horse'
add_user bob 'other horse'
sess_service
M="pam_vouch_password.so conf=$CONF"
service acc "auth required $M
account required $M
password required $M"

hold_start h1 alice || finish
h1=$HOLD_PID
hold_start h2 alice --ignore-hup || finish
h2=$HOLD_PID
hold_start h3 bob || finish
h3=$HOLD_PID
start=$(now_ms)
expect_rc 0 "logout-all alice" -- "$LOGOUT_ALL" --config "$CONF" alice
took=$(( $(now_ms) - start ))
line 'signed alice out of 2 sessions' "count of sessions"
eq "$(hold_result h1)" SIGHUP "a leader gets SIGHUP"
eq "$(hold_result h2)" SIGTERM "a leader ignoring SIGHUP gets SIGTERM"
[ "$took" -ge 1900 ] || fail "SIGTERM came after the grace ($took ms)"
[ "$took" -lt 6000 ] || fail "the grace is bounded ($took ms)"
alive "$h3" || fail "bob's leader is left alone"
[ -s "$T/h3.res" ] && fail "bob's leader got no signal"
sessions_json alice
eq "$(grep -c '"revoked":true' "$T/sess.json")" 2 "both revoked"
expect_nogrep '"ended":null' "$T/sess.json" "both ended"
expect_rc 0 "text list after logout-all" -- ctl sessions alice
eq "$(grep -cE "^[0-9]+ +[0-9T:Z-]+ +[0-9T:Z-]+ +sess +- +- +($h1|$h2) revoked\$" \
  "$T/out")" 2 "text: both rows say revoked"
sessions_json bob
expect_grep '"ended":null,.*"revoked":false' "$T/sess.json" "bob still open"
ctl audit alice >"$T/audit"
expect_grep 'sessions\.revoked vouch-logout-all count=2' "$T/audit" \
  "audit: sessions.revoked with the count"

expect_rc 0 "nothing left to sign out" -- "$LOGOUT_ALL" --config "$CONF" alice
line 'signed alice out of 0 sessions' "count 0"

# A reused pid: the record's start time no longer matches the process.
hold_start h4 alice || finish
h4=$HOLD_PID
id4=$(session_id "$h4" alice)
[ -n "$id4" ] || fail "h4's session listed"
store_sql \
  "UPDATE sessions SET pid_start = pid_start + 1 WHERE id = $id4" ||
  fail "store update"
# and a session whose leader is gone (pamdrive exits without closing)
: >"$T/in"
drive $PAM_SUCCESS "a session left open by a process gone" sess alice open
start=$(now_ms)
expect_rc 0 "logout-all with a reused pid" -- \
  "$LOGOUT_ALL" --config "$CONF" alice
took=$(( $(now_ms) - start ))
# Both leaders are gone (a pid reused counts as gone): their records
# just end, and nobody was signed out.
line 'signed alice out of 0 sessions' "gone leaders: not counted"
[ "$took" -lt 1500 ] || fail "nothing to wait for ($took ms)"
sleep 0.3
alive "$h4" || fail "the process with another start time is alive"
[ -s "$T/h4.res" ] && fail "the process with another start time got no signal"
sessions_json alice
expect_grep "^\\{\"id\":$id4,\"started\":\"[0-9T:Z-]+\",\"ended\":\"[0-9T:Z-]+\",.*\"revoked\":false\\}\$" \
  "$T/sess.json" "reused pid: the record ended, not revoked"
ctl audit alice >"$T/audit"
expect_grep "session\\.close [a-z-]* id=$id4 leader gone" \
  "$T/audit" "reused pid: audited as a leader gone"
kill -TERM "$h4"
eq "$(hold_result h4)" SIGTERM "h4 ended by the test"

# --new-password: the account phase asks for a new password.
: >"$T/in"
drive $PAM_SUCCESS "account open before" acc alice acct
hold_start h5 alice || finish
expect_rc 0 "logout-all --new-password" -- \
  "$LOGOUT_ALL" --config "$CONF" alice --new-password
line 'signed alice out of 1 session' "--new-password: count"
line 'alice must choose a new password at the next sign-in' \
  "--new-password: said so"
eq "$(hold_result h5)" SIGHUP "--new-password also ends sessions"
drive $PAM_NEW_AUTHTOK_REQD "reset required" acc alice acct
expect_grep '^ERROR_MSG: You must choose a new password now\.$' "$T/out" \
  "reset required: message"
expect_grep '"state":"reset-required"' "$(ctl user show alice --json \
  >"$T/show"; echo "$T/show")" "state shown"
answers 'correct horse' 'New-horse-1' 'New-horse-1'
drive $PAM_SUCCESS "a new password clears it" acc alice chauthtok-expired
: >"$T/in"
drive $PAM_SUCCESS "account open again" acc alice acct
drive $PAM_SUCCESS "bob was never affected" acc bob acct
ctl audit alice >"$T/audit"
expect_grep 'account\.reset-required vouch-logout-all' "$T/audit" \
  "audit: account.reset-required"

# Exit codes and messages.
refused() {
  want=$1; desc=$2; msg=$3; shift 3
  store_dump "$T/before"
  expect_rc "$want" "$desc" -- "$@"
  expect_grep "$msg" "$T/err" "$desc: message"
  store_dump "$T/after"
  expect_same "$T/before" "$T/after" "$desc: store unchanged"
}
refused 3 "unknown user" '^vouch-logout-all: unknown user nosuch$' \
  "$LOGOUT_ALL" --config "$CONF" nosuch
refused 3 "unknown user, --new-password" 'unknown user nosuch' \
  "$LOGOUT_ALL" --config "$CONF" nosuch --new-password
refused 2 "huge name" 'invalid user name' \
  "$LOGOUT_ALL" --config "$CONF" "$(printf '%0300d' 0)"
refused 2 "non-UTF-8 name" "invalid user name 'al\\\\xffce'" \
  "$LOGOUT_ALL" --config "$CONF" "$(printf 'al\377ce')"
refused 2 "empty name" 'invalid user name' "$LOGOUT_ALL" --config "$CONF" ''
refused 2 "missing name" 'missing NAME' "$LOGOUT_ALL" --config "$CONF"
refused 2 "two names" "unexpected argument 'bob'" \
  "$LOGOUT_ALL" --config "$CONF" alice bob
refused 2 "unknown option" "unknown option '--bogus'" \
  "$LOGOUT_ALL" --config "$CONF" alice --bogus
refused 2 "--config without a value" 'needs a value' "$LOGOUT_ALL" --config
refused 4 "missing config" 'does not exist' \
  "$LOGOUT_ALL" --config "$T/nosuch.conf" alice
expect_rc 0 "--help" -- "$LOGOUT_ALL" --help
expect_grep '^Usage: vouch-logout-all \[--config PATH\] NAME \[--new-password\]$' \
  "$T/out" "--help: usage"
expect_rc 0 "--help after a name" -- "$LOGOUT_ALL" alice --help
store_unusable
expect_rc 4 "insecure store" -- "$LOGOUT_ALL" --config "$CONF" alice
if sqlite_only "the refusal names the store file"; then
  expect_grep 'vouch\.db' "$T/err" "insecure store: file named"
fi
store_usable
alive "$h3" || fail "bob's leader still alive at the end"

finish
