#!/usr/bin/python3
"""qr_read.py CONV_OUT PBM: the QR code a PAM conversation drew with
Unicode half blocks (pam_vouch_device url=), as a PBM picture for
zbarimg.  Light modules are blocks, dark ones blanks (qrencode -t UTF8).
Prints the messages' sizes in bytes, one a line, to check PAM's limit."""
import sys

GLYPH = {"\u2588": (1, 1), "\u2580": (1, 0), "\u2584": (0, 1), " ": (0, 0)}
SCALE = 4


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    rows, sizes, size = [], [], None
    for line in text.split("\n"):
        msg = line.startswith("TEXT_INFO: ")
        body = line[len("TEXT_INFO: "):] if msg else line
        is_qr = len(body) > 20 and all(c in GLYPH for c in body) \
            and "\u2588" in body
        if msg:
            if size is not None:
                sizes.append(size)
            size = len(body.encode()) if is_qr else None
        elif is_qr and size is not None:
            size += 1 + len(body.encode())
        if is_qr:
            top = [GLYPH[c][0] for c in body]
            bottom = [GLYPH[c][1] for c in body]
            rows += [top, bottom]
    if size is not None:
        sizes.append(size)
    if not rows:
        sys.exit("no QR code in " + sys.argv[1])
    width = max(len(r) for r in rows)
    with open(sys.argv[2], "w") as out:
        out.write("P1\n%d %d\n" % (width * SCALE, len(rows) * SCALE))
        for r in rows:
            r = r + [1] * (width - len(r))
            line = " ".join("0" if light else "1"
                            for light in r for _ in range(SCALE))
            for _ in range(SCALE):
                out.write(line + "\n")
    for s in sizes:
        print(s)


main()
