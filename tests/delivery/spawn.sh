#!/bin/sh
# vouch_deliver, the spawning side: the helper gets an empty environment,
# default signals, no inherited descriptors, the config path as its only
# argument and the message on stdin; it is bounded by [delivery] timeout;
# its stderr reason reaches the log; nothing but exit 0 is a delivery.
. "$VOUCH_SRC/tests/lib.sh"

write_conf
P="$T/probe.out"
mkdir -p "$P"
body="Your code is 123456.
Æble, ø, å."

# helper NAME BODY: a fake helper script $T/NAME and the conf pointing at it.
helper() {
  printf '#!/bin/sh\n%s\n' "$2" >"$T/$1"
  chmod 755 "$T/$1"
  conf_set delivery helper "$T/$1"
}
drive_email() {
  printf '%s' "$body" | "$DELIVER_DRIVE" "$@" "$CONF" email \
    bob@example.org "Confirm account change" >"$T/out" 2>"$T/err"
}

# --- what the helper sees
# (the signal state is read by the shell itself, without a child: dash
# blocks signals around its own forks)
helper probe "while read -r l; do case \$l in SigBlk*|SigIgn*) echo \"\$l\";;
esac; done </proc/\$\$/status >$P/sig
printf '%s\n' \"\$@\" >$P/args
env >$P/env
cat >$P/stdin
exec ls /proc/self/fd >$P/fds"
drive_email --dirty
eq "$?" 0 "a helper that exits 0 delivers"
printf '%s\n' --config "$CONF" >"$T/want"
expect_same "$T/want" "$P/args" "argv is --config PATH"
grep -v '^PWD=' "$P/env" >"$T/env"
expect_text "$T/env" "PATH=/usr/sbin:/usr/bin:/sbin:/bin" \
  "the environment is empty but for PATH"
printf 'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n' >"$T/want"
# Signals 32 and 33 belong to glibc (thread cancellation, setxid): no
# program can change their disposition through sigaction, so an ignore
# inherited from the caller (make sets one) stays; they are left out.
ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "$P/sig")
{ grep '^SigBlk:' "$P/sig"
  printf 'SigIgn:\t%016x\n' $(( 0x${ign:-0} & ~0x180000000 )); } >"$T/sig"
expect_same "$T/want" "$T/sig" "signal mask cleared, dispositions default"
printf '0\n1\n2\n3\n' >"$T/want"
expect_same "$T/want" "$P/fds" "only 0, 1, 2 are open (3 is ls's own)"
printf 'channel: email\nto: bob@example.org\nsubject: Confirm account change\n\n%s' \
  "$body" >"$T/want"
expect_same "$T/want" "$P/stdin" "the message arrives on stdin in wire format"

# --- descriptors 0 and 1 closed in the caller: the pipes land there
rm -f "$P"/*
drive_email --close-stdio
eq "$?" 0 "delivers with the caller's stdin and stdout closed"
expect_same "$T/want" "$P/stdin" "the message still arrives on stdin"

# --- an SMS has no subject line
printf 'kode 123456' | "$DELIVER_DRIVE" "$CONF" sms +4512345678 \
  >"$T/out" 2>"$T/err"
eq "$?" 0 "SMS through the helper"
printf 'channel: sms\nto: +4512345678\n\nkode 123456' >"$T/want"
expect_same "$T/want" "$P/stdin" "SMS wire format"

# --- failures are never a success, and say why
helper fail 'cat >/dev/null; echo "gateway said no" >&2; exit 1'
drive_email
eq "$?" 24 "helper exit 1 -> VOUCH_ERR_DELIVERY"
expect_grep 'log: <3> email delivery failed \(helper exit 1\): gateway said no$' \
  "$T/err" "the helper's reason is logged at LOG_ERR with the channel"
expect_nogrep '123456' "$T/err" "the body is not logged"
expect_nogrep 'bob@example.org' "$T/err" "the address is not logged"

helper sig 'kill -9 $$'
drive_email
eq "$?" 24 "helper killed by a signal"
expect_grep 'helper killed by signal 9' "$T/err" "the signal is named"

helper flood 'head -c 1000000 /dev/zero | tr "\0" "x" >&2; exit 3'
drive_email
eq "$?" 24 "helper flooding stderr"
expect_grep 'helper exit 3' "$T/err" "flood: exit status logged"
len=$(grep 'helper exit 3' "$T/err" | wc -c)
[ "$len" -lt 1100 ] && pass "flood: the log line is bounded" ||
  fail "flood: log line of $len bytes"

# The helper closes stdin without reading a 64 KiB body: the caller must
# not die of SIGPIPE.
helper noread 'exec 0<&-; sleep 0.2; exit 0'
body=$(head -c 65536 /dev/zero | tr '\0' 'a')
drive_email
eq "$?" 0 "a helper that ignores stdin: no SIGPIPE, its exit status counts"
body="Your code is 123456."

# --- the deadline: a hanging helper is killed after [delivery] timeout
conf_set delivery timeout 1s
helper hang 'exec sleep 30'
t0=$(now_ms)
drive_email --dirty
rc=$?
el=$(( $(now_ms) - t0 ))
eq "$rc" 24 "a hanging helper -> VOUCH_ERR_DELIVERY"
[ "$el" -lt 3000 ] && pass "killed within the timeout" ||
  fail "hang took $el ms"
expect_grep 'ran past the 1s timeout' "$T/err" "the timeout is logged"
pgrep -f "^sleep 30$" >/dev/null && fail "the hanging helper survived" ||
  pass "the hanging helper is gone"

# --- a helper that is not there or not executable
conf_set delivery helper "$T/missing"
drive_email
eq "$?" 24 "missing helper"
expect_grep "delivery helper $T/missing: No such file" "$T/err" \
  "missing helper named"
printf '#!/bin/sh\nexit 0\n' >"$T/noexec"
chmod 644 "$T/noexec"
conf_set delivery helper "$T/noexec"
drive_email
eq "$?" 24 "non-executable helper"
expect_grep "not an executable file" "$T/err" "non-executable helper named"

# --- a malformed message is refused before anything starts
helper probe2 "touch $P/started; cat >/dev/null"
rm -f "$P"/*
printf 'x' | "$DELIVER_DRIVE" "$CONF" email not-an-address "S" \
  >"$T/out" 2>"$T/err"
eq "$?" 24 "malformed message -> VOUCH_ERR_DELIVERY"
[ -e "$P/started" ] && fail "the helper ran for a malformed message" ||
  pass "no helper for a malformed message"
expect_grep 'the message is malformed' "$T/err" "malformed message logged"

finish
