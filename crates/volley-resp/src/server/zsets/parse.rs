//! Scores and ranges as Redis reads them from arguments.

use std::borrow::Cow;

/// The reply to a score that does not parse.
pub const NOT_FLOAT: &str = "ERR value is not a valid float";

/// Parses a double as Redis's `string2d` does: C's `strtod` syntax (`inf`, `-inf`, `1e3`, `.5`),
/// no leading space, no trailing bytes; NaN refused, and so are values that overflow (`1e400`)
/// or underflow to zero (`1e-400`), as `strtod` flags them.
pub fn strict_double(arg: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(arg).ok()?;
    if text.is_empty() || text.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let value = c_double(text)?;
    if value.is_nan() {
        return None;
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    let spelled_infinite =
        unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity");
    if value.is_infinite() && !spelled_infinite {
        return None; // overflow: strtod's ERANGE
    }
    if value == 0.0 {
        let mantissa = unsigned.split(['e', 'E']).next().unwrap_or("");
        if mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return None; // underflow to zero: strtod's ERANGE
        }
    }
    Some(value)
}

/// Parses what C's `strtod` accepts as a whole decimal string (Rust's float syntax is close:
/// it also takes `inf`, `infinity` and `nan` in any case and a leading `+`).
fn c_double(text: &str) -> Option<f64> {
    let body = text.trim_start_matches(['+', '-']);
    // Rust accepts "1." and ".5" like strtod; it refuses "." and "e5", as strtod reads nothing.
    if text.len() - body.len() > 1 || body.is_empty() {
        return None;
    }
    text.parse::<f64>().ok()
}

/// A score argument (ZADD, ZINCRBY), or Redis's error.
pub fn score(arg: &[u8]) -> Result<f64, Cow<'static, str>> {
    strict_double(arg).ok_or(Cow::Borrowed(NOT_FLOAT))
}

/// A range of scores, each end inclusive or exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    /// The lower end.
    pub min: f64,
    /// Whether the lower end is excluded (`(min`).
    pub min_ex: bool,
    /// The upper end.
    pub max: f64,
    /// Whether the upper end is excluded.
    pub max_ex: bool,
}

impl ScoreRange {
    /// Parses `min` and `max` (`(1.5`, `-inf`, `+inf`); `None` when either does not parse.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let (min, min_ex) = bound(min)?;
        let (max, max_ex) = bound(max)?;
        Some(ScoreRange {
            min,
            min_ex,
            max,
            max_ex,
        })
    }

    /// Whether `score` is above the lower end.
    pub fn above_min(&self, score: f64) -> bool {
        if self.min_ex {
            score > self.min
        } else {
            score >= self.min
        }
    }

    /// Whether `score` is below the upper end.
    pub fn below_max(&self, score: f64) -> bool {
        if self.max_ex {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Whether no score can be in the range.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_ex || self.max_ex))
    }
}

/// One end of a score range: the score and whether it is excluded. `strtod` semantics with a
/// lenient tail check, as Redis's range parser (overflow reads as an infinity).
fn bound(arg: &[u8]) -> Option<(f64, bool)> {
    let (text, excluded) = match arg.strip_prefix(b"(") {
        Some(rest) => (rest, true),
        None => (arg, false),
    };
    let text = std::str::from_utf8(text).ok()?;
    let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let value = c_double(trimmed)?;
    (!value.is_nan()).then_some((value, excluded))
}

/// One end of a lexicographic range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every member.
    Min,
    /// `+`: above every member.
    Max,
    /// `[member`
    Inclusive(Vec<u8>),
    /// `(member`
    Exclusive(Vec<u8>),
}

impl LexBound {
    /// Parses `-`, `+`, `[member` or `(member`.
    pub fn parse(arg: &[u8]) -> Option<LexBound> {
        match arg.split_first() {
            Some((b'-', [])) => Some(LexBound::Min),
            Some((b'+', [])) => Some(LexBound::Max),
            Some((b'[', rest)) => Some(LexBound::Inclusive(rest.to_vec())),
            Some((b'(', rest)) => Some(LexBound::Exclusive(rest.to_vec())),
            _ => None,
        }
    }

    /// Whether `member` is below this bound taken as a lower end (so out of the range).
    pub fn before_min(&self, member: &[u8]) -> bool {
        match self {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Inclusive(bound) => member < bound.as_slice(),
            LexBound::Exclusive(bound) => member <= bound.as_slice(),
        }
    }

    /// Whether `member` is within this bound taken as an upper end.
    pub fn within_max(&self, member: &[u8]) -> bool {
        match self {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Inclusive(bound) => member <= bound.as_slice(),
            LexBound::Exclusive(bound) => member < bound.as_slice(),
        }
    }
}

/// A lexicographic range, `min` to `max`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    /// The lower end.
    pub min: LexBound,
    /// The upper end.
    pub max: LexBound,
}

impl LexRange {
    /// Parses both ends; `None` when either is not a valid range item.
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange {
            min: LexBound::parse(min)?,
            max: LexBound::parse(max)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_parse_as_strtod_with_redis_checks() {
        assert_eq!(strict_double(b"1.5"), Some(1.5));
        assert_eq!(strict_double(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(strict_double(b"+Infinity"), Some(f64::INFINITY));
        assert_eq!(strict_double(b".5"), Some(0.5));
        assert_eq!(strict_double(b"0e5"), Some(0.0));
        for bad in ["", " 1", "1 ", "nan", "1e400", "1e-400", "abc", "--1", "1x"] {
            assert_eq!(strict_double(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn ranges_parse_their_ends() {
        let range = ScoreRange::parse(b"(1", b"+inf").unwrap();
        assert!(range.min_ex && !range.max_ex && range.max.is_infinite());
        assert!(!range.above_min(1.0) && range.above_min(1.5));
        assert!(ScoreRange::parse(b"nan", b"1").is_none());
        assert!(ScoreRange::parse(b"(", b"1").is_none());
        assert_eq!(
            LexBound::parse(b"[a"),
            Some(LexBound::Inclusive(b"a".to_vec()))
        );
        assert!(LexBound::parse(b"a").is_none());
        assert!(LexBound::parse(b"+x").is_none());
    }
}
