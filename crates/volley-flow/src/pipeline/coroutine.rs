//! Coroutines as push targets ([`CoSink`]) and push targets as coroutines ([`into_co`]).

use super::{Close, PipelineError, Push};
use std::error::Error;
use volley_core::{co_yield, Co, CoError, CoSink, Exit, Protocol, Resumable, Resume};

/// Makes a coroutine sink (a body that receives items by `send`) a push [target](Push), like
/// Beazley's `@coroutine` decorator: it is primed by the first item, so no explicit `start`.
///
/// Closing the target runs [`Co::close`]: the body's close arm runs and its return value comes
/// back as `Some(r)` (`None` if it propagated the close). An error the body raises becomes
/// [`PipelineError::Raised`]; a body that returned early makes later sends
/// [`PipelineError::Finished`].
///
/// ```
/// use volley::pipeline::{feed, push};
/// use volley::{co, co_yield, Exit};
///
/// /// Keeps the longest word it is sent; hands it back when closed.
/// #[co(send = String)]
/// fn longest() -> Result<String, Exit> {
///     let mut best = String::new();
///     loop {
///         match co_yield!(()) {
///             Ok(word) if word.len() > best.len() => best = word,
///             Ok(_) => {}
///             Err(Exit::Closed) => return Ok(best),
///             Err(e) => return Err(e),
///         }
///     }
/// }
///
/// let words = ["a", "coroutine", "sink"].map(String::from);
/// assert_eq!(feed(words, push::sink(longest())).unwrap(), Some("coroutine".to_string()));
/// ```
pub fn sink<B: Resumable>(co: Co<B>) -> CoSink<B> {
    co.into_sink()
}

fn from_co_error<T, E>(error: CoError<T, E>) -> PipelineError
where
    E: Into<Box<dyn Error + Send + Sync>>,
{
    match error {
        CoError::Raised(e) => PipelineError::Raised(e.into()),
        CoError::IgnoredClose => PipelineError::IgnoredClose,
        CoError::NotStarted(_) | CoError::AlreadyStarted | CoError::Exhausted => {
            PipelineError::Finished
        }
    }
}

/// A [`CoSink`] is a push target: each item is [`CoSink::feed`]ed (the first one primes the
/// body), and closing the target is [`CoSink::finish`].
impl<B> Push<B::Send> for CoSink<B>
where
    B: Resumable,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    #[inline]
    fn send(&mut self, item: B::Send) -> Result<(), PipelineError> {
        self.feed(item).map_err(from_co_error)
    }
}

impl<B> Close for CoSink<B>
where
    B: Resumable,
    B::Error: Into<Box<dyn Error + Send + Sync>>,
{
    type Output = Option<B::Return>;

    fn close(self) -> Result<Option<B::Return>, PipelineError> {
        self.finish().map_err(from_co_error)
    }
}

/// Turns any push target (a stage chain, an aggregate) into a coroutine sink: `start` it, feed it
/// with `send`, and `close` hands back the target's result as `Ok(Some(result))`.
///
/// ```
/// use volley_flow::pipeline::{aggregate, push};
/// let mut total = push::into_co(aggregate::sum::<u32>());
/// total.start().unwrap();
/// total.send(20).unwrap();
/// total.send(22).unwrap();
/// assert_eq!(total.close().unwrap(), Some(42));
/// ```
pub fn into_co<T, P>(target: P) -> Co<impl Protocol<T, (), P::Output, PipelineError>>
where
    P: Push<T>,
{
    Co::new(
        #[coroutine]
        move |_: Resume<T, PipelineError>| {
            let mut target = target;
            loop {
                match co_yield!(()) {
                    Ok(item) => target.send(item)?,
                    Err(Exit::Closed) => return target.close().map_err(Exit::Raised),
                    Err(raised) => return Err(raised),
                }
            }
        },
    )
}
