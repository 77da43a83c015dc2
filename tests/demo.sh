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
[delivery]
helper = $build/vouch-deliver
[templates]
dir = $env/templates
[daemon]
socket = $env/vouchd.sock
CONF
# The shipped templates, with the modes vouch asks of them.
cp -R "$src/conf/templates" "$env/templates"
find "$env/templates" -type d -exec chmod 755 {} +
find "$env/templates" -type f -exec chmod 644 {} +
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
cat >"$env/pam.d/vouch-demo-check" <<PAM
# alice's login with the security check: her password, then a code by
# email; "a" at the code prompt tries another way: her card number.
auth requisite $build/pam_vouch_password.so conf=$env/vouch.conf
auth [success=done authinfo_unavail=ignore default=die] $build/pam_vouch_otp.so conf=$env/vouch.conf channel=email
auth required $build/pam_vouch_card.so conf=$env/vouch.conf
account required $build/pam_vouch_password.so conf=$env/vouch.conf
PAM
printf 'auth required %s\naccount required %s\npassword required %s\nsession required %s\n' \
  "$deny" "$deny" "$deny" "$deny" >"$env/pam.d/other"

pam() {
  LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
  PAM_WRAPPER_SERVICE_DIR="$env/pam.d" pamtester -v vouch-demo alice "$@"
}

step "vouchctl init: key file and store"
ctl init || exit 1
step "vouchd: the service that holds them; the modules and tools ask it"
"$build/vouchd" --config "$env/vouch.conf" 2>"$env/vouchd.log" </dev/null &
vpid=$!
trap 'kill $vpid 2>/dev/null' EXIT
k=0
while ! grep -q 'vouchd: ready' "$env/vouchd.log" && [ $k -lt 100 ]; do
  kill -0 $vpid 2>/dev/null || break
  sleep 0.1; k=$((k + 1))
done
grep 'vouchd: ready' "$env/vouchd.log" || { cat "$env/vouchd.log"; exit 1; }
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
step "alice's card on file (only a keyed hash and the last 4 digits are kept)"
printf '4111 1111 1111 1111\n' | ctl card set alice || exit 1
step "the security-check stack in $env/pam.d/vouch-demo-check"
sed -n '/^[a-z]/p' "$env/pam.d/vouch-demo-check"

# check_login ANSWER...: pamtester on the security-check stack; each
# answer is a line, and "@CODE" is replaced by the code in the newest
# email once it has arrived.
check_login() {
  rm -f "$env/answers"; mkfifo "$env/answers"
  LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
    PAM_WRAPPER_SERVICE_DIR="$env/pam.d" \
    timeout 60 pamtester -v vouch-demo-check alice authenticate \
    <"$env/answers" &
  pid=$!
  exec 8>"$env/answers"
  for a in "$@"; do
    if [ "$a" = @CODE ]; then
      k=0
      while [ -z "$(ls "$env/mail")" ] && [ $k -lt 100 ]; do
        sleep 0.1; k=$((k + 1)); done
      m=$(ls -t "$env/mail"/* | head -n 1)
      a=$(awk 'b { print } /^$/ { b = 1 }' "$m" |
          grep -oE '(^|[^0-9])[0-9]{6}([^0-9]|$)' | tr -cd '0-9\n' |
          grep -E '^[0-9]{6}$' | head -n 1)
      echo "   (the code in her email: $a)" >&2
      mv "$m" "$env/last-email"
      rm -f "$env/mail"/*
    fi
    printf '%s\n' "$a" >&8
    sleep 0.5
  done
  exec 8>&-
  wait $pid
}
step "alice signs in: her password, then the code we emailed her"
expect 0 check_login 'staple paper clip' @CODE
step "the email she got ($env/last-email)"
grep -E '^(To|Subject):' "$env/last-email"
sed '1,/^$/d' "$env/last-email"
rm -f "$env/mail"/*
step "alice signs in and chooses 'a' (try another way): her card number"
expect 0 check_login 'staple paper clip' a '4111-1111-1111-1111'
step "a wrong card number is refused"
expect 1 check_login 'staple paper clip' a '5555 5555 5555 4444' a

step "alice forgot her password: she asks for a reset link by email"
rm -f "$env/mail"/*
"$build/vouch-reset" --config "$env/vouch.conf" request alice --via email ||
  exit 1
m=$(ls -t "$env/mail"/* | head -n 1)
grep -E '^Subject:' "$m"
token=$(grep -oE 'token=[A-Za-z0-9_-]{43}' "$m" | head -n 1 | cut -d= -f2)
echo "   (the link in her email: ...token=$token)"
step "she sets a new password with the link (not her previous one)"
printf 'staple paper clip\n' |
  expect 1 "$build/vouch-reset" --config "$env/vouch.conf" complete alice \
    --token "$token"
printf 'horse battery 42\n' |
  expect 0 "$build/vouch-reset" --config "$env/vouch.conf" complete alice \
    --token "$token"
step "the link works once"
printf 'another horse 7\n' |
  expect 1 "$build/vouch-reset" --config "$env/vouch.conf" complete alice \
    --token "$token"
step "the old password is refused, the new one works"
printf 'staple paper clip\n' | expect 1 pam authenticate
printf 'horse battery 42\n' | expect 0 pam authenticate
m=$(ls -t "$env/mail"/* | head -n 1)
grep -E '^Subject:' "$m"

step "what the audit trail recorded"
ctl audit alice

echo
if [ "$failures" -eq 0 ]; then
  echo "demo: every step behaved as expected (environment: $env)"
else
  echo "demo: $failures step(s) did not behave as expected"
  exit 1
fi
