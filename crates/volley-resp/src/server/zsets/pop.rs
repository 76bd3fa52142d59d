//! Pops and random members: ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER, and [`pop_reply`], the
//! non-blocking pop the blocking commands (BZPOPMIN, BZMPOP) call once a key has members.

use super::{reply_members, zset};
use crate::codec::Reply;
use crate::server::commands::{self, is, parse_i64, pop_count, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::Store;
use std::borrow::Cow;
use std::collections::HashSet;

/// Which end a pop takes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopEnd {
    /// The lowest scores first.
    Min,
    /// The highest scores first.
    Max,
}

/// The shape of a pop's reply, as Redis 7.0 sends each command's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopShape {
    /// `[member, score, ...]` (ZPOPMIN without a count, or in RESP2).
    Flat,
    /// `[[member, score], ...]` (ZPOPMIN with a count in RESP3).
    Nested,
    /// `[key, member, score]` (BZPOPMIN).
    #[allow(dead_code)] // BZPOPMIN's shape: built by the blocking commands
    KeyFlat,
    /// `[key, [[member, score], ...]]` (ZMPOP, BZMPOP).
    KeyNested,
}

/// Pops up to `count` members from the first of `keys` holding a sorted set, writing the reply
/// in `shape`; deletes the key once emptied. Answers whether a key had members (when none did,
/// nothing is written), or `WRONGTYPE` when a key before the first non-empty one holds another
/// type.
pub(crate) fn pop_reply(
    store: &mut Store,
    reply: &mut Reply<'_>,
    keys: &[Vec<u8>],
    end: PopEnd,
    count: usize,
    shape: PopShape,
) -> Result<bool, Cow<'static, str>> {
    for key in keys {
        let Some(set) = zset(store, key)? else {
            continue;
        };
        let take = count.min(set.len());
        match shape {
            PopShape::Flat => reply.array(take * 2),
            PopShape::Nested => reply.array(take),
            PopShape::KeyFlat => {
                reply.array(take * 2 + 1);
                reply.bulk(key);
            }
            PopShape::KeyNested => {
                reply.array(2);
                reply.bulk(key);
                reply.array(take);
            }
        }
        let nested = matches!(shape, PopShape::Nested | PopShape::KeyNested);
        for _ in 0..take {
            let Some((member, score)) = set.pop(end == PopEnd::Max) else {
                break;
            };
            if nested {
                reply.array(2);
            }
            reply.bulk(&member);
            reply.double(score);
        }
        store.remove_if_empty(key);
        return Ok(true);
    }
    Ok(false)
}

/// The events of a pop from `key`: `zpopmin`/`zpopmax`, then `del` if it emptied the set.
pub(crate) fn popped_events(ctx: &mut Ctx<'_>, key: &[u8], end: PopEnd) {
    let event = match end {
        PopEnd::Min => "zpopmin",
        PopEnd::Max => "zpopmax",
    };
    ctx.notify(EventClass::ZSet, event, key);
    ctx.notify_if_deleted(key);
}

fn zpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>], end: PopEnd) -> Outcome {
    if args.len() > 3 {
        return Err(SYNTAX.into());
    }
    let count = pop_count(args, 2)?;
    let (store, reply) = ctx.db_reply();
    let shape = if count.is_some() && reply.is_resp3() {
        PopShape::Nested
    } else {
        PopShape::Flat
    };
    if count == Some(0) {
        // Still a type check, then nothing.
        zset(store, &args[1])?;
        reply.array(0);
        return Ok(Flow::Continue);
    }
    if pop_reply(store, reply, &args[1..2], end, count.unwrap_or(1), shape)? {
        popped_events(ctx, &args[1], end);
    } else {
        reply.array(0);
    }
    Ok(Flow::Continue)
}

/// `ZPOPMIN key [count]`
pub fn zpopmin(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    zpop(ctx, args, PopEnd::Min)
}

/// `ZPOPMAX key [count]`
pub fn zpopmax(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    zpop(ctx, args, PopEnd::Max)
}

/// What `numkeys key [key ...] MIN|MAX [COUNT count]` asks for (ZMPOP from `args[at]` on,
/// BZMPOP after its timeout): the keys' span in `args`, the end and the count.
pub(crate) fn parse_mpop(
    args: &[Vec<u8>],
    at: usize,
) -> Result<(std::ops::Range<usize>, PopEnd, usize), Cow<'static, str>> {
    commands::parse_mpop(args, at, |word| match word {
        word if is(word, "min") => Ok(PopEnd::Min),
        word if is(word, "max") => Ok(PopEnd::Max),
        _ => Err(SYNTAX.into()),
    })
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn zmpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (keys, end, count) = parse_mpop(args, 1)?;
    let (store, reply) = ctx.db_reply();
    // The key the pop will take from: the first holding a sorted set.
    let target = args[keys.clone()]
        .iter()
        .position(|key| matches!(zset(store, key), Ok(Some(_))));
    if pop_reply(
        store,
        reply,
        &args[keys.clone()],
        end,
        count,
        PopShape::KeyNested,
    )? {
        if let Some(at) = target {
            popped_events(ctx, &args[keys.start + at], end);
        }
    } else {
        reply.null_array();
    }
    Ok(Flow::Continue)
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`: distinct members for a positive count, possibly
/// repeated ones for a negative count; O(count log n) either way.
pub fn zrandmember(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    if args.len() == 2 {
        let (store, reply) = ctx.db_reply();
        let seed = store.random();
        match zset(store, &args[1])? {
            Some(set) if !set.is_empty() => {
                let rank = (seed % set.len() as u64) as usize;
                reply.bulk_or_null(set.get(rank).map(|(member, _)| member));
            }
            _ => reply.null(),
        }
        return Ok(Flow::Continue);
    }
    let count = parse_i64(&args[2]).ok_or(Cow::Borrowed(crate::server::commands::NOT_INTEGER))?;
    if count == i64::MIN {
        return Err(format!(
            "ERR value is out of range, value must between {} and {}",
            -i64::MAX,
            i64::MAX
        )
        .into());
    }
    let with_scores = match args.len() {
        3 => false,
        4 if is(&args[3], "withscores") => true,
        _ => return Err(SYNTAX.into()),
    };
    if with_scores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err("ERR value is out of range".into());
    }
    let (store, reply) = ctx.db_reply();
    let mut random = Xorshift(store.random() | 1);
    let Some(set) = zset(store, &args[1])? else {
        reply.array(0);
        return Ok(Flow::Continue);
    };
    let len = set.len();
    if count == 0 || len == 0 {
        reply.array(0);
        return Ok(Flow::Continue);
    }
    if count < 0 {
        let wanted = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
        // Repeats make the reply as long as asked, not as the data: refuse one that could not
        // be held rather than fail an allocation half way.
        let per_member =
            16 + set.get(0).map_or(0, |(m, _)| m.len()) + if with_scores { 32 } else { 0 };
        if wanted.saturating_mul(per_member) > MAX_SAMPLED_REPLY {
            return Err(format!(
                "ERR value is out of range, the reply of {wanted} members would exceed {} MiB",
                MAX_SAMPLED_REPLY >> 20
            )
            .into());
        }
        let members = (0..wanted).filter_map(|_| set.get(random.below(len)));
        reply_members(reply, wanted, members, with_scores);
        return Ok(Flow::Continue);
    }
    let wanted = count as usize;
    if wanted >= len {
        reply_members(reply, len, set.iter(), with_scores);
        return Ok(Flow::Continue);
    }
    // Floyd's sampling: `wanted` distinct ranks in O(wanted) draws.
    let mut ranks = HashSet::with_capacity(wanted);
    let mut picked = Vec::with_capacity(wanted);
    for top in len - wanted..len {
        let candidate = random.below(top + 1);
        let rank = if ranks.insert(candidate) {
            candidate
        } else {
            ranks.insert(top);
            top
        };
        picked.push(rank);
    }
    let members = picked.into_iter().filter_map(|rank| set.get(rank));
    reply_members(reply, wanted, members, with_scores);
    Ok(Flow::Continue)
}

/// The largest reply ZRANDMEMBER with a negative count builds (repeats are not bounded by the
/// data).
const MAX_SAMPLED_REPLY: usize = 512 << 20;

/// A small pseudo-random generator for sampling, seeded from the store's.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, bound: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % bound as u64) as usize
    }
}
