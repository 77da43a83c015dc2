#!/bin/sh
# Helpers that stay running (vouchd's way, vouch_delivery_keep): one
# "vouch-deliver --serve" hands over message after message without a new
# process; one that is killed is replaced by the next message; one that
# hangs, answers nonsense or exits is stopped and the message fails
# closed, with the reason in the log; [delivery] helpers = 0 goes back to
# a process per message; and a broken frame never reaches a transport.
. "$VOUCH_SRC/tests/lib.sh"

write_conf
use_helper
body="Your code is 123456."

# drive N [--kill]: the message N times through kept helpers.
drive() {
  n=$1
  shift
  printf '%s' "$body" | "$DELIVER_DRIVE" --kept "$n" "$@" "$CONF" email \
    bob@example.org "Confirm account change" >"$T/out" 2>"$T/err"
}
# The children listed after message K.
kids() { sed -n "s/^kept: rc=[0-9]* children=//p" "$T/err" | sed -n "${1}p"; }

# --- five messages, one helper, five files
drive 5
eq "$?" 0 "five messages through a kept helper"
eq "$(ls "$T/mail" | wc -l)" 5 "five messages handed over"
eq "$(grep -c '^kept: rc=0 ' "$T/err")" 5 "each one delivered"
first=$(kids 1)
[ -n "$first" ] && pass "a helper stays running after the first message" ||
  fail "no helper after the first message: $(cat "$T/err")"
eq "$(kids 5)" "$first" "the same helper serves all five"
expect_grep '^kept: after children=$' "$T/err" \
  "the helpers end when delivery stops keeping them"
for f in "$T"/mail/*; do
  expect_grep '123456' "$f" "the code is in message $(basename "$f")"
done

# --- SMTP: the kept helper's three messages share one connection
SMTP_DEBUG=1 smtp_start
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
probes=$(grep -c 'Peer:' "$T/smtp.log") # smtp_start's own connect
drive 3
eq "$?" 0 "three messages over SMTP through a kept helper"
mail_wait 3
eq "$(grep -c 'Peer:' "$T/smtp.log")" $((probes + 1)) \
  "one SMTP connection for three messages"
conf_set email transport file

# --- a helper killed between messages: the next one starts another
rm -f "$T"/mail/*
drive 3 --kill
eq "$?" 0 "delivery goes on after the helper was killed"
eq "$(ls "$T/mail" | wc -l)" 3 "three messages handed over"
second=$(kids 2)
[ -n "$second" ] && [ "$second" != "$(kids 1)" ] &&
  pass "a new helper replaced the killed one" ||
  fail "helper not replaced: $(kids 1) -> $second"
expect_grep 'had ended; starting another' "$T/err" \
  "the ended helper is logged"

# --- no kept helpers: one process per message, as before
conf_set delivery helpers 0
rm -f "$T"/mail/*
drive 2
eq "$?" 0 "helpers = 0 still delivers"
eq "$(ls "$T/mail" | wc -l)" 2 "two messages handed over"
eq "$(kids 1)" "" "helpers = 0 keeps no process"
conf_set delivery helpers 2

# --- a kept helper that hangs is stopped at [delivery] timeout
conf_set delivery timeout 1s
printf '#!/bin/sh\nexec sleep 30\n' >"$T/hang"
chmod 755 "$T/hang"
conf_set delivery helper "$T/hang"
t0=$(now_ms)
drive 1
rc=$?
el=$(( $(now_ms) - t0 ))
eq "$rc" 24 "a hanging kept helper -> VOUCH_ERR_DELIVERY"
[ "$el" -lt 3000 ] && pass "stopped within the timeout ($el ms)" ||
  fail "hang took $el ms"
expect_grep 'ran past the 1s timeout' "$T/err" "the timeout is logged"
pgrep -f "^sleep 30$" >/dev/null && fail "the hanging helper survived" ||
  pass "the hanging helper is gone"

# --- nonsense instead of an answer
printf '#!/bin/sh\nhead -c 4 >/dev/null; printf "\\377\\377\\377\\377"; sleep 5\n' \
  >"$T/babble"
chmod 755 "$T/babble"
conf_set delivery helper "$T/babble"
drive 1
eq "$?" 24 "an answer out of protocol fails closed"
expect_grep 'answered out of protocol' "$T/err" "the bad answer is logged"

# --- a helper that exits without answering
printf '#!/bin/sh\nhead -c 4 >/dev/null; exit 3\n' >"$T/quit"
chmod 755 "$T/quit"
conf_set delivery helper "$T/quit"
drive 1
eq "$?" 24 "a helper that exits without answering fails closed"
expect_grep 'delivery failed: the helper (exited \(3\) without answering|went away without answering)' \
  "$T/err" "the exit is logged"
expect_nogrep '123456' "$T/err" "the body is not logged"

# --- the real helper refuses a broken frame and answers a bad message
use_helper
conf_set delivery timeout 10s
rm -f "$T"/mail/*
printf '\000\000\000\005hello' | "$VOUCH_DELIVER" --config "$CONF" --serve \
  >"$T/ans" 2>"$T/herr"
eq "$?" 0 "the helper ends at the end of its input"
ans=$(od -An -c "$T/ans" | tr -d ' \n')
case $ans in
  *2badmessage*) pass "a bad message is answered with exit digit 2" ;;
  *) fail "answer to a bad message: $ans" ;;
esac
printf '\177\000\000\000' | "$VOUCH_DELIVER" --config "$CONF" --serve \
  >"$T/ans" 2>"$T/herr"
eq "$?" 2 "an oversized frame stops the helper (exit 2)"
expect_grep 'frame of' "$T/herr" "the oversized frame is named"
eq "$(ls "$T/mail" | wc -l)" 0 "nothing reached the transport"

finish
