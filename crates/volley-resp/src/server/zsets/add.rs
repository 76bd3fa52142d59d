//! Adding, removing and reading members: ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZCARD, ZRANK,
//! ZREVRANK.

use super::parse::score;
use super::{zset, SortedSet};
use crate::server::commands::{is, Flow, Outcome, SYNTAX, WRONGTYPE};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::{Store, Value};
use std::borrow::Cow;

const NAN_RESULT: &str = "ERR resulting score is not a number (NaN)";

/// What ZADD's options ask for.
#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// What adding one member did.
enum Added {
    New(f64),
    Updated(f64),
    Same(f64),
    Skipped,
}

/// Adds or updates one member as ZADD's flags say (Redis's `zsetAdd`).
fn add_one(
    set: &mut SortedSet,
    member: &[u8],
    mut score: f64,
    flags: AddFlags,
) -> Result<Added, Cow<'static, str>> {
    match set.score(member) {
        Some(current) => {
            if flags.nx {
                return Ok(Added::Skipped);
            }
            if flags.incr {
                score += current;
                if score.is_nan() {
                    return Err(NAN_RESULT.into());
                }
            }
            if (flags.lt && score >= current) || (flags.gt && score <= current) {
                return Ok(Added::Skipped);
            }
            if score == current {
                return Ok(Added::Same(current));
            }
            set.insert(member.to_vec(), score);
            Ok(Added::Updated(score))
        }
        None if flags.xx => Ok(Added::Skipped),
        None => {
            set.insert(member.to_vec(), score);
            Ok(Added::New(score))
        }
    }
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let mut flags = AddFlags::default();
    let mut at = 2;
    while let Some(option) = args.get(at) {
        match () {
            _ if is(option, "nx") => flags.nx = true,
            _ if is(option, "xx") => flags.xx = true,
            _ if is(option, "gt") => flags.gt = true,
            _ if is(option, "lt") => flags.lt = true,
            _ if is(option, "ch") => flags.ch = true,
            _ if is(option, "incr") => flags.incr = true,
            _ => break,
        }
        at += 1;
    }
    run_add(ctx, args, at, flags)
}

/// `ZINCRBY key increment member`
pub fn zincrby(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let flags = AddFlags {
        incr: true,
        ..AddFlags::default()
    };
    run_add(ctx, args, 2, flags)
}

fn run_add(ctx: &mut Ctx<'_>, args: &[Vec<u8>], at: usize, flags: AddFlags) -> Outcome {
    let pairs = &args[at..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(SYNTAX.into());
    }
    if flags.nx && flags.xx {
        return Err("ERR XX and NX options at the same time are not compatible".into());
    }
    if (flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt) {
        return Err("ERR GT, LT, and/or NX options at the same time are not compatible".into());
    }
    if flags.incr && pairs.len() > 2 {
        return Err("ERR INCR option supports a single increment-element pair".into());
    }
    let scores = pairs
        .chunks_exact(2)
        .map(|pair| score(&pair[0]))
        .collect::<Result<Vec<f64>, _>>()?;
    let (store, reply) = ctx.db_reply();
    let key = &args[1];
    let exists = zset(store, key)?.is_some();
    if !exists && flags.xx {
        if flags.incr {
            reply.null();
        } else {
            reply.int(0);
        }
        return Ok(Flow::Continue);
    }
    let set = sorted_set_or_new(store, key)?;
    let (mut added, mut updated, mut last) = (0, 0, None);
    let mut failure = None;
    for (pair, new) in pairs.chunks_exact(2).zip(scores) {
        match add_one(set, &pair[1], new, flags) {
            Ok(Added::New(score)) => {
                added += 1;
                last = Some(score);
            }
            Ok(Added::Updated(score)) => {
                updated += 1;
                last = Some(score);
            }
            Ok(Added::Same(score)) => last = Some(score),
            Ok(Added::Skipped) => last = None,
            Err(error) => {
                failure = Some(error);
                break;
            }
        }
    }
    store.remove_if_empty(key);
    if added + updated > 0 {
        let event = if flags.incr { "zincr" } else { "zadd" };
        ctx.notify(EventClass::ZSet, event, &args[1]);
    }
    let reply = &mut ctx.reply;
    if let Some(error) = failure {
        return Err(error);
    }
    if flags.incr {
        match last {
            Some(score) => reply.double(score),
            None => reply.null(),
        }
    } else {
        reply.int(if flags.ch { added + updated } else { added });
    }
    Ok(Flow::Continue)
}

/// The sorted set under `key`, created empty when absent; `WRONGTYPE` for another type.
pub(crate) fn sorted_set_or_new<'s>(
    store: &'s mut Store,
    key: &[u8],
) -> Result<&'s mut SortedSet, Cow<'static, str>> {
    match store.get_or_insert_with(key, || Value::ZSet(SortedSet::default())) {
        Value::ZSet(set) => Ok(set),
        _ => Err(WRONGTYPE.into()),
    }
}

/// `ZREM key member [member ...]`
pub fn zrem(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let key = &args[1];
    let removed = match zset(store, key)? {
        None => 0,
        Some(set) => args[2..]
            .iter()
            .filter(|member| set.remove(member).is_some())
            .count(),
    };
    store.remove_if_empty(key);
    reply.int(removed as i64);
    if removed > 0 {
        ctx.notify(EventClass::ZSet, "zrem", &args[1]);
        ctx.notify_if_deleted(&args[1]);
    }
    Ok(Flow::Continue)
}

/// `ZSCORE key member`
pub fn zscore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    match zset(store, &args[1])?.and_then(|set| set.score(&args[2])) {
        Some(score) => reply.double(score),
        None => reply.null(),
    }
    Ok(Flow::Continue)
}

/// `ZMSCORE key member [member ...]`
pub fn zmscore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let set = zset(store, &args[1])?;
    reply.array(args.len() - 2);
    for member in &args[2..] {
        match set.as_ref().and_then(|set| set.score(member)) {
            Some(score) => reply.double(score),
            None => reply.null(),
        }
    }
    Ok(Flow::Continue)
}

/// `ZCARD key`
pub fn zcard(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let len = zset(store, &args[1])?.map_or(0, |set| set.len());
    reply.int(len as i64);
    Ok(Flow::Continue)
}

fn rank(ctx: &mut Ctx<'_>, args: &[Vec<u8>], reverse: bool) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let found = zset(store, &args[1])?.and_then(|set| {
        let rank = set.rank(&args[2])?;
        Some(if reverse { set.len() - 1 - rank } else { rank })
    });
    match found {
        Some(rank) => reply.int(rank as i64),
        None => reply.null(),
    }
    Ok(Flow::Continue)
}

/// `ZRANK key member`: 0 for the lowest score.
pub fn zrank(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    rank(ctx, args, false)
}

/// `ZREVRANK key member`: 0 for the highest score.
pub fn zrevrank(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    rank(ctx, args, true)
}
