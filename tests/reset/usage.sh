#!/bin/sh
# usage.sh - vouch-reset: --help on the tool and each command, usage
# errors (2), bad names and values (2), unknown users (3), a missing
# configuration and a store refused for its mode or owner (4).
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/reset/common.inc"

reset_setup
add_user alice 'old password 1' --email alice@example.org --name "Alice Smith"
TOK=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA

# --help everywhere: exit 0, the usage on stdout.
expect_rc 0 "--help" -- R --help
expect_grep '^Usage: vouch-reset \[--config PATH\] COMMAND' "$T/out" \
  "tool usage"
expect_grep 'Exit status: 0 done, 1 denied, 2 usage' "$T/out" \
  "exit codes in the usage"
expect_rc 0 "-h" -- "$RESET" -h
expect_grep '^Usage: vouch-reset' "$T/out" "-h usage"
expect_rc 0 "--version" -- "$RESET" --version
expect_grep '^vouch-reset [0-9]' "$T/out" "version"
for c in request complete recover; do
  expect_rc 0 "$c --help" -- R $c --help
  expect_grep "^Usage: vouch-reset $c" "$T/out" "$c usage"
  expect_rc 0 "$c -h after arguments" -- R $c alice -h
done

# Usage errors.
usage2() { d=$1; shift; expect_rc 2 "$d" -- "$@"; [ -s "$T/err" ] ||
  fail "$d: no message"; }
usage2 "no command" R
expect_grep 'missing command' "$T/err" "no command: message"
usage2 "unknown command" R frobnicate
expect_grep "unknown command 'frobnicate'" "$T/err" "unknown command: message"
# (with the configuration named: the command runs in vouchd)
usage2 "unknown global option" "$RESET" --frob --config "$CONF" request \
  alice --via email
usage2 "--config without a value" "$RESET" --config
usage2 "request without --via" R request alice
expect_grep 'missing --via email\|sms' "$T/err" "no --via: message"
usage2 "request --via fax" R request alice --via fax
expect_grep "--via takes email or sms, not 'fax'" "$T/err" "fax: message"
usage2 "request without a name" R request --via email
expect_grep 'missing NAME' "$T/err" "no name: message"
usage2 "request with two names" R request alice bob --via email
usage2 "request --via twice" R request alice --via email --via sms
usage2 "request: unknown option" R request alice --via email --yes
usage2 "request: bad name" R request 'a b' --via email
expect_grep "invalid user name 'a b'" "$T/err" "bad name: message"
usage2 "request: name not UTF-8" R request "$(printf 'al\377ce')" --via email
expect_grep 'invalid user name .al\\xffce' "$T/err" "non-UTF-8 name shown"
usage2 "complete: neither" R complete alice </dev/null
expect_grep 'give exactly one of --token and --code' "$T/err" \
  "neither: message"
usage2 "complete: both" R complete alice --token "$TOK" --code 123456 \
  </dev/null
usage2 "complete: empty token" R complete alice --token '' </dev/null
usage2 "complete: token not UTF-8" \
  R complete alice --token "$(printf 'AAAA\377')" </dev/null
usage2 "complete: 44 characters" R complete alice --token "${TOK}A" </dev/null
usage2 "complete: huge token" \
  R complete alice --token "$(head -c 5000 /dev/zero | tr '\0' A)" </dev/null
usage2 "complete: bad name" R complete '../x' --token "$TOK" </dev/null
usage2 "recover with a NAME argument" R recover alice --name "Alice Smith" \
  </dev/null
eq "$(count "$T/mail")" 0 "usage errors sent nothing"

# Unknown users: 3, for request and complete (before asking anything).
expect_rc 3 "request: unknown user" -- R request zed --via sms
expect_grep '^vouch-reset: unknown user zed$' "$T/err" "unknown: message"
expect_rc 3 "complete: unknown user" -- R complete zed --code 123456 \
  </dev/null

# System errors: 4.
expect_rc 4 "missing configuration" -- \
  "$RESET" --config "$T/nope.conf" request alice --via email
expect_grep 'configuration file .*nope.conf does not exist' "$T/err" \
  "missing configuration: message"
store_dump "$T/before"
store_unusable
expect_rc 4 "store readable by others: request" -- \
  R request alice --via email
if sqlite_only "the refusal names the store file"; then
  expect_grep 'vouch.db' "$T/err" "store refusal names the store"
fi
pwfile 'new password 2'
expect_rc 4 "store readable by others: complete" -- \
  R complete alice --token "$TOK" <"$T/pw"
printf '4111111111111111\n' >"$T/card"
expect_rc 4 "store readable by others: recover" -- \
  R recover --name "Alice Smith" <"$T/card"
store_usable
if sqlite_only "a store file through a symlink"; then
  mv "$T/vouch.db" "$T/real.db"
  ln -s real.db "$T/vouch.db"
  expect_rc 4 "store through a symlink" -- R request alice --via email
  rm -f "$T/vouch.db"; mv "$T/real.db" "$T/vouch.db"
fi
store_dump "$T/after"
expect_same "$T/before" "$T/after" "refused stores unchanged"
eq "$(count "$T/mail")" 0 "refused stores sent nothing"

# Delivery failure: 4, with the reason.
conf_set delivery helper /bin/false
expect_rc 4 "delivery fails" -- R request alice --via email
expect_grep 'the reset could not be sent' "$T/err" "delivery: message"
finish
