# ctl_membership.sh - vouchctl membership NAME --plan P --period-end DATE
# and --clear: stored, shown, audited; bad plans and dates refused.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
ctl user add alice >/dev/null || fail "user add"

expect_rc 0 "membership --help" -- ctl membership --help
expect_grep '^Usage: vouchctl membership NAME --plan P --period-end YYYY-MM-DD' \
  "$T/out" "membership usage"

expect_rc 0 "set" -- ctl membership alice --plan "Family 12" \
  --period-end 2031-02-28
expect_text "$T/out" "membership of alice: Family 12, period ends 2031-02-28" \
  "set confirmed"
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"plan":"Family 12","period_end":"2031-02-28"' "$T/out" \
  "plan and period end stored"
expect_rc 0 "text" -- ctl user show alice
expect_grep '^membership: Family 12, period ends 2031-02-28$' "$T/out" \
  "membership in text"

# a leap day, and replacing the plan
expect_rc 0 "leap day" -- ctl membership alice --plan=basic \
  --period-end=2032-02-29
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"plan":"basic","period_end":"2032-02-29"' "$T/out" "replaced"

store_dump "$T/before"
for d in 2031-02-29 2031-13-01 2031-1-01 31-01-01 2031-01-01x "" \
         1969-12-31 10000-01-01 "2031-01-01 "; do
  expect_rc 2 "date '$d'" -- ctl membership alice --plan basic \
    --period-end "$d"
  expect_grep "^vouchctl: invalid date '$d': use YYYY-MM-DD, a real day" \
    "$T/err" "date '$d' named"
done
expect_rc 2 "empty plan" -- ctl membership alice --plan "" \
  --period-end 2031-01-01
expect_grep "invalid plan '': use 1 to 64 printable ASCII characters" \
  "$T/err" "empty plan named"
expect_rc 2 "plan with a control character" -- ctl membership alice \
  --plan "$(printf 'a\tb')" --period-end 2031-01-01
expect_grep "invalid plan 'a.x09b'" "$T/err" "control character shown safely"
expect_rc 2 "plan too long" -- ctl membership alice \
  --plan "$(head -c 65 /dev/zero | tr '\0' p)" --period-end 2031-01-01
expect_rc 2 "plan without date" -- ctl membership alice --plan basic
expect_grep 'give --plan and --period-end, or --clear' "$T/err" "both needed"
expect_rc 2 "date without plan" -- ctl membership alice --period-end 2031-01-01
expect_rc 2 "clear with plan" -- ctl membership alice --clear --plan basic
expect_grep 'clear goes without --plan and --period-end' "$T/err" \
  "clear alone"
expect_rc 2 "clear with a value" -- ctl membership alice --clear=yes
expect_grep 'option --clear takes no value' "$T/err" "flag value refused"
expect_rc 2 "no name" -- ctl membership --clear
expect_grep 'membership: missing NAME' "$T/err" "name needed"
expect_rc 3 "unknown user" -- ctl membership zed --plan basic \
  --period-end 2031-01-01
expect_grep '^vouchctl: unknown user zed$' "$T/err" "unknown user named"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "refusals changed nothing"

expect_rc 0 "clear" -- ctl membership alice --clear
expect_text "$T/out" "removed the membership of alice" "clear confirmed"
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"plan":null,"period_end":null' "$T/out" "cleared"
expect_rc 0 "text" -- ctl user show alice
expect_grep '^membership: none$' "$T/out" "none in text"

expect_rc 0 "audit" -- ctl audit alice
expect_grep ' alice membership\.set vouchctl Family 12 until 2031-02-28$' \
  "$T/out" "set audited"
expect_grep ' alice membership\.clear vouchctl -$' "$T/out" "clear audited"

finish
