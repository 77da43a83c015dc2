#!/bin/sh
# bench/run.sh BUILD - the benchmarks of `make bench` against the build in
# BUILD (bench/bench.py does the measuring; it starts and stops a vouchd
# for every configuration it makes).  Makes sure the tools they
# need are installed (as root it installs the missing Debian packages,
# as tests/deps.sh does; otherwise it names them and stops).  Figures
# are printed, never asserted: the exit status says only whether the
# benchmark could run.
set -u
build=${1:?usage: bench/run.sh BUILD}
src=$(cd "$(dirname "$0")/.." && pwd)
pkgs="valgrind libpam-oath libpam-wrapper sqlite3 python3 python3-aiosmtpd
time"
missing=""
for p in $pkgs; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
  [ "$st" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
  cmd="apt-get install -y --no-install-recommends$missing"
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: missing packages:$missing" >&2
    echo "bench: run as root: apt-get update && $cmd" >&2
    exit 1
  fi
  echo "bench: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && $cmd >/dev/null ||
    { echo "bench: $cmd failed" >&2; exit 1; }
fi
# The load generator (bench/vouch-load.c): a client of vouchd on the
# build's client library, built here (benchmark only, never installed).
cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -I"$src/client" \
  -o "$build/vouch-load" "$src/bench/vouch-load.c" \
  "$build/libvouch-client.a" -lpthread ||
  { echo "bench: cannot build vouch-load" >&2; exit 1; }
exec /usr/bin/python3 "$src/bench/bench.py" "$build" "$src"
