#!/bin/sh
# session_list.sh - pam_vouch_session.so records sessions (service, tty,
# remote host, leader pid, start) and marks them ended; `vouchctl
# sessions` lists them newest first as text and JSON; hostile tty and
# remote host are cleaned; unknown users are not recorded (PAM_IGNORE);
# a store it must not trust or a bad line records nothing and lets the
# session go on (PAM_IGNORE), or with "strict" refuses it; bad input.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/sessions/common.inc"

setup_store
add_user alice 'correct horse'
add_user bob 'other horse'
sess_service
: >"$T/in"
PAM_SESSION_ERR=14

expect_rc 0 "no sessions yet" -- ctl sessions alice
line 'no sessions recorded for alice' "no sessions: said so"
expect_rc 0 "no sessions yet, JSON" -- ctl sessions alice --json
[ -s "$T/out" ] && fail "no sessions: JSON output is empty"

# Open then close in one process.
drive $PAM_SUCCESS "open and close" sess alice open close
line 'open: PAM_SUCCESS' "open: PAM_SUCCESS"
line 'close: PAM_SUCCESS' "close: PAM_SUCCESS"
sessions_json alice
eq "$(wc -l <"$T/sess.json" | tr -d ' ')" 1 "one session recorded"
expect_grep '^\{"id":1,"started":"[0-9T:Z-]+","ended":"[0-9T:Z-]+","service":"sess","tty":null,"rhost":null,"pid":[0-9]+,"revoked":false\}$' \
  "$T/sess.json" "closed session in JSON"

# A live session with a tty and a remote host.
hold_start h1 alice --tty pts/7 --rhost 203.0.113.5 || finish
h1=$HOLD_PID
sessions_json alice
eq "$(head -n 1 "$T/sess.json" | sed 's/^{"id":\([0-9]*\),.*/\1/')" 2 \
  "newest first"
expect_grep "^\{\"id\":2,\"started\":\"[0-9T:Z-]+\",\"ended\":null,\"service\":\"sess\",\"tty\":\"pts/7\",\"rhost\":\"203\\.0\\.113\\.5\",\"pid\":$h1,\"revoked\":false\}\$" \
  "$T/sess.json" "open session in JSON"
expect_rc 0 "text list" -- ctl sessions alice
expect_grep '^ID +STARTED +ENDED +SERVICE +TTY +FROM +PID$' "$T/out" \
  "text header"
expect_grep "^2 +[0-9T:Z-]+ +open +sess +pts/7 +203\\.0\\.113\\.5 +$h1\$" \
  "$T/out" "text row of the open session"
expect_grep "^1 +[0-9T:Z-]+ +[0-9T:Z-]+ +sess +- +- +[0-9]+\$" "$T/out" \
  "text row of the closed session"
eq "$(sed -n 2p "$T/out" | cut -c1)" 2 "text: newest first"
expect_rc 0 "bob has none" -- ctl sessions bob
line 'no sessions recorded for bob' "bob: no sessions"

# The leader ends (here by our SIGTERM): close marks the session ended.
kill -TERM "$h1"
eq "$(hold_result h1)" SIGTERM "holder ended by SIGTERM"
n=0
while alive "$h1" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
sessions_json alice
expect_grep '^\{"id":2,.*"ended":"[0-9T:Z-]+",.*"revoked":false\}$' \
  "$T/sess.json" "closed by the leader: ended, not revoked"
ctl audit alice >"$T/audit"
expect_grep 'session\.open sess id=2 tty=pts/7 rhost=203\.0\.113\.5' \
  "$T/audit" "audit: session.open with tty and remote host"
expect_grep 'session\.close sess id=2$' "$T/audit" "audit: session.close"

# Hostile tty and remote host: printable ASCII only, at most 128 bytes.
esc=$(printf 'a\033[31mb\tc')
long=$(printf '%0300d' 0)
hold_start h2 alice --tty "$esc" --rhost "$long" || finish
sessions_json alice
expect_grep '"tty":"a\?\[31mb\?c"' "$T/sess.json" "control bytes replaced"
rh=$(json_of 3 | sed 's/.*"rhost":"\([0-9]*\)".*/\1/')
eq "${#rh}" 128 "remote host cut to 128 bytes"
kill -TERM "$HOLD_PID"
eq "$(hold_result h2)" SIGTERM "holder h2 ended"

# Closing without a recorded session is fine.
drive $PAM_SUCCESS "close alone" sess alice close

# Unknown user: not recorded, PAM_IGNORE (the stack goes on).
service mixed "session required pam_vouch_session.so conf=$CONF
session required pam_permit.so"
drive $PAM_SUCCESS "unknown user: ignored" mixed nosuch open close
expect_rc 3 "unknown user: nothing recorded" -- ctl sessions nosuch
drive $PAM_SUCCESS "malformed user name: ignored" mixed '../x' open close
drive $PAM_SUCCESS "known user through the mixed stack" mixed bob open close
sessions_json bob
eq "$(wc -l <"$T/sess.json" | tr -d ' ')" 1 "bob: one session"

# Bad module lines: logged, PAM_IGNORE (recording is bookkeeping, the
# session goes on); with "strict" they refuse it.
service bad "session required pam_vouch_session.so conf=$CONF bogus
session required pam_permit.so"
drive $PAM_SUCCESS "unknown option: ignored, the session goes on" \
  bad alice open
service bad2 "session required pam_vouch_session.so conf=vouch.conf
session required pam_permit.so"
drive $PAM_SUCCESS "relative conf: ignored, the session goes on" \
  bad2 alice open
service bad3 "session required pam_vouch_session.so conf=vouch.conf strict
session required pam_permit.so"
drive $PAM_SESSION_ERR "relative conf, strict: refused" bad3 alice open
service dbg "session required pam_vouch_session.so conf=$CONF debug"
drive $PAM_SUCCESS "debug is accepted" dbg alice open close

# vouchctl sessions: bad input.
expect_rc 3 "unknown user" -- ctl sessions nosuch
expect_grep '^vouchctl: unknown user nosuch$' "$T/err" "unknown user: message"
expect_rc 2 "huge name" -- ctl sessions "$long"
expect_grep 'invalid user name' "$T/err" "huge name: message"
expect_rc 2 "non-UTF-8 name" -- ctl sessions "$(printf 'al\377ce')"
expect_grep "invalid user name 'al\\\\xffce'" "$T/err" \
  "non-UTF-8 name: quoted safely"
expect_rc 2 "missing name" -- ctl sessions
expect_rc 2 "unknown option" -- ctl sessions alice --bogus
expect_rc 0 "help" -- ctl sessions --help
expect_grep '^Usage: vouchctl sessions NAME \[--json\]' "$T/out" "help text"

# A store vouch must not trust: nothing recorded; the session goes on
# (PAM_IGNORE), or with "strict" is refused.
store_unusable
drive $PAM_SUCCESS "insecure store: the session goes on" mixed alice open
service strict "session required pam_vouch_session.so conf=$CONF strict"
drive $PAM_SESSION_ERR "insecure store, strict: open fails" strict alice open
expect_rc 4 "insecure store: vouchctl sessions" -- ctl sessions alice
store_usable
sessions_json alice
eq "$(wc -l <"$T/sess.json" | tr -d ' ')" 4 "nothing recorded meanwhile"

finish
