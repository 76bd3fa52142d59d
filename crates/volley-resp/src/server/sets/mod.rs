//! Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SMOVE, SSCAN, the random
//! picks (SPOP, SRANDMEMBER: see [`random`]) and the set algebra (SINTER, SUNION, SDIFF, their
//! STORE forms and SINTERCARD: see [`algebra`]).
//!
//! A set keeps its members by position, so a random member is one index away and SPOP with a
//! count costs O(count).

mod algebra;
mod random;

use super::commands::command as cmd;
use super::commands::{typed, Command, Flow, Outcome, READ_FAST, WRITE_FAST, WRONGTYPE};
use super::ctx::Ctx;
use super::notify::EventClass;
use super::scan::{walk, ScanArgs};
use super::store::{Store, Value};
use indexmap::IndexSet;
use std::borrow::Cow;

/// A set's members.
pub(crate) type Set = IndexSet<Vec<u8>>;

const WRITE: &[&str] = &["write", "denyoom"];

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    cmd("sadd", -3, WRITE_FAST, (1, 1, 1), sadd),
    cmd("srem", -3, WRITE_FAST, (1, 1, 1), srem),
    cmd("smembers", 2, &["readonly"], (1, 1, 1), smembers),
    cmd("sismember", 3, READ_FAST, (1, 1, 1), sismember),
    cmd("smismember", -3, READ_FAST, (1, 1, 1), smismember),
    cmd("scard", 2, READ_FAST, (1, 1, 1), scard),
    cmd("smove", 4, WRITE_FAST, (1, 2, 1), smove),
    cmd("sscan", -3, &["readonly"], (1, 1, 1), sscan),
    cmd("spop", -2, WRITE_FAST, (1, 1, 1), random::spop),
    cmd(
        "srandmember",
        -2,
        &["readonly"],
        (1, 1, 1),
        random::srandmember,
    ),
    cmd("sinter", -2, &["readonly"], (1, -1, 1), algebra::sinter),
    cmd(
        "sintercard",
        -3,
        &["readonly"],
        (0, 0, 0),
        algebra::sintercard,
    ),
    cmd("sinterstore", -3, WRITE, (1, -1, 1), algebra::sinterstore),
    cmd("sunion", -2, &["readonly"], (1, -1, 1), algebra::sunion),
    cmd("sunionstore", -3, WRITE, (1, -1, 1), algebra::sunionstore),
    cmd("sdiff", -2, &["readonly"], (1, -1, 1), algebra::sdiff),
    cmd("sdiffstore", -3, WRITE, (1, -1, 1), algebra::sdiffstore),
];

/// The set under `key`: `None` when absent, `WRONGTYPE` when of another type.
pub(crate) fn set_of<'s>(
    store: &'s mut Store,
    key: &[u8],
) -> Result<Option<&'s mut Set>, Cow<'static, str>> {
    typed(store, key, |v| match v {
        Value::Set(set) => Some(set),
        _ => None,
    })
}

/// `SADD key member [member ...]`: answers how many were added.
pub fn sadd(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let Value::Set(set) = store.get_or_insert_with(&args[1], || Value::Set(Set::new())) else {
        return Err(WRONGTYPE.into());
    };
    let mut added = 0;
    for member in &mut args[2..] {
        if set.insert(std::mem::take(member)) {
            added += 1;
        }
    }
    reply.int(added);
    if added > 0 {
        ctx.notify(EventClass::Set, "sadd", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `SREM key member [member ...]`: answers how many were removed.
pub fn srem(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let removed = match set_of(store, &args[1])? {
        None => 0,
        Some(set) => args[2..].iter().filter(|m| set.swap_remove(*m)).count(),
    };
    store.remove_if_empty(&args[1]);
    reply.int(removed as i64);
    if removed > 0 {
        ctx.notify(EventClass::Set, "srem", &args[1]);
        ctx.notify_if_deleted(&args[1]);
    }
    Ok(Flow::Continue)
}

/// `SMEMBERS key` (a set in RESP3).
pub fn smembers(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    match set_of(store, &args[1])? {
        None => reply.set(0),
        Some(set) => {
            reply.set(set.len());
            set.iter().for_each(|m| reply.bulk(m));
        }
    }
    Ok(Flow::Continue)
}

/// `SISMEMBER key member`
pub fn sismember(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let found = set_of(store, &args[1])?.is_some_and(|set| set.contains(&args[2]));
    reply.int(i64::from(found));
    Ok(Flow::Continue)
}

/// `SMISMEMBER key member [member ...]`
pub fn smismember(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let set = set_of(store, &args[1])?;
    reply.array(args.len() - 2);
    for member in &args[2..] {
        let found = set.as_ref().is_some_and(|set| set.contains(member));
        reply.int(i64::from(found));
    }
    Ok(Flow::Continue)
}

/// `SCARD key`
pub fn scard(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    reply.int(set_of(store, &args[1])?.map_or(0, |set| set.len()) as i64);
    Ok(Flow::Continue)
}

/// `SMOVE source destination member`: answers 1 if moved.
pub fn smove(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    if set_of(store, &args[1])?.is_none() {
        reply.int(0);
        return Ok(Flow::Continue);
    }
    set_of(store, &args[2])?;
    if args[1] == args[2] {
        let found = set_of(store, &args[1])?.is_some_and(|set| set.contains(&args[3]));
        reply.int(i64::from(found));
        return Ok(Flow::Continue);
    }
    let removed = set_of(store, &args[1])?.is_some_and(|set| set.swap_remove(&args[3]));
    let mut added = false;
    if removed {
        store.remove_if_empty(&args[1]);
        if let Value::Set(dest) = store.get_or_insert_with(&args[2], || Value::Set(Set::new())) {
            added = dest.insert(std::mem::take(&mut args[3]));
        }
    }
    reply.int(i64::from(removed));
    if removed {
        ctx.notify(EventClass::Set, "srem", &args[1]);
        ctx.notify_if_deleted(&args[1]);
        if added {
            ctx.notify(EventClass::Set, "sadd", &args[2]);
        }
    }
    Ok(Flow::Continue)
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn sscan(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let scan = ScanArgs::parse(args, 2, false)?;
    let (store, reply) = ctx.db_reply();
    let mut found: Vec<&[u8]> = Vec::new();
    let next = match set_of(store, &args[1])? {
        None => 0,
        Some(set) => {
            let set = &*set;
            walk(set.len(), scan.cursor, scan.count, |position| {
                if let Some(member) = set.get_index(position) {
                    if scan.matches(member) {
                        found.push(member);
                    }
                }
            })
        }
    };
    reply.array(2);
    reply.bulk(next.to_string().as_bytes());
    reply.array(found.len());
    found.iter().for_each(|m| reply.bulk(m));
    Ok(Flow::Continue)
}
