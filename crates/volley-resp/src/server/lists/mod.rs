//! List commands with Redis 7.0's semantics: pushing and popping at either end, moving between
//! lists ([`ends`]), reading ([`read`]) and editing in place ([`edit`]). A list is a
//! `VecDeque`: O(1) at both ends and by index.

mod edit;
mod ends;
mod read;

#[allow(unused_imports)] // offered to the blocking commands
pub(crate) use ends::{move_element, parse_mpop, pop_elements, End};

use super::commands::command;
use super::commands::{typed, Command, READ_FAST, WRITE_FAST};
use super::store::{Store, Value};
use std::borrow::Cow;
use std::collections::VecDeque;

/// A list value.
pub type List = VecDeque<Vec<u8>>;

const WRITE: &[&str] = &["write"];
const WRITE_QUICK: &[&str] = &["write", "fast"];
const WRITE_OOM: &[&str] = &["write", "denyoom"];
const READ: &[&str] = &["readonly"];

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    command("lpush", -3, WRITE_FAST, (1, 1, 1), ends::lpush),
    command("rpush", -3, WRITE_FAST, (1, 1, 1), ends::rpush),
    command("lpushx", -3, WRITE_FAST, (1, 1, 1), ends::lpushx),
    command("rpushx", -3, WRITE_FAST, (1, 1, 1), ends::rpushx),
    command("lpop", -2, WRITE_QUICK, (1, 1, 1), ends::lpop),
    command("rpop", -2, WRITE_QUICK, (1, 1, 1), ends::rpop),
    command("lmpop", -4, WRITE, (0, 0, 0), ends::lmpop),
    command("lmove", 5, WRITE_OOM, (1, 2, 1), ends::lmove),
    command("rpoplpush", 3, WRITE_OOM, (1, 2, 1), ends::rpoplpush),
    command("llen", 2, READ_FAST, (1, 1, 1), read::llen),
    command("lrange", 4, READ, (1, 1, 1), read::lrange),
    command("lindex", 3, READ, (1, 1, 1), read::lindex),
    command("lpos", -3, READ, (1, 1, 1), read::lpos),
    command("lset", 4, WRITE_OOM, (1, 1, 1), edit::lset),
    command("linsert", 5, WRITE_OOM, (1, 1, 1), edit::linsert),
    command("lrem", 4, WRITE, (1, 1, 1), edit::lrem),
    command("ltrim", 4, WRITE, (1, 1, 1), edit::ltrim),
];

/// The list under `key`, `WRONGTYPE` for another type.
pub(crate) fn list<'s>(
    store: &'s mut Store,
    key: &[u8],
) -> Result<Option<&'s mut List>, Cow<'static, str>> {
    typed(store, key, |value| match value {
        Value::List(list) => Some(list),
        _ => None,
    })
}

/// A list index (negative from the tail) as a position, if within `len`.
fn position(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let at = if index < 0 { len + index } else { index };
    (0..len).contains(&at).then_some(at as usize)
}
