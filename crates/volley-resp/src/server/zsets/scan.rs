//! ZSCAN. A sorted set answers its whole content in one step (cursor 0 back), as Redis does
//! for its small sorted sets: the reply is bounded by the data, like `ZRANGE key 0 -1`, and
//! every member present during the scan is reported exactly once, whatever changes between
//! calls.

use super::zset;
use crate::codec::double_to_string;
use crate::server::commands::{is, parse_i64, Flow, Outcome, NOT_INTEGER, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::glob::glob_match;
use std::borrow::Cow;

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn zscan(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let cursor = std::str::from_utf8(&args[2])
        .ok()
        .and_then(|text| text.parse::<u64>().ok())
        .ok_or(Cow::Borrowed("ERR invalid cursor"))?;
    let mut pattern = None;
    let mut i = 3;
    while i < args.len() {
        let Some(value) = args.get(i + 1) else {
            return Err(SYNTAX.into());
        };
        if is(&args[i], "count") {
            let count = parse_i64(value).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            if count < 1 {
                return Err(SYNTAX.into());
            }
        } else if is(&args[i], "match") {
            pattern = (value.as_slice() != b"*").then_some(value.as_slice());
        } else {
            return Err(SYNTAX.into());
        }
        i += 2;
    }
    let (store, reply) = ctx.db_reply();
    let set = zset(store, &args[1])?;
    let found: Vec<(&[u8], f64)> = match set {
        Some(set) if cursor == 0 => set
            .iter()
            .filter(|(member, _)| pattern.is_none_or(|p| glob_match(p, member, false)))
            .collect(),
        _ => Vec::new(),
    };
    reply.array(2);
    reply.bulk(b"0");
    reply.array(found.len() * 2);
    for (member, score) in found {
        reply.bulk(member);
        reply.bulk(double_to_string(score).as_bytes());
    }
    Ok(Flow::Continue)
}
