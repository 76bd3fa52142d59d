//! Driving a protocol body chunk by chunk: each chunk in, an iterator of the frames it completed out.

use super::Decoded;
use std::collections::VecDeque;
use std::fmt;
use volley_core::{Answer, CloseAnswer, Co, CoError, Resumable, State, Step};

/// Drives a protocol body (a [`Co`] yielding [`Decoded`] frames) one chunk at a time.
///
/// [`feed`](Decoder::feed) sends a chunk at once, so no input is ever lost, and answers an
/// iterator of the frames that chunk completed; frames left when the iterator is dropped are
/// handed out by the next one. An error the body raises comes out as an `Err` item, after the
/// frames decoded before it; the body is then finished and later chunks are dropped.
///
/// ```
/// use volley_core::{yield_from, BoxCo, Co, Resume};
/// use volley_flow::proto::{Decoded, Decoder, Input, Limits, ProtoError};
///
/// /// A line protocol: each line is a frame.
/// fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
///     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
///         let mut input = Input::new(limits);
///         loop {
///             let line = yield_from!(input.read_line())?.to_vec();
///             yield_from!(input.emit(line))?;
///         }
///     })
/// }
///
/// let mut decoder = Decoder::new(lines::<Vec<u8>>(Limits::default()));
/// let first: Vec<_> = decoder.feed(b"PING\r\nECHO".to_vec()).collect();
/// assert_eq!(first.len(), 1);
/// let second: Vec<_> = decoder.feed(b" hi\r\n".to_vec()).collect();
/// assert_eq!(second[0].as_ref().unwrap(), b"ECHO hi");
/// ```
pub struct Decoder<B>
where
    B: Resumable,
    B::Yield: DecodedItem,
{
    co: Co<B>,
    ready: VecDeque<Result<FrameOf<B>, B::Error>>,
    after_frame: bool,
    returned: Option<B::Return>,
}

/// The frame type of a protocol body `B`.
type FrameOf<B> = <<B as Resumable>::Yield as DecodedItem>::Frame;

/// What a protocol body yields: [`Decoded<F>`], through which a [`Decoder`] learns the frame
/// type `F` without making its users spell it.
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
    /// Wraps a protocol body that has not been started yet.
    ///
    /// ```
    /// # use volley_core::{yield_from, BoxCo, Co, Resume};
    /// # use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
    /// # fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
    /// #     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
    /// #         let mut input = Input::new(limits);
    /// #         loop {
    /// #             let line = yield_from!(input.read_line())?.to_vec();
    /// #             yield_from!(input.emit(line))?;
    /// #         }
    /// #     })
    /// # }
    /// use volley_flow::proto::Decoder;
    /// let decoder = Decoder::new(lines::<&'static [u8]>(Limits::default()));
    /// assert!(!decoder.is_finished());
    /// ```
    pub fn new(co: Co<B>) -> Self {
        Decoder {
            co,
            ready: VecDeque::new(),
            after_frame: false,
            returned: None,
        }
    }

    /// Sends `chunk` to the body and iterates over the frames it completed.
    ///
    /// ```
    /// # use volley_core::{yield_from, BoxCo, Co, Resume};
    /// # use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
    /// # fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
    /// #     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
    /// #         let mut input = Input::new(limits);
    /// #         loop {
    /// #             let line = yield_from!(input.read_line())?.to_vec();
    /// #             yield_from!(input.emit(line))?;
    /// #         }
    /// #     })
    /// # }
    /// use volley_flow::proto::Decoder;
    /// let mut decoder = Decoder::new(lines::<&'static [u8]>(Limits::default()));
    /// assert_eq!(decoder.feed(b"PING\r\nPING\r\nPI").count(), 2);
    /// assert_eq!(decoder.feed(b"NG\r\n").count(), 1);
    /// ```
    pub fn feed(&mut self, chunk: B::Send) -> Frames<'_, B> {
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

    /// Whether the body has finished (returned, raised, or was closed): later chunks are dropped.
    ///
    /// ```
    /// # use volley_core::{yield_from, BoxCo, Co, Resume};
    /// # use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
    /// # fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
    /// #     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
    /// #         let mut input = Input::new(limits);
    /// #         loop {
    /// #             let line = yield_from!(input.read_line())?.to_vec();
    /// #             yield_from!(input.emit(line))?;
    /// #         }
    /// #     })
    /// # }
    /// use volley_flow::proto::Decoder;
    /// let mut decoder = Decoder::new(lines::<&'static [u8]>(Limits::default().max_line(4)));
    /// let items: Vec<_> = decoder.feed(b"too long\r\n").collect();
    /// assert!(items[0].is_err());
    /// assert!(decoder.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.co.state() == State::Closed
    }

    /// The body's return value, once, if it returned.
    ///
    /// ```
    /// # use volley_core::{yield_from, BoxCo, Co, Resume};
    /// # use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
    /// # fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
    /// #     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
    /// #         let mut input = Input::new(limits);
    /// #         loop {
    /// #             let line = yield_from!(input.read_line())?.to_vec();
    /// #             yield_from!(input.emit(line))?;
    /// #         }
    /// #     })
    /// # }
    /// use volley_flow::proto::Decoder;
    /// let mut decoder = Decoder::new(lines::<&'static [u8]>(Limits::default()));
    /// assert_eq!(decoder.take_return(), None);
    /// ```
    pub fn take_return(&mut self) -> Option<B::Return> {
        self.returned.take()
    }

    /// Closes the body (the end of input): its cleanup runs, and its answer to the close comes
    /// back as from [`Co::close`].
    ///
    /// ```
    /// # use volley_core::{yield_from, BoxCo, Co, Resume};
    /// # use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
    /// # fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
    /// #     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
    /// #         let mut input = Input::new(limits);
    /// #         loop {
    /// #             let line = yield_from!(input.read_line())?.to_vec();
    /// #             yield_from!(input.emit(line))?;
    /// #         }
    /// #     })
    /// # }
    /// use volley_flow::proto::Decoder;
    /// let mut decoder = Decoder::new(lines::<&'static [u8]>(Limits::default()));
    /// decoder.feed(b"PI").count();
    /// assert_eq!(decoder.close(), Ok(None));
    /// assert!(decoder.is_finished());
    /// ```
    pub fn close(&mut self) -> CloseAnswer<B> {
        self.after_frame = false;
        self.co.close()
    }

    /// The coroutine being driven.
    ///
    /// ```
    /// # use volley_core::{yield_from, BoxCo, Co, Resume};
    /// # use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
    /// # fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
    /// #     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
    /// #         let mut input = Input::new(limits);
    /// #         loop {
    /// #             let line = yield_from!(input.read_line())?.to_vec();
    /// #             yield_from!(input.emit(line))?;
    /// #         }
    /// #     })
    /// # }
    /// use volley_flow::proto::Decoder;
    /// use volley_core::State;
    /// let decoder = Decoder::new(lines::<&'static [u8]>(Limits::default()));
    /// assert_eq!(decoder.co().state(), State::Created);
    /// ```
    pub fn co(&self) -> &Co<B> {
        &self.co
    }

    /// Records what one resume produced.
    fn absorb(&mut self, out: Answer<B>) {
        self.after_frame = false;
        match out {
            Ok(Step::Yield(item)) => {
                if let Decoded::Frame(frame) = item.into_decoded() {
                    self.ready.push_back(Ok(frame));
                    self.after_frame = true;
                }
            }
            Ok(Step::Return(value)) => self.returned = Some(value),
            Err(CoError::Raised(error)) => self.ready.push_back(Err(error)),
            // Not reachable from the states `feed` and `next` resume in; nothing to hand out.
            Err(_) => {}
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

/// The frames one chunk completed, from [`Decoder::feed`]. Each item is a frame or the error
/// that ended the body.
///
/// ```
/// # use volley_core::{yield_from, BoxCo, Co, Resume};
/// # use volley_flow::proto::{Decoded, Input, Limits, ProtoError};
/// # fn lines<C: AsRef<[u8]> + 'static>(limits: Limits) -> BoxCo<'static, C, Decoded<Vec<u8>>, (), ProtoError> {
/// #     Co::boxed(#[coroutine] static move |_: Resume<C, ProtoError>| {
/// #         let mut input = Input::new(limits);
/// #         loop {
/// #             let line = yield_from!(input.read_line())?.to_vec();
/// #             yield_from!(input.emit(line))?;
/// #         }
/// #     })
/// # }
/// use volley_flow::proto::Decoder;
/// let mut decoder = Decoder::new(lines::<&'static [u8]>(Limits::default()));
/// for line in decoder.feed(b"PING\r\n") {
///     assert_eq!(line.unwrap(), b"PING");
/// }
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
    B::Send: Default,
{
    type Item = Result<FrameOf<B>, B::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let decoder = &mut *self.decoder;
        if let Some(item) = decoder.ready.pop_front() {
            return Some(item);
        }
        if decoder.after_frame && decoder.co.state() == State::Suspended {
            let out = decoder.co.send(B::Send::default());
            decoder.absorb(out);
        }
        decoder.ready.pop_front()
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
