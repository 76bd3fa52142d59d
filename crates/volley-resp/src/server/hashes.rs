//! Hash commands: HSET, HGET.

use super::commands::{
    typed, wrong_arity, Command, Flow, Outcome, READ_FAST, WRITE_FAST, WRONGTYPE,
};
use super::ctx::Ctx;
use super::store::Value;
use std::collections::HashMap;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "hset",
        arity: -4,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: hset,
    },
    Command {
        name: "hget",
        arity: 3,
        flags: READ_FAST,
        keys: (1, 1, 1),
        run: hget,
    },
];

/// `HSET key field value [field value ...]`: answers how many fields were added.
pub fn hset(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    if !args.len().is_multiple_of(2) {
        return Err(wrong_arity("hset"));
    }
    let Value::Hash(hash) = store.get_or_insert_with(&args[1], || Value::Hash(HashMap::new()))
    else {
        return Err(WRONGTYPE.into());
    };
    let added = args[2..]
        .chunks_exact(2)
        .filter(|pair| hash.insert(pair[0].clone(), pair[1].clone()).is_none())
        .count();
    reply.int(added as i64);
    Ok(Flow::Continue)
}

/// `HGET key field`
pub fn hget(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let hash = typed(store, &args[1], |v| match v {
        Value::Hash(hash) => Some(hash),
        _ => None,
    })?;
    reply.bulk_or_null(hash.and_then(|h| h.get(&args[2])).map(Vec::as_slice));
    Ok(Flow::Continue)
}
