#!/bin/sh
# user.sh - vouchd as [daemon] user, not root: started as root it binds
# its socket, then becomes that user keeping CAP_KILL alone (effective
# and ambient, for the tool workers); "vouchctl init" (root) hands the
# key file and the store to that user.  Then a sign-in with an emailed
# code works (the delivery helper runs as that user too), and sign-out
# everywhere still ends a session of root's PAM host (the CAP_KILL of a
# worker).  Started as yet another user, it refuses with what to do.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"

DU=vouchdu$$
mkuser "$DU" || finish
setup_check
add_user alice 'correct horse' --email alice@example.org
stop_daemon

# The state in a folder of the user's; the helper where it may run it.
public_build
# The build may lie where $DU cannot go (a clone under /root): the helper
# runs from here, its private library found through the loader's
# --library-path (searched before the build's DT_RUNPATH).
mkdir -p "$PUB/lib" && chmod 755 "$PUB/lib"
cp "$VOUCH_BUILD/lib/libvouch.so.0" "$PUB/lib/" &&
  cp "$VOUCH_BUILD/vouch-deliver" "$PUB/vouch-deliver.bin" &&
  chmod 644 "$PUB/lib/libvouch.so.0" && chmod 755 "$PUB/vouch-deliver.bin" ||
  fail "copy the helper"
ld=$(readelf -l "$VOUCH_BUILD/vouch-deliver" |
  sed -n 's/.*interpreter: \([^]]*\)\]/\1/p')
printf '#!/bin/sh\nexec %s --library-path %s %s "$@"\n' "$ld" "$PUB/lib" \
  "$PUB/vouch-deliver.bin" >"$PUB/vouch-deliver"
chmod 755 "$PUB/vouch-deliver"
mkdir -p "$T/state"
if sqlite_only "the store file moved into the user's folder"; then
  mv "$T/vouch.db" "$T/state/"
  rm -f "$T/vouch.db-wal" "$T/vouch.db-shm"
fi
chown "$DU" "$T/state" "$T/mail" && chmod 700 "$T/state"
chmod 711 "$T"
conf_set store path "$T/state/vouch.db"
# vouchctl init hands over the key and a SQLite store, not the database's
# password file: the administrator gives that to the user.
[ "$VOUCH_BACKEND" = sqlite ] || chown "$DU" "$PG_PASSWORD_FILE" ||
  fail "the database password to $DU"
conf_set delivery helper "$PUB/vouch-deliver"
conf_set daemon user "$DU"
expect_rc 0 "vouchctl init hands the state over" -- ctl init
expect_grep "secret\.key now belongs to $DU" "$T/out" "init: the key handed over"
if sqlite_only "the store file handed over to $DU"; then
  expect_grep "vouch\.db now belongs to $DU" "$T/out" \
    "init: the store handed over"
fi
eq "$(stat -c '%U %a' "$T/secret.key")" "$DU 600" "the key: the user's, 0600"
if sqlite_only "the store file's owner and mode"; then
  eq "$(stat -c '%U %a' "$T/state/vouch.db")" "$DU 600" \
    "the store: the user's, 0600"
fi
expect_rc 0 "init again: nothing to do" -- ctl init
if [ "$VOUCH_BACKEND" = sqlite ]; then
  expect_grep '^nothing to do' "$T/out" "init again: said so"
else
  # vouchctl init checks the PostgreSQL store each time and says so
  expect_grep '^the PostgreSQL store is in place' "$T/out" \
    "init again: the store in place"
fi

start_daemon || finish
uid=$(id -u "$DU")
st="/proc/$VOUCHD_PID/status"
eq "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")" "$uid $uid $uid $uid" \
  "vouchd runs as $DU"
eq "$(awk '/^CapEff:/ { print $2 }' "$st")" 0000000000000020 \
  "vouchd keeps CAP_KILL alone (effective)"
eq "$(awk '/^CapPrm:/ { print $2 }' "$st")" 0000000000000020 \
  "vouchd keeps CAP_KILL alone (permitted)"
eq "$(awk '/^CapAmb:/ { print $2 }' "$st")" 0000000000000020 \
  "CAP_KILL ambient, for the workers"
[ -S "$T/vouchd.sock" ] && eq "$(stat -c %U "$T/vouchd.sock")" root \
  "the socket bound as root"

# A sign-in: the password, then the code the helper (as $DU) delivered.
service otp "auth required pam_vouch_password.so conf=$CONF
auth required pam_vouch_otp.so conf=$CONF channel=email"
conv_start otp alice auth
conv_wait_for '^PROMPT_ECHO_OFF: Password: $'
conv_answer 'correct horse'
conv_wait_for 'PROMPT_ECHO_OFF: .*6-digit code'
wait_file "$T/mail" 1
conv_answer "$(code_in "$(newest "$T/mail")")"
expect_conv $PAM_SUCCESS "as $DU: password and emailed code"
eq "$(stat -c %U "$(newest "$T/mail")")" "$DU" "the mail written by $DU"

# Sign-out everywhere ends a session of root's PAM host: the worker of
# vouch-logout-all (as $DU) signals with its ambient CAP_KILL.
service sess "session required pam_vouch_session.so conf=$CONF"
rm -f "$T/hold.pid" "$T/hold.res"
pam_env "$VOUCH_BUILD/tests/session_hold" sess alice "$T/hold.pid" \
  "$T/hold.res" >/dev/null 2>&1 &
k=0; while [ ! -s "$T/hold.pid" ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k+1)); done
hp=$(cat "$T/hold.pid" 2>/dev/null)
[ -n "$hp" ] && eq "$(stat -c %U "/proc/$hp")" root "the holder is root's"
expect_rc 0 "vouch-logout-all" -- "$VOUCH_BUILD/vouch-logout-all" \
  --config "$CONF" alice
expect_grep '^signed alice out of 1 session$' "$T/out" "one session signed out"
k=0; while [ ! -s "$T/hold.res" ] && [ $k -lt 50 ]; do sleep 0.1; k=$((k+1)); done
eq "$(cat "$T/hold.res" 2>/dev/null)" SIGHUP "root's session got SIGHUP"

# Started as another user: refused, with what to do.
stop_daemon
expect_rc 4 "vouchd as nobody" -- as_user nobody "$VOUCHD" --config "$CONF"
expect_grep "start it as root or as $DU" "$T/err" "as nobody: what to do"

finish
