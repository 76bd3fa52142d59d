//! RESP2 and RESP3, the Redis protocol, on Volley coroutines.
//!
//! - [`codec`]: a sans-IO request decoder (multibulk and inline, as Redis parses them) and the
//!   reply encoding for RESP2 and RESP3.
//! - [`server`]: a Redis-compatible in-memory server, one scheduler task per connection.
//! - [`cli`]: the command line of the `volley-resp` binary.
//!
//! ```text
//! cargo run --release -p volley-resp -- --port 6380
//! redis-cli -p 6380 set greeting hello
//! redis-benchmark -p 6380 -q -n 20000
//! ```
#![feature(coroutines)]
#![doc(test(attr(feature(coroutines, coroutine_trait, stmt_expr_attributes))))]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rustdoc::broken_intra_doc_links
)]
#![forbid(unsafe_code)]

pub mod cli;
pub mod codec;
pub mod server;
