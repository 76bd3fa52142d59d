//! The push protocol: a target takes items by [`Push::send`] and hands back its result from
//! [`Close::close`].

use super::PipelineError;

/// Something that hands back a result when the stream of items ends.
///
/// Split from [`Push`] so that a target taking borrowed items of every lifetime
/// (`for<'a> Push<&'a [u8]>`) still has one nameable output type.
///
/// ```
/// use volley_flow::pipeline::{aggregate, Close, Push};
/// let mut n = aggregate::count();
/// n.send("a").unwrap();
/// assert_eq!(n.close().unwrap(), 1);
/// ```
pub trait Close {
    /// What the target hands back once closed.
    type Output;

    /// Ends the stream: the target finishes and hands back its result (closing its own
    /// targets first, innermost first).
    fn close(self) -> Result<Self::Output, PipelineError>;
}

/// A push target: receives items one at a time by `send`, like a primed Python coroutine sink.
///
/// Stages ([`filter`](crate::pipeline::push::filter), [`map`](crate::pipeline::push::map),
/// [`broadcast`](crate::pipeline::push::broadcast)) and
/// [aggregates](crate::pipeline::aggregate) are plain values implementing `Push<T>` for every
/// lifetime inside `T`, so a line borrowed from a source's one reused buffer flows through
/// them without a copy. A coroutine written with `#[coroutine]` becomes a target through
/// [`sink`](crate::pipeline::push::sink); any target becomes a coroutine through
/// [`into_co`](crate::pipeline::push::into_co).
///
/// ```
/// use volley_flow::pipeline::{aggregate, push, Close, Push};
/// let mut long_words = push::filter(|w: &&str| w.len() > 3, aggregate::count());
/// for word in "a pipeline of many words".split(' ') {
///     long_words.send(word).unwrap();
/// }
/// assert_eq!(long_words.close().unwrap(), 3);
/// ```
pub trait Push<T>: Close {
    /// Hands one item to the target.
    fn send(&mut self, item: T) -> Result<(), PipelineError>;
}

/// Feeds every item of an iterator into a target, then closes it and returns its result.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed([3, 9, 4], aggregate::max()).unwrap(), Some(9));
/// ```
pub fn feed<I, P>(items: I, mut target: P) -> Result<P::Output, PipelineError>
where
    I: IntoIterator,
    P: Push<I::Item>,
{
    for item in items {
        target.send(item)?;
    }
    target.close()
}
