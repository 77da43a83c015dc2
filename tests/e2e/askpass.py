#!/usr/bin/python3
# tests/e2e/askpass.py PROMPT - the SSH_ASKPASS program of tests/e2e/
# sshd.sh: ssh runs it once for each keyboard-interactive prompt
# (SSH_ASKPASS_REQUIRE=force) and sends what it prints.  The answers
# follow a plan, E2E_ASK_PLAN, one word a prompt:
#   password  E2E_PASSWORD            badpass  a wrong password
#   code      the code of the newest message in E2E_MAILDIR that came
#             after the first E2E_MAILS ones (waits for it, at most 10 s);
#             when the prompt says a code was "already sent" (a live code
#             offered again: nothing new is sent), the code of the newest
#             message with a code, however old
#   badcode   that code with its last digit changed
#   another   "a" (try another way)    card     E2E_CARD
# Every prompt is logged to E2E_ASK_DIR/ask.log.  When the plan has no
# answer left, the client is ended (SIGTERM to ssh, the parent): ssh
# would otherwise answer empty lines while the server keeps asking.
import email
import email.policy
import os
import re
import signal
import sys
import time

env = os.environ
d = env["E2E_ASK_DIR"]
prompt = sys.argv[1] if len(sys.argv) > 1 else ""
plan = env.get("E2E_ASK_PLAN", "").split()
counter = os.path.join(d, "ask.n")
n = int(open(counter).read()) if os.path.exists(counter) else 0
with open(counter, "w") as f:
    f.write(str(n + 1))
with open(os.path.join(d, "ask.log"), "a") as f:
    f.write("PROMPT %d: %s\n" % (n + 1, prompt.replace("\n", " | ")))


def code_of(path):
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    found = re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", m.get_content())
    return found.group(0) if found else ""


def newest_code(offered_again):
    box = os.path.join(env["E2E_MAILDIR"], "new")
    if offered_again:
        # The code sent before: the newest message that holds one.
        paths = sorted((os.path.join(box, x) for x in os.listdir(box)),
                       key=os.path.getmtime, reverse=True)
        for path in paths:
            code = code_of(path)
            if code:
                return code
        return ""
    after = int(env.get("E2E_MAILS", "0"))
    end = time.monotonic() + 10
    while time.monotonic() < end:
        names = os.listdir(box)
        if len(names) > after:
            break
        time.sleep(0.05)
    else:
        return ""
    return code_of(max((os.path.join(box, x) for x in names),
                       key=os.path.getmtime))


if n >= len(plan):
    os.kill(os.getppid(), signal.SIGTERM)
    sys.exit(1)
step = plan[n]
if step == "password":
    answer = env["E2E_PASSWORD"]
elif step == "badpass":
    answer = env["E2E_PASSWORD"] + "x"
elif step in ("code", "badcode"):
    answer = newest_code("already sent" in prompt)
    if step == "badcode" and answer:
        answer = answer[:-1] + str((int(answer[-1]) + 1) % 10)
elif step == "another":
    answer = "a"
elif step == "card":
    answer = env["E2E_CARD"]
else:
    sys.exit(1)
print(answer)
