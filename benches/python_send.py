#!/usr/bin/env python3
"""Times CPython's generator `send` and `next` on this machine: the peer of `benches/core.rs`.

The generators are the same accumulator and counter that `cargo bench -p volley-benches --bench core` drives.
Prints nanoseconds per `gen.send(1)` and per `next(gen)`, each as the caller pays it inside a
timeit loop, and the bare loop's own cost for reference.

With --compare it also reads the estimates criterion saved from the last
`cargo bench -p volley-benches --bench core` (under target/criterion/core, or $CARGO_TARGET_DIR/criterion/core)
and prints each benchmark's time and its ratio to the raw std resume of the same kind.

Usage:
    cargo bench -p volley-benches --bench core
    python3 benches/python_send.py --compare
"""

import argparse
import json
import os
import platform
import sys
import timeit
from pathlib import Path

REPEATS = 7

# Estimates saved further apart than this are taken to come from different bench runs.
SAME_RUN_SECONDS = 600


def accumulator():
    """Yields the total of everything sent so far."""
    total = 0
    while True:
        sent = yield total
        total += sent


def counter():
    """Yields 0, 1, 2, ... for ever."""
    n = 0
    while True:
        yield n
        n += 1


def best_ns_per_call(statement, setup):
    """The fastest of REPEATS timeit runs, in nanoseconds per execution of `statement`.

    Names bound in `setup` are locals of timeit's inner function, so looking them up is as
    cheap as it gets in CPython.
    """
    timer = timeit.Timer(statement, setup=setup)
    number, _ = timer.autorange()
    number = max(number, 1_000_000)
    best = min(timer.repeat(repeat=REPEATS, number=number))
    return best / number * 1e9


def time_cpython():
    # Prime the accumulator with next(), as Co::start does.
    send_ns = best_ns_per_call(
        "send(1)",
        "from __main__ import accumulator; gen = accumulator(); next(gen); send = gen.send",
    )
    next_ns = best_ns_per_call("next(gen)", "from __main__ import counter; gen = counter()")
    loop_ns = best_ns_per_call("pass", "")
    return send_ns, next_ns, loop_ns


def criterion_dir():
    target = os.environ.get("CARGO_TARGET_DIR")
    root = Path(target) if target else Path(__file__).resolve().parent.parent / "target"
    return root / "criterion" / "core"


def estimate_ns(bench_dir):
    """criterion's headline estimate (slope when it fitted one, else the mean), in ns."""
    path = bench_dir / "new" / "estimates.json"
    estimates = json.loads(path.read_text())
    headline = estimates.get("slope") or estimates["mean"]
    return headline["point_estimate"]


def compare(send_ns, next_ns):
    directory = criterion_dir()
    if not directory.is_dir():
        print(f"no criterion results in {directory}: run `cargo bench -p volley-benches --bench core` first")
        return False
    times = {}
    saved_at = []
    for bench_dir in sorted(directory.iterdir()):
        estimates = bench_dir / "new" / "estimates.json"
        if estimates.is_file():
            times[bench_dir.name] = estimate_ns(bench_dir)
            saved_at.append(estimates.stat().st_mtime)
    if saved_at and max(saved_at) - min(saved_at) > SAME_RUN_SECONDS:
        print(
            "warning: these estimates come from different `cargo bench` runs; "
            "rerun `cargo bench -p volley-benches --bench core` whole for ratios within one run"
        )
    times["send_cpython"] = send_ns
    times["next_cpython"] = next_ns

    def peer_of(name):
        kind = name.split("_")[0]
        return f"{kind}_std_resume" + ("_boxed" if name.endswith("_boxed") else "")

    missing = sorted({peer_of(name) for name in times} - set(times))
    if missing:
        print(f"the raw std baselines {missing} are missing from {directory}")
        return False
    print()
    print("| benchmark | ns per call | vs raw std resume | raw std peer |")
    print("|---|---|---|---|")
    for name in sorted(times, key=lambda n: (peer_of(n), times[n])):
        peer = peer_of(name)
        ratio = times[name] / times[peer]
        label = name.replace("_", "/", 1)
        print(f"| {label} | {times[name]:.2f} | {ratio:.2f}x | {peer.replace('_', '/', 1)} |")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also print the criterion estimates of `cargo bench -p volley-benches --bench core` and their ratios",
    )
    args = parser.parse_args()

    send_ns, next_ns, loop_ns = time_cpython()
    print(f"CPython {platform.python_version()} ({platform.machine()})")
    print(f"gen.send(1): {send_ns:.1f} ns/send")
    print(f"next(gen):   {next_ns:.1f} ns/next")
    print(f"timeit loop: {loop_ns:.1f} ns/iteration (included in both)")
    if args.compare and not compare(send_ns, next_ns):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
