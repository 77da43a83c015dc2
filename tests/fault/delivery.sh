#!/bin/sh
# delivery.sh - delivery failures seen from the PAM stack (the delivery
# helper's own reasons are in tests/delivery/): an SMTP server that drops
# the connection in the middle of DATA, and an SMS gateway answering 429,
# 302, a 1 MiB body or 500 with a 1 MiB body.  Each time pam_vouch_otp
# says it could not send, returns PAM_AUTHINFO_UNAVAIL (the next method
# of the stack runs, never a pass), the code is dropped from the store
# and the failure is audited.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check "[otp]
resend_max = 100"
add_user alice 'correct horse' --email alice@example.org --phone +4512345612
ctl phone verify alice --trusted >/dev/null || fail "phone verify"
service email "auth required pam_vouch_otp.so conf=$CONF channel=email"
service sms "auth required pam_vouch_otp.so conf=$CONF channel=sms"
# "a" falls through to the password: the stack never passes on its own.
OTP="pam_vouch_otp.so conf=$CONF channel=email"
service stack "auth [success=done authinfo_unavail=ignore default=die] $OTP
auth required pam_vouch_password.so conf=$CONF"
q() { store_sql "$1"; }

# unavailable DESC SERVICE: the method is unavailable and leaves no code.
unavailable() {
  conv_start "$2" alice auth
  conv_wait_for 'ERROR_MSG: We could not send you a code right now'
  expect_conv $PAM_AUTHINFO_UNAVAIL "$1: unavailable"
  eq "$(q 'SELECT count(*) FROM codes WHERE used = 0')" 0 \
    "$1: no live code left"
  eq "$(q "SELECT count(*) FROM audit WHERE event = 'code.delivery_failed'")" \
    "$FAILED" "$1: audited"
}
FAILED=0

# --- SMTP: the connection dropped after DATA.
rm -f "$T/smtp.port"
timeout 120 "$SYS_PY" "$VOUCH_SRC/tests/fault/smtp_drop.py" \
  "$T/smtp.port" 100 >"$T/smtp.log" 2>&1 &
SERVER_PIDS="$SERVER_PIDS $!"
k=0
while [ ! -s "$T/smtp.port" ] && [ $k -lt 100 ]; do
  sleep 0.1; k=$((k + 1))
done
port=$(cat "$T/smtp.port" 2>/dev/null)
[ -n "$port" ] || { fail "the dropping SMTP server did not start"; finish; }
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$port"
FAILED=$((FAILED + 1))
unavailable "SMTP drops the connection mid-DATA" email
eq "$(cat "$T/smtp.port.drops" 2>/dev/null)" 1 "the server saw DATA once"
# The stack goes on to the password; a wrong one fails.
FAILED=$((FAILED + 1))
conv_start stack alice auth
conv_wait_for 'ERROR_MSG: We could not send you a code right now'
conv_wait_for 'PROMPT_ECHO_OFF: Password: '
conv_answer 'wrong'
expect_conv $PAM_AUTH_ERR "SMTP drop: the next method runs and decides"

# --- HTTP gateway replies that must not count as sent.
for mode in status429 redirect huge hugefail; do
  stop_servers
  http_start "$mode" || continue
  conf_set sms transport http
  conf_set sms url "http://127.0.0.1:$HTTP_PORT/send"
  FAILED=$((FAILED + 1))
  unavailable "gateway $mode" sms
done
finish
