//! The command table: lookup, arity checks and the error replies exactly as Redis words them.

use super::store::{Store, Value};
use super::{admin, hashes, keyspace, lists, sets, streams, strings, zsets};
use crate::codec::Reply;
use crate::codec::Request;
use std::borrow::Cow;

/// What the connection does after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep serving this connection.
    Continue,
    /// Flush the replies, then close (QUIT).
    Close,
}

/// A handler's outcome: go on or close, or an error reply (its text starts with the code).
pub type Outcome = Result<Flow, Cow<'static, str>>;

/// A command handler: the store, every argument (the name first), and where replies go.
pub type Handler = fn(&mut Store, &mut [Vec<u8>], &mut Reply) -> Outcome;

/// One entry of the command table, with what `COMMAND` reports about it.
pub struct Command {
    /// The lowercase name.
    pub name: &'static str,
    /// Redis arity: `n` exactly n arguments, `-n` at least n (the name counts).
    pub arity: i64,
    /// Redis command flags.
    pub flags: &'static [&'static str],
    /// First key argument, last key argument (-1: the last argument), and the step between.
    pub keys: (i64, i64, i64),
    /// The code that runs it.
    pub run: Handler,
}

const W: &[&str] = &["write", "denyoom", "fast"];
const R: &[&str] = &["readonly", "fast"];
const A: &[&str] = &["fast"];

/// Every command served, in `COMMAND` order.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "ping",
        arity: -1,
        flags: A,
        keys: (0, 0, 0),
        run: admin::ping,
    },
    Command {
        name: "echo",
        arity: 2,
        flags: A,
        keys: (0, 0, 0),
        run: admin::echo,
    },
    Command {
        name: "set",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        run: strings::set,
    },
    Command {
        name: "get",
        arity: 2,
        flags: R,
        keys: (1, 1, 1),
        run: strings::get,
    },
    Command {
        name: "incr",
        arity: 2,
        flags: W,
        keys: (1, 1, 1),
        run: strings::incr,
    },
    Command {
        name: "decr",
        arity: 2,
        flags: W,
        keys: (1, 1, 1),
        run: strings::decr,
    },
    Command {
        name: "incrby",
        arity: 3,
        flags: W,
        keys: (1, 1, 1),
        run: strings::incrby,
    },
    Command {
        name: "decrby",
        arity: 3,
        flags: W,
        keys: (1, 1, 1),
        run: strings::decrby,
    },
    Command {
        name: "mset",
        arity: -3,
        flags: &["write", "denyoom"],
        keys: (1, -1, 2),
        run: strings::mset,
    },
    Command {
        name: "mget",
        arity: -2,
        flags: R,
        keys: (1, -1, 1),
        run: strings::mget,
    },
    Command {
        name: "lpush",
        arity: -3,
        flags: W,
        keys: (1, 1, 1),
        run: lists::lpush,
    },
    Command {
        name: "rpush",
        arity: -3,
        flags: W,
        keys: (1, 1, 1),
        run: lists::rpush,
    },
    Command {
        name: "lpop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: lists::lpop,
    },
    Command {
        name: "rpop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: lists::rpop,
    },
    Command {
        name: "llen",
        arity: 2,
        flags: R,
        keys: (1, 1, 1),
        run: lists::llen,
    },
    Command {
        name: "lrange",
        arity: 4,
        flags: &["readonly"],
        keys: (1, 1, 1),
        run: lists::lrange,
    },
    Command {
        name: "sadd",
        arity: -3,
        flags: W,
        keys: (1, 1, 1),
        run: sets::sadd,
    },
    Command {
        name: "spop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: sets::spop,
    },
    Command {
        name: "scard",
        arity: 2,
        flags: R,
        keys: (1, 1, 1),
        run: sets::scard,
    },
    Command {
        name: "hset",
        arity: -4,
        flags: W,
        keys: (1, 1, 1),
        run: hashes::hset,
    },
    Command {
        name: "hget",
        arity: 3,
        flags: R,
        keys: (1, 1, 1),
        run: hashes::hget,
    },
    Command {
        name: "zadd",
        arity: -4,
        flags: W,
        keys: (1, 1, 1),
        run: zsets::zadd,
    },
    Command {
        name: "zpopmin",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: zsets::zpopmin,
    },
    Command {
        name: "xadd",
        arity: -5,
        flags: &["write", "denyoom", "fast"],
        keys: (1, 1, 1),
        run: streams::xadd,
    },
    Command {
        name: "del",
        arity: -2,
        flags: &["write"],
        keys: (1, -1, 1),
        run: keyspace::del,
    },
    Command {
        name: "exists",
        arity: -2,
        flags: R,
        keys: (1, -1, 1),
        run: keyspace::exists,
    },
    Command {
        name: "expire",
        arity: -3,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: keyspace::expire,
    },
    Command {
        name: "ttl",
        arity: 2,
        flags: R,
        keys: (1, 1, 1),
        run: keyspace::ttl,
    },
    Command {
        name: "dbsize",
        arity: 1,
        flags: R,
        keys: (0, 0, 0),
        run: keyspace::dbsize,
    },
    Command {
        name: "flushall",
        arity: -1,
        flags: &["write"],
        keys: (0, 0, 0),
        run: keyspace::flushall,
    },
    Command {
        name: "select",
        arity: 2,
        flags: &["loading", "stale", "fast"],
        keys: (0, 0, 0),
        run: keyspace::select,
    },
    Command {
        name: "quit",
        arity: -1,
        flags: &["allow_busy", "fast"],
        keys: (0, 0, 0),
        run: admin::quit,
    },
    Command {
        name: "command",
        arity: -1,
        flags: &["loading", "stale"],
        keys: (0, 0, 0),
        run: admin::command,
    },
    Command {
        name: "config",
        arity: -2,
        flags: &["admin", "loading", "stale"],
        keys: (0, 0, 0),
        run: admin::config,
    },
];

/// The table entry for a command name, compared without case.
pub fn lookup(name: &[u8]) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|command| command.name.as_bytes().eq_ignore_ascii_case(name))
}

/// Runs one request, appending its reply to `out`. Handlers may move arguments out.
pub fn execute(store: &mut Store, request: Request, out: &mut Vec<u8>) -> Flow {
    let mut args = request.into_args();
    let args = args.as_mut_slice();
    let mut reply = Reply::new(out);
    let Some(name) = args.first() else {
        return Flow::Continue;
    };
    let Some(command) = lookup(name) else {
        reply.error(&unknown_command(args));
        return Flow::Continue;
    };
    let argc = args.len() as i64;
    if (command.arity > 0 && command.arity != argc) || argc < -command.arity {
        reply.error(&wrong_arity(command.name));
        return Flow::Continue;
    }
    match (command.run)(store, args, &mut reply) {
        Ok(flow) => flow,
        Err(message) => {
            reply.error(&message);
            Flow::Continue
        }
    }
}

/// Redis's reply to a command it does not know.
fn unknown_command(args: &[Vec<u8>]) -> String {
    let mut listed = String::new();
    for arg in &args[1..] {
        if listed.len() >= 128 {
            break;
        }
        let room = 128 - listed.len();
        let text = String::from_utf8_lossy(arg);
        let shown: String = text.chars().take(room).collect();
        listed.push_str(&format!("'{shown}' "));
    }
    let name: String = String::from_utf8_lossy(&args[0])
        .chars()
        .take(128)
        .collect();
    format!("ERR unknown command '{name}', with args beginning with: {listed}")
}

/// Redis's reply to a wrong number of arguments.
pub fn wrong_arity(name: &str) -> Cow<'static, str> {
    format!("ERR wrong number of arguments for '{name}' command").into()
}

/// The reply to an operation on a key of another type.
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
/// The reply to an argument that should be an integer.
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
/// The reply to options that do not parse.
pub const SYNTAX: &str = "ERR syntax error";
/// The reply to a count that must be positive.
pub const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";

/// Parses an integer argument as Redis does (`string2ll`), or the integer error.
pub fn int_arg(arg: &[u8]) -> Result<i64, Cow<'static, str>> {
    parse_i64(arg).ok_or(Cow::Borrowed(NOT_INTEGER))
}

/// Parses a decimal `i64` strictly: optional `-`, digits, no leading zeros, no spaces.
pub fn parse_i64(arg: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(arg).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    if canonical {
        text.parse().ok()
    } else {
        None
    }
}

/// The optional count argument of a pop: `None` when absent, an error when not positive.
pub fn pop_count(args: &[Vec<u8>], at: usize) -> Result<Option<usize>, Cow<'static, str>> {
    match args.get(at) {
        None => Ok(None),
        Some(arg) => match parse_i64(arg) {
            Some(count) if count >= 0 => Ok(Some(count as usize)),
            _ => Err(Cow::Borrowed(NOT_POSITIVE)),
        },
    }
}

/// Whether `arg` spells `word`, ignoring case.
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// The value under `key` when it is of the type `pick` accepts; `WRONGTYPE` otherwise.
pub fn typed<'s, T>(
    store: &'s mut Store,
    key: &[u8],
    pick: impl FnOnce(&'s mut Value) -> Option<&'s mut T>,
) -> Result<Option<&'s mut T>, Cow<'static, str>> {
    match store.get_mut(key) {
        None => Ok(None),
        Some(value) => pick(value).map(Some).ok_or(Cow::Borrowed(WRONGTYPE)),
    }
}
