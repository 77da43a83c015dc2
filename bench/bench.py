#!/usr/bin/python3
"""bench.py BUILD SRC - the figures of `make bench` (issue 7 item 3).

Runs the built modules through real PAM stacks (pamdrive under
pam_wrapper, as the tests do) and prints one table a measurement, then
all figures as JSON (also written to BUILD/bench.json).  It never fails
on a figure: a goal that is missed is reported, not asserted.  Setup
shortcuts (bulk SQL inserts of users into a copy of the store) are for
the benchmark only.

  (a) one wrong-code authentication (pam_vouch_otp, file transport):
      instructions of the PAM process (callgrind), the delivery helper
      on its own line, wall time; pam_oath refusing a wrong HOTP code in
      the same run; at 10, 10 000 and 100 000 users
  (b) wrong-code verifications per second with 1, 2, 8, 32 processes,
      errors and exact counters
  (c) a password login: share inside argon2id (callgrind inclusive cost
      of libsodium's pwhash calls), unknown user against known user
  (d) memory added to the host process (max RSS of pamdrive with and
      without the module)
  (e) time from pam_authenticate to the code prompt, SMTP on loopback
"""
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PAM_AUTHINFO_UNAVAIL = 9
PAM_AUTH_ERR = 7
SIZES = [int(x) for x in os.environ.get("BENCH_USERS",
                                         "10,10000,100000").split(",")]
LEVELS = [int(x) for x in
          os.environ.get("BENCH_LEVELS", "1,2,8,32").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
SYS_PY = "/usr/bin/python3"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          **kw).stdout


def pam_sysdir():
    for d in ("/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/"
              "security", "/lib/security", "/usr/lib/security"):
        if os.path.exists(os.path.join(d, "pam_deny.so")):
            return d
    raise SystemExit("bench: no PAM module directory")


class Bench:
    def __init__(self, build, src):
        self.build = os.path.abspath(build)
        self.src = os.path.abspath(src)
        self.dir = tempfile.mkdtemp(prefix="vouch-bench.")
        os.chmod(self.dir, 0o700)
        self.sysdir = pam_sysdir()
        self.results = {}
        self.pamdrive = os.path.join(self.build, "tests", "pamdrive")
        self.ctl = os.path.join(self.build, "vouchctl")

    # ------------------------------------------------------------ setup
    def conf(self, name, extra=""):
        """A store directory NAME with its configuration; returns it."""
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
[secret]
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
{extra}
"""
        path = os.path.join(d, "vouch.conf")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return d

    def vouchctl(self, d, *args, stdin=None):
        return subprocess.run([self.ctl, "--config", d + "/vouch.conf",
                               *args], input=stdin, capture_output=True,
                              text=True, check=True).stdout

    def bulk_users(self, d, n, prefix="u"):
        """n users PREFIX1..PREFIXn with an email (SQL, setup only)."""
        if n <= 0:
            return
        sql = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
               f"FROM c WHERE x < {n}) INSERT INTO users (name, email, "
               f"created) SELECT '{prefix}' || x, '{prefix}' || x || "
               "'@example.org', strftime('%s') FROM c;")
        sh(["sqlite3", d + "/vouch.db", sql])

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
        out = os.path.join(self.dir, f"cg.{tag}")
        rc, _, p = self.drive(service, user, answers, prefix=(
            "valgrind", "--tool=callgrind", "--callgrind-out-file=" + out))
        return rc, cg_total(out), out

    def wall(self, service, users, answers, n=5):
        times, rcs = [], []
        for i in range(n):
            rc, t, _ = self.drive(service, users[i % len(users)], answers)
            times.append(t)
            rcs.append(rc)
        return statistics.median(times), rcs


def cg_total(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return 0


def cg_inclusive(path, names):
    """Sum of the inclusive costs of the functions named (callgrind)."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                          "--threshold=100", path], capture_output=True,
                         text=True).stdout
    total = 0
    seen = set()
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(.*?\)\s+\S*:(\S+)", line) or \
            re.match(r"\s*([\d,]+)\s+\S*:(\S+)", line)
        if not m:
            continue
        fn = m.group(2).split("'")[0]
        if fn in names and fn not in seen:
            seen.add(fn)
            total += int(m.group(1).replace(",", ""))
    return total


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
            "kernel": os.uname().release}


def table(title, head, rows):
    print()
    print(title)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    print("  " + fmt % tuple(head))
    print("  " + "  ".join("-" * w for w in widths))
    for r in rows:
        print("  " + fmt % tuple(r))


def fmt_int(n):
    return "{:,}".format(n).replace(",", " ")


# ------------------------------------------------------------------ (a)
def bench_a(b):
    oath_secret = "00" * 20
    rows, res = [], []
    for n in SIZES:
        d = b.conf(f"a{n}")
        b.vouchctl(d, "init")
        b.vouchctl(d, "user", "add", "alice", "--email", "alice@example.org")
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
        # One wrong code, then "a" (try another way): the module refuses.
        rc, ins, cg = b.callgrind(f"otp{n}", "alice", "000000\na\n",
                                  f"otp{n}")
        wall, rcs = b.wall(f"otp{n}", ["alice"], "000000\na\n")
        orc, oins, _ = b.callgrind(f"oath{n}", "alice", "000000\n",
                                   f"oath{n}")
        owall, orcs = b.wall(f"oath{n}", ["alice"], "000000\n")
        # The delivery helper alone, on the message the module sent.
        msg = "channel: email\nto: alice@example.org\nsubject: " \
              "Confirm account change with this code\n\nYour code is " \
              "123456.\n"
        hout = os.path.join(b.dir, f"cg.deliver{n}")
        subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=" + hout,
                        b.build + "/vouch-deliver", d + "/vouch.conf"],
                       input=msg, capture_output=True, text=True)
        hins = cg_total(hout)
        ok = rc == PAM_AUTHINFO_UNAVAIL and orc == PAM_AUTH_ERR and \
            all(r == PAM_AUTHINFO_UNAVAIL for r in rcs) and \
            all(r == PAM_AUTH_ERR for r in orcs)
        res.append({"users": n, "vouch_instructions": ins,
                    "deliver_helper_instructions": hins,
                    "vouch_wall_ms": round(wall * 1000, 2),
                    "pam_oath_instructions": oins,
                    "pam_oath_wall_ms": round(owall * 1000, 2),
                    "ratio_vouch_to_oath": round(ins / oins, 3) if oins
                    else None,
                    "results_as_expected": ok})
        rows.append([fmt_int(n), fmt_int(ins), fmt_int(hins),
                     "%.1f" % (wall * 1000), fmt_int(oins),
                     "%.1f" % (owall * 1000),
                     "%.2f" % (ins / oins) if oins else "-",
                     "yes" if ok else "NO"])
    base = res[0]["vouch_instructions"]
    for r in res:
        r["growth_from_smallest"] = round(r["vouch_instructions"] / base, 3)
    table("(a) one wrong-code authentication (instructions of the PAM "
          "process; helper on its own)",
          ["users", "vouch instr", "helper instr", "vouch ms",
           "pam_oath instr", "pam_oath ms", "vouch/oath", "refused"], rows)
    b.results["a_wrong_code"] = res


# ------------------------------------------------------------------ (b)
def bench_b(b):
    per_level = 3000
    n = per_level * len(LEVELS)
    d = b.conf("b")
    b.vouchctl(d, "init")
    b.bulk_users(d, n)
    b.service("otpb", f"auth required {b.build}/pam_vouch_otp.so "
              f"conf={d}/vouch.conf channel=email")
    db = d + "/vouch.db"
    rows, res = [], []
    for li, procs in enumerate(LEVELS):
        first = li * per_level + 1
        nxt = [first]
        lock = threading.Lock()
        done, errors, used, why, harness = [0], [0], [], [], [0]
        end = time.monotonic() + SECONDS

        def worker():
            while time.monotonic() < end:
                with lock:
                    if nxt[0] >= first + per_level:
                        return
                    u = "u%d" % nxt[0]
                    nxt[0] += 1
                # pam_wrapper's per-process directory names are short
                # and random: two processes may collide at start-up
                # (before any module runs).  Such a run is repeated and
                # counted apart, not as an error of the module.
                for _ in range(5):
                    rc, _, p = b.drive("otpb", u, "000000\na\n")
                    if rc == PAM_AUTHINFO_UNAVAIL or \
                       "pwrap_init: Failed" not in p.stderr:
                        break
                    with lock:
                        harness[0] += 1
                with lock:
                    if rc == PAM_AUTHINFO_UNAVAIL:
                        used.append(u)
                        done[0] += 1
                    else:
                        errors[0] += 1
                        why.append("%s: exit %d: %s" % (
                            u, rc, " | ".join(
                                (p.stdout + p.stderr).splitlines()[-8:])))

        t0 = time.monotonic()
        ts = [threading.Thread(target=worker) for _ in range(procs)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        el = time.monotonic() - t0
        # Exact counters: one failed check and one attempt a run.
        names = ",".join("'%s'" % u for u in used)
        fails = int(sh(["sqlite3", db, "SELECT count(*) FROM check_failures "
                        "WHERE user_id IN (SELECT id FROM users WHERE name "
                        f"IN ({names}));"]).strip() or 0)
        attempts = int(sh(["sqlite3", db, "SELECT coalesce(sum(attempts),0)"
                           " FROM codes WHERE user_id IN (SELECT id FROM "
                           f"users WHERE name IN ({names}));"]).strip() or 0)
        # (Runs that failed before judging the answer count nothing;
        # their users are left out.)
        exact = fails == len(used) and attempts == len(used)
        for w in why[:3]:
            print("  (b) error: " + w)
        rate = done[0] / el
        res.append({"processes": procs, "verifications": done[0],
                    "errors": errors[0], "seconds": round(el, 2),
                    "per_second": round(rate, 1),
                    "failures_counted": fails, "attempts_counted": attempts,
                    "counters_exact": exact, "error_samples": why[:3],
                    "pam_wrapper_start_collisions_retried": harness[0]})
        rows.append([procs, done[0], errors[0], "%.2f" % el, "%.1f" % rate,
                     f"{fails}/{len(used)}", "yes" if exact else "NO"])
    table("(b) wrong-code verifications per second (whole PAM runs, "
          "one process each)",
          ["procs", "runs", "errors", "seconds", "per second",
           "failures counted", "exact"], rows)
    b.results["b_throughput"] = res


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


def store_c(b):
    """The store of (c) and (d): the shipped argon2id parameters
    (hash_ops 2, hash_mem 64M)."""
    d = os.path.join(b.dir, "c")
    if not os.path.exists(d + "/vouch.db"):
        d = b.conf("c")
        b.vouchctl(d, "init")
        b.vouchctl(d, "user", "add", "alice", "--email", "alice@example.org")
        b.vouchctl(d, "passwd", "alice", stdin="correct horse\n")
    return d


def bench_c(b):
    d = store_c(b)
    b.service("pwc", f"auth required {b.build}/pam_vouch_password.so "
              f"conf={d}/vouch.conf")
    rows, res = [], []
    cases = (("known user, right password", "alice", "correct horse\n"),
             ("known user, wrong password", "alice", "wrong\n"),
             ("unknown user", "nobody", "wrong\n"))
    # Wall times interleaved (one run of each case in turn), so that the
    # load of the machine weighs on all cases alike.
    walls = [[] for _ in cases]
    for _ in range(21):
        for i, (_, user, pw) in enumerate(cases):
            walls[i].append(b.drive("pwc", user, pw)[1])
    for i, (tag, user, pw) in enumerate(cases):
        rc, total, out = b.callgrind("pwc", user, pw, "pw" + str(len(res)))
        argon = argon_cost(out)
        wall = statistics.median(walls[i])
        share = argon / total if total else 0
        res.append({"case": tag, "pam_rc": rc, "instructions": total,
                    "argon2id_instructions": argon,
                    "argon2id_share": round(share, 4),
                    "wall_ms": round(wall * 1000, 1)})
        rows.append([tag, rc, fmt_int(total), fmt_int(argon),
                     "%.1f %%" % (share * 100), "%.1f" % (wall * 1000)])
    known = res[0]
    unk = res[2]
    diff_i = unk["instructions"] / known["instructions"] - 1
    diff_t = unk["wall_ms"] / known["wall_ms"] - 1
    table("(c) password login (argon2id at the shipped hash_ops 2, "
          "hash_mem 64M)",
          ["case", "PAM rc", "instructions", "in argon2id", "share",
           "wall ms"], rows)
    print("  unknown user against known user: instructions %+.1f %%, "
          "wall time %+.1f %%" % (diff_i * 100, diff_t * 100))
    b.results["c_password"] = {"cases": res,
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
    d8 = b.conf("d8", "[password]\nhash_ops = 1\nhash_mem = 8M")
    b.vouchctl(d8, "init")
    b.vouchctl(d8, "user", "add", "alice", "--email", "alice@example.org")
    b.vouchctl(d8, "passwd", "alice", stdin="correct horse\n")
    b.service("permit", f"auth required {b.sysdir}/pam_permit.so")
    b.service("pwd64", f"auth required {b.build}/pam_vouch_password.so "
              f"conf={d}/vouch.conf")
    b.service("pwd8", f"auth required {b.build}/pam_vouch_password.so "
              f"conf={d8}/vouch.conf")
    b.service("otpd", f"auth required {b.build}/pam_vouch_otp.so "
              f"conf={d8}/vouch.conf channel=email")
    cases = [("pam_permit only (baseline)", "permit", "alice", ""),
             ("pam_vouch_password, hash_mem 64M", "pwd64", "alice",
              "correct horse\n"),
             ("pam_vouch_password, hash_mem 8M", "pwd8", "alice",
              "correct horse\n"),
             ("pam_vouch_otp, wrong code", "otpd", "alice", "000000\na\n")]
    rows, res = [], []
    base = None
    for tag, svc, user, ans in cases:
        rss = sorted(maxrss(b, svc, user, ans)[0] for _ in range(3))[1]
        if base is None:
            base = rss
        res.append({"case": tag, "max_rss_kib": rss,
                    "added_kib": rss - base})
        rows.append([tag, fmt_int(rss), fmt_int(rss - base)])
    table("(d) memory of the host process (pamdrive max RSS, KiB)",
          ["stack", "max RSS", "added"], rows)
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
        b.bulk_users(d, 20, prefix="e")
        b.service("otpe", f"auth required {b.build}/pam_vouch_otp.so "
                  f"conf={d}/vouch.conf channel=email")
        b.service("pwe", f"auth required {b.build}/pam_vouch_password.so "
                  f"conf={d}/vouch.conf")
        smtp = [to_prompt(b, "otpe", "e%d" % i, "000000\na\n")
                for i in range(1, 11)]
        base = [to_prompt(b, "pwe", "e%d" % i, "x\n") for i in range(1, 11)]
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    smtp = [t for t in smtp if t is not None]
    base = [t for t in base if t is not None]
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
    b.results["e_code_prompt"] = res


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: bench.py BUILD SRC")
    b = Bench(sys.argv[1], sys.argv[2])
    b.results["machine"] = machine()
    m = b.results["machine"]
    print("machine: %s, %d CPUs, %s memory, Linux %s" %
          (m["model"], m["nproc"], m["memory"], m["kernel"]))
    only = os.environ.get("BENCH_ONLY", "abcde")
    try:
        for part, fn in (("a", bench_a), ("b", bench_b), ("c", bench_c),
                         ("d", bench_d), ("e", bench_e)):
            if part in only:
                t0 = time.monotonic()
                fn(b)
                print("  (%s took %.0f s)" % (part, time.monotonic() - t0))
    finally:
        shutil.rmtree(b.dir, ignore_errors=True)
    print()
    print("JSON:")
    text = json.dumps(b.results, indent=2)
    print(text)
    with open(os.path.join(b.build, "bench.json"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
