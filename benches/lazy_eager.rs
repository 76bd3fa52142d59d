//! When lazy is not faster: the same work done three ways, across input sizes, for full
//! consumption and for an early exit.
//!
//! | id | how the numbers are produced |
//! |---|---|
//! | `eager` | collected into a `Vec` first, then consumed |
//! | `volley` | a `#[co]` coroutine yields them one at a time |
//! | `iterator` | a plain `Iterator` chain (`(0..n).map(..)`) |
//!
//! The work per number is the same small computation (a multiplicative hash, a bijection on
//! `u64`), so the cost of producing each number is what differs. `full/*` consumes everything (a
//! sum); `early/*` searches for the value produced at a tenth of the input (a `find` whose target
//! the optimiser cannot see, so every side really produces the items before it), where lazy
//! producers skip the other nine tenths.
//!
//! Run with `cargo bench -p volley-benches --bench lazy_eager`; the README's table comes from one
//! such run. Measure with your own data shape before choosing: the answer moves with the cost of
//! producing an item and with how much of the input is consumed.
#![feature(coroutines)]

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};
use std::hint::black_box;
use std::time::Duration;
use volley::{co, co_yield, Exit};

/// The per-item work every side does: a bijection, so a value is found at one position only.
#[inline(always)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
}

/// Yields `work(x)` for `x` in `0..n`.
#[co(yield = u64)]
fn produced(n: u64) -> Result<(), Exit> {
    for x in 0..n {
        co_yield!(work(x))?;
    }
    Ok(())
}

/// The input sizes: from a handful to ten million.
const SIZES: [u64; 4] = [16, 1_000, 100_000, 10_000_000];

/// Counts throughput in items, and takes fewer, longer samples for the largest inputs.
fn size_group(group: &mut BenchmarkGroup<'_, WallTime>, n: u64) {
    group.throughput(Throughput::Elements(n));
    if n >= 1_000_000 {
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(4));
    }
}

fn full(c: &mut Criterion) {
    let mut group = c.benchmark_group("full");
    for n in SIZES {
        size_group(&mut group, n);
        group.bench_with_input(BenchmarkId::new("eager", n), &n, |b, &n| {
            b.iter(|| {
                let all: Vec<u64> = (0..black_box(n)).map(work).collect();
                all.iter().sum::<u64>()
            })
        });
        group.bench_with_input(BenchmarkId::new("volley", n), &n, |b, &n| {
            b.iter(|| produced(black_box(n)).into_iter().sum::<u64>())
        });
        group.bench_with_input(BenchmarkId::new("iterator", n), &n, |b, &n| {
            b.iter(|| (0..black_box(n)).map(work).sum::<u64>())
        });
    }
    group.finish();
}

/// Searches for the value made at position `n / 10` (a `find`): the lazy producers never make the
/// other nine tenths, the eager one makes them all first.
fn early(c: &mut Criterion) {
    let mut group = c.benchmark_group("early");
    for n in SIZES {
        size_group(&mut group, n);
        let target = work(n / 10);
        group.bench_with_input(BenchmarkId::new("eager", n), &n, |b, &n| {
            b.iter(|| {
                let all: Vec<u64> = (0..black_box(n)).map(work).collect();
                all.iter().position(|&v| v == black_box(target))
            })
        });
        group.bench_with_input(BenchmarkId::new("volley", n), &n, |b, &n| {
            b.iter(|| {
                produced(black_box(n))
                    .into_iter()
                    .position(|v| v == black_box(target))
            })
        });
        group.bench_with_input(BenchmarkId::new("iterator", n), &n, |b, &n| {
            b.iter(|| {
                (0..black_box(n))
                    .map(work)
                    .position(|v| v == black_box(target))
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = full, early
}
criterion_main!(benches);
