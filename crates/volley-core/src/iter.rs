//! Iteration over coroutines that take nothing in (`S = ()`).
//!
//! Consuming iteration takes the handle by value, so two consumers of one coroutine do not
//! compile. Iterating by `&mut` is allowed, and asking an exhausted coroutine for more is
//! reported with `tracing::warn!`. A raised error is never swallowed: bodies that can raise
//! iterate through [`Co::try_iter`] with `Result` items, and plain iteration exists only for
//! bodies that cannot (`E = Infallible`). The return value stays reachable after the loop.
//!
//! The seed's bug, two consumers of one generator, is a compile error:
//!
//! ```compile_fail,E0382
//! use std::convert::Infallible;
//! use volley::{co_yield, Co, Resume};
//! let lines = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
//!     co_yield!("ERROR disk full")?;
//!     Ok(())
//! });
//! let errors = lines.into_iter().filter(|l| l.starts_with("ERROR")).count();
//! let total = lines.into_iter().count(); // error[E0382]: use of moved value: `lines`
//! ```

use crate::body::Outcome;
use crate::{events, Co, Exit, Resumable, Resume, State};
use std::convert::Infallible;
use std::iter::FusedIterator;
use std::ops::CoroutineState;

impl<B> Co<B>
where
    B: Resumable<Send = ()>,
{
    /// Iterates by `&mut`, each item a `Result` so a raised error reaches the loop.
    ///
    /// After an `Err` item the coroutine is closed and the iteration ends.
    ///
    /// ```
    /// use volley::{co_yield, Co, Resume};
    /// let mut parse = Co::new(#[coroutine] |_: Resume<(), String>| {
    ///     for word in ["1", "2", "x"] {
    ///         let n: i32 = word.parse().map_err(|_| format!("not a number: {word}"))?;
    ///         co_yield!(n)?;
    ///     }
    ///     Ok(())
    /// });
    /// let items: Vec<_> = parse.try_iter().collect();
    /// assert_eq!(items, [Ok(1), Ok(2), Err("not a number: x".to_string())]);
    /// ```
    pub fn try_iter(&mut self) -> TryIter<'_, B> {
        TryIter { co: self }
    }

    /// Iterates by value, each item a `Result`; see [`try_iter`](Co::try_iter).
    ///
    /// ```
    /// use volley::{co_yield, Co, Exit, Resume};
    /// let co = Co::new(#[coroutine] |_: Resume<(), &str>| {
    ///     co_yield!(1)?;
    ///     Err::<(), _>(Exit::Raised("broken"))
    /// });
    /// let mut items = co.into_try_iter();
    /// assert_eq!(items.next(), Some(Ok(1)));
    /// assert_eq!(items.next(), Some(Err("broken")));
    /// assert_eq!(items.next(), None);
    /// ```
    pub fn into_try_iter(self) -> IntoTryIter<B> {
        IntoTryIter { co: self }
    }

    /// One step of iteration: resume with `()` and sort out what came back. A suspended body
    /// is the hot path; starting and asking a closed coroutine are outlined.
    #[inline]
    pub(crate) fn next_result(&mut self) -> Option<Result<B::Yield, B::Error>> {
        if self.state != State::Suspended {
            return self.next_unsuspended();
        }
        match self.run(Resume::Send(())) {
            CoroutineState::Yielded(item) => Some(Ok(item)),
            CoroutineState::Complete(end) => self.iteration_ended(end),
        }
    }

    #[cold]
    #[inline(never)]
    fn next_unsuspended(&mut self) -> Option<Result<B::Yield, B::Error>> {
        if self.state == State::Closed {
            if !std::mem::take(&mut self.iter_end_pending) {
                events::misuse(self.name(), "iterated after it was exhausted");
            }
            return None;
        }
        events::started(self.name());
        match self.run(Resume::Start) {
            CoroutineState::Yielded(item) => Some(Ok(item)),
            CoroutineState::Complete(end) => self.iteration_ended(end),
        }
    }

    /// The body finished during iteration: keep its return value, or hand out its error once.
    #[cold]
    fn iteration_ended(&mut self, end: Outcome<B>) -> Option<Result<B::Yield, B::Error>> {
        match end {
            Ok(value) => {
                events::completed(self.name(), "returned");
                self.returned = Some(value);
                None
            }
            Err(Exit::Raised(error)) => {
                events::completed(self.name(), "raised");
                self.iter_end_pending = true;
                Some(Err(error))
            }
            Err(Exit::Closed) => {
                events::completed(self.name(), "closed itself");
                None
            }
        }
    }
}

#[inline(always)]
fn infallible<Y>(item: Result<Y, Infallible>) -> Y {
    match item {
        Ok(y) => y,
        Err(never) => match never {},
    }
}

/// Iterator over a `&mut Co` whose body cannot raise; made by `for x in &mut co`.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Co, Resume};
/// let mut co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
///     co_yield!('a')?;
///     co_yield!('b')?;
///     Ok(2)
/// });
/// let seen: String = (&mut co).into_iter().collect();
/// assert_eq!(seen, "ab");
/// assert_eq!(co.take_return(), Some(2));
/// ```
#[must_use = "iterators are lazy: the body runs only as items are asked for"]
pub struct Iter<'a, B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    co: &'a mut Co<B>,
}

impl<B> Iterator for Iter<'_, B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    type Item = B::Yield;

    #[inline]
    fn next(&mut self) -> Option<B::Yield> {
        self.co.next_result().map(infallible)
    }
}

impl<B> FusedIterator for Iter<'_, B> where B: Resumable<Send = (), Error = Infallible> {}

impl<'a, B> IntoIterator for &'a mut Co<B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    type Item = B::Yield;
    type IntoIter = Iter<'a, B>;

    fn into_iter(self) -> Iter<'a, B> {
        Iter { co: self }
    }
}

/// Iterator that owns a `Co` whose body cannot raise; made by `for x in co`.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Co, Resume};
/// let co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
///     for i in 0..3 { co_yield!(i)?; }
///     Ok("three")
/// });
/// let mut items = co.into_iter();
/// assert_eq!(items.by_ref().sum::<i32>(), 3);
/// assert_eq!(items.take_return(), Some("three"));
/// ```
#[must_use = "iterators are lazy: the body runs only as items are asked for"]
pub struct IntoIter<B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    co: Co<B>,
}

impl<B> IntoIter<B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    /// Takes the body's return value, once iteration reached it.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{Co, Resume};
    /// let mut it = Co::new(#[coroutine] |_: Resume<(), Infallible>| Ok::<_, _>(9)).into_iter();
    /// assert_eq!(it.next(), None::<()>);
    /// assert_eq!(it.take_return(), Some(9));
    /// ```
    pub fn take_return(&mut self) -> Option<B::Return> {
        self.co.take_return()
    }

    /// Gives the coroutine back.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, State};
    /// let it = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// })
    /// .into_iter();
    /// assert_eq!(it.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> Co<B> {
        self.co
    }
}

impl<B> Iterator for IntoIter<B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    type Item = B::Yield;

    #[inline]
    fn next(&mut self) -> Option<B::Yield> {
        self.co.next_result().map(infallible)
    }
}

impl<B> FusedIterator for IntoIter<B> where B: Resumable<Send = (), Error = Infallible> {}

impl<B> IntoIterator for Co<B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    type Item = B::Yield;
    type IntoIter = IntoIter<B>;

    fn into_iter(self) -> IntoIter<B> {
        IntoIter { co: self }
    }
}

/// Iterator over a `&mut Co` with `Result` items; made by [`Co::try_iter`].
///
/// ```
/// use volley::{co_yield, Co, Resume};
/// let mut co = Co::new(#[coroutine] |_: Resume<(), String>| { co_yield!(1)?; Ok("end") });
/// assert_eq!(co.try_iter().collect::<Result<Vec<_>, _>>(), Ok(vec![1]));
/// assert_eq!(co.take_return(), Some("end"));
/// ```
#[must_use = "iterators are lazy: the body runs only as items are asked for"]
pub struct TryIter<'a, B>
where
    B: Resumable<Send = ()>,
{
    co: &'a mut Co<B>,
}

impl<B> Iterator for TryIter<'_, B>
where
    B: Resumable<Send = ()>,
{
    type Item = Result<B::Yield, B::Error>;

    #[inline]
    fn next(&mut self) -> Option<Result<B::Yield, B::Error>> {
        self.co.next_result()
    }
}

impl<B> FusedIterator for TryIter<'_, B> where B: Resumable<Send = ()> {}

/// Iterator that owns a `Co`, with `Result` items; made by [`Co::into_try_iter`].
///
/// ```
/// use volley::{co_yield, Co, Resume};
/// let co = Co::new(#[coroutine] |_: Resume<(), String>| { co_yield!(1)?; Ok("end") });
/// let mut items = co.into_try_iter();
/// assert_eq!(items.by_ref().count(), 1);
/// assert_eq!(items.take_return(), Some("end"));
/// ```
#[must_use = "iterators are lazy: the body runs only as items are asked for"]
pub struct IntoTryIter<B>
where
    B: Resumable<Send = ()>,
{
    co: Co<B>,
}

impl<B> IntoTryIter<B>
where
    B: Resumable<Send = ()>,
{
    /// Takes the body's return value, once iteration reached it.
    ///
    /// ```
    /// # use volley::{Co, Resume};
    /// let mut it = Co::new(#[coroutine] |_: Resume<(), String>| Ok::<_, _>(4)).into_try_iter();
    /// assert_eq!(it.next(), None::<Result<(), String>>);
    /// assert_eq!(it.take_return(), Some(4));
    /// ```
    pub fn take_return(&mut self) -> Option<B::Return> {
        self.co.take_return()
    }

    /// Gives the coroutine back.
    ///
    /// ```
    /// # use volley::{co_yield, Co, Resume, State};
    /// let it = Co::new(#[coroutine] |_: Resume<(), String>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// })
    /// .into_try_iter();
    /// assert_eq!(it.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> Co<B> {
        self.co
    }
}

impl<B> Iterator for IntoTryIter<B>
where
    B: Resumable<Send = ()>,
{
    type Item = Result<B::Yield, B::Error>;

    #[inline]
    fn next(&mut self) -> Option<Result<B::Yield, B::Error>> {
        self.co.next_result()
    }
}

impl<B> FusedIterator for IntoTryIter<B> where B: Resumable<Send = ()> {}

impl<B> std::fmt::Debug for Iter<'_, B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Iter").field(&self.co).finish()
    }
}

impl<B> std::fmt::Debug for IntoIter<B>
where
    B: Resumable<Send = (), Error = Infallible>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("IntoIter").field(&self.co).finish()
    }
}

impl<B: Resumable<Send = ()>> std::fmt::Debug for TryIter<'_, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TryIter").field(&self.co).finish()
    }
}

impl<B: Resumable<Send = ()>> std::fmt::Debug for IntoTryIter<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("IntoTryIter").field(&self.co).finish()
    }
}
