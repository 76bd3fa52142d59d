//! The log report behind Volley's main example, `cargo run --release --example log_report`:
//! counts and filters a log in one pass, in constant memory.
//!
//! Each line is `TIMESTAMP LEVEL COMPONENT: MESSAGE`. The report gives the number of lines, the
//! malformed ones (count and first line numbers), lines per level, ERROR+FATAL lines per
//! component with the top 10, and the first and last error timestamps. One `LineSource` pushes
//! every line, borrowed from one reused buffer, into a `broadcast` of streaming aggregates: one
//! pass, no second consumer, nothing collected.
//!
//! ```
//! use volley_log_report::{render, report};
//!
//! let log = "t1 INFO db: up\nt2 ERROR db: disk full\nnot a record\nt3 FATAL web: 502\n";
//! let report = report::run(log.as_bytes()).unwrap();
//! assert_eq!((report.lines, report.malformed, report.malformed_lines.clone()), (4, 1, vec![3]));
//! assert_eq!(report.top_error_components, [(b"db".to_vec(), 1), (b"web".to_vec(), 1)]);
//! assert_eq!(report.first_error.as_deref(), Some(&b"t2"[..]));
//!
//! let json = render::to_json(&report);
//! assert_eq!(json["errors_by_component"]["web"], 1);
//! assert!(render::to_text(&report, "example").starts_with("log report: example\n"));
//! ```
//!
//! The `log_report` binary of this crate and the `log_report` example of the `volley` package
//! both run [`cli::main`].

#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rustdoc::broken_intra_doc_links
)]

pub mod cli;
pub mod generate;
pub mod parse;
pub mod render;
pub mod report;
