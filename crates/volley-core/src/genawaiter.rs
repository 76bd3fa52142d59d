//! Drive `genawaiter` generators as Volley bodies, so stable-Rust generator code runs in Volley
//! pipelines and schedulers unchanged.
//!
//! A genawaiter generator has no point where an error or a close can be delivered, so `throw`
//! and `close` simply drop it (its locals' `Drop` runs) and end it: `throw(e)` answers
//! `Err(Raised(e))`, `close()` answers `Ok(None)`. genawaiter discards the first resume
//! argument, so starting one passes `S::default()`.
//!
//! ```
//! use genawaiter::rc::Gen;
//! use std::convert::Infallible;
//! use volley::genawaiter::FromGenawaiter;
//! use volley::{Co, Step};
//!
//! let gen = Gen::new(|co| async move {
//!     let mut total = 0;
//!     loop {
//!         total += co.yield_(total).await;
//!     }
//! });
//! let mut summer = Co::<FromGenawaiter<_, Infallible>>::from_genawaiter(gen);
//! assert_eq!(summer.start(), Ok(Step::Yield(0)));
//! assert_eq!(summer.send(5), Ok(Step::Yield(5)));
//! assert_eq!(summer.send(2), Ok(Step::Yield(7)));
//! assert_eq!(summer.close(), Ok(None));
//! ```

use crate::{Co, Exit, Resumable, Resume};
use genawaiter::{Coroutine as GenCoroutine, GeneratorState};
use std::marker::PhantomData;
use std::ops::{Coroutine, CoroutineState};
use std::pin::Pin;

/// A genawaiter generator seen as a Volley body. Made by [`Co::from_genawaiter`] or
/// [`FromGenawaiter::new`].
///
/// ```
/// use genawaiter::rc::Gen;
/// use std::convert::Infallible;
/// use volley::{genawaiter::FromGenawaiter, Co};
/// let body = FromGenawaiter::<_, Infallible>::new(Gen::new(|co| async move {
///     co.yield_("from genawaiter").await;
/// }));
/// let items: Vec<&str> = Co::new(body).into_iter().collect();
/// assert_eq!(items, ["from genawaiter"]);
/// ```
pub struct FromGenawaiter<G, E> {
    generator: Option<G>,
    _error: PhantomData<fn() -> E>,
}

impl<G, E> FromGenawaiter<G, E> {
    /// Wraps a genawaiter generator (`rc`, `sync`, or a pinned `stack` one).
    ///
    /// ```
    /// use genawaiter::rc::Gen;
    /// use volley::genawaiter::FromGenawaiter;
    /// let body = FromGenawaiter::<_, String>::new(Gen::new(|co: genawaiter::rc::Co<u8>| async move {
    ///     co.yield_(1u8).await
    /// }));
    /// # drop(body);
    /// ```
    pub fn new(generator: G) -> Self {
        FromGenawaiter {
            generator: Some(generator),
            _error: PhantomData,
        }
    }
}

impl<G, E> Resumable for FromGenawaiter<G, E>
where
    G: GenCoroutine + Unpin,
    G::Resume: Default,
{
    type Send = G::Resume;
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = E;

    fn resume(
        &mut self,
        resume: Resume<G::Resume, E>,
    ) -> CoroutineState<G::Yield, Result<G::Return, Exit<E>>> {
        let this = self;
        let arg = match resume {
            Resume::Start => G::Resume::default(),
            Resume::Send(value) => value,
            Resume::Throw(error) => {
                this.generator = None;
                return CoroutineState::Complete(Err(Exit::Raised(error)));
            }
            Resume::Close => {
                this.generator = None;
                return CoroutineState::Complete(Err(Exit::Closed));
            }
        };
        let Some(generator) = this.generator.as_mut() else {
            return CoroutineState::Complete(Err(Exit::Closed));
        };
        match Pin::new(generator).resume_with(arg) {
            GeneratorState::Yielded(value) => CoroutineState::Yielded(value),
            GeneratorState::Complete(value) => {
                this.generator = None;
                CoroutineState::Complete(Ok(value))
            }
        }
    }
}

/// A `FromGenawaiter` is also a plain body, so it goes wherever a `#[coroutine]` closure does
/// (boxed into a [`BoxCo`](crate::BoxCo), spawned as a task).
impl<G, E> Coroutine<Resume<G::Resume, E>> for FromGenawaiter<G, E>
where
    G: GenCoroutine + Unpin,
    G::Resume: Default,
{
    type Yield = G::Yield;
    type Return = Result<G::Return, Exit<E>>;

    #[inline]
    fn resume(
        self: Pin<&mut Self>,
        resume: Resume<G::Resume, E>,
    ) -> CoroutineState<Self::Yield, Self::Return> {
        Resumable::resume(self.get_mut(), resume)
    }
}

impl<G, E> Co<FromGenawaiter<G, E>>
where
    G: GenCoroutine + Unpin,
    G::Resume: Default,
{
    /// Wraps a genawaiter generator in a Volley handle; see the [module docs](self).
    ///
    /// ```
    /// use genawaiter::rc::Gen;
    /// use volley::{genawaiter::FromGenawaiter, Co};
    /// let gen = Gen::new(|co| async move {
    ///     for i in 1..=3 { co.yield_(i).await; }
    ///     "done"
    /// });
    /// let mut co: Co<FromGenawaiter<_, String>> = Co::from_genawaiter(gen);
    /// assert_eq!(co.try_iter().collect::<Result<Vec<_>, _>>(), Ok(vec![1, 2, 3]));
    /// assert_eq!(co.take_return(), Some("done"));
    /// ```
    pub fn from_genawaiter(generator: G) -> Self {
        Co::from_resumable(FromGenawaiter::new(generator))
    }
}

impl<G, E> std::fmt::Debug for FromGenawaiter<G, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FromGenawaiter")
            .field("finished", &self.generator.is_none())
            .finish_non_exhaustive()
    }
}
