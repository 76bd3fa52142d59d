//! [`CoSink`]: a push coroutine (one fed by `send`) as a sink that primes itself and keeps the
//! body's return value. It is the one coroutine-sink adapter: a `futures::Sink` (feature
//! `futures`) and, in `volley-flow`, a push-pipeline target.

use crate::body::{Answer, CloseAnswer};
use crate::{Co, CoError, Resumable, State, Step};

impl<B: Resumable> Co<B> {
    /// Turns a push coroutine (one that receives items by `send`) into a [`CoSink`]: it primes
    /// the coroutine on the first item, and closing it runs [`Co::close`] and keeps the result
    /// for [`CoSink::take_return`]. With the `futures` feature it is a `futures::Sink`.
    ///
    /// ```
    /// use futures::{executor::block_on, stream, SinkExt, StreamExt};
    /// use std::convert::Infallible;
    /// use volley::{co_yield, Co, Exit, Resume};
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
    /// assert_eq!(sink.take_return(), Some(3));
    /// ```
    pub fn into_sink(self) -> CoSink<B> {
        CoSink {
            co: self,
            result: None,
        }
    }
}

/// A push coroutine that primes itself and keeps its return value; made by [`Co::into_sink`].
///
/// [`feed`](CoSink::feed) and [`finish`](CoSink::finish) drive it by hand; with the `futures`
/// feature it is a `futures::Sink<S>` (shown here).
///
/// ```
/// use futures::{executor::block_on, SinkExt};
/// use std::convert::Infallible;
/// use volley::{co_yield, Co, CoError, Resume};
/// let once = Co::new(#[coroutine] |_: Resume<u8, Infallible>| { let n = co_yield!(())?; Ok(n) });
/// let mut sink = once.into_sink();
/// block_on(sink.send(7)).unwrap();
/// assert_eq!(sink.take_return(), Some(7));
/// assert_eq!(block_on(sink.send(8)), Err(CoError::Exhausted));
/// ```
pub struct CoSink<B: Resumable> {
    co: Co<B>,
    result: Option<B::Return>,
}

impl<B: Resumable> CoSink<B> {
    /// Takes what the coroutine returned, when it finished or was closed.
    ///
    /// ```
    /// # use futures::{executor::block_on, SinkExt};
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume};
    /// let mut sink = Co::new(#[coroutine] |_: Resume<u8, Infallible>| { co_yield!(())?; Ok("x") }).into_sink();
    /// block_on(sink.send(1)).unwrap();
    /// assert_eq!(sink.take_return(), Some("x"));
    /// ```
    pub fn take_return(&mut self) -> Option<B::Return> {
        self.result.take()
    }

    /// Gives the coroutine back.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, State};
    /// let sink = Co::new(#[coroutine] |_: Resume<u8, Infallible>| {
    ///     co_yield!(())?;
    ///     Ok(())
    /// })
    /// .into_sink();
    /// assert_eq!(sink.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> Co<B> {
        self.co
    }

    /// Sends one item, starting the coroutine first if it was never started. A body that
    /// returns keeps its value for [`take_return`](CoSink::take_return); later items answer
    /// `Err(Exhausted)`.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley::{co_yield, Co, CoError, Resume};
    /// let pair = Co::new(#[coroutine] |_: Resume<u8, Infallible>| {
    ///     let a = co_yield!(())?;
    ///     let b = co_yield!(())?;
    ///     Ok(a + b)
    /// });
    /// let mut sink = pair.into_sink();
    /// sink.feed(1).unwrap();
    /// sink.feed(2).unwrap();
    /// assert_eq!(sink.feed(3), Err(CoError::Exhausted)); // the body returned after two items
    /// assert_eq!(sink.finish(), Ok(Some(3)));
    /// ```
    #[inline]
    pub fn feed(&mut self, item: B::Send) -> Result<(), CoError<B::Send, B::Error>> {
        if self.co.state() == State::Created {
            let primed = self.co.start();
            self.keep(primed)?;
        }
        let sent = self.co.send(item);
        self.keep(sent)
    }

    /// Ends the sink: the return value the body already gave, or what [`Co::close`] answers.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley::{co_yield, Co, Exit, Resume};
    /// let mut total = Co::new(#[coroutine] |_: Resume<u32, Infallible>| {
    ///     let mut sum = 0;
    ///     loop {
    ///         match co_yield!(()) {
    ///             Ok(n) => sum += n,
    ///             Err(Exit::Closed) => return Ok(sum),
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    /// })
    /// .into_sink();
    /// total.feed(40).unwrap();
    /// total.feed(2).unwrap();
    /// assert_eq!(total.finish(), Ok(Some(42)));
    /// ```
    pub fn finish(mut self) -> CloseAnswer<B> {
        if let Some(value) = self.result.take() {
            return Ok(Some(value));
        }
        self.co.close()
    }

    fn keep(&mut self, step: Answer<B>) -> Result<(), CoError<B::Send, B::Error>> {
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
impl<B: Resumable> Unpin for CoSink<B> {}

#[cfg(feature = "futures")]
impl<B: Resumable> futures_sink::Sink<B::Send> for CoSink<B> {
    type Error = CoError<B::Send, B::Error>;

    fn poll_ready(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        std::task::Poll::Ready(match this.co.state() {
            State::Created => {
                let step = this.co.start();
                this.keep(step)
            }
            State::Suspended => Ok(()),
            State::Closed => Err(CoError::Exhausted),
        })
    }

    fn start_send(self: std::pin::Pin<&mut Self>, item: B::Send) -> Result<(), Self::Error> {
        self.get_mut().feed(item)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_close(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        std::task::Poll::Ready(this.co.close().map(|value| {
            if value.is_some() {
                this.result = value;
            }
        }))
    }
}

impl<B: Resumable> std::fmt::Debug for CoSink<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoSink")
            .field("co", &self.co)
            .field("has_result", &self.result.is_some())
            .finish()
    }
}
