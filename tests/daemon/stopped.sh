#!/bin/sh
# stopped.sh - a stopped client holds nothing another client waits for
# (SPEC 7).  ROUNDS rounds (default 50): member A's own PAM application
# (a real unprivileged user, through setpriv) is started and stopped with
# SIGSTOP at a random point: before or while it connects, at its prompt,
# just after it answered (while vouchd hashes, or writes the verdict),
# in some rounds in a security check by email code (while the code is
# made and handed to delivery).  While A is stopped, member B signs in
# with the right password and must succeed within 5 s; every tenth round
# A itself signs in too (its stopped run holds no lock on its own
# account).  Then the stopped run is killed and continued.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"

ROUNDS=${ROUNDS:-50}
A="vds$$a" B="vds$$b"
mkuser "$A" && mkuser "$B" || finish
setup_check "[otp]
resend_max = 100
[lockout]
max_failures = 1000"
add_user "$A" 'member a pw' --email a@example.org
add_user "$B" 'member b pw' --email b@example.org
service pw "auth required pam_vouch_password.so conf=$CONF"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
open_tree
# The daemon's queue of A's connections: at most max_per_user (16) at
# once; every round ends its stopped run, so they never pile up.
need_daemon

PRE="libpam_wrapper.so"
if [ "$VOUCH_SAN" = 1 ]; then
  PRE="$(${CC:-cc} -print-file-name=libasan.so) $PRE"
fi
GA=$(id -g "$A")

# start_a SERVICE: A's own pamdrive in the background; PID is pamdrive
# itself (setpriv and env exec), its answers come from a FIFO on fd 7.
start_a() {
  rm -f "$T/a.fifo"
  mkfifo "$T/a.fifo"
  ( exec setpriv --reuid="$A" --regid="$GA" --clear-groups -- \
      env LD_PRELOAD="$PRE" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
      "$PAMDRIVE" "$1" "$A" auth <"$T/a.fifo" >"$T/a.out" 2>"$T/a.err" ) &
  PID=$!
  exec 7>"$T/a.fifo"
}
# end_a: kills the stopped run (SIGKILL is taken while stopped), lets it
# go, closes the FIFO.
end_a() {
  kill -9 "$PID" 2>/dev/null
  kill -CONT "$PID" 2>/dev/null
  exec 7>&-
  wait "$PID" 2>/dev/null
}
# rnd N: a number in 0..N-1.
rnd() { od -An -N2 -tu2 /dev/urandom | awk -v n="$1" '{ print $1 % n }'; }

round=0 stopped_live=0 slow=0
while [ $round -lt "$ROUNDS" ]; do
  round=$((round + 1))
  kind=$((round % 4))
  case $kind in
    3) svc=otp ;;
    *) svc=pw ;;
  esac
  start_a $svc
  case $kind in
    0) # before, while or just after it connects: 0-49 ms
       sleep "$(printf "0.%03d" "$(rnd 50)")" ;;
    1) # at its prompt, or after it answered (the hash, the verdict)
       k=0
       while ! grep -q '^PROMPT_' "$T/a.out" 2>/dev/null && [ $k -lt 200 ]; do
         sleep 0.01; k=$((k + 1))
       done
       printf '%s\n' 'member a pw' >&7
       sleep "$(printf "0.%03d" "$(rnd 30)")" ;;
    2) # a wrong answer: the failure being counted
       sleep "$(printf "0.%03d" "$(rnd 40)")"
       printf '%s\n' 'wrong' >&7 ;;
    3) # the check by code: while the code is made and sent
       sleep "$(printf "0.%03d" "$(rnd 80)")" ;;
  esac
  kill -STOP "$PID" 2>/dev/null
  # Stopped before its verdict (the run is not over yet)?
  if alive "$PID" && ! grep -q '^auth: ' "$T/a.out" 2>/dev/null; then
    stopped_live=$((stopped_live + 1))
  fi
  answers 'member b pw'
  within $PAM_SUCCESS 5000 "round $round ($svc, kind $kind): B signs in" -- \
    pam_env "$PAMDRIVE" pw "$B" auth <"$T/in"
  if [ $((round % 10)) = 0 ]; then
    answers 'member a pw'
    within $PAM_SUCCESS 5000 "round $round: A itself signs in" -- \
      pam_env "$PAMDRIVE" pw "$A" auth <"$T/in"
  fi
  end_a
done
echo "stopped: $round rounds, $stopped_live stopped before their verdict"
[ $stopped_live -ge $((ROUNDS / 2)) ] ||
  fail "only $stopped_live of $ROUNDS runs were stopped before their verdict"
alive "$VOUCHD_PID" || fail "vouchd died"

# The stopped runs left nothing behind: B and A still sign in, as the
# members themselves, and A's failures are exactly its audited ones.
answers 'member b pw'
drive_as $PAM_SUCCESS "B, as itself, afterwards" "$B" pw "$B" auth
answers 'member a pw'
drive_as $PAM_SUCCESS "A, as itself, afterwards" "$A" pw "$A" auth
eq "$(failures "$A")" 0 "A's count cleared"
finish
