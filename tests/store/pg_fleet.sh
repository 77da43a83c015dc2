#!/bin/sh
# pg_fleet.sh - two hosts sharing one PostgreSQL store on this machine:
# two vouchd ([store] host_name a and b, each with its own socket and
# PAM services) over tests/pg.inc's cluster, the same key:
#   - wrong passwords on a and on b add up in one count, and lock the
#     account for both at [password] max_failures;
#   - "sign out of all devices" on a ends a live session on b (queued
#     for b and notified: b's vouchd signals its leader), and a session
#     on a itself, counted together;
#   - a host that was stopped takes the sign-outs queued meanwhile when
#     it starts again (exactly once);
#   - sessions carry their host (vouch.sessions.host);
#   - a queued sign-out that matches no signed-out session of the host
#     (a forged row) signals nothing;
#   - a vouchd killed (SIGKILL) while it ends a leader keeps the sign-out
#     queued, and ends the leader when it is back;
#   - a second vouchd given a host_name in use says so, and takes no
#     sign-outs.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/sessions/common.inc"

VOUCH_BACKEND=postgresql
setup_store "[password]
max_failures = 6"
conf_set store host_name a
add_user alice 'correct horse'
db() { pg_psql "$(pg_socket_conninfo)" "$1"; }

# Host b: the same configuration but its socket and name.
B="$T/b.conf"
sed -e "s|^socket = .*|socket = $T/b.sock|" -e "s|^host_name = .*|host_name = b|" \
  "$CONF" >"$B"
chmod 644 "$B"
B_PID=""
# extra TAG CONF: a vouchd for CONF, its log $T/TAG.log, waited for (at
# most 10 s); sets XPID.
extra() {
  _pre="$FAKETIME_LIB"
  [ "$VOUCH_SAN" = 1 ] && _pre="$(${CC:-cc} -print-file-name=libasan.so)"
  : >"$T/$1.log"
  (
    LD_PRELOAD="$_pre" TZ=UTC "$VOUCHD" --config "$2" >>"$T/$1.log" 2>&1 \
      </dev/null &
    echo $! >"$T/$1.pid"
  )
  XPID=$(cat "$T/$1.pid")
  SERVER_PIDS="$SERVER_PIDS $XPID"
  n=0
  while ! grep -q 'vouchd: ready' "$T/$1.log" && [ $n -lt 250 ]; do
    sleep 0.04; n=$((n + 1))
  done
  grep -q 'vouchd: ready' "$T/$1.log" || { fail "vouchd $1 did not start";
    sed "s/^/  $1: /" "$T/$1.log" >&2; }
}
start_b() {
  [ -z "$B_PID" ] || { kill "$B_PID" 2>/dev/null; sleep 0.2; }
  extra b "$B"
  B_PID=$XPID
}
start_b

# A second vouchd given b's name (a configuration copied unchanged):
# said in its log (once refused for 5 s in a row), and it takes no
# sign-outs while b runs.
sed -e "s|^socket = .*|socket = $T/b2.sock|" "$B" >"$T/b2.conf"
chmod 644 "$T/b2.conf"
extra b2 "$T/b2.conf"
n=0
while ! grep -q 'another vouchd' "$T/b2.log" && [ $n -lt 200 ]; do
  sleep 0.1; n=$((n + 1))
done
expect_grep 'another vouchd is connected to the store as host_name b' \
  "$T/b2.log" "a second vouchd named b says so"
expect_nogrep 'another vouchd' "$T/b.log" "b itself holds its name"
kill "$XPID"
service pwa "auth required pam_vouch_password.so conf=$CONF"
service pwb "auth required pam_vouch_password.so conf=$B"

# Failures on both hosts: one count.
i=0
for h in a b a b a; do
  answers 'wrong'
  drive $PAM_AUTH_ERR "a wrong password on $h" "pw$h" alice auth
done
eq "$(db "SELECT pw_failures FROM vouch.users WHERE name = 'alice'")" 5 \
  "a, b, a, b, a: five failures in one count"
answers 'wrong'
drive $PAM_MAXTRIES "the sixth, on b, locks" pwb alice auth
answers 'correct horse'
drive $PAM_MAXTRIES "then a refuses the right password too" pwa alice auth
printf 'new horse 1\n' | ctl passwd alice >/dev/null || fail "a new password"
answers 'new horse 1'
drive $PAM_SUCCESS "b takes the new password" pwb alice auth

# Sessions on both hosts; sign-out everywhere from a.
sess_service
service sessb "session required pam_vouch_session.so conf=$B"
hold_start ha alice || finish
ha=$HOLD_PID
# hold_start runs service sess; b's holder runs sessb.
rm -f "$T/hb.pid" "$T/hb.res"
pam_env "$HOLD" sessb alice "$T/hb.pid" "$T/hb.res" >"$T/hb.out" 2>&1 &
n=0
while [ ! -s "$T/hb.pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
hb=$(cat "$T/hb.pid" 2>/dev/null)
[ -n "$hb" ] || { fail "b's holder did not open a session";
  sed 's/^/  | /' "$T/hb.out" >&2; finish; }
SERVER_PIDS="$SERVER_PIDS $hb"
eq "$(db "SELECT string_agg(host, ',' ORDER BY host) FROM vouch.sessions
  WHERE ended = 0")" "a,b" "each session carries its host"
expect_rc 0 "logout-all on a" -- "$LOGOUT_ALL" --config "$CONF" alice
line 'signed alice out of 2 sessions' "both counted"
eq "$(hold_result ha)" SIGHUP "a's session ended by a"
eq "$(hold_result hb)" SIGHUP "b's session ended by b's vouchd"
expect_grep 'signed out from another host' "$T/b.log" "b says so"
eq "$(pg_drained)" 0 "nothing left queued"

# A sign-out queued for b that matches no signed-out session of b (as
# one written by whoever else can write the database): b signals
# nothing, though pid and start time are a live process's.
sleep 60 &
victim=$!
SERVER_PIDS="$SERVER_PIDS $victim"
vstart=$(sed 's/.*) //' "/proc/$victim/stat" | cut -d' ' -f20)
db "INSERT INTO vouch.signouts VALUES ('b', 999, $victim, $vstart, 1);
  SELECT pg_notify('vouch_signout', '')" >/dev/null || fail "a forged row"
wait_for_log() { n=0; while ! grep -q "$1" "$2" && [ $n -lt 100 ]; do
  sleep 0.1; n=$((n + 1)); done; }
wait_for_log 'matches no signed-out session' "$T/b.log"
expect_grep 'session 999: a queued sign-out that matches no signed-out session' \
  "$T/b.log" "b ignores a sign-out that is none of its sessions'"
alive "$victim" && pass "and signals nothing" || fail "b killed $victim"
eq "$(pg_drained)" 0 "the row is taken"

# b is away while a signs alice out: b takes it when it is back.
rm -f "$T/hb.pid" "$T/hb.res"
pam_env "$HOLD" sessb alice "$T/hb.pid" "$T/hb.res" >"$T/hb.out" 2>&1 &
n=0
while [ ! -s "$T/hb.pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
hb=$(cat "$T/hb.pid" 2>/dev/null)
SERVER_PIDS="$SERVER_PIDS $hb"
kill "$B_PID"; n=0
while alive "$B_PID" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
B_PID=""
expect_rc 0 "logout-all on a, b stopped" -- "$LOGOUT_ALL" --config "$CONF" alice
sleep 1
alive "$hb" && pass "b's session waits for b" || fail "b's leader ended early"
eq "$(db "SELECT count(*) FROM vouch.signouts WHERE host = 'b'")" 1 \
  "queued for b"
start_b
eq "$(hold_result hb)" SIGHUP "b, started again, ends it"
eq "$(pg_drained)" 0 "taken once"

# b's vouchd killed while it ends a leader (one that ignores SIGHUP: b
# waits 2 s before SIGTERM): the sign-out stays queued, and b, started
# again, ends the leader.
rm -f "$T/hb.pid" "$T/hb.res"
pam_env "$HOLD" sessb alice "$T/hb.pid" "$T/hb.res" --ignore-hup \
  >"$T/hb.out" 2>&1 &
n=0
while [ ! -s "$T/hb.pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
hb=$(cat "$T/hb.pid" 2>/dev/null)
SERVER_PIDS="$SERVER_PIDS $hb"
n0=$(grep -c 'signed out from another host' "$T/b.log")
expect_rc 0 "logout-all on a" -- "$LOGOUT_ALL" --config "$CONF" alice
n=0
while [ "$(grep -c 'signed out from another host' "$T/b.log")" -le "$n0" ] &&
      [ $n -lt 100 ]; do
  sleep 0.05; n=$((n + 1))
done
kill -9 "$B_PID"
B_PID=""
alive "$hb" && pass "b killed before its SIGTERM: the leader lives" ||
  fail "the leader ended before b was killed"
eq "$(db "SELECT count(*) FROM vouch.signouts WHERE host = 'b'")" 1 \
  "the sign-out b was ending stays queued"
start_b
eq "$(hold_result hb 8)" SIGTERM "b, started again, ends the leader"
eq "$(pg_drained)" 0 "and then removes it"

finish
