#!/usr/bin/python3
"""bench.py BUILD SRC - the figures of `make bench` (issue 7 item 3,
issue 11).

The PAM modules are clients of vouchd: every configuration made here
names a socket of its own ([daemon] socket = DIR/vouchd.sock) and gets a
vouchd started for it (natively, or under callgrind to count the
daemon's instructions), stopped again at the end, whatever happens.

Runs the built modules through real PAM stacks (pamdrive under
pam_wrapper, as the tests do) and drives vouchd directly with
BUILD/vouch-load (bench/vouch-load.c, a client speaking the protocol of
client/vouch_client.h, one connection a request as a module does).
Prints one table a measurement, then all figures as JSON (also written
to BUILD/bench.json).  It never fails on a figure: a goal that is missed
is reported, not asserted; the exit status says only whether the
benchmark could run.  Setup shortcuts (bulk SQL inserts of users, a
password hash copied to many users) are for the benchmark only.

  (a) one wrong-code check (pam_vouch_otp, file transport): the PAM
      process's instructions over pam_permit's (callgrind of pamdrive),
      beside pam_oath's; vouchd's instructions per check (callgrind,
      callgrind_control -z / -d around N checks); the delivery helper per
      message; wall time against pam_oath; at 10, 10 000, 100 000 users
  (b) wrong-code checks per second with 1, 2, 8, 32, 256 concurrent
      clients, errors, and the store's failure counter against the wrong
      codes sent
  (c) password sign-ins per second, vouchd's peak RSS (VmHWM) under 32
      concurrent sign-ins; vouchd's instructions of a login and the share
      inside argon2id; unknown user against known user
  (d) memory added to the host process (max RSS of pamdrive)
  (e) time from pam_authenticate to the code prompt, SMTP on loopback
  (f) vouch-web requests per second (see bench_f)
  (g) the PostgreSQL store beside SQLite (issue 13): wrong-code checks
      per second and the mean time a check takes at 1, 8 and 32
      concurrent clients, one host and two hosts (two vouchd on one
      PostgreSQL cluster made here, C clients on each), and whether the
      failure counts are exact
"""
import glob
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time

PAM_SUCCESS = 0
PAM_AUTH_ERR = 7
PAM_AUTHINFO_UNAVAIL = 9
PAM_USER_UNKNOWN = 10
SIZES = [int(x) for x in os.environ.get("BENCH_USERS",
                                         "10,10000,100000").split(",")]
LEVELS = [int(x) for x in
          os.environ.get("BENCH_LEVELS", "1,2,8,32,256").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
# Checks counted in vouchd under callgrind, and wall-time rounds, a size.
CG_CHECKS = int(os.environ.get("BENCH_CG_CHECKS", "9"))
SYS_PY = "/usr/bin/python3"
WRONG = "000000"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          **kw).stdout


def pam_sysdir():
    for d in ("/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/"
              "security", "/lib/security", "/usr/lib/security"):
        if os.path.exists(os.path.join(d, "pam_deny.so")):
            return d
    raise SystemExit("bench: no PAM module directory")


def proc_status(pid, key):
    """A /proc/PID/status figure in KiB (VmHWM, VmRSS), or 0."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Daemon:
    """A vouchd for the configuration in directory D, natively or under
    callgrind (then counted with callgrind_control)."""

    def __init__(self, b, d, callgrind=False):
        self.b, self.d = b, d
        self.log = os.path.join(d, "vouchd.log")
        self.cg = os.path.join(d, "cg.vouchd") if callgrind else None
        cmd = [b.build + "/vouchd", "--config", d + "/vouch.conf"]
        if self.cg:
            for f in glob.glob(self.cg + "*"):
                os.unlink(f)
            cmd = ["valgrind", "--tool=callgrind", "--dump-instr=no",
                   "--callgrind-out-file=" + self.cg, *cmd]
        with open(self.log, "w") as log:
            self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                      stdout=log, stderr=log,
                                      start_new_session=True)
        b.daemons.append(self)
        end = time.monotonic() + (60 if self.cg else 15)
        while time.monotonic() < end:
            with open(self.log) as f:
                if "vouchd: ready on" in f.read():
                    return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        with open(self.log) as f:
            tail = f.read()[-2000:]
        raise RuntimeError("vouchd did not start for %s:\n%s" % (d, tail))

    @property
    def pid(self):
        return self.p.pid

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        if self in self.b.daemons:
            self.b.daemons.remove(self)

    def errors_logged(self):
        with open(self.log) as f:
            return [l.rstrip() for l in f if l.startswith("vouchd:") and
                    "ready on" not in l and "stopped" not in l]

    # callgrind_control: zero the counters, then dump them.
    def zero(self):
        sh(["callgrind_control", "-z", str(self.pid)])

    def dump(self):
        """Dumps the counters since the last zero; the new file."""
        before = set(glob.glob(self.cg + ".*"))
        sh(["callgrind_control", "-d", str(self.pid)])
        end = time.monotonic() + 30
        while time.monotonic() < end:
            new = sorted(set(glob.glob(self.cg + ".*")) - before)
            if new and cg_total(new[-1]):
                return new[-1]
            time.sleep(0.1)
        raise RuntimeError("callgrind_control -d wrote no dump")


class Bench:
    def __init__(self, build, src):
        self.build = os.path.abspath(build)
        self.src = os.path.abspath(src)
        self.dir = tempfile.mkdtemp(prefix="vouch-bench.")
        os.chmod(self.dir, 0o700)
        self.sysdir = pam_sysdir()
        self.results = {}
        self.daemons = []
        self.pamdrive = os.path.join(self.build, "tests", "pamdrive")
        self.ctl = os.path.join(self.build, "vouchctl")
        self.load = os.path.join(self.build, "vouch-load")

    # ------------------------------------------------------------ setup
    def conf(self, name, extra="", store=""):
        """A store directory NAME with its configuration (and socket);
        returns it.  STORE: more [store] lines."""
        d = os.path.join(self.dir, name)
        os.makedirs(os.path.join(d, "mail"), exist_ok=True)
        os.makedirs(os.path.join(d, "sms"), exist_ok=True)
        tpl = os.path.join(d, "templates")
        if not os.path.exists(tpl):
            shutil.copytree(os.path.join(self.src, "conf", "templates"), tpl)
            for root, dirs, files in os.walk(tpl):
                os.chmod(root, 0o755)
                for f in files:
                    os.chmod(os.path.join(root, f), 0o644)
        text = f"""[store]
path = {d}/vouch.db
{store}[secret]
key_file = {d}/secret.key
[otp]
resend_max = 100
[lockout]
max_failures = 1000
[delivery]
helper = {self.build}/vouch-deliver
timeout = 10s
[templates]
dir = {tpl}
[email]
transport = file
dir = {d}/mail
from = vouch@example.org
[sms]
transport = file
dir = {d}/sms
[daemon]
socket = {d}/vouchd.sock
{extra}
"""
        path = os.path.join(d, "vouch.conf")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return d

    def vouchctl(self, d, *args, stdin=None):
        """vouchctl; its commands (but init) run in vouchd: one is started
        for the call when none answers for D."""
        tmp = None
        if args[0] != "init" and not self.answers(d):
            tmp = Daemon(self, d)
        try:
            p = subprocess.run([self.ctl, "--config", d + "/vouch.conf",
                                *args], input=stdin, capture_output=True,
                               text=True)
            if p.returncode:
                raise RuntimeError("vouchctl %s: exit %d: %s" %
                                   (" ".join(args), p.returncode, p.stderr))
            return p.stdout
        finally:
            if tmp:
                tmp.stop()

    @staticmethod
    def answers(d):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(d + "/vouchd.sock")
            return True
        except OSError:
            return False
        finally:
            s.close()

    def sql(self, d, query, args=()):
        """One statement on the store (setup and counting only)."""
        db = sqlite3.connect(d + "/vouch.db", timeout=60)
        try:
            rows = db.execute(query, args).fetchall()
            db.commit()
            return rows
        finally:
            db.close()

    def bulk_users(self, d, n, prefix="u", first=1):
        """Users PREFIXfirst..PREFIX(first+n-1) with an email (SQL)."""
        if n <= 0:
            return
        self.sql(d, "WITH RECURSIVE c(x) AS (SELECT ?1 UNION ALL SELECT "
                 "x + 1 FROM c WHERE x < ?2) INSERT INTO users (name, email,"
                 " created) SELECT ?3 || x, ?3 || x || '@example.org', "
                 "strftime('%s') FROM c", (first, first + n - 1, prefix))

    def service(self, name, lines):
        pd = os.path.join(self.dir, "pam.d")
        os.makedirs(pd, exist_ok=True)
        with open(os.path.join(pd, name), "w") as f:
            f.write(lines + "\n")
        other = os.path.join(pd, "other")
        if not os.path.exists(other):
            with open(other, "w") as f:
                for t in ("auth", "account", "password", "session"):
                    f.write(f"{t} required {self.sysdir}/pam_deny.so\n")

    def env(self):
        e = dict(os.environ)
        e.update(LD_PRELOAD="libpam_wrapper.so", PAM_WRAPPER="1",
                 PAM_WRAPPER_SERVICE_DIR=os.path.join(self.dir, "pam.d"),
                 LC_ALL="C.UTF-8", TZ="UTC")
        return e

    # -------------------------------------------------------- measuring
    def drive(self, service, user, answers, prefix=()):
        t0 = time.monotonic()
        p = subprocess.run([*prefix, self.pamdrive, service, user, "auth"],
                           input=answers, capture_output=True, text=True,
                           env=self.env(), timeout=600)
        return p.returncode, time.monotonic() - t0, p

    def callgrind(self, service, user, answers, tag):
        """Instructions of the pamdrive process only (the daemon and the
        helper are other processes)."""
        out = os.path.join(self.dir, f"cg.{tag}")
        rc, _, p = self.drive(service, user, answers, prefix=(
            "valgrind", "--tool=callgrind", "--callgrind-out-file=" + out))
        return rc, cg_total(out), out

    def run_load(self, d, module, expect, prefix, first, count, wrap,
                 clients, seconds, answers, *args):
        """BUILD/vouch-load: returns its figures and error samples."""
        p = subprocess.run([self.load, d + "/vouch.conf", module,
                            str(expect), prefix, str(first), str(count),
                            str(wrap), str(clients), str(seconds), answers,
                            *args], capture_output=True, text=True,
                           timeout=600)
        m = re.search(r"requests (\d+) ok (\d+) errors (\d+) sent (\d+) "
                      r"seconds ([\d.]+) issued (\d+)", p.stdout)
        if p.returncode or not m:
            raise RuntimeError("vouch-load failed: %s%s" % (p.stdout,
                                                            p.stderr))
        keys = ("requests", "ok", "errors", "sent", "seconds", "issued")
        res = {k: (float(v) if k == "seconds" else int(v))
               for k, v in zip(keys, m.groups())}
        res["samples"] = [l for l in p.stderr.splitlines()][:3]
        return res


def cg_total(path):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    return {"nproc": os.cpu_count(), "model": model, "memory": mem,
            "kernel": os.uname().release,
            "load_at_start": [round(x, 2) for x in os.getloadavg()]}


def table(title, head, rows):
    print()
    print(title)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    print("  " + fmt % tuple(head))
    print("  " + "  ".join("-" * w for w in widths))
    for r in rows:
        print("  " + fmt % tuple(r))
    sys.stdout.flush()


def fmt_int(n):
    return "{:,}".format(n).replace(",", " ")


def met(ok):
    return "met" if ok else "MISSED"


# ------------------------------------------------------------------ (a)
def bench_a(b):
    oath_secret = "00" * 20
    b.service("permit", f"auth required {b.sysdir}/pam_permit.so")
    prc, permit, _ = b.callgrind("permit", "alice", "", "permit")
    rows, res = [], []
    nwall = CG_CHECKS
    for n in SIZES:
        d = b.conf(f"a{n}")
        b.vouchctl(d, "init")
        b.vouchctl(d, "user", "add", "alice", "--email", "alice@example.org")
        # alice and u1..u(n-1): n users.  The checks counted in vouchd and
        # the wall-time runs go to u1..u9 (each its first code of the
        # run), the PAM-process count to alice.
        b.bulk_users(d, n - 1)
        b.service(f"otp{n}", f"auth required {b.build}/pam_vouch_otp.so "
                  f"conf={d}/vouch.conf channel=email")
        # pam_oath: n lines, the user asked for last (the scan's worst).
        uf = os.path.join(d, "oath.users")
        with open(uf, "w") as f:
            for i in range(1, n):
                f.write(f"HOTP u{i} - {oath_secret}\n")
            f.write(f"HOTP alice - {oath_secret}\n")
        os.chmod(uf, 0o600)
        b.service(f"oath{n}", f"auth required {b.sysdir}/pam_oath.so "
                  f"usersfile={uf} window=20 digits=6")
        checks = min(CG_CHECKS, n - 1)

        # vouchd under callgrind: a first check (warm-up), then the
        # counters zeroed, `checks` checks, dumped.
        dm = Daemon(b, d, callgrind=True)
        try:
            wrc, _, _ = b.drive(f"otp{n}", "alice", WRONG + "\na\n")
            dm.zero()
            ld = b.run_load(d, "otp", PAM_AUTHINFO_UNAVAIL, "u", 1, checks,
                            0, 1, 600, WRONG + "|a", "channel=email")
            dfile = dm.dump()
            dins = cg_total(dfile)
        finally:
            dm.stop()
        per_check = dins // max(ld["ok"], 1)
        time.sleep(1.1)  # [otp] resend_interval (1 s at least) has passed

        dm = Daemon(b, d)
        try:
            # One wrong code, then "a" (try another way): the module
            # refuses.  Instructions of the PAM process only.
            rc, ins, _ = b.callgrind(f"otp{n}", "alice", WRONG + "\na\n",
                                     f"otp{n}")
            orc, oins, _ = b.callgrind(f"oath{n}", "alice", WRONG + "\n",
                                       f"oath{n}")
            # Wall time: vouch and pam_oath in turn (the machine's load
            # weighs on both alike).
            walls, owalls, rcs, orcs = [], [], [], []
            for i in range(1, min(nwall, n - 1) + 1):
                r, t, _ = b.drive(f"otp{n}", f"u{i}", WRONG + "\na\n")
                walls.append(t)
                rcs.append(r)
                r, t, _ = b.drive(f"oath{n}", "alice", WRONG + "\n")
                owalls.append(t)
                orcs.append(r)
            daemon_errors = dm.errors_logged()
        finally:
            dm.stop()
        # The delivery helper alone, on the message the daemon hands it:
        # a kept helper (vouch-deliver --serve, as vouchd runs it) handed
        # 1 and then 11 messages; the difference over 10 is what one more
        # message costs it.  The start-up (libcurl and its libraries,
        # once a helper) is printed beside it.
        msg = "channel: email\nto: alice@example.org\nsubject: " \
              "Confirm account change with this code\n\nYour code is " \
              "123456.\n"
        frame = struct.pack(">I", len(msg)) + msg.encode()
        htot = []
        for k in (1, 11):
            hout = os.path.join(b.dir, f"cg.deliver{n}.{k}")
            subprocess.run(["valgrind", "--tool=callgrind",
                            "--callgrind-out-file=" + hout,
                            b.build + "/vouch-deliver", "--config",
                            d + "/vouch.conf", "--serve"],
                           input=frame * k, capture_output=True)
            htot.append(cg_total(hout))
        hins = (htot[1] - htot[0]) // 10
        hstart = htot[0] - hins
        wall = statistics.median(walls)
        owall = statistics.median(owalls)
        extra, oextra = ins - permit, oins - permit
        ok = rc == PAM_AUTHINFO_UNAVAIL and orc == PAM_AUTH_ERR and \
            wrc == PAM_AUTHINFO_UNAVAIL and ld["errors"] == 0 and \
            all(r == PAM_AUTHINFO_UNAVAIL for r in rcs) and \
            all(r == PAM_AUTH_ERR for r in orcs)
        res.append({"users": n, "pam_permit_instructions": permit,
                    "vouch_instructions": ins,
                    "vouch_extra_instructions": extra,
                    "pam_oath_instructions": oins,
                    "pam_oath_extra_instructions": oextra,
                    "ratio_vouch_to_oath_extra":
                    round(extra / oextra, 3) if oextra > 0 else None,
                    "vouchd_instructions_per_check": per_check,
                    "vouchd_checks_counted": ld["ok"],
                    "deliver_helper_instructions": hins,
                    "deliver_helper_startup_instructions": hstart,
                    "vouch_wall_ms_median": round(wall * 1000, 2),
                    "pam_oath_wall_ms_median": round(owall * 1000, 2),
                    "wall_runs": len(walls),
                    "ratio_wall": round(wall / owall, 3),
                    "results_as_expected": ok,
                    "daemon_log_errors": daemon_errors[:3]})
        rows.append([fmt_int(n), fmt_int(extra), fmt_int(oextra),
                     "%.2f" % (extra / oextra) if oextra > 0 else "-",
                     fmt_int(per_check), fmt_int(hins),
                     "%.1f" % (wall * 1000), "%.1f" % (owall * 1000),
                     "%.2f" % (wall / owall), "yes" if ok else "NO"])
    table("(a) one wrong-code check: instructions over pam_permit of the "
          "PAM process (pamdrive), vouchd's per check, the helper's per "
          "message; wall time (median) against pam_oath",
          ["users", "vouch PAM", "pam_oath", "vouch/oath", "vouchd/check",
           "helper/msg", "vouch ms", "oath ms", "ms ratio", "refused"], rows)
    print("  pam_permit alone: %s instructions (pamdrive, pam_wrapper, "
          "libpam), subtracted above" % fmt_int(permit))
    print("  helper/msg: one more message to a kept helper (vouch-deliver "
          "--serve); its start-up, once a helper: %s" %
          fmt_int(res[0]["deliver_helper_startup_instructions"]))
    first, last = res[0], res[-1]
    goals = {}
    if first["pam_oath_extra_instructions"] > 0:
        r = first["vouch_extra_instructions"] / \
            first["pam_oath_extra_instructions"]
        goals["pam_process_le_pam_oath_at_%d" % first["users"]] = \
            {"ratio": round(r, 3), "met": r <= 1.0}
        print("  goal: PAM process <= pam_oath at %d users: %s (%.2fx)" %
              (first["users"], met(r <= 1.0), r))
    if len(res) > 1:
        g = last["vouch_extra_instructions"] / \
            first["vouch_extra_instructions"]
        gd = last["vouchd_instructions_per_check"] / \
            first["vouchd_instructions_per_check"]
        goals["pam_process_flat_%d_to_%d" % (first["users"],
                                             last["users"])] = \
            {"growth": round(g, 3), "met": g <= 1.2,
             "vouchd_growth": round(gd, 3)}
        print("  goal: PAM process flat (<= 1.2x) from %d to %d users: %s "
              "(%.3fx; vouchd per check %.3fx)" %
              (first["users"], last["users"], met(g <= 1.2), g, gd))
    rw = first["ratio_wall"]
    goals["wall_le_1_5x_pam_oath_at_%d" % first["users"]] = \
        {"ratio": rw, "met": rw <= 1.5}
    print("  goal: wall time <= 1.5x pam_oath's at %d users: %s (%.2fx, "
          "medians of %d runs)" % (first["users"], met(rw <= 1.5), rw,
                                   first["wall_runs"]))
    b.results["a_wrong_code"] = {"sizes": res, "goals": goals}


# ------------------------------------------------------------------ (b)
def bench_b(b):
    per_level = 3000
    d = b.conf("b")
    b.vouchctl(d, "init")
    b.bulk_users(d, per_level * len(LEVELS))
    rows, res = [], []
    dm = Daemon(b, d)
    try:
        for li, clients in enumerate(LEVELS):
            first = li * per_level + 1
            ld = b.run_load(d, "otp", PAM_AUTHINFO_UNAVAIL, "u", first,
                            per_level, 0, clients, SECONDS, WRONG + "|a",
                            "channel=email")
            # Exact counting: the store's failed checks and attempts of
            # the users this level asked about, against the wrong codes
            # the clients sent.
            users = "(SELECT id FROM users WHERE name IN (SELECT 'u' || x " \
                    "FROM (WITH RECURSIVE c(x) AS (SELECT ?1 UNION ALL " \
                    "SELECT x + 1 FROM c WHERE x < ?2) SELECT x FROM c)))"
            rng = (first, first + ld["issued"] - 1)
            fails = b.sql(d, "SELECT count(*) FROM check_failures WHERE "
                          "user_id IN " + users, rng)[0][0]
            attempts = b.sql(d, "SELECT coalesce(sum(attempts), 0) FROM "
                             "codes WHERE user_id IN " + users, rng)[0][0]
            exact = fails == ld["sent"] and attempts == ld["sent"]
            rate = ld["ok"] / ld["seconds"]
            for s in ld["samples"]:
                print("  (b) error: " + s)
            res.append({"clients": clients, "checks": ld["requests"],
                        "refused_as_expected": ld["ok"],
                        "errors": ld["errors"], "seconds": ld["seconds"],
                        "per_second": round(rate, 1),
                        "wrong_codes_sent": ld["sent"],
                        "failures_counted": fails,
                        "attempts_counted": attempts,
                        "counters_exact": exact,
                        "error_samples": ld["samples"]})
            rows.append([clients, ld["requests"], ld["errors"],
                         "%.2f" % ld["seconds"], "%.1f" % rate,
                         ld["sent"], fails, "yes" if exact else "NO"])
        logged = dm.errors_logged()
    finally:
        dm.stop()
    table("(b) wrong-code checks per second (vouch-load: C clients of "
          "vouchd, one connection a check, each on its own user)",
          ["clients", "checks", "errors", "seconds", "per second",
           "wrong codes sent", "failures counted", "exact"], rows)
    nerr = sum(r["errors"] for r in res)
    print("  errors in all: %d (goal 0: %s); counting exact at every "
          "level: %s" % (nerr, met(nerr == 0),
                         "yes" if all(r["counters_exact"] for r in res)
                         else "NO"))
    if logged:
        print("  vouchd logged %d error lines, e.g.: %s" %
              (len(logged), logged[0]))
    b.results["b_throughput"] = {"levels": res,
                                 "daemon_log_errors": len(logged),
                                 "daemon_log_sample": logged[:3]}


# ------------------------------------------------------------------ (c)
ARGON = {"crypto_pwhash_str_verify", "crypto_pwhash_str_alg",
         "crypto_pwhash_argon2id_str_verify", "crypto_pwhash_argon2id_str",
         "crypto_pwhash_str", "crypto_pwhash_argon2id"}


def argon_cost(path):
    """Inclusive cost of the outermost libsodium pwhash call."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                          "--threshold=100", path], capture_output=True,
                         text=True).stdout
    best = 0
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s", line)
        if not m:
            continue
        for name in ARGON:
            if re.search(r"[:\s]" + re.escape(name) + r"(\s|'|$|\[)", line):
                best = max(best, int(m.group(1).replace(",", "")))
    return best


SIGNIN_USERS = 32


def store_c(b):
    """The store of (c) and (d): the shipped argon2id parameters
    (hash_ops 2, hash_mem 64M); alice and p1..p32 with one password."""
    d = os.path.join(b.dir, "c")
    if not os.path.exists(d + "/vouch.db"):
        d = b.conf("c")
        b.vouchctl(d, "init")
        b.vouchctl(d, "user", "add", "alice", "--email", "alice@example.org")
        b.vouchctl(d, "passwd", "alice", stdin="correct horse\n")
        b.bulk_users(d, SIGNIN_USERS, prefix="p")
        b.sql(d, "UPDATE users SET pw_hash = (SELECT pw_hash FROM users "
              "WHERE name = 'alice'), pw_changed = (SELECT pw_changed FROM "
              "users WHERE name = 'alice') WHERE name LIKE 'p%'")
    return d


def bench_c(b):
    d = store_c(b)
    b.service("pwc", f"auth required {b.build}/pam_vouch_password.so "
              f"conf={d}/vouch.conf")
    cases = (("known user, right password", "alice", "correct horse\n",
              PAM_SUCCESS),
             ("known user, wrong password", "alice", "wrong\n",
              PAM_AUTH_ERR),
             ("unknown user", "nobody", "wrong\n", PAM_USER_UNKNOWN))
    # Native: sign-ins per second, vouchd's memory, wall times.
    dm = Daemon(b, d)
    try:
        rss0 = proc_status(dm.pid, "VmHWM")
        rates = []
        for clients in (1, SIGNIN_USERS):
            ld = b.run_load(d, "password", PAM_SUCCESS, "p", 1,
                            SIGNIN_USERS, 1, clients, SECONDS + 2,
                            "correct horse")
            rates.append({"clients": clients, "sign_ins": ld["ok"],
                          "errors": ld["errors"], "seconds": ld["seconds"],
                          "per_second": round(ld["ok"] / ld["seconds"], 2),
                          "vmhwm_kib_after": proc_status(dm.pid, "VmHWM"),
                          "error_samples": ld["samples"]})
        # Wall time, interleaved (one run of each case in turn).
        walls = [[] for _ in cases]
        wrcs = [[] for _ in cases]
        for _ in range(7):
            for i, (_, user, pw, _) in enumerate(cases):
                r, t, _ = b.drive("pwc", user, pw)
                walls[i].append(t)
                wrcs[i].append(r)
    finally:
        dm.stop()
    table("(c) password sign-ins per second (vouch-load, shipped argon2id "
          "hash_ops 2, hash_mem 64M, [daemon] hash_workers 2)",
          ["clients", "sign-ins", "errors", "seconds", "per second",
           "vouchd VmHWM KiB"],
          [[r["clients"], r["sign_ins"], r["errors"], "%.2f" % r["seconds"],
            "%.1f" % r["per_second"], fmt_int(r["vmhwm_kib_after"])]
           for r in rates])
    print("  vouchd peak RSS (VmHWM): %s KiB when ready, %s KiB after %d "
          "concurrent sign-ins" % (fmt_int(rss0),
                                   fmt_int(rates[-1]["vmhwm_kib_after"]),
                                   SIGNIN_USERS))
    # Under callgrind: vouchd's instructions of one login, and how many
    # of them inside argon2id.
    res = []
    dm = Daemon(b, d, callgrind=True)
    try:
        b.drive("pwc", "alice", "correct horse\n")  # warm-up
        for i, (tag, user, pw, want) in enumerate(cases):
            dm.zero()
            rc, _, _ = b.drive("pwc", user, pw)
            out = dm.dump()
            total = cg_total(out)
            argon = argon_cost(out)
            share = argon / total if total else 0
            wall = statistics.median(walls[i])
            res.append({"case": tag, "pam_rc": rc, "expected_rc": want,
                        "vouchd_instructions": total,
                        "argon2id_instructions": argon,
                        "argon2id_share": round(share, 4),
                        "wall_ms_median": round(wall * 1000, 1),
                        "wall_rcs_as_expected":
                        all(r == want for r in wrcs[i])})
    finally:
        dm.stop()
    table("(c) one login: vouchd's instructions (callgrind) and the share "
          "in argon2id; wall time of the PAM run (median of 7)",
          ["case", "PAM rc", "vouchd instr", "in argon2id", "share",
           "wall ms"],
          [[r["case"], r["pam_rc"], fmt_int(r["vouchd_instructions"]),
            fmt_int(r["argon2id_instructions"]),
            "%.1f %%" % (r["argon2id_share"] * 100),
            "%.1f" % r["wall_ms_median"]] for r in res])
    known, unk = res[0], res[2]
    diff_i = unk["vouchd_instructions"] / known["vouchd_instructions"] - 1 \
        if known["vouchd_instructions"] else 0
    diff_t = unk["wall_ms_median"] / known["wall_ms_median"] - 1
    print("  unknown user against known user: instructions %+.2f %%, "
          "wall time %+.1f %%" % (diff_i * 100, diff_t * 100))
    b.results["c_password"] = {"sign_ins": rates,
                               "vouchd_vmhwm_kib_ready": rss0,
                               "vouchd_vmhwm_kib_32_concurrent":
                               rates[-1]["vmhwm_kib_after"],
                               "cases": res,
                               "unknown_vs_known_instructions":
                               round(diff_i, 4),
                               "unknown_vs_known_wall": round(diff_t, 4)}


# ------------------------------------------------------------------ (d)
def maxrss(b, service, user, answers):
    """Max RSS (KiB) of pamdrive, measured by GNU time: a small parent,
    so the figure is pamdrive's own (a child forked from this Python
    process would inherit Python's peak)."""
    p = subprocess.run(["/usr/bin/time", "-f", "MAXRSS %M", b.pamdrive,
                        service, user, "auth"], input=answers,
                       capture_output=True, text=True, env=b.env())
    m = re.search(r"MAXRSS (\d+)", p.stderr)
    return (int(m.group(1)) if m else 0), p.returncode


def bench_d(b):
    d = store_c(b)
    b.service("permit", f"auth required {b.sysdir}/pam_permit.so")
    b.service("pwd64", f"auth required {b.build}/pam_vouch_password.so "
              f"conf={d}/vouch.conf")
    b.service("otpd", f"auth required {b.build}/pam_vouch_otp.so "
              f"conf={d}/vouch.conf channel=email")
    cases = [("pam_permit only (baseline)", "permit", "alice", "", 0),
             ("pam_vouch_password, right password", "pwd64", "alice",
              "correct horse\n", PAM_SUCCESS),
             ("pam_vouch_otp, wrong code", "otpd", "p%d", WRONG + "\na\n",
              PAM_AUTHINFO_UNAVAIL)]
    rows, res = [], []
    base = None
    dm = Daemon(b, d)
    try:
        for tag, svc, user, ans, want in cases:
            runs = [maxrss(b, svc, user % (i + 1) if "%" in user else user,
                           ans) for i in range(3)]
            rss = sorted(r[0] for r in runs)[1]
            if base is None:
                base = rss
            res.append({"case": tag, "max_rss_kib": rss,
                        "added_kib": rss - base,
                        "rc_as_expected": all(r[1] == want for r in runs)})
            rows.append([tag, fmt_int(rss), fmt_int(rss - base),
                         "yes" if res[-1]["rc_as_expected"] else "NO"])
    finally:
        dm.stop()
    table("(d) memory of the host process (pamdrive max RSS, KiB; the "
          "hashing is vouchd's)",
          ["stack", "max RSS", "added", "rc ok"], rows)
    b.results["d_memory"] = res


# ------------------------------------------------------------------ (e)
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def to_prompt(b, service, user, answers):
    t0 = time.monotonic()
    p = subprocess.Popen([b.pamdrive, service, user, "auth"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=b.env(), text=True)
    t = None
    for line in p.stdout:
        if line.startswith("PROMPT_"):
            t = time.monotonic() - t0
            break
    try:
        p.stdin.write(answers)
        p.stdin.close()
    except BrokenPipeError:
        pass
    p.stdout.read()
    p.wait(timeout=60)
    return t


def bench_e(b):
    port = free_port()
    sink = subprocess.Popen([SYS_PY, "-m", "aiosmtpd", "-n", "-l",
                             f"127.0.0.1:{port}", "-c",
                             "aiosmtpd.handlers.Sink"],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    dm = None
    try:
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        d = b.conf("e", "[password]\nhash_ops = 1\nhash_mem = 8M")
        with open(d + "/vouch.conf") as f:
            text = f.read()
        text = text.replace("[email]\ntransport = file",
                            f"[email]\ntransport = smtp\nurl = "
                            f"smtp://127.0.0.1:{port}")
        with open(d + "/vouch.conf", "w") as f:
            f.write(text)
        b.vouchctl(d, "init")
        b.bulk_users(d, 40, prefix="e")
        b.service("otpe", f"auth required {b.build}/pam_vouch_otp.so "
                  f"conf={d}/vouch.conf channel=email")
        b.service("pwe", f"auth required {b.build}/pam_vouch_password.so "
                  f"conf={d}/vouch.conf")
        dm = Daemon(b, d)
        smtp = [to_prompt(b, "otpe", "e%d" % i, WRONG + "\na\n")
                for i in range(1, 11)]
        base = [to_prompt(b, "pwe", "e%d" % i, "x\n") for i in range(1, 11)]
        # A member's code prompt (a code sent) against a name vouch does
        # not know (the decoy), interleaved, 30 each: the decoy takes
        # the time of the members' recent sends (daemon/decoy.c).
        mem, unk = [], []
        for i in range(11, 41):
            mem.append(to_prompt(b, "otpe", "e%d" % i, WRONG + "\na\n"))
            unk.append(to_prompt(b, "otpe", "x%d" % i, WRONG + "\na\n"))
    finally:
        if dm:
            dm.stop()
        sink.terminate()
        sink.wait(timeout=10)
    smtp = [t for t in smtp if t is not None]
    base = [t for t in base if t is not None]
    if not smtp or not base:
        print("\n(e) no prompt seen (code prompts %d, password prompts %d)"
              % (len(smtp), len(base)))
        b.results["e_code_prompt"] = {"runs": len(smtp)}
        return
    res = {"runs": len(smtp),
           "code_prompt_ms_median": round(statistics.median(smtp) * 1000, 1),
           "code_prompt_ms_min": round(min(smtp) * 1000, 1),
           "code_prompt_ms_max": round(max(smtp) * 1000, 1),
           "password_prompt_ms_median":
           round(statistics.median(base) * 1000, 1)}
    res["sending_ms_median"] = round(res["code_prompt_ms_median"] -
                                     res["password_prompt_ms_median"], 1)
    table("(e) process start to the prompt, SMTP (aiosmtpd) on 127.0.0.1 "
          "(ms, 10 runs)",
          ["prompt", "median", "min", "max"],
          [["code prompt (code sent by SMTP first)",
            res["code_prompt_ms_median"], res["code_prompt_ms_min"],
            res["code_prompt_ms_max"]],
           ["password prompt (nothing sent: start-up)",
            res["password_prompt_ms_median"], "%.1f" % (min(base) * 1000),
            "%.1f" % (max(base) * 1000)]])
    print("  sending the code adds %.1f ms (median)" %
          res["sending_ms_median"])
    mem = [t for t in mem if t is not None]
    unk = [t for t in unk if t is not None]
    if mem and unk:
        mm, um = statistics.median(mem), statistics.median(unk)
        res["member_code_prompt_ms_median"] = round(mm * 1000, 1)
        res["unknown_code_prompt_ms_median"] = round(um * 1000, 1)
        res["unknown_vs_member"] = round(um / mm - 1, 4)
        res["unknown_vs_member_runs"] = [len(mem), len(unk)]
        table("(e) code prompt of a member against a name vouch does not "
              "know (ms, %d and %d runs, interleaved; goal within 5 %%)"
              % (len(mem), len(unk)),
              ["user", "median", "min", "max"],
              [["member (code sent by SMTP)", "%.1f" % (mm * 1000),
                "%.1f" % (min(mem) * 1000), "%.1f" % (max(mem) * 1000)],
               ["unknown name (decoy)", "%.1f" % (um * 1000),
                "%.1f" % (min(unk) * 1000), "%.1f" % (max(unk) * 1000)]])
        print("  unknown against member: %+.1f %% (median) %s" %
              ((um / mm - 1) * 100, met(abs(um / mm - 1) <= 0.05)))
    b.results["e_code_prompt"] = res


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: bench.py BUILD SRC")
    b = Bench(sys.argv[1], sys.argv[2])
    b.results["machine"] = machine()
    m = b.results["machine"]
    print("machine: %s, %d CPUs, %s memory, Linux %s, load %s" %
          (m["model"], m["nproc"], m["memory"], m["kernel"],
           " ".join("%.2f" % x for x in m["load_at_start"])))
    only = os.environ.get("BENCH_ONLY", "abcdefg")
    # SIGTERM (or SIGHUP) to the benchmark: stop the daemons on the way
    # out, as ^C does.
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda *_: sys.exit(1))
    t00 = time.monotonic()
    try:
        for part, fn in (("a", bench_a), ("b", bench_b), ("c", bench_c),
                         ("d", bench_d), ("e", bench_e), ("f", bench_f),
                         ("g", bench_g)):
            if part in only:
                t0 = time.monotonic()
                fn(b)
                print("  (%s took %.0f s)" % (part, time.monotonic() - t0))
    finally:
        for dm in list(b.daemons):
            dm.stop()
        if os.environ.get("BENCH_KEEP"):  # the dumps, for callgrind_annotate
            print("  kept: %s" % b.dir)
        else:
            shutil.rmtree(b.dir, ignore_errors=True)
    b.results["machine"]["load_at_end"] = [round(x, 2)
                                           for x in os.getloadavg()]
    b.results["seconds"] = round(time.monotonic() - t00)
    print()
    print("load at the end: %s; %d s in all" % (
        " ".join("%.2f" % x for x in b.results["machine"]["load_at_end"]),
        b.results["seconds"]))
    print()
    print("JSON:")
    text = json.dumps(b.results, indent=2)
    print(text)
    with open(os.path.join(b.build, "bench.json"), "w") as f:
        f.write(text + "\n")


# ------------------------------------------------------------------ (f)
def web_load(port, make, clients, seconds):
    """clients threads, each on its own keep-alive connection, sending
    make() requests for seconds; (requests, errors, latencies)."""
    import http.client
    import threading
    lat, errs, lock = [], [0], threading.Lock()
    end = time.monotonic() + seconds

    def run():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < end:
            method, path, body, hdrs, want = make()
            t0 = time.monotonic()
            try:
                c.request(method, path, body=body, headers=hdrs)
                r = c.getresponse()
                r.read()
                ok = r.status == want
            except (OSError, http.client.HTTPException):
                ok = False
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.monotonic() - t0)
            bad += 0 if ok else 1
        c.close()
        with lock:
            lat.extend(mine)
            errs[0] += bad

    ts = [threading.Thread(target=run) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return len(lat), errs[0], lat


def bench_f(b):
    """vouch-web: pages a second, in front of a real vouchd."""
    import urllib.parse
    port = free_port()
    d = b.conf("f", f"""[web]
listen = 127.0.0.1:{port}
base_url = http://127.0.0.1:{port}
user = nobody
[reset]
max_per_hour = 1000
""")
    # vouch-web runs as nobody: it must reach the socket.
    os.chmod(b.dir, 0o711)
    os.chmod(d, 0o711)
    b.vouchctl(d, "init")
    dm = Daemon(b, d)
    web = None
    try:
        b.vouchctl(d, "user", "add", "alice", "--email", "alice@example.org")
        b.vouchctl(d, "passwd", "alice", stdin="correct horse\n")
        subprocess.run([b.build + "/vouch-reset", "--config",
                        d + "/vouch.conf", "request", "alice", "--via",
                        "email"], check=True, capture_output=True)
        mails = sorted(glob.glob(d + "/mail/*"), key=os.path.getmtime)
        with open(mails[-1]) as f:
            token = re.search(r"token=([A-Za-z0-9_-]{43})", f.read()).group(1)
        with open(os.path.join(d, "web.log"), "w") as log:
            web = subprocess.Popen([b.build + "/vouch-web", "--config",
                                    d + "/vouch.conf"], stdout=log,
                                   stderr=log, start_new_session=True)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/reset?token=" + token)
        page = c.getresponse().read().decode()
        c.close()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        refused = urllib.parse.urlencode(
            {"csrf": csrf, "token": token, "password": "x",
             "password2": "x"})
        unknown = urllib.parse.urlencode(
            {"csrf": csrf, "token": "A" * 43, "password": "x",
             "password2": "x"})
        cases = [
            ("GET /reset?token= (the form; vouchd checks the token)",
             lambda: ("GET", "/reset?token=" + token, None, {}, 200)),
            ("POST /reset, a refused password (vouchd decides)",
             lambda: ("POST", "/reset", refused, form, 400)),
            ("POST /reset, a wrong token (refused by its CSRF token)",
             lambda: ("POST", "/reset", unknown, form, 403)),
        ]
        rows, res = [], []
        for name, make in cases:
            for n in (1, 8, 64):
                count, errors, lat = web_load(port, make, n, 3)
                lat.sort()
                p50 = lat[len(lat) // 2] * 1000 if lat else 0
                p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 \
                    if lat else 0
                rows.append([name if n == 1 else "", str(n), fmt_int(count),
                             str(errors), "%.0f" % (count / 3.0),
                             "%.1f" % p50, "%.1f" % p99])
                res.append({"case": name, "clients": n, "requests": count,
                            "errors": errors, "per_second": round(count / 3.0),
                            "p50_ms": round(p50, 2), "p99_ms": round(p99, 2)})
        table("(f) vouch-web: requests a second over loopback (Python "
              "clients with keep-alive, 3 s a level)",
              ["request", "clients", "requests", "errors", "per second",
               "p50 ms", "p99 ms"], rows)
        errors = sum(r["errors"] for r in res)
        print("  errors in all: %d (goal 0: %s)" %
              (errors, "met" if errors == 0 else "MISSED"))
        b.results["f_web"] = res
    finally:
        if web and web.poll() is None:
            web.terminate()
            web.wait(timeout=10)
        dm.stop()




# ------------------------------------------------------------------ (g)
PG_BIN = "/usr/lib/postgresql/15/bin"
G_LEVELS = [int(x) for x in
            os.environ.get("BENCH_PG_LEVELS", "1,8,32").split(",")]


class Postgres:
    """A throwaway PostgreSQL 15 cluster in DIR (initdb as the postgres
    user when run as root), on a Unix socket only, with its defaults
    (fsync and synchronous_commit on); role vouchd with a password owns
    database vouch."""

    def __init__(self, b):
        self.dir = os.path.join(b.dir, "pg")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        os.chmod(b.dir, 0o711)
        self.root = os.getuid() == 0
        if self.root:
            sh(["chown", "postgres:", self.dir])
        self.port = free_port()
        self.run([PG_BIN + "/initdb", "-D", self.data, "-U", "postgres",
                  "-E", "UTF8", "--no-locale", "--auth=peer",
                  "--no-instructions"])
        with open(self.data + "/postgresql.conf", "a") as f:
            f.write("listen_addresses = ''\n"
                    f"unix_socket_directories = '{self.dir}'\n"
                    "max_connections = 200\n")
        with open(self.data + "/pg_hba.conf", "w") as f:
            f.write("local all postgres peer\n"
                    "local all all scram-sha-256\n")
        self.log = open(os.path.join(b.dir, "pg.log"), "w")
        self.p = subprocess.Popen(self.as_pg([PG_BIN + "/postgres", "-D",
                                              self.data, "-p",
                                              str(self.port)]),
                                  stdout=self.log, stderr=self.log,
                                  stdin=subprocess.DEVNULL, cwd=self.dir,
                                  start_new_session=True)
        end = time.monotonic() + 30
        while subprocess.run(self.as_pg([PG_BIN + "/pg_isready", "-q", "-h",
                                         self.dir, "-p", str(self.port)]),
                             cwd=self.dir).returncode:
            if time.monotonic() > end or self.p.poll() is not None:
                raise RuntimeError("postgres did not start")
            time.sleep(0.1)
        self.password = os.urandom(18).hex()
        self.password_file = os.path.join(b.dir, "pg.password")
        with open(os.open(self.password_file, os.O_WRONLY | os.O_CREAT,
                          0o600), "w") as f:
            f.write(self.password + "\n")
        self.psql("postgres", "CREATE ROLE vouchd LOGIN PASSWORD '%s'" %
                  self.password)
        self.psql("postgres", "CREATE DATABASE vouch OWNER vouchd")

    def as_pg(self, cmd):
        if not self.root:
            return cmd
        return ["setpriv", "--reuid=postgres", "--regid=postgres",
                "--init-groups", "--", *cmd]

    def run(self, cmd):
        subprocess.run(self.as_pg(cmd), check=True, capture_output=True,
                       cwd=self.dir, env={"LC_ALL": "C"})

    def psql(self, db, sql):
        """SQL as the superuser; the rows, unaligned."""
        p = subprocess.run(self.as_pg(["psql", "-X", "-q", "-A", "-t",
                                       "-v", "ON_ERROR_STOP=1", "-h",
                                       self.dir, "-p", str(self.port),
                                       "-d", db, "-c", sql]),
                           capture_output=True, text=True, check=True,
                           cwd=self.dir, env={"LC_ALL": "C"})
        return p.stdout

    def store(self, host):
        """[store] lines for a vouchd named HOST on this cluster."""
        return (f"backend = postgresql\nconninfo = host={self.dir}"
                f" port={self.port} dbname=vouch user=vouchd\n"
                f"password_file = {self.password_file}\n"
                f"host_name = {host}\n")

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def g_levels(b, name, hosts, count_sql):
    """Wrong-code checks at each level of G_LEVELS on the vouchd of the
    directories HOSTS (C clients on each, at the same time)."""
    per = 2000
    res = []
    for li, clients in enumerate(G_LEVELS):
        runs = [None] * len(hosts)
        for hi, d in enumerate(hosts):
            first = (li * len(hosts) + hi) * per + 1
            runs[hi] = subprocess.Popen(
                [b.load, d + "/vouch.conf", "otp",
                 str(PAM_AUTHINFO_UNAVAIL), "u", str(first), str(per), "0",
                 str(clients), str(SECONDS), WRONG + "|a", "channel=email"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out = [r.communicate(timeout=600) for r in runs]
        req = ok = err = sent = 0
        secs = 0.0
        samples = []
        for o, e in out:
            m = re.search(r"requests (\d+) ok (\d+) errors (\d+) sent "
                          r"(\d+) seconds ([\d.]+)", o)
            if not m:
                raise RuntimeError("vouch-load failed: %s%s" % (o, e))
            req += int(m.group(1))
            ok += int(m.group(2))
            err += int(m.group(3))
            sent += int(m.group(4))
            secs = max(secs, float(m.group(5)))
            samples += e.splitlines()[:2]
        firsts = [(li * len(hosts) + hi) * per + 1
                  for hi in range(len(hosts))]
        counted = sum(count_sql(f, f + per - 1) for f in firsts)
        rate = ok / secs if secs else 0
        lat = clients * len(hosts) * secs / req * 1000 if req else 0
        res.append({"store": name, "hosts": len(hosts),
                    "clients_per_host": clients, "checks": req,
                    "errors": err, "seconds": secs,
                    "per_second": round(rate, 1),
                    "mean_ms": round(lat, 2), "wrong_codes_sent": sent,
                    "failures_counted": counted,
                    "counters_exact": counted == sent,
                    "error_samples": samples[:3]})
    return res


def bench_g(b):
    if not os.path.exists(PG_BIN + "/initdb"):
        print("(g) skipped: postgresql-15 is not installed")
        return
    res = []
    # SQLite, one host.
    d = b.conf("g-sqlite")
    b.vouchctl(d, "init")
    b.bulk_users(d, 2000 * len(G_LEVELS) * 2)
    dm = Daemon(b, d)
    try:
        res += g_levels(b, "sqlite", [d], lambda lo, hi: b.sql(
            d, "SELECT count(*) FROM check_failures WHERE user_id IN "
            "(SELECT id FROM users WHERE CAST(substr(name, 2) AS INTEGER) "
            "BETWEEN ?1 AND ?2)", (lo, hi))[0][0])
    finally:
        dm.stop()
    pg = Postgres(b)
    try:
        da = b.conf("g-a", store=pg.store("a"))
        db = b.conf("g-b", store=pg.store("b"))
        with open(db + "/vouch.conf") as f:
            text = f.read()
        with open(db + "/vouch.conf", "w") as f:
            f.write(text.replace(db + "/secret.key", da + "/secret.key"))
        b.vouchctl(da, "init")
        pg.psql("vouch", "INSERT INTO vouch.users (name, email, created) "
                "SELECT 'u' || x, 'u' || x || '@example.org', 0 FROM "
                "generate_series(1, %d) x" % (2000 * len(G_LEVELS) * 2))

        def pg_count(lo, hi):
            return int(pg.psql("vouch", "SELECT count(*) FROM "
                               "vouch.check_failures f JOIN vouch.users u "
                               "ON u.id = f.user_id WHERE "
                               "substr(u.name, 2)::int BETWEEN %d AND %d"
                               % (lo, hi)).strip())
        for name, hosts in (("postgresql", [da]),
                            ("postgresql", [da, db])):
            daemons = [Daemon(b, h) for h in hosts]
            try:
                pg.psql("vouch", "TRUNCATE vouch.check_failures, "
                        "vouch.codes, vouch.sends")
                res += g_levels(b, name, hosts, pg_count)
            finally:
                for x in daemons:
                    x.stop()
    finally:
        pg.stop()
    table("(g) wrong-code checks with the PostgreSQL store beside SQLite "
          "(vouch-load: C clients on each host's vouchd, each check a user "
          "of its own; mean ms: the time one check takes)",
          ["store", "hosts", "clients/host", "checks", "errors", "per second",
           "mean ms", "exact"],
          [[r["store"], r["hosts"], r["clients_per_host"], r["checks"],
            r["errors"], "%.1f" % r["per_second"], "%.2f" % r["mean_ms"],
            "yes" if r["counters_exact"] else "NO"] for r in res])
    b.results["g_postgresql"] = res


if __name__ == "__main__":
    main()
