//! HRANDFIELD: random fields, distinct for a positive count, repeated for a negative one.

use super::hash_of;
use crate::server::commands::{is, parse_i64, Flow, Outcome, NOT_INTEGER, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::random_pick;
use std::borrow::Cow;

/// Redis's error for a count of `i64::MIN`, which has no positive counterpart.
pub(crate) const OUT_OF_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

/// `HRANDFIELD key [count [WITHVALUES]]`
pub fn hrandfield(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let picks = ctx.server.picks.clone();
    if args.len() == 2 {
        let (store, reply) = ctx.db_reply();
        match hash_of(store, &args[1])? {
            Some(hash) if !hash.is_empty() => {
                let index = picks.below(hash.len());
                reply.bulk(hash.get_index(index).map_or(&[][..], |(f, _)| f));
            }
            _ => reply.null(),
        }
        return Ok(Flow::Continue);
    }
    let count = parse_i64(&args[2]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
    if count == i64::MIN {
        return Err(OUT_OF_RANGE.into());
    }
    let with_values = match args.get(3) {
        None => false,
        Some(word) if args.len() == 4 && is(word, "withvalues") => true,
        Some(_) => return Err(SYNTAX.into()),
    };
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err("ERR value is out of range".into());
    }
    let limit = crate::server::strings::max_string(ctx);
    let (store, reply) = ctx.db_reply();
    let Some(hash) = hash_of(store, &args[1])? else {
        reply.array(0);
        return Ok(Flow::Continue);
    };
    let len = hash.len();
    let indexes: Box<dyn Iterator<Item = usize>> = if count >= 0 {
        Box::new(picks.distinct(len, count as usize).into_iter())
    } else {
        let n = count.unsigned_abs();
        Box::new((0..n).map(move |_| picks.below(len)))
    };
    let n = if count >= 0 {
        (count as usize).min(len)
    } else {
        count.unsigned_abs() as usize
    };
    let resp3_pairs = with_values && reply.is_resp3();
    let mark = reply.buffered();
    reply.array(if with_values && !resp3_pairs {
        n * 2
    } else {
        n
    });
    for index in indexes {
        let Some((field, value)) = hash.get_index(index) else {
            continue;
        };
        if resp3_pairs {
            reply.array(2);
        }
        reply.bulk(field);
        if with_values {
            reply.bulk(value);
        }
        // Repeated picks are bounded by the count, not the data: refuse an outsized reply.
        if reply.buffered() - mark > limit {
            reply.truncate(mark);
            return Err(random_pick::REPLY_TOO_BIG.into());
        }
    }
    Ok(Flow::Continue)
}
