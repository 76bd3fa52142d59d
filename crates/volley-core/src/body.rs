//! The `Body` trait: what a coroutine closure must look like to be driven by a [`Co`](crate::Co).

use crate::{Exit, Resume};
use std::ops::Coroutine;

/// A coroutine body: resumed with [`Resume<S, E>`], yields `Y`, returns `Result<R, Exit<E>>`.
///
/// Implemented for every such coroutine, so a generator function's signature fits on one
/// line: `fn parse() -> impl Body<Line, Record, Summary, ParseError>`.
///
/// ```
/// use std::convert::Infallible;
/// use volley_core::{co_yield, Body, Co, Resume, Step};
///
/// fn countdown(from: u32) -> impl Body<(), u32, &'static str, Infallible> {
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
pub trait Body<S, Y, R, E>:
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
/// use volley_core::{co_yield, Co, Gen, Resume};
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
pub trait Gen<Y, R = ()>: Body<(), Y, R, std::convert::Infallible> {}

impl<T, Y, R> Gen<Y, R> for T where T: Body<(), Y, R, std::convert::Infallible> + ?Sized {}
