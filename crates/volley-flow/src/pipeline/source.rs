//! `LineSource`: the lines of any `BufRead`, split with `memchr`, through one reused buffer.

use super::{Close, PipelineError, Push};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use volley_core::{co_yield, Co, Exit, Protocol, Resume};

/// Read buffer used by [`LineSource::open`].
const FILE_BUFFER: usize = 256 * 1024;

/// The lines of a reader, without their `\n` (and, by default, without a `\r` before it).
///
/// A line that lies whole inside the reader's buffer is handed out in place, with no copy; only
/// a line that straddles a refill is gathered into one carry buffer, reused from line to line.
/// Memory is the reader's buffer plus the longest line, whatever the input's size. Lines are
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
        }
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

    /// How many lines have been handed out so far.
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

    /// Pushes every line into `target`, then closes it and returns its result: one pass,
    /// no per-line allocation.
    ///
    /// A read error stops the run as [`PipelineError::Io`]; an error a stage raises stops it
    /// as that error.
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
    /// built on this one.
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
