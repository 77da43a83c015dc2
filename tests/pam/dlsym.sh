#!/bin/sh
# dlsym.sh - every built PAM module loads with RTLD_NOW and exports only
# its pam_sm_* entry points (tests/bin/dlsym_check.c), checked again with
# nm from binutils.
# store: none (the modules' symbols: the same on either backend)
. "$VOUCH_SRC/tests/lib.sh"

CHECK="$VOUCH_BUILD/tests/dlsym_check"
set -- "$VOUCH_BUILD"/pam_vouch_*.so
if [ ! -e "$1" ]; then
  fail "no pam_vouch_*.so in $VOUCH_BUILD"
  finish
fi
[ -e "$VOUCH_BUILD/pam_vouch_password.so" ] ||
  fail "pam_vouch_password.so was not built"

expect_rc 0 "dlsym_check $*" -- "$CHECK" "$@"
for m in "$@"; do
  expect_grep "^$m: ok\$" "$T/out" "$(basename "$m") passes dlsym_check"
done

# The same with nm: defined dynamic symbols other than pam_sm_* and the
# linker's markers.
for m in "$@"; do
  nm -D --defined-only "$m" >"$T/nm" 2>&1 || fail "nm $m"
  awk '$NF !~ /^pam_sm_[a-z_]+$/ &&
       $NF !~ /^(_init|_fini|__bss_start|_edata|_end)$/' "$T/nm" >"$T/extra"
  if [ -s "$T/extra" ]; then
    fail "$(basename "$m") exports more than pam_sm_*:"
    sed 's/^/  | /' "$T/extra" >&2
  else pass "$(basename "$m"): nm shows only pam_sm_*"; fi
  awk '$NF ~ /^pam_sm_/ && $2 != "T" { bad = 1 } END { exit bad }' \
    "$T/nm" || fail "$(basename "$m"): a pam_sm_* symbol is not a function"
  grep -q ' T pam_sm_' "$T/nm" || fail "$(basename "$m"): no pam_sm_*"
done

# The checker itself catches a library that exports more (libpam does).
pamlib=$(ldd "$VOUCH_BUILD/pam_vouch_password.so" 2>/dev/null |
  awk '/libpam\.so/ { print $3; exit }')
if [ -n "$pamlib" ]; then
  expect_rc 1 "dlsym_check refuses $pamlib" -- "$CHECK" "$pamlib"
  expect_grep 'exports pam_start' "$T/out" "dlsym_check names an extra symbol"
else
  fail "libpam not found through ldd"
fi
expect_rc 2 "dlsym_check without arguments" -- "$CHECK"
expect_rc 1 "dlsym_check on a missing file" -- "$CHECK" "$T/nosuch.so"

finish
