# ctl_user.sh - vouchctl user add|show|set|del: validation, text and JSON
# output (golden), clearing details, phone verification reset, audit.
. "$VOUCH_SRC/tests/lib.sh"

setup_store

for sub in add show set del import; do
  expect_rc 0 "user $sub --help" -- ctl user "$sub" --help
  expect_grep "^Usage: vouchctl user $sub" "$T/out" "user $sub usage"
done
expect_rc 0 "user --help" -- ctl user --help
expect_grep '^Usage: vouchctl user add' "$T/out" "user usage"
expect_rc 2 "user without subcommand" -- ctl user
expect_grep 'user: missing command' "$T/err" "missing subcommand named"
expect_rc 2 "unknown subcommand" -- ctl user frob alice
expect_grep "user: unknown command 'frob'" "$T/err" "unknown subcommand named"

expect_rc 0 "user add" -- ctl user add alice --email alice@example.org \
  --phone +4512345678 --name "Alice Ørsted" --lang da
expect_grep '^added user alice$' "$T/out" "add confirmed"
expect_rc 0 "user add with --opt=value" -- ctl user add bob --lang=sv
expect_rc 1 "user add existing" -- ctl user add alice
expect_grep '^vouchctl: user alice already exists$' "$T/err" "exists named"

# golden JSON (times masked)
expect_rc 0 "show --json" -- ctl user show alice --json
mask_times <"$T/out" >"$T/show.json"
expect_text "$T/show.json" '{"user":"alice","name":"Alice Ørsted","email":"alice@example.org","phone":"+4512345678","phone_verified":false,"lang":"da","state":"active","password_set":false,"password_changed":null,"failures":0,"plan":null,"period_end":null,"cancelled":null,"delete_profile":false,"created":"TIME"}' \
  "golden user show --json"
expect_rc 0 "show --json of a minimal user" -- ctl user show bob --json
mask_times <"$T/out" >"$T/show.json"
expect_text "$T/show.json" '{"user":"bob","name":null,"email":null,"phone":null,"phone_verified":false,"lang":"sv","state":"active","password_set":false,"password_changed":null,"failures":0,"plan":null,"period_end":null,"cancelled":null,"delete_profile":false,"created":"TIME"}' \
  "golden minimal user"

# text
expect_rc 0 "show text" -- ctl user show alice
expect_grep '^user:       alice$' "$T/out" "text user"
expect_grep '^name:       Alice Ørsted$' "$T/out" "text name"
expect_grep '^email:      alice@example.org$' "$T/out" "text email"
expect_grep '^phone:      \+4512345678 \(not verified\)$' "$T/out" "text phone"
expect_grep '^language:   da$' "$T/out" "text language"
expect_grep '^state:      active$' "$T/out" "text state"
expect_grep '^password:   not set$' "$T/out" "text password"
expect_grep '^failures:   0$' "$T/out" "text failures"
expect_grep '^membership: none$' "$T/out" "text membership"
expect_grep '^created:    [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$T/out" \
  "text created"
[ "$(wc -l <"$T/out")" -eq 10 ] || fail "show text has 10 lines"

# the hash never shows
printf 'correct horse\n' | ctl passwd alice >/dev/null || fail "passwd"
expect_rc 0 "show after passwd" -- ctl user show alice
expect_grep '^password:   set, changed [0-9-]{10}T[0-9:]{8}Z$' "$T/out" \
  "password set shown"
expect_nogrep 'argon2' "$T/out" "no hash in text"
expect_rc 0 "json after passwd" -- ctl user show alice --json
expect_grep '"password_set":true,"password_changed":"[0-9-]{10}T[0-9:]{8}Z"' \
  "$T/out" "password in json"
expect_nogrep 'argon2' "$T/out" "no hash in json"

# set: a new phone is not verified; the same phone keeps its state
store_sql "UPDATE users SET phone_verified = 1 WHERE name = 'alice'"
expect_rc 0 "show verified" -- ctl user show alice
expect_grep '^phone:      \+4512345678 \(verified\)$' "$T/out" "verified"
expect_rc 0 "set same phone" -- ctl user set alice --phone +4512345678
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"phone_verified":true' "$T/out" "same phone stays verified"
expect_rc 0 "set new phone" -- ctl user set alice --phone +4587654321
expect_grep '^changed user alice$' "$T/out" "set confirmed"
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"phone":"\+4587654321","phone_verified":false' "$T/out" \
  "new phone not verified"

# set: empty values clear, other details stay
expect_rc 0 "set clears" -- ctl user set alice --email "" --name "" --lang en
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"name":null,"email":null,"phone":"\+4587654321"' "$T/out" \
  "email and name cleared, phone kept"
expect_grep '"lang":"en"' "$T/out" "lang changed"
expect_rc 0 "set email back" -- ctl user set alice --email a2@example.org
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"email":"a2@example.org"' "$T/out" "email set"
expect_grep '"password_set":true' "$T/out" "password kept by set"

store_dump "$T/before"
expect_rc 2 "set without options" -- ctl user set alice
expect_grep 'give at least one of --email, --phone, --name, --lang' "$T/err" \
  "set needs an option"
expect_rc 2 "set empty lang" -- ctl user set alice --lang ""
expect_grep "invalid language '': use one of en, da, nl, sv, ms" "$T/err" \
  "empty lang refused"
expect_rc 2 "set bad email" -- ctl user set alice --email nope
expect_grep "invalid email address 'nope'" "$T/err" "bad email refused"
expect_rc 2 "set option twice" -- ctl user set alice --lang da --lang sv
expect_grep 'option --lang given twice' "$T/err" "twice named"
expect_rc 2 "set option without value" -- ctl user set alice --lang
expect_grep 'option --lang needs a value' "$T/err" "missing value named"
expect_rc 3 "set unknown user" -- ctl user set zed --lang da
expect_grep '^vouchctl: unknown user zed$' "$T/err" "unknown user named"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "refused set changed nothing"

# del
expect_rc 0 "del" -- ctl user del bob
expect_grep '^deleted user bob$' "$T/out" "del confirmed"
expect_rc 3 "show deleted" -- ctl user show bob
expect_rc 3 "del again" -- ctl user del bob
expect_rc 0 "add again after del" -- ctl user add bob

# audit trail of these commands
expect_rc 0 "audit" -- ctl audit alice
expect_grep ' alice user\.add vouchctl email phone name lang$' "$T/out" \
  "user.add audited with the fields"
expect_grep ' alice user\.set vouchctl phone$' "$T/out" "user.set audited"
expect_rc 0 "audit bob" -- ctl audit bob
expect_grep ' bob user\.del vouchctl -$' "$T/out" "user.del audited"
expect_nogrep 'example.org|4587654321' "$T/out" "no personal data in audit"

finish
