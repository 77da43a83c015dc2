#!/bin/sh
# vouch-web's reset page (SPEC 8), from the email to a PAM sign-in with
# the new password, against a real vouchd and vouch-web running as its
# own [web] user:
#   - the link in "Reset your password" leads to vouch-web ([web]
#     base_url); GET and HEAD show the form and use nothing up;
#   - every answer carries the headers (CSP, no referrer, no frames,
#     nosniff, no-store);
#   - a POST needs the form's CSRF token and an Origin of ours; the two
#     passwords must match; policy (length, not the previous) as at the
#     tools, the token kept for another try; then the password is set,
#     "Your password was changed" goes out, PAM takes the new password;
#   - a used or expired link gets "link expired" (410), and so does one
#     sent before a password change or a sign-out everywhere; an unknown one
#     "not valid" (404); pages in the account's language, else the
#     browser's; bad bodies get 4xx pages; a uid that is not [web] user
#     gets nothing from vouchd's web operations.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"
. "$VOUCH_SRC/tests/web/common.inc"

web_setup
add_user alice 'correct horse' --email alice@example.org
add_user bo 'hest batteri' --email bo@example.org --lang da
service pw "auth required pam_vouch_password.so conf=$CONF"
RESET="$VOUCH_BUILD/vouch-reset"

"$RESET" --config "$CONF" request alice --via email >/dev/null ||
  fail "vouch-reset request"
msg=$(ls -t "$T/mail"/* | head -n 1)
link=$(link_in "$msg")
[ -n "$link" ] && pass "the email's link leads to [web] base_url/reset" ||
  { fail "no $WEB/reset link in the email"; sed 's/^/  | /' "$msg" >&2; }
path=${link#"$WEB"}
token=${link#*token=}

# --- GET and HEAD: the form, nothing used up
H GET "$path"
expect_status 200 "GET the link: the form"
expect_body '<html lang="en">' "the page is in English (alice's)"
expect_body '<form method="post" action="/reset">' "a form that posts to /reset"
expect_body 'name="password".*autocomplete="new-password"' "a new-password field"
expect_body 'name="password2"' "a repeat field"
expect_body '<label for="password">New password</label>' "labelled fields"
expect_nogrep '<script' "$T/h" "no JavaScript"
eq "$(header content-security-policy)" \
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" \
  "Content-Security-Policy"
eq "$(header referrer-policy)" "no-referrer" "Referrer-Policy"
eq "$(header x-frame-options)" "DENY" "frames denied"
eq "$(header x-content-type-options)" "nosniff" "nosniff"
eq "$(header cache-control)" "no-store" "not cached"
csrf=$(csrf_of)
[ -n "$csrf" ] && pass "a CSRF token in the form" || fail "no CSRF token"
H HEAD "$path"
expect_status 200 "HEAD the link (a mail scanner)"
H GET "$path"
expect_status 200 "GET again: the link still works"
H GET /style.css
expect_status 200 "the stylesheet"
eq "$(header content-type)" "text/css; charset=utf-8" "stylesheet type"
eq "$(header x-content-type-options)" "nosniff" "headers on the stylesheet too"

# --- the rules of a POST
post() { H POST /reset -d "$(form "$@")" ${ORIGIN:+-H "Origin: $ORIGIN"}; }
post token="$token" password=new-horse-1 password2=new-horse-1
expect_status 403 "no CSRF token: 403"
post csrf="${csrf%?}x" token="$token" password=new-horse-1 password2=new-horse-1
expect_status 403 "a wrong CSRF token: 403"
expect_body 'This form has expired' "the page says why"
ORIGIN=http://evil.example post csrf="$csrf" token="$token" \
  password=new-horse-1 password2=new-horse-1
expect_status 403 "another Origin: 403"
H POST /reset -d "$(form csrf="$csrf" token="$token" password=a password2=a)" \
  -H 'Sec-Fetch-Site: cross-site'
expect_status 403 "Sec-Fetch-Site cross-site: 403"
post csrf="$csrf" token="$token" password=new-horse-1 password2=new-horse-2
expect_status 400 "passwords that differ"
expect_body 'role="alert">The two passwords are not the same' "and why"
csrf=$(csrf_of)
post csrf="$csrf" token="$token" password=short password2=short
expect_status 400 "a short password"
expect_body 'at least 8 characters' "the length is named"
post csrf="$csrf" token="$token" password='correct horse' \
  password2='correct horse'
expect_status 400 "the previous password"
expect_body 'may not be the same as your previous password' "and why"
eq "$(failures alice)" 0 "refused passwords count nothing"
n0=$(ls "$T/mail" | wc -l)
ORIGIN="$WEB" post csrf="$csrf" token="$token" password='new horse 1' \
  password2='new horse 1'
expect_status 200 "the new password is set"
expect_body 'Your password was changed' "the page says so"
mail_new=$(ls -t "$T/mail"/* | head -n 1)
[ "$(ls "$T/mail" | wc -l)" -gt "$n0" ] &&
  grep -q 'Subject: Your password was changed' "$mail_new" &&
  pass "\"Your password was changed\" went out" ||
  fail "no password-changed email"
answers 'new horse 1'
drive $PAM_SUCCESS "PAM takes the new password" pw alice auth
answers 'correct horse'
drive $PAM_AUTH_ERR "and no longer the old one" pw alice auth

# --- used up: the form and the link are gone
ORIGIN="$WEB" post csrf="$csrf" token="$token" password='new horse 2' \
  password2='new horse 2'
expect_status 410 "the form again (a replay): link expired"
expect_body 'This link has expired' "the page says so"
H GET "$path"
expect_status 410 "the used link: expired"
H GET /reset?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
expect_status 404 "an unknown token: not valid"
expect_body 'This link is not valid' "the page says so"
H GET '/reset?token=%3Cscript%3E'
expect_status 404 "a malformed token: not valid"
expect_nogrep '<script>' "$T/h" "nothing of it echoed"
H GET /reset
expect_status 404 "no token: not valid"

# --- languages: the account's, else the browser's
"$RESET" --config "$CONF" request bo --via email >/dev/null ||
  fail "vouch-reset request bo"
bolink=$(link_in "$(ls -t "$T/mail"/* | head -n 1)")
H GET "${bolink#"$WEB"}" -H 'Accept-Language: sv'
expect_body '<html lang="da">' "bo's page is Danish (his account's)"
expect_body 'Skift adgangskode' "in Danish words"
H GET /reset?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \
  -H 'Accept-Language: de-DE, sv;q=0.8, en;q=0.5'
expect_body '<html lang="sv">' "no account: the browser's first language we speak"
expect_body 'Länken är inte giltig' "in Swedish words"

# --- expiry moves with vouchd's clock
daemon_clock "+25h"
H GET "${bolink#"$WEB"}"
expect_status 410 "a link older than [reset] link_ttl: expired"
daemon_clock ""
H GET "${bolink#"$WEB"}"
expect_status 200 "the same link within its time"

# --- a password change, or signing out everywhere, ends the links out
"$RESET" --config "$CONF" request alice --via email >/dev/null ||
  fail "vouch-reset request (3)"
l3=$(link_in "$(ls -t "$T/mail"/* | head -n 1)")
printf 'another horse 3\n' | ctl passwd alice >/dev/null || fail "passwd"
H GET "${l3#"$WEB"}"
expect_status 410 "a link sent before a password change: expired"
"$RESET" --config "$CONF" request alice --via email >/dev/null ||
  fail "vouch-reset request (4)"
l4=$(link_in "$(ls -t "$T/mail"/* | head -n 1)")
"$VOUCH_BUILD/vouch-logout-all" --config "$CONF" alice >/dev/null ||
  fail "vouch-logout-all"
H GET "${l4#"$WEB"}"
expect_status 410 "a link sent before signing out everywhere: expired"

# --- bad input gets a 4xx page, never a crash
head -c 9000 /dev/zero | tr '\0' 'a' >"$T/big"
H POST /reset -b "$T/big"
expect_status 413 "an oversized body"
H POST /reset -d 'password=%ZZ'
expect_status 400 "a bad %-escape"
H POST /reset -d "$(form csrf=x token=y password=a password2=a extra=1)"
expect_status 400 "an unknown field"
printf 'password=\377\376' >"$T/bin"
H POST /reset -b "$T/bin"
expect_status 400 "a value that is not UTF-8"
H POST /reset -d 'a=1' -H 'Content-Type: text/plain'
expect_status 400 "not a form"
H PUT /reset -d 'a=1'
expect_status 405 "another method"
eq "$(header allow)" "GET, HEAD, POST" "Allow names the methods"
H GET /nothing-here
expect_status 404 "an unknown page"
alive "$WEB_PID" && pass "vouch-web still runs" || fail "vouch-web died"

# --- only [web] user gets answers to web operations
"$SYS_PY" - "$T/vouchd.sock" <<'PY' >"$T/asroot"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
p = b"W" + b"vouch/1\0reset.check\0" + b"A" * 43 + b"\0"
s.sendall(struct.pack(">I", len(p)) + p)
n = struct.unpack(">I", s.recv(4))[0]
print(s.recv(n)[1:].split(b"\0")[0].decode())
PY
eq "$(cat "$T/asroot")" "invalid" "root may ask (an unknown token)"
M="vwm$$"
mkuser "$M" && as_user "$M" "$SYS_PY" - "$T/vouchd.sock" <<'PY' >"$T/asm"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
p = b"W" + b"vouch/1\0reset.check\0" + b"A" * 43 + b"\0"
s.sendall(struct.pack(">I", len(p)) + p)
n = struct.unpack(">I", s.recv(4))[0]
print(s.recv(n)[1:].split(b"\0")[0].decode())
PY
eq "$(cat "$T/asm")" "refused" "another uid is refused"
ctl audit >"$T/audit"
expect_grep 'daemon.refused.*web operation' "$T/audit" "the refusal is audited"
ps -o user= -p "$WEB_PID" | grep -q "^$WU" &&
  pass "vouch-web runs as [web] user" || fail "vouch-web is not $WU"

finish
