#!/bin/sh
# password_logout.sh - pam_vouch_password.so logout_all: after a password
# change every other session of the member ends, the caller's own session
# (recorded by pam_vouch_session.so in the same PAM handle) stays; without
# the option nothing ends; a refused change ends nothing.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/sessions/common.inc"

setup_store
add_user alice 'correct horse'
sess_service
P="pam_vouch_password.so conf=$CONF"
S="pam_vouch_session.so conf=$CONF"
service pw "password required $P logout_all
session required $S"
service plain "password required $P
session required $S"

# The caller's own session (opened first in the same handle) stays.
hold_start h1 alice || finish
h1=$HOLD_PID
answers 'New-horse-1' 'New-horse-1'
drive $PAM_SUCCESS "change with logout_all" pw alice open chauthtok
eq "$(hold_result h1)" SIGHUP "the other session's leader got SIGHUP"
sessions_json alice
id1=$(grep "\"pid\":$h1," "$T/sess.json" | sed 's/^{"id":\([0-9]*\),.*/\1/')
expect_grep "^\\{\"id\":$id1,.*\"revoked\":true\\}\$" "$T/sess.json" \
  "the other session is revoked"
expect_grep '^\{"id":2,.*"ended":null,.*"revoked":false\}$' "$T/sess.json" \
  "the caller's own session stays open"

# Without a session of its own (like passwd), every session ends.
hold_start h2 alice || finish
answers 'New-horse-2' 'New-horse-2'
drive $PAM_SUCCESS "change without a session" pw alice chauthtok
eq "$(hold_result h2)" SIGHUP "its leader got SIGHUP"
sessions_json alice
expect_nogrep '"ended":null' "$T/sess.json" "no session left open"

# Without logout_all nothing ends.
hold_start h3 alice || finish
h3=$HOLD_PID
answers 'New-horse-3' 'New-horse-3'
drive $PAM_SUCCESS "change without logout_all" plain alice chauthtok
sleep 0.3
alive "$h3" || fail "without logout_all the leader lives"
[ -s "$T/h3.res" ] && fail "without logout_all no signal"

# A refused change (reused password) ends nothing.
answers 'New-horse-3' 'New-horse-3'
drive $PAM_AUTHTOK_ERR "reused password refused" pw alice chauthtok
sleep 0.3
alive "$h3" || fail "a refused change ends nothing"
sessions_json alice
eq "$(grep -c '"ended":null' "$T/sess.json")" 1 "h3's session still open"
kill -TERM "$h3"
eq "$(hold_result h3)" SIGTERM "h3 ended by the test"
ctl audit alice >"$T/audit"
expect_grep 'sessions\.revoked pw count=1' "$T/audit" \
  "audit: revoked by the pw service"

finish
