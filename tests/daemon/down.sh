#!/bin/sh
# down.sh - when vouchd cannot answer, the modules fail closed in time:
# pam_vouch_password and pam_vouch_otp auth return PAM_AUTHINFO_UNAVAIL
# (never PAM_SUCCESS) within [daemon] timeout + 1 s when
#   - vouchd was stopped (no socket),
#   - vouchd was killed (a socket file where nothing listens),
#   - a process accepts and never answers,
#   - a process listens and never accepts (its backlog fills),
#   - a process answers half a frame, or bytes that are no frame.
# The account phase: PAM_AUTHINFO_UNAVAIL, or with vouchd_down=ignore
# PAM_IGNORE (the explicit choice of the line).
# And when vouchd is back, the same lines succeed again.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"

setup_check
conf_set daemon timeout 2s
add_user alice 'correct horse' --email alice@example.org
service pw "auth required pam_vouch_password.so conf=$CONF"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
BOUND=3000 # [daemon] timeout + 1 s, in ms
SOCK="$T/vouchd.sock"

# both WHAT: the two modules, each answered as if the daemon were there
# (the right password; any code), fail closed within BOUND.
both() {
  answers 'correct horse'
  within $PAM_AUTHINFO_UNAVAIL $BOUND "$1: password" -- \
    pam_raw "$PAMDRIVE" pw alice auth <"$T/in"
  expect_grep '^auth: PAM_AUTHINFO_UNAVAIL$' "$T/out" "$1: password output"
  answers 123456 123456 123456
  within $PAM_AUTHINFO_UNAVAIL $BOUND "$1: otp" -- \
    pam_raw "$PAMDRIVE" otp alice auth <"$T/in"
}

# With the daemon: the password works (so that a failure below is the
# daemon's absence, not a broken line).
answers 'correct horse'
drive $PAM_SUCCESS "daemon up: password" pw alice auth

# Stopped cleanly: the socket is gone.
stop_daemon
[ ! -e "$SOCK" ] || fail "SIGTERM left the socket behind"
both "stopped"

# Killed: the socket file stays, nothing listens behind it.
start_daemon
kill -9 "$VOUCHD_PID"
k=0
while alive "$VOUCHD_PID" && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
VOUCHD_PID=""
[ -S "$SOCK" ] || fail "SIGKILL: expected a stale socket file"
both "killed (stale socket)"
rm -f "$SOCK"

# A process that takes the connection and never answers.
peer_start silent "$SOCK" && both "accepts, never answers"
peer_stop

# A process that listens and never accepts: the first connections wait
# in its backlog, the later ones find it full.
if peer_start backlog "$SOCK"; then
  for i in 1 2 3; do both "never accepts ($i)"; done
fi
peer_stop

# A process that answers the first bytes of a frame, then nothing.
peer_start halfframe "$SOCK" && both "half a frame"
peer_stop

# A process that answers bytes that are no frame: refused at once.
peer_start garbage "$SOCK" && both "garbage answer"
peer_stop

# The account phase while vouchd is away is the line's explicit choice:
# PAM_AUTHINFO_UNAVAIL by default (and with vouchd_down=fail), PAM_IGNORE
# with vouchd_down=ignore (the stack goes on); a bad value is refused.
service acct "account required pam_vouch_password.so conf=$CONF"
service acctfail "account required pam_vouch_password.so conf=$CONF vouchd_down=fail"
service acctign "account required pam_vouch_password.so conf=$CONF vouchd_down=ignore
account required pam_permit.so"
service acctbad "account required pam_vouch_password.so conf=$CONF vouchd_down=maybe"
: >"$T/in"
within $PAM_AUTHINFO_UNAVAIL $BOUND "account, default: unavailable" -- \
  pam_raw "$PAMDRIVE" acct alice acct <"$T/in"
within $PAM_AUTHINFO_UNAVAIL $BOUND "account, vouchd_down=fail" -- \
  pam_raw "$PAMDRIVE" acctfail alice acct <"$T/in"
within $PAM_SUCCESS $BOUND "account, vouchd_down=ignore: the stack goes on" -- \
  pam_raw "$PAMDRIVE" acctign alice acct <"$T/in"
within $PAM_SERVICE_ERR $BOUND "account, vouchd_down=maybe: refused" -- \
  pam_raw "$PAMDRIVE" acctbad alice acct <"$T/in"

# Back: the same lines work again.
start_daemon
answers 'correct horse'
drive $PAM_SUCCESS "daemon back: password" pw alice auth
: >"$T/in"
drive $PAM_SUCCESS "daemon back: vouchd_down= is accepted" acctign alice acct

finish
