//! String commands: GET and SET with every option, their older forms (SETNX, SETEX, PSETEX,
//! GETSET), GETEX and GETDEL, the counters (INCR... and INCRBYFLOAT), MSET/MSETNX/MGET, APPEND,
//! STRLEN, GETRANGE/SETRANGE, SETBIT/GETBIT and LCS.
//!
//! Anything that grows a string (APPEND, SETRANGE, SETBIT) is refused past
//! `proto-max-bulk-len`, as Redis refuses it, before any byte is allocated.

mod bits;
mod counters;
mod lcs;
mod set;

pub(crate) use counters::{add_floats, format_float, parse_float};

use super::commands::command as cmd;
use super::commands::{int_arg, Command, Flow, Outcome, READ_FAST, WRITE_FAST, WRONGTYPE};
use super::ctx::Ctx;
use super::notify::EventClass;
use super::store::{Store, Value};
use std::borrow::Cow;

const WRITE: &[&str] = &["write", "denyoom"];

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    cmd("set", -3, WRITE, (1, 1, 1), set::set),
    cmd("setnx", 3, WRITE_FAST, (1, 1, 1), set::setnx),
    cmd("setex", 4, WRITE, (1, 1, 1), set::setex),
    cmd("psetex", 4, WRITE, (1, 1, 1), set::psetex),
    cmd("getset", 3, WRITE_FAST, (1, 1, 1), set::getset),
    cmd("getex", -2, &["write", "fast"], (1, 1, 1), set::getex),
    cmd("getdel", 2, &["write", "fast"], (1, 1, 1), set::getdel),
    cmd("get", 2, READ_FAST, (1, 1, 1), get),
    cmd("incr", 2, WRITE_FAST, (1, 1, 1), counters::incr),
    cmd("decr", 2, WRITE_FAST, (1, 1, 1), counters::decr),
    cmd("incrby", 3, WRITE_FAST, (1, 1, 1), counters::incrby),
    cmd("decrby", 3, WRITE_FAST, (1, 1, 1), counters::decrby),
    cmd(
        "incrbyfloat",
        3,
        WRITE_FAST,
        (1, 1, 1),
        counters::incrbyfloat,
    ),
    cmd("mset", -3, WRITE, (1, -1, 2), mset),
    cmd("msetnx", -3, WRITE, (1, -1, 2), msetnx),
    cmd("mget", -2, READ_FAST, (1, -1, 1), mget),
    cmd("append", 3, WRITE_FAST, (1, 1, 1), append),
    cmd("strlen", 2, READ_FAST, (1, 1, 1), strlen),
    cmd("getrange", 4, &["readonly"], (1, 1, 1), getrange),
    cmd("substr", 4, &["readonly"], (1, 1, 1), getrange),
    cmd("setrange", 4, WRITE, (1, 1, 1), setrange),
    cmd("setbit", 4, WRITE, (1, 1, 1), bits::setbit),
    cmd("getbit", 3, READ_FAST, (1, 1, 1), bits::getbit),
    cmd("bitcount", -2, &["readonly"], (1, 1, 1), bits::bitcount),
    cmd("lcs", -3, &["readonly"], (1, 2, 1), lcs::lcs),
];

/// Redis's error for a string that would outgrow `proto-max-bulk-len`.
pub(crate) const TOO_BIG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/// The longest string a command may make (`proto-max-bulk-len`).
pub(crate) fn max_string(ctx: &Ctx<'_>) -> usize {
    usize::try_from(ctx.server.settings.int("proto-max-bulk-len"))
        .ok()
        .filter(|n| *n > 0)
        .unwrap_or(512 << 20)
}

/// The string under `key`: `None` when absent, `WRONGTYPE` when of another type.
pub(crate) fn string_of<'s>(
    store: &'s mut Store,
    key: &[u8],
) -> Result<Option<&'s mut Vec<u8>>, Cow<'static, str>> {
    match store.get_mut(key) {
        None => Ok(None),
        Some(Value::Str(bytes)) => Ok(Some(bytes)),
        Some(_) => Err(WRONGTYPE.into()),
    }
}

/// Grows `bytes` to `len` with zero bytes, or answers the error an allocation failure gives.
pub(crate) fn grow(bytes: &mut Vec<u8>, len: usize) -> Result<(), Cow<'static, str>> {
    if len > bytes.len() {
        bytes
            .try_reserve_exact(len - bytes.len())
            .map_err(|_| Cow::Borrowed("ERR out of memory growing the string"))?;
        bytes.resize(len, 0);
    }
    Ok(())
}

/// `GET key`
pub fn get(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    match string_of(store, &args[1])? {
        None => reply.null(),
        Some(bytes) => reply.bulk(bytes),
    }
    Ok(Flow::Continue)
}

/// `MSET key value [key value ...]`
pub fn mset(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    if args.len().is_multiple_of(2) {
        return Err(super::commands::wrong_arity("mset"));
    }
    set_pairs(ctx, args);
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// `MSETNX key value [key value ...]`: sets them all only if none exists; answers 1 or 0.
pub fn msetnx(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    if args.len().is_multiple_of(2) {
        return Err(super::commands::wrong_arity("msetnx"));
    }
    let (store, reply) = ctx.db_reply();
    if args[1..].iter().step_by(2).any(|key| store.contains(key)) {
        reply.int(0);
        return Ok(Flow::Continue);
    }
    set_pairs(ctx, args);
    ctx.reply.int(1);
    Ok(Flow::Continue)
}

/// Sets each key/value pair from `args[1]` on, reporting a `set` event for each key.
fn set_pairs(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) {
    for pair in args[1..].chunks_exact_mut(2) {
        let value = std::mem::take(&mut pair[1]);
        ctx.db()
            .set(pair[0].clone(), Value::Str(value), None, false);
        ctx.notify(EventClass::String, "set", &pair[0]);
    }
}

/// `MGET key [key ...]`: nil for missing keys and keys of other types.
pub fn mget(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    reply.array(args.len() - 1);
    for key in &args[1..] {
        match store.get(key) {
            Some(Value::Str(bytes)) => reply.bulk(bytes),
            _ => reply.null(),
        }
    }
    Ok(Flow::Continue)
}

/// `APPEND key value`: answers the new length.
pub fn append(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let limit = max_string(ctx);
    let (store, reply) = ctx.db_reply();
    let len = match string_of(store, &args[1])? {
        Some(bytes) => {
            if bytes.len() + args[2].len() > limit {
                return Err(TOO_BIG.into());
            }
            bytes
                .try_reserve(args[2].len())
                .map_err(|_| Cow::Borrowed("ERR out of memory growing the string"))?;
            bytes.extend_from_slice(&args[2]);
            bytes.len()
        }
        None => {
            let value = std::mem::take(&mut args[2]);
            let len = value.len();
            store.set(args[1].clone(), Value::Str(value), None, false);
            len
        }
    };
    reply.int(len as i64);
    ctx.notify(EventClass::String, "append", &args[1]);
    Ok(Flow::Continue)
}

/// `STRLEN key`
pub fn strlen(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let len = string_of(store, &args[1])?.map_or(0, |bytes| bytes.len());
    reply.int(len as i64);
    Ok(Flow::Continue)
}

/// `GETRANGE key start end`: inclusive, negative positions count from the end.
pub fn getrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let mut start = int_arg(&args[2])?;
    let mut end = int_arg(&args[3])?;
    let (store, reply) = ctx.db_reply();
    let Some(bytes) = string_of(store, &args[1])? else {
        reply.bulk(b"");
        return Ok(Flow::Continue);
    };
    let len = bytes.len() as i64;
    if start < 0 && end < 0 && start > end {
        reply.bulk(b"");
        return Ok(Flow::Continue);
    }
    if start < 0 {
        start = (len + start).max(0);
    }
    if end < 0 {
        end = (len + end).max(0);
    }
    end = end.min(len - 1);
    if start > end || len == 0 {
        reply.bulk(b"");
    } else {
        reply.bulk(&bytes[start as usize..=end as usize]);
    }
    Ok(Flow::Continue)
}

/// `SETRANGE key offset value`: overwrites from `offset`, padding with zero bytes; answers the
/// new length.
pub fn setrange(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let offset = int_arg(&args[2])?;
    if offset < 0 {
        return Err("ERR offset is out of range".into());
    }
    let offset = offset as u64;
    let limit = max_string(ctx) as u64;
    let (store, reply) = ctx.db_reply();
    let value = &args[2 + 1];
    let existing = string_of(store, &args[1])?;
    if value.is_empty() {
        reply.int(existing.map_or(0, |bytes| bytes.len() as i64));
        return Ok(Flow::Continue);
    }
    if offset + value.len() as u64 > limit {
        return Err(TOO_BIG.into());
    }
    let offset = offset as usize;
    let end = offset + value.len();
    let len = match existing {
        Some(bytes) => {
            grow(bytes, end)?;
            bytes[offset..end].copy_from_slice(value);
            bytes.len()
        }
        None => {
            let mut bytes = Vec::new();
            grow(&mut bytes, end)?;
            bytes[offset..end].copy_from_slice(value);
            store.set(args[1].clone(), Value::Str(bytes), None, false);
            end
        }
    };
    reply.int(len as i64);
    ctx.notify(EventClass::String, "setrange", &args[1]);
    Ok(Flow::Continue)
}
