#!/bin/sh
# sshd.sh - OpenSSH's sshd with a vouch stack, on 127.0.0.1 with its own
# configuration and port: keyboard-interactive only, UsePAM yes, the PAM
# service chosen by the program's name (a symlink vouch-e2e-sshd ->
# sshd).  A real ssh client answers the prompts (tests/e2e/askpass.py);
# the code comes by email through the SMTP sink.
#   password + emailed code -> logged in, a command runs
#   wrong password -> refused; wrong code -> "not right", no login
#   "a" (try another way) -> the card number -> logged in
#   the session is listed by "vouchctl sessions" and vouch-logout-all
#   ends it.
# The modules ask the test's own vouchd (for $CONF, on $T/vouchd.sock);
# the sshd process of an open session has the modules mapped but no
# SQLite, libsodium, libcurl or core.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/e2e/e2e.inc"

need_root
need_prog /usr/sbin/sshd ssh ssh-keygen useradd userdel
SVC=vouch-e2e-sshd
U=vouche2e
PW='Correct-Horse-e2e'
CARD='4111 1111 1111 1111'

e2e_setup
smtp_start || exit 1
conf_set email transport smtp
conf_set email url "smtp://127.0.0.1:$SMTP_PORT"
sys_user "$U"
add_user "$U" "$PW" --email vouche2e@example.org
printf '%s\n' "$CARD" | ctl card set "$U" >/dev/null || fail "card set"

pam_service "$SVC" "# vouch end-to-end test (tests/e2e/sshd.sh)
auth     requisite  $M/pam_vouch_password.so conf=$CONF
auth     [success=done authinfo_unavail=ignore default=die] $M/pam_vouch_otp.so conf=$CONF channel=email
auth     required   $M/pam_vouch_card.so conf=$CONF
account  required   $M/pam_vouch_password.so conf=$CONF
session  required   $M/pam_vouch_session.so conf=$CONF
password required   pam_deny.so"

# sshd: privilege separation needs /run/sshd; the program's name is the
# PAM service; re-exec needs an absolute path.
e2e_dir /run/sshd 0755
ln -s /usr/sbin/sshd "$T/$SVC"
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || not_run "ssh-keygen"
cat >"$T/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port PORT
HostKey $T/hostkey
PidFile $T/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthenticationMethods keyboard-interactive
PermitRootLogin no
AllowUsers $U
MaxAuthTries 3
LoginGraceTime 60
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
Subsystem sftp internal-sftp
EOF
started=""
for try in 1 2 3; do
  PORT=$(free_port) || break
  sed -i "s/^Port .*/Port $PORT/" "$T/sshd_config"
  timeout 300 "$T/$SVC" -D -e -f "$T/sshd_config" >>"$T/sshd.log" 2>&1 &
  pid=$!
  SERVER_PIDS="$SERVER_PIDS $pid"
  if wait_port "$PORT" "$pid"; then started=1; sshd_pid=$pid; break; fi
done
if [ -z "$started" ]; then
  sed 's/^/  sshd: /' "$T/sshd.log" >&2
  not_run "sshd did not start"
fi

printf '#!/bin/sh\nexec /usr/bin/python3 %s "$@"\n' \
  "$VOUCH_SRC/tests/e2e/askpass.py" >"$T/askpass"
chmod 700 "$T/askpass"

# client PLAN COMMAND: ssh to the test user with the answers of PLAN;
# output in $T/ssh.out, exit code in SSH_RC, prompts in $T/ask.log.
client_env() {
  rm -f "$T/ask.n" "$T/ask.log"
  E2E_ASK_PLAN=$1 E2E_ASK_DIR=$T E2E_MAILDIR=$MAILDIR \
    E2E_MAILS=$(mail_count) E2E_PASSWORD=$PW E2E_CARD=$CARD \
    SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none
  export E2E_ASK_PLAN E2E_ASK_DIR E2E_MAILDIR E2E_MAILS E2E_PASSWORD \
    E2E_CARD SSH_ASKPASS SSH_ASKPASS_REQUIRE DISPLAY
}
SSH_OPTS="-F /dev/null -p PORT_HERE -o StrictHostKeyChecking=no
 -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null
 -o PreferredAuthentications=keyboard-interactive
 -o NumberOfPasswordPrompts=1 -o ConnectTimeout=10 -o LogLevel=ERROR -T"
SSH_OPTS=$(echo $SSH_OPTS | sed "s/PORT_HERE/$PORT/")
client() {
  client_env "$1"
  # shellcheck disable=SC2086
  timeout 60 ssh $SSH_OPTS "$U@127.0.0.1" "$2" </dev/null \
    >"$T/ssh.out" 2>"$T/ssh.err"
  SSH_RC=$?
}
show() {
  sed 's/^/  ssh.out | /' "$T/ssh.out" >&2
  sed 's/^/  ssh.err | /' "$T/ssh.err" >&2
  sed 's/^/  ask | /' "$T/ask.log" >&2 2>/dev/null
  tail -n 15 "$T/sshd.log" | sed 's/^/  sshd | /' >&2
}
asked() { # N REGEX DESC: prompt N matched REGEX
  if grep -qE "^PROMPT $1: .*$2" "$T/ask.log" 2>/dev/null; then pass "$3"
  else fail "$3: prompt $1 is not /$2/"; show; fi
}
RAN='echo e2e-ran:$(id -un)'

# Password and the emailed code: logged in, the command runs.
client "password code" "$RAN"
if [ "$SSH_RC" -eq 0 ] && grep -qx "e2e-ran:$U" "$T/ssh.out"; then
  pass "password + code: logged in"
else fail "password + code: ssh exit $SSH_RC"; show; fi
asked 1 'Password: ' "first prompt: the password"
asked 2 'Enter the 6-digit code we sent to v•••@example\.org' \
  "second prompt: the code"
eq "$(mail_header "$(mail_last)" Subject)" \
  "Your sign-in code" "the code came by SMTP"

# A wrong password: refused by the server before any code is sent.
n=$(mail_count)
client "badpass" "$RAN"
if [ "$SSH_RC" -ne 0 ] && ! grep -q e2e-ran "$T/ssh.out" &&
   grep -q 'Permission denied' "$T/ssh.err"; then
  pass "wrong password: refused"
else fail "wrong password: ssh exit $SSH_RC"; show; fi
eq "$(mail_count)" "$n" "wrong password: no code sent"

# A wrong code: "not right", asked again; the plan ends the client.
client "password badcode" "$RAN"
if [ "$SSH_RC" -ne 0 ] && ! grep -q e2e-ran "$T/ssh.out"; then
  pass "wrong code: no login"
else fail "wrong code: ssh exit $SSH_RC"; show; fi
asked 3 'That code is not right' "wrong code: the server said so"
ctl audit "$U" >"$T/audit"
expect_grep 'code\.fail' "$T/audit" "wrong code audited"

# Try another way: "a" at the code prompt, then the card number.
client "password another card" "$RAN"
if [ "$SSH_RC" -eq 0 ] && grep -qx "e2e-ran:$U" "$T/ssh.out"; then
  pass "another way (card): logged in"
else fail "another way (card): ssh exit $SSH_RC"; show; fi
asked 3 'Enter the full number of your card ending in 1111' \
  "third prompt: the card"

# A session that stays: listed, then ended by vouch-logout-all.  Its
# remote command reads stdin (held open by this script through a FIFO)
# so that it ends as soon as the connection does.
# The code sent for the wrong answer above is still good and unused:
# it is offered again and nothing is sent (askpass.py answers it).
mkfifo "$T/hold"
n=$(mail_count)
client_env "password code"
# shellcheck disable=SC2086
timeout 90 ssh $SSH_OPTS "$U@127.0.0.1" 'echo e2e-session; cat >/dev/null' \
  <"$T/hold" >"$T/live.out" 2>"$T/live.err" &
live=$!
exec 8>"$T/hold"
open_session() {
  grep -q e2e-session "$T/live.out" &&
    ctl sessions "$U" --json | grep "\"service\":\"$SVC\"" |
      grep -q '"ended":null'
}
if wait_until 30 open_session; then pass "the session is open and listed"
else
  fail "no open $SVC session listed"
  ctl sessions "$U" >&2; sed 's/^/  live | /' "$T/live.out" "$T/live.err" >&2
fi
asked 2 'We already sent a code to v•••@example\.org at [0-9]{2}:[0-9]{2}\. Enter it' \
  "the live code offered again"
eq "$(mail_count)" "$n" "offered again: no code sent"
ctl sessions "$U" --json >"$T/sessions"
expect_grep '"rhost":"127\.0\.0\.1"' "$T/sessions" "session: remote host"
# The privileged sshd of this connection (under the listener, itself
# under timeout) holds the PAM handle of the open session: the modules
# are mapped in it, and none of SQLite, libsodium, libcurl or the core
# (vouchd has them).
kids() { for k in $(ps -o pid= --ppid "$1"); do echo "$k"; kids "$k"; done; }
priv=""
for k in $(kids "$sshd_pid"); do
  grep -q pam_vouch_ "/proc/$k/maps" 2>/dev/null && { priv=$k; break; }
done
if [ -n "$priv" ]; then no_core_in "$priv" "sshd [priv] of the session"
else fail "no sshd process of the session has the modules mapped"; fi
expect_rc 0 "vouch-logout-all" -- \
  "$VOUCH_BUILD/vouch-logout-all" --config "$CONF" "$U"
if wait_until 15 sh -c "! kill -0 $live"; then
  pass "vouch-logout-all ended the ssh session"
else
  fail "the ssh session is still there after vouch-logout-all"
  kill "$live" 2>/dev/null
fi
exec 8>&-
wait "$live" 2>/dev/null
ctl sessions "$U" --json >"$T/sessions"
expect_nogrep '"ended":null' "$T/sessions" "no session left open"
expect_grep '"revoked":true' "$T/sessions" "the session is marked revoked"

finish
