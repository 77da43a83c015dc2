#!/bin/sh
# tests/run.sh BUILD [plain|san] [sqlite|postgresql] - runs every test
# against the build in BUILD: the cmocka unit tests, then each shell test
# under tests/*/ .  With postgresql, every test's store is a PostgreSQL
# database (tests/lib.sh, VOUCH_BACKEND) and the unit tests, which open
# SQLite files of their own, are left to the sqlite run.
# Prints one PASS/FAIL line a test and closes with "N passed, N failed".
set -u
build=${1:?usage: tests/run.sh BUILD [plain|san]}
mode=${2:-plain}
VOUCH_BACKEND=${3:-sqlite}
case $VOUCH_BACKEND in sqlite|postgresql) ;; *) echo "run.sh: backend $VOUCH_BACKEND?" >&2; exit 2 ;; esac
export VOUCH_BACKEND
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 2
VOUCH_BUILD=$(cd "$build" && pwd) || exit 2
VOUCH_SRC=$src
VOUCH_SAN=0
[ "$mode" = san ] && VOUCH_SAN=1
export VOUCH_BUILD VOUCH_SRC VOUCH_SAN
# Sanitizer reports fail the test that caused them.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98"
# A test must never depend on the caller's locale or time zone.
export LC_ALL=C.UTF-8 TZ=UTC

# libfaketime (the daemons' clocks) names its shared memory and semaphore
# after a process id; a process killed by a test leaves them behind, and a
# later process of another user with the same id then cannot make its
# own.  Those of processes that are gone are removed first.
for f in /dev/shm/faketime_shm_* /dev/shm/sem.faketime_sem_*; do
  [ -e "$f" ] || continue
  pid=${f##*_}
  case $pid in *[!0-9]*|"") continue ;; esac
  [ -d "/proc/$pid" ] || rm -f "$f"
done

# On PostgreSQL every test starts a cluster of its own: initdb runs
# once, into a folder postgres can reach, and each test copies it
# (tests/pg.inc).
if [ "$VOUCH_BACKEND" = postgresql ]; then
  VOUCH_PG_TEMPLATE=$(mktemp -d /tmp/vouch-pg-template.XXXXXX) || exit 2
  chmod 755 "$VOUCH_PG_TEMPLATE"
  export VOUCH_PG_TEMPLATE
  trap 'rm -rf "$VOUCH_PG_TEMPLATE"' EXIT
  trap 'exit 2' HUP INT TERM
fi

logdir="$VOUCH_BUILD/test-logs"
rm -rf "$logdir"
mkdir -p "$logdir"
passed=0
failed=0
failed_names=""

run_one() {
  name=$1; shift
  log="$logdir/$(echo "$name" | tr '/' '_').log"
  start=$(date +%s)
  timeout 900 "$@" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "PASS $name (${secs}s)"
  else
    failed=$((failed + 1))
    failed_names="$failed_names $name"
    echo "FAIL $name (exit $rc, ${secs}s)"
    tail -n 40 "$log" | sed 's/^/    /'
  fi
}

for t in "$VOUCH_BUILD"/tests/test_*; do
  [ -x "$t" ] && [ "$VOUCH_BACKEND" = sqlite ] || continue
  run_one "unit/$(basename "$t")" "$t"
done
skipped=0
for t in tests/*/*.sh; do
  [ -f "$t" ] || continue
  # A test that opens no store (its header says "# store: none") runs in
  # the sqlite run alone: the postgresql run would repeat it unchanged.
  if [ "$VOUCH_BACKEND" != sqlite ] && sed -n '1,30p' "$t" |
       grep -q '^# store: none'; then
    skipped=$((skipped + 1))
    continue
  fi
  run_one "${t#tests/}" sh "$t"
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$mode ($VOUCH_BACKEND): $passed passed, $failed failed$(
  [ "$skipped" -eq 0 ] || echo ", $skipped without a store left to the sqlite run")"
[ "$failed" -eq 0 ]
