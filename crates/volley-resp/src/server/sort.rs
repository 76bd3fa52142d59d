//! SORT and SORT_RO over lists, sets and sorted sets: numeric or `ALPHA` order, `ASC|DESC`,
//! `LIMIT`, `BY nosort`, `GET #`, and `STORE` into a list. External keys (`BY pattern`,
//! `GET pattern`) are refused.
//!
//! The elements are read through the families' own read commands (LRANGE, SMEMBERS, ZRANGE),
//! so this module does not depend on how they store them.

use super::commands::{
    is, lookup, parse_i64, Command, Flow, Outcome, NOT_INTEGER, SYNTAX, WRONGTYPE,
};
use super::ctx::Ctx;
use super::notify::EventClass;
use super::store::Value;
use crate::codec::Protocol;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::VecDeque;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "sort",
        arity: -2,
        flags: &["write", "denyoom"],
        keys: (1, 1, 1),
        run: sort,
    },
    Command {
        name: "sort_ro",
        arity: -2,
        flags: &["readonly"],
        keys: (1, 1, 1),
        run: sort_ro,
    },
];

/// What the options asked for.
#[derive(Debug, Default)]
struct Options {
    desc: bool,
    alpha: bool,
    nosort: bool,
    limit: Option<(i64, i64)>,
    gets: usize,
    store: Option<Vec<u8>>,
}

fn options(args: &[Vec<u8>], read_only: bool) -> Result<Options, Cow<'static, str>> {
    let mut options = Options::default();
    let mut at = 2;
    while at < args.len() {
        let word = &args[at];
        let next = args.get(at + 1);
        if is(word, "asc") {
            options.desc = false;
        } else if is(word, "desc") {
            options.desc = true;
        } else if is(word, "alpha") {
            options.alpha = true;
        } else if is(word, "limit") && at + 2 < args.len() {
            let offset = parse_i64(&args[at + 1]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            let count = parse_i64(&args[at + 2]).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            options.limit = Some((offset, count));
            at += 2;
        } else if is(word, "by") && next.is_some() {
            let pattern = &args[at + 1];
            if !pattern.contains(&b'*') {
                options.nosort = true;
            } else {
                return Err("ERR BY patterns are not supported by this server".into());
            }
            at += 1;
        } else if is(word, "get") && next.is_some() {
            if args[at + 1] != b"#" {
                return Err("ERR GET patterns are not supported by this server".into());
            }
            options.gets += 1;
            at += 1;
        } else if is(word, "store") && next.is_some() && !read_only {
            options.store = Some(args[at + 1].clone());
            at += 1;
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    Ok(options)
}

/// Reads the elements of `key` through a family's read command, as RESP2 bulk strings.
fn elements(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Vec<Vec<u8>>, Cow<'static, str>> {
    let db = ctx.client.db;
    let read: &[&[u8]] = match ctx.server.dbs[db].get(key) {
        None => return Ok(Vec::new()),
        Some(Value::List(_)) => &[b"lrange", b"", b"0", b"-1"],
        Some(Value::Set(_)) => &[b"smembers", b""],
        Some(Value::ZSet(_)) => &[b"zrange", b"", b"0", b"-1"],
        Some(_) => return Err(WRONGTYPE.into()),
    };
    let mut args: Vec<Vec<u8>> = read.iter().map(|w| w.to_vec()).collect();
    args[1] = key.to_vec();
    let command = lookup(&args[0]).ok_or(Cow::Borrowed(WRONGTYPE))?;
    let mut scratch = Vec::new();
    let protocol = std::mem::replace(&mut ctx.client.protocol, Protocol::Resp2);
    let outcome = {
        let mut inner = Ctx::new(&mut *ctx.server, &mut *ctx.client, &mut scratch);
        (command.run)(&mut inner, &mut args)
    };
    ctx.client.protocol = protocol;
    outcome?;
    Ok(parse_bulks(&scratch))
}

/// The bulk strings of a RESP2 array reply.
fn parse_bulks(reply: &[u8]) -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    let mut rest = reply;
    let line = |rest: &mut &[u8]| -> Option<Vec<u8>> {
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        let line = rest[..end].to_vec();
        *rest = &rest[end + 2..];
        Some(line)
    };
    let Some(header) = line(&mut rest) else {
        return items;
    };
    if header.first() != Some(&b'*') {
        return items;
    }
    while let Some(header) = line(&mut rest) {
        let Some(len) = header
            .strip_prefix(b"$")
            .and_then(|n| std::str::from_utf8(n).ok())
            .and_then(|n| n.parse::<usize>().ok())
        else {
            break;
        };
        if rest.len() < len + 2 {
            break;
        }
        items.push(rest[..len].to_vec());
        rest = &rest[len + 2..];
    }
    items
}

fn run(ctx: &mut Ctx<'_>, args: &[Vec<u8>], read_only: bool) -> Outcome {
    let options = options(args, read_only)?;
    let mut items = elements(ctx, &args[1])?;
    let db = ctx.client.db;
    let is_zset = matches!(ctx.server.dbs[db].get(&args[1]), Some(Value::ZSet(_)));
    if !options.nosort || options.desc && is_zset {
        if options.alpha {
            items.sort();
        } else {
            let mut keyed = Vec::with_capacity(items.len());
            for item in items {
                let score = std::str::from_utf8(&item)
                    .ok()
                    .and_then(|t| t.trim().parse::<f64>().ok())
                    .filter(|s| !s.is_nan())
                    .ok_or(Cow::Borrowed(
                        "ERR One or more scores can't be converted into double",
                    ))?;
                keyed.push((score, item));
            }
            keyed.sort_by(|a, b| {
                a.0.partial_cmp(&b.0)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| a.1.cmp(&b.1))
            });
            items = keyed.into_iter().map(|(_, item)| item).collect();
        }
        if options.desc {
            items.reverse();
        }
    }
    if let Some((offset, count)) = options.limit {
        let len = items.len() as i64;
        let start = offset.clamp(0, len) as usize;
        let take = if count < 0 {
            len as usize
        } else {
            count as usize
        };
        items = items.into_iter().skip(start).take(take).collect();
    }
    let copies = options.gets.max(1);
    match options.store {
        Some(dest) => {
            let stored = items.len() * copies;
            let store = &mut ctx.server.dbs[db];
            if items.is_empty() {
                if store.remove(&dest) {
                    ctx.notify(EventClass::Generic, "del", &dest);
                }
            } else {
                let list: VecDeque<Vec<u8>> = items
                    .into_iter()
                    .flat_map(|item| std::iter::repeat_n(item, copies))
                    .collect();
                store.set(dest.clone(), Value::List(list), None, false);
                ctx.notify(EventClass::List, "sortstore", &dest);
            }
            // The destination was written even when the result is empty.
            super::waits::touch(ctx.server, db, &dest);
            ctx.reply.int(stored as i64);
        }
        None => {
            ctx.reply.array(items.len() * copies);
            for item in &items {
                for _ in 0..copies {
                    ctx.reply.bulk(item);
                }
            }
        }
    }
    Ok(Flow::Continue)
}

/// `SORT key [BY nosort] [LIMIT offset count] [GET #] [ASC|DESC] [ALPHA] [STORE destination]`
pub fn sort(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    run(ctx, args, false)
}

/// `SORT_RO key [BY nosort] [LIMIT offset count] [GET #] [ASC|DESC] [ALPHA]`
pub fn sort_ro(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    run(ctx, args, true)
}

#[cfg(test)]
mod tests {
    use crate::server::Session;

    #[test]
    fn sorts_numbers_words_and_stores() {
        let mut s = Session::new();
        s.command(&["RPUSH", "l", "3", "1", "2"]);
        assert_eq!(
            s.command(&["SORT", "l"]),
            b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
        );
        assert_eq!(
            s.command(&["SORT", "l", "DESC", "LIMIT", "0", "2"]),
            b"*2\r\n$1\r\n3\r\n$1\r\n2\r\n"
        );
        s.command(&["RPUSH", "w", "b", "a"]);
        assert_eq!(
            s.command(&["SORT", "w"]),
            b"-ERR One or more scores can't be converted into double\r\n"
        );
        assert_eq!(
            s.command(&["SORT", "w", "ALPHA", "STORE", "out"]),
            b":2\r\n"
        );
        assert_eq!(
            s.command(&["LRANGE", "out", "0", "-1"]),
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
        );
        assert_eq!(s.command(&["SORT", "nothing", "STORE", "out"]), b":0\r\n");
        assert_eq!(s.command(&["EXISTS", "out"]), b":0\r\n");
        assert_eq!(
            s.command(&["SORT_RO", "l", "STORE", "x"]),
            b"-ERR syntax error\r\n"
        );
    }
}
