# ctl_sessions_columns.sh - the text tables of vouchctl sessions and
# vouch-account devices: every column starts at the same character
# offset on every line, whatever the length of a service, tty or host
# name (non-ASCII ones counted as characters, control bytes shown as
# '?', very long ones cut with "..."); --json stays as it was.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
add_user alice 'alice pw 123' --email alice@example.org
service login "session required pam_vouch_session.so conf=$CONF"
pam_env "$PAMDRIVE" login alice open >/dev/null
uid=$(store_sql "SELECT id FROM users WHERE name = 'alice'")
long=$(printf 'h%.0s' $(seq 1 60)).example.org
# the escape character itself in the literal: SQLite has char(),
# PostgreSQL chr()
esc=$(printf '\033')
store_sql "
INSERT INTO sessions (user_id, service, tty, rhost, pid, pid_start, started,
  ended, revoked) VALUES
 ($uid, 'sshd', 'pts/12345', 'mail.example.org', 4242, 1, 1700000000, 0, 0),
 ($uid, 'sshd-vouch', 'tty1', '$long', 99999, 1, 1700000100, 1700000200, 1),
 ($uid, 'su', 'pts/æøå', 'værtsmaskine.dk', 7, 1, 1700000300, 0, 0),
 ($uid, 'x', '', 'a$esc[31m', 8, 1, 1700000400, 0, 0);" ||
  fail "sessions inserted"

# columns: each column of the header starts where it starts in every
# row, counted in characters (UTF-8).
check_columns() {
  "$SYS_PY" - "$1" "$2" <<'PY' >&2 || fail "$2: columns misaligned"
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
starts = [m.start() for m in re.finditer(r"(?<!\S)\S", lines[0])]
bad = 0
for n, line in enumerate(lines[1:], 2):
    for k, p in enumerate(starts[1:], 2):
        if len(line) <= p or line[p - 1] != " " or line[p] == " ":
            print("%s: line %d, column %d does not start at %d"
                  % (sys.argv[2], n, k, p))
            bad = 1
sys.exit(bad)
PY
}

expect_rc 0 "vouchctl sessions" -- ctl sessions alice
cp "$T/out" "$T/sessions.txt"
[ "$(wc -l <"$T/sessions.txt")" -eq 6 ] || fail "sessions: 5 rows and a header"
check_columns "$T/sessions.txt" "vouchctl sessions"
expect_grep '^ID +STARTED +ENDED +SERVICE +TTY +FROM +PID$' \
  "$T/sessions.txt" "sessions: header"
expect_grep 'pts/æøå +værtsmaskine\.dk ' "$T/sessions.txt" "UTF-8 kept"
expect_grep ' a\?\[31m ' "$T/sessions.txt" "escape shown as ?"
expect_grep 'hhhhhhhhhh\.\.\. ' "$T/sessions.txt" "long host cut"
expect_grep ' 99999 revoked$' "$T/sessions.txt" "revoked marked"
expect_nogrep "$(printf '\033')" "$T/sessions.txt" "no escape byte"

expect_rc 0 "vouch-account devices" -- pam_env "$VOUCH_BUILD/vouch-account" \
  --config "$CONF" --user alice devices
cp "$T/out" "$T/devices.txt"
[ "$(wc -l <"$T/devices.txt")" -eq 6 ] || fail "devices: 5 rows and a header"
check_columns "$T/devices.txt" "vouch-account devices"
expect_grep '^STARTED +ENDED +SERVICE +TTY +FROM$' "$T/devices.txt" \
  "devices: header"
expect_grep "$long \\(signed out\\)\$" "$T/devices.txt" \
  "last column whole, signed out marked"

# --json: one object a line, the stored texts as they are
expect_rc 0 "sessions --json" -- ctl sessions alice --json
expect_grep "\"rhost\":\"$long\"" "$T/out" "json: the whole host"
expect_grep '"rhost":"a\\u001b\[31m"' "$T/out" "json: escape escaped"
expect_rc 0 "devices --json" -- pam_env "$VOUCH_BUILD/vouch-account" \
  --config "$CONF" --user alice devices --json
[ "$(wc -l <"$T/out")" -eq 5 ] || fail "devices --json: 5 lines"
expect_grep '"tty":"pts/æøå"' "$T/out" "json: UTF-8 tty"

# In the member's language: headings, "open", "signed out", none.
ctl user set alice --lang da >/dev/null || fail "user set --lang da"
expect_rc 0 "devices, da" -- pam_env "$VOUCH_BUILD/vouch-account" \
  --config "$CONF" --user alice devices
cp "$T/out" "$T/devices.da"
expect_grep '^STARTET +SLUTTET +TJENESTE +TTY +FRA$' "$T/devices.da" \
  "devices, da: headings"
expect_grep ' \(logget ud\)$' "$T/devices.da" "devices, da: signed out"
check_columns "$T/devices.da" "vouch-account devices, da"
add_user bo 'bo pw 12345' --lang sv
expect_rc 0 "devices, sv, none" -- pam_env "$VOUCH_BUILD/vouch-account" \
  --config "$CONF" --user bo devices
expect_grep '^Inga sessioner registrerade\.$' "$T/out" "devices, sv: none"

finish
