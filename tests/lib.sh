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
${1:-}
CONF
  chmod 644 "$T/vouch.conf"
  CONF="$T/vouch.conf"
}

# ctl ARGS...: vouchctl with the test configuration.
ctl() { "$VOUCHCTL" --config "$CONF" "$@"; }

# setup_store: configuration, key and store, ready for users.
setup_store() {
  write_conf "${1:-}"
  ctl init >/dev/null || { fail "vouchctl init"; exit 1; }
}

# add_user NAME PASSWORD [vouchctl user add options...]
add_user() {
  u=$1; p=$2; shift 2
  ctl user add "$u" "$@" >/dev/null || { fail "user add $u"; return 1; }
  printf '%s\n' "$p" | ctl passwd "$u" >/dev/null || { fail "passwd $u"; return 1; }
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
    LD_PRELOAD="$pre $ft" FAKETIME="$PAM_FAKETIME" FAKETIME_NO_CACHE=1 \
      TZ=UTC PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" "$@"
    return
  fi
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
    -e "s#\([[:space:]]\)\(pam_vouch_[a-z]*\.so\)#\1$VOUCH_BUILD/\2#g" \
    -e "s#\([[:space:]]\)\(pam_[a-z_]*\.so\)#\1$sysdir/\2#g" \
    >"$T/pam.d/$1"
  [ -f "$T/pam.d/other" ] || printf '%s\n' \
    "auth required $sysdir/pam_deny.so" \
    "account required $sysdir/pam_deny.so" \
    "password required $sysdir/pam_deny.so" \
    "session required $sysdir/pam_deny.so" >"$T/pam.d/other"
}

# finish: the last line of every test script.
finish() {
  if [ "$FAILS" -eq 0 ]; then exit 0; fi
  echo "$FAILS assertion(s) failed" >&2
  exit 1
}
