#!/bin/sh
# password_concurrency.sh - 16 pamdrive processes answering a wrong
# password at once (each waits at its prompt, then all answer together):
# every failure is counted exactly once (SPEC: N
# parallel wrong answers add N), also when they cross [password]
# max_failures and lock the account.
. "$VOUCH_SRC/tests/lib.sh"

N=16
setup_store
add_user alice 'correct horse'
add_user bob 'battery staple'
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M"

# parallel USER: N pamdrive processes, each stopped at its password
# prompt, then all N wrong answers released at once, so that they reach
# vouch together; exit codes in $T/rc.1..N.  The processes start 50 ms
# apart: pam_wrapper, the harness, names its per-process directory with
# one random letter and trips over itself when many processes start at
# the same instant (a run it loses never reaches vouch).
parallel() {
  rm -f "$T/go" "$T"/rc.* "$T"/po.* "$T"/in.*
  i=1
  while [ $i -le $N ]; do
    mkfifo "$T/in.$i"
    (
      k=0
      while [ ! -e "$T/go" ] && [ $k -lt 3000 ]; do
        sleep 0.01; k=$((k + 1))
      done
      echo wrong
    ) >"$T/in.$i" &
    (
      pam_env timeout 120 "$PAMDRIVE" pw "$1" auth <"$T/in.$i" \
        >"$T/po.$i" 2>&1
      echo $? >"$T/rc.$i"
    ) &
    sleep 0.05
    i=$((i + 1))
  done
  # Every run waits at its prompt (at most 30 s), then all answer.
  k=0
  while [ $k -lt 3000 ]; do
    n=$(grep -l 'PROMPT_ECHO_OFF: Password: ' "$T"/po.* 2>/dev/null |
      wc -l)
    [ "$n" -ge $N ] && break
    sleep 0.01; k=$((k + 1))
  done
  [ "$n" -ge $N ] || fail "only $n of $N runs reached the prompt"
  : >"$T/go"
  wait
}
# count CODE: how many of the N runs exited with CODE.
count() {
  c=0
  for f in "$T"/rc.*; do
    [ "$(cat "$f")" = "$1" ] && c=$((c + 1))
  done
  echo $c
}

# reached USER: the runs that reached vouch, by the audit trail (each
# judged answer leaves one password.fail or password.refused row).
# pam_wrapper, the harness, names its per-process directory with one
# random letter; when many processes start at once it retries ("Failed
# to create pam_wrapper config dir") and might in the worst case give up,
# running the machine's own stack: such a run is no attempt on vouch.
reached() {
  ctl audit "$1" | grep -cE ' password\.(fail|refused) '
}

parallel alice
eq "$(ls "$T"/rc.* | wc -l)" $N "all $N runs finished"
eq "$(count $PAM_AUTH_ERR)" $N "all $N got PAM_AUTH_ERR"
r=$(reached alice)
[ "$r" -ge $((N - 2)) ] || fail "only $r of $N runs reached vouch"
eq "$(failures alice)" "$r" "failures = attempts that reached vouch ($r)"
eq "$(failures alice)" $N "failures = $N exactly"
[ "$(failures alice)" = $N ] || { ctl audit alice >&2; cat "$T"/po.* >&2; }
for f in "$T"/po.*; do
  grep -qx 'auth: PAM_AUTH_ERR' "$f" || { fail "output of $f"; cat "$f" >&2; }
done
answers 'correct horse'
drive $PAM_SUCCESS "right password after the storm" pw alice auth
eq "$(failures alice)" 0 "count cleared"

# With max_failures = 10 the 16 lock the account.  Every answer judged
# wrong while the account was still open is counted: they return
# PAM_AUTH_ERR, except the one that reached the limit, which returns
# PAM_MAXTRIES.  Answers that came after the lock are refused with
# PAM_MAXTRIES and not counted.  So failures = (#PAM_AUTH_ERR) + 1.
conf_set password max_failures 10
parallel bob
auth_err=$(count $PAM_AUTH_ERR)
maxtries=$(count $PAM_MAXTRIES)
eq "$((auth_err + maxtries))" $N "all $N failed with AUTH_ERR or MAXTRIES"
nfail=$(failures bob)
if [ "$nfail" -ge 10 ] && [ "$nfail" -le $N ]; then pass "10 <= failures <= $N"
else fail "failures $nfail not between 10 and $N"; fi
eq "$nfail" "$((auth_err + 1))" \
  "failures ($nfail) = answers judged wrong ($auth_err AUTH_ERR + 1)"
if [ "$maxtries" -ge 1 ]; then pass "at least one PAM_MAXTRIES"
else fail "no run saw the lock"; fi
answers 'battery staple'
drive $PAM_MAXTRIES "bob is locked" pw bob auth
eq "$(failures bob)" "$nfail" "a refused answer is not counted"

finish
