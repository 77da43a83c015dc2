# ctl_init_existing.sh - vouchctl init with a store but no key file: it
# refuses to make a new key (which would silently kill every card hash,
# code and token of the store), changes nothing and says how to restore
# the key or start again; --new-store moves the old store aside (kept)
# and makes a new key and store that vouchd runs with.  Also: a key
# without a store, both in place, and the hints of the errors that
# follow a missing key or store or a caller who is not root.
. "$VOUCH_SRC/tests/lib.sh"
# The store here is the SQLite file: moved aside by --new-store, compared
# byte for byte (a PostgreSQL store with another key: tests/store/).
sqlite_only_test "a store file without its key, --new-store"

write_conf
KEY="$T/secret.key"
DB="$T/vouch.db"

# both in place: nothing to do
expect_rc 0 "first init" -- ctl init
expect_rc 0 "init with key and store" -- ctl init
expect_grep '^nothing to do: the key file and the store are in place$' \
  "$T/out" "nothing to do said"

# a member with a card, so that the store holds keyed hashes
start_daemon
add_user alice 'alice pw 123' --email alice@example.org
printf '4111 1111 1111 1111\n' | ctl card set alice >/dev/null ||
  fail "card set"
stop_daemon
cp "$KEY" "$T/key.backup"
cp "$DB" "$T/db.before"

# key missing, store there: refused, nothing changed
rm -f "$KEY"
expect_rc 4 "init without the key refused" -- ctl init
expect_grep "the key file $KEY is missing, but the store $DB exists" \
  "$T/err" "key and store named"
expect_grep "refusing to make a new key" "$T/err" "refusal said"
expect_grep "install -m 0600 -o root -g root BACKUP $KEY" "$T/err" \
  "how to restore the key"
expect_grep "vouchctl --config $CONF init --new-store" "$T/err" \
  "--new-store named"
expect_nogrep 'created' "$T/out" "nothing created"
[ -e "$KEY" ] && fail "a key file was made for an existing store"
expect_same "$T/db.before" "$DB" "store byte-identical"
ls "$T" | grep -q 'vouch\.db\.old' && fail "store moved without --new-store"

# vouchd and the tools say what to do about the missing key
expect_rc 4 "vouchd without the key" -- "$VOUCHD" --config "$CONF"
expect_grep "$KEY: key file does not exist; run 'vouchctl init' as root" \
  "$T/err" "vouchd: missing key hint"

# restoring the backup brings everything back
cp "$T/key.backup" "$KEY" && chmod 600 "$KEY"
expect_rc 0 "init after restoring the key" -- ctl init
expect_grep '^kept key file' "$T/out" "restored key kept"
start_daemon
expect_rc 0 "alice kept" -- ctl user show alice

# --new-store refused while vouchd answers
rm -f "$KEY"
expect_rc 4 "--new-store while vouchd runs" -- ctl init --new-store
expect_grep "vouchd answers at $T/vouchd.sock: stop it first" "$T/err" \
  "running vouchd named"
[ -e "$KEY" ] && fail "a refused --new-store made a key"
expect_same "$T/db.before" "$DB" "store untouched by a refused --new-store"
stop_daemon

# --new-store with a key file that cannot serve (mode 0644): refused
# before the old store moves.
head -c 32 /dev/urandom >"$KEY" && chmod 644 "$KEY"
expect_rc 4 "--new-store with an unusable key" -- ctl init --new-store
expect_grep "$KEY" "$T/err" "unusable key: named"
expect_same "$T/db.before" "$DB" "unusable key: the store stays"
ls -d "$T"/vouch.db.old-* >/dev/null 2>&1 &&
  fail "unusable key: the store was moved aside"
rm -f "$KEY"

# --new-store: old store aside and kept, new key and store
expect_rc 0 "--new-store" -- ctl init --new-store
OLD=$(ls -d "$T"/vouch.db.old-* 2>/dev/null | head -n 1)
[ -n "$OLD" ] || fail "no store moved aside"
case "$OLD" in
  "$DB".old-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]) ;;
  *) fail "store moved aside to an unexpected name: $OLD" ;;
esac
expect_grep "^moved the old store $DB aside to $OLD \\(kept, not deleted\\)$" \
  "$T/out" "move said"
expect_grep "^created key file $KEY\$" "$T/out" "new key said"
expect_grep "^created store $DB\$" "$T/out" "new store said"
[ -n "$OLD" ] && expect_same "$T/db.before" "$OLD" "old store kept as it was"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "new key mode"
[ "$(stat -c %s "$KEY")" = 32 ] || fail "new key size"
cmp -s "$KEY" "$T/key.backup" && fail "the new key equals the old one"
expect_rc 0 "vouchd starts with the new key and store" -- start_daemon
expect_rc 3 "the new store is empty" -- ctl user show alice
stop_daemon

# a second --new-store within the same second never overwrites
expect_rc 0 "--new-store with the key in place" -- ctl init --new-store
expect_nogrep 'created key file' "$T/out" "existing key kept"
[ "$(ls -d "$T"/vouch.db.old-* | wc -l)" -eq 2 ] ||
  fail "two stores moved aside"

# key there, store missing: made, said
rm -f "$DB"
expect_rc 0 "init without the store" -- ctl init
expect_grep "^kept key file $KEY\$" "$T/out" "key kept"
expect_grep "^created store $DB\$" "$T/out" "store created"
expect_nogrep 'nothing to do' "$T/out" "something was done"

# store missing while vouchd runs: every error says what to do
start_daemon
rm -f "$DB"
expect_rc 4 "a tool without the store" -- ctl user show alice
expect_grep "$DB: store does not exist; run 'vouchctl init' as root" \
  "$T/err" "store missing hint"
stop_daemon

# a caller who is not root
ctl init >/dev/null
public_build
cp "$VOUCHD" "$PUB/vouchd" && chmod 755 "$PUB/vouchd"
chmod 755 "$T"
expect_rc 4 "init as nobody" -- runuser -u nobody -- \
  "$PUB/vouchctl" --config "$CONF" init
expect_grep "$KEY: Permission denied \\(run as root\\)" "$T/err" \
  "init as nobody: run as root"
expect_rc 4 "vouchd as nobody" -- runuser -u nobody -- \
  "$PUB/vouchd" --config "$CONF"
# (it binds the socket first, then reads the key: either says so)
expect_grep "Permission denied \\(run (vouchd )?as root\\)" "$T/err" \
  "vouchd as nobody: run as root"
mkdir -m 700 "$T/sockdir"
conf_set daemon socket "$T/sockdir/vouchd.sock"
cp "$CONF" "$PUB/vouch.conf" && chmod 644 "$PUB/vouch.conf"
start_daemon "$PUB/vouch.conf"
expect_rc 4 "vouchctl as nobody, socket closed" -- runuser -u nobody -- \
  "$PUB/vouchctl" --config "$PUB/vouch.conf" user show alice
expect_grep "cannot reach vouchd at $T/sockdir/vouchd.sock: Permission denied" \
  "$T/err" "socket refused named"
expect_grep "only root may run vouchctl" "$T/err" "only root said"
chmod 600 "$PUB/vouch.conf"
expect_rc 4 "vouchctl as nobody, config closed" -- runuser -u nobody -- \
  "$PUB/vouchctl" --config "$PUB/vouch.conf" user show alice
expect_grep "vouch.conf: Permission denied \\(run it as root\\)" "$T/err" \
  "config refused: run as root"
expect_rc 4 "vouch-account as nobody, config closed" -- runuser -u nobody -- \
  "$PUB/vouch-account" --config "$PUB/vouch.conf" devices
expect_grep "readable by every user" "$T/err" "member: config hint"
stop_daemon
chmod 700 "$T"
rm -rf "$PUB"

finish
