#!/bin/sh
# setuid.sh - vouch-account as the installed program really runs: setuid
# root, started by an unprivileged user (a test system user made with
# useradd, removed on exit) through setpriv, with the real libpam.
#
# Design.  A setuid program takes neither its configuration nor its PAM
# service from its caller, and the kernel drops LD_PRELOAD (so no
# pam_wrapper here).  The test build $BUILD/tests/vouch-account-test is
# tools/vouch-account.c compiled with VOUCH_CONF_PATH and VOUCH_PAM_CONFDIR
# fixed to /tmp/vouch-account-test (pam_start_confdir: nothing is
# installed under /etc).  This test makes that directory root-owned 0755,
# puts the configuration and a vouch-account service file (the shipped
# stack: password, then the code by email, over a real SMTP sink) in it,
# and a setuid-root copy of the binary; a lock serialises concurrent runs.
# The subcommands themselves are covered under pam_wrapper in account.sh.
#
# Asserted: only root may use --user or --config; the tool acts for the
# real uid's name only; caller environment (proxies, SQLite and temp
# dirs, locale paths and language, curl variables, LD_PRELOAD) does not
# steer it; end of input at a prompt changes nothing.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

D=/tmp/vouch-account-test
U="vm$$"
exec 9>/tmp/vouch-account-test.lock
flock -w 300 9 || { fail "lock"; finish; }
cleanup_setuid() {
  rm -rf "$D"
  userdel "$U" >/dev/null 2>&1
  cleanup
}
trap cleanup_setuid EXIT
rm -rf "$D"
mkdir -m 755 "$D" "$D/pam.d" || { fail "mkdir $D"; finish; }
useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$U" ||
  { fail "useradd"; finish; }
G=$(id -g "$U")

setup_check
smtp_start || finish
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
add_user "$U" 'correct horse' --email "$U@example.org"
add_user alice 'alice pw 123' --email alice@example.org
cp "$CONF" "$D/vouch.conf" && chmod 644 "$D/vouch.conf"
sed -e '/^#/d' -e "s#\(pam_vouch_[a-z]*\.so\)#$VOUCH_BUILD/\1 conf=$D/vouch.conf#" \
  "$VOUCH_SRC/conf/pam.d/vouch-account" >"$D/pam.d/vouch-account"
# The modules of the service name $D/vouch.conf: vouchd runs with it.
start_daemon "$D/vouch.conf"
cp "$VOUCH_BUILD/tests/vouch-account-test" "$D/vouch-account"
chmod 4755 "$D/vouch-account"
TOOL="$D/vouch-account"

# as_user ARGS...: the setuid tool started by the test user.
as_user() { setpriv --reuid="$U" --regid="$G" --clear-groups -- "$TOOL" "$@"; }

# Only root may name a user or a configuration.
store_dump "$T/before"
expect_rc 1 "--user refused" -- as_user --user alice devices
expect_grep "only root may use --user" "$T/err" "--user: why"
expect_rc 1 "--config refused" -- as_user --config "$CONF" devices
expect_grep "only root may use --config" "$T/err" "--config: why"
expect_rc 2 "--user after the command is no way round" -- \
  as_user devices --user alice
# The real uid's own account, from the compiled-in configuration.
expect_rc 0 "devices as the user" -- as_user devices
expect_grep '^No sessions recorded\.' "$T/out" "own devices"
# A user without a vouch account.
expect_rc 3 "nobody has no account" -- setpriv --reuid=nobody \
  --regid=nogroup --clear-groups -- "$TOOL" devices
expect_grep "nobody has no vouch account" "$T/err" "nobody: why"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "refusals changed nothing"

# A hostile environment: a preload that would leave a mark (only a root
# process can write to $D: the unprivileged env(1) before the tool cannot),
# proxies
# that lead nowhere, missing temp dirs, locale paths and a language.
cat >"$T/evil.c" <<'EOF'
#include <fcntl.h>
__attribute__((constructor)) static void mark(void)
{
  open("/tmp/vouch-account-test/MARK", O_CREAT | O_WRONLY, 0644);
}
EOF
cc -shared -fPIC -o "$D/evil.so" "$T/evil.c" || fail "build evil.so"
chmod 755 "$D/evil.so"
rm -f "$D/MARK"
suid_start() {
  rm -f "$T/acc.fifo" "$T/acc.out" "$T/acc.err"
  mkfifo "$T/acc.fifo"
  env https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 \
    HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=socks5h://127.0.0.1:9 \
    all_proxy=socks5h://127.0.0.1:9 NO_PROXY= SQLITE_TMPDIR=/nonexistent \
    TMPDIR=/nonexistent LANGUAGE=../../../../tmp/evil LANG=da_DK.UTF-8 \
    LC_ALL=da_DK.UTF-8 LOCPATH=/nonexistent NLSPATH=/nonexistent/%N \
    CURL_CA_BUNDLE=/nonexistent CURL_HOME=/nonexistent \
    setpriv --reuid="$U" --regid="$G" --clear-groups -- \
    env LD_PRELOAD="$D/evil.so" LD_LIBRARY_PATH="$D" "$TOOL" "$@" \
    <"$T/acc.fifo" >"$T/acc.out" 2>"$T/acc.err" &
  ACC_PID=$!
  exec 8>"$T/acc.fifo"
}
acc_wait() {
  k=0
  while [ $k -lt 200 ]; do
    grep -qE -- "$1" "$T/acc.err" 2>/dev/null && return 0
    kill -0 "$ACC_PID" 2>/dev/null || break
    sleep 0.1; k=$((k + 1))
  done
  grep -qE -- "$1" "$T/acc.err" 2>/dev/null && return 0
  fail "vouch-account: no line /$1/"; sed 's/^/  | /' "$T/acc.err" >&2
  return 1
}
acc_end() {
  exec 8>&-
  k=0
  while kill -0 "$ACC_PID" 2>/dev/null && [ $k -lt 300 ]; do
    sleep 0.1; k=$((k + 1))
  done
  kill "$ACC_PID" 2>/dev/null
  wait "$ACC_PID"
  got=$?
  if [ "$got" = "$1" ]; then pass "$2"
  else
    fail "$2: exit $got, wanted $1"
    sed 's/^/  out | /' "$T/acc.out" >&2; sed 's/^/  err | /' "$T/acc.err" >&2
  fi
}

# The whole email change, steered by nothing of the above.
suid_start email new@example.net
acc_wait '^Password: ' && printf '%s\n' 'correct horse' >&8
mail_wait 1
acc_wait '^Security check\. Enter the 6-digit code we sent to v•••@example\.org' &&
  printf '%s\n' "$(mail_code 6)" >&8
mail_wait 2
eq "$(mail_header "$(mail_last)" To)" new@example.net "code to the new address"
acc_wait '^Enter the 6-digit code we sent to n•••@example\.net' &&
  printf '%s\n' "$(mail_code 6)" >&8
acc_end 0 "email changed under a hostile environment"
expect_grep 'Your email address is now new@example\.net' "$T/acc.out" "English, as stored"
mail_wait 3
eq "$(mail_header "$(mail_last)" To)" "$U@example.org" "old address told"
[ -e "$D/MARK" ] && fail "LD_PRELOAD ran inside the setuid tool"
ctl user show "$U" --json | grep -q '"email": *"new@example\.net"' ||
  fail "the user's email"
ctl user show alice --json | grep -q '"email": *"alice@example\.org"' ||
  fail "alice untouched"

# End of input at the password prompt: nothing changes.
store_dump "$T/before"
suid_start phone +4512345678
acc_wait '^Password: '
acc_end 1 "EOF at the password"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "EOF: store unchanged"

finish
