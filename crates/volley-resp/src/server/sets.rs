//! Set commands: SADD, SPOP, SCARD.

use super::commands::{pop_count, typed, Flow, Outcome, SYNTAX, WRONGTYPE};
use super::store::{Store, Value};
use crate::codec::Reply;
use std::collections::HashSet;

/// `SADD key member [member ...]`
pub fn sadd(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    let Value::Set(set) = store.get_or_insert_with(&args[1], || Value::Set(HashSet::new())) else {
        return Err(WRONGTYPE.into());
    };
    let added = args[2..]
        .iter()
        .filter(|m| set.insert((*m).clone()))
        .count();
    reply.int(added as i64);
    Ok(Flow::Continue)
}

/// `SPOP key [count]`: removes random members.
pub fn spop(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    if args.len() > 3 {
        return Err(SYNTAX.into());
    }
    let count = pop_count(args, 2)?;
    let key = &args[1];
    let mut popped = Vec::new();
    let wanted = count.unwrap_or(1);
    while popped.len() < wanted {
        let pick = store.random();
        let Some(set) = typed(store, key, |v| match v {
            Value::Set(set) => Some(set),
            _ => None,
        })?
        else {
            break;
        };
        let Some(member) = set
            .iter()
            .nth((pick % set.len().max(1) as u64) as usize)
            .cloned()
        else {
            break;
        };
        set.remove(&member);
        popped.push(member);
        store.remove_if_empty(key);
    }
    match count {
        None => reply.bulk_or_null(popped.first().map(Vec::as_slice)),
        Some(_) => {
            reply.array(popped.len());
            popped.iter().for_each(|member| reply.bulk(member));
        }
    }
    Ok(Flow::Continue)
}

/// `SCARD key`
pub fn scard(store: &mut Store, args: &mut [Vec<u8>], reply: &mut Reply) -> Outcome {
    let len = typed(store, &args[1], |v| match v {
        Value::Set(set) => Some(set),
        _ => None,
    })?
    .map_or(0, |set| set.len());
    reply.int(len as i64);
    Ok(Flow::Continue)
}
