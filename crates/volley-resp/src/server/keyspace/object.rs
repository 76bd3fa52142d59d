//! OBJECT ENCODING/REFCOUNT/IDLETIME/FREQ/HELP: what Redis reports about a value's
//! representation. Volley keeps one representation per type, so ENCODING names the one Redis
//! 7.0 would pick for a value of that size with the default thresholds.

use crate::server::commands::{is, parse_i64, Flow, Outcome};
use crate::server::ctx::Ctx;
use crate::server::store::Value;
use std::borrow::Cow;

/// The encoding Redis 7.0 would use for `value`.
fn encoding(value: &Value) -> &'static str {
    let small = |len: usize, longest: usize| len <= 128 && longest <= 64;
    match value {
        Value::Str(bytes) if bytes.len() <= 20 && parse_i64(bytes).is_some() => "int",
        Value::Str(bytes) if bytes.len() <= 44 => "embstr",
        Value::Str(_) => "raw",
        Value::List(_) => "quicklist",
        Value::Set(set) if set.len() <= 512 && set.iter().all(|m| parse_i64(m).is_some()) => {
            "intset"
        }
        Value::Set(_) => "hashtable",
        Value::Hash(hash)
            if small(
                hash.len(),
                hash.iter()
                    .map(|(f, v)| f.len().max(v.len()))
                    .max()
                    .unwrap_or(0),
            ) =>
        {
            "listpack"
        }
        Value::Hash(_) => "hashtable",
        Value::ZSet(_) => "skiplist",
        Value::Stream(_) => "stream",
    }
}

const HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// `OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key`, `OBJECT HELP`
pub fn object(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let sub = &args[1];
    if args.len() == 2 && is(sub, "help") {
        ctx.reply.array(HELP.len());
        HELP.iter().for_each(|line| ctx.reply.simple(line));
        return Ok(Flow::Continue);
    }
    let known = ["encoding", "refcount", "idletime", "freq"]
        .iter()
        .any(|w| is(sub, w));
    if args.len() != 3 || !known {
        let sub = String::from_utf8_lossy(sub);
        return Err(format!(
            "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try OBJECT HELP."
        )
        .into());
    }
    let lfu = ctx
        .server
        .settings
        .get("maxmemory-policy")
        .is_some_and(|p| p.contains("lfu"));
    let (store, reply) = ctx.db_reply();
    let Some(value) = store.get(&args[2]) else {
        reply.null();
        return Ok(Flow::Continue);
    };
    if is(sub, "encoding") {
        reply.bulk(encoding(value).as_bytes());
    } else if is(sub, "refcount") {
        reply.int(1);
    } else if is(sub, "idletime") {
        if lfu {
            return Err(Cow::Borrowed("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        }
        reply.int(0);
    } else {
        if !lfu {
            return Err(Cow::Borrowed("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        }
        reply.int(0);
    }
    Ok(Flow::Continue)
}

/// An estimate of the bytes `key` and `value` take: their lengths plus a per-allocation
/// overhead, the way `MEMORY USAGE` estimates them.
fn usage(key: &[u8], value: &Value) -> usize {
    const OVERHEAD: usize = 16;
    let items: usize = match value {
        Value::Str(bytes) => bytes.len(),
        Value::List(list) => list.iter().map(|m| m.len() + OVERHEAD).sum(),
        Value::Set(set) => set.iter().map(|m| m.len() + OVERHEAD).sum(),
        Value::Hash(hash) => hash
            .iter()
            .map(|(f, v)| f.len() + v.len() + 2 * OVERHEAD)
            .sum(),
        // Sorted sets and streams are counted by their headers only.
        Value::ZSet(_) | Value::Stream(_) => 4 * OVERHEAD,
    };
    key.len() + items + 3 * OVERHEAD
}

const MEMORY_HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
];

/// `MEMORY USAGE key [SAMPLES count]`, `MEMORY HELP`
pub fn memory(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let sub = &args[1];
    if args.len() == 2 && is(sub, "help") {
        ctx.reply.array(MEMORY_HELP.len());
        MEMORY_HELP.iter().for_each(|line| ctx.reply.simple(line));
        return Ok(Flow::Continue);
    }
    if !is(sub, "usage") || args.len() < 3 {
        let sub = String::from_utf8_lossy(sub);
        return Err(format!(
            "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try MEMORY HELP."
        )
        .into());
    }
    match &args[3..] {
        [] => {}
        [word, count] if is(word, "samples") => {
            parse_i64(count).ok_or(Cow::Borrowed(crate::server::commands::NOT_INTEGER))?;
        }
        _ => return Err(crate::server::commands::SYNTAX.into()),
    }
    let (store, reply) = ctx.db_reply();
    match store.get(&args[2]) {
        None => reply.null(),
        Some(value) => reply.int(usage(&args[2], value) as i64),
    }
    Ok(Flow::Continue)
}
