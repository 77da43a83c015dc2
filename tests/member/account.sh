#!/bin/sh
# account.sh - every vouch-account subcommand, run by root with --user
# alice: vouchd runs the security check itself (password, then a code by
# email) on the tool's terminal, with codes from the file transport
# (tests/member/unprivileged.sh covers a member's own, unprivileged run).
# Interrupting at a prompt (end of input, SIGINT) changes nothing.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

ACCOUNT="$VOUCH_BUILD/vouch-account"
setup_check "[otp]
resend_max = 100
max_per_hour = 100"
add_user alice 'correct horse' --email alice@example.org --name 'Alice A'
service login "session required pam_vouch_session.so conf=$CONF"
service pw "auth required pam_vouch_password.so conf=$CONF"

# acc_start ARGS...: vouch-account --user alice ARGS in the background,
# answers from a FIFO, prompts (one a line) in $T/acc.err.
acc_start() {
  rm -f "$T/acc.fifo" "$T/acc.out" "$T/acc.err"
  mkfifo "$T/acc.fifo"
  pre="libpam_wrapper.so"
  [ "$VOUCH_SAN" = 1 ] && pre="$(${CC:-cc} -print-file-name=libasan.so) $pre"
  env LD_PRELOAD="$pre" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
    "$ACCOUNT" --config "$CONF" --user alice "$@" <"$T/acc.fifo" \
    >"$T/acc.out" 2>"$T/acc.err" &
  ACC_PID=$!
  exec 8>"$T/acc.fifo"
}
acc_wait() {
  k=0
  while [ $k -lt 200 ]; do
    grep -qE -- "$1" "$T/acc.err" 2>/dev/null && return 0
    kill -0 "$ACC_PID" 2>/dev/null || break
    sleep 0.1; k=$((k + 1))
  done
  grep -qE -- "$1" "$T/acc.err" 2>/dev/null && return 0
  fail "vouch-account: no line /$1/"; sed 's/^/  | /' "$T/acc.err" >&2
  return 1
}
acc_say() { printf '%s\n' "$1" >&8; }
# acc_end WANT DESC: closes the answers and checks the exit status.
acc_end() {
  exec 8>&-
  k=0
  while kill -0 "$ACC_PID" 2>/dev/null && [ $k -lt 300 ]; do
    sleep 0.1; k=$((k + 1))
  done
  kill "$ACC_PID" 2>/dev/null
  wait "$ACC_PID"
  got=$?
  if [ "$got" = "$1" ]; then pass "$2"
  else
    fail "$2: exit $got, wanted $1"
    sed 's/^/  out | /' "$T/acc.out" >&2; sed 's/^/  err | /' "$T/acc.err" >&2
  fi
}
MAILN=0
from_in() { "$@" <"$T/in"; }
# next_mail: waits for the next message in $T/mail; $MAIL names it.
next_mail() {
  MAILN=$((MAILN + 1))
  wait_file "$T/mail" "$MAILN"
  MAIL=$(newest "$T/mail")
}
# check_pass PASSWORD [da]: answers the password and the emailed
# security-check code, at prompts in English or Danish.
check_pass() {
  if [ "${2:-}" = da ]; then
    pw='Adgangskode' sc='Sikkerhedskontrol' enter='Indtast' how='Hvordan'
    code='Indtast den 6-cifrede kode'
  else
    pw='Password' sc='Security check' enter='Enter' how='How'
    code='Enter the 6-digit code'
  fi
  acc_wait "^$pw: " && acc_say "$1"
  acc_wait "^$sc\\. ($enter|$how)" || return 1
  # With a verified phone too, the check offers a choice: 1 = email.
  grep -q "^$sc\\. $how" "$T/acc.err" && acc_say 1
  next_mail
  acc_wait "^$sc\\. $code" && acc_say "$(code_in "$MAIL")"
}
email_of() { ctl user show alice --json | tr -d ' \n' |
  sed -n 's/.*"email":"\([^"]*\)".*/\1/p'; }

# --- email NEW: code to the new address, the old one is told.
acc_start email alice.new@example.net
check_pass 'correct horse'
next_mail
expect_grep '^To: alice\.new@example\.net' "$MAIL" "code goes to the new address"
expect_grep '^Subject: Confirm your new email address' "$MAIL" "subject"
code=$(code_in "$MAIL")
acc_wait 'Enter the 6-digit code we sent to a•••@example\.net \(r: Send code again\)'
eq "$(email_of)" alice@example.org "not changed before the code"
acc_say 000000
acc_wait 'That code is not right'
acc_say "$code"
acc_end 0 "email changed"
expect_grep 'Your email address is now alice\.new@example\.net\. Your previous address was told\.' "$T/acc.out" "email: says"
eq "$(email_of)" alice.new@example.net "email on file"
next_mail
expect_grep '^To: alice@example\.org' "$MAIL" "old address told"
expect_grep '^Subject: Your account details were changed' "$MAIL" "told: subject"
expect_grep 'a•••@example\.net' "$MAIL" "told: masked new address"
expect_nogrep 'alice\.new@' "$MAIL" "told: not the whole new address"
expect_grep "wasn't me" "$MAIL" "told: \"this wasn't me\""
expect_grep 'reset[?]token=[A-Za-z0-9_-]{43}' "$MAIL" "told: with a reset link"

# Interrupted at the confirmation (end of input): nothing changes.
acc_start email other@example.com
check_pass 'correct horse'
next_mail
acc_wait 'Enter the 6-digit code we sent'
acc_end 1 "email: end of input"
eq "$(email_of)" alice.new@example.net "email: unchanged after EOF"
# SIGINT at the password prompt, even when the caller ignored it.
store_dump "$T/before"
( trap '' INT; acc_start email other@example.com; echo "$ACC_PID" >"$T/pid"
  acc_wait '^Password: '; kill -INT "$ACC_PID"; wait "$ACC_PID"
  echo $? >"$T/sig" )
eq "$(cat "$T/sig")" 130 "SIGINT ends it"
store_dump "$T/after"
expect_same "$T/before" "$T/after" "SIGINT: store unchanged"
# Bad input: usage and value errors before any check.
expect_rc 2 "email: malformed" -- pam_env "$ACCOUNT" --config "$CONF" \
  --user alice email 'not an address'
expect_grep "invalid email address 'not an address'" "$T/err" "named"
expect_rc 2 "email: missing" -- pam_env "$ACCOUNT" --config "$CONF" \
  --user alice email
expect_rc 0 "email --help" -- "$ACCOUNT" email --help
expect_grep '^Usage: vouch-account email NEW' "$T/out" "email usage"

# --- phone NEW: code by SMS to the new number, verified, email told.
acc_start phone +4512345678
check_pass 'correct horse'
wait_file "$T/sms" 1
sms=$(newest "$T/sms")
expect_grep '^To: \+4512345678' "$sms" "SMS to the new number"
acc_wait 'Enter the 6-digit code we sent to \+45'
acc_say "$(code_in "$sms")"
acc_end 0 "phone changed"
ctl user show alice --json | tr -d ' \n' >"$T/show"
expect_grep '"phone":"\+4512345678"' "$T/show" "phone on file"
expect_grep '"phone_verified":true' "$T/show" "phone verified"
next_mail
expect_grep '^To: alice\.new@example\.net' "$MAIL" "phone: email told"
expect_grep 'Your account details were changed' "$MAIL" "phone: told subject"

# --- devices and logout-all: a live session is signed out.
pam_env "$PAMDRIVE" login alice open >/dev/null
expect_rc 0 "devices" -- pam_env "$ACCOUNT" --config "$CONF" --user alice devices
expect_grep '^STARTED +ENDED +SERVICE' "$T/out" "devices: header"
expect_grep ' open +login ' "$T/out" "devices: the session"
expect_rc 0 "devices --json" -- pam_env "$ACCOUNT" --config "$CONF" \
  --user alice devices --json
expect_grep '^\{"id":[0-9]+,"started":"[0-9TZ:-]+","ended":null,"service":"login"' "$T/out" "devices: json"
pam_env "$VOUCH_BUILD/tests/session_hold" login alice "$T/hold.pid" \
  "$T/hold.res" >/dev/null 2>&1 &
HOLD=$!
k=0; while [ ! -s "$T/hold.pid" ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k+1)); done
acc_start logout-all
check_pass 'correct horse'
acc_end 0 "logout-all"
# The live one counts; the one whose process (pamdrive) ended just ends.
expect_grep '^Signed out of 1 session\.' "$T/acc.out" "logout-all: count"
wait "$HOLD"
eq "$(cat "$T/hold.res" 2>/dev/null)" SIGHUP "live session got SIGHUP"

# --- password: new twice, sign out of all devices (a live session).
rm -f "$T/hold.pid" "$T/hold.res"
pam_env "$VOUCH_BUILD/tests/session_hold" login alice "$T/hold.pid" \
  "$T/hold.res" >/dev/null 2>&1 &
HOLD=$!
k=0; while [ ! -s "$T/hold.pid" ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k+1)); done
acc_start password
check_pass 'correct horse'
acc_wait '^New password: ' && acc_say 'battery staple'
acc_wait '^Retype new password: ' && acc_say 'battery stable'
acc_end 2 "password: mismatch"
expect_grep 'The passwords do not match' "$T/acc.err" "mismatch said"
answers 'battery staple'
drive_fails "mismatch: password unchanged" pw alice auth
acc_start password
check_pass 'correct horse'
acc_wait '^New password: ' && acc_say 'battery staple'
acc_wait '^Retype new password: ' && acc_say 'battery staple'
acc_wait '^Sign out of all devices\? \[y/N\] '
acc_end 1 "password: EOF at the sign-out question"
answers 'correct horse'
drive 0 "EOF: old password still good" pw alice auth
acc_start password
check_pass 'correct horse'
acc_wait '^New password: ' && acc_say 'battery staple'
acc_wait '^Retype new password: ' && acc_say 'battery staple'
acc_wait '^Sign out of all devices' && acc_say y
acc_end 0 "password changed"
expect_grep '^Signed out of 1 session\.' "$T/acc.out" "password: signed out"
wait "$HOLD"
eq "$(cat "$T/hold.res" 2>/dev/null)" SIGHUP "password: the session got SIGHUP"
answers 'battery staple'
drive 0 "new password works" pw alice auth
next_mail
expect_grep '^Subject: Your password was changed' "$MAIL" "password: email"

# --- cancel: plan shown, "n" changes nothing, then finished; --undo.
ctl membership alice --plan Premium --period-end 2099-12-31 >/dev/null
acc_start cancel
check_pass 'battery staple'
acc_wait '^Finish cancellation\? \[y/N\] ' && acc_say n
acc_end 1 "cancel: no"
expect_grep 'Cancel your Premium membership' "$T/acc.out" "plan shown"
expect_grep 'You keep access until 2099-12-31' "$T/acc.out" "end shown"
ctl audit alice --json | grep -q '"membership.cancel' &&
  fail "cancel: recorded after no"
acc_start cancel
check_pass 'battery staple'
acc_wait '^Finish cancellation' && acc_say y
acc_end 0 "cancel: yes"
next_mail
expect_grep '^Subject: Your membership has been cancelled' "$MAIL" "cancel email"
acc_start cancel --undo
check_pass 'battery staple'
acc_end 0 "cancel --undo"
expect_grep 'Your membership is restored' "$T/acc.out" "restored"

# --- export: request, confirm with the token and the password, list.
acc_start export
check_pass 'battery staple'
acc_end 0 "export requested"
next_mail
expect_grep '^Subject: Confirm your request for your personal information' "$MAIL" "export email"
token=$(tr -d '\r' <"$MAIL" | sed '1,/^$/d' |
  grep -oE 'token=[A-Za-z0-9_-]{43}' | head -n 1 | cut -d= -f2)
[ -n "$token" ] || { fail "no token in the export email"; cat -A "$MAIL" >&2; }
printf 'battery staple\n' >"$T/in"
expect_rc 0 "export confirm" -- from_in pam_env "$ACCOUNT" --config "$CONF" \
  --user alice export confirm "$token"
expect_rc 0 "export list" -- pam_env "$ACCOUNT" --config "$CONF" \
  --user alice export list
expect_grep 'In progress' "$T/out" "export: in progress"

# A token may begin with '-' (URL-safe base64): it is the token, not an
# option; "--" works too.  This one waits for nothing: refused as such.
tok="-$(printf 'A%.0s' $(seq 1 42))"
for how in "" "--"; do
  expect_rc 3 "export confirm ${how:+-- }-TOKEN" -- pam_env "$ACCOUNT" \
    --config "$CONF" --user alice export confirm $how "$tok"
  expect_grep 'no request waits for confirmation' "$T/err" \
    "a token beginning with '-' is a token"
done
expect_rc 2 "unknown option where no argument is wanted" -- pam_env \
  "$ACCOUNT" --config "$CONF" --user alice devices --frobnicate
expect_grep "unknown option '--frobnicate'" "$T/err" "unknown option named"

# --- in the member's language: sign out of all devices, cancel and
# undo, an export request and the list (Danish; the prompts too).
ctl user set alice --lang da >/dev/null || fail "user set --lang da"
acc_start logout-all
check_pass 'battery staple' da
acc_end 0 "da: logout-all"
expect_text "$T/acc.out" "Du er logget ud af 0 sessioner." "da: signed out"
acc_start cancel --delete-profile
check_pass 'battery staple' da
acc_wait '^Afslut opsigelse\? \[j/N\] ' && acc_say nej
acc_end 1 "da: cancel, no"
expect_text "$T/acc.out" "Opsig dit Premium-medlemskab.
Du beholder adgangen til og med 2099-12-31, hvor faktureringsperioden slutter.
Derefter slettes dine personoplysninger.
Intet blev ændret." "da: plan shown, nothing changed"
acc_start cancel
check_pass 'battery staple' da
acc_wait '^Afslut opsigelse' && acc_say ja
acc_end 0 "da: cancel, yes"
next_mail
expect_grep 'Dit medlemskab er opsagt\. Du får snart en bekræftelse på e-mail\.$' \
  "$T/acc.out" "da: cancelled"
acc_start cancel --yes
check_pass 'battery staple' da
acc_end 1 "da: cancel twice"
expect_grep '^vouch-account: dit medlemskab er allerede opsagt$' "$T/acc.err" \
  "da: already cancelled"
acc_start cancel --undo
check_pass 'battery staple' da
acc_end 0 "da: cancel --undo"
expect_text "$T/acc.out" "Dit medlemskab er genoprettet." "da: restored"
acc_start export
check_pass 'battery staple' da
acc_end 1 "da: export while one is in progress"
expect_grep '^vouch-account: en anmodning venter allerede eller er i gang$' \
  "$T/acc.err" "da: a request is in progress"
expect_rc 0 "vouch-export cancel" -- "$VOUCH_BUILD/vouch-export" \
  --config "$CONF" cancel alice 1
acc_start export
check_pass 'battery staple' da
acc_end 0 "da: export requested"
next_mail
expect_text "$T/acc.out" "Anmodning 2 er sendt: bekræft den med tokenet i den e-mail, vi har sendt dig." \
  "da: request submitted"
expect_rc 0 "da: export list" -- pam_env "$ACCOUNT" --config "$CONF" \
  --user alice export list
sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]/DATE/' "$T/out" >"$T/list"
expect_text "$T/list" "ID     OPRETTET     STATUS
2      DATE   Endnu ikke bekræftet
1      DATE   Annulleret" "da: export list"
expect_rc 0 "da: export list --json stays data" -- pam_env "$ACCOUNT" \
  --config "$CONF" --user alice export list --json
expect_grep '^\{"id":2,"created":"[0-9-]+","status":"not-confirmed"\}$' \
  "$T/out" "da: json status unchanged"
ctl user set alice --lang en >/dev/null || fail "user set --lang en"

# --- unknown subcommands, options and users.
expect_rc 2 "unknown command" -- "$ACCOUNT" --config "$CONF" frobnicate
expect_rc 3 "unknown user" -- pam_env "$ACCOUNT" --config "$CONF" \
  --user nobody-here devices
expect_rc 0 "--help" -- "$ACCOUNT" --help
expect_grep 'approve \[--deny\]' "$T/out" "help lists approve"

finish
