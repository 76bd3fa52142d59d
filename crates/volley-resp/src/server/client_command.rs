//! `CLIENT` and its subcommands: ID, SETNAME, GETNAME, SETINFO, LIST, INFO, KILL, NO-EVICT,
//! REPLY, GETREDIR.

use super::client::{Client, ReplyMode};
use super::commands::{is, parse_i64, wrong_arity, Command, Flow, Outcome, SYNTAX};
use super::ctx::Ctx;
use super::hello::{valid_name, BAD_NAME};
use std::borrow::Cow;
use std::fmt::Write;
use std::time::Instant;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[Command {
    name: "client",
    arity: -2,
    flags: &["noscript", "loading", "stale"],
    keys: (0, 0, 0),
    run: client,
}];

/// Subcommands with their Redis arity (the `CLIENT` word and the subcommand count).
const SUBCOMMANDS: &[(&str, i64, &str)] = &[
    ("id", 2, "client|id"),
    ("setname", 3, "client|setname"),
    ("getname", 2, "client|getname"),
    ("setinfo", 4, "client|setinfo"),
    ("list", -2, "client|list"),
    ("info", 2, "client|info"),
    ("kill", -3, "client|kill"),
    ("no-evict", 3, "client|no-evict"),
    ("reply", 3, "client|reply"),
    ("getredir", 2, "client|getredir"),
];

/// `CLIENT subcommand [arguments]`
pub fn client(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let Some(&(sub, arity, full)) = SUBCOMMANDS.iter().find(|(name, ..)| is(&args[1], name)) else {
        let sub = String::from_utf8_lossy(&args[1]);
        return Err(format!("ERR unknown subcommand '{sub}'. Try CLIENT HELP.").into());
    };
    let argc = args.len() as i64;
    if (arity > 0 && argc != arity) || argc < -arity {
        return Err(wrong_arity(full));
    }
    ctx.client.last_command = full;
    match sub {
        "id" => ctx.reply.int(ctx.client.id as i64),
        "setname" => {
            if !valid_name(&args[2]) {
                return Err(BAD_NAME.into());
            }
            ctx.client.name = std::mem::take(&mut args[2]);
            ctx.reply.ok();
        }
        "getname" => {
            let name = (!ctx.client.name.is_empty()).then_some(ctx.client.name.as_slice());
            ctx.reply.bulk_or_null(name);
        }
        "setinfo" => setinfo(ctx, args)?,
        "list" => list(ctx, args)?,
        "info" => {
            let line = describe(ctx.client, ctx.server.now());
            ctx.reply.verbatim(line.as_bytes(), "txt");
        }
        "kill" => return kill(ctx, args),
        "no-evict" => {
            ctx.client.activity.no_evict = on_off(&args[2])?;
            ctx.reply.ok();
        }
        "reply" => {
            let mode = &args[2];
            if is(mode, "on") {
                ctx.client.reply_mode = ReplyMode::On;
                ctx.reply.ok();
            } else if is(mode, "off") {
                ctx.client.reply_mode = ReplyMode::Off;
            } else if is(mode, "skip") {
                if ctx.client.reply_mode != ReplyMode::Off {
                    ctx.client.reply_mode = ReplyMode::SkipNext;
                }
            } else {
                return Err(SYNTAX.into());
            }
        }
        _ => ctx.reply.int(-1), // getredir: no tracking redirection
    }
    Ok(Flow::Continue)
}

/// `ON` or `OFF`, as `CLIENT NO-EVICT` takes them.
fn on_off(arg: &[u8]) -> Result<bool, Cow<'static, str>> {
    if is(arg, "on") {
        Ok(true)
    } else if is(arg, "off") {
        Ok(false)
    } else {
        Err(SYNTAX.into())
    }
}

/// `CLIENT SETINFO LIB-NAME|LIB-VER value`
fn setinfo(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Result<(), Cow<'static, str>> {
    let value = std::mem::take(&mut args[3]);
    let attr = &args[2];
    let field = if is(attr, "lib-name") {
        "lib-name"
    } else if is(attr, "lib-ver") {
        "lib-ver"
    } else {
        let attr = String::from_utf8_lossy(attr);
        return Err(format!("ERR Unrecognized option '{attr}'").into());
    };
    if !valid_name(&value) {
        return Err(
            format!("ERR {field} cannot contain spaces, newlines or special characters.").into(),
        );
    }
    match field {
        "lib-name" => ctx.client.lib_name = value,
        _ => ctx.client.lib_ver = value,
    }
    ctx.reply.ok();
    Ok(())
}

/// Which clients `CLIENT LIST` shows.
enum Filter {
    All,
    Normal,
    PubSub,
    Nobody,
    Ids(Vec<u64>),
}

/// `CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]`
fn list(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) -> Result<(), Cow<'static, str>> {
    let filter = match args.get(2) {
        None => Filter::All,
        Some(word) if is(word, "type") && args.len() == 4 => {
            let kind = &args[3];
            if is(kind, "normal") {
                Filter::Normal
            } else if is(kind, "pubsub") {
                Filter::PubSub
            } else if ["master", "replica", "slave"].iter().any(|k| is(kind, k)) {
                Filter::Nobody
            } else {
                let kind = String::from_utf8_lossy(kind);
                return Err(format!("ERR Unknown client type '{kind}'").into());
            }
        }
        Some(word) if is(word, "id") && args.len() >= 4 => {
            let ids = args[3..]
                .iter()
                .map(|arg| parse_i64(arg).filter(|id| *id > 0).map(|id| id as u64))
                .collect::<Option<Vec<u64>>>()
                .ok_or(Cow::Borrowed("ERR Invalid client ID"))?;
            Filter::Ids(ids)
        }
        Some(_) => return Err(SYNTAX.into()),
    };
    let now = ctx.server.now();
    let mut text = String::new();
    let me = ctx.client.id;
    for (id, entry) in ctx.server.clients.iter() {
        let other;
        let client: &Client = if id == me {
            ctx.client
        } else {
            other = entry.borrow();
            &other
        };
        let subscribed = client.activity.channels + client.activity.patterns > 0;
        let shown = match &filter {
            Filter::All => true,
            Filter::Normal => !subscribed,
            Filter::PubSub => subscribed,
            Filter::Nobody => false,
            Filter::Ids(ids) => ids.contains(&id),
        };
        if shown {
            text.push_str(&describe(client, now));
        }
    }
    ctx.reply.verbatim(text.as_bytes(), "txt");
    Ok(())
}

/// One client as a `CLIENT LIST` line (ending with a newline).
pub fn describe(client: &Client, now: Instant) -> String {
    let seconds = |since: Instant| now.saturating_duration_since(since).as_secs();
    let activity = &client.activity;
    let mut line = String::with_capacity(320);
    let _ = writeln!(
        line,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} \
         ssub=0 multi={} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 \
         omem={} tot-mem=0 events=r cmd={} user=default redir=-1 resp={} lib-name={} lib-ver={}",
        client.id,
        client.addr,
        client.laddr,
        client.fd.unwrap_or(-1),
        String::from_utf8_lossy(&client.name),
        seconds(client.times.created),
        seconds(client.times.last_interaction),
        activity.flags(),
        client.db,
        activity.channels,
        activity.patterns,
        activity.multi.map_or(-1, |n| n as i64),
        activity.unsent,
        if client.last_command.is_empty() {
            "NULL"
        } else {
            client.last_command
        },
        client.protocol.version(),
        String::from_utf8_lossy(&client.lib_name),
        String::from_utf8_lossy(&client.lib_ver),
    );
    line
}

/// `CLIENT KILL addr` (answers OK or an error), or `CLIENT KILL [ID id] [TYPE type]
/// [ADDR addr] [LADDR addr] [USER user] [SKIPME yes|no]` (answers how many were killed).
fn kill(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let old_form = args.len() == 3;
    let (mut addr, mut laddr, mut id, mut kind) = (None, None, None, None);
    let mut skip_me = !old_form;
    if old_form {
        addr = Some(args[2].clone());
    } else {
        let mut at = 2;
        while at < args.len() {
            let (option, value) = match args.get(at + 1) {
                Some(value) => (&args[at], value),
                None => return Err(SYNTAX.into()),
            };
            if is(option, "id") {
                let wanted = parse_i64(value)
                    .filter(|id| *id >= 1)
                    .ok_or(Cow::Borrowed("ERR client-id should be greater than 0"))?;
                id = Some(wanted as u64);
            } else if is(option, "type") {
                if !["normal", "master", "replica", "slave", "pubsub"]
                    .iter()
                    .any(|k| is(value, k))
                {
                    let value = String::from_utf8_lossy(value);
                    return Err(format!("ERR Unknown client type '{value}'").into());
                }
                kind = Some(value.to_ascii_lowercase());
            } else if is(option, "addr") {
                addr = Some(value.clone());
            } else if is(option, "laddr") {
                laddr = Some(value.clone());
            } else if is(option, "user") {
                if value != b"default" {
                    let value = String::from_utf8_lossy(value);
                    return Err(format!("ERR No such user '{value}'").into());
                }
            } else if is(option, "skipme") {
                skip_me = if is(value, "yes") {
                    true
                } else if is(value, "no") {
                    false
                } else {
                    return Err(SYNTAX.into());
                };
            } else {
                return Err(SYNTAX.into());
            }
            at += 2;
        }
    }
    let me = ctx.client.id;
    let matches = |client: &Client| {
        let subscribed = client.activity.channels + client.activity.patterns > 0;
        addr.as_ref().is_none_or(|a| a == client.addr.as_bytes())
            && laddr.as_ref().is_none_or(|a| a == client.laddr.as_bytes())
            && id.is_none_or(|id| id == client.id)
            && kind.as_deref().is_none_or(|k| match k {
                b"normal" => !subscribed,
                b"pubsub" => subscribed,
                _ => false,
            })
    };
    let mut killed = 0;
    let mut close_me = false;
    let mut tasks = Vec::new();
    for (client_id, entry) in ctx.server.clients.iter() {
        if client_id == me {
            if !skip_me && matches(ctx.client) {
                close_me = true;
                killed += 1;
            }
            continue;
        }
        let mut other = entry.borrow_mut();
        if matches(&other) {
            other.killed = true;
            tasks.extend(other.task);
            killed += 1;
        }
    }
    ctx.server.kills.extend(tasks);
    if old_form {
        if killed == 0 {
            return Err("ERR No such client".into());
        }
        ctx.reply.ok();
    } else {
        ctx.reply.int(killed);
    }
    if close_me {
        ctx.client.killed = true;
        return Ok(Flow::Close);
    }
    Ok(Flow::Continue)
}
