//! A `grep`-like push pipeline: one pass over the lines, a filter broadcasting each match to a
//! printer and to a counting coroutine.
//!
//! ```text
//! cargo run --example grep_pipeline [-- PATTERN [PATH | -]]
//! ```
//!
//! Prints every line containing PATTERN (bytes, no regex) with its line number, then the number
//! of matching lines on stderr. Exits 0 when something matched, 1 when nothing did, 2 on an
//! error, like `grep`. With no PATH it searches its own source; with no PATTERN, for `push`.
#![feature(coroutines)]

use std::convert::Infallible;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;
use volley::pipeline::{aggregate, push, LineSource, PipelineError};
use volley::{co_yield, Co, Exit, Resume};

const OWN_SOURCE: &[u8] = include_bytes!("grep_pipeline.rs");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 2 || args.iter().any(|a| a == "-h" || a == "--help") {
        eprintln!("usage: grep_pipeline [PATTERN [PATH | -]]");
        return ExitCode::from(2);
    }
    let pattern = args
        .first()
        .map_or("push", String::as_str)
        .as_bytes()
        .to_vec();
    let outcome = match args.get(1).map(String::as_str) {
        None => grep(&pattern, OWN_SOURCE),
        Some("-") => grep(&pattern, io::stdin().lock()),
        Some(path) => match File::open(path) {
            Ok(file) => grep(&pattern, BufReader::with_capacity(256 * 1024, file)),
            Err(e) => {
                eprintln!("grep_pipeline: cannot open {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    match outcome {
        Ok((lines, matches)) => {
            eprintln!("{matches} matching lines of {lines}");
            if matches > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(PipelineError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("grep_pipeline: {e}");
            ExitCode::from(2)
        }
    }
}

/// A Beazley-style coroutine sink: counts what it is sent, hands the count back on close.
fn counter() -> Co<impl volley::Protocol<(), (), u64>> {
    Co::new(
        #[coroutine]
        |_: Resume<(), Infallible>| {
            let mut seen = 0u64;
            loop {
                match co_yield!(()) {
                    Ok(()) => seen += 1,
                    Err(Exit::Closed) => return Ok(seen),
                    Err(e) => return Err(e),
                }
            }
        },
    )
    .named("match_counter")
}

/// Returns (lines read, matching lines).
fn grep(pattern: &[u8], input: impl BufRead) -> Result<(u64, u64), PipelineError> {
    let finder = memchr::memmem::Finder::new(pattern);
    let out = std::cell::RefCell::new(BufWriter::new(io::stdout().lock()));
    let write_error = std::cell::Cell::new(None);
    let printer = push::for_each(
        |(index, line): (u64, &[u8])| {
            if write_error.get().is_some() {
                return;
            }
            let mut out = out.borrow_mut();
            let written = write!(out, "{}:", index + 1)
                .and_then(|()| out.write_all(line))
                .and_then(|()| out.write_all(b"\n"));
            if let Err(e) = written {
                write_error.set(Some(e.kind()));
            }
        },
        || Ok(()),
    );
    let (lines, ((), matches)) =
        LineSource::new(input).push_into(push::enumerate(push::broadcast((
            aggregate::count(),
            push::filter(
                |(_, line): &(u64, &[u8])| finder.find(line).is_some(),
                push::broadcast((
                    printer,
                    push::map(|_: (u64, &[u8])| (), push::sink(counter())),
                )),
            ),
        ))))?;
    out.into_inner().flush()?;
    if let Some(kind) = write_error.get() {
        return Err(PipelineError::Io(kind.into()));
    }
    Ok((lines, matches.unwrap_or(0)))
}
