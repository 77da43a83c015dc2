#!/bin/sh
# peercred.sh - vouchd decides who may ask what from the socket's peer
# credentials (SPEC 7), with real unprivileged users (useradd, setpriv)
# running their own PAM application under pam_wrapper:
#   - a member may check its own password, not another account's
#     (PAM_PERM_DENIED, audited daemon.refused, nothing counted or sent);
#   - SECTION.KEY=VALUE on the PAM line from a non-root caller is refused
#     (PAM_SERVICE_ERR) and audited daemon.setting_refused, while root's
#     same line works;
#   - the uid of [web] user gets no PAM request answered, not even about
#     its own name (PAM_PERM_DENIED).
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/daemon/common.inc"

M1="vdm$$a" M2="vdm$$b" W="vdw$$"
mkuser "$M1" && mkuser "$M2" && mkuser "$W" || finish
setup_check
add_user "$M1" 'member one pw' --email m1@example.org
add_user "$M2" 'member two pw' --email m2@example.org
add_user "$W" 'web user pw' --email w@example.org
add_user alice 'correct horse' --email alice@example.org
service pw "auth required pam_vouch_password.so conf=$CONF"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
service pwset "auth required pam_vouch_password.so conf=$CONF \
password.max_failures=1000"
service otpset "auth required pam_vouch_otp.so conf=$CONF channel=email \
otp.max_attempts=100"

# The members' PAM application needs $T searchable (the socket), the
# configuration and the service files readable; nothing else.
open_tree

# Its own account: the right and a wrong password.
answers 'member one pw'
drive_as $PAM_SUCCESS "own password" "$M1" pw "$M1" auth
answers 'wrong'
drive_as $PAM_AUTH_ERR "own password, wrong" "$M1" pw "$M1" auth
eq "$(failures "$M1")" 1 "own wrong password counted"
answers 'member one pw'
drive_as $PAM_SUCCESS "own password again" "$M1" pw "$M1" auth

# Another member's, with the right and a wrong password; an account with
# no Unix user; root's name.
refused0=$(audit_count daemon.refused)
ctl audit "$M2" >"$T/m2.before"
for who in "$M2" alice root; do
  case $who in
    "$M2") pw='member two pw' ;;
    alice) pw='correct horse' ;;
    *) pw='x' ;;
  esac
  answers "$pw"
  drive_as $PAM_PERM_DENIED "$M1 asks about $who" "$M1" pw "$who" auth
  expect_nogrep '^PROMPT_' "$T/out" "$M1 asks about $who: no prompt"
  answers 'wrong'
  drive_as $PAM_PERM_DENIED "$M1 asks about $who, wrong" "$M1" pw "$who" auth
done
answers 123456
drive_as $PAM_PERM_DENIED "$M1: otp for $M2" "$M1" otp "$M2" auth
eq "$(audit_count daemon.refused)" $((refused0 + 7)) "7 refusals audited"
ctl audit | grep ' daemon\.refused ' | tail -n 1 >"$T/last"
expect_grep "uid $(id -u "$M1") " "$T/last" "the refusal names the uid"
ctl audit "$M2" >"$T/m2.after"
expect_same "$T/m2.before" "$T/m2.after" "nothing recorded for $M2"
eq "$(failures "$M2")" 0 "no failure counted for $M2"
eq "$(failures alice)" 0 "no failure counted for alice"
eq "$(ls "$T/mail" | wc -l)" 0 "no code sent for a refused request"
# Refusals do not hold the member back from its own account.
answers 'member one pw'
drive_as $PAM_SUCCESS "own password after the refusals" "$M1" pw "$M1" auth

# Settings on the PAM line: refused from a member, taken from root.
set0=$(audit_count daemon.setting_refused)
answers 'member one pw'
drive_as $PAM_SERVICE_ERR "member: password line with a setting" \
  "$M1" pwset "$M1" auth
answers 123456
drive_as $PAM_SERVICE_ERR "member: otp line with a setting" \
  "$M1" otpset "$M1" auth
eq "$(audit_count daemon.setting_refused)" $((set0 + 2)) \
  "2 setting refusals audited"
ctl audit | grep ' daemon\.setting_refused ' >"$T/set"
expect_grep "password\.max_failures=1000" "$T/set" \
  "the audit names the setting"
expect_grep "uid $(id -u "$M1"):" "$T/set" "the audit names the uid"
eq "$(ls "$T/mail" | wc -l)" 0 "no code sent for a refused setting"
answers 'member one pw'
drive $PAM_SUCCESS "root: the same line works" pwset "$M1" auth
eq "$(audit_count daemon.setting_refused)" $((set0 + 2)) \
  "root's setting not refused"

# [web] user: that uid gets no PAM request answered, its own name
# included; the members still do.
conf_set web user "$W"
open_tree
answers 'web user pw'
drive $PAM_SUCCESS "root may check $W" pw "$W" auth
refused0=$(audit_count daemon.refused)
answers 'web user pw'
drive_as $PAM_PERM_DENIED "web uid: its own name" "$W" pw "$W" auth
answers 'member one pw'
drive_as $PAM_PERM_DENIED "web uid: a member" "$W" pw "$M1" auth
answers 123456
drive_as $PAM_PERM_DENIED "web uid: otp" "$W" otp "$W" auth
eq "$(audit_count daemon.refused)" $((refused0 + 3)) \
  "web uid refusals audited"
answers 'member one pw'
drive_as $PAM_SUCCESS "member still served" "$M1" pw "$M1" auth
eq "$(ls "$T/mail" | wc -l)" 0 "no code sent to the web uid"

finish
