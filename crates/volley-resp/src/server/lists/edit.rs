//! Editing lists in place: LSET, LINSERT, LREM, LTRIM.

use super::{list, position};
use crate::server::commands::{int_arg, is, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::zsets::rank_span;

/// `LSET key index element`
pub fn lset(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let index = int_arg(&args[2])?;
    let (store, reply) = ctx.db_reply();
    let Some(items) = list(store, &args[1])? else {
        return Err("ERR no such key".into());
    };
    let at = position(index, items.len()).ok_or("ERR index out of range")?;
    items[at] = std::mem::take(&mut args[3]);
    reply.ok();
    ctx.notify(EventClass::List, "lset", &args[1]);
    Ok(Flow::Continue)
}

/// `LINSERT key BEFORE|AFTER pivot element`: the new length, 0 without the key, -1 without
/// the pivot.
pub fn linsert(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let after = if is(&args[2], "after") {
        true
    } else if is(&args[2], "before") {
        false
    } else {
        return Err(SYNTAX.into());
    };
    let (store, reply) = ctx.db_reply();
    let Some(items) = list(store, &args[1])? else {
        reply.int(0);
        return Ok(Flow::Continue);
    };
    match items.iter().position(|item| *item == args[3]) {
        None => reply.int(-1),
        Some(at) => {
            items.insert(at + usize::from(after), std::mem::take(&mut args[4]));
            reply.int(items.len() as i64);
            ctx.notify(EventClass::List, "linsert", &args[1]);
        }
    }
    Ok(Flow::Continue)
}

/// `LREM key count element`: from the head for a positive count, the tail for a negative
/// one, every match for 0.
pub fn lrem(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let count = int_arg(&args[2])?;
    let (store, reply) = ctx.db_reply();
    let key = &args[1];
    let Some(items) = list(store, key)? else {
        reply.int(0);
        return Ok(Flow::Continue);
    };
    let limit = if count == 0 {
        usize::MAX
    } else {
        usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX)
    };
    let element = &args[3];
    let mut removed = 0;
    if count >= 0 {
        items.retain(|item| {
            let drop = removed < limit && item == element;
            removed += usize::from(drop);
            !drop
        });
    } else {
        let mut kept = Vec::with_capacity(items.len());
        while let Some(item) = items.pop_back() {
            if removed < limit && item == *element {
                removed += 1;
            } else {
                kept.push(item);
            }
        }
        items.extend(kept.into_iter().rev());
    }
    store.remove_if_empty(key);
    reply.int(removed as i64);
    if removed > 0 {
        ctx.notify(EventClass::List, "lrem", &args[1]);
        ctx.notify_if_deleted(&args[1]);
    }
    Ok(Flow::Continue)
}

/// `LTRIM key start stop`: keeps only that range.
pub fn ltrim(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (start, stop) = (int_arg(&args[2])?, int_arg(&args[3])?);
    let store = ctx.db();
    let key = &args[1];
    if let Some(items) = list(store, key)? {
        match rank_span(start, stop, items.len()) {
            None => items.clear(),
            Some((from, to)) => {
                items.truncate(to);
                items.drain(..from);
            }
        }
        store.remove_if_empty(key);
        ctx.notify(EventClass::List, "ltrim", &args[1]);
        ctx.notify_if_deleted(&args[1]);
    }
    ctx.reply.ok();
    Ok(Flow::Continue)
}
