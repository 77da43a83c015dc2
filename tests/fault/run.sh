#!/bin/sh
# run.sh - random failure injection (tests/fault/fault.c, LD_PRELOAD):
# malloc/calloc/realloc, open/openat/read/write and the store's SQLite
# calls fail one time in N, chosen by seed, after a random number of
# calls so that every stage of a run gets its turn.  For many seeds
# (bounded in time: FAULT_SECONDS, default 12) it runs
#   - pam_vouch_password with a wrong and with the right password,
#   - pam_vouch_otp (email, file transport) answered with a wrong code,
#   - pam_vouch_card with a wrong card number,
#   - vouchctl user show, user set, passwd, card set, unlock, audit,
# The modules are clients: for the PAM runs the faults go into vouchd,
# which holds the store (started for each run with the faults in its
# environment; a daemon that cannot start leaves the module failing
# closed), and the daemon's log is searched for crashes and sanitizer
# reports.
# It asserts: no signal, no sanitizer report (the san build: ASan goes
# after this object in LD_PRELOAD), never PAM_SUCCESS or exit 0 for a
# wrong answer, tool exit codes within 0-4 and never a failure without a
# "vouchctl: ..." line on stderr, and a store that passes
# SQLite's integrity check at the end.  A failing seed is printed with
# the command that replays it.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

FAULT_SO="$T/fault.so"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g -fPIC -shared \
  -fno-omit-frame-pointer -ftls-model=initial-exec -Wall -Wextra -Werror \
  -o "$FAULT_SO" "$VOUCH_SRC/tests/fault/fault.c" -ldl ||
  { fail "building fault.so"; finish; }

# Room for one send a seed and for a few wrong answers between unlocks.
setup_check "[otp]
resend_max = 100
[lockout]
max_failures = 8"
add_user alice 'correct horse' --email alice@example.org
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card set"
service pw "auth required pam_vouch_password.so conf=$CONF"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
service card "auth required pam_vouch_card.so conf=$CONF"

# The preload list: this object first; under ASan the runtime next (it
# is told not to insist on being first), then pam_wrapper.
if [ "$VOUCH_SAN" = 1 ]; then
  asan=$(${CC:-cc} -print-file-name=libasan.so)
  PRE_PAM="$FAULT_SO $asan libpam_wrapper.so"
  PRE_TOOL="$FAULT_SO $asan"
  PRE_CLIENT="$asan libpam_wrapper.so"
  export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
  # The loader's own allocations (dlopen, dlerror) now pass through this
  # object, where LeakSanitizer no longer recognises them as the
  # loader's; and Linux-PAM leaks on its own failure paths while it
  # reads the service files (pam_start, before any module runs).  So
  # leaks allocated by ld.so or libpam themselves are theirs, not ours.
  printf 'leak:%s\n' dl_open_worker _dl_map_object _dl_new_object \
    pam_start libpam.so.0 ld-linux-x86-64.so.2 >"$T/lsan.supp"
  export LSAN_OPTIONS="suppressions=$T/lsan.supp:print_suppressions=0"
else
  PRE_PAM="$FAULT_SO libpam_wrapper.so"
  PRE_TOOL="$FAULT_SO"
  PRE_CLIENT="libpam_wrapper.so"
fi

# The preload of the daemon: this object, then ASan under the san build.
PRE_DAEMON="$PRE_TOOL"
stop_daemon
# daemon_faulty ENV...: vouchd with ENV (the fault settings), waited for
# at most 5 s; a daemon that dies at start is fine (faults at startup).
daemon_faulty() {
  stop_daemon
  : >"$T/vouchd.log"
  ( env "$@" LD_PRELOAD="$PRE_DAEMON" "$VOUCHD" --config "$CONF" \
      >>"$T/vouchd.log" 2>&1 </dev/null &
    echo $! >"$T/vouchd.pid" )
  VOUCHD_PID=$(cat "$T/vouchd.pid")
  k=0
  while [ $k -lt 250 ] && alive "$VOUCHD_PID" &&
        ! grep -q 'vouchd: ready' "$T/vouchd.log"; do
    sleep 0.02; k=$((k + 1))
  done
}
# daemon_crashed: the daemon's log shows a crash or a sanitizer report.
# Not counted: ASan's own CHECK when an injected failure (of malloc or
# open) reaches pthread_getattr_np, which the ASan runtime alone calls
# as each thread starts (it reads /proc/self/maps): the runtime then
# stops itself; a build without it never makes that call.
daemon_crashed() {
  grep -v 'CHECK failed: sanitizer_linux_libcdep.cpp:[0-9]* "((pthread_getattr_np' \
    "$T/vouchd.log" | grep -qE \
    'AddressSanitizer|LeakSanitizer|runtime error|Segmentation'
}
# faulty SEED N AFTER CMD...: CMD with faults, stdin from $T/in, output
# in $T/fo and $T/fe; sets RC.
faulty_pam() {
  s=$1 n=$2 a=$3; shift 3
  daemon_faulty FAULT_SEED=$s FAULT_N=$n FAULT_AFTER=$a \
    FAULT_LOG="$T/fault.log" FAULT_WHAT=$WHAT
  timeout 60 env LD_PRELOAD="$PRE_CLIENT" \
    PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
    "$PAMDRIVE" "$@" <"$T/in" >"$T/fo" 2>"$T/fe"
  RC=$?
  stop_daemon
  if daemon_crashed; then
    sed 's/^/  vouchd | /' "$T/vouchd.log" | tail -n 30 >>"$T/fe"
    RC=99
  fi
}
# A tool's command runs in vouchd's worker, which inherits the daemon's
# environment: the faults go there, the tool itself is clean.
faulty_tool() {
  s=$1 n=$2 a=$3; shift 3
  daemon_faulty FAULT_SEED=$s FAULT_N=$n FAULT_AFTER=$a \
    FAULT_LOG="$T/fault.log" FAULT_WHAT=$WHAT
  timeout 60 "$VOUCHCTL" --config "$CONF" "$@" <"$T/in" >"$T/fo" 2>"$T/fe"
  RC=$?
  stop_daemon
  if daemon_crashed; then
    sed 's/^/  vouchd | /' "$T/vouchd.log" | tail -n 30 >>"$T/fe"
    RC=99
  fi
}
WHAT=alloc,file,sqlite
# calls CMD...: how many interposed calls a run without faults makes.
calls_pam() {
  rm -f "$T/count"
  daemon_faulty FAULT_COUNT="$T/count"
  timeout 60 env LD_PRELOAD="$PRE_CLIENT" \
    PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" "$PAMDRIVE" "$@" \
    <"$T/in" >/dev/null 2>&1
  stop_daemon
  cat "$T/count" 2>/dev/null || echo 1000
}
calls_tool() {
  rm -f "$T/count"
  daemon_faulty FAULT_COUNT="$T/count"
  timeout 60 "$VOUCHCTL" --config "$CONF" "$@" <"$T/in" >/dev/null 2>&1
  stop_daemon
  cat "$T/count" 2>/dev/null || echo 1000
}

bad() {
  fail "seed $SEED ($1): $2; replay: FAULT_SEED=$SEED FAULT_N=$N" \
    "FAULT_AFTER=$AFTER FAULT_WHAT=$WHAT ... $3"
  sed 's/^/  out | /' "$T/fo" >&2
  tail -n 30 "$T/fe" | sed 's/^/  err | /' >&2
  tail -n +$((LOGGED + 1)) "$T/fault.log" 2>/dev/null | head -n 10 |
    sed 's/^/  injected | /' >&2
}
# Exit statuses that mean a crash: a signal (timeout reports 124, the
# shell 128+N), the sanitizers' 99 and 98.
crashed() { [ "$1" -ge 98 ] && [ "$1" -ne 100 ] && [ "$1" -ne 101 ]; }

# The scenarios: NAME KIND ANSWERS ARGS.  KIND pam-wrong: never success;
# pam-any: any PAM result; tool: exit 0-4.
run_case() {
  name=$1 kind=$2 input=$3; shift 3
  printf '%b' "$input" >"$T/in"
  LOGGED=$(cat "$T/fault.log" 2>/dev/null | wc -l)
  if [ "$kind" = tool ]; then faulty_tool "$SEED" "$N" "$AFTER" "$@"
  else faulty_pam "$SEED" "$N" "$AFTER" "$@"; fi
  if crashed "$RC"; then
    bad "$name" "crashed or sanitizer report (exit $RC)" "$*"
  elif [ "$kind" = pam-wrong ] && [ "$RC" -eq 0 ]; then
    bad "$name" "PAM_SUCCESS for a wrong answer" "$*"
  elif [ "$kind" = tool ] && [ "$RC" -gt 4 ]; then
    bad "$name" "exit $RC is not a tool exit code" "$*"
  elif [ "$kind" = tool ] && [ "$RC" -ne 0 ] && ! grep -q '^vouchctl: ' "$T/fe"
  then
    bad "$name" "exit $RC without a message on stderr" "$*"
  fi
  # FAULT_CHECK_EACH=1 (diagnosis): the integrity check after each run
  # (of the SQLite file).
  if [ -n "${FAULT_CHECK_EACH:-}" ] && [ "$VOUCH_BACKEND" = sqlite ]; then
    ok=$(sqlite3 "$T/vouch.db" 'PRAGMA integrity_check;' 2>&1)
    [ "$ok" = ok ] || bad "$name" "store damaged: $ok" "$*"
  fi
}

# Calls made by a clean run of each scenario: the range of FAULT_AFTER.
printf 'wrong\n' >"$T/in"; C_PW=$(calls_pam pw alice auth)
printf '000000\n' >"$T/in"; C_OTP=$(calls_pam otp alice auth)
printf '4000 0000 0000 0002\n' >"$T/in"; C_CARD=$(calls_pam card alice auth)
: >"$T/in"; C_TOOL=$(calls_tool user show alice)
[ "$C_PW" -gt 100 ] || fail "the fault object saw only $C_PW calls"

# (each run starts a daemon: under the sanitizers that takes longer, and
# every kind of fault needs its seeds)
budget=${FAULT_SECONDS:-12}
[ "$VOUCH_SAN" = 1 ] && budget=${FAULT_SECONDS:-36}
# On PostgreSQL every seed's vouchd connects anew (a second or more a
# seed): more time for as many seeds.
[ "$VOUCH_BACKEND" != sqlite ] && budget=${FAULT_SECONDS:-40}
end=$(( $(date +%s) + budget ))
# spread CALLS: this seed's FAULT_AFTER, in 0..CALLS-1.  Seed times the
# golden ratio, modulo 1: consecutive seeds fall far apart and cover the
# whole run evenly, whatever CALLS is (a fixed large multiplier near a
# multiple of CALLS would put every seed at the same end of the run).
spread() { echo $(( SEED * ($1 * 618034 / 1000000) % $1 )); }
SEED=0
while [ "$(date +%s)" -lt "$end" ] && [ "$SEED" -lt 2000 ]; do
  SEED=$((SEED + 1))
  # N from 3 to 60; AFTER anywhere in the clean run.
  N=$(( 3 + (SEED * 7919) % 58 ))
  AFTER=$(spread "$C_PW")
  # Allocations outnumber the other calls: each kind gets seeds of its
  # own.
  case $((SEED % 4)) in
    0) WHAT=alloc,file,sqlite ;; 1) WHAT=alloc ;; 2) WHAT=file ;;
    3) WHAT=sqlite ;;
  esac
  # On PostgreSQL vouchd makes few file calls once it runs (a template
  # read, the session records): a file seed fails one of them in 2 to 4
  # (not every one: a read that fails with EINTR is retried).
  [ "$VOUCH_BACKEND" != sqlite ] && [ "$WHAT" = file ] &&
    N=$(( 2 + SEED % 3 ))
  run_case password-wrong pam-wrong 'wrong\n' pw alice auth
  run_case password-right pam-any 'correct horse\n' pw alice auth
  AFTER=$(spread "$C_OTP")
  # A wrong code: 000000 is refused unless it was the code sent.
  run_case otp-wrong pam-any '000000\n000000\n' otp alice auth
  if [ "$RC" -eq 0 ] &&
     ! grep -rqE '(^|[^0-9])000000([^0-9]|$)' "$T/mail"; then
    bad otp-wrong "PAM_SUCCESS for a wrong code" "otp alice auth"
  fi
  AFTER=$(spread "$C_CARD")
  run_case card-wrong pam-wrong '4000 0000 0000 0002\n' card alice auth
  AFTER=$(spread "$C_TOOL")
  case $((SEED % 5)) in
    0) run_case show tool '' user show alice --json ;;
    1) run_case set tool '' user set alice --lang da ;;
    2) run_case passwd tool 'correct horse\n' passwd alice ;;
    3) run_case card tool '4111 1111 1111 1111\n' card set alice ;;
    4) run_case audit tool '' audit alice ;;
  esac
  [ "$FAILS" -gt 0 ] && [ -n "${FAULT_CHECK_EACH:-}" ] && break
  # Too many wrong answers lock alice: unlock her now and then (no
  # faults) so that every path stays reachable.
  if [ $((SEED % 2)) = 0 ]; then
    ctl unlock alice >/dev/null 2>&1
    rm -f "$T"/mail/*
  fi
done
awk "{print \$1}" "$T/fault.log" | sort | uniq -c | tr "\n" " "; echo
echo "fault: $SEED seeds in ${budget}s," \
  "$(wc -l <"$T/fault.log" 2>/dev/null || echo 0) faults injected"
[ "$SEED" -ge 5 ] || fail "only $SEED seeds ran"
[ -s "$T/fault.log" ] || fail "no fault was injected"
# Each kind of fault happened at least once (writes and SQLite's calls
# are those of the SQLite store: a PostgreSQL store is a socket away).
# On PostgreSQL vouchd opens and reads few files (the key, the
# templates, the database's password), so a seed's file fault is one of
# open or read, not always both.
if sqlite_only "faults in write and SQLite's calls"; then
  kinds="malloc open read write sqlite3_step sqlite3_prepare_v3"
else
  kinds="malloc"
  grep -qE "^(open|openat|read) " "$T/fault.log" ||
    fail "no fault of a file call injected"
fi
for k in $kinds; do
  grep -q "^$k " "$T/fault.log" || fail "no fault of kind $k injected"
done

# The store survived every failure intact and is still usable.
if sqlite_only "integrity_check after the faults"; then
  ok=$(sqlite3 "$T/vouch.db" 'PRAGMA integrity_check;' 2>&1)
  eq "$ok" ok "store integrity after the faults"
fi
ctl unlock alice >/dev/null 2>&1
answers 'correct horse'
drive $PAM_SUCCESS "right password after the faults" pw alice auth
answers 'wrong'
drive $PAM_AUTH_ERR "wrong password after the faults" pw alice auth
finish
