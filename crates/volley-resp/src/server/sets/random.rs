//! SPOP and SRANDMEMBER, O(count) whatever the set's size.

use super::set_of;
use crate::server::commands::{parse_i64, pop_count, Flow, Outcome, NOT_INTEGER, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::random_pick;
use std::borrow::Cow;

/// `SPOP key [count]`: removes and answers random members (a set in RESP3 with a count).
pub fn spop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let picks = ctx.server.picks.clone();
    if args.len() > 3 {
        return Err(SYNTAX.into());
    }
    let count = pop_count(args, 2)?;
    let (store, reply) = ctx.db_reply();
    let Some(set) = set_of(store, &args[1])? else {
        match count {
            None => reply.null(),
            Some(_) => reply.set(0),
        }
        return Ok(Flow::Continue);
    };
    let Some(count) = count else {
        let index = picks.below(set.len());
        let member = set.swap_remove_index(index);
        reply.bulk_or_null(member.as_deref());
        store.remove_if_empty(&args[1]);
        ctx.notify(EventClass::Set, "spop", &args[1]);
        ctx.notify_if_deleted(&args[1]);
        return Ok(Flow::Continue);
    };
    let count = count.min(set.len());
    reply.set(count);
    for _ in 0..count {
        let index = picks.below(set.len());
        if let Some(member) = set.swap_remove_index(index) {
            reply.bulk(&member);
        }
    }
    store.remove_if_empty(&args[1]);
    if count > 0 {
        ctx.notify(EventClass::Set, "spop", &args[1]);
        ctx.notify_if_deleted(&args[1]);
    }
    Ok(Flow::Continue)
}

/// `SRANDMEMBER key [count]`: distinct members for a positive count, repeats allowed for a
/// negative one.
pub fn srandmember(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let picks = ctx.server.picks.clone();
    if args.len() > 3 {
        return Err(SYNTAX.into());
    }
    let count = match args.get(2) {
        None => None,
        Some(arg) => {
            let count = parse_i64(arg).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            if count == i64::MIN {
                return Err(crate::server::hashes::OUT_OF_RANGE.into());
            }
            Some(count)
        }
    };
    let limit = crate::server::strings::max_string(ctx);
    let (store, reply) = ctx.db_reply();
    let set = set_of(store, &args[1])?;
    let Some(count) = count else {
        let member = set
            .filter(|set| !set.is_empty())
            .and_then(|set| set.get_index(picks.below(set.len())));
        reply.bulk_or_null(member.map(Vec::as_slice));
        return Ok(Flow::Continue);
    };
    let Some(set) = set else {
        reply.array(0);
        return Ok(Flow::Continue);
    };
    let len = set.len();
    if count >= 0 {
        let indexes = picks.distinct(len, count as usize);
        reply.array(indexes.len());
        for index in indexes {
            reply.bulk(&set[index]);
        }
    } else {
        let n = count.unsigned_abs() as usize;
        let mark = reply.buffered();
        reply.array(n);
        for _ in 0..n {
            reply.bulk(&set[picks.below(len)]);
            if reply.buffered() - mark > limit {
                reply.truncate(mark);
                return Err(random_pick::REPLY_TOO_BIG.into());
            }
        }
    }
    Ok(Flow::Continue)
}
