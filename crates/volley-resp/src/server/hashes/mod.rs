//! Hash commands: HSET/HMSET/HSETNX, HGET/HMGET, HDEL, HLEN, HEXISTS, HSTRLEN, HKEYS/HVALS/
//! HGETALL, HINCRBY/HINCRBYFLOAT, HRANDFIELD and HSCAN.

mod random;

pub(crate) use random::OUT_OF_RANGE;

use super::commands::{
    int_arg, typed, wrong_arity, Command, Flow, Handler, Outcome, READ_FAST, WRITE_FAST, WRONGTYPE,
};
use super::ctx::Ctx;
use super::notify::EventClass;
use super::scan::{walk, ScanArgs};
use super::store::{Store, Value};
use super::strings::{add_floats, format_float, parse_float};
use indexmap::IndexMap;
use std::borrow::Cow;

/// A hash's fields and values.
pub(crate) type Hash = IndexMap<Vec<u8>, Vec<u8>>;

const fn cmd(
    name: &'static str,
    arity: i64,
    flags: &'static [&'static str],
    run: Handler,
) -> Command {
    Command {
        name,
        arity,
        flags,
        keys: (1, 1, 1),
        run,
    }
}

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    cmd("hset", -4, WRITE_FAST, hset),
    cmd("hmset", -4, WRITE_FAST, hmset),
    cmd("hsetnx", 4, WRITE_FAST, hsetnx),
    cmd("hget", 3, READ_FAST, hget),
    cmd("hmget", -3, READ_FAST, hmget),
    cmd("hdel", -3, WRITE_FAST, hdel),
    cmd("hlen", 2, READ_FAST, hlen),
    cmd("hexists", 3, READ_FAST, hexists),
    cmd("hstrlen", 3, READ_FAST, hstrlen),
    cmd("hkeys", 2, &["readonly"], hkeys),
    cmd("hvals", 2, &["readonly"], hvals),
    cmd("hgetall", 2, &["readonly"], hgetall),
    cmd("hincrby", 4, WRITE_FAST, hincrby),
    cmd("hincrbyfloat", 4, WRITE_FAST, hincrbyfloat),
    cmd("hrandfield", -2, &["readonly"], random::hrandfield),
    cmd("hscan", -3, &["readonly"], hscan),
];

/// The hash under `key`: `None` when absent, `WRONGTYPE` when of another type.
pub(crate) fn hash_of<'s>(
    store: &'s mut Store,
    key: &[u8],
) -> Result<Option<&'s mut Hash>, Cow<'static, str>> {
    typed(store, key, |v| match v {
        Value::Hash(hash) => Some(hash),
        _ => None,
    })
}

/// The hash under `key`, created empty when absent.
fn hash_or_new<'s>(store: &'s mut Store, key: &[u8]) -> Result<&'s mut Hash, Cow<'static, str>> {
    match store.get_or_insert_with(key, || Value::Hash(Hash::new())) {
        Value::Hash(hash) => Ok(hash),
        _ => Err(WRONGTYPE.into()),
    }
}

/// Sets the field/value pairs from `args[2]` on; answers how many fields were new.
fn set_pairs(
    ctx: &mut Ctx<'_>,
    args: &mut [Vec<u8>],
    name: &str,
) -> Result<i64, Cow<'static, str>> {
    if !args.len().is_multiple_of(2) {
        return Err(wrong_arity(name));
    }
    let hash = hash_or_new(ctx.db(), &args[1])?;
    let mut added = 0;
    for pair in args[2..].chunks_exact_mut(2) {
        let value = std::mem::take(&mut pair[1]);
        if hash.insert(std::mem::take(&mut pair[0]), value).is_none() {
            added += 1;
        }
    }
    Ok(added)
}

/// `HSET key field value [field value ...]`: answers how many fields were added.
pub fn hset(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let added = set_pairs(ctx, args, "hset")?;
    ctx.reply.int(added);
    ctx.notify(EventClass::Hash, "hset", &args[1]);
    Ok(Flow::Continue)
}

/// `HMSET key field value [field value ...]`
pub fn hmset(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    set_pairs(ctx, args, "hmset")?;
    ctx.reply.ok();
    ctx.notify(EventClass::Hash, "hset", &args[1]);
    Ok(Flow::Continue)
}

/// `HSETNX key field value`: answers 1 if the field was set.
pub fn hsetnx(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let hash = hash_or_new(store, &args[1])?;
    let added = !hash.contains_key(&args[2]);
    if added {
        hash.insert(std::mem::take(&mut args[2]), std::mem::take(&mut args[3]));
    }
    reply.int(i64::from(added));
    if added {
        ctx.notify(EventClass::Hash, "hset", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `HGET key field`
pub fn hget(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let hash = hash_of(store, &args[1])?;
    reply.bulk_or_null(hash.and_then(|h| h.get(&args[2])).map(Vec::as_slice));
    Ok(Flow::Continue)
}

/// `HMGET key field [field ...]`
pub fn hmget(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let hash = hash_of(store, &args[1])?;
    reply.array(args.len() - 2);
    for field in &args[2..] {
        reply.bulk_or_null(hash.as_ref().and_then(|h| h.get(field)).map(Vec::as_slice));
    }
    Ok(Flow::Continue)
}

/// `HDEL key field [field ...]`: answers how many were removed.
pub fn hdel(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let removed = match hash_of(store, &args[1])? {
        None => 0,
        Some(hash) => args[2..]
            .iter()
            .filter(|field| hash.swap_remove(*field).is_some())
            .count(),
    };
    store.remove_if_empty(&args[1]);
    reply.int(removed as i64);
    if removed > 0 {
        ctx.notify(EventClass::Hash, "hdel", &args[1]);
        ctx.notify_if_deleted(&args[1]);
    }
    Ok(Flow::Continue)
}

/// `HLEN key`
pub fn hlen(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    reply.int(hash_of(store, &args[1])?.map_or(0, |h| h.len()) as i64);
    Ok(Flow::Continue)
}

/// `HEXISTS key field`
pub fn hexists(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let found = hash_of(store, &args[1])?.is_some_and(|h| h.contains_key(&args[2]));
    reply.int(i64::from(found));
    Ok(Flow::Continue)
}

/// `HSTRLEN key field`
pub fn hstrlen(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let len = hash_of(store, &args[1])?
        .and_then(|h| h.get(&args[2]))
        .map_or(0, Vec::len);
    reply.int(len as i64);
    Ok(Flow::Continue)
}

/// HKEYS, HVALS and HGETALL: fields, values, or both (a map in RESP3).
fn all(ctx: &mut Ctx<'_>, key: &[u8], fields: bool, values: bool) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let Some(hash) = hash_of(store, key)? else {
        if fields && values {
            reply.map(0);
        } else {
            reply.array(0);
        }
        return Ok(Flow::Continue);
    };
    if fields && values {
        reply.map(hash.len());
    } else {
        reply.array(hash.len());
    }
    for (field, value) in hash.iter() {
        if fields {
            reply.bulk(field);
        }
        if values {
            reply.bulk(value);
        }
    }
    Ok(Flow::Continue)
}

/// `HKEYS key`
pub fn hkeys(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    all(ctx, &args[1], true, false)
}

/// `HVALS key`
pub fn hvals(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    all(ctx, &args[1], false, true)
}

/// `HGETALL key`
pub fn hgetall(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    all(ctx, &args[1], true, true)
}

/// `HINCRBY key field delta`
pub fn hincrby(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let delta = int_arg(&args[3])?;
    let (store, reply) = ctx.db_reply();
    let hash = hash_or_new(store, &args[1])?;
    let current = match hash.get(&args[2]) {
        None => 0,
        Some(bytes) => super::commands::parse_i64(bytes)
            .ok_or(Cow::Borrowed("ERR hash value is not an integer"))?,
    };
    let next = current
        .checked_add(delta)
        .ok_or(Cow::Borrowed("ERR increment or decrement would overflow"))?;
    hash.insert(args[2].clone(), next.to_string().into_bytes());
    reply.int(next);
    ctx.notify(EventClass::Hash, "hincrby", &args[1]);
    Ok(Flow::Continue)
}

/// `HINCRBYFLOAT key field increment`: answers the new value as a string.
pub fn hincrbyfloat(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let increment = parse_float(&args[3]).ok_or(Cow::Borrowed("ERR value is not a valid float"))?;
    if !increment.is_finite() {
        return Err("ERR value is NaN or Infinity".into());
    }
    let (store, reply) = ctx.db_reply();
    let hash = hash_or_new(store, &args[1])?;
    let current = match hash.get(&args[2]) {
        None => 0.0,
        Some(bytes) => parse_float(bytes).ok_or(Cow::Borrowed("ERR hash value is not a float"))?,
    };
    let next = add_floats(current, increment);
    if !next.is_finite() {
        return Err("ERR increment would produce NaN or Infinity".into());
    }
    let text = format_float(next).into_bytes();
    reply.bulk(&text);
    hash.insert(args[2].clone(), text);
    ctx.notify(EventClass::Hash, "hincrbyfloat", &args[1]);
    Ok(Flow::Continue)
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn hscan(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let scan = ScanArgs::parse(args, 2, false)?;
    let (store, reply) = ctx.db_reply();
    let mut found: Vec<(&[u8], &[u8])> = Vec::new();
    let next = match hash_of(store, &args[1])? {
        None => 0,
        Some(hash) => {
            let hash = &*hash;
            walk(hash.len(), scan.cursor, scan.count, |position| {
                if let Some((field, value)) = hash.get_index(position) {
                    if scan.matches(field) {
                        found.push((field, value));
                    }
                }
            })
        }
    };
    reply.array(2);
    reply.bulk(next.to_string().as_bytes());
    reply.array(found.len() * 2);
    for (field, value) in found {
        reply.bulk(field);
        reply.bulk(value);
    }
    Ok(Flow::Continue)
}
