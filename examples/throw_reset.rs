//! `throw`: an error the body catches resets its state and it keeps going; an error it does not
//! catch ends it, and the caller gets that same error back.
//!
//! A running total takes numbers by `send`. It catches `Signal::Reset` (back to zero, yield
//! again) and lets every other signal propagate. It prints:
//!
//! ```text
//! start() -> total 0
//! send(5) -> total 5
//! send(7) -> total 12
//! throw(reset) -> caught: total 0, state suspended
//! send(3) -> total 3
//! throw(fatal: disk full) -> not caught: error "the coroutine raised: fatal: disk full", state closed
//! send(1) -> error "the coroutine is exhausted"
//! ```
//!
//! Run it with `cargo run --example throw_reset`; add `RUST_LOG=volley=debug` to see the
//! lifecycle events (thrown, completed) on stderr.
#![feature(coroutines)]

use std::fmt;
use volley::{co, co_yield, CoError, Exit, Step};

/// What the caller can throw into the running total.
#[derive(Debug, Clone, PartialEq)]
enum Signal {
    /// Start again from zero; the total handles this one itself.
    Reset,
    /// Something the total cannot recover from.
    Fatal(String),
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signal::Reset => f.write_str("reset"),
            Signal::Fatal(why) => write!(f, "fatal: {why}"),
        }
    }
}

/// Yields the total of the numbers sent so far; a thrown `Reset` sets it back to zero.
#[co(yield = i64, send = i64)]
fn running_total() -> Result<(), Exit<Signal>> {
    let mut total = 0;
    loop {
        match co_yield!(total) {
            Ok(n) => total += n,
            Err(Exit::Raised(Signal::Reset)) => total = 0,
            Err(other) => return Err(other),
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_tracing();
    let mut total = running_total();

    println!("start() -> total {}", yielded(total.start())?);
    for n in [5, 7] {
        println!("send({n}) -> total {}", yielded(total.send(n))?);
    }

    let after_reset = yielded(total.throw(Signal::Reset))?;
    assert_eq!(after_reset, 0, "a caught reset zeroes the total");
    println!(
        "throw(reset) -> caught: total {after_reset}, state {}",
        total.state()
    );
    println!("send(3) -> total {}", yielded(total.send(3))?);

    let fatal = Signal::Fatal("disk full".into());
    match total.throw(fatal.clone()) {
        Err(error @ CoError::Raised(_)) => println!(
            "throw({fatal}) -> not caught: error \"{error}\", state {}",
            total.state()
        ),
        other => return Err(format!("expected the fatal signal back, got {other:?}").into()),
    }
    match total.send(1) {
        Err(error) => println!("send(1) -> error \"{error}\""),
        Ok(step) => return Err(format!("a closed coroutine answered {step:?}").into()),
    }
    Ok(())
}

/// The yielded total, or an error saying what came back instead.
fn yielded(answer: Result<Step<i64, ()>, CoError<i64, Signal>>) -> Result<i64, String> {
    match answer {
        Ok(Step::Yield(total)) => Ok(total),
        other => Err(format!("expected a yielded total, got {other:?}")),
    }
}

/// Sends `volley` events to stderr, filtered by `RUST_LOG` (for example `volley=debug`).
fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}
