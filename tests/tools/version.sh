#!/bin/sh
# version.sh - every tool answers --version with "NAME VERSION" (exit 0,
# nothing on stderr), VERSION being the release of debian/changelog, the
# one place it is written; the members' tool answers anyone.
# store: none (--version: the same on either backend)
. "$VOUCH_SRC/tests/lib.sh"

VER=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$VOUCH_SRC/debian/changelog")
[ -n "$VER" ] || fail "no version in debian/changelog"
for t in vouchctl vouch-reset vouch-logout-all vouch-cancel vouch-export \
         vouch-account vouch-deliver; do
  expect_rc 0 "$t --version" -- "$VOUCH_BUILD/$t" --version
  expect_text "$T/out" "$t $VER" "$t --version: '$t $VER'"
  [ -s "$T/err" ] && fail "$t --version wrote to stderr: $(cat "$T/err")"
done
if [ "$(id -u)" -eq 0 ]; then
  expect_rc 0 "vouch-account --version as nobody" -- \
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
    "$VOUCH_BUILD/vouch-account" --version
  expect_text "$T/out" "vouch-account $VER" "vouch-account --version as nobody"
fi
finish
