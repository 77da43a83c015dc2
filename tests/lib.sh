# tests/lib.sh - helpers shared by the shell tests (OpenSSH regress style).
# Sourced by every tests/*/*.sh.  The runner (tests/run.sh) exports:
#   VOUCH_BUILD  absolute build directory (modules, tools, tests/ helpers)
#   VOUCH_SRC    absolute source directory
#   VOUCH_SAN    1 when the build has AddressSanitizer + UBSan
# A test script exits 0 when every assertion held, non-zero otherwise.

set -u
: "${VOUCH_BUILD:?run through tests/run.sh}"
: "${VOUCH_SRC:?run through tests/run.sh}"
: "${VOUCH_SAN:=0}"

VOUCHCTL="$VOUCH_BUILD/vouchctl"
PAMDRIVE="$VOUCH_BUILD/tests/pamdrive"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}"

FAILS=0
T=$(mktemp -d /tmp/vouch-test.XXXXXX) || exit 1
chmod 700 "$T"
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { [ -n "${VERBOSE:-}" ] && echo "ok: $*"; return 0; }

# expect_rc WANT DESCRIPTION -- COMMAND...: runs COMMAND, checks exit code.
expect_rc() {
  want=$1; desc=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"
  got=$?
  if [ "$got" -eq "$want" ]; then pass "$desc"
  else
    fail "$desc: exit $got, wanted $want"
    sed 's/^/  stdout: /' "$T/out" >&2; sed 's/^/  stderr: /' "$T/err" >&2
  fi
}

# expect_grep PATTERN FILE DESCRIPTION
expect_grep() {
  if grep -qE -- "$1" "$2"; then pass "$3"
  else fail "$3: /$1/ not in $2"; sed 's/^/  | /' "$2" >&2; fi
}
expect_nogrep() {
  if grep -qE -- "$1" "$2"; then fail "$3: /$1/ found in $2"
  else pass "$3"; fi
}

# write_conf [EXTRA-INI-TEXT]: a test configuration in $T/vouch.conf with
# a fast argon2id setting and the file transports; $CONF names it.
write_conf() {
  mkdir -p "$T/mail" "$T/sms"
  cat >"$T/vouch.conf" <<CONF
[store]
path = $T/vouch.db
[secret]
key_file = $T/secret.key
[password]
hash_ops = 1
hash_mem = 8M
[email]
transport = file
dir = $T/mail
from = vouch@example.org
[sms]
transport = file
dir = $T/sms
[daemon]
socket = $T/vouchd.sock
${1:-}
CONF
  chmod 644 "$T/vouch.conf"
  CONF="$T/vouch.conf"
  [ "$VOUCH_BACKEND" = sqlite ] || pg_store_conf
}

# --- the store's backend.  VOUCH_BACKEND=postgresql (tests/run.sh BUILD
# MODE postgresql) runs a test against the PostgreSQL store: write_conf
# starts a throwaway cluster (tests/pg.inc) on its first call and points
# [store] of $CONF at its database; vouchctl init makes the schema there
# as vouchd's role (the database's owner).
VOUCH_BACKEND=${VOUCH_BACKEND:-sqlite}
pg_store_conf() {
  if [ -z "${PG_PORT:-}" ]; then
    command -v pg_start >/dev/null 2>&1 || . "$VOUCH_SRC/tests/pg.inc"
    pg_start || { fail "the PostgreSQL cluster"; exit 1; }
  fi
  conf_set store backend postgresql
  conf_set store conninfo \
    "host=$PG_SOCKDIR port=$PG_PORT dbname=$PG_DB user=$PG_USER"
  conf_set store password_file "$PG_PASSWORD_FILE"
  conf_set store host_name test-host
}

# ctl ARGS...: vouchctl with the test configuration; every command but
# init runs in vouchd, started for $CONF when the key is there.
ctl() {
  case " $* " in
    *" init "*) ;;
    *) [ -f "$(sed -n 's/^key_file *= *//p' "$CONF" | tail -n 1)" ] &&
         need_daemon ;;
  esac
  "$VOUCHCTL" --config "$CONF" "$@"
}

# setup_store: configuration, key and store, ready for users.
setup_store() {
  write_conf "${1:-}"
  ctl init >/dev/null || { fail "vouchctl init"; exit 1; }
  start_daemon
}

# add_user NAME PASSWORD [vouchctl user add options...]
add_user() {
  u=$1; p=$2; shift 2
  ctl user add "$u" "$@" >/dev/null || { fail "user add $u"; return 1; }
  printf '%s\n' "$p" | ctl passwd "$u" >/dev/null || { fail "passwd $u"; return 1; }
}

# --- vouchd: the modules are its clients.  Every test that drives a
# module gets a daemon of its own on $T/vouchd.sock (write_conf names it),
# started on first use and started again whenever $CONF changed.  It runs
# under libfaketime with a timestamp file, so that PAM_FAKETIME moves the
# clock that decides (the daemon's), not only the client's.
VOUCHD="$VOUCH_BUILD/vouchd"
VOUCHD_PID=""
VOUCHD_CONF_SUM=""
FAKETIME_LIB=${FAKETIME_LIB:-$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)}

# alive PID: the process runs (a zombie that its reaper has not yet
# collected does not count).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# stop_daemon: SIGTERM, then SIGKILL after 5 s.
stop_daemon() {
  [ -n "$VOUCHD_PID" ] || return 0
  kill "$VOUCHD_PID" 2>/dev/null
  _vd_n=0
  while alive "$VOUCHD_PID" && [ $_vd_n -lt 250 ]; do
    sleep 0.02; _vd_n=$((_vd_n + 1))
  done
  kill -9 "$VOUCHD_PID" 2>/dev/null
  VOUCHD_PID=""
}

# start_daemon [CONF]: (re)starts vouchd for CONF ($CONF) and waits (at
# most 10 s) until it is ready; its log is $T/vouchd.log.
start_daemon() {
  _vd_c=${1:-$CONF}
  stop_daemon
  [ -f "$T/faketime" ] || echo "+0" >"$T/faketime"
  _vd_pre="$FAKETIME_LIB"
  if [ "$VOUCH_SAN" = 1 ]; then
    _vd_pre="$(${CC:-cc} -print-file-name=libasan.so) $FAKETIME_LIB"
  fi
  : >"$T/vouchd.log"
  # Started from a subshell, so that it is no job of the test's shell (a
  # test's plain "wait" must not wait for the daemon).
  (
    LD_PRELOAD="$_vd_pre" FAKETIME_TIMESTAMP_FILE="$T/faketime" \
      FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC \
      "$VOUCHD" --config "$_vd_c" >>"$T/vouchd.log" 2>&1 </dev/null &
    echo $! >"$T/vouchd.pid"
  )
  VOUCHD_PID=$(cat "$T/vouchd.pid")
  VOUCHD_CONF_SUM=$(cksum <"$_vd_c")
  _vd_n=0
  while ! grep -q 'vouchd: ready' "$T/vouchd.log" 2>/dev/null; do
    if ! alive "$VOUCHD_PID" || [ $_vd_n -ge 500 ]; then
      fail "vouchd did not start"; sed 's/^/  vouchd: /' "$T/vouchd.log" >&2
      VOUCHD_PID=""
      return 1
    fi
    sleep 0.02; _vd_n=$((_vd_n + 1))
  done
}

# reload_daemon: SIGHUP, and a wait (at most 5 s) for the daemon to say
# that it took the file or kept the configuration in use (a file with
# errors: the tools then report them, as they would to an administrator).
reload_daemon() {
  _vd_before=$(grep -c 'configuration reloaded\|the configuration in use stays' \
    "$T/vouchd.log" 2>/dev/null)
  kill -HUP "$VOUCHD_PID" 2>/dev/null || return 1
  _vd_n=0
  while [ $_vd_n -lt 250 ]; do
    [ "$(grep -c 'configuration reloaded\|the configuration in use stays' \
      "$T/vouchd.log" 2>/dev/null)" -gt "$_vd_before" ] && break
    sleep 0.02; _vd_n=$((_vd_n + 1))
  done
  VOUCHD_CONF_SUM=$(cksum <"$CONF")
}

# need_daemon: a daemon for $CONF as it is now: started when none runs,
# told to reload when the file changed.
need_daemon() {
  [ -n "${CONF:-}" ] && [ -f "$CONF" ] || return 0
  if [ -n "$VOUCHD_PID" ] && alive "$VOUCHD_PID"; then
    [ "$(cksum <"$CONF")" = "$VOUCHD_CONF_SUM" ] || reload_daemon
    return 0
  fi
  start_daemon
}

# daemon_clock [FAKETIME]: the daemon's clock: a libfaketime value
# ("@2030-01-02 00:00:00" freezes it there), none: the real clock.
daemon_clock() {
  case "${1:-}" in
    "") echo "+0" >"$T/faketime" ;;
    @*) echo "${1#@}" >"$T/faketime" ;;
    *) echo "$1" >"$T/faketime" ;;
  esac
}

# pam_env: runs a command under pam_wrapper with service files in $T/pam.d
# (ASan first in LD_PRELOAD for sanitizer builds).  With PAM_FAKETIME set
# (a libfaketime FAKETIME value such as "@2030-01-02 00:00:00") the clock
# of the command is moved with libfaketime, preloaded after pam_wrapper.
pam_env() {
  pre="libpam_wrapper.so"
  if [ "$VOUCH_SAN" = 1 ]; then
    pre="$(${CC:-cc} -print-file-name=libasan.so) $pre"
  fi
  if [ -n "${PAM_FAKETIME:-}" ]; then
    ft=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
    [ -n "$ft" ] || { fail "libfaketime not found"; return 127; }
    need_daemon
    daemon_clock "$PAM_FAKETIME"
    LD_PRELOAD="$pre $ft" FAKETIME="$PAM_FAKETIME" FAKETIME_NO_CACHE=1 \
      TZ=UTC PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" "$@"
    _vd_rc=$?
    daemon_clock
    return $_vd_rc
  fi
  need_daemon
  LD_PRELOAD="$pre" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" "$@"
}

# The directory of the system's PAM modules (pam_deny.so and friends).
pam_sysdir() {
  for d in /lib/*/security /usr/lib/*/security /lib/security \
           /usr/lib/security; do
    if [ -f "$d/pam_deny.so" ]; then echo "$d"; return 0; fi
  done
  fail "no directory with pam_deny.so"
  echo /lib/security
}

# service NAME LINES: writes $T/pam.d/NAME.  pam_wrapper needs absolute
# module paths: pam_vouch_x.so -> $VOUCH_BUILD/pam_vouch_x.so, any other
# bare pam_x.so -> the system's module directory.  Also writes a denying
# "other" service once.
service() {
  mkdir -p "$T/pam.d"
  sysdir=$(pam_sysdir)
  printf '%s\n' "$2" | sed \
    -e "s#\([[:space:]]\)\(pam_vouch_[a-z]*\.so\)#\1${VOUCH_MODDIR:-$VOUCH_BUILD}/\2#g" \
    -e "s#\([[:space:]]\)\(pam_[a-z_]*\.so\)#\1$sysdir/\2#g" \
    >"$T/pam.d/$1"
  [ -f "$T/pam.d/other" ] || printf '%s\n' \
    "auth required $sysdir/pam_deny.so" \
    "account required $sysdir/pam_deny.so" \
    "password required $sysdir/pam_deny.so" \
    "session required $sysdir/pam_deny.so" >"$T/pam.d/other"
}

# public_build: copies of what unprivileged users run (pamdrive, the
# modules, vouch-account, vouchctl, vouch-reset) in a directory anyone may
# enter, $PUB: the build may lie under a private one (a clone in /root).
# PAMDRIVE and the service files written so far (and later) point there.
public_build() {
  [ -n "${PUB:-}" ] && return 0
  PUB=$(mktemp -d /tmp/vouch-pub.XXXXXX) && chmod 755 "$PUB" ||
    { fail "mktemp for the public build"; return 1; }
  for f in "$VOUCH_BUILD"/tests/pamdrive "$VOUCH_BUILD"/pam_vouch_*.so \
           "$VOUCH_BUILD"/vouch-account "$VOUCH_BUILD"/vouchctl \
           "$VOUCH_BUILD"/vouch-reset; do
    cp "$f" "$PUB/" && chmod 755 "$PUB/$(basename "$f")" ||
      fail "copy $f"
  done
  PAMDRIVE="$PUB/pamdrive"
  VOUCH_MODDIR="$PUB"
  for f in "$T"/pam.d/*; do
    [ -f "$f" ] && sed -i "s#$VOUCH_BUILD/pam_vouch_#$PUB/pam_vouch_#g" "$f"
  done
  return 0
}

# finish: the last line of every test script.
finish() {
  if [ "$FAILS" -eq 0 ]; then exit 0; fi
  echo "$FAILS assertion(s) failed" >&2
  if [ -s "$T/vouchd.log" ]; then
    echo "the daemon's log (last 40 lines):" >&2
    tail -n 40 "$T/vouchd.log" | sed 's/^/  vouchd.log | /' >&2
  fi
  exit 1
}

# --- tool test helpers (tests/tools/ctl_*.sh)

# mask_times: replaces every ISO time and date in JSON text by "TIME"
# and "DATE", so that output can be compared with a golden text.
mask_times() {
  sed -e 's/"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z"/"TIME"/g'
}

# store_sql SQL: runs SQL against the test's store and prints its rows as
# "sqlite3 -batch" does (columns joined by "|", one row a line, NULL as
# nothing), so that a test reads and writes either backend alike; SQL must
# be what both engines accept (the audit column "user" double-quoted).
# SQLite: $STORE_DB ($T/vouch.db unless a test moved it), waiting for the
# daemon's write lock; PostgreSQL: the store's database over the socket,
# with the schema vouch first on the search path (a connection option, so
# that no SET prints a line of its own).
store_sql() {
  if [ "$VOUCH_BACKEND" = sqlite ]; then
    sqlite3 -batch -cmd '.timeout 5000' "${STORE_DB:-$T/vouch.db}" "$1"
  else
    pg_psql "$(pg_socket_conninfo) options='-csearch_path=vouch'" "$1"
  fi
}

# check_charges: the checks charged and not yet settled (a code or card
# number is counted before it is judged, under a name of its own that
# holds a '?': core/challenge.c).
check_charges() {
  store_sql "SELECT count(*) FROM check_failures WHERE method LIKE '%?%'"
}

# store_dump FILE: the store's whole content as text into FILE (to show
# that a refused command changed nothing): SQLite's .dump; PostgreSQL:
# every row of every table of the schema vouch, a line
# "INSERT INTO TABLE VALUES(ROW);" each (as in .dump, so that a test may
# leave a table's rows out alike), sorted: the same content, the same
# text.
store_dump() {
  if [ "$VOUCH_BACKEND" = sqlite ]; then
    sqlite3 -cmd '.timeout 5000' "${STORE_DB:-$T/vouch.db}" .dump >"$1"
    return
  fi
  _sd_q=$(store_sql "SELECT tablename FROM pg_tables
                     WHERE schemaname = 'vouch' ORDER BY 1" |
    sed "s/.*/SELECT 'INSERT INTO & VALUES' || &::text || ';' FROM vouch.&/" |
    sed '1!s/^/UNION ALL /') &&
    [ -n "$_sd_q" ] && store_sql "$_sd_q ORDER BY 1" >"$1" ||
    { fail "store_dump"; : >"$1"; }
}

# store_unusable / store_usable: a store that vouch refuses or cannot
# reach, for the system errors (exit 4), and back: SQLite: the file
# readable by others (refused), then private again; PostgreSQL: the
# cluster stopped, then started again (its data kept).
store_unusable() {
  if [ "$VOUCH_BACKEND" = sqlite ]; then chmod 644 "${STORE_DB:-$T/vouch.db}"
  else pg_stop; fi
}
store_usable() {
  if [ "$VOUCH_BACKEND" = sqlite ]; then chmod 600 "${STORE_DB:-$T/vouch.db}"
  else pg_restart; fi
}

# sqlite_only DESCRIPTION: true under the SQLite backend; under another
# says that the assertions about the SQLite file (DESCRIPTION) are
# skipped, and is false.  Use: if sqlite_only "..."; then ...; fi
sqlite_only() {
  [ "$VOUCH_BACKEND" = sqlite ] && return 0
  echo "skip (sqlite only): $1"
  return 1
}

# sqlite_only_test DESCRIPTION: a whole test about the SQLite file ends
# here (passing) under another backend.
sqlite_only_test() {
  sqlite_only "$1" || exit 0
}

# expect_same FILE1 FILE2 DESCRIPTION: the files are identical.
expect_same() {
  if cmp -s "$1" "$2"; then pass "$3"
  else fail "$3: $1 and $2 differ"; diff "$1" "$2" | sed 's/^/  | /' >&2; fi
}

# expect_text FILE TEXT DESCRIPTION: FILE holds exactly TEXT (one line).
expect_text() {
  printf '%s\n' "$2" >"$T/expected"
  expect_same "$T/expected" "$1" "$3"
}

# --- PAM test helpers (tests/pam/*.sh)
# answers LINE...: the conversation answers, one a line, for the next run.
answers() { printf '%s\n' "$@" >"$T/in"; }
# drive WANT DESC SERVICE USER OP...: pamdrive under pam_wrapper with
# $T/in on stdin; its output is left in $T/out.
drive() {
  want=$1; desc=$2; shift 2
  expect_rc "$want" "$desc" -- pam_env "$PAMDRIVE" "$@" <"$T/in"
}
# drive_fails DESC SERVICE USER OP...: like drive, wanting any failure.
drive_fails() {
  desc=$1; shift
  pam_env "$PAMDRIVE" "$@" <"$T/in" >"$T/out" 2>"$T/err"
  got=$?
  if [ "$got" -ne 0 ] && [ "$got" -lt 32 ]; then pass "$desc"
  else
    fail "$desc: exit $got, wanted a PAM error"
    sed 's/^/  stdout: /' "$T/out" >&2; sed 's/^/  stderr: /' "$T/err" >&2
  fi
}
# line TEXT DESC: TEXT is a whole line of the last output.
line() {
  if grep -qxF -- "$1" "$T/out"; then pass "$2"
  else fail "$2: no line '$1'"; sed 's/^/  | /' "$T/out" >&2; fi
}
# prompts DESC LINE...: the prompts of the last run were exactly LINE...
prompts() {
  d=$1; shift
  if [ $# -gt 0 ]; then printf '%s\n' "$@" >"$T/want"; else : >"$T/want"; fi
  grep '^PROMPT_' "$T/out" >"$T/got"
  if cmp -s "$T/want" "$T/got"; then pass "$d"
  else
    fail "$d: prompts differ"
    sed 's/^/  want | /' "$T/want" >&2; sed 's/^/  got  | /' "$T/got" >&2
  fi
}
eq() {
  if [ "$1" = "$2" ]; then pass "$3"
  else fail "$3: got '$1', wanted '$2'"; fi
}
# failures NAME: the consecutive failure count vouchctl shows.
failures() {
  ctl user show "$1" --json | tr -d ' \t\n' |
    sed -n 's/.*"failures":\([0-9][0-9]*\).*/\1/p'
}
# conf_set SECTION KEY VALUE: sets a key in $CONF, replacing it when the
# section has it, adding it at the top of the section otherwise (and the
# section at the end when missing): write_conf appends its extra text at
# the end, where a second [password] would be a duplicate section.
conf_set() {
  awk -v s="[$1]" -v k="$2" -v v="$3" '
    BEGIN { done = 0 }
    /^\[/ { insec = ($0 == s) }
    insec && $1 == k && $2 == "=" { next }
    { print }
    $0 == s { print k " = " v; done = 1 }
    END { if(!done) { print s; print k " = " v } }' "$CONF" >"$T/conf.new" &&
    cat "$T/conf.new" >"$CONF" && rm -f "$T/conf.new"
  # A running daemon takes the change now (in this shell, not in the
  # background jobs of a test).
  [ -z "$VOUCHD_PID" ] || reload_daemon
}
# PAM return codes (security/_pam_types.h), as pamdrive exits with them.
PAM_SUCCESS=0 PAM_SERVICE_ERR=3 PAM_SYSTEM_ERR=4 PAM_AUTH_ERR=7
PAM_USER_UNKNOWN=10 PAM_MAXTRIES=11 PAM_NEW_AUTHTOK_REQD=12
PAM_ACCT_EXPIRED=13 PAM_CONV_ERR=19 PAM_AUTHTOK_ERR=20
PAM_AUTHINFO_UNAVAIL=9

# --- delivery test helpers (tests/delivery/*.sh, and any test that needs
# the delivery helper, a real SMTP server or an SMS gateway).  Servers
# listen on 127.0.0.1 only, end by themselves after a few minutes and are
# stopped when the test exits.  They run under /usr/bin/python3, which
# sees the Debian python3-* packages (aiosmtpd).
SYS_PY=/usr/bin/python3
VOUCH_DELIVER="$VOUCH_BUILD/vouch-deliver"
DELIVER_DRIVE="$VOUCH_BUILD/tests/deliver_drive"
SERVER_PIDS=""

# stop_servers: SIGTERM, then SIGKILL to whatever still runs after 2 s.
stop_servers() {
  [ -n "$SERVER_PIDS" ] || return 0
  for p in $SERVER_PIDS; do kill "$p" 2>/dev/null; done
  n=0
  while [ $n -lt 20 ]; do
    alive=""
    for p in $SERVER_PIDS; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && break
    sleep 0.1; n=$((n + 1))
  done
  for p in $SERVER_PIDS; do kill -9 "$p" 2>/dev/null; done
  SERVER_PIDS=""
}
# EXIT_HOOKS: functions run at exit before $T goes (tests/pg.inc adds
# pg_stop), by cleanup and by e2e.inc's undo.
EXIT_HOOKS=""
run_exit_hooks() {
  for _h in $EXIT_HOOKS; do "$_h"; done
  EXIT_HOOKS=""
}
cleanup() {
  stop_daemon; stop_servers; run_exit_hooks; rm -rf "$T"
  [ -z "${PUB:-}" ] || rm -rf "$PUB"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# use_helper: points [delivery] helper of $CONF at the built vouch-deliver.
use_helper() { conf_set delivery helper "$VOUCH_DELIVER"; }

# free_port: a port nobody listens on now (the kernel's choice).
free_port() {
  "$SYS_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT PID: waits (at most 10 s) until 127.0.0.1:PORT accepts
# connections; fails early when PID died.
wait_port() {
  "$SYS_PY" - "$1" "$2" <<'PY'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
end = time.monotonic() + 10
while time.monotonic() < end:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# smtp_start: aiosmtpd on 127.0.0.1 storing each message in the Maildir
# $MAILDIR (new/); sets SMTP_PORT.  SMTP_DEBUG=1: smtp.log names each
# connection ("Peer: ...").
smtp_start() {
  MAILDIR="$T/maildir"
  mkdir -p "$MAILDIR/new" "$MAILDIR/cur" "$MAILDIR/tmp"
  for try in 1 2 3 4 5; do
    SMTP_PORT=$(free_port) || break
    timeout 300 "$SYS_PY" -u -m aiosmtpd -n ${SMTP_DEBUG:+-d} \
      -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" >"$T/smtp.log" 2>&1 &
    pid=$!
    SERVER_PIDS="$SERVER_PIDS $pid"
    if wait_port "$SMTP_PORT" "$pid"; then return 0; fi
  done
  fail "the SMTP sink did not start"
  sed 's/^/  smtp: /' "$T/smtp.log" >&2
  return 1
}

# mail_count: messages the SMTP sink holds.
mail_count() { ls "$MAILDIR/new" 2>/dev/null | wc -l | tr -d ' '; }

# mail_wait N: waits (at most 5 s) until the sink holds N messages.
mail_wait() {
  n=0
  while [ "$(mail_count)" -lt "$1" ] && [ $n -lt 50 ]; do
    sleep 0.1; n=$((n + 1))
  done
  [ "$(mail_count)" -ge "$1" ] || { fail "mail_wait: $(mail_count) of $1 messages"; return 1; }
}

# mail_last: the path of the newest message in the sink.
mail_last() {
  f=$(ls -t "$MAILDIR/new" 2>/dev/null | head -n 1)
  [ -n "$f" ] && echo "$MAILDIR/new/$f"
}

# mail_header FILE NAME: a header of a message, RFC 2047 decoded.
mail_header() {
  "$SYS_PY" - "$1" "$2" <<'PY'
import email, email.header, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
v = m[sys.argv[2]]
print("" if v is None else str(v))
PY
}

# mail_body FILE: the decoded body (quoted-printable, charset) of a message.
mail_body() {
  "$SYS_PY" - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
sys.stdout.write(m.get_content())
PY
}

# mail_code LEN: the LEN-digit code in the body of the newest message.
mail_code() {
  f=$(mail_last) || return 1
  mail_body "$f" | grep -oE "(^|[^0-9])[0-9]{$1}([^0-9]|$)" | head -n 1 |
    tr -cd '0-9'
}

# http_start MODE: the fake SMS gateway (tests/servers/http_sink.py) in
# MODE; sets HTTP_PORT and HTTP_DIR (one JSON file a request).
http_start() {
  HTTP_DIR="$T/http.$1"
  rm -rf "$HTTP_DIR" "$T/http.port"
  mkdir -p "$HTTP_DIR"
  timeout 300 "$SYS_PY" "$VOUCH_SRC/tests/servers/http_sink.py" "$1" \
    "$T/http.port" "$HTTP_DIR" 240 >"$T/http.log" 2>&1 &
  SERVER_PIDS="$SERVER_PIDS $!"
  n=0
  while [ ! -s "$T/http.port" ] && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
  done
  HTTP_PORT=$(cat "$T/http.port" 2>/dev/null)
  [ -n "$HTTP_PORT" ] || { fail "the HTTP sink did not start";
    sed 's/^/  http: /' "$T/http.log" >&2; return 1; }
}

# http_count: requests the HTTP sink recorded.
http_count() { ls "$HTTP_DIR" 2>/dev/null | grep -c '\.json$'; }

# http_last: the path of the newest recorded request.
http_last() { ls "$HTTP_DIR"/*.json 2>/dev/null | sort | tail -n 1; }

# http_field FILE KEY [HEADER]: a field of a recorded request (method,
# path, body) or, with KEY "headers", the named header (lower case).
http_field() {
  "$SYS_PY" - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
v = r[sys.argv[2]]
if len(sys.argv) > 3:
    v = v.get(sys.argv[3], "")
sys.stdout.write(v)
PY
}

# now_ms: a millisecond clock for bounds on elapsed time.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
