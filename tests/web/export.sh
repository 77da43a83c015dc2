#!/bin/sh
# vouch-web's data request confirmation (SPEC 8): the link in "Confirm
# your request for your personal information" opens a form for the
# current password; a GET uses nothing up; a wrong password is refused
# and counted as at sign-in; the right one moves the request in progress
# and the link is then gone (410); the same page lets the member cancel a
# pending request instead; pages in the account's language; no CSRF
# token, no confirmation.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"
. "$VOUCH_SRC/tests/web/common.inc"

web_setup
add_user alice 'correct horse' --email alice@example.org
add_user bo 'hest batteri' --email bo@example.org --lang da
EXPORT="$VOUCH_BUILD/vouch-export"
elink() { link_in "$(newest "$T/mail")" /export/confirm; }

"$EXPORT" --config "$CONF" request alice >/dev/null || fail "export request"
link=$(elink)
[ -n "$link" ] && pass "the confirmation email links to vouch-web" ||
  fail "no $WEB/export/confirm link in the email"
path=${link#"$WEB"}
token=${link#*token=}
grep -q "$token" "$(ls -t "$T/mail"/* | head -n 1)" &&
  pass "the token is in the email for vouch-export confirm too"

H HEAD "$path"
expect_status 200 "HEAD (a mail scanner)"
H GET "$path"
expect_status 200 "the confirmation form"
expect_body '<label for="password">Current password</label>' \
  "asks for the current password"
expect_body 'action="/export/cancel"' "and offers to cancel"
csrf=$(csrf_of)

H POST /export/confirm -d "$(form csrf="$csrf" token="$token" password=wrong)"
expect_status 400 "a wrong password"
expect_body 'That password is not right' "says so"
eq "$(failures alice)" 1 "counted as at sign-in"
H POST /export/confirm -d "$(form token="$token" password='correct horse')"
expect_status 403 "no CSRF token"
H POST /export/confirm \
  -d "$(form csrf="$csrf" token="$token" password='correct horse')"
expect_status 200 "the right password"
expect_body 'Request confirmed' "confirmed"
"$EXPORT" --config "$CONF" list alice >"$T/list"
expect_grep 'In progress' "$T/list" "the request is in progress"
eq "$(failures alice)" 0 "a right password clears the count"
H GET "$path"
expect_status 410 "the link again: gone"
H POST /export/confirm \
  -d "$(form csrf="$csrf" token="$token" password='correct horse')"
expect_status 410 "the form again: gone"

# --- the ready email links to the download page; sign in, then the file
"$EXPORT" --config "$CONF" run >/dev/null || fail "vouch-export run"
dlink=$(link_in "$(newest "$T/mail")" /export/download)
[ -n "$dlink" ] && pass "the ready email links to the download page" ||
  fail "no download link in the ready email"
dpath=${dlink#"$WEB"}
dtok=${dlink#*token=}
H GET "$dpath"
expect_status 200 "the download page"
expect_body '<label for="user">User name</label>' "asks who signs in"
dcsrf=$(csrf_of)
H POST /export/download -d "$(form csrf="$dcsrf" token="$dtok" user=alice \
  password=wrong)"
expect_status 400 "a wrong password"
expect_body 'The user name or password is not right' "says so"
eq "$(failures alice)" 1 "counted as at sign-in"
H POST /export/download -d "$(form csrf="$dcsrf" token="$dtok" user=bo \
  password='hest batteri')"
expect_status 400 "another member's name and password"
expect_body 'The user name or password is not right' "the same words"
H POST /export/download -d "$(form csrf="$dcsrf" token="$dtok" user=alice \
  password='correct horse')"
expect_status 200 "alice downloads"
case $(header content-disposition) in
  'attachment; filename="personal-information-'*'.json"') pass "as a file" ;;
  *) fail "Content-Disposition: $(header content-disposition)" ;;
esac
eq "$(header content-type)" "application/json; charset=utf-8" "JSON"
expect_body '"alice"' "her information"
eq "$(header x-content-type-options)" "nosniff" "with the headers"
H GET "$dpath"
expect_status 200 "the link works while the copy is kept"

# --- bo cancels his, in Danish
"$EXPORT" --config "$CONF" request bo >/dev/null || fail "export request bo"
blink=$(elink)
H GET "${blink#"$WEB"}"
expect_status 200 "bo's form"
expect_body '<html lang="da">' "in Danish"
expect_body 'Nuværende adgangskode' "with Danish words"
bcsrf=$(csrf_of)
H POST /export/cancel -d "$(form csrf="$bcsrf" token="${blink#*token=}")"
expect_status 200 "bo cancels"
expect_body 'Anmodningen er annulleret' "in Danish"
"$EXPORT" --config "$CONF" list bo >"$T/list"
expect_grep 'Cancelled' "$T/list" "the request is cancelled"
H POST /export/confirm \
  -d "$(form csrf="$bcsrf" token="${blink#*token=}" password='hest batteri')"
expect_status 410 "a cancelled request cannot be confirmed"
H GET /export/confirm?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
expect_status 404 "an unknown token"

# --- one count of wrong passwords for the web and PAM ([password]
# max_failures = 3): the web's lock the PAM sign-in, and the reverse
conf_set password max_failures 3
service pw "auth required pam_vouch_password.so conf=$CONF"
add_user carol 'carol pw 1' --email carol@example.org
"$EXPORT" --config "$CONF" request carol >/dev/null || fail "request carol"
cl=$(elink)
H GET "${cl#"$WEB"}"
cc=$(csrf_of)
H POST /export/confirm -d "$(form csrf="$cc" token="${cl#*token=}" \
  password=wrong)"
answers wrong
drive $PAM_AUTH_ERR "a wrong password at PAM" pw carol auth
H POST /export/confirm -d "$(form csrf="$cc" token="${cl#*token=}" \
  password=wrong)"
expect_status 403 "the third wrong password (web, PAM, web) locks"
expect_body 'Too many wrong answers' "the page says so"
answers 'carol pw 1'
drive $PAM_MAXTRIES "then PAM refuses the right password" pw carol auth

finish
