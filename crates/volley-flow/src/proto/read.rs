//! The reads a protocol body delegates to with `yield_from!`: each waits for its bytes by
//! yielding [`Decoded::NeedMore`] and buffers every chunk it is sent.

use super::{Chunk, Decoded, Input, ProtoError};
use volley_core::{Delegate, Exit, Resume, Step};

/// What a read does with one resume before looking at the buffer again: buffer a sent chunk,
/// or end the read on throw and close. A close is the end of the input: clean at a frame
/// boundary, [`ProtoError::Truncated`] when part of a frame has arrived.
#[inline]
fn take_resume<C, E>(input: &mut Input, resume: Resume<C, E>) -> Result<(), Exit<E>>
where
    C: Chunk,
    E: From<ProtoError>,
{
    match resume {
        Resume::Start => Ok(()),
        Resume::Send(chunk) => {
            match chunk.into_shared() {
                Ok(shared) => input.feed_shared(shared),
                Err(chunk) => input.feed(chunk.as_ref()),
            }
            Ok(())
        }
        Resume::Throw(error) => Err(Exit::Raised(error)),
        Resume::Close => match input.partial_frame() {
            0 => Err(Exit::Closed),
            buffered => Err(Exit::Raised(ProtoError::Truncated { buffered }.into())),
        },
    }
}

/// Asks for more input, after giving back a shared chunk read in place (its caller reuses it
/// for the next read).
#[inline]
fn need_more<F, T, E>(input: &mut Input) -> Step<Decoded<F>, Result<T, Exit<E>>> {
    input.give_back();
    Step::Yield(Decoded::NeedMore)
}

/// The end a read gives when it is resumed again after it finished.
#[cold]
fn finished<Y, T, E>() -> Step<Y, Result<T, Exit<E>>> {
    Step::Return(Err(Exit::Closed))
}

/// A pending [`Input::read_line`] or [`Input::read_until`]; delegate to it with `yield_from!`.
///
/// Evaluates to the bytes read, borrowed from the input: for `read_line` without the `\n` and
/// a `\r` before it, for `read_until` with the delimiter.
///
/// ```
/// use volley_core::{yield_from, Co, Resume, Step};
/// use volley_flow::proto::{Decoded, Input, ProtoError};
/// let mut co = Co::boxed(#[coroutine] static |_: Resume<Vec<u8>, ProtoError>| {
///     let mut input = Input::default();
///     let word = yield_from!(input.read_until(b' '))?.to_vec();
///     Ok(word)
/// });
/// assert_eq!(co.start(), Ok(Step::Yield(Decoded::<()>::NeedMore)));
/// assert_eq!(co.send(b"GET /".to_vec()), Ok(Step::Return(b"GET ".to_vec())));
/// ```
#[derive(Debug)]
pub struct ReadUntil<'r> {
    input: Option<&'r mut Input>,
    delimiter: u8,
    strip: bool,
    scanned: usize,
}

impl<'r> ReadUntil<'r> {
    pub(crate) fn new(input: &'r mut Input, delimiter: u8, strip: bool) -> Self {
        ReadUntil {
            input: Some(input),
            delimiter,
            strip,
            scanned: 0,
        }
    }
}

impl<'r, C, F, E> Delegate<C, Decoded<F>, E> for ReadUntil<'r>
where
    C: Chunk,
    E: From<ProtoError>,
{
    type Output = &'r [u8];

    fn delegate(&mut self, resume: Resume<C, E>) -> Step<Decoded<F>, Result<&'r [u8], Exit<E>>> {
        let Some(input) = self.input.as_deref_mut() else {
            return finished();
        };
        if let Err(exit) = take_resume(input, resume) {
            self.input = None;
            return Step::Return(Err(exit));
        }
        match input.find(self.delimiter, &mut self.scanned) {
            Ok(None) => need_more(input),
            Err(error) => {
                self.input = None;
                Step::Return(Err(Exit::Raised(error.into())))
            }
            Ok(Some(len)) => {
                let Some(input) = self.input.take() else {
                    return finished();
                };
                let line = input.consume(len + 1);
                Step::Return(Ok(if self.strip {
                    strip_line_end(line)
                } else {
                    line
                }))
            }
        }
    }
}

/// A line without its `\n` and the `\r` before it, if any.
fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A pending [`Input::read_exact`] or [`Input::peek`]; delegate to it with `yield_from!`.
///
/// ```
/// use volley_core::{yield_from, Co, Resume, Step};
/// use volley_flow::proto::{Decoded, Input, ProtoError};
/// let mut co = Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
///     let mut input = Input::default();
///     Ok(yield_from!(input.read_exact(3))?.to_vec())
/// });
/// assert_eq!(co.start(), Ok(Step::Yield(Decoded::<()>::NeedMore)));
/// assert_eq!(co.send(b"ab"), Ok(Step::Yield(Decoded::NeedMore)));
/// assert_eq!(co.send(b"cd"), Ok(Step::Return(b"abc".to_vec())));
/// ```
#[derive(Debug)]
pub struct ReadExact<'r> {
    input: Option<&'r mut Input>,
    len: usize,
    consume: bool,
}

impl<'r> ReadExact<'r> {
    pub(crate) fn new(input: &'r mut Input, len: usize, consume: bool) -> Self {
        ReadExact {
            input: Some(input),
            len,
            consume,
        }
    }
}

impl<'r, C, F, E> Delegate<C, Decoded<F>, E> for ReadExact<'r>
where
    C: Chunk,
    E: From<ProtoError>,
{
    type Output = &'r [u8];

    fn delegate(&mut self, resume: Resume<C, E>) -> Step<Decoded<F>, Result<&'r [u8], Exit<E>>> {
        let Some(input) = self.input.as_deref_mut() else {
            return finished();
        };
        let limit = input.limits().max_payload();
        if self.len > limit {
            self.input = None;
            let error = ProtoError::PayloadTooLarge {
                len: self.len,
                limit,
            };
            return Step::Return(Err(Exit::Raised(error.into())));
        }
        if let Err(exit) = take_resume(input, resume) {
            self.input = None;
            return Step::Return(Err(exit));
        }
        if input.len() < self.len {
            return need_more(input);
        }
        match self.input.take() {
            Some(input) if self.consume => Step::Return(Ok(input.consume(self.len))),
            Some(input) => Step::Return(Ok(&input.buffered()[..self.len])),
            None => finished(),
        }
    }
}

/// A pending [`Input::emit`] or [`Input::reject`]: yields one frame (or one refusal), then
/// buffers the chunk the caller answers with.
///
/// ```
/// use volley_core::{yield_from, Co, Resume, Step};
/// use volley_flow::proto::{Decoded, Input, ProtoError};
/// let mut co = Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
///     let mut input = Input::default();
///     yield_from!(input.emit(1))?;
///     yield_from!(input.emit(2))?;
///     Ok(input.len())
/// });
/// assert_eq!(co.start(), Ok(Step::Yield(Decoded::Frame(1))));
/// assert_eq!(co.send(b"ab"), Ok(Step::Yield(Decoded::Frame(2))));
/// assert_eq!(co.send(b"c"), Ok(Step::Return(3)));
/// ```
#[derive(Debug)]
pub struct Emit<'r, F> {
    input: &'r mut Input,
    item: Option<Decoded<F>>,
}

impl<'r, F> Emit<'r, F> {
    pub(crate) fn new(input: &'r mut Input, item: Decoded<F>) -> Self {
        Emit {
            input,
            item: Some(item),
        }
    }
}

impl<C, F, E> Delegate<C, Decoded<F>, E> for Emit<'_, F>
where
    C: Chunk,
    E: From<ProtoError>,
{
    type Output = ();

    fn delegate(&mut self, resume: Resume<C, E>) -> Step<Decoded<F>, Result<(), Exit<E>>> {
        if let Resume::Start = resume {
            if let Some(item) = self.item.take() {
                self.input.end_frame();
                return Step::Yield(item);
            }
            return finished();
        }
        Step::Return(take_resume(self.input, resume))
    }
}

/// A pending [`Input::skip_line`] or [`Input::skip`]: discards bytes as they arrive, holding
/// none of them, and evaluates to how many it discarded.
///
/// ```
/// use volley_core::{yield_from, Co, Resume, Step};
/// use volley_flow::proto::{Decoded, Input, ProtoError};
/// let mut co = Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
///     let mut input = Input::default();
///     let skipped = yield_from!(input.skip_line())?;
///     Ok((skipped, input.buffered().to_vec()))
/// });
/// assert_eq!(co.start(), Ok(Step::Yield(Decoded::<()>::NeedMore)));
/// assert_eq!(co.send(b"junk that never"), Ok(Step::Yield(Decoded::NeedMore)));
/// assert_eq!(co.send(b" ends\r\nnext"), Ok(Step::Return((22, b"next".to_vec()))));
/// ```
#[derive(Debug)]
pub struct Skip<'r> {
    input: Option<&'r mut Input>,
    /// `None`: through the next `\n`; `Some(n)`: `n` more bytes.
    remaining: Option<usize>,
    skipped: usize,
}

impl<'r> Skip<'r> {
    pub(crate) fn new(input: &'r mut Input, remaining: Option<usize>) -> Self {
        Skip {
            input: Some(input),
            remaining,
            skipped: 0,
        }
    }
}

impl<C, F, E> Delegate<C, Decoded<F>, E> for Skip<'_>
where
    C: Chunk,
    E: From<ProtoError>,
{
    type Output = usize;

    fn delegate(&mut self, resume: Resume<C, E>) -> Step<Decoded<F>, Result<usize, Exit<E>>> {
        let Some(input) = self.input.as_deref_mut() else {
            return finished();
        };
        if let Err(exit) = take_resume(input, resume) {
            self.input = None;
            return Step::Return(Err(exit));
        }
        let (len, done) = match self.remaining {
            None => match memchr::memchr(b'\n', input.buffered()) {
                Some(at) => (at + 1, true),
                None => (input.len(), false),
            },
            Some(remaining) => {
                let len = remaining.min(input.len());
                self.remaining = Some(remaining - len);
                (len, len == remaining)
            }
        };
        input.consume(len);
        self.skipped += len;
        if done {
            self.input = None;
            Step::Return(Ok(self.skipped))
        } else {
            need_more(input)
        }
    }
}
