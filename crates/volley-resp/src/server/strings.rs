//! String commands: SET, GET, INCR and friends, MSET, MGET.

use super::commands::{
    int_arg, is, typed, Command, Flow, Outcome, NOT_INTEGER, READ_FAST, SYNTAX, WRITE_FAST,
    WRONGTYPE,
};
use super::ctx::Ctx;
use super::store::{deadline_in, Store, Value};
use crate::codec::Reply;
use std::borrow::Cow;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "set",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        run: set,
    },
    Command {
        name: "get",
        arity: 2,
        flags: READ_FAST,
        keys: (1, 1, 1),
        run: get,
    },
    Command {
        name: "incr",
        arity: 2,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: incr,
    },
    Command {
        name: "decr",
        arity: 2,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: decr,
    },
    Command {
        name: "incrby",
        arity: 3,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: incrby,
    },
    Command {
        name: "decrby",
        arity: 3,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: decrby,
    },
    Command {
        name: "mset",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, -1, 2),
        run: mset,
    },
    Command {
        name: "mget",
        arity: -2,
        flags: READ_FAST,
        keys: (1, -1, 1),
        run: mget,
    },
];

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`
pub fn set(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let (mut only_new, mut only_existing, mut get, mut keep_ttl) = (false, false, false, false);
    let mut expires_at: Option<Instant> = None;
    let mut expiry_given = false;
    let mut at = 3;
    while at < args.len() {
        let option = &args[at];
        if is(option, "nx") && !only_existing {
            only_new = true;
        } else if is(option, "xx") && !only_new {
            only_existing = true;
        } else if is(option, "get") {
            get = true;
        } else if is(option, "keepttl") && !expiry_given {
            keep_ttl = true;
        } else if ["ex", "px", "exat", "pxat"].iter().any(|w| is(option, w))
            && !expiry_given
            && !keep_ttl
        {
            let amount = args.get(at + 1).ok_or(Cow::Borrowed(SYNTAX))?;
            expires_at = Some(expiry(option, int_arg(amount)?)?);
            expiry_given = true;
            at += 1;
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    let old = match store.get(&args[1]) {
        None => None,
        Some(Value::Str(bytes)) if get => Some(bytes.clone()),
        Some(Value::Str(_)) => Some(Vec::new()),
        Some(_) if get => return Err(WRONGTYPE.into()),
        Some(_) => Some(Vec::new()),
    };
    let allowed = !(only_new && old.is_some() || only_existing && old.is_none());
    if allowed {
        let value = std::mem::take(&mut args[2]);
        store.set(
            std::mem::take(&mut args[1]),
            Value::Str(value),
            expires_at,
            keep_ttl,
        );
    }
    if get {
        reply.bulk_or_null(old.as_deref());
    } else if allowed {
        reply.ok();
    } else {
        reply.null();
    }
    Ok(Flow::Continue)
}

/// The deadline an `EX`/`PX`/`EXAT`/`PXAT` option names.
fn expiry(option: &[u8], amount: i64) -> Result<Instant, Cow<'static, str>> {
    let invalid = || Cow::Borrowed("ERR invalid expire time in 'set' command");
    if amount <= 0 {
        return Err(invalid());
    }
    let amount = amount as u64;
    let span = if is(option, "ex") {
        Duration::from_secs(amount)
    } else if is(option, "px") {
        Duration::from_millis(amount)
    } else {
        let unit = if is(option, "exat") { 1000 } else { 1 };
        let target = Duration::from_millis(amount.checked_mul(unit).ok_or_else(invalid)?);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        target.saturating_sub(now)
    };
    deadline_in(span).ok_or_else(invalid)
}

/// `GET key`
pub fn get(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    match store.get(&args[1]) {
        None => reply.null(),
        Some(Value::Str(bytes)) => reply.bulk(bytes),
        Some(_) => return Err(WRONGTYPE.into()),
    }
    Ok(Flow::Continue)
}

/// Adds `delta` to the integer under `key` (0 when absent), keeping its time to live.
fn add(store: &mut Store, key: &[u8], delta: i64, reply: &mut Reply) -> Outcome {
    let current = match typed(store, key, |v| match v {
        Value::Str(bytes) => Some(bytes),
        _ => None,
    })? {
        None => 0,
        Some(bytes) => super::commands::parse_i64(bytes).ok_or(Cow::Borrowed(NOT_INTEGER))?,
    };
    let next = current
        .checked_add(delta)
        .ok_or(Cow::Borrowed("ERR increment or decrement would overflow"))?;
    let digits = next.to_string().into_bytes();
    match store.get_mut(key) {
        Some(Value::Str(bytes)) => *bytes = digits,
        _ => store.set(key.to_vec(), Value::Str(digits), None, false),
    }
    reply.int(next);
    Ok(Flow::Continue)
}

/// `INCR key`
pub fn incr(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    add(store, &args[1], 1, reply)
}

/// `DECR key`
pub fn decr(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    add(store, &args[1], -1, reply)
}

/// `INCRBY key delta`
pub fn incrby(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    add(store, &args[1], int_arg(&args[2])?, reply)
}

/// `DECRBY key delta`
pub fn decrby(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let delta = int_arg(&args[2])?;
    let negated = delta
        .checked_neg()
        .ok_or(Cow::Borrowed("ERR decrement would overflow"))?;
    add(store, &args[1], negated, reply)
}

/// `MSET key value [key value ...]`
pub fn mset(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    if args.len().is_multiple_of(2) {
        return Err(super::commands::wrong_arity("mset"));
    }
    for pair in args[1..].chunks_exact_mut(2) {
        let value = std::mem::take(&mut pair[1]);
        store.set(std::mem::take(&mut pair[0]), Value::Str(value), None, false);
    }
    reply.ok();
    Ok(Flow::Continue)
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
