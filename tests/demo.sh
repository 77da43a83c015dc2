#!/bin/sh
# tests/demo.sh BUILD - the README's `make demo`: a self-contained vouch
# in build/demo-env (configuration, key, store, user alice) and real PAM
# sign-ins of alice through her stack, with pamtester under pam_wrapper.
set -u
build=$(cd "${1:?usage: tests/demo.sh BUILD}" && pwd) || exit 2
src=$(cd "$(dirname "$0")/.." && pwd)
env=$src/build/demo-env
rm -rf "$env"
mkdir -p "$env/pam.d" "$env/mail" "$env/sms"
chmod 700 "$env"
export LC_ALL=C.UTF-8

cat >"$env/vouch.conf" <<CONF
# The demo's configuration: like conf/vouch.conf, with every path inside
# $env and messages written as files.
[store]
path = $env/vouch.db
[secret]
key_file = $env/secret.key
[email]
transport = file
dir = $env/mail
from = vouch@example.org
[sms]
transport = file
dir = $env/sms
CONF
chmod 644 "$env/vouch.conf"
ctl() { "$build/vouchctl" --config "$env/vouch.conf" "$@"; }
step() { printf '\n== %s\n' "$*"; }
failures=0
expect() {
  want=$1; shift
  "$@"
  got=$?
  if [ "$got" -eq "$want" ]; then echo "   -> as expected (exit $got)"
  else echo "   -> UNEXPECTED: exit $got, wanted $want"; failures=$((failures + 1)); fi
}

deny=$(ls /lib/*/security/pam_deny.so /usr/lib/*/security/pam_deny.so \
       2>/dev/null | head -n 1)
cat >"$env/pam.d/vouch-demo" <<PAM
# alice's login stack: her vouch password, her account state, and
# password changes through vouch.
auth     required $build/pam_vouch_password.so conf=$env/vouch.conf
account  required $build/pam_vouch_password.so conf=$env/vouch.conf
password required $build/pam_vouch_password.so conf=$env/vouch.conf
PAM
printf 'auth required %s\naccount required %s\npassword required %s\nsession required %s\n' \
  "$deny" "$deny" "$deny" "$deny" >"$env/pam.d/other"

pam() {
  LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
  PAM_WRAPPER_SERVICE_DIR="$env/pam.d" pamtester -v vouch-demo alice "$@"
}

step "vouchctl init: key file and store"
ctl init || exit 1
step "vouchctl user add alice, then her password"
ctl user add alice --email alice@example.org --name "Alice Example" || exit 1
printf 'correct horse battery\n' | ctl passwd alice || exit 1
ctl user show alice
step "the stack in $env/pam.d/vouch-demo"
sed -n '/^[a-z]/p' "$env/pam.d/vouch-demo"

step "alice signs in with a wrong password: refused"
printf 'wrong horse battery\n' | expect 1 pam authenticate
step "alice signs in with her password: accepted, account in order"
printf 'correct horse battery\n' | expect 0 pam authenticate acct_mgmt
step "alice changes her password to the same one: refused"
printf 'correct horse battery\ncorrect horse battery\n' | expect 1 pam chauthtok
step "alice changes her password to a new one: accepted"
printf 'staple paper clip\nstaple paper clip\n' | expect 0 pam chauthtok
step "the old password no longer works, the new one does"
printf 'correct horse battery\n' | expect 1 pam authenticate
printf 'staple paper clip\n' | expect 0 pam authenticate
step "what the audit trail recorded"
ctl audit alice

echo
if [ "$failures" -eq 0 ]; then
  echo "demo: every step behaved as expected (environment: $env)"
else
  echo "demo: $failures step(s) did not behave as expected"
  exit 1
fi
