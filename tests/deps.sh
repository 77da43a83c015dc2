#!/bin/sh
# tests/deps.sh - makes sure the Debian packages vouch builds and tests
# with are installed: as root it installs the missing ones, otherwise it
# prints the exact command and fails.
set -u
pkgs="build-essential libpam0g-dev libsodium-dev libsqlite3-dev
libcurl4-openssl-dev libcmocka-dev libpam-wrapper libpamtest0-dev pamtester
faketime python3 python3-aiosmtpd sqlite3 groff-base binutils procps
util-linux debhelper dpkg-dev lintian openssh-server openssh-client
sasl2-bin tmux passwd libpam-runtime clang libclang-rt-14-dev
libmicrohttpd-dev chromium fonts-dejavu-core nginx-light openssl
libqrencode-dev zbar-tools postgresql-15 libpq-dev iproute2"
# npm (and Node.js with it) only where the machine has none of its own.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
missing=""
for p in $pkgs; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
  [ "$st" = installed ] || missing="$missing $p"
done
# playwright-core for the browser tests (tests/web/browser.mjs), from the
# npm registry at the version of tests/web/package-lock.json.
npm_err=$(mktemp) || exit 1
trap 'rm -f "$npm_err"' EXIT
web_modules() {
  want=$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' \
    tests/web/package.json)
  have=$(sed -n 's/^ *"version": "\(.*\)".*/\1/p' \
    tests/web/node_modules/playwright-core/package.json 2>/dev/null | head -n 1)
  [ -n "$want" ] && [ "$want" = "$have" ] && return 0
  if [ "$(id -u)" -ne 0 ] && [ ! -w tests/web ]; then
    echo "deps: run as root: (cd tests/web && npm ci)" >&2
    return 1
  fi
  echo "deps: installing playwright-core $want (npm)"
  (cd tests/web && npm ci --no-audit --no-fund --loglevel=error \
     >/dev/null 2>"$npm_err") && return 0
  # A machine whose TLS to the registry goes through a proxy with a CA
  # of its own that npm was not given (a bare chroot): again without
  # checking the certificate.  What is installed is still checked: npm
  # ci refuses a tarball whose sha512 is not the lockfile's.
  if grep -q 'CERT\|certificate' "$npm_err"; then
    echo "deps: the registry's TLS certificate is not trusted here;" \
      "installing by the lockfile's sha512 alone" >&2
    (cd tests/web && npm ci --no-audit --no-fund --loglevel=error \
       --strict-ssl=false >/dev/null 2>"$npm_err") && return 0
  fi
  cat "$npm_err" >&2
  echo "deps: npm ci in tests/web failed" >&2
  return 1
}
if [ -z "$missing" ]; then
  web_modules
  exit $?
fi
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
# that says "no" keeps every service down during the install (also the
# cluster postgresql-15 makes: the tests run throwaway clusters of their
# own, tests/pg.inc); it is removed again when this script put it there.
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
[ $rc -eq 0 ] && { web_modules || rc=1; }
exit $rc
