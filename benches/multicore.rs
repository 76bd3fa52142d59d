//! Volley on one and two cores, against tokio's multi-threaded runtime written the async way,
//! in one run:
//!
//! ```text
//! cargo bench -p volley-benches --bench multicore
//! ```
//!
//! (a) A CPU-bound mix: 10,000 tasks, each doing a few microseconds of hashing between yields,
//! run on Volley thread-per-core (`sched::per_core`, the tasks split over the threads), on the
//! same task bodies through the tokio adapter (`sched::tokio`), and as async tokio tasks, each
//! with 1 and 2 threads. (b) Echo throughput: the Volley echo server thread-per-core (one accept
//! loop per thread on an `SO_REUSEPORT` listener) and a tokio async echo server, each with 1
//! and 2 threads, driven by a load generator on a Volley scheduler of its own (one thread, many
//! connections, each sending a message and waiting for its echo). Prints the 1 -> 2 thread
//! speedups and the Volley/tokio ratios. Every figure is the best of `RUNS` runs. The load
//! generator shares the machine with the server, so on a 2-core machine the echo server's
//! second thread competes with it: the CPU-bound mix is the scaling figure.
#![feature(coroutines)]

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use volley::sched::net::{accept, connect, read, write_all, TcpListener, TcpStream};
use volley::sched::task::yield_now;
use volley::sched::{per_core, spawn, Scheduler, TaskBody, TaskResult};
use volley::{task, yield_from, Co};

const TASKS: u64 = 10_000;
const ROUNDS: u64 = 10;
/// Hash steps per round: a few microseconds.
const STEPS: u64 = 2_000;
const RUNS: usize = 3;
const CONNS: usize = 64;
const MESSAGE: usize = 64;
const ECHO_TIME: Duration = Duration::from_millis(1500);

/// A few microseconds of work: an FNV-style hash over a counter.
#[inline(never)]
fn work(seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for i in 0..STEPS {
        h = (h ^ i).wrapping_mul(0x0100_0000_01b3);
    }
    black_box(h)
}

/// The CPU-bound task: `ROUNDS` rounds of work, yielding between them.
#[task]
fn busy(seed: u64) -> TaskResult<u64> {
    let mut acc = 0u64;
    for round in 0..ROUNDS {
        acc = acc.wrapping_add(work(seed ^ round));
        yield_from!(yield_now())?;
    }
    Ok(acc)
}

/// The same as an async tokio task.
async fn busy_async(seed: u64) -> u64 {
    let mut acc = 0u64;
    for round in 0..ROUNDS {
        acc = acc.wrapping_add(work(seed ^ round));
        tokio::task::yield_now().await;
    }
    acc
}

fn best(mut run: impl FnMut() -> Duration) -> Duration {
    (0..RUNS).map(|_| run()).min().unwrap()
}

fn volley_per_core(threads: usize) -> Duration {
    best(|| {
        let started = Instant::now();
        let parts: Vec<_> = (0..threads as u64).collect();
        let cores = per_core::run(parts, move |part, sched: &mut Scheduler| {
            let mut seed = part;
            while seed < TASKS {
                sched.spawn(busy(seed)).detach();
                seed += threads as u64;
            }
        });
        cores.join().unwrap();
        started.elapsed()
    })
}

fn runtime(threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap()
}

fn volley_on_tokio(threads: usize) -> Duration {
    let rt = runtime(threads);
    best(|| {
        rt.block_on(async {
            let started = Instant::now();
            let handles: Vec<_> = (0..TASKS)
                .map(|seed| volley::sched::tokio::spawn(busy(seed)))
                .collect();
            for handle in handles {
                handle.await.unwrap().unwrap();
            }
            started.elapsed()
        })
    })
}

fn tokio_async(threads: usize) -> Duration {
    let rt = runtime(threads);
    best(|| {
        rt.block_on(async {
            let started = Instant::now();
            let handles: Vec<_> = (0..TASKS)
                .map(|seed| tokio::spawn(busy_async(seed)))
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
            started.elapsed()
        })
    })
}

#[task(static)]
fn echo(stream: TcpStream) -> TaskResult {
    let mut buf = [0u8; 4096];
    loop {
        let n = yield_from!(read(&stream, &mut buf))?;
        if n == 0 {
            return Ok(());
        }
        yield_from!(write_all(&stream, &buf[..n]))?;
    }
}

fn accept_loop(listener: TcpListener) -> Co<impl TaskBody> {
    Co::pinned(
        #[coroutine]
        static move |_: volley::sched::TaskResume| loop {
            let (stream, _) = yield_from!(accept(&listener))?;
            stream.set_nodelay(true)?;
            yield_from!(spawn(echo(stream)))?.detach();
        },
    )
}

/// One load-generating connection: a message, its echo, again, until `stop`.
#[task(static)]
fn pinger(addr: SocketAddr, stop: Arc<AtomicBool>, done: Arc<AtomicU64>) -> TaskResult {
    let stream = yield_from!(connect(addr))?;
    stream.set_nodelay(true)?;
    let message = [7u8; MESSAGE];
    let mut buf = [0u8; MESSAGE];
    let mut trips = 0;
    while !stop.load(Ordering::Relaxed) {
        yield_from!(write_all(&stream, &message))?;
        let mut got = 0;
        while got < MESSAGE {
            let n = yield_from!(read(&stream, &mut buf[got..]))?;
            if n == 0 {
                return Ok(());
            }
            got += n;
        }
        trips += 1;
    }
    done.fetch_add(trips, Ordering::Relaxed);
    Ok(())
}

/// Round trips per second against `addr`, from one load-generating thread.
fn load(addr: SocketAddr) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let timer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(ECHO_TIME);
            stop.store(true, Ordering::Relaxed);
        })
    };
    let started = Instant::now();
    let mut sched = Scheduler::new();
    for _ in 0..CONNS {
        sched
            .spawn(pinger(addr, stop.clone(), done.clone()))
            .detach();
    }
    sched.run().unwrap();
    let elapsed = started.elapsed();
    timer.join().unwrap();
    done.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64()
}

fn best_rate(mut run: impl FnMut() -> f64) -> f64 {
    (0..RUNS).map(|_| run()).fold(0.0, f64::max)
}

fn volley_echo(threads: usize) -> f64 {
    // The server threads run until the process ends (the bench's last act).
    let cores = per_core::serve("127.0.0.1:0".parse().unwrap(), threads, accept_loop).unwrap();
    let addr = cores.local_addr();
    std::mem::forget(cores);
    best_rate(|| load(addr))
}

fn tokio_echo(threads: usize) -> f64 {
    let rt = runtime(threads);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            conn.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                loop {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if conn.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    let rate = best_rate(|| load(addr));
    rt.shutdown_background();
    rate
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported (one run, all figures).
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("multicore: load average before: {}", load_before.trim());
    println!(
        "(a) CPU-bound mix: {TASKS} tasks x {ROUNDS} rounds of {STEPS} hash steps, yielding between rounds (best of {RUNS})"
    );
    let mut rows = Vec::new();
    for (name, run) in [
        ("volley per_core", volley_per_core as fn(usize) -> Duration),
        ("volley on tokio", volley_on_tokio),
        ("tokio async", tokio_async),
    ] {
        let one = run(1);
        let two = run(2);
        println!(
            "  {name:<16} 1 thread {:>8.1} ms   2 threads {:>8.1} ms   speedup {:.2}x",
            one.as_secs_f64() * 1e3,
            two.as_secs_f64() * 1e3,
            one.as_secs_f64() / two.as_secs_f64()
        );
        rows.push((name, one, two));
    }
    let tokio_row = rows[2];
    for &(name, one, two) in &rows[..2] {
        println!(
            "  {name} / tokio async time: 1 thread {:.2}x, 2 threads {:.2}x (below 1: faster)",
            one.as_secs_f64() / tokio_row.1.as_secs_f64(),
            two.as_secs_f64() / tokio_row.2.as_secs_f64()
        );
    }
    println!(
        "(b) echo: {CONNS} connections x {MESSAGE}-byte messages, one at a time each, {} ms per run (best of {RUNS}), load generator on one more thread",
        ECHO_TIME.as_millis()
    );
    let volley = (volley_echo(1), volley_echo(2));
    let tokio = (tokio_echo(1), tokio_echo(2));
    for (name, (one, two)) in [("volley per_core", volley), ("tokio async", tokio)] {
        println!(
            "  {name:<16} 1 thread {one:>9.0} trips/s   2 threads {two:>9.0} trips/s   speedup {:.2}x",
            two / one
        );
    }
    println!(
        "  volley / tokio throughput: 1 thread {:.2}x, 2 threads {:.2}x",
        volley.0 / tokio.0,
        volley.1 / tokio.1
    );
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("multicore: load average after: {}", load_after.trim());
}
