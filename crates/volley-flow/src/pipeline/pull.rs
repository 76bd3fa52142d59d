//! Pull stages: coroutines that take items from an upstream and yield what they make of them.
//!
//! Each stage owns its upstream. When a stage is closed early (a `take`, a `break`, a drop),
//! it drops its upstream first, which closes the stage below it, and so on: every stage's
//! cleanup runs, innermost first, before the stage itself finishes.

use futures_core::Stream;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use volley_core::{co_yield, Co, Protocol, Resume};

/// Yields the upstream items for which `keep` answers `true`.
///
/// ```
/// use volley_flow::pipeline::pull;
/// let odd: Vec<u32> = pull::filter(1..=6, |n| n % 2 == 1).into_iter().collect();
/// assert_eq!(odd, [1, 3, 5]);
/// ```
pub fn filter<I, P>(upstream: I, keep: P) -> Co<impl Protocol<(), I::Item>>
where
    I: IntoIterator,
    P: FnMut(&I::Item) -> bool,
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
pub fn map<I, U, F>(upstream: I, f: F) -> Co<impl Protocol<(), U>>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> U,
{
    let mut f = f;
    filter_map(upstream, move |item| Some(f(item))).named("pull::map")
}

/// Parses every upstream item with `f` and yields the `Some` results.
///
/// ```
/// use volley_flow::pipeline::pull;
/// let numbers: Vec<i32> = pull::filter_map(["1", "x", "3"], |s| s.parse().ok()).into_iter().collect();
/// assert_eq!(numbers, [1, 3]);
/// ```
pub fn filter_map<I, U, F>(upstream: I, f: F) -> Co<impl Protocol<(), U>>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Option<U>,
{
    Co::new(
        #[coroutine]
        move |_: Resume<(), Infallible>| {
            let mut upstream = upstream.into_iter();
            let mut f = f;
            while let Some(item) = upstream.next() {
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

/// A `futures::Stream` as a pull source: each resume waits (parking this thread) for the
/// stream's next item. It needs no executor, so it also works inside one, though a stream that
/// only a surrounding executor can drive would then never wake. For the other direction, any
/// pull coroutine is a stream through [`Co::into_stream`], and
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
    filter(BlockingStream::new(stream), |_| true).named("pull::from_stream")
}

/// Polls a stream on the current thread, parking it while the stream is pending.
struct BlockingStream<St> {
    stream: St,
    waker: Waker,
}

impl<St> BlockingStream<St> {
    fn new(stream: St) -> Self {
        BlockingStream {
            stream,
            waker: Waker::from(Arc::new(Unparker(std::thread::current()))),
        }
    }
}

/// Wakes the thread that polls, by unparking it.
struct Unparker(std::thread::Thread);

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
        let mut cx = Context::from_waker(&self.waker);
        loop {
            match Pin::new(&mut self.stream).poll_next(&mut cx) {
                Poll::Ready(item) => return item,
                Poll::Pending => std::thread::park(),
            }
        }
    }
}
