#!/bin/sh
# kill.sh - pam_vouch_otp killed with SIGKILL at a random moment of a
# redemption (bounded: KILL_SECONDS, default 8).  Each round sends a
# code, answers it (wrong or right) and kills the process 0-40 ms later.
# Afterwards the store must say exactly what happened, never half:
#   - a wrong answer counted on the code (attempts) iff it was counted as
#     a failed security check (a check_failures row and a check.fail
#     audit row): attempts = failures added = audit rows added;
#   - a right answer used the code iff "code.ok" was audited, and a used
#     code stays used: answering it again fails;
#   - the store passes SQLite's integrity check.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

# The rounds move vouchd's clock (below): a lockout window longer than
# all of them keeps every failure row of the test in it.
setup_check "[otp]
resend_max = 100
[lockout]
max_failures = 1000
window = 30d"
add_user alice 'correct horse' --email alice@example.org
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
TTL=600   # [otp] email_ttl
q() { store_sql "$1"; }

if [ "$VOUCH_SAN" = 1 ]; then
  PRE="$(${CC:-cc} -print-file-name=libasan.so) libpam_wrapper.so"
else
  PRE="libpam_wrapper.so"
fi

# start: pamdrive in the background, its answers from a FIFO on fd 7;
# PID is pamdrive itself (exec), so the kill hits the PAM process.
start() {
  rm -f "$T/k.fifo"
  mkfifo "$T/k.fifo"
  ( exec env LD_PRELOAD="$PRE" PAM_WRAPPER=1 \
      PAM_WRAPPER_SERVICE_DIR="$T/pam.d" "$PAMDRIVE" otp alice auth \
      <"$T/k.fifo" >"$T/k.out" 2>"$T/k.err" ) &
  PID=$!
  exec 7>"$T/k.fifo"
}
# stop: ends the round (kills when still running) and closes the FIFO.
stop() {
  kill -9 "$PID" 2>/dev/null
  exec 7>&-
  wait "$PID" 2>/dev/null
}
# counts: code attempts of the newest code, used flag, failure rows,
# check.fail and code.ok audit rows.
counts() {
  q "SELECT coalesce((SELECT attempts || ' ' || used FROM codes
       ORDER BY id DESC LIMIT 1), '0 0'),
       (SELECT count(*) FROM check_failures),
       (SELECT count(*) FROM audit WHERE event = 'check.fail'),
       (SELECT count(*) FROM audit WHERE event = 'code.ok');"
}

# settled: vouchd is done with the round: no charged check waits for its
# verdict, and the counts stay the same for 0.1 s (an answer sent just
# before the kill may still be charged a moment later; at most 5 s).
settled() {
  _prev="" _n=0
  while [ $_n -lt 50 ]; do
    _cur="$(counts) $(check_charges)"
    [ "$_cur" = "$_prev" ] && [ "${_cur##* }" = 0 ] && return 0
    _prev=$_cur
    sleep 0.1; _n=$((_n + 1))
  done
  return 1
}
budget=${KILL_SECONDS:-8}
end=$(( $(date +%s) + budget ))
round=0 killed=0 mails=0
while [ "$(date +%s)" -lt "$end" ] && [ $round -lt 500 ]; do
  round=$((round + 1))
  # Every round on vouchd's clock ttl + 1 s after the last one: the code
  # of the round before (left unused by a wrong answer or a kill) has
  # expired, so this round's run sends a new one instead of offering
  # that one again.
  daemon_clock "+$(( (round - 1) * (TTL + 1) ))"
  start
  mails=$((mails + 1))
  wait_file "$T/mail" $mails || { stop; break; }
  code=$(code_in "$(newest "$T/mail")")
  # The round's starting point, once the code is stored.
  before=$(counts | tr '|' ' ')
  set -- $before
  f0=$3 a0=$4 ok0=$5
  if [ $((round % 2)) = 1 ]; then
    answer=$(printf '%06d' $(( (1$code - 1000000 + 1) % 1000000 )))
  else
    answer=$code
  fi
  printf '%s\n' "$answer" >&7
  # 0 to 40 ms, then SIGKILL (the answer may be judged or not).
  sleep "0.0$(( (round * 7) % 41 ))" 2>/dev/null || sleep 0.01
  kill -0 "$PID" 2>/dev/null && killed=$((killed + 1))
  stop
  # vouchd finishes what it started without the client: an answer is
  # charged, then judged and settled (a moment later).
  settled || fail "round $round: a charge left unsettled"
  after=$(counts | tr '|' ' ')
  set -- $after
  att=$1 used=$2 f1=$3 a1=$4 ok1=$5
  if [ "$answer" != "$code" ]; then
    # Wrong: 0 or 1 attempt, the same number of failure and audit rows.
    [ "$used" = 0 ] || fail "round $round: a wrong answer used the code"
    [ $((f1 - f0)) = "$att" ] && [ $((a1 - a0)) = "$att" ] ||
      fail "round $round: attempts $att, failures +$((f1 - f0))," \
        "audit +$((a1 - a0))"
  else
    [ $((ok1 - ok0)) = "$used" ] ||
      fail "round $round: used $used but code.ok +$((ok1 - ok0))"
    [ "$f1" = "$f0" ] || fail "round $round: a right answer counted a failure"
    if [ "$used" = 1 ]; then
      # The used code once more, in the same kind of run: refused
      # (a new code is sent first; the old one is dead).
      answers "$code" "$code"
      pam_env "$PAMDRIVE" otp alice auth <"$T/in" >"$T/out" 2>"$T/err"
      rc=$?
      mails=$((mails + 1))
      new=$(code_in "$(newest "$T/mail")")
      if [ "$rc" = 0 ] && [ "$new" != "$code" ]; then
        fail "round $round: a used code was accepted again"
      fi
    fi
  fi
done
echo "kill: $round rounds, $killed killed while running"
[ $round -ge 4 ] || fail "only $round rounds"
[ $killed -ge 1 ] || fail "no process was killed while it ran"
if sqlite_only "integrity_check after the kills"; then
  eq "$(q 'PRAGMA integrity_check;')" ok "store integrity after the kills"
fi
# Exact counts: every failure row has its audit row.
eq "$(q "SELECT count(*) FROM check_failures")" \
  "$(q "SELECT count(*) FROM audit WHERE event = 'check.fail'")" \
  "failure rows = check.fail audit rows"
finish
