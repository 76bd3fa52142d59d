//! Reading streams: XLEN, XRANGE, XREVRANGE, and XREAD without blocking (the blocking
//! commands call [`parse_xread`] and [`xread_reply`] to serve a waiting client).

use super::id::{interval, strict};
use super::stream as lookup;
use super::stream::{StreamFields, StreamId};
use crate::codec::Reply;
use crate::server::commands::{is, parse_i64, Flow, Outcome, NOT_INTEGER, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::store::Store;
use std::borrow::Cow;
use std::time::Duration;

/// Writes entries as Redis does: `[[id, [field, value, ...]], ...]`.
pub(crate) fn reply_entries(reply: &mut Reply<'_>, entries: &[(StreamId, &StreamFields)]) {
    reply.array(entries.len());
    for (id, fields) in entries {
        reply_entry(reply, *id, fields);
    }
}

/// Writes one entry: `[id, [field, value, ...]]`.
pub(crate) fn reply_entry(reply: &mut Reply<'_>, id: StreamId, fields: &StreamFields) {
    reply.array(2);
    reply.bulk(id.to_string().as_bytes());
    reply.array(fields.len() * 2);
    for (field, value) in fields {
        reply.bulk(field);
        reply.bulk(value);
    }
}

/// `XLEN key`
pub fn xlen(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let len = lookup(store, &args[1])?.map_or(0, |stream| stream.len());
    reply.int(len as i64);
    Ok(Flow::Continue)
}

fn range(ctx: &mut Ctx<'_>, args: &[Vec<u8>], rev: bool) -> Outcome {
    let (start_arg, end_arg) = if rev {
        (&args[3], &args[2])
    } else {
        (&args[2], &args[3])
    };
    let start = interval(start_arg, false)?;
    let end = interval(end_arg, true)?;
    let mut count = usize::MAX;
    let mut i = 4;
    while i < args.len() {
        if is(&args[i], "count") && i + 1 < args.len() {
            let n = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            count = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
            i += 2;
        } else {
            return Err(SYNTAX.into());
        }
    }
    let (store, reply) = ctx.db_reply();
    match lookup(store, &args[1])? {
        None => reply.array(0),
        Some(stream) => reply_entries(reply, &stream.range(start, end, rev, count)),
    }
    Ok(Flow::Continue)
}

/// `XRANGE key start end [COUNT count]`
pub fn xrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range(ctx, args, false)
}

/// `XREVRANGE key end start [COUNT count]`
pub fn xrevrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range(ctx, args, true)
}

/// An XREAD request: how many entries per stream (0: all), how long to block if asked, and
/// each key with the id its entries must be above.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XRead {
    /// Entries per stream at most (0: no limit).
    pub count: usize,
    /// `BLOCK` milliseconds, if given (0: forever).
    pub block: Option<Duration>,
    /// Each stream key and the id to read after (`$` already resolved).
    pub streams: Vec<(Vec<u8>, StreamId)>,
}

/// Parses `XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]`, resolving `$` to
/// each stream's last id now.
pub(crate) fn parse_xread(store: &mut Store, args: &[Vec<u8>]) -> Result<XRead, Cow<'static, str>> {
    let (mut count, mut block, mut streams_at) = (0usize, None, None);
    let mut i = 1;
    while i < args.len() {
        let more = i + 1 < args.len();
        let option = &args[i];
        if is(option, "block") && more {
            let ms = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(
                "ERR timeout is not an integer or out of range",
            ))?;
            if ms < 0 {
                return Err("ERR timeout is negative".into());
            }
            block = Some(Duration::from_millis(ms as u64));
            i += 2;
        } else if is(option, "count") && more {
            let n = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            count = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
            i += 2;
        } else if is(option, "streams") && more {
            streams_at = Some(i + 1);
            break;
        } else if is(option, "group") || is(option, "noack") {
            let what = if is(option, "group") {
                "GROUP"
            } else {
                "NOACK"
            };
            return Err(format!(
                "ERR The {what} option is only supported by XREADGROUP. You called XREAD instead."
            )
            .into());
        } else {
            return Err(SYNTAX.into());
        }
    }
    let Some(at) = streams_at else {
        return Err(SYNTAX.into());
    };
    let rest = &args[at..];
    if !rest.len().is_multiple_of(2) {
        return Err(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
                .into(),
        );
    }
    let (keys, ids) = rest.split_at(rest.len() / 2);
    let mut streams = Vec::with_capacity(keys.len());
    for (key, id) in keys.iter().zip(ids) {
        let last = lookup(store, key)?.map(|stream| stream.last_id());
        let after = if id == b"$" {
            last.unwrap_or(StreamId::MIN)
        } else {
            strict(id, 0)?
        };
        streams.push((key.clone(), after));
    }
    Ok(XRead {
        count,
        block,
        streams,
    })
}

/// Answers an XREAD with the entries above each id, if any stream has some; otherwise writes
/// nothing and answers `false` (the caller then blocks or replies null).
pub(crate) fn xread_reply(
    store: &mut Store,
    reply: &mut Reply<'_>,
    request: &XRead,
) -> Result<bool, Cow<'static, str>> {
    let count = if request.count == 0 {
        usize::MAX
    } else {
        request.count
    };
    let mut found: Vec<(usize, Vec<(StreamId, StreamFields)>)> = Vec::new();
    for (index, (key, after)) in request.streams.iter().enumerate() {
        let Some(stream) = lookup(store, key)? else {
            continue;
        };
        let Some(start) = after.next() else {
            continue;
        };
        let entries = stream.range(start, StreamId::MAX, false, count);
        if !entries.is_empty() {
            let owned = entries
                .into_iter()
                .map(|(id, fields)| (id, fields.clone()))
                .collect();
            found.push((index, owned));
        }
    }
    if found.is_empty() {
        return Ok(false);
    }
    let resp3 = reply.is_resp3();
    if resp3 {
        reply.map(found.len());
    } else {
        reply.array(found.len());
    }
    for (index, entries) in &found {
        if !resp3 {
            reply.array(2);
        }
        reply.bulk(&request.streams[*index].0);
        let borrowed: Vec<(StreamId, &StreamFields)> =
            entries.iter().map(|(id, fields)| (*id, fields)).collect();
        reply_entries(reply, &borrowed);
    }
    Ok(true)
}

/// `XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]`, served
/// without waiting: a null reply when no stream has entries above its id.
pub fn xread(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let request = parse_xread(store, args)?;
    if !xread_reply(store, reply, &request)? {
        reply.null_array();
    }
    Ok(Flow::Continue)
}
