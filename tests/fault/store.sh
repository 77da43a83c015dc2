#!/bin/sh
# store.sh - a store that cannot be written, targeted:
#   - locked past [store] busy_timeout by another process (the sqlite3
#     shell holding BEGIN IMMEDIATE): PAM_SYSTEM_ERR within the timeout,
#     for a right and a wrong password and for a code answer, and
#     nothing is counted, neither then nor twice afterwards;
#   - a full disk (a 1 MiB tmpfs holding the store, then filled): a
#     wrong password fails closed with PAM_SYSTEM_ERR and is never
#     PAM_SUCCESS, tools exit 4, and once there is room again the
#     counts are exact;
#   - a read-only file system: no code is sent, no password judged.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
# SQLite's lock, a full or read-only file system under the store file.
sqlite_only_test "a SQLite store file that cannot be written"

MNT="$T/mnt"
mkdir -p "$MNT"
HOLDER=""
cleanup_mount() {
  stop_daemon
  [ -n "$HOLDER" ] && { : >"$T/release"; kill "$HOLDER" 2>/dev/null; }
  [ -n "${CONV_PID:-}" ] && kill "$CONV_PID" 2>/dev/null
  umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
  stop_servers
  rm -rf "$T"
}
trap cleanup_mount EXIT
trap 'exit 1' INT TERM HUP
mount -t tmpfs -o size=1m,mode=0700 tmpfs "$MNT" ||
  { fail "cannot mount a tmpfs (root needed)"; finish; }
DB="$MNT/vouch.db"
setup_check "[otp]
resend_max = 100"
conf_set store path "$DB"
conf_set store busy_timeout 1s
ctl init >/dev/null 2>&1 || true
[ -f "$DB" ] || { fail "no store on the tmpfs"; finish; }
add_user alice 'correct horse' --email alice@example.org
service pw "auth required pam_vouch_password.so conf=$CONF"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }

# ------------------------------------------------------------- locked
# hold: a sqlite3 shell takes the write lock and keeps it until
# $T/release exists (at most 30 s).
hold() {
  rm -f "$T/release" "$T/held"
  ( printf 'BEGIN IMMEDIATE;\n.print held\n'
    k=0
    while [ ! -e "$T/release" ] && [ $k -lt 300 ]; do
      sleep 0.1; k=$((k + 1))
    done
    printf 'ROLLBACK;\n' ) | sqlite3 "$DB" >"$T/held" 2>&1 &
  HOLDER=$!
  k=0
  while ! grep -q held "$T/held" 2>/dev/null && [ $k -lt 100 ]; do
    sleep 0.05; k=$((k + 1))
  done
  grep -q held "$T/held" || fail "the sqlite3 shell did not take the lock"
}
release() { : >"$T/release"; wait "$HOLDER" 2>/dev/null; }

hold
t0=$(now_ms)
answers 'wrong'
drive $PAM_SYSTEM_ERR "locked store: wrong password" pw alice auth
answers 'correct horse'
drive $PAM_SYSTEM_ERR "locked store: right password" pw alice auth
el=$(( $(now_ms) - t0 ))
[ $el -lt 8000 ] ||
  fail "locked store: two attempts took ${el} ms (timeout 1s)"
expect_rc 4 "locked store: vouchctl unlock exits 4" -- ctl unlock alice
release
eq "$(failures alice)" 0 "locked store: nothing was counted"
answers 'wrong'
drive $PAM_AUTH_ERR "lock released: wrong password" pw alice auth
eq "$(failures alice)" 1 "lock released: counted once"

# A code sent, the store locked before the answer.
conv_start otp alice auth
wait_file "$T/mail" 1
code=$(code_in "$(newest "$T/mail")")
hold
conv_answer "000000"
expect_conv $PAM_SYSTEM_ERR "locked store: code answer"
release
eq "$(q 'SELECT attempts FROM codes ORDER BY id DESC LIMIT 1')" 0 \
  "locked store: the answer was not counted on the code"
eq "$(q 'SELECT count(*) FROM check_failures')" 0 \
  "locked store: no failed check counted"

# ---------------------------------------------------------- full disk
answers 'correct horse'
drive $PAM_SUCCESS "before the disk fills" pw alice auth
f0=$(failures alice)
dd if=/dev/zero of="$MNT/fill" bs=4k count=512 2>/dev/null
avail=$(df -k "$MNT" | awk 'NR == 2 { print $4 }')
eq "$avail" 0 "the tmpfs is full"
wrong_ok=0
for i in 1 2 3; do
  answers 'wrong'
  pam_env "$PAMDRIVE" pw alice auth <"$T/in" >"$T/out" 2>"$T/err"
  rc=$?
  case $rc in
    "$PAM_SYSTEM_ERR") ;;
    "$PAM_AUTH_ERR") wrong_ok=$((wrong_ok + 1)) ;;  # WAL had room: counted
    *) fail "full disk: wrong password gave $rc" ;;
  esac
done
answers 'correct horse'
pam_env "$PAMDRIVE" pw alice auth <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || [ $rc = "$PAM_SYSTEM_ERR" ] ||
  fail "full disk: right password gave $rc"
right_rc=$rc
expect_rc 4 "full disk: vouchctl user add exits 4" -- \
  ctl user add bob --email bob@example.org
rm -f "$MNT/fill"
eq "$(q 'PRAGMA integrity_check;')" ok "full disk: store intact"
# Exact: the failures that were answered PAM_AUTH_ERR are counted, the
# rest are not; a successful login cleared them.
if [ $right_rc = 0 ]; then want=0; else want=$((f0 + wrong_ok)); fi
eq "$(failures alice)" "$want" "full disk: failure count exact"
expect_rc 3 "full disk: bob was not added" -- ctl user show bob

# ---------------------------------------------------------- read-only
# (A file system cannot turn read-only under a process that has the store
# open for writing: the kernel refuses the remount.  vouchd keeps store
# handles between requests; SIGHUP closes them, as an administrator
# would before remounting.)
n0=$(ls "$T/mail" | wc -l)
reload_daemon || fail "SIGHUP"
mount -o remount,ro "$MNT" || fail "remount read-only"
conv_start otp alice auth
expect_conv $PAM_SYSTEM_ERR "read-only store: no security check"
eq "$(ls "$T/mail" | wc -l)" "$n0" "read-only store: no code was sent"
answers 'wrong'
drive $PAM_SYSTEM_ERR "read-only store: wrong password" pw alice auth
mount -o remount,rw "$MNT" || fail "remount read-write"
eq "$(q 'PRAGMA integrity_check;')" ok "read-only store: intact"
finish
