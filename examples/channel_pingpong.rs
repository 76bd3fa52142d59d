//! One pair of channel bodies on both runtimes: a one-thread Volley scheduler, then tokio's
//! multi-threaded runtime, with the same result.
//!
//! ```text
//! cargo run --example channel_pingpong
//! ```
//!
//! `ping` and `pong` bounce numbers over two channels of capacity 1 (every message parks and
//! wakes a task); `producer`s and `consumer`s share one channel of capacity 1, several of
//! each. On tokio the tasks run on two worker threads at once, so senders and receivers meet
//! across threads; the channel loses no wake and no message there.
//!
//! It prints:
//!
//! ```text
//! one thread: 10000 round trips, answers summing to 100000000; 40000 messages from 4 producers to 3 consumers, each received once and in order
//! tokio, 2 workers: 10000 round trips, answers summing to 100000000; 40000 messages from 4 producers to 3 consumers, each received once and in order
//! ```
#![feature(coroutines)]

use volley::sched::sync::Channel;
use volley::sched::{spawn_send, Scheduler, TaskResult};
use volley::{task, yield_from};

const ROUND_TRIPS: u64 = 10_000;
const PRODUCERS: u32 = 4;
const CONSUMERS: u32 = 3;
const PER_PRODUCER: u32 = 10_000;

/// Sends 0, 1, 2... to `pong` and adds up what comes back.
#[task]
fn ping(to_pong: Channel<u64>, from_pong: Channel<u64>, rounds: u64) -> TaskResult<u64> {
    let mut sum = 0;
    for n in 0..rounds {
        yield_from!(to_pong.send(n))??;
        sum += yield_from!(from_pong.recv())?.unwrap_or(0);
    }
    yield_from!(to_pong.close())?;
    Ok(sum)
}

/// Answers every number with the next odd one (`2n + 1`) until the channel closes.
#[task]
fn pong(from_ping: Channel<u64>, to_ping: Channel<u64>) -> TaskResult {
    while let Some(n) = yield_from!(from_ping.recv())? {
        yield_from!(to_ping.send(2 * n + 1))??;
    }
    Ok(())
}

/// Sends `count` numbered messages: (its number, the message's place in its stream).
#[task]
fn producer(chan: Channel<(u32, u32)>, me: u32, count: u32) -> TaskResult {
    for seq in 0..count {
        yield_from!(chan.send((me, seq)))??;
    }
    Ok(())
}

/// Receives until the channel closes; answers what it got, in order.
#[task]
fn consumer(chan: Channel<(u32, u32)>) -> TaskResult<Vec<(u32, u32)>> {
    let mut got = Vec::new();
    while let Some(message) = yield_from!(chan.recv())? {
        got.push(message);
    }
    Ok(got)
}

/// Runs both exchanges and describes what arrived.
#[task]
fn exchanges() -> TaskResult<String> {
    let (to_pong, to_ping) = (Channel::bounded(1), Channel::bounded(1));
    let answering = yield_from!(spawn_send(pong(to_pong.clone(), to_ping.clone())))?;
    let asking = yield_from!(spawn_send(ping(to_pong, to_ping, ROUND_TRIPS)))?;

    let chan = Channel::bounded(1);
    let mut consumers = Vec::new();
    for _ in 0..CONSUMERS {
        let spawned = yield_from!(spawn_send(consumer(chan.clone())))?;
        consumers.push(spawned);
    }
    let mut producers = Vec::new();
    for me in 0..PRODUCERS {
        let spawned = yield_from!(spawn_send(producer(chan.clone(), me, PER_PRODUCER)))?;
        producers.push(spawned);
    }
    for done in producers {
        yield_from!(done.join())??;
    }
    yield_from!(chan.close())?;
    let mut got = Vec::new();
    for done in consumers {
        let received = yield_from!(done.join())??;
        got.push(received);
    }

    let sum = yield_from!(asking.join())??;
    yield_from!(answering.join())??;
    Ok(format!(
        "{ROUND_TRIPS} round trips, answers summing to {sum}; {}",
        delivery(&got)
    ))
}

/// Whether every message arrived once, and each consumer saw each producer's stream in order.
fn delivery(got: &[Vec<(u32, u32)>]) -> String {
    let in_order = got.iter().all(|received| {
        let mut last = vec![None; PRODUCERS as usize];
        received
            .iter()
            .all(|&(from, seq)| last[from as usize].replace(seq) < Some(seq))
    });
    let mut all: Vec<(u32, u32)> = got.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let total = got.iter().map(Vec::len).sum::<usize>();
    let once = total == all.len() && total == (PRODUCERS * PER_PRODUCER) as usize;
    let verdict = match (once, in_order) {
        (true, true) => "each received once and in order",
        (true, false) => "each received once, but OUT OF ORDER",
        (false, _) => "SOME LOST OR RECEIVED TWICE",
    };
    format!("{total} messages from {PRODUCERS} producers to {CONSUMERS} consumers, {verdict}")
}

fn main() {
    let mut sched = Scheduler::new();
    let task = sched.spawn(exchanges());
    println!(
        "one thread: {}",
        sched.join(task).expect("the exchanges end")
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let outcome = runtime.block_on(async {
        volley::sched::tokio::spawn(exchanges())
            .await
            .expect("the driver never panics")
    });
    println!("tokio, 2 workers: {}", outcome.expect("the exchanges end"));
}
