#!/bin/sh
# hosts.sh - two login hosts, one state (SPEC 9, issue 13): network
# namespaces a and b made by the test, each with its own vouchd ([store]
# host_name a, b) and its own sshd, share one PostgreSQL 15
# primary (tests/pg.inc) that has a synchronous standby; vouchd reaches
# them over TLS (verify-full against the test CA) through the
# namespaces' veth links, with both servers in its conninfo and
# target_session_attrs=read-write.
#   - wrong passwords on a and on b (PAM, and over ssh) add up to one
#     count and one lockout;
#   - a reset code sent through a is accepted on b once, never twice;
#   - 2 hosts x 16 concurrent wrong answers add exactly 32;
#   - "sign out of all devices" on a ends a live ssh session on b;
#   - b cut off (its link down): a sign-out waits for it, and b takes it
#     when the link is back;
#   - the primary killed mid-burst: the modules refuse within
#     connect_timeout + 1 s, nobody gets in; the standby promoted:
#     sign-in resumes, no acknowledged failure lost;
#   - a server certificate from another CA is refused.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/e2e/e2e.inc"
. "$VOUCH_SRC/tests/sessions/common.inc"
VOUCH_BACKEND=postgresql
. "$VOUCH_SRC/tests/pg.inc"

need_root
need_prog ip unshare nsenter /usr/sbin/sshd ssh ssh-keygen useradd userdel
N=16
U=vouchfleet
PW='Correct-Horse-fleet'
NSA=""   # the pid holding namespace a (so: /proc/$NSA/ns/net)
NSB=""
VA="vfa$$"
VB="vfb$$"
# Two /24 of 10.231.0.0/16 that no interface of this machine uses (two
# runs at once on one machine, in chroots, share its interfaces): from
# a start drawn by the test's pid, the first free pair.
net_used() { ip -o -4 addr show 2>/dev/null | grep -q " $1\."; }
k=0 x=$(( ($$ % 120) * 2 + 1 ))
while [ $k -lt 120 ] && { net_used "10.231.$x" || net_used "10.231.$((x + 1))"; }; do
  x=$(( (x + 1) % 240 + 1 )); k=$((k + 1))
done
NETA=10.231.$x
NETB=10.231.$((x + 1))
PG2_DATA="$T/pg2/data"
PG2_WRAP=""
PG2_PORT=""

fleet_undo() {
  for p in $A_PID $B_PID $C_PID; do kill "$p" 2>/dev/null; done
  [ -z "$PG2_WRAP" ] || { pg2_kill; }
  # a namespace goes with the last process in it (sshd and vouchd are
  # stopped by the test's undo too)
  for p in $NSA $NSB; do kill "$p" 2>/dev/null; done
  ip link del "$VA" 2>/dev/null
  ip link del "$VB" 2>/dev/null
  return 0
}
E2E_BEFORE_UNDO=fleet_undo
A_PID="" B_PID="" C_PID=""

# --- the network: a and b, each a network namespace with a veth link to
# this one (where PostgreSQL listens on the links' near ends).  A
# namespace is held by a sleeping process of its own (unshare) and
# entered with nsenter: no named namespaces (ip netns), which need mount
# operations that a chroot refuses.
in_ns() { # PID COMMAND...: COMMAND in the network namespace of PID
  _ns=$1; shift
  nsenter --net="/proc/$_ns/ns/net" -- "$@"
}
net() { # TAG VETH NET: sets NS_PID
  rm -f "$T/ns.$1"
  # (from a subshell: no job of this shell, which waits for its jobs)
  ( unshare --net sh -c 'echo $$ >"$1"; exec sleep 900' sh "$T/ns.$1" \
      </dev/null >/dev/null 2>&1 & )
  wait_until 5 test -s "$T/ns.$1" || return 1
  NS_PID=$(cat "$T/ns.$1")
  in_ns "$NS_PID" ip link set lo up &&
    ip link add "$2" type veth peer name eth0 netns "$NS_PID" &&
    ip addr add "$3.1/24" dev "$2" && ip link set "$2" up &&
    in_ns "$NS_PID" ip addr add "$3.2/24" dev eth0 &&
    in_ns "$NS_PID" ip link set eth0 up
}
net a "$VA" "$NETA" || not_run "network namespace a"
NSA=$NS_PID
net b "$VB" "$NETB" || not_run "network namespace b"
NSB=$NS_PID

# --- the store: key and schema through the test's own vouchd (this
# namespace, over the cluster's socket), for the tools.
e2e_build
setup_check "[password]
max_failures = 100
[lockout]
max_failures = 100"
M=$E2E_BUILD
add_user alice 'correct horse' --email alice@example.org --phone +4512345678
ctl phone verify alice --trusted >/dev/null || fail "phone verify"

# --- the primary listens on the links too, and replicates to a
# synchronous standby (application_name standby1).
cat >>"$PG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1,$NETA.1,$NETB.1'
wal_level = replica
max_wal_senders = 4
hot_standby = on
synchronous_commit = on
synchronous_standby_names = 'standby1'
EOF
cat >>"$PG_DATA/pg_hba.conf" <<EOF
local   replication postgres                peer
hostssl all  all         $NETA.0/24   scram-sha-256
hostssl all  all         $NETB.0/24   scram-sha-256
EOF
pg_restart || finish
mkdir -m 700 -p "$T/pg2" && chown postgres: "$T/pg2" || not_run "standby dir"
pg_as "$PG_BIN/pg_basebackup" -D "$PG2_DATA" -h "$PG_SOCKDIR" -p "$PG_PORT" \
  -U postgres -R --no-sync >"$T/basebackup.log" 2>&1 ||
  { sed 's/^/  pg_basebackup: /' "$T/basebackup.log" >&2;
    not_run "pg_basebackup"; }
# (pg_basebackup -R wrote primary_conninfo into postgresql.auto.conf,
# which wins over postgresql.conf.)
cat >>"$PG2_DATA/postgresql.auto.conf" <<EOF
synchronous_standby_names = ''
primary_conninfo = 'host=$PG_SOCKDIR port=$PG_PORT user=postgres application_name=standby1'
EOF
pg2_start() {
  : >"$T/pg2.log"
  chown postgres: "$T/pg2.log"
  (
    cd "$T/pg2" || exit 1
    timeout -s INT -k 15 "$PG_LIFETIME" env -i LC_ALL=C "$SETPRIV" \
      --reuid=postgres --regid=postgres --init-groups -- \
      "$PG_BIN/postgres" -D "$PG2_DATA" -p "$PG2_PORT" \
      >>"$T/pg2.log" 2>&1 </dev/null &
    echo $! >"$T/pg2.wrap"
  )
  PG2_WRAP=$(cat "$T/pg2.wrap")
  wait_until 30 env -i "$PG_BIN/pg_isready" -q -h "$PG_SOCKDIR" \
    -p "$PG2_PORT" -U postgres -d postgres
}
pg2_kill() {
  p=$(head -n 1 "$PG2_DATA/postmaster.pid" 2>/dev/null)
  [ -n "$p" ] && kill -INT "$p" 2>/dev/null
  wait_until 10 sh -c "! kill -0 $PG2_WRAP 2>/dev/null" ||
    kill -KILL "$PG2_WRAP" 2>/dev/null
  PG2_WRAP=""
}
PG2_PORT=$(free_port)
pg2_start || { sed 's/^/  standby: /' "$T/pg2.log" >&2; not_run "standby"; }
su_sql() { # PORT SQL: as the superuser over the socket
  env -i "$SETPRIV" --reuid=postgres --regid=postgres --init-groups -- \
    "$PG_BIN/psql" -X -q -A -t -h "$PG_SOCKDIR" -p "$1" -d vouch -c "$2"
}
synchronous() {
  [ "$(su_sql "$PG_PORT" "SELECT sync_state FROM pg_stat_replication")" = sync ]
}
wait_until 30 synchronous &&
  pass "the standby replicates synchronously" ||
  { fail "no synchronous standby"; sed "s/^/  standby: /" "$T/pg2.log" >&2; }

# --- the hosts: a configuration each (the shared key, the store over
# TLS from their namespace, both servers), their vouchd in it.
host_conf() { # NAME NET CA
  sed -e "s|^socket = .*|socket = $T/$1.sock|" \
      -e "/^host_name = /d" -e "/^ca_file = /d" -e "/^connect_timeout = /d" \
      -e "s|^conninfo = .*|conninfo = host=localhost,localhost hostaddr=$2.1,$2.1 port=$PG_PORT,$PG2_PORT dbname=$PG_DB user=$PG_USER|" \
      -e "s|^\\[store\\]\$|[store]\\nhost_name = $1\\nca_file = $3\\nconnect_timeout = 2s|" \
      "$CONF" >"$T/$1.conf"
  chmod 644 "$T/$1.conf"
}
host_conf a "$NETA" "$PG_CA"
host_conf b "$NETB" "$PG_CA"
host_conf c "$NETA" "$PG_WRONG_CA"
host_vouchd() { # NAME NS-PID: its pid in $T/NAME.pid
  _pre=""
  [ "$VOUCH_SAN" = 1 ] && _pre="$(${CC:-cc} -print-file-name=libasan.so)"
  : >"$T/$1.log"
  (
    in_ns "$2" env LD_PRELOAD="$_pre" TZ=UTC "$VOUCHD" \
      --config "$T/$1.conf" >>"$T/$1.log" 2>&1 </dev/null &
    echo $! >"$T/$1.pid"
  )
  wait_until 10 grep -q 'vouchd: ready' "$T/$1.log" ||
    { fail "vouchd $1 did not start"; sed "s/^/  $1: /" "$T/$1.log" >&2; }
}
host_vouchd a "$NSA"; A_PID=$(cat "$T/a.pid")
host_vouchd b "$NSB"; B_PID=$(cat "$T/b.pid")
service pwa "auth required pam_vouch_password.so conf=$T/a.conf"
service pwb "auth required pam_vouch_password.so conf=$T/b.conf"
service pwc "auth required pam_vouch_password.so conf=$T/c.conf"
db() { pg_psql "$(pg_socket_conninfo)" "$1"; }
# answers_to FILE TEXT: a pamdrive input of its own (for a background
# loop beside the foreground's $T/in).
answers_to() { printf '%s\n' "$2" >"$1"; }
count() { db "SELECT pw_failures FROM vouch.users WHERE name = 'alice'"; }

answers 'correct horse'
drive $PAM_SUCCESS "a signs in" pwa alice auth
drive $PAM_SUCCESS "b signs in" pwb alice auth

# --- one count, one lockout.
for h in a b a b; do
  answers 'wrong'
  drive $PAM_AUTH_ERR "a wrong password on $h" "pw$h" alice auth
done
eq "$(count)" 4 "a, b, a, b: one count of 4"

# --- 2 x 16 at once: exactly 32 more.  tests/vouch-load (the bench's
# load generator) speaks to each vouchd as 16 modules at once, 16 wrong
# answers for alice a host.
LOAD="$VOUCH_BUILD/tests/vouch-load"
for h in a b; do
  "$LOAD" "$T/$h.conf" password $PAM_AUTH_ERR alice 0 $N 2 $N 60 wrong \
    >"$T/load.$h" 2>&1 &
done
wait
for h in a b; do
  expect_grep "^requests $N ok $N errors 0 " "$T/load.$h" \
    "$N wrong answers at once on $h, each refused"
done
eq "$(count)" 36 "exactly 32 more: 36"
answers 'correct horse'
drive $PAM_SUCCESS "the right password on b" pwb alice auth
eq "$(count)" 0 "and the count is 0 for both"

# --- a reset code sent through a, used on b once.
rm -f "$T/sms"/*
expect_rc 0 "reset code requested through a" -- "$VOUCH_BUILD/vouch-reset" \
  --config "$T/a.conf" request alice --via sms
code=$(sed '1,/^$/d' "$T/sms"/* 2>/dev/null | grep -oE '[0-9]{6}' | head -n 1)
[ -n "$code" ] && pass "the code came by SMS" || fail "no code in $T/sms"
printf '%s\n' 'fleet password 2' >"$T/pw"
expect_rc 0 "the code accepted on b" -- "$VOUCH_BUILD/vouch-reset" \
  --config "$T/b.conf" complete alice --code "$code" <"$T/pw"
printf '%s\n' 'fleet password 3' >"$T/pw"
expect_rc 1 "the same code again, on a" -- "$VOUCH_BUILD/vouch-reset" \
  --config "$T/a.conf" complete alice --code "$code" <"$T/pw"
expect_rc 1 "and on b" -- "$VOUCH_BUILD/vouch-reset" \
  --config "$T/b.conf" complete alice --code "$code" <"$T/pw"
answers 'fleet password 2'
drive $PAM_SUCCESS "a takes the password set on b" pwa alice auth

# --- sshd on each host, its PAM stack asking that host's vouchd: wrong
# passwords over ssh on a and on b count in one count; a live ssh session
# on b, signed out from a.
sys_user "$U"
add_user "$U" "$PW"
e2e_dir /run/sshd 0755
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || not_run "ssh-keygen"
sshd_on() { # HOST NS-PID ADDRESS: sshd (service vouch-fleet-sshd-HOST)
  pam_service "vouch-fleet-sshd-$1" "# vouch fleet test (tests/fleet/hosts.sh)
auth     requisite  $M/pam_vouch_password.so conf=$T/$1.conf
account  required   $M/pam_vouch_password.so conf=$T/$1.conf
session  required   $M/pam_vouch_session.so conf=$T/$1.conf
password required   pam_deny.so"
  ln -s /usr/sbin/sshd "$T/vouch-fleet-sshd-$1"
  printf '%s\n' "ListenAddress $3" "Port 2222" "HostKey $T/hostkey" \
    "PidFile $T/sshd.$1.pid" "UsePAM yes" "KbdInteractiveAuthentication yes" \
    "PasswordAuthentication no" "PubkeyAuthentication no" \
    "AuthenticationMethods keyboard-interactive" "PermitRootLogin no" \
    "AllowUsers $U" "MaxAuthTries 1" "PrintMotd no" "PrintLastLog no" \
    >"$T/sshd_config.$1"
  ( in_ns "$2" timeout 300 "$T/vouch-fleet-sshd-$1" -D -e \
      -f "$T/sshd_config.$1" >>"$T/sshd.$1.log" 2>&1 &
    echo $! >"$T/sshd.$1.wrap" )
  SERVER_PIDS="$SERVER_PIDS $(cat "$T/sshd.$1.wrap")"
  wait_until 10 python3 -c \
    "import socket; socket.create_connection(('$3', 2222), 1)" ||
    { sed "s/^/  sshd $1: /" "$T/sshd.$1.log" >&2; not_run "sshd on $1"; }
}
sshd_on a "$NSA" "$NETA.2"
sshd_on b "$NSB" "$NETB.2"
printf '#!/bin/sh\nexec /usr/bin/python3 %s "$@"\n' \
  "$VOUCH_SRC/tests/e2e/askpass.py" >"$T/askpass"
chmod 700 "$T/askpass"
# ssh_to ADDRESS PLAN COMMAND: the test user over ssh, answers by PLAN
# (tests/e2e/askpass.py); output in $T/ssh.out, exit code in $T/ssh.rc.
ssh_to() {
  rm -f "$T/ssh.rc" "$T/ask.n"
  E2E_ASK_PLAN=$2 E2E_ASK_DIR=$T E2E_MAILDIR=$T E2E_MAILS=0 \
    E2E_PASSWORD=$PW SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force \
    DISPLAY=none timeout 120 ssh -F /dev/null -p 2222 \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o GlobalKnownHostsFile=/dev/null \
    -o PreferredAuthentications=keyboard-interactive \
    -o NumberOfPasswordPrompts=1 -o ConnectTimeout=10 -o LogLevel=ERROR -T \
    "$U@$1" "$3" </dev/null >"$T/ssh.out" 2>"$T/ssh.err"
  echo $? >"$T/ssh.rc"
}
ucount() { db "SELECT pw_failures FROM vouch.users WHERE name = '$U'"; }
ssh_to "$NETA.2" badpass true
ssh_to "$NETB.2" badpass true
ssh_to "$NETA.2" badpass true
eq "$(ucount)" 3 "wrong passwords over ssh on a, b, a: one count of 3"
ssh_to "$NETA.2" password 'echo fleet-ran'
grep -q fleet-ran "$T/ssh.out" && pass "ssh on a: the right password" ||
  { fail "ssh on a"; sed 's/^/  ssh: /' "$T/ssh.err" >&2; }
eq "$(ucount)" 0 "and the count is 0 on both"
ssh_to "$NETB.2" password 'echo fleet-up; exec sleep 100' &
wait_until 20 grep -q fleet-up "$T/ssh.out" &&
  pass "ssh session on b" ||
  { fail "no ssh session on b"; sed 's/^/  ssh: /' "$T/ssh.err" >&2;
    sed 's/^/  sshd: /' "$T/sshd.b.log" >&2; }
eq "$(db "SELECT host FROM vouch.sessions s JOIN vouch.users u
  ON u.id = s.user_id WHERE u.name = '$U' AND ended = 0")" b \
  "recorded as b's"
t0=$(now_ms)
expect_rc 0 "sign out everywhere, on a" -- "$LOGOUT_ALL" --config "$T/a.conf" "$U"
wait_until 10 test -s "$T/ssh.rc" &&
  pass "the ssh session on b ended ($(( $(now_ms) - t0 )) ms)" ||
  fail "the ssh session on b is still open"
expect_grep 'signed out from another host' "$T/b.log" "b's vouchd did it"

# --- b cut off: the sign-out waits for b, then b takes it.
service sessb "session required pam_vouch_session.so conf=$T/b.conf"
rm -f "$T/hb.pid" "$T/hb.res"
pam_env "$HOLD" sessb alice "$T/hb.pid" "$T/hb.res" >"$T/hb.out" 2>&1 &
wait_until 5 test -s "$T/hb.pid" || fail "a session on b"
hb=$(cat "$T/hb.pid")
SERVER_PIDS="$SERVER_PIDS $hb"
ip link set "$VB" down
answers 'fleet password 2'
drive $PAM_AUTHINFO_UNAVAIL "b cut off: b refuses" pwb alice auth
expect_rc 0 "sign out everywhere on a, b cut off" -- "$LOGOUT_ALL" \
  --config "$T/a.conf" alice
sleep 2
alive "$hb" && pass "b's session waits for b" || fail "b's leader ended early"
eq "$(db "SELECT count(*) FROM vouch.signouts WHERE host = 'b'")" 1 \
  "queued for b"
ip link set "$VB" up
eq "$(hold_result hb 30)" SIGHUP "b, back, takes it"
eq "$(pg_drained)" 0 "taken once"
answers 'fleet password 2'
drive $PAM_SUCCESS "b back: signs in" pwb alice auth

# --- a server certificate of another CA.
host_vouchd c "$NSA"; C_PID=$(cat "$T/c.pid")
answers 'fleet password 2'
drive $PAM_AUTHINFO_UNAVAIL "another CA: refused" pwc alice auth
expect_grep 'certificate verify failed' "$T/c.log" "c says why"

# --- the primary killed in a burst of wrong answers.
( i=0; while [ $i -lt 40 ] && [ ! -e "$T/stop" ]; do
    for h in a b; do
      answers_to "$T/bin.$h" wrong
      pam_env timeout 30 "$PAMDRIVE" "pw$h" alice auth <"$T/bin.$h" \
        >/dev/null 2>&1
      echo $? >>"$T/burst.rc"
    done
    i=$((i + 1))
  done ) &
burst_pid=$!
wait_until 20 sh -c "[ \$(wc -l <'$T/burst.rc' 2>/dev/null || echo 0) -ge 6 ]"
pkill -KILL -P "$PG_PID"; kill -KILL "$PG_PID"
: >"$T/stop"
wait "$burst_pid"
PG_PID=""
acked=$(grep -cx $PAM_AUTH_ERR "$T/burst.rc")
[ "$acked" -ge 3 ] && pass "$acked wrong answers counted before the kill" ||
  fail "only $acked before the kill"
for h in a b; do
  t0=$(now_ms)
  answers 'fleet password 2'
  drive $PAM_AUTHINFO_UNAVAIL "primary gone: $h refuses the right password" \
    "pw$h" alice auth
  ms=$(( $(now_ms) - t0 ))
  [ "$ms" -le 3000 ] && pass "$h refused within connect_timeout + 1 s ($ms ms)" ||
    fail "$h refused after $ms ms"
done
su_sql "$PG2_PORT" "SELECT pg_promote()" >/dev/null ||
  fail "promote the standby"
promoted() { [ "$(su_sql "$PG2_PORT" "SELECT pg_is_in_recovery()")" = f ]; }
wait_until 30 promoted || fail "standby promoted"
got=$(su_sql "$PG2_PORT" "SELECT pw_failures FROM vouch.users WHERE name = 'alice'")
tried=$(wc -l <"$T/burst.rc")
[ "$got" -ge "$acked" ] && [ "$got" -le "$tried" ] &&
  pass "no acknowledged failure lost ($acked acknowledged, $got on the new primary, $tried tried)" ||
  fail "count on the new primary: $got (acknowledged $acked, tried $tried)"
answers 'fleet password 2'
f0=$FAILS
drive $PAM_SUCCESS "sign-in resumes on a (the new primary)" pwa alice auth
[ "$FAILS" -eq "$f0" ] || tail -n 20 "$T/a.log" | sed 's/^/  a: /' >&2
drive $PAM_SUCCESS "and on b" pwb alice auth

finish
