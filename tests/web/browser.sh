#!/bin/sh
# The member pages in a real browser (Debian's chromium, headless, driven
# by playwright-core from tests/web/node_modules), on a 320-px-wide
# screen, each flow from the message to its end:
#   - reset by link, for an English and a Danish member (the form, a
#     mismatch, the new password, the used link), then a PAM sign-in with
#     the new password;
#   - forgot by phone (the number, the code from the SMS, the new
#     password), then a PAM sign-in;
#   - a data request confirmed from its email, then the archive
#     downloaded after signing in;
#   - a TV sign-in with pam_vouch_device waiting in parallel: the address
#     it shows, sign in, the code from the email (a wrong one first, then
#     "send code again"), approve: the TV signs in; and for a Danish
#     member "try another way" to the card number, then deny.
# Every page in the expected language, labelled, styled by its one
# stylesheet, without scripts, CSP errors or horizontal scrolling.
# Screenshots of every page go to $VOUCH_BUILD/screens/.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"
. "$VOUCH_SRC/tests/web/common.inc"

NODE_DIR="$VOUCH_SRC/tests/web/node_modules/playwright-core"
[ -x /usr/bin/chromium ] && [ -d "$NODE_DIR" ] && command -v node >/dev/null ||
  { fail "chromium, node or playwright-core missing (tests/deps.sh)"; finish; }
web_setup
add_user alice 'correct horse' --email alice@example.org
add_user bo 'hest batteri' --email bo@example.org --lang da \
  --phone +4512345678
ctl phone verify bo --trusted >/dev/null || fail "phone verify bo"
service pw "auth required pam_vouch_password.so conf=$CONF"
service tv "auth required pam_vouch_device.so conf=$CONF url=$WEB/tv"
printf '4111 1111 1111 1111\n' | ctl card set bo >/dev/null ||
  fail "card set bo"
SHOTS="$VOUCH_BUILD/screens"
mkdir -p "$SHOTS"

# browse NAME NEWPW: the member's reset link in the browser; its steps in
# $T/NAME.json.
browse() {
  "$VOUCH_BUILD/vouch-reset" --config "$CONF" request "$1" --via email \
    >/dev/null || fail "vouch-reset request $1"
  link=$(link_in "$(ls -t "$T/mail"/* | head -n 1)")
  timeout 120 node "$VOUCH_SRC/tests/web/browser.mjs" "$link" "$2" "$SHOTS" \
    "reset-$1" >"$T/$1.json" 2>"$T/$1.err" ||
    { fail "the browser run for $1"; sed 's/^/  | /' "$T/$1.err" >&2; }
}
# page_ok NAME STEP: the rules every page keeps.
page_ok() {
  expect_step "$1" "$2" '"fits":true' "$1 $2: fits a 320-px screen"
  expect_step "$1" "$2" '"scripts":0' "$1 $2: no scripts"
  expect_step "$1" "$2" '"styled":true' "$1 $2: its stylesheet applies"
  expect_step "$1" "$2" '"labelled":true' "$1 $2: every field labelled"
  [ -s "$SHOTS/$3-$2.png" ] && pass "$1 $2: a screenshot" ||
    fail "$1 $2: no screenshot"
}
# step NAME STEP: that step's line.
step() { grep "\"step\":\"$2\"" "$T/$1.json"; }
# expect_step NAME STEP FRAGMENT DESC
expect_step() {
  if step "$1" "$2" | grep -qF -- "$3"; then pass "$4"
  else fail "$4: $3 not in: $(step "$1" "$2")"; fi
}

check_member() { # NAME LANG FORM-H1 MISMATCH DONE-H1 USED-H1
  n=$1
  expect_step "$n" form '"status":200' "$n: the form"
  expect_step "$n" form "\"lang\":\"$2\"" "$n: the page's language"
  expect_step "$n" form "\"h1\":\"$3\"" "$n: its heading"
  for s in form mismatch done used; do
    page_ok "$n" $s "reset-$n"
  done
  expect_step "$n" mismatch '"status":400' "$n: a mismatch is refused"
  expect_step "$n" mismatch "\"alert\":\"$4\"" "$n: and says why"
  expect_step "$n" done '"status":200' "$n: the new password is set"
  expect_step "$n" done "\"h1\":\"$5\"" "$n: the page says so"
  expect_step "$n" used '"status":410' "$n: the link is used up"
  expect_step "$n" used "\"h1\":\"$6\"" "$n: and says so"
  expect_step "$n" console '"problems":[]' "$n: no console errors (CSP)"
  grep -q '"step":"error"' "$T/$n.json" &&
    fail "$n: $(step "$n" error)"
}

browse alice 'new horse 1'
check_member alice en 'Change password' 'The two passwords are not the same.' \
  'Your password was changed' 'This link has expired'
answers 'new horse 1'
drive $PAM_SUCCESS "alice signs in through PAM with the new password" pw alice auth

browse bo 'ny hest 2'
check_member bo da 'Skift adgangskode' 'De to adgangskoder er ikke ens.' \
  'Din adgangskode er blevet ændret' 'Linket er udløbet'
answers 'ny hest 2'
drive $PAM_SUCCESS "bo signs in through PAM with the new password" pw bo auth

# --- forgot by phone (the browser's language: English)
timeout 120 node "$VOUCH_SRC/tests/web/forgot.mjs" "$WEB" '+45 12 34 56 78' \
  "$T/sms" 'ny hest 3' "$SHOTS" forgot-bo >"$T/fbo.json" 2>"$T/fbo.err" ||
  { fail "the browser run of forgot"; sed 's/^/  | /' "$T/fbo.err" >&2; }
for s in ask sent done; do page_ok fbo $s forgot-bo; done
expect_step fbo ask '"h1":"Forgot your password?"' "forgot: the page"
expect_step fbo sent '"h1":"Check your messages"' "forgot: the code page"
expect_step fbo done '"h1":"Your password was changed"' "forgot: done"
expect_step fbo console '"problems":[]' "forgot: no console errors"
grep -q '"step":"error"' "$T/fbo.json" && fail "forgot: $(step fbo error)"
answers 'ny hest 3'
drive $PAM_SUCCESS "bo signs in with the password set by phone" pw bo auth

# --- a data request: confirmed in the browser, then downloaded
EXPORT="$VOUCH_BUILD/vouch-export"
"$EXPORT" --config "$CONF" request alice >/dev/null || fail "export request"
clink=$(link_in "$(newest "$T/mail")" /export/confirm)
timeout 120 node "$VOUCH_SRC/tests/web/export.mjs" confirm "$clink" \
  'new horse 1' "$SHOTS" export-alice >"$T/eal.json" 2>"$T/eal.err" ||
  { fail "the browser run of confirm"; sed 's/^/  | /' "$T/eal.err" >&2; }
for s in confirm confirmed; do page_ok eal $s export-alice; done
expect_step eal confirmed '"h1":"Request confirmed"' "export: confirmed"
"$EXPORT" --config "$CONF" run >/dev/null || fail "vouch-export run"
dlink=$(link_in "$(newest "$T/mail")" /export/download)
timeout 120 node "$VOUCH_SRC/tests/web/export.mjs" download "$dlink" alice \
  'new horse 1' "$SHOTS" export-alice "$T/archive.json" >"$T/edl.json" \
  2>"$T/edl.err" ||
  { fail "the browser run of download"; sed 's/^/  | /' "$T/edl.err" >&2; }
page_ok edl signin export-alice
expect_step edl download '"file":"personal-information-' \
  "export: the archive comes as a file"
expect_grep '"alice"' "$T/archive.json" "export: alice's information"
expect_step edl console '"problems":[]' "export: no console errors"
for f in "$T"/*.json; do
  grep -q '"step":"error"' "$f" && fail "$(basename "$f"): $(grep error "$f")"
done

# --- a TV sign-in: pam_vouch_device waits while the member approves
# tv NAME USER PASSWORD WAY [CARD]: the browser run, from the address the
# TV shows; its steps in $T/NAME.json.
tv() {
  conv_start tv tv auth
  conv_wait_for "^TEXT_INFO: Or open $WEB/tv on"
  tcode=$(shown_code)
  timeout 120 node "$VOUCH_SRC/tests/web/tv.mjs" "$WEB/tv?code=$tcode" "$2" \
    "$3" "$T/mail" "$SHOTS" "$1" "$4" "${5:-}" >"$T/$1.json" \
    2>"$T/$1.err" ||
    { fail "the browser run of $1"; sed 's/^/  | /' "$T/$1.err" >&2; }
}
tv tv-alice alice 'new horse 1' code
for s in signin check wrong resend approve done; do
  page_ok tv-alice $s tv-alice
done
expect_step tv-alice prefilled "\"code\":\"$tcode\"" "tv: the code prefilled"
expect_step tv-alice signin '"h1":"Sign in on a TV"' "tv: the sign-in page"
expect_step tv-alice check '"h1":"Security check"' "tv: the security check"
expect_step tv-alice wrong '"alert":"That code is not right.' "tv: a wrong code"
expect_step tv-alice resend '"alert":"A code was sent a moment ago' \
  "tv: send code again too soon"
expect_step tv-alice approve '"h1":"Sign in the TV?"' "tv: approve?"
expect_step tv-alice done '"h1":"The TV is signed in"' "tv: approved"
expect_step tv-alice console '"problems":[]' "tv: no console errors"
expect_conv $PAM_SUCCESS "the TV signs in"
grep -qx 'user: alice' "$T/conv.out" && pass "tv: as alice" ||
  fail "tv: PAM_USER is not alice"

tv tv-bo bo 'ny hest 3' card '4111 1111 1111 1111'
for s in signin check card approve done; do page_ok tv-bo $s tv-bo; done
expect_step tv-bo check '"lang":"da"' "tv: bo's language after sign-in"
expect_step tv-bo card '"h1":"Sikkerhedskontrol"' "tv: the card (da)"
expect_step tv-bo approve '"h1":"Log tv'"'"'et ind?"' "tv: approve? (da)"
expect_step tv-bo done '"h1":"Login afvist"' "tv: denied (da)"
expect_step tv-bo console '"problems":[]' "tv: no console errors (da)"
expect_conv $PAM_AUTH_ERR "the denied TV fails"
for f in "$T"/tv-*.json; do
  grep -q '"step":"error"' "$f" && fail "$(basename "$f"): $(grep error "$f")"
done

finish
