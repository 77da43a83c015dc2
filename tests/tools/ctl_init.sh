# ctl_init.sh - vouchctl init: creates the key file, the store and their
# missing parent directories with the right modes, keeps what exists, and
# refuses unsafe places.
. "$VOUCH_SRC/tests/lib.sh"

write_conf
sed -i -e "s#^path = .*#path = $T/state/db/vouch.db#" \
  -e "s#^key_file = .*#key_file = $T/etc/vouch/secret.key#" "$CONF"

expect_rc 0 "init --help" -- ctl init --help
expect_grep '^Usage: vouchctl init' "$T/out" "init --help prints usage"
expect_rc 2 "init with an extra argument" -- ctl init now
expect_grep 'init: unexpected argument .now.' "$T/err" "extra argument named"
[ -e "$T/state" ] && fail "a refused init created something"

expect_rc 0 "first init" -- ctl init
expect_grep "^created directory $T/etc/vouch\$" "$T/out" "key dir created"
expect_grep "^created key file $T/etc/vouch/secret.key\$" "$T/out" "key"
if sqlite_only "the store file and its directories created"; then
  expect_grep "^created directory $T/state\$" "$T/out" "store parent created"
  expect_grep "^created directory $T/state/db\$" "$T/out" "store dir created"
  expect_grep "^created store $T/state/db/vouch.db\$" "$T/out" "store"
  [ "$(stat -c %a "$T/state")" = 700 ] || fail "store parent mode"
  [ "$(stat -c %a "$T/state/db")" = 700 ] || fail "store dir mode"
  [ "$(stat -c %a "$T/state/db/vouch.db")" = 600 ] || fail "store mode"
else
  expect_grep '^made the PostgreSQL store ' "$T/out" "store"
fi
[ "$(stat -c %a "$T/etc")" = 755 ] || fail "key parent mode"
[ "$(stat -c %a "$T/etc/vouch")" = 755 ] || fail "key dir mode"
[ "$(stat -c %a "$T/etc/vouch/secret.key")" = 600 ] || fail "key mode"
[ "$(stat -c %s "$T/etc/vouch/secret.key")" = 32 ] || fail "key size"
cp "$T/etc/vouch/secret.key" "$T/key.before"

expect_rc 0 "second init" -- ctl init
expect_grep "^kept key file $T/etc/vouch/secret.key\$" "$T/out" "key kept"
if [ "$VOUCH_BACKEND" = sqlite ]; then
  expect_grep "^kept store $T/state/db/vouch.db\$" "$T/out" "store kept"
else
  expect_grep '^the PostgreSQL store is in place ' "$T/out" "store kept"
fi
expect_nogrep 'created' "$T/out" "nothing created the second time"
expect_same "$T/key.before" "$T/etc/vouch/secret.key" "key unchanged"

# the store works after init, and survives a second init
expect_rc 0 "user add after init" -- ctl user add alice
expect_rc 0 "third init" -- ctl init
expect_rc 0 "user kept by init" -- ctl user show alice

# a directory writable by others on the way is refused (on the way to
# the SQLite file: [store] path)
if sqlite_only "unsafe directories on the way to the store file"; then
  mkdir -m 777 "$T/open"
  chmod 777 "$T/open"
  sed -i "s#^path = .*#path = $T/open/sub/vouch.db#" "$CONF"
  expect_rc 4 "world-writable parent" -- ctl init
  expect_grep "refusing $T/open: directory writable by group or others" \
    "$T/err" "world-writable parent named"
  [ -e "$T/open/sub" ] && fail "created below a world-writable directory"

  mkdir -m 770 "$T/group"
  chmod 770 "$T/group"
  sed -i "s#^path = .*#path = $T/group/vouch.db#" "$CONF"
  expect_rc 4 "group-writable parent" -- ctl init
  expect_grep "refusing $T/group: directory writable" "$T/err" "group named"

  # a file where a directory should be
  : >"$T/plain"
  sed -i "s#^path = .*#path = $T/plain/vouch.db#" "$CONF"
  expect_rc 4 "file as parent" -- ctl init
  expect_grep "$T/plain: not a directory" "$T/err" "not a directory"
fi

# no configuration: a clear message, system error
expect_rc 4 "missing config" -- "$VOUCHCTL" --config "$T/none.conf" init
expect_grep "configuration file $T/none.conf does not exist: install conf/vouch.conf there" \
  "$T/err" "missing config explained"

finish
