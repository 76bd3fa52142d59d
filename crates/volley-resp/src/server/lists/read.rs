//! Reading lists: LLEN, LRANGE, LINDEX, LPOS.

use super::{list, position};
use crate::server::commands::{int_arg, is, parse_i64, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::zsets::rank_span;
use std::borrow::Cow;

/// `LLEN key`
pub fn llen(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let len = list(store, &args[1])?.map_or(0, |items| items.len());
    reply.int(len as i64);
    Ok(Flow::Continue)
}

/// `LRANGE key start stop`, negative indexes counting from the tail.
pub fn lrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (start, stop) = (int_arg(&args[2])?, int_arg(&args[3])?);
    let (store, reply) = ctx.db_reply();
    let Some(items) = list(store, &args[1])? else {
        reply.array(0);
        return Ok(Flow::Continue);
    };
    match rank_span(start, stop, items.len()) {
        None => reply.array(0),
        Some((from, to)) => {
            reply.array(to - from);
            items.range(from..to).for_each(|item| reply.bulk(item));
        }
    }
    Ok(Flow::Continue)
}

/// `LINDEX key index`
pub fn lindex(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let index = int_arg(&args[2])?;
    let (store, reply) = ctx.db_reply();
    let item = list(store, &args[1])?
        .and_then(|items| position(index, items.len()).and_then(|at| items.get(at)));
    reply.bulk_or_null(item.map(Vec::as_slice));
    Ok(Flow::Continue)
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
pub fn lpos(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (mut rank, mut count, mut max_len) = (1i64, None::<usize>, 0usize);
    let mut at = 3;
    while at < args.len() {
        let more = at + 1 < args.len();
        let option = &args[at];
        if is(option, "rank") && more {
            rank = int_arg(&args[at + 1])?;
            if rank == 0 {
                return Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list".into());
            }
            if rank == i64::MIN {
                return Err(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
                        .into(),
                );
            }
        } else if is(option, "count") && more {
            let n = parse_i64(&args[at + 1])
                .filter(|n| *n >= 0)
                .ok_or(Cow::Borrowed("ERR COUNT can't be negative"))?;
            count = Some(n as usize);
        } else if is(option, "maxlen") && more {
            let n = parse_i64(&args[at + 1])
                .filter(|n| *n >= 0)
                .ok_or(Cow::Borrowed("ERR MAXLEN can't be negative"))?;
            max_len = n as usize;
        } else {
            return Err(SYNTAX.into());
        }
        at += 2;
    }
    let (store, reply) = ctx.db_reply();
    let Some(items) = list(store, &args[1])? else {
        match count {
            Some(_) => reply.array(0),
            None => reply.null(),
        }
        return Ok(Flow::Continue);
    };
    let len = items.len();
    let scan = if max_len == 0 { len } else { max_len.min(len) };
    let backward = rank < 0;
    let skip = (rank.unsigned_abs() - 1) as usize;
    let wanted = match count {
        None => 1,
        Some(0) => usize::MAX,
        Some(n) => n,
    };
    let element = &args[2];
    let found: Vec<usize> = (0..scan)
        .map(|i| if backward { len - 1 - i } else { i })
        .filter(|&i| items[i] == *element)
        .skip(skip)
        .take(wanted)
        .collect();
    match count {
        Some(_) => {
            reply.array(found.len());
            found.iter().for_each(|&i| reply.int(i as i64));
        }
        None => match found.first() {
            Some(&i) => reply.int(i as i64),
            None => reply.null(),
        },
    }
    Ok(Flow::Continue)
}
