#!/bin/sh
# otp_network.sh - the security check over real servers on 127.0.0.1: the
# code by email through an SMTP server (aiosmtpd) and by SMS through an
# HTTP gateway; a gateway that refuses, fails or hangs past [delivery]
# timeout makes the method unavailable within the timeout, never passed;
# proxy variables in the caller's environment are ignored.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check
add_user alice 'correct horse' --email alice@example.org --phone +4512345612
ctl phone verify alice --trusted >/dev/null || fail "phone verify"
service email "auth required pam_vouch_otp.so conf=$CONF channel=email"
service sms "auth required pam_vouch_otp.so conf=$CONF channel=sms"

# Email through the SMTP server, with proxies set that lead nowhere.
smtp_start
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
dead=$(free_port)
export http_proxy="http://127.0.0.1:$dead" https_proxy="http://127.0.0.1:$dead"
export ALL_PROXY="socks5://127.0.0.1:$dead" all_proxy="socks5://127.0.0.1:$dead"
conv_start email alice auth
conv_wait_for 'Enter the 6-digit code we sent to a•••@example\.org'
mail_wait 1
f=$(mail_last)
[ "$(mail_header "$f" Subject)" = "Your sign-in code" ] ||
  fail "SMTP: subject"
conv_answer "$(mail_code 6)"
expect_conv $PAM_SUCCESS "code by email over SMTP (proxies ignored)"
unset http_proxy https_proxy ALL_PROXY all_proxy

# The SMTP server gone: unavailable.
stop_servers
conv_start email alice auth
conv_wait_for 'ERROR_MSG: We could not send you a code right now'
expect_conv $PAM_AUTHINFO_UNAVAIL "SMTP server down: unavailable"

# SMS through the HTTP gateway.
http_start ok
conf_set sms transport http
conf_set sms url "http://127.0.0.1:$HTTP_PORT/send"
conv_start sms alice auth
conv_wait_for 'code we sent to \+45 •••• ••12'
k=0
while [ "$(http_count)" -lt 1 ] && [ $k -lt 50 ]; do sleep 0.1; k=$((k + 1)); done
body=$(http_field "$(http_last)" body)
case "$body" in
  to=%2B4512345612\&text=*) pass "gateway request" ;;
  *) fail "gateway request body: $body" ;;
esac
code=$(printf '%s' "$body" | "$SYS_PY" -c \
  'import sys, urllib.parse as u; print(u.parse_qs(sys.stdin.read())["text"][0])' |
  grep -oE '(^|[^0-9])[0-9]{6}([^0-9]|$)' |
  head -n 1 | tr -cd 0-9)
conv_answer "$code"
expect_conv $PAM_SUCCESS "code by SMS through the gateway"

# Gateways that fail: 500, closing the connection, hanging.
for mode in fail500 refuse; do
  stop_servers
  http_start $mode
  conf_set sms url "http://127.0.0.1:$HTTP_PORT/send"
  conv_start sms alice auth
  conv_wait_for 'ERROR_MSG: We could not send you a code right now'
  expect_conv $PAM_AUTHINFO_UNAVAIL "gateway $mode: unavailable"
done
stop_servers
http_start hang
conf_set sms url "http://127.0.0.1:$HTTP_PORT/send"
conf_set delivery timeout 2s
start=$(date +%s)
conv_start sms alice auth
conv_wait_for 'ERROR_MSG: We could not send you a code right now' 15
expect_conv $PAM_AUTHINFO_UNAVAIL "gateway hanging: unavailable"
took=$(( $(date +%s) - start ))
[ "$took" -lt 10 ] || fail "gateway hanging: took ${took}s with a 2s timeout"
stop_servers

finish
