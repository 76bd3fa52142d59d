//! Connection negotiation: HELLO (protocol version, AUTH, SETNAME), AUTH and RESET, as Redis
//! 7.0 answers them with no password configured for the `default` user.

use super::client::ReplyMode;
use super::commands::{is, parse_i64, Command, Flow, Outcome, SYNTAX};
use super::ctx::Ctx;
use crate::codec::Protocol;
use std::borrow::Cow;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "hello",
        arity: -1,
        flags: &[
            "noscript",
            "loading",
            "stale",
            "fast",
            "no_auth",
            "allow_busy",
        ],
        keys: (0, 0, 0),
        run: hello,
    },
    Command {
        name: "auth",
        arity: -2,
        flags: &[
            "noscript",
            "loading",
            "stale",
            "fast",
            "no_auth",
            "allow_busy",
        ],
        keys: (0, 0, 0),
        run: auth,
    },
    Command {
        name: "reset",
        arity: 1,
        flags: &[
            "noscript",
            "loading",
            "stale",
            "fast",
            "no_auth",
            "allow_busy",
        ],
        keys: (0, 0, 0),
        run: reset,
    },
];

/// The version the server reports (`HELLO`, `INFO server`): the Redis release whose behaviour
/// it follows.
pub const REDIS_VERSION: &str = "7.0.15";

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// Whether `user` may log in with `password`: only `default` exists, and it has no password
/// (Redis's `nopass`), so any password is accepted for it.
fn authenticate(user: &[u8], _password: &[u8]) -> bool {
    user == b"default"
}

/// Checks a client name as Redis does: printable ASCII without spaces.
pub fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|b| (b'!'..=b'~').contains(b))
}

/// The error for a name [`valid_name`] refuses.
pub const BAD_NAME: &str =
    "ERR Client names cannot contain spaces, newlines or special characters.";

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
pub fn hello(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let mut protocol = None;
    if let Some(version) = args.get(1) {
        let version = parse_i64(version).ok_or(Cow::Borrowed(
            "ERR Protocol version is not an integer or out of range",
        ))?;
        protocol = Some(
            Protocol::from_version(version)
                .ok_or(Cow::Borrowed("NOPROTO unsupported protocol version"))?,
        );
    }
    let mut at = 2;
    while at < args.len() {
        let more = args.len() - 1 - at;
        if is(&args[at], "auth") && more >= 2 {
            if !authenticate(&args[at + 1], &args[at + 2]) {
                return Err(WRONGPASS.into());
            }
            at += 3;
        } else if is(&args[at], "setname") && more >= 1 {
            let name = &args[at + 1];
            if !valid_name(name) {
                return Err(BAD_NAME.into());
            }
            ctx.client.name = name.clone();
            at += 2;
        } else {
            let option = String::from_utf8_lossy(&args[at]);
            return Err(format!("ERR Syntax error in HELLO option '{option}'").into());
        }
    }
    if let Some(protocol) = protocol {
        ctx.set_protocol(protocol);
    }
    let (id, version) = (ctx.client.id, ctx.client.protocol.version());
    let reply = &mut ctx.reply;
    reply.map(7);
    reply.bulk(b"server");
    reply.bulk(b"redis");
    reply.bulk(b"version");
    reply.bulk(REDIS_VERSION.as_bytes());
    reply.bulk(b"proto");
    reply.int(version);
    reply.bulk(b"id");
    reply.int(id as i64);
    reply.bulk(b"mode");
    reply.bulk(b"standalone");
    reply.bulk(b"role");
    reply.bulk(b"master");
    reply.bulk(b"modules");
    reply.array(0);
    Ok(Flow::Continue)
}

/// `AUTH [username] password`
pub fn auth(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    match args {
        [_, _password] => Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?".into()),
        [_, user, password] => {
            if authenticate(user, password) {
                ctx.reply.ok();
                Ok(Flow::Continue)
            } else {
                Err(WRONGPASS.into())
            }
        }
        _ => Err(SYNTAX.into()),
    }
}

/// `RESET`: back to a fresh connection's state (database 0, RESP2, no name, replies on).
/// Features with their own per-client state (transactions, subscriptions) clear it here too.
pub fn reset(ctx: &mut Ctx<'_>, _args: &mut [Vec<u8>]) -> Outcome {
    ctx.client.db = 0;
    ctx.set_protocol(Protocol::Resp2);
    ctx.client.name.clear();
    ctx.client.reply_mode = ReplyMode::On;
    ctx.client.activity.no_evict = false;
    ctx.reply.simple("RESET");
    Ok(Flow::Continue)
}
