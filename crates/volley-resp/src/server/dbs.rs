//! Database commands: SELECT, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL.

use super::commands::{is, parse_i64, Command, Flow, Outcome, NOT_INTEGER, READ_FAST, SYNTAX};
use super::ctx::Ctx;
use std::borrow::Cow;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "select",
        arity: 2,
        flags: &["loading", "stale", "fast"],
        keys: (0, 0, 0),
        run: select,
    },
    Command {
        name: "swapdb",
        arity: 3,
        flags: &["write", "fast"],
        keys: (0, 0, 0),
        run: swapdb,
    },
    Command {
        name: "dbsize",
        arity: 1,
        flags: READ_FAST,
        keys: (0, 0, 0),
        run: dbsize,
    },
    Command {
        name: "flushdb",
        arity: -1,
        flags: &["write"],
        keys: (0, 0, 0),
        run: flushdb,
    },
    Command {
        name: "flushall",
        arity: -1,
        flags: &["write"],
        keys: (0, 0, 0),
        run: flushall,
    },
];

const OUT_OF_RANGE: &str = "ERR DB index is out of range";

/// A database index argument as Redis reads it (a C `int`), or `error` when it is not one;
/// `None` when it is an integer but names no database.
fn db_index(
    ctx: &Ctx<'_>,
    arg: &[u8],
    error: &'static str,
) -> Result<Option<usize>, Cow<'static, str>> {
    let index = parse_i64(arg)
        .filter(|n| i32::try_from(*n).is_ok())
        .ok_or(Cow::Borrowed(error))?;
    Ok(usize::try_from(index)
        .ok()
        .filter(|i| *i < ctx.server.dbs.len()))
}

/// `SELECT index`
pub fn select(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let index = db_index(ctx, &args[1], NOT_INTEGER)?.ok_or(Cow::Borrowed(OUT_OF_RANGE))?;
    ctx.client.db = index;
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// `SWAPDB index1 index2`
pub fn swapdb(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let first = db_index(ctx, &args[1], "ERR invalid first DB index")?;
    let second = db_index(ctx, &args[2], "ERR invalid second DB index")?;
    let (Some(first), Some(second)) = (first, second) else {
        return Err(OUT_OF_RANGE.into());
    };
    ctx.server.dbs.swap(first, second);
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// `DBSIZE`
pub fn dbsize(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    let (db, reply) = ctx.db_reply();
    reply.int(db.key_count() as i64);
    Ok(Flow::Continue)
}

/// Checks the optional `ASYNC|SYNC` of FLUSHDB and FLUSHALL (both flush at once here).
fn flush_mode(args: &[Vec<u8>]) -> Result<(), Cow<'static, str>> {
    match args {
        [_] => Ok(()),
        [_, mode] if is(mode, "async") || is(mode, "sync") => Ok(()),
        _ => Err(SYNTAX.into()),
    }
}

/// `FLUSHDB [ASYNC|SYNC]`: empties the selected database.
pub fn flushdb(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    flush_mode(args)?;
    ctx.db().clear();
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// `FLUSHALL [ASYNC|SYNC]`: empties every database.
pub fn flushall(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    flush_mode(args)?;
    ctx.server.dbs.iter_mut().for_each(|db| db.clear());
    ctx.reply.ok();
    Ok(Flow::Continue)
}
