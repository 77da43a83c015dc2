#!/bin/sh
# install.sh - the Debian packages on this machine: built with "make deb"
# (or reused while the tree is unchanged), lintian --fail-on warning,
# dpkg -i, vouchctl from PATH, /usr/sbin/vouchd and its systemd units
# (this machine runs no systemd: the test starts the installed vouchd
# itself, with /etc/vouch/vouch.conf on /run/vouch/vouchd.sock, and stops
# it), the installed modules in a service under /etc/pam.d (pamtester)
# asking that vouchd, and refusing while it is stopped; the modules load
# libpam and libc alone (no core, no SQLite, libsodium or libcurl); the
# private core /usr/lib/<triplet>/vouch found by the delivery helper
# through its RUNPATH, the compiled-in paths of the delivery helper and
# the templates (with a vouchd of its own for a conf= file),
# pam-auth-update --enable/--disable of the profiles, and each profile
# with real su and sshd for a member, a non-member and root, also with a
# typo in vouch.conf (tests/e2e/profiles.inc),
# then remove, install again over root-owned state (handed to _vouch:
# the upgrade from 0.1.0), remove and purge: no vouch line left in
# /etc/pam.d/common-*, the
# state gone after purge.  /etc/pam.d and /var/lib/pam are restored and
# the packages purged at the end, always (e2e.inc), so the machine is
# left as it was found.
#
# The packages are a plain build of their own (debian/rules), also in the
# sanitizer run: they are what users install.
# store: none (the Debian packages with their default SQLite store: the same on either backend)
. "$VOUCH_SRC/tests/lib.sh"
. "$VOUCH_SRC/tests/converse.sh"
. "$VOUCH_SRC/tests/e2e/e2e.inc"

need_root
need_prog dpkg dpkg-buildpackage dh lintian pam-auth-update pamtester
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
export DEBIAN_FRONTEND=noninteractive
PKGS="libpam-vouch vouch-tools"

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = \
    installed ]
}
# known: installed, or removed with its configuration files kept.
known() {
  case "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" in
    "" | not-installed) return 1 ;;
  esac
}
for p in $PKGS; do
  known "$p" && not_run "$p is on this machine already; this test" \
    "installs and purges it"
done
for d in /etc/vouch /var/lib/vouch /etc/pam.d/vouch-account; do
  [ -e "$d" ] && not_run "$d exists; purging the packages would remove it"
done
getent passwd _vouch >/dev/null &&
  not_run "the user _vouch exists; purging the packages would remove it"
# The vouchd of the packages listens on /run/vouch/vouchd.sock: no other
# may answer there (a stale socket is fine: vouchd replaces it).
SOCK=/run/vouch/vouchd.sock
if [ -S "$SOCK" ] && /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$SOCK" \
  2>/dev/null; then
  not_run "a vouchd answers on $SOCK already"
fi

# locked CMD...: runs CMD; while dpkg or debconf is busy with another
# program (another apt run on this machine), waits and tries again, for
# at most 5 minutes.  Output in $T/locked.out and .err.
locked() {
  k=0
  while :; do
    "$@" >"$T/locked.out" 2>"$T/locked.err" && return 0
    lrc=$?
    grep -qiE 'lock(ed)? .*by another process|is locked' "$T/locked.err" ||
      break
    [ $k -lt 300 ] || break
    sleep 1; k=$((k + 1))
  done
  cat "$T/locked.out"; cat "$T/locked.err" >&2
  return $lrc
}

# Undone first at the end: the packages go (purge), then the files of
# /etc/pam.d and /var/lib/pam written meanwhile come back (e2e.inc).
purge_all() {
  for p in $PKGS; do
    known "$p" && locked dpkg -P "$p" >/dev/null 2>&1
  done
  rm -rf /etc/vouch /var/lib/vouch
  rm -f /etc/pam.d/vouch-account
  if getent passwd _vouch >/dev/null; then
    deluser --system --quiet _vouch >/dev/null 2>&1
  fi
  if getent group _vouch >/dev/null; then
    delgroup --system --quiet _vouch >/dev/null 2>&1
  fi
}
E2E_BEFORE_UNDO=purge_all
COMMON="/etc/pam.d/common-auth /etc/pam.d/common-account
/etc/pam.d/common-password /etc/pam.d/common-session
/etc/pam.d/common-session-noninteractive"
# pam-auth-update keeps a NAME.pam-old copy when it replaces a file that
# was edited by hand: those go too.
for f in $COMMON; do etc_file "$f"; etc_file "$f.pam-old"; done
for f in /var/lib/pam/*; do [ -e "$f" ] && etc_file "$f"; done

# ---------------------------------------------------------- the .debs
# Built once into build/e2e-deb and reused until a file of the tree
# changes.  The make of "make check" must not pass its variables down.
DEBDIR=build/e2e-deb
stamp="$VOUCH_SRC/$DEBDIR/stamp"
newer=""
if [ -e "$stamp" ]; then
  newer=$(find "$VOUCH_SRC" \( -path "$VOUCH_SRC/build" -o \
    -path "$VOUCH_SRC/.git" \) -prune -o -type f -newer "$stamp" -print |
    head -n 1)
fi
if [ ! -e "$stamp" ] || [ -n "$newer" ]; then
  # The stamp carries the time the build copied the tree (taken before
  # it): a file changed while it ran makes the next run build again.
  touch "$T/deb.start"
  if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
       make -C "$VOUCH_SRC" deb DEBDIR="$DEBDIR" >"$T/deb.log" 2>&1; then
    tail -n 40 "$T/deb.log" | sed 's/^/  make deb: /' >&2
    not_run "make deb failed"
  fi
  touch -r "$T/deb.start" "$stamp"
fi
D=$VOUCH_SRC/$DEBDIR
changes=$(ls "$D"/vouch_*.changes 2>/dev/null | head -n 1)
[ -n "$changes" ] || not_run "make deb left no .changes in $D"
expect_rc 0 "lintian --fail-on warning" -- \
  lintian --fail-on warning "$changes"

# ------------------------------------------------------------ install
expect_rc 0 "dpkg -i" -- locked dpkg -i "$D"/libpam-vouch_*.deb \
  "$D"/vouch-tools_*.deb </dev/null
installed libpam-vouch || not_run "libpam-vouch did not install"
eq "$(command -v vouchctl)" /usr/sbin/vouchctl "vouchctl on PATH"
expect_rc 0 "vouchctl --help from PATH" -- vouchctl --help
expect_grep '^Usage: vouchctl' "$T/out" "vouchctl --help prints its usage"
# vouchd's system user, and its state.
getent passwd _vouch >"$T/pw" || fail "postinst: no user _vouch"
expect_grep '^_vouch:x:[0-9]+:[0-9]+:.*:/var/lib/vouch:/usr/sbin/nologin$' \
  "$T/pw" "postinst: _vouch, a system user without a shell"
eq "$(stat -c '%a %U' /etc/vouch/secret.key 2>&1)" "600 _vouch" \
  "postinst: key file 0600 _vouch"
eq "$(stat -c '%s' /etc/vouch/secret.key 2>&1)" 32 "key file: 32 bytes"
eq "$(stat -c '%a %U' /var/lib/vouch 2>&1)" "700 _vouch" \
  "postinst: /var/lib/vouch 0700 _vouch"
eq "$(stat -c '%a %U' /var/lib/vouch/vouch.db 2>&1)" "600 _vouch" \
  "postinst: the store 0600 _vouch"
expect_grep '^user = _vouch$' /etc/vouch/vouch.conf \
  "vouch.conf: [daemon] user = _vouch"
dpkg-query -W -f='${Conffiles}\n' libpam-vouch >"$T/conffiles"
expect_grep '^ /etc/vouch/vouch.conf ' "$T/conffiles" "vouch.conf: conffile"
[ -e /etc/pam.d/vouch-account ] &&
  fail "vouch-account has no PAM service any more"
eq "$(stat -c '%a %U' /usr/bin/vouch-account 2>&1)" "755 root" \
  "vouch-account: not setuid"
ldd /usr/bin/vouch-account >"$T/ldd" 2>&1
expect_nogrep 'libsqlite3|libsodium|libcurl|libpq|libpam|libvouch' "$T/ldd" \
  "vouch-account: a client, no store, crypto or PAM library"
expect_grep '^#helper = /usr/libexec/vouch/vouch-deliver$' \
  /etc/vouch/vouch.conf "vouch.conf: the packaged helper path"
expect_grep '^#dir = /usr/share/vouch/templates$' /etc/vouch/vouch.conf \
  "vouch.conf: the packaged templates path"
for f in $COMMON; do
  expect_nogrep vouch "$f" "installed, profiles off: no vouch in $f"
done

# ------------------------------------------------------------ vouchd
# The service is libpam-vouch's, with its man page and systemd units: the
# socket unit listens on the default [daemon] socket for everyone (vouchd
# decides by the peer's credentials), the service runs the packaged
# configuration with a sandbox.
eq "$(stat -c '%a %U' /usr/sbin/vouchd 2>&1)" "755 root" "/usr/sbin/vouchd"
dpkg -S /usr/sbin/vouchd /usr/share/man/man8/vouchd.8.gz \
  /lib/systemd/system/vouchd.socket /lib/systemd/system/vouchd.service \
  >"$T/owner" 2>&1
eq "$(grep -c '^libpam-vouch: ' "$T/owner")" 4 \
  "vouchd, its man page and its units belong to libpam-vouch"
U_SOCK=/lib/systemd/system/vouchd.socket
U_SVC=/lib/systemd/system/vouchd.service
expect_grep "^ListenStream=$SOCK\$" "$U_SOCK" "vouchd.socket: $SOCK"
expect_grep '^SocketMode=0666$' "$U_SOCK" "vouchd.socket: mode 0666"
expect_grep '^WantedBy=sockets.target$' "$U_SOCK" "vouchd.socket: enabled"
expect_grep '^ExecStart=/usr/sbin/vouchd --config /etc/vouch/vouch.conf$' \
  "$U_SVC" "vouchd.service: the packaged configuration"
expect_grep '^Type=simple$' "$U_SVC" "vouchd.service: Type=simple"
for h in User=_vouch Group=_vouch AmbientCapabilities=CAP_KILL \
         NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
         PrivateTmp=yes PrivateDevices=yes ReadWritePaths=/var/lib/vouch \
         CapabilityBoundingSet=CAP_KILL LockPersonality=yes \
         'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
  expect_grep "^$h\$" "$U_SVC" "vouchd.service: $h"
done
if command -v systemd-analyze >/dev/null 2>&1; then
  expect_rc 0 "systemd-analyze verify of the installed units" -- \
    systemd-analyze verify "$U_SOCK" "$U_SVC"
fi
expect_rc 0 "vouchd --version" -- /usr/sbin/vouchd --version
expect_grep '^vouchd [0-9]' "$T/out" "vouchd --version prints it"
# No systemd here: the test runs the installed vouchd itself, in the
# background, with the packaged configuration (stopped at the end).
e2e_dir /run/vouch 0755
e2e_vouchd /usr/sbin/vouchd /etc/vouch/vouch.conf ||
  not_run "the installed vouchd did not start"
e2e_daemon_up "$SOCK"
expect_grep "vouchd: ready on $SOCK" "$T/vouchd.log" "vouchd: ready"
# Started as root (no systemd here), it became _vouch with CAP_KILL.
eq "$(awk '/^Uid:/ { print $2 }' "/proc/$VOUCHD_PID/status")" \
  "$(id -u _vouch)" "vouchd runs as _vouch"
eq "$(awk '/^CapEff:/ { print $2 }' "/proc/$VOUCHD_PID/status")" \
  0000000000000020 "vouchd: CAP_KILL alone"
eq "$(stat -c '%a' "$SOCK" 2>&1)" 666 "the socket: mode 0666"

# The core: private to libpam-vouch, found by the delivery helper through
# its DT_RUNPATH, not in the linker's cache.  The modules load libpam and
# libc alone: no core, no RUNPATH, none of SQLite, libsodium or libcurl
# (vouchd has them, linking the core statically like the tools).
ML=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
PRIV=/usr/lib/$ML/vouch
eq "$(stat -c '%a %U' "$PRIV/libvouch.so.0" 2>&1)" "644 root" \
  "the core in $PRIV"
dpkg -S "$PRIV/libvouch.so.0" >"$T/owner" 2>&1
expect_grep '^libpam-vouch: ' "$T/owner" "the core belongs to libpam-vouch"
ldconfig -p | grep -q libvouch && fail "libvouch is in the linker's cache"
f=/usr/libexec/vouch/vouch-deliver
readelf -d "$f" | grep -q "(RUNPATH).*\[$PRIV\]" || fail "$f: no RUNPATH $PRIV"
eq "$(ldd "$f" | awk '$1 == "libvouch.so.0" { print $3 }')" \
  "$PRIV/libvouch.so.0" "vouch-deliver loads the packaged core"
for m in password otp card session device; do
  f=/lib/$ML/security/pam_vouch_$m.so
  [ -f "$f" ] || { fail "no $f"; continue; }
  readelf -d "$f" | grep -q '(RUNPATH)' && fail "$f has a RUNPATH"
  if ldd "$f" >"$T/ldd" 2>&1; then
    expect_grep 'libpam\.so\.0' "$T/ldd" "pam_vouch_$m.so loads libpam"
    expect_nogrep 'libsodium|libsqlite3|libcurl|libpq|libvouch' "$T/ldd" \
      "pam_vouch_$m.so loads no SQLite, libsodium, libcurl or core"
  else
    fail "ldd $f"; cat "$T/ldd" >&2
  fi
done
for t in /usr/sbin/vouchctl /usr/sbin/vouchd; do
  ldd "$t" | grep -q libvouch &&
    fail "$t loads libvouch.so.0 (it links the core statically)"
done

# ------------------------------------- the installed modules, by name
vouchctl user add e2e-inst --email e2e-inst@example.org >/dev/null ||
  fail "vouchctl user add"
printf 'Inst-Pass-e2e\n' | vouchctl passwd e2e-inst >/dev/null ||
  fail "vouchctl passwd"
pam_service vouch-e2e "# vouch end-to-end test (tests/e2e/install.sh)
auth     required  pam_vouch_password.so
account  required  pam_vouch_password.so"
printf 'Inst-Pass-e2e\n' >"$T/in"
expect_rc 0 "pamtester: right password" -- \
  timeout 60 pamtester vouch-e2e e2e-inst authenticate acct_mgmt <"$T/in"
expect_grep 'successfully authenticated' "$T/out" "pamtester: authenticated"
printf 'inst-pass-e2e\n' >"$T/in"
expect_rc 1 "pamtester: wrong password refused" -- \
  timeout 60 pamtester vouch-e2e e2e-inst authenticate <"$T/in"

# vouch-account run by an unprivileged member: vouchd knows the member by
# the socket's credentials and runs the security check itself (no PAM
# service, no privilege in the tool).  The password prompt comes on the
# member's side and a wrong password is refused (exit 1).
U=vouche2ei
sys_user "$U"
vouchctl user add "$U" --email vouche2ei@example.org >/dev/null ||
  fail "vouchctl user add $U"
printf 'Inst-Pass-e2e\n' | vouchctl passwd "$U" >/dev/null ||
  fail "vouchctl passwd $U"
printf 'not-the-password\n' >"$T/in"
expect_rc 1 "vouch-account as a member: wrong password" -- \
  timeout 60 setpriv --reuid="$U" --regid="$(id -g "$U")" --clear-groups \
  -- /usr/bin/vouch-account logout-all <"$T/in"
expect_grep 'Password: ' "$T/err" "vouch-account: the password prompt"
vouchctl audit "$U" >"$T/audit" 2>&1
expect_grep "$U password\.fail vouch-account" "$T/audit" \
  "vouch-account: vouchd judged the password"

# The security check with the built-in defaults of the package: the
# delivery helper in /usr/libexec/vouch and the templates in
# /usr/share/vouch.  A configuration of its own sets only the email
# transport; store and key are the packaged defaults.
# vouchd serves a conf= line only when it runs with that very file: the
# packaged vouchd (for /etc/vouch/vouch.conf) refuses it, so a vouchd of
# its own runs with it, on a socket in $T (the packaged one is stopped
# meanwhile: one daemon on the packaged store at a time).
mkdir -p "$T/mail"
# vouchd (as _vouch) and its delivery helper write the mail.
chown _vouch "$T/mail"
chmod 711 "$T"
printf '[email]\ntransport = file\ndir = %s\nfrom = vouch@example.org\n[daemon]\nsocket = %s\nuser = _vouch\n' \
  "$T/mail" "$T/check.sock" >"$T/inst.conf"
chmod 644 "$T/inst.conf"
e2e_vouchd /usr/sbin/vouchd "$T/inst.conf" ||
  not_run "the installed vouchd did not start with $T/inst.conf"
e2e_daemon_up "$T/check.sock"
pam_service vouch-e2e-check "# vouch end-to-end test (tests/e2e/install.sh)
auth required pam_vouch_otp.so conf=$T/inst.conf channel=email"
rm -f "$T/code.fifo"
mkfifo "$T/code.fifo"
timeout 60 pamtester vouch-e2e-check e2e-inst authenticate \
  <"$T/code.fifo" >"$T/check.out" 2>&1 &
checker=$!
exec 7>"$T/code.fifo"
if wait_file "$T/mail" 1; then
  m=$(newest "$T/mail")
  expect_grep '^Subject: Your sign-in code' "$m" \
    "packaged helper and templates: the code email"
  printf '%s\n' "$(code_in "$m")" >&7
fi
exec 7>&-
wait "$checker"
rc=$?
eq "$rc" 0 "pamtester: the emailed code accepted"
[ "$rc" -eq 0 ] || sed 's/^/  pamtester | /' "$T/check.out" >&2

# Without vouchd the modules cannot judge: the right password is refused
# (PAM_AUTHINFO_UNAVAIL), and nothing reached the store.
stop_daemon
vouchctl audit e2e-inst >"$T/audit.before" 2>&1
printf 'Inst-Pass-e2e\n' >"$T/in"
expect_rc 1 "pamtester without vouchd: refused" -- \
  timeout 60 pamtester vouch-e2e e2e-inst authenticate <"$T/in"
expect_grep 'cannot retrieve authentication info' "$T/err" \
  "without vouchd: PAM_AUTHINFO_UNAVAIL"
vouchctl audit e2e-inst >"$T/audit.after" 2>&1
cmp -s "$T/audit.before" "$T/audit.after" &&
  pass "without vouchd: nothing audited" ||
  fail "without vouchd: the store changed"

# ------------------------------------------------------ pam-auth-update
locked pam-auth-update --enable vouch-check vouch-session ||
  fail "pam-auth-update --enable"
grep -v '^#' /etc/pam.d/common-auth >"$T/auth"
expect_grep 'pam_vouch_otp\.so channel=any' "$T/auth" "enable: the code"
expect_grep 'pam_vouch_password\.so nonmember=ignore reset=deny' \
  /etc/pam.d/common-account "enable: vouch's account check"
# The security check comes after the primary block (pam_permit).
eq "$(grep -n -e pam_permit -e pam_vouch_otp "$T/auth" | cut -d: -f2 |
      tr '\n' ' ' | grep -o 'pam_[a-z_]*\.so' | tr '\n' ' ')" \
  "pam_permit.so pam_vouch_otp.so " "enable: after the primary auth"
expect_grep 'pam_vouch_session\.so' /etc/pam.d/common-session \
  "enable: the session recorder"
expect_nogrep vouch /etc/pam.d/common-session-noninteractive \
  "enable: no recorder for non-interactive sessions"
locked pam-auth-update --disable vouch-check vouch-session ||
  fail "pam-auth-update --disable"
for f in $COMMON; do
  expect_nogrep vouch "$f" "disable: no vouch in $f"
done

# ------------------------------- the profiles with real su and sshd
. "$VOUCH_SRC/tests/e2e/profiles.inc"

# ------------------------------------------------------ remove, purge
locked pam-auth-update --enable vouch-check vouch-session ||
  fail "pam-auth-update --enable (again)"
expect_rc 0 "dpkg -r" -- locked dpkg -r $PKGS
for f in $COMMON; do
  expect_nogrep vouch "$f" "removed: no vouch in $f"
done
[ -f /etc/vouch/vouch.conf ] || fail "remove keeps the conffile"
[ -f /var/lib/vouch/vouch.db ] || fail "remove keeps the store"
[ -f /etc/vouch/secret.key ] || fail "remove keeps the key"
[ -e /usr/sbin/vouchctl ] && fail "removed: vouchctl is still there"

# The state an earlier version left (root's, as 0.1.0 and 0.2.0 made
# it): installing again hands it to _vouch, and nothing in it is lost.
chown root:root /etc/vouch/secret.key /var/lib/vouch /var/lib/vouch/vouch.db*
expect_rc 0 "dpkg -i over root's state" -- locked dpkg -i \
  "$D"/libpam-vouch_*.deb "$D"/vouch-tools_*.deb </dev/null
for f in /etc/vouch/secret.key /var/lib/vouch /var/lib/vouch/vouch.db; do
  eq "$(stat -c %U "$f" 2>&1)" _vouch "upgrade: $f handed to _vouch"
done
e2e_vouchd /usr/sbin/vouchd /etc/vouch/vouch.conf ||
  fail "upgrade: vouchd does not start with the handed-over state"
expect_rc 0 "upgrade: the members kept" -- vouchctl user show e2e-inst
stop_daemon
expect_rc 0 "dpkg -r (again)" -- locked dpkg -r $PKGS
expect_rc 0 "dpkg -P" -- locked dpkg -P $PKGS
for f in $COMMON; do
  expect_nogrep vouch "$f" "purged: no vouch in $f"
done
for p in /var/lib/vouch /etc/vouch /etc/pam.d/vouch-account "$PRIV"; do
  [ -e "$p" ] && { fail "purge left $p"; ls -la "$p" >&2; }
done
for p in $PKGS; do known "$p" && fail "$p still known to dpkg"; done
getent passwd _vouch >/dev/null && fail "purge left the user _vouch"
getent group _vouch >/dev/null && fail "purge left the group _vouch"

finish
