#!/usr/bin/env python3
"""The M/M/c queue of `cargo run --release --example mmc`, written for SimPy 4: the peer the
Volley scheduler's speed is compared with (see `benches/mmc_vs_simpy.sh`, which installs SimPy
from PyPI into a virtual environment and runs both).

The model is the same: one source process waits an exponential gap (`env.timeout`) and puts
the customer's arrival time in a `simpy.Store`; each of the c server processes gets the next
customer (waiting while the line is empty), adds its wait, and waits an exponential service
time. The run ends when the last customer is served.

Usage:
    python3 benches/mmc_simpy.py --lambda 0.9 --mu 1.0 --servers 1 --customers 200000 --seed 7
Prints one JSON object: customers, mean_wait, utilization, wall_time_s, ns_per_customer,
cpu_time_s, cpu_ns_per_customer (processor time of the simulation's thread).
"""

import argparse
import json
import random
import time

import simpy


def source(env, line, rng, lam, customers):
    for _ in range(customers):
        yield env.timeout(rng.expovariate(lam))
        yield line.put(env.now)


def server(env, line, rng, mu, customers, totals, done):
    while True:
        arrived = yield line.get()
        totals["waited"] += env.now - arrived
        service = rng.expovariate(mu)
        totals["busy"] += service
        yield env.timeout(service)
        totals["served"] += 1
        if totals["served"] == customers:
            done.succeed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lambda", dest="lam", type=float, default=0.9)
    parser.add_argument("--mu", type=float, default=1.0)
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.lam >= args.mu * args.servers:
        parser.error("the queue is unstable: lambda must be below servers x mu")

    env = simpy.Environment()
    rng = random.Random(args.seed)
    line = simpy.Store(env)
    totals = {"served": 0, "waited": 0.0, "busy": 0.0}
    done = env.event()
    env.process(source(env, line, rng, args.lam, args.customers))
    for _ in range(args.servers):
        env.process(server(env, line, rng, args.mu, args.customers, totals, done))
    started = time.perf_counter()
    cpu_started = time.thread_time()
    env.run(until=done)
    cpu = time.thread_time() - cpu_started
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "simpy": simpy.__version__,
                "customers": totals["served"],
                "mean_wait": totals["waited"] / totals["served"],
                "utilization": totals["busy"] / (env.now * args.servers),
                "wall_time_s": wall,
                "ns_per_customer": wall * 1e9 / totals["served"],
                "cpu_time_s": cpu,
                "cpu_ns_per_customer": cpu * 1e9 / totals["served"],
            }
        )
    )


if __name__ == "__main__":
    main()
