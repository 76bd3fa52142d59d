//! Minimal LMOVE and LMPOP, used by the blocking commands only while the command table has no
//! such command (the list family provides the full ones; the table's entry always wins).

use super::super::commands::{is, parse_i64, Flow, Outcome, WRONGTYPE};
use super::super::ctx::Ctx;
use super::super::store::Value;
use std::collections::VecDeque;

/// Runs `args` if it is a command this module stands in for.
pub(crate) fn run(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> Option<Outcome> {
    let name = args.first()?;
    if is(name, "lmove") && args.len() == 5 {
        Some(lmove(ctx, args))
    } else if is(name, "lmpop") && args.len() >= 4 {
        Some(lmpop(ctx, args))
    } else {
        None
    }
}

/// Pops `count` items from one end of the list under `key`.
fn pop(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    left: bool,
    count: usize,
) -> Result<Vec<Vec<u8>>, &'static str> {
    let db = ctx.client.db;
    let store = &mut ctx.server.dbs[db];
    let items = match store.get_mut(key) {
        None => Vec::new(),
        Some(Value::List(list)) => {
            let take = count.min(list.len());
            (0..take)
                .filter_map(|_| {
                    if left {
                        list.pop_front()
                    } else {
                        list.pop_back()
                    }
                })
                .collect()
        }
        Some(_) => return Err(WRONGTYPE),
    };
    store.remove_if_empty(key);
    Ok(items)
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
fn lmove(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> Outcome {
    let db = ctx.client.db;
    if let Some(value) = ctx.server.dbs[db].get(&args[2]) {
        if !matches!(value, Value::List(_)) {
            return Err(WRONGTYPE.into());
        }
    }
    let Some(item) = pop(ctx, &args[1], is(&args[3], "left"), 1)?.pop() else {
        ctx.reply.null();
        return Ok(Flow::Continue);
    };
    let store = &mut ctx.server.dbs[db];
    if let Value::List(list) = store.get_or_insert_with(&args[2], || Value::List(VecDeque::new())) {
        if is(&args[4], "left") {
            list.push_front(item.clone());
        } else {
            list.push_back(item.clone());
        }
    }
    ctx.reply.bulk(&item);
    Ok(Flow::Continue)
}

/// `LMPOP 1 key LEFT|RIGHT [COUNT n]`
fn lmpop(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> Outcome {
    let count = match args.get(5) {
        Some(n) => parse_i64(n)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(1),
        None => 1,
    };
    let items = pop(ctx, &args[2], is(&args[3], "left"), count)?;
    if items.is_empty() {
        ctx.reply.null_array();
        return Ok(Flow::Continue);
    }
    ctx.reply.array(2);
    ctx.reply.bulk(&args[2]);
    ctx.reply.array(items.len());
    items.iter().for_each(|item| ctx.reply.bulk(item));
    Ok(Flow::Continue)
}
