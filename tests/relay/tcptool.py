#!/usr/bin/env python3
"""tcptool.py - the ends of the TCP connections the relay tests send through
clbox's relay (standard library only; every wait bounded).

  tcptool.py serve ADDR PORT MODE [ARG] --log FILE [--max-conns N] [--lifetime S]
      one connection at a time (hold: all at once), a line per connection in FILE:
        sink          read to EOF: "sink bytes=N sha=HEX", then send "got N HEX\\n" and close
        source N      send N bytes (seed 1), shut down writing, read to EOF: "source sent=N then-read=M"
        echo          send back what comes, shut down writing at EOF: "echo bytes=N"
        reset         read a line, then close with a RST: "reset after=N"
        record        read to EOF (or a reset): "record bytes=N data=REPR-OF-THE-FIRST-200"
        hold          keep every connection open: "hold n=K" at each new one
  tcptool.py client ADDR PORT MODE [ARG] [--timeout S]
      prints one line, "result ... ms=MS":
        send N        send N bytes (seed 2), shut down writing, read the answer: "sent=N sha=HEX answer=..."
        recv          read to EOF: "recv bytes=N sha=HEX", then send "late\\n" and close
        echo N        send N bytes while reading them back: "echo sent=N got=M same=yes|no"
        hello TEXT    send TEXT and a newline, then FIN, read to EOF: "hello answer=REPR"
        slow TEXT     send TEXT, wait a second, send more, then FIN, read to EOF: "slow answer=REPR"
        connect       "connected" or the error
        reset TEXT    send TEXT, wait 0.3 s, close with a RST: "reset sent=N"
        hold K        open K connections, send a byte on each, wait 1 s: "hold open=A reset=B"
  Errors print "error=NAME" (ECONNRESET, ECONNREFUSED, timeout, ...).
  tcptool.py pattern-sha SEED N
      the SHA-256 of the N bytes a server (seed 1) or client (seed 2, echo 3) sends
"""
import errno
import hashlib
import random
import select
import socket
import sys
import time

CHUNK = 1 << 16


def pattern(seed, n):
    rng = random.Random(seed)
    left = n
    while left > 0:
        k = min(left, 1 << 20)
        yield rng.randbytes(k)
        left -= k


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def err_name(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    return errno.errorcode.get(e.errno, str(e.errno)) if getattr(e, "errno", None) else type(e).__name__


def read_all(s, limit=None):
    h, n, first = hashlib.sha256(), 0, b""
    while True:
        b = s.recv(CHUNK)
        if not b:
            return n, h.hexdigest(), first
        h.update(b)
        if len(first) < 200:
            first += b[: 200 - len(first)]
        n += len(b)


# --------------------------------------------------------------- the server
def serve_one(c, mode, arg, log):
    if mode == "sink":
        n, sha, _ = read_all(c)
        log(f"sink bytes={n} sha={sha}")
        c.sendall(f"got {n} {sha}\n".encode())
    elif mode == "source":
        total = int(arg)
        for b in pattern(1, total):
            c.sendall(b)
        c.shutdown(socket.SHUT_WR)
        n, _, first = read_all(c)
        log(f"source sent={total} then-read={n} data={first!r}")
    elif mode == "echo":
        n = 0
        while True:
            b = c.recv(CHUNK)
            if not b:
                break
            c.sendall(b)
            n += len(b)
        c.shutdown(socket.SHUT_WR)
        log(f"echo bytes={n}")
    elif mode == "reset":
        got = b""
        while b"\n" not in got:
            b = c.recv(100)
            if not b:
                break
            got += b
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        log(f"reset after={len(got)}")
    elif mode == "record":
        data, how = b"", "eof"
        try:
            while True:
                b = c.recv(CHUNK)
                if not b:
                    break
                data += b
        except OSError as e:
            how = err_name(e)
        log(f"record bytes={len(data)} end={how} data={data[:200]!r}")


def serve(addr, port, mode, arg, logfile, max_conns, lifetime):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(256)
    end = time.monotonic() + lifetime
    held = []

    def log(line):
        with open(logfile, "a") as f:
            f.write(line + "\n")

    log("listening")
    for _ in range(max_conns):
        left = end - time.monotonic()
        if left <= 0 or not select.select([ls], [], [], left)[0]:
            break
        c, _ = ls.accept()
        if mode == "hold":
            held.append(c)
            log(f"hold n={len(held)}")
            continue
        c.settimeout(max(1.0, end - time.monotonic()))
        try:
            serve_one(c, mode, arg, log)
        except OSError as e:
            log(f"{mode} error={err_name(e)}")
        c.close()
    if held:
        time.sleep(max(0.0, min(5.0, end - time.monotonic())))


# --------------------------------------------------------------- the client
def client(addr, port, mode, arg, timeout):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((addr, port))
    if mode == "connect":
        return "connected"
    if mode == "reset":
        s.sendall(arg.encode())
        time.sleep(0.3)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        return f"reset sent={len(arg)}"
    if mode == "send":
        total, h = int(arg), hashlib.sha256()
        for b in pattern(2, total):
            h.update(b)
            s.sendall(b)
        s.shutdown(socket.SHUT_WR)
        _, _, first = read_all(s)
        return f"sent={total} sha={h.hexdigest()} answer={first.decode(errors='replace').strip()}"
    if mode == "recv":
        n, sha, _ = read_all(s)
        s.sendall(b"late\n")
        s.shutdown(socket.SHUT_WR)
        return f"recv bytes={n} sha={sha}"
    if mode == "echo":
        return echo(s, int(arg))
    if mode in ("hello", "slow"):
        s.sendall(arg.encode() + (b"" if mode == "slow" else b"\n"))
        if mode == "slow":
            time.sleep(1)
            s.sendall(b" and more\n")
        # The FIN is what ends an echo server's answer (it echoes to EOF).
        # A connection reset already is told by the read that follows.
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        _, _, first = read_all(s)
        return f"{mode} answer={first!r}"
    raise SystemExit(f"tcptool.py: unknown client mode {mode}")


def echo(s, total):
    """Sends and reads back at once (the relay must not deadlock on it)."""
    s.setblocking(False)
    want = hashlib.sha256()
    got, sent, n_got = hashlib.sha256(), 0, 0
    data = b"".join(pattern(3, total))
    want.update(data)
    end = time.monotonic() + 60
    while n_got < total and time.monotonic() < end:
        w = [s] if sent < total else []
        r, wr, _ = select.select([s], w, [], 1)
        if wr:
            try:
                sent += s.send(data[sent : sent + CHUNK])
            except BlockingIOError:
                pass
            if sent == total:
                s.shutdown(socket.SHUT_WR)
        if r:
            b = s.recv(CHUNK)
            if not b:
                break
            got.update(b)
            n_got += len(b)
    return f"echo sent={sent} got={n_got} same={'yes' if got.digest() == want.digest() else 'no'}"


def hold(addr, port, k):
    socks = []
    for _ in range(k):
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect((addr, port))
            s.send(b"x")
            socks.append(s)
        except OSError:
            pass
    time.sleep(1)
    open_, reset = 0, 0
    for s in socks:
        s.setblocking(False)
        try:
            b = s.recv(1)
            reset += 1 if b == b"" else 0
            open_ += 0 if b == b"" else 1
        except BlockingIOError:
            open_ += 1
        except OSError:
            reset += 1
    return f"hold open={open_} reset={reset}"


def main(argv):
    args, opts = [], {"--log": None, "--max-conns": "1", "--lifetime": "60", "--timeout": "10"}
    i = 1
    while i < len(argv):
        if argv[i] in opts:
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if args[0] == "pattern-sha":
        h = hashlib.sha256()
        for b in pattern(int(args[1]), int(args[2])):
            h.update(b)
        print(h.hexdigest())
        return 0
    role, addr, port, mode = args[0], args[1], int(args[2]), args[3]
    arg = args[4] if len(args) > 4 else None
    if role == "serve":
        serve(addr, port, mode, arg, opts["--log"], int(opts["--max-conns"]), float(opts["--lifetime"]))
        return 0
    t0 = time.monotonic()
    try:
        out = hold(addr, port, int(arg)) if mode == "hold" else client(addr, port, mode, arg, float(opts["--timeout"]))
    except OSError as e:
        out = f"error={err_name(e)}"
    print(f"result {out} ms={int((time.monotonic() - t0) * 1000)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
