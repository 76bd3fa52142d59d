//! `co_yield!` and `yield_from!`, the two things a body does at a suspension point.

use crate::{Exit, Resume};

/// Maps what a yield was resumed with to the `Result` the body sees.
#[doc(hidden)]
#[inline(always)]
#[must_use = "co_yield! evaluates to what the caller resumed with: use `?` (or a match) so a throw \
              or a close is not ignored; `let _ =` would keep running after close"]
pub fn after_yield<S, E>(resume: Resume<S, E>) -> Result<S, Exit<E>> {
    match resume {
        Resume::Send(value) => Ok(value),
        Resume::Throw(error) => Err(Exit::Raised(error)),
        // `Start` only arrives as the closure's parameter; a hand-written driver that sends it
        // again is asked to stop, the safest reading.
        Resume::Close | Resume::Start => Err(Exit::Closed),
    }
}

/// Yields a value and evaluates to what the caller resumed with, as `Result<S, Exit<E>>`.
///
/// `send(s)` gives `Ok(s)`, `throw(e)` gives `Err(Exit::Raised(e))`, `close()` gives
/// `Err(Exit::Closed)`. So `co_yield!(v)?` lets throw and close propagate, and a `match` catches
/// them: the `try` / `except GeneratorExit` of Python. The value is `#[must_use]`: discarding it
/// (`let _ = co_yield!(v);`) would let the body run on after a close.
///
/// A plain `yield v` inside a body also suspends it, but bypasses this protocol: whatever the
/// caller resumed with (a sent value, a throw, a close) is the raw [`Resume`](crate::Resume)
/// and is easily dropped unread. Use `co_yield!` unless you match on `Resume` yourself.
///
/// ```
/// use volley::{co_yield, Co, CoError, Exit, Resume, Step};
///
/// let mut co = Co::new(#[coroutine] |_: Resume<i32, String>| {
///     let got = co_yield!("waiting")?;           // send(7) arrives here as Ok(7)
///     match co_yield!("caught?") {
///         Err(Exit::Raised(e)) => Err(Exit::Raised(format!("{e} after {got}"))),
///         other => Ok(other.is_ok()),
///     }
/// });
/// co.start().unwrap();
/// assert_eq!(co.send(7), Ok(Step::Yield("caught?")));
/// assert_eq!(co.throw("boom".into()), Err(CoError::Raised("boom after 7".into())));
/// ```
#[macro_export]
macro_rules! co_yield {
    ($value:expr $(,)?) => {
        $crate::__private::after_yield(yield $value)
    };
}

/// Delegates to a sub-coroutine until it finishes, like Python's `yield from`.
///
/// The sub may be a [`Co`](crate::Co) (owned or `&mut`), a [`BoxCo`](crate::BoxCo), or any
/// `Iterator` of the outer body's yield type. It is started at once; each of its yields goes
/// straight out to the caller, and every `send`, `throw` and `close` goes straight in. The macro
/// evaluates to `Result<R2, Exit<E>>`: `Ok` with the sub's return value (`()` for an iterator),
/// or the error the sub raised, or `Err(Exit::Closed)` once a close went through (the sub
/// closed first, innermost first). See [`Delegate`](crate::Delegate) for every case.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, yield_from, Co, Gen, Resume};
///
/// fn digits() -> impl Gen<u8, &'static str> {
///     #[coroutine]
///     |_: Resume<(), Infallible>| {
///         co_yield!(1)?;
///         co_yield!(2)?;
///         Ok("digits done")
///     }
/// }
///
/// let outer = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
///     let said = yield_from!(Co::new(digits()))?;
///     assert_eq!(said, "digits done");
///     yield_from!([7, 8].into_iter())?;
///     Ok(())
/// });
/// assert_eq!(outer.into_iter().collect::<Vec<_>>(), [1, 2, 7, 8]);
/// ```
#[macro_export]
macro_rules! yield_from {
    ($sub:expr $(,)?) => {{
        let mut volley_sub = $sub;
        let mut volley_resume = $crate::Resume::Start;
        loop {
            // The value is taken out before the yield, so no temporary of the match lives in
            // the coroutine's frame across the suspension.
            let volley_value = match $crate::Delegate::delegate(&mut volley_sub, volley_resume) {
                $crate::Step::Yield(volley_value) => volley_value,
                $crate::Step::Return(volley_end) => break volley_end,
            };
            volley_resume = yield volley_value;
        }
    }};
}
