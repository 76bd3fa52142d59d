//! Keyspace commands: DEL, EXISTS, EXPIRE, TTL, DBSIZE, FLUSHALL, SELECT.

use super::commands::{int_arg, is, Flow, Outcome, SYNTAX};
use super::store::{deadline_in, seconds_left, Store};
use crate::codec::Reply;
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// `DEL key [key ...]`: answers how many existed.
pub fn del(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    let removed = args[1..].iter().filter(|key| store.remove(key)).count();
    reply.int(removed as i64);
    Ok(Flow::Continue)
}

/// `EXISTS key [key ...]`: counts a key once per mention.
pub fn exists(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    let found = args[1..].iter().filter(|key| store.contains(key)).count();
    reply.int(found as i64);
    Ok(Flow::Continue)
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`
pub fn expire(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
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
pub fn ttl(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    reply.int(match store.deadline(&args[1]) {
        None => -2,
        Some(None) => -1,
        Some(Some(at)) => seconds_left(at),
    });
    Ok(Flow::Continue)
}

/// `DBSIZE`
pub fn dbsize(store: &mut Store, _args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    reply.int(store.len() as i64);
    Ok(Flow::Continue)
}

/// `FLUSHALL [ASYNC|SYNC]`
pub fn flushall(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    match args.get(1) {
        Some(mode) if args.len() == 2 && (is(mode, "async") || is(mode, "sync")) => {}
        None => {}
        Some(_) => return Err(SYNTAX.into()),
    }
    store.clear();
    reply.ok();
    Ok(Flow::Continue)
}

/// `SELECT index`: one database, index 0.
pub fn select(_store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    match int_arg(&args[1])? {
        0 => {
            reply.ok();
            Ok(Flow::Continue)
        }
        _ => Err("ERR DB index is out of range".into()),
    }
}
