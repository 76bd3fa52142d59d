//! SET with its options and the commands that set or take a string with a time to live.

use super::string_of;
use crate::server::commands::{is, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::expiry::{Expiry, Unit};
use crate::server::notify::EventClass;
use crate::server::store::Value;
use std::borrow::Cow;

/// What SET's options ask for.
#[derive(Default)]
struct SetOptions {
    only_new: bool,
    only_existing: bool,
    get: bool,
    keep_ttl: bool,
    expires_at: Option<i64>,
}

/// Parses SET's options (from argument 3) as Redis does: NX/XX exclusive, one kind of expiry,
/// KEEPTTL without an expiry; a relative expiry counts from `now` (Unix milliseconds).
fn set_options(args: &[Vec<u8>], now: i64) -> Result<SetOptions, Cow<'static, str>> {
    let mut options = SetOptions::default();
    let mut expiry: Option<Expiry> = None;
    let mut amount: Option<&[u8]> = None;
    let mut at = 3;
    while at < args.len() {
        let word = &args[at];
        let next = args.get(at + 1);
        if is(word, "nx") && !options.only_existing {
            options.only_new = true;
        } else if is(word, "xx") && !options.only_new {
            options.only_existing = true;
        } else if is(word, "get") {
            options.get = true;
        } else if is(word, "keepttl") && expiry.is_none() {
            options.keep_ttl = true;
        } else if let (Some(kind), Some(next)) = (Expiry::parse(word), next) {
            if options.keep_ttl || expiry.is_some_and(|e| e != kind) {
                return Err(SYNTAX.into());
            }
            expiry = Some(kind);
            amount = Some(next);
            at += 1;
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    if let (Some(kind), Some(amount)) = (expiry, amount) {
        options.expires_at = Some(kind.deadline(amount, now, "set")?);
    }
    Ok(options)
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`
pub fn set(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let options = set_options(args, ctx.db().now_millis())?;
    let (store, reply) = ctx.db_reply();
    let old = if options.get {
        Some(string_of(store, &args[1])?.cloned())
    } else {
        None
    };
    if options.only_new || options.only_existing {
        let found = store.contains(&args[1]);
        if options.only_new && found || options.only_existing && !found {
            match old {
                Some(old) => reply.bulk_or_null(old.as_deref()),
                None => reply.null(),
            }
            return Ok(Flow::Continue);
        }
    }
    if options
        .expires_at
        .is_some_and(|at| at <= store.now_millis())
    {
        // A deadline already past (EXAT/PXAT) leaves no key, as in Redis.
        store.remove(&args[1]);
    } else {
        let value = Value::Str(std::mem::take(&mut args[2]));
        store.set(args[1].clone(), value, options.expires_at, options.keep_ttl);
    }
    match old {
        Some(old) => reply.bulk_or_null(old.as_deref()),
        None => reply.ok(),
    }
    ctx.notify(EventClass::String, "set", &args[1]);
    if options.expires_at.is_some() {
        ctx.notify(EventClass::Generic, "expire", &args[1]);
    }
    Ok(Flow::Continue)
}

/// `SETNX key value`: answers 1 if it set the key, 0 if the key existed.
pub fn setnx(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    if store.contains(&args[1]) {
        reply.int(0);
    } else {
        let value = Value::Str(std::mem::take(&mut args[2]));
        store.set(args[1].clone(), value, None, false);
        reply.int(1);
        ctx.notify(EventClass::String, "set", &args[1]);
    }
    Ok(Flow::Continue)
}

/// SETEX and PSETEX: the amount is positive and does not overflow.
fn set_with_expiry(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>], unit: Unit, name: &str) -> Outcome {
    let kind = Expiry {
        unit,
        absolute: false,
    };
    let at = kind.deadline(&args[2], ctx.db().now_millis(), name)?;
    let (store, reply) = ctx.db_reply();
    let value = Value::Str(std::mem::take(&mut args[3]));
    store.set(args[1].clone(), value, Some(at), false);
    reply.ok();
    ctx.notify(EventClass::String, "set", &args[1]);
    ctx.notify(EventClass::Generic, "expire", &args[1]);
    Ok(Flow::Continue)
}

/// `SETEX key seconds value`
pub fn setex(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    set_with_expiry(ctx, args, Unit::Seconds, "setex")
}

/// `PSETEX key milliseconds value`
pub fn psetex(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    set_with_expiry(ctx, args, Unit::Millis, "psetex")
}

/// `GETSET key value`: sets the value (dropping any time to live), answers the old one.
pub fn getset(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let old = string_of(store, &args[1])?.map(std::mem::take);
    let value = Value::Str(std::mem::take(&mut args[2]));
    store.set(args[1].clone(), value, None, false);
    reply.bulk_or_null(old.as_deref());
    ctx.notify(EventClass::String, "set", &args[1]);
    Ok(Flow::Continue)
}

/// What GETEX does to the time to live.
enum TtlChange {
    Keep,
    Persist,
    At(i64),
}

/// `GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]`
pub fn getex(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let now = ctx.db().now_millis();
    let mut change = TtlChange::Keep;
    let mut expiry: Option<Expiry> = None;
    let mut at = 2;
    while at < args.len() {
        let word = &args[at];
        let next = args.get(at + 1);
        if is(word, "persist") && expiry.is_none() {
            change = TtlChange::Persist;
        } else if let (Some(kind), Some(next)) = (Expiry::parse(word), next) {
            if matches!(change, TtlChange::Persist) || expiry.is_some_and(|e| e != kind) {
                return Err(SYNTAX.into());
            }
            expiry = Some(kind);
            change = TtlChange::At(kind.deadline(next, now, "getex")?);
            at += 1;
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    let (store, reply) = ctx.db_reply();
    let Some(bytes) = string_of(store, &args[1])? else {
        reply.null();
        return Ok(Flow::Continue);
    };
    reply.bulk(bytes);
    let event = match change {
        TtlChange::Keep => None,
        TtlChange::Persist => store.persist(&args[1]).then_some("persist"),
        TtlChange::At(at) => {
            store.expire_at(&args[1], at);
            // A deadline already past deletes the key.
            Some(if store.peek(&args[1]).is_none() {
                "del"
            } else {
                "expire"
            })
        }
    };
    if let Some(event) = event {
        ctx.notify(EventClass::Generic, event, &args[1]);
    }
    Ok(Flow::Continue)
}

/// `GETDEL key`: answers the value and deletes the key.
pub fn getdel(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let old = string_of(store, &args[1])?.map(std::mem::take);
    let deleted = old.is_some() && store.remove(&args[1]);
    reply.bulk_or_null(old.as_deref());
    if deleted {
        ctx.notify(EventClass::Generic, "del", &args[1]);
    }
    Ok(Flow::Continue)
}
