//! Consumer groups: XGROUP, XREADGROUP (without blocking), XACK, XPENDING, XCLAIM,
//! XAUTOCLAIM. Each group keeps its last delivered id, its pending entries (PEL) by id, and
//! its consumers with the ids each one holds.

use super::id::{interval, strict};
use super::read::reply_entry;
use super::stream as lookup;
use super::stream::{Stream, StreamId};
use crate::codec::Reply;
use crate::server::commands::{is, parse_i64, Flow, Outcome, NOT_INTEGER, SYNTAX, WRONGTYPE};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::{Store, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// An entry handed to a consumer: its id and fields (`None`: deleted since delivered).
type Delivered = (StreamId, Option<super::stream::StreamFields>);

/// One delivered, unacknowledged entry.
#[derive(Clone, Debug)]
pub struct Pending {
    consumer: Vec<u8>,
    delivered_ms: u64,
    deliveries: u64,
}

/// One consumer: when it was last seen and the ids it holds.
#[derive(Clone, Debug, Default)]
pub struct Consumer {
    seen_ms: u64,
    pending: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Clone, Debug, Default)]
pub struct Group {
    last_id: StreamId,
    entries_read: Option<u64>,
    pel: BTreeMap<StreamId, Pending>,
    consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl Group {
    fn consumer(&mut self, name: &[u8], now: u64) -> &mut Consumer {
        let consumer = self.consumers.entry(name.to_vec()).or_default();
        consumer.seen_ms = now;
        consumer
    }

    /// Gives pending entry `id` to `consumer` (moving it from whoever held it).
    fn assign(&mut self, id: StreamId, consumer: &[u8], delivered_ms: u64, bump: bool, now: u64) {
        let previous = self
            .pel
            .get(&id)
            .map(|p| (p.consumer.clone(), p.deliveries));
        if let Some((owner, _)) = &previous {
            if let Some(old) = self.consumers.get_mut(owner) {
                old.pending.remove(&id);
            }
        }
        let deliveries = previous.map_or(1, |(_, n)| n + u64::from(bump));
        self.consumer(consumer, now).pending.insert(id);
        self.pel.insert(
            id,
            Pending {
                consumer: consumer.to_vec(),
                delivered_ms,
                deliveries,
            },
        );
    }

    fn unpend(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            None => false,
            Some(pending) => {
                if let Some(owner) = self.consumers.get_mut(&pending.consumer) {
                    owner.pending.remove(&id);
                }
                true
            }
        }
    }
}

fn no_group(key: &[u8], group: &[u8], tail: &str) -> Cow<'static, str> {
    format!(
        "NOGROUP No such key '{}' or consumer group '{}'{tail}",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    )
    .into()
}

/// The stream under `key` having group `name`, or Redis's NOGROUP error.
fn with_group<'s>(
    store: &'s mut Store,
    key: &[u8],
    name: &[u8],
    tail: &str,
) -> Result<&'s mut Stream, Cow<'static, str>> {
    match lookup(store, key)? {
        Some(stream) if stream.groups.contains_key(name) => Ok(stream),
        _ => Err(no_group(key, name, tail)),
    }
}

/// A group's start: an id, `-`, `+`, or `$` for the stream's last id.
fn start_id(arg: &[u8], last: StreamId) -> Result<StreamId, Cow<'static, str>> {
    match arg {
        b"$" => Ok(last),
        b"-" => Ok(StreamId::MIN),
        b"+" => Ok(StreamId::MAX),
        _ => strict(arg, 0),
    }
}

/// `ENTRIESREAD n` from `args[at]` on, if given.
fn entries_read(args: &[Vec<u8>], at: usize) -> Result<Option<u64>, Cow<'static, str>> {
    match args.get(at..) {
        Some([]) | None => Ok(None),
        Some([word, value]) if is(word, "entriesread") => {
            let n = parse_i64(value).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            if n < -1 {
                return Err("ERR value for ENTRIESREAD must be positive or -1".into());
            }
            Ok(u64::try_from(n).ok())
        }
        _ => Err(SYNTAX.into()),
    }
}

fn subcommand_arity(sub: &[u8]) -> Cow<'static, str> {
    format!(
        "ERR wrong number of arguments for 'xgroup|{}' command",
        String::from_utf8_lossy(sub).to_lowercase()
    )
    .into()
}

/// `XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP ...`
pub fn xgroup(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let now = ctx.server.unix_clock().millis_u64();
    let sub = args[1].clone();
    let arity_ok = match () {
        _ if is(&sub, "help") => args.len() == 2,
        _ if is(&sub, "create") => (5..=8).contains(&args.len()),
        _ if is(&sub, "setid") => (5..=7).contains(&args.len()),
        _ if is(&sub, "destroy") => args.len() == 4,
        _ if is(&sub, "createconsumer") || is(&sub, "delconsumer") => args.len() == 5,
        _ => {
            return Err(format!(
                "ERR unknown subcommand '{}'. Try XGROUP HELP.",
                String::from_utf8_lossy(&sub)
            )
            .into())
        }
    };
    if !arity_ok {
        return Err(subcommand_arity(&sub));
    }
    if is(&sub, "help") {
        let lines = [
            "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
            "HELP",
            "    Print this help.",
        ];
        ctx.reply.array(lines.len());
        lines.iter().for_each(|line| ctx.reply.simple(line));
        return Ok(Flow::Continue);
    }
    let (store, reply) = ctx.db_reply();
    let (key, name) = (&args[2], &args[3]);
    if is(&sub, "create") {
        let mut mkstream = false;
        let mut rest = 5;
        if args.get(5).is_some_and(|a| is(a, "mkstream")) {
            mkstream = true;
            rest = 6;
        }
        let read = entries_read(args, rest)?;
        let exists = lookup(store, key)?.is_some();
        if !exists && !mkstream {
            return Err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.".into());
        }
        let Value::Stream(stream) =
            store.get_or_insert_with(key, || Value::Stream(Stream::default()))
        else {
            return Err(WRONGTYPE.into());
        };
        let last_id = start_id(&args[4], stream.last_id())?;
        if stream.groups.contains_key(name.as_slice()) {
            return Err("BUSYGROUP Consumer Group name already exists".into());
        }
        stream.groups.insert(
            name.clone(),
            Group {
                last_id,
                entries_read: read,
                ..Group::default()
            },
        );
        reply.ok();
        ctx.notify(EventClass::Stream, "xgroup-create", &args[2]);
        return Ok(Flow::Continue);
    }
    let Some(stream) = lookup(store, key)? else {
        return Err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.".into());
    };
    let missing = || -> Cow<'static, str> {
        format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(key)
        )
        .into()
    };
    if is(&sub, "destroy") {
        let gone = stream.groups.remove(name.as_slice()).is_some();
        reply.int(i64::from(gone));
        if gone {
            ctx.notify(EventClass::Stream, "xgroup-destroy", &args[2]);
        }
        return Ok(Flow::Continue);
    }
    let last = stream.last_id();
    let group = stream.groups.get_mut(name.as_slice()).ok_or_else(missing)?;
    if is(&sub, "setid") {
        let id = start_id(&args[4], last)?;
        let read = entries_read(args, 5)?;
        group.last_id = id;
        group.entries_read = read;
        reply.ok();
        ctx.notify(EventClass::Stream, "xgroup-setid", &args[2]);
    } else if is(&sub, "createconsumer") {
        let created = !group.consumers.contains_key(args[4].as_slice());
        if created {
            group.consumer(&args[4], now);
        }
        reply.int(i64::from(created));
        if created {
            ctx.notify(EventClass::Stream, "xgroup-createconsumer", &args[2]);
        }
    } else {
        let removed = group.consumers.remove(args[4].as_slice());
        let existed = removed.is_some();
        let pending = match removed {
            None => 0,
            Some(consumer) => {
                for id in &consumer.pending {
                    group.pel.remove(id);
                }
                consumer.pending.len()
            }
        };
        reply.int(pending as i64);
        if existed {
            ctx.notify(EventClass::Stream, "xgroup-delconsumer", &args[2]);
        }
    }
    Ok(Flow::Continue)
}

/// What XREADGROUP asks for.
struct ReadGroup {
    group: Vec<u8>,
    consumer: Vec<u8>,
    count: usize,
    noack: bool,
    streams: Vec<(Vec<u8>, Option<StreamId>)>,
}

fn parse_readgroup(args: &[Vec<u8>]) -> Result<ReadGroup, Cow<'static, str>> {
    let (mut group, mut count, mut noack, mut at) = (None, 0usize, false, None);
    let mut i = 1;
    while i < args.len() {
        let more = args.len() - i - 1;
        let option = &args[i];
        if is(option, "block") && more > 0 {
            let ms = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(
                "ERR timeout is not an integer or out of range",
            ))?;
            if ms < 0 {
                return Err("ERR timeout is negative".into());
            }
            i += 2;
        } else if is(option, "count") && more > 0 {
            let n = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            count = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
            i += 2;
        } else if is(option, "streams") && more > 0 {
            at = Some(i + 1);
            break;
        } else if is(option, "group") && more >= 2 {
            group = Some((args[i + 1].clone(), args[i + 2].clone()));
            i += 3;
        } else if is(option, "noack") {
            noack = true;
            i += 1;
        } else {
            return Err(SYNTAX.into());
        }
    }
    let Some(at) = at else {
        return Err(SYNTAX.into());
    };
    let rest = &args[at..];
    if !rest.len().is_multiple_of(2) {
        return Err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.".into());
    }
    let Some((group, consumer)) = group else {
        return Err("ERR Missing GROUP option for XREADGROUP".into());
    };
    let (keys, ids) = rest.split_at(rest.len() / 2);
    let mut streams = Vec::with_capacity(keys.len());
    for (key, id) in keys.iter().zip(ids) {
        let id = match id.as_slice() {
            b">" => None,
            b"$" => return Err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.".into()),
            other => Some(strict(other, 0)?),
        };
        streams.push((key.clone(), id));
    }
    Ok(ReadGroup {
        group,
        consumer,
        count,
        noack,
        streams,
    })
}

/// `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key ... id ...`,
/// served without waiting: `>` delivers new entries (added to the PEL unless NOACK), an id
/// replays this consumer's pending entries above it.
pub fn xreadgroup(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let now = ctx.server.unix_clock().millis_u64();
    let request = parse_readgroup(args)?;
    let store = ctx.db();
    for (key, _) in &request.streams {
        with_group(
            store,
            key,
            &request.group,
            " in XREADGROUP with GROUP option",
        )?;
    }
    let count = if request.count == 0 {
        usize::MAX
    } else {
        request.count
    };
    // Each served stream: its key and entries (None: a deleted pending entry).
    let mut served: Vec<(Vec<u8>, Vec<Delivered>)> = Vec::new();
    // The streams whose group got the consumer as a new member.
    let mut joined: Vec<&[u8]> = Vec::new();
    for (key, id) in &request.streams {
        let stream = with_group(store, key, &request.group, "")?;
        if stream
            .groups
            .get(request.group.as_slice())
            .is_some_and(|group| !group.consumers.contains_key(request.consumer.as_slice()))
        {
            joined.push(key);
        }
        if id.is_none() {
            let Some(start) = stream.groups[request.group.as_slice()].last_id.next() else {
                continue;
            };
            let fresh: Vec<Delivered> = stream
                .range(start, StreamId::MAX, false, count)
                .into_iter()
                .map(|(id, fields)| (id, Some(fields.clone())))
                .collect();
            // The group's read counter, kept as Redis keeps it (for XINFO's lag).
            let counters: Vec<(bool, Option<u64>)> = fresh
                .iter()
                .map(|(id, _)| (stream.has_tombstones_from(*id), stream.entries_up_to(*id)))
                .collect();
            let added = stream.entries_added();
            let Some(group) = stream.groups.get_mut(request.group.as_slice()) else {
                continue;
            };
            group.consumer(&request.consumer, now);
            if fresh.is_empty() {
                continue;
            }
            for ((id, _), (tombstones, estimate)) in fresh.iter().zip(counters) {
                group.entries_read = match group.entries_read {
                    Some(read) if !tombstones => Some(read + 1),
                    read if added == 0 => read,
                    _ => estimate,
                };
                group.last_id = *id;
                if !request.noack {
                    group.assign(*id, &request.consumer, now, false, now);
                }
            }
            served.push((key.clone(), fresh));
            continue;
        }
        let Some((group, entries)) = stream.group_and_entries(&request.group) else {
            continue;
        };
        let Some(after) = id else {
            continue;
        };
        let held: Vec<StreamId> = group
            .consumer(&request.consumer, now)
            .pending
            .range(*after..)
            .filter(|id| *id > after)
            .take(count)
            .copied()
            .collect();
        let mut history = Vec::with_capacity(held.len());
        for id in held {
            let fields = entries.get(&id).cloned();
            if let Some(pending) = group.pel.get_mut(&id) {
                pending.delivered_ms = now;
                pending.deliveries += 1;
            }
            history.push((id, fields));
        }
        served.push((key.clone(), history));
    }
    for key in joined {
        ctx.notify(EventClass::Stream, "xgroup-createconsumer", key);
    }
    let reply = &mut ctx.reply;
    if served.is_empty() {
        reply.null_array();
        return Ok(Flow::Continue);
    }
    let resp3 = reply.is_resp3();
    if resp3 {
        reply.map(served.len());
    } else {
        reply.array(served.len());
    }
    for (key, entries) in &served {
        if !resp3 {
            reply.array(2);
        }
        reply.bulk(key);
        reply.array(entries.len());
        for (id, fields) in entries {
            match fields {
                Some(fields) => reply_entry(reply, *id, fields),
                None => {
                    reply.array(2);
                    reply.bulk(id.to_string().as_bytes());
                    reply.null_array();
                }
            }
        }
    }
    Ok(Flow::Continue)
}

/// `XACK key group id [id ...]`
pub fn xack(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let ids = args[3..]
        .iter()
        .map(|arg| strict(arg, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let (store, reply) = ctx.db_reply();
    let acked = match lookup(store, &args[1])?.and_then(|s| s.groups.get_mut(args[2].as_slice())) {
        None => 0,
        Some(group) => ids.into_iter().filter(|id| group.unpend(*id)).count(),
    };
    reply.int(acked as i64);
    Ok(Flow::Continue)
}

/// `XPENDING key group [[IDLE min-idle-time] start end count [consumer]]`
pub fn xpending(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let now = ctx.server.unix_clock().millis_u64();
    let mut at = 3;
    let mut min_idle = 0u64;
    if args.get(3).is_some_and(|a| is(a, "idle")) {
        let idle = args
            .get(4)
            .and_then(|a| parse_i64(a))
            .ok_or(Cow::Borrowed(NOT_INTEGER))?;
        min_idle = u64::try_from(idle.max(0)).unwrap_or(0);
        at = 5;
    }
    let extended = args.len() > 3;
    if extended && !(at + 3..=at + 4).contains(&args.len()) {
        return Err(SYNTAX.into());
    }
    let range = if extended {
        let start = interval(&args[at], false)?;
        let end = interval(&args[at + 1], true)?;
        let count = parse_i64(&args[at + 2]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
        Some((
            start,
            end,
            usize::try_from(count.max(0)).unwrap_or(0),
            args.get(at + 3).cloned(),
        ))
    } else {
        None
    };
    let (store, reply) = ctx.db_reply();
    let stream = with_group(store, &args[1], &args[2], "")?;
    let group = &stream.groups[args[2].as_slice()];
    let Some((start, end, count, consumer)) = range else {
        if group.pel.is_empty() {
            reply.array(4);
            reply.int(0);
            reply.null();
            reply.null();
            reply.null_array();
            return Ok(Flow::Continue);
        }
        reply.array(4);
        reply.int(group.pel.len() as i64);
        let first = group.pel.keys().next().copied().unwrap_or_default();
        let last = group.pel.keys().next_back().copied().unwrap_or_default();
        reply.bulk(first.to_string().as_bytes());
        reply.bulk(last.to_string().as_bytes());
        let holders: Vec<(&Vec<u8>, usize)> = group
            .consumers
            .iter()
            .filter(|(_, c)| !c.pending.is_empty())
            .map(|(name, c)| (name, c.pending.len()))
            .collect();
        reply.array(holders.len());
        for (name, held) in holders {
            reply.array(2);
            reply.bulk(name);
            reply.bulk(held.to_string().as_bytes());
        }
        return Ok(Flow::Continue);
    };
    let rows: Vec<(&StreamId, &Pending)> = if start > end {
        Vec::new()
    } else {
        group
            .pel
            .range(start..=end)
            .filter(|(_, p)| consumer.as_ref().is_none_or(|c| p.consumer == *c))
            .filter(|(_, p)| now.saturating_sub(p.delivered_ms) >= min_idle)
            .take(count)
            .collect()
    };
    reply.array(rows.len());
    for (id, pending) in rows {
        reply.array(4);
        reply.bulk(id.to_string().as_bytes());
        reply.bulk(&pending.consumer);
        reply.int(now.saturating_sub(pending.delivered_ms) as i64);
        reply.int(pending.deliveries as i64);
    }
    Ok(Flow::Continue)
}

fn min_idle(arg: &[u8], command: &str) -> Result<u64, Cow<'static, str>> {
    let idle = parse_i64(arg)
        .ok_or_else(|| format!("ERR Invalid min-idle-time argument for {command}"))?;
    Ok(u64::try_from(idle.max(0)).unwrap_or(0))
}

fn reply_claimed(reply: &mut Reply<'_>, claimed: &[Delivered], just_id: bool) {
    reply.array(claimed.len());
    for (id, fields) in claimed {
        match (just_id, fields) {
            (false, Some(fields)) => reply_entry(reply, *id, fields),
            _ => reply.bulk(id.to_string().as_bytes()),
        }
    }
}

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n]
/// [FORCE] [JUSTID] [LASTID id]`
pub fn xclaim(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let now = ctx.server.unix_clock().millis_u64();
    let min_idle = min_idle(&args[4], "XCLAIM")?;
    let mut ids = Vec::new();
    let mut i = 5;
    while i < args.len() {
        match strict(&args[i], 0) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        i += 1;
    }
    let (mut delivered, mut retry, mut force, mut just_id, mut last_id) =
        (now, None, false, false, None);
    while i < args.len() {
        let more = i + 1 < args.len();
        let option = &args[i];
        let number = |at: usize| parse_i64(&args[at]).ok_or(Cow::Borrowed(NOT_INTEGER));
        if is(option, "force") {
            force = true;
        } else if is(option, "justid") {
            just_id = true;
        } else if is(option, "idle") && more {
            delivered = now.saturating_sub(u64::try_from(number(i + 1)?.max(0)).unwrap_or(0));
            i += 1;
        } else if is(option, "time") && more {
            delivered = u64::try_from(number(i + 1)?.max(0)).unwrap_or(0);
            i += 1;
        } else if is(option, "retrycount") && more {
            retry = Some(u64::try_from(number(i + 1)?.max(0)).unwrap_or(0));
            i += 1;
        } else if is(option, "lastid") && more {
            last_id = Some(strict(&args[i + 1], 0)?);
            i += 1;
        } else {
            return Err(format!(
                "ERR Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(option)
            )
            .into());
        }
        i += 1;
    }
    let (store, reply) = ctx.db_reply();
    let stream = with_group(store, &args[1], &args[2], "")?;
    let Some((group, entries)) = stream.group_and_entries(&args[2]) else {
        return Err(no_group(&args[1], &args[2], ""));
    };
    if let Some(last) = last_id {
        if last > group.last_id {
            group.last_id = last;
        }
    }
    let consumer = args[3].clone();
    let known = group.consumers.contains_key(consumer.as_slice());
    let mut claimed = Vec::new();
    for id in ids {
        let fields = entries.get(&id).cloned();
        let pending = group.pel.contains_key(&id);
        if !pending {
            if force && fields.is_some() {
                group.assign(id, &consumer, delivered, false, now);
                if let Some(p) = group.pel.get_mut(&id) {
                    p.deliveries = 0;
                }
            } else {
                continue;
            }
        }
        if fields.is_none() {
            group.unpend(id);
            continue;
        }
        let idle = now.saturating_sub(group.pel[&id].delivered_ms);
        if pending && idle < min_idle {
            continue;
        }
        group.assign(id, &consumer, delivered, !just_id, now);
        if let (Some(n), Some(p)) = (retry, group.pel.get_mut(&id)) {
            p.deliveries = n;
        }
        claimed.push((id, fields));
    }
    group.consumer(&consumer, now);
    reply_claimed(reply, &claimed, just_id);
    if !known {
        ctx.notify(EventClass::Stream, "xgroup-createconsumer", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]`
pub fn xautoclaim(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let now = ctx.server.unix_clock().millis_u64();
    let min_idle = min_idle(&args[4], "XAUTOCLAIM")?;
    let start = interval(&args[5], false)?;
    let (mut count, mut just_id) = (100usize, false);
    let mut i = 6;
    while i < args.len() {
        if is(&args[i], "count") && i + 1 < args.len() {
            let n = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            if !(1..=(i64::MAX / 10)).contains(&n) {
                return Err("ERR COUNT must be > 0".into());
            }
            count = usize::try_from(n).unwrap_or(usize::MAX);
            i += 2;
        } else if is(&args[i], "justid") {
            just_id = true;
            i += 1;
        } else {
            return Err(SYNTAX.into());
        }
    }
    let (store, reply) = ctx.db_reply();
    let stream = with_group(store, &args[1], &args[2], "")?;
    let Some((group, entries)) = stream.group_and_entries(&args[2]) else {
        return Err(no_group(&args[1], &args[2], ""));
    };
    let consumer = args[3].clone();
    let known = group.consumers.contains_key(consumer.as_slice());
    let mut attempts = count.saturating_mul(10);
    let (mut claimed, mut deleted) = (Vec::new(), Vec::new());
    let candidates: Vec<StreamId> = group
        .pel
        .range(start..)
        .map(|(id, _)| *id)
        .take(attempts.saturating_add(1))
        .collect();
    let mut walk = candidates.into_iter().peekable();
    let mut left = count;
    while attempts > 0 && left > 0 {
        let Some(id) = walk.next() else {
            break;
        };
        attempts -= 1;
        let Some(fields) = entries.get(&id).cloned() else {
            group.unpend(id);
            deleted.push(id);
            left -= 1;
            continue;
        };
        if now.saturating_sub(group.pel[&id].delivered_ms) < min_idle {
            continue;
        }
        group.assign(id, &consumer, now, !just_id, now);
        claimed.push((id, Some(fields)));
        left -= 1;
    }
    let created = !known && group.consumers.contains_key(consumer.as_slice());
    let next = walk.next().unwrap_or(StreamId::MIN);
    reply.array(3);
    reply.bulk(next.to_string().as_bytes());
    reply_claimed(reply, &claimed, just_id);
    reply.array(deleted.len());
    for id in deleted {
        reply.bulk(id.to_string().as_bytes());
    }
    if created {
        ctx.notify(EventClass::Stream, "xgroup-createconsumer", &args[1]);
    }
    Ok(Flow::Continue)
}

/// Writes `XINFO GROUPS`: each group's name, consumers, pending count, last delivered id,
/// entries read and lag.
pub(crate) fn reply_groups(reply: &mut Reply<'_>, stream: &Stream) {
    reply.array(stream.groups.len());
    for (name, group) in &stream.groups {
        reply.map(6);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"consumers");
        reply.int(group.consumers.len() as i64);
        reply.bulk(b"pending");
        reply.int(group.pel.len() as i64);
        reply.bulk(b"last-delivered-id");
        reply.bulk(group.last_id.to_string().as_bytes());
        reply.bulk(b"entries-read");
        match group.entries_read {
            Some(read) => reply.int(read as i64),
            None => reply.null(),
        }
        reply.bulk(b"lag");
        match lag(stream, group) {
            Some(lag) => reply.int(lag as i64),
            None => reply.null(),
        }
    }
}

/// Writes `XINFO CONSUMERS` of `group`: each consumer's name, pending count and idle time.
pub(crate) fn reply_consumers(reply: &mut Reply<'_>, group: &Group, now: u64) {
    reply.array(group.consumers.len());
    for (name, consumer) in &group.consumers {
        reply.map(3);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"pending");
        reply.int(consumer.pending.len() as i64);
        reply.bulk(b"idle");
        reply.int(now.saturating_sub(consumer.seen_ms) as i64);
    }
}

/// Writes the groups of `XINFO STREAM key FULL`: each group's name, last delivered id, entries
/// read, lag, PEL (at most `count` rows) and consumers with their own PELs.
pub(crate) fn reply_groups_full(reply: &mut Reply<'_>, stream: &Stream, count: usize) {
    reply.array(stream.groups.len());
    for (name, group) in &stream.groups {
        reply.map(7);
        reply.bulk(b"name");
        reply.bulk(name);
        reply.bulk(b"last-delivered-id");
        reply.bulk(group.last_id.to_string().as_bytes());
        reply.bulk(b"entries-read");
        match group.entries_read {
            Some(read) => reply.int(read as i64),
            None => reply.null(),
        }
        reply.bulk(b"lag");
        match lag(stream, group) {
            Some(lag) => reply.int(lag as i64),
            None => reply.null(),
        }
        reply.bulk(b"pel-count");
        reply.int(group.pel.len() as i64);
        reply.bulk(b"pending");
        let rows: Vec<_> = group.pel.iter().take(count).collect();
        reply.array(rows.len());
        for (id, pending) in rows {
            reply.array(4);
            reply.bulk(id.to_string().as_bytes());
            reply.bulk(&pending.consumer);
            reply.int(pending.delivered_ms as i64);
            reply.int(pending.deliveries as i64);
        }
        reply.bulk(b"consumers");
        reply.array(group.consumers.len());
        for (consumer_name, consumer) in &group.consumers {
            reply.map(4);
            reply.bulk(b"name");
            reply.bulk(consumer_name);
            reply.bulk(b"seen-time");
            reply.int(consumer.seen_ms as i64);
            reply.bulk(b"pel-count");
            reply.int(consumer.pending.len() as i64);
            reply.bulk(b"pending");
            let held: Vec<_> = consumer.pending.iter().take(count).collect();
            reply.array(held.len());
            for id in held {
                let pending = &group.pel[id];
                reply.array(3);
                reply.bulk(id.to_string().as_bytes());
                reply.int(pending.delivered_ms as i64);
                reply.int(pending.deliveries as i64);
            }
        }
    }
}

/// How many entries the group has yet to be delivered, when that can be known (after
/// deletions it sometimes cannot: then XINFO answers null, as Redis does).
fn lag(stream: &Stream, group: &Group) -> Option<u64> {
    let added = stream.entries_added();
    if added == 0 {
        return Some(0);
    }
    if let Some(read) = group.entries_read {
        if !stream.has_tombstones_from(group.last_id) {
            return Some(added.saturating_sub(read));
        }
    }
    stream
        .entries_up_to(group.last_id)
        .map(|read| added.saturating_sub(read))
}
