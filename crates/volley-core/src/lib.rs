//! Two-way coroutines for Rust, modelled on Python's generator protocol.
//!
//! A **body** is a nightly `#[coroutine]` closure that receives [`Resume`] values and returns
//! `Result<R, Exit<E>>`. Wrap it in a [`Co`] handle to drive it the way Python drives a
//! generator: [`Co::start`] primes it (Python's `next(g)`), [`Co::send`] injects a value at the
//! paused yield, [`Co::throw`] raises an error there, and [`Co::close`] makes the body clean up
//! (Python's `GeneratorExit`). Inside a body, [`co_yield!`] yields a value and hands back what the
//! caller resumed with; [`yield_from!`] delegates to a sub-coroutine or iterator, like Python's
//! `yield from`.
//!
//! Where Python fails silently or late, Volley is loud or fails to compile: a value sent before
//! priming is handed back in [`CoError::NotStarted`], a coroutine consumed twice does not compile,
//! asking an exhausted coroutine for more is logged with its name, and dropping a suspended
//! coroutine runs its cleanup.
//!
//! Bodies need three nightly features in the crate that writes them:
//! `#![feature(coroutines, coroutine_trait, stmt_expr_attributes)]`.
//!
//! ```
//! use std::convert::Infallible;
//! use volley::{co_yield, Body, Co, Resume, Step};
//!
//! /// Yields the running average of every number sent in.
//! fn running_average() -> impl Body<f64, f64, (), Infallible> {
//!     #[coroutine]
//!     |_: Resume<f64, Infallible>| {
//!         let (mut total, mut count) = (0.0, 0.0);
//!         let mut average = 0.0;
//!         loop {
//!             let value = co_yield!(average)?;
//!             total += value;
//!             count += 1.0;
//!             average = total / count;
//!         }
//!     }
//! }
//!
//! let mut avg = Co::new(running_average()).named("running_average");
//! assert_eq!(avg.start().unwrap(), Step::Yield(0.0));
//! assert_eq!(avg.send(10.0).unwrap(), Step::Yield(10.0));
//! assert_eq!(avg.send(20.0).unwrap(), Step::Yield(15.0));
//! assert_eq!(avg.close().unwrap(), None);
//! ```
#![feature(coroutine_trait)]
#![doc(test(attr(feature(coroutines, coroutine_trait, stmt_expr_attributes))))]
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rustdoc::broken_intra_doc_links
)]

mod body;
mod boxed;
mod co;
mod delegate;
mod dyn_error;
mod error;
mod events;
mod iter;
mod macros;
mod shared;
mod sink;
mod types;

#[cfg(feature = "genawaiter")]
pub mod genawaiter;
#[cfg(feature = "futures")]
pub mod stream;
#[cfg(feature = "futures")]
pub use stream::CoStream;

pub use body::{Answer, Body, CloseAnswer, Gen, Outcome, Protocol, Resumable, Resumed, Typed};
pub use boxed::{BoxBody, BoxCo, DynBody};
pub use co::Co;
pub use delegate::Delegate;
pub use dyn_error::DynError;
pub use error::CoError;
pub use iter::{IntoIter, IntoTryIter, Iter, TryIter};
pub use shared::{SharedCo, SharedError};
pub use sink::CoSink;
pub use types::{Exit, Resume, State, Step};

/// Support code for the macros; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::macros::after_yield;

    /// Splits a body's return type `Result<R, Exit<E>>` into `R` and `E`, for the `#[co]` and
    /// `#[task]` attributes, which read the body's types from the function's signature.
    pub trait SplitReturn {
        /// `R`: what the body returns.
        type Value;
        /// `E`: what it raises and is thrown.
        type Error;
    }

    impl<R, E> SplitReturn for Result<R, crate::Exit<E>> {
        type Value = R;
        type Error = E;
    }
}
