#!/bin/sh
# session_twice.sh - recording a session never ends a login, and never
# records it twice:
#   the module stacked twice (a pam-auth-update profile and a service's
#   own line): one record, ended at close;
#   a leader gone without a close: its record ends at the member's next
#   sign-in and is not counted by sign-out everywhere;
#   vouchd stopped, or unable to start after a typo in vouch.conf: the
#   session goes on (PAM_IGNORE; logged), "strict" refuses it;
#   a typo while vouchd runs: it keeps the configuration in use.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/sessions/common.inc"

setup_store
add_user alice 'correct horse'
: >"$T/in"
PAM_SESSION_ERR=14

# Stacked twice: one record, and it is closed at logout.
service twice "session required pam_vouch_session.so conf=$CONF
session optional pam_vouch_session.so conf=$CONF
session required pam_permit.so"
drive $PAM_SUCCESS "stacked twice: open and close" twice alice open close
line 'open: PAM_SUCCESS' "stacked twice: open"
line 'close: PAM_SUCCESS' "stacked twice: close"
sessions_json alice
eq "$(wc -l <"$T/sess.json" | tr -d ' ')" 1 "stacked twice: one record"
expect_grep '^\{"id":1,"started":"[0-9T:Z-]+","ended":"[0-9T:Z-]+",.*"revoked":false\}$' \
  "$T/sess.json" "stacked twice: the record ended at close"
ctl audit alice >"$T/audit"
eq "$(grep -c 'session\.open' "$T/audit")" 1 "stacked twice: one open audited"
eq "$(grep -c 'session\.close' "$T/audit")" 1 \
  "stacked twice: one close audited"

# A live holder through the doubled stack, signed out: counted once.
pam_env "$HOLD" twice alice "$T/h1.pid" "$T/h1.res" >"$T/h1.out" 2>&1 &
n=0
while [ ! -s "$T/h1.pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
h1=$(cat "$T/h1.pid" 2>/dev/null)
[ -n "$h1" ] || fail "the holder did not open its session"
SERVER_PIDS="$SERVER_PIDS $h1"
# A leader gone without closing (pamdrive ends after open).
drive $PAM_SUCCESS "a session left open by a process gone" twice alice open
sessions_json alice
eq "$(grep -c '"ended":null' "$T/sess.json")" 2 \
  "two open records: the holder's and the one left"
expect_rc 0 "sign out everywhere" -- "$LOGOUT_ALL" --config "$CONF" alice
line 'signed alice out of 1 session' "only the live session is counted"
eq "$(hold_result h1)" SIGHUP "the holder was signed out"
sessions_json alice
expect_nogrep '"ended":null' "$T/sess.json" "nothing left open"
eq "$(grep -c '"revoked":true' "$T/sess.json")" 1 "one record revoked"
ctl audit alice >"$T/audit"
expect_grep 'session\.close [a-z-]* id=[0-9]+ leader gone' "$T/audit" \
  "the record left open: ended as a leader gone"

# Without vouchd: the session goes on, nothing recorded; with "strict"
# it is refused.  (pam_env would start a daemon: this runs the stack
# with none.)
nodaemon_drive() {
  want=$1; desc=$2; shift 2
  pre="libpam_wrapper.so"
  [ "$VOUCH_SAN" = 1 ] &&
    pre="$(${CC:-cc} -print-file-name=libasan.so) $pre"
  expect_rc "$want" "$desc" -- env LD_PRELOAD="$pre" PAM_WRAPPER=1 \
    PAM_WRAPPER_SERVICE_DIR="$T/pam.d" "$PAMDRIVE" "$@"
}
service strict "session required pam_vouch_session.so conf=$CONF strict
session required pam_permit.so"
ctl sessions alice --json >"$T/before.json" || fail "sessions before"
stop_daemon
nodaemon_drive $PAM_SUCCESS "vouchd stopped: the session goes on" \
  twice alice open close
line 'open: PAM_SUCCESS' "vouchd stopped: open"
nodaemon_drive $PAM_SESSION_ERR "vouchd stopped, strict: refused" \
  strict alice open

# A typo in vouch.conf: vouchd cannot start, the session goes on.
cp "$CONF" "$T/good.conf"
printf '[otp]\nresend_intervall = 30s\n' >>"$CONF"
expect_rc 4 "a typo: vouchd does not start" -- \
  timeout 20 "$VOUCHD" --config "$CONF"
expect_grep "vouch\.conf:[0-9]+: \\[otp\\] unknown key \"resend_intervall\"" "$T/err" \
  "a typo: vouchd names the line and key"
nodaemon_drive $PAM_SUCCESS "a typo, no vouchd: the session goes on" \
  twice alice open close
nodaemon_drive $PAM_SUCCESS "a typo, no vouchd: root's session goes on" \
  twice root open close

# The typo while vouchd runs: a reload keeps the configuration in use,
# and sessions are still recorded.
cp "$T/good.conf" "$CONF"
start_daemon || finish
printf '[otp]\nresend_intervall = 30s\n' >>"$CONF"
reload_daemon
expect_grep 'the configuration in use stays' "$T/vouchd.log" \
  "a typo on reload: the configuration in use stays"
cp "$T/good.conf" "$CONF"
VOUCHD_CONF_SUM=$(cksum <"$CONF")
ctl sessions alice --json >"$T/mid.json" || fail "sessions"
cmp -s "$T/before.json" "$T/mid.json" ||
  fail "nothing was recorded while vouchd was away"
drive $PAM_SUCCESS "vouchd back: recorded" twice alice open close
sessions_json alice
eq "$(wc -l <"$T/sess.json" | tr -d ' ')" \
  "$(( $(wc -l <"$T/before.json") + 1 ))" "vouchd back: one more record"

finish
