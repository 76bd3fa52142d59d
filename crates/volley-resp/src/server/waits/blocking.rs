//! Blocking commands: BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP,
//! and XREAD / XREADGROUP with BLOCK; and `CLIENT UNBLOCK`.
//!
//! A blocking command first tries its non-blocking form (LPOP, LMOVE, ZPOPMIN, XREAD...) on
//! each key in order, through the command table, so the families own the data structures and
//! the replies. When no key has data, the client is registered as blocked on its keys (first
//! blocked, first served, per key) and its connection task parks until it is served, times out
//! (`0` is forever), is unblocked, or disconnects. A write to a key someone is blocked on marks
//! it ready; after that command (after `EXEC` inside a transaction) the blocked clients of each
//! ready key are served in the order they blocked, each by running its non-blocking form as
//! itself, the reply queued on its [`Peer`] and its task woken. Inside `EXEC` a blocking
//! command never blocks: it answers as if it timed out.

use super::super::client::Client;
use super::super::commands::{
    is, lookup, parse_i64, Command, Flow, Outcome, NOT_INTEGER, SYNTAX, WRONGTYPE,
};
use super::super::ctx::Ctx;
use super::super::state::ServerState;
use super::super::store::Value;
use super::peer::Peer;
use crate::codec::Reply;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "blpop",
        arity: -3,
        flags: BLOCKING,
        keys: (1, -2, 1),
        run: blpop,
    },
    Command {
        name: "brpop",
        arity: -3,
        flags: BLOCKING,
        keys: (1, -2, 1),
        run: brpop,
    },
    Command {
        name: "brpoplpush",
        arity: 4,
        flags: &["write", "denyoom", "noscript", "blocking"],
        keys: (1, 2, 1),
        run: brpoplpush,
    },
    Command {
        name: "blmove",
        arity: 6,
        flags: &["write", "denyoom", "noscript", "blocking"],
        keys: (1, 2, 1),
        run: blmove,
    },
    Command {
        name: "blmpop",
        arity: -5,
        flags: BLOCKING,
        keys: (0, 0, 0),
        run: blmpop,
    },
    Command {
        name: "bzpopmin",
        arity: -3,
        flags: &["write", "noscript", "blocking", "fast"],
        keys: (1, -2, 1),
        run: bzpopmin,
    },
    Command {
        name: "bzpopmax",
        arity: -3,
        flags: &["write", "noscript", "blocking", "fast"],
        keys: (1, -2, 1),
        run: bzpopmax,
    },
    Command {
        name: "bzmpop",
        arity: -5,
        flags: BLOCKING,
        keys: (0, 0, 0),
        run: bzmpop,
    },
];

const BLOCKING: &[&str] = &["write", "noscript", "blocking"];

/// What a blocked client waits to do, as the non-blocking command that does it.
#[derive(Debug, Clone)]
enum Op {
    /// BLPOP / BRPOP: `LPOP key` or `RPOP key`, answered `[key, element]`.
    Pop { left: bool },
    /// BLMOVE / BRPOPLPUSH: `LMOVE key dest from to`, answered as LMOVE answers.
    Move {
        dest: Vec<u8>,
        from: &'static str,
        to: &'static str,
    },
    /// BLMPOP: `LMPOP 1 key LEFT|RIGHT COUNT n`.
    MPop { left: bool, count: Option<Vec<u8>> },
    /// BZPOPMIN / BZPOPMAX: `ZPOPMIN key` or `ZPOPMAX key`, answered `[key, member, score]`.
    ZPop { max: bool },
    /// BZMPOP: `ZMPOP 1 key MIN|MAX COUNT n`.
    ZMPop { max: bool, count: Option<Vec<u8>> },
    /// XREAD / XREADGROUP without BLOCK, ids resolved when it blocked.
    Stream { args: Vec<Vec<u8>> },
}

impl Op {
    /// Whether `value` is of the type this operation reads.
    fn reads(&self, value: &Value) -> bool {
        match self {
            Op::Pop { .. } | Op::Move { .. } | Op::MPop { .. } => matches!(value, Value::List(_)),
            Op::ZPop { .. } | Op::ZMPop { .. } => matches!(value, Value::ZSet(_)),
            Op::Stream { .. } => matches!(value, Value::Stream(_)),
        }
    }

    /// The non-blocking command for `key`.
    fn command(&self, key: &[u8]) -> Vec<Vec<u8>> {
        let words = |list: &[&[u8]]| list.iter().map(|w| w.to_vec()).collect::<Vec<_>>();
        match self {
            Op::Pop { left } => words(&[if *left { b"lpop" } else { b"rpop" }, key]),
            Op::Move { dest, from, to } => {
                words(&[b"lmove", key, dest, from.as_bytes(), to.as_bytes()])
            }
            Op::MPop { left, count } => {
                let end: &[u8] = if *left { b"left" } else { b"right" };
                let mut args = words(&[b"lmpop", b"1", key, end]);
                if let Some(count) = count {
                    args.extend(words(&[b"count", count]));
                }
                args
            }
            Op::ZPop { max } => words(&[if *max { b"zpopmax" } else { b"zpopmin" }, key]),
            Op::ZMPop { max, count } => {
                let end: &[u8] = if *max { b"max" } else { b"min" };
                let mut args = words(&[b"zmpop", b"1", key, end]);
                if let Some(count) = count {
                    args.extend(words(&[b"count", count]));
                }
                args
            }
            Op::Stream { args } => args.clone(),
        }
    }

    /// Keys this operation writes besides the one it reads.
    fn destination(&self) -> Option<&[u8]> {
        match self {
            Op::Move { dest, .. } => Some(dest),
            _ => None,
        }
    }
}

/// A blocked client.
#[derive(Debug)]
struct Blocked {
    db: usize,
    keys: Vec<Vec<u8>>,
    op: Op,
    deadline: Option<Instant>,
    peer: Rc<Peer>,
}

/// Clients blocked on keys, and keys that got data since the last command.
#[derive(Debug, Default)]
pub(crate) struct Blocking {
    by_key: HashMap<(usize, Vec<u8>), VecDeque<u64>>,
    clients: HashMap<u64, Blocked>,
    ready: VecDeque<(usize, Vec<u8>)>,
    ready_set: HashSet<(usize, Vec<u8>)>,
}

impl Blocking {
    /// Whether no client is blocked.
    pub(crate) fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// How many clients are blocked.
    pub(crate) fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether client `id` is blocked.
    pub(crate) fn contains(&self, id: u64) -> bool {
        !self.clients.is_empty() && self.clients.contains_key(&id)
    }

    /// When client `id`'s blocking command times out (`None`: never, or not blocked).
    pub(crate) fn deadline(&self, id: u64) -> Option<Instant> {
        self.clients.get(&id).and_then(|b| b.deadline)
    }

    /// Whether no key waits to be served.
    pub(crate) fn ready_is_empty(&self) -> bool {
        self.ready.is_empty()
    }

    /// Key `key` of `db` was written: if someone is blocked on it, serve them after this
    /// command.
    pub(crate) fn signal(&mut self, db: usize, key: &[u8]) {
        let slot = (db, key.to_vec());
        if self.by_key.contains_key(&slot) && self.ready_set.insert(slot.clone()) {
            self.ready.push_back(slot);
        }
    }

    /// Every key of `db` someone is blocked on (SWAPDB may have given them data).
    pub(crate) fn signal_db(&mut self, db: usize) {
        let keys: Vec<Vec<u8>> = self
            .by_key
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect();
        for key in keys {
            self.signal(db, &key);
        }
    }

    /// Forgets client `id`'s blocking command; answers its peer if it was blocked.
    pub(crate) fn unblock(&mut self, id: u64) -> Option<Rc<Peer>> {
        let blocked = self.clients.remove(&id)?;
        for key in blocked.keys {
            let slot = (blocked.db, key);
            if let Some(waiters) = self.by_key.get_mut(&slot) {
                waiters.retain(|w| *w != id);
                if waiters.is_empty() {
                    self.by_key.remove(&slot);
                }
            }
        }
        Some(blocked.peer)
    }
}

/// Parses a timeout in seconds as Redis does: a float, rounded up to milliseconds; 0 is
/// forever.
fn timeout_seconds(arg: &[u8]) -> Result<Option<Duration>, Cow<'static, str>> {
    let text = std::str::from_utf8(arg).unwrap_or("");
    let seconds: f64 = text
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && text.trim() == text && !text.is_empty())
        .ok_or(Cow::Borrowed("ERR timeout is not a float or out of range"))?;
    let millis = (seconds * 1000.0).ceil();
    if millis < 0.0 {
        return Err("ERR timeout is negative".into());
    }
    if millis >= i64::MAX as f64 {
        return Err("ERR timeout is out of range".into());
    }
    Ok((millis > 0.0).then(|| Duration::from_millis(millis as u64)))
}

/// Parses a timeout in milliseconds (XREAD's BLOCK); 0 is forever.
fn timeout_millis(arg: &[u8]) -> Result<Option<Duration>, Cow<'static, str>> {
    let millis = parse_i64(arg).ok_or(Cow::Borrowed(
        "ERR timeout is not an integer or out of range",
    ))?;
    if millis < 0 {
        return Err("ERR timeout is negative".into());
    }
    Ok((millis > 0).then(|| Duration::from_millis(millis as u64)))
}

/// What trying the non-blocking form gave.
enum Attempt {
    /// A reply (data or an error) was written.
    Answered,
    /// Nothing to take yet.
    Empty,
}

/// Runs `op`'s non-blocking form on `key` as the context's client; writes its reply in the
/// blocking command's shape if it found data.
fn attempt(ctx: &mut Ctx<'_>, op: &Op, key: &[u8]) -> Attempt {
    let mut args = op.command(key);
    let mut scratch = Vec::new();
    let outcome = match lookup(&args[0]) {
        Some(command) => {
            let mut inner = Ctx::new(&mut *ctx.server, &mut *ctx.client, &mut scratch);
            (command.run)(&mut inner, &mut args)
        }
        // Every non-blocking form is in the table; this only guards a renamed entry.
        None => Err(format!(
            "ERR unknown command '{}'",
            String::from_utf8_lossy(&args[0])
        )
        .into()),
    };
    if let Err(message) = outcome {
        ctx.server.stats.count_error(&message);
        ctx.reply.error(&message);
        return Attempt::Answered;
    }
    if scratch.first() == Some(&b'-') {
        ctx.reply.raw(&scratch);
        return Attempt::Answered;
    }
    if is_empty_reply(&scratch) {
        return Attempt::Empty;
    }
    match op {
        Op::Pop { .. } => {
            ctx.reply.array(2);
            ctx.reply.bulk(key);
            ctx.reply.raw(&scratch);
        }
        Op::ZPop { .. } => {
            ctx.reply.array(3);
            ctx.reply.bulk(key);
            ctx.reply.raw(strip_array_headers(&scratch));
        }
        _ => ctx.reply.raw(&scratch),
    }
    Attempt::Answered
}

/// Whether a reply says there was nothing: a null or an empty array.
fn is_empty_reply(reply: &[u8]) -> bool {
    reply.is_empty()
        || reply.starts_with(b"$-1\r\n")
        || reply.starts_with(b"*-1\r\n")
        || reply.starts_with(b"_\r\n")
        || reply.starts_with(b"*0\r\n")
}

/// A ZPOPMIN reply without its array header(s): the member and the score.
fn strip_array_headers(mut reply: &[u8]) -> &[u8] {
    while reply.first() == Some(&b'*') {
        match reply.iter().position(|b| *b == b'\n') {
            Some(end) => reply = &reply[end + 1..],
            None => break,
        }
    }
    reply
}

/// The shared body of the blocking commands: try each key in order, answer the first that has
/// data, else block (or answer null inside `EXEC`).
fn block_on(ctx: &mut Ctx<'_>, keys: Vec<Vec<u8>>, op: Op, timeout: Option<Duration>) -> Outcome {
    for key in &keys {
        let db = ctx.client.db;
        match ctx.server.dbs[db].get(key) {
            None => continue,
            Some(value) if !op.reads(value) => return Err(WRONGTYPE.into()),
            Some(_) => {}
        }
        if let Attempt::Answered = attempt(ctx, &op, key) {
            return Ok(Flow::Continue);
        }
    }
    if ctx.server.waits.transactions.in_exec {
        ctx.reply.null_array();
        return Ok(Flow::Continue);
    }
    block_registered(ctx, keys, op, timeout);
    Ok(Flow::Continue)
}

/// `BLPOP key [key ...] timeout`
pub fn blpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let timeout = timeout_seconds(&args[args.len() - 1])?;
    let keys = args[1..args.len() - 1].to_vec();
    block_on(ctx, keys, Op::Pop { left: true }, timeout)
}

/// `BRPOP key [key ...] timeout`
pub fn brpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let timeout = timeout_seconds(&args[args.len() - 1])?;
    let keys = args[1..args.len() - 1].to_vec();
    block_on(ctx, keys, Op::Pop { left: false }, timeout)
}

/// `LEFT` or `RIGHT`, as LMOVE spells it.
fn side(arg: &[u8]) -> Result<&'static str, Cow<'static, str>> {
    if is(arg, "left") {
        Ok("left")
    } else if is(arg, "right") {
        Ok("right")
    } else {
        Err(SYNTAX.into())
    }
}

/// `BRPOPLPUSH source destination timeout`
pub fn brpoplpush(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let timeout = timeout_seconds(&args[3])?;
    let op = Op::Move {
        dest: args[2].clone(),
        from: "right",
        to: "left",
    };
    block_on(ctx, vec![args[1].clone()], op, timeout)
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
pub fn blmove(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (from, to) = (side(&args[3])?, side(&args[4])?);
    let timeout = timeout_seconds(&args[5])?;
    let op = Op::Move {
        dest: args[2].clone(),
        from,
        to,
    };
    block_on(ctx, vec![args[1].clone()], op, timeout)
}

/// The keys of BLMPOP / BZMPOP, whether they named the second end, and their count argument.
type MPopArgs = (Vec<Vec<u8>>, bool, Option<Vec<u8>>);

/// Parses `numkeys key [key ...] WHERE [COUNT count]` from `at` (BLMPOP, BZMPOP); answers the
/// keys, the `WHERE` word and the count argument.
fn mpop_args(args: &[Vec<u8>], at: usize, ends: [&str; 2]) -> Result<MPopArgs, Cow<'static, str>> {
    let numkeys = parse_i64(&args[at])
        .filter(|n| *n > 0)
        .ok_or(Cow::Borrowed("ERR numkeys should be greater than 0"))? as usize;
    let first = at + 1;
    if numkeys > args.len().saturating_sub(first + 1) {
        return Err(SYNTAX.into());
    }
    let keys = args[first..first + numkeys].to_vec();
    let mut rest = args[first + numkeys..].iter();
    let end = rest.next().ok_or(Cow::Borrowed(SYNTAX))?;
    let second = if is(end, ends[0]) {
        false
    } else if is(end, ends[1]) {
        true
    } else {
        return Err(SYNTAX.into());
    };
    let mut count = None;
    while let Some(option) = rest.next() {
        if is(option, "count") && count.is_none() {
            let value = rest.next().ok_or(Cow::Borrowed(SYNTAX))?;
            match parse_i64(value) {
                Some(n) if n > 0 => count = Some(value.clone()),
                _ => return Err("ERR count should be greater than 0".into()),
            }
        } else {
            return Err(SYNTAX.into());
        }
    }
    Ok((keys, second, count))
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn blmpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let timeout = timeout_seconds(&args[1])?;
    let (keys, right, count) = mpop_args(args, 2, ["left", "right"])?;
    block_on(
        ctx,
        keys,
        Op::MPop {
            left: !right,
            count,
        },
        timeout,
    )
}

/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let timeout = timeout_seconds(&args[args.len() - 1])?;
    let keys = args[1..args.len() - 1].to_vec();
    block_on(ctx, keys, Op::ZPop { max: false }, timeout)
}

/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let timeout = timeout_seconds(&args[args.len() - 1])?;
    let keys = args[1..args.len() - 1].to_vec();
    block_on(ctx, keys, Op::ZPop { max: true }, timeout)
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn bzmpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let timeout = timeout_seconds(&args[1])?;
    let (keys, max, count) = mpop_args(args, 2, ["min", "max"])?;
    block_on(ctx, keys, Op::ZMPop { max, count }, timeout)
}

/// Whether a request is `XREAD` or `XREADGROUP` with a `BLOCK` option (which this module runs).
pub(crate) fn is_stream_block(args: &[Vec<u8>]) -> bool {
    let name = &args[0];
    (is(name, "xread") || is(name, "xreadgroup"))
        && args
            .iter()
            .take_while(|a| !is(a, "streams"))
            .any(|a| is(a, "block"))
}

/// `XREAD [COUNT n] BLOCK ms STREAMS key... id...` and `XREADGROUP GROUP g c [COUNT n] BLOCK ms
/// [NOACK] STREAMS key... id...`: the non-blocking form first, with `$` read as the stream's
/// last id; blocks while it answers null.
pub(crate) fn stream_block(ctx: &mut Ctx<'_>, mut args: Vec<Vec<u8>>) -> Outcome {
    let streams = args
        .iter()
        .position(|a| is(a, "streams"))
        .ok_or(Cow::Borrowed(SYNTAX))?;
    let block = args[..streams]
        .iter()
        .position(|a| is(a, "block"))
        .ok_or(Cow::Borrowed(SYNTAX))?;
    let value = args.get(block + 1).ok_or(Cow::Borrowed(SYNTAX))?;
    let timeout = timeout_millis(value)?;
    args.drain(block..block + 2);
    let streams = streams - 2;
    let rest = args.len() - streams - 1;
    if rest == 0 || !rest.is_multiple_of(2) {
        let group = is(&args[0], "xreadgroup");
        let (name, id) = if group {
            ("xreadgroup", '>')
        } else {
            ("xread", '$')
        };
        return Err(format!("ERR Unbalanced '{name}' list of streams: for each stream key an ID or '{id}' must be specified.").into());
    }
    let count = rest / 2;
    let db = ctx.client.db;
    for at in streams + 1 + count..args.len() {
        if args[at] == b"$" {
            let key = args[at - count].clone();
            let last = match ctx.server.dbs[db].get(&key) {
                Some(Value::Stream(stream)) => stream.last_id().to_string(),
                _ => "0-0".to_string(),
            };
            args[at] = last.into_bytes();
        }
    }
    let keys: Vec<Vec<u8>> = args[streams + 1..streams + 1 + count].to_vec();
    let op = Op::Stream { args };
    if let Attempt::Answered = attempt(ctx, &op, b"") {
        return Ok(Flow::Continue);
    }
    if ctx.server.waits.transactions.in_exec {
        ctx.reply.null_array();
        return Ok(Flow::Continue);
    }
    // Nothing now: block on every stream (the non-blocking form already checked the types).
    block_registered(ctx, keys, op, timeout);
    Ok(Flow::Continue)
}

/// Registers the running client as blocked.
fn block_registered(ctx: &mut Ctx<'_>, keys: Vec<Vec<u8>>, op: Op, timeout: Option<Duration>) {
    let deadline = timeout.and_then(|t| ctx.server.now().checked_add(t));
    let peer = super::peer_for(ctx);
    let id = ctx.client.id;
    let db = ctx.client.db;
    let blocking = &mut ctx.server.waits.blocking;
    for key in &keys {
        let waiters = blocking.by_key.entry((db, key.clone())).or_default();
        if !waiters.contains(&id) {
            waiters.push_back(id);
        }
    }
    blocking.clients.insert(
        id,
        Blocked {
            db,
            keys,
            op,
            deadline,
            peer,
        },
    );
    ctx.client.activity.blocked = true;
}

/// Serves the clients blocked on keys that got data, each key's clients in the order they
/// blocked, until the key runs dry or nobody waits on it.
pub(crate) fn serve_ready(server: &mut ServerState) {
    while let Some(slot) = server.waits.blocking.ready.pop_front() {
        server.waits.blocking.ready_set.remove(&slot);
        let (db, key) = slot;
        let waiters: Vec<u64> = server
            .waits
            .blocking
            .by_key
            .get(&(db, key.clone()))
            .map(|w| w.iter().copied().collect())
            .unwrap_or_default();
        for id in waiters {
            let Some(blocked) = server.waits.blocking.clients.get(&id) else {
                continue;
            };
            let op = blocked.op.clone();
            let readable = server.dbs[db].get(&key).is_some_and(|v| op.reads(v));
            if !readable {
                break;
            }
            let Some(client) = server.clients.get(id).cloned() else {
                server.waits.blocking.unblock(id);
                continue;
            };
            let Ok(mut client) = client.try_borrow_mut() else {
                continue;
            };
            let mut out = Vec::new();
            let answered = {
                let mut ctx = Ctx::new(server, &mut client, &mut out);
                let key_arg = if matches!(op, Op::Stream { .. }) {
                    &[][..]
                } else {
                    &key[..]
                };
                attempt(&mut ctx, &op, key_arg)
            };
            if let Attempt::Empty = answered {
                continue;
            }
            finish(server, &mut client, &out);
            super::touch(server, db, &key);
            if let Some(dest) = op.destination() {
                super::touch(server, db, dest);
            }
        }
    }
}

/// Ends client's blocked state with `reply` queued on its peer, and wakes its task.
fn finish(server: &mut ServerState, client: &mut Client, reply: &[u8]) {
    client.activity.blocked = false;
    if let Some(peer) = server.waits.blocking.unblock(client.id) {
        peer.out.borrow_mut().extend(reply);
        peer.ring();
    }
}

/// Client `id`'s blocking command timed out (its task saw the deadline pass): it answers null.
pub(crate) fn time_out(server: &mut ServerState, client: &mut Client) {
    if let Some(peer) = server.waits.blocking.unblock(client.id) {
        client.activity.blocked = false;
        let mut out = peer.out.borrow_mut();
        Reply::with_protocol(out.tail(), client.protocol).null_array();
    }
}

/// `CLIENT UNBLOCK id [TIMEOUT|ERROR]`: answers 1 if the client was blocked (it gets a null,
/// or the `UNBLOCKED` error), 0 otherwise.
pub(crate) fn client_unblock(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> Outcome {
    if args.len() < 3 || args.len() > 4 {
        return Err(
            "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP."
                .into(),
        );
    }
    let id = parse_i64(&args[2]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
    let with_error = match args.get(3) {
        None => false,
        Some(mode) if is(mode, "timeout") => false,
        Some(mode) if is(mode, "error") => true,
        Some(_) => {
            return Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR".into());
        }
    };
    let id = u64::try_from(id).unwrap_or(0);
    let target = ctx.server.clients.get(id).cloned();
    let blocked = ctx.server.waits.blocking.contains(id);
    match target {
        Some(target) if blocked => {
            if let Ok(mut target) = target.try_borrow_mut() {
                let mut out = Vec::new();
                let mut reply = Reply::with_protocol(&mut out, target.protocol);
                if with_error {
                    reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
                } else {
                    reply.null_array();
                }
                finish(ctx.server, &mut target, &out);
            }
            ctx.reply.int(1);
        }
        _ => ctx.reply.int(0),
    }
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_as_redis_parses_them() {
        assert_eq!(timeout_seconds(b"0").unwrap(), None);
        assert_eq!(
            timeout_seconds(b"0.001").unwrap(),
            Some(Duration::from_millis(1))
        );
        assert_eq!(
            timeout_seconds(b"0.0001").unwrap(),
            Some(Duration::from_millis(1))
        );
        assert_eq!(
            timeout_seconds(b"-1").unwrap_err(),
            "ERR timeout is negative"
        );
        assert_eq!(
            timeout_seconds(b"abc").unwrap_err(),
            "ERR timeout is not a float or out of range"
        );
        assert_eq!(
            timeout_seconds(b"inf").unwrap_err(),
            "ERR timeout is not a float or out of range"
        );
        assert_eq!(
            timeout_millis(b"-5").unwrap_err(),
            "ERR timeout is negative"
        );
        assert_eq!(
            timeout_millis(b"10").unwrap(),
            Some(Duration::from_millis(10))
        );
    }

    #[test]
    fn empty_replies_are_recognised() {
        assert!(is_empty_reply(b"*-1\r\n"));
        assert!(is_empty_reply(b"_\r\n"));
        assert!(is_empty_reply(b"*0\r\n"));
        assert!(!is_empty_reply(b"$1\r\na\r\n"));
        assert_eq!(
            strip_array_headers(b"*2\r\n$1\r\na\r\n,1\r\n"),
            b"$1\r\na\r\n,1\r\n"
        );
    }
}
