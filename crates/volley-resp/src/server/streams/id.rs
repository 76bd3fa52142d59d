//! Stream ids as commands spell them: `ms-seq`, `ms`, `-`, `+`, `(ms-seq`, `*`, `ms-*`.

use super::stream::StreamId;
use std::borrow::Cow;

/// The reply to an id that does not parse.
pub const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

fn invalid() -> Cow<'static, str> {
    Cow::Borrowed(INVALID_ID)
}

fn number(text: &str) -> Result<u64, Cow<'static, str>> {
    text.parse::<u64>().map_err(|_| invalid())
}

/// `ms-seq` or `ms` (the sequence then `missing_seq`).
pub fn strict(arg: &[u8], missing_seq: u64) -> Result<StreamId, Cow<'static, str>> {
    let text = std::str::from_utf8(arg).map_err(|_| invalid())?;
    match text.split_once('-') {
        None => Ok(StreamId {
            ms: number(text)?,
            seq: missing_seq,
        }),
        Some((ms, seq)) => Ok(StreamId {
            ms: number(ms)?,
            seq: number(seq)?,
        }),
    }
}

/// One end of an XRANGE interval: `-`, `+`, an id, or `(id` (exclusive: the next id for a
/// start, the previous for an end).
pub fn interval(arg: &[u8], end: bool) -> Result<StreamId, Cow<'static, str>> {
    match arg {
        b"-" => return Ok(StreamId::MIN),
        b"+" => return Ok(StreamId::MAX),
        _ => {}
    }
    let missing_seq = if end { u64::MAX } else { 0 };
    match arg.strip_prefix(b"(") {
        Some(rest) if !rest.is_empty() => {
            let id = strict(rest, missing_seq)?;
            if end {
                id.prev()
                    .ok_or(Cow::Borrowed("ERR invalid end ID for the interval"))
            } else {
                id.next()
                    .ok_or(Cow::Borrowed("ERR invalid start ID for the interval"))
            }
        }
        _ => strict(arg, missing_seq),
    }
}

/// What XADD's id argument asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewId {
    /// `*`: from the clock.
    Auto,
    /// `ms-*`: the next sequence within `ms`.
    AutoSeq(u64),
    /// `ms-seq` or `ms`.
    Exact(StreamId),
}

/// Parses XADD's id argument.
pub fn new_id(arg: &[u8]) -> Result<NewId, Cow<'static, str>> {
    if arg == b"*" {
        return Ok(NewId::Auto);
    }
    if let Some(ms) = arg.strip_suffix(b"-*") {
        let text = std::str::from_utf8(ms).map_err(|_| invalid())?;
        return Ok(NewId::AutoSeq(number(text)?));
    }
    strict(arg, 0).map(NewId::Exact)
}
