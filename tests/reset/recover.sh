#!/bin/sh
# recover.sh - vouch-reset recover: name and card of one account send a
# reset link to its email and print its address masked; no match (no
# such name, a wrong card, an account without card) prints a sentence of
# the same form with an address that depends only on the name entered,
# sends nothing, counts nothing, exits 0 and takes the same (padded,
# monotonic) time; two accounts of one name are told apart by the card;
# a malformed card or name is 2 at once; a frozen wall clock does not
# break the padding.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/reset/common.inc"

reset_setup
add_user alice 'old password 1' --email alice@example.org --name "Alice Smith"
add_user dave 'dave password 1' --email dave@example.net --name "Alice Smith"
add_user erin 'erin password 1' --email erin@example.org --name "Erin Nocard"
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card alice"
printf '5555-5555-5555-4444\n' | ctl card set dave >/dev/null ||
  fail "card dave"
FORM='^We sent a reset link to [a-z0-9]•••@[a-z0-9.-]+\.[a-z]+$'
ALICE_CARD=4111111111111111
DAVE_CARD='5555 5555 5555 4444'
OTHER_CARD=4012888888881881

# rec TAG NAME CARD: a recovery in the background, output in $T/TAG.*,
# its exit code and milliseconds in $T/TAG.rc.
rec() {
  ( s=$(now_ms)
    printf '%s\n' "$3" | R recover --name "$2" >"$T/$1.out" 2>"$T/$1.err"
    echo "$? $(( $(now_ms) - s ))" >"$T/$1.rc" ) &
}
# done_ok TAG DESC: exit 0, the sentence form, 2 to 3.5 seconds.
done_ok() {
  read -r rc ms <"$T/$1.rc"
  eq "$rc" 0 "$2: exit 0"
  expect_grep "$FORM" "$T/$1.out" "$2: the sentence"
  eq "$(wc -l <"$T/$1.out" | tr -d ' ')" 1 "$2: one line"
  if [ "$ms" -ge 2000 ] && [ "$ms" -lt 3500 ]; then pass "$2: padded"
  else fail "$2: took $ms ms, wanted 2000 to 3500"; fi
}

# Hits and misses side by side: the padding makes them last alike.
rec hit "Alice Smith" "$ALICE_CARD"
rec miss1 "Nobody Here" "$ALICE_CARD"
rec miss2 "Nobody Here" "$OTHER_CARD"
rec wrong "Alice Smith" "$OTHER_CARD"
rec nocard "Erin Nocard" "$ALICE_CARD"
wait
for t in hit miss1 miss2 wrong nocard; do done_ok $t $t; done
expect_text "$T/hit.out" "We sent a reset link to a•••@example.org" \
  "hit: alice's address, masked"
expect_same "$T/miss1.out" "$T/miss2.out" "the same name gets the same answer"
expect_nogrep 'example\.(org|net)' "$T/miss1.out" "a miss names no real domain"
expect_nogrep 'a•••@example\.org' "$T/wrong.out" "a wrong card: not alice's"
expect_nogrep 'e•••@example\.org' "$T/nocard.out" "no card: not erin's"
for t in miss1 wrong nocard; do
  [ -s "$T/$t.err" ] && fail "$t: something on stderr"
done

# Only the hit sent something: a reset link for alice.
eq "$(count "$T/mail")" 1 "one email in all"
m=$(newest "$T/mail")
expect_grep '^To: alice@example.org' "$m" "the link went to alice"
eq "$(subject_of "$m")" "Reset your password" "subject"
tok=$(token_in "$m"); rm -f "$T/mail"/*
eq "${#tok}" 43 "a token in the link"
pwfile 'new password 2'
expect_rc 0 "the recovered link resets" -- R complete alice --token "$tok" \
  <"$T/pw"

# Wrong cards are audited, never counted as failed security checks.
ctl audit >"$T/audit"
expect_grep 'alice reset\.recover_refused vouch-reset card does not match' \
  "$T/audit" "wrong card audited for alice"
expect_grep 'dave reset\.recover_refused vouch-reset card does not match' \
  "$T/audit" "and for dave"
expect_grep 'erin reset\.recover_refused vouch-reset no card on file' \
  "$T/audit" "no card audited"
expect_grep 'reset\.recover_refused vouch-reset no matching account' \
  "$T/audit" "misses audited"
expect_grep 'alice reset\.recover vouch-reset link sent' "$T/audit" \
  "hit audited"
expect_nogrep 'check\.fail' "$T/audit" "no failed check counted"
eq "$(state alice)" active "alice not locked"

# Two accounts named Alice Smith: the card decides; a locked account
# recovers too; a frozen wall clock does not stop the padding.
lock dave
s=$(now_ms)
printf '%s\n' "$DAVE_CARD" >"$T/card"
expect_rc 0 "dave's card, frozen clock" -- \
  R_at 100000 recover --name "Alice Smith" <"$T/card"
ms=$(( $(now_ms) - s ))
expect_text "$T/out" "We sent a reset link to d•••@example.net" \
  "dave's address"
if [ "$ms" -ge 2000 ] && [ "$ms" -lt 3500 ]; then pass "frozen clock: padded"
else fail "frozen clock: took $ms ms"; fi
expect_grep '^To: dave@example.net' "$(newest "$T/mail")" "link to dave"
rm -f "$T/mail"/*

# Bad input: 2 at once, nothing sent.
bad() {
  printf "$2" >"$T/card"
  s=$(now_ms)
  if [ $# -ge 3 ]; then name=$3; else name="Alice Smith"; fi
  expect_rc 2 "$1" -- R recover --name "$name" <"$T/card"
  if [ $(( $(now_ms) - s )) -lt 1500 ]; then pass "$1: at once"
  else fail "$1: not at once"; fi
}
bad "check digit" '4111 1111 1111 1112\n'
expect_grep 'invalid card number: not a valid card number' "$T/err" \
  "check digit: message"
bad "letters" '4111 1111 abcd 1111\n'
expect_grep 'invalid card number: only digits, spaces and dashes' "$T/err" \
  "letters: message"
bad "too few digits" '4111 1111\n'
bad "empty" ''
expect_grep 'cannot read the card number: no input' "$T/err" "empty: message"
head -c 100000 /dev/zero | tr '\0' 1 >"$T/huge"
expect_rc 2 "huge card input" -- R recover --name "Alice Smith" <"$T/huge"
expect_grep 'cannot read the card number: longer than' "$T/err" \
  "huge: message"
bad "control character in the name" '4111111111111111\n' "$(printf 'A\tB')"
expect_grep 'invalid full name' "$T/err" "name: message"
bad "name not UTF-8" '4111111111111111\n' "$(printf 'Al\377ce')"
bad "empty name" '4111111111111111\n' ""
expect_rc 2 "no --name" -- R recover </dev/null
expect_grep 'missing --name' "$T/err" "no --name: message"
eq "$(count "$T/mail")" 0 "nothing sent for bad input"
finish
