#!/bin/sh
# pg_init.sh - "vouchctl init" of the PostgreSQL store on a throwaway
# cluster (tests/pg.inc), run as an owner role with [store] grant_to
# naming vouchd's role:
#   - the key file, then schema vouch with its tables at version 8
#     (vouchctl runs vouch-store-init: the one program that links libpq);
#   - vouchd's role may read and write rows, and nothing more: no table
#     of its own in schema vouch, no DROP, no change of the version;
#   - a second init does nothing; two at once both succeed, one makes
#     the schema; a newer schema, another host's key and an unknown
#     grant_to role are refused with nothing changed;
#   - only vouchd and vouch-store-init can load libpq (tests/store/
#     pg_serve.sh: vouchd serving from this store).
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/pg.inc"

pg_start || finish
write_conf
OWNER_PW="$T/owner.pw"
(umask 077 && openssl rand -hex 24 >"$OWNER_PW") || fail "owner password"
# su SQL: as the postgres superuser (peer, over the socket).
su_sql() {
  pg_as "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" \
    -p "$PG_PORT" -d "$PG_DB" -c "$1"
}
su_sql "CREATE ROLE vouch_owner LOGIN PASSWORD '$(cat "$OWNER_PW")';
  GRANT CREATE ON DATABASE $PG_DB TO vouch_owner" >/dev/null ||
  fail "the owner role"
sock="host=$PG_SOCKDIR port=$PG_PORT dbname=$PG_DB"
conf_set store backend postgresql
conf_set store conninfo "$sock user=$PG_USER"
conf_set store password_file "$PG_PASSWORD_FILE"
conf_set store host_name h1
# The owner's configuration: the same, another role, and grant_to.
INIT="$T/init.conf"
sed -e "s|^conninfo = .*|conninfo = $sock user=vouch_owner|" \
    -e "s|^password_file = .*|password_file = $OWNER_PW|" "$CONF" >"$INIT"
awk -v g="grant_to = $PG_USER" '{ print } $0 == "[store]" { print g }' \
  "$INIT" >"$INIT.tmp" && mv "$INIT.tmp" "$INIT"
chmod 644 "$INIT"
# vouchd runs as a user of its own ([daemon] user): vouchctl hands it the
# key file, and vouch-store-init takes it.
awk '{ print } $0 == "[daemon]" { print "user = daemon" }' "$INIT" \
  >"$INIT.tmp" && mv "$INIT.tmp" "$INIT"
grep -q '^user = daemon' "$INIT" ||
  printf '[daemon]\nuser = daemon\n' >>"$INIT"
# as_vouchd SQL: vouchd's role over the socket.
as_vouchd() { pg_psql "$(pg_socket_conninfo)" "$1"; }

expect_rc 0 "vouchctl init" -- "$VOUCHCTL" --config "$INIT" init
expect_grep 'made the PostgreSQL store \(schema version 8\)' "$T/out" \
  "says what it made"
eq "$(stat -c %a "$T/secret.key")" 600 "the key file, 0600"
eq "$(stat -c %U "$T/secret.key")" daemon "handed to [daemon] user"
eq "$(as_vouchd "SELECT value FROM vouch.vouch_meta WHERE key = 'schema'")" 8 \
  "version 8 recorded"
eq "$(as_vouchd "SELECT count(*) FROM information_schema.tables
  WHERE table_schema = 'vouch'")" 14 "the 13 tables of version 8 and vouch_meta"
eq "$(as_vouchd "SELECT tableowner FROM pg_tables WHERE schemaname = 'vouch'
  AND tablename = 'users'")" vouch_owner "owned by the owner role"

# vouchd's role: rows only.
expect_rc 0 "vouchd's role writes rows" -- as_vouchd \
  "INSERT INTO vouch.users (name, created) VALUES ('probe', 1);
   UPDATE vouch.users SET lang = 'da' WHERE name = 'probe';
   INSERT INTO vouch.audit (ts, \"user\", event) VALUES (1, 'probe', 'x');
   DELETE FROM vouch.users WHERE name = 'probe'"
expect_rc 1 "no table of its own in schema vouch" -- as_vouchd \
  "CREATE TABLE vouch.evil (x int)"
expect_grep 'permission denied' "$T/err" "permission denied"
expect_rc 1 "no DROP" -- as_vouchd "DROP TABLE vouch.sessions"
expect_rc 1 "no change of the version" -- as_vouchd \
  "UPDATE vouch.vouch_meta SET value = 1 WHERE key = 'schema'"
eq "$(as_vouchd "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")" \
  f "vouchd's role is no superuser"

expect_rc 0 "init again" -- "$VOUCHCTL" --config "$INIT" init
expect_grep 'in place \(schema version 8\)' "$T/out" "nothing to do"

# An upgrade: the store as version 7 left it (no sessions.host, no
# signouts).  vouchd refuses it (no DDL at run time); vouchd's role
# cannot upgrade it; the owner's init does, once, keeping the rows.
su_sql "INSERT INTO vouch.users (name, created) VALUES ('kept', 1);
  DROP TABLE vouch.signouts; ALTER TABLE vouch.sessions DROP COLUMN host;
  UPDATE vouch.vouch_meta SET value = 7 WHERE key = 'schema'" >/dev/null ||
  fail "a store of version 7"
sed -e "s|^conninfo = .*|conninfo = $sock user=$PG_USER|" \
    -e "s|^password_file = .*|password_file = $PG_PASSWORD_FILE|" \
    -e "/^grant_to/d" -e "/^user = daemon/d" \
    -e "s|^key_file = .*|key_file = $T/root.key|" "$INIT" >"$T/v7.conf"
# the same key as root's own (the hosts' key file belongs to daemon here)
install -m 0600 -o root -g root "$T/secret.key" "$T/root.key" ||
  fail "a copy of the key"
# (vouchd keeps running with a store it cannot use: 3 s of it.)
expect_rc 124 "vouchd on version 7" -- timeout 3 "$VOUCH_BUILD/vouchd" \
  --config "$T/v7.conf"
expect_grep 'schema version 7, this vouchd needs 8: run vouchctl init' \
  "$T/err" "vouchd says to run vouchctl init"
expect_rc 4 "vouchd's role cannot upgrade" -- "$VOUCHCTL" --config \
  "$T/v7.conf" init
expect_grep 'belongs to another role' "$T/err" "said so"
expect_rc 0 "the owner upgrades" -- "$VOUCHCTL" --config "$INIT" init
expect_grep 'upgraded the PostgreSQL store from schema version 7 to 8' \
  "$T/out" "says so"
eq "$(as_vouchd "SELECT count(*) FROM vouch.users WHERE name = 'kept'")" 1 \
  "the rows stay"
expect_rc 0 "vouchd's role uses the new table" -- as_vouchd \
  "INSERT INTO vouch.signouts VALUES ('h', 1, 2, 3, 4);
   DELETE FROM vouch.signouts"
expect_rc 0 "init again after the upgrade" -- "$VOUCHCTL" --config "$INIT" init
expect_grep 'in place \(schema version 8\)' "$T/out" "nothing to do"

# Two hosts at once on an empty database.
su_sql "SET client_min_messages = warning; DROP SCHEMA vouch CASCADE" \
  >/dev/null || fail "drop schema"
"$VOUCHCTL" --config "$INIT" init >"$T/a.out" 2>"$T/a.err" &
a=$!
"$VOUCHCTL" --config "$INIT" init >"$T/b.out" 2>"$T/b.err" &
b=$!
wait $a; ra=$?
wait $b; rb=$?
eq "$ra/$rb" 0/0 "two inits at once both succeed"
eq "$(cat "$T/a.out" "$T/b.out" | grep -c 'made the PostgreSQL store')" 1 \
  "one of them made the schema"
eq "$(cat "$T/a.out" "$T/b.out" | grep -c 'in place')" 1 \
  "the other found it in place"

# Refusals, nothing changed.
su_sql "UPDATE vouch.vouch_meta SET value = 99 WHERE key = 'schema'" \
  >/dev/null
expect_rc 4 "a newer schema" -- "$VOUCHCTL" --config "$INIT" init
expect_grep 'schema version 99; this vouch knows 8' "$T/err" "said so"
su_sql "UPDATE vouch.vouch_meta SET value = 8 WHERE key = 'schema'" >/dev/null
sed "s|^key_file = .*|key_file = $T/other.key|" "$INIT" >"$T/other.conf"
expect_rc 4 "another host's key" -- "$VOUCHCTL" --config "$T/other.conf" init
expect_grep 'is not the key the other hosts of this store use' "$T/err" \
  "said so"
sed "s|^grant_to = .*|grant_to = nobody_here|" "$INIT" >"$T/grant.conf"
expect_rc 4 "an unknown grant_to role" -- "$VOUCHCTL" --config "$T/grant.conf" \
  init
expect_grep 'role "nobody_here" does not exist' "$T/err" "said so"
sed "s|^grant_to = .*|grant_to = vouch_owner|" "$INIT" >"$T/self.conf"
expect_rc 4 "grant_to the owner itself" -- "$VOUCHCTL" --config "$T/self.conf" \
  init
expect_grep 'is the role vouchctl init connects as' "$T/err" "said so"
# vouchd's own role may run init on a store in place (a package upgrade):
# nothing to change, no DDL asked.
sed -e "s|^conninfo = .*|conninfo = $sock user=$PG_USER|" \
    -e "s|^password_file = .*|password_file = $PG_PASSWORD_FILE|" \
    -e "/^grant_to/d" "$INIT" >"$T/rt.conf"
expect_rc 0 "init as vouchd's role, the store in place" -- "$VOUCHCTL" \
  --config "$T/rt.conf" init
expect_grep 'in place' "$T/out" "nothing to do"
expect_rc 2 "--new-store" -- "$VOUCHCTL" --config "$INIT" init --new-store
expect_grep 'is for an SQLite store' "$T/err" "said so"

# Nothing links libpq: vouchd and vouch-store-init load it (dlopen) for
# this store alone, and nothing else ever does.
for b in vouchd vouch-store-init vouchctl vouch-account vouch-web \
    vouch-deliver lib/libvouch.so.0 pam_vouch_password.so pam_vouch_otp.so \
    pam_vouch_card.so pam_vouch_session.so pam_vouch_device.so; do
  ldd "$VOUCH_BUILD/$b" | grep -q libpq && fail "$b links libpq" ||
    pass "$b does not link libpq"
done
for b in vouchctl vouch-account vouch-web vouch-deliver lib/libvouch.so.0 \
    pam_vouch_password.so pam_vouch_otp.so pam_vouch_card.so \
    pam_vouch_session.so pam_vouch_device.so; do
  grep -q 'libpq\.so' "$VOUCH_BUILD/$b" && fail "$b names libpq" ||
    pass "$b cannot load libpq"
done

finish
