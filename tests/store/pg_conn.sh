#!/bin/sh
# pg_conn.sh - the connection of the PostgreSQL store (core/pg.c) to a
# throwaway cluster (tests/pg.inc), with the [store] keys of vouch.conf:
#   - over the Unix socket, and over TCP with TLS verify-full (by name
#     and with several hosts, the first one down); the password from
#     password_file; statement_timeout and application_name set;
#   - a PG* variable in the environment: no connection (libpq reads them
#     for any parameter not given); vouch_pg_clear_env removes them, and
#     then nothing of them is taken; PGPASSWORD is no password;
#   - never without TLS over TCP (hostaddr with a socket directory, a
#     certificate of another name); no abstract socket; over a socket,
#     the server runs as [store] server_user;
#   - refused with the reason: the wrong CA, a wrong password, a password
#     file readable by others, conninfo keywords vouch sets itself or
#     does not take, a conninfo without dbname;
#   - a server that accepts TCP and never answers: refused within
#     connect_timeout (+ 1.5 s).
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/pg.inc"

PROBE="$VOUCH_BUILD/tests/pg_probe"
pg_start || finish
write_conf
conf_set store password_file "$PG_PASSWORD_FILE"
conf_set store ca_file "$PG_CA"
sock="host=$PG_SOCKDIR port=$PG_PORT dbname=$PG_DB user=$PG_USER"
tcp="host=localhost hostaddr=127.0.0.1 port=$PG_PORT dbname=$PG_DB user=$PG_USER"

# probe DESC WANT-RC [--keep-env]: pg_probe with $CONF.
probe() {
  _d=$1 _w=$2; shift 2
  expect_rc "$_w" "$_d" -- "$PROBE" "$@" "$CONF"
}

conf_set store conninfo "$sock"
probe "over the Unix socket" 0
expect_grep '^user=vouchd ssl=f port=socket statement_timeout=5s app=vouchd$' \
  "$T/out" "as vouchd, without TLS, the timeouts set"

conf_set store conninfo "$tcp"
conf_set store statement_timeout 3s
probe "over TCP" 0
expect_grep "^user=vouchd ssl=t port=$PG_PORT statement_timeout=3s app=vouchd\$" \
  "$T/out" "TLS verified, statement_timeout from vouch.conf"

# Several hosts: the first refuses, the next one is taken (read-write).
conf_set store conninfo "host=127.0.0.1,localhost hostaddr=127.0.0.1,127.0.0.1 port=1,$PG_PORT dbname=$PG_DB user=$PG_USER"
probe "the second of two hosts" 0
expect_grep "ssl=t port=$PG_PORT" "$T/out" "over TLS"

# The environment: libpq reads a PG* variable for any parameter not
# given, so vouch connects only once they are gone (vouchd removes them
# at start; pg_probe too, unless --keep-env).
conf_set store conninfo "$tcp"
PGHOST=/nonexistent PGPORT=1 PGSSLMODE=disable PGPASSWORD=wrong \
  PGSERVICE=evil PGREQUIREPEER=evil \
  probe "a hostile PG* environment, kept" 4 --keep-env
expect_grep 'PG[A-Z]* is set in the environment' "$T/err" "refused, named"
expect_nogrep 'wrong' "$T/err" "the value is not shown"
PGHOST=/nonexistent PGPORT=1 PGSSLMODE=disable PGPASSWORD=wrong \
  PGSERVICE=evil PGREQUIREPEER=evil PGOPTIONS='-c statement_timeout=1' \
  PGAPPNAME=evil probe "a hostile PG* environment, cleared" 0
expect_grep "^user=vouchd ssl=t port=$PG_PORT statement_timeout=3s app=vouchd\$" \
  "$T/out" "nothing taken from it"
# Without password_file, PGPASSWORD is not a way in.
conf_set store conninfo "$sock"
conf_set store password_file ""
PGPASSWORD="$(cat "$PG_PASSWORD_FILE")" probe "no password_file: PGPASSWORD unused" 4
expect_grep 'no password supplied' "$T/err" "no password sent"
conf_set store password_file "$PG_PASSWORD_FILE"

# Never without TLS over TCP: hostaddr with a socket directory as host
# still goes over TCP, and then the name does not verify.
conf_set store conninfo "host=$PG_SOCKDIR hostaddr=127.0.0.1 port=$PG_PORT dbname=$PG_DB user=$PG_USER"
probe "a socket directory with hostaddr" 4
expect_grep 'does not match host name|certificate' "$T/err" "TLS, and refused"
conf_set store conninfo "host=wrong.example hostaddr=127.0.0.1 port=$PG_PORT dbname=$PG_DB user=$PG_USER"
probe "a server certificate of another name" 4
expect_grep 'does not match host name' "$T/err" "said so"
conf_set store conninfo "host=@vouchpg port=$PG_PORT dbname=$PG_DB user=$PG_USER"
probe "an abstract socket" 4
expect_grep 'abstract socket' "$T/err" "said so"
# Over a socket, the server must run as [store] server_user.
conf_set store conninfo "$sock"
conf_set store server_user nobody
probe "a socket server of another user" 4
expect_grep 'requirepeer' "$T/err" "said so"
conf_set store server_user postgres

# Refusals, each with its reason.
conf_set store conninfo "$tcp"
conf_set store ca_file "$PG_WRONG_CA"
probe "the wrong CA" 4
expect_grep 'certificate verify failed' "$T/err" "says why"
conf_set store ca_file "$PG_CA"
printf 'not the password\n' >"$T/wrongpw"
chmod 600 "$T/wrongpw"
conf_set store password_file "$T/wrongpw"
probe "a wrong password" 4
expect_grep 'password authentication failed' "$T/err" "says why"
expect_nogrep 'not the password' "$T/err" "the password is not shown"
cp "$PG_PASSWORD_FILE" "$T/openpw"
chmod 644 "$T/openpw"
conf_set store password_file "$T/openpw"
probe "a password file others can read" 4
expect_grep 'cannot use the database password' "$T/err" "refused"
conf_set store password_file "$PG_PASSWORD_FILE"
for kw in "sslmode=disable" "password=x" "passfile=/tmp/p" "service=x" \
    "sslrootcert=/tmp/ca" "options=-cstatement_timeout=0" "connect_timeout=60"; do
  conf_set store conninfo "$tcp $kw"
  probe "conninfo $kw" 4
  expect_grep "is set by vouch itself" "$T/err" "conninfo $kw: said so"
done
conf_set store conninfo "$tcp replication=1"
probe "conninfo replication" 4
expect_grep "replication is not taken" "$T/err" "said so"
conf_set store conninfo "$tcp bogus=1"
probe "an unknown keyword" 4
expect_grep 'conninfo: .*bogus' "$T/err" "named"
conf_set store conninfo "host=localhost port=$PG_PORT user=$PG_USER"
probe "no dbname" 4
expect_grep 'dbname and user are both needed' "$T/err" "said so"

# A server that takes the connection and never answers.
port=$(free_port)
"$SYS_PY" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
time.sleep(60)' "$port" &
SERVER_PIDS="${SERVER_PIDS:-} $!"
wait_port "$port" "$!" || fail "the silent server"
conf_set store conninfo "host=127.0.0.1 port=$port dbname=$PG_DB user=$PG_USER"
conf_set store connect_timeout 2s
t0=$(now_ms)
probe "a server that never answers" 4
ms=$(( $(now_ms) - t0 ))
[ "$ms" -lt 3500 ] && pass "given up after $ms ms (connect_timeout 2 s)" ||
  fail "took $ms ms with connect_timeout = 2s"
expect_grep 'cannot be reached' "$T/err" "said so"

finish
