#!/bin/sh
# profiles.sh - the two pam-auth-update profiles as Debian's own
# pam-auth-update writes them (into a scratch root: --root), run through
# pam_wrapper with pam_matrix standing in for pam_unix (a Unix password
# of its own):
#   vouch-login: a member signs in with the vouch password and a code;
#     root and a non-member reach the Unix password (the vouch module
#     steps aside, nonmember=ignore); a member's wrong password ends it
#     before any code; a member who must choose a new password is
#     refused by the account phase with what to do (reset=deny), never
#     sent to another password's change; vouchd down: root still
#     reaches the Unix password, a member fails closed;
#   vouch-check: after the Unix password a member passes the check,
#     root and a non-member are not asked, a wrong code fails;
#   the two profiles conflict; vouch-session is optional.
# (Real su and sshd through the installed profiles: tests/e2e/install.sh.)
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

PATH=$PATH:/usr/sbin:/sbin
command -v pam-auth-update >/dev/null ||
  { fail "pam-auth-update (libpam-runtime) is missing"; finish; }
MATRIX=$(ls /usr/lib/*/pam_wrapper/pam_matrix.so 2>/dev/null | head -n 1)
[ -n "$MATRIX" ] || { fail "pam_wrapper's pam_matrix.so is missing"; finish; }
PAM_PERM_DENIED=6

setup_check
add_user alice 'Vouch-Pass-1' --email alice@example.org
printf 'nm:Unix-Pass-nm:vl\nalice:Unix-Pass-alice:vl\nroot:Unix-Pass-root:vl
nm:Unix-Pass-nm:vc\nalice:Unix-Pass-alice:vc\nroot:Unix-Pass-root:vc\n' \
  >"$T/passdb"

# profile NAME...: pam-auth-update --enable NAME... into a fresh scratch
# root holding this machine's profiles and vouch's; the result in
# $T/root/etc/pam.d.
profile() {
  rm -rf "$T/root"
  mkdir -p "$T/root/etc/pam.d" "$T/root/usr/share/pam-configs" \
    "$T/root/var/lib/pam"
  cp /usr/share/pam-configs/* "$T/root/usr/share/pam-configs/"
  rm -f "$T/root/usr/share/pam-configs/vouch-"*
  cp "$VOUCH_SRC"/conf/pam-configs/* "$T/root/usr/share/pam-configs/"
  for f in auth account password session session-noninteractive; do
    [ -f "/etc/pam.d/common-$f" ] &&
      cp "/etc/pam.d/common-$f" "$T/root/etc/pam.d/"
    [ -f "/var/lib/pam/$f" ] && cp "/var/lib/pam/$f" "$T/root/var/lib/pam/"
  done
  [ -f /var/lib/pam/seen ] && cp /var/lib/pam/seen "$T/root/var/lib/pam/"
  DEBIAN_FRONTEND=noninteractive pam-auth-update --root "$T/root" \
    --enable "$@" >"$T/pau.out" 2>&1
}
# as_service SVC: the generated common-auth and common-account as a
# pam_wrapper service: vouch lines ask the test's vouchd, pam_unix is
# pam_matrix with the test's password file.
as_service() {
  for f in auth account; do
    grep -v '^#' "$T/root/etc/pam.d/common-$f" | grep .
  done | sed -e "s#pam_vouch_\([a-z]*\)\.so#pam_vouch_\1.so conf=$CONF#" \
             -e "s#pam_unix\.so.*#$MATRIX passdb=$T/passdb#" \
             -e '/pam_cap\.so/d' >"$T/svc.lines"
  service "$1" "$(cat "$T/svc.lines")"
}
CODE_PROMPT='PROMPT_ECHO_OFF: .*6-digit code'

# ------------------------------------------------------------ vouch-login
profile vouch-login || { cat "$T/pau.out" >&2; fail "enable vouch-login"; }
grep -v '^#' "$T/root/etc/pam.d/common-auth" | grep . >"$T/auth"
eq "$(grep -o 'pam_[a-z_]*\.so' "$T/auth" | tr '\n' ' ')" \
  "pam_succeed_if.so pam_vouch_password.so pam_vouch_otp.so pam_unix.so pam_deny.so pam_permit.so $(grep -q pam_cap "$T/auth" && echo 'pam_cap.so ')" \
  "vouch-login: before pam_unix in the primary block"
expect_grep 'pam_vouch_otp\.so channel=any$' "$T/auth" \
  "vouch-login: the code, any way"
# The password module's stepping aside jumps over the code to pam_unix:
# the code alone never ends a sign-in.
expect_grep 'ignore=1 default=die\][[:space:]]+pam_vouch_password\.so' \
  "$T/auth" "vouch-login: a non-member goes straight to pam_unix"
expect_grep '^account.*pam_vouch_password\.so nonmember=ignore reset=deny' \
  "$T/root/etc/pam.d/common-account" "vouch-login: the account phase"
# vouch's account check comes before pam_unix's (whose new_authtok_reqd
# ends the stack: an expired Unix password must not skip it).
eq "$(grep -v '^#' "$T/root/etc/pam.d/common-account" |
      grep -o 'pam_[a-z_]*\.so' | tr '\n' ' ')" \
  "pam_succeed_if.so pam_vouch_password.so pam_unix.so pam_deny.so pam_permit.so " \
  "vouch-login: vouch's account check before pam_unix's"
as_service vl

# A member: the vouch password, then the code; the Unix one never asked.
conv_start vl alice auth acct
conv_wait_for '^PROMPT_ECHO_OFF: Password: $'
conv_answer 'Vouch-Pass-1'
conv_wait_for "$CODE_PROMPT"
wait_file "$T/mail" 1
conv_answer "$(code_in "$(newest "$T/mail")")"
expect_conv $PAM_SUCCESS "vouch-login: member, vouch password and code"
eq "$(grep -c '^PROMPT' "$T/conv.out")" 2 "member: two prompts, no Unix one"

# The member's Unix password is not vouch's: refused, no code sent.
answers 'Unix-Pass-alice'
drive_fails "vouch-login: member with the Unix password: refused" \
  vl alice auth
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 1 "wrong password: no code sent"

# A non-member: the vouch module takes the password and steps aside; the
# Unix password decides (pam_matrix asks again: it reads no item).
answers 'Unix-Pass-nm' 'Unix-Pass-nm'
drive $PAM_SUCCESS "vouch-login: non-member, Unix password" vl nm auth acct
expect_nogrep 'code' "$T/out" "non-member: no code asked"
answers 'wrong' 'wrong'
drive_fails "vouch-login: non-member, wrong password" vl nm auth

# root: pam_succeed_if sends it to the Unix password at once.
answers 'Unix-Pass-root'
drive $PAM_SUCCESS "vouch-login: root, Unix password" vl root auth acct
eq "$(grep -c '^PROMPT' "$T/out")" 1 "root: one prompt (the Unix one)"

# A member who must choose a new password: the account phase refuses
# with what to do (the profile has no vouch password phase).
"$VOUCH_BUILD/vouch-logout-all" --config "$CONF" alice --new-password \
  >/dev/null 2>&1 || fail "vouch-logout-all --new-password"
conv_start vl alice auth acct
conv_wait_for '^PROMPT_ECHO_OFF: Password: $'
conv_answer 'Vouch-Pass-1'
conv_wait_for "$CODE_PROMPT"
wait_file "$T/mail" 2
conv_answer "$(code_in "$(newest "$T/mail")")"
expect_conv $PAM_PERM_DENIED "vouch-login: reset required: refused"
expect_grep '^ERROR_MSG: You must choose a new password before you can sign in\. Reset your password, then sign in again\.$' \
  "$T/conv.out" "reset required: what to do"
grep -q 'acct: PAM_NEW_AUTHTOK_REQD' "$T/conv.out" &&
  fail "reset required: sent to another password's change"
printf 'Vouch-Pass-2\n' | ctl passwd alice >/dev/null 2>&1 ||
  fail "vouchctl passwd"

# vouchd down: root still signs in; a member fails closed.
stop_daemon
nodaemon() {
  pre="libpam_wrapper.so"
  [ "$VOUCH_SAN" = 1 ] &&
    pre="$(${CC:-cc} -print-file-name=libasan.so) $pre"
  env LD_PRELOAD="$pre" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
    "$PAMDRIVE" "$@" <"$T/in" >"$T/out" 2>"$T/err"
}
answers 'Unix-Pass-root'
nodaemon vl root auth acct
eq "$?" 0 "vouchd down: root signs in with the Unix password"
answers 'Vouch-Pass-2' 'Unix-Pass-alice'
nodaemon vl alice auth
rc=$?
[ "$rc" -ne 0 ] && pass "vouchd down: member refused" ||
  fail "vouchd down: a member signed in"
line 'auth: PAM_AUTHINFO_UNAVAIL' "vouchd down: member, fails closed"
start_daemon || finish

# ------------------------------------------------------------ vouch-check
profile vouch-check || { cat "$T/pau.out" >&2; fail "enable vouch-check"; }
grep -v '^#' "$T/root/etc/pam.d/common-auth" | grep . >"$T/auth"
eq "$(grep -n -e pam_permit -e pam_vouch_otp "$T/auth" | cut -d: -f2 |
      grep -o 'pam_[a-z_]*\.so' | tr '\n' ' ')" \
  "pam_permit.so pam_vouch_otp.so " "vouch-check: after the primary block"
expect_nogrep 'pam_vouch_card' "$T/auth" \
  "vouch-check: the card is a way of channel=any, not asked twice"
eq "$(grep -v '^#' "$T/root/etc/pam.d/common-account" |
      grep -o 'pam_[a-z_]*\.so' | tr '\n' ' ')" \
  "pam_succeed_if.so pam_vouch_password.so pam_unix.so pam_deny.so pam_permit.so " \
  "vouch-check: vouch's account check before pam_unix's"
as_service vc

# A member: the Unix password, then the code.
conv_start vc alice auth
conv_wait_for '^PROMPT_ECHO_OFF: Password: $'
conv_answer 'Unix-Pass-alice'
conv_wait_for "$CODE_PROMPT"
n=$(ls "$T/mail" | wc -l | tr -d ' ')
wait_file "$T/mail" "$n"
conv_answer "$(code_in "$(newest "$T/mail")")"
expect_conv $PAM_SUCCESS "vouch-check: member, Unix password and code"

# A wrong code: refused.
conv_start vc alice auth
conv_wait_for '^PROMPT_ECHO_OFF: Password: $'
conv_answer 'Unix-Pass-alice'
conv_wait_for "$CODE_PROMPT"
for i in 1 2 3 4 5; do conv_answer 000000 || break; done
exec 7>&-
conv_end
[ "$CONV_RC" != 0 ] && pass "vouch-check: wrong codes refused" ||
  fail "vouch-check: wrong codes let the member in"
ctl unlock alice >/dev/null 2>&1

# root and a non-member: the Unix password alone, no check.
answers 'Unix-Pass-nm'
drive $PAM_SUCCESS "vouch-check: non-member, no check" vc nm auth
eq "$(grep -c '^PROMPT' "$T/out")" 1 "non-member: one prompt"
answers 'Unix-Pass-root'
drive $PAM_SUCCESS "vouch-check: root, no check" vc root auth

# ------------------------------------------------------------ together
profile vouch-login vouch-check
grep -v '^#' "$T/root/etc/pam.d/common-auth" >"$T/auth"
[ "$(grep -c pam_vouch_otp "$T/auth")" -le 1 ] &&
  pass "the two profiles are never both in common-auth" ||
  fail "vouch-login and vouch-check both enabled"
profile vouch-session
expect_grep '^session[[:space:]]+optional[[:space:]]+pam_vouch_session\.so' \
  "$T/root/etc/pam.d/common-session" "vouch-session: optional"

finish
