//! Volley: two-way coroutines for Rust.
//!
//! This facade re-exports [`volley_core`] (the coroutine handle, its enums and macros) at its
//! root, [`volley_flow`]'s modules [`pipeline`], [`sched`] and [`proto`], and the `#[co]` /
//! `#[task]` attributes from `volley-macros`. The Redis-compatible server is its own crate,
//! `volley-resp`, so that users of the library do not compile it.
//!
//! ```
//! #![feature(coroutines)]
//! use volley::{co, co_yield, Exit};
//!
//! #[co(yield = u64)]
//! fn fibonacci() -> Result<(), Exit> {
//!     let (mut a, mut b) = (0u64, 1u64);
//!     loop {
//!         co_yield!(a)?;
//!         (a, b) = (b, a + b);
//!     }
//! }
//!
//! let first: Vec<u64> = fibonacci().into_iter().take(8).collect();
//! assert_eq!(first, [0, 1, 1, 2, 3, 5, 8, 13]);
//! ```

#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rustdoc::broken_intra_doc_links
)]

pub use volley_core::*;
pub use volley_flow::{pipeline, proto, sched, sim};
pub use volley_macros::{co, task};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
