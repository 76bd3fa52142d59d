//! What a [`Co`](crate::Co) drives: a coroutine body and the protocol types it speaks.
//!
//! Two kinds of trait live here. [`Body`] and [`Gen`] describe a nightly `#[coroutine]`
//! closure by its types, so a generator function's signature fits on one line. [`Resumable`]
//! is what the handle needs: a body whose send, yield, return and error types are fixed, so
//! `Co<B>` takes them from `B` and nobody spells them twice. [`Protocol`] names a `Resumable` by
//! its four types, for signatures such as `Co<impl Protocol<f64, f64>>`.

use crate::{Exit, Resume};
use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Coroutine, CoroutineState};
use std::pin::Pin;

/// A coroutine body: resumed with [`Resume<S, E>`], yields `Y`, returns `Result<R, Exit<E>>`.
///
/// Implemented for every such coroutine, so a generator function's signature fits on one
/// line: `fn parse() -> impl Body<Line, Record, Summary, ParseError>`.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Body, Co, Resume, Step};
///
/// fn countdown(from: u32) -> impl Body<(), u32, &'static str> {
///     #[coroutine]
///     move |_: Resume<(), Infallible>| {
///         for n in (1..=from).rev() {
///             co_yield!(n)?;
///         }
///         Ok("liftoff")
///     }
/// }
///
/// let mut co = Co::new(countdown(2));
/// assert_eq!(co.start(), Ok(Step::Yield(2)));
/// assert_eq!(co.send(()), Ok(Step::Yield(1)));
/// assert_eq!(co.send(()), Ok(Step::Return("liftoff")));
/// ```
pub trait Body<S, Y, R = (), E = Infallible>:
    Coroutine<Resume<S, E>, Yield = Y, Return = Result<R, Exit<E>>>
{
}

impl<T, S, Y, R, E> Body<S, Y, R, E> for T where
    T: Coroutine<Resume<S, E>, Yield = Y, Return = Result<R, Exit<E>>> + ?Sized
{
}

/// A plain generator: nothing is sent in (`S = ()`), nothing is thrown in (`E = Infallible`).
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Co, Gen, Resume};
///
/// fn squares(n: u64) -> impl Gen<u64> {
///     #[coroutine]
///     move |_: Resume<(), Infallible>| {
///         for i in 0..n {
///             co_yield!(i * i)?;
///         }
///         Ok(())
///     }
/// }
///
/// let all: Vec<u64> = Co::new(squares(4)).into_iter().collect();
/// assert_eq!(all, [0, 1, 4, 9]);
/// ```
pub trait Gen<Y, R = ()>: Body<(), Y, R, Infallible> {}

impl<T, Y, R> Gen<Y, R> for T where T: Body<(), Y, R, Infallible> + ?Sized {}

/// A body whose protocol types are fixed: what a [`Co`](crate::Co) drives.
///
/// A `#[coroutine]` closure can in principle be resumed with more than one type, so the
/// handle cannot read its types from the closure alone; [`Co::new`](crate::Co::new) wraps the
/// closure in a [`Typed`], which fixes them. Adapters that are bodies of their own (such as
/// [`FromGenawaiter`](crate::genawaiter::FromGenawaiter)) implement this trait directly.
///
/// ```
/// use std::convert::Infallible;
/// use std::ops::CoroutineState;
/// use volley::{Co, Exit, Resumable, Resume, Step};
///
/// /// Counts the values sent in and yields the running count; returns it on close.
/// struct Counter(u32);
///
/// impl Resumable for Counter {
///     type Send = char;
///     type Yield = u32;
///     type Return = u32;
///     type Error = Infallible;
///
///     fn resume(&mut self, resume: Resume<char, Infallible>) -> CoroutineState<u32, Result<u32, Exit>> {
///         match resume {
///             Resume::Start => CoroutineState::Yielded(self.0),
///             Resume::Send(_) => { self.0 += 1; CoroutineState::Yielded(self.0) }
///             Resume::Throw(never) => match never {},
///             Resume::Close => CoroutineState::Complete(Ok(self.0)),
///         }
///     }
/// }
///
/// let mut co = Co::from_resumable(Counter(0));
/// co.start().unwrap();
/// assert_eq!(co.send('a'), Ok(Step::Yield(1)));
/// assert_eq!(co.close(), Ok(Some(1)));
/// ```
pub trait Resumable {
    /// What `send` injects at the paused yield.
    type Send;
    /// What each resume yields.
    type Yield;
    /// What the body returns when it finishes.
    type Return;
    /// What `throw` raises inside the body, and what the body raises.
    type Error;

    /// Runs the body from where it paused, with what the caller resumed it with.
    fn resume(&mut self, resume: Resume<Self::Send, Self::Error>) -> Resumed<Self>;
}

/// What one resume of a body `B` produced: `CoroutineState<Y, Result<R, Exit<E>>>`.
pub type Resumed<B> = CoroutineState<<B as Resumable>::Yield, Outcome<B>>;

/// How a body `B` ends: `Result<R, Exit<E>>`.
pub type Outcome<B> = Result<<B as Resumable>::Return, Exit<<B as Resumable>::Error>>;

/// What [`Co::start`](crate::Co::start), [`send`](crate::Co::send) and
/// [`throw`](crate::Co::throw) answer for a body `B`: `Result<Step<Y, R>, CoError<S, E>>`.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Answer, Co, Protocol, Resume};
/// fn first<B: Protocol<(), u8>>(co: &mut Co<B>) -> Answer<B> {
///     co.start()
/// }
/// let mut co = Co::new(#[coroutine] |_: Resume<(), Infallible>| { co_yield!(7u8)?; Ok(()) });
/// assert_eq!(first(&mut co).unwrap().yielded(), Some(7));
/// ```
pub type Answer<B> = Result<
    crate::Step<<B as Resumable>::Yield, <B as Resumable>::Return>,
    crate::CoError<<B as Resumable>::Send, <B as Resumable>::Error>,
>;

/// What [`Co::close`](crate::Co::close) answers for a body `B`: `Result<Option<R>, CoError<S, E>>`.
pub type CloseAnswer<B> = Result<
    Option<<B as Resumable>::Return>,
    crate::CoError<<B as Resumable>::Send, <B as Resumable>::Error>,
>;

/// Names a [`Resumable`] by its four types: `Co<impl Protocol<S, Y, R, E>>`.
///
/// `R` defaults to `()` and `E` to [`Infallible`], so a plain generator of `u64` is
/// `Co<impl Protocol<(), u64>>`.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Co, Protocol, Resume};
///
/// fn evens(below: u32) -> Co<impl Protocol<(), u32>> {
///     Co::new(#[coroutine] move |_: Resume<(), Infallible>| {
///         for n in (0..below).step_by(2) {
///             co_yield!(n)?;
///         }
///         Ok(())
///     })
/// }
/// assert_eq!(evens(7).into_iter().collect::<Vec<_>>(), [0, 2, 4, 6]);
/// ```
pub trait Protocol<S, Y, R = (), E = Infallible>:
    Resumable<Send = S, Yield = Y, Return = R, Error = E>
{
}

impl<T, S, Y, R, E> Protocol<S, Y, R, E> for T where
    T: Resumable<Send = S, Yield = Y, Return = R, Error = E> + ?Sized
{
}

/// A `#[coroutine]` closure with its send (`S`) and error (`E`) types fixed; made by
/// [`Co::new`](crate::Co::new), never needed by hand.
///
/// It is as large as the closure and costs nothing to call through: `resume` is the
/// closure's own.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Resumable, Resume, Typed};
/// use std::ops::CoroutineState;
///
/// let mut body = Typed::new(#[coroutine] |_: Resume<(), Infallible>| {
///     co_yield!('x')?;
///     Ok(())
/// });
/// assert!(matches!(body.resume(Resume::Start), CoroutineState::Yielded('x')));
/// ```
pub struct Typed<C, S, E> {
    body: C,
    _types: PhantomData<fn(S) -> E>,
}

impl<C, S, E> Typed<C, S, E> {
    /// Fixes the types of a closure body.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{Resume, Typed};
    /// # use volley::co_yield;
    /// let body = Typed::new(#[coroutine] |_: Resume<u8, Infallible>| {
    ///     let got = co_yield!("send me a byte")?;
    ///     Ok(got)
    /// });
    /// # drop(body);
    /// ```
    #[inline]
    pub fn new<Y, R>(body: C) -> Self
    where
        C: Coroutine<Resume<S, E>, Yield = Y, Return = Result<R, Exit<E>>> + Unpin,
    {
        Typed {
            body,
            _types: PhantomData,
        }
    }
}

impl<C, S, E, Y, R> Resumable for Typed<C, S, E>
where
    C: Coroutine<Resume<S, E>, Yield = Y, Return = Result<R, Exit<E>>> + Unpin,
{
    type Send = S;
    type Yield = Y;
    type Return = R;
    type Error = E;

    #[inline(always)]
    fn resume(&mut self, resume: Resume<S, E>) -> Resumed<Self> {
        Pin::new(&mut self.body).resume(resume)
    }
}

impl<C, S, E> fmt::Debug for Typed<C, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Typed(body)")
    }
}
