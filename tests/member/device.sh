#!/bin/sh
# device.sh - pam_vouch_device.so: a TV shows a sign-in code and waits (in
# pamdrive under pam_wrapper) while a member approves it from a second
# process with "vouch-account approve" (run as root with --user; the code
# on stdin, never an argument; vouchd's security check: the password,
# then "try another way" to the card number): PAM_USER becomes
# the member; single use; --deny; expiry by moving the TV's clock with
# libfaketime; a malformed code; brute force rate-limited; the store
# holds no code in clear.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

ACCOUNT="$VOUCH_BUILD/vouch-account"
setup_check
add_user alice 'correct horse' --email alice@example.org
add_user bo 'Kodeord-123' --email bo@example.dk --lang da
for u in alice bo; do
  printf '4111 1111 1111 1111\n' | ctl card set "$u" >/dev/null ||
    fail "card set $u"
done
service tv "auth required pam_vouch_device.so conf=$CONF url=https://example.org/tv?code={code}"
service tv_plain "auth required pam_vouch_device.so conf=$CONF url=https://tv.example.org/tv?lang=en"
service tv_noqr "auth required pam_vouch_device.so conf=$CONF url=https://example.org/tv noqr"
service tv_da "auth required pam_vouch_device.so conf=$CONF lang=da"
service vouch-account "auth required pam_vouch_password.so conf=$CONF
account required pam_vouch_password.so conf=$CONF"

# approve USER PASSWORD CODE [--deny]: vouch-account approve as USER: the
# sign-in code, the password, then at the emailed code "a" (try another
# way), the card, its number.
approve() {
  u=$1; p=$2; c=$3; shift 3
  printf '%s\n' "$c" "$p" a 1 '4111 1111 1111 1111' >"$T/in"
  need_daemon
  "$ACCOUNT" --config "$CONF" --user "$u" approve "$@" \
    <"$T/in" >"$T/out" 2>"$T/err"
}
# cline TEXT DESC: TEXT is a whole line of the TV's output.
cline() {
  if grep -qxF -- "$1" "$T/conv.out"; then pass "$2"
  else fail "$2: no line '$1'"; sed 's/^/  | /' "$T/conv.out" >&2; fi
}

# Approval from a second process signs the TV in as the member.
conv_start tv tv auth
conv_wait_for '^TEXT_INFO: Your sign-in code: '
code=$(shown_code)
echo "$code" | grep -qE '^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$' ||
  fail "code '$code' is not two groups of 4 of the alphabet"
echo "$code" | grep -q '[01OIL]' && fail "look-alike characters in $code"
cline "TEXT_INFO: To sign in, run \"vouch-account approve\" on a device where you are signed in and enter $code." "instruction"
conv_wait_for "^TEXT_INFO: Or open https://example.org/tv\?code=$code on your phone"
# The QR code under it, read back by zbar: the same address.  Each PAM
# message of it stays within PAM_MAX_MSG_SIZE (512 bytes).
qr_check "https://example.org/tv?code=$code" "QR code of the address"
store_dump "$T/dump"
plain=$(echo "$code" | tr -d -)
expect_nogrep "$plain|$code" "$T/dump" "the store holds no code in clear"
approve alice 'correct horse' "$code"
eq "$?" 0 "approve"
expect_grep "Approved: the device signs in as alice" "$T/out" "approve says"
expect_conv $PAM_SUCCESS "approved TV signs in"
cline "user: alice" "PAM_USER is the approving member"

# Single use: the same code again is a wrong code (one answer for all),
# told to bo in Danish, bo's language.
approve bo 'Kodeord-123' "$code"
eq "$?" 1 "used code refused"
expect_grep "^vouch-account: ingen enhed venter med den loginkode$" "$T/err" \
  "used (da)"

# Lower case without the dash is the same code; a wrong password fails
# the check before anything is decided.
conv_start tv tv auth
conv_wait_for '^TEXT_INFO: Your sign-in code: '
code=$(shown_code)
approve bo 'wrong password' "$code"
eq "$?" 1 "wrong password: refused"
expect_grep "sikkerhedskontrollen mislykkedes: intet blev ændret" "$T/err" \
  "check failed (da)"
approve bo 'Kodeord-123' "$(echo "$code" | tr -d - | tr A-Z a-z)"
eq "$?" 0 "lower case, no dash"
expect_text "$T/out" "Godkendt: enheden bliver logget ind som bo." \
  "approve says (da)"
expect_conv $PAM_SUCCESS "second TV"
cline "user: bo" "signed in as bo"

# Denial.
conv_start tv_da tv auth
conv_wait_for '^TEXT_INFO: Din loginkode: '
code=$(sed -n 's/^TEXT_INFO: Din loginkode: //p' "$T/conv.out")
approve alice 'correct horse' "$code" --deny
eq "$?" 0 "deny"
expect_grep "The sign-in was refused" "$T/out" "deny says"
expect_conv $PAM_AUTH_ERR "denied TV fails"
cline "ERROR_MSG: Login blev afvist på din anden enhed." "denial message (da)"
grep -q '^user:' "$T/conv.out" && fail "denied: PAM_USER changed"

# Expiry: the TV's clock passes code_ttl (15m) while it waits.
conv_start_clock tv tv auth
conv_wait_for '^TEXT_INFO: Your sign-in code: '
code=$(shown_code)
clock_set 899
sleep 1
[ -e "$T/conv.rc" ] && fail "ended before code_ttl"
clock_set 901
expect_conv $PAM_AUTH_ERR "expired code fails"
cline "ERROR_MSG: The sign-in code has expired. Start again to get a new code." "expiry message"
approve alice 'correct horse' "$code"
eq "$?" 1 "expired code cannot be approved"

# Malformed codes: exit 2 before the check, nothing counted.
approve alice 'correct horse' 'ABC'
eq "$?" 2 "short code"
expect_grep "invalid sign-in code 'ABC'" "$T/err" "short code named"
approve alice 'correct horse' 'ABCD-EFG0'
eq "$?" 2 "0 is not in the alphabet"
approve alice 'correct horse' "$(printf 'ABCD\001EFGH')"
eq "$?" 2 "control byte"
expect_grep 'ABCD\\x01EFGH' "$T/err" "control byte shown escaped"

# Brute force: 5 wrong codes in 15 minutes, then every approval refused
# (also the right one), without saying whether a code exists.
conv_start tv tv auth
conv_wait_for '^TEXT_INFO: Your sign-in code: '
code=$(shown_code)
for c in 2222-2222 3333-3333 4444-4444 5555-5555 6666-6666; do
  [ "$c" = "$code" ] && continue
  approve alice 'correct horse' "$c"
  eq "$?" 1 "wrong code $c"
done
approve alice 'correct horse' "$code"
eq "$?" 1 "rate-limited"
expect_grep "too many wrong sign-in codes" "$T/err" "rate message"
n=$(ctl audit alice --json | grep -c '"device.wrong"')
eq "$n" 5 "five wrong approvals audited"
ctl audit alice --json | grep -q '"device.rate"' || fail "rate audited"
# Another member is not limited by alice's tries.
approve bo 'Kodeord-123' "$code"
eq "$?" 0 "bo approves"
expect_conv $PAM_SUCCESS "TV signs in as bo"
cline "user: bo" "bo"

# url= without {code}: the address as it is, and the QR code of it with
# the code added; noqr: the address alone.
conv_start tv_plain tv auth
conv_wait_for '^TEXT_INFO: Your sign-in code: '
code=$(shown_code)
conv_wait_for '^TEXT_INFO: Or open https://tv.example.org/tv\?lang=en on'
qr_check "https://tv.example.org/tv?lang=en&code=$code" "QR code gets the code"
approve bo 'Kodeord-123' "$code" --deny
expect_conv $PAM_AUTH_ERR "plain url: denied"

conv_start tv_noqr tv auth
conv_wait_for '^TEXT_INFO: Or open https://example.org/tv on'
code=$(shown_code)
approve bo 'Kodeord-123' "$code" --deny
expect_conv $PAM_AUTH_ERR "noqr: denied"
expect_nogrep "$(printf '\342\226\210')" "$T/conv.out" "noqr: no QR code"

finish
