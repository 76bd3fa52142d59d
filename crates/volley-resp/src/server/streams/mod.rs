//! Stream commands: appending and trimming ([`write`]), ranges and XREAD ([`read`]), and
//! XINFO with the HELP of XINFO and XGROUP ([`info`]). The value itself is [`Stream`].

mod groups;
mod id;
mod info;
mod read;
mod stream;
mod write;

#[allow(unused_imports)] // offered to the blocking commands
pub(crate) use read::{parse_xread, xread_reply, XRead};
pub use stream::{Stream, StreamId};

use super::commands::command;
use super::commands::{typed, Command, READ_FAST};
use super::store::{Store, Value};
use std::borrow::Cow;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    command(
        "xadd",
        -5,
        &["write", "denyoom", "fast"],
        (1, 1, 1),
        write::xadd,
    ),
    command("xtrim", -4, &["write"], (1, 1, 1), write::xtrim),
    command("xdel", -3, &["write", "fast"], (1, 1, 1), write::xdel),
    command(
        "xsetid",
        -3,
        &["write", "denyoom", "fast"],
        (1, 1, 1),
        write::xsetid,
    ),
    command("xlen", 2, READ_FAST, (1, 1, 1), read::xlen),
    command("xrange", -4, &["readonly"], (1, 1, 1), read::xrange),
    command("xrevrange", -4, &["readonly"], (1, 1, 1), read::xrevrange),
    command(
        "xread",
        -4,
        &["readonly", "blocking"],
        (0, 0, 0),
        read::xread,
    ),
    command("xinfo", -2, &["readonly"], (0, 0, 0), info::xinfo),
    command("xgroup", -2, &["write"], (0, 0, 0), groups::xgroup),
    command(
        "xreadgroup",
        -7,
        &["write", "blocking"],
        (0, 0, 0),
        groups::xreadgroup,
    ),
    command("xack", -4, &["write", "fast"], (1, 1, 1), groups::xack),
    command("xpending", -3, &["readonly"], (1, 1, 1), groups::xpending),
    command("xclaim", -6, &["write", "fast"], (1, 1, 1), groups::xclaim),
    command(
        "xautoclaim",
        -6,
        &["write", "fast"],
        (1, 1, 1),
        groups::xautoclaim,
    ),
];

/// The stream under `key`, `WRONGTYPE` for another type.
pub(crate) fn stream<'s>(
    store: &'s mut Store,
    key: &[u8],
) -> Result<Option<&'s mut Stream>, Cow<'static, str>> {
    typed(store, key, |value| match value {
        Value::Stream(stream) => Some(stream),
        _ => None,
    })
}
