//! Laziness: making a coroutine runs none of its body; each resume runs it to the next yield.
//!
//! Lines starting with `main:` come from the caller, indented `body:` lines from inside the
//! coroutine, so their order shows exactly when body code runs. It prints:
//!
//! ```text
//! main: making the coroutine
//! main: made it, state = created, no body line printed yet
//! main: calling start()
//!   body: first line of the body
//!   body: yielding 1
//! main: start() gave Yield(1), state = suspended
//! main: calling send(())
//!   body: resumed, yielding 2
//! main: send(()) gave Yield(2)
//! main: dropping it while it is suspended
//!   body: closed at the second yield, cleaning up
//! main: dropped
//! main: chaining map and filter over a fresh coroutine
//! main: chained, still no body line printed
//! main: asking for the first even square
//!   body: yielding 1
//!   body: yielding 2
//! main: got 4; the body stopped right there
//! ```
//!
//! Run it with `cargo run --example lazy`; add `RUST_LOG=volley=debug` to see the lifecycle
//! events (created, started, closed) on stderr.
#![feature(coroutines)]

use volley::{co, co_yield, Exit};

/// Yields 1 and 2, announcing every step, and reports a close at the second yield.
#[co(yield = u32)]
fn announced() -> Result<(), Exit> {
    println!("  body: first line of the body");
    println!("  body: yielding 1");
    co_yield!(1)?;
    println!("  body: resumed, yielding 2");
    match co_yield!(2) {
        Ok(()) => {}
        Err(Exit::Closed) => {
            println!("  body: closed at the second yield, cleaning up");
            return Err(Exit::Closed);
        }
        Err(raised) => return Err(raised),
    }
    println!("  body: finished");
    Ok(())
}

/// Counts up from 1, announcing each number as it is yielded.
#[co(yield = u64)]
fn counting() -> Result<(), Exit> {
    for n in 1.. {
        println!("  body: yielding {n}");
        co_yield!(n)?;
    }
    Ok(())
}

fn main() {
    init_tracing();

    println!("main: making the coroutine");
    let mut co = announced();
    println!(
        "main: made it, state = {}, no body line printed yet",
        co.state()
    );

    println!("main: calling start()");
    let first = co.start().expect("the body yields before it can fail");
    println!("main: start() gave {first:?}, state = {}", co.state());

    println!("main: calling send(())");
    let second = co.send(()).expect("the body yields twice");
    println!("main: send(()) gave {second:?}");

    println!("main: dropping it while it is suspended");
    drop(co);
    println!("main: dropped");

    println!("main: chaining map and filter over a fresh coroutine");
    let mut even_squares = counting()
        .into_iter()
        .map(|n| n * n)
        .filter(|square| square % 2 == 0);
    println!("main: chained, still no body line printed");

    println!("main: asking for the first even square");
    let first_even = even_squares.next().expect("counting never ends");
    assert_eq!(
        first_even, 4,
        "1 squared is odd, 2 squared is the first even square"
    );
    println!("main: got {first_even}; the body stopped right there");
}

/// Sends `volley` events to stderr, filtered by `RUST_LOG` (for example `volley=debug`).
fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}
