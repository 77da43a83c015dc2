#!/usr/bin/python3
"""smtp_drop.py PORTFILE LIFETIME - an SMTP server on 127.0.0.1 that
accepts EHLO, MAIL, RCPT and DATA, reads the first line of the message
and then drops the connection (no final reply).  Writes its port to
PORTFILE once it listens, counts the dropped messages in PORTFILE.drops
and ends after LIFETIME seconds."""
import socket
import sys
import threading
import time


def serve(conn, drops):
    f = conn.makefile("rb")
    conn.sendall(b"220 drop.example ESMTP\r\n")
    try:
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                conn.sendall(b"250-drop.example\r\n250 8BITMIME\r\n")
            elif cmd == b"DATA":
                conn.sendall(b"354 go on\r\n")
                f.readline()
                with drops[1]:
                    drops[0] += 1
                    with open(drops[2], "w") as out:
                        out.write("%d\n" % drops[0])
                return
            elif cmd == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")
    finally:
        conn.close()


def main():
    portfile, lifetime = sys.argv[1], float(sys.argv[2])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.5)
    drops = [0, threading.Lock(), portfile + ".drops"]
    with open(portfile + ".tmp", "w") as out:
        out.write("%d\n" % srv.getsockname()[1])
    import os
    os.rename(portfile + ".tmp", portfile)
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        conn.settimeout(10)
        threading.Thread(target=serve, args=(conn, drops), daemon=True).start()


if __name__ == "__main__":
    main()
