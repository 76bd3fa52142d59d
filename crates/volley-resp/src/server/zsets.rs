//! Sorted-set commands: ZADD, ZPOPMIN.

use super::commands::{
    is, pop_count, typed, Command, Flow, Outcome, SYNTAX, WRITE_FAST, WRONGTYPE,
};
use super::ctx::Ctx;
use super::store::{SortedSet, Value};
use std::borrow::Cow;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "zadd",
        arity: -4,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: zadd,
    },
    Command {
        name: "zpopmin",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: zpopmin,
    },
];

/// Parses a score as Redis does (`inf`, `-inf`, `+inf` included), refusing NaN.
fn score(arg: &[u8]) -> Result<f64, Cow<'static, str>> {
    let text = std::str::from_utf8(arg).unwrap_or("");
    let parsed = match text.to_ascii_lowercase().as_str() {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ if text.trim() != text || text.is_empty() => None,
        _ => text.parse::<f64>().ok().filter(|s| !s.is_nan()),
    };
    parsed.ok_or(Cow::Borrowed("ERR value is not a valid float"))
}

/// `ZADD key [NX|XX] [GT|LT] [CH] score member [score member ...]`
pub fn zadd(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let (mut nx, mut xx, mut gt, mut lt, mut ch) = (false, false, false, false, false);
    let mut at = 2;
    while at < args.len() {
        let option = &args[at];
        match () {
            _ if is(option, "nx") => nx = true,
            _ if is(option, "xx") => xx = true,
            _ if is(option, "gt") => gt = true,
            _ if is(option, "lt") => lt = true,
            _ if is(option, "ch") => ch = true,
            _ => break,
        }
        at += 1;
    }
    let pairs = &args[at..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(SYNTAX.into());
    }
    if nx && xx {
        return Err("ERR XX and NX options at the same time are not compatible".into());
    }
    if (gt && lt) || (nx && (gt || lt)) {
        return Err("ERR GT, LT, and/or NX options at the same time are not compatible".into());
    }
    let scores = pairs
        .chunks_exact(2)
        .map(|pair| score(&pair[0]))
        .collect::<Result<Vec<f64>, _>>()?;
    if xx && !store.contains(&args[1]) {
        reply.int(0);
        return Ok(Flow::Continue);
    }
    let Value::ZSet(zset) =
        store.get_or_insert_with(&args[1], || Value::ZSet(SortedSet::default()))
    else {
        return Err(WRONGTYPE.into());
    };
    let mut changed = 0;
    for (pair, new) in pairs.chunks_exact(2).zip(scores) {
        let member = &pair[1];
        let applies = match zset.score(member) {
            None => !xx,
            Some(old) => !nx && (!gt || new > old) && (!lt || new < old) && old != new,
        };
        if applies {
            let added = zset.insert(member.clone(), new);
            if added || ch {
                changed += 1;
            }
        }
    }
    store.remove_if_empty(&args[1]);
    reply.int(changed);
    Ok(Flow::Continue)
}

/// `ZPOPMIN key [count]`: member and score pairs, lowest first.
pub fn zpopmin(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    if args.len() > 3 {
        return Err(SYNTAX.into());
    }
    let count = pop_count(args, 2)?.unwrap_or(1);
    let popped = match typed(store, &args[1], |v| match v {
        Value::ZSet(zset) => Some(zset),
        _ => None,
    })? {
        None => Vec::new(),
        Some(zset) => zset.pop_min(count),
    };
    store.remove_if_empty(&args[1]);
    reply.array(popped.len() * 2);
    for (member, score) in &popped {
        reply.bulk(member);
        reply.double(*score);
    }
    Ok(Flow::Continue)
}
