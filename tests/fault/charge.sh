#!/bin/sh
# charge.sh - a password is counted as a failure before it is judged:
# vouchd killed while it hashes an answer (the outcome never reaches the
# store, as when the link to a shared database is cut by someone who
# could tell a right answer from a wrong one by what follows) leaves one
# failure counted, for a wrong answer and for a right one alike; the
# next right password clears it; an account at the limit whose lock was
# never recorded is refused (and locked) at the next attempt, not
# judged.  On either backend (VOUCH_BACKEND).
. "$VOUCH_SRC/tests/lib.sh"

write_conf
# A slow hash (about a second here), so that vouchd is still judging
# when it is killed.
conf_set password hash_ops 4
conf_set password hash_mem 256M
conf_set password max_failures 3
ctl init >/dev/null || { fail "vouchctl init"; finish; }
start_daemon
add_user alice 'correct horse'
service pw "auth required pam_vouch_password.so conf=$CONF"

# killed_while_judging ANSWER: pamdrive answers, vouchd is killed 0.3 s
# later; the module fails closed.
killed_while_judging() {
  answers "$1"
  pam_env "$PAMDRIVE" pw alice auth <"$T/in" >"$T/kd.out" 2>&1 &
  kd=$!
  sleep 0.3
  if ! alive "$kd"; then
    fail "the answer was judged within 0.3 s: the hash is too fast here"
    return
  fi
  old=$VOUCHD_PID
  kill -KILL "$old"
  VOUCHD_PID=""
  wait "$kd"
  eq "$?" "$PAM_AUTHINFO_UNAVAIL" "vouchd killed while judging '$1': fails closed"
  # gone for good (its socket with it) before the next one starts
  n=0
  while alive "$old" && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
  start_daemon
}

killed_while_judging 'wrong'
eq "$(failures alice)" 1 "a wrong answer never judged: counted"
killed_while_judging 'correct horse'
eq "$(failures alice)" 2 "a right answer never judged: counted too"
answers 'correct horse'
drive $PAM_SUCCESS "the right password, judged" pw alice auth
eq "$(failures alice)" 0 "clears the count"

# Three failures, the last one's decision (the lock) lost with vouchd:
# the next attempt is refused and locks, without being judged.
answers 'wrong'
drive $PAM_AUTH_ERR "a wrong password" pw alice auth
drive $PAM_AUTH_ERR "another" pw alice auth
killed_while_judging 'wrong'
eq "$(failures alice)" 3 "the third counted"
answers 'correct horse'
drive $PAM_MAXTRIES "at the limit: the right password is refused" pw alice auth
eq "$(failures alice)" 3 "and not counted"
ctl user show alice --json >"$T/show.json"
expect_grep '"state":"locked"' "$T/show.json" "the account is locked now"

finish
