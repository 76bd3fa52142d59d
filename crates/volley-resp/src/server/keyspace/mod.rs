//! Keyspace commands: DEL/UNLINK, EXISTS, TOUCH, TYPE, KEYS, SCAN, RANDOMKEY, RENAME/RENAMENX,
//! COPY, MOVE and OBJECT, plus the expiry commands (see [`expire`]).

mod dump;
mod expire;
mod object;

use super::commands::command as cmd;
use super::commands::{
    is, parse_i64, Command, Flow, Outcome, NOT_INTEGER, READ_FAST, SYNTAX, WRITE_FAST,
};
use super::ctx::Ctx;
use super::glob::glob_match;
use super::notify::EventClass;
use super::scan::ScanArgs;
use std::borrow::Cow;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    cmd("del", -2, &["write"], (1, -1, 1), del),
    cmd("unlink", -2, WRITE_FAST, (1, -1, 1), del),
    cmd("exists", -2, READ_FAST, (1, -1, 1), exists),
    cmd("touch", -2, READ_FAST, (1, -1, 1), exists),
    cmd("type", 2, READ_FAST, (1, 1, 1), type_of),
    cmd("keys", 2, &["readonly"], (0, 0, 0), keys),
    cmd("scan", -2, &["readonly"], (0, 0, 0), scan),
    cmd("randomkey", 1, &["readonly"], (0, 0, 0), randomkey),
    cmd("rename", 3, &["write"], (1, 2, 1), rename),
    cmd("renamenx", 3, WRITE_FAST, (1, 2, 1), renamenx),
    cmd("copy", -3, &["write", "denyoom"], (1, 2, 1), copy),
    cmd("move", 3, WRITE_FAST, (1, 1, 1), move_key),
    cmd("object", -2, &["readonly"], (2, 2, 1), object::object),
    cmd("memory", -2, &["readonly"], (0, 0, 0), object::memory),
    cmd("dump", 2, &["readonly"], (1, 1, 1), dump::dump),
    cmd(
        "restore",
        -4,
        &["write", "denyoom"],
        (1, 1, 1),
        dump::restore,
    ),
    cmd("expire", -3, WRITE_FAST, (1, 1, 1), expire::expire),
    cmd("pexpire", -3, WRITE_FAST, (1, 1, 1), expire::pexpire),
    cmd("expireat", -3, WRITE_FAST, (1, 1, 1), expire::expireat),
    cmd("pexpireat", -3, WRITE_FAST, (1, 1, 1), expire::pexpireat),
    cmd("ttl", 2, READ_FAST, (1, 1, 1), expire::ttl),
    cmd("pttl", 2, READ_FAST, (1, 1, 1), expire::pttl),
    cmd("expiretime", 2, READ_FAST, (1, 1, 1), expire::expiretime),
    cmd("pexpiretime", 2, READ_FAST, (1, 1, 1), expire::pexpiretime),
    cmd("persist", 2, WRITE_FAST, (1, 1, 1), expire::persist),
];

/// `DEL key [key ...]` and `UNLINK key [key ...]`: answers how many existed.
pub fn del(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let mut removed = 0;
    for key in &args[1..] {
        if ctx.db().remove(key) {
            removed += 1;
            ctx.notify(EventClass::Generic, "del", key);
        }
    }
    ctx.reply.int(removed);
    Ok(Flow::Continue)
}

/// `EXISTS key [key ...]` and `TOUCH key [key ...]`: counts a key once per mention.
pub fn exists(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let found = args[1..].iter().filter(|key| store.contains(key)).count();
    reply.int(found as i64);
    Ok(Flow::Continue)
}

/// `TYPE key`: `none` when absent.
pub fn type_of(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    reply.simple(store.get(&args[1]).map_or("none", |v| v.type_name()));
    Ok(Flow::Continue)
}

/// `KEYS pattern`
pub fn keys(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let all = args[1].as_slice() == b"*";
    let found: Vec<&[u8]> = store
        .live_keys()
        .filter(|key| all || glob_match(&args[1], key, false))
        .collect();
    reply.array(found.len());
    found.iter().for_each(|key| reply.bulk(key));
    Ok(Flow::Continue)
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
pub fn scan(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let scan = ScanArgs::parse(args, 1, true)?;
    let (store, reply) = ctx.db_reply();
    let mut found: Vec<&[u8]> = Vec::new();
    let next = store.scan(scan.cursor, scan.count, |(key, value)| {
        let type_ok = scan
            .type_name
            .is_none_or(|t| t.eq_ignore_ascii_case(value.type_name().as_bytes()));
        if type_ok && scan.matches(key) {
            found.push(key);
        }
    });
    reply.array(2);
    reply.bulk(next.to_string().as_bytes());
    reply.array(found.len());
    found.iter().for_each(|key| reply.bulk(key));
    Ok(Flow::Continue)
}

/// `RANDOMKEY`: nil when the database is empty.
pub fn randomkey(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let key = store.random_key();
    reply.bulk_or_null(key.as_deref());
    Ok(Flow::Continue)
}

/// Moves `args[1]` to `args[2]` keeping its time to live; `only_new` refuses an existing
/// destination. Answers whether it moved.
fn rename_key(
    ctx: &mut Ctx<'_>,
    args: &[Vec<u8>],
    only_new: bool,
) -> Result<bool, Cow<'static, str>> {
    let store = ctx.db();
    if !store.contains(&args[1]) {
        return Err("ERR no such key".into());
    }
    if args[1] == args[2] {
        return Ok(!only_new);
    }
    if only_new && store.contains(&args[2]) {
        return Ok(false);
    }
    let Some((value, expires_at)) = store.take(&args[1]) else {
        return Err("ERR no such key".into());
    };
    store.set(args[2].clone(), value, expires_at, false);
    ctx.notify(EventClass::Generic, "rename_from", &args[1]);
    ctx.notify(EventClass::Generic, "rename_to", &args[2]);
    Ok(true)
}

/// `RENAME key newkey`
pub fn rename(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    rename_key(ctx, args, false)?;
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// `RENAMENX key newkey`: answers 1 if renamed, 0 if `newkey` exists.
pub fn renamenx(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let renamed = rename_key(ctx, args, true)?;
    ctx.reply.int(i64::from(renamed));
    Ok(Flow::Continue)
}

/// A database index argument: not an integer is `NOT_INTEGER`, out of range is Redis's error.
fn db_arg(ctx: &Ctx<'_>, arg: &[u8]) -> Result<usize, Cow<'static, str>> {
    let index = parse_i64(arg)
        .filter(|n| i32::try_from(*n).is_ok())
        .ok_or(Cow::Borrowed(NOT_INTEGER))?;
    usize::try_from(index)
        .ok()
        .filter(|i| *i < ctx.server.dbs.len())
        .ok_or(Cow::Borrowed("ERR DB index is out of range"))
}

const SAME_OBJECT: &str = "ERR source and destination objects are the same";

/// `COPY source destination [DB index] [REPLACE]`: answers 1 if copied.
pub fn copy(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let mut target = ctx.client.db;
    let mut replace = false;
    let mut at = 3;
    while at < args.len() {
        if is(&args[at], "replace") {
            replace = true;
        } else if is(&args[at], "db") && at + 1 < args.len() {
            target = db_arg(ctx, &args[at + 1])?;
            at += 1;
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    let source = ctx.client.db;
    if source == target && args[1] == args[2] {
        return Err(SAME_OBJECT.into());
    }
    let store = &mut ctx.server.dbs[source];
    let Some(value) = store.get(&args[1]).cloned() else {
        ctx.reply.int(0);
        return Ok(Flow::Continue);
    };
    let expires_at = store.deadline(&args[1]).flatten();
    let dest = &mut ctx.server.dbs[target];
    if dest.contains(&args[2]) {
        if !replace {
            ctx.reply.int(0);
            return Ok(Flow::Continue);
        }
        dest.remove(&args[2]);
    }
    dest.set(args[2].clone(), value, expires_at, false);
    ctx.notify_in(target, EventClass::Generic, "copy_to", &args[2]);
    ctx.reply.int(1);
    Ok(Flow::Continue)
}

/// `MOVE key db`: answers 1 if moved, 0 if absent here or present there.
pub fn move_key(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let target = db_arg(ctx, &args[2])?;
    let source = ctx.client.db;
    if source == target {
        return Err(SAME_OBJECT.into());
    }
    let moved = if !ctx.server.dbs[source].contains(&args[1])
        || ctx.server.dbs[target].contains(&args[1])
    {
        false
    } else if let Some((value, expires_at)) = ctx.server.dbs[source].take(&args[1]) {
        ctx.server.dbs[target].set(args[1].clone(), value, expires_at, false);
        ctx.notify_in(source, EventClass::Generic, "move_from", &args[1]);
        ctx.notify_in(target, EventClass::Generic, "move_to", &args[1]);
        true
    } else {
        false
    };
    ctx.reply.int(i64::from(moved));
    Ok(Flow::Continue)
}
