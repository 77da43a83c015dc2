# tests/converse.sh - a PAM conversation driven step by step, for modules
# whose answers are only known during the conversation (a code that was
# just sent).  Sourced after tests/lib.sh.
#
#   conv_start SERVICE USER OP...   pamdrive in the background; its
#                                   answers come from a FIFO, its output
#                                   goes to $T/conv.out
#   conv_wait_for REGEX [SECONDS]   waits until a line of the output
#                                   matches (bounded; default 20 s)
#   conv_answer TEXT                sends one answer line
#   conv_end [SECONDS]              closes the answers, waits for the end
#                                   (bounded) and sets CONV_RC
#   newest DIR                      the newest file in DIR
#   code_in FILE [LEN]              the LEN-digit code standing alone in
#                                   FILE (default 6)

conv_start() {
  rm -f "$T/conv.fifo" "$T/conv.out" "$T/conv.rc"
  mkfifo "$T/conv.fifo"
  ( pam_env timeout 120 "$PAMDRIVE" "$@" <"$T/conv.fifo" >"$T/conv.out" \
      2>"$T/conv.err"; echo $? >"$T/conv.rc" ) &
  CONV_PID=$!
  exec 7>"$T/conv.fifo"
}

conv_wait_for() {
  limit=$(( ${2:-20} * 10 ))
  k=0
  while [ $k -lt $limit ]; do
    grep -qE -- "$1" "$T/conv.out" 2>/dev/null && return 0
    [ -e "$T/conv.rc" ] && break
    sleep 0.1; k=$((k + 1))
  done
  grep -qE -- "$1" "$T/conv.out" 2>/dev/null && return 0
  fail "conversation: no line matching /$1/"
  sed 's/^/  | /' "$T/conv.out" >&2
  return 1
}

conv_answer() { [ -e "$T/conv.rc" ] && return 1; printf '%s\n' "$1" >&7; }

conv_end() {
  exec 7>&-
  limit=$(( ${1:-30} * 10 ))
  k=0
  while [ ! -e "$T/conv.rc" ] && [ $k -lt $limit ]; do
    sleep 0.1; k=$((k + 1))
  done
  if [ -e "$T/conv.rc" ]; then CONV_RC=$(cat "$T/conv.rc")
  else kill "$CONV_PID" 2>/dev/null; CONV_RC=timeout; fi
  wait "$CONV_PID" 2>/dev/null
}

# expect_conv WANT_RC DESCRIPTION: the conversation ended with WANT_RC.
expect_conv() {
  conv_end
  if [ "$CONV_RC" = "$1" ]; then pass "$2"
  else
    fail "$2: pamdrive exit $CONV_RC, wanted $1"
    sed 's/^/  out | /' "$T/conv.out" >&2
    sed 's/^/  err | /' "$T/conv.err" >&2
  fi
}

newest() { ls -t "$1" 2>/dev/null | head -n 1 | sed "s#^#$1/#"; }

# wait_file DIR N: waits (bounded, 20 s) until DIR holds N files.
wait_file() {
  k=0
  while [ "$(ls "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $k -lt 200 ]; do
    sleep 0.1; k=$((k + 1))
  done
  [ "$(ls "$1" 2>/dev/null | wc -l)" -ge "$2" ] || {
    fail "no message number $2 in $1"; return 1; }
}

code_in() {
  len=${2:-6}
  # The body only: headers (Message-ID, Date) hold digits too.
  awk 'body { print } /^\r?$/ { body = 1 }' "$1" |
    grep -oE "(^|[^0-9])[0-9]{$len}([^0-9]|$)" | tr -cd '0-9\n' |
    grep -E "^[0-9]{$len}$" | head -n 1
}

# setup_check [EXTRA-INI]: a store whose messages are written as files to
# $T/mail and $T/sms through the built delivery helper, with the shipped
# templates (copied with safe modes: a checkout may be group-writable).
setup_check() {
  rm -rf "$T/templates"
  cp -R "$VOUCH_SRC/conf/templates" "$T/templates"
  find "$T/templates" -type d -exec chmod 755 {} +
  find "$T/templates" -type f -exec chmod 644 {} +
  setup_store "[delivery]
helper = $VOUCH_BUILD/vouch-deliver
timeout = 5s
[templates]
dir = $T/templates
${1:-}"
}

# conv_start_clock SERVICE USER OP...: like conv_start, with the clock of
# pamdrive frozen by libfaketime at BASE + CLOCK0 seconds (default 0);
# clock_set N moves it to BASE + N during the conversation.  The
# monotonic clock is left alone: timeouts and waits stay real.
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
BASE=$(date -u -d '2030-01-01 00:00:00' +%s)
clock_set() {
  date -u -d "@$((BASE + $1))" '+%Y-%m-%d %H:%M:%S' >"$T/clock"
  # vouchd decides expiry and windows: its clock moves too (lib.sh).
  cp "$T/clock" "$T/faketime"
}
conv_start_clock() {
  [ -n "$FAKETIME_LIB" ] || fail "libfaketime not found"
  clock_set "${CLOCK0:-0}"
  rm -f "$T/conv.fifo" "$T/conv.out" "$T/conv.rc"
  mkfifo "$T/conv.fifo"
  pre="libpam_wrapper.so $FAKETIME_LIB"
  if [ "$VOUCH_SAN" = 1 ]; then
    pre="$(${CC:-cc} -print-file-name=libasan.so) $pre"
  fi
  need_daemon
  ( timeout 120 env LD_PRELOAD="$pre" PAM_WRAPPER=1 \
    PAM_WRAPPER_SERVICE_DIR="$T/pam.d" FAKETIME_TIMESTAMP_FILE="$T/clock" \
    FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC \
    "$PAMDRIVE" "$@" <"$T/conv.fifo" >"$T/conv.out" \
      2>"$T/conv.err"; echo $? >"$T/conv.rc" ) &
  CONV_PID=$!
  exec 7>"$T/conv.fifo"
}

# shown_code: the sign-in code pam_vouch_device shows in the
# conversation (English).
shown_code() {
  sed -n 's/^TEXT_INFO: Your sign-in code: \(.*\)$/\1/p' "$T/conv.out" |
    head -n 1
}

# qr_check WANT DESC: the QR code pam_vouch_device drew in the
# conversation says WANT (read back by zbar), and each PAM message of it
# stays within PAM_MAX_MSG_SIZE (512 bytes).
qr_check() {
  conv_wait_for "$(printf '\342\226\210\342\226\210\342\226\210')"
  # The messages of the QR code arrive one by one: read until zbar reads
  # it (bounded, 5 s).
  k=0 got=""
  while [ $k -lt 20 ]; do
    if "$SYS_PY" "$VOUCH_SRC/tests/member/qr_read.py" "$T/conv.out" \
        "$T/qr.pbm" >"$T/qr.sizes" 2>"$T/qr.err"; then
      got=$(zbarimg --raw -q "$T/qr.pbm" 2>"$T/zbar.err")
      [ "$got" = "$1" ] && break
    fi
    sleep 0.25; k=$((k + 1))
  done
  eq "$got" "$1" "$2"
  big=$(awk '$1 > 511' "$T/qr.sizes")
  [ -z "$big" ] && [ -s "$T/qr.sizes" ] ||
    fail "$2: a message longer than 511 bytes: $(tr '\n' ' ' <"$T/qr.sizes")"
}
