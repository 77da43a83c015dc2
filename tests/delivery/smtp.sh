#!/bin/sh
# Email over SMTP to a real server (aiosmtpd on 127.0.0.1): the RFC 5322
# message as a mail reader decodes it (Danish subject, quoted-printable
# body), through vouch-deliver and through vouch_deliver; proxy variables
# of the caller are ignored; failures exit 1 with the reason.
. "$VOUCH_SRC/tests/lib.sh"

write_conf
use_helper
smtp_start || finish
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
subject="Bekræft ændring af din konto – kode"
long="Denne linje er meget lang og indeholder æøå ÆØÅ samt et = tegn, så den skal brydes blødt af quoted-printable kodningen uden at noget går tabt."
body="Hej Åse,

Din kode er 482913. Den gælder i 10 minutter.
$long
.a line that starts with a dot
trailing space here 
Har du ikke bedt om den, så ignorer denne besked."

msg() { printf 'channel: email\nto: %s\nsubject: %s\n\n%s\n' "$1" "$subject" "$body"; }

# --- vouch-deliver directly, with dead proxies in its environment
msg aase@example.org >"$T/msg"
http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
  ALL_PROXY=socks5://127.0.0.1:9 all_proxy=http://127.0.0.1:9 \
  HTTP_PROXY=http://127.0.0.1:9 no_proxy=nothing NO_PROXY=nothing \
  expect_rc 0 "vouch-deliver sends over SMTP despite proxy variables" -- \
  "$VOUCH_DELIVER" --config "$CONF" <"$T/msg"
mail_wait 1
f=$(mail_last)
eq "$(mail_header "$f" Subject)" "$subject" "the Danish subject decodes exactly"
eq "$(mail_header "$f" To)" "aase@example.org" "To"
eq "$(mail_header "$f" From)" "vouch@example.org" "From is [email] from"
eq "$(mail_header "$f" MIME-Version)" "1.0" "MIME-Version"
eq "$(mail_header "$f" Content-Transfer-Encoding)" "quoted-printable" \
  "quoted-printable body"
expect_grep '^Content-Type: text/plain; charset="?UTF-8"?' "$f" "UTF-8 text"
expect_grep '^Subject: =\?UTF-8\?B\?' "$f" "the subject is RFC 2047 encoded"
expect_grep '^Message-ID: <[0-9a-f]{32}@example.org>' "$f" "random Message-ID"
"$SYS_PY" - "$f" <<'PY' >"$T/date" 2>&1
import email, email.utils, sys, time
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
d = email.utils.parsedate_to_datetime(m["Date"])
assert d.utcoffset().total_seconds() == 0, "not UTC"
assert abs(d.timestamp() - time.time()) < 300, "not now"
print("ok")
PY
expect_grep '^ok$' "$T/date" "Date is RFC 5322, UTC, now"
printf '%s\n' "$body" >"$T/want"
mail_body "$f" >"$T/got"
expect_same "$T/want" "$T/got" "the body decodes exactly (dots, =, trailing space)"
eq "$(mail_code 6)" 482913 "mail_code finds the code"
awk 'length($0) > 77 { bad = 1 } END { exit bad }' "$f" &&
  pass "no line longer than 76 characters (+CR)" || fail "long lines in $f"

# --- through vouch_deliver (the module side): empty environment
printf '%s\n' "$body" | http_proxy=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
  "$DELIVER_DRIVE" "$CONF" email bo@example.org "$subject" >"$T/out" 2>"$T/err"
eq "$?" 0 "vouch_deliver -> helper -> SMTP"
mail_wait 2
eq "$(mail_header "$(mail_last)" To)" "bo@example.org" "second message arrives"

# --- failures exit 1 and say why
dead=$(free_port)
conf_set email url "smtp://127.0.0.1:$dead"
expect_rc 1 "nothing listening -> exit 1" -- \
  "$VOUCH_DELIVER" --config "$CONF" <"$T/msg"
expect_grep "vouch-deliver: SMTP delivery failed: .*(connect|Connection refused)" \
  "$T/err" "the connection failure is named"
expect_nogrep '482913' "$T/err" "no code in the reason"

# --- SMTP AUTH needs a private password file
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
conf_set email username mailer
printf 's3cret\n' >"$T/smtp.pw"
chmod 644 "$T/smtp.pw"
conf_set email password_file "$T/smtp.pw"
expect_rc 4 "a password file readable by others is refused" -- \
  "$VOUCH_DELIVER" --config "$CONF" <"$T/msg"
expect_grep "smtp.pw" "$T/err" "the password file is named"
expect_nogrep 's3cret' "$T/err" "the password is not shown"
eq "$(mail_count)" 2 "nothing was sent"

finish
