//! Writing streams: XADD, XTRIM, XDEL, XSETID.

use super::id::{new_id, strict, NewId};
use super::stream as lookup;
use super::stream::{NodeLimits, Stream, StreamId, Trim};
use crate::server::commands::{
    is, parse_i64, wrong_arity, Flow, Outcome, NOT_INTEGER, SYNTAX, WRONGTYPE,
};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::Value;
use std::borrow::Cow;

/// XADD's and XTRIM's trimming options.
struct TrimArgs {
    rule: Option<Trim>,
    approx: bool,
    limit: Option<usize>,
    no_mkstream: bool,
    /// Where XADD's id argument is.
    id_at: usize,
}

/// Parses `[NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]]` from `args[2]` on, as
/// Redis does for XADD (`xadd`: up to the id) and XTRIM.
fn parse_trim(args: &[Vec<u8>], xadd: bool) -> Result<TrimArgs, Cow<'static, str>> {
    let mut parsed = TrimArgs {
        rule: None,
        approx: false,
        limit: None,
        no_mkstream: false,
        id_at: args.len(),
    };
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        let option = &args[i];
        if xadd && option == b"*" {
            parsed.id_at = i;
            break;
        } else if (is(option, "maxlen") || is(option, "minid")) && more > 0 {
            if parsed.rule.is_some() {
                return Err(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
                        .into(),
                );
            }
            parsed.approx = false;
            if more >= 2 && args[i + 1] == b"~" {
                parsed.approx = true;
                i += 1;
            } else if more >= 2 && args[i + 1] == b"=" {
                i += 1;
            }
            let value = &args[i + 1];
            parsed.rule = Some(if is(option, "maxlen") {
                let max = parse_i64(value).ok_or(Cow::Borrowed(NOT_INTEGER))?;
                if max < 0 {
                    return Err("ERR The MAXLEN argument must be >= 0.".into());
                }
                Trim::MaxLen(usize::try_from(max).unwrap_or(usize::MAX))
            } else {
                Trim::MinId(strict(value, 0)?)
            });
            i += 2;
        } else if is(option, "limit") && more > 0 {
            let limit = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            if limit < 0 {
                return Err("ERR The LIMIT argument must be >= 0.".into());
            }
            parsed.limit = Some(usize::try_from(limit).unwrap_or(usize::MAX));
            i += 2;
        } else if xadd && is(option, "nomkstream") {
            parsed.no_mkstream = true;
            i += 1;
        } else if xadd {
            parsed.id_at = i;
            break;
        } else {
            return Err(SYNTAX.into());
        }
    }
    if parsed.limit.is_some_and(|l| l > 0) && parsed.rule.is_none() {
        return Err(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy".into(),
        );
    }
    if !xadd && parsed.rule.is_none() {
        return Err("ERR syntax error, XTRIM must be called with a trimming strategy".into());
    }
    if parsed.limit.is_some() && !parsed.approx {
        return Err("ERR syntax error, LIMIT cannot be used without the special ~ option".into());
    }
    Ok(parsed)
}

/// Node sizes from the settings, and the entry budget an approximate trim gets by default.
fn limits(ctx: &Ctx<'_>) -> NodeLimits {
    let settings = &ctx.server.settings;
    NodeLimits {
        entries: usize::try_from(settings.int("stream-node-max-entries")).unwrap_or(0),
        bytes: usize::try_from(settings.int("stream-node-max-bytes")).unwrap_or(0),
    }
}

fn trim_limit(parsed: &TrimArgs, limits: NodeLimits) -> usize {
    match parsed.limit {
        Some(limit) => limit,
        None if parsed.approx => {
            let budget = limits.entries.saturating_mul(100);
            if budget == 0 {
                10_000
            } else {
                budget.min(1_000_000)
            }
        }
        None => 0,
    }
}

/// The id a new entry gets at Unix time `now_ms`, or Redis's error.
fn next_id(spec: NewId, last: StreamId, now_ms: u64) -> Result<StreamId, Cow<'static, str>> {
    let too_small = || {
        Cow::Borrowed(
            "ERR The ID specified in XADD is equal or smaller than the target stream top item",
        )
    };
    if last == StreamId::MAX {
        return Err(
            "ERR The stream has exhausted the last possible ID, unable to add more items".into(),
        );
    }
    let id = match spec {
        NewId::Auto => {
            if now_ms > last.ms {
                StreamId { ms: now_ms, seq: 0 }
            } else {
                last.next().ok_or_else(too_small)?
            }
        }
        NewId::AutoSeq(ms) if ms == last.ms => StreamId {
            ms,
            seq: last.seq.checked_add(1).ok_or_else(too_small)?,
        },
        NewId::AutoSeq(ms) => StreamId { ms, seq: 0 },
        NewId::Exact(id) => id,
    };
    if id <= last {
        return Err(too_small());
    }
    Ok(id)
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...`
pub fn xadd(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let parsed = parse_trim(args, true)?;
    let fields_at = parsed.id_at + 1;
    if fields_at >= args.len() || !(args.len() - fields_at).is_multiple_of(2) {
        return Err(wrong_arity("xadd"));
    }
    let spec = new_id(&args[parsed.id_at])?;
    if spec == NewId::Exact(StreamId::MIN) {
        return Err("ERR The ID specified in XADD must be greater than 0-0".into());
    }
    let limits = limits(ctx);
    let budget = trim_limit(&parsed, limits);
    let (store, reply) = ctx.db_reply();
    let key = &args[1];
    let now_ms = store.clock().millis_u64();
    let exists = lookup(store, key)?.is_some();
    if !exists && parsed.no_mkstream {
        reply.null();
        return Ok(Flow::Continue);
    }
    let Value::Stream(stream) = store.get_or_insert_with(key, || Value::Stream(Stream::default()))
    else {
        return Err(WRONGTYPE.into());
    };
    let id = match next_id(spec, stream.last_id(), now_ms) {
        Ok(id) => id,
        Err(error) => {
            if !exists {
                store.remove(key);
            }
            return Err(error);
        }
    };
    let fields = args[fields_at..]
        .chunks_exact_mut(2)
        .map(|pair| (std::mem::take(&mut pair[0]), std::mem::take(&mut pair[1])))
        .collect();
    stream.append(id, fields, limits);
    let trimmed = match parsed.rule {
        Some(rule) => stream.trim(rule, parsed.approx, budget),
        None => 0,
    };
    reply.bulk(id.to_string().as_bytes());
    ctx.notify(EventClass::Stream, "xadd", &args[1]);
    if trimmed > 0 {
        ctx.notify(EventClass::Stream, "xtrim", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`
pub fn xtrim(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let parsed = parse_trim(args, false)?;
    let limits = limits(ctx);
    let budget = trim_limit(&parsed, limits);
    let (store, reply) = ctx.db_reply();
    let removed = match (lookup(store, &args[1])?, parsed.rule) {
        (Some(stream), Some(rule)) => stream.trim(rule, parsed.approx, budget),
        _ => 0,
    };
    reply.int(removed as i64);
    if removed > 0 {
        ctx.notify(EventClass::Stream, "xtrim", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `XDEL key id [id ...]`
pub fn xdel(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let ids = args[2..]
        .iter()
        .map(|arg| strict(arg, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let (store, reply) = ctx.db_reply();
    let deleted = match lookup(store, &args[1])? {
        None => 0,
        Some(stream) => ids.into_iter().filter(|id| stream.delete(*id)).count(),
    };
    reply.int(deleted as i64);
    if deleted > 0 {
        ctx.notify(EventClass::Stream, "xdel", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]`
pub fn xsetid(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let id = strict(&args[2], 0)?;
    let (mut added, mut max_deleted) = (None, None);
    let mut i = 3;
    while i < args.len() {
        let more = i + 1 < args.len();
        if is(&args[i], "entriesadded") && more {
            let n = parse_i64(&args[i + 1]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            if n < 0 {
                return Err("ERR entries_added must be positive".into());
            }
            added = Some(n as u64);
        } else if is(&args[i], "maxdeletedid") && more {
            let max = strict(&args[i + 1], 0)?;
            if id < max {
                return Err(
                    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
                        .into(),
                );
            }
            max_deleted = Some(max);
        } else {
            return Err(SYNTAX.into());
        }
        i += 2;
    }
    let (store, reply) = ctx.db_reply();
    let Some(stream) = lookup(store, &args[1])? else {
        return Err("ERR no such key".into());
    };
    if let Some((&top, _)) = stream.last() {
        if id < top {
            return Err(
                "ERR The ID specified in XSETID is smaller than the target stream top item".into(),
            );
        }
        if added.is_some_and(|added| (stream.len() as u64) > added) {
            return Err(
                "ERR The entries_added specified in XSETID is smaller than the target stream length"
                    .into(),
            );
        }
    }
    stream.set_last(id, added, max_deleted);
    reply.ok();
    ctx.notify(EventClass::Stream, "xsetid", &args[1]);
    Ok(Flow::Continue)
}
