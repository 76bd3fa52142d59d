//! Hash commands: HSET, HGET.

use super::commands::{typed, wrong_arity, Flow, Outcome, WRONGTYPE};
use super::store::{Store, Value};
use crate::codec::Reply;
use std::collections::HashMap;

/// `HSET key field value [field value ...]`: answers how many fields were added.
pub fn hset(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
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
pub fn hget(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    let hash = typed(store, &args[1], |v| match v {
        Value::Hash(hash) => Some(hash),
        _ => None,
    })?;
    reply.bulk_or_null(hash.and_then(|h| h.get(&args[2])).map(Vec::as_slice));
    Ok(Flow::Continue)
}
