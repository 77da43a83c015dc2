#!/bin/sh
# vouch-web behind Debian's nginx, with the site we ship
# (conf/nginx/vouch-web.conf: only its addresses, name and certificate
# changed) on loopback TLS ports: the reset link of the email works
# through it end to end, and so do forgot by email, a data request
# (confirm, download) and a TV sign-in with pam_vouch_device waiting; the
# headers of vouch-web arrive with nginx's HSTS, http:// is sent to
# https://, a body over 8 KiB stops at nginx, and the per-address rate
# limit of /reset answers 429.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"
. "$VOUCH_SRC/tests/web/common.inc"

command -v nginx >/dev/null && command -v openssl >/dev/null ||
  { fail "nginx or openssl missing (tests/deps.sh)"; finish; }
NG="$T/nginx"
mkdir -p "$NG"
NGX_PORT=$(free_port)
NGX_HTTP=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$NG/key.pem" \
  -out "$NG/cert.pem" >/dev/null 2>&1 || fail "a test certificate"
export VOUCH_TEST_CA="$NG/cert.pem"

# vouch-web on its own port, [web] base_url the public (nginx) address.
web_setup
INNER=$WEB_PORT
conf_set web base_url "https://127.0.0.1:$NGX_PORT"
add_user alice 'correct horse' --email alice@example.org
service pw "auth required pam_vouch_password.so conf=$CONF"
service tv "auth required pam_vouch_device.so conf=$CONF url=https://127.0.0.1:$NGX_PORT/tv"
kill "$WEB_PID" 2>/dev/null
wait "$WEB_PID" 2>/dev/null # its port is free again
web_start

sed -e "s|listen 80;|listen 127.0.0.1:$NGX_HTTP;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$NGX_PORT ssl http2;|" \
    -e '/listen \[::\]/d' \
    -e "s|server_name account.example.org;|server_name 127.0.0.1;|" \
    -e "s|/etc/ssl/certs/account.example.org.pem|$NG/cert.pem|" \
    -e "s|/etc/ssl/private/account.example.org.key|$NG/key.pem|" \
    -e "s|127.0.0.1:8417|127.0.0.1:$INNER|" \
    "$VOUCH_SRC/conf/nginx/vouch-web.conf" >"$NG/site.conf"
cat >"$NG/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log;
events { worker_connections 64; }
http {
  client_body_temp_path $NG/body;
  proxy_temp_path $NG/proxy;
  fastcgi_temp_path $NG/fastcgi;
  uwsgi_temp_path $NG/uwsgi;
  scgi_temp_path $NG/scgi;
  include $NG/site.conf;
}
CONF
nginx -t -p "$NG" -c "$NG/nginx.conf" >"$T/nginx-t" 2>&1 &&
  pass "nginx takes the shipped site" ||
  { fail "nginx -t"; sed 's/^/  | /' "$T/nginx-t" >&2; }
nginx -p "$NG" -c "$NG/nginx.conf" >"$NG/out" 2>&1 &
SERVER_PIDS="$SERVER_PIDS $!"
wait_port "$NGX_PORT" "$!" || { fail "nginx did not start"; cat "$NG/error.log" >&2; }

WEB="https://127.0.0.1:$NGX_PORT"
"$VOUCH_BUILD/vouch-reset" --config "$CONF" request alice --via email \
  >/dev/null || fail "vouch-reset request"
link=$(link_in "$(ls -t "$T/mail"/* | head -n 1)")
[ -n "$link" ] && pass "the link names the public https address" ||
  fail "no $WEB link in the email"
path=${link#"$WEB"}
H GET "$path"
expect_status 200 "the form through nginx (TLS verified)"
eq "$(header strict-transport-security)" "max-age=63072000" "HSTS from nginx"
eq "$(header referrer-policy)" "no-referrer" "vouch-web's headers pass"
case $(header content-security-policy) in
  "default-src 'none';"*) pass "CSP passes" ;;
  *) fail "CSP: $(header content-security-policy)" ;;
esac
csrf=$(csrf_of)
H POST /reset -H "Origin: $WEB" \
  -d "$(form csrf="$csrf" token="${link#*token=}" password='new horse 1' \
        password2='new horse 1')"
expect_status 200 "the new password set through nginx"
expect_body 'Your password was changed' "the page says so"
answers 'new horse 1'
drive $PAM_SUCCESS "PAM takes it" pw alice auth

# HR METHOD PATH ARGS: H, again after a 429 of the forms' rate limit
# (30 a minute, a burst of 5), bounded.
HR() {
  k=0
  while :; do
    H "$@"
    [ "$(status)" = 429 ] && [ $k -lt 15 ] || return 0
    sleep 2; k=$((k + 1))
  done
}
mails() { ls "$T/mail" | wc -l; }

# --- forgot by email through nginx: the link, then the new password
HR GET /forgot
fcsrf=$(csrf_of)
m0=$(mails)
HR POST /forgot -H "Origin: $WEB" -d "$(form csrf="$fcsrf" who=alice@example.org)"
expect_status 200 "forgot through nginx"
wait_file "$T/mail" $((m0 + 1))
flink=$(link_in "$(newest "$T/mail")")
HR GET "${flink#"$WEB"}"
expect_status 200 "its link through nginx"
rcsrf=$(csrf_of)
HR POST /reset -H "Origin: $WEB" \
  -d "$(form csrf="$rcsrf" token="${flink#*token=}" password='new horse 2' \
        password2='new horse 2')"
expect_status 200 "forgot: the new password set through nginx"
answers 'new horse 2'
drive $PAM_SUCCESS "PAM takes it" pw alice auth

# --- a data request through nginx: confirm, then download
EXPORT="$VOUCH_BUILD/vouch-export"
"$EXPORT" --config "$CONF" request alice >/dev/null || fail "export request"
clink=$(link_in "$(newest "$T/mail")" /export/confirm)
HR GET "${clink#"$WEB"}"
expect_status 200 "the confirmation page through nginx"
ecsrf=$(csrf_of)
HR POST /export/confirm -H "Origin: $WEB" \
  -d "$(form csrf="$ecsrf" token="${clink#*token=}" password='new horse 2')"
expect_status 200 "confirmed through nginx"
"$EXPORT" --config "$CONF" run >/dev/null || fail "vouch-export run"
dlink=$(link_in "$(newest "$T/mail")" /export/download)
HR GET "${dlink#"$WEB"}"
expect_status 200 "the download page through nginx"
dcsrf=$(csrf_of)
HR POST /export/download -H "Origin: $WEB" \
  -d "$(form csrf="$dcsrf" token="${dlink#*token=}" user=alice \
        password='new horse 2')"
expect_status 200 "the archive through nginx"
case $(header content-disposition) in
  attachment*personal-information-*) pass "as a file" ;;
  *) fail "content-disposition: $(header content-disposition)" ;;
esac
expect_body '"alice"' "alice's information"

# --- a TV sign-in through nginx while pam_vouch_device waits
conv_start tv tv auth
conv_wait_for "^TEXT_INFO: Or open $WEB/tv on"
tcode=$(shown_code)
HR GET "/tv?code=$tcode"
expect_status 200 "the TV page through nginx"
tcsrf=$(csrf_of)
m0=$(mails)
HR POST /tv -H "Origin: $WEB" \
  -d "$(form csrf="$tcsrf" code="$tcode" user=alice password='new horse 2')"
expect_status 200 "signed in through nginx"
wait_file "$T/mail" $((m0 + 1))
ecode=$(code_in "$(newest "$T/mail")")
flow=$(body | sed -n 's/.*name="flow" value="\([^"]*\)".*/\1/p' | head -n 1)
kcsrf=$(csrf_of)
HR POST /tv/check -H "Origin: $WEB" \
  -d "$(form csrf="$kcsrf" flow="$flow" device="$tcode" way=email \
        action=answer code="$ecode")"
expect_status 200 "the check passed through nginx"
flow=$(body | sed -n 's/.*name="flow" value="\([^"]*\)".*/\1/p' | head -n 1)
acsrf=$(csrf_of)
HR POST /tv/approve -H "Origin: $WEB" \
  -d "$(form csrf="$acsrf" flow="$flow" code="$tcode" decision=approve)"
expect_status 200 "approved through nginx"
expect_conv $PAM_SUCCESS "the TV signs in"

"$SYS_PY" "$WEB_HTTP" GET "http://127.0.0.1:$NGX_HTTP$path" >"$T/h" 2>&1
expect_status 301 "http:// is sent to https://"
head -c 9000 /dev/zero | tr '\0' 'a' >"$T/big"
H POST /reset -b "$T/big"
expect_status 413 "a body over 8 KiB stops at nginx"
n429=0
for i in 1 2 3 4 5 6 7 8 9 10; do
  H GET "$path"
  [ "$(status)" = 429 ] && n429=$((n429 + 1))
done
[ "$n429" -gt 0 ] && pass "the rate limit of /reset answers 429 ($n429 of 10)" ||
  fail "no 429 in 10 quick requests to /reset"
alive "$WEB_PID" && pass "vouch-web still runs" || fail "vouch-web died"

finish
