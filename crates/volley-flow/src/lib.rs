//! Adapters built on Volley coroutines: lazy pipelines, a cooperative task scheduler, and
//! sans-IO protocol machines.
//!
//! | module | for | start with |
//! |---|---|---|
//! | [`pipeline`] | streams of items in one pass and constant memory: pull stages that yield on demand, push stages that receive by `send`, broadcast, streaming aggregates | [`pipeline::pull::filter`], [`pipeline::push::broadcast`], [`pipeline::aggregate`], [`pipeline::LineSource`] |
//! | [`sched`] | many tasks on one thread; a task is a coroutine that yields system calls (sleep, spawn, join, channels, sockets) and is sent the answers | [`sched::Scheduler`], [`sched::spawn`], [`sched::JoinHandle`], [`sched::sync::Channel`] |
//! | [`sim`] | discrete-event simulation in SimPy's terms on a scheduler with virtual time and seeded random numbers | [`sched::Scheduler::simulated`], [`sim::Store`] |
//! | [`proto`] | a byte-stream protocol written as one body that reads like blocking code, fed chunks of bytes and yielding frames, with no I/O of its own | [`proto::Input`], [`proto::Decoder`], [`proto::Limits`] |
//!
//! Users normally reach this crate through the `volley` facade, which re-exports these three
//! modules next to `volley-core`'s handle and macros: `volley::pipeline` is this crate's
//! [`pipeline`], `volley::Co` is `volley_core::Co`. The examples below are written with those
//! paths. Like every coroutine body, they need
//! `#![feature(coroutines, coroutine_trait, stmt_expr_attributes)]` in the crate that writes them.
//!
//! # pipeline: pull, with an early stop
//!
//! Pull stages own their upstream. Stopping early (here `take(2)`, then dropping the iterator)
//! closes every stage, innermost first, so the source's cleanup arm runs even though it never
//! reached its end.
//!
//! ```
//! use std::cell::Cell;
//! use std::rc::Rc;
//! use volley::pipeline::pull;
//! use volley::{co, co_yield, Exit};
//!
//! /// 1, 2, 3, ... for as long as it is asked; sets `cleaned_up` when closed early.
//! #[co(yield = u32)]
//! fn naturals(cleaned_up: Rc<Cell<bool>>) -> Result<(), Exit> {
//!     for n in 1u32.. {
//!         if let Err(exit) = co_yield!(n) {
//!             cleaned_up.set(true); // closed early: clean up, then finish
//!             return Err(exit);
//!         }
//!     }
//!     Ok(())
//! }
//!
//! let cleaned_up = Rc::new(Cell::new(false));
//! let odd = pull::filter(naturals(cleaned_up.clone()), |n| n % 2 == 1);
//! let squares = pull::map(odd, |n| n * n);
//! let first: Vec<u32> = squares.into_iter().take(2).collect();
//! assert_eq!(first, [1, 9]);
//! assert!(cleaned_up.get());
//! ```
//!
//! A source that can fail (a [`LineSource`](pipeline::LineSource) raising `io::Error`) makes
//! every stage above it raise the same error, so it reaches the loop as an `Err` item of
//! `try_iter()`, with every stage finished innermost first.
//!
//! # pipeline: push, broadcast into aggregates
//!
//! One pass feeds several consumers: [`broadcast`](pipeline::push::broadcast) hands each item
//! to every target of a tuple, and each aggregate hands back its result when the stream is
//! closed. Nothing is collected.
//!
//! ```
//! use volley::pipeline::{aggregate, feed, push};
//!
//! let latencies_ms = [12, 250, 31, 980, 45];
//! let (requests, total, slow) = feed(
//!     latencies_ms,
//!     push::broadcast((
//!         aggregate::count(),
//!         aggregate::sum::<u32>(),
//!         push::filter(|ms: &u32| *ms > 200, aggregate::count()),
//!     )),
//! )
//! .unwrap();
//! assert_eq!((requests, total, slow), (5, 1318, 2));
//! ```
//!
//! # sched: two tasks and a channel
//!
//! A task yields a system call and is sent the reply; the helpers wrap that so a body
//! delegates with `yield_from!(..)?` and reads like blocking code. The `?` lets a kill or a
//! cancel end the task.
//!
//! ```
//! # #[allow(unused_imports)] mod volley { pub use volley_core::*; pub use volley_flow::{pipeline, proto, sched}; }
//! use volley::sched::sync::Channel;
//! use volley::sched::{Scheduler, TaskResume};
//! use volley::{yield_from, Co};
//!
//! let chan = Channel::bounded(2);
//! let (tx, rx) = (chan.clone(), chan);
//! let mut sched = Scheduler::new();
//! let producer = sched.spawn(Co::new(
//!     #[coroutine]
//!     move |_: TaskResume| {
//!         for n in 1..=5u32 {
//!             yield_from!(tx.send(n))??; // parks while the channel is full
//!         }
//!         yield_from!(tx.close())?;
//!         Ok("sent 5")
//!     },
//! ));
//! let consumer = sched.spawn(Co::new(
//!     #[coroutine]
//!     move |_: TaskResume| {
//!         let mut total = 0;
//!         while let Some(n) = yield_from!(rx.recv())? {
//!             total += n;
//!         }
//!         Ok(total)
//!     },
//! ));
//! sched.run().unwrap();
//! assert_eq!(producer.take_outcome().unwrap().unwrap(), "sent 5");
//! assert_eq!(consumer.take_outcome().unwrap().unwrap(), 15);
//! ```
//!
//! # proto: a line decoder fed split chunks
//!
//! The body reads lines from an [`Input`](proto::Input) as if it were blocking; the
//! [`Decoder`](proto::Decoder) sends it whatever chunks arrive, cut at any byte, and hands
//! back the complete frames. Here the frames are header lines, and an empty line ends them. The
//! body keeps a borrow of its input across yields, so it is a `static` coroutine.
//!
//! ```
//! use volley::proto::{Decoded, Decoder, Input, Limits, ProtoError};
//! use volley::{co, yield_from, Exit};
//!
//! #[co(static, yield = Decoded<String>, send = &'static [u8])]
//! fn header_lines() -> Result<(), Exit<ProtoError>> {
//!     let mut input = Input::new(Limits::default());
//!     loop {
//!         let line = String::from_utf8_lossy(yield_from!(input.read_line())?).into_owned();
//!         if line.is_empty() {
//!             return Ok(()); // an empty line ends the block
//!         }
//!         yield_from!(input.emit(line))?;
//!     }
//! }
//!
//! let mut decoder = Decoder::new(header_lines());
//! let mut got = Vec::new();
//! for chunk in [&b"Host: a\r\nAcc"[..], b"ept: */*", b"\r\n\r\n"] {
//!     for frame in decoder.feed(chunk) {
//!         got.push(frame.unwrap());
//!     }
//! }
//! assert_eq!(got, ["Host: a", "Accept: */*"]);
//! assert!(decoder.is_finished());
//! ```
#![feature(coroutines, coroutine_trait, stmt_expr_attributes)]
#![doc(test(attr(feature(coroutines, coroutine_trait, stmt_expr_attributes))))]
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rustdoc::broken_intra_doc_links
)]

pub mod pipeline;
pub mod proto;
pub mod sched;
pub mod sim;
