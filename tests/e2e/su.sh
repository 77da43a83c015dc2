#!/bin/sh
# su.sh - su (setuid root, util-linux) through a vouch stack, typed into
# a terminal: tmux runs su as an unprivileged user (nobody) and this
# script reads the screen and types the answers.  /etc/pam.d/su holds the
# vouch stack only while the test runs (restored by e2e.inc).
#   password + emailed code -> the command runs as the target user
#   wrong password -> "Authentication failure", no code sent
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/e2e/e2e.inc"

need_root
need_prog su runuser tmux useradd userdel
U=vouche2e
PW='Su-Pass-e2e-1'

e2e_setup
sys_user "$U"
add_user "$U" "$PW" --email vouche2e@example.org
pam_service su "# vouch end-to-end test (tests/e2e/su.sh)
auth     requisite  $M/pam_vouch_password.so conf=$CONF
auth     [success=done authinfo_unavail=ignore default=die] $M/pam_vouch_otp.so conf=$CONF channel=email
auth     required   $M/pam_vouch_card.so conf=$CONF
account  required   $M/pam_vouch_password.so conf=$CONF
session  required   pam_unix.so"

E2E_TMUX=$T/tmux.sock
# term NAME: starts su in a new tmux session NAME; the pane stays after
# su ends so that its last words can be read.
term() {
  tmux -S "$E2E_TMUX" new-session -d -s "$1" -x 160 -y 40 \
    "runuser -u nobody -- su $U -c 'echo su-ok:\$(id -un)'; \
     echo su-rc:\$?; sleep 60" || not_run "tmux did not start"
}
screen() { tmux -S "$E2E_TMUX" capture-pane -p -J -t "$1" >"$T/screen"; }
on_screen() { screen "$1" && grep -qE -- "$2" "$T/screen"; }
# see NAME REGEX DESC: waits (at most 20 s) until the screen shows REGEX.
see() {
  if wait_until 20 on_screen "$1" "$2"; then pass "$3"
  else fail "$3: /$2/ not on the screen"; sed 's/^/  | /' "$T/screen" >&2
  fi
}
type_line() { tmux -S "$E2E_TMUX" send-keys -t "$1" -l "$2" &&
              tmux -S "$E2E_TMUX" send-keys -t "$1" Enter; }

# The password, then the code from the email.
term right
see right '^Password: ' "password prompt"
type_line right "$PW"
see right 'Enter the 6-digit code we sent to v•••@example\.org' \
  "code prompt"
wait_file "$T/mail" 1
code=$(code_in "$(newest "$T/mail")")
[ -n "$code" ] || fail "no code in the email"
type_line right "$code"
see right "^su-ok:$U\$" "password + code: the command ran as $U"
see right '^su-rc:0$' "su: exit 0"

# A wrong password: su refuses and no code goes out.
term wrong
see wrong '^Password: ' "password prompt (wrong)"
type_line wrong "not-$PW"
see wrong 'su: Authentication failure' "wrong password: refused"
see wrong '^su-rc:1$' "wrong password: su exit 1"
eq "$(ls "$T/mail" | wc -l | tr -d ' ')" 1 "wrong password: no code sent"

ctl audit "$U" >"$T/audit"
expect_grep 'code\.ok' "$T/audit" "the code audited"
expect_grep 'password\.fail' "$T/audit" "the wrong password audited"

finish
