#!/usr/bin/env python3
"""Mixed hostile load against a Volley server, for benches/soak.sh.

    python3 benches/soak_load.py --kind echo|resp --addr 127.0.0.1:PORT [--seconds 60]

For --seconds, threads run side by side:
  - well-behaved clients: request, check the answer, repeat (a new connection each time, and one
    long-lived connection); every answer must come, right, within --answer-timeout seconds;
  - slow readers: send a lot (or ask for large replies) and never read, hold, then close;
  - half-sent requests: send part of a request, hold, close;
  - connection storms: bursts of connections opened and closed at once;
  - resets: connect, send a little, close with SO_LINGER 0 (an RST).
Prints one summary line; exits 1 if any well-behaved request went unanswered or wrong.
"""

import argparse
import socket
import struct
import sys
import threading
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kind", choices=["echo", "resp"], required=True)
    p.add_argument("--addr", required=True, help="HOST:PORT")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--answer-timeout", type=float, default=10.0)
    p.add_argument("--gentle", action="store_true", help="well-behaved clients only (a warm-up)")
    return p.parse_args()


ARGS = parse_args()
HOST, PORT = ARGS.addr.rsplit(":", 1)
PORT = int(PORT)
DEADLINE = time.monotonic() + ARGS.seconds
LOCK = threading.Lock()
STATS = {"answered": 0, "failed": 0, "slow": 0, "half": 0, "storm": 0, "reset": 0, "refused": 0}
FAILURES = []


def note(key, n=1):
    with LOCK:
        STATS[key] += n


def fail(message):
    with LOCK:
        STATS["failed"] += 1
        if len(FAILURES) < 10:
            FAILURES.append(message)


def running():
    return time.monotonic() < DEADLINE


def connect(timeout):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.settimeout(timeout)
    return s


def read_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def resp_command(*parts):
    out = b"*%d\r\n" % len(parts)
    for part in parts:
        out += b"$%d\r\n%s\r\n" % (len(part), part)
    return out


def exchange(s, n):
    """One well-behaved request on `s`, checked; `n` makes it unique."""
    if ARGS.kind == "echo":
        message = b"ping %d\n" % n
        s.sendall(message)
        got = read_exactly(s, len(message))
        if got != message:
            raise ValueError("echoed %r for %r" % (got, message))
    else:
        key, value = b"soak:%d" % (n % 1000), b"v%d" % n
        s.sendall(resp_command(b"SET", key, value) + resp_command(b"GET", key))
        want = b"+OK\r\n" + b"$%d\r\n%s\r\n" % (len(value), value)
        got = read_exactly(s, len(want))
        if got != want:
            raise ValueError("answered %r, expected %r" % (got, want))


def well_behaved(index, fresh_connections):
    n = index * 1_000_000
    s = None
    while running():
        n += 1
        try:
            if s is None:
                s = connect(ARGS.answer_timeout)
            exchange(s, n)
            note("answered")
        except (OSError, ValueError) as e:
            fail("client %d request %d: %s" % (index, n, e))
            if s is not None:
                s.close()
            s = None
            continue
        if fresh_connections:
            s.close()
            s = None
        time.sleep(0.01)
    if s is not None:
        s.close()


def slow_reader():
    while running():
        try:
            s = connect(2.0)
            if ARGS.kind == "echo":
                payload = b"x" * (4 << 20)  # echoed back into a socket nobody reads
            else:
                big = b"y" * (256 << 10)
                s.sendall(resp_command(b"SET", b"soak:big", big))
                read_exactly(s, 5)
                payload = resp_command(b"GET", b"soak:big") * 64
            try:
                s.sendall(payload)
            except socket.timeout:
                pass  # the server stopped reading: what a slow reader causes
            note("slow")
            time.sleep(3.0)
            s.close()
        except OSError:
            note("refused")
            time.sleep(0.1)


def half_sender():
    partial = b"half a li" if ARGS.kind == "echo" else b"*3\r\n$3\r\nSET\r\n$4\r\nsoak\r\n$100\r\nabc"
    while running():
        held = []
        try:
            for _ in range(20):
                s = connect(2.0)
                s.sendall(partial)
                held.append(s)
            note("half", len(held))
            time.sleep(2.0)
        except OSError:
            note("refused")
            time.sleep(0.1)
        for s in held:
            s.close()


def storm():
    while running():
        opened = []
        for _ in range(200):
            try:
                opened.append(connect(2.0))
            except OSError:
                note("refused")
                break
        note("storm", len(opened))
        for s in opened:
            s.close()
        time.sleep(0.2)


def resetter():
    linger = struct.pack("ii", 1, 0)
    while running():
        try:
            s = connect(2.0)
            s.sendall(b"ping 1\n" if ARGS.kind == "echo" else resp_command(b"PING"))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            s.close()
            note("reset")
        except OSError:
            note("refused")
        time.sleep(0.005)


def main():
    threads = [threading.Thread(target=well_behaved, args=(i, i % 2 == 0)) for i in range(4)]
    if not ARGS.gentle:
        threads += [threading.Thread(target=slow_reader) for _ in range(4)]
        threads += [threading.Thread(target=half_sender) for _ in range(2)]
        threads += [threading.Thread(target=storm) for _ in range(2)]
        threads += [threading.Thread(target=resetter) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(
        "soak load %s: %d answered, %d failed; %d slow readers, %d half-sent, "
        "%d storm connections, %d resets, %d hostile connects refused or timed out"
        % (ARGS.kind, STATS["answered"], STATS["failed"], STATS["slow"], STATS["half"],
           STATS["storm"], STATS["reset"], STATS["refused"])
    )
    for message in FAILURES:
        print("  failed: " + message)
    return 1 if STATS["failed"] or not STATS["answered"] else 0


if __name__ == "__main__":
    sys.exit(main())
