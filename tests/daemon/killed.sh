#!/bin/sh
# killed.sh - vouchd killed with SIGKILL in the middle of work loses no
# decision it announced and makes none twice:
#   - 16 pamdrive runs answer a wrong password at once and vouchd is
#     SIGKILLed while it judges them (3 rounds, different moments); after
#     a restart the failure count holds every password.fail row of the
#     audit trail and at most one more for each run the kill cut short
#     (charged before it was judged), and every run told PAM_AUTH_ERR
#     was counted;
#   - a code sent by pam_vouch_otp (email, file transport) that was
#     redeemed once cannot be used a second time, also when vouchd was
#     SIGKILLed right after (or while) it was redeemed; one the kill left
#     unused is offered again at the next sign-in and works once;
#   - the store passes SQLite's integrity check afterwards.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"

N=16
setup_check "[otp]
resend_max = 100
max_per_hour = 100
[lockout]
max_failures = 1000"
# A slower hash than lib.sh's, so that the 16 judgements take long
# enough (two at a time, [daemon] hash_workers) for the kill to land
# among them.
conf_set password hash_ops 2
conf_set password hash_mem 32M
add_user alice 'correct horse' --email alice@example.org
service pw "auth required pam_vouch_password.so conf=$CONF"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
q() { store_sql "$1"; }
# pwfails: password.fail rows of alice's audit trail.
pwfails() { ctl audit alice | grep -c ' password\.fail '; }
# kill_daemon: SIGKILL, and wait until it is gone (bounded).
kill_daemon() {
  kill -9 "$VOUCHD_PID" 2>/dev/null
  _k=0
  while alive "$VOUCHD_PID" && [ $_k -lt 100 ]; do
    sleep 0.05; _k=$((_k + 1))
  done
  alive "$VOUCHD_PID" && fail "vouchd survived SIGKILL"
}

# storm DELAY: N runs at their password prompt answer "wrong" together;
# DELAY seconds later vouchd is SIGKILLed; then it is started again.
# Exit codes in $T/rc.1..N (as in tests/pam/password_concurrency.sh).
storm() {
  rm -f "$T/go" "$T"/rc.* "$T"/po.* "$T"/in.*
  i=1
  while [ $i -le $N ]; do
    mkfifo "$T/in.$i"
    (
      k=0
      while [ ! -e "$T/go" ] && [ $k -lt 2000 ]; do
        sleep 0.01; k=$((k + 1))
      done
      echo wrong
    ) >"$T/in.$i" &
    (
      pam_raw timeout 30 "$PAMDRIVE" pw alice auth <"$T/in.$i" \
        >"$T/po.$i" 2>&1
      echo $? >"$T/rc.$i"
    ) &
    sleep 0.05
    i=$((i + 1))
  done
  # Every run at its prompt (at most 20 s), then all answer.
  k=0 end=$(( $(now_ms) + 20000 ))
  while [ "$(now_ms)" -lt $end ]; do
    n=$(grep -l 'PROMPT_ECHO_OFF: Password: ' "$T"/po.* 2>/dev/null |
      wc -l)
    [ "$n" -ge $N ] && break
    sleep 0.01; k=$((k + 1))
  done
  [ "$n" -ge $N ] || fail "only $n of $N runs reached the prompt"
  : >"$T/go"
  sleep "$1"
  kill_daemon
  wait
  start_daemon
}
count() {
  c=0
  for f in "$T"/rc.*; do
    [ "$(cat "$f")" = "$1" ] && c=$((c + 1))
  done
  echo $c
}

middle=0
for delay in 0.05 0.2 0.4; do
  need_daemon
  before=$(pwfails)
  eq "$(failures alice)" 0 "delay $delay: count 0 before"
  storm $delay
  autherr=$(count $PAM_AUTH_ERR)
  unavail=$(count $PAM_AUTHINFO_UNAVAIL)
  eq "$((autherr + unavail))" $N \
    "delay $delay: every run ended with AUTH_ERR or AUTHINFO_UNAVAIL"
  [ "$((autherr + unavail))" = $N ] ||
    for f in "$T"/po.*; do
      echo "  ${f##*/}: exit $(cat "$T/rc.${f##*.}")" >&2
      sed 's/^/    | /' "$f" >&2
    done
  eq "$(count $PAM_SUCCESS)" 0 "delay $delay: no run passed"
  added=$(( $(pwfails) - before ))
  nfail=$(failures alice)
  echo "delay $delay: $autherr PAM_AUTH_ERR, $unavail unavailable," \
    "failures $nfail, password.fail rows +$added"
  # A password is charged before it is judged (core/password.c): each
  # run the kill cut short may have been counted without a password.fail
  # row, never twice.
  if [ "$nfail" -ge "$added" ] && [ "$nfail" -le $((added + unavail)) ]; then
    pass "delay $delay: rows ($added) <= failures ($nfail) <= rows + unavailable"
  else
    fail "delay $delay: failures $nfail, rows $added, unavailable $unavail"
  fi
  [ "$nfail" -ge "$autherr" ] ||
    fail "delay $delay: $autherr runs told PAM_AUTH_ERR, only $nfail counted"
  [ "$nfail" -le $N ] || fail "delay $delay: $nfail failures for $N answers"
  [ "$autherr" -gt 0 ] && [ "$unavail" -gt 0 ] && middle=$((middle + 1))
  # The right password clears the count for the next round.
  answers 'correct horse'
  drive $PAM_SUCCESS "delay $delay: right password after the restart" \
    pw alice auth
done
[ $middle -ge 1 ] || fail "no kill landed among the judgements"
if sqlite_only "integrity_check after the storms"; then
  eq "$(q 'PRAGMA integrity_check;')" ok "store integrity after the storms"
fi

# A code redeemed once, then vouchd SIGKILLed: after the restart the
# code is used, and refused when given again.
mails=$(ls "$T/mail" | wc -l)
conv_start otp alice auth
mails=$((mails + 1))
wait_file "$T/mail" $mails
code=$(code_in "$(newest "$T/mail")")
conv_answer "$code"
expect_conv $PAM_SUCCESS "the code, once"
kill_daemon
start_daemon
eq "$(q 'SELECT used FROM codes ORDER BY id DESC LIMIT 1;')" 1 \
  "after SIGKILL: the code is used"
conv_start otp alice auth
mails=$((mails + 1))
wait_file "$T/mail" $mails
new=$(code_in "$(newest "$T/mail")")
[ "$new" != "$code" ] || fail "the same code sent twice"
conv_answer "$code"
conv_wait_for 'ERROR_MSG: That code is not right'
conv_answer "$new"
expect_conv $PAM_SUCCESS "the used code refused, the new one taken"

# SIGKILL while the code is being redeemed (0-5 ms after the answer):
# a run that passed left its code used (and code.ok audited); a used code
# never passes again.
r=0
while [ $r -lt 8 ]; do
  r=$((r + 1))
  need_daemon
  ok0=$(q "SELECT count(*) FROM audit WHERE event = 'code.ok';")
  conv_start otp alice auth
  mails=$((mails + 1))
  wait_file "$T/mail" $mails || break
  code=$(code_in "$(newest "$T/mail")")
  conv_wait_for 'PROMPT_ECHO_OFF: Security check\. Enter the 6-digit code we sent' ||
    break
  conv_answer "$code"
  case $((r % 4)) in
    0) ;;
    1) sleep 0.001 ;;
    2) sleep 0.002 ;;
    3) sleep 0.005 ;;
  esac
  kill_daemon
  conv_end
  start_daemon
  used=$(q 'SELECT used FROM codes ORDER BY id DESC LIMIT 1;')
  ok1=$(q "SELECT count(*) FROM audit WHERE event = 'code.ok';")
  echo "kill round $r: pamdrive $CONV_RC, used $used, code.ok +$((ok1 - ok0))"
  case $CONV_RC in
    0) eq "$used" 1 "kill round $r: passed, so the code is used" ;;
    "$PAM_AUTHINFO_UNAVAIL") : ;;
    *) fail "kill round $r: pamdrive exit $CONV_RC" ;;
  esac
  eq "$((ok1 - ok0))" "$used" "kill round $r: code.ok audited iff used"
  # The code again, in a new conversation: a used code is never taken
  # (a new one is sent); a code the kill left unused is still good, so
  # it is offered again (nothing sent) and taken, once.  Either way the
  # round ends with no live code: the next round's code is a new one.
  conv_start otp alice auth
  conv_wait_for 'PROMPT_ECHO_OFF: Security check\. (Enter the 6-digit code we sent|We already sent a code)' ||
    break
  if grep -q 'We already sent a code' "$T/conv.out"; then
    eq "$used" 0 "kill round $r: only an unused code is offered again"
    eq "$(ls "$T/mail" | wc -l)" $mails "kill round $r: offered again, not sent"
    conv_answer "$code"
    expect_conv $PAM_SUCCESS "kill round $r: the unused code offered again, taken"
    eq "$(q 'SELECT used FROM codes ORDER BY id DESC LIMIT 1;')" 1 \
      "kill round $r: the code offered again is used now"
    continue
  fi
  mails=$((mails + 1))
  wait_file "$T/mail" $mails || break
  new=$(code_in "$(newest "$T/mail")")
  conv_answer "$code"
  if [ "$new" = "$code" ]; then
    expect_conv $PAM_SUCCESS "kill round $r: a new code (same digits)"
  else
    conv_wait_for 'ERROR_MSG: That code is not right'
    conv_answer "$new"
    expect_conv $PAM_SUCCESS \
      "kill round $r: the old code refused, the new one taken"
  fi
done
if sqlite_only "integrity_check at the end"; then
  eq "$(q 'PRAGMA integrity_check;')" ok "store integrity at the end"
fi
# A code is charged (a failed check under a name of its own, with a '?')
# before it is judged: a kill in between leaves that charge, and nothing
# else, behind.
eq "$(q "SELECT count(*) FROM check_failures WHERE method NOT LIKE '%?%'")" \
  "$(q "SELECT count(*) FROM audit WHERE event = 'check.fail'")" \
  "settled check failure rows = check.fail audit rows"
[ "$(check_charges)" -le 8 ] &&
  pass "at most one charge left behind a kill" ||
  fail "more charges left than kills"

finish
