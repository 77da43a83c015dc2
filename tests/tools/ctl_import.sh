# ctl_import.sh - vouchctl user import: JSON lines from a file or stdin,
# all or nothing, the first bad line named as FILE:LINE.
. "$VOUCH_SRC/tests/lib.sh"

setup_store

# a good file: blank lines, null and empty values, CRLF, escapes
printf '%s\n' \
  '{"user":"ann","email":"ann@example.org","phone":"+4511111111","name":"Ann \u00d8","lang":"nl"}' \
  '' \
  '   ' \
  '{"user":"ben","email":null,"phone":"","name":null}' >"$T/good.jsonl"
printf '{"lang":"ms", "user":"cat"}\r\n' >>"$T/good.jsonl"
expect_rc 0 "import file" -- ctl user import "$T/good.jsonl"
expect_text "$T/out" "imported 3 users" "import count"
expect_rc 0 "ann" -- ctl user show ann --json
mask_times <"$T/out" >"$T/ann"
expect_text "$T/ann" '{"user":"ann","name":"Ann Ø","email":"ann@example.org","phone":"+4511111111","phone_verified":false,"lang":"nl","state":"active","password_set":false,"password_changed":null,"failures":0,"plan":null,"period_end":null,"cancelled":null,"delete_profile":false,"created":"TIME"}' \
  "imported user complete"
expect_rc 0 "ben" -- ctl user show ben --json
expect_grep '"name":null,"email":null,"phone":null' "$T/out" "null and empty"
expect_rc 0 "cat" -- ctl user show cat --json
expect_grep '"lang":"ms"' "$T/out" "CRLF line imported"

# stdin, with - and without an argument
printf '{"user":"dan"}\n' | ctl user import - >"$T/out" 2>"$T/err" ||
  fail "import -"
expect_text "$T/out" "imported 1 user" "import from -"
printf '{"user":"eve"}' | ctl user import >"$T/out" 2>"$T/err" ||
  fail "import from stdin without a final newline"
expect_rc 0 "eve" -- ctl user show eve
expect_rc 0 "empty input" -- ctl user import /dev/null
expect_text "$T/out" "imported 0 users" "nothing imported"
expect_rc 0 "audit" -- ctl audit
expect_grep ' ann user\.add vouchctl import$' "$T/out" "each user audited"
expect_grep ' - user\.import vouchctl 3 users$' "$T/out" "import audited"

# bad_import RC DESCRIPTION MESSAGE-REGEX: imports $T/bad.jsonl, expects
# the exit code and message, and that the store did not change at all.
bad_import() {
  store_dump "$T/before"
  expect_rc "$1" "$2" -- ctl user import "$T/bad.jsonl"
  expect_grep "$3" "$T/err" "$2: message"
  store_dump "$T/after"
  expect_same "$T/before" "$T/after" "$2: store unchanged"
}

printf '%s\n' '{"user":"fay"}' '{"user":"gus"}' \
  '{"user":"hal","email":"not-an-email"}' '{"user":"ivy"}' >"$T/bad.jsonl"
bad_import 2 "bad email on line 3" \
  "^vouchctl: $T/bad.jsonl:3: invalid email address 'not-an-email': use the form name@example.org"
expect_rc 3 "nothing from the bad file" -- ctl user show fay

printf '%s\n' '{"user":"fay"}' '{"user":"fay"}' >"$T/bad.jsonl"
bad_import 1 "duplicate in the file" "$T/bad.jsonl:2: user fay already exists\$"
printf '%s\n' '{"user":"fay"}' '{"user":"ann"}' >"$T/bad.jsonl"
bad_import 1 "existing user" "$T/bad.jsonl:2: user ann already exists\$"
printf '%s\n' '{"email":"x@example.org"}' >"$T/bad.jsonl"
bad_import 2 "missing user" "$T/bad.jsonl:1: missing \"user\"\$"
printf '%s\n' '{"user":null}' >"$T/bad.jsonl"
bad_import 2 "null user" "$T/bad.jsonl:1: missing \"user\"\$"
printf '%s\n' '{"user":"fay","role":"admin"}' >"$T/bad.jsonl"
bad_import 2 "unknown key" \
  "$T/bad.jsonl:1: unknown key \"role\" \(expected user, email, phone, name, lang\)"
printf '%s\n' '{"user":"fay","age":42}' >"$T/bad.jsonl"
bad_import 2 "number value" \
  "$T/bad.jsonl:1: value of \"age\" must be a string, not a number at byte 20"
printf '%s\n' '{"user":"fay","user":"gus"}' >"$T/bad.jsonl"
bad_import 2 "duplicate key" "$T/bad.jsonl:1: duplicate key \"user\" at byte 14"
printf '%s\n' '{"user":"fay"} x' >"$T/bad.jsonl"
bad_import 2 "trailing text" \
  "$T/bad.jsonl:1: unexpected text after the object at byte 15"
printf '%s\n' '{"user":"fay"' >"$T/bad.jsonl"
bad_import 2 "unterminated" "$T/bad.jsonl:1: unterminated object at byte 13"
printf '%s\n' '["fay"]' >"$T/bad.jsonl"
bad_import 2 "not an object" "$T/bad.jsonl:1: expected '\{' at byte 0"
printf '{"user":"fay"}\n{"user":"g\000us"}\n' >"$T/bad.jsonl"
bad_import 2 "NUL byte" "$T/bad.jsonl:2: NUL byte at byte 10"
printf '{"user":"fay"}\n{"user":"gus","name":"\377"}\n' >"$T/bad.jsonl"
bad_import 2 "non-UTF-8" "$T/bad.jsonl:2: invalid UTF-8 at byte 22"
printf '{"user":"fay","name":"a\\u0001b"}\n' >"$T/bad.jsonl"
bad_import 2 "control character in a name" \
  "$T/bad.jsonl:1: invalid full name 'a.x01b'"
printf '{"user":"fay","lang":"de"}\n' >"$T/bad.jsonl"
bad_import 2 "bad lang" "$T/bad.jsonl:1: invalid language 'de'"
printf '{"user":"-fay"}\n' >"$T/bad.jsonl"
bad_import 2 "bad name" "$T/bad.jsonl:1: invalid user name '-fay'"

# a line over 64 KiB, after a good one
{ printf '{"user":"fay"}\n{"user":"gus","name":"'
  head -c 70000 /dev/zero | tr '\0' a
  printf '"}\n'; } >"$T/bad.jsonl"
bad_import 2 "long line" "$T/bad.jsonl:2: line longer than 65536 bytes\$"

expect_rc 2 "missing file" -- ctl user import "$T/nothing.jsonl"
expect_grep "cannot open $T/nothing.jsonl: No such file or directory" \
  "$T/err" "missing file named"
expect_rc 2 "two files" -- ctl user import a b
expect_grep "unexpected argument 'b'" "$T/err" "extra argument named"
printf '{"user":"fay"}\n' | ctl user import - >/dev/null 2>&1 ||
  fail "import works after the refusals"
expect_rc 0 "fay" -- ctl user show fay

finish
