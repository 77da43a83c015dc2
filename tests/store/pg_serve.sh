#!/bin/sh
# pg_serve.sh - vouchd serving from the PostgreSQL store (tests/pg.inc's
# throwaway cluster, over its Unix socket):
#   - the password module's decisions are the database's rows: a wrong
#     password counts in vouch.users, and a restarted vouchd unlocks
#     nobody (the count is still there);
#   - vouchd maps libpq only for this store (dlopen), never for SQLite;
#   - the database stops: every module refuses with PAM_AUTHINFO_UNAVAIL
#     within [store] connect_timeout + 1 s, nobody gets in, and a tool
#     exits 4; the same vouchd reconnects once the database is back;
#   - PG* variables in vouchd's environment change nothing;
#   - a host whose key is not the store's: vouchd refuses to start, or,
#     started while the database was down, refuses every request once
#     it is back.
. "$VOUCH_SRC/tests/lib.sh"

VOUCH_BACKEND=postgresql
setup_store
conf_set store connect_timeout 2s
add_user alice 'correct horse' --email alice@example.org
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M"
service otp "auth required pam_vouch_otp.so conf=$CONF channel=email"
db() { pg_psql "$(pg_socket_conninfo)" "$1"; }

answers 'correct horse'
drive $PAM_SUCCESS "the right password" pw alice auth
answers 'wrong'
drive $PAM_AUTH_ERR "a wrong password" pw alice auth
eq "$(db "SELECT pw_failures FROM vouch.users WHERE name = 'alice'")" 1 \
  "counted in the database's row"
eq "$(db "SELECT count(*) FROM vouch.audit WHERE \"user\" = 'alice'
  AND event = 'password.fail'")" 1 "audited there"
grep -q 'libpq\.so' "/proc/$VOUCHD_PID/maps" &&
  pass "vouchd maps libpq for this store" || fail "vouchd: no libpq mapped"

# Counters live in the database: a restart unlocks nobody.
start_daemon
eq "$(failures alice)" 1 "a new vouchd sees the failure"

# The database goes away: fail closed, quickly, and nothing counted.
pg_stop
t0=$(now_ms)
answers 'correct horse'
drive $PAM_AUTHINFO_UNAVAIL "database down: the right password" pw alice auth
ms=$(( $(now_ms) - t0 ))
[ "$ms" -lt 3000 ] && pass "refused within connect_timeout + 1 s (${ms} ms)" ||
  fail "refused after ${ms} ms"
answers 'wrong'
drive $PAM_AUTHINFO_UNAVAIL "database down: a wrong password" pw alice auth
answers 'x'
drive $PAM_AUTHINFO_UNAVAIL "database down: the code module" otp alice auth
expect_rc 4 "database down: vouchctl user show" -- "$VOUCHCTL" --config "$CONF" \
  user show alice
expect_grep 'cannot be reached' "$T/vouchd.log" "vouchd says why"
alive "$VOUCHD_PID" && pass "vouchd keeps running" || fail "vouchd died"

# Back: the same vouchd connects again.
pg_restart || finish
answers 'correct horse'
drive $PAM_SUCCESS "database back: the right password" pw alice auth
eq "$(db "SELECT pw_failures FROM vouch.users WHERE name = 'alice'")" 0 \
  "success reset the count"

# Nothing comes from PG* variables (vouchd removes them at start).
export PGHOST=/nonexistent PGPORT=1 PGDATABASE=nothere PGSSLMODE=disable
start_daemon
unset PGHOST PGPORT PGDATABASE PGSSLMODE
answers 'correct horse'
drive $PAM_SUCCESS "PG* variables in vouchd's environment: no effect" \
  pw alice auth

# Another key than the store's: vouchd does not start.
stop_daemon
sed "s|^key_file = .*|key_file = $T/other.key|" "$CONF" >"$T/other.conf"
"$VOUCHCTL" --config "$T/other.conf" init >/dev/null 2>&1
[ -f "$T/other.key" ] || fail "a second key file"
expect_rc 4 "vouchd with another key" -- timeout 20 "$VOUCHD" \
  --config "$T/other.conf"
expect_grep 'not the one the other hosts of the store use' "$T/err" "said so"
# ... and one that started while the database was down is refused by
# its first connection once the database is back: nobody gets in.
key=$(sed -n 's/^key_file = //p' "$CONF")
cp -p "$key" "$T/own.key" && cp -p "$T/other.key" "$key" ||
  fail "this host given the other key"
pg_stop
start_daemon
alive "$VOUCHD_PID" && pass "another key, database down: vouchd waits" ||
  fail "vouchd did not start with the database down"
pg_restart || finish
answers 'correct horse'
drive $PAM_SERVICE_ERR "database back, another key: refused (as for a key that cannot be read)" \
  pw alice auth
expect_rc 4 "and a tool exits 4" -- "$VOUCHCTL" --config "$CONF" \
  user show alice
expect_grep 'not the one the other hosts of the store use' "$T/vouchd.log" \
  "vouchd says why"
cp -p "$T/own.key" "$key" || fail "this host's own key back"
start_daemon
answers 'correct horse'
drive $PAM_SUCCESS "the store's own key again" pw alice auth

# SQLite: libpq is never mapped.
VOUCH_BACKEND=sqlite
write_conf
ctl init >/dev/null || fail "init of an SQLite store"
start_daemon
grep -q 'libpq\.so' "/proc/$VOUCHD_PID/maps" &&
  fail "vouchd maps libpq for SQLite" || pass "no libpq for SQLite"

finish
