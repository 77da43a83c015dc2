#!/bin/sh
# password_rehash.sh - a hash made with other argon2id parameters than the
# configuration's is renewed at the next successful sign-in (and only
# then), without touching the password history.
. "$VOUCH_SRC/tests/lib.sh"

setup_store
add_user alice 'correct horse'
M="pam_vouch_password.so conf=$CONF"
service pw "auth required $M"
hash() { store_sql "SELECT pw_hash FROM users WHERE name='alice'"; }
expect_grep 'm=8192,t=1' "$(hash >"$T/h0"; echo "$T/h0")" "made with 8M, 1 pass"

conf_set password hash_ops 2
conf_set password hash_mem 16M
answers 'wrong horse'
drive $PAM_AUTH_ERR "wrong password" pw alice auth
hash >"$T/h1"
expect_same "$T/h0" "$T/h1" "a wrong password renews nothing"

answers 'correct horse'
drive $PAM_SUCCESS "right password" pw alice auth
hash >"$T/h2"
expect_grep 'm=16384,t=2' "$T/h2" "renewed with 16M, 2 passes"
ctl audit alice >"$T/audit"
expect_grep 'password.ok .*hash renewed' "$T/audit" "renewal audited"
n=$(store_sql "SELECT count(*) FROM pw_history")
[ "$n" -eq 0 ] || fail "renewal added $n history rows"

answers 'correct horse'
drive $PAM_SUCCESS "right password with the renewed hash" pw alice auth
hash >"$T/h3"
expect_same "$T/h2" "$T/h3" "no second renewal"
[ "$(grep -c 'hash renewed' "$T/audit")" -eq 1 ] || fail "one renewal"

finish
