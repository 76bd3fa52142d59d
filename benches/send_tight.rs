//! A `send` in a tight loop: 20 million sends into a body with a close arm (`E = ()`), with the
//! input behind `black_box` and the handle behind `black_box` on every iteration, so neither side
//! is folded away; interleaved with the raw std peer in one process.
//!
//! | side | what one iteration does |
//! |---|---|
//! | `volley` | `Co::send` on an inline body that matches `Exit::Closed` and returns its total |
//! | `raw` | `Coroutine::resume` on the equivalent plain `#[coroutine]` closure resumed with `u64` |
//! | `raw_same_body` | `Coroutine::resume` straight on the Volley body, without the handle |
//!
//! It prints the median of 11 rounds per side and the ratios. Run with
//! `cargo bench -p volley-benches --bench send_tight`. Criterion's own per-iteration cost (about
//! 0.4 ns here) hides part of a sub-nanosecond difference, which is why this loop exists.
#![feature(coroutines, coroutine_trait, stmt_expr_attributes)]

use std::hint::black_box;
use std::ops::{Coroutine, CoroutineState};
use std::pin::Pin;
use std::time::Instant;
use volley::{co_yield, Co, Exit, Resume, Step};

const SENDS: u64 = 20_000_000;
const ROUNDS: usize = 11;

/// The body every side runs: add what is sent, yield the total, return it on close.
macro_rules! accumulator_body {
    () => {
        #[coroutine]
        |_: Resume<u64, ()>| -> Result<u64, Exit<()>> {
            let mut total = 0u64;
            loop {
                match co_yield!(total) {
                    Ok(sent) => total = total.wrapping_add(sent),
                    Err(Exit::Closed) => return Ok(total),
                    Err(raised) => return Err(raised),
                }
            }
        }
    };
}

/// Nanoseconds per send through the handle.
#[inline(never)]
fn volley() -> (u64, f64) {
    let mut co = Co::new(accumulator_body!());
    co.start().expect("the body starts");
    let started = Instant::now();
    let mut last = 0;
    for i in 0..SENDS {
        match black_box(&mut co).send(black_box(i)) {
            Ok(Step::Yield(total)) => last = total,
            other => panic!("the accumulator never ends: {other:?}"),
        }
    }
    let ns = started.elapsed().as_nanos() as f64 / SENDS as f64;
    assert_eq!(co.close(), Ok(Some(last)));
    (last, ns)
}

/// Nanoseconds per raw resume of the equivalent plain closure.
#[inline(never)]
fn raw() -> (u64, f64) {
    let mut co = #[coroutine]
    |_first: u64| {
        let mut total = 0u64;
        loop {
            let sent = yield total;
            total = total.wrapping_add(sent);
        }
    };
    let _ = Pin::new(&mut co).resume(0);
    let started = Instant::now();
    let mut last = 0;
    for i in 0..SENDS {
        match Pin::new(black_box(&mut co)).resume(black_box(i)) {
            CoroutineState::Yielded(total) => last = total,
            CoroutineState::Complete(()) => unreachable!("the accumulator never ends"),
        }
    }
    (last, started.elapsed().as_nanos() as f64 / SENDS as f64)
}

/// Nanoseconds per raw resume of the Volley body itself.
#[inline(never)]
fn raw_same_body() -> (u64, f64) {
    let mut co = accumulator_body!();
    let _ = Pin::new(&mut co).resume(Resume::Start);
    let started = Instant::now();
    let mut last = 0;
    for i in 0..SENDS {
        match Pin::new(black_box(&mut co)).resume(Resume::Send(black_box(i))) {
            CoroutineState::Yielded(total) => last = total,
            CoroutineState::Complete(_) => unreachable!("the accumulator never ends"),
        }
    }
    (last, started.elapsed().as_nanos() as f64 / SENDS as f64)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and wants it quick.
    let rounds = if std::env::args().any(|a| a == "--bench") {
        ROUNDS
    } else {
        1
    };
    let (mut volley_ns, mut raw_ns, mut same_ns) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (a, v) = volley();
        let (b, r) = raw();
        let (c, s) = raw_same_body();
        assert!(a == b && b == c, "every side computes the same total");
        volley_ns.push(v);
        raw_ns.push(r);
        same_ns.push(s);
    }
    let (v, r, s) = (median(volley_ns), median(raw_ns), median(same_ns));
    println!("send_tight: {SENDS} sends per side, median of {rounds} interleaved round(s)");
    println!("  volley Co::send           {v:.3} ns");
    println!("  raw std resume            {r:.3} ns");
    println!("  raw resume, same body     {s:.3} ns");
    println!(
        "  volley / raw              {:.2}x (budget <= 1.25x)",
        v / r
    );
    println!("  volley / raw same body    {:.2}x", v / s);
}
