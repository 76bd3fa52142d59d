//! `futures` interop: a pull coroutine as a `Stream`, a push coroutine as a `Sink`.

use crate::{Body, Co, CoError, Step};
use futures_core::Stream;
use futures_sink::Sink;
use std::pin::Pin;
use std::task::{Context, Poll};

impl<B, Y, R, E> Co<B, (), Y, R, E>
where
    B: Body<(), Y, R, E> + Unpin,
{
    /// Turns a coroutine that takes nothing in into a `futures::Stream` of `Result<Y, E>`.
    ///
    /// Each poll resumes the body once; it never returns `Pending`.
    ///
    /// ```
    /// use futures::{executor::block_on, StreamExt};
    /// use volley_core::{co_yield, Co, Resume};
    /// let co = Co::new(#[coroutine] |_: Resume<(), String>| { co_yield!(1)?; co_yield!(2)?; Ok(()) });
    /// let items: Vec<_> = block_on(co.into_stream().collect());
    /// assert_eq!(items, [Ok(1), Ok(2)]);
    /// ```
    pub fn into_stream(self) -> CoStream<B, Y, R, E> {
        CoStream { co: self }
    }
}

/// A coroutine as a `futures::Stream`; made by [`Co::into_stream`].
///
/// ```
/// use futures::{executor::block_on, TryStreamExt};
/// use volley_core::{co_yield, Co, Resume};
/// let co = Co::new(#[coroutine] |_: Resume<(), String>| { co_yield!(3)?; Ok("end") });
/// let mut stream = co.into_stream();
/// assert_eq!(block_on(stream.try_next()), Ok(Some(3)));
/// assert_eq!(block_on(stream.try_next()), Ok(None));
/// assert_eq!(stream.take_return(), Some("end"));
/// ```
pub struct CoStream<B, Y, R, E>
where
    B: Body<(), Y, R, E> + Unpin,
{
    co: Co<B, (), Y, R, E>,
}

impl<B, Y, R, E> CoStream<B, Y, R, E>
where
    B: Body<(), Y, R, E> + Unpin,
{
    /// Takes the body's return value once the stream has ended.
    ///
    /// ```
    /// # use futures::{executor::block_on, StreamExt};
    /// # use volley_core::{Co, CoStream, Resume};
    /// let mut s = Co::new(#[coroutine] |_: Resume<(), String>| Ok::<_, _>(1)).into_stream();
    /// let first: Option<Result<u8, String>> = block_on(s.next());
    /// assert!(first.is_none());
    /// assert_eq!(s.take_return(), Some(1));
    /// ```
    pub fn take_return(&mut self) -> Option<R> {
        self.co.take_return()
    }

    /// Gives the coroutine back.
    ///
    /// ```
    /// # use volley_core::{co_yield, Co, Resume, State};
    /// let s = Co::new(#[coroutine] |_: Resume<(), String>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// })
    /// .into_stream();
    /// assert_eq!(s.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> Co<B, (), Y, R, E> {
        self.co
    }
}

impl<B, Y, R, E> Stream for CoStream<B, Y, R, E>
where
    B: Body<(), Y, R, E> + Unpin,
{
    type Item = Result<Y, E>;

    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Y, E>>> {
        Poll::Ready(self.get_mut().co.next_result())
    }
}

impl<B, S, Y, R, E> Co<B, S, Y, R, E>
where
    B: Body<S, Y, R, E> + Unpin,
{
    /// Turns a push coroutine (one that receives items by `send`) into a `futures::Sink<S>`.
    ///
    /// The sink primes the coroutine on first use; closing the sink runs [`Co::close`] and
    /// keeps its result for [`CoSink::take_result`].
    ///
    /// ```
    /// use futures::{executor::block_on, stream, SinkExt, StreamExt};
    /// use std::convert::Infallible;
    /// use volley_core::{co_yield, Co, Exit, Resume};
    ///
    /// let counter = Co::new(#[coroutine] |_: Resume<&str, Infallible>| {
    ///     let mut words = 0;
    ///     loop {
    ///         match co_yield!(()) {
    ///             Ok(_) => words += 1,
    ///             Err(Exit::Closed) => return Ok(words),
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    /// });
    /// let mut sink = counter.into_sink();
    /// block_on(sink.send_all(&mut stream::iter(["a", "b", "c"]).map(Ok))).unwrap();
    /// block_on(sink.close()).unwrap();
    /// assert_eq!(sink.take_result(), Some(3));
    /// ```
    pub fn into_sink(self) -> CoSink<B, S, Y, R, E> {
        CoSink {
            co: self,
            result: None,
        }
    }
}

/// A push coroutine as a `futures::Sink<S>`; made by [`Co::into_sink`].
///
/// ```
/// use futures::{executor::block_on, SinkExt};
/// use std::convert::Infallible;
/// use volley_core::{co_yield, Co, CoError, Resume};
/// let once = Co::new(#[coroutine] |_: Resume<u8, Infallible>| { let n = co_yield!(())?; Ok(n) });
/// let mut sink = once.into_sink();
/// block_on(sink.send(7)).unwrap();
/// assert_eq!(sink.take_result(), Some(7));
/// assert_eq!(block_on(sink.send(8)), Err(CoError::Exhausted));
/// ```
pub struct CoSink<B, S, Y, R, E>
where
    B: Body<S, Y, R, E> + Unpin,
{
    co: Co<B, S, Y, R, E>,
    result: Option<R>,
}

impl<B, S, Y, R, E> CoSink<B, S, Y, R, E>
where
    B: Body<S, Y, R, E> + Unpin,
{
    /// Takes what the coroutine returned, when it finished or was closed.
    ///
    /// ```
    /// # use futures::{executor::block_on, SinkExt};
    /// # use std::convert::Infallible;
    /// # use volley_core::{co_yield, Co, Resume};
    /// let mut sink = Co::new(#[coroutine] |_: Resume<u8, Infallible>| { co_yield!(())?; Ok("x") }).into_sink();
    /// block_on(sink.send(1)).unwrap();
    /// assert_eq!(sink.take_result(), Some("x"));
    /// ```
    pub fn take_result(&mut self) -> Option<R> {
        self.result.take()
    }

    /// Gives the coroutine back.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley_core::{co_yield, Co, Resume, State};
    /// let sink = Co::new(#[coroutine] |_: Resume<u8, Infallible>| {
    ///     co_yield!(())?;
    ///     Ok(())
    /// })
    /// .into_sink();
    /// assert_eq!(sink.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> Co<B, S, Y, R, E> {
        self.co
    }

    fn keep(&mut self, step: Result<Step<Y, R>, CoError<S, E>>) -> Result<(), CoError<S, E>> {
        match step? {
            Step::Yield(_) => Ok(()),
            Step::Return(value) => {
                self.result = Some(value);
                Ok(())
            }
        }
    }
}

// Nothing is pinned through the sink: the kept result is plain data.
impl<B, S, Y, R, E> Unpin for CoSink<B, S, Y, R, E> where B: Body<S, Y, R, E> + Unpin {}

impl<B, S, Y, R, E> Sink<S> for CoSink<B, S, Y, R, E>
where
    B: Body<S, Y, R, E> + Unpin,
{
    type Error = CoError<S, E>;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        Poll::Ready(match this.co.state() {
            crate::State::Created => {
                let step = this.co.start();
                this.keep(step)
            }
            crate::State::Suspended => Ok(()),
            crate::State::Closed => Err(CoError::Exhausted),
        })
    }

    fn start_send(self: Pin<&mut Self>, item: S) -> Result<(), Self::Error> {
        let this = self.get_mut();
        let step = this.co.send(item);
        this.keep(step)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        Poll::Ready(this.co.close().map(|value| {
            if value.is_some() {
                this.result = value;
            }
        }))
    }
}
