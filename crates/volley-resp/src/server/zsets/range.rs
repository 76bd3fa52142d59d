//! Ranges by rank, score or lex: the ZRANGE family, ZRANGESTORE, ZCOUNT, ZLEXCOUNT and the
//! ZREMRANGEBY commands. A range is found in O(log n) and read in O(k log n).

use super::parse::{LexRange, ScoreRange};
use super::{reply_members, zset, SortedSet};
use crate::server::commands::{int_arg, is, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::Value;
use std::borrow::Cow;

const NOT_FLOAT_RANGE: &str = "ERR min or max is not a float";
const NOT_LEX_RANGE: &str = "ERR min or max not valid string range item";

/// How a range's ends are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Rank,
    Score,
    Lex,
}

/// A parsed range request.
struct Query {
    by: By,
    rev: bool,
    limit: Option<(i64, i64)>,
    with_scores: bool,
    min: Vec<u8>,
    max: Vec<u8>,
}

/// Parses `key min max [options]` from `args[first]` on, as Redis's `zrangeGenericCommand`:
/// `by` and `rev` are preset by the legacy commands, free for ZRANGE and ZRANGESTORE.
fn parse_query(
    args: &[Vec<u8>],
    first: usize,
    preset: Option<(By, bool)>,
    store: bool,
) -> Result<Query, Cow<'static, str>> {
    let (mut by, mut rev) = (None, None);
    if let Some((b, r)) = preset {
        by = Some(b);
        rev = Some(r);
    }
    let (mut with_scores, mut limit) = (false, None);
    let mut at = first + 3;
    while at < args.len() {
        let option = &args[at];
        let left = args.len() - at - 1;
        if !store && is(option, "withscores") {
            with_scores = true;
        } else if is(option, "limit") && left >= 2 {
            limit = Some((int_arg(&args[at + 1])?, int_arg(&args[at + 2])?));
            at += 2;
        } else if rev.is_none() && is(option, "rev") {
            rev = Some(true);
        } else if by.is_none() && is(option, "bylex") {
            by = Some(By::Lex);
        } else if by.is_none() && is(option, "byscore") {
            by = Some(By::Score);
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    let by = by.unwrap_or(By::Rank);
    let rev = rev.unwrap_or(false);
    // As Redis, `LIMIT offset -1` (no limit) is tolerated on a rank range.
    if by == By::Rank && limit.is_some_and(|(_, count)| count != -1) {
        return Err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
                .into(),
        );
    }
    if with_scores && by == By::Lex {
        return Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX".into());
    }
    let (mut min, mut max) = (args[first + 1].clone(), args[first + 2].clone());
    if rev && by != By::Rank {
        std::mem::swap(&mut min, &mut max);
    }
    Ok(Query {
        by,
        rev,
        limit,
        with_scores,
        min,
        max,
    })
}

/// The ranks (ascending) a query selects, in the order it answers them.
enum Selected {
    Forward(usize, usize),
    Backward(usize, usize),
}

impl Selected {
    fn len(&self) -> usize {
        match *self {
            Selected::Forward(start, end) | Selected::Backward(start, end) => end - start,
        }
    }

    fn ranks(&self) -> Box<dyn Iterator<Item = usize>> {
        match *self {
            Selected::Forward(start, end) => Box::new(start..end),
            Selected::Backward(start, end) => Box::new((start..end).rev()),
        }
    }
}

/// The half-open rank span `[start, end)` that a rank range `start stop` covers (negative
/// indexes count from the end), as LRANGE and ZRANGE read them.
pub(crate) fn rank_span(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        len + stop
    } else {
        stop.min(len - 1)
    };
    (start <= stop && start < len).then(|| (start as usize, stop as usize + 1))
}

/// Checks a query's ends parse, before the key is looked at (Redis's order of errors).
fn check_ends(query: &Query) -> Result<(), Cow<'static, str>> {
    match query.by {
        By::Rank => {
            int_arg(&query.min)?;
            int_arg(&query.max)?;
        }
        By::Score => {
            ScoreRange::parse(&query.min, &query.max).ok_or(Cow::Borrowed(NOT_FLOAT_RANGE))?;
        }
        By::Lex => {
            LexRange::parse(&query.min, &query.max).ok_or(Cow::Borrowed(NOT_LEX_RANGE))?;
        }
    }
    Ok(())
}

/// The ascending rank span `[start, end)` of members within a score range.
pub(crate) fn score_span(set: &SortedSet, range: &ScoreRange) -> (usize, usize) {
    if range.is_empty() {
        return (0, 0);
    }
    let start = set.count_before(&|score, _| !range.above_min(score));
    let end = set.count_before(&|score, _| range.below_max(score));
    (start, end.max(start))
}

/// The ascending rank span `[start, end)` of members within a lex range.
pub(crate) fn lex_span(set: &SortedSet, range: &LexRange) -> (usize, usize) {
    let start = set.count_before(&|_, member| range.min.before_min(member));
    let end = set.count_before(&|_, member| range.max.within_max(member));
    (start, end.max(start))
}

/// What a query selects in `set`.
fn select(set: &SortedSet, query: &Query) -> Selected {
    let len = set.len();
    let (start, end) = match query.by {
        By::Rank => {
            let (Ok(start), Ok(stop)) = (int_arg(&query.min), int_arg(&query.max)) else {
                return Selected::Forward(0, 0);
            };
            let Some((from, to)) = rank_span(start, stop, len) else {
                return Selected::Forward(0, 0);
            };
            return if query.rev {
                Selected::Backward(len - to, len - from)
            } else {
                Selected::Forward(from, to)
            };
        }
        By::Score => match ScoreRange::parse(&query.min, &query.max) {
            Some(range) => score_span(set, &range),
            None => (0, 0),
        },
        By::Lex => match LexRange::parse(&query.min, &query.max) {
            Some(range) => lex_span(set, &range),
            None => (0, 0),
        },
    };
    let (offset, count) = query.limit.unwrap_or((0, -1));
    if offset < 0 {
        return Selected::Forward(0, 0);
    }
    let available = end - start;
    let skip = (offset as u64).min(available as u64) as usize;
    let take = if count < 0 {
        available - skip
    } else {
        (count as u64).min((available - skip) as u64) as usize
    };
    if query.rev {
        Selected::Backward(end - skip - take, end - skip)
    } else {
        Selected::Forward(start + skip, start + skip + take)
    }
}

fn range_reply(ctx: &mut Ctx<'_>, args: &[Vec<u8>], preset: Option<(By, bool)>) -> Outcome {
    let query = parse_query(args, 1, preset, false)?;
    check_ends(&query)?;
    let (store, reply) = ctx.db_reply();
    let Some(set) = zset(store, &args[1])? else {
        reply.array(0);
        return Ok(Flow::Continue);
    };
    let selected = select(set, &query);
    let members = selected.ranks().filter_map(|rank| set.get(rank));
    reply_members(reply, selected.len(), members, query.with_scores);
    Ok(Flow::Continue)
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range_reply(ctx, args, None)
}

/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range_reply(ctx, args, Some((By::Rank, true)))
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub fn zrangebyscore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range_reply(ctx, args, Some((By::Score, false)))
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub fn zrevrangebyscore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range_reply(ctx, args, Some((By::Score, true)))
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub fn zrangebylex(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range_reply(ctx, args, Some((By::Lex, false)))
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub fn zrevrangebylex(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    range_reply(ctx, args, Some((By::Lex, true)))
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
pub fn zrangestore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let query = parse_query(args, 2, None, true)?;
    check_ends(&query)?;
    let (store, reply) = ctx.db_reply();
    let result = match zset(store, &args[2])? {
        None => SortedSet::default(),
        Some(set) => {
            let selected = select(set, &query);
            let mut result = SortedSet::default();
            for (member, score) in selected.ranks().filter_map(|rank| set.get(rank)) {
                result.insert(member.to_vec(), score);
            }
            result
        }
    };
    let len = result.len();
    reply.int(len as i64);
    if len == 0 {
        if store.remove(&args[1]) {
            ctx.notify(EventClass::Generic, "del", &args[1]);
        }
    } else {
        store.set(args[1].clone(), Value::ZSet(result), None, false);
        ctx.notify(EventClass::ZSet, "zrangestore", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `ZCOUNT key min max`
pub fn zcount(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let range = ScoreRange::parse(&args[2], &args[3]).ok_or(Cow::Borrowed(NOT_FLOAT_RANGE))?;
    let (store, reply) = ctx.db_reply();
    let count = zset(store, &args[1])?.map_or(0, |set| {
        let (start, end) = score_span(set, &range);
        end - start
    });
    reply.int(count as i64);
    Ok(Flow::Continue)
}

/// `ZLEXCOUNT key min max`
pub fn zlexcount(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let range = LexRange::parse(&args[2], &args[3]).ok_or(Cow::Borrowed(NOT_LEX_RANGE))?;
    let (store, reply) = ctx.db_reply();
    let count = zset(store, &args[1])?.map_or(0, |set| {
        let (start, end) = lex_span(set, &range);
        end - start
    });
    reply.int(count as i64);
    Ok(Flow::Continue)
}

/// Removes the ascending rank span `span` picks from the set under `key`.
fn remove_span(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    event: &str,
    span: impl FnOnce(&SortedSet) -> (usize, usize),
) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let removed = match zset(store, key)? {
        None => 0,
        Some(set) => {
            let (start, end) = span(set);
            set.remove_ranks(start, end)
        }
    };
    store.remove_if_empty(key);
    reply.int(removed as i64);
    if removed > 0 {
        ctx.notify(EventClass::ZSet, event, key);
        ctx.notify_if_deleted(key);
    }
    Ok(Flow::Continue)
}

/// `ZREMRANGEBYRANK key start stop`
pub fn zremrangebyrank(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (start, stop) = (int_arg(&args[2])?, int_arg(&args[3])?);
    remove_span(ctx, &args[1], "zremrangebyrank", |set| {
        rank_span(start, stop, set.len()).unwrap_or((0, 0))
    })
}

/// `ZREMRANGEBYSCORE key min max`
pub fn zremrangebyscore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let range = ScoreRange::parse(&args[2], &args[3]).ok_or(Cow::Borrowed(NOT_FLOAT_RANGE))?;
    remove_span(ctx, &args[1], "zremrangebyscore", |set| {
        score_span(set, &range)
    })
}

/// `ZREMRANGEBYLEX key min max`
pub fn zremrangebylex(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let range = LexRange::parse(&args[2], &args[3]).ok_or(Cow::Borrowed(NOT_LEX_RANGE))?;
    remove_span(ctx, &args[1], "zremrangebylex", |set| lex_span(set, &range))
}
