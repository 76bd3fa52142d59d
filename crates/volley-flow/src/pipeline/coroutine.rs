//! Coroutines as push targets and push targets as coroutines.

use super::{Close, PipelineError, Push};
use std::error::Error;
use volley_core::{co_yield, Body, Co, CoError, Exit, Resume, Step};

/// Makes a coroutine sink (a body that receives items by `send`) a push [target](Push), like
/// Beazley's `@coroutine` decorator: it is primed by the first item, so no explicit `start`.
///
/// Closing the target runs [`Co::close`]: the body's close arm runs and its return value comes
/// back as `Some(r)` (`None` if it propagated the close). An error the body raises becomes
/// [`PipelineError::Raised`]; a body that returned early makes later sends
/// [`PipelineError::Finished`].
///
/// ```
/// use std::convert::Infallible;
/// use volley_core::{co_yield, Co, Exit, Resume};
/// use volley_flow::pipeline::{feed, push};
///
/// let longest = Co::new(#[coroutine] |_: Resume<String, Infallible>| {
///     let mut best = String::new();
///     loop {
///         match co_yield!(()) {
///             Ok(word) if word.len() > best.len() => best = word,
///             Ok(_) => {}
///             Err(Exit::Closed) => return Ok(best),
///             Err(e) => return Err(e),
///         }
///     }
/// });
/// let words = ["a", "coroutine", "sink"].map(String::from);
/// assert_eq!(feed(words, push::sink(longest)).unwrap(), Some("coroutine".to_string()));
/// ```
pub fn sink<B, T, Y, R, E>(co: Co<B, T, Y, R, E>) -> CoTarget<B, T, Y, R, E>
where
    B: Body<T, Y, R, E> + Unpin,
{
    CoTarget { co, returned: None }
}

/// A coroutine used as a push target; made by [`sink`].
///
/// ```
/// use std::convert::Infallible;
/// use volley_core::{co_yield, Co, Resume};
/// use volley_flow::pipeline::{push, Close, Push};
/// let first_two = Co::new(#[coroutine] |_: Resume<u8, Infallible>| {
///     let a = co_yield!(())?;
///     let b = co_yield!(())?;
///     Ok(a + b)
/// });
/// let mut t: push::CoTarget<_, _, _, _, _> = push::sink(first_two);
/// t.send(1).unwrap();
/// t.send(2).unwrap();
/// assert!(t.send(3).is_err()); // the body returned after two items
/// assert_eq!(t.close().unwrap(), Some(3));
/// ```
pub struct CoTarget<B, T, Y, R, E>
where
    B: Body<T, Y, R, E> + Unpin,
{
    co: Co<B, T, Y, R, E>,
    returned: Option<R>,
}

impl<B, T, Y, R, E> CoTarget<B, T, Y, R, E>
where
    B: Body<T, Y, R, E> + Unpin,
{
    /// Gives the coroutine back.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley_core::{co_yield, Co, Resume, State};
    /// use volley_flow::pipeline::push;
    /// let t = push::sink(Co::new(#[coroutine] |_: Resume<u8, Infallible>| { co_yield!(())?; Ok(()) }));
    /// assert_eq!(t.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> Co<B, T, Y, R, E> {
        self.co
    }

    fn step(&mut self, step: Result<Step<Y, R>, CoError<T, E>>) -> Result<(), PipelineError>
    where
        E: Into<Box<dyn Error + Send + Sync>>,
    {
        match step {
            Ok(Step::Yield(_)) => Ok(()),
            Ok(Step::Return(value)) => {
                self.returned = Some(value);
                Ok(())
            }
            Err(error) => Err(from_co_error(error)),
        }
    }
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

impl<B, T, Y, R, E> Push<T> for CoTarget<B, T, Y, R, E>
where
    B: Body<T, Y, R, E> + Unpin,
    E: Into<Box<dyn Error + Send + Sync>>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        if self.co.state() == volley_core::State::Created {
            let primed = self.co.start();
            self.step(primed)?;
        }
        let sent = self.co.send(item);
        self.step(sent)
    }
}

impl<B, T, Y, R, E> Close for CoTarget<B, T, Y, R, E>
where
    B: Body<T, Y, R, E> + Unpin,
    E: Into<Box<dyn Error + Send + Sync>>,
{
    type Output = Option<R>;

    fn close(mut self) -> Result<Option<R>, PipelineError> {
        if let Some(value) = self.returned.take() {
            return Ok(Some(value));
        }
        self.co.close().map_err(from_co_error)
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
#[allow(clippy::type_complexity)]
pub fn into_co<T, P>(
    target: P,
) -> Co<impl Body<T, (), P::Output, PipelineError> + Unpin, T, (), P::Output, PipelineError>
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
