//! Times to live as Redis reads them: the `EX`/`PX`/`EXAT`/`PXAT` options of SET and GETEX and
//! the amounts of EXPIRE and its kin, turned into Unix-millisecond deadlines with Redis's range
//! checks (an amount that overflows is an error, never a wrapped deadline).

use super::commands::int_arg;
use std::borrow::Cow;

/// The unit of an expiry amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Seconds (`EX`, `EXAT`, `EXPIRE`, `EXPIREAT`).
    Seconds,
    /// Milliseconds (`PX`, `PXAT`, `PEXPIRE`, `PEXPIREAT`).
    Millis,
}

/// An expiry option of SET or GETEX, with its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expiry {
    /// The unit of the amount.
    pub unit: Unit,
    /// Whether the amount is a Unix time (`EXAT`, `PXAT`) rather than a span.
    pub absolute: bool,
}

impl Expiry {
    /// The option `word` names (`EX`, `PX`, `EXAT`, `PXAT`), if it names one.
    pub fn parse(word: &[u8]) -> Option<Expiry> {
        let (unit, absolute) = match word.to_ascii_lowercase().as_slice() {
            b"ex" => (Unit::Seconds, false),
            b"px" => (Unit::Millis, false),
            b"exat" => (Unit::Seconds, true),
            b"pxat" => (Unit::Millis, true),
            _ => return None,
        };
        Some(Expiry { unit, absolute })
    }

    /// The deadline `amount` sets at Unix time `now` (milliseconds), as SET and GETEX check
    /// it: positive, no overflow.
    pub fn deadline(
        self,
        amount: &[u8],
        now: i64,
        command: &str,
    ) -> Result<i64, Cow<'static, str>> {
        let amount = int_arg(amount)?;
        let invalid = || invalid_expire(command);
        if amount <= 0 || (self.unit == Unit::Seconds && amount > i64::MAX / 1000) {
            return Err(invalid());
        }
        let mut millis = match self.unit {
            Unit::Seconds => amount * 1000,
            Unit::Millis => amount,
        };
        if !self.absolute {
            millis = millis.checked_add(now).ok_or_else(invalid)?;
        }
        Ok(millis)
    }
}

/// Redis's error for an expiry out of range.
pub(crate) fn invalid_expire(command: &str) -> Cow<'static, str> {
    format!("ERR invalid expire time in '{command}' command").into()
}

/// The deadline of EXPIRE and its kin: `amount` in `unit`, after `base` (0 for the `AT` forms),
/// as Redis checks it (negative amounts allowed, overflow refused).
pub(crate) fn deadline_after(
    amount: i64,
    unit: Unit,
    base: i64,
    command: &str,
) -> Result<i64, Cow<'static, str>> {
    let millis = match unit {
        Unit::Seconds => amount
            .checked_mul(1000)
            .ok_or_else(|| invalid_expire(command))?,
        Unit::Millis => amount,
    };
    if millis > i64::MAX - base {
        return Err(invalid_expire(command));
    }
    Ok(millis + base)
}
