//! SETBIT, GETBIT and BITCOUNT: a string as an array of bits, most significant bit first.

use super::{grow, max_string, string_of};
use crate::server::commands::{int_arg, is, parse_i64, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::Value;
use std::borrow::Cow;

/// A bit offset, which must address a byte within `proto-max-bulk-len`.
fn bit_offset(ctx: &Ctx<'_>, arg: &[u8]) -> Result<u64, Cow<'static, str>> {
    const BAD: &str = "ERR bit offset is not an integer or out of range";
    let offset = parse_i64(arg).ok_or(Cow::Borrowed(BAD))?;
    let limit = max_string(ctx) as u64 * 8;
    match u64::try_from(offset) {
        Ok(offset) if offset < limit => Ok(offset),
        _ => Err(BAD.into()),
    }
}

/// `SETBIT key offset 0|1`: answers the bit's old value.
pub fn setbit(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let offset = bit_offset(ctx, &args[2])?;
    let on = match args[3].as_slice() {
        b"0" => false,
        b"1" => true,
        _ => return Err("ERR bit is not an integer or out of range".into()),
    };
    let (store, reply) = ctx.db_reply();
    let byte = (offset / 8) as usize;
    let mask = 0x80u8 >> (offset % 8);
    if string_of(store, &args[1])?.is_none() {
        store.set(args[1].clone(), Value::Str(Vec::new()), None, false);
    }
    let Some(bytes) = string_of(store, &args[1])? else {
        unreachable!("the key was set just above");
    };
    grow(bytes, byte + 1)?;
    let old = bytes[byte] & mask != 0;
    if on {
        bytes[byte] |= mask;
    } else {
        bytes[byte] &= !mask;
    }
    reply.int(i64::from(old));
    ctx.notify(EventClass::String, "setbit", &args[1]);
    Ok(Flow::Continue)
}

/// `GETBIT key offset`
pub fn getbit(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let offset = bit_offset(ctx, &args[2])?;
    let (store, reply) = ctx.db_reply();
    let bit = string_of(store, &args[1])?
        .and_then(|bytes| bytes.get((offset / 8) as usize).copied())
        .is_some_and(|byte| byte & (0x80 >> (offset % 8)) != 0);
    reply.int(i64::from(bit));
    Ok(Flow::Continue)
}

/// `BITCOUNT key [start end [BYTE|BIT]]`
pub fn bitcount(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let range = match args.len() {
        2 => None,
        4 | 5 => {
            let bits = match args.get(4) {
                None => false,
                Some(unit) if is(unit, "byte") => false,
                Some(unit) if is(unit, "bit") => true,
                Some(_) => return Err(SYNTAX.into()),
            };
            Some((int_arg(&args[2])?, int_arg(&args[3])?, bits))
        }
        _ => return Err(SYNTAX.into()),
    };
    let (store, reply) = ctx.db_reply();
    let Some(bytes) = string_of(store, &args[1])? else {
        reply.int(0);
        return Ok(Flow::Continue);
    };
    let Some((start, end, bits)) = range else {
        let count: u32 = bytes.iter().map(|b| b.count_ones()).sum();
        reply.int(i64::from(count));
        return Ok(Flow::Continue);
    };
    let total = if bits {
        bytes.len() as i64 * 8
    } else {
        bytes.len() as i64
    };
    let clamp = |i: i64| if i < 0 { (total + i).max(0) } else { i };
    let (start, end) = (clamp(start), clamp(end).min(total - 1));
    if start > end || total == 0 {
        reply.int(0);
        return Ok(Flow::Continue);
    }
    let count = if bits {
        (start..=end)
            .filter(|bit| bytes[(bit / 8) as usize] & (0x80 >> (bit % 8)) != 0)
            .count() as i64
    } else {
        bytes[start as usize..=end as usize]
            .iter()
            .map(|b| i64::from(b.count_ones()))
            .sum()
    };
    reply.int(count);
    Ok(Flow::Continue)
}
