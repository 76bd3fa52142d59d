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

use replies::{next_reply, reply_len};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};
use volley_core::{yield_from, Co, Exit};
use volley_flow::sched::net::Connection;
use volley_flow::sched::rand::Rng;
use volley_flow::sched::time::Clock;
use volley_flow::sched::time::{sleep, timeout};
use volley_flow::sched::{spawn, Scheduler, TaskBody, TaskError, TaskResume};
use volley_flow::sim::net::{NetConfig, SimNet};
use volley_resp::codec::encode_command;
use volley_resp::server::{spawn_on, Config, SIMULATED_START_MILLIS};

/// Seeds of the CI run (a debug build).
const SEEDS: u64 = 2000;

/// The server's address on the simulated network.
const SERVER: &str = "10.0.0.1:6379";

/// How long (virtual time) a client may take before the seed fails as stuck.
const STUCK_AFTER: Duration = Duration::from_secs(600);

/// What a reply must be.
#[derive(Debug, Clone)]
enum Expect {
    /// Exactly these bytes.
    Exact(Vec<u8>),
    /// `PUBLISH chan m<seq>`: `:0` or `:1` (whether the subscriber was subscribed then).
    Published(u64),
    /// `RPUSH q i<seq>`: the list's length, at least 1 (the blocked client may be served
    /// later, or may have been served already).
    Pushed(u64),
    /// Malformed input: Redis's `-ERR Protocol error: ...`, then the server closes.
    ProtocolError,
    /// `CLIENT ID`: any positive id, which the killer is told.
    ClientId,
}

/// A request and the reply it must get.
struct Step {
    request: Vec<u8>,
    expect: Expect,
}

/// What the readers found, shared by the tasks of one seed.
#[derive(Default)]
struct Shared {
    /// `PUBLISH` sequence numbers the server delivered to one subscriber (`:1`).
    published: Vec<u64>,
    /// `RPUSH q` sequence numbers the server confirmed.
    pushed: Vec<u64>,
    /// Messages the subscriber received, in order.
    messages: Vec<u64>,
    /// Items the `BLPOP` client took, in order.
    taken: Vec<u64>,
    /// `BLPOP`s that timed out (a null reply).
    timeouts: usize,
    /// The subscriber's connection failed (messages after that may be lost).
    subscriber_gone: bool,
    /// The `BLPOP` client's connection failed (an item it took may be lost).
    waiter_gone: bool,
    /// The id of the client the killer kills (once it has asked for it), or `None`.
    victim_id: Option<i64>,
    /// The victim's task ended (its id will never come if it has not yet).
    victim_ended: bool,
    /// The killer wrote its `CLIENT KILL ID`.
    kill_sent: bool,
    /// What it answered (`:1` killed, `:0` already gone); `None` if the answer was lost.
    kill_reply: Option<Vec<u8>>,
    /// The sluggish subscriber is subscribed to `flood`, or gone: the flood may start.
    flood_ready: bool,
    /// The flooder has published everything (or its connection failed).
    flood_done: bool,
    /// The flooder published every message.
    flood_complete: bool,
    /// Flood messages the server delivered to the sluggish subscriber's output (`:1`).
    flood_delivered: u64,
    /// Flood messages the sluggish subscriber read, in order.
    flood_received: u64,
    /// The server closed the sluggish subscriber's connection.
    sluggish_closed: bool,
    /// The sluggish subscriber's connection was reset.
    sluggish_gone: bool,
    /// `PTTL`s that found the key still there, and gone.
    ttl_live: usize,
    ttl_gone: usize,
    /// What the timekeeper's `PTTL`, `TIME` and `SPOP` got, in order (for the replay check).
    clock_replies: Vec<Vec<u8>>,
    /// The first thing that went wrong.
    problem: Option<String>,
}

impl Shared {
    fn fail(&mut self, problem: String) {
        self.problem.get_or_insert(problem);
    }
}

fn bulk(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

fn int(value: i64) -> Vec<u8> {
    format!(":{value}\r\n").into_bytes()
}

fn array(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for item in items {
        out.extend_from_slice(&bulk(item));
    }
    out
}

/// Redis's `LRANGE` index rules.
fn lrange(list: &[Vec<u8>], start: i64, stop: i64) -> Vec<Vec<u8>> {
    let len = list.len() as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut stop = if stop < 0 { len + stop } else { stop };
    start = start.max(0);
    if start > stop || start >= len {
        return Vec::new();
    }
    stop = stop.min(len - 1);
    list[start as usize..=stop as usize].to_vec()
}

/// A value of random bytes (any byte: the protocol is binary-safe).
fn value(draw: &mut Rng) -> Vec<u8> {
    let len = draw.below(40) as usize;
    (0..len).map(|_| draw.below(256) as u8).collect()
}

/// What a client's keys (`c<n>:`) hold, by the number of the key.
#[derive(Clone, Default)]
struct Model {
    strings: HashMap<u64, Vec<u8>>,
    counters: HashMap<u64, i64>,
    lists: HashMap<u64, Vec<Vec<u8>>>,
}

impl Model {
    /// A request on the client's own keys (of the kind `choice` picks, modulo 11) and the
    /// exact reply it must get; the model is updated as the server must be.
    fn step(&mut self, draw: &mut Rng, client: u64, choice: u64) -> (Vec<u8>, Vec<u8>) {
        let k = draw.below(3);
        let key = |kind: &str| format!("c{client}:{kind}{k}").into_bytes();
        match choice % 11 {
            0 => {
                let v = value(draw);
                let request = encode_command(&[b"SET", &key("s"), &v]);
                self.strings.insert(k, v);
                (request, b"+OK\r\n".to_vec())
            }
            1 => (
                encode_command(&[b"GET", &key("s")]),
                match self.strings.get(&k) {
                    Some(v) => bulk(v),
                    None => b"$-1\r\n".to_vec(),
                },
            ),
            2 => {
                let v = value(draw);
                let request = encode_command(&[b"APPEND", &key("s"), &v]);
                let s = self.strings.entry(k).or_default();
                s.extend_from_slice(&v);
                (request, int(s.len() as i64))
            }
            3 => {
                let n = self.counters.entry(k).or_default();
                *n += 1;
                (encode_command(&[b"INCR", &key("n")]), int(*n))
            }
            4 => {
                let by = draw.below(201) as i64 - 100;
                let n = self.counters.entry(k).or_default();
                *n += by;
                let request = encode_command(&[b"INCRBY", &key("n"), by.to_string().as_bytes()]);
                (request, int(*n))
            }
            5 => (
                encode_command(&[b"GET", &key("n")]),
                match self.counters.get(&k) {
                    Some(n) => bulk(n.to_string().as_bytes()),
                    None => b"$-1\r\n".to_vec(),
                },
            ),
            6 => {
                let values: Vec<Vec<u8>> = (0..1 + draw.below(3)).map(|_| value(draw)).collect();
                let name = key("l");
                let mut args: Vec<&[u8]> = vec![b"RPUSH", &name];
                args.extend(values.iter().map(Vec::as_slice));
                let request = encode_command(&args);
                let list = self.lists.entry(k).or_default();
                list.extend(values);
                (request, int(list.len() as i64))
            }
            7 => {
                let start = draw.below(9) as i64 - 4;
                let stop = draw.below(9) as i64 - 4;
                let list = self.lists.get(&k).map_or(&[][..], Vec::as_slice);
                let request = encode_command(&[
                    b"LRANGE",
                    &key("l"),
                    start.to_string().as_bytes(),
                    stop.to_string().as_bytes(),
                ]);
                (request, array(&lrange(list, start, stop)))
            }
            8 => {
                let v = value(draw);
                (encode_command(&[b"ECHO", &v]), bulk(&v))
            }
            9 => (b"PING\r\n".to_vec(), b"+PONG\r\n".to_vec()),
            _ => (
                encode_command(&[b"EXISTS", &key("s"), &key("n"), &key("l")]),
                int(i64::from(self.strings.contains_key(&k))
                    + i64::from(self.counters.contains_key(&k))
                    + i64::from(self.lists.contains_key(&k))),
            ),
        }
    }
}

/// A step whose reply must be exactly `reply`.
fn exact(request: Vec<u8>, reply: &[u8]) -> Step {
    Step {
        request,
        expect: Expect::Exact(reply.to_vec()),
    }
}

/// A client's requests and the replies the model expects, on keys of its own (`c<n>:`); the
/// publisher and the pusher add their numbered `PUBLISH` and `RPUSH q` requests. Transactions
/// (`MULTI`, queued commands, `EXEC` or `DISCARD`) come now and then. Ends with QUIT, or now
/// and then with a malformed request the server must answer with a protocol error before it
/// closes.
fn plan(draw: &mut Rng, client: u64, publisher: bool, pusher: bool) -> Vec<Step> {
    let mut model = Model::default();
    let (mut published, mut pushed) = (0, 0);
    let mut steps = Vec::new();
    for _ in 0..5 + draw.below(40) {
        match draw.below(14) {
            10 if publisher => {
                published += 1;
                steps.push(Step {
                    request: encode_command(&[
                        b"PUBLISH",
                        b"chan",
                        format!("m{published}").as_bytes(),
                    ]),
                    expect: Expect::Published(published),
                });
            }
            11 if pusher => {
                pushed += 1;
                steps.push(Step {
                    request: encode_command(&[b"RPUSH", b"q", format!("i{pushed}").as_bytes()]),
                    expect: Expect::Pushed(pushed),
                });
            }
            12 => {
                // Queued commands run at EXEC, in order, as one reply; DISCARD drops them.
                let discard = draw.below(4) == 0;
                let mut inside = if discard {
                    model.clone()
                } else {
                    Model::default()
                };
                let applied = if discard { &mut inside } else { &mut model };
                steps.push(exact(encode_command(&[b"MULTI"]), b"+OK\r\n"));
                let queued = 1 + draw.below(4);
                let mut replies = format!("*{queued}\r\n").into_bytes();
                for _ in 0..queued {
                    let choice = draw.below(11);
                    let (request, reply) = applied.step(draw, client, choice);
                    steps.push(exact(request, b"+QUEUED\r\n"));
                    replies.extend_from_slice(&reply);
                }
                steps.push(if discard {
                    exact(encode_command(&[b"DISCARD"]), b"+OK\r\n")
                } else {
                    exact(encode_command(&[b"EXEC"]), &replies)
                });
            }
            choice => {
                let (request, reply) = model.step(draw, client, choice);
                steps.push(exact(request, &reply));
            }
        }
    }
    steps.push(if draw.below(8) == 0 {
        Step {
            request: b"*1x\r\n".to_vec(),
            expect: Expect::ProtocolError,
        }
    } else {
        exact(encode_command(&[b"QUIT"]), b"+OK\r\n")
    });
    steps
}

/// Whether a raised error is a reset of the simulated connection (what the network may do).
fn is_reset(error: &TaskError) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::ConnectionReset)
}

/// The reply a task that stops at the end of its connection reads next, or `None` when it
/// stops: after a reset (what the network may do), or when the server closed the connection
/// or the read failed otherwise (the seed's problem, named after `who`). `on_stop` runs
/// whenever it stops. A kill or close of the task itself goes on up.
fn reply_or_stop(
    read: Result<Option<Vec<u8>>, Exit<TaskError>>,
    who: &str,
    shared: &RefCell<Shared>,
    on_stop: impl FnOnce(&RefCell<Shared>),
) -> Result<Option<Vec<u8>>, Exit<TaskError>> {
    let problem = match read {
        Ok(Some(reply)) => return Ok(Some(reply)),
        Ok(None) => Some(format!("{who}: the server closed the connection")),
        Err(Exit::Raised(error)) if is_reset(&error) => None,
        Err(Exit::Raised(error)) => Some(format!("{who}: {error}")),
        Err(other) => return Err(other),
    };
    if let Some(problem) = problem {
        shared.borrow_mut().fail(problem);
    }
    on_stop(shared);
    Ok(None)
}

/// Whether a raised error is a stream that ended inside a reply.
fn is_cut(error: &TaskError) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::UnexpectedEof)
}

/// Checks a reply against what the model expects; records confirmed messages and items.
fn check(expect: &Expect, reply: &[u8], shared: &RefCell<Shared>) -> Result<(), String> {
    let shown = |bytes: &[u8]| format!("{:?}", String::from_utf8_lossy(bytes));
    match expect {
        Expect::Exact(bytes) if bytes == reply => Ok(()),
        Expect::Exact(bytes) => Err(format!("expected {}, got {}", shown(bytes), shown(reply))),
        Expect::Published(seq) => match reply {
            b":1\r\n" => {
                shared.borrow_mut().published.push(*seq);
                Ok(())
            }
            b":0\r\n" => Ok(()),
            _ => Err(format!("PUBLISH m{seq} got {}", shown(reply))),
        },
        Expect::ProtocolError
            if reply.starts_with(b"-ERR Protocol error: ") && reply.ends_with(b"\r\n") =>
        {
            Ok(())
        }
        Expect::ProtocolError => Err(format!("expected a protocol error, got {}", shown(reply))),
        Expect::ClientId => {
            let id = std::str::from_utf8(reply)
                .ok()
                .and_then(|r| {
                    r.strip_prefix(':')?
                        .strip_suffix("\r\n")?
                        .parse::<i64>()
                        .ok()
                })
                .filter(|id| *id > 0)
                .ok_or_else(|| format!("CLIENT ID got {}", shown(reply)))?;
            shared.borrow_mut().victim_id = Some(id);
            Ok(())
        }
        Expect::Pushed(seq) => {
            let n = reply
                .strip_prefix(b":")
                .and_then(|r| r.strip_suffix(b"\r\n"))
                .and_then(|r| std::str::from_utf8(r).ok())
                .and_then(|r| r.parse::<i64>().ok());
            match n {
                Some(n) if n >= 1 => {
                    shared.borrow_mut().pushed.push(*seq);
                    Ok(())
                }
                _ => Err(format!("RPUSH q i{seq} got {}", shown(reply))),
            }
        }
    }
}

/// What one client saw.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    /// Replies that arrived (all checked).
    replies: usize,
    /// Replies it expected.
    expected: usize,
    /// Its connection was reset (or refused).
    reset: bool,
    /// The server closed it early: `CLIENT KILL` (only the victim may see this).
    killed: bool,
}

/// Connects after `delay`, writes its requests in chunks of the given sizes from a writer
/// task, and checks every reply in order until the server closes after QUIT, or a reset. The
/// `victim` may also be closed early (by the killer's `CLIENT KILL`).
fn client(
    net: SimNet,
    from: IpAddr,
    delay: Duration,
    (steps, chunks): (Vec<Step>, Vec<usize>),
    victim: bool,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<Seen>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            yield_from!(sleep(delay))?;
            let expected = steps.len();
            let server: SocketAddr = SERVER.parse().unwrap();
            let conn = match yield_from!(net.connect(from, server)) {
                Ok(conn) => Rc::new(conn),
                Err(_) => {
                    if victim {
                        shared.borrow_mut().victim_ended = true;
                    }
                    return Ok(Seen {
                        replies: 0,
                        expected,
                        reset: true,
                        killed: false,
                    });
                }
            };
            let stream: Vec<u8> = steps.iter().flat_map(|s| s.request.clone()).collect();
            let writer_conn = Rc::clone(&conn);
            let writer = yield_from!(spawn(Co::pinned(
                #[coroutine]
                static move |_: TaskResume| {
                    let mut at = 0;
                    for size in chunks {
                        let end = (at + size).min(stream.len());
                        // A reset ends the writing; the reader reports it.
                        if yield_from!(writer_conn.write_all(&stream[at..end])).is_err() {
                            break;
                        }
                        at = end;
                    }
                    Ok(())
                }
            )))?;
            let mut buf = Vec::new();
            let mut replies = 0;
            let (mut reset, mut killed) = (false, false);
            loop {
                match yield_from!(next_reply(&conn, &mut buf)) {
                    Ok(Some(reply)) => {
                        let Some(step) = steps.get(replies) else {
                            shared.borrow_mut().fail(format!(
                                "client {from}: a reply after QUIT's: {:?}",
                                String::from_utf8_lossy(&reply)
                            ));
                            break;
                        };
                        if let Err(problem) = check(&step.expect, &reply, &shared) {
                            shared.borrow_mut().fail(format!(
                                "client {from}, reply {replies} (to {:?}): {problem}",
                                String::from_utf8_lossy(&step.request)
                            ));
                            break;
                        }
                        replies += 1;
                    }
                    Ok(None) => {
                        killed = victim && replies < expected;
                        if replies < expected && !victim {
                            shared.borrow_mut().fail(format!(
                                "client {from}: the server closed after {replies} of {expected} replies"
                            ));
                        }
                        break;
                    }
                    Err(Exit::Raised(error)) if is_reset(&error) => {
                        reset = true;
                        break;
                    }
                    // A kill may stop the server mid-reply: what came is the reply's start.
                    Err(Exit::Raised(error)) if victim && is_cut(&error) => {
                        let start = match steps.get(replies).map(|step| &step.expect) {
                            Some(Expect::Exact(bytes)) => bytes.starts_with(&buf),
                            _ => true,
                        };
                        if !start {
                            shared.borrow_mut().fail(format!(
                                "client {from}: killed mid-reply after {:?}",
                                String::from_utf8_lossy(&buf)
                            ));
                        }
                        killed = true;
                        break;
                    }
                    Err(Exit::Raised(error)) => {
                        shared
                            .borrow_mut()
                            .fail(format!("client {from}: {error}"));
                        break;
                    }
                    Err(other) => return Err(other),
                }
            }
            let _ = yield_from!(writer.join())?;
            if victim {
                shared.borrow_mut().victim_ended = true;
            }
            Ok(Seen {
                replies,
                expected,
                reset,
                killed,
            })
        },
    )
    .named("client")
}

/// A pub/sub frame (`message`, `subscribe`...) as a subscriber gets it: an array in RESP2, a
/// push in RESP3.
fn push(resp3: bool, kind: &[u8], channel: &[u8], last: &[u8]) -> Vec<u8> {
    let mut out = if resp3 { b">3\r\n" } else { b"*3\r\n" }.to_vec();
    out.extend_from_slice(&bulk(kind));
    out.extend_from_slice(&bulk(channel));
    out.extend_from_slice(last);
    out
}

/// The message the subscriber must get for `PUBLISH <channel> <prefix><seq>`.
fn message(resp3: bool, channel: &[u8], prefix: &str, seq: u64) -> Vec<u8> {
    push(
        resp3,
        b"message",
        channel,
        &bulk(format!("{prefix}{seq}").as_bytes()),
    )
}

/// The reply `BLPOP q 0` must get for item `i<seq>`.
fn item(seq: u64) -> Vec<u8> {
    array(&[b"q".to_vec(), format!("i{seq}").into_bytes()])
}

/// Finds the sequence number in a message or an item: the one whose encoding is `reply`,
/// among `1..=last`.
fn numbered(reply: &[u8], last: u64, encode: impl Fn(u64) -> Vec<u8>) -> Option<u64> {
    (1..=last).find(|&seq| encode(seq) == reply)
}

/// Subscribes to `chan` (in RESP3 after `HELLO 3` in the same write, if `resp3`) and records
/// every message, which must come in order; stops at a reset (recorded) or a wrong reply (a
/// problem).
fn subscriber(
    net: SimNet,
    published: u64,
    resp3: bool,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let server: SocketAddr = SERVER.parse().unwrap();
            let gone = |shared: &RefCell<Shared>| shared.borrow_mut().subscriber_gone = true;
            let Ok(conn) = yield_from!(net.connect("10.0.2.1".parse().unwrap(), server)) else {
                gone(&shared);
                return Ok(());
            };
            let mut subscribe = Vec::new();
            if resp3 {
                subscribe = encode_command(&[b"HELLO", b"3"]);
            }
            subscribe.extend_from_slice(&encode_command(&[b"SUBSCRIBE", b"chan"]));
            if yield_from!(conn.write_all(&subscribe)).is_err() {
                gone(&shared);
                return Ok(());
            }
            let mut buf = Vec::new();
            let mut greeted = !resp3;
            let mut confirmed = false;
            loop {
                let read = yield_from!(next_reply(&conn, &mut buf));
                let Some(reply) = reply_or_stop(read, "subscriber", &shared, gone)? else {
                    return Ok(());
                };
                let mut shared = shared.borrow_mut();
                if !greeted {
                    if !reply.starts_with(b"%") {
                        shared.fail(format!(
                            "subscriber: got {:?} for HELLO 3",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                    greeted = true;
                    continue;
                }
                if !confirmed {
                    if reply != push(resp3, b"subscribe", b"chan", b":1\r\n") {
                        shared.fail(format!(
                            "subscriber: got {:?} for SUBSCRIBE",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                    confirmed = true;
                    continue;
                }
                let last = shared.messages.last().copied().unwrap_or(0);
                match numbered(&reply, published, |seq| message(resp3, b"chan", "m", seq)) {
                    Some(seq) if seq > last => shared.messages.push(seq),
                    _ => {
                        shared.fail(format!(
                            "subscriber: got {:?} after message m{last}",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                }
            }
        },
    )
    .named("subscriber")
}

/// Takes items from `q` with `BLPOP`, one at a time, until it has seen the last one; they
/// must come in order. Each `BLPOP` waits for good or for a few milliseconds, as `draw` says
/// (one that times out gets a null), and is sometimes followed in the same write by a `PING`,
/// which the server holds while the client is blocked and answers after.
fn waiter(
    net: SimNet,
    pushed: u64,
    mut draw: Rng,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let server: SocketAddr = SERVER.parse().unwrap();
            let gone = |shared: &RefCell<Shared>| shared.borrow_mut().waiter_gone = true;
            let Ok(conn) = yield_from!(net.connect("10.0.2.2".parse().unwrap(), server)) else {
                gone(&shared);
                return Ok(());
            };
            let mut buf = Vec::new();
            while shared.borrow().taken.last().copied().unwrap_or(0) < pushed {
                let wait = ["0", "0", "0.002", "0.02"][draw.below(4) as usize];
                let mut blpop = encode_command(&[b"BLPOP", b"q", wait.as_bytes()]);
                let ping = draw.below(3) == 0;
                if ping {
                    blpop.extend_from_slice(b"PING\r\n");
                }
                if yield_from!(conn.write_all(&blpop)).is_err() {
                    gone(&shared);
                    return Ok(());
                }
                let read = yield_from!(next_reply(&conn, &mut buf));
                let Some(reply) = reply_or_stop(read, "BLPOP client", &shared, gone)? else {
                    return Ok(());
                };
                {
                    let mut shared = shared.borrow_mut();
                    let last = shared.taken.last().copied().unwrap_or(0);
                    match numbered(&reply, pushed, item) {
                        _ if reply == b"*-1\r\n" && wait != "0" => shared.timeouts += 1,
                        Some(seq) if seq > last => shared.taken.push(seq),
                        _ => {
                            shared.fail(format!(
                                "BLPOP client: got {:?} after item i{last}",
                                String::from_utf8_lossy(&reply)
                            ));
                            return Ok(());
                        }
                    }
                }
                if ping {
                    let read = yield_from!(next_reply(&conn, &mut buf));
                    let Some(reply) = reply_or_stop(read, "BLPOP client", &shared, gone)? else {
                        return Ok(());
                    };
                    if reply != b"+PONG\r\n" {
                        shared.borrow_mut().fail(format!(
                            "BLPOP client: got {:?} for the PING after BLPOP",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                }
            }
            Ok(())
        },
    )
    .named("blpop_client")
}

/// The server's calendar at the current virtual instant, in whole milliseconds: what a
/// request written or answered now sees (the server reads the same clock).
fn unix_millis(clock: &Clock) -> i64 {
    SIMULATED_START_MILLIS + clock.elapsed().as_millis() as i64
}

/// An integer reply's value.
fn int_reply(reply: &[u8]) -> Option<i64> {
    std::str::from_utf8(reply.strip_prefix(b":")?.strip_suffix(b"\r\n")?)
        .ok()?
        .parse()
        .ok()
}

/// What `PTTL` may answer for a key given `ttl` ms by a `SET` written at `set_from` and
/// answered at `set_to`, asked by a `PTTL` written at `ask_from` and answered at `ask_to`
/// (Unix milliseconds): the deadline is the SET's instant plus `ttl`, and the key is gone from
/// the deadline on.
fn check_pttl(
    reply: &[u8],
    ttl: i64,
    (set_from, set_to): (i64, i64),
    (ask_from, ask_to): (i64, i64),
) -> Result<bool, String> {
    let (earliest_deadline, latest_deadline) = (set_from + ttl, set_to + ttl);
    match int_reply(reply) {
        Some(-2) if earliest_deadline <= ask_to => Ok(false),
        Some(left)
            if left >= 1
                && latest_deadline > ask_from
                && (earliest_deadline - ask_to..=latest_deadline - ask_from).contains(&left) =>
        {
            Ok(true)
        }
        _ => Err(format!(
            "PTTL got {:?} for {ttl} ms set between {set_from} and {set_to}, asked between {ask_from} and {ask_to}",
            String::from_utf8_lossy(reply)
        )),
    }
}

/// `TIME`'s reply as Unix microseconds.
fn time_micros(reply: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(reply).ok()?;
    let mut lines = text.split("\r\n");
    if lines.next()? != "*2" {
        return None;
    }
    let mut numbers = lines.skip(1).step_by(2).map(|n| n.parse::<i64>().ok());
    let (secs, micros) = (numbers.next()??, numbers.next()??);
    (0..1_000_000)
        .contains(&micros)
        .then_some(secs * 1_000_000 + micros)
}

/// Gives keys milliseconds to live, waits, and checks `PTTL` against the virtual
/// instants of the requests; checks `TIME` the same way and records what `SPOP` picks. Stops
/// quietly at a reset.
fn timekeeper(
    net: SimNet,
    clock: Clock,
    mut draw: Rng,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let server: SocketAddr = SERVER.parse().unwrap();
            let Ok(conn) = yield_from!(net.connect("10.0.2.3".parse().unwrap(), server)) else {
                return Ok(());
            };
            let mut buf = Vec::new();
            let members: Vec<&[u8]> = vec![b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h"];
            let mut sadd: Vec<&[u8]> = vec![b"SADD", b"tk:set"];
            sadd.extend(members);
            let mut requests = 0;
            for round in 0..3 + draw.below(6) {
                let key = format!("tk:{round}").into_bytes();
                let ttl = 1 + draw.below(100) as i64;
                let pause = Duration::from_micros(draw.below(1000 * ttl as u64));
                let exchanges = [
                    encode_command(&[b"SET", &key, b"v", b"PX", ttl.to_string().as_bytes()]),
                    encode_command(&[b"PTTL", &key]),
                    encode_command(&[b"TIME"]),
                    encode_command(&sadd),
                    encode_command(&[b"SPOP", b"tk:set"]),
                ];
                let mut set_window = (0, 0);
                for (n, request) in exchanges.iter().enumerate() {
                    if n == 1 {
                        yield_from!(sleep(pause))?;
                    }
                    let written = unix_millis(&clock);
                    let written_micros = clock.elapsed().as_micros() as i64;
                    if yield_from!(conn.write_all(request)).is_err() {
                        return Ok(());
                    }
                    let read = yield_from!(next_reply(&conn, &mut buf));
                    let Some(reply) = reply_or_stop(read, "timekeeper", &shared, |_| {})? else {
                        return Ok(());
                    };
                    requests += 1;
                    let answered = unix_millis(&clock);
                    let mut shared = shared.borrow_mut();
                    let checked = match n {
                        0 if reply == b"+OK\r\n" => {
                            set_window = (written, answered);
                            Ok(())
                        }
                        1 => check_pttl(&reply, ttl, set_window, (written, answered)).map(|live| {
                            if live {
                                shared.ttl_live += 1;
                            } else {
                                shared.ttl_gone += 1;
                            }
                        }),
                        2 => {
                            let start = SIMULATED_START_MILLIS * 1000;
                            let window =
                                start + written_micros..=start + clock.elapsed().as_micros() as i64;
                            match time_micros(&reply) {
                                Some(micros) if window.contains(&micros) => Ok(()),
                                _ => Err(format!(
                                    "TIME got {:?}, outside {window:?}",
                                    String::from_utf8_lossy(&reply)
                                )),
                            }
                        }
                        3 if int_reply(&reply).is_some_and(|added| (0..=8).contains(&added)) => {
                            Ok(())
                        }
                        4 if reply.starts_with(b"$1\r\n") => Ok(()),
                        _ => Err(format!("got {:?}", String::from_utf8_lossy(&reply))),
                    };
                    if let Err(problem) = checked {
                        shared.fail(format!(
                            "timekeeper, request {requests} ({:?}): {problem}",
                            String::from_utf8_lossy(request)
                        ));
                        return Ok(());
                    }
                    if n != 0 && n != 3 {
                        shared.clock_replies.push(reply);
                    }
                }
            }
            Ok(())
        },
    )
    .named("timekeeper")
}

/// Kills the victim: waits for its id (or its end), a little longer as `draw` says, then
/// sends `CLIENT KILL ID <id>` from a connection of its own, which must answer `:1` (killed)
/// or `:0` (already gone).
fn killer(net: SimNet, mut draw: Rng, shared: Rc<RefCell<Shared>>) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let id = loop {
                let (id, ended) = {
                    let s = shared.borrow();
                    (s.victim_id, s.victim_ended)
                };
                match id {
                    Some(id) => break id,
                    None if ended => return Ok(()),
                    None => yield_from!(sleep(Duration::from_micros(500)))?,
                }
            };
            yield_from!(sleep(Duration::from_micros(draw.below(20_000))))?;
            let server: SocketAddr = SERVER.parse().unwrap();
            let Ok(conn) = yield_from!(net.connect("10.0.2.4".parse().unwrap(), server)) else {
                return Ok(());
            };
            let kill = encode_command(&[b"CLIENT", b"KILL", b"ID", id.to_string().as_bytes()]);
            if yield_from!(conn.write_all(&kill)).is_err() {
                return Ok(());
            }
            shared.borrow_mut().kill_sent = true;
            let mut buf = Vec::new();
            let read = yield_from!(next_reply(&conn, &mut buf));
            if let Some(reply) = reply_or_stop(read, "killer", &shared, |_| {})? {
                let mut shared = shared.borrow_mut();
                if reply == b":1\r\n" || reply == b":0\r\n" {
                    shared.kill_reply = Some(reply);
                } else {
                    let got = String::from_utf8_lossy(&reply);
                    shared.fail(format!("CLIENT KILL ID {id} got {got:?}"));
                }
            }
            Ok(())
        },
    )
    .named("killer")
}

/// The pub/sub output limit the flooder sets: 16 KiB pending, at once.
const FLOOD_LIMIT: &[u8] = b"pubsub 16384 0 0";

/// The payload of flood message `seq`: 512 bytes.
fn flood_payload(seq: u64) -> Vec<u8> {
    let mut payload = format!("f{seq}:").into_bytes();
    payload.resize(512, b'.');
    payload
}

/// The flood as the sluggish subscriber must read it, message after message.
#[derive(Default)]
struct FloodReader {
    /// What is left of the message being read.
    rest: Vec<u8>,
    /// Messages read whole.
    whole: u64,
}

impl FloodReader {
    /// Takes in bytes read; an error if they are not what comes next.
    fn take(&mut self, mut bytes: &[u8]) -> Result<(), String> {
        while !bytes.is_empty() {
            if self.rest.is_empty() {
                let payload = flood_payload(self.whole + 1);
                self.rest = push(false, b"message", b"flood", &bulk(&payload));
                self.rest.reverse();
            }
            let n = bytes.len().min(self.rest.len());
            for &byte in &bytes[..n] {
                if self.rest.pop() != Some(byte) {
                    return Err(format!("a wrong byte in flood message {}", self.whole + 1));
                }
            }
            bytes = &bytes[n..];
            if self.rest.is_empty() {
                self.whole += 1;
            }
        }
        Ok(())
    }
}

/// Subscribes to `flood`, then reads nothing until the flooder is done. Its pending output
/// outgrows the limit, so the server must close it; what it then reads is the start of the
/// flood, byte for byte (the last message may be cut where the server stopped writing), then
/// the end of the stream. If the flood was cut short (the flooder's connection failed), it
/// stops when nothing more comes for a second.
fn sluggish(net: SimNet, shared: Rc<RefCell<Shared>>) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let gone = |shared: &RefCell<Shared>| {
                let mut s = shared.borrow_mut();
                s.sluggish_gone = true;
                s.flood_ready = true;
            };
            let server: SocketAddr = SERVER.parse().unwrap();
            let Ok(conn) = yield_from!(net.connect("10.0.2.5".parse().unwrap(), server)) else {
                gone(&shared);
                return Ok(());
            };
            let subscribe = encode_command(&[b"SUBSCRIBE", b"flood"]);
            if yield_from!(conn.write_all(&subscribe)).is_err() {
                gone(&shared);
                return Ok(());
            }
            let mut buf = Vec::new();
            let read = yield_from!(next_reply(&conn, &mut buf));
            let Some(confirmation) = reply_or_stop(read, "sluggish subscriber", &shared, gone)?
            else {
                return Ok(());
            };
            if confirmation != push(false, b"subscribe", b"flood", b":1\r\n") {
                let got = String::from_utf8_lossy(&confirmation);
                let problem = format!("sluggish subscriber: SUBSCRIBE got {got:?}");
                shared.borrow_mut().fail(problem);
                return Ok(());
            }
            shared.borrow_mut().flood_ready = true;
            while !shared.borrow().flood_done {
                yield_from!(sleep(Duration::from_millis(1)))?;
            }
            let mut reader = FloodReader::default();
            let mut chunk = [0u8; 4096];
            let mut read = buf;
            loop {
                if let Err(problem) = reader.take(&read) {
                    shared
                        .borrow_mut()
                        .fail(format!("sluggish subscriber: {problem}"));
                    return Ok(());
                }
                shared.borrow_mut().flood_received = reader.whole;
                let next = yield_from!(timeout(Duration::from_secs(1), conn.read(&mut chunk)));
                match next {
                    Ok(Err(_elapsed)) => {
                        if shared.borrow().flood_complete {
                            let problem = "the sluggish subscriber was not closed at the limit";
                            shared.borrow_mut().fail(problem.into());
                        }
                        return Ok(());
                    }
                    Ok(Ok(0)) => {
                        shared.borrow_mut().sluggish_closed = true;
                        return Ok(());
                    }
                    Ok(Ok(n)) => read = chunk[..n].to_vec(),
                    Err(Exit::Raised(error)) if is_reset(&error) => {
                        gone(&shared);
                        return Ok(());
                    }
                    Err(Exit::Raised(error)) => {
                        shared
                            .borrow_mut()
                            .fail(format!("sluggish subscriber: {error}"));
                        return Ok(());
                    }
                    Err(other) => return Err(other),
                }
            }
        },
    )
    .named("sluggish_subscriber")
}

/// Sets a small pub/sub output limit, waits for the sluggish subscriber, and publishes `count`
/// messages to `flood` ten at a time: each reply is `:1` while the subscriber is connected,
/// then `:0` for good. A subscriber that does not read never holds the flooder back.
fn flooder(net: SimNet, count: u64, shared: Rc<RefCell<Shared>>) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let done = |shared: &RefCell<Shared>| shared.borrow_mut().flood_done = true;
            let server: SocketAddr = SERVER.parse().unwrap();
            let Ok(conn) = yield_from!(net.connect("10.0.2.6".parse().unwrap(), server)) else {
                done(&shared);
                return Ok(());
            };
            let mut buf = Vec::new();
            let limit = encode_command(&[
                b"CONFIG",
                b"SET",
                b"client-output-buffer-limit",
                FLOOD_LIMIT,
            ]);
            let mut batches = vec![limit];
            let mut seq = 1;
            while seq <= count {
                let mut batch = Vec::new();
                for _ in 0..10.min(count + 1 - seq) {
                    batch.extend_from_slice(&encode_command(&[
                        b"PUBLISH",
                        b"flood",
                        &flood_payload(seq),
                    ]));
                    seq += 1;
                }
                batches.push(batch);
            }
            let mut published = 0;
            let mut delivered = 0;
            for (n, batch) in batches.iter().enumerate() {
                if n == 1 {
                    while !shared.borrow().flood_ready {
                        yield_from!(sleep(Duration::from_micros(500)))?;
                    }
                }
                if yield_from!(conn.write_all(batch)).is_err() {
                    break;
                }
                let replies = if n == 0 { 1 } else { 10.min(count - published) };
                for _ in 0..replies {
                    let read = yield_from!(next_reply(&conn, &mut buf));
                    let Some(reply) = reply_or_stop(read, "flooder", &shared, done)? else {
                        return Ok(());
                    };
                    let fine = match n {
                        0 => reply == b"+OK\r\n",
                        _ => {
                            published += 1;
                            match reply.as_slice() {
                                b":1\r\n" if delivered + 1 == published => {
                                    delivered += 1;
                                    shared.borrow_mut().flood_delivered = delivered;
                                    true
                                }
                                b":0\r\n" => true,
                                _ => false,
                            }
                        }
                    };
                    if !fine {
                        shared.borrow_mut().fail(format!(
                            "flooder: got {:?} (message {published}, {delivered} delivered before)",
                            String::from_utf8_lossy(&reply)
                        ));
                        done(&shared);
                        return Ok(());
                    }
                }
            }
            let mut s = shared.borrow_mut();
            s.flood_complete = published == count;
            s.flood_done = true;
            Ok(())
        },
    )
    .named("flooder")
}

/// The items left in `q` (`LRANGE q 0 -1` from a fresh client, tried again after a reset):
/// `None` if every try was reset.
fn leftover(net: SimNet) -> Co<impl TaskBody<Option<Vec<u64>>>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let server: SocketAddr = SERVER.parse().unwrap();
            let request = encode_command(&[b"LRANGE", b"q", b"0", b"-1"]);
            for _ in 0..50 {
                let Ok(conn) = yield_from!(net.connect("10.0.3.1".parse().unwrap(), server)) else {
                    continue;
                };
                if yield_from!(conn.write_all(&request)).is_err() {
                    continue;
                }
                let mut buf = Vec::new();
                let reply = match yield_from!(next_reply(&conn, &mut buf)) {
                    Ok(Some(reply)) => reply,
                    Ok(None) => {
                        return Err(Exit::Raised(TaskError::new(io::Error::other(
                            "LRANGE q: the server closed",
                        ))))
                    }
                    Err(Exit::Raised(error)) if is_reset(&error) => continue,
                    Err(other) => return Err(other),
                };
                return match items(&reply) {
                    Some(items) => Ok(Some(items)),
                    None => Err(Exit::Raised(TaskError::new(io::Error::other(format!(
                        "LRANGE q got {:?}",
                        String::from_utf8_lossy(&reply)
                    ))))),
                };
            }
            Ok(None)
        },
    )
}

/// The sequence numbers of an array of `i<seq>` bulk strings.
fn items(reply: &[u8]) -> Option<Vec<u64>> {
    let header_end = reply.windows(2).position(|w| w == b"\r\n")?;
    let count: usize = std::str::from_utf8(reply.get(1..header_end)?)
        .ok()?
        .parse()
        .ok()?;
    let mut at = header_end + 2;
    let mut out = Vec::new();
    for _ in 0..count {
        let len = reply_len(&reply[at..]).ok()??;
        let element = &reply[at..at + len];
        let line_end = element.windows(2).position(|w| w == b"\r\n")?;
        let text = std::str::from_utf8(&element[line_end + 2..len - 2]).ok()?;
        out.push(text.strip_prefix('i')?.parse().ok()?);
        at += len;
    }
    (reply.first() == Some(&b'*') && at == reply.len()).then_some(out)
}

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
