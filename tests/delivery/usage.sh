#!/bin/sh
# vouch-deliver's command line and input: --help, --version, usage errors
# (exit 2), bad and oversized messages (exit 2 with the reason), a bad
# configuration (exit 4).  And the rule that only the helper links
# libcurl: no PAM module may load it.
. "$VOUCH_SRC/tests/lib.sh"

write_conf
D="$VOUCH_DELIVER"
expect_rc 0 "--help" -- "$D" --help
expect_grep '^Usage: vouch-deliver --config PATH' "$T/out" "usage text"
expect_rc 0 "--version" -- "$D" --version
expect_grep '^vouch-deliver [0-9]' "$T/out" "version"
expect_rc 2 "no arguments" -- "$D"
expect_grep 'config PATH is required' "$T/err" "--config required"
expect_rc 2 "unknown option" -- "$D" --config "$CONF" --bogus
expect_grep 'unknown argument' "$T/err" "unknown argument named"
expect_rc 2 "--config without a path" -- "$D" --config

bad() { # WANT-REASON DESCRIPTION (message on $T/msg)
  expect_rc 2 "$2" -- "$D" --config "$CONF" <"$T/msg"
  expect_grep "^vouch-deliver: bad message: $1" "$T/err" "$2: reason"
}
: >"$T/msg"; bad 'the message is empty' "empty input"
printf 'channel: email\nto: a@example.org\nsubject: s\nbody\n' >"$T/msg"
bad 'line 4: not a "name: value" header' "no blank line"
printf 'channel: email\nto: a@example.org\nsubject: s' >"$T/msg"
bad 'no blank line' "headers only"
printf 'channel: fax\nto: a@example.org\n\nb' >"$T/msg"
bad 'line 1: unknown channel' "unknown channel"
printf 'channel: sms\nto: +4512345678\nx-priority: 1\n\nb' >"$T/msg"
bad 'line 3: unknown header' "unknown header"
printf 'channel: sms\nto: +4512345678\nto: +4587654321\n\nb' >"$T/msg"
bad 'line 3: header "to" repeated' "repeated header"
printf 'channel: email\nto: a@example.org\nsubject: s\r\n\nb' >"$T/msg"
bad 'subject contains CR' "CR in a header"
printf 'channel: email\nto: a@example.org\n\nb' >"$T/msg"
bad 'an email needs a "subject" header' "email without subject"
printf 'channel: sms\nto: 4512345678\n\nb' >"$T/msg"
bad 'to is not an E.164 phone number' "SMS to a bad number"
printf 'channel: email\nto: not-mail\nsubject: s\n\nb' >"$T/msg"
bad 'to is not a valid email address' "email to a bad address"
printf 'channel: sms\nto: +4512345678\n\n\377\376' >"$T/msg"
bad 'the body is not valid UTF-8' "invalid UTF-8"
{ printf 'channel: sms\nto: +4512345678\n\n'; head -c 65537 /dev/zero | tr '\0' a; } >"$T/msg"
bad 'the body is longer than 65536 bytes' "a body over 64 KiB"
{ printf 'channel: sms\nto: +4512345678\n\n'; head -c 200000 /dev/zero | tr '\0' a; } >"$T/msg"
expect_rc 2 "input over 128 KiB" -- "$D" --config "$CONF" <"$T/msg"
expect_grep 'message larger than 131072 bytes; refused' "$T/err" "size named"

printf 'channel: sms\nto: +4512345678\n\nb' >"$T/msg"
expect_rc 4 "missing configuration" -- "$D" --config "$T/nope.conf" <"$T/msg"
chmod 666 "$CONF"
expect_rc 4 "world-writable configuration" -- "$D" --config "$CONF" <"$T/msg"
chmod 644 "$CONF"
conf_set sms auth basic
expect_rc 4 "auth = basic without username and secret_file" -- \
  "$D" --config "$CONF" <"$T/msg"
expect_grep 'auth = basic needs secret_file' "$T/err" "secret_file needed"
expect_grep 'auth = basic needs username' "$T/err" "username needed"

# Only the helper links libcurl.
readelf -d "$D" | grep -q 'NEEDED.*libcurl' && pass "vouch-deliver links libcurl" ||
  fail "vouch-deliver does not link libcurl"
for m in "$VOUCH_BUILD"/pam_vouch_*.so "$VOUCH_BUILD"/vouchctl; do
  [ -f "$m" ] || continue
  if readelf -d "$m" | grep -q 'NEEDED.*libcurl' ||
     nm -D "$m" 2>/dev/null | grep -q ' curl_'; then
    fail "$(basename "$m") loads libcurl"
  else pass "$(basename "$m") has no libcurl"; fi
done

finish
