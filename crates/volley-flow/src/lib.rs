//! Adapters built on Volley coroutines.
//!
//! - [`pipeline`]: lazy pull and push pipelines, broadcast, streaming aggregates.
//! - [`sched`]: a cooperative task scheduler whose tasks yield system calls.
//! - [`proto`]: sans-IO helpers for writing byte-stream protocols as one coroutine body.
#![feature(coroutines, stmt_expr_attributes)]
#![doc(test(attr(feature(coroutines, coroutine_trait, stmt_expr_attributes))))]
#![warn(missing_docs)]

pub mod pipeline;
pub mod proto;
pub mod sched;
