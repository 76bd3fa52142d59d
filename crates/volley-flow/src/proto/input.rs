//! The bounded byte buffer a protocol body reads from.

use super::read::{Emit, ReadExact, ReadUntil, Skip};
use super::{Decoded, Limits, ProtoError, SharedChunk};

/// Capacity an idle buffer shrinks back to after a large frame went through.
const IDLE_CAPACITY: usize = 16 * 1024;

/// The bytes a protocol body has been sent and not yet consumed, within [`Limits`].
///
/// A protocol body owns one `Input` and reads from it with `yield_from!`:
/// [`read_line`](Input::read_line), [`read_until`](Input::read_until) and
/// [`read_exact`](Input::read_exact) each yield [`Decoded::NeedMore`](super::Decoded::NeedMore)
/// until the bytes they need have been sent, then evaluate to those bytes, borrowed from the
/// buffer. [`emit`](Input::emit) yields a frame and buffers whatever chunk the caller answers
/// with. Because the reads borrow the `Input` across yields, the body is a `static` coroutine,
/// wrapped with [`Co::boxed`](volley_core::Co::boxed) or [`Co::pinned`](volley_core::Co::pinned).
///
/// The input knows where frames end: [`emit`](Input::emit), [`reject`](Input::reject) and
/// [`end_frame`](Input::end_frame) each end one. Closing the body (the end of the input) while
/// a read waits is clean at a frame boundary and raises [`ProtoError::Truncated`] when part of
/// a frame has arrived, so a peer that hangs up mid-frame is reported, not mistaken for a clean
/// end. A frame the body refuses without ending the stream is stepped over with
/// [`skip_line`](Input::skip_line) or [`skip`](Input::skip) and reported with
/// [`reject`](Input::reject).
///
/// ```
/// use volley::co;
/// use volley::proto::{Decoded, Input, Limits, ProtoError};
/// use volley::{yield_from, Exit, Step};
///
/// /// "LEN\n" then LEN bytes: a length-prefixed frame.
/// #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
/// fn length_prefixed() -> Result<(), Exit<ProtoError>> {
///     let mut input = Input::new(Limits::default());
///     loop {
///         let header = yield_from!(input.read_line())?;
///         let len: usize = std::str::from_utf8(header)
///             .ok()
///             .and_then(|text| text.parse().ok())
///             .ok_or_else(|| ProtoError::invalid("bad length"))?;
///         let body = yield_from!(input.read_exact(len))?.to_vec();
///         yield_from!(input.emit(body))?;
///     }
/// }
///
/// let mut frames = length_prefixed();
/// assert_eq!(frames.start(), Ok(Step::Yield(Decoded::NeedMore)));
/// assert_eq!(frames.send(b"5\nhel"), Ok(Step::Yield(Decoded::NeedMore)));
/// assert_eq!(frames.send(b"lo2\nok"), Ok(Step::Yield(Decoded::Frame(b"hello".to_vec()))));
/// assert_eq!(frames.send(b""), Ok(Step::Yield(Decoded::Frame(b"ok".to_vec()))));
/// assert_eq!(frames.send(b""), Ok(Step::Yield(Decoded::NeedMore)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Input {
    buf: Vec<u8>,
    start: usize,
    limits: Limits,
    /// Bytes consumed since the last frame ended.
    consumed_in_frame: usize,
    /// A shared chunk read in place, from `lent_start` on. While it is held, `buf` holds nothing
    /// unconsumed; it is given up (what is left of it copied into `buf`) before the body asks
    /// for more input.
    lent: Option<SharedChunk>,
    lent_start: usize,
}

impl Input {
    /// An empty input enforcing `limits`.
    ///
    /// ```
    /// use volley_flow::proto::{Input, Limits};
    /// let input = Input::new(Limits::default().with_max_line(80));
    /// assert_eq!(input.limits().max_line(), 80);
    /// assert!(input.is_empty());
    /// ```
    pub fn new(limits: Limits) -> Self {
        Input {
            buf: Vec::new(),
            start: 0,
            limits,
            consumed_in_frame: 0,
            lent: None,
            lent_start: 0,
        }
    }

    /// The limits this input enforces.
    ///
    /// ```
    /// use volley_flow::proto::{Input, Limits};
    /// assert_eq!(Input::default().limits(), Limits::default());
    /// ```
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The bytes buffered and not yet consumed.
    ///
    /// ```
    /// use volley_flow::proto::Input;
    /// let mut input = Input::default();
    /// input.feed(b"abc");
    /// assert_eq!(input.buffered(), b"abc");
    /// ```
    pub fn buffered(&self) -> &[u8] {
        match &self.lent {
            Some(chunk) => &chunk.as_ref()[self.lent_start..],
            None => &self.buf[self.start..],
        }
    }

    /// How many bytes are buffered and not yet consumed.
    ///
    /// ```
    /// use volley_flow::proto::Input;
    /// let mut input = Input::default();
    /// input.feed(b"abc");
    /// assert_eq!(input.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        match &self.lent {
            Some(chunk) => chunk.len() - self.lent_start,
            None => self.buf.len() - self.start,
        }
    }

    /// Whether nothing is buffered.
    ///
    /// ```
    /// use volley_flow::proto::Input;
    /// assert!(Input::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of memory the buffer holds, used or not: what a peer costs. (A shared chunk
    /// being read in place is the caller's memory, not counted here.)
    ///
    /// ```
    /// use volley_flow::proto::Input;
    /// let mut input = Input::default();
    /// input.feed(b"abc");
    /// assert!(input.capacity() >= 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Appends a chunk. Reads call this with every chunk sent to the body; a body that takes
    /// chunks with `co_yield!` itself calls it directly.
    ///
    /// ```
    /// use volley_flow::proto::Input;
    /// let mut input = Input::default();
    /// input.feed(b"ab");
    /// input.feed(b"c");
    /// assert_eq!(input.buffered(), b"abc");
    /// ```
    pub fn feed(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        self.give_back();
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            if self.buf.capacity() > IDLE_CAPACITY && chunk.len() <= IDLE_CAPACITY {
                self.buf.shrink_to(IDLE_CAPACITY);
            }
        } else if self.start > 0 && self.buf.capacity() - self.buf.len() < chunk.len() {
            self.buf.copy_within(self.start.., 0);
            self.buf.truncate(self.buf.len() - self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Takes a shared chunk: read in place, without a copy, when nothing else is buffered
    /// (what is left of it is copied into the input's own buffer only when the body asks for
    /// more, so the chunk goes back to its [`ReadBuffer`](super::ReadBuffer) by the next read);
    /// appended like [`feed`](Input::feed) otherwise. Reads call this for every
    /// [`SharedChunk`] sent to the body.
    ///
    /// ```
    /// use volley_flow::proto::{Input, ReadBuffer};
    /// let mut buffer = ReadBuffer::new(8);
    /// buffer.as_mut_slice()[..5].copy_from_slice(b"GET k");
    /// let mut input = Input::default();
    /// input.feed_shared(buffer.lend(5));
    /// assert_eq!(input.buffered(), b"GET k");
    /// assert!(buffer.is_lent(), "read in place");
    /// assert_eq!(input.capacity(), 0, "nothing copied");
    /// ```
    pub fn feed_shared(&mut self, chunk: SharedChunk) {
        if chunk.is_empty() {
            return;
        }
        if self.is_empty() {
            self.lent = Some(chunk);
            self.lent_start = 0;
        } else {
            self.feed(chunk.as_ref());
        }
    }

    /// Gives up a shared chunk read in place: what is left of it is copied into the input's
    /// own buffer. Reads call it before they ask for more input.
    pub(crate) fn give_back(&mut self) {
        if let Some(chunk) = self.lent.take() {
            let rest = &chunk.as_ref()[self.lent_start..];
            self.buf.clear();
            self.start = 0;
            self.buf.extend_from_slice(rest);
            self.lent_start = 0;
        }
    }

    /// Reads one line: evaluates to its bytes without the `\n` and without a `\r` before it.
    ///
    /// Raises [`ProtoError::LineTooLong`] once more than the line limit is buffered with no
    /// `\n`, and for a complete line over the limit.
    ///
    /// ```
    /// use volley::co;
    /// use volley::proto::{Decoded, Input, ProtoError};
    /// use volley::{yield_from, Exit, Step};
    ///
    /// #[co(static, yield = Decoded<String>, send = &'static str)]
    /// fn lines() -> Result<(), Exit<ProtoError>> {
    ///     let mut input = Input::default();
    ///     loop {
    ///         let line = String::from_utf8_lossy(yield_from!(input.read_line())?).into_owned();
    ///         yield_from!(input.emit(line))?;
    ///     }
    /// }
    ///
    /// let mut lines = lines();
    /// lines.start().unwrap();
    /// assert_eq!(lines.send("hi\r"), Ok(Step::Yield(Decoded::NeedMore)));
    /// assert_eq!(lines.send("\n"), Ok(Step::Yield(Decoded::Frame("hi".to_string()))));
    /// ```
    pub fn read_line(&mut self) -> ReadUntil<'_> {
        ReadUntil::new(self, b'\n', true)
    }

    /// Reads up to and including the first `delimiter` byte, like `BufRead::read_until`.
    ///
    /// The line limit applies to the bytes before the delimiter.
    ///
    /// ```
    /// use volley::co;
    /// use volley::proto::{Decoded, Input, ProtoError};
    /// use volley::{yield_from, Exit, Step};
    ///
    /// /// NUL-terminated fields, terminator included.
    /// #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
    /// fn fields() -> Result<(), Exit<ProtoError>> {
    ///     let mut input = Input::default();
    ///     loop {
    ///         let field = yield_from!(input.read_until(0))?.to_vec();
    ///         yield_from!(input.emit(field))?;
    ///     }
    /// }
    ///
    /// let mut fields = fields();
    /// fields.start().unwrap();
    /// assert_eq!(fields.send(b"a\0b"), Ok(Step::Yield(Decoded::Frame(b"a\0".to_vec()))));
    /// assert_eq!(fields.send(b""), Ok(Step::Yield(Decoded::NeedMore)));
    /// ```
    pub fn read_until(&mut self, delimiter: u8) -> ReadUntil<'_> {
        ReadUntil::new(self, delimiter, false)
    }

    /// Reads exactly `len` bytes.
    ///
    /// Raises [`ProtoError::PayloadTooLarge`] at once, before buffering anything, when `len` is
    /// over the payload limit; memory grows only as bytes actually arrive.
    ///
    /// ```
    /// use volley_core::{yield_from, Co, Resume, Step, CoError};
    /// use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
    /// let mut pairs = Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
    ///     let mut input = Input::new(Limits::default().with_max_payload(4));
    ///     let pair = yield_from!(input.read_exact(2))?.to_vec();
    ///     yield_from!(input.emit(pair))?;
    ///     yield_from!(input.read_exact(5))?;
    ///     Ok(())
    /// });
    /// pairs.start().unwrap();
    /// assert_eq!(pairs.send(b"xy"), Ok(Step::Yield(Decoded::Frame(b"xy".to_vec()))));
    /// assert_eq!(
    ///     pairs.send(b""),
    ///     Err(CoError::Raised(ProtoError::PayloadTooLarge { len: 5, limit: 4 }))
    /// );
    /// ```
    pub fn read_exact(&mut self, len: usize) -> ReadExact<'_> {
        ReadExact::new(self, len, true)
    }

    /// Waits until at least `len` bytes are buffered and evaluates to them without consuming
    /// them: a protocol looks ahead to choose how to read. The payload limit applies.
    ///
    /// ```
    /// use volley_core::{yield_from, Co, Resume, Step};
    /// use volley_flow::proto::{Decoded, Input, ProtoError};
    /// let mut co = Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
    ///     let mut input = Input::default();
    ///     let binary = yield_from!(input.peek(1))?[0] == 0;
    ///     Ok((binary, input.len()))
    /// });
    /// assert_eq!(co.start(), Ok(Step::Yield(Decoded::<()>::NeedMore)));
    /// assert_eq!(co.send(b""), Ok(Step::Yield(Decoded::NeedMore)));
    /// assert_eq!(co.send(b"text"), Ok(Step::Return((false, 4))));
    /// ```
    pub fn peek(&mut self, len: usize) -> ReadExact<'_> {
        ReadExact::new(self, len, false)
    }

    /// Yields `frame` as [`Decoded::Frame`], which ends the frame, and buffers the chunk the
    /// caller answers with (usually empty: "go on").
    ///
    /// ```
    /// use volley_core::{yield_from, Co, Resume, Step};
    /// use volley_flow::proto::{Decoded, Input, ProtoError};
    /// let mut co = Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
    ///     let mut input = Input::default();
    ///     yield_from!(input.emit("hello"))?;
    ///     Ok(input.buffered().to_vec())
    /// });
    /// assert_eq!(co.start(), Ok(Step::Yield(Decoded::Frame("hello"))));
    /// assert_eq!(co.send(b"rest"), Ok(Step::Return(b"rest".to_vec())));
    /// ```
    pub fn emit<F>(&mut self, frame: F) -> Emit<'_, F> {
        Emit::new(self, Decoded::Frame(frame))
    }

    /// Yields `error` as [`Decoded::Invalid`]: the body refuses the frame it was reading and
    /// goes on with the next one. Like [`emit`](Input::emit) it ends the frame, so step over the
    /// rest of the refused frame first ([`skip_line`](Input::skip_line), [`skip`](Input::skip)).
    ///
    /// ```
    /// use volley::co;
    /// use volley::proto::{Decoded, Input, ProtoError};
    /// use volley::{yield_from, Exit, Step};
    ///
    /// /// Lines of digits; any other line is refused and decoding goes on.
    /// #[co(static, yield = Decoded<u32>, send = &'static [u8])]
    /// fn numbers() -> Result<(), Exit<ProtoError>> {
    ///     let mut input = Input::default();
    ///     loop {
    ///         let line = yield_from!(input.read_line())?;
    ///         match std::str::from_utf8(line).ok().and_then(|text| text.parse().ok()) {
    ///             Some(n) => yield_from!(input.emit(n))?,
    ///             None => yield_from!(input.reject(ProtoError::invalid("not a number")))?,
    ///         }
    ///     }
    /// }
    ///
    /// let mut numbers = numbers();
    /// numbers.start().unwrap();
    /// let refused = Decoded::Invalid(ProtoError::invalid("not a number"));
    /// assert_eq!(numbers.send(b"x1\n"), Ok(Step::Yield(refused)));
    /// assert_eq!(numbers.send(b"42\n"), Ok(Step::Yield(Decoded::Frame(42))));
    /// ```
    pub fn reject<F>(&mut self, error: ProtoError) -> Emit<'_, F> {
        Emit::new(self, Decoded::Invalid(error))
    }

    /// Discards everything up to and including the next `\n`, however long the line is, holding
    /// none of it; evaluates to the number of bytes discarded. The way past a line the body
    /// refuses (one over the line limit included: [`read_line`](Input::read_line) leaves its
    /// bytes buffered when it raises).
    ///
    /// ```
    /// use volley::co;
    /// use volley::proto::{Decoded, Input, Limits, ProtoError};
    /// use volley::{yield_from, Exit, Step};
    ///
    /// /// Lines of at most 8 bytes; a longer one is refused and stepped over.
    /// #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
    /// fn short_lines() -> Result<(), Exit<ProtoError>> {
    ///     let mut input = Input::new(Limits::default().with_max_line(8));
    ///     loop {
    ///         match yield_from!(input.read_line()) {
    ///             Ok(line) => {
    ///                 let line = line.to_vec();
    ///                 yield_from!(input.emit(line))?
    ///             }
    ///             Err(Exit::Raised(error @ ProtoError::LineTooLong { .. })) => {
    ///                 yield_from!(input.skip_line())?;
    ///                 yield_from!(input.reject(error))?;
    ///             }
    ///             Err(exit) => return Err(exit),
    ///         }
    ///     }
    /// }
    ///
    /// let mut lines = short_lines();
    /// lines.start().unwrap();
    /// // Over the limit: refused, and its bytes are dropped as they come.
    /// assert_eq!(lines.send(b"far too long a line"), Ok(Step::Yield(Decoded::NeedMore)));
    /// assert_eq!(
    ///     lines.send(b" still\nok\n"),
    ///     Ok(Step::Yield(Decoded::Invalid(ProtoError::LineTooLong { limit: 8 })))
    /// );
    /// assert_eq!(lines.send(b""), Ok(Step::Yield(Decoded::Frame(b"ok".to_vec()))));
    /// ```
    pub fn skip_line(&mut self) -> Skip<'_> {
        Skip::new(self, None)
    }

    /// Discards the next `len` bytes as they arrive, holding none of them (a payload the body
    /// refuses, however large); evaluates to `len`.
    ///
    /// ```
    /// use volley_core::{yield_from, Co, Resume, Step};
    /// use volley_flow::proto::{Decoded, Input, ProtoError};
    /// let mut co = Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
    ///     let mut input = Input::default();
    ///     yield_from!(input.skip(6))?;
    ///     Ok(yield_from!(input.read_exact(2))?.to_vec())
    /// });
    /// co.start().unwrap();
    /// assert_eq!(co.send(b"ignore"), Ok(Step::Yield(Decoded::<()>::NeedMore)));
    /// assert_eq!(co.send(b"ok"), Ok(Step::Return(b"ok".to_vec())));
    /// ```
    pub fn skip(&mut self, len: usize) -> Skip<'_> {
        Skip::new(self, Some(len))
    }

    /// Ends the current frame without handing anything out (a blank line, an empty array, a
    /// keep-alive): the bytes read so far no longer count as a half-received frame.
    /// [`emit`](Input::emit) and [`reject`](Input::reject) end frames themselves. When nothing
    /// of the next frame is buffered, a buffer grown past 16 KiB by a large frame is released.
    ///
    /// ```
    /// use volley::co;
    /// use volley::proto::{Decoded, Input, ProtoError};
    /// use volley::{yield_from, Exit};
    ///
    /// /// One frame per non-blank line.
    /// #[co(static, yield = Decoded<()>, send = &'static [u8])]
    /// fn non_blank_lines() -> Result<(), Exit<ProtoError>> {
    ///     let mut input = Input::default();
    ///     loop {
    ///         if yield_from!(input.read_line())?.is_empty() {
    ///             input.end_frame(); // a blank keep-alive line: nothing half received
    ///             continue;
    ///         }
    ///         yield_from!(input.emit(()))?;
    ///     }
    /// }
    ///
    /// let mut co = non_blank_lines();
    /// co.start().unwrap();
    /// assert_eq!(co.send(b"\r\n").unwrap().yielded(), Some(Decoded::NeedMore));
    /// assert_eq!(co.close(), Ok(None), "closed between frames: a clean end");
    /// ```
    pub fn end_frame(&mut self) {
        self.consumed_in_frame = 0;
        // Nothing of the next frame is buffered: give back what a large frame made the buffer
        // grow to, so an idle connection does not keep its peak.
        let own_empty = self.lent.is_some() || self.start == self.buf.len();
        if own_empty && self.buf.capacity() > IDLE_CAPACITY {
            self.buf = Vec::new();
            self.start = 0;
        }
    }

    /// How many bytes of a frame not yet ended have arrived: those read since the last frame
    /// ended plus those buffered. Zero at a frame boundary with nothing buffered.
    ///
    /// ```
    /// use volley_flow::proto::Input;
    /// let mut input = Input::default();
    /// input.feed(b"GET /inde");
    /// assert_eq!(input.partial_frame(), 9);
    /// ```
    pub fn partial_frame(&self) -> usize {
        self.consumed_in_frame + self.len()
    }

    /// Looks for `delimiter` in the unconsumed bytes from offset `scanned` on, remembering how
    /// far it looked. Answers the length of the bytes before it.
    pub(crate) fn find(
        &self,
        delimiter: u8,
        scanned: &mut usize,
    ) -> Result<Option<usize>, ProtoError> {
        let limit = self.limits.max_line();
        let pending = self.buffered();
        match memchr::memchr(delimiter, &pending[*scanned..]) {
            Some(at) => {
                let len = *scanned + at;
                if len > limit {
                    return Err(ProtoError::LineTooLong { limit });
                }
                Ok(Some(len))
            }
            None if pending.len() > limit => Err(ProtoError::LineTooLong { limit }),
            None => {
                *scanned = pending.len();
                Ok(None)
            }
        }
    }

    /// Consumes `len` buffered bytes and hands them out. `len` never exceeds [`Input::len`].
    pub(crate) fn consume(&mut self, len: usize) -> &[u8] {
        self.consumed_in_frame += len;
        if let Some(chunk) = &self.lent {
            let from = self.lent_start;
            self.lent_start += len;
            return &chunk.as_ref()[from..self.lent_start];
        }
        let from = self.start;
        self.start += len;
        &self.buf[from..self.start]
    }
}
