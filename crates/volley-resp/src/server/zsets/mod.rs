//! Sorted-set commands, in Redis 7.0's shapes for RESP2 and RESP3: adding and reading members
//! ([`add`]), ranges by rank, score or lex ([`range`]), unions, intersections and differences
//! ([`setops`]), pops and random members ([`pop`]). The value itself is [`SortedSet`].

mod add;
mod index;
mod parse;
mod pop;
mod range;
mod scan;
mod setops;

pub use index::SortedSet;
#[allow(unused_imports)] // offered to the blocking commands
pub(crate) use pop::{parse_mpop, pop_reply, PopEnd, PopShape};
pub(crate) use range::rank_span;

use super::commands::command;
use super::commands::{typed, Command, READ_FAST, WRITE_FAST};
use super::store::{Store, Value};
use crate::codec::Reply;
use std::borrow::Cow;

const WRITE: &[&str] = &["write"];
const WRITE_OOM: &[&str] = &["write", "denyoom"];
const READ: &[&str] = &["readonly"];
const WRITE_QUICK: &[&str] = &["write", "fast"];

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    command("zadd", -4, WRITE_FAST, (1, 1, 1), add::zadd),
    command("zincrby", 4, WRITE_FAST, (1, 1, 1), add::zincrby),
    command("zrem", -3, WRITE_QUICK, (1, 1, 1), add::zrem),
    command("zscore", 3, READ_FAST, (1, 1, 1), add::zscore),
    command("zmscore", -3, READ_FAST, (1, 1, 1), add::zmscore),
    command("zcard", 2, READ_FAST, (1, 1, 1), add::zcard),
    command("zrank", 3, READ_FAST, (1, 1, 1), add::zrank),
    command("zrevrank", 3, READ_FAST, (1, 1, 1), add::zrevrank),
    command("zrange", -4, READ, (1, 1, 1), range::zrange),
    command("zrangestore", -5, WRITE_OOM, (1, 2, 1), range::zrangestore),
    command("zrevrange", -4, READ, (1, 1, 1), range::zrevrange),
    command("zrangebyscore", -4, READ, (1, 1, 1), range::zrangebyscore),
    command(
        "zrevrangebyscore",
        -4,
        READ,
        (1, 1, 1),
        range::zrevrangebyscore,
    ),
    command("zrangebylex", -4, READ, (1, 1, 1), range::zrangebylex),
    command("zrevrangebylex", -4, READ, (1, 1, 1), range::zrevrangebylex),
    command("zcount", 4, READ_FAST, (1, 1, 1), range::zcount),
    command("zlexcount", 4, READ_FAST, (1, 1, 1), range::zlexcount),
    command(
        "zremrangebyrank",
        4,
        WRITE,
        (1, 1, 1),
        range::zremrangebyrank,
    ),
    command(
        "zremrangebyscore",
        4,
        WRITE,
        (1, 1, 1),
        range::zremrangebyscore,
    ),
    command("zremrangebylex", 4, WRITE, (1, 1, 1), range::zremrangebylex),
    command("zpopmin", -2, WRITE_QUICK, (1, 1, 1), pop::zpopmin),
    command("zpopmax", -2, WRITE_QUICK, (1, 1, 1), pop::zpopmax),
    command("zmpop", -4, WRITE, (0, 0, 0), pop::zmpop),
    command("zrandmember", -2, READ, (1, 1, 1), pop::zrandmember),
    command("zunion", -3, READ, (0, 0, 0), setops::zunion),
    command("zinter", -3, READ, (0, 0, 0), setops::zinter),
    command("zdiff", -3, READ, (0, 0, 0), setops::zdiff),
    command("zunionstore", -4, WRITE_OOM, (1, 1, 1), setops::zunionstore),
    command("zinterstore", -4, WRITE_OOM, (1, 1, 1), setops::zinterstore),
    command("zdiffstore", -4, WRITE_OOM, (1, 1, 1), setops::zdiffstore),
    command("zintercard", -3, READ, (0, 0, 0), setops::zintercard),
    command("zscan", -3, READ, (1, 1, 1), scan::zscan),
];

/// The sorted set under `key`, `WRONGTYPE` for another type.
pub(crate) fn zset<'s>(
    store: &'s mut Store,
    key: &[u8],
) -> Result<Option<&'s mut SortedSet>, Cow<'static, str>> {
    typed(store, key, |value| match value {
        Value::ZSet(zset) => Some(zset),
        _ => None,
    })
}

/// Members with or without their scores: flat pairs in RESP2, `[member, score]` arrays in
/// RESP3, as Redis 7.0 answers ZRANGE, ZUNION and ZRANDMEMBER.
fn reply_members<'m>(
    reply: &mut Reply<'_>,
    len: usize,
    members: impl Iterator<Item = (&'m [u8], f64)>,
    with_scores: bool,
) {
    let resp3 = reply.is_resp3();
    reply.array(if with_scores && !resp3 { len * 2 } else { len });
    for (member, score) in members {
        if with_scores && resp3 {
            reply.array(2);
        }
        reply.bulk(member);
        if with_scores {
            reply.double(score);
        }
    }
}
