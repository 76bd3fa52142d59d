//! XINFO STREAM and the HELP of XINFO and XGROUP.

use super::groups::{reply_consumers, reply_groups, reply_groups_full};
use super::read::{reply_entries, reply_entry};
use super::stream as lookup;
use crate::server::commands::{is, Flow, Outcome};
use crate::server::ctx::Ctx;
use std::borrow::Cow;

fn subcommand_arity(container: &str, sub: &[u8]) -> Cow<'static, str> {
    format!(
        "ERR wrong number of arguments for '{container}|{}' command",
        String::from_utf8_lossy(sub).to_lowercase()
    )
    .into()
}

fn unknown_subcommand(container: &str, sub: &[u8]) -> Cow<'static, str> {
    format!(
        "ERR unknown subcommand '{}'. Try {} HELP.",
        String::from_utf8_lossy(sub),
        container.to_uppercase()
    )
    .into()
}

fn help(ctx: &mut Ctx<'_>, lines: &[&str]) -> Outcome {
    ctx.reply.array(lines.len());
    for line in lines {
        ctx.reply.simple(line);
    }
    Ok(Flow::Continue)
}

/// `XINFO STREAM key [FULL [COUNT count]]` and `XINFO HELP`.
pub fn xinfo(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let sub = &args[1];
    if is(sub, "help") {
        if args.len() != 2 {
            return Err(subcommand_arity("xinfo", sub));
        }
        return help(
            ctx,
            &[
                "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream.",
                "HELP",
                "    Print this help.",
            ],
        );
    }
    if is(sub, "groups") || is(sub, "consumers") {
        let want = if is(sub, "groups") { 3 } else { 4 };
        if args.len() != want {
            return Err(subcommand_arity("xinfo", sub));
        }
        let (store, reply) = ctx.db_reply();
        let now = store.clock().millis_u64();
        let Some(stream) = lookup(store, &args[2])? else {
            return Err("ERR no such key".into());
        };
        if want == 3 {
            reply_groups(reply, stream);
        } else {
            let Some(group) = stream.groups.get(args[3].as_slice()) else {
                return Err(format!(
                    "NOGROUP No such consumer group '{}' for key name '{}'",
                    String::from_utf8_lossy(&args[3]),
                    String::from_utf8_lossy(&args[2])
                )
                .into());
            };
            reply_consumers(reply, group, now);
        }
        return Ok(Flow::Continue);
    }
    if !is(sub, "stream") {
        return Err(unknown_subcommand("xinfo", sub));
    }
    if args.len() < 3 {
        return Err(subcommand_arity("xinfo", sub));
    }
    let full = match args.len() {
        3 => false,
        4 if is(&args[3], "full") => true,
        6 if is(&args[3], "full") && is(&args[4], "count") => true,
        _ => return Err(crate::server::commands::SYNTAX.into()),
    };
    let (store, reply) = ctx.db_reply();
    let Some(stream) = lookup(store, &args[2])? else {
        return Err("ERR no such key".into());
    };
    let fields = if full { 9 } else { 10 };
    reply.map(fields);
    reply.bulk(b"length");
    reply.int(stream.len() as i64);
    reply.bulk(b"radix-tree-keys");
    reply.int(stream.node_count() as i64);
    reply.bulk(b"radix-tree-nodes");
    reply.int((stream.node_count() + 1) as i64);
    reply.bulk(b"last-generated-id");
    reply.bulk(stream.last_id().to_string().as_bytes());
    reply.bulk(b"max-deleted-entry-id");
    reply.bulk(stream.max_deleted().to_string().as_bytes());
    reply.bulk(b"entries-added");
    reply.int(stream.entries_added() as i64);
    reply.bulk(b"recorded-first-entry-id");
    reply.bulk(stream.first_id().to_string().as_bytes());
    if full {
        reply.bulk(b"entries");
        let count = full_count(args);
        let entries = stream.range(super::StreamId::MIN, super::StreamId::MAX, false, count);
        reply_entries(reply, &entries);
        reply.bulk(b"groups");
        reply_groups_full(reply, stream, count);
    } else {
        reply.bulk(b"groups");
        reply.int(stream.groups.len() as i64);
        for (name, entry) in [
            ("first-entry", stream.first()),
            ("last-entry", stream.last()),
        ] {
            reply.bulk(name.as_bytes());
            match entry {
                None => reply.null(),
                Some((id, fields)) => reply_entry(reply, *id, fields),
            }
        }
    }
    Ok(Flow::Continue)
}

/// FULL's COUNT (default 10, 0 for everything).
fn full_count(args: &[Vec<u8>]) -> usize {
    match args
        .get(5)
        .and_then(|a| crate::server::commands::parse_i64(a))
    {
        Some(0) => usize::MAX,
        Some(n) if n > 0 => n as usize,
        _ => 10,
    }
}
