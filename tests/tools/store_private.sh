#!/bin/sh
# store_private.sh - the store's interface is internal to the core and
# vouchd (issue 11): core/vouch.h declares no vouch_store_* function,
# core/store.h does; no tool, module or client source includes store.h
# (or store_int.h) or names a vouch_store_* function, VOUCH_STORE_* flag
# or vouch_ctx_store: the tools reach the store through core/admin.c.
# store: none (the sources: the same on either backend)
. "$VOUCH_SRC/tests/lib.sh"

cd "$VOUCH_SRC" || { fail "cd $VOUCH_SRC"; finish; }

# none PATH WHAT PATTERN: no line of PATH (a file or a directory)
# matches PATTERN.
none() {
  grep -rnE -- "$3" "$1" >"$T/hits"
  if [ -s "$T/hits" ]; then
    fail "$1 $2:"
    sed 's/^/  | /' "$T/hits" >&2
  else pass "$1 never $2"; fi
}

none core/vouch.h "names a vouch_store_* function" 'vouch_store_'
grep -qE '^vouch_rc vouch_store_open\(' core/store.h &&
  pass "core/store.h declares the store's functions" ||
  fail "core/store.h does not declare vouch_store_open"
grep -qE '^vouch_rc vouch_admin_user_add\(' core/vouch.h &&
  pass "core/vouch.h declares the administration functions" ||
  fail "core/vouch.h does not declare vouch_admin_user_add"

for d in tools modules client; do
  none "$d/" "includes the store's header" \
    '#[[:space:]]*include[[:space:]]*["<]([^">]*/)?store(_int)?\.h[">]'
  none "$d/" "uses the store's interface" \
    '\b(vouch_store_[a-z_]+|VOUCH_STORE_[A-Z_]+|vouch_ctx_store)\b'
done
finish
