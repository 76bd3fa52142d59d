//! Deterministic simulation testing, as a user runs it on a service: the Volley RESP server on
//! the simulated network, for many seeds. Each seed draws the network's latency, resets and
//! partitions; three clients then count with `INCR` and give a session key a few milliseconds
//! to live, and each reply is checked:
//!
//! - an `INCR` answers one more than the last one this client saw;
//! - a `GET` of the session finds it while its time cannot be up yet and misses it once it
//!   must be, measured on the virtual instants the requests were written and answered at
//!   (the server keeps key deadlines on the scheduler's clock);
//! - at the end an auditor reads every counter: no `INCR` the server confirmed is lost, and at
//!   most the one whose reply a reset swallowed was applied unseen.
//!
//! Hours of virtual time take no wall time, and a seed replays the same network trace, so a
//! failing seed is a bug report that reproduces every time:
//!
//! ```text
//! cargo run --release --example resp_dst -- --seeds 10000
//! cargo run --release --example resp_dst -- --seed 42      # one seed, twice, with its trace
//! ```
//!
//! Options: `--seeds N` (default 1000), `--first S` (the first seed, default 0), `--seed S`.
#![feature(coroutines)]

use std::cell::RefCell;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};
use volley::sched::net::Connection;
use volley::sched::rand::Rng;
use volley::sched::time::{clock, sleep, Clock};
use volley::sched::{Scheduler, TaskResult};
use volley::sim::net::{NetConfig, SimNet, SimStream};
use volley::{task, yield_from, Exit};
use volley_resp::codec::encode_command;
use volley_resp::server::{spawn_on, Config};

const SERVER: &str = "10.0.0.1:6379";
const CLIENTS: u64 = 3;

/// What one seed saw.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    /// Replies checked.
    replies: u64,
    /// Client connections reset by the network.
    resets: u64,
    /// `GET`s that found the session, and missed it because its time was up.
    sessions_live: u64,
    sessions_expired: u64,
    /// `INCR`s each client saw confirmed, and whether one was in flight when it stopped.
    confirmed: Vec<(i64, bool)>,
    /// The first broken rule.
    problem: Option<String>,
}

/// A reply this workload gets: a status, an integer or a bulk string (`None` for nil).
#[derive(Debug, PartialEq)]
enum Reply {
    Status(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
}

/// The reply at the start of `buf` and its length, if it is all there.
fn parse(buf: &[u8]) -> Result<Option<(Reply, usize)>, String> {
    let Some(end) = buf.windows(2).position(|w| w == b"\r\n") else {
        return Ok(None);
    };
    let line = String::from_utf8_lossy(&buf[1..end]).into_owned();
    let number = || {
        line.parse::<i64>()
            .map_err(|_| format!("bad reply line {line:?}"))
    };
    match buf[0] {
        b'+' => Ok(Some((Reply::Status(line), end + 2))),
        b':' => Ok(Some((Reply::Int(number()?), end + 2))),
        b'$' if number()? < 0 => Ok(Some((Reply::Bulk(None), end + 2))),
        b'$' => {
            let total = end + 2 + number()? as usize + 2;
            Ok((buf.len() >= total)
                .then(|| (Reply::Bulk(Some(buf[end + 2..total - 2].to_vec())), total)))
        }
        _ => Err(format!(
            "unexpected reply {:?}",
            String::from_utf8_lossy(buf)
        )),
    }
}

/// Sends `request` and reads its reply: `None` if the network reset the connection.
#[task(static)]
fn ask<'a>(
    conn: &'a SimStream,
    buf: &'a mut Vec<u8>,
    request: Vec<u8>,
) -> TaskResult<Option<Reply>> {
    let reset = |error: &volley::sched::TaskError| {
        error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset)
    };
    match yield_from!(conn.write_all(&request)) {
        Err(Exit::Raised(error)) if reset(&error) => return Ok(None),
        other => other?,
    }
    let mut chunk = [0u8; 512];
    loop {
        if let Some((reply, len)) = parse(buf).map_err(std::io::Error::other)? {
            buf.drain(..len);
            return Ok(Some(reply));
        }
        match yield_from!(conn.read(&mut chunk)) {
            Ok(0) => return Err(std::io::Error::other("the server closed the connection").into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(Exit::Raised(error)) if reset(&error) => return Ok(None),
            Err(other) => return Err(other),
        }
    }
}

/// Virtual milliseconds since the simulation started (the server's calendar moves with them).
fn millis(clock: &Clock) -> u64 {
    clock.elapsed().as_millis() as u64
}

/// How one round of a client went.
enum Round {
    /// `INCR` answered the next number.
    Counted,
    /// The session was found (`true`) or missed (`false`), as its time to live allows.
    Session(bool),
    /// The network reset the connection.
    Reset,
    /// A rule was broken.
    Broken(String),
}

/// `INCR key`, which must answer `count + 1`.
#[task(static)]
fn count_once<'a>(
    conn: &'a SimStream,
    buf: &'a mut Vec<u8>,
    key: &'a [u8],
    count: i64,
) -> TaskResult<Round> {
    let Some(reply) = yield_from!(ask(conn, buf, encode_command(&[b"INCR", key])))? else {
        return Ok(Round::Reset);
    };
    Ok(match reply {
        Reply::Int(value) if value == count + 1 => Round::Counted,
        other => Round::Broken(format!("INCR {} answered {other:?}", count + 1)),
    })
}

/// `SET key x PX ttl`, a pause, `GET key`: the key must be there while its time cannot be up
/// yet and gone once it must be, by the virtual instants the requests were written and
/// answered at (the server keeps deadlines on the scheduler's clock).
#[task(static)]
fn session_once<'a>(
    conn: &'a SimStream,
    buf: &'a mut Vec<u8>,
    key: &'a [u8],
    ttl: u64,
    pause: Duration,
) -> TaskResult<Round> {
    let clock = yield_from!(clock())?;
    let set = encode_command(&[b"SET", key, b"x", b"PX", ttl.to_string().as_bytes()]);
    let set_from = millis(&clock);
    match yield_from!(ask(conn, buf, set))? {
        None => return Ok(Round::Reset),
        Some(Reply::Status(ok)) if ok == "OK" => {}
        Some(other) => return Ok(Round::Broken(format!("SET answered {other:?}"))),
    }
    let set_to = millis(&clock);
    yield_from!(sleep(pause))?;
    let get_from = millis(&clock);
    let Some(reply) = yield_from!(ask(conn, buf, encode_command(&[b"GET", key])))? else {
        return Ok(Round::Reset);
    };
    let get_to = millis(&clock);
    // The key lives from the SET's instant until that plus `ttl`, exclusive.
    let (surely_live, surely_gone) = (get_to < set_from + ttl, get_from >= set_to + ttl);
    Ok(match reply {
        Reply::Bulk(Some(value)) if value == b"x" && !surely_gone => Round::Session(true),
        Reply::Bulk(None) if !surely_live => Round::Session(false),
        other => Round::Broken(format!(
            "GET of a {ttl} ms session set between {set_from} and {set_to} ms, asked between \
             {get_from} and {get_to} ms, answered {other:?}"
        )),
    })
}

/// Client `n`: rounds of `INCR counter:n` and, now and then, a session round; every reply
/// checked. Stops at a reset.
#[task(static)]
fn client(net: SimNet, n: u64, mut draw: Rng, seen: Rc<RefCell<Seen>>) -> TaskResult {
    let from: IpAddr = format!("10.0.1.{}", n + 1).parse().unwrap();
    let Ok(conn) = yield_from!(net.connect(from, SERVER.parse().unwrap())) else {
        seen.borrow_mut().resets += 1;
        return Ok(());
    };
    let key = format!("counter:{n}").into_bytes();
    let session = format!("session:{n}").into_bytes();
    let mut buf = Vec::new();
    let mut count = 0;
    for _ in 0..5 + draw.below(20) {
        let round = if draw.below(3) > 0 {
            // In flight until its reply comes: the audit allows for one that a reset swallowed.
            seen.borrow_mut().confirmed[n as usize] = (count, true);
            yield_from!(count_once(&conn, &mut buf, &key, count))?
        } else {
            let ttl = 1 + draw.below(50);
            let pause = Duration::from_micros(draw.below(ttl * 1000));
            yield_from!(session_once(&conn, &mut buf, &session, ttl, pause))?
        };
        let mut seen = seen.borrow_mut();
        match round {
            Round::Counted => {
                count += 1;
                seen.confirmed[n as usize] = (count, false);
            }
            Round::Session(true) => seen.sessions_live += 1,
            Round::Session(false) => seen.sessions_expired += 1,
            Round::Reset => {
                seen.resets += 1;
                return Ok(());
            }
            Round::Broken(problem) => {
                seen.problem.get_or_insert(format!("client {n}: {problem}"));
                return Ok(());
            }
        }
        seen.replies += 1;
    }
    Ok(())
}

/// Reads every counter once the clients are done (through resets, from a fresh connection
/// each try) and checks that nothing confirmed was lost.
#[task(static)]
fn audit(net: SimNet, seen: Rc<RefCell<Seen>>) -> TaskResult {
    let server: SocketAddr = SERVER.parse().unwrap();
    for n in 0..CLIENTS {
        let key = format!("counter:{n}").into_bytes();
        let (confirmed, in_flight) = seen.borrow().confirmed[n as usize];
        let mut reply = None;
        for _ in 0..100 {
            let Ok(conn) = yield_from!(net.connect("10.0.9.9".parse().unwrap(), server)) else {
                continue;
            };
            let mut buf = Vec::new();
            reply = yield_from!(ask(&conn, &mut buf, encode_command(&[b"GET", &key])))?;
            if reply.is_some() {
                break;
            }
        }
        let value = match &reply {
            Some(Reply::Bulk(None)) => Some(0),
            Some(Reply::Bulk(Some(digits))) => String::from_utf8_lossy(digits).parse().ok(),
            _ => None,
        };
        let highest = confirmed + i64::from(in_flight);
        if !value.is_some_and(|value| (confirmed..=highest).contains(&value)) {
            seen.borrow_mut().problem.get_or_insert(format!(
                "GET counter:{n} answered {reply:?}, but client {n} saw {confirmed} confirmed{}",
                if in_flight { " and one in flight" } else { "" }
            ));
        }
    }
    Ok(())
}

/// One seed: the server, the clients, the audit; what they saw and the network's trace.
fn run(seed: u64) -> (Seen, Vec<String>) {
    let mut draw = Rng::seeded(seed);
    let config = NetConfig {
        min_latency: Duration::from_micros(50 + draw.below(500)),
        max_latency: Duration::from_micros(1000 + draw.below(10_000)),
        reset_probability: [0.0, 0.005, 0.02][draw.below(3) as usize],
        partition_probability: [0.0, 0.3][draw.below(2) as usize],
        max_partition: Duration::from_millis(1 + draw.below(50)),
        ..NetConfig::default()
    };
    let mut sched = Scheduler::simulated(seed);
    let net = SimNet::new(&sched, config);
    spawn_on(
        &mut sched,
        net.bind(SERVER.parse().unwrap()).unwrap(),
        Config::default(),
    );
    let seen = Rc::new(RefCell::new(Seen {
        confirmed: vec![(0, false); CLIENTS as usize],
        ..Seen::default()
    }));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let draw = Rng::seeded(draw.next_u64());
            sched.spawn(client(net.clone(), n, draw, Rc::clone(&seen)))
        })
        .collect();
    for handle in clients {
        if let Err(error) = sched.join(handle) {
            seen.borrow_mut()
                .problem
                .get_or_insert(format!("a client failed: {error}"));
        }
    }
    let auditor = sched.spawn(audit(net.clone(), Rc::clone(&seen)));
    if let Err(error) = sched.join(auditor) {
        seen.borrow_mut()
            .problem
            .get_or_insert(format!("the audit failed: {error}"));
    }
    let seen = Rc::try_unwrap(seen).map_or_else(|rc| rc.take(), RefCell::into_inner);
    (seen, net.trace())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut first, mut seeds, mut one) = (0, 1000, None);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--first", Some(v)) => first = v,
            ("--seeds", Some(v)) => seeds = v,
            ("--seed", Some(v)) => one = Some(v),
            _ => {
                eprintln!("usage: resp_dst [--seeds N] [--first S] [--seed S]");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(seed) = one {
        let first = run(seed);
        let replayed = run(seed) == first;
        let (seen, trace) = first;
        println!("{}", trace.join("\n"));
        println!("seed {seed}: {seen:?}");
        println!(
            "replayed: {}",
            if replayed {
                "the same trace and replies"
            } else {
                "DIFFERENT"
            }
        );
        return if replayed && seen.problem.is_none() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let started = Instant::now();
    let mut total = Seen::default();
    for seed in first..first + seeds {
        let (seen, _) = run(seed);
        if let Some(problem) = seen.problem {
            eprintln!("seed {seed}: {problem}");
            eprintln!("replay: cargo run --release --example resp_dst -- --seed {seed}");
            return ExitCode::FAILURE;
        }
        total.replies += seen.replies;
        total.resets += seen.resets;
        total.sessions_live += seen.sessions_live;
        total.sessions_expired += seen.sessions_expired;
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "{seeds} seeds (from {first}): {} replies checked, {} sessions found live and {} expired, {} connections reset, every counter audited",
        total.replies, total.sessions_live, total.sessions_expired, total.resets
    );
    println!("{took:.2} s: {:.0} seeds/s", seeds as f64 / took);
    ExitCode::SUCCESS
}
