"""Drives `jtorch` (no arguments) on a pseudo-terminal: Tab completion, line editing, persistent history.
usage: repl_pty.py JTORCH HISTORY_FILE   Prints 'key=value' lines for the shell test to check."""
import os
import pty
import re
import fcntl
import select
import struct
import sys
import termios
import time

jtorch, history = sys.argv[1], sys.argv[2]
with open(history, "w") as f:
    f.write("earlier_line = 1\n")  # a previous session's history: Up arrow must find it
env = dict(os.environ, JTORCH_HISTORY=history, TERM="xterm")
pid, fd = pty.fork()
if pid == 0:
    os.execve(jtorch, [jtorch], env)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size

buf = b""


def read_until(pattern, timeout=60):
    global buf
    end = time.time() + timeout
    while time.time() < end:
        m = re.search(pattern, buf)
        if m:
            out, buf = buf[:m.end()], buf[m.end():]
            return out.decode("utf-8", "replace")
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            buf += data
    out, buf = buf, b""
    return out.decode("utf-8", "replace") + "<<timeout>>"


def send(s):
    os.write(fd, s.encode())


def clean(s):
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r", "", s)


results = {}
results["prompt"] = "yes" if read_until(rb">>> ", timeout=300).endswith(">>> ") else "no"
send("import torch\r")
read_until(rb">>> ")
send("torch.ze\t")      # completes the common prefix: torch.zeros
time.sleep(1.5)
send("\t")              # lists the candidates
time.sleep(1.5)
out = clean(read_until(rb"zeros_like", timeout=10))
send("\x15")            # Ctrl-U: erase the line
results["completion_lists"] = "yes" if ("torch.zeros_like" in out and "torch.zeros" in out) else "no:" + repr(out[-300:])
send("\r")
read_until(rb">>> ")
send("x = 41\r")
read_until(rb">>> ")
send("x + 1\r")
out = clean(read_until(rb">>> "))
results["result"] = "yes" if "\n42\n" in out else "no:" + repr(out)
send("\x1bOA" * 4 + "\r")  # Up four times: the line from the history file
out = clean(read_until(rb">>> "))
send("earlier_line + 1\r")
out = clean(read_until(rb">>> "))
results["history_loaded"] = "yes" if "\n2\n" in out else "no:" + repr(out)
send("x.__class__.__na\t\r")  # completes the attribute: __name__
out = clean(read_until(rb">>> "))
results["attr_completion"] = "yes" if "'int'" in out else "no:" + repr(out)
send("for i in range(2):\r")
read_until(rb"\.\.\. ")
send("    print('v', i)\r")
read_until(rb"\.\.\. ")
send("\r")
out = clean(read_until(rb">>> "))
results["block"] = "yes" if "v 0\nv 1" in out else "no:" + repr(out)
send("print(1,\r")            # an open bracket asks for more input
out = clean(read_until(rb"\.\.\. |>>> "))
results["continuation"] = "yes" if out.endswith("... ") else "no:" + repr(out)
send("2)\r")
out = clean(read_until(rb">>> "))
results["continued"] = "yes" if "1 2" in out else "no:" + repr(out)
send("\x04")                   # Ctrl-D ends the session
end = time.time() + 60
status = None
while time.time() < end:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = os.waitstatus_to_exitcode(st)
        break
    try:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            os.read(fd, 65536)
    except OSError:
        pass
results["exit"] = str(status)
with open(history) as f:
    lines = f.read().splitlines()
results["history"] = "yes" if {"earlier_line = 1", "import torch", "x = 41", "x + 1", "    print('v', i)"} <= set(lines) else "no:" + repr(lines)
for k, v in results.items():
    print("%s=%s" % (k, v))
