//! Memory, eager against lazy: ten million integers held in a `Vec`, against a coroutine that
//! yields them one at a time.
//!
//! Both sides compute the same sum. The eager side holds every number at once; the lazy side
//! holds only the coroutine's frame, which lives inline in the `Co` handle on the stack. The
//! bytes each side holds are computed from the types (`Vec::capacity`, `size_of_val`), and the
//! process's resident memory is read from `/proc/self/statm` around each side (Linux only; other
//! systems print `n/a`). It prints, with the RSS figures varying a little from run to run:
//!
//! ```text
//! lazy:  sum 49999995000000, held 64 bytes (the Co itself, no heap), RSS grew 0.0 MiB
//! eager: sum 49999995000000, held 80000024 bytes (76.3 MiB: 10000000 x 8 + the Vec's 24), RSS grew 76.3 MiB
//! the eager side held 1250000x the bytes of the lazy one
//! ```
//!
//! Run it with `cargo run --release --example memory`.
#![feature(coroutines)]

use std::mem::size_of_val;
use volley::{co, co_yield, Exit};

/// How many integers each side produces.
const COUNT: u64 = 10_000_000;

/// Yields `0..n` one at a time; nothing is stored but the loop counter.
#[co(yield = u64)]
fn numbers(n: u64) -> Result<(), Exit> {
    for i in 0..n {
        co_yield!(i)?;
    }
    Ok(())
}

/// Resident memory of this process in bytes, if the platform tells.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Linux reports pages of 4 KiB on every platform Volley's CI runs.
    Some(pages * 4096)
}

/// Resident memory grown since `before`, in MiB, as text.
fn grown_since(before: Option<u64>) -> String {
    match (before, resident_bytes()) {
        (Some(before), Some(now)) => {
            format!("{:.1} MiB", now.saturating_sub(before) as f64 / 1048576.0)
        }
        _ => "n/a".to_string(),
    }
}

fn main() {
    let before = resident_bytes();
    let mut lazy = numbers(COUNT);
    let lazy_sum: u64 = (&mut lazy).into_iter().sum();
    let lazy_bytes = size_of_val(&lazy);
    let lazy_rss = grown_since(before);
    drop(lazy);
    println!(
        "lazy:  sum {lazy_sum}, held {lazy_bytes} bytes (the Co itself, no heap), RSS grew {lazy_rss}"
    );

    let before = resident_bytes();
    let eager: Vec<u64> = (0..COUNT).collect();
    let eager_sum: u64 = eager.iter().sum();
    let eager_bytes = eager.capacity() * size_of_val(&0u64) + size_of_val(&eager);
    let eager_rss = grown_since(before);
    drop(eager);
    println!(
        "eager: sum {eager_sum}, held {eager_bytes} bytes ({:.1} MiB: {COUNT} x 8 + the Vec's 24), RSS grew {eager_rss}",
        eager_bytes as f64 / 1048576.0
    );

    assert_eq!(lazy_sum, eager_sum, "both sides compute the same sum");
    println!(
        "the eager side held {}x the bytes of the lazy one",
        eager_bytes / lazy_bytes
    );
}
