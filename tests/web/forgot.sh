#!/bin/sh
# vouch-web's forgot page (SPEC 8): from an email address or a phone
# number, a reset link by email or a code by SMS, with the same answer and
# at least the same padded time whether or not an account matches, and
# limits per destination and per account kept in the store:
#   - an email address in any case: the link, which then works;
#   - a verified phone (written with spaces): the code page; a wrong code
#     counts on the code but not toward the account's lockout (a stranger
#     knows the number only): five of them kill the code, the account
#     stays open; the right code and a new password end it, and PAM takes
#     the new password;
#   - every way a code fails, for a number with or without an account,
#     gets the same answer, and so does a password of the wrong shape;
#   - unknown addresses and numbers: the same pages, nothing sent;
#   - neither an address nor a number: said so (400); no CSRF token: 403;
#   - [reset] max_per_hour requests a destination an hour, then 429, for
#     an unknown destination too.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"
. "$VOUCH_SRC/tests/web/common.inc"

web_setup "[reset]
max_per_hour = 3"
add_user alice 'correct horse' --email alice@example.org
add_user bo 'hest batteri' --email bo@example.org --phone +4512345678 \
  --lang da
ctl phone verify bo --trusted >/dev/null || fail "phone verify bo"
service pw "auth required pam_vouch_password.so conf=$CONF"
mails() { ls "$T/mail" | wc -l | tr -d ' '; }
smss() { ls "$T/sms" | wc -l | tr -d ' '; }

H GET /forgot -H 'Accept-Language: en'
expect_status 200 "the forgot page"
expect_body '<label for="who">Email address or phone number</label>' \
  "one labelled field"
csrf=$(csrf_of)

# forgot WHO: POST /forgot, its time in $ms.
forgot() {
  t0=$(now_ms)
  H POST /forgot -d "$(form csrf="$csrf" who="$1")" -H 'Accept-Language: en'
  ms=$(( $(now_ms) - t0 ))
}

# --- by email: any case, the link works
m0=$(mails)
forgot 'ALICE@Example.ORG'
expect_status 200 "an account's email address"
expect_body 'If an account uses this email address' "the page says what may happen"
body >"$T/known.html"
[ "$ms" -ge 2000 ] && pass "padded ($ms ms)" || fail "answered in $ms ms"
eq "$(mails)" $((m0 + 1)) "the reset email went out"
link=$(link_in "$(ls -t "$T/mail"/* | head -n 1)")
H GET "${link#"$WEB"}"
expect_status 200 "its link opens the reset form"
forgot 'nobody@example.org'
expect_status 200 "an address no account has"
body >"$T/unknown.html"
expect_same "$T/known.html" "$T/unknown.html" "the same page"
[ "$ms" -ge 2000 ] && pass "padded alike ($ms ms)" || fail "answered in $ms ms"
eq "$(mails)" $((m0 + 1)) "nothing sent to it"

# --- by SMS: the code page, a wrong code counts, then the right one
s0=$(smss)
forgot '+45 12 34 56 78'
expect_status 200 "a verified phone (with spaces)"
expect_body 'name="code"' "the code page"
expect_body 'If an account uses this phone number' "it says what may happen"
eq "$(smss)" $((s0 + 1)) "the code went out by SMS"
code=$(sed '1,/^$/d' "$(ls -t "$T/sms"/* | head -n 1)" |
  grep -o '[0-9]\{6\}' | head -n 1)
ccsrf=$(csrf_of)
body | sed -e 's/name="csrf" value="[^"]*"//' -e 's/name="who" value="[^"]*"//' >"$T/known-code.html"
checks() { store_sql "SELECT count(*) FROM check_failures"; }
c0=$(checks)
wrong=000000
[ "$code" = 000000 ] && wrong=111111
H POST /forgot/code -d "$(form csrf="$ccsrf" who='+45 12 34 56 78' \
  code=$wrong password='ny hest 9' password2='ny hest 9')"
expect_status 400 "a wrong code"
expect_body 'That code is not right' "says so"
body | sed -e 's/name="csrf" value="[^"]*"//' \
  -e 's/name="who" value="[^"]*"//' >"$T/wrong-known.html"
ctl audit bo >"$T/audit"
expect_grep 'code.fail' "$T/audit" "a wrong code is audited"
eq "$(checks)" "$c0" "and does not count toward the lockout"
H POST /forgot/code -d "$(form csrf="$ccsrf" who='+45 12 34 56 78' \
  code="$code" password='ny hest 9' password2='ny hest 8')"
expect_status 400 "passwords that differ"
H POST /forgot/code -d "$(form csrf="$ccsrf" who='+45 12 34 56 78' \
  code="$code" password='ny hest 9' password2='ny hest 9')"
expect_status 200 "the right code and a new password"
expect_body 'Your password was changed' "done"
answers 'ny hest 9'
drive $PAM_SUCCESS "PAM takes the new password" pw bo auth
H POST /forgot/code -d "$(form csrf="$ccsrf" who='+45 12 34 56 78' \
  code="$code" password='ny hest 7' password2='ny hest 7')"
expect_status 400 "the code again: as wrong as any"
expect_body 'That code is not right' "with the same words"

# A stranger with bo's number: five wrong codes kill the code, bo stays
# open; a password of the wrong shape is refused before the code.
forgot '+4512345678'
code2=$(sed '1,/^$/d' "$(ls -t "$T/sms"/* | head -n 1)" |
  grep -o '[0-9]\{6\}' | head -n 1)
ccsrf=$(csrf_of)
w2=000000
[ "$code2" = 000000 ] && w2=111111
for i in 1 2 3 4 5; do
  H POST /forgot/code -d "$(form csrf="$ccsrf" who='+4512345678' code=$w2 \
    password='ny hest 5' password2='ny hest 5')"
done
expect_status 400 "the fifth wrong code"
ctl user show bo >"$T/bo"
expect_nogrep '[Ll]ocked' "$T/bo" "bo is not locked by a stranger"
H POST /forgot/code -d "$(form csrf="$ccsrf" who='+4512345678' code="$code2" \
  password='ny hest 5' password2='ny hest 5')"
expect_status 400 "the right code after five wrong ones: dead"
long=$("$SYS_PY" -c 'print("\u00e9" * 200, end="")')
H POST /forgot/code -d "$(form csrf="$ccsrf" who='+4512345678' code=$w2 \
  password="$long" password2="$long")"
body | sed -n 's/.*role="alert">\([^<]*\)<.*/\1/p' >"$T/long-known"

s1=$(smss)
forgot '+4599999999'
expect_status 200 "a number no account has"
body | sed -e 's/name="csrf" value="[^"]*"//' -e 's/name="who" value="[^"]*"//' >"$T/unknown-code.html"
expect_same "$T/known-code.html" "$T/unknown-code.html" "the same code page"
eq "$(smss)" "$s1" "nothing sent to it"
ucsrf=$(csrf_of)
H POST /forgot/code -d "$(form csrf="$ucsrf" who='+4599999999' \
  code=123456 password='whatever 1' password2='whatever 1')"
expect_status 400 "its code is as wrong as a member's"
body | sed -e 's/name="csrf" value="[^"]*"//' \
  -e 's/name="who" value="[^"]*"//' >"$T/wrong-unknown.html"
expect_same "$T/wrong-known.html" "$T/wrong-unknown.html" \
  "the same page as a member's wrong code"
H POST /forgot/code -d "$(form csrf="$ucsrf" who='+4599999999' code=123456 \
  password="$long" password2="$long")"
body | sed -n 's/.*role="alert">\([^<]*\)<.*/\1/p' >"$T/long-unknown"
expect_same "$T/long-known" "$T/long-unknown" \
  "a password of the wrong shape: the same answer"

# --- bad input
forgot 'hello'
expect_status 400 "neither an address nor a number"
expect_body 'country code' "says what to enter"
H POST /forgot -d "$(form who=alice@example.org)"
expect_status 403 "no CSRF token"
H POST /forgot/code -d "$(form csrf="$ucsrf" who='+4511111111' code=1 \
  password=a password2=a)"
expect_status 403 "a CSRF token of another number"

# --- limits per destination (max_per_hour = 3), known or not
forgot 'alice@example.org'
expect_status 200 "alice's second request"
forgot 'Alice@example.org'
expect_status 200 "alice's third"
forgot 'alice@example.org'
expect_status 429 "the fourth in an hour: too many"
expect_body 'Too many requests' "says so"
forgot 'nobody@example.org'
forgot 'nobody@example.org'
forgot 'nobody@example.org'
expect_status 429 "an unknown address is limited alike"
daemon_clock "+61m"
forgot 'alice@example.org'
expect_status 200 "an hour later: again"
daemon_clock ""
alive "$WEB_PID" && pass "vouch-web still runs" || fail "vouch-web died"

finish
