#!/bin/sh
# password_options.sh - the PAM line of pam_vouch_password.so: debug,
# unknown options, conf= pointing at a missing, relative, symlinked,
# writable, foreign or invalid file (PAM_SERVICE_ERR, nothing crashes),
# SECTION.KEY=VALUE overrides of the configuration.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
add_user alice 'correct horse'
M="pam_vouch_password.so"

# bad_line DESC ARGS...: an auth and an account stack with this PAM line
# give PAM_SERVICE_ERR for a known user.
bad_line() {
  d=$1; shift
  service bad "auth required $M $*
account required $M $*
password required $M $*"
  answers 'correct horse' 'Newpass-one' 'Newpass-one'
  drive $PAM_SERVICE_ERR "$d: auth" bad alice auth
  line 'auth: PAM_SERVICE_ERR' "$d: auth PAM_SERVICE_ERR"
  drive $PAM_SERVICE_ERR "$d: acct" bad alice acct
  drive $PAM_SERVICE_ERR "$d: chauthtok" bad alice chauthtok
}

service ok "auth required $M conf=$CONF debug
account required $M conf=$CONF debug"
answers 'correct horse'
drive $PAM_SUCCESS "debug is accepted" ok alice auth acct

bad_line "unknown option" "conf=$CONF" bogus
bad_line "unknown option with a value" "conf=$CONF" bogus=1
bad_line "option spelled in capitals" "conf=$CONF" USE_FIRST_PASS
bad_line "missing conf" "conf=$T/nosuch.conf"
bad_line "empty conf=" "conf="
bad_line "relative conf" "conf=vouch.conf"
ln -s "$CONF" "$T/link.conf"
bad_line "symlinked conf" "conf=$T/link.conf"
for mode in 666 664 646; do
  cp "$CONF" "$T/m$mode.conf"; chmod $mode "$T/m$mode.conf"
  bad_line "conf mode $mode" "conf=$T/m$mode.conf"
done
cp "$CONF" "$T/nobody.conf"; chown 65534 "$T/nobody.conf"
bad_line "conf owned by 65534" "conf=$T/nobody.conf"
mkdir "$T/dir.conf"
bad_line "conf is a directory" "conf=$T/dir.conf"
cp "$CONF" "$T/unknown.conf"
sed -i 's/^\[password\]$/[password]\nno_such_key = 1/' "$T/unknown.conf"
bad_line "conf with an unknown key" "conf=$T/unknown.conf"
cp "$CONF" "$T/value.conf"
sed -i 's/^\[password\]$/[password]\nmin_length = abc/' "$T/value.conf"
bad_line "conf with a bad value" "conf=$T/value.conf"
cp "$CONF" "$T/section.conf"; printf '[nosuch]\nkey = 1\n' >>"$T/section.conf"
bad_line "conf with an unknown section" "conf=$T/section.conf"
head -c 2048 /dev/urandom >"$T/garbage.conf"; chmod 644 "$T/garbage.conf"
bad_line "conf of random bytes" "conf=$T/garbage.conf"
head -c 4194304 /dev/zero | tr '\0' '#' >"$T/huge.conf"
chmod 644 "$T/huge.conf"
bad_line "conf of 4 MiB" "conf=$T/huge.conf"

# logout_all is accepted, and after a change it signs out the other
# sessions (here a live one, held by tests/bin/session_hold).
service sess "session required pam_vouch_session.so conf=$CONF"
service lo "auth required $M conf=$CONF logout_all
account required $M conf=$CONF logout_all
password required $M conf=$CONF logout_all"
: >"$T/in"
pam_env "$VOUCH_BUILD/tests/session_hold" sess alice "$T/hold.pid" \
  "$T/hold.res" >/dev/null 2>&1 &
hold=$!
k=0; while [ ! -s "$T/hold.pid" ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k+1)); done
[ -s "$T/hold.pid" ] || fail "no session to sign out"
answers 'correct horse'
drive $PAM_SUCCESS "logout_all is accepted" lo alice auth acct
answers 'Logout-all-1' 'Logout-all-1'
drive $PAM_SUCCESS "logout_all: change" lo alice chauthtok
wait "$hold"
eq "$(cat "$T/hold.res" 2>/dev/null)" SIGHUP "logout_all: the session got SIGHUP"
ctl sessions alice --json >"$T/sess.json"
expect_grep '"ended":"[0-9T:Z-]+",.*"revoked":true' "$T/sess.json" \
  "logout_all: the session is revoked"
printf '%s\n' 'correct horse' | ctl passwd alice >/dev/null ||
  fail "password back for the cases below"

# The account phase's options on another phase's line: refused there,
# taken on the account line.
for o in reset=deny vouchd_down=ignore; do
  service phase "auth required $M conf=$CONF $o
account required $M conf=$CONF $o
password required $M conf=$CONF $o"
  answers 'correct horse'
  drive $PAM_SERVICE_ERR "$o on an auth line: refused" phase alice auth
  : >"$T/in"
  drive $PAM_SUCCESS "$o on the account line: taken" phase alice acct
  answers 'Newpass-one' 'Newpass-one'
  drive $PAM_SERVICE_ERR "$o on a password line: refused" phase alice \
    chauthtok
done
service phase "account required $M conf=$CONF reset=later"
: >"$T/in"
drive $PAM_SERVICE_ERR "reset=later: refused" phase alice acct

# SECTION.KEY=VALUE overrides.
bad_line "override of an unknown key" "conf=$CONF" password.nosuch=1
bad_line "override of an unknown section" "conf=$CONF" nosuch.key=1
bad_line "override with a bad value" "conf=$CONF" password.min_length=abc
bad_line "override without a key" "conf=$CONF" password.=1
service lim "auth required $M conf=$CONF password.max_failures=2
password required $M conf=$CONF password.min_length=12"
answers 'wrong'
drive $PAM_AUTH_ERR "override max_failures=2: wrong 1" lim alice auth
drive_fails "override max_failures=2: wrong 2 locks" lim alice auth
answers 'correct horse'
drive $PAM_MAXTRIES "override max_failures=2: locked" lim alice auth
expect_rc 0 "unlock" -- ctl unlock alice
answers 'Eleven-char' 'Eleven-char'
drive $PAM_AUTHTOK_ERR "override min_length=12: 11 refused" lim alice chauthtok
expect_grep '^ERROR_MSG: .*12' "$T/out" "override min_length: message names 12"
answers 'Twelve-chars' 'Twelve-chars'
drive $PAM_SUCCESS "override min_length=12: 12 accepted" lim alice chauthtok
# The override on one line does not leak into the configuration file.
service plain "auth required $M conf=$CONF"
answers 'wrong'
drive $PAM_AUTH_ERR "plain line: wrong 1" plain alice auth
drive $PAM_AUTH_ERR "plain line: wrong 2 does not lock" plain alice auth
answers 'Twelve-chars'
drive $PAM_SUCCESS "plain line: still open" plain alice auth

finish
