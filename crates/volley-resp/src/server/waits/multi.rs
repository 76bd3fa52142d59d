//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Inside `MULTI` every command but EXEC, DISCARD, MULTI, WATCH, QUIT and RESET is checked
//! (known, right number of arguments) and queued; a refused one makes `EXEC` answer
//! `EXECABORT`. `WATCH` makes `EXEC` fail (a null reply) once any client wrote a watched key:
//! a successful write command naming it, `FLUSHDB`/`FLUSHALL`/`SWAPDB` emptying or replacing it,
//! or its expiry.

use super::super::commands::{self, Command, Flow, Outcome};
use super::super::ctx::Ctx;
use super::super::state::ServerState;
use super::run_tracked;
use crate::codec::Request;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "multi",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow-busy"],
        keys: (0, 0, 0),
        run: multi,
    },
    Command {
        name: "exec",
        arity: 1,
        flags: &["noscript", "loading", "stale", "skip-slowlog"],
        keys: (0, 0, 0),
        run: exec,
    },
    Command {
        name: "discard",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow-busy"],
        keys: (0, 0, 0),
        run: discard,
    },
    Command {
        name: "watch",
        arity: -2,
        flags: &["noscript", "loading", "stale", "fast", "allow-busy"],
        keys: (1, -1, 1),
        run: watch,
    },
    Command {
        name: "unwatch",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow-busy"],
        keys: (0, 0, 0),
        run: unwatch,
    },
];

/// Bytes of queued commands one transaction may hold (arguments plus bookkeeping).
const MAX_QUEUED_BYTES: usize = 256 * 1024 * 1024;
/// Bookkeeping counted per queued argument.
const ARG_OVERHEAD: usize = 32;

/// Commands queued by clients inside `MULTI`, by client id.
#[derive(Debug, Default)]
pub(crate) struct Transactions {
    queued: HashMap<u64, Transaction>,
    /// Set while `EXEC` runs a transaction: blocking commands do not block, and blocked
    /// clients are served once it is over.
    pub(crate) in_exec: bool,
}

#[derive(Debug, Default)]
struct Transaction {
    commands: Vec<Request>,
    bytes: usize,
    /// A command was refused while queueing: `EXEC` answers `EXECABORT`.
    aborted: bool,
}

impl Transactions {
    /// Drops client `id`'s transaction, if any.
    pub(crate) fn discard(&mut self, id: u64) {
        self.queued.remove(&id);
    }
}

/// Keys watched by clients.
#[derive(Debug, Default)]
pub(crate) struct Watches {
    /// Watchers of each key of each database.
    by_key: HashMap<(usize, Vec<u8>), BTreeSet<u64>>,
    /// What each client watches, and whether the key existed when it started watching.
    by_client: HashMap<u64, Vec<Watched>>,
    /// Clients whose `EXEC` will fail.
    dirty: HashSet<u64>,
}

#[derive(Debug)]
struct Watched {
    db: usize,
    key: Vec<u8>,
    existed: bool,
}

impl Watches {
    /// Whether nobody watches anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_client.is_empty()
    }

    /// Key `key` of `db` was written: its watchers' transactions fail.
    pub(crate) fn touch(&mut self, db: usize, key: &[u8]) {
        if let Some(watchers) = self.by_key.get(&(db, key.to_vec())) {
            self.dirty.extend(watchers.iter().copied());
        }
    }

    /// Every watched key of `db`, with its watchers.
    fn keys_of(&self, db: usize) -> Vec<Vec<u8>> {
        self.by_key
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, key)| key.clone())
            .collect()
    }

    /// Stops every watch of client `id`, and forgets whether one was touched.
    pub(crate) fn unwatch_all(&mut self, id: u64) {
        for watched in self.by_client.remove(&id).unwrap_or_default() {
            let slot = (watched.db, watched.key);
            if let Some(watchers) = self.by_key.get_mut(&slot) {
                watchers.remove(&id);
                if watchers.is_empty() {
                    self.by_key.remove(&slot);
                }
            }
        }
        self.dirty.remove(&id);
    }
}

/// Whether a command runs at once inside `MULTI` instead of being queued.
pub(crate) fn runs_at_once(name: &str) -> bool {
    matches!(
        name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}

/// Queues a command of a client inside `MULTI` (or refuses it, which aborts the transaction).
pub(crate) fn queue(ctx: &mut Ctx<'_>, request: Request, command: Option<&Command>) -> Flow {
    let id = ctx.client.id;
    let arity_ok = command.is_some_and(|c| {
        let argc = request.len() as i64;
        (c.arity > 0 && c.arity == argc) || (c.arity < 0 && argc >= -c.arity)
    });
    if !arity_ok {
        // The command table words the error (unknown command, wrong number of arguments).
        commands::execute(ctx, request);
        if let Some(transaction) = ctx.server.waits.transactions.queued.get_mut(&id) {
            transaction.aborted = true;
        }
        return Flow::Continue;
    }
    if command.is_some_and(|c| super::out_of_memory(ctx.server, c)) {
        if let Some(transaction) = ctx.server.waits.transactions.queued.get_mut(&id) {
            transaction.aborted = true;
        }
        ctx.server.stats.count_error(super::OOM);
        ctx.reply.error(super::OOM);
        return Flow::Continue;
    }
    let size: usize = request.args().iter().map(|a| a.len() + ARG_OVERHEAD).sum();
    let transaction = ctx.server.waits.transactions.queued.entry(id).or_default();
    if transaction.bytes + size > MAX_QUEUED_BYTES {
        transaction.aborted = true;
        let message = "ERR the transaction holds too many queued commands";
        ctx.server.stats.count_error(message);
        ctx.reply.error(message);
        return Flow::Continue;
    }
    transaction.bytes += size;
    transaction.commands.push(request);
    ctx.client.activity.multi = Some(transaction.commands.len());
    ctx.reply.simple("QUEUED");
    Flow::Continue
}

/// Before `FLUSHDB`, `FLUSHALL` or `SWAPDB` runs: the watched keys it will empty or replace
/// are touched (a watched key that does not exist on either side is not).
pub(crate) fn before_flush(ctx: &mut Ctx<'_>, name: &str, args: &[Vec<u8>]) {
    if ctx.server.waits.watches.is_empty() {
        return;
    }
    let dbs: Vec<usize> = match name {
        "flushdb" => vec![ctx.client.db],
        "flushall" => (0..ctx.server.dbs.len()).collect(),
        "swapdb" => {
            let index = |arg: Option<&Vec<u8>>| {
                arg.and_then(|a| commands::parse_i64(a))
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| *n < ctx.server.dbs.len())
            };
            match (index(args.get(1)), index(args.get(2))) {
                (Some(a), Some(b)) => vec![a, b],
                _ => return,
            }
        }
        _ => return,
    };
    let server = &mut *ctx.server;
    for &db in &dbs {
        for key in server.waits.watches.keys_of(db) {
            let exists = dbs.iter().any(|&d| server.dbs[d].contains(&key));
            if exists {
                server.waits.watches.touch(db, &key);
            }
        }
    }
}

/// `MULTI`
pub fn multi(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    if ctx.client.activity.multi.is_some() {
        return Err("ERR MULTI calls can not be nested".into());
    }
    ctx.client.activity.multi = Some(0);
    ctx.server
        .waits
        .transactions
        .queued
        .insert(ctx.client.id, Transaction::default());
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// `DISCARD`
pub fn discard(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    if ctx.client.activity.multi.is_none() {
        return Err("ERR DISCARD without MULTI".into());
    }
    end_transaction(ctx);
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// Leaves `MULTI` and stops watching.
fn end_transaction(ctx: &mut Ctx<'_>) -> Option<Transaction> {
    let id = ctx.client.id;
    ctx.client.activity.multi = None;
    ctx.client.activity.dirty_cas = false;
    ctx.server.waits.watches.unwatch_all(id);
    ctx.server.waits.transactions.queued.remove(&id)
}

/// Whether a key client `id` watches was touched, or existed when watched and has expired
/// since.
fn watch_broken(server: &mut ServerState, id: u64) -> bool {
    if server.waits.watches.dirty.contains(&id) {
        return true;
    }
    let watched = server.waits.watches.by_client.get(&id);
    let existed: Vec<(usize, Vec<u8>)> = watched
        .map(|list| {
            list.iter()
                .filter(|w| w.existed)
                .map(|w| (w.db, w.key.clone()))
                .collect()
        })
        .unwrap_or_default();
    existed
        .into_iter()
        .any(|(db, key)| !server.dbs[db].contains(&key))
}

/// `EXEC`: runs the queued commands and answers their replies in an array; a null reply if a
/// watched key changed, `EXECABORT` if a command was refused while queueing.
pub fn exec(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    if ctx.client.activity.multi.is_none() {
        return Err("ERR EXEC without MULTI".into());
    }
    let broken = watch_broken(ctx.server, ctx.client.id);
    let transaction = end_transaction(ctx).unwrap_or_default();
    if transaction.aborted {
        return Err(Cow::Borrowed(
            "EXECABORT Transaction discarded because of previous errors.",
        ));
    }
    if broken {
        ctx.reply.null_array();
        return Ok(Flow::Continue);
    }
    let needs_memory = transaction.commands.iter().any(|request| {
        request
            .arg(0)
            .and_then(commands::lookup)
            .is_some_and(|c| super::out_of_memory(ctx.server, c))
    });
    if needs_memory {
        return Err(format!("EXECABORT Transaction discarded because of: {}", super::OOM).into());
    }
    ctx.reply.array(transaction.commands.len());
    let outer = std::mem::replace(&mut ctx.server.waits.transactions.in_exec, true);
    let mut flow = Flow::Continue;
    for request in transaction.commands {
        let command = request.arg(0).and_then(commands::lookup);
        if run_tracked(ctx, request, command) == Flow::Close {
            flow = Flow::Close;
        }
    }
    ctx.server.waits.transactions.in_exec = outer;
    Ok(flow)
}

/// `WATCH key [key ...]`
pub fn watch(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    if ctx.client.activity.multi.is_some() {
        return Err("ERR WATCH inside MULTI is not allowed".into());
    }
    let id = ctx.client.id;
    let db = ctx.client.db;
    for key in &args[1..] {
        let existed = ctx.server.dbs[db].contains(key);
        let watches = &mut ctx.server.waits.watches;
        let watchers = watches.by_key.entry((db, key.clone())).or_default();
        if watchers.insert(id) {
            watches.by_client.entry(id).or_default().push(Watched {
                db,
                key: key.clone(),
                existed,
            });
        }
    }
    ctx.reply.ok();
    Ok(Flow::Continue)
}

/// `UNWATCH`
pub fn unwatch(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    ctx.server.waits.watches.unwatch_all(ctx.client.id);
    ctx.client.activity.dirty_cas = false;
    ctx.reply.ok();
    Ok(Flow::Continue)
}
