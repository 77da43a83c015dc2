#!/bin/sh
# smoke.sh - the short fuzz run of `make check`: builds the libFuzzer
# targets (clang, ASan, UBSan; own build directory, shared by the plain
# and the sanitizer runs) and runs each for a few seconds, then replays
# its seed corpus and every input that once crashed (fuzz/regress/).
# The targets carry their own sanitizers, so the sanitizer run of the
# suite only replays (the fuzzing itself would add nothing new).
# store: none (the parsers' fuzzers: the same on either backend)
. "$VOUCH_SRC/tests/lib.sh"

command -v clang >/dev/null 2>&1 || {
  fail "clang is missing (tests/deps.sh installs it)"; finish; }
fbuild="$VOUCH_SRC/build/fuzz"
mkdir -p "$VOUCH_SRC/build"
# Two suites may run at once (plain and sanitizer runs of several
# checkouts' helpers): one build at a time.
if ! flock -w 300 "$VOUCH_SRC/build/.fuzz.lock" \
     env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
     make -s -C "$VOUCH_SRC" FUZZ_BUILD="$fbuild" fuzz-build \
     >"$T/build.log" 2>&1
then
  fail "building the fuzz targets"
  tail -n 30 "$T/build.log" >&2
  finish
fi
secs=${FUZZ_SMOKE_SECONDS:-5}
[ "$VOUCH_SAN" = 1 ] && secs=0
# A run directory of its own: two suites may fuzz at the same time.
run="$T/fuzz"
mkdir -p "$run"
for b in "$fbuild"/fuzz_*; do
  ln -s "$b" "$run/$(basename "$b")"
done
expect_rc 0 "fuzz targets for ${secs}s each, corpus and regressions" -- \
  sh "$VOUCH_SRC/fuzz/run.sh" "$run" "$secs" 2
cat "$T/out"
n=$(grep -c ': ok ' "$T/out")
[ "$n" -ge 7 ] || fail "only $n fuzz targets ran"
finish
