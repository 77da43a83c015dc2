#!/bin/sh
# The file transport: one new file a message, written under a temporary
# name and renamed (nothing left behind), mode 0600, RFC 5322 for email,
# "To:" + blank line + text for SMS; unsafe directories refused.
. "$VOUCH_SRC/tests/lib.sh"

write_conf
use_helper
chmod 700 "$T/mail" "$T/sms"
subject="Nulstil din adgangskode"
printf 'channel: email\nto: Åse@example.org\nsubject: x\n\nx\n' >"$T/bad"
printf 'channel: email\nto: aase@example.org\nsubject: %s\n\nKode: 913482\nHilsen\n' \
  "$subject" >"$T/msg"

expect_rc 0 "email to a file" -- "$VOUCH_DELIVER" --config "$CONF" <"$T/msg"
expect_rc 0 "a second email" -- "$VOUCH_DELIVER" --config "$CONF" <"$T/msg"
eq "$(ls -A "$T/mail" | wc -l | tr -d ' ')" 2 "one new file per message"
eq "$(ls -A "$T/mail" | grep -c '^[0-9]\{10,\}-[0-9a-f]\{16\}\.eml$')" 2 \
  "names are <unix-time>-<random hex>.eml"
eq "$(ls -A "$T/mail" | grep -c '^\.tmp-')" 0 "no temporary file left"
f=$(ls "$T/mail"/*.eml | head -n 1)
eq "$(stat -c %a "$f")" 600 "mode 0600"
eq "$(mail_header "$f" To)" aase@example.org "To"
eq "$(mail_header "$f" From)" vouch@example.org "From"
eq "$(mail_header "$f" Subject)" "$subject" "Subject"
eq "$(mail_header "$f" Content-Transfer-Encoding)" 8bit "8bit body"
expect_grep '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000$' \
  "$f" "RFC 5322 Date in UTC"
expect_grep '^MIME-Version: 1\.0$' "$f" "MIME-Version"
expect_grep '^Content-Type: text/plain; charset=UTF-8$' "$f" "charset"
printf 'Kode: 913482\nHilsen\n' >"$T/want"
sed '1,/^$/d' "$f" >"$T/got"
expect_same "$T/want" "$T/got" "the body follows the blank line as it is"

# --- SMS, also through vouch_deliver
printf 'Kode 913482' | "$DELIVER_DRIVE" "$CONF" sms +4512345678 \
  >"$T/out" 2>"$T/err"
eq "$?" 0 "SMS to a file through vouch_deliver"
s=$(ls "$T/sms"/*.sms)
eq "$(ls -A "$T/sms" | wc -l | tr -d ' ')" 1 "one .sms file"
eq "$(stat -c %a "$s")" 600 "SMS mode 0600"
printf 'To: +4512345678\n\nKode 913482\n' >"$T/want"
expect_same "$T/want" "$s" "SMS file format"

# --- unsafe directories
refused() { # DESCRIPTION
  expect_rc 4 "$1 is refused" -- "$VOUCH_DELIVER" --config "$CONF" <"$T/msg"
  expect_grep "$T/" "$T/err" "$1: the directory is named"
}
mkdir -p "$T/gw" "$T/sticky" "$T/other"
chmod 770 "$T/gw"
conf_set email dir "$T/gw"
refused "a group-writable directory"
chmod 1777 "$T/sticky"
conf_set email dir "$T/sticky"
refused "a sticky world-writable directory"
chown nobody "$T/other"
chmod 700 "$T/other"
conf_set email dir "$T/other"
refused "a directory owned by another user"
ln -s "$T/mail" "$T/link"
conf_set email dir "$T/link"
refused "a symbolic link"
conf_set email dir "$T/missing"
refused "a missing directory"
eq "$(find "$T/gw" "$T/sticky" "$T/other" -type f | wc -l | tr -d ' ')" 0 \
  "nothing written into refused directories"

finish
