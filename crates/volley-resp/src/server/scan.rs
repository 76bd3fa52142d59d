//! The cursor and options of SCAN, HSCAN and SSCAN: `cursor [MATCH pattern] [COUNT n]
//! [TYPE type]`, read as Redis reads them.

use super::commands::{is, parse_i64, SYNTAX};
use super::glob::glob_match;
use std::borrow::Cow;

/// What a scan step was asked for.
#[derive(Debug)]
pub(crate) struct ScanArgs<'a> {
    /// Where the previous step stopped (0 starts).
    pub cursor: u64,
    /// Only keys or members matching this glob.
    pub pattern: Option<&'a [u8]>,
    /// How many positions to visit (a hint, as in Redis).
    pub count: usize,
    /// Only keys of this type (`SCAN` only).
    pub type_name: Option<&'a [u8]>,
}

impl<'a> ScanArgs<'a> {
    /// Parses `args[at]` (the cursor) and the options after it; `TYPE` only when `with_type`.
    pub fn parse(
        args: &'a [Vec<u8>],
        at: usize,
        with_type: bool,
    ) -> Result<Self, Cow<'static, str>> {
        let cursor = std::str::from_utf8(&args[at])
            .ok()
            .and_then(|text| text.parse::<u64>().ok())
            .ok_or(Cow::Borrowed("ERR invalid cursor"))?;
        let mut scan = ScanArgs {
            cursor,
            pattern: None,
            count: 10,
            type_name: None,
        };
        let mut i = at + 1;
        while i < args.len() {
            let Some(value) = args.get(i + 1) else {
                return Err(SYNTAX.into());
            };
            let word = &args[i];
            if is(word, "count") {
                let count = parse_i64(value).ok_or(Cow::Borrowed(super::commands::NOT_INTEGER))?;
                if count < 1 {
                    return Err(SYNTAX.into());
                }
                scan.count = usize::try_from(count).unwrap_or(usize::MAX);
            } else if is(word, "match") {
                // `*` matches everything: skip the matching altogether.
                scan.pattern = (value.as_slice() != b"*").then_some(value.as_slice());
            } else if is(word, "type") && with_type {
                scan.type_name = Some(value);
            } else {
                return Err(SYNTAX.into());
            }
            i += 2;
        }
        Ok(scan)
    }

    /// Whether `name` passes the MATCH pattern.
    pub fn matches(&self, name: &[u8]) -> bool {
        self.pattern.is_none_or(|p| glob_match(p, name, false))
    }
}

/// Walks positions `len - 1` down to 0 from `cursor` (0 starts), `count` at most, calling
/// `visit` with each position; answers the next cursor (0 when done).
///
/// Containers remove by moving their last element into the hole: that element was already
/// visited by a downward walk, and new elements land past it, so an element present for the
/// whole scan is reported at least once, as `SCAN` promises.
pub(crate) fn walk(len: usize, cursor: u64, count: usize, mut visit: impl FnMut(usize)) -> u64 {
    let len = len as u64;
    let mut position = if cursor == 0 || cursor > len {
        len
    } else {
        cursor
    };
    let mut visited = 0;
    while position > 0 && visited < count {
        position -= 1;
        visited += 1;
        visit(position as usize);
    }
    position
}
