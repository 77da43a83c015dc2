#!/bin/sh
# vouch-web's TV pages (SPEC 8) with pam_vouch_device url= waiting in
# parallel (in pamdrive under pam_wrapper):
#   - the TV shows the address and a QR code of /tv?code=C (read back by
#     zbar); GET /tv?code=C prefills the code and uses nothing up;
#   - sign-in: no CSRF token 403; a malformed code 400 before anything
#     is counted; a wrong password and an unknown name get the same page
#     (400), the wrong password counted as at pam_vouch_password;
#   - the security check: a code by email, "send code again" too soon
#     refused, "try another way" to SMS and to the card number; wrong
#     answers counted as at pam_vouch_otp and pam_vouch_card;
#   - approve: the TV signs in as the member (PAM_USER); the used pages
#     are gone (410); deny, in the account's language (da);
#   - a sign-in code that no TV shows: said so, and the member may type it
#     again; five wrong codes lock the account from the web, and PAM
#     refuses it then (one lockout for both).
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"
. "$VOUCH_SRC/tests/web/common.inc"

web_setup
add_user alice 'correct horse' --email alice@example.org --phone +4512345678
ctl phone verify alice --trusted >/dev/null || fail "phone verify alice"
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card set alice"
add_user bo 'hest batteri' --email bo@example.org --lang da
add_user carl 'carl password' --email carl@example.org
service tv "auth required pam_vouch_device.so conf=$CONF url=$WEB/tv"
service pw "auth required pam_vouch_password.so conf=$CONF"
mails() { ls "$T/mail" | wc -l | tr -d ' '; }
# check_fails USER: failed security checks of USER in the audit trail.
check_fails() {
  ctl audit "$1" | awk '$3 == "check.fail" { n++ } END { print n + 0 }'
}
# tv_wait: a TV (pam_vouch_device) waits; its sign-in code in $code.
tv_wait() {
  conv_start tv tv auth
  conv_wait_for '^TEXT_INFO: Your sign-in code: '
  code=$(shown_code)
}
# tv_stop: the TV still waiting gives up.
tv_stop() {
  pkill -f "$PAMDRIVE tv tv auth" 2>/dev/null
  conv_end 5
}
# flow_of: the step's token in the last page's form.
flow_of() { body | sed -n 's/.*name="flow" value="\([^"]*\)".*/\1/p' | head -n 1; }

tv_wait
conv_wait_for "^TEXT_INFO: Or open $WEB/tv on"
qr_check "$WEB/tv?code=$code" "the TV's QR code opens the TV page with its code"

# --- the sign-in page
H HEAD "/tv?code=$code"
expect_status 200 "HEAD /tv"
H GET "/tv?code=$code" -H 'Accept-Language: en'
expect_status 200 "GET /tv?code="
expect_body "name=\"code\" type=\"text\"[^>]*value=\"$code\"" "the code prefilled"
expect_body '<label for="user">User name</label>' "asks the user name"
expect_body '<label for="password">Password</label>' "and the password"
csrf=$(csrf_of)
H GET "/tv?code=$(printf 'A%.0s' $(seq 1 40))"
expect_status 400 "an over-long code in the address"
H PUT /tv
expect_status 405 "PUT /tv"
H GET /tv/check
expect_status 405 "GET /tv/check"

H POST /tv -d "$(form code="$code" user=alice password='correct horse')"
expect_status 403 "no CSRF token"
H POST /tv -d "$(form csrf="$csrf" code=ABC user=alice password='correct horse')"
expect_status 400 "a malformed code"
expect_body '8 letters and digits' "says what a code looks like"
eq "$(failures alice)" 0 "a malformed code counts nothing"
H POST /tv -d "$(form csrf="$csrf" code="$code" user=alice password=wrong)"
expect_status 400 "a wrong password"
expect_body 'The user name or password is not right' "says so"
body | sed 's/value="[^"]*"//g' >"$T/wrong.page"
eq "$(failures alice)" 1 "counted as at pam_vouch_password"
H POST /tv -d "$(form csrf="$csrf" code="$code" user=alice password=wrong)"
H POST /tv -d "$(form csrf="$csrf" code="$code" user=nobody password=wrong)"
expect_status 400 "an unknown name"
body | sed 's/value="[^"]*"//g' >"$T/unknown.page"
cmp -s "$T/wrong.page" "$T/unknown.page" &&
  pass "an unknown name gets the same page" ||
  fail "an unknown name gets another page: $(diff "$T/wrong.page" "$T/unknown.page")"

# --- the security check: a code by email
m0=$(mails)
H POST /tv -d "$(form csrf="$csrf" code="$code" user=alice password='correct horse')"
expect_status 200 "the right password"
expect_body '<h1>Security check</h1>' "the security check"
expect_body 'We sent a code to a' "a code by email"
expect_body 'name="action" value="resend"' "send code again"
expect_body 'Try another way' "try another way"
expect_body 'name="to" value="sms"' "by SMS"
expect_body 'name="to" value="card"' "or the card"
eq "$(failures alice)" 0 "the right password clears the count"
wait_file "$T/mail" $((m0 + 1))
ecode=$(code_in "$(newest "$T/mail")")
flow=$(flow_of)
fcsrf=$(csrf_of)
cpost() { H POST /tv/check -d "$(form csrf="$fcsrf" flow="$flow" device="$code" "$@")"; }
wrong=$(printf '%06d' $(( (1${ecode} - 1000000 + 1) % 1000000 )))
cpost way=email action=answer code="$wrong"
expect_status 400 "a wrong code"
expect_body 'That code is not right' "says so"
eq "$(check_fails alice)" 1 "counted as a failed security check"
cpost way=email action=answer code=12ab
expect_status 400 "a malformed code"
eq "$(check_fails alice)" 1 "not counted"
cpost way=email action=resend code=
expect_status 400 "send again at once"
expect_body 'Wait a little' "the resend interval"
H POST /tv/check -d "$(form flow="$flow" device="$code" way=email action=answer code="$ecode")"
expect_status 403 "a check without its CSRF token"
H POST /tv/check -d "$(form csrf="$csrf" flow="$flow" device="$code" way=email action=answer code="$ecode")"
expect_status 403 "the sign-in form's CSRF token at the check"

# Another way: SMS, then the card number.
s0=$(ls "$T/sms" | wc -l)
cpost way=email to=sms code=
expect_status 200 "another way: SMS"
expect_body 'by SMS to \+45' "a code by SMS"
wait_file "$T/sms" $((s0 + 1))
cpost way=sms to=card code=
expect_status 200 "another way: the card"
expect_body 'ends in 1111' "the card on file"
expect_body '<label for="card">Card number</label>' "asks the card number"
cpost way=card action=answer card='5555 5555 5555 4444'
expect_status 400 "a wrong card number"
expect_body 'not the one on file' "says so"
eq "$(check_fails alice)" 2 "counted as a failed security check"
cpost way=bogus action=answer card=1
expect_status 400 "a way that does not exist"
cpost way=card action=answer card='4111-1111-1111-1111'
expect_status 200 "the card on file"
expect_body '<h1>Sign in the TV\?</h1>' "the approval page"
expect_body 'account alice' "names the account"
expect_body "value=\"$code\"" "shows the code"
aflow=$(flow_of)
acsrf=$(csrf_of)
cpost way=card action=answer card='4111-1111-1111-1111'
expect_status 410 "the check page again: used up"

# --- approve: the TV signs in as alice
H POST /tv/approve -d "$(form csrf="$acsrf" flow="$aflow" code="$code" decision=approve)"
expect_status 200 "approved"
expect_body 'The TV is signed in' "says so"
expect_conv $PAM_SUCCESS "the TV signs in"
grep -qx 'user: alice' "$T/conv.out" && pass "PAM_USER is alice" ||
  fail "PAM_USER is not alice: $(grep '^user' "$T/conv.out")"
H POST /tv/approve -d "$(form csrf="$acsrf" flow="$aflow" code="$code" decision=approve)"
expect_status 410 "the approval again: used up"
eq "$(audit_count device.approved)" 1 "one approval audited"

# --- deny, in Danish (bo's language); a code that no TV shows first
tv_wait
m0=$(mails)
H POST /tv -d "$(form csrf="$csrf" code="$code" user=bo password='hest batteri')" \
  -H 'Accept-Language: en'
expect_status 200 "bo signs in"
expect_body '<html lang="da">' "in bo's language"
expect_body '<h1>Sikkerhedskontrol</h1>' "Sikkerhedskontrol"
wait_file "$T/mail" $((m0 + 1))
ecode=$(code_in "$(newest "$T/mail")")
flow=$(flow_of)
fcsrf=$(csrf_of)
cpost way=email action=answer code="$ecode"
expect_status 200 "bo's code"
expect_body '<h1>Log tv&#39;et ind\?</h1>' "the approval page (da)"
aflow=$(flow_of)
acsrf=$(csrf_of)
other=2222-2222
[ "$other" = "$code" ] && other=3333-3333
H POST /tv/approve -d "$(form csrf="$acsrf" flow="$aflow" code="$other" decision=approve)"
expect_status 400 "a code no TV shows"
expect_body 'Intet tv venter' "says so (da)"
aflow=$(flow_of)
acsrf=$(csrf_of)
H POST /tv/approve -d "$(form csrf="$acsrf" flow="$aflow" code="$code" decision=deny)"
expect_status 200 "denied"
expect_body 'Login afvist' "says so (da)"
expect_conv $PAM_AUTH_ERR "the denied TV fails"

# --- a new password ends a TV sign-in half done
tv_wait
H POST /tv -d "$(form csrf="$csrf" code="$code" user=alice password='correct horse')"
expect_status 200 "alice signs in again"
flow=$(flow_of)
fcsrf=$(csrf_of)
cpost way=email to=card code=
cpost way=card action=answer card='4111 1111 1111 1111'
expect_status 200 "the approval page"
aflow=$(flow_of)
acsrf=$(csrf_of)
printf 'another horse 9\n' | ctl passwd alice >/dev/null 2>&1 ||
  fail "vouchctl passwd alice"
H POST /tv/approve -d "$(form csrf="$acsrf" flow="$aflow" code="$code" decision=approve)"
expect_status 410 "the approval after a new password: gone"
expect_body "href=\"/tv\?code=$code\"" "start again keeps the code"
[ ! -e "$T/conv.rc" ] && pass "the TV still waits" ||
  fail "the TV still waits: it ended"
tv_stop

# --- lockout from the web locks PAM too ([lockout] max_failures = 5)
tv_wait
H POST /tv -d "$(form csrf="$csrf" code="$code" user=carl password='carl password')"
expect_status 200 "carl signs in"
flow=$(flow_of)
fcsrf=$(csrf_of)
for i in 1 2 3 4; do
  cpost way=email action=answer code=000000
  expect_status 400 "carl: wrong code $i"
done
cpost way=email action=answer code=000000
expect_status 403 "the fifth wrong code locks"
expect_body 'Too many wrong answers' "says so"
ctl user show carl --json >"$T/show"
expect_grep '"state":"locked"' "$T/show" "carl is locked"
answers 'carl password'
drive $PAM_MAXTRIES "PAM refuses carl now" pw carl auth
H POST /tv -d "$(form csrf="$csrf" code="$code" user=carl password='carl password')"
expect_status 400 "the web refuses carl now"
body | sed 's/value="[^"]*"//g' >"$T/locked.page"
cmp -s "$T/unknown.page" "$T/locked.page" &&
  pass "a locked account gets the page of an unknown name" ||
  fail "a locked account's page differs: $(diff "$T/unknown.page" "$T/locked.page")"
expect_body 'href="/forgot"' "which leads to a new password"
tv_stop

finish
