//! The async bridge: what awaiting a future costs a Volley task, against tokio in the same run.
//!
//! | group / id | what one iteration is |
//! |---|---|
//! | `await_ready/volley_await_future` | a task's `yield_from!(await_future(ready(n)))`: the call, one poll, the answer |
//! | `await_ready/volley_yield_now` | a task's `yield_from!(yield_now())`, the cheapest system call, for scale |
//! | `await_ready/tokio_current_thread` | `ready(n).await` inside a task of a current-thread tokio runtime |
//! | `thread_pingpong/volley` | a task sends a number to an echo thread (a tokio channel) and awaits it back with `await_future`: the thread's wake goes through the scheduler's poller |
//! | `thread_pingpong/tokio_current_thread` | the same exchange from a task of a current-thread tokio runtime |
//!
//! Run with `cargo bench -p volley-benches --bench bridge`.
#![feature(coroutines)]

use criterion::{criterion_group, Criterion};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use volley::sched::task::yield_now;
use volley::sched::{await_future, Scheduler, TaskResume};
use volley::{yield_from, Co};

fn volley_await_ready(iters: u64) -> Duration {
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let start = Instant::now();
            let mut sum = 0u64;
            for n in 0..iters {
                sum = sum.wrapping_add(yield_from!(await_future(std::future::ready(n)))?);
            }
            std::hint::black_box(sum);
            Ok(start.elapsed())
        },
    ));
    sched.join(task).unwrap()
}

fn volley_yield_now(iters: u64) -> Duration {
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let start = Instant::now();
            for _ in 0..iters {
                yield_from!(yield_now())?;
            }
            Ok(start.elapsed())
        },
    ));
    sched.join(task).unwrap()
}

fn tokio_await_ready(iters: u64) -> Duration {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let task = tokio::spawn(async move {
            let start = Instant::now();
            let mut sum = 0u64;
            for n in 0..iters {
                sum = sum.wrapping_add(std::future::ready(n).await);
            }
            std::hint::black_box(sum);
            start.elapsed()
        });
        task.await.unwrap()
    })
}

/// An echo thread: sends back every number it receives, until its channel closes.
fn echo_thread() -> (
    UnboundedSender<u64>,
    UnboundedReceiver<u64>,
    std::thread::JoinHandle<()>,
) {
    let (to_thread, mut from_task) = unbounded_channel::<u64>();
    let (to_task, from_thread) = unbounded_channel::<u64>();
    let thread = std::thread::spawn(move || {
        while let Some(n) = from_task.blocking_recv() {
            if to_task.send(n).is_err() {
                break;
            }
        }
    });
    (to_thread, from_thread, thread)
}

fn volley_pingpong(iters: u64) -> Duration {
    let (to_thread, mut from_thread, thread) = echo_thread();
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let start = Instant::now();
            for n in 0..iters {
                to_thread.send(n)?;
                let (back, echoed) = yield_from!(await_future(async move {
                    let echoed = from_thread.recv().await;
                    (from_thread, echoed)
                }))?;
                from_thread = back;
                assert_eq!(echoed, Some(n));
            }
            Ok(start.elapsed())
        },
    ));
    let elapsed = sched.join(task).unwrap();
    thread.join().unwrap();
    elapsed
}

fn tokio_pingpong(iters: u64) -> Duration {
    let (to_thread, mut from_thread, thread) = echo_thread();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let elapsed = runtime.block_on(async move {
        let task = tokio::spawn(async move {
            let start = Instant::now();
            for n in 0..iters {
                to_thread.send(n).unwrap();
                assert_eq!(from_thread.recv().await, Some(n));
            }
            start.elapsed()
        });
        task.await.unwrap()
    });
    thread.join().unwrap();
    elapsed
}

fn bench_await_ready(c: &mut Criterion) {
    let mut group = c.benchmark_group("await_ready");
    group.bench_function("volley_await_future", |b| b.iter_custom(volley_await_ready));
    group.bench_function("volley_yield_now", |b| b.iter_custom(volley_yield_now));
    group.bench_function("tokio_current_thread", |b| b.iter_custom(tokio_await_ready));
    group.finish();
}

fn bench_pingpong(c: &mut Criterion) {
    let mut group = c.benchmark_group("thread_pingpong");
    group.sample_size(20);
    group.bench_function("volley", |b| b.iter_custom(volley_pingpong));
    group.bench_function("tokio_current_thread", |b| b.iter_custom(tokio_pingpong));
    group.finish();
}

criterion_group!(benches, bench_await_ready, bench_pingpong);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
