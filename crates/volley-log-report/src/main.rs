//! `log_report [PATH | -] [--json]`, `log_report --generate SIZE OUT`: see [`volley_log_report::cli`].

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    volley_log_report::cli::main(std::env::args().skip(1))
}
