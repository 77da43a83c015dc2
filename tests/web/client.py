#!/usr/bin/python3
"""tests/web/client.py - one HTTP request for the web tests, from the
standard library only: client.py METHOD URL [-H 'Name: value']... [-d BODY]
[-b FILE].  An https:// URL is verified against the CA file that
VOUCH_TEST_CA names.  Prints "status N", each response header as "h name: value"
(name lower-cased), then "body" and the body.  Exit 0 when an answer
came, 1 when none did (within 20 s)."""
import http.client
import os
import ssl
import sys
import urllib.parse


def main():
    args = sys.argv[1:]
    method, url = args[0], args[1]
    headers, body = {}, None
    i = 2
    while i < len(args):
        if args[i] == "-H":
            k, v = args[i + 1].split(":", 1)
            headers[k.strip()] = v.strip()
        elif args[i] == "-d":
            body = args[i + 1].encode("utf-8", "surrogateescape")
        elif args[i] == "-b":
            with open(args[i + 1], "rb") as f:
                body = f.read()
        i += 2
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        ctx = ssl.create_default_context(cafile=os.environ["VOUCH_TEST_CA"])
        c = http.client.HTTPSConnection(u.hostname, u.port, timeout=20,
                                        context=ctx)
    else:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    path = u.path + ("?" + u.query if u.query else "")
    if body is not None and "Content-Type" not in headers:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
    except (OSError, http.client.HTTPException, ssl.SSLError) as e:
        print("error %s" % e)
        return 1
    out = sys.stdout.buffer
    out.write(b"status %d\n" % r.status)
    for k, v in r.getheaders():
        out.write(("h %s: %s\n" % (k.lower(), v)).encode())
    out.write(b"body\n" + data)
    return 0


sys.exit(main())
