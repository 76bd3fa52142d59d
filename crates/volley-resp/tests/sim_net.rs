//! Deterministic simulation testing of the RESP server's connection handling: for each seed,
//! the server (the same accept loop and connection tasks as on TCP, started with `spawn_on`)
//! listens on the simulated network with seeded latency, partitions and resets, and clients
//! talk to it over simulated connections:
//!
//! - several clients pipeline SET/GET/APPEND/INCR/INCRBY/RPUSH/LRANGE/ECHO and inline PINGs on
//!   keys of their own, and transactions (MULTI, queued commands, EXEC or DISCARD), written
//!   in random chunks, and check every reply byte for byte against a model, in order (a reset
//!   may cut the stream short, but what arrives is exact);
//! - one of them PUBLISHes numbered messages to a subscriber, another RPUSHes numbered items
//!   that a client blocked in `BLPOP` takes (waiting for good, or a few milliseconds of
//!   virtual time, then timing out): both go through the connection task's doorbell.
//!   Messages and items arrive in order, byte-exact, and every one the server confirmed
//!   reaches its reader unless that reader's connection was reset; items nobody took are
//!   still in the list at the end (but the one a reset `BLPOP` client may have been served).
//!   The subscriber speaks RESP3 in half the seeds (`HELLO 3`, messages as pushes);
//! - a timekeeper gives keys milliseconds to live (`SET ... PX`), waits, and asks `PTTL`: the
//!   server's calendar is virtual time, so each answer (gone, or the milliseconds left) must
//!   fit the virtual instants the requests were written and answered at; `TIME` must fall
//!   between them too, and what it and `SPOP` answer replays with the seed;
//! - in some seeds a killer sends `CLIENT KILL ID` for one of the pipelining clients at a
//!   random moment: the victim's replies are exact up to where the server stopped (possibly
//!   inside a reply), and only a kill that answered `:1` closes it early;
//! - in some seeds a flooder sets a 16 KiB pub/sub output limit and publishes more than the
//!   limit and the network's buffer hold to a subscriber that reads nothing until the flood
//!   is over: the flooder is never held back, the server closes the subscriber, and what the
//!   subscriber then reads is the flood's start, byte for byte, then the end of the stream.
//!
//! The same seed replays the same network trace. The CI run covers [`SEEDS`] seeds in a debug
//! build; for many more, in release mode:
//! `cargo test --release -p volley-resp --test sim_net -- --ignored --nocapture many_seeds`
//! (prints the seeds per second). A failing seed panics with its seed, what went wrong and the
//! trace; replay one with
//! `SEED=N cargo test -p volley-resp --test sim_net -- --ignored --nocapture replay_one_seed`.
#![feature(coroutines)]

#[path = "support/replies.rs"]
mod replies;

#[path = "sim_net/common.rs"]
mod common;
#[path = "sim_net/faults.rs"]
mod faults;
#[path = "sim_net/pipelining.rs"]
mod pipelining;
#[path = "sim_net/timekeeper.rs"]
mod timekeeper;
#[path = "sim_net/waiters.rs"]
mod waiters;

use common::*;
use faults::*;
use pipelining::*;
use timekeeper::*;
use waiters::*;

use replies::{next_reply, reply_len};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};
use volley_core::{yield_from, Co, Exit};
use volley_flow::sched::net::Connection;
use volley_flow::sched::rand::Rng;
use volley_flow::sched::time::Clock;
use volley_flow::sched::time::{sleep, timeout};
use volley_flow::sched::{spawn, Scheduler, TaskBody, TaskCall, TaskError, TaskResume};
use volley_flow::sim::net::{NetConfig, SimNet, SimStream};
use volley_resp::codec::encode_command;
use volley_resp::server::{spawn_on, Config, SIMULATED_START_MILLIS};

/// Seeds of the CI run (a debug build).
const SEEDS: u64 = 2000;

/// What one seed did: the network's trace, and for the comparison of two runs, what each
/// client saw, the messages and the items.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    trace: Vec<String>,
    seen: Vec<Seen>,
    messages: Vec<u64>,
    taken: Vec<u64>,
    timeouts: usize,
    clock_replies: Vec<Vec<u8>>,
    ttl_live: usize,
    ttl_gone: usize,
    flood_received: u64,
    sluggish_closed: bool,
}

/// One seeded run; panics with the seed, the problem and the trace if anything was wrong.
fn run(seed: u64) -> Outcome {
    let mut draw = Rng::seeded(seed ^ 0x7e5b);
    let config = NetConfig {
        min_latency: Duration::from_micros(10 + draw.below(100)),
        max_latency: Duration::from_micros(200 + draw.below(20_000)),
        reset_probability: [0.0, 0.0, 0.002, 0.02][draw.below(4) as usize],
        partition_probability: [0.0, 0.3, 0.8][draw.below(3) as usize],
        max_partition: Duration::from_millis(1 + draw.below(200)),
        buffer: [64, 512, 4096, 65536][draw.below(4) as usize],
        backlog: 16,
    };
    let clients = 2 + draw.below(4);
    // Client 2, if there is one, is killed now and then; it asks for its id first.
    let victim = clients >= 3 && draw.below(2) == 0;
    let mut plans = Vec::new();
    for n in 0..clients {
        let mut steps = plan(&mut draw, n, n == 0, n == 1);
        if victim && n == 2 {
            steps.insert(
                0,
                Step {
                    request: encode_command(&[b"CLIENT", b"ID"]),
                    expect: Expect::ClientId,
                },
            );
        }
        let len: usize = steps.iter().map(|s| s.request.len()).sum();
        let mut chunks = Vec::new();
        let mut left = len;
        while left > 0 {
            let size = 1 + draw.below(300) as usize;
            chunks.push(size);
            left = left.saturating_sub(size);
        }
        let delay = Duration::from_micros(draw.below(3000));
        plans.push((steps, chunks, delay));
    }
    let count = |plans: &[(Vec<Step>, Vec<usize>, Duration)], f: fn(&Expect) -> bool| {
        plans
            .iter()
            .flat_map(|p| &p.0)
            .filter(|s| f(&s.expect))
            .count() as u64
    };
    let published = count(&plans, |e| matches!(e, Expect::Published(_)));
    let pushed = count(&plans, |e| matches!(e, Expect::Pushed(_)));
    let waits = Rng::seeded(draw.next_u64());
    let times = Rng::seeded(draw.next_u64());
    let kills = Rng::seeded(draw.next_u64());
    let resp3 = draw.below(2) == 0;
    // Enough to fill the network's buffer and pass the limit, now and then.
    let flood = (draw.below(3) == 0).then(|| (config.buffer as u64 + 16_384) / 512 + 20);

    let mut sched = Scheduler::simulated(seed);
    let net = SimNet::new(&sched, config);
    let listener = net.bind(SERVER.parse().unwrap()).unwrap();
    spawn_on(&mut sched, listener, Config::default());
    let shared = Rc::new(RefCell::new(Shared::default()));
    sched
        .spawn(subscriber(
            net.clone(),
            published,
            resp3,
            Rc::clone(&shared),
        ))
        .detach();
    sched
        .spawn(waiter(net.clone(), pushed, waits, Rc::clone(&shared)))
        .detach();
    let keeper = timekeeper(net.clone(), sched.clock(), times, Rc::clone(&shared));
    let keeper = sched.spawn(keeper);
    let mut others = vec![("timekeeper", keeper)];
    if victim {
        others.push((
            "killer",
            sched.spawn(killer(net.clone(), kills, Rc::clone(&shared))),
        ));
    }
    if let Some(count) = flood {
        let sluggish = sched.spawn(sluggish(net.clone(), Rc::clone(&shared)));
        let flooder = sched.spawn(flooder(net.clone(), count, Rc::clone(&shared)));
        others.extend([("flooder", flooder), ("sluggish subscriber", sluggish)]);
    }
    let mut handles = Vec::new();
    for (n, (steps, chunks, delay)) in plans.into_iter().enumerate() {
        let from = format!("10.0.1.{}", n + 1).parse().unwrap();
        let is_victim = victim && n == 2;
        let task = client(
            net.clone(),
            from,
            delay,
            (steps, chunks),
            is_victim,
            Rc::clone(&shared),
        );
        handles.push(sched.spawn(task));
    }
    let driver_shared = Rc::clone(&shared);
    let net_for_driver = net.clone();
    let driver = sched.spawn(Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let mut seen: Vec<Seen> = Vec::new();
            for (name, other) in others {
                if yield_from!(timeout(STUCK_AFTER, other.join()))?.is_err() {
                    let problem = format!("the {name} was stuck for {STUCK_AFTER:?}");
                    driver_shared.borrow_mut().fail(problem);
                    return Ok(seen);
                }
            }
            for handle in handles {
                match yield_from!(timeout(STUCK_AFTER, handle.join()))? {
                    Ok(Ok(one)) => seen.push(one),
                    Ok(Err(error)) => {
                        driver_shared
                            .borrow_mut()
                            .fail(format!("a client failed: {error}"));
                        return Ok(seen);
                    }
                    Err(_elapsed) => {
                        driver_shared
                            .borrow_mut()
                            .fail(format!("a client was stuck for {STUCK_AFTER:?}"));
                        return Ok(seen);
                    }
                }
            }
            {
                let mut s = driver_shared.borrow_mut();
                // Only a kill closes the victim early (one whose answer a reset may have lost).
                let killed = seen.get(2).is_some_and(|v| v.killed);
                let kill = match s.kill_reply.as_deref() {
                    Some(reply) => reply == b":1\r\n",
                    None => s.kill_sent,
                };
                if killed && !kill {
                    let problem = format!(
                        "the victim was closed early, but CLIENT KILL answered {:?}",
                        s.kill_reply
                    );
                    s.fail(problem);
                }
                // A subscriber that reads nothing is closed at the limit: the flood is more
                // than the limit and the network's buffer hold.
                if let Some(count) = flood {
                    let whole = s.sluggish_closed && s.flood_received < count;
                    let closed = s.sluggish_gone || !s.flood_complete || whole;
                    // (Replies the flooder lost to a reset leave deliveries uncounted.)
                    let counted = !s.flood_complete || s.flood_received <= s.flood_delivered;
                    if !closed || !counted {
                        let problem = format!(
                            "the sluggish subscriber read {} of {count} flood messages ({} delivered), closed: {}",
                            s.flood_received, s.flood_delivered, s.sluggish_closed
                        );
                        s.fail(problem);
                    }
                }
            }
            // Every message and item the server confirmed reaches its reader, unless the
            // reader's connection was reset.
            let mut waited = Duration::ZERO;
            loop {
                let settled = {
                    let s = driver_shared.borrow();
                    let delivered = s.subscriber_gone
                        || s.published.iter().all(|seq| s.messages.contains(seq));
                    let taken = s.waiter_gone || s.pushed.iter().all(|seq| s.taken.contains(seq));
                    s.problem.is_some() || (delivered && taken)
                };
                if settled {
                    break;
                }
                if waited >= STUCK_AFTER {
                    let s = driver_shared.borrow();
                    let problem = format!(
                        "not delivered after {STUCK_AFTER:?}: published {:?}, received {:?}; pushed {:?}, taken {:?}",
                        s.published, s.messages, s.pushed, s.taken
                    );
                    drop(s);
                    driver_shared.borrow_mut().fail(problem);
                    break;
                }
                yield_from!(sleep(Duration::from_millis(10)))?;
                waited += Duration::from_millis(10);
            }
            // Items nobody took are still in the list: at most the one a reset BLPOP client
            // was served is lost (it blocks once at a time).
            yield_from!(sleep(Duration::from_secs(1)))?;
            if let Some(left) = yield_from!(leftover(net_for_driver))? {
                let mut s = driver_shared.borrow_mut();
                let last_taken = s.taken.last().copied().unwrap_or(0);
                let ordered = left.windows(2).all(|w| w[0] < w[1])
                    && left.first().is_none_or(|&first| first > last_taken);
                let lost: Vec<u64> = s
                    .pushed
                    .iter()
                    .copied()
                    .filter(|seq| !s.taken.contains(seq) && !left.contains(seq))
                    .collect();
                if !ordered || lost.len() > usize::from(s.waiter_gone) {
                    let problem = format!(
                        "list q holds {left:?} after items {:?} were taken (the BLPOP client was reset: {}); confirmed pushes lost: {lost:?}",
                        s.taken, s.waiter_gone
                    );
                    s.fail(problem);
                }
            }
            Ok(seen)
        },
    ));
    let seen = sched
        .join(driver)
        .unwrap_or_else(|e| panic!("seed {seed}: the driver failed: {e}"));
    let trace = net.trace();
    let shared = shared.borrow();
    if let Some(problem) = &shared.problem {
        panic!(
            "seed {seed}: {problem}\nreplay: SEED={seed} cargo test -p volley-resp --test sim_net -- --ignored --nocapture replay_one_seed\ntrace:\n{}",
            trace.join("\n")
        );
    }
    Outcome {
        trace,
        seen,
        messages: shared.messages.clone(),
        taken: shared.taken.clone(),
        timeouts: shared.timeouts,
        clock_replies: shared.clock_replies.clone(),
        ttl_live: shared.ttl_live,
        ttl_gone: shared.ttl_gone,
        flood_received: shared.flood_received,
        sluggish_closed: shared.sluggish_closed,
    }
}

/// Totals over seeds: connections, those reset, replies checked, messages, items.
#[derive(Debug, Default)]
struct Totals {
    clients: usize,
    reset: usize,
    replies: usize,
    messages: usize,
    taken: usize,
    timeouts: usize,
    ttl_live: usize,
    ttl_gone: usize,
    killed: usize,
    closed_at_limit: usize,
}

fn run_seeds(seeds: std::ops::Range<u64>) -> (Totals, Duration) {
    let start = Instant::now();
    let mut totals = Totals::default();
    for seed in seeds {
        let outcome = run(seed);
        totals.clients += outcome.seen.len();
        totals.reset += outcome.seen.iter().filter(|s| s.reset).count();
        totals.replies += outcome.seen.iter().map(|s| s.replies).sum::<usize>();
        totals.messages += outcome.messages.len();
        totals.taken += outcome.taken.len();
        totals.timeouts += outcome.timeouts;
        totals.ttl_live += outcome.ttl_live;
        totals.ttl_gone += outcome.ttl_gone;
        totals.killed += outcome.seen.iter().filter(|s| s.killed).count();
        totals.closed_at_limit += usize::from(outcome.sluggish_closed);
    }
    (totals, start.elapsed())
}

fn report(seeds: u64, totals: &Totals, took: Duration) {
    eprintln!(
        "{seeds} seeds: {} clients ({} reset), {} replies checked, {} messages, {} BLPOP items ({} BLPOP timeouts), {} PTTLs ({} found the key gone), {} clients killed, {} subscribers closed at the output limit, in {:.2} s: {:.0} seeds/s",
        totals.clients,
        totals.reset,
        totals.replies,
        totals.messages,
        totals.taken,
        totals.timeouts,
        totals.ttl_live + totals.ttl_gone,
        totals.ttl_gone,
        totals.killed,
        totals.closed_at_limit,
        took.as_secs_f64(),
        seeds as f64 / took.as_secs_f64()
    );
}

#[test]
fn every_reply_is_exact_and_in_order_for_every_seed() {
    let (totals, took) = run_seeds(0..SEEDS);
    report(SEEDS, &totals, took);
    assert!(totals.reset > 0, "some seeds reset connections");
    assert!(totals.reset < totals.clients, "most clients finish");
    assert!(totals.messages > 0, "the doorbell delivered messages");
    assert!(totals.taken > 0, "the doorbell woke blocked clients");
    assert!(totals.timeouts > 0, "blocking commands timed out");
    assert!(totals.ttl_live > 0, "keys were seen before their deadline");
    assert!(totals.ttl_gone > 0, "keys were seen gone after it");
    assert!(totals.killed > 0, "CLIENT KILL closed clients mid-stream");
    assert!(
        totals.closed_at_limit > 0,
        "the output limit closed subscribers"
    );
}

/// Seeds run twice by the replay test (`REPLAY_SEEDS=n` for more).
const REPLAY_SEEDS: u64 = 20;

#[test]
fn a_seed_replays_the_same_trace_and_another_seed_differs() {
    let seeds = std::env::var("REPLAY_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(REPLAY_SEEDS);
    for seed in 0..seeds {
        let first = run(seed);
        assert!(!first.trace.is_empty());
        assert_eq!(first, run(seed), "seed {seed} replays");
    }
    assert_ne!(run(42).trace, run(43).trace);
}

#[test]
#[ignore = "many seeds: run in release mode, see the top of this file"]
fn many_seeds() {
    let seeds = std::env::var("SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let (totals, took) = run_seeds(0..seeds);
    report(seeds, &totals, took);
}

#[test]
#[ignore = "replays the seed in $SEED and prints its trace"]
fn replay_one_seed() {
    let seed = std::env::var("SEED")
        .expect("SEED=<n>")
        .parse()
        .expect("SEED is a number");
    let outcome = run(seed);
    eprintln!("{}", outcome.trace.join("\n"));
    eprintln!(
        "seed {seed}: {:?}\nmessages {:?}\nitems {:?}, {} BLPOP timeouts",
        outcome.seen, outcome.messages, outcome.taken, outcome.timeouts
    );
}
