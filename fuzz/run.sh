#!/bin/sh
# fuzz/run.sh BUILD SECONDS [JOBS] - runs every libFuzzer target built in
# BUILD for SECONDS each (JOBS at a time, default 1), starting from a
# scratch copy of its seed corpus fuzz/corpus/TARGET, then replays the
# seeds and fuzz/regress/TARGET/ (inputs that crashed once).  A crash
# leaves its input in BUILD/crash/ and fails the run; copy it into
# fuzz/regress/TARGET/ once fixed.  With SECONDS 0 only the replay runs.
set -u
build=${1:?usage: fuzz/run.sh BUILD SECONDS [JOBS]}
secs=${2:-60}
jobs=${3:-1}
src=$(cd "$(dirname "$0")/.." && pwd)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p "$build/crash" "$build/log"
failed=""

one() {
  t=$1
  name=${t#fuzz_}
  bin="$build/$t"
  work="$build/work/$name"
  log="$build/log/$name.log"
  rm -rf "$work"
  mkdir -p "$work"
  : >"$log"
  if [ "$secs" -gt 0 ]; then
    # -timeout: one input may not take a second; -rss_limit_mb: nor
    # grow past 1 GiB.  Output is kept for the report, not shown.
    timeout $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=1 \
      -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="$build/crash/$name-" "$work" \
      "$src/fuzz/corpus/$name" >>"$log" 2>&1 || return 1
  fi
  set -- "$src/fuzz/corpus/$name"/*
  if [ -d "$src/fuzz/regress/$name" ]; then
    set -- "$@" "$src/fuzz/regress/$name"/*
  fi
  # Replaying files runs each once; a crash fails.
  timeout 120 "$bin" -timeout=5 "$@" >>"$log" 2>&1 || return 1
  return 0
}

report() {
  name=$1
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
    "$build/log/$name.log" | tail -n 1)
  echo "fuzz $name: ok (${runs:-0} runs in ${secs}s," \
    "corpus and regress replayed)"
}

targets=""
for b in "$build"/fuzz_*; do
  [ -x "$b" ] && targets="$targets $(basename "$b")"
done
[ -n "$targets" ] || { echo "fuzz: no targets in $build" >&2; exit 2; }

# JOBS targets at a time, each in the background with its own status.
set -- $targets
while [ $# -gt 0 ]; do
  pids=""
  k=0
  while [ $# -gt 0 ] && [ $k -lt "$jobs" ]; do
    ( one "$1"; echo $? >"$build/log/${1#fuzz_}.rc" ) &
    pids="$pids $!"
    shift
    k=$((k + 1))
  done
  wait $pids
done
for t in $targets; do
  name=${t#fuzz_}
  if [ "$(cat "$build/log/$name.rc" 2>/dev/null)" = 0 ]; then
    report "$name"
  else
    failed="$failed $name"
    echo "fuzz $name: FAILED (log $build/log/$name.log)" >&2
    grep -E 'ERROR|SUMMARY|#[0-9]+ 0x|Test unit written' \
      "$build/log/$name.log" | head -n 30 >&2
  fi
done
[ -z "$failed" ] || { echo "fuzz: failed:$failed" >&2; exit 1; }
exit 0
