#!/usr/bin/python3
"""http_sink.py - a fake SMS gateway for the tests, on 127.0.0.1 only.

usage: http_sink.py MODE PORTFILE DIR [LIFETIME]

Listens on 127.0.0.1, port 0 (the kernel picks a free one), writes the
port to PORTFILE, records every request (method, path, headers, body) as
DIR/NNNN.json (written under a temporary name and renamed, so a file that
exists is complete) and answers according to MODE:

  ok         200 with a short JSON body
  fail500    500
  status429  429
  redirect   302 to /ok on the same server
  huge       200 with a 1 MiB body
  hugefail   500 with a 1 MiB body
  hang       sleeps 60 s before answering
  refuse     closes the connection without answering

A first path segment naming a mode ("/fail500/send") overrides MODE for
that request, so one server can play every part.  The server exits by
itself after LIFETIME seconds (default 300) so that nothing outlives a
test that was killed.
"""
import http.server
import json
import os
import socket
import sys
import threading
import time

MODES = ("ok", "fail500", "status429", "redirect", "huge", "hugefail",
         "hang", "refuse")


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counter = 0
    lock = threading.Lock()

    def log_message(self, fmt, *args):  # keep the test logs quiet
        pass

    def record(self, body):
        with Sink.lock:
            Sink.counter += 1
            n = Sink.counter
        rec = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        tmp = os.path.join(self.server.dir, ".tmp-%04d" % n)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(rec, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.server.dir, "%04d.json" % n))

    def mode(self):
        first = self.path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
        return first if first in MODES else self.server.mode

    def answer(self, status, body=b"", extra=None):
        self.send_response(status)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(n, 1 << 20)) if n > 0 else b""
        self.record(body)
        mode = self.mode()
        if mode == "refuse":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       b"\1\0\0\0\0\0\0\0")
            return
        if mode == "hang":
            time.sleep(60)
        if mode in ("ok", "hang"):
            self.answer(200, b'{"status":"queued"}',
                        {"Content-Type": "application/json"})
        elif mode == "fail500":
            self.answer(500, b"internal error")
        elif mode == "status429":
            self.answer(429, b"slow down", {"Retry-After": "30"})
        elif mode == "redirect":
            self.answer(302, b"", {"Location": "/ok"})
        elif mode == "huge":
            self.answer(200, b"x" * (1 << 20))
        elif mode == "hugefail":
            self.answer(500, b"x" * (1 << 20))

    do_POST = handle_any
    do_GET = handle_any
    do_PUT = handle_any


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in MODES:
        sys.stderr.write("usage: http_sink.py MODE PORTFILE DIR [LIFETIME]\n")
        return 2
    lifetime = float(sys.argv[4]) if len(sys.argv) == 5 else 300.0
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    srv.daemon_threads = True
    srv.mode = sys.argv[1]
    srv.dir = sys.argv[3]
    os.makedirs(srv.dir, exist_ok=True)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, sys.argv[2])
    threading.Timer(lifetime, lambda: os._exit(0)).start()
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
