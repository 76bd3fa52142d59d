//! Keyspace commands: DEL, EXISTS, EXPIRE, TTL.

use super::commands::{int_arg, is, Command, Flow, Outcome, READ_FAST};
use super::ctx::Ctx;
use super::store::{deadline_in, seconds_left};
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "del",
        arity: -2,
        flags: &["write"],
        keys: (1, -1, 1),
        run: del,
    },
    Command {
        name: "exists",
        arity: -2,
        flags: READ_FAST,
        keys: (1, -1, 1),
        run: exists,
    },
    Command {
        name: "expire",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: expire,
    },
    Command {
        name: "ttl",
        arity: 2,
        flags: READ_FAST,
        keys: (1, 1, 1),
        run: ttl,
    },
];

/// `DEL key [key ...]`: answers how many existed.
pub fn del(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let removed = args[1..].iter().filter(|key| store.remove(key)).count();
    reply.int(removed as i64);
    Ok(Flow::Continue)
}

/// `EXISTS key [key ...]`: counts a key once per mention.
pub fn exists(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let found = args[1..].iter().filter(|key| store.contains(key)).count();
    reply.int(found as i64);
    Ok(Flow::Continue)
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`
pub fn expire(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let seconds = int_arg(&args[2])?;
    let condition = match args.get(3) {
        None => None,
        Some(option)
            if args.len() == 4 && ["nx", "xx", "gt", "lt"].iter().any(|w| is(option, w)) =>
        {
            Some(option.to_ascii_lowercase())
        }
        Some(option) => {
            let option = String::from_utf8_lossy(option);
            return Err(format!("ERR Unsupported option {option}").into());
        }
    };
    let invalid = || Cow::Borrowed("ERR invalid expire time in 'expire' command");
    let key = &args[1];
    let Some(current) = store.deadline(key) else {
        reply.int(0);
        return Ok(Flow::Continue);
    };
    let deadline = if seconds <= 0 {
        Instant::now()
    } else {
        deadline_in(Duration::from_secs(seconds as u64)).ok_or_else(invalid)?
    };
    let allowed = match condition.as_deref() {
        None => true,
        Some(b"nx") => current.is_none(),
        Some(b"xx") => current.is_some(),
        Some(b"gt") => current.is_some_and(|at| deadline > at),
        Some(_) => current.is_none_or(|at| deadline < at),
    };
    reply.int(i64::from(allowed && store.expire_at(key, deadline)));
    Ok(Flow::Continue)
}

/// `TTL key`: -2 when absent, -1 without a deadline, else seconds left.
pub fn ttl(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    reply.int(match store.deadline(&args[1]) {
        None => -2,
        Some(None) => -1,
        Some(Some(at)) => seconds_left(at),
    });
    Ok(Flow::Continue)
}
