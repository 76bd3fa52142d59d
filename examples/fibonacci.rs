//! An endless Fibonacci stream, cut by the consumer with `take` and `take_while`.
//!
//! The generator never decides how many terms are wanted: each consumer takes what it needs and
//! the rest is never computed. It prints:
//!
//! ```text
//! first 10: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
//! below 100: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
//! first above one million: F(31) = 1346269
//! sum of the even terms below four million: 4613732
//! by &mut: 5 terms [0, 1, 1, 2, 3], then it goes on with [5, 8, 13]
//! as a whole it stops where u64 ends: 94 terms, the last F(93) = 12200160415121876738
//! ```
//!
//! Python's integers never overflow, so its Fibonacci generator is truly endless; a `u64` one
//! ends after F(93) instead of wrapping around, and returns how many terms it gave. Run it with
//! `cargo run --example fibonacci`; add `RUST_LOG=volley=debug` to see each stream closed as
//! its consumer stops.
#![feature(coroutines)]

use volley::{co, co_yield, Exit};

/// Yields F(0), F(1), ... and returns how many terms it gave once the next one would not fit
/// in a `u64`.
#[co(yield = u64)]
fn fibonacci() -> Result<usize, Exit> {
    let (mut current, mut next) = (0u64, Some(1u64));
    let mut given = 0;
    loop {
        co_yield!(current)?;
        given += 1;
        let Some(after) = next else {
            return Ok(given);
        };
        next = current.checked_add(after);
        current = after;
    }
}

fn main() {
    init_tracing();

    let first_ten: Vec<u64> = fibonacci().into_iter().take(10).collect();
    assert_eq!(first_ten, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
    println!("first 10: {first_ten:?}");

    let below_100: Vec<u64> = fibonacci()
        .into_iter()
        .take_while(|&term| term < 100)
        .collect();
    println!("below 100: {below_100:?}");

    if let Some((index, term)) = fibonacci()
        .into_iter()
        .enumerate()
        .find(|&(_, term)| term > 1_000_000)
    {
        println!("first above one million: F({index}) = {term}");
    }

    let even_sum: u64 = fibonacci()
        .into_iter()
        .take_while(|&term| term < 4_000_000)
        .filter(|term| term % 2 == 0)
        .sum();
    assert_eq!(even_sum, 4_613_732, "Project Euler 2");
    println!("sum of the even terms below four million: {even_sum}");

    let mut stream = fibonacci();
    let head: Vec<u64> = (&mut stream).into_iter().take(5).collect();
    let rest: Vec<u64> = (&mut stream).into_iter().take(3).collect();
    println!(
        "by &mut: {} terms {head:?}, then it goes on with {rest:?}",
        head.len()
    );

    let mut whole = fibonacci().into_iter();
    let last = whole.by_ref().last();
    match (whole.take_return(), last) {
        (Some(count), Some(last)) => println!(
            "as a whole it stops where u64 ends: {count} terms, the last F({}) = {last}",
            count - 1
        ),
        other => println!("the whole stream ended unexpectedly: {other:?}"),
    }
}

/// Sends `volley` events to stderr, filtered by `RUST_LOG` (for example `volley=debug`).
fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}
