//! Both ends of a list: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LMPOP, LMOVE, RPOPLPUSH, and
//! the non-blocking [`pop_elements`] and [`move_element`] the blocking commands call.

use super::{list, List};
use crate::codec::Reply;
use crate::server::commands::{self, is, pop_count, wrong_arity, Flow, Outcome, SYNTAX, WRONGTYPE};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::{Store, Value};
use std::borrow::Cow;

/// An end of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The head (`LEFT`).
    Head,
    /// The tail (`RIGHT`).
    Tail,
}

impl End {
    /// `LEFT` or `RIGHT`, or a syntax error.
    pub fn parse(arg: &[u8]) -> Result<End, Cow<'static, str>> {
        if is(arg, "left") {
            Ok(End::Head)
        } else if is(arg, "right") {
            Ok(End::Tail)
        } else {
            Err(SYNTAX.into())
        }
    }
}

fn take(list: &mut List, end: End) -> Option<Vec<u8>> {
    match end {
        End::Head => list.pop_front(),
        End::Tail => list.pop_back(),
    }
}

fn put(list: &mut List, end: End, item: Vec<u8>) {
    match end {
        End::Head => list.push_front(item),
        End::Tail => list.push_back(item),
    }
}

fn push(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>], end: End, only_existing: bool) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let key = &args[1];
    let exists = list(store, key)?.is_some();
    if only_existing && !exists {
        reply.int(0);
        return Ok(Flow::Continue);
    }
    let Value::List(items) = store.get_or_insert_with(key, || Value::List(List::new())) else {
        return Err(WRONGTYPE.into());
    };
    for item in &mut args[2..] {
        put(items, end, std::mem::take(item));
    }
    reply.int(items.len() as i64);
    let event = match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    };
    ctx.notify(EventClass::List, event, &args[1]);
    Ok(Flow::Continue)
}

/// `LPUSH key element [element ...]`
pub fn lpush(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    push(ctx, args, End::Head, false)
}

/// `RPUSH key element [element ...]`
pub fn rpush(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    push(ctx, args, End::Tail, false)
}

/// `LPUSHX key element [element ...]`: only onto an existing list.
pub fn lpushx(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    push(ctx, args, End::Head, true)
}

/// `RPUSHX key element [element ...]`: only onto an existing list.
pub fn rpushx(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    push(ctx, args, End::Tail, true)
}

/// Pops up to `count` elements from `end` of the list under `key`, deleting the key once
/// emptied: `None` when there is no such key, `WRONGTYPE` for another type. This is the pop
/// BLPOP, BRPOP and BLMPOP serve a waiting client with.
pub(crate) fn pop_elements(
    store: &mut Store,
    key: &[u8],
    end: End,
    count: usize,
) -> Result<Option<Vec<Vec<u8>>>, Cow<'static, str>> {
    let Some(items) = list(store, key)? else {
        return Ok(None);
    };
    let count = count.min(items.len());
    let popped: Vec<Vec<u8>> = std::iter::from_fn(|| take(items, end))
        .take(count)
        .collect();
    store.remove_if_empty(key);
    Ok(Some(popped))
}

/// The events of a pop from `end` of `key`: `lpop`/`rpop`, then `del` if it emptied the list.
pub(crate) fn popped_events(ctx: &mut Ctx<'_>, key: &[u8], end: End) {
    let event = match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    };
    ctx.notify(EventClass::List, event, key);
    ctx.notify_if_deleted(key);
}

/// The events of a move: the push onto `destination`, then the pop from `source`.
pub(crate) fn moved_events(
    ctx: &mut Ctx<'_>,
    source: &[u8],
    destination: &[u8],
    from: End,
    to: End,
) {
    let event = match to {
        End::Head => "lpush",
        End::Tail => "rpush",
    };
    ctx.notify(EventClass::List, event, destination);
    popped_events(ctx, source, from);
}

fn pop(ctx: &mut Ctx<'_>, args: &[Vec<u8>], end: End, name: &str) -> Outcome {
    if args.len() > 3 {
        return Err(wrong_arity(name));
    }
    let count = pop_count(args, 2)?;
    let (store, reply) = ctx.db_reply();
    let key = &args[1];
    if count == Some(0) {
        match list(store, key)? {
            None => reply.null_array(),
            Some(_) => reply.array(0),
        }
        return Ok(Flow::Continue);
    }
    let popped = pop_elements(store, key, end, count.unwrap_or(1))?;
    if popped.is_some() {
        popped_events(ctx, key, end);
    }
    let reply = &mut ctx.reply;
    match (popped, count) {
        (None, None) => reply.null(),
        (None, Some(_)) => reply.null_array(),
        (Some(mut items), None) => reply.bulk_or_null(items.pop().as_deref()),
        (Some(items), Some(_)) => {
            reply.array(items.len());
            items.iter().for_each(|item| reply.bulk(item));
        }
    }
    Ok(Flow::Continue)
}

/// `LPOP key [count]`
pub fn lpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    pop(ctx, args, End::Head, "lpop")
}

/// `RPOP key [count]`
pub fn rpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    pop(ctx, args, End::Tail, "rpop")
}

/// What `numkeys key [key ...] LEFT|RIGHT [COUNT count]` asks for (LMPOP from `args[at]` on,
/// BLMPOP after its timeout): the keys' span in `args`, the end and the count.
pub(crate) fn parse_mpop(
    args: &[Vec<u8>],
    at: usize,
) -> Result<(std::ops::Range<usize>, End, usize), Cow<'static, str>> {
    commands::parse_mpop(args, at, End::parse)
}

/// Writes LMPOP's reply, `[key, [element ...]]`.
pub(crate) fn mpop_reply(reply: &mut Reply<'_>, key: &[u8], items: &[Vec<u8>]) {
    reply.array(2);
    reply.bulk(key);
    reply.array(items.len());
    items.iter().for_each(|item| reply.bulk(item));
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`
pub fn lmpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (keys, end, count) = parse_mpop(args, 1)?;
    let (store, reply) = ctx.db_reply();
    for key in &args[keys] {
        if let Some(items) = pop_elements(store, key, end, count)? {
            mpop_reply(reply, key, &items);
            popped_events(ctx, key, end);
            return Ok(Flow::Continue);
        }
    }
    reply.null_array();
    Ok(Flow::Continue)
}

/// Moves one element from `from` of the list `source` to `to` of the list `destination`
/// (which may be the same key): `None` when `source` does not exist; `WRONGTYPE` when either
/// holds another type, checked before anything moves. The move BLMOVE and BRPOPLPUSH serve a
/// waiting client with.
pub(crate) fn move_element(
    store: &mut Store,
    source: &[u8],
    destination: &[u8],
    from: End,
    to: End,
) -> Result<Option<Vec<u8>>, Cow<'static, str>> {
    if list(store, source)?.is_none() {
        return Ok(None);
    }
    list(store, destination)?;
    let Some(item) = list(store, source)?.and_then(|items| take(items, from)) else {
        return Ok(None);
    };
    store.remove_if_empty(source);
    let Value::List(target) = store.get_or_insert_with(destination, || Value::List(List::new()))
    else {
        return Err(WRONGTYPE.into());
    };
    put(target, to, item.clone());
    Ok(Some(item))
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
pub fn lmove(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (from, to) = (End::parse(&args[3])?, End::parse(&args[4])?);
    let (store, reply) = ctx.db_reply();
    let moved = move_element(store, &args[1], &args[2], from, to)?;
    reply.bulk_or_null(moved.as_deref());
    if moved.is_some() {
        moved_events(ctx, &args[1], &args[2], from, to);
    }
    Ok(Flow::Continue)
}

/// `RPOPLPUSH source destination`
pub fn rpoplpush(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let moved = move_element(store, &args[1], &args[2], End::Tail, End::Head)?;
    reply.bulk_or_null(moved.as_deref());
    if moved.is_some() {
        moved_events(ctx, &args[1], &args[2], End::Tail, End::Head);
    }
    Ok(Flow::Continue)
}
