//! Stream commands: XADD.

use super::commands::{is, typed, wrong_arity, Command, Flow, Outcome, SYNTAX, WRONGTYPE};
use super::ctx::Ctx;
use super::store::{now_millis, Stream, StreamId, Value};
use std::borrow::Cow;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[Command {
    name: "xadd",
    arity: -5,
    flags: &["write", "denyoom", "fast"],
    keys: (1, 1, 1),
    run: xadd,
}];

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// What the id argument of XADD asks for.
enum IdSpec {
    /// `*`: the next id from the clock.
    Auto,
    /// `ms-*`: the next sequence within `ms`.
    AutoSeq(u64),
    /// `ms-seq` or `ms`.
    Exact(StreamId),
}

fn parse_id(arg: &[u8]) -> Result<IdSpec, Cow<'static, str>> {
    let text = std::str::from_utf8(arg).map_err(|_| Cow::Borrowed(INVALID_ID))?;
    if text == "*" {
        return Ok(IdSpec::Auto);
    }
    let number = |part: &str| part.parse::<u64>().map_err(|_| Cow::Borrowed(INVALID_ID));
    match text.split_once('-') {
        None => Ok(IdSpec::Exact(StreamId {
            ms: number(text)?,
            seq: 0,
        })),
        Some((ms, "*")) => Ok(IdSpec::AutoSeq(number(ms)?)),
        Some((ms, seq)) => Ok(IdSpec::Exact(StreamId {
            ms: number(ms)?,
            seq: number(seq)?,
        })),
    }
}

/// The id a new entry gets, or Redis's error when it would not be above the last one.
fn next_id(spec: IdSpec, last: StreamId) -> Result<StreamId, Cow<'static, str>> {
    let too_small = || {
        Cow::Borrowed(
            "ERR The ID specified in XADD is equal or smaller than the target stream top item",
        )
    };
    let exhausted = || {
        Cow::Borrowed("ERR The stream has exhausted the last possible ID, unable to add more items")
    };
    let id = match spec {
        IdSpec::Auto => {
            let ms = now_millis();
            if ms > last.ms {
                StreamId { ms, seq: 0 }
            } else {
                StreamId {
                    ms: last.ms,
                    seq: last.seq.checked_add(1).ok_or_else(exhausted)?,
                }
            }
        }
        IdSpec::AutoSeq(ms) if ms == last.ms => StreamId {
            ms,
            seq: last.seq.checked_add(1).ok_or_else(exhausted)?,
        },
        IdSpec::AutoSeq(ms) => StreamId { ms, seq: 0 },
        IdSpec::Exact(id) => id,
    };
    if id == StreamId::default() {
        return Err("ERR The ID specified in XADD must be greater than 0-0".into());
    }
    if id <= last {
        return Err(too_small());
    }
    Ok(id)
}

/// `XADD key [NOMKSTREAM] [MAXLEN [=|~] n] id field value [field value ...]`
pub fn xadd(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let mut at = 2;
    let mut make_stream = true;
    let mut max_len: Option<usize> = None;
    loop {
        let Some(option) = args.get(at) else {
            return Err(wrong_arity("xadd"));
        };
        if is(option, "nomkstream") {
            make_stream = false;
            at += 1;
        } else if is(option, "maxlen") {
            at += 1;
            if args.get(at).is_some_and(|a| a == b"=" || a == b"~") {
                at += 1;
            }
            let limit = args.get(at).ok_or(Cow::Borrowed(SYNTAX))?;
            let limit = super::commands::parse_i64(limit)
                .filter(|n| *n >= 0)
                .ok_or(Cow::Borrowed("ERR The MAXLEN argument must be >= 0."))?;
            max_len = Some(limit as usize);
            at += 1;
        } else {
            break;
        }
    }
    let fields = &args[at + 1..];
    if fields.is_empty() || !fields.len().is_multiple_of(2) {
        return Err(wrong_arity("xadd"));
    }
    let spec = parse_id(&args[at])?;
    let key = &args[1];
    if !make_stream && !store.contains(key) {
        reply.null();
        return Ok(Flow::Continue);
    }
    let last = typed(store, key, |v| match v {
        Value::Stream(stream) => Some(stream),
        _ => None,
    })?
    .map_or(StreamId::default(), |stream| stream.last_id());
    let id = next_id(spec, last)?;
    let Value::Stream(stream) = store.get_or_insert_with(key, || Value::Stream(Stream::default()))
    else {
        return Err(WRONGTYPE.into());
    };
    let pairs = fields
        .chunks_exact(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect();
    stream.append(id, pairs);
    if let Some(limit) = max_len {
        stream.trim(limit);
    }
    reply.bulk(id.to_string().as_bytes());
    Ok(Flow::Continue)
}
