//! Connection and server commands: PING, ECHO, QUIT, COMMAND, CONFIG.

use super::commands::{all, is, lookup, wrong_arity, Command, Flow, Outcome, FAST};
use super::ctx::Ctx;
use crate::codec::Reply;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "ping",
        arity: -1,
        flags: FAST,
        keys: (0, 0, 0),
        run: ping,
    },
    Command {
        name: "echo",
        arity: 2,
        flags: FAST,
        keys: (0, 0, 0),
        run: echo,
    },
    Command {
        name: "quit",
        arity: -1,
        flags: &["allow_busy", "fast"],
        keys: (0, 0, 0),
        run: quit,
    },
    Command {
        name: "command",
        arity: -1,
        flags: &["loading", "stale"],
        keys: (0, 0, 0),
        run: command,
    },
    Command {
        name: "config",
        arity: -2,
        flags: &["admin", "loading", "stale"],
        keys: (0, 0, 0),
        run: config,
    },
];

/// The configuration `CONFIG GET` reports: what redis-benchmark and clients ask at start-up.
const CONFIG: &[(&str, &str)] = &[
    ("save", ""),
    ("appendonly", "no"),
    ("databases", "1"),
    ("maxmemory", "0"),
    ("maxmemory-policy", "noeviction"),
    ("proto-max-bulk-len", "67108864"),
];

/// `PING [message]`
pub fn ping(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let reply = &mut ctx.reply;
    match args {
        [_] => reply.simple("PONG"),
        [_, message] => reply.bulk(message),
        _ => return Err(wrong_arity("ping")),
    }
    Ok(Flow::Continue)
}

/// `ECHO message`
pub fn echo(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let reply = &mut ctx.reply;
    reply.bulk(&args[1]);
    Ok(Flow::Continue)
}

/// `QUIT`: `+OK`, then the connection closes.
pub fn quit(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    let reply = &mut ctx.reply;
    reply.ok();
    Ok(Flow::Close)
}

/// `COMMAND`, `COMMAND COUNT`, `COMMAND INFO name...`, `COMMAND DOCS [name...]`
pub fn command(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let reply = &mut ctx.reply;
    let Some(sub) = args.get(1) else {
        reply.array(all().count());
        all().for_each(|c| describe(c, reply));
        return Ok(Flow::Continue);
    };
    if is(sub, "count") && args.len() == 2 {
        reply.int(all().count() as i64);
    } else if is(sub, "info") {
        reply.array(args.len() - 2);
        for name in &args[2..] {
            match lookup(name) {
                Some(command) => describe(command, reply),
                None => reply.null_array(),
            }
        }
    } else if is(sub, "docs") {
        reply.array(0);
    } else {
        let sub = String::from_utf8_lossy(sub);
        return Err(format!("ERR unknown subcommand '{sub}'. Try COMMAND HELP.").into());
    }
    Ok(Flow::Continue)
}

/// One command as `COMMAND` describes it (the first six fields of Redis's reply).
fn describe(command: &Command, reply: &mut Reply) {
    reply.array(6);
    reply.bulk(command.name.as_bytes());
    reply.int(command.arity);
    reply.array(command.flags.len());
    command.flags.iter().for_each(|flag| reply.simple(flag));
    let (first, last, step) = command.keys;
    reply.int(first);
    reply.int(last);
    reply.int(step);
}

/// `CONFIG GET pattern [pattern ...]`, `CONFIG RESETSTAT`.
pub fn config(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let reply = &mut ctx.reply;
    let sub = &args[1];
    if is(sub, "get") {
        if args.len() < 3 {
            return Err(wrong_arity("config|get"));
        }
        let matched: Vec<&(&str, &str)> = CONFIG
            .iter()
            .filter(|(name, _)| {
                args[2..]
                    .iter()
                    .any(|p| glob_match(&p.to_ascii_lowercase(), name.as_bytes()))
            })
            .collect();
        reply.array(matched.len() * 2);
        for (name, value) in matched {
            reply.bulk(name.as_bytes());
            reply.bulk(value.as_bytes());
        }
    } else if is(sub, "resetstat") && args.len() == 2 {
        reply.ok();
    } else {
        let sub = String::from_utf8_lossy(sub);
        return Err(format!("ERR unknown subcommand '{sub}'. Try CONFIG HELP.").into());
    }
    Ok(Flow::Continue)
}

/// Redis-style glob matching with `*` and `?` (what `CONFIG GET` patterns use), in time
/// proportional to the product of the lengths whatever the pattern.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((star, from)) = backtrack {
            p = star + 1;
            t = from + 1;
            backtrack = Some((star, from + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_like_redis() {
        assert!(glob_match(b"save", b"save"));
        assert!(glob_match(b"*", b"appendonly"));
        assert!(glob_match(b"max*", b"maxmemory-policy"));
        assert!(glob_match(b"sav?", b"save"));
        assert!(!glob_match(b"sav", b"save"));
    }
}
