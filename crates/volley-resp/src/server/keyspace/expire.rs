//! EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT; TTL, PTTL, EXPIRETIME, PEXPIRETIME;
//! PERSIST. Deadlines are Unix milliseconds; each key has at most one in the expiry index.

use crate::server::commands::{int_arg, is, Flow, Outcome};
use crate::server::ctx::Ctx;
use crate::server::expiry::{deadline_after, Unit};
use crate::server::EventClass;
use std::borrow::Cow;

/// The conditions NX/XX/GT/LT, checked for conflicts as Redis checks them.
#[derive(Default)]
struct Conditions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn conditions(args: &[Vec<u8>]) -> Result<Conditions, Cow<'static, str>> {
    let mut c = Conditions::default();
    for option in &args[3..] {
        if is(option, "nx") {
            c.nx = true;
        } else if is(option, "xx") {
            c.xx = true;
        } else if is(option, "gt") {
            c.gt = true;
        } else if is(option, "lt") {
            c.lt = true;
        } else {
            let option = String::from_utf8_lossy(option);
            return Err(format!("ERR Unsupported option {option}").into());
        }
    }
    if c.nx && (c.xx || c.gt || c.lt) {
        return Err("ERR NX and XX, GT or LT options at the same time are not compatible".into());
    }
    if c.gt && c.lt {
        return Err("ERR GT and LT options at the same time are not compatible".into());
    }
    Ok(c)
}

/// The four EXPIRE commands: `amount` in `unit`, relative to now unless `absolute`.
fn expire_generic(
    ctx: &mut Ctx<'_>,
    args: &[Vec<u8>],
    unit: Unit,
    absolute: bool,
    name: &str,
) -> Outcome {
    let c = conditions(args)?;
    let amount = int_arg(&args[2])?;
    let base = if absolute { 0 } else { ctx.db().now_millis() };
    let at = deadline_after(amount, unit, base, name)?;
    let (store, reply) = ctx.db_reply();
    let Some(current) = store.deadline(&args[1]) else {
        reply.int(0);
        return Ok(Flow::Continue);
    };
    let refused = (c.nx && current.is_some())
        || (c.xx && current.is_none())
        || (c.gt && current.is_none_or(|now| at <= now))
        || (c.lt && current.is_some_and(|now| at >= now));
    // A deadline already past deletes the key.
    let gone = !refused && {
        store.expire_at(&args[1], at);
        store.peek(&args[1]).is_none()
    };
    reply.int(i64::from(!refused));
    if !refused {
        ctx.notify(
            EventClass::Generic,
            if gone { "del" } else { "expire" },
            &args[1],
        );
    }
    Ok(Flow::Continue)
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`
pub fn expire(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    expire_generic(ctx, args, Unit::Seconds, false, "expire")
}

/// `PEXPIRE key milliseconds [NX|XX|GT|LT]`
pub fn pexpire(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    expire_generic(ctx, args, Unit::Millis, false, "pexpire")
}

/// `EXPIREAT key unix-seconds [NX|XX|GT|LT]`
pub fn expireat(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    expire_generic(ctx, args, Unit::Seconds, true, "expireat")
}

/// `PEXPIREAT key unix-milliseconds [NX|XX|GT|LT]`
pub fn pexpireat(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    expire_generic(ctx, args, Unit::Millis, true, "pexpireat")
}

/// What the TTL family reports: -2 absent, -1 no deadline, else `show` of the deadline and
/// the store's Unix time (milliseconds both).
fn report(ctx: &mut Ctx<'_>, key: &[u8], show: impl FnOnce(i64, i64) -> i64) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let now = store.now_millis();
    reply.int(match store.deadline(key) {
        None => -2,
        Some(None) => -1,
        Some(Some(at)) => show(at, now),
    });
    Ok(Flow::Continue)
}

/// `TTL key`: seconds left, rounded as Redis rounds them.
pub fn ttl(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    report(ctx, &args[1], |at, now| ((at - now).max(0) + 500) / 1000)
}

/// `PTTL key`: milliseconds left.
pub fn pttl(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    report(ctx, &args[1], |at, now| (at - now).max(0))
}

/// `EXPIRETIME key`: the deadline in Unix seconds.
pub fn expiretime(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    report(ctx, &args[1], |at, _| (at + 500) / 1000)
}

/// `PEXPIRETIME key`: the deadline in Unix milliseconds.
pub fn pexpiretime(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    report(ctx, &args[1], |at, _| at)
}

/// `PERSIST key`: answers 1 if a deadline was removed.
pub fn persist(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let removed = store.persist(&args[1]);
    reply.int(i64::from(removed));
    if removed {
        ctx.notify(EventClass::Generic, "persist", &args[1]);
    }
    Ok(Flow::Continue)
}
