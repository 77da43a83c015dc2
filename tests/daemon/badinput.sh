#!/bin/sh
# badinput.sh - bad or oversized requests are refused and never crash or
# stall vouchd (SPEC 7), and connections are capped:
#   - with a python3 client: bytes that are no frame, a length of 0, of
#     0x7fffffff and of 8193, a frame cut short, a frame of an unknown
#     type, an answer before any hello, a hello of another version, with
#     too few or too many fields, a bad number, an unknown module: each
#     gets an 'R' frame with PAM_SYSTEM_ERR (or, for the frame cut short,
#     possibly a close) within 5 s, is audited daemon.bad_request, and
#     vouchd keeps running and serving;
#   - a connection that sends nothing is closed after [daemon] timeout;
#   - 300 idle connections open at once: a member still signs in;
#   - a non-root uid opening more than [daemon] max_per_user connections
#     gets the ones above refused (closed at once), while root and other
#     members still sign in.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"

U="vdb$$a" V="vdb$$b"
mkuser "$U" && mkuser "$V" || finish
setup_store
conf_set daemon timeout 2s
add_user alice 'correct horse'
add_user "$U" 'member u pw'
add_user "$V" 'member v pw'
service pw "auth required pam_vouch_password.so conf=$CONF"
open_tree
SOCK="$T/vouchd.sock"

# Malformed requests, one connection each.
for c in garbage len0 lenmax len8193 truncated unknown_type lower_type \
         answer_first no_nul_end wrong_version few_fields no_fields \
         bad_flags bad_ruid unknown_module too_many_fields; do
  bad0=$(audit_count daemon.bad_request)
  t0=$(now_ms)
  timeout 10 "$SYS_PY" "$PEER" bad "$SOCK" "$c" >"$T/bad.out" 2>"$T/bad.err"
  ms=$(elapsed_ms "$t0")
  got=$(cat "$T/bad.out")
  case $got in
    "$c R $PAM_SYSTEM_ERR") pass "$c: R $PAM_SYSTEM_ERR" ;;
    "$c closed")
      if [ "$c" = truncated ]; then pass "$c: closed"
      else fail "$c: closed without an answer"; fi ;;
    *) fail "$c: '$got' ($ms ms)"; sed 's/^/  | /' "$T/bad.err" >&2 ;;
  esac
  [ "$ms" -le 5000 ] || fail "$c: $ms ms"
  alive "$VOUCHD_PID" || { fail "$c: vouchd died"; start_daemon; }
  eq "$(audit_count daemon.bad_request)" $((bad0 + 1)) "$c: audited"
done
ctl audit | grep ' daemon\.bad_request ' >"$T/bad.audit"
expect_grep 'unknown protocol version' "$T/bad.audit" "the version named"
expect_grep 'malformed or oversized frame' "$T/bad.audit" "oversized named"
expect_grep 'unknown module or phase' "$T/bad.audit" "the module named"
answers 'correct horse'
drive $PAM_SUCCESS "served after the bad requests" pw alice auth

# A connection that sends nothing is closed after [daemon] timeout (2 s);
# nothing is audited for it (nothing was asked).
bad0=$(audit_count daemon.bad_request)
rm -f "$T/go" "$T/hold"
timeout 60 "$SYS_PY" "$PEER" hold "$SOCK" 1 "$T/hold" "$T/go" \
  >"$T/hold.log" 2>&1 &
hp=$!
k=0
while [ ! -s "$T/hold" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
sleep 3.5
: >"$T/go"
wait $hp
expect_grep '^open 1 closed 1 first 0$' "$T/hold" \
  "an idle connection is closed"
eq "$(audit_count daemon.bad_request)" "$bad0" "an idle connection: no audit"

# hold WHO N: N idle connections held by WHO (root: "") in the
# background, until $T/go exists; waits (at most 20 s) until open.  The
# holder's status file is in $T/h, a directory any uid may write.
mkdir -m 1777 "$T/h"
hold() {
  rm -f "$T/go" "$T/h/hold"
  if [ -n "$1" ]; then
    as_user "$1" timeout 90 "$SYS_PY" "$PEER" hold "$SOCK" "$2" "$T/h/hold" \
      "$T/go" >"$T/hold.log" 2>&1 &
  else
    timeout 90 "$SYS_PY" "$PEER" hold "$SOCK" "$2" "$T/h/hold" "$T/go" \
      >"$T/hold.log" 2>&1 &
  fi
  HOLD_PID=$!
  k=0
  while [ ! -s "$T/h/hold" ] && [ $k -lt 200 ]; do
    alive $HOLD_PID || break
    sleep 0.1; k=$((k + 1))
  done
  expect_grep "^open $2\$" "$T/h/hold" "$2 connections open"
}
release() {
  : >"$T/go"
  k=0
  while alive $HOLD_PID && [ $k -lt 100 ]; do sleep 0.1; k=$((k + 1)); done
  wait $HOLD_PID
}

# 300 idle connections (their wait is [daemon] timeout, 30 s here): a
# member still signs in while they are open, and they stay open.
conf_set daemon timeout 30s
hold "" 300
answers 'correct horse'
within $PAM_SUCCESS 5000 "300 idle connections: alice signs in" -- \
  pam_env "$PAMDRIVE" pw alice auth <"$T/in"
answers 'member u pw'
within $PAM_SUCCESS 5000 "300 idle connections: $U signs in as itself" -- \
  pam_env_as "$U" "$PAMDRIVE" pw "$U" auth <"$T/in"
alive "$VOUCHD_PID" || fail "vouchd died under 300 connections"
release
expect_grep '^open 300 closed 0 first -1$' "$T/h/hold" \
  "the 300 stayed open while the members signed in"

# max_per_user = 4: the uid's fifth and later connections are refused
# (closed at once), its first four are served; root and another member
# still sign in.
conf_set daemon max_per_user 4
open_tree
hold "$U" 10
sleep 0.5
answers 'correct horse'
within $PAM_SUCCESS 5000 "$U at its cap: root signs in" -- \
  pam_env "$PAMDRIVE" pw alice auth <"$T/in"
answers 'member v pw'
within $PAM_SUCCESS 5000 "$U at its cap: $V signs in as itself" -- \
  pam_env_as "$V" "$PAMDRIVE" pw "$V" auth <"$T/in"
answers 'member u pw'
within $PAM_AUTHINFO_UNAVAIL 3000 "$U at its cap: its own sign-in refused" -- \
  pam_env_as "$U" "$PAMDRIVE" pw "$U" auth <"$T/in"
release
expect_grep '^open 10 closed 6 first 4$' "$T/h/hold" \
  "connections 5 to 10 of $U refused"
expect_grep "too many connections \\(uid $(id -u "$U")\\)" "$T/vouchd.log" \
  "the refusal logged"
# Its held connections gone, the member is served again.
k=0
answers 'member u pw'
while [ $k -lt 20 ]; do
  pam_env_as "$U" "$PAMDRIVE" pw "$U" auth <"$T/in" >"$T/out" 2>&1 && break
  sleep 0.1; k=$((k + 1))
done
drive_as $PAM_SUCCESS "$U served again after its connections closed" \
  "$U" pw "$U" auth
alive "$VOUCHD_PID" || fail "vouchd died"

finish
