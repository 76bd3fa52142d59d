//! Lazy pipelines in both directions, in one pass and constant memory.
//!
//! **Push** (Beazley's coroutine sinks): a [`LineSource`] (or any loop) sends items into a
//! [target](Push); stages ([`push::filter`], [`push::map`], [`push::filter_map`]) pass them on,
//! [`push::broadcast`] feeds several targets in the same pass, and [aggregates](aggregate)
//! (count, sum, min/max, top-k, count-by-key, sum-by-key and its top n...) fold them without
//! collecting, handing their result back from [`Close::close`]. Two consumers of one stream
//! become one broadcast: no second pass, nothing silently empty.
//!
//! **Pull**: coroutines that yield items on demand: [`LineSource::filter_map`] and
//! [`LineSource::into_lines`] at the source, [`pull::filter`], [`pull::map`],
//! [`pull::filter_map`] above it, over an iterator or over a pull coroutine that may raise (see
//! [`pull::Upstream`]). Early stop (`take`, `break`, a drop) closes every stage, innermost
//! first, so each stage's cleanup runs; an error the source raises (a read error) is raised by
//! every stage above it in turn, so `try_iter()` hands it to the loop as an `Err` item.
//!
//! **Borrowed lines, soundly.** A coroutine's `send` type is one type, so a body taking
//! `&'a [u8]` would need every line to live for the same `'a`, which a reused buffer cannot
//! give. Volley therefore keeps borrowed lines out of coroutine boundaries: push stages and
//! aggregates are plain values implementing [`Push<T>`] for every lifetime in `T`, composed by
//! the source's loop and fully inlined, so a line borrowed from the source's one buffer flows
//! through the whole chain with no copy and no `unsafe`. Coroutines join where items are owned:
//! [`push::sink`] makes a `#[coroutine]` sink a target, [`push::into_co`] makes any target a
//! coroutine, and pull coroutines yield owned values parsed from borrowed lines in place.
//!
//! **futures**: [`pull::from_stream`] reads a `Stream` as a pull source ([`pull::from_try_stream`]
//! a stream of `Result`s, raising its first error),
//! [`push::drain_stream`] feeds a `Stream` into targets, and any pull coroutine is a `Stream`
//! through `Co::into_stream`.
//!
//! ```
//! use volley_flow::pipeline::{aggregate, push, LineSource};
//!
//! /// The second space-separated field, borrowed from the line.
//! fn level(line: &[u8]) -> &[u8] {
//!     line.split(|&b| b == b' ').nth(1).unwrap_or_default()
//! }
//!
//! let log = "12:00 INFO db: up\n12:01 ERROR db: disk full\n12:02 ERROR web: 502\n";
//! let (lines, by_level, last_error) = LineSource::new(log.as_bytes())
//!     .push_into(push::broadcast((
//!         aggregate::count(),
//!         push::map(level, aggregate::count_by_key::<Vec<u8>>()),
//!         push::filter(|line: &&[u8]| level(line) == b"ERROR", aggregate::last::<Vec<u8>>()),
//!     )))
//!     .unwrap();
//! assert_eq!(lines, 3);
//! assert_eq!(by_level[&b"ERROR"[..]], 2);
//! assert_eq!(last_error.as_deref(), Some(&b"12:02 ERROR web: 502"[..]));
//! ```

#![warn(missing_debug_implementations)]

pub mod aggregate;
mod broadcast;
mod coroutine;
mod error;
mod heavy_hitters;
pub mod pull;
mod source;
mod stages;
mod stream;
mod target;

pub use error::PipelineError;
pub use source::{Line, LineSource, LineTooLong, DEFAULT_MAX_LINE};
pub use target::{feed, Close, Push};

/// Push stages, broadcast, and the bridges between push targets and coroutines.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed, push};
/// let (small, big) = feed(
///     [3, 40, 5, 70],
///     push::broadcast((
///         push::filter(|n: &i32| *n < 10, aggregate::count()),
///         push::filter(|n: &i32| *n >= 10, aggregate::sum::<i32>()),
///     )),
/// )
/// .unwrap();
/// assert_eq!((small, big), (2, 110));
/// ```
pub mod push {
    pub use super::broadcast::{broadcast, Broadcast};
    pub use super::coroutine::{into_co, sink};
    pub use super::stages::{
        enumerate, filter, filter_map, for_each, inspect, map, Enumerate, Filter, FilterMap,
        ForEach, Inspect, Map,
    };
    pub use super::stream::drain_stream;
    pub use volley_core::CoSink;
}
