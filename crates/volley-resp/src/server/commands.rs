//! The command table: every family module registers its commands here, and [`execute`] looks
//! them up, checks their arity and runs them, with the error replies worded as Redis words them.
//!
//! A family lives in its own module and exports `pub const COMMANDS: &[Command]`; adding a
//! family is one line in [`FAMILIES`]. Handlers get one [`Ctx`] (server, client, reply writer)
//! and the request's arguments, which they may move out of.

use super::client::ReplyMode;
use super::ctx::Ctx;
use super::store::{Store, Value};
use super::{
    admin, client_command, config, dbs, hashes, hello, info, keyspace, lists, sets, sort, streams,
    strings, waits, zsets,
};
use crate::codec::Request;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

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

/// A command handler: the context and every argument (the name first).
pub type Handler = fn(&mut Ctx<'_>, &mut [Vec<u8>]) -> Outcome;

/// One entry of the command table, with what `COMMAND` reports about it. A family module
/// lists its entries in a `pub const COMMANDS: &[Command]` that [`FAMILIES`] names.
///
/// ```
/// use volley_resp::server::{Command, Ctx, Flow, Outcome};
///
/// /// `HI name`: greets.
/// fn hi(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
///     let mut text = b"hello ".to_vec();
///     text.extend_from_slice(&args[1]);
///     ctx.reply.bulk(&text);
///     Ok(Flow::Continue)
/// }
///
/// const COMMANDS: &[Command] = &[Command {
///     name: "hi",
///     arity: 2,
///     flags: &["fast"],
///     keys: (0, 0, 0),
///     run: hi,
/// }];
/// assert_eq!(COMMANDS[0].name, "hi");
/// ```
#[derive(Debug)]
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

/// A command table entry, for the families' `COMMANDS` tables.
pub(crate) const fn command(
    name: &'static str,
    arity: i64,
    flags: &'static [&'static str],
    keys: (i64, i64, i64),
    run: Handler,
) -> Command {
    Command {
        name,
        arity,
        flags,
        keys,
        run,
    }
}

/// Flags of a fast command that writes and may allocate.
pub const WRITE_FAST: &[&str] = &["write", "denyoom", "fast"];
/// Flags of a fast read-only command.
pub const READ_FAST: &[&str] = &["readonly", "fast"];
/// Flags of a fast command that touches no key.
pub const FAST: &[&str] = &["fast"];

/// Every family's commands, in `COMMAND` order.
pub const FAMILIES: &[&[Command]] = &[
    admin::COMMANDS,
    hello::COMMANDS,
    client_command::COMMANDS,
    config::COMMANDS,
    info::COMMANDS,
    dbs::COMMANDS,
    strings::COMMANDS,
    lists::COMMANDS,
    sets::COMMANDS,
    hashes::COMMANDS,
    zsets::COMMANDS,
    streams::COMMANDS,
    keyspace::COMMANDS,
    waits::pubsub::COMMANDS,
    waits::multi::COMMANDS,
    waits::blocking::COMMANDS,
    sort::COMMANDS,
];

/// Every command served, family by family.
///
/// ```
/// use volley_resp::server::all_commands;
/// assert!(all_commands().any(|command| command.name == "hello"));
/// ```
pub fn all() -> impl Iterator<Item = &'static Command> {
    FAMILIES.iter().flat_map(|family| family.iter())
}

/// Command names are at most this long (longer ones are unknown without a lookup).
const LONGEST_NAME: usize = 32;

/// A command and its position in [`all`] (where its counters are kept).
type Entry = (usize, &'static Command);

/// FNV-1a: command names are a few trusted bytes (the table is fixed; a client only picks
/// which entry to look up), so a hash cheaper than the default SipHash serves.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type Table = HashMap<&'static [u8], Entry, BuildHasherDefault<Fnv>>;

/// The table by lowercase name, built on first use.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table::default();
        for (index, command) in all().enumerate() {
            let clash = table.insert(command.name.as_bytes(), (index, command));
            assert!(clash.is_none(), "command {} registered twice", command.name);
        }
        table
    })
}

/// The entry for a command name, compared without case.
fn find(name: &[u8]) -> Option<Entry> {
    if name.len() > LONGEST_NAME {
        return None;
    }
    let mut lower = [0u8; LONGEST_NAME];
    let lower = &mut lower[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    table().get(&*lower).copied()
}

/// The table entry for a command name, compared without case.
///
/// ```
/// use volley_resp::server::lookup;
/// assert_eq!(lookup(b"GeT").map(|c| c.arity), Some(2));
/// assert!(lookup(b"nonsense").is_none());
/// ```
pub fn lookup(name: &[u8]) -> Option<&'static Command> {
    find(name).map(|(_, command)| command)
}

/// Runs one request, appending its reply to the context's reply writer. Handlers may move
/// arguments out.
///
/// ```
/// use volley_resp::codec::Request;
/// use volley_resp::server::{execute, Client, Ctx, Flow, ServerState};
///
/// let (mut server, mut client, mut out) = (ServerState::default(), Client::default(), Vec::new());
/// let mut ctx = Ctx::new(&mut server, &mut client, &mut out);
/// let ping = Request::new(vec![b"PING".to_vec()]);
/// assert_eq!(execute(&mut ctx, ping), Flow::Continue);
/// assert_eq!(out, b"+PONG\r\n");
/// ```
pub fn execute(ctx: &mut Ctx<'_>, request: Request) -> Flow {
    let mut args = request.into_args();
    let args = args.as_mut_slice();
    if args.is_empty() {
        return Flow::Continue;
    }
    // `CLIENT REPLY OFF|SKIP`: the reply is written, then taken back.
    let mode = ctx.client.reply_mode;
    if mode == ReplyMode::SkipNext {
        ctx.client.reply_mode = ReplyMode::On;
    }
    let mark = ctx.reply.buffered();
    // Deadlines set and checked by the command are measured at its start.
    let _command_time = ctx.server.unix_clock().freeze();
    let flow = run(ctx, args);
    let silenced = match mode {
        ReplyMode::On => false,
        ReplyMode::SkipNext => true,
        // Only `CLIENT REPLY ON` speaks again, with its own reply.
        ReplyMode::Off => ctx.client.reply_mode != ReplyMode::On,
    };
    if silenced {
        ctx.reply.truncate(mark);
    }
    flow
}

/// Looks the command up, checks its arity, runs it, and counts it.
fn run(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Flow {
    let Some((index, command)) = find(&args[0]) else {
        let message = unknown_command(args);
        ctx.server.stats.count_error(&message);
        ctx.reply.error(&message);
        return Flow::Continue;
    };
    let argc = args.len() as i64;
    if (command.arity > 0 && command.arity != argc) || argc < -command.arity {
        let message = wrong_arity(command.name);
        ctx.server.stats.count_error(&message);
        ctx.server.stats.command(index).rejected += 1;
        ctx.reply.error(&message);
        return Flow::Continue;
    }
    ctx.server.stats.commands_processed += 1;
    ctx.client.last_command = command.name;
    let outcome = (command.run)(ctx, args);
    // Keys the command found expired: counted, and their `expired` events queued.
    ctx.server.note_expired(ctx.client.db);
    let stat = ctx.server.stats.command(index);
    stat.calls += 1;
    match outcome {
        Ok(flow) => flow,
        Err(message) => {
            stat.failed += 1;
            ctx.server.stats.count_error(&message);
            ctx.reply.error(&message);
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

/// Parses the `numkeys key [key ...] WHERE [COUNT count]` tail of LMPOP and ZMPOP (and of
/// their blocking forms after the timeout) from `args[at]` on: the keys' span in `args`, the
/// end that `end` reads from the WHERE word, and the count (1 unless given).
pub(crate) fn parse_mpop<T>(
    args: &[Vec<u8>],
    at: usize,
    end: impl FnOnce(&[u8]) -> Result<T, Cow<'static, str>>,
) -> Result<(std::ops::Range<usize>, T, usize), Cow<'static, str>> {
    let numkeys = parse_i64(&args[at])
        .filter(|n| *n > 0)
        .ok_or(Cow::Borrowed("ERR numkeys should be greater than 0"))?;
    let where_at = (numkeys as u64).saturating_add(at as u64 + 1);
    if where_at >= args.len() as u64 {
        return Err(SYNTAX.into());
    }
    let where_at = where_at as usize;
    let end = end(&args[where_at])?;
    let mut count = None;
    let mut i = where_at + 1;
    while i < args.len() {
        if count.is_none() && is(&args[i], "count") && i + 1 < args.len() {
            let n = parse_i64(&args[i + 1])
                .filter(|n| *n > 0)
                .ok_or(Cow::Borrowed("ERR count should be greater than 0"))?;
            count = Some(n as usize);
            i += 2;
        } else {
            return Err(SYNTAX.into());
        }
    }
    Ok((at + 1..where_at, end, count.unwrap_or(1)))
}

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
