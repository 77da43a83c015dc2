#!/usr/bin/python3
# tests/daemon/peer.py - the other end of vouchd's socket for the tests
# in tests/daemon/: fake daemons that misbehave, a client that sends
# malformed frames, and a holder of many idle connections.  Every wait is
# bounded; each mode ends by itself after LIFE seconds at the latest.
#
#   peer.py silent SOCK READY       accepts and holds every connection,
#                                   reads what comes, never answers
#   peer.py backlog SOCK READY      listens (backlog 1) and never accepts
#   peer.py halfframe SOCK READY    accepts, answers the first bytes of a
#                                   frame and then nothing
#   peer.py garbage SOCK READY      accepts, answers bytes that are no frame
#   peer.py bad SOCK CASE           one malformed request (see CASES);
#                                   prints "CASE R CODE", "CASE closed" or
#                                   "CASE hang" (no answer within 5 s)
#   peer.py hold SOCK N STATUS GO   opens N connections (sending nothing),
#                                   writes "open K" into STATUS, waits until
#                                   the file GO exists (at most 60 s), then
#                                   writes "open K closed C first F" (F: the
#                                   index of the first closed one, or -1)
import os
import select
import socket
import struct
import sys
import time

LIFE = 120


def ready(path):
    with open(path + ".tmp", "w") as f:
        f.write("ready\n")
    os.rename(path + ".tmp", path)


def listener(path, backlog=64):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.listen(backlog)
    return s


def frame(body):
    return struct.pack(">I", len(body)) + body


def fields(*fs):
    return b"".join(f.encode() + b"\0" for f in fs)


def serve(path, rd, answer):
    """Accepts connections; answer(conn) is called once a connection
    has sent something; connections are kept open until the end."""
    s = listener(path)
    ready(rd)
    conns = []
    answered = set()
    end = time.monotonic() + LIFE
    while time.monotonic() < end:
        r, _, _ = select.select([s] + conns, [], [], 0.5)
        for c in r:
            if c is s:
                conns.append(s.accept()[0])
                continue
            try:
                data = c.recv(65536)
            except OSError:
                data = b""
            if not data:
                conns.remove(c)
                c.close()
                continue
            if answer and c not in answered:
                answered.add(c)
                try:
                    answer(c)
                except OSError:
                    pass


def backlog(path, rd):
    s = listener(path, 1)
    ready(rd)
    time.sleep(LIFE)


def read_answer(c, limit=5.0):
    """One frame's type and fields, 'closed', or 'hang'."""
    c.settimeout(limit)
    buf = b""
    end = time.monotonic() + limit
    try:
        while len(buf) < 4:
            c.settimeout(max(0.01, end - time.monotonic()))
            d = c.recv(4 - len(buf))
            if not d:
                return "closed"
            buf += d
        n = struct.unpack(">I", buf)[0]
        if n < 1 or n > 8192:
            return "badlength %d" % n
        body = b""
        while len(body) < n:
            c.settimeout(max(0.01, end - time.monotonic()))
            d = c.recv(n - len(body))
            if not d:
                return "cut"
            body += d
    except socket.timeout:
        return "hang"
    except ConnectionResetError:
        return "closed"
    parts = body[1:].split(b"\0")[:-1] if len(body) > 1 else []
    return " ".join([chr(body[0])] + [p.decode("utf-8", "replace")
                                     for p in parts])


HELLO = ["vouch/1", "password", "auth", "0", "root", "bad", "", "", "", "0"]

CASES = {
    # bytes that are no frame at all (the length reads as ~1.2 GB)
    "garbage": b"GET / HTTP/1.0\r\n\r\n" + os.urandom(64),
    "len0": struct.pack(">I", 0),
    "lenmax": struct.pack(">I", 0x7FFFFFFF) + b"H" * 100,
    "len8193": struct.pack(">I", 8193) + b"H" * 8193,
    # a frame cut short, then the writing side closed
    "truncated": struct.pack(">I", 100) + b"Hvouch/1\0pass",
    "unknown_type": frame(b"Z" + fields(*HELLO)),
    "lower_type": frame(b"h" + fields(*HELLO)),
    "answer_first": frame(b"A" + fields("secret")),
    "no_nul_end": frame(b"H" + fields(*HELLO)[:-1]),
    "wrong_version": frame(b"H" + fields("vouch/2", *HELLO[1:])),
    "few_fields": frame(b"H" + fields(*HELLO[:9])),
    "no_fields": frame(b"H"),
    "bad_flags": frame(b"H" + fields(*(HELLO[:3] + ["x"] + HELLO[4:]))),
    "bad_ruid": frame(b"H" + fields(*(HELLO[:9] + ["-1"]))),
    "unknown_module": frame(b"H" + fields(*(["vouch/1", "nosuch"] +
                                           HELLO[2:]))),
    "too_many_fields": frame(b"H" + fields(*(HELLO + ["x"] * 60))),
}


def bad(path, case):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(5)
    c.connect(path)
    try:
        c.sendall(CASES[case])
        if case == "truncated":
            c.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
        pass
    print(case, read_answer(c))
    c.close()


def hold(path, n, status, go):
    conns = []
    for i in range(n):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(5)
        try:
            c.connect(path)
        except OSError as e:
            print("connect %d: %s" % (i, e), file=sys.stderr)
            c.close()
            break
        conns.append(c)
    with open(status + ".tmp", "w") as f:
        f.write("open %d\n" % len(conns))
    os.rename(status + ".tmp", status)
    end = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < end:
        time.sleep(0.05)
    closed, first = 0, -1
    for i, c in enumerate(conns):
        r, _, _ = select.select([c], [], [], 0)
        if r:
            try:
                d = c.recv(1, socket.MSG_DONTWAIT)
            except OSError:
                d = b""
            if not d:
                closed += 1
                if first < 0:
                    first = i
    with open(status + ".tmp", "w") as f:
        f.write("open %d closed %d first %d\n" % (len(conns), closed, first))
    os.rename(status + ".tmp", status)
    for c in conns:
        c.close()


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "silent":
        serve(path, sys.argv[3], None)
    elif mode == "halfframe":
        serve(path, sys.argv[3], lambda c: c.sendall(b"\0\0\0\x10R1"))
    elif mode == "garbage":
        serve(path, sys.argv[3], lambda c: c.sendall(b"\xff" * 64))
    elif mode == "backlog":
        backlog(path, sys.argv[3])
    elif mode == "bad":
        bad(path, sys.argv[3])
    elif mode == "hold":
        hold(path, int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
