#!/bin/sh
# unprivileged.sh - vouch-account as members really run it: not setuid,
# started by an unprivileged user (a test system user made with useradd,
# removed on exit) through setpriv, a client of vouchd, which knows the
# member by the socket's peer credentials and runs the command and the
# security check (password, then the code by email over a real SMTP sink)
# itself, with the member's standard input, output and error.
#
# The socket and the configuration are in a root-owned 0755 directory
# the member can reach.  The subcommands themselves are covered in
# account.sh.
#
# Asserted: only root may use --user; --config is accepted from anyone
# when it names vouchd's own file, refused otherwise; the tool acts for
# the caller's account only; the admin tools refuse members; nothing of
# the caller's environment (proxies, SQLite and temp dirs, locale paths
# and language, curl variables, LD_PRELOAD) reaches the command; end of
# input at a prompt changes nothing; a sign-in code is never taken from
# the arguments.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

D=$(mktemp -d /tmp/vouch-member.XXXXXX) && chmod 755 "$D" ||
  { fail "mkdir"; finish; }
U="vm$$"
cleanup_member() {
  stop_daemon
  rm -rf "$D"
  userdel "$U" >/dev/null 2>&1
  cleanup
}
trap cleanup_member EXIT
useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$U" ||
  { fail "useradd"; finish; }
G=$(id -g "$U")

setup_check
smtp_start || finish
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
add_user "$U" 'correct horse' --email "$U@example.org"
add_user alice 'alice pw 123' --email alice@example.org
conf_set daemon socket "$D/vouchd.sock"
cp "$CONF" "$D/vouch.conf" && chmod 644 "$D/vouch.conf"
CONF="$D/vouch.conf"
start_daemon
public_build
TOOL="$PUB/vouch-account"

# as_user ARGS...: the tool started by the test user.
as_user() { setpriv --reuid="$U" --regid="$G" --clear-groups -- "$TOOL" "$@"; }

[ "$(stat -c %a "$TOOL")" = 755 ] || fail "vouch-account is not 0755"
# Only root may name a user; --config only vouchd's own file.
store_dump "$T/before"
expect_rc 1 "--user refused" -- as_user --config "$CONF" --user alice devices
expect_grep "only root may use --user" "$T/err" "--user: why"
cp "$CONF" "$D/other.conf" && chmod 644 "$D/other.conf"
expect_rc 2 "another --config refused" -- \
  as_user --config "$D/other.conf" devices
expect_grep "must name the configuration vouchd runs with" "$T/err" \
  "another --config: why"
expect_rc 2 "--user after the command is no way round" -- \
  as_user --config "$CONF" devices --user alice
# The caller's own account.
expect_rc 0 "devices as the user" -- as_user --config "$CONF" devices
expect_grep '^No sessions recorded\.' "$T/out" "own devices"
# A user without a vouch account.
expect_rc 3 "nobody has no account" -- setpriv --reuid=nobody \
  --regid=nogroup --clear-groups -- "$TOOL" --config "$CONF" devices
expect_grep "nobody has no vouch account" "$T/err" "nobody: why"
# The administrators' tools refuse members.
expect_rc 1 "vouchctl refuses a member" -- setpriv --reuid="$U" \
  --regid="$G" --clear-groups -- "$PUB/vouchctl" --config "$CONF" user show alice
expect_grep "only root may run vouchctl" "$T/err" "vouchctl: why"
expect_rc 1 "vouch-reset refuses a member" -- setpriv --reuid="$U" \
  --regid="$G" --clear-groups -- "$PUB/vouch-reset" \
  --config "$CONF" request alice --via email
# A sign-in code is never an argument (other users could read it).
expect_rc 2 "approve CODE refused" -- as_user --config "$CONF" approve \
  ABCD-EFGH
expect_grep "unexpected argument" "$T/err" "approve CODE: why"
store_dump "$T/after"
# (but for the audit trail, where each refusal is recorded)
grep -v "INSERT INTO audit\|INSERT INTO sqlite_sequence" "$T/before" >"$T/b"
grep -v "INSERT INTO audit\|INSERT INTO sqlite_sequence" "$T/after" >"$T/a"
expect_same "$T/b" "$T/a" "refusals changed nothing"
ctl audit >"$T/audit"
expect_grep 'daemon\.refused .*vouchctl run by uid' "$T/audit" \
  "the refused vouchctl audited"

# A hostile environment: a preload that would leave a mark (only a root
# process can write to $D: the member's own tool cannot), proxies
# that lead nowhere, missing temp dirs, locale paths and a language.
cat >"$T/evil.c" <<'EOF'
#include <fcntl.h>
__attribute__((constructor)) static void mark(void)
{
  open(MARK, O_CREAT | O_WRONLY, 0644);
}
EOF
cc -shared -fPIC -DMARK="\"$D/MARK\"" -o "$D/evil.so" "$T/evil.c" ||
  fail "build evil.so"
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
    env LD_PRELOAD="$D/evil.so" LD_LIBRARY_PATH="$D" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$TOOL" \
    --config "$CONF" "$@" \
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
[ -e "$D/MARK" ] && fail "LD_PRELOAD ran with privilege"
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
