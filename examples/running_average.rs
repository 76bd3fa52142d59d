//! A running average fed by `send`: priming with `start()`, and a value sent before priming
//! handed back in `CoError::NotStarted` instead of being lost.
//!
//! It prints:
//!
//! ```text
//! send(10) before start: error "send before start: the coroutine has not been primed (the value is handed back)"
//! handed back: 10, state still created
//! start() primes it: average 0
//! send(10) -> average 10
//! send(20) -> average 15
//! send(30) -> average 20
//! send(5) -> average 16.25
//! close() -> summary: 4 values, average 16.25
//! send(1) after close: error "the coroutine is exhausted"
//! ```
//!
//! The first `send(10)` is the value handed back by the failed early send, re-sent after
//! priming. Run it with `cargo run --example running_average`; add `RUST_LOG=volley=debug` to
//! see the lifecycle events (and the misuse warnings) on stderr.
#![feature(coroutines)]

use volley::{co, co_yield, CoError, Exit, Step};

/// What the averager hands back when it is closed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Summary {
    count: u64,
    average: f64,
}

/// Yields the average of every value sent so far; returns a [`Summary`] when closed.
#[co(yield = f64, send = f64)]
fn running_average() -> Result<Summary, Exit> {
    let (mut total, mut count) = (0.0, 0u64);
    let mut average = 0.0;
    loop {
        match co_yield!(average) {
            Ok(value) => {
                total += value;
                count += 1;
                average = total / count as f64;
            }
            Err(Exit::Closed) => return Ok(Summary { count, average }),
            Err(raised) => return Err(raised),
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_tracing();
    let mut averager = running_average();

    let early = averager.send(10.0);
    let Err(error @ CoError::NotStarted(_)) = early else {
        return Err(format!("expected NotStarted, got {early:?}").into());
    };
    println!("send(10) before start: error \"{error}\"");
    let handed_back = error.into_sent().unwrap_or_default();
    assert_eq!(handed_back, 10.0, "the early send's value comes back");
    println!(
        "handed back: {handed_back}, state still {}",
        averager.state()
    );

    if let Step::Yield(average) = averager.start()? {
        println!("start() primes it: average {average}");
    }
    for value in [handed_back, 20.0, 30.0, 5.0] {
        if let Step::Yield(average) = averager.send(value)? {
            println!("send({value}) -> average {average}");
        }
    }

    match averager.close()? {
        Some(Summary { count, average }) => {
            assert_eq!(
                (count, average),
                (4, 16.25),
                "the summary covers the four sends"
            );
            println!("close() -> summary: {count} values, average {average}")
        }
        None => return Err("the averager returned no summary on close".into()),
    }
    match averager.send(1.0) {
        Err(error) => println!("send(1) after close: error \"{error}\""),
        Ok(step) => return Err(format!("a closed coroutine answered {step:?}").into()),
    }
    Ok(())
}

/// Sends `volley` events to stderr, filtered by `RUST_LOG` (for example `volley=debug`).
fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}
