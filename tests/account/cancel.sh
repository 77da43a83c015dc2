#!/bin/sh
# cancel.sh - vouch-cancel: what happens is shown, "Finish cancellation?"
# asked (no -> nothing changed), recorded, confirmed by email, audited;
# access lasts through the period end day (PAM account phase at frozen
# times); --undo before the end restores, after it is refused; --hold is
# not provided; bad input, unknown users and a refused store.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/account/common.inc"

acc_setup
add_user bob 'battery staple'
ctl membership alice --plan Premium --period-end 2030-01-31 >/dev/null ||
  fail "membership"

# --help and usage errors.
expect_rc 0 "--help" -- "$CANCEL" --help
expect_grep '^Usage: vouch-cancel \[--config PATH\] NAME \[--yes\] \[--delete-profile\]' \
  "$T/out" "usage"
expect_grep 'apply-due' "$T/out" "usage names --apply-due"
expect_rc 0 "--help after a name" -- cancel alice --help
expect_rc 2 "no name" -- cancel
expect_grep 'missing NAME' "$T/err" "missing name named"
expect_rc 2 "unknown option" -- cancel alice --pause
expect_grep "unknown option '--pause'" "$T/err" "unknown option named"
expect_rc 2 "two names" -- cancel alice bob
expect_rc 2 "--undo with --yes" -- cancel --undo alice --yes
expect_rc 2 "--apply-due with a name" -- cancel --apply-due alice
expect_rc 2 "--config without value" -- "$CANCEL" alice --config
expect_rc 2 "non-UTF-8 name" -- cancel "$(printf 'al\377ce')"
expect_grep "invalid user name 'al.xffce'" "$T/err" "non-UTF-8 shown safely"
expect_rc 2 "huge name" -- cancel "$(head -c 100000 /dev/zero | tr '\0' a)"
expect_rc 3 "unknown user" -- cancel nosuch --yes
expect_grep 'unknown user nosuch' "$T/err" "unknown user named"
expect_rc 3 "--undo unknown user" -- cancel --undo nosuch

# --hold: no pause is offered.
expect_rc 2 "--hold" -- cancel --hold alice
expect_grep 'pausing a membership \(--hold\) is not provided' "$T/err" \
  "--hold says it is not provided"

# No membership.
expect_rc 1 "no membership" -- cancel bob --yes
expect_text "$T/err" "vouch-cancel: bob has no membership to cancel" \
  "no membership named"

# Shown, asked, declined: nothing changed, no email.
store_dump "$T/before"
printf 'n\n' >"$T/answer"
expect_rc 1 "answer n" -- cancel alice --delete-profile <"$T/answer"
expect_grep '^Cancel the Premium membership of alice\.$' "$T/out" "plan shown"
expect_grep 'You keep access until 2030-01-31' "$T/out" "end day shown"
expect_grep 'On 2030-02-01 the personal information of alice is removed' \
  "$T/out" "deletion and its day shown"
expect_grep '^Finish cancellation\? \[y/N\] $' "$T/out" "asked to finish"
expect_grep 'nothing changed' "$T/err" "declined: nothing changed"
for a in '' 'maybe' 'yess' 'no'; do
  printf '%s\n' "$a" >"$T/answer"
  expect_rc 1 "answer '$a'" -- cancel alice <"$T/answer"
done
expect_rc 1 "no answer at all" -- cancel alice </dev/null
store_dump "$T/after"
# The audit trail is the only table allowed to grow (refusals); here not
# even that, since nothing was recorded.
expect_same "$T/before" "$T/after" "declined: store unchanged"
eq "$(mail_n)" 0 "declined: no email"

# Finished through stdin: recorded, emailed, audited.
printf 'yes\n' >"$T/answer"
expect_rc 0 "answer yes" -- at 86400 "$CANCEL" --config "$CONF" alice \
  <"$T/answer"
expect_grep 'has been cancelled; access continues until 2030-01-31' \
  "$T/out" "cancelled, end day named"
expect_mail 1 "Your membership has been cancelled" "cancel email"
expect_grep 'Premium membership has been cancelled' "$(newest "$T/mail")" \
  "email names the plan"
expect_grep '2030-01-31' "$(newest "$T/mail")" "email names the end day"
eq "$(col cancelled)" "$((BASE + 86400))" "cancellation time recorded"
eq "$(col delete_profile)" 0 "no deletion asked"
eq "$(col period_end)" "$(date -u -d 2030-01-31 +%s)" "period end unchanged"
expect_rc 0 "audit" -- ctl audit alice
expect_grep 'membership\.cancelled.*plan=Premium until=2030-01-31 delete_profile=no' \
  "$T/out" "cancellation audited"
expect_grep 'notify\.sent.*cancelled-email' "$T/out" "email audited"

# Twice: refused.
expect_rc 1 "already cancelled" -- cancel alice --yes
expect_grep 'already cancelled' "$T/err" "already cancelled named"

# Access continues until the end of the period, then the account phase
# refuses with the day.
M="pam_vouch_password.so conf=$CONF"
service acc "account required $M"
: >"$T/in"
PAM_FAKETIME="@2030-01-31 23:59:50" drive $PAM_SUCCESS \
  "cancelled: access on the last day" acc alice acct
PAM_FAKETIME="@2030-02-01 00:00:01" drive $PAM_ACCT_EXPIRED \
  "cancelled: expired after the period" acc alice acct
expect_grep '^ERROR_MSG: .*2030-01-31' "$T/out" "expiry names the day"

# --undo before the end restores; the restored one can be cancelled again.
expect_rc 0 "undo on the last day" -- at $((30 * 86400 + 3600)) \
  "$CANCEL" --config "$CONF" --undo alice
expect_grep 'membership of alice is restored' "$T/out" "restored"
eq "$(col cancelled)" 0 "cancellation cleared"
expect_rc 1 "undo when not cancelled" -- cancel --undo alice
expect_grep 'is not cancelled' "$T/err" "not cancelled named"
expect_grep 'membership\.restored' "$(ctl audit alice >"$T/a"; echo "$T/a")" \
  "restore audited"
expect_rc 0 "cancel again with --yes" -- at 86400 "$CANCEL" --config "$CONF" \
  --yes alice
expect_grep '^Cancel the Premium membership' "$T/out" "--yes still shows"
expect_nogrep 'Finish cancellation' "$T/out" "--yes does not ask"

# --undo after the end is refused.
expect_rc 1 "undo after the end" -- at $((31 * 86400 + 1)) \
  "$CANCEL" --config "$CONF" --undo alice
expect_grep 'ended on 2030-01-31: it cannot be restored' "$T/err" \
  "undo after the end named"
expect_rc 1 "cancel after the end" -- at $((40 * 86400)) \
  "$CANCEL" --config "$CONF" --yes bob
ctl membership bob --plan Basic --period-end 2030-01-10 >/dev/null
expect_rc 1 "cancel an ended membership" -- at $((40 * 86400)) \
  "$CANCEL" --config "$CONF" --yes bob
expect_grep 'already ended on 2030-01-10' "$T/err" "ended membership named"

# No email address: cancelled all the same, said so.
ctl membership bob --plan Basic --period-end 2031-01-10 >/dev/null
expect_rc 0 "cancel without an email address" -- cancel bob --yes
expect_grep 'No email address is on file' "$T/out" "missing address said"

# System errors: missing configuration, a store that is refused.
expect_rc 4 "missing configuration" -- "$CANCEL" --config "$T/none.conf" \
  alice --yes
expect_grep 'does not exist' "$T/err" "missing configuration named"
store_unusable
expect_rc 4 "store refused" -- cancel --undo alice
expect_rc 4 "store refused (apply-due)" -- cancel --apply-due
store_usable
expect_rc 0 "store usable again" -- cancel --apply-due
finish
