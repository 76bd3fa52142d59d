//! RESP2, the Redis protocol, on Volley coroutines.
//!
//! - [`codec`]: a sans-IO request decoder (multibulk and inline, as Redis parses them).
#![feature(coroutines)]
#![doc(test(attr(feature(coroutines, coroutine_trait, stmt_expr_attributes))))]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod codec;
