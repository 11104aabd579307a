#!/usr/bin/python3
"""An interactive shell on a pseudo-terminal, driven by a test.

Usage: ptyshell.py < STEPS.py

Starts `bash --norc --noprofile --noediting -i` as the leader of a new session whose
controlling terminal is a fresh pty (the "outer terminal", the user's in a
real session), 24x80, turns its echo off (only output is matched), then runs the Python code on stdin with these names:

  send(text)             type text (str, may hold control characters)
  expect(regex, secs)    wait until the output since the last match holds
                         regex; returns the match; on time out prints what
                         was seen and exits 3
  resize(rows, cols)     set the outer terminal's size (bash passes the
                         SIGWINCH on to its foreground job)
  outer_modes()          the outer terminal's termios, read from the test's
                         side: a string that changes when any mode does
  say(key, value)        print "key=value" for the .t file to check
  pid_state(pid)         the state letter of a process (R, S, T, ...)
  job_pid()              the pid of the shell's foreground job (clbox)
  outer_foreground()     the outer terminal's foreground process group

Every wait is bounded; the shell is killed at the end.
"""
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
import fcntl

DEADLINE = time.monotonic() + float(os.environ.get("PTYSHELL_TIMEOUT", "60"))

pid, master = pty.fork()
if pid == 0:
    os.environ["PS1"] = "$ "
    os.environ["PROMPT_COMMAND"] = ""
    os.environ["TERM"] = "dumb"
    os.execv("/bin/bash", ["bash", "--norc", "--noprofile", "--noediting", "+H", "-i"])

seen = b""
buffer = b""


def _read_some(secs):
    global seen, buffer
    r, _, _ = select.select([master], [], [], secs)
    if not r:
        return
    try:
        data = os.read(master, 65536)
    except OSError:
        data = b""
    if not data:
        raise EOFError
    seen += data
    buffer += data


def send(text):
    os.write(master, text.encode() if isinstance(text, str) else text)


def expect(regex, secs=10):
    global buffer
    pattern = re.compile(regex.encode() if isinstance(regex, str) else regex, re.S)
    end = min(time.monotonic() + secs, DEADLINE)
    while True:
        m = pattern.search(buffer)
        if m:
            buffer = buffer[m.end():]
            return m
        left = end - time.monotonic()
        if left <= 0:
            break
        try:
            _read_some(min(left, 0.2))
        except EOFError:
            break
    sys.stdout.write("expect-timeout=%r\nwaited-for=%r\n" % (buffer[-2000:], regex))
    finish(3)


def drain(secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            _read_some(0.05)
        except EOFError:
            return


def resize(rows, cols):
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)


def outer_modes():
    # The outer terminal's state as its owner sees it, read from the slave
    # side: termios, line discipline, exclusive mode (an exclusive terminal
    # refuses this open with EBUSY).
    n = struct.unpack("I", fcntl.ioctl(master, 0x80045430, b"\0" * 4))[0]  # TIOCGPTN
    try:
        fd = os.open("/dev/pts/%d" % n, os.O_RDWR | os.O_NOCTTY)
    except OSError as e:
        return "cannot-open:%s" % e.strerror
    try:
        attrs = termios.tcgetattr(fd)
        disc = struct.unpack("i", fcntl.ioctl(fd, termios.TIOCGETD, b"\0" * 4))[0]
        excl = struct.unpack("i", fcntl.ioctl(fd, 0x80045440, b"\0" * 4))[0]  # TIOCGEXCL
        return "%r disc=%d excl=%d" % (attrs, disc, excl)
    finally:
        os.close(fd)


def say(key, value):
    sys.stdout.write("%s=%s\n" % (key, value))
    sys.stdout.flush()


def pid_state(p):
    try:
        with open("/proc/%d/stat" % p) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def job_pid(secs=10):
    """The shell's child: the job it runs in the foreground (clbox)."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            pass
        time.sleep(0.05)
    say("no-job", 1)
    finish(3)


def outer_foreground():
    """The outer terminal's foreground process group."""
    return struct.unpack("i", fcntl.ioctl(master, termios.TIOCGPGRP, b"\0" * 4))[0]


def finish(code=0):
    sys.stdout.flush()
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    os._exit(code)


fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
signal.signal(signal.SIGALRM, lambda *_: (sys.stdout.write("ptyshell-timeout=1\n"), finish(4)))
signal.alarm(int(os.environ.get("PTYSHELL_TIMEOUT", "60")) + 5)
expect(r"\$ $", 10)
# What is typed is not echoed: what the steps wait for is only output.
send("stty -echo\n")
expect(r"\$ $", 10)
code = sys.stdin.read()
exec(compile(code, "steps", "exec"))
finish(0)
