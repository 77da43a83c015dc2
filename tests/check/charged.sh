#!/bin/sh
# charged.sh - a code or a card number is charged as a failed check (and
# a code's attempt) before it is judged, so that a verdict that never
# reaches the store has still counted (with a shared database, someone
# who cuts the link once the traffic tells a right answer from a wrong
# one).  The verdict is made to fail by a trigger in the store that
# aborts the audit row every verdict writes (check.fail, code.fail,
# card.ok, code.ok); the charge writes none:
#   - a wrong card number whose verdict fails: the module fails (never
#     PAM_SUCCESS), the failed check stays counted;
#   - a wrong code likewise, and its attempt on the code stays;
#   - a right card number whose verdict fails is refused, and counted;
#   - with the trigger gone, the account at the limit (the charges two
#     minutes overdue) is locked by the next check, even with the right
#     card number, and the "Password reset required" email goes out;
#   - a right answer with the verdict recorded takes its charge back.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

setup_check "[lockout]
max_failures = 4"
add_user alice 'correct horse' --email alice@example.org
printf '4111111111111111\n' | ctl card set alice >/dev/null ||
  fail "card set"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
service card "auth required pam_vouch_card.so conf=$CONF"

counted() { store_sql "SELECT count(*) FROM check_failures"; }
cut_verdicts() {
  if [ "$VOUCH_BACKEND" = sqlite ]; then
    store_sql "CREATE TRIGGER cut BEFORE INSERT ON audit
      WHEN NEW.event IN ('check.fail', 'code.fail', 'card.ok', 'code.ok')
      BEGIN SELECT RAISE(ABORT, 'the link is cut'); END;"
  else
    store_sql "CREATE FUNCTION vouch.cut() RETURNS trigger LANGUAGE plpgsql
      AS \$\$BEGIN RAISE EXCEPTION 'the link is cut'; END\$\$;
      CREATE TRIGGER cut BEFORE INSERT ON vouch.audit FOR EACH ROW
      WHEN (NEW.event IN ('check.fail', 'code.fail', 'card.ok', 'code.ok'))
      EXECUTE FUNCTION vouch.cut();" >/dev/null
  fi || fail "the trigger"
}
mend_verdicts() {
  if [ "$VOUCH_BACKEND" = sqlite ]; then store_sql "DROP TRIGGER cut;"
  else store_sql "DROP TRIGGER cut ON vouch.audit;
                  DROP FUNCTION vouch.cut();" >/dev/null; fi ||
    fail "dropping the trigger"
}
# card ANSWER: one card check through PAM, its code in $RC.
card() {
  answers "$1"
  pam_env "$PAMDRIVE" card alice auth <"$T/in" >"$T/out" 2>&1
  RC=$?
}

# A right answer recorded takes its charge back.
card 4111111111111111
eq "$RC" "$PAM_SUCCESS" "the right card number"
eq "$(counted)" 0 "its charge taken back"

cut_verdicts
card 5555555555554444
[ "$RC" -ne "$PAM_SUCCESS" ] && pass "a wrong card, verdict cut: refused" ||
  fail "PAM_SUCCESS for a wrong card"
eq "$(counted)" 1 "and counted"
eq "$(check_charges)" 1 "(under its charge's name)"

card 4111111111111111
[ "$RC" -ne "$PAM_SUCCESS" ] &&
  pass "the right card, verdict cut: refused" ||
  fail "PAM_SUCCESS without a recorded verdict"
eq "$(counted)" 2 "and counted too"

conv_start otp alice auth
wait_file "$T/mail" 1
code=$(code_in "$(newest "$T/mail")")
wrong=$(printf '%06d' $(( (1${code} - 1000000 + 1) % 1000000 )))
conv_answer "$wrong"
conv_end
[ "$CONV_RC" -ne "$PAM_SUCCESS" ] &&
  pass "a wrong code, verdict cut: refused ($CONV_RC)" ||
  fail "PAM_SUCCESS for a wrong code"
eq "$(counted)" 3 "counted"
eq "$(store_sql "SELECT max(attempts) FROM codes")" 1 \
  "and its attempt on the code stays"
ctl user show alice --json >"$T/show"
expect_nogrep '"state":"locked"' "$T/show" "not locked yet (3 of 4)"

card 5555555555554444
eq "$(counted)" 4 "a fourth, verdict cut: counted"
mend_verdicts

# The verdicts never came: once they are overdue (2 minutes; until
# then they may be checks still being judged, which count only when
# settled), the count stands: the next check locks, even the right
# card number.
daemon_clock "+3m"
m0=$(ls "$T/mail" | wc -l)
card 4111111111111111
eq "$RC" "$PAM_MAXTRIES" "at the limit the right card is refused"
ctl user show alice --json >"$T/show"
expect_grep '"state":"locked"' "$T/show" "the account is locked"
wait_file "$T/mail" $((m0 + 1))
expect_grep '^Subject: Password reset required' "$(newest "$T/mail")" \
  "the lockout email"
ctl audit alice >"$T/audit"
expect_grep 'account.locked' "$T/audit" "audited"
finish
