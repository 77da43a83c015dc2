#!/bin/sh
# Reset by link in a real browser (Debian's chromium, headless, driven by
# playwright-core from tests/web/node_modules), on a 320-px-wide screen,
# then a PAM sign-in with the new password.  For an English and a Danish
# member: the form, the mismatch, the new password, the used link; each
# page in the member's language, labelled, styled by its one stylesheet,
# without scripts, CSP errors or horizontal scrolling.  Screenshots of
# every page go to $VOUCH_BUILD/screens/.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"
. "$VOUCH_SRC/tests/web/common.inc"

NODE_DIR="$VOUCH_SRC/tests/web/node_modules/playwright-core"
[ -x /usr/bin/chromium ] && [ -d "$NODE_DIR" ] && command -v node >/dev/null ||
  { fail "chromium, node or playwright-core missing (tests/deps.sh)"; finish; }
web_setup
add_user alice 'correct horse' --email alice@example.org
add_user bo 'hest batteri' --email bo@example.org --lang da
service pw "auth required pam_vouch_password.so conf=$CONF"
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
    expect_step "$n" $s '"fits":true' "$n $s: fits a 320-px screen"
    expect_step "$n" $s '"scripts":0' "$n $s: no scripts"
    expect_step "$n" $s '"styled":true' "$n $s: its stylesheet applies"
    expect_step "$n" $s '"labelled":true' "$n $s: every field labelled"
    [ -s "$SHOTS/reset-$n-$s.png" ] && pass "$n $s: a screenshot" ||
      fail "$n $s: no screenshot"
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

finish
