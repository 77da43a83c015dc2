#!/bin/sh
# password_account.sh - pam_vouch_password.so, account phase: active,
# locked, reset required (vouch-logout-all --new-password), membership
# ended (also across the period end with libfaketime), unknown users.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
conf_set password max_failures 3
add_user alice 'correct horse'
add_user carol 'other horse'
M="pam_vouch_password.so conf=$CONF"
service acc "auth required $M
account required $M"
: >"$T/in"

drive $PAM_SUCCESS "active account" acc alice acct
line 'acct: PAM_SUCCESS' "active: PAM_SUCCESS"
prompts "the account phase never prompts"
drive $PAM_USER_UNKNOWN "unknown user" acc nosuch acct
line 'acct: PAM_USER_UNKNOWN' "unknown: PAM_USER_UNKNOWN"
drive $PAM_USER_UNKNOWN "malformed user name" acc '../x' acct

# Locked after max_failures wrong passwords: a new password is needed.
answers 'wrong'
drive $PAM_AUTH_ERR "wrong password 1" acc alice auth
drive $PAM_AUTH_ERR "wrong password 2" acc alice auth
drive_fails "wrong password 3 locks" acc alice auth
drive $PAM_NEW_AUTHTOK_REQD "locked account" acc alice acct
line 'acct: PAM_NEW_AUTHTOK_REQD' "locked: PAM_NEW_AUTHTOK_REQD"
expect_grep '^ERROR_MSG: .*[Rr]eset' "$T/out" "locked: message about a reset"
answers 'correct horse'
drive $PAM_MAXTRIES "locked: auth then acct stops at auth" acc alice auth acct
expect_rc 0 "vouchctl unlock" -- ctl unlock alice
: >"$T/in"
drive $PAM_SUCCESS "unlocked account" acc alice acct
answers 'correct horse'
drive $PAM_SUCCESS "auth then acct after unlock" acc alice auth acct
line 'auth: PAM_SUCCESS' "after unlock: auth PAM_SUCCESS"
line 'acct: PAM_SUCCESS' "after unlock: acct PAM_SUCCESS"

# Membership: access ends at 00:00 UTC of the day after the period end.
: >"$T/in"
expect_rc 0 "membership ended 2020-01-01" -- \
  ctl membership alice --plan basic --period-end 2020-01-01
drive $PAM_ACCT_EXPIRED "membership ended" acc alice acct
line 'acct: PAM_ACCT_EXPIRED' "ended: PAM_ACCT_EXPIRED"
expect_grep '^ERROR_MSG: .*2020-01-01' "$T/out" "ended: message names the day"
drive $PAM_SUCCESS "another member is not affected" acc carol acct

expect_rc 0 "membership until 2030-01-01" -- \
  ctl membership alice --plan basic --period-end 2030-01-01
drive $PAM_SUCCESS "membership running" acc alice acct
for when in '2030-01-01 00:00:00' '2030-01-01 12:00:00' \
            '2030-01-01 23:59:50'; do
  PAM_FAKETIME="@$when" drive $PAM_SUCCESS "period end day, $when" \
    acc alice acct
done
for when in '2030-01-02 00:00:01' '2030-01-02 12:00:00' '2031-06-01 00:00:00'
do
  PAM_FAKETIME="@$when" drive $PAM_ACCT_EXPIRED "after the end, $when" \
    acc alice acct
  expect_grep '^ERROR_MSG: .*2030-01-01' "$T/out" "after the end: day named"
done
# The period end day seen from a later clock, then from an earlier one.
expect_rc 0 "membership renewed to 2031-12-31" -- \
  ctl membership alice --plan basic --period-end 2031-12-31
PAM_FAKETIME="@2031-06-01 00:00:00" drive $PAM_SUCCESS "renewed membership" \
  acc alice acct

# Reset required (without a lockout): vouch-logout-all --new-password
# sets it; PAM_NEW_AUTHTOK_REQD until a new password is chosen.
: >"$T/in"
expect_rc 0 "vouch-logout-all --new-password" -- \
  "$VOUCH_BUILD/vouch-logout-all" --config "$CONF" carol --new-password
drive $PAM_NEW_AUTHTOK_REQD "reset required" acc carol acct
line 'acct: PAM_NEW_AUTHTOK_REQD' "reset required: PAM_NEW_AUTHTOK_REQD"
expect_grep '^ERROR_MSG: You must choose a new password now\.$' "$T/out" \
  "reset required: message"
answers 'other horse'
drive $PAM_NEW_AUTHTOK_REQD "reset required: auth then acct" acc carol \
  auth acct
line 'auth: PAM_SUCCESS' "reset required: the password still signs in"
answers 'other horse' 'Fresh-horse-9' 'Fresh-horse-9'
service chg "password required $M"
drive $PAM_SUCCESS "reset required: new password" chg carol \
  chauthtok-expired
: >"$T/in"
drive $PAM_SUCCESS "reset required: cleared by the change" acc carol acct

finish
