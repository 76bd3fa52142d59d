//! Server commands: PING, ECHO, QUIT, COMMAND, FUNCTION, TIME.

use super::commands::{all, is, lookup, wrong_arity, Command, Flow, Outcome, FAST, SYNTAX};
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
        flags: &["allow_busy", "fast", "no_auth"],
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
        name: "function",
        arity: -2,
        flags: &["noscript"],
        keys: (0, 0, 0),
        run: function,
    },
    Command {
        name: "time",
        arity: 1,
        flags: &["loading", "stale", "fast"],
        keys: (0, 0, 0),
        run: time,
    },
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

/// `COMMAND`, `COMMAND COUNT`, `COMMAND INFO [name...]`, `COMMAND DOCS [name...]`,
/// `COMMAND LIST`
pub fn command(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let reply = &mut ctx.reply;
    let Some(sub) = args.get(1) else {
        reply.array(all().count());
        all().for_each(|c| describe(c, reply));
        return Ok(Flow::Continue);
    };
    if is(sub, "count") && args.len() == 2 {
        reply.int(all().count() as i64);
    } else if is(sub, "list") && args.len() == 2 {
        reply.array(all().count());
        all().for_each(|c| reply.bulk(c.name.as_bytes()));
    } else if is(sub, "info") && args.len() == 2 {
        reply.array(all().count());
        all().for_each(|c| describe(c, reply));
    } else if is(sub, "info") {
        reply.array(args.len() - 2);
        for name in &args[2..] {
            match lookup(name) {
                Some(command) => describe(command, reply),
                None => reply.null_array(),
            }
        }
    } else if is(sub, "docs") {
        let named: Vec<&'static Command> = if args.len() == 2 {
            all().collect()
        } else {
            args[2..].iter().filter_map(|name| lookup(name)).collect()
        };
        reply.map(named.len());
        for command in named {
            reply.bulk(command.name.as_bytes());
            reply.map(1);
            reply.bulk(b"summary");
            reply.bulk(command.name.to_ascii_uppercase().as_bytes());
        }
    } else {
        let sub = String::from_utf8_lossy(sub);
        return Err(format!("ERR unknown subcommand '{sub}'. Try COMMAND HELP.").into());
    }
    Ok(Flow::Continue)
}

/// One command as `COMMAND INFO` describes it in Redis 7: name, arity, flags, first key, last
/// key, step, then ACL categories, tips, key specifications and subcommands (empty here).
fn describe(command: &Command, reply: &mut Reply) {
    reply.array(10);
    reply.bulk(command.name.as_bytes());
    reply.int(command.arity);
    reply.set(command.flags.len());
    command.flags.iter().for_each(|flag| reply.simple(flag));
    let (first, last, step) = command.keys;
    reply.int(first);
    reply.int(last);
    reply.int(step);
    reply.set(0);
    reply.set(0);
    reply.array(0);
    reply.array(0);
}

/// `FUNCTION FLUSH [ASYNC|SYNC]` (there are no functions: nothing to flush), `FUNCTION LIST`
/// (none).
pub fn function(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let sub = &args[1];
    if is(sub, "flush") {
        match args.get(2) {
            None => {}
            Some(mode) if args.len() == 3 && (is(mode, "async") || is(mode, "sync")) => {}
            Some(_) => return Err(SYNTAX.into()),
        }
        ctx.reply.ok();
    } else if is(sub, "list") {
        ctx.reply.array(0);
    } else {
        let sub = String::from_utf8_lossy(sub);
        return Err(format!("ERR unknown subcommand '{sub}'. Try FUNCTION HELP.").into());
    }
    Ok(Flow::Continue)
}

/// `TIME`: seconds and microseconds since the Unix epoch (by the server's clock), as two bulk
/// strings.
pub fn time(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    let now = ctx.server.unix_clock().since_epoch();
    ctx.reply.array(2);
    ctx.reply.bulk(now.as_secs().to_string().as_bytes());
    ctx.reply.bulk(now.subsec_micros().to_string().as_bytes());
    Ok(Flow::Continue)
}
