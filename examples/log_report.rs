//! The log report: counts and filters a log in one pass, in constant memory.
//!
//! ```text
//! cargo run --release --example log_report [-- PATH] [--json]
//! cargo run --release --example log_report -- --generate SIZE OUT   # e.g. 100MiB, 1GiB
//! ```
//!
//! Each line is `TIMESTAMP LEVEL COMPONENT: MESSAGE`. The report gives the number of lines, the
//! malformed ones (count and first line numbers), lines per level, ERROR+FATAL lines per
//! component with the top 10, and the first and last error timestamps. With no PATH it runs on
//! a sample generated deterministically in memory; `-` reads standard input.
//!
//! Python's version of this job once came out empty: two consumers shared one generator, the
//! first drained it, the second silently saw nothing. Here one `LineSource` pushes every line,
//! borrowed from one reused buffer, into a `broadcast` of streaming aggregates: one pass, no
//! second consumer, nothing collected.

use std::process::ExitCode;

/// The whole program lives in the `volley-log-report` crate (`crates/volley-log-report`).
fn main() -> ExitCode {
    volley_log_report::cli::main(std::env::args().skip(1))
}
