//! Push stages that transform or select items on their way to a target.

use super::{Close, PipelineError, Push};

/// Passes on the items for which `keep` answers `true`.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed, push};
/// let evens = push::filter(|n: &u32| n % 2 == 0, aggregate::count());
/// assert_eq!(feed(1..=10, evens).unwrap(), 5);
/// ```
pub fn filter<P, Tg>(keep: P, target: Tg) -> Filter<P, Tg> {
    Filter { keep, target }
}

/// The stage made by [`filter`].
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Close, Push};
/// let mut f = push::filter(|s: &&str| !s.is_empty(), aggregate::count());
/// f.send("").unwrap();
/// f.send("x").unwrap();
/// assert_eq!(f.close().unwrap(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Filter<P, Tg> {
    keep: P,
    target: Tg,
}

impl<T, P, Tg> Push<T> for Filter<P, Tg>
where
    P: FnMut(&T) -> bool,
    Tg: Push<T>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        if (self.keep)(&item) {
            self.target.send(item)
        } else {
            Ok(())
        }
    }
}

impl<P, Tg: Close> Close for Filter<P, Tg> {
    type Output = Tg::Output;

    fn close(self) -> Result<Tg::Output, PipelineError> {
        self.target.close()
    }
}

/// Transforms every item with `f` before passing it on.
///
/// `f` may return a value borrowing from the item (a parsed record pointing into the line), as
/// long as it is a function whose signature ties the two lifetimes, such as
/// `fn parse(line: &[u8]) -> Record<'_>`.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed, push};
/// let lengths = push::map(str::len, aggregate::sum::<usize>());
/// assert_eq!(feed(["ab", "cde"], lengths).unwrap(), 5);
/// ```
pub fn map<F, Tg>(f: F, target: Tg) -> Map<F, Tg> {
    Map { f, target }
}

/// The stage made by [`map`].
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Close, Push};
/// let mut m = push::map(|n: u8| n * 2, aggregate::max());
/// m.send(4).unwrap();
/// assert_eq!(m.close().unwrap(), Some(8));
/// ```
#[derive(Debug, Clone)]
pub struct Map<F, Tg> {
    f: F,
    target: Tg,
}

impl<T, U, F, Tg> Push<T> for Map<F, Tg>
where
    F: FnMut(T) -> U,
    Tg: Push<U>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        self.target.send((self.f)(item))
    }
}

impl<F, Tg: Close> Close for Map<F, Tg> {
    type Output = Tg::Output;

    fn close(self) -> Result<Tg::Output, PipelineError> {
        self.target.close()
    }
}

/// Parses every item with `f` and passes on the `Some` results, dropping the `None`s.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed, push};
/// let numbers = push::filter_map(|s: &str| s.parse::<i64>().ok(), aggregate::sum::<i64>());
/// assert_eq!(feed(["4", "x", "-1"], numbers).unwrap(), 3);
/// ```
pub fn filter_map<F, Tg>(f: F, target: Tg) -> FilterMap<F, Tg> {
    FilterMap { f, target }
}

/// The stage made by [`filter_map`].
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Close, Push};
/// let mut fm = push::filter_map(|n: i32| u8::try_from(n).ok(), aggregate::count());
/// fm.send(-1).unwrap();
/// fm.send(7).unwrap();
/// assert_eq!(fm.close().unwrap(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct FilterMap<F, Tg> {
    f: F,
    target: Tg,
}

impl<T, U, F, Tg> Push<T> for FilterMap<F, Tg>
where
    F: FnMut(T) -> Option<U>,
    Tg: Push<U>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        match (self.f)(item) {
            Some(out) => self.target.send(out),
            None => Ok(()),
        }
    }
}

impl<F, Tg: Close> Close for FilterMap<F, Tg> {
    type Output = Tg::Output;

    fn close(self) -> Result<Tg::Output, PipelineError> {
        self.target.close()
    }
}

/// Passes every item through unchanged after showing it to `look` (a printer, a tracer).
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed, push};
/// let mut seen = Vec::new();
/// let total = feed([1, 2], push::inspect(|n: &i32| seen.push(*n), aggregate::count())).unwrap();
/// assert_eq!((total, seen), (2, vec![1, 2]));
/// ```
pub fn inspect<F, Tg>(look: F, target: Tg) -> Inspect<F, Tg> {
    Inspect { look, target }
}

/// The stage made by [`inspect`].
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Close, Push};
/// let mut i = push::inspect(|_: &u8| {}, aggregate::count());
/// i.send(1).unwrap();
/// assert_eq!(i.close().unwrap(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Inspect<F, Tg> {
    look: F,
    target: Tg,
}

impl<T, F, Tg> Push<T> for Inspect<F, Tg>
where
    F: FnMut(&T),
    Tg: Push<T>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        (self.look)(&item);
        self.target.send(item)
    }
}

impl<F, Tg: Close> Close for Inspect<F, Tg> {
    type Output = Tg::Output;

    fn close(self) -> Result<Tg::Output, PipelineError> {
        self.target.close()
    }
}

/// A target built from a closure: `each` sees every item, `finish` makes the result on close.
///
/// ```
/// use volley_flow::pipeline::{feed, push};
/// let mut printed = String::new();
/// let printer = push::for_each(|line: &str| printed.push_str(line), || Ok(()));
/// feed(["a", "b"], printer).unwrap();
/// assert_eq!(printed, "ab");
/// ```
pub fn for_each<F, D>(each: F, finish: D) -> ForEach<F, D> {
    ForEach { each, finish }
}

/// The target made by [`for_each`].
///
/// ```
/// use volley_flow::pipeline::{push, Close, Push};
/// let mut n = 0;
/// let mut t = push::for_each(|x: u8| n += x as u32, || Ok("done"));
/// t.send(2).unwrap();
/// assert_eq!(t.close().unwrap(), "done");
/// ```
#[derive(Debug, Clone)]
pub struct ForEach<F, D> {
    each: F,
    finish: D,
}

impl<T, F, D, R> Push<T> for ForEach<F, D>
where
    F: FnMut(T),
    D: FnOnce() -> Result<R, PipelineError>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        (self.each)(item);
        Ok(())
    }
}

impl<F, D, R> Close for ForEach<F, D>
where
    D: FnOnce() -> Result<R, PipelineError>,
{
    type Output = R;

    fn close(self) -> Result<R, PipelineError> {
        (self.finish)()
    }
}

/// Passes every item on with its index, counted from 0: `(index, item)`.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed, push};
/// let last = feed("abc".chars(), push::enumerate(aggregate::max())).unwrap();
/// assert_eq!(last, Some((2, 'c')));
/// ```
pub fn enumerate<Tg>(target: Tg) -> Enumerate<Tg> {
    Enumerate { next: 0, target }
}

/// The stage made by [`enumerate`].
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Close, Push};
/// let mut e = push::enumerate(aggregate::first_n(1));
/// e.send("x").unwrap();
/// assert_eq!(e.close().unwrap(), vec![(0, "x")]);
/// ```
#[derive(Debug, Clone)]
pub struct Enumerate<Tg> {
    next: u64,
    target: Tg,
}

impl<T, Tg> Push<T> for Enumerate<Tg>
where
    Tg: Push<(u64, T)>,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        let index = self.next;
        self.next += 1;
        self.target.send((index, item))
    }
}

impl<Tg: Close> Close for Enumerate<Tg> {
    type Output = Tg::Output;

    fn close(self) -> Result<Tg::Output, PipelineError> {
        self.target.close()
    }
}
