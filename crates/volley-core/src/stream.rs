//! `futures` interop: a pull coroutine as a `Stream`.

use crate::{Co, Resumable};
use futures_core::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

impl<B> Co<B>
where
    B: Resumable<Send = ()>,
{
    /// Turns a coroutine that takes nothing in into a `futures::Stream` of `Result<Y, E>`.
    ///
    /// Each poll resumes the body once; it never returns `Pending`.
    ///
    /// ```
    /// use futures::{executor::block_on, StreamExt};
    /// use volley::{co_yield, Co, Resume};
    /// let co = Co::new(#[coroutine] |_: Resume<(), String>| { co_yield!(1)?; co_yield!(2)?; Ok(()) });
    /// let items: Vec<_> = block_on(co.into_stream().collect());
    /// assert_eq!(items, [Ok(1), Ok(2)]);
    /// ```
    pub fn into_stream(self) -> CoStream<B> {
        CoStream { co: self }
    }
}

/// A coroutine as a `futures::Stream`; made by [`Co::into_stream`].
///
/// ```
/// use futures::{executor::block_on, TryStreamExt};
/// use volley::{co_yield, Co, Resume};
/// let co = Co::new(#[coroutine] |_: Resume<(), String>| { co_yield!(3)?; Ok("end") });
/// let mut stream = co.into_stream();
/// assert_eq!(block_on(stream.try_next()), Ok(Some(3)));
/// assert_eq!(block_on(stream.try_next()), Ok(None));
/// assert_eq!(stream.take_return(), Some("end"));
/// ```
#[must_use = "streams are lazy: the body runs only as the stream is polled"]
pub struct CoStream<B>
where
    B: Resumable<Send = ()>,
{
    co: Co<B>,
}

impl<B> CoStream<B>
where
    B: Resumable<Send = ()>,
{
    /// Takes the body's return value once the stream has ended.
    ///
    /// ```
    /// # use futures::{executor::block_on, StreamExt};
    /// # use volley::{Co, CoStream, Resume};
    /// let mut s = Co::new(#[coroutine] |_: Resume<(), String>| Ok::<_, _>(1)).into_stream();
    /// let first: Option<Result<u8, String>> = block_on(s.next());
    /// assert!(first.is_none());
    /// assert_eq!(s.take_return(), Some(1));
    /// ```
    pub fn take_return(&mut self) -> Option<B::Return> {
        self.co.take_return()
    }

    /// Gives the coroutine back.
    ///
    /// ```
    /// # use volley::{co_yield, Co, Resume, State};
    /// let s = Co::new(#[coroutine] |_: Resume<(), String>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// })
    /// .into_stream();
    /// assert_eq!(s.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> Co<B> {
        self.co
    }
}

impl<B> Stream for CoStream<B>
where
    B: Resumable<Send = ()>,
{
    type Item = Result<B::Yield, B::Error>;

    fn poll_next(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<B::Yield, B::Error>>> {
        Poll::Ready(self.get_mut().co.next_result())
    }
}

impl<B: Resumable<Send = ()>> std::fmt::Debug for CoStream<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CoStream").field(&self.co).finish()
    }
}
