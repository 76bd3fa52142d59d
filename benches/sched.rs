//! The Volley scheduler against its peers in the same run.
//!
//! | group / id | what one iteration is |
//! |---|---|
//! | `switch_1000/volley` | one task switch, 1,000 ready tasks each yielding `Syscall::Yield` with `co_yield!` |
//! | `switch_1000/volley_helper` | the same through the `yield_from!(yield_now())` helper |
//! | `switch_1000/tokio_localset` | one poll, 1,000 `spawn_local` tasks in a current-thread `LocalSet`, each looping on `tokio::task::yield_now().await` |
//! | `switch_1000/futures_localpool` | one poll, 1,000 tasks on `futures::executor::LocalPool`, each looping on a yield-once future |
//! | `spawn_finish/volley` | spawn a task that returns at once, run it, drop it (batches of 1,000, one scheduler) |
//! | `spawn_finish/tokio_localset` | `LocalSet::spawn_local` of an empty task, run it, drop it (batches of 1,000) |
//! | `spawn_finish/futures_localpool` | `LocalSpawner::spawn_local` of an empty task, run it (batches of 1,000) |
//! | `channel_pingpong/volley` | one message over a `sched::sync::Channel` of capacity 1: two tasks bounce a number over two channels, each send waking the other task parked in `recv` |
//! | `channel_pingpong/tokio_localset` | the same with `tokio::sync::mpsc::channel(1)` between two `spawn_local` tasks of a current-thread `LocalSet` |
//!
//! Task setup (spawning the 1,000 tasks) is outside the timed part of `switch_1000`. Each
//! switch count includes every task's first and last resume, on both sides.
//!
//! Before the timings, the bench prints the memory one idle task costs (resident set growth
//! over 100,000 tasks parked forever, divided by 100,000) for Volley and tokio.
//!
//! Run with `cargo bench -p volley-benches --bench sched`.
#![feature(coroutines)]

use criterion::{criterion_group, Criterion};
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use volley::sched::sync::{Channel, WaitList};
use volley::sched::task::yield_now;
use volley::sched::{Scheduler, Syscall, TaskBody, TaskResume};
use volley::{co_yield, yield_from, Co};

const READY_TASKS: u64 = 1_000;
const BATCH: u64 = 1_000;

/// How many yields each of the 1,000 tasks makes so that about `iters` switches happen.
fn rounds_for(iters: u64) -> u64 {
    iters.div_ceil(READY_TASKS).max(1)
}

/// Scales a measured time of `done` operations to `iters` operations.
fn scaled(elapsed: Duration, done: u64, iters: u64) -> Duration {
    elapsed.mul_f64(iters as f64 / done as f64)
}

fn raw_yielder(rounds: u64) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            for _ in 0..rounds {
                co_yield!(Syscall::Yield)?;
            }
            Ok(())
        },
    )
}

fn helper_yielder(rounds: u64) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            for _ in 0..rounds {
                yield_from!(yield_now())?;
            }
            Ok(())
        },
    )
}

fn volley_switches<B: TaskBody + 'static>(iters: u64, make: fn(u64) -> Co<B>) -> Duration {
    let rounds = rounds_for(iters);
    let mut sched = Scheduler::new();
    for _ in 0..READY_TASKS {
        sched.spawn(make(rounds)).detach();
    }
    let start = Instant::now();
    sched.run().expect("no deadlock");
    let elapsed = start.elapsed();
    let switches = sched.stats().switches;
    assert_eq!(switches, READY_TASKS * (rounds + 1));
    scaled(elapsed, switches, iters)
}

fn tokio_switches(iters: u64) -> Duration {
    let rounds = rounds_for(iters);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    for _ in 0..READY_TASKS {
        local.spawn_local(async move {
            for _ in 0..rounds {
                tokio::task::yield_now().await;
            }
        });
    }
    let start = Instant::now();
    rt.block_on(local);
    scaled(start.elapsed(), READY_TASKS * (rounds + 1), iters)
}

/// Returns `Pending` once (waking itself at once), then `Ready`: the executor's yield.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn futures_switches(iters: u64) -> Duration {
    let rounds = rounds_for(iters);
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    for _ in 0..READY_TASKS {
        spawner
            .spawn_local(async move {
                for _ in 0..rounds {
                    YieldOnce(false).await;
                }
            })
            .unwrap();
    }
    let start = Instant::now();
    pool.run();
    scaled(start.elapsed(), READY_TASKS * (rounds + 1), iters)
}

fn task_switch(c: &mut Criterion) {
    let mut group = c.benchmark_group("switch_1000");
    group.bench_function("volley", |b| {
        b.iter_custom(|iters| volley_switches(iters, raw_yielder))
    });
    group.bench_function("volley_helper", |b| {
        b.iter_custom(|iters| volley_switches(iters, helper_yielder))
    });
    group.bench_function("tokio_localset", |b| b.iter_custom(tokio_switches));
    group.bench_function("futures_localpool", |b| b.iter_custom(futures_switches));
    group.finish();
}

fn spawn_finish(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_finish");
    group.bench_function("volley", |b| {
        let mut sched = Scheduler::new();
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut left = iters;
            while left > 0 {
                let batch = left.min(BATCH);
                for _ in 0..batch {
                    sched
                        .spawn(Co::new(
                            #[coroutine]
                            |_: TaskResume| Ok(()),
                        ))
                        .detach();
                }
                sched.run().expect("no deadlock");
                left -= batch;
            }
            start.elapsed()
        })
    });
    group.bench_function("tokio_localset", |b| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut left = iters;
            while left > 0 {
                let batch = left.min(BATCH);
                let local = tokio::task::LocalSet::new();
                for _ in 0..batch {
                    local.spawn_local(async {});
                }
                rt.block_on(local);
                left -= batch;
            }
            start.elapsed()
        })
    });
    group.bench_function("futures_localpool", |b| {
        let mut pool = LocalPool::new();
        let spawner = pool.spawner();
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut left = iters;
            while left > 0 {
                let batch = left.min(BATCH);
                for _ in 0..batch {
                    spawner.spawn_local(async {}).unwrap();
                }
                pool.run();
                left -= batch;
            }
            start.elapsed()
        })
    });
    group.finish();
}

/// Resident set size of this process, in bytes (Linux `/proc/self/statm`).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

const IDLE_TASKS: u64 = 100_000;

fn volley_idle_bytes() -> Option<u64> {
    let gate = WaitList::new();
    let before = rss_bytes()?;
    let mut sched = Scheduler::new();
    for _ in 0..IDLE_TASKS {
        let gate = gate.clone();
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    co_yield!(Syscall::Park(gate.clone()))?;
                    Ok(())
                },
            ))
            .detach();
    }
    let _ = sched.run(); // every task parks: a deadlock, by design
    let after = rss_bytes()?;
    assert_eq!(sched.stats().alive as u64, IDLE_TASKS);
    drop(sched);
    Some((after.saturating_sub(before)) / IDLE_TASKS)
}

fn tokio_idle_bytes() -> Option<u64> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    let before = rss_bytes()?;
    let mut handles = Vec::with_capacity(IDLE_TASKS as usize);
    for _ in 0..IDLE_TASKS {
        handles.push(local.spawn_local(std::future::pending::<()>()));
    }
    rt.block_on(local.run_until(async {
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    }));
    let after = rss_bytes()?;
    drop(handles);
    drop(local);
    // The handles vector holds 8 bytes per task that the Volley side does not keep.
    Some((after.saturating_sub(before)) / IDLE_TASKS - 8)
}

fn report_idle_memory() {
    match (volley_idle_bytes(), tokio_idle_bytes()) {
        (Some(volley), Some(tokio)) => println!(
            "idle task memory (RSS growth / {IDLE_TASKS} parked tasks): volley {volley} B/task, tokio LocalSet {tokio} B/task"
        ),
        _ => println!("idle task memory: /proc/self/statm unavailable"),
    }
}

/// Bounces `round_trips` numbers between two tasks over two capacity-1 channels.
fn volley_pingpong(iters: u64) -> Duration {
    let round_trips = (iters / 2).max(1);
    let (there, back) = (Channel::bounded(1), Channel::bounded(1));
    let mut sched = Scheduler::new();
    let (to, from) = (there.clone(), back.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for n in 0..round_trips {
                    yield_from!(to.send(n))??;
                    yield_from!(from.recv())?;
                }
                yield_from!(to.close())?;
                Ok(())
            },
        ))
        .detach();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                while let Some(n) = yield_from!(there.recv())? {
                    yield_from!(back.send(n + 1))??;
                }
                Ok(())
            },
        ))
        .detach();
    let start = Instant::now();
    sched.run().expect("no deadlock");
    scaled(start.elapsed(), round_trips * 2, iters)
}

fn tokio_pingpong(iters: u64) -> Duration {
    let round_trips = (iters / 2).max(1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    let (to, mut there) = tokio::sync::mpsc::channel::<u64>(1);
    let (back, mut from) = tokio::sync::mpsc::channel::<u64>(1);
    local.spawn_local(async move {
        for n in 0..round_trips {
            to.send(n).await.unwrap();
            from.recv().await.unwrap();
        }
    });
    local.spawn_local(async move {
        while let Some(n) = there.recv().await {
            back.send(n + 1).await.unwrap();
        }
    });
    let start = Instant::now();
    rt.block_on(local);
    scaled(start.elapsed(), round_trips * 2, iters)
}

fn channel_pingpong(c: &mut Criterion) {
    let mut group = c.benchmark_group("channel_pingpong");
    group.bench_function("volley", |b| b.iter_custom(volley_pingpong));
    group.bench_function("tokio_localset", |b| b.iter_custom(tokio_pingpong));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = task_switch, spawn_finish, channel_pingpong
}

fn main() {
    report_idle_memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
