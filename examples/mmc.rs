//! An M/M/c queue on Volley's simulated scheduler: Poisson arrivals at rate λ, `c` servers
//! with exponential service at rate μ, one first-come first-served line.
//!
//! ```text
//! cargo run --release --example mmc -- --lambda 0.9 --mu 1.0 --servers 1 --customers 1000000 --seed 7 [--json]
//! cargo run --release --example mmc -- --lambda 0.8 --mu 1.0 --customers 100000 --replications 16 [--threads 2]
//! ```
//!
//! One source process sleeps an exponential gap, then puts the customer's arrival time in a
//! [`Store`]; each server process gets the next customer (waiting while the line is empty),
//! records how long it waited, and sleeps an exponential service time. The run prints the
//! customers served, the mean wait in the line beside the Erlang C value queueing theory
//! gives, the servers' utilization, and the events (task resumes) processed. Everything on
//! standard output depends only on the arguments, so the same seed prints the same bytes;
//! the wall time and the processor time go to standard error.
//!
//! With `--engine heap`, the same model runs as a hand-written event loop instead (a binary
//! heap of timed events, the line as a `VecDeque`, the same random numbers): the yardstick the
//! scheduler's speed is measured against (see `benches/mmc_vs_simpy.sh`).
//!
//! With `--replications N`, it runs N independent seeds (from `--seed` on) on `--threads`
//! threads (all cores by default) and prints the mean wait with a 95% confidence interval.
#![feature(coroutines)]

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};
use volley::sched::rand::{rng, Rng};
use volley::sched::task::shutdown;
use volley::sched::time::{clock, sleep_secs};
use volley::sched::{Scheduler, TaskBody, TaskResult, TaskResume};
use volley::sim::{available_threads, replicate, Store};
use volley::{yield_from, Co};

/// What the command line asked for.
struct Options {
    lambda: f64,
    mu: f64,
    servers: u32,
    customers: u64,
    seed: u64,
    json: bool,
    replications: Option<u64>,
    threads: NonZeroUsize,
    heap: bool,
}

const USAGE: &str = "usage: mmc [--lambda RATE] [--mu RATE] [--servers C] [--customers N] [--seed S] [--json] [--replications R] [--threads T] [--engine volley|heap]";

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        lambda: 0.9,
        mu: 1.0,
        servers: 1,
        customers: 1_000_000,
        seed: 7,
        json: false,
        replications: None,
        threads: available_threads(),
        heap: false,
    };
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        if flag == "--json" {
            options.json = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |what: &str| format!("{flag}: {value:?} is not {what}");
        match flag.as_str() {
            "--lambda" => options.lambda = value.parse().map_err(|_| bad("a number"))?,
            "--mu" => options.mu = value.parse().map_err(|_| bad("a number"))?,
            "--servers" => options.servers = value.parse().map_err(|_| bad("a whole number"))?,
            "--customers" => {
                options.customers = value.parse().map_err(|_| bad("a whole number"))?
            }
            "--seed" => options.seed = value.parse().map_err(|_| bad("a whole number"))?,
            "--replications" => {
                options.replications = Some(value.parse().map_err(|_| bad("a whole number"))?)
            }
            "--engine" => match value.as_str() {
                "volley" => options.heap = false,
                "heap" => options.heap = true,
                _ => return Err(bad("volley or heap")),
            },
            "--threads" => {
                options.threads = value.parse().map_err(|_| bad("a positive whole number"))?
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(options.lambda) || !positive(options.mu) {
        return Err("--lambda and --mu must be positive numbers".into());
    }
    if options.servers == 0 || options.customers == 0 {
        return Err("--servers and --customers must be at least 1".into());
    }
    if options.lambda >= options.mu * f64::from(options.servers) {
        return Err(format!(
            "the queue is unstable: lambda ({}) must be below servers x mu ({})",
            options.lambda,
            options.mu * f64::from(options.servers)
        ));
    }
    if options.replications == Some(0) {
        return Err("--replications must be at least 1".into());
    }
    Ok(options)
}

/// The mean wait in line of an M/M/c queue (Erlang C): `C(c, a) / (cμ - λ)`.
fn erlang_c_wait(lambda: f64, mu: f64, servers: u32) -> f64 {
    let a = lambda / mu;
    let c = f64::from(servers);
    let rho = a / c;
    // Σ_{k<c} a^k/k! and a^c/c!, term by term.
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..servers {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let tail = term / (1.0 - rho);
    let waiting_probability = tail / (sum + tail);
    waiting_probability / (c * mu - lambda)
}

/// What one run measured.
struct Totals {
    served: Cell<u64>,
    waited: Cell<f64>,
    busy: Cell<f64>,
}

/// Customers arrive (exponential gaps) and join the line with their arrival time (seconds of
/// simulated time, as SimPy counts).
fn source(line: Store<f64>, lambda: f64, customers: u64) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            let rng = yield_from!(rng())?;
            for _ in 0..customers {
                yield_from!(sleep_secs(rng.exponential(lambda)))?;
                yield_from!(line.put(clock.secs()))?;
            }
            Ok(())
        },
    )
    .named("source")
}

/// A server: takes the next customer, records its wait, serves it; ends the run after the
/// last customer.
fn server(line: Store<f64>, mu: f64, customers: u64, totals: Rc<Totals>) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            let clock = yield_from!(clock())?;
            let rng = yield_from!(rng())?;
            loop {
                let arrived = yield_from!(line.get())?;
                totals
                    .waited
                    .set(totals.waited.get() + (clock.secs() - arrived));
                let service = rng.exponential(mu);
                totals.busy.set(totals.busy.get() + service);
                yield_from!(sleep_secs(service))?;
                totals.served.set(totals.served.get() + 1);
                if totals.served.get() == customers {
                    yield_from!(shutdown())?;
                }
            }
        },
    )
    .named("server")
}

/// One run's results.
struct Run {
    served: u64,
    mean_wait: f64,
    utilization: f64,
    events: u64,
    simulated: f64,
}

fn simulate(options: &Options, seed: u64) -> Result<Run, String> {
    if options.heap {
        return Ok(simulate_heap(options, seed));
    }
    let mut sched = Scheduler::simulated(seed);
    let line = Store::unbounded();
    let totals = Rc::new(Totals {
        served: Cell::new(0),
        waited: Cell::new(0.0),
        busy: Cell::new(0.0),
    });
    sched
        .spawn(source(line.clone(), options.lambda, options.customers))
        .detach();
    for _ in 0..options.servers {
        sched
            .spawn(server(
                line.clone(),
                options.mu,
                options.customers,
                totals.clone(),
            ))
            .detach();
    }
    sched
        .run()
        .map_err(|e| format!("the simulation stopped: {e}"))?;
    let simulated = sched.clock().secs();
    let served = totals.served.get();
    Ok(Run {
        served,
        mean_wait: totals.waited.get() / served as f64,
        utilization: totals.busy.get() / (simulated * f64::from(options.servers)),
        events: sched.stats().switches,
        simulated,
    })
}

/// The same model as a hand-written event loop: a heap of (time, sequence, event), the line
/// of arrival times, a count of idle servers. Times are whole nanoseconds, as the
/// scheduler's, and the random numbers come from the same generator in the same order of use
/// per process (one stream here, so the draws interleave differently).
fn simulate_heap(options: &Options, seed: u64) -> Run {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Event {
        Arrival,
        Departure,
    }
    let nanos = |t: f64| (t * 1e9 + 0.5) as u64;
    let mut rng = Rng::seeded(seed);
    let mut events = BinaryHeap::new();
    let mut seq = 0u64;
    let mut line: VecDeque<u64> = VecDeque::new();
    let mut idle = options.servers;
    let (mut arrived, mut served, mut handled) = (0u64, 0u64, 0u64);
    let (mut waited, mut busy) = (0.0f64, 0u64);
    let mut now = 0u64;
    events.push(Reverse((
        nanos(rng.exponential(options.lambda)),
        seq,
        Event::Arrival,
    )));
    while let Some(Reverse((at, _, event))) = events.pop() {
        now = at;
        handled += 1;
        let start_service = match event {
            Event::Arrival => {
                arrived += 1;
                if arrived < options.customers {
                    seq += 1;
                    let next = now + nanos(rng.exponential(options.lambda));
                    events.push(Reverse((next, seq, Event::Arrival)));
                }
                if idle > 0 {
                    idle -= 1;
                    Some(now)
                } else {
                    line.push_back(now);
                    None
                }
            }
            Event::Departure => {
                served += 1;
                if served == options.customers {
                    break;
                }
                match line.pop_front() {
                    Some(arrival) => Some(arrival),
                    None => {
                        idle += 1;
                        None
                    }
                }
            }
        };
        if let Some(arrival) = start_service {
            waited += (now - arrival) as f64 * 1e-9;
            let service = nanos(rng.exponential(options.mu));
            busy += service;
            seq += 1;
            events.push(Reverse((now + service, seq, Event::Departure)));
        }
    }
    let simulated = now as f64 * 1e-9;
    Run {
        served,
        mean_wait: waited / served as f64,
        utilization: busy as f64 * 1e-9 / (simulated * f64::from(options.servers)),
        events: handled,
        simulated,
    }
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let theory = erlang_c_wait(options.lambda, options.mu, options.servers);
    let rho = options.lambda / (options.mu * f64::from(options.servers));
    let started = Instant::now();
    if let Some(replications) = options.replications {
        let results = replicate(replications, options.seed, options.threads, |seed| {
            simulate(&options, seed).map_or(f64::NAN, |run| run.mean_wait)
        });
        let wall = started.elapsed();
        if options.json {
            println!(
                "{{\"replications\":{},\"customers\":{},\"mean_wait\":{},\"half_width_95\":{},\"erlang_c_wait\":{},\"first_seed\":{}}}",
                replications, options.customers, results.mean(), results.half_width(), theory, options.seed
            );
        } else {
            println!(
                "M/M/{} queue, lambda {}, mu {}, {} customers per run, seeds {}..{}",
                options.servers,
                options.lambda,
                options.mu,
                options.customers,
                options.seed,
                options.seed + replications - 1
            );
            println!("mean wait in line  {results}");
            println!("Erlang C           {theory:.6}");
        }
        eprintln!(
            "wall time {:.3} s on {} thread(s)",
            wall.as_secs_f64(),
            options.threads
        );
        return ExitCode::SUCCESS;
    }
    let cpu_before = thread_cpu_time();
    let run = match simulate(&options, options.seed) {
        Ok(run) => run,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let wall = started.elapsed();
    let error = (run.mean_wait - theory) / theory;
    if options.json {
        println!(
            "{{\"lambda\":{},\"mu\":{},\"servers\":{},\"seed\":{},\"customers\":{},\"mean_wait\":{},\"erlang_c_wait\":{},\"relative_error\":{},\"utilization\":{},\"rho\":{},\"events\":{},\"simulated_time\":{}}}",
            options.lambda, options.mu, options.servers, options.seed, run.served, run.mean_wait,
            theory, error, run.utilization, rho, run.events, run.simulated
        );
    } else {
        println!(
            "M/M/{} queue, lambda {}, mu {}, seed {}",
            options.servers, options.lambda, options.mu, options.seed
        );
        println!("customers served   {}", run.served);
        println!(
            "mean wait in line  {:.6} (Erlang C {:.6}, {:+.2}%)",
            run.mean_wait,
            theory,
            error * 100.0
        );
        println!("utilization        {:.6} (rho {:.6})", run.utilization, rho);
        println!("events processed   {}", run.events);
        println!("simulated time     {:.3}", run.simulated);
    }
    eprintln!(
        "wall time {:.3} s ({:.1} ns per customer)",
        wall.as_secs_f64(),
        wall.as_nanos() as f64 / run.served as f64
    );
    if let (Some(before), Some(after)) = (cpu_before, thread_cpu_time()) {
        let cpu = after.saturating_sub(before);
        eprintln!(
            "cpu time {:.3} s ({:.1} ns per customer)",
            cpu.as_secs_f64(),
            cpu.as_nanos() as f64 / run.served as f64
        );
    }
    ExitCode::SUCCESS
}

/// The processor time this thread has used, to the nanosecond (Linux's
/// `/proc/thread-self/schedstat`), or `None` where that file does not exist. Unlike the wall
/// time it leaves out the time other programs held the processor, so runs on a busy machine
/// compare.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::erlang_c_wait;

    #[test]
    fn erlang_c_matches_the_closed_forms() {
        // M/M/1: Wq = rho / (mu - lambda).
        assert!((erlang_c_wait(0.5, 1.0, 1) - 1.0).abs() < 1e-12);
        assert!((erlang_c_wait(0.8, 1.0, 1) - 4.0).abs() < 1e-12);
        // M/M/2 with a = 1: C = 1/3, Wq = C / (2 - 1).
        assert!((erlang_c_wait(1.0, 1.0, 2) - 1.0 / 3.0).abs() < 1e-12);
    }
}
