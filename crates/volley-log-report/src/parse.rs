//! One log record per line: `TIMESTAMP LEVEL COMPONENT: MESSAGE`.

use volley_flow::pipeline::Line;

/// The six levels a well-formed line may carry, in increasing severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `TRACE`
    Trace,
    /// `DEBUG`
    Debug,
    /// `INFO`
    Info,
    /// `WARN`
    Warn,
    /// `ERROR`
    Error,
    /// `FATAL`
    Fatal,
}

impl Level {
    /// Every level, in the order of [`Level::index`].
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    /// The level spelled exactly this way, or `None`.
    #[inline]
    pub fn parse(field: &[u8]) -> Option<Level> {
        Some(match field {
            b"TRACE" => Level::Trace,
            b"DEBUG" => Level::Debug,
            b"INFO" => Level::Info,
            b"WARN" => Level::Warn,
            b"ERROR" => Level::Error,
            b"FATAL" => Level::Fatal,
            _ => return None,
        })
    }

    /// The level's name as written in logs.
    pub fn name(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }

    /// A dense index `0..6`, for counting in a table.
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// ERROR and FATAL: the levels the report tracks per component.
    #[inline]
    pub fn is_error(self) -> bool {
        self >= Level::Error
    }
}

/// A well-formed line, borrowed from the line it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'line> {
    /// The first field, as written.
    pub timestamp: &'line [u8],
    /// The second field.
    pub level: Level,
    /// The third field without its trailing colon (never empty).
    pub component: &'line [u8],
}

/// Parses a line whose `\n` (and any `\r` before it) is already removed.
///
/// Well formed means: split on single spaces, at least three fields, the second a [`Level`],
/// the third ending with `:` and longer than that colon. The message (everything after the
/// third space) is never looked at, so it may be any bytes and any length.
///
/// ```
/// use volley_log_report::parse::{parse_line, Level};
///
/// let record = parse_line(b"2024-05-01T00:00:00Z ERROR db: disk \xff full").unwrap();
/// assert_eq!((record.level, record.component), (Level::Error, &b"db"[..]));
/// assert_eq!(parse_line(b"2024-05-01T00:00:00Z  INFO db: double space"), None);
/// assert_eq!(parse_line(b"2024-05-01T00:00:00Z WARN db no colon"), None);
/// ```
#[inline]
pub fn parse_line(line: &[u8]) -> Option<Record<'_>> {
    let (timestamp, rest) = split_field(line)?;
    let (level, rest) = split_field(rest)?;
    let level = Level::parse(level)?;
    let third = match split_field(rest) {
        Some((third, _message)) => third,
        None => rest,
    };
    match third {
        [name @ .., b':'] if !name.is_empty() => Some(Record {
            timestamp,
            level,
            component: name,
        }),
        _ => None,
    }
}

/// The bytes before the first space, and those after it.
#[inline(always)]
fn split_field(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = bytes.iter().position(|&b| b == b' ')?;
    Some((&bytes[..space], &bytes[space + 1..]))
}

/// A line numbered from 1, parsed: `None` when malformed (a line too long to read is too).
pub type Classified<'line> = (u64, Option<Record<'line>>);

/// Numbers (from the 0-based index) and parses one line.
///
/// ```
/// use volley_flow::pipeline::{Line, LineTooLong};
/// use volley_log_report::parse::classify;
/// assert!(classify((0, Line::Read(b"t INFO db: up"))).1.is_some());
/// let skipped = LineTooLong { line: 2, bytes: 1 << 30, limit: 1 << 20 };
/// assert_eq!(classify((1, Line::Skipped(skipped))), (2, None));
/// ```
#[inline]
pub fn classify((index, line): (u64, Line<'_>)) -> Classified<'_> {
    match line {
        Line::Read(line) => (index + 1, parse_line(line)),
        Line::Skipped(_) => (index + 1, None),
    }
}

/// Lines skipped for their length.
#[inline]
pub fn is_skipped((_, line): &(u64, Line<'_>)) -> bool {
    matches!(line, Line::Skipped(_))
}

/// The most bytes of a name or timestamp the report keeps: longer ones are cut to this length,
/// so that a log of huge fields cannot make the report's tables huge.
pub const MAX_FIELD: usize = 256;

/// The first [`MAX_FIELD`] bytes of `field`.
///
/// ```
/// use volley_log_report::parse::{cut, MAX_FIELD};
/// assert_eq!(cut(b"db"), b"db");
/// assert_eq!(cut(&[b'x'; 1000]).len(), MAX_FIELD);
/// ```
#[inline]
pub fn cut(field: &[u8]) -> &[u8] {
    &field[..field.len().min(MAX_FIELD)]
}

/// The line number of a malformed line.
#[inline]
pub fn malformed_line_number((number, record): Classified<'_>) -> Option<u64> {
    match record {
        Some(_) => None,
        None => Some(number),
    }
}

/// The record of a well-formed line.
#[inline]
pub fn well_formed((_, record): Classified<'_>) -> Option<Record<'_>> {
    record
}

/// The record's level as a table index.
#[inline]
pub fn level_index(record: Record<'_>) -> usize {
    record.level.index()
}

/// ERROR and FATAL records.
#[inline]
pub fn is_error(record: &Record<'_>) -> bool {
    record.level.is_error()
}

/// The record's component name, [cut] to [`MAX_FIELD`] bytes.
#[inline]
pub fn component(record: Record<'_>) -> &[u8] {
    cut(record.component)
}

/// The record's timestamp, [cut] to [`MAX_FIELD`] bytes.
#[inline]
pub fn timestamp(record: Record<'_>) -> &[u8] {
    cut(record.timestamp)
}
