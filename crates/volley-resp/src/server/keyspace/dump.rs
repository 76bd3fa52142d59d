//! DUMP and RESTORE: a value serialized to an opaque payload and back.
//!
//! The payload is Volley's own (Redis's RDB encoding is not reproduced): a type byte, the
//! items as length-prefixed byte strings, a 2-byte format version and an 8-byte FNV-1a
//! checksum. Decoding checks every length against the bytes left before allocating, so a forged
//! payload cannot make the server reserve more than the payload's size.

use crate::server::commands::{int_arg, is, Flow, Outcome, SYNTAX};
use crate::server::ctx::Ctx;
use crate::server::hashes::Hash;
use crate::server::notify::EventClass;
use crate::server::sets::Set;
use crate::server::store::Value;
use std::borrow::Cow;
use std::collections::VecDeque;

const VERSION: u16 = 1;
const BAD_PAYLOAD: &str = "ERR DUMP payload version or checksum are wrong";
const BAD_FORMAT: &str = "ERR Bad data format";

fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// The payload for `value`, or `None` for the types DUMP does not serialize.
fn encode(value: &Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let items: Vec<&[u8]> = match value {
        Value::Str(bytes) => {
            out.push(0);
            vec![bytes]
        }
        Value::List(list) => {
            out.push(1);
            list.iter().map(Vec::as_slice).collect()
        }
        Value::Set(set) => {
            out.push(2);
            set.iter().map(Vec::as_slice).collect()
        }
        Value::Hash(hash) => {
            out.push(3);
            hash.iter()
                .flat_map(|(f, v)| [f.as_slice(), v.as_slice()])
                .collect()
        }
        Value::ZSet(_) | Value::Stream(_) => return None,
    };
    out.extend_from_slice(&(items.len() as u64).to_le_bytes());
    items.iter().for_each(|item| put(&mut out, item));
    out.extend_from_slice(&VERSION.to_le_bytes());
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    Some(out)
}

/// Reads byte strings off a payload body, never past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        let len = usize::try_from(self.u64()?).ok()?;
        if len > self.0.len() {
            return None;
        }
        let (item, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(item.to_vec())
    }
}

/// The value a payload holds.
fn decode(payload: &[u8]) -> Result<Value, Cow<'static, str>> {
    let Some((body, sum)) = payload.split_last_chunk::<8>() else {
        return Err(BAD_PAYLOAD.into());
    };
    let Some((body, version)) = body.split_last_chunk::<2>() else {
        return Err(BAD_PAYLOAD.into());
    };
    if u16::from_le_bytes(*version) != VERSION
        || checksum(&payload[..payload.len() - 8]) != u64::from_le_bytes(*sum)
    {
        return Err(BAD_PAYLOAD.into());
    }
    let bad = || Cow::Borrowed(BAD_FORMAT);
    let (&kind, rest) = body.split_first().ok_or_else(bad)?;
    let mut reader = Reader(rest);
    let count = reader.u64().ok_or_else(bad)?;
    // Each item takes at least its 8-byte length: a count past that is forged.
    if count > (reader.0.len() / 8) as u64 {
        return Err(bad());
    }
    let mut items = Vec::with_capacity(count as usize);
    for _ in 0..count {
        items.push(reader.bytes().ok_or_else(bad)?);
    }
    if !reader.0.is_empty() {
        return Err(bad());
    }
    Ok(match kind {
        0 if items.len() == 1 => Value::Str(items.pop().unwrap_or_default()),
        1 if !items.is_empty() => Value::List(VecDeque::from(items)),
        2 if !items.is_empty() => Value::Set(items.into_iter().collect::<Set>()),
        3 if !items.is_empty() && items.len() % 2 == 0 => {
            let mut hash = Hash::with_capacity(items.len() / 2);
            let mut items = items.into_iter();
            while let (Some(field), Some(value)) = (items.next(), items.next()) {
                hash.insert(field, value);
            }
            Value::Hash(hash)
        }
        _ => return Err(bad()),
    })
}

/// `DUMP key`: the payload RESTORE takes back, or nil when the key is absent.
pub fn dump(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (store, reply) = ctx.db_reply();
    match store.get(&args[1]) {
        None => reply.null(),
        Some(value) => {
            let payload = encode(value).ok_or(Cow::Borrowed(
                "ERR DUMP of sorted sets and streams is not supported",
            ))?;
            reply.bulk(&payload);
        }
    }
    Ok(Flow::Continue)
}

/// `RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]`
pub fn restore(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let (mut replace, mut absolute) = (false, false);
    let mut at = 4;
    while at < args.len() {
        let word = &args[at];
        if is(word, "replace") {
            replace = true;
        } else if is(word, "absttl") {
            absolute = true;
        } else if (is(word, "idletime") || is(word, "freq")) && at + 1 < args.len() {
            let amount = int_arg(&args[at + 1])?;
            if amount < 0 {
                return Err(if is(word, "freq") {
                    "ERR Invalid FREQ value, must be >= 0 and <= 255".into()
                } else {
                    "ERR Invalid IDLETIME value, must be >= 0".into()
                });
            }
            at += 1;
        } else {
            return Err(SYNTAX.into());
        }
        at += 1;
    }
    let ttl = int_arg(&args[2])?;
    if ttl < 0 {
        return Err("ERR Invalid TTL value, must be >= 0".into());
    }
    let (store, reply) = ctx.db_reply();
    if !replace && store.contains(&args[1]) {
        return Err("BUSYKEY Target key name already exists.".into());
    }
    let value = decode(&args[3])?;
    let now = store.now_millis();
    let deadline = match ttl {
        0 => None,
        ttl if absolute => Some(ttl),
        ttl => Some(ttl.saturating_add(now)),
    };
    let replaced = store.remove(&args[1]);
    let live = deadline.is_none_or(|at| at > now);
    if live {
        store.set(args[1].clone(), value, deadline, false);
    }
    reply.ok();
    if live {
        ctx.notify(EventClass::Generic, "restore", &args[1]);
    } else if replaced {
        ctx.notify(EventClass::Generic, "del", &args[1]);
    }
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_forgeries_are_refused() {
        let mut hash = Hash::new();
        hash.insert(b"f".to_vec(), b"v".to_vec());
        let payload = encode(&Value::Hash(hash)).expect("hashes dump");
        assert!(matches!(decode(&payload), Ok(Value::Hash(h)) if h.len() == 1));
        let mut flipped = payload.clone();
        flipped[3] ^= 1;
        assert_eq!(decode(&flipped).err().as_deref(), Some(BAD_PAYLOAD));
        assert!(decode(b"short").is_err());
        // A count claiming more items than the bytes can hold, with a valid checksum.
        let mut forged = vec![2u8];
        forged.extend_from_slice(&u64::MAX.to_le_bytes());
        forged.extend_from_slice(&VERSION.to_le_bytes());
        let sum = checksum(&forged);
        forged.extend_from_slice(&sum.to_le_bytes());
        assert_eq!(decode(&forged).err().as_deref(), Some(BAD_FORMAT));
    }
}
