# ctl_passwd.sh - vouchctl passwd: one line from a pipe, twice without
# echo from a terminal (driven through a pty), every policy refusal with
# its message and exit code, lockout cleared, terminal restored after ^C.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
ctl user add alice >/dev/null || fail "user add"

# from a pipe
printf 'first pass 1\n' | ctl passwd alice >"$T/out" 2>"$T/err" ||
  fail "passwd from a pipe"
expect_text "$T/out" "password set for alice" "passwd confirmed"
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"password_set":true' "$T/out" "password set"

# pw LINE-AS-PRINTF RC DESCRIPTION [MESSAGE-REGEX]
pw() {
  printf "$1" >"$T/in"
  expect_rc "$2" "$3" -- sh -c 'ctl() { "$VOUCHCTL" --config "$CONF" "$@"; }
    ctl passwd alice <"$1"' sh "$T/in"
  [ $# -lt 4 ] || expect_grep "$4" "$T/err" "$3: message"
}
export VOUCHCTL CONF

store_dump "$T/before"
pw 'short\n' 2 "too short" '^vouchctl: password too short: at least 8 characters$'
pw "$(head -c 257 /dev/zero | tr '\0' a)\n" 2 "257 bytes" \
  '^vouchctl: password too long: at most 256 bytes$'
pw "$(head -c 10000 /dev/zero | tr '\0' a)\n" 2 "10000 bytes" \
  'cannot read the new password: longer than 257 bytes$'
pw 'abc\000defghij\n' 2 "NUL byte" 'cannot read the new password: NUL byte in input$'
pw '' 2 "empty input" 'cannot read the new password: no input$'
pw '\377\376abcdefgh\n' 2 "not UTF-8" 'password refused: not valid UTF-8 text$'
pw 'first pass 1\n' 1 "same as before" \
  'password refused: it equals one of the last 1 passwords$'
store_dump "$T/after"
expect_same "$T/before" "$T/after" "refused passwords changed nothing"

# exactly 256 bytes is fine; no final newline is fine; \r\n is one line end
pw "$(head -c 256 /dev/zero | tr '\0' b)\n" 0 "256 bytes"
pw 'no newline at end' 0 "end of file ends the line"
pw 'crlf pass 2\r\n' 0 "CRLF line"
pw 'crlf pass 2\n' 1 "the \\r was not part of the password" 'equals one of'
# only the first line counts
pw 'line one 3\nline two 4\n' 0 "first line of two"
pw 'line one 3\n' 1 "it was the first line" 'equals one of'

# unknown user: refused before reading
expect_rc 3 "unknown user" -- ctl passwd zed </dev/null
expect_grep '^vouchctl: unknown user zed$' "$T/err" "unknown user named"
expect_rc 2 "bad name" -- ctl passwd 'a b' </dev/null
expect_rc 2 "no name" -- ctl passwd </dev/null
expect_rc 0 "passwd --help" -- ctl passwd --help
expect_grep '^Usage: vouchctl passwd NAME' "$T/out" "passwd usage"

# a new password clears a lockout and the failure count
store_sql \
  "UPDATE users SET state = 1, pw_failures = 7 WHERE name = 'alice'"
expect_rc 0 "locked" -- ctl user show alice --json
expect_grep '"state":"locked"' "$T/out" "locked before"
pw 'unlock me 5\n' 0 "passwd on a locked account"
expect_rc 0 "json" -- ctl user show alice --json
expect_grep '"state":"active","password_set":true' "$T/out" "unlocked"
expect_grep '"failures":0' "$T/out" "failures cleared"

# on a terminal: prompts, no echo, asked twice
cat >"$T/ttydrive.py" <<'PY'
# ttydrive.py EXPECT SEND [EXPECT SEND...] -- COMMAND...: runs COMMAND on a
# pseudo-terminal, waits for each EXPECT text and answers with SEND
# (backslash escapes decoded), then prints everything the terminal
# showed and exits with the command's exit code.
import os, pty, select, sys, time
args = sys.argv[1:]
cut = args.index("--")
steps, cmd = args[:cut], args[cut + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen = b""
def read_some(deadline):
    global seen
    left = deadline - time.time()
    if left <= 0:
        return False
    r, _, _ = select.select([fd], [], [], left)
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    if not data:
        return False
    seen += data
    return True
for i in range(0, len(steps), 2):
    want = steps[i].encode()
    deadline = time.time() + 20
    while want not in seen:
        if not read_some(deadline):
            sys.stdout.write(seen.decode(errors="replace"))
            sys.stdout.write("\nttydrive.py: timed out waiting for %r\n" % steps[i])
            os.kill(pid, 9)
            sys.exit(124)
    seen = seen.replace(want, b"<" + want + b">", 1)
    time.sleep(0.2)
    os.write(fd, steps[i + 1].encode().decode("unicode_escape").encode())
deadline = time.time() + 20
while read_some(deadline):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
tty_run() { /usr/bin/python3 "$T/ttydrive.py" "$@"; }

expect_rc 0 "passwd on a terminal" -- tty_run \
  'New password: ' 'tty secret 6\n' 'Retype new password: ' 'tty secret 6\n' \
  -- "$VOUCHCTL" --config "$CONF" passwd alice
expect_grep '<New password: >' "$T/out" "first prompt"
expect_grep '<Retype new password: >' "$T/out" "second prompt"
expect_grep 'password set for alice' "$T/out" "set from the terminal"
expect_nogrep 'tty secret' "$T/out" "no echo"
pw 'tty secret 6\n' 1 "the terminal password was stored" 'equals one of'

store_dump "$T/before"
expect_rc 2 "different retype" -- tty_run \
  'New password: ' 'tty secret 7\n' 'Retype new password: ' 'tty secret 8\n' \
  -- "$VOUCHCTL" --config "$CONF" passwd alice
expect_grep 'vouchctl: the two passwords differ' "$T/out" "mismatch named"
expect_nogrep 'tty secret' "$T/out" "no echo on mismatch"

# ^C at the prompt: cancelled, and the terminal echoes again afterwards
expect_rc 0 "interrupt" -- tty_run 'New password: ' 'half\003' \
  -- sh -c 'trap : INT; "$1" --config "$2" passwd alice; echo "rc=$?"
            stty -a' sh "$VOUCHCTL" "$CONF"
expect_grep 'cannot read the new password: interrupted' "$T/out" \
  "interrupt reported"
expect_grep 'rc=1' "$T/out" "interrupt exit code"
expect_grep '(^|[ ;])echo( |;|$)' "$T/out" "echo restored after ^C"
expect_nogrep 'half' "$T/out" "no echo before ^C"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "mismatch and ^C changed nothing"

finish
