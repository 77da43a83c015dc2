#!/bin/sh
# tests/deps.sh - makes sure the Debian packages vouch builds and tests
# with are installed: as root it installs the missing ones, otherwise it
# prints the exact command and fails.
set -u
pkgs="build-essential libpam0g-dev libsodium-dev libsqlite3-dev
libcurl4-openssl-dev libcmocka-dev libpam-wrapper libpamtest0-dev pamtester
faketime python3 python3-aiosmtpd sqlite3 groff-base binutils procps
util-linux debhelper dpkg-dev lintian openssh-server openssh-client
sasl2-bin tmux passwd libpam-runtime clang libclang-rt-14-dev"
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
# Installing openssh-server (for tests/e2e/sshd.sh, which runs its own
# sshd on a loopback port) would start the system's sshd: a policy-rc.d
# that says "no" keeps every service down during the install; it is
# removed again when this script put it there.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" &&
    made_policy=1
fi
rc=0
if ! apt-get update -q >/dev/null; then
  echo "deps: apt-get update failed" >&2; rc=1
elif ! $cmd >/dev/null; then
  echo "deps: $cmd failed" >&2; rc=1
fi
[ -n "$made_policy" ] && rm -f "$policy"
exit $rc
