//! Set commands: SADD, SPOP, SCARD.

use super::commands::{
    pop_count, typed, Command, Flow, Outcome, READ_FAST, SYNTAX, WRITE_FAST, WRONGTYPE,
};
use super::ctx::Ctx;
use super::store::Value;
use std::collections::HashSet;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "sadd",
        arity: -3,
        flags: WRITE_FAST,
        keys: (1, 1, 1),
        run: sadd,
    },
    Command {
        name: "spop",
        arity: -2,
        flags: &["write", "fast"],
        keys: (1, 1, 1),
        run: spop,
    },
    Command {
        name: "scard",
        arity: 2,
        flags: READ_FAST,
        keys: (1, 1, 1),
        run: scard,
    },
];

/// `SADD key member [member ...]`
pub fn sadd(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
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
pub fn spop(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
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
pub fn scard(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let len = typed(store, &args[1], |v| match v {
        Value::Set(set) => Some(set),
        _ => None,
    })?
    .map_or(0, |set| set.len());
    reply.int(len as i64);
    Ok(Flow::Continue)
}
