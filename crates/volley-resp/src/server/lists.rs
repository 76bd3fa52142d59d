//! List commands: LPUSH, RPUSH, LPOP, RPOP, LLEN, LRANGE.

use super::commands::{
    int_arg, pop_count, typed, Command, Flow, Outcome, READ_FAST, WRITE_FAST, WRONGTYPE,
};
use super::ctx::Ctx;
use super::store::{Store, Value};
use crate::codec::Reply;
use std::collections::VecDeque;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "lpush",
        arity: -3,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: lpush,
    },
    Command {
        name: "rpush",
        arity: -3,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: rpush,
    },
    Command {
        name: "lpop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: lpop,
    },
    Command {
        name: "rpop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: rpop,
    },
    Command {
        name: "llen",
        arity: 2,
        flags: READ_FAST,
        keys: (1, 1, 1),
        run: llen,
    },
    Command {
        name: "lrange",
        arity: 4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        run: lrange,
    },
];

/// Which end of a list.
#[derive(Clone, Copy)]
enum End {
    Head,
    Tail,
}

fn push(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply, end: End) -> Outcome {
    let Value::List(list) = store.get_or_insert_with(&args[1], || Value::List(VecDeque::new()))
    else {
        return Err(WRONGTYPE.into());
    };
    for item in &mut args[2..] {
        let item = std::mem::take(item);
        match end {
            End::Head => list.push_front(item),
            End::Tail => list.push_back(item),
        }
    }
    reply.int(list.len() as i64);
    Ok(Flow::Continue)
}

fn pop(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply, end: End) -> Outcome {
    if args.len() > 3 {
        return Err(super::commands::SYNTAX.into());
    }
    let count = pop_count(args, 2)?;
    let key = &args[1];
    let Some(list) = typed(store, key, |v| match v {
        Value::List(list) => Some(list),
        _ => None,
    })?
    else {
        match count {
            None => reply.null(),
            Some(_) => reply.null_array(),
        }
        return Ok(Flow::Continue);
    };
    let mut take = || match end {
        End::Head => list.pop_front(),
        End::Tail => list.pop_back(),
    };
    match count {
        None => reply.bulk_or_null(take().as_deref()),
        Some(count) => {
            let items: Vec<Vec<u8>> = std::iter::from_fn(take).take(count).collect();
            reply.array(items.len());
            items.iter().for_each(|item| reply.bulk(item));
        }
    }
    store.remove_if_empty(key);
    Ok(Flow::Continue)
}

/// `LPUSH key element [element ...]`
pub fn lpush(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    push(store, args, reply, End::Head)
}

/// `RPUSH key element [element ...]`
pub fn rpush(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    push(store, args, reply, End::Tail)
}

/// `LPOP key [count]`
pub fn lpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    pop(store, args, reply, End::Head)
}

/// `RPOP key [count]`
pub fn rpop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    pop(store, args, reply, End::Tail)
}

/// `LLEN key`
pub fn llen(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let len = typed(store, &args[1], |v| match v {
        Value::List(list) => Some(list),
        _ => None,
    })?
    .map_or(0, |list| list.len());
    reply.int(len as i64);
    Ok(Flow::Continue)
}

/// `LRANGE key start stop`, negative indexes counting from the tail.
pub fn lrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let (start, stop) = (int_arg(&args[2])?, int_arg(&args[3])?);
    let Some(list) = typed(store, &args[1], |v| match v {
        Value::List(list) => Some(list),
        _ => None,
    })?
    else {
        reply.array(0);
        return Ok(Flow::Continue);
    };
    let len = list.len() as i64;
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
    if start > stop || start >= len {
        reply.array(0);
        return Ok(Flow::Continue);
    }
    reply.array((stop - start + 1) as usize);
    for item in list.range(start as usize..=stop as usize) {
        reply.bulk(item);
    }
    Ok(Flow::Continue)
}
