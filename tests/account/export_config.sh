#!/bin/sh
# export_config.sh - the [export] section: defaults, durations, the
# directory; bad values are named with file and line.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/account/common.inc"

acc_setup
for kv in "confirm_ttl = 0" "confirm_ttl = 7x" "keep = 400d" \
          "dir = relative/exports" "dir =" "colour = blue"; do
  cp "$CONF" "$T/good.conf"
  printf '[export]\n%s\n' "$kv" >>"$CONF"
  expect_rc 4 "[export] $kv" -- xport list alice
  expect_grep "vouch.conf:[0-9]+: .*(\[export\]|export)" "$T/err" \
    "[export] $kv: file and line named"
  cp "$T/good.conf" "$CONF"
done
printf '[export]\nconfirm_ttl = 36h\nkeep = 1d\n' >>"$CONF"
expect_rc 0 "request with confirm_ttl 36h" -- xport request alice
expect_grep 'waits 2 days' "$(newest "$T/mail")" "36h is shown as 2 days"
finish
