//! Driving a protocol body chunk by chunk: each chunk in, an iterator of the frames it completed out.

use super::{Decoded, ProtoError};
use std::collections::VecDeque;
use std::fmt;
use volley_core::{Answer, CloseAnswer, Co, CoError, Resumable, State, Step};

/// Drives a protocol body (a [`Co`] yielding [`Decoded`] frames) one chunk at a time.
///
/// [`feed`](Decoder::feed) sends a chunk at once, so no input is ever lost, and answers an
/// iterator of the frames that chunk completed; frames left when the iterator is dropped are
/// handed out by the next one. [`finish`](Decoder::finish) marks the end of the input.
///
/// Errors come out as `Err` items, in order with the frames:
/// - a frame the body refused and stepped over ([`Decoded::Invalid`]): decoding goes on;
/// - an error the body raised: the body is finished, and later chunks are dropped;
/// - at [`finish`](Decoder::finish), a frame cut short: [`ProtoError::Truncated`], raised by the
///   body's reads (or whatever the body's close handler raises).
///
/// [`is_finished`](Decoder::is_finished) tells the last two from the first.
///
/// Dropping a decoder abandons its input: the body is closed without a report.
///
/// The body's error type converts from [`ProtoError`] (as it must for its [`Input`](super::Input)
/// reads), so a refusal, which always carries a `ProtoError`, comes out as that error type.
///
/// ```
/// use volley::proto::{Decoded, Decoder, Input, Limits, ProtoError};
/// use volley::{co, yield_from, Exit};
///
/// /// A line protocol: each line is a frame.
/// #[co(static, yield = Decoded<Vec<u8>>, send = Vec<u8>)]
/// fn lines(limits: Limits) -> Result<(), Exit<ProtoError>> {
///     let mut input = Input::new(limits);
///     loop {
///         let line = yield_from!(input.read_line())?.to_vec();
///         yield_from!(input.emit(line))?;
///     }
/// }
///
/// let mut decoder = Decoder::new(lines(Limits::default()));
/// let first: Vec<_> = decoder.feed(b"PING\r\nECHO".to_vec()).collect();
/// assert_eq!(first, [Ok(b"PING".to_vec())]);
/// let second: Vec<_> = decoder.feed(b" hi\r\n".to_vec()).collect();
/// assert_eq!(second, [Ok(b"ECHO hi".to_vec())]);
/// assert_eq!(decoder.finish().count(), 0, "the input ended between frames");
/// ```
pub struct Decoder<B>
where
    B: Resumable,
    B::Yield: DecodedItem,
{
    co: Co<B>,
    ready: VecDeque<Result<FrameOf<B>, B::Error>>,
    /// The body last yielded a frame (or a refusal): it may decode more from what it holds.
    after_frame: bool,
    /// [`Decoder::finish`] was called: no more input comes, close the body once it is drained.
    finishing: bool,
    /// The body yielded again when closed at the end of the input: it is not asked again.
    close_refused: bool,
    returned: Option<B::Return>,
}

/// The frame type of a protocol body `B`.
type FrameOf<B> = <<B as Resumable>::Yield as DecodedItem>::Frame;

/// What a protocol body yields: [`Decoded<F>`], through which a [`Decoder`] learns the frame
/// type `F` without making its users spell it. Generic code names a body's frames with it:
///
/// ```
/// use volley::proto::{DecodedItem, Decoder, ProtoError};
/// use volley::{Co, Resumable};
///
/// /// Everything one chunk decodes to, with any protocol body.
/// fn decode_one<B>(body: Co<B>, chunk: B::Send) -> Vec<Result<<B::Yield as DecodedItem>::Frame, B::Error>>
/// where
///     B: Resumable,
///     B::Yield: DecodedItem,
///     B::Error: From<ProtoError>,
///     B::Send: Default,
/// {
///     Decoder::new(body).feed(chunk).collect()
/// }
/// # use volley::proto::{Decoded, Input};
/// # use volley::{co, yield_from, Exit};
/// # #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
/// # fn lines() -> Result<(), Exit<ProtoError>> {
/// #     let mut input = Input::default();
/// #     loop {
/// #         let line = yield_from!(input.read_line())?.to_vec();
/// #         yield_from!(input.emit(line))?;
/// #     }
/// # }
///
/// assert_eq!(decode_one(lines(), b"a\nb\nc"), [Ok(b"a".to_vec()), Ok(b"b".to_vec())]);
/// ```
pub trait DecodedItem {
    /// The frame type.
    type Frame;
    /// The yielded value as a [`Decoded`].
    fn into_decoded(self) -> Decoded<Self::Frame>;
}

impl<F> DecodedItem for Decoded<F> {
    type Frame = F;
    #[inline]
    fn into_decoded(self) -> Decoded<F> {
        self
    }
}

impl<B> Decoder<B>
where
    B: Resumable,
    B::Yield: DecodedItem,
{
    /// Wraps a protocol body that has not been started yet; it starts with the first chunk.
    ///
    /// ```
    /// # use volley::proto::{Decoded, Input, Limits, ProtoError};
    /// # use volley::{co, yield_from, Exit};
    /// # /// Each line of at most 16 bytes is a frame; a longer line ends the body.
    /// # #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
    /// # fn lines() -> Result<(), Exit<ProtoError>> {
    /// #     let mut input = Input::new(Limits::default().with_max_line(16));
    /// #     loop {
    /// #         let line = yield_from!(input.read_line())?.to_vec();
    /// #         yield_from!(input.emit(line))?;
    /// #     }
    /// # }
    /// use volley::proto::Decoder;
    /// use volley::State;
    /// let mut decoder = Decoder::new(lines());
    /// assert_eq!(decoder.co().state(), State::Created, "nothing runs before the first chunk");
    /// assert_eq!(decoder.feed(b"PING\r\n").count(), 1);
    /// assert_eq!(decoder.co().state(), State::Suspended);
    /// ```
    pub fn new(co: Co<B>) -> Self {
        Decoder {
            co,
            ready: VecDeque::new(),
            after_frame: false,
            finishing: false,
            close_refused: false,
            returned: None,
        }
    }

    /// Whether the body has finished (returned, raised, or was closed): later chunks are dropped.
    ///
    /// ```
    /// # use volley::proto::{Decoded, Input, Limits, ProtoError};
    /// # use volley::{co, yield_from, Exit};
    /// # /// Each line of at most 16 bytes is a frame; a longer line ends the body.
    /// # #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
    /// # fn lines() -> Result<(), Exit<ProtoError>> {
    /// #     let mut input = Input::new(Limits::default().with_max_line(16));
    /// #     loop {
    /// #         let line = yield_from!(input.read_line())?.to_vec();
    /// #         yield_from!(input.emit(line))?;
    /// #     }
    /// # }
    /// use volley::proto::Decoder;
    /// let mut decoder = Decoder::new(lines());
    /// let items: Vec<_> = decoder.feed(b"ok\na line far too long\n").collect();
    /// assert_eq!(items, [Ok(b"ok".to_vec()), Err(ProtoError::LineTooLong { limit: 16 })]);
    /// assert!(decoder.is_finished());
    /// assert_eq!(decoder.feed(b"more\n").count(), 0, "later chunks are dropped");
    /// ```
    pub fn is_finished(&self) -> bool {
        self.co.state() == State::Closed
    }

    /// The body's return value, once, if it returned.
    ///
    /// ```
    /// use volley_core::{yield_from, Co, Resume};
    /// use volley_flow::proto::{Decoder, Input, ProtoError};
    /// // Counts the lines until "QUIT", then returns the count.
    /// let mut decoder = Decoder::new(Co::boxed(#[coroutine] static |_: Resume<&'static [u8], ProtoError>| {
    ///     let mut input = Input::default();
    ///     let mut lines = 0;
    ///     while yield_from!(input.read_line())? != b"QUIT" {
    ///         lines += 1;
    ///         yield_from!(input.emit(lines))?;
    ///     }
    ///     Ok(lines)
    /// }));
    /// assert_eq!(decoder.feed(b"a\nb\nQUIT\n").count(), 2);
    /// assert_eq!(decoder.take_return(), Some(2));
    /// assert_eq!(decoder.take_return(), None);
    /// ```
    pub fn take_return(&mut self) -> Option<B::Return> {
        self.returned.take()
    }

    /// The coroutine being driven.
    ///
    /// ```
    /// # use volley::proto::{Decoded, Input, Limits, ProtoError};
    /// # use volley::{co, yield_from, Exit};
    /// # /// Each line of at most 16 bytes is a frame; a longer line ends the body.
    /// # #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
    /// # fn lines() -> Result<(), Exit<ProtoError>> {
    /// #     let mut input = Input::new(Limits::default().with_max_line(16));
    /// #     loop {
    /// #         let line = yield_from!(input.read_line())?.to_vec();
    /// #         yield_from!(input.emit(line))?;
    /// #     }
    /// # }
    /// use volley::proto::Decoder;
    /// let decoder = Decoder::new(lines());
    /// assert_eq!(decoder.co().name(), "lines");
    /// ```
    pub fn co(&self) -> &Co<B> {
        &self.co
    }
}

impl<B> Decoder<B>
where
    B: Resumable,
    B::Yield: DecodedItem,
    B::Error: From<ProtoError>,
{
    /// Sends `chunk` to the body and iterates over the frames it completed.
    ///
    /// ```
    /// # use volley::proto::{Decoded, Input, Limits, ProtoError};
    /// # use volley::{co, yield_from, Exit};
    /// # /// Each line of at most 16 bytes is a frame; a longer line ends the body.
    /// # #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
    /// # fn lines() -> Result<(), Exit<ProtoError>> {
    /// #     let mut input = Input::new(Limits::default().with_max_line(16));
    /// #     loop {
    /// #         let line = yield_from!(input.read_line())?.to_vec();
    /// #         yield_from!(input.emit(line))?;
    /// #     }
    /// # }
    /// use volley::proto::Decoder;
    /// let mut decoder = Decoder::new(lines());
    /// assert_eq!(decoder.feed(b"PING\r\nPING\r\nPI").count(), 2);
    /// assert_eq!(decoder.feed(b"NG\r\n").count(), 1);
    /// ```
    pub fn feed(&mut self, chunk: B::Send) -> Frames<'_, B> {
        if self.finishing {
            return Frames { decoder: self };
        }
        if self.co.state() == State::Created {
            let out = self.co.start();
            self.absorb(out);
        }
        if self.co.state() == State::Suspended {
            let out = self.co.send(chunk);
            self.absorb(out);
        }
        Frames { decoder: self }
    }

    /// Ends the input and iterates over what is left: the frames still buffered, then, if the
    /// input ended inside a frame, the error the body raises when closed there
    /// ([`ProtoError::Truncated`] from its reads). The body is finished afterwards; its return
    /// value, if it returned one, is kept for [`take_return`](Decoder::take_return).
    ///
    /// ```
    /// # use volley::proto::{Decoded, Input, Limits, ProtoError};
    /// # use volley::{co, yield_from, Exit};
    /// # /// Each line of at most 16 bytes is a frame; a longer line ends the body.
    /// # #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
    /// # fn lines() -> Result<(), Exit<ProtoError>> {
    /// #     let mut input = Input::new(Limits::default().with_max_line(16));
    /// #     loop {
    /// #         let line = yield_from!(input.read_line())?.to_vec();
    /// #         yield_from!(input.emit(line))?;
    /// #     }
    /// # }
    /// use volley::proto::Decoder;
    ///
    /// let mut clean = Decoder::new(lines());
    /// assert_eq!(clean.feed(b"PING\r\n").count(), 1);
    /// assert!(clean.finish().next().is_none(), "the input ended between frames");
    ///
    /// let mut cut = Decoder::new(lines());
    /// assert_eq!(cut.feed(b"PING\r\nPI").count(), 1);
    /// let rest: Vec<_> = cut.finish().collect();
    /// assert_eq!(rest, [Err(ProtoError::Truncated { buffered: 2 })]);
    /// assert!(cut.is_finished());
    /// ```
    pub fn finish(&mut self) -> Frames<'_, B> {
        self.finishing = true;
        Frames { decoder: self }
    }

    /// Records what one resume produced.
    fn absorb(&mut self, out: Answer<B>) {
        self.after_frame = false;
        match out {
            Ok(Step::Yield(item)) => match item.into_decoded() {
                Decoded::Frame(frame) => {
                    self.ready.push_back(Ok(frame));
                    self.after_frame = true;
                }
                Decoded::Invalid(error) => {
                    self.ready.push_back(Err(error.into()));
                    self.after_frame = true;
                }
                Decoded::NeedMore => {}
            },
            Ok(Step::Return(value)) => self.returned = Some(value),
            Err(CoError::Raised(error)) => self.ready.push_back(Err(error)),
            // Not reachable from the states `feed` and `next` resume in; nothing to hand out.
            Err(_) => {}
        }
    }

    /// Records how the body answered the close that ends the input.
    fn absorb_close(&mut self, out: CloseAnswer<B>) {
        match out {
            Ok(Some(value)) => self.returned = Some(value),
            Ok(None) => {}
            Err(CoError::Raised(error)) => self.ready.push_back(Err(error)),
            // A body that yields again after the close stays suspended: stop asking, and let
            // dropping the decoder close it once more.
            Err(_) => self.close_refused = true,
        }
    }
}

impl<B> Drop for Decoder<B>
where
    B: Resumable,
    B::Yield: DecodedItem,
{
    /// Closes a body still waiting for input and drops its answer: whoever drops a decoder has
    /// given up on the input, and a frame cut short is no news to them. (Without this, the
    /// body's [`ProtoError::Truncated`] would be reported as a failed cleanup.)
    fn drop(&mut self) {
        if self.co.state() == State::Suspended && !std::thread::panicking() {
            let _abandoned = self.co.close();
        }
    }
}

impl<B> fmt::Debug for Decoder<B>
where
    B: Resumable,
    B::Yield: DecodedItem,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("co", &self.co)
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}

/// The frames one chunk completed, from [`Decoder::feed`] (or those left at the end of the input,
/// from [`Decoder::finish`]). Each item is a frame or an error: a refused frame, or the error
/// that ended the body.
///
/// ```
/// # use volley::proto::{Decoded, Input, Limits, ProtoError};
/// # use volley::{co, yield_from, Exit};
/// # /// Each line of at most 16 bytes is a frame; a longer line ends the body.
/// # #[co(static, yield = Decoded<Vec<u8>>, send = &'static [u8])]
/// # fn lines() -> Result<(), Exit<ProtoError>> {
/// #     let mut input = Input::new(Limits::default().with_max_line(16));
/// #     loop {
/// #         let line = yield_from!(input.read_line())?.to_vec();
/// #         yield_from!(input.emit(line))?;
/// #     }
/// # }
/// use volley::proto::Decoder;
/// let mut decoder = Decoder::new(lines());
/// let mut frames = decoder.feed(b"PING\r\nPONG\r\n");
/// assert_eq!(frames.next(), Some(Ok(b"PING".to_vec())));
/// assert_eq!(frames.next(), Some(Ok(b"PONG".to_vec())));
/// assert_eq!(frames.next(), None);
/// ```
pub struct Frames<'d, B>
where
    B: Resumable,
    B::Yield: DecodedItem,
{
    decoder: &'d mut Decoder<B>,
}

impl<B> Iterator for Frames<'_, B>
where
    B: Resumable,
    B::Yield: DecodedItem,
    B::Error: From<ProtoError>,
    B::Send: Default,
{
    type Item = Result<FrameOf<B>, B::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let decoder = &mut *self.decoder;
        loop {
            if let Some(item) = decoder.ready.pop_front() {
                return Some(item);
            }
            if decoder.after_frame && decoder.co.state() == State::Suspended {
                let out = decoder.co.send(B::Send::default());
                decoder.absorb(out);
                if decoder.after_frame || !decoder.ready.is_empty() {
                    continue;
                }
            }
            if decoder.finishing && !decoder.close_refused && decoder.co.state() != State::Closed {
                let out = decoder.co.close();
                decoder.absorb_close(out);
                continue;
            }
            return None;
        }
    }
}

impl<B> fmt::Debug for Frames<'_, B>
where
    B: Resumable,
    B::Yield: DecodedItem,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frames").finish_non_exhaustive()
    }
}
