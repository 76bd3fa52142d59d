//! INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT: strings read as numbers, with Redis's errors.

use super::string_of;
use crate::server::commands::{int_arg, parse_i64, Flow, Outcome, NOT_INTEGER};
use crate::server::ctx::Ctx;
use crate::server::notify::EventClass;
use crate::server::store::Value;
use std::borrow::Cow;

/// Adds `delta` to the integer under `key` (0 when absent), keeping its time to live.
fn add(ctx: &mut Ctx<'_>, key: &[u8], delta: i64) -> Outcome {
    let (store, reply) = ctx.db_reply();
    let next = match string_of(store, key)? {
        Some(bytes) => {
            let current = parse_i64(bytes).ok_or(Cow::Borrowed(NOT_INTEGER))?;
            let next = current
                .checked_add(delta)
                .ok_or(Cow::Borrowed("ERR increment or decrement would overflow"))?;
            *bytes = next.to_string().into_bytes();
            next
        }
        None => {
            store.set(
                key.to_vec(),
                Value::Str(delta.to_string().into()),
                None,
                false,
            );
            delta
        }
    };
    reply.int(next);
    ctx.notify(EventClass::String, "incrby", key);
    Ok(Flow::Continue)
}

/// `INCR key`
pub fn incr(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    add(ctx, &args[1], 1)
}

/// `DECR key`
pub fn decr(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    add(ctx, &args[1], -1)
}

/// `INCRBY key delta`
pub fn incrby(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let delta = int_arg(&args[2])?;
    add(ctx, &args[1], delta)
}

/// `DECRBY key delta`
pub fn decrby(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let delta = int_arg(&args[2])?;
    let negated = delta
        .checked_neg()
        .ok_or(Cow::Borrowed("ERR decrement would overflow"))?;
    add(ctx, &args[1], negated)
}

/// Reads a float argument or stored value as Redis does: no spaces, no trailing bytes, no
/// NaN (infinities read, but no command stores one).
pub(crate) fn parse_float(bytes: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| !v.is_nan())
}

/// The sum of `a` and `b` as Redis's `long double` sum reads once printed: a result that
/// cancels to below the operands' precision is 0 (`1/41 - 1/41`, never `-0.00...0242`).
pub(crate) fn add_floats(a: f64, b: f64) -> f64 {
    let sum = a + b;
    if sum.abs() < a.abs().max(b.abs()) * 1e-14 {
        0.0
    } else {
        sum
    }
}

/// A float result as INCRBYFLOAT and HINCRBYFLOAT store and print it: plain decimal with at
/// most 17 decimals, no exponent, no trailing zeros, `-0` as `0`. Redis sums in `long double`
/// and prints 17 digits; sums in `f64` are rounded to 15 significant digits first, which drops
/// the `f64` rounding noise those extra digits would show (`0.1 + 0.2` prints `0.3`, as in
/// Redis).
pub(crate) fn format_float(value: f64) -> String {
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    let mut text = format!("{rounded}");
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals > 17 {
        text = format!("{rounded:.17}");
        while text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    if text
        .trim_start_matches('-')
        .bytes()
        .all(|b| b == b'0' || b == b'.')
    {
        return "0".to_string();
    }
    text
}

/// `INCRBYFLOAT key increment`: answers the new value as a string.
pub fn incrbyfloat(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    const NOT_FLOAT: &str = "ERR value is not a valid float";
    let (store, reply) = ctx.db_reply();
    let current = match string_of(store, &args[1])? {
        Some(bytes) => parse_float(bytes).ok_or(Cow::Borrowed(NOT_FLOAT))?,
        None => 0.0,
    };
    let increment = parse_float(&args[2]).ok_or(Cow::Borrowed(NOT_FLOAT))?;
    let next = add_floats(current, increment);
    if !next.is_finite() {
        return Err("ERR increment would produce NaN or Infinity".into());
    }
    let text = format_float(next).into_bytes();
    reply.bulk(&text);
    match string_of(store, &args[1])? {
        Some(bytes) => *bytes = text,
        None => store.set(args[1].clone(), Value::Str(text), None, false),
    }
    ctx.notify(EventClass::String, "incrbyfloat", &args[1]);
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_redis_prints_its_long_doubles() {
        assert_eq!(format_float(0.1 + 0.2), "0.3");
        assert_eq!(format_float(10.5 + 0.1), "10.6");
        assert_eq!(format_float(17179869184.0 + 1.5), "17179869185.5");
        assert_eq!(format_float(1.0 / 41.0 - 1.0 / 41.0), "0");
        assert_eq!(format_float(-0.0), "0");
        assert_eq!(format_float(5.0e3), "5000");
        assert_eq!(format_float(1.0 - 1.1), "-0.1");
        assert_eq!(format_float(1e-20), "0");
        assert_eq!(format_float(-1e-20), "0");
        assert_eq!(format_float(1.5e-10), "0.00000000015");
        assert_eq!(add_floats(1.0 / 41.0, -1.0 / 41.0), 0.0);
    }

    #[test]
    fn floats_parse_strictly() {
        assert_eq!(parse_float(b"1.5"), Some(1.5));
        assert_eq!(parse_float(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_float(b" 1"), None);
        assert_eq!(parse_float(b"1 "), None);
        assert_eq!(parse_float(b"1\x002"), None);
        assert_eq!(parse_float(b"nan"), None);
        assert_eq!(parse_float(b""), None);
    }
}
