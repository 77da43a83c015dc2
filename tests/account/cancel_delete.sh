#!/bin/sh
# cancel_delete.sh - vouch-cancel --delete-profile and --apply-due: the
# personal data of a cancelled account goes once its period has ended
# (libfaketime), not before; the user row keeps its name, state and
# membership, the audit trail stays; accounts that did not ask keep
# everything; a second run changes nothing.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/account/common.inc"

acc_setup
add_user carol 'other horse' --email carol@example.org --name 'Carol C'
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card set"
ctl phone verify alice --trusted >/dev/null || fail "phone verify"
printf 'second horse\n' | ctl passwd alice >/dev/null || fail "passwd"
for u in alice carol; do
  ctl membership $u --plan Premium --period-end 2030-01-31 >/dev/null ||
    fail "membership $u"
done
# A session, a code and a token of alice, as the flows leave them.
store_sql "INSERT INTO sessions (user_id, service, pid,
  pid_start, started) SELECT id, 'sshd', 1, 1, 1 FROM users
  WHERE name = 'alice'" || fail "session"
expect_rc 0 "export request" -- xport request alice
printf 'second horse\n' >"$T/pw"
expect_rc 0 "export confirm" -- xport confirm alice --token "$(token_mail)" \
  <"$T/pw"
expect_rc 0 "export run" -- xport run
archive=$(ls "$T/exports"/*.json)
[ -f "$archive" ] || fail "no archive"
expect_rc 0 "cancel with --delete-profile" -- at 0 "$CANCEL" --config "$CONF" \
  alice --yes --delete-profile
eq "$(col delete_profile)" 1 "deletion asked"
expect_rc 0 "carol cancels without deletion" -- cancel carol --yes
expect_grep 'with --delete-profile the personal information would be removed on 2030-02-01' \
  "$T/out" "the choice is explained"

expect_rc 0 "--apply-due --help" -- cancel --apply-due --help
expect_rc 0 "apply-due during the period" -- at $((30 * 86400 + 86399)) \
  "$CANCEL" --config "$CONF" --apply-due
expect_text "$T/out" "no account is due" "nothing due on the last day"
eq "$(col email)" "alice@example.org" "email kept during the period"

expect_rc 0 "apply-due after the period" -- at $((31 * 86400)) \
  "$CANCEL" --config "$CONF" --apply-due
expect_text "$T/out" "removed the personal information of alice" \
  "alice's data removed"
for c in full_name email phone pw_hash card_mac card_last4; do
  eq "$(col "$c")" "" "$c removed"
done
eq "$(col phone_verified)" 0 "phone no longer verified"
eq "$(col name)" alice "the name stays"
eq "$(col plan)" Premium "the membership stays"
eq "$(col state)" 0 "the state stays"
eq "$(col "CASE WHEN profile_deleted > 0 THEN 1 ELSE 0 END")" 1 "erasure time recorded"
for t in sessions codes tokens pw_history check_failures sends exports; do
  n=$(store_sql "SELECT count(*) FROM $t WHERE user_id =
      (SELECT id FROM users WHERE name = 'alice')")
  eq "$n" 0 "$t of alice removed"
done
[ ! -e "$archive" ] || fail "the export archive was not removed"
n=$(store_sql "SELECT count(*) FROM audit WHERE \"user\" = 'alice'")
[ "$n" -gt 5 ] || fail "audit trail of alice kept ($n rows)"
expect_rc 0 "audit" -- ctl audit alice
expect_grep 'profile\.deleted' "$T/out" "erasure audited"
expect_grep 'membership\.cancelled' "$T/out" "earlier events kept"
eq "$(store_sql "SELECT email FROM users WHERE name = 'carol'")" \
  carol@example.org "carol did not ask: her data stays"

# Idempotent.
store_dump "$T/before"
expect_rc 0 "apply-due again" -- at $((32 * 86400)) \
  "$CANCEL" --config "$CONF" --apply-due
expect_text "$T/out" "no account is due" "nothing left to do"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "second run changes nothing"

# Undo is refused after the end; the account stays expired.
expect_rc 1 "undo after erasure" -- at $((32 * 86400)) \
  "$CANCEL" --config "$CONF" --undo alice

# A cancellation shows in "vouchctl user show"; a new plan set by the
# administrator (a renewal) clears it, and with it the deletion it asked
# for: dave's data stays after the old and the new period end.
add_user dave 'fourth horse' --email dave@example.org
ctl membership dave --plan Premium --period-end 2030-01-31 >/dev/null ||
  fail "membership dave"
expect_rc 0 "dave cancels with --delete-profile" -- at 0 \
  "$CANCEL" --config "$CONF" dave --yes --delete-profile
expect_rc 0 "user show (cancelled)" -- ctl user show dave
expect_grep '^cancelled: +2030-01-01T00:00:00Z, personal data goes after the period$' \
  "$T/out" "user show: the cancellation and the deletion"
expect_rc 0 "user show --json (cancelled)" -- ctl user show dave --json
expect_grep '"cancelled":"2030-01-01T00:00:00Z","delete_profile":true,' \
  "$T/out" "json: the cancellation and the deletion"
expect_rc 0 "renewal" -- ctl membership dave --plan Family \
  --period-end 2031-01-31
expect_grep '^the cancellation of dave is cleared: the personal data stays$' \
  "$T/out" "renewal: the cleared cancellation is said"
eq "$(store_sql "SELECT cancelled || '/' || delete_profile FROM
  users WHERE name = 'dave'")" "0/0" "renewal: cancellation cleared"
expect_rc 0 "user show (renewed)" -- ctl user show dave
expect_nogrep '^cancelled:' "$T/out" "user show: no cancellation after renewal"
expect_rc 0 "user show --json (renewed)" -- ctl user show dave --json
expect_grep '"cancelled":null,"delete_profile":false,' "$T/out" \
  "json: no cancellation after renewal"
expect_rc 0 "audit dave" -- ctl audit dave
expect_grep 'membership\.set vouchctl Family until 2031-01-31, cancellation cleared$' \
  "$T/out" "renewal audited with the cleared cancellation"
for d in 32 400; do
  expect_rc 0 "apply-due on day $d" -- at $((d * 86400)) \
    "$CANCEL" --config "$CONF" --apply-due
done
eq "$(store_sql "SELECT email FROM users WHERE name = 'dave'")" \
  dave@example.org "renewed: dave's data stays"
# Clearing the membership clears a cancellation too.
ctl membership dave --plan Family --period-end 2031-01-31 >/dev/null
expect_rc 0 "dave cancels again" -- cancel dave --yes
expect_rc 0 "clear" -- ctl membership dave --clear
expect_grep '^the cancellation of dave is cleared$' "$T/out" \
  "clear: the cleared cancellation is said"
eq "$(store_sql "SELECT cancelled FROM users WHERE name =
  'dave'")" 0 "clear: cancellation cleared"
finish
