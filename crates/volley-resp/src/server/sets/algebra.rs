//! SINTER, SUNION, SDIFF, their STORE forms, and SINTERCARD.
//!
//! An intersection walks the smallest set and looks each member up in the others; a union or
//! difference visits each member of each set once.

use super::{set_of, Set};
use crate::server::commands::{is, parse_i64, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::{Store, Value};
use std::borrow::Cow;

/// Which operation to run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Diff,
}

/// The sets under `keys`, cloned out of the store (the result may be stored over one of
/// them): `None` for an absent key. Every key is type-checked first.
fn sets(store: &mut Store, keys: &[Vec<u8>]) -> Result<Vec<Option<Set>>, Cow<'static, str>> {
    keys.iter()
        .map(|key| Ok(set_of(store, key)?.map(|set| set.clone())))
        .collect()
}

/// The intersection of the sets under `keys`, up to `limit` members (0: no limit): empty when
/// a key is absent, WRONGTYPE when one holds another type.
fn intersect(store: &mut Store, keys: &[Vec<u8>], limit: usize) -> Result<Set, Cow<'static, str>> {
    // Every key is type-checked before an absent one makes the answer empty.
    let mut missing = false;
    for key in keys {
        match store.get(key) {
            None => missing = true,
            Some(Value::Set(_)) => {}
            Some(_) => return Err(crate::server::commands::WRONGTYPE.into()),
        }
    }
    if missing {
        return Ok(Set::new());
    }
    let mut found: Vec<&Set> = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(Value::Set(set)) = store.peek(key) {
            found.push(set);
        }
    }
    found.sort_by_key(|set| set.len());
    let Some((smallest, others)) = found.split_first() else {
        return Ok(Set::new());
    };
    let mut result = Set::new();
    for member in smallest.iter() {
        if others.iter().all(|set| set.contains(member)) {
            result.insert(member.clone());
            if limit != 0 && result.len() >= limit {
                break;
            }
        }
    }
    Ok(result)
}

/// The union or difference of the sets under `keys`.
fn combine(store: &mut Store, keys: &[Vec<u8>], op: Op) -> Result<Set, Cow<'static, str>> {
    let sets = sets(store, keys)?;
    let mut sets = sets.into_iter();
    let mut result = sets.next().flatten().unwrap_or_default();
    for set in sets.flatten() {
        match op {
            Op::Union => result.extend(set),
            Op::Diff => {
                if result.is_empty() {
                    break;
                }
                for member in &set {
                    result.swap_remove(member);
                }
            }
        }
    }
    Ok(result)
}

/// Replies with `set` (a set in RESP3).
fn reply_set(ctx: &mut Ctx<'_>, set: &Set) -> Outcome {
    ctx.reply.set(set.len());
    set.iter().for_each(|m| ctx.reply.bulk(m));
    Ok(Flow::Continue)
}

/// Stores `set` under `dest` (deleting `dest` when empty) and replies with its size.
fn store_set(ctx: &mut Ctx<'_>, dest: &[u8], set: Set, event: &str) -> Outcome {
    let (store, reply) = ctx.db_reply();
    reply.int(set.len() as i64);
    let existed = store.remove(dest);
    if !set.is_empty() {
        store.set(dest.to_vec(), Value::Set(set), None, false);
        ctx.notify(EventClass::Set, event, dest);
    } else if existed {
        ctx.notify(EventClass::Generic, "del", dest);
    }
    Ok(Flow::Continue)
}

/// `SINTER key [key ...]`
pub fn sinter(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let set = intersect(ctx.db(), &args[1..], 0)?;
    reply_set(ctx, &set)
}

/// `SINTERSTORE destination key [key ...]`
pub fn sinterstore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let set = intersect(ctx.db(), &args[2..], 0)?;
    store_set(ctx, &args[1], set, "sinterstore")
}

/// `SUNION key [key ...]`
pub fn sunion(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let set = combine(ctx.db(), &args[1..], Op::Union)?;
    reply_set(ctx, &set)
}

/// `SUNIONSTORE destination key [key ...]`
pub fn sunionstore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let set = combine(ctx.db(), &args[2..], Op::Union)?;
    store_set(ctx, &args[1], set, "sunionstore")
}

/// `SDIFF key [key ...]`
pub fn sdiff(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let set = combine(ctx.db(), &args[1..], Op::Diff)?;
    reply_set(ctx, &set)
}

/// `SDIFFSTORE destination key [key ...]`
pub fn sdiffstore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let set = combine(ctx.db(), &args[2..], Op::Diff)?;
    store_set(ctx, &args[1], set, "sdiffstore")
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn sintercard(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let numkeys = parse_i64(&args[1])
        .filter(|n| *n >= 1)
        .ok_or(Cow::Borrowed("ERR numkeys should be greater than 0"))?;
    if numkeys > args.len() as i64 - 2 {
        return Err("ERR Number of keys can't be greater than number of args".into());
    }
    let end = 2 + numkeys as usize;
    let mut limit = 0usize;
    let mut at = end;
    while at < args.len() {
        if is(&args[at], "limit") && at + 1 < args.len() {
            let value = parse_i64(&args[at + 1])
                .filter(|n| *n >= 0)
                .ok_or(Cow::Borrowed("ERR LIMIT can't be negative"))?;
            limit = usize::try_from(value).unwrap_or(usize::MAX);
            at += 2;
        } else {
            return Err(SYNTAX.into());
        }
    }
    let set = intersect(ctx.db(), &args[2..end], limit)?;
    ctx.reply.int(set.len() as i64);
    Ok(Flow::Continue)
}
