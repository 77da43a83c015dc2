#!/bin/sh
# tests/deps.sh - makes sure the Debian packages vouch builds and tests
# with are installed: as root it installs the missing ones, otherwise it
# prints the exact command and fails.
set -u
pkgs="build-essential libpam0g-dev libsodium-dev libsqlite3-dev
libcurl4-openssl-dev libcmocka-dev libpam-wrapper libpamtest0-dev pamtester
faketime python3 python3-aiosmtpd sqlite3 groff-base binutils procps
util-linux"
missing=""
for p in $pkgs; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
  [ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages:$missing" >&2
  echo "deps: run as root: apt-get update && $cmd" >&2
  exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || { echo "deps: apt-get update failed" >&2; exit 1; }
$cmd >/dev/null || { echo "deps: $cmd failed" >&2; exit 1; }
