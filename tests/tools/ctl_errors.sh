# ctl_errors.sh - vouchctl's refusals: every exit code, precise messages
# for bad values, unsafe or broken config/key/store, hostile arguments;
# and nothing in the store changes when a command is refused.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
ctl user add alice --email alice@example.org >/dev/null || fail "user add"
ctl user show alice --json >"$T/alice.before" || fail "user show"

# refused RC DESCRIPTION MESSAGE-REGEX -- COMMAND...: exit code, message
# on stderr, and the store exactly as it was.
refused() {
  want=$1; desc=$2; msg=$3; shift 3
  store_dump "$T/before"
  expect_rc "$want" "$desc" "$@"
  expect_grep "$msg" "$T/err" "$desc: message"
  store_dump "$T/after"
  expect_same "$T/before" "$T/after" "$desc: store unchanged"
}

# 0, and 1..4 each at least once
expect_rc 0 "exit 0" -- ctl user show alice
refused 1 "exit 1: user exists" 'user alice already exists' -- \
  ctl user add alice
refused 2 "exit 2: bad email" \
  "^vouchctl: invalid email address 'alice@': use the form name@example.org, at most 254 bytes\$" \
  -- ctl user add bob --email alice@
refused 3 "exit 3: unknown user" '^vouchctl: unknown user bob$' -- \
  ctl user show bob
refused 4 "exit 4: missing config" 'does not exist: install conf/vouch.conf' \
  -- "$VOUCHCTL" --config "$T/missing.conf" user show alice

# bad values, each named with what is expected
refused 2 "bad phone" \
  "^vouchctl: invalid phone number '12': use E.164 form, e.g. \+4512345678\$" \
  -- ctl user add bob --phone 12
refused 2 "phone without +" "invalid phone number '4512345678'" -- \
  ctl user set alice --phone 4512345678
refused 2 "bad lang" \
  "^vouchctl: invalid language 'de': use one of en, da, nl, sv, ms\$" \
  -- ctl user add bob --lang de
refused 2 "bad full name" \
  "^vouchctl: invalid full name 'a.x0ab': use 1 to 128 characters of UTF-8 text" \
  -- ctl user add bob --name "$(printf 'a\nb')"
refused 2 "bad date" "^vouchctl: invalid date '2030-02-30': use YYYY-MM-DD" \
  -- ctl membership alice --plan gold --period-end 2030-02-30
refused 2 "bad user name" \
  "^vouchctl: invalid user name '.alice': use 1 to 32 of A-Z a-z 0-9 . _ -" \
  -- ctl user add .alice

# empty strings
refused 2 "empty user name" "^vouchctl: invalid user name ''" -- \
  ctl user add ""
refused 2 "empty email on add" "^vouchctl: invalid email address ''" -- \
  ctl user add bob --email ""
refused 2 "empty name to show" "invalid user name ''" -- ctl user show ""
refused 2 "empty command" "unknown command ''" -- ctl ""
refused 2 "empty config name" '--config needs a file name' -- \
  "$VOUCHCTL" --config "" user show alice

# non-UTF-8 and huge arguments: refused, quoted back safely and short
refused 2 "non-UTF-8 user name" "invalid user name '.xff'" -- \
  ctl user add "$(printf '\377')"
refused 2 "non-UTF-8 full name" "invalid full name 'ab.xffcd'" -- \
  ctl user set alice --name "$(printf 'ab\377cd')"
big=$(head -c 102400 /dev/zero | tr '\0' x)
# (the tool refuses them before they reach vouchd: a request is bounded)
refused 2 "100 KiB user name" "argument 'x{64}\.\.\.' is too long" -- \
  ctl user add "$big"
[ "$(wc -c <"$T/err")" -lt 400 ] || fail "huge value not quoted whole"
refused 2 "100 KiB full name" "argument 'x{64}\.\.\.' is too long" -- \
  ctl user set alice --name "$big"
refused 2 "100 KiB email" "argument 'x{64}\.\.\.' is too long" -- \
  ctl user set alice --email "$big@example.org"
# Long, but within the bound: the tool's own check in vouchd.
long=$(printf 'y%.0s' $(seq 1 3000))
refused 2 "3 KB user name" "invalid user name 'y{64}\.\.\.'" -- \
  ctl user add "$long"
refused 2 "100 KiB import line" "stdin:1: line longer than 65536 bytes" -- \
  sh -c 'printf "{\"user\":\"%s\"}\n" "$1" | "$2" --config "$3" user import' \
  sh "$big" "$VOUCHCTL" "$CONF"

# usage errors
refused 2 "no command" 'vouchctl: missing command' -- ctl
refused 2 "unknown command" "vouchctl: unknown command 'frob'" -- ctl frob
expect_grep "Run 'vouchctl --help' for usage" "$T/err" "pointer to --help"
refused 2 "unknown global option" "vouchctl: unknown option '--verbose'" \
  -- ctl --verbose user show alice
refused 2 "--config without value" 'option --config needs a value' -- \
  "$VOUCHCTL" --config
refused 2 "unknown option" "user add: unknown option '--mail'" -- \
  ctl user add bob --mail b@example.org
expect_grep '^Usage: vouchctl user add NAME' "$T/err" "usage of the command"
refused 2 "extra argument" "user show: unexpected argument 'bob'" -- \
  ctl user show alice bob
refused 2 "missing argument" 'unlock: missing NAME' -- ctl unlock
refused 2 "hostile option name" "unknown option '--x.x1b\[2J'" -- \
  ctl user show alice "$(printf -- '--x\033[2J')"
expect_rc 0 "--help" -- "$VOUCHCTL" --help
expect_grep '^Usage: vouchctl \[--config PATH\] COMMAND' "$T/out" "main usage"
expect_rc 0 "-h" -- "$VOUCHCTL" -h
expect_rc 0 "--version" -- "$VOUCHCTL" --version
expect_grep '^vouchctl [0-9]+\.[0-9]+' "$T/out" "version printed"
expect_rc 0 "help after --config" -- ctl --help
expect_rc 0 "subcommand help without a config" -- \
  "$VOUCHCTL" --config "$T/missing.conf" user add --help
expect_rc 0 "-- ends options" -- ctl user show -- alice

# configuration problems name FILE:LINE
cp "$CONF" "$T/good.conf"
printf '[password]\nmin_length = abc\n' >>"$CONF"
line=$(wc -l <"$CONF")
refused 4 "invalid config value" "^vouchctl: $CONF:$line: " -- \
  ctl user show alice
cp "$T/good.conf" "$CONF"
printf '[store]\ncolour = blue\n' >>"$CONF"
line=$(wc -l <"$CONF")
refused 4 "unknown config key" "^vouchctl: $CONF:$line: " -- \
  ctl user show alice
cp "$T/good.conf" "$CONF"
chmod 666 "$CONF"
refused 4 "world-writable config" "$CONF: refused" -- ctl user show alice
chmod 644 "$CONF"

# unsafe or broken store: refused, system error (the SQLite file)
if sqlite_only "an unsafe, symlinked or corrupt store file"; then
  db="$T/vouch.db"
  chmod 666 "$db"
  refused 4 "world-writable store" \
    "$db: refused: writable by group or others" -- ctl user show alice
  chmod 604 "$db"
  refused 4 "world-readable store" "$db: refused" -- ctl user show alice
  chmod 600 "$db"
  chown nobody "$db"
  refused 4 "foreign-owned store" "$db: refused: owned by uid" -- \
    ctl user show alice
  chown root "$db"
  mv "$db" "$T/real.db"
  ln -s real.db "$db"
  expect_rc 4 "symlinked store" -- ctl user show alice
  expect_grep "$db: .*symbolic link" "$T/err" "symlink named"
  expect_rc 4 "symlinked store at init" -- ctl init
  rm "$db"
  mv "$T/real.db" "$db"
  cp "$db" "$T/saved.db"
  printf 'this is not a database at all, not even close............' >"$db"
  head -c 8192 /dev/urandom >>"$db"
  expect_rc 4 "corrupt store" -- ctl user show alice
  expect_grep "$db: .*corrupt" "$T/err" "corrupt store named"
  expect_rc 4 "corrupt store at init" -- ctl init
  cp "$T/saved.db" "$db"
  chmod 600 "$db"
fi

# unsafe key file: init checks it and refuses
key="$T/secret.key"
chmod 644 "$key"
refused 4 "world-readable key" "$key: refused" -- ctl init
chmod 600 "$key"
chown nobody "$key"
refused 4 "foreign-owned key" "$key: refused: owned by uid" -- ctl init
chown root "$key"
mv "$key" "$T/real.key"
ln -s real.key "$key"
refused 4 "symlinked key" "$key" -- ctl init
rm "$key"
mv "$T/real.key" "$key"
head -c 31 /dev/urandom >"$T/short.key"
cp "$key" "$T/saved.key"
cp "$T/short.key" "$key"
refused 4 "short key" "$key" -- ctl init
cp "$T/saved.key" "$key"

# after all of that, alice is exactly as before
expect_rc 0 "init works again" -- ctl init
ctl user show alice --json >"$T/alice.after" || fail "user show"
expect_same "$T/alice.before" "$T/alice.after" "alice unchanged"

finish
