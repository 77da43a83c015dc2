#!/bin/sh
# make_install.sh - SPEC section 1 for a source install: "make PREFIX=P"
# then "make install" puts every part under P (modules in PAMDIR, the
# shared core of the helper in P/lib/vouch, the helper in P/libexec/vouch,
# tools and vouchd in P/sbin and P/bin, templates, configuration and man
# pages), and at run time, without any conf= or library path, the
# installed vouchd (started here with the installed configuration, its
# socket in the test's directory) finds the key, the store, the helper
# and the templates, and the installed modules find vouchd through that
# configuration: password and an emailed code sign a member in.  The
# modules load libpam and libc alone (no core, no RUNPATH).  Then "make install" with another PREFIX
# rebuilds what has paths compiled or linked in (nothing stale), DESTDIR
# stages the same files, and "make uninstall" removes them all.
#
# It builds a plain tree of its own (about a minute); the sanitizer run
# would build and install the very same tree, so it runs in the plain run.
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"

if [ "$VOUCH_SAN" = 1 ]; then
  echo "the plain run builds and installs this tree (no sanitizer in it)"
  finish
fi

B=$T/build P=$T/p Q=$T/q E=$T/etc V=$T/var
# mk ARGS...: make of this tree into $B, without the variables of the
# "make check" that runs this test (MAKEFLAGS: BUILD, SAN, WERROR).
mk() {
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$VOUCH_SRC" -j2 \
    BUILD="$B" SAN= WERROR=1 SYSCONFDIR="$E" LOCALSTATEDIR="$V" "$@" \
    >"$T/make.log" 2>&1 && return 0
  tail -n 30 "$T/make.log" | sed 's/^/  make: /' >&2
  return 1
}
compiled() { grep -c -- ' -c -o ' "$T/make.log"; }
runpath() {
  readelf -d "$1" 2>/dev/null | sed -n 's/^.*(RUNPATH)[^[]*\[\(.*\)\]$/\1/p'
}
mode() { stat -c '%a' "$1" 2>/dev/null; }

mk PREFIX="$P" all || { fail "make PREFIX=$P"; finish; }
mk PREFIX="$P" install || { fail "make install PREFIX=$P"; finish; }
pass "make PREFIX=P && make install PREFIX=P"
eq "$(compiled)" 0 "make install with the same paths compiles nothing"

# The layout.
eq "$(mode "$P/lib/vouch/libvouch.so.0")" 644 "P/lib/vouch/libvouch.so.0"
# loads FILE: the names of the shared objects FILE loads (ldd).
loads() {
  env -u LD_LIBRARY_PATH ldd "$1" | awk '$2 == "=>" { print $1 }
    $1 ~ /^\// { print $1 }' | sed 's#.*/##' | sort | tr '\n' ' '
}
for m in password otp card session device; do
  f=$P/lib/security/pam_vouch_$m.so
  eq "$(mode "$f")" 644 "module pam_vouch_$m.so in PAMDIR"
  eq "$(runpath "$f")" "" "pam_vouch_$m.so: no RUNPATH"
  got=$(loads "$f" | tr ' ' '\n' |
    grep -Ev '^(libpam\.so\.0|libc\.so\.6|ld-linux.*|linux-vdso.*|libaudit\.so\.1|libcap-ng\.so\.0|)$' |
    tr '\n' ' ')
  eq "$got" "" "pam_vouch_$m.so loads libpam and libc alone"
done
eq "$(mode "$P/sbin/vouchd")" 755 "vouchd in P/sbin"
loads "$P/sbin/vouchd" | grep -q libvouch &&
  fail "vouchd loads libvouch.so.0 (it links the core statically)"
eq "$(mode "$P/libexec/vouch/vouch-deliver")" 755 "the helper in P/libexec"
eq "$(runpath "$P/libexec/vouch/vouch-deliver")" "$P/lib/vouch" \
  "vouch-deliver: RUNPATH P/lib/vouch"
for t in vouchctl vouch-reset vouch-logout-all vouch-cancel vouch-export; do
  eq "$(mode "$P/sbin/$t")" 755 "$t in P/sbin"
done
eq "$(mode "$P/bin/vouch-account")" 755 "vouch-account in P/bin, not setuid"
for f in share/vouch/vouch.conf share/vouch/templates/en/code-email.txt \
         share/vouch/templates/da/code-email.txt share/man/man8/vouchctl.8 \
         share/man/man8/pam_vouch_otp.8 share/man/man5/vouch.conf.5 \
         share/man/man1/vouch-account.1 share/man/man8/vouchd.8; do
  [ -f "$P/$f" ] && pass "P/$f" || fail "no P/$f"
done
expect_grep "^#helper = $P/libexec/vouch/vouch-deliver\$" \
  "$P/share/vouch/vouch.conf" "the annotated configuration names P's helper"
expect_grep "^key_file = $E/vouch/secret.key\$" "$P/share/vouch/vouch.conf" \
  "the annotated configuration names SYSCONFDIR's key"
got=$(env -u LD_LIBRARY_PATH ldd "$P/libexec/vouch/vouch-deliver" |
  awk '$1 == "libvouch.so.0" { print $3 }')
eq "$got" "$P/lib/vouch/libvouch.so.0" "the installed helper loads P's core"
grep -rl "$VOUCH_SRC/build\|$B" "$P" >"$T/leak" 2>/dev/null
[ -s "$T/leak" ] && fail "the build directory is named in $(cat "$T/leak")"

# At run time: the compiled-in configuration path under SYSCONFDIR, no
# conf= on the PAM lines, no helper or templates set: the defaults under P.
# The socket of vouchd is in $T (not the default /run/vouch/vouchd.sock,
# which the machine's own vouchd may use); the installed vouchd runs with
# the installed configuration, the one the modules read.
mkdir -p "$E/vouch" "$T/mail"
cat >"$E/vouch/vouch.conf" <<CONF
[store]
path = $V/lib/vouch/vouch.db
[password]
hash_ops = 1
hash_mem = 8M
[delivery]
timeout = 5s
[email]
transport = file
dir = $T/mail
from = vouch@example.org
[daemon]
socket = $T/vouchd.sock
CONF
chmod 644 "$E/vouch/vouch.conf"
expect_rc 0 "installed vouchctl init (default configuration)" -- \
  "$P/sbin/vouchctl" init
eq "$(mode "$E/vouch/secret.key")" 600 "the key under SYSCONFDIR"
# shellcheck disable=SC2034 # read by start_daemon (tests/lib.sh)
VOUCHD=$P/sbin/vouchd
start_daemon "$E/vouch/vouch.conf" || finish
[ -S "$T/vouchd.sock" ] && pass "installed vouchd listens on T/vouchd.sock" ||
  fail "installed vouchd: no socket $T/vouchd.sock"
"$P/sbin/vouchctl" user add alice --email alice@example.org >/dev/null ||
  fail "user add"
printf '%s\n' 'correct horse' | "$P/sbin/vouchctl" passwd alice >/dev/null ||
  fail "passwd"
service inst "auth requisite $P/lib/security/pam_vouch_password.so
auth required $P/lib/security/pam_vouch_otp.so channel=email
account required $P/lib/security/pam_vouch_password.so"
conv_start inst alice auth acct
conv_wait_for 'PROMPT_ECHO_OFF: Password: '
conv_answer 'correct horse'
conv_wait_for 'Enter the 6-digit code we sent to a•••@example\.org'
wait_file "$T/mail" 1
m=$(newest "$T/mail")
expect_grep '^Subject: Your sign-in code' "$m" \
  "the installed helper sent the email from P's templates"
code=$(code_in "$m")
[ -n "$code" ] || fail "no code in the email"
conv_answer "$code"
expect_conv $PAM_SUCCESS "installed modules: password + emailed code"
expect_grep 'vouchd: ready on '"$T"'/vouchd\.sock' "$T/vouchd.log" \
  "the installed vouchd served them"
stop_daemon

# Another PREFIX: the objects with paths in them are rebuilt, the
# installed variants relinked; nothing of P remains in Q's files.
mk PREFIX="$Q" install || fail "make install PREFIX=$Q"
[ "$(compiled)" -gt 0 ] && pass "a new PREFIX rebuilds" ||
  fail "make install PREFIX=Q after make PREFIX=P compiled nothing"
eq "$(runpath "$Q/libexec/vouch/vouch-deliver")" "$Q/lib/vouch" \
  "PREFIX=Q: the helper's RUNPATH Q/lib/vouch"
grep -q "$Q/libexec/vouch" "$Q/lib/vouch/libvouch.so.0" &&
  pass "PREFIX=Q: the core names Q's helper" ||
  fail "PREFIX=Q: the core does not name $Q/libexec/vouch"
grep -q "$Q/libexec/vouch" "$Q/sbin/vouchd" &&
  pass "PREFIX=Q: vouchd names Q's helper" ||
  fail "PREFIX=Q: vouchd does not name $Q/libexec/vouch"
grep -rl "$P" "$Q" >"$T/leak" 2>/dev/null
[ -s "$T/leak" ] && fail "PREFIX=Q: P is named in $(cat "$T/leak")"

# DESTDIR stages exactly what the direct install wrote; uninstall
# removes every file again.
mk PREFIX="$Q" DESTDIR="$T/stage" install || fail "make install DESTDIR"
eq "$(compiled)" 0 "DESTDIR alone compiles nothing"
(cd "$Q" && find . -type f | sort) >"$T/direct"
(cd "$T/stage$Q" && find . -type f | sort) >"$T/staged"
cmp -s "$T/direct" "$T/staged" && pass "DESTDIR stages the same files" ||
  fail "DESTDIR stages other files: $(diff "$T/direct" "$T/staged" | head)"
mk PREFIX="$Q" DESTDIR="$T/stage" uninstall || fail "make uninstall"
(cd "$T/stage$Q" && find . -type f) >"$T/left"
[ -s "$T/left" ] && fail "make uninstall left: $(head -5 "$T/left")" ||
  pass "make uninstall removes every file"

finish
