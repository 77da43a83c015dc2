#!/bin/sh
# saslauthd.sh - Cyrus saslauthd (-a pam), as an IMAP or SMTP server uses
# it, against a password-only vouch stack; testsaslauthd asks it over its
# own socket: the right password, a wrong one, an unknown user.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/e2e/e2e.inc"

need_root
need_prog saslauthd testsaslauthd setsid
SVC=vouch-e2e-sasl

e2e_setup
add_user e2e-mail 'Mail-Pass-e2e' --email e2e-mail@example.org
pam_service "$SVC" "# vouch end-to-end test (tests/e2e/saslauthd.sh)
auth     requisite  $M/pam_vouch_password.so conf=$CONF
account  required   $M/pam_vouch_password.so conf=$CONF"

# saslauthd signals its whole process group when it stops: it gets a
# session of its own (setsid), which is ended at the end (e2e.inc).
mkdir -p "$T/sasl"
setsid saslauthd -a pam -m "$T/sasl" -n 1 -d >"$T/sasl.log" 2>&1 &
own_group $!
if ! wait_until 10 test -S "$T/sasl/mux"; then
  sed 's/^/  saslauthd: /' "$T/sasl.log" >&2
  not_run "saslauthd did not start"
fi

# sasl USER PASSWORD: testsaslauthd's answer in $T/out, exit in SASL_RC.
sasl() {
  timeout 30 testsaslauthd -u "$1" -p "$2" -s "$SVC" -f "$T/sasl/mux" \
    >"$T/out" 2>&1
  SASL_RC=$?
}

sasl e2e-mail 'Mail-Pass-e2e'
eq "$SASL_RC" 0 "right password: exit 0"
line '0: OK "Success."' "right password: OK"

sasl e2e-mail 'mail-pass-e2e'
[ "$SASL_RC" -ne 0 ] || fail "wrong password: exit 0"
line '0: NO "authentication failed"' "wrong password (case): NO"

sasl e2e-nobody 'Mail-Pass-e2e'
[ "$SASL_RC" -ne 0 ] || fail "unknown user: exit 0"
line '0: NO "authentication failed"' "unknown user: NO"

# What the store saw: one success and one failure for the member.
ctl audit e2e-mail >"$T/audit"
expect_grep 'password\.ok' "$T/audit" "success audited"
expect_grep 'password\.fail' "$T/audit" "failure audited"
eq "$(failures e2e-mail)" 1 "one consecutive failure counted"

finish
