#!/bin/sh
# password_store_refusal.sh - pam_vouch_password.so fails closed on a
# store it must not trust or cannot use, and never changes it: a symlink,
# group/world-readable, owned by another user, corrupt, on a read-only
# file system.  Insecure files give PAM_SERVICE_ERR, unusable stores
# PAM_SYSTEM_ERR.
. "$VOUCH_SRC/tests/lib.sh"
# Every case is one of the SQLite store file (its place, modes, owner,
# content, file system).
sqlite_only_test "the SQLite store file refused"

# The store in its own directory, so that it can be mounted read-only.
write_conf
mkdir -m 700 "$T/db"
DB="$T/db/vouch.db"
conf_set store path "$DB"
ctl init >/dev/null || { fail "vouchctl init"; exit 1; }
add_user alice 'correct horse'
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M"
trap 'stop_daemon; umount "$T/db" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

answers 'correct horse'
drive $PAM_SUCCESS "sane store" pw alice auth
# From here on the store must never change: keep a copy, once vouchd
# has closed the handles it keeps (closing the last one moves what the
# write-ahead log holds into the file).
reload_daemon || fail "SIGHUP"
cp -p "$DB" "$T/orig.db"

# refused WANT DESC: right and wrong password both refused with WANT.
refused() {
  answers 'correct horse'
  drive "$1" "$2, right password" pw alice auth
  answers 'wrong'
  drive "$1" "$2, wrong password" pw alice auth
}
unchanged() {
  if cmp -s "$T/orig.db" "$1"; then pass "$2: store unchanged"
  else fail "$2: store changed"; fi
}

mv "$DB" "$T/db/real.db"
ln -s real.db "$DB"
refused $PAM_SERVICE_ERR "store is a symlink"
unchanged "$T/db/real.db" "symlink"
rm -f "$DB"; mv "$T/db/real.db" "$DB"

for mode in 644 640 604 660 666; do
  chmod $mode "$DB"
  refused $PAM_SERVICE_ERR "store mode $mode"
  chmod 600 "$DB"
  unchanged "$DB" "mode $mode"
done

chown 65534 "$DB"
refused $PAM_SERVICE_ERR "store owned by 65534"
chown 0 "$DB"
unchanged "$DB" "owner 65534"

mkdir "$T/db/dir.db"
conf_set store path "$T/db/dir.db"
refused $PAM_SERVICE_ERR "store is a directory"
conf_set store path "$T/db/missing.db"
refused $PAM_SYSTEM_ERR "store missing"
if [ -e "$T/db/missing.db" ]; then fail "the module created a store"
else pass "no store created"; fi
conf_set store path "$DB"

# Corrupt: random bytes, and the real store with its header damaged.
head -c 65536 /dev/urandom >"$T/db/garbage.db"
chmod 600 "$T/db/garbage.db"
cp -p "$T/db/garbage.db" "$T/garbage.orig"
conf_set store path "$T/db/garbage.db"
refused $PAM_SYSTEM_ERR "store of random bytes"
if cmp -s "$T/garbage.orig" "$T/db/garbage.db"; then
  pass "random bytes: unchanged"
else fail "random bytes: changed"; fi
cp -p "$DB" "$T/db/damaged.db"
printf 'XQLite format 3' | dd of="$T/db/damaged.db" conv=notrunc 2>/dev/null
cp -p "$T/db/damaged.db" "$T/damaged.orig"
conf_set store path "$T/db/damaged.db"
refused $PAM_SYSTEM_ERR "store with a damaged header"
if cmp -s "$T/damaged.orig" "$T/db/damaged.db"; then
  pass "damaged header: unchanged"
else fail "damaged header: changed"; fi
conf_set store path "$DB"
rm -f "$T/db/garbage.db" "$T/db/damaged.db"
rm -rf "$T/db/dir.db"

# Read-only file system: a read-only bind mount of the store's directory.
if mount --bind "$T/db" "$T/db" && mount -o remount,bind,ro "$T/db"; then
  if touch "$T/db/probe" 2>/dev/null; then
    fail "the bind mount is not read-only"
  fi
  refused $PAM_SYSTEM_ERR "read-only store"
  umount "$T/db" || fail "umount"
  unchanged "$DB" "read-only"
else
  fail "cannot mount the store directory read-only (root needed)"
  umount "$T/db" 2>/dev/null
fi

answers 'correct horse'
drive $PAM_SUCCESS "sane again" pw alice auth
eq "$(failures alice)" 0 "no failure was counted by a refused store"

finish
