//! `LineSource`: the lines of any `BufRead`, split with `memchr`, through one reused buffer.

use super::{Close, PipelineError, Push};
use std::error::Error;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use volley_core::{co_yield, Co, Exit, Protocol, Resume};

/// Read buffer used by [`LineSource::open`].
const FILE_BUFFER: usize = 256 * 1024;

/// The longest line a [`LineSource`] hands out unless told otherwise
/// ([`max_line`](LineSource::max_line)): 1 MiB, far above any real log or text line.
pub const DEFAULT_MAX_LINE: usize = 1024 * 1024;

/// A line longer than the source's limit, skipped to its end without being kept: what
/// [`LineSource::next_line`] reports (inside an `io::Error` of kind `InvalidData`) and what
/// [`LineSource::push_lines_into`] sends as [`Line::Skipped`].
///
/// ```
/// use volley_flow::pipeline::{LineSource, LineTooLong};
/// let mut src = LineSource::new(&b"ok\n0123456789\nok\n"[..]).max_line(4);
/// assert_eq!(src.next_line().unwrap().unwrap(), b"ok");
/// let e = src.next_line().unwrap().unwrap_err();
/// assert_eq!(LineTooLong::of(&e), Some(&LineTooLong { line: 2, bytes: 10, limit: 4 }));
/// assert_eq!(e.to_string(), "line 2 is 10 bytes long, over the limit of 4: skipped");
/// assert_eq!(src.next_line().unwrap().unwrap(), b"ok"); // the source reads on
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTooLong {
    /// Its line number, counted from 1.
    pub line: u64,
    /// Its length in bytes, without the `\n` (a `\r` before it counts).
    pub bytes: u64,
    /// The limit it went over.
    pub limit: usize,
}

impl LineTooLong {
    /// The `LineTooLong` inside an error from [`LineSource::next_line`], if that is what it is.
    ///
    /// ```
    /// use volley_flow::pipeline::LineTooLong;
    /// assert_eq!(LineTooLong::of(&std::io::Error::other("disk on fire")), None);
    /// ```
    pub fn of(error: &io::Error) -> Option<&LineTooLong> {
        error.get_ref()?.downcast_ref()
    }
}

impl fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} is {} bytes long, over the limit of {}: skipped",
            self.line, self.bytes, self.limit
        )
    }
}

impl Error for LineTooLong {}

/// What [`LineSource::push_lines_into`] sends: each line, borrowed, or the note of a line too
/// long to be read.
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Line, LineSource};
/// let skipped = LineSource::new(&b"a\nbbbbbbbb\nc\n"[..])
///     .max_line(4)
///     .push_lines_into(push::filter(|l: &Line<'_>| matches!(l, Line::Skipped(_)), aggregate::count()))
///     .unwrap();
/// assert_eq!(skipped, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// A line within the limit, without its `\n`.
    Read(&'a [u8]),
    /// A line over the limit: skipped, only its number and length are known.
    Skipped(LineTooLong),
}

/// The lines of a reader, without their `\n` (and, by default, without a `\r` before it).
///
/// A line that lies whole inside the reader's buffer is handed out in place, with no copy; only
/// a line that straddles a refill is gathered into one carry buffer, reused from line to line.
/// A line longer than the limit ([`DEFAULT_MAX_LINE`], 1 MiB, unless set with
/// [`max_line`](LineSource::max_line)) is skipped to its end as it is read, never gathered, and
/// reported as [`LineTooLong`]. Memory is therefore the reader's buffer plus at most the limit
/// (twice it, with the carry buffer's growth), whatever the input: a stream of NUL bytes with no
/// newline costs no more than a well-formed log. Lines are
/// bytes: invalid UTF-8 passes through untouched. A last line without a final newline is still a
/// line; an empty input has none.
///
/// Three ways to drive it:
/// - [`push_into`](LineSource::push_into) a push [target](Push) (a stage chain, a
///   [`broadcast`](crate::pipeline::push::broadcast)): every borrowed line flows through with no
///   allocation. This is the fast path.
/// - [`next_line`](LineSource::next_line), a lending loop for hand-written consumers.
/// - as a pull coroutine: [`filter_map`](LineSource::filter_map) (parse each borrowed line in
///   place, yield what you keep) or [`into_lines`](LineSource::into_lines) (owned lines).
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, LineSource};
/// let input = "GET /a\r\nPOST /b\nGET /c";
/// let gets = LineSource::new(input.as_bytes())
///     .push_into(push::filter(|line: &&[u8]| line.starts_with(b"GET "), aggregate::count()))
///     .unwrap();
/// assert_eq!(gets, 2);
/// ```
#[derive(Debug)]
pub struct LineSource<R> {
    reader: R,
    carry: Vec<u8>,
    /// Bytes of the reader's buffer handed out as the current line, consumed at the next call.
    pending: usize,
    lines: u64,
    strip_cr: bool,
    max_line: usize,
}

impl LineSource<BufReader<File>> {
    /// Opens a file for reading line by line, with a 256 KiB read buffer.
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, LineSource};
    /// let path = std::env::temp_dir().join("volley_line_source_open.txt");
    /// std::fs::write(&path, "one\ntwo\n").unwrap();
    /// let n = LineSource::open(&path).unwrap().push_into(aggregate::count()).unwrap();
    /// assert_eq!(n, 2);
    /// # std::fs::remove_file(path).unwrap();
    /// ```
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let file = File::open(path)?;
        Ok(LineSource::new(BufReader::with_capacity(FILE_BUFFER, file)))
    }
}

impl<R: BufRead> LineSource<R> {
    /// Reads lines from any buffered reader (`&[u8]`, a `BufReader`, stdin's lock...).
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let mut src = LineSource::new(&b"a\nb"[..]);
    /// assert_eq!(src.next_line().unwrap().unwrap(), b"a");
    /// ```
    pub fn new(reader: R) -> Self {
        LineSource {
            reader,
            carry: Vec::new(),
            pending: 0,
            lines: 0,
            strip_cr: true,
            max_line: DEFAULT_MAX_LINE,
        }
    }

    /// Sets the longest line handed out, in bytes without the `\n` (default
    /// [`DEFAULT_MAX_LINE`]). A longer line is read to its end and dropped as it goes, and
    /// reported as [`LineTooLong`]; the lines after it are read as usual.
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let mut src = LineSource::new(&b"short\nmuch too long\n"[..]).max_line(5);
    /// assert_eq!(src.next_line().unwrap().unwrap(), b"short");
    /// assert!(src.next_line().unwrap().is_err());
    /// assert!(src.next_line().is_none());
    /// assert_eq!(src.lines_read(), 2);
    /// ```
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }

    /// Keeps a `\r` that ends a line, instead of stripping it.
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let mut src = LineSource::new(&b"dos\r\n"[..]).keep_cr();
    /// assert_eq!(src.next_line().unwrap().unwrap(), b"dos\r");
    /// ```
    pub fn keep_cr(mut self) -> Self {
        self.strip_cr = false;
        self
    }

    /// How many lines have been handed out (or skipped as too long) so far.
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let mut src = LineSource::new(&b"a\nb\n"[..]);
    /// while src.next_line().is_some() {}
    /// assert_eq!(src.lines_read(), 2);
    /// ```
    pub fn lines_read(&self) -> u64 {
        self.lines
    }

    /// Gives the reader back (positioned after the last line handed out).
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let src = LineSource::new(&b"rest"[..]);
    /// assert_eq!(src.into_inner(), b"rest");
    /// ```
    pub fn into_inner(mut self) -> R {
        self.reader.consume(std::mem::take(&mut self.pending));
        self.reader
    }

    /// The next line, borrowed until the next call; `None` at the end of the input.
    ///
    /// A line over the [limit](LineSource::max_line) is read to its end and dropped, and comes
    /// out as an `io::Error` of kind `InvalidData` holding a [`LineTooLong`]; the next call
    /// goes on with the line after it. Any other error is the reader's.
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let mut src = LineSource::new(&b"x=1\ny=2\n"[..]);
    /// let mut keys = Vec::new();
    /// while let Some(line) = src.next_line() {
    ///     keys.push(line.unwrap()[0]);
    /// }
    /// assert_eq!(keys, b"xy");
    /// ```
    #[inline]
    pub fn next_line(&mut self) -> Option<io::Result<&[u8]>> {
        if self.pending > 0 {
            self.reader.consume(self.pending);
            self.pending = 0;
        }
        self.carry.clear();
        loop {
            // Look at the buffer in a scope of its own, so the borrow ends before `consume`.
            let (newline, available) = {
                let buf = match self.reader.fill_buf() {
                    Ok(buf) => buf,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Some(Err(e)),
                };
                let newline = memchr::memchr(b'\n', buf);
                if self.carry.len() + newline.unwrap_or(buf.len()) > self.max_line {
                    let seen = self.carry.len() as u64;
                    return Some(Err(self.skip_line(seen)));
                }
                match newline {
                    Some(end) if !self.carry.is_empty() => {
                        self.carry.extend_from_slice(&buf[..end])
                    }
                    Some(_) => {}
                    None => self.carry.extend_from_slice(buf),
                }
                (newline, buf.len())
            };
            match newline {
                Some(end) if self.carry.is_empty() => {
                    self.pending = end + 1;
                    self.lines += 1;
                    let strip_cr = self.strip_cr;
                    return Some(match self.reader.fill_buf() {
                        Ok(buf) => Ok(trim_cr(&buf[..end], strip_cr)),
                        Err(e) => Err(e),
                    });
                }
                Some(end) => {
                    self.reader.consume(end + 1);
                    self.lines += 1;
                    return Some(Ok(trim_cr(&self.carry, self.strip_cr)));
                }
                None if available == 0 => {
                    if self.carry.is_empty() {
                        return None;
                    }
                    self.lines += 1;
                    return Some(Ok(trim_cr(&self.carry, self.strip_cr)));
                }
                None => self.reader.consume(available),
            }
        }
    }

    /// Reads past the rest of a line found too long after `seen` bytes (gathered in the carry
    /// buffer, not yet consumed from the reader's), keeping none of it; the error to report.
    #[cold]
    fn skip_line(&mut self, seen: u64) -> io::Error {
        self.carry.clear();
        let mut bytes = seen;
        loop {
            let (newline, available) = match self.reader.fill_buf() {
                Ok(buf) => (memchr::memchr(b'\n', buf), buf.len()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return e,
            };
            match newline {
                Some(end) => {
                    self.reader.consume(end + 1);
                    bytes += end as u64;
                    break;
                }
                None if available == 0 => break,
                None => {
                    self.reader.consume(available);
                    bytes += available as u64;
                }
            }
        }
        self.lines += 1;
        let too_long = LineTooLong {
            line: self.lines,
            bytes,
            limit: self.max_line,
        };
        io::Error::new(io::ErrorKind::InvalidData, too_long)
    }

    /// Pushes every line into `target`, then closes it and returns its result: one pass,
    /// no per-line allocation.
    ///
    /// A read error stops the run as [`PipelineError::Io`], and so does a line over the
    /// [limit](LineSource::max_line) (use [`push_lines_into`](LineSource::push_lines_into) to
    /// go on past such lines); an error a stage raises stops it as that error.
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, push, LineSource};
    /// let log = "ok\nERROR disk\nok\nERROR net\n";
    /// let (lines, errors) = LineSource::new(log.as_bytes())
    ///     .push_into(push::broadcast((
    ///         aggregate::count(),
    ///         push::filter(|l: &&[u8]| l.starts_with(b"ERROR"), aggregate::count()),
    ///     )))
    ///     .unwrap();
    /// assert_eq!((lines, errors), (4, 2));
    /// ```
    pub fn push_into<P>(mut self, mut target: P) -> Result<P::Output, PipelineError>
    where
        P: for<'line> Push<&'line [u8]> + Close,
    {
        while let Some(line) = self.next_line() {
            target.send(line?)?;
        }
        target.close()
    }

    /// Like [`push_into`](LineSource::push_into), but a line over the
    /// [limit](LineSource::max_line) does not stop the run: it is skipped and `target` gets a
    /// [`Line::Skipped`] in its place, so it can count it and number the lines after it right.
    /// Every other line comes as [`Line::Read`].
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, push, Line, LineSource};
    /// let input = format!("a\n{}\nb", "x".repeat(100));
    /// let (lines, skipped) = LineSource::new(input.as_bytes())
    ///     .max_line(64)
    ///     .push_lines_into(push::broadcast((
    ///         aggregate::count(),
    ///         push::filter_map(
    ///             |line: Line<'_>| match line {
    ///                 Line::Skipped(too_long) => Some((too_long.line, too_long.bytes)),
    ///                 Line::Read(_) => None,
    ///             },
    ///             aggregate::first_n(10),
    ///         ),
    ///     )))
    ///     .unwrap();
    /// assert_eq!((lines, skipped), (3, vec![(2, 100)]));
    /// ```
    pub fn push_lines_into<P>(mut self, mut target: P) -> Result<P::Output, PipelineError>
    where
        P: for<'line> Push<Line<'line>> + Close,
    {
        while let Some(line) = self.next_line() {
            match line {
                Ok(line) => target.send(Line::Read(line))?,
                Err(e) => match LineTooLong::of(&e) {
                    Some(&too_long) => target.send(Line::Skipped(too_long))?,
                    None => return Err(e.into()),
                },
            }
        }
        target.close()
    }

    /// A pull coroutine that yields every line as an owned `Vec<u8>` and returns the number of
    /// lines. Each line is one allocation: prefer [`filter_map`](LineSource::filter_map) or
    /// [`push_into`](LineSource::push_into) when you do not need to keep lines.
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let mut lines = LineSource::new(&b"a\nbc\n"[..]).into_lines();
    /// let all: Vec<Vec<u8>> = lines.try_iter().collect::<Result<_, _>>().unwrap();
    /// assert_eq!(all, [b"a".to_vec(), b"bc".to_vec()]);
    /// assert_eq!(lines.take_return(), Some(2));
    /// ```
    pub fn into_lines(self) -> Co<impl Protocol<(), Vec<u8>, u64, io::Error>> {
        self.filter_map(|line| Some(line.to_vec()))
    }

    /// A pull coroutine that shows every line, borrowed in place, to `parse`, and yields what it
    /// keeps (`Some`), like [`Iterator::filter_map`]; returns the number of lines read. Nothing
    /// is copied unless `parse` copies. A read error is raised: it reaches a
    /// [`try_iter`](volley_core::Co::try_iter) loop as an `Err` item, through any pull stages
    /// built on this one. So is a line over the [limit](LineSource::max_line), as the
    /// `io::Error` holding its [`LineTooLong`], and the coroutine ends there.
    ///
    /// ```
    /// use volley_flow::pipeline::LineSource;
    /// let sizes = LineSource::new(&b"GET 200 512\nGET 404 0\nPUT 200 20\n"[..])
    ///     .filter_map(|line| {
    ///         let mut fields = line.split(|&b| b == b' ');
    ///         let status = fields.nth(1)?;
    ///         let size = std::str::from_utf8(fields.next()?).ok()?.parse::<u64>().ok()?;
    ///         (status == b"200").then_some(size)
    ///     });
    /// let total: u64 = sizes.into_try_iter().map(Result::unwrap).sum();
    /// assert_eq!(total, 532);
    /// ```
    pub fn filter_map<T, F>(self, parse: F) -> Co<impl Protocol<(), T, u64, io::Error>>
    where
        F: FnMut(&[u8]) -> Option<T>,
    {
        Co::new(
            #[coroutine]
            move |_: Resume<(), io::Error>| {
                let mut source = self;
                let mut parse = parse;
                loop {
                    let kept = match source.next_line() {
                        None => return Ok(source.lines_read()),
                        Some(Ok(line)) => parse(line),
                        Some(Err(e)) => return Err(Exit::Raised(e)),
                    };
                    if let Some(item) = kept {
                        co_yield!(item)?;
                    }
                }
            },
        )
        .named("line_source")
    }
}

#[inline(always)]
fn trim_cr(line: &[u8], strip_cr: bool) -> &[u8] {
    match line {
        [rest @ .., b'\r'] if strip_cr => rest,
        _ => line,
    }
}
