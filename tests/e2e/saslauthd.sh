#!/bin/sh
# saslauthd.sh - Cyrus saslauthd (-a pam), as an IMAP or SMTP server uses
# it, against a password-only vouch stack; testsaslauthd asks it over its
# own socket: the right password, a wrong one, an unknown user.  The
# module asks the test's own vouchd (on $T/vouchd.sock, for $CONF): with
# vouchd stopped saslauthd refuses, with it started again it accepts.
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

# vouchd stopped: the module cannot ask it (PAM_AUTHINFO_UNAVAIL), so
# saslauthd refuses even the right password; started again, it accepts.
stop_daemon
sasl e2e-mail 'Mail-Pass-e2e'
[ "$SASL_RC" -ne 0 ] || fail "vouchd stopped: right password accepted"
line '0: NO "authentication failed"' "vouchd stopped: NO"
start_daemon || not_run "vouchd did not start again"
sasl e2e-mail 'Mail-Pass-e2e'
eq "$SASL_RC" 0 "vouchd started again: right password, exit 0"
line '0: OK "Success."' "vouchd started again: OK"
ctl audit e2e-mail >"$T/audit"
eq "$(grep -c 'password\.ok' "$T/audit")" 2 \
  "the refused attempt never reached the store (2 successes audited)"

finish
