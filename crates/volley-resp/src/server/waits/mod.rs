//! What makes clients wait for each other: pub/sub (`pubsub`), transactions and `WATCH`
//! (`multi`), blocking commands (`blocking`), and the output-buffer limits that keep a slow
//! reader from growing the server (`limits`).
//!
//! Every request goes through [`execute`], which wraps the command table's
//! [`execute`](super::commands::execute): it refuses what a RESP2 subscriber may not run, queues
//! commands inside `MULTI`, notes the keys a write touched (for `WATCH` and for clients blocked
//! on them) and serves blocked clients whose keys got data, in the order they blocked, right
//! after the command (or after `EXEC`) that gave it. When nobody watches, blocks or subscribes,
//! it adds one check to a command.
//!
//! A client that can be sent data out of turn (a subscriber, a blocked client) has a
//! `Peer`: output queued by other clients' commands and a doorbell its connection
//! task waits on beside its socket.

pub(crate) mod blocking;
pub(crate) mod limits;
pub(crate) mod multi;
pub(crate) mod peer;
pub(crate) mod pubsub;

use super::client::ReplyMode;
use super::commands::{self, lookup, Command, Flow};
use super::ctx::Ctx;
use super::state::ServerState;
use crate::codec::{Protocol, Request};
use peer::Peer;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The server-wide state of pub/sub, transactions and blocked clients.
#[derive(Debug, Default)]
pub struct Waits {
    pub(crate) pubsub: pubsub::PubSub,
    pub(crate) watches: multi::Watches,
    pub(crate) transactions: multi::Transactions,
    pub(crate) blocking: blocking::Blocking,
    /// Clients that can be sent data out of turn, by id.
    pub(crate) peers: HashMap<u64, Rc<Peer>>,
    /// `maxmemory` as `CONFIG SET` last left it (0: no limit).
    pub(crate) maxmemory: u64,
}

impl Waits {
    /// Whether no client watches a key or is blocked: writes need no bookkeeping.
    fn quiet(&self) -> bool {
        self.watches.is_empty() && self.blocking.is_empty()
    }

    /// The peer of client `id`, if it has one (it subscribed or blocked).
    pub(crate) fn peer(&self, id: u64) -> Option<Rc<Peer>> {
        if self.peers.is_empty() {
            return None;
        }
        self.peers.get(&id).cloned()
    }

    /// How many clients are blocked.
    ///
    /// ```
    /// use volley_resp::server::Session;
    /// assert_eq!(Session::new().server.waits.blocked_clients(), 0);
    /// ```
    pub fn blocked_clients(&self) -> usize {
        self.blocking.len()
    }
}

/// The peer of the running client, made on first use.
pub(crate) fn peer_for(ctx: &mut Ctx<'_>) -> Rc<Peer> {
    let id = ctx.client.id;
    let task = ctx.client.task;
    let protocol = ctx.client.protocol;
    Rc::clone(
        ctx.server
            .waits
            .peers
            .entry(id)
            .or_insert_with(|| Rc::new(Peer::new(id, task, protocol))),
    )
}

/// Commands a RESP2 client may run while subscribed.
const SUBSCRIBED_ALLOWED: &[&str] = &[
    "ping",
    "subscribe",
    "psubscribe",
    "unsubscribe",
    "punsubscribe",
    "ssubscribe",
    "sunsubscribe",
    "quit",
    "reset",
];

/// Runs one request as the server's command loop does (see the module documentation).
///
/// ```
/// use volley_resp::codec::Request;
/// use volley_resp::server::{waits, Session};
///
/// let mut session = Session::new();
/// let mut out = Vec::new();
/// for words in [&["MULTI"][..], &["SET", "k", "v"], &["EXEC"]] {
///     let request = Request::new(words.iter().map(|w| w.as_bytes().to_vec()).collect());
///     let client = session.client.clone();
///     let mut client = client.borrow_mut();
///     let mut ctx = volley_resp::server::Ctx::new(&mut session.server, &mut client, &mut out);
///     waits::execute(&mut ctx, request);
/// }
/// assert_eq!(out, b"+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n");
/// ```
pub fn execute(ctx: &mut Ctx<'_>, request: Request) -> Flow {
    // One time for the command, the commands of an `EXEC`, and the blocked clients it serves.
    let _command_time = ctx.server.unix_clock().freeze();
    let config = request.arg(0).is_some_and(|name| {
        matches!(name.first(), Some(b'c' | b'C')) && commands::is(name, "config")
    });
    let plain = ctx.server.waits.quiet()
        && ctx.server.waits.maxmemory == 0
        && ctx.client.activity.multi.is_none()
        && ctx.client.activity.channels + ctx.client.activity.patterns == 0
        && ctx.client.reply_mode == ReplyMode::On
        && special(request.args()).is_none();
    let flow = if plain {
        commands::execute(ctx, request)
    } else {
        execute_watched(ctx, request)
    };
    if !ctx.server.waits.blocking.ready_is_empty() && !ctx.server.waits.transactions.in_exec {
        blocking::serve_ready(ctx.server);
    }
    if !ctx.server.events.is_empty() && !ctx.server.waits.pubsub.is_empty() {
        pubsub::publish_events(ctx.server);
    }
    if config {
        ctx.server.waits.maxmemory =
            u64::try_from(ctx.server.settings.int("maxmemory")).unwrap_or(0);
    }
    flow
}

/// Redis's refusal of a command that may allocate while memory is over `maxmemory`.
pub(crate) const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// Whether `command` may allocate and the server's memory is over `maxmemory`.
pub(crate) fn out_of_memory(server: &ServerState, command: &Command) -> bool {
    let limit = server.waits.maxmemory;
    limit > 0 && command.flags.contains(&"denyoom") && used_memory() > limit
}

/// The server's resident memory in bytes (0 where /proc is not there).
fn used_memory() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split(' ').nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Publishes the keyspace events queued outside any command (keys the expiry sweep removed)
/// to their subscribers, or drops them when nobody subscribes.
///
/// ```
/// use volley_resp::server::{waits, ServerState};
/// let mut server = ServerState::default();
/// waits::publish_events(&mut server);
/// assert!(server.events.is_empty());
/// ```
pub fn publish_events(server: &mut ServerState) {
    pubsub::publish_events(server);
}

/// The slow path of [`execute`].
fn execute_watched(ctx: &mut Ctx<'_>, request: Request) -> Flow {
    let Some(first) = request.arg(0) else {
        return Flow::Continue;
    };
    let command = lookup(first);
    let name = command.map_or("", |c| c.name);
    let subscribed = ctx.client.activity.channels + ctx.client.activity.patterns > 0;
    if subscribed && ctx.client.protocol == Protocol::Resp2 {
        if let Some(command) = command.filter(|c| !SUBSCRIBED_ALLOWED.contains(&c.name)) {
            let message = format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                command.name
            );
            ctx.server.stats.count_error(&message);
            ctx.reply.error(&message);
            return Flow::Continue;
        }
        if name == "ping" && request.len() <= 2 {
            ctx.reply.array(2);
            ctx.reply.bulk(b"pong");
            ctx.reply.bulk(request.arg(1).unwrap_or(b""));
            return Flow::Continue;
        }
    }
    if ctx.client.activity.multi.is_some() && !multi::runs_at_once(name) {
        return multi::queue(ctx, request, command);
    }
    if command.is_some_and(|c| out_of_memory(ctx.server, c)) {
        ctx.server.stats.count_error(OOM);
        ctx.reply.error(OOM);
        return Flow::Continue;
    }
    run_tracked(ctx, request, command)
}

/// Runs a command (not queued), noting the keys a successful write touched.
pub(crate) fn run_tracked(
    ctx: &mut Ctx<'_>,
    request: Request,
    command: Option<&'static Command>,
) -> Flow {
    let name = command.map_or("", |c| c.name);
    let db = ctx.client.db;
    let written = match command {
        Some(command) if !ctx.server.waits.quiet() && command.flags.contains(&"write") => {
            key_args(command, request.args())
        }
        _ => Vec::new(),
    };
    multi::before_flush(ctx, name, request.args());
    let request_dbs: Vec<usize> = if name == "swapdb" {
        request.args()[1..]
            .iter()
            .filter_map(|a| commands::parse_i64(a))
            .filter_map(|n| usize::try_from(n).ok())
            .filter(|n| *n < ctx.server.dbs.len())
            .collect()
    } else {
        Vec::new()
    };
    // Confirmations of (un)subscribing are pushes: the client gets them even with its
    // replies off, in RESP2 as in RESP3 (as Redis 7.0 sends them).
    let keep_mode = ctx.client.reply_mode;
    let push_anyway = keep_mode != ReplyMode::On && name.ends_with("subscribe");
    if push_anyway {
        ctx.client.reply_mode = ReplyMode::On;
    }
    let mark = ctx.reply.buffered();
    let flow = match special(request.args()) {
        None => commands::execute(ctx, request),
        Some(special) => run_special(ctx, special, request),
    };
    if push_anyway {
        ctx.client.reply_mode = match keep_mode {
            ReplyMode::SkipNext => ReplyMode::On,
            other => other,
        };
    }
    let failed = ctx.reply.buffered() > mark && first_reply_byte(ctx, mark) == Some(b'-');
    if !failed {
        for key in &written {
            touch(ctx.server, db, key);
        }
    }
    if name == "swapdb" && !failed {
        for arg in &request_dbs {
            ctx.server.waits.blocking.signal_db(*arg);
        }
    }
    if name == "reset" {
        forget_client(ctx.server, ctx.client.id);
        ctx.client.activity = super::client::Activity {
            no_evict: ctx.client.activity.no_evict,
            ..Default::default()
        };
    }
    if let Some(peer) = ctx.server.waits.peers.get(&ctx.client.id) {
        peer.protocol.set(ctx.client.protocol);
    }
    flow
}

/// Requests this module runs itself, beside the command table.
#[derive(Debug, Clone, Copy)]
enum Special {
    /// `CLIENT UNBLOCK ...`
    ClientUnblock,
    /// `XREAD` / `XREADGROUP` with `BLOCK`.
    StreamBlock,
}

/// Whether a request is one of the [`Special`] ones (a byte compare for most requests).
fn special(args: &[Vec<u8>]) -> Option<Special> {
    let first = args.first()?;
    match first.first()? {
        b'c' | b'C'
            if commands::is(first, "client")
                && args.get(1).is_some_and(|a| commands::is(a, "unblock")) =>
        {
            Some(Special::ClientUnblock)
        }
        b'x' | b'X' if blocking::is_stream_block(args) => Some(Special::StreamBlock),
        _ => None,
    }
}

/// Runs a [`Special`] request, counting it and its errors as the command table does.
fn run_special(ctx: &mut Ctx<'_>, special: Special, request: Request) -> Flow {
    ctx.server.stats.commands_processed += 1;
    let outcome = match special {
        Special::ClientUnblock => blocking::client_unblock(ctx, request.args()),
        Special::StreamBlock => blocking::stream_block(ctx, request.into_args()),
    };
    match outcome {
        Ok(flow) => flow,
        Err(message) => {
            ctx.server.stats.count_error(&message);
            ctx.reply.error(&message);
            Flow::Continue
        }
    }
}

/// The first byte of the reply written after `mark`.
fn first_reply_byte(ctx: &Ctx<'_>, mark: usize) -> Option<u8> {
    ctx.reply.byte_at(mark)
}

/// A write changed `key` of database `db`: watchers' transactions fail, clients blocked on it
/// are served after this command.
pub(crate) fn touch(server: &mut ServerState, db: usize, key: &[u8]) {
    server.waits.watches.touch(db, key);
    server.waits.blocking.signal(db, key);
}

/// The key arguments of a command, as its table entry says where they are.
fn key_args(command: &Command, args: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let (first, last, step) = command.keys;
    if first <= 0 || step <= 0 {
        return Vec::new();
    }
    let argc = args.len() as i64;
    let last = if last < 0 { argc + last } else { last };
    let mut keys = Vec::new();
    let mut at = first;
    while at <= last && at < argc {
        keys.push(args[at as usize].clone());
        at += step;
    }
    keys
}

/// Forgets everything this module holds for client `id` (it left, or sent `RESET`).
pub(crate) fn forget_client(server: &mut ServerState, id: u64) {
    pubsub::forget(server, id);
    server.waits.watches.unwatch_all(id);
    server.waits.transactions.discard(id);
    server.waits.blocking.unblock(id);
    server.waits.peers.remove(&id);
}

/// Removes a client from this module's registries when its connection task ends, however it
/// ends (returned, failed, or killed and dropped).
#[derive(Debug)]
pub struct Departure {
    server: Rc<RefCell<ServerState>>,
    id: u64,
}

impl Departure {
    /// A guard forgetting client `id` of `server` when dropped.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use volley_resp::server::{waits::Departure, ServerState};
    /// let server = Rc::new(RefCell::new(ServerState::default()));
    /// drop(Departure::new(&server, 1));
    /// ```
    pub fn new(server: &Rc<RefCell<ServerState>>, id: u64) -> Departure {
        Departure {
            server: Rc::clone(server),
            id,
        }
    }
}

impl Drop for Departure {
    fn drop(&mut self) {
        if let Ok(mut server) = self.server.try_borrow_mut() {
            forget_client(&mut server, self.id);
        }
    }
}
