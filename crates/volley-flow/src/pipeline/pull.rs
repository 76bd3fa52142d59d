//! Pull stages: coroutines that take items from an upstream and yield what they make of them.
//!
//! Each stage owns its upstream. When a stage is closed early (a `take`, a `break`, a drop),
//! it drops its upstream first, which closes the stage below it, and so on: every stage's
//! cleanup runs, innermost first, before the stage itself finishes.
//!
//! An upstream is a plain iterator or a pull coroutine (see [`Upstream`]). A coroutine that
//! raises (a [`LineSource`](crate::pipeline::LineSource) raising `io::Error`) makes every stage
//! above it raise the same error, so it reaches the loop as an `Err` item of
//! [`try_iter`](volley_core::Co::try_iter) or [`into_try_iter`](volley_core::Co::into_try_iter);
//! by then the stages below have finished, innermost first. A stage over an upstream that
//! cannot fail cannot fail either (its error type is `Infallible`), so a plain `for` loop
//! takes its items.
//!
//! ```
//! use std::io::{self, Read};
//! use volley_flow::pipeline::{pull, LineSource};
//!
//! /// A reader that breaks after its first two lines.
//! struct Flaky(Option<&'static [u8]>);
//! impl Read for Flaky {
//!     fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
//!         match self.0.take() {
//!             Some(mut data) => data.read(buf),
//!             None => Err(io::Error::other("disk on fire")),
//!         }
//!     }
//! }
//!
//! let numbers = LineSource::new(io::BufReader::new(Flaky(Some(b"1\n2\n"))))
//!     .filter_map(|line| std::str::from_utf8(line).ok()?.parse::<u32>().ok());
//! let doubled = pull::map(numbers, |n| n * 2);
//! let got: Vec<Result<u32, io::Error>> = doubled.into_try_iter().collect();
//! assert_eq!(got[..2].iter().map(|r| *r.as_ref().unwrap()).collect::<Vec<_>>(), [2, 4]);
//! assert_eq!(got[2].as_ref().unwrap_err().to_string(), "disk on fire");
//! ```

use futures_core::{Stream, TryStream};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, ThreadId};
use volley_core::{co_yield, Co, Exit, IntoTryIter, Protocol, Resumable, Resume, TryIter};

/// What a pull stage reads from: a plain iterator, or a pull coroutine whose errors the stage
/// raises in turn.
///
/// | upstream | `Item` | `Error` |
/// |---|---|---|
/// | any `Iterator`, an array, a `Vec` | its items | `Infallible` |
/// | a `Co` that takes nothing in (`S = ()`), fallible or not | what it yields | what it raises |
/// | a `&mut Co` of the same kind, to keep it (and its return value) after the stages | what it yields | what it raises |
///
/// `M` only tells the implementations apart ([`FromIter`], [`FromCollection`], [`FromCo`]); it
/// is always inferred, so a call never names it. Other collections go in through their
/// `into_iter()`.
///
/// ```
/// use volley::pipeline::pull;
/// use volley::{co, co_yield, Exit};
///
/// let plain = pull::map(1..=3, |n| n * 10); // an iterator: cannot fail
/// assert_eq!(plain.into_iter().collect::<Vec<_>>(), [10, 20, 30]);
///
/// #[co(yield = u32)]
/// fn breaks_after_one() -> Result<(), Exit<String>> {
///     co_yield!(1)?;
///     Err(Exit::Raised("upstream broke".to_string()))
/// }
///
/// let mut stage = pull::map(breaks_after_one(), |n| n * 10); // a coroutine: raises what it raises
/// assert_eq!(stage.try_iter().collect::<Vec<_>>(), [Ok(10), Err("upstream broke".to_string())]);
/// ```
pub trait Upstream<M> {
    /// What the upstream hands out.
    type Item;
    /// What it raises; `Infallible` for an iterator.
    type Error;
    /// The upstream as an iterator of `Result`s, ended after the first `Err`.
    type Source: Iterator<Item = Result<Self::Item, Self::Error>>;

    /// Turns the upstream into its source, ready to pull.
    fn into_source(self) -> Self::Source;
}

/// The [`Upstream`] marker of iterators. Generic code that reads any upstream takes the marker
/// as a type parameter of its own, and callers never name it:
///
/// ```
/// use volley_flow::pipeline::pull::Upstream;
///
/// /// Counts the items of any upstream, or hands back the error it raised.
/// fn count<U: Upstream<M>, M>(upstream: U) -> Result<usize, U::Error> {
///     let mut n = 0;
///     for item in upstream.into_source() {
///         item?;
///         n += 1;
///     }
///     Ok(n)
/// }
///
/// assert_eq!(count("abc".chars()), Ok(3)); // M = FromIter
/// ```
#[derive(Debug)]
pub enum FromIter {}

/// The [`Upstream`] marker of arrays and `Vec`s, taken by value.
///
/// ```
/// use volley_flow::pipeline::pull;
/// let words = vec!["pull", "from", "a", "vec"];
/// let long: Vec<&str> = pull::filter(words, |w| w.len() > 1).into_iter().collect();
/// assert_eq!(long, ["pull", "from", "vec"]);
/// ```
#[derive(Debug)]
pub enum FromCollection {}

/// The [`Upstream`] marker of pull coroutines: what they yield, and what they raise.
///
/// ```
/// use volley_flow::pipeline::{pull, LineSource};
/// // LineSource::into_lines is a Co that raises io::Error; so does the stage over it.
/// let lengths = pull::map(LineSource::new(&b"ab\ncde\n"[..]).into_lines(), |line| line.len());
/// let got: Result<Vec<usize>, std::io::Error> = lengths.into_try_iter().collect();
/// assert_eq!(got.unwrap(), [2, 3]);
/// ```
#[derive(Debug)]
pub enum FromCo {}

/// An iterator's items, each wrapped in `Ok`: the [`Upstream::Source`] of an iterator. Costs
/// nothing: the `Err` arm of a stage over it is never taken and compiles away.
///
/// ```
/// use volley_flow::pipeline::pull::Upstream;
/// let mut source = [7, 8].into_source();
/// assert_eq!(source.next(), Some(Ok(7)));
/// assert_eq!(source.collect::<Vec<_>>(), [Ok(8)]);
/// ```
#[derive(Debug, Clone)]
pub struct OkItems<I> {
    items: I,
}

impl<I: Iterator> Iterator for OkItems<I> {
    type Item = Result<I::Item, Infallible>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        self.items.next().map(Ok)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl<I: Iterator> Upstream<FromIter> for I {
    type Item = I::Item;
    type Error = Infallible;
    type Source = OkItems<I>;

    #[inline]
    fn into_source(self) -> Self::Source {
        OkItems { items: self }
    }
}

impl<T, const N: usize> Upstream<FromCollection> for [T; N] {
    type Item = T;
    type Error = Infallible;
    type Source = OkItems<std::array::IntoIter<T, N>>;

    #[inline]
    fn into_source(self) -> Self::Source {
        OkItems {
            items: self.into_iter(),
        }
    }
}

impl<T> Upstream<FromCollection> for Vec<T> {
    type Item = T;
    type Error = Infallible;
    type Source = OkItems<std::vec::IntoIter<T>>;

    #[inline]
    fn into_source(self) -> Self::Source {
        OkItems {
            items: self.into_iter(),
        }
    }
}

impl<B> Upstream<FromCo> for Co<B>
where
    B: Resumable<Send = ()>,
{
    type Item = B::Yield;
    type Error = B::Error;
    type Source = IntoTryIter<B>;

    #[inline]
    fn into_source(self) -> IntoTryIter<B> {
        self.into_try_iter()
    }
}

/// A borrowed pull coroutine: the stages read it, and it stays with its owner, who can take its
/// return value once they are done.
///
/// ```
/// use volley_flow::pipeline::{pull, LineSource};
/// let mut lines = LineSource::new(&b"GET /\nPOST /login\nGET /about\n"[..]).into_lines();
/// let gets = pull::filter(&mut lines, |line| line.starts_with(b"GET "));
/// assert_eq!(gets.into_try_iter().count(), 2);
/// assert_eq!(lines.take_return(), Some(3), "LineSource returns how many lines it read");
/// ```
impl<'a, B> Upstream<FromCo> for &'a mut Co<B>
where
    B: Resumable<Send = ()>,
{
    type Item = B::Yield;
    type Error = B::Error;
    type Source = TryIter<'a, B>;

    #[inline]
    fn into_source(self) -> TryIter<'a, B> {
        self.try_iter()
    }
}

/// Yields the upstream items for which `keep` answers `true`.
///
/// ```
/// use volley_flow::pipeline::pull;
/// let odd: Vec<u32> = pull::filter(1..=6, |n| n % 2 == 1).into_iter().collect();
/// assert_eq!(odd, [1, 3, 5]);
/// ```
pub fn filter<U, M, P>(upstream: U, keep: P) -> Co<impl Protocol<(), U::Item, (), U::Error>>
where
    U: Upstream<M>,
    P: FnMut(&U::Item) -> bool,
{
    let mut keep = keep;
    filter_map(upstream, move |item| keep(&item).then_some(item)).named("pull::filter")
}

/// Yields `f(item)` for every upstream item.
///
/// ```
/// use volley_flow::pipeline::pull;
/// let squares: Vec<u64> = pull::map(1..=3u64, |n| n * n).into_iter().collect();
/// assert_eq!(squares, [1, 4, 9]);
/// ```
pub fn map<U, M, T, F>(upstream: U, f: F) -> Co<impl Protocol<(), T, (), U::Error>>
where
    U: Upstream<M>,
    F: FnMut(U::Item) -> T,
{
    let mut f = f;
    filter_map(upstream, move |item| Some(f(item))).named("pull::map")
}

/// Parses every upstream item with `f` and yields the `Some` results.
///
/// An error the upstream raises is raised here too, after the upstream has finished; a close
/// (or a throw) reaching this stage drops the upstream first, which closes it.
///
/// ```
/// use volley_flow::pipeline::pull;
/// let numbers: Vec<i32> = pull::filter_map(["1", "x", "3"], |s| s.parse().ok()).into_iter().collect();
/// assert_eq!(numbers, [1, 3]);
/// ```
pub fn filter_map<U, M, T, F>(upstream: U, f: F) -> Co<impl Protocol<(), T, (), U::Error>>
where
    U: Upstream<M>,
    F: FnMut(U::Item) -> Option<T>,
{
    Co::new(
        #[coroutine]
        move |_: Resume<(), U::Error>| {
            let mut upstream = upstream.into_source();
            let mut f = f;
            while let Some(item) = upstream.next() {
                let item = match item {
                    Ok(item) => item,
                    Err(error) => return Err(Exit::Raised(error)),
                };
                if let Some(out) = f(item) {
                    if let Err(exit) = co_yield!(out) {
                        drop(upstream);
                        return Err(exit);
                    }
                }
            }
            Ok(())
        },
    )
    .named("pull::filter_map")
}

/// A `futures::Stream` as a pull source: each resume waits (parking the thread that resumes
/// it) for the stream's next item. It needs no executor, so it also works inside one, though a
/// stream that only a surrounding executor can drive would then never wake. The coroutine may
/// be moved to another thread between items: each poll wakes the thread that polls. For the
/// other direction, any pull coroutine is a stream through [`Co::into_stream`], and
/// [`push::drain_stream`](crate::pipeline::push::drain_stream) feeds a stream into push targets
/// without blocking.
///
/// ```
/// use futures::stream;
/// use volley_flow::pipeline::pull;
/// let from_async = pull::from_stream(stream::iter([10, 20, 30]));
/// let big: Vec<i32> = pull::filter(from_async, |n| *n > 15).into_iter().collect();
/// assert_eq!(big, [20, 30]);
/// ```
pub fn from_stream<St>(stream: St) -> Co<impl Protocol<(), St::Item>>
where
    St: Stream + Unpin,
{
    filter_map(BlockingStream::new(stream), Some).named("pull::from_stream")
}

/// A stream of `Result`s as a fallible pull source: yields the `Ok` items and raises the first
/// `Err`, so the error travels up through the stages above like any upstream error. Waits for
/// each item as [`from_stream`] does.
///
/// ```
/// use futures::stream;
/// use volley_flow::pipeline::pull;
/// let replies = stream::iter([Ok(1), Ok(2), Err("connection reset"), Ok(3)]);
/// let mut doubled = pull::map(pull::from_try_stream(replies), |n| n * 2);
/// let got: Vec<_> = doubled.try_iter().collect();
/// assert_eq!(got, [Ok(2), Ok(4), Err("connection reset")]);
/// ```
pub fn from_try_stream<St>(stream: St) -> Co<impl Protocol<(), St::Ok, (), St::Error>>
where
    St: TryStream + Stream<Item = Result<<St as TryStream>::Ok, <St as TryStream>::Error>> + Unpin,
{
    Co::new(
        #[coroutine]
        move |_: Resume<(), St::Error>| {
            for item in BlockingStream::new(stream) {
                co_yield!(item?)?;
            }
            Ok(())
        },
    )
    .named("pull::from_try_stream")
}

/// Polls a stream on the current thread, parking it while the stream is pending.
struct BlockingStream<St> {
    stream: St,
    /// The waker of the thread that polled last, and that thread's id.
    waker: Option<(ThreadId, Waker)>,
}

impl<St> BlockingStream<St> {
    fn new(stream: St) -> Self {
        BlockingStream {
            stream,
            waker: None,
        }
    }

    /// A waker that unparks the calling thread: the one that is about to poll and park.
    fn waker_for_this_thread(&mut self) -> Waker {
        let current = thread::current();
        match &self.waker {
            Some((id, waker)) if *id == current.id() => waker.clone(),
            _ => {
                let id = current.id();
                let waker = Waker::from(Arc::new(Unparker(current)));
                self.waker = Some((id, waker.clone()));
                waker
            }
        }
    }
}

/// Wakes the thread that polls, by unparking it.
struct Unparker(thread::Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

impl<St: Stream + Unpin> Iterator for BlockingStream<St> {
    type Item = St::Item;

    fn next(&mut self) -> Option<St::Item> {
        let waker = self.waker_for_this_thread();
        let mut cx = Context::from_waker(&waker);
        loop {
            match Pin::new(&mut self.stream).poll_next(&mut cx) {
                Poll::Ready(item) => return item,
                Poll::Pending => thread::park(),
            }
        }
    }
}
