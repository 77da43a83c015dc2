#!/bin/sh
# pg_harness.sh - the throwaway PostgreSQL of tests/pg.inc is what the
# PostgreSQL store's tests need (issue 13), with nothing taken from the
# PG* environment (env -i and a full conninfo on every call):
#   - the postmaster runs as the postgres system user, its folder theirs;
#   - the role connects over the Unix socket with its password;
#   - over TCP with sslmode=verify-full and the test CA, by name
#     (localhost) and by address (127.0.0.1), and pg_stat_ssl says the
#     connection is encrypted;
#   - the wrong CA, a wrong password, and TCP without TLS are refused;
#   - the password files are 0600;
#   - pg_stop leaves no postmaster and no socket behind.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/pg.inc"

t0=$(now_ms)
pg_start || finish
pass "postgres started in $(( $(now_ms) - t0 )) ms on port $PG_PORT"

# expect_sql DESC CONNINFO SQL WANT: psql prints exactly WANT.
expect_sql() {
  expect_rc 0 "$1" -- pg_psql "$2" "$3"
  got=$(cat "$T/out")
  eq "$got" "$4" "$1: the answer"
}

# refused DESC PATTERN CONNINFO: psql cannot connect, and says PATTERN.
refused() {
  expect_rc 2 "$1" -- pg_psql "$3" "SELECT 1"
  expect_grep "$2" "$T/err" "$1: the reason"
}

# Owner and modes: the postmaster is postgres's, and so is its folder.
if [ "$(id -u)" -eq 0 ]; then
  eq "$(ps -o user= -p "$PG_PID" | tr -d ' ')" postgres \
    "the postmaster runs as postgres"
  eq "$(stat -c %U "$PG_DIR")" postgres "the cluster's folder is postgres's"
fi
eq "$(stat -c %a "$PG_DATA")" 700 "the data directory is 0700"
eq "$(stat -c %a "$PG_PASSWORD_FILE")" 600 "the password file is 0600"
eq "$(stat -c %a "$PG_PASSFILE")" 600 "the passfile is 0600"
[ -S "$PG_SOCKDIR/.s.PGSQL.$PG_PORT" ] && pass "the socket is there" ||
  fail "no socket $PG_SOCKDIR/.s.PGSQL.$PG_PORT"

# The Unix socket, with the password (no TLS there).
SOCK=$(pg_socket_conninfo)
expect_sql "socket" "$SOCK" "SELECT current_user" "$PG_USER"
expect_sql "socket: its own database" "$SOCK" "SELECT current_database()" \
  "$PG_DB"
expect_sql "socket: no TLS, no address" "$SOCK" \
  "SELECT coalesce(ssl::text, 'none') || ' ' ||
          coalesce(inet_client_addr()::text, 'unix')
   FROM pg_stat_ssl WHERE pid = pg_backend_pid()" "false unix"
expect_sql "socket: password authentication" "$SOCK" \
  "SELECT rolsuper::text || ' ' || rolcreaterole::text FROM pg_roles
   WHERE rolname = current_user" "false false"

# TCP with TLS verify-full against the test CA, by name and by address.
SSLQ="SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
expect_sql "tcp localhost verify-full" "$(pg_tcp_conninfo)" "$SSLQ" t
expect_sql "tcp 127.0.0.1 verify-full" \
  "$(pg_tcp_conninfo "$PG_CA" "$PG_PASSFILE" 127.0.0.1)" "$SSLQ" t
expect_sql "tcp: the client address" "$(pg_tcp_conninfo)" \
  "SELECT host(inet_client_addr())" 127.0.0.1
expect_sql "tcp: TLS 1.2 or later" "$(pg_tcp_conninfo)" \
  "SELECT version IN ('TLSv1.2', 'TLSv1.3') FROM pg_stat_ssl
   WHERE pid = pg_backend_pid()" t

# Refusals.
refused "tcp with the wrong CA" 'certificate verify failed' \
  "$(pg_tcp_conninfo "$PG_WRONG_CA")"
(umask 077 && printf '*:*:*:%s:%s\n' "$PG_USER" "not-the-password" \
   >"$T/wrong.pgpass")
refused "tcp with a wrong password" 'password authentication failed' \
  "$(pg_tcp_conninfo "$PG_CA" "$T/wrong.pgpass")"
refused "socket with a wrong password" 'password authentication failed' \
  "$(pg_socket_conninfo "$T/wrong.pgpass")"
refused "tcp without TLS" 'no encryption' \
  "host=127.0.0.1 port=$PG_PORT dbname=$PG_DB user=$PG_USER \
passfile='$PG_PASSFILE' sslmode=disable gssencmode=disable connect_timeout=5"
refused "the superuser over the socket, not postgres's uid" \
  'authentication failed' \
  "host='$PG_SOCKDIR' port=$PG_PORT dbname=postgres user=postgres \
passfile='$PG_PASSFILE' sslmode=disable gssencmode=disable connect_timeout=5"

# The environment is not read: a PG* variable pointing elsewhere
# changes nothing (pg_psql runs under env -i).
PGHOST=/nonexistent PGPORT=1 PGSSLMODE=disable PGUSER=nobody \
  expect_sql "PG* variables are ignored" "$(pg_tcp_conninfo)" "$SSLQ" t

# Stopped: no postmaster and no socket remain.
pid=$PG_PID
pg_stop
if alive "$pid"; then fail "the postmaster $pid still runs"
else pass "pg_stop ended the postmaster"; fi
[ ! -e "$PG_SOCKDIR/.s.PGSQL.$PG_PORT" ] && pass "the socket is gone" ||
  fail "the socket is still there"
ps -eo pid=,args= | grep -F "$PG_DATA" | grep -v grep >"$T/left"
[ -s "$T/left" ] && { fail "processes of the cluster remain";
  sed 's/^/  | /' "$T/left" >&2; } || pass "no process of the cluster remains"
pass "whole test: $(( $(now_ms) - t0 )) ms"

finish
