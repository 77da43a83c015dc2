#!/bin/sh
# SMS through an HTTP gateway (tests/servers/http_sink.py on 127.0.0.1):
# form and JSON bodies, basic and bearer auth, the recorded request; 500,
# 429, redirect, huge replies, a closed connection and nothing listening
# fail with the reason; a hanging gateway is cut off by [delivery]
# timeout; proxy variables of the caller are ignored.
. "$VOUCH_SRC/tests/lib.sh"

write_conf
use_helper
http_start ok || finish
U="http://127.0.0.1:$HTTP_PORT"
conf_set sms transport http
conf_set sms url "$U/send"
text='Din kode er 482913 & "gælder" 10 min.'
printf 'channel: sms\nto: +4512345678\n\n%s' "$text" >"$T/msg"
send() { "$VOUCH_DELIVER" --config "$CONF" <"$T/msg"; }

# --- form (the default), no auth, dead proxies in the environment
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
  https_proxy=http://127.0.0.1:9 ALL_PROXY=socks5://127.0.0.1:9 \
  no_proxy=nothing expect_rc 0 "form POST despite proxy variables" -- send
eq "$(http_count)" 1 "one request"
r=$(http_last)
eq "$(http_field "$r" method)" POST "method POST"
eq "$(http_field "$r" path)" /send "path from [sms] url"
eq "$(http_field "$r" headers content-type)" \
  application/x-www-form-urlencoded "form content type"
eq "$(http_field "$r" body)" \
  "to=%2B4512345678&text=Din%20kode%20er%20482913%20%26%20%22g%C3%A6lder%22%2010%20min." \
  "form body: {to} and {text} URL-encoded"
eq "$(http_field "$r" headers authorization)" "" "no Authorization header"

# --- basic auth
printf 'pa:ss word\n' >"$T/sms.secret"
chmod 600 "$T/sms.secret"
conf_set sms auth basic
conf_set sms username gw-user
conf_set sms secret_file "$T/sms.secret"
expect_rc 0 "form POST with basic auth" -- send
r=$(http_last)
eq "$(http_field "$r" headers authorization)" \
  "Basic $(printf 'gw-user:pa:ss word' | base64)" "Basic credentials"

# --- json, bearer auth, a custom body template
printf 'tok-123\n' >"$T/sms.secret"
conf_set sms auth bearer
conf_set sms format json
expect_rc 0 "JSON POST with bearer auth" -- send
r=$(http_last)
eq "$(http_field "$r" headers authorization)" "Bearer tok-123" "Bearer token"
eq "$(http_field "$r" headers content-type)" application/json "JSON type"
"$SYS_PY" - "$r" "$text" <<'PY' >"$T/json" 2>&1
import json, sys
b = json.loads(json.load(open(sys.argv[1], encoding="utf-8"))["body"])
assert b == {"to": "+4512345678", "text": sys.argv[2]}, b
print("ok")
PY
expect_grep '^ok$' "$T/json" "JSON body parses to {to, text}"
conf_set sms body '{"msisdn":"{to}","message":{"text":"{text}"},"x":"{y"}'
expect_rc 0 "a custom JSON template" -- send
"$SYS_PY" - "$(http_last)" "$text" <<'PY' >"$T/json" 2>&1
import json, sys
b = json.loads(json.load(open(sys.argv[1], encoding="utf-8"))["body"])
assert b == {"msisdn": "+4512345678", "message": {"text": sys.argv[2]},
             "x": "{y"}, b
print("ok")
PY
expect_grep '^ok$' "$T/json" "custom template filled in"
conf_set sms body '{"to":"{to}","text":"{text}","from":"{sender}"}'
expect_rc 4 "an unknown {var} in the template is a config error" -- send
expect_grep 'unknown variable' "$T/err" "the unknown variable is reported"

# --- a secret file readable by others is refused, the secret never shown
conf_set sms body '{"to":"{to}","text":"{text}"}'
chmod 644 "$T/sms.secret"
n=$(http_count)
expect_rc 4 "secret file readable by others" -- send
expect_nogrep 'tok-123' "$T/err" "the token is not shown"
eq "$(http_count)" "$n" "nothing was sent"
chmod 600 "$T/sms.secret"
conf_set sms auth none
conf_set sms format form
conf_set sms body ''

# --- failures: exit 1 and the reason, nothing secret
fails() { # PATH PATTERN DESCRIPTION
  conf_set sms url "$U/$1"
  expect_rc 1 "$3 -> exit 1" -- send
  expect_grep "$2" "$T/err" "$3: reason"
  expect_nogrep '482913' "$T/err" "$3: no code in the reason"
}
fails fail500 'SMS gateway answered HTTP 500' "gateway 500"
fails status429 'SMS gateway answered HTTP 429' "gateway 429"
n=$(http_count)
fails redirect 'HTTP 302 \(redirects are not followed\)' "gateway redirect"
eq "$(http_count)" $((n + 1)) "the redirect was not followed"
fails huge 'reply too large' "a 1 MiB 200 reply"
fails hugefail 'reply too large' "a 1 MiB 500 reply"
fails refuse 'SMS gateway: .*(Empty reply|reset|Recv failure)' \
  "connection closed without an answer"
conf_set sms url "http://127.0.0.1:$(free_port)/send"
expect_rc 1 "nothing listening -> exit 1" -- send
expect_grep 'SMS gateway: .*(connect|refused)' "$T/err" "connect failure named"
conf_set sms url ''
expect_rc 1 "no [sms] url -> exit 1" -- send
expect_grep 'SMS is not configured' "$T/err" "not configured"

# --- a hanging gateway, through vouch_deliver: cut off within the timeout
conf_set sms url "$U/hang"
conf_set delivery timeout 2s
t0=$(now_ms)
printf '%s' "$text" | http_proxy=http://127.0.0.1:9 \
  "$DELIVER_DRIVE" "$CONF" sms +4512345678 >"$T/out" 2>"$T/err"
rc=$?
el=$(( $(now_ms) - t0 ))
eq "$rc" 24 "hanging gateway -> VOUCH_ERR_DELIVERY"
[ "$el" -lt 10000 ] && [ "$el" -lt 4000 ] && pass "within the 2 s timeout" ||
  fail "a hanging gateway took $el ms"
expect_grep 'sms delivery failed' "$T/err" "the failure is logged"

# --- and a working gateway through vouch_deliver with proxies set
conf_set sms url "$U/ok"
printf '%s' "$text" | ALL_PROXY=http://127.0.0.1:9 \
  "$DELIVER_DRIVE" "$CONF" sms +4512345678 >"$T/out" 2>"$T/err"
eq "$?" 0 "vouch_deliver -> helper -> gateway"
eq "$(http_field "$(http_last)" path)" /ok "the message arrived"

finish
