#!/bin/sh
# library.sh - the shared core libvouch.so.0: its SONAME, its exports
# (vouch_* alone, every one at version VOUCH_0), no libcurl in it; the
# delivery helper loads it through an absolute DT_RUNPATH (the build's
# lib/ for the tree the tests run, PRIVLIBDIR for the variant "make
# install" installs); the core binds its own calls (-Bsymbolic); the
# tools link the core statically.  The modules are vouchd's clients:
# libpam and libc alone.
# store: none (the libraries' linking: the same on either backend)
. "$VOUCH_SRC/tests/lib.sh"

LIB="$VOUCH_BUILD/lib/libvouch.so.0"
[ -f "$LIB" ] || { fail "no $LIB"; finish; }

# dyn FILE TAG: the values of the dynamic section's TAG entries, one a line.
dyn() {
  readelf -d "$1" 2>/dev/null |
    sed -n "s/^.*($2)[^[]*\[\(.*\)\]\$/\1/p"
}

eq "$(dyn "$LIB" SONAME)" libvouch.so.0 "SONAME libvouch.so.0"
eq "$(dyn "$LIB" RUNPATH)$(dyn "$LIB" RPATH)" "" "the library has no runpath"
# -Bsymbolic: its calls to its own functions cannot be interposed by
# another library of the PAM host.
readelf -d "$LIB" | grep -q '(FLAGS) .*SYMBOLIC' &&
  pass "libvouch.so.0 binds symbolically" ||
  fail "libvouch.so.0 is not linked -Bsymbolic (no SYMBOLIC flag)"

# Exports: vouch_* only, all versioned VOUCH_0; the store's internals
# (st_*), its interface (vouch_store_*, core/store.h: the core's and
# vouchd's alone) and the other helpers are local.
nm -D --defined-only "$LIB" >"$T/nm" || fail "nm -D $LIB"
awk '!($2 == "A" && $NF == "VOUCH_0") &&
     !($2 == "T" && $NF ~ /^vouch_[a-z0-9_]+@@VOUCH_0$/)' "$T/nm" >"$T/extra"
if [ -s "$T/extra" ]; then
  fail "libvouch.so.0 exports more than vouch_* functions at VOUCH_0:"
  sed 's/^/  | /' "$T/extra" >&2
else pass "libvouch.so.0 exports vouch_* functions at VOUCH_0 only"; fi
n=$(grep -c ' T vouch_' "$T/nm")
[ "$n" -ge 100 ] && pass "libvouch.so.0 exports its interface ($n functions)" ||
  fail "libvouch.so.0 exports $n vouch_* functions, wanted the interface"
for s in vouch_ctx_new vouch_password_check; do
  grep -q " T $s@@VOUCH_0\$" "$T/nm" || fail "libvouch.so.0 lacks $s"
done
nm "$LIB" | grep -q ' t st_atomic_enter$' ||
  fail "the store's internals are not in the library"
grep -q ' st_' "$T/nm" && fail "the store's internals are exported"
grep -qE ' (vouch_store_|vouch_ctx_store@)' "$T/nm" &&
  fail "the store's interface (core/store.h) is exported"

# No libcurl in the core (only vouch-deliver links it).
dyn "$LIB" NEEDED >"$T/needed"
expect_nogrep 'libcurl' "$T/needed" "libvouch.so.0 does not need libcurl"
nm -D --undefined-only "$LIB" | grep -q ' curl_' &&
  fail "libvouch.so.0 refers to curl_* functions"
for l in libsodium libsqlite3; do
  expect_grep "^$l\\.so" "$T/needed" "libvouch.so.0 needs $l"
done

# The delivery helper of the tested tree: libvouch.so.0 through a
# DT_RUNPATH (not DT_RPATH) to the build's lib/, resolved there.
f="$VOUCH_BUILD/vouch-deliver"
dyn "$f" NEEDED | grep -qx 'libvouch.so.0' || fail "vouch-deliver: no libvouch.so.0"
nm -D --undefined-only "$f" | awk '$NF ~ /^vouch_/ && $NF !~ /@VOUCH_0$/' \
  >"$T/unver"
[ -s "$T/unver" ] && fail "vouch-deliver: core functions not bound to VOUCH_0"
eq "$(dyn "$f" RUNPATH)" "$VOUCH_BUILD/lib" "vouch-deliver: RUNPATH the build's lib/"
eq "$(dyn "$f" RPATH)" "" "vouch-deliver: no DT_RPATH"
got=$(ldd "$f" | awk '$1 == "libvouch.so.0" { print $3 }')
eq "$got" "$LIB" "vouch-deliver: ldd resolves libvouch.so.0 in the build"
dyn "$f" NEEDED | grep -q '^libcurl' || fail "vouch-deliver: no libcurl"

# The installed variant: DT_RUNPATH the private directory compiled in
# (PRIVLIBDIR= in $VOUCH_BUILD/paths).
privlib=$(sed -n 's/^PRIVLIBDIR=//p' "$VOUCH_BUILD/paths")
case "$privlib" in
  /*) pass "PRIVLIBDIR $privlib" ;;
  *) fail "no absolute PRIVLIBDIR in $VOUCH_BUILD/paths: '$privlib'" ;;
esac
i="$VOUCH_BUILD/inst/vouch-deliver"
eq "$(dyn "$i" RUNPATH)" "$privlib" "inst/vouch-deliver: RUNPATH $privlib"

# The modules are clients of vouchd (SPEC 1, 6): they need libpam and
# libc alone, no private core, no run path, and never load SQLite,
# libsodium, libcurl or libpq.
for f in "$VOUCH_BUILD"/pam_vouch_*.so; do
  b=$(basename "$f")
  # (the sanitizer build adds its runtimes)
  eq "$(dyn "$f" NEEDED | grep -Ev '^lib(a|ub)san\.' | sort | tr '\n' ' ')" \
    "libc.so.6 libpam.so.0 " "$b needs libpam and libc alone"
  eq "$(dyn "$f" RUNPATH)$(dyn "$f" RPATH)" "" "$b: no run path"
  ldd "$f" >"$T/ldd" 2>&1
  expect_nogrep 'libsqlite3|libsodium|libcurl|libpq|libvouch' "$T/ldd" \
    "$b loads no store, crypto or network library"
  nm -D --defined-only "$f" | grep -q ' T vouch_' &&
    fail "$b exports vouch_* functions"
done
# The daemon holds the store and the key: it links them.
dyn "$VOUCH_BUILD/vouchd" NEEDED >"$T/dneeded"
expect_grep '^libsodium' "$T/dneeded" "vouchd links libsodium"
expect_grep '^libsqlite3' "$T/dneeded" "vouchd links libsqlite3"
expect_nogrep '^libcurl' "$T/dneeded" "vouchd does not link libcurl"

# The tools carry the core statically: vouch-account is setuid.
for t in vouchctl vouch-account vouch-reset vouch-logout-all vouch-cancel \
         vouch-export; do
  dyn "$VOUCH_BUILD/$t" NEEDED | grep -q libvouch &&
    fail "$t needs libvouch.so.0" || pass "$t links the core statically"
done

finish
