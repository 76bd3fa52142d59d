//! `close`: a coroutine that writes lines to a file flushes its buffer and returns a summary
//! when closed; dropping a suspended one runs the same cleanup.
//!
//! Lines are sent into a buffered writer, so the file stays empty until the close. It prints:
//!
//! ```text
//! first writer: sent 3 lines, file holds 0 bytes (still buffered)
//!   writer: closing, flushing 17 buffered bytes
//! close() -> summary: 3 lines, 17 bytes; file holds 17 bytes
//! file reads back: ["alpha", "beta", "gamma"]
//! second writer: sent 2 lines, file holds 0 bytes (still buffered)
//!   writer: closing, flushing 14 buffered bytes
//! dropped while suspended; file holds 14 bytes
//! file reads back: ["delta", "epsilon"]
//! ```
//!
//! The files live in the system temporary directory and are removed at the end. Run it with
//! `cargo run --example close_cleanup`; add `RUST_LOG=volley=debug` to see the lifecycle events
//! on stderr.
#![feature(coroutines)]

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use volley::{co, co_yield, Exit};

/// What a line writer hands back when it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Summary {
    lines: u64,
    bytes: u64,
}

/// Writes every line sent to it into `file`, buffered; flushes and returns a [`Summary`] on
/// close. A write or flush error ends it with that error.
#[co(send = String)]
fn line_writer(file: File) -> Result<Summary, Exit<io::Error>> {
    let mut out = BufWriter::new(file);
    let mut summary = Summary { lines: 0, bytes: 0 };
    loop {
        match co_yield!(()) {
            Ok(line) => {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
                summary.lines += 1;
                summary.bytes += line.len() as u64 + 1;
            }
            Err(Exit::Closed) => {
                println!(
                    "  writer: closing, flushing {} buffered bytes",
                    out.buffer().len()
                );
                out.flush()?;
                return Ok(summary);
            }
            Err(raised) => return Err(raised),
        }
    }
}

/// A file in the temporary directory, removed when this guard is dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        let file_name = format!("volley-close-cleanup-{}-{name}.txt", std::process::id());
        TempFile(std::env::temp_dir().join(file_name))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Best effort: a leftover temporary file is harmless.
        let _ = fs::remove_file(&self.0);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_tracing();

    let first = TempFile::new("first");
    let mut writer = line_writer(File::create(first.path())?).named("first_writer");
    writer.start()?;
    for line in ["alpha", "beta", "gamma"] {
        writer.send(line.to_string())?;
    }
    println!(
        "first writer: sent 3 lines, file holds {} bytes (still buffered)",
        size(first.path())?
    );
    let Some(Summary { lines, bytes }) = writer.close()? else {
        return Err("the writer returned no summary on close".into());
    };
    assert_eq!(
        size(first.path())?,
        bytes,
        "close() flushed every byte it reports"
    );
    println!(
        "close() -> summary: {lines} lines, {bytes} bytes; file holds {} bytes",
        size(first.path())?
    );
    println!("file reads back: {:?}", read_lines(first.path())?);

    let second = TempFile::new("second");
    let mut writer = line_writer(File::create(second.path())?).named("second_writer");
    writer.start()?;
    for line in ["delta", "epsilon"] {
        writer.send(line.to_string())?;
    }
    println!(
        "second writer: sent 2 lines, file holds {} bytes (still buffered)",
        size(second.path())?
    );
    drop(writer);
    assert_eq!(
        read_lines(second.path())?,
        ["delta", "epsilon"],
        "dropping a suspended writer flushes it"
    );
    println!(
        "dropped while suspended; file holds {} bytes",
        size(second.path())?
    );
    println!("file reads back: {:?}", read_lines(second.path())?);
    Ok(())
}

fn size(path: &Path) -> io::Result<u64> {
    Ok(fs::metadata(path)?.len())
}

fn read_lines(path: &Path) -> io::Result<Vec<String>> {
    Ok(fs::read_to_string(path)?
        .lines()
        .map(str::to_owned)
        .collect())
}

/// Sends `volley` events to stderr, filtered by `RUST_LOG` (for example `volley=debug`).
fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}
