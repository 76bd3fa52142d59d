//! The cost of one resume through Volley, against its peers in the same run.
//!
//! Every benchmark takes the yielded value out of the answer the same way (value in, value out),
//! so no side pays for the size of an answer it would not keep. Every benchmark drives the same accumulator (add what was sent, yield the running total) or
//! the same counter (yield 0, 1, 2, ...), written once per API:
//!
//! | id | what one iteration does |
//! |---|---|
//! | `send/volley` | [`Co::send`] on an inline (unboxed) body |
//! | `send/std_resume` | `Coroutine::resume` on the equivalent raw `#[coroutine]` closure (resume type `u64`) |
//! | `send/std_resume_same_body` | `Coroutine::resume` straight on the Volley body, without the handle |
//! | `send/genawaiter_rc` | `genawaiter::rc::Gen::resume_with` |
//! | `send/genawaiter_stack` | `genawaiter::stack::Gen::resume_with` |
//! | `send/volley_boxed` | [`Co::send`] on a [`BoxCo`] (type-erased, heap-pinned body) |
//! | `send/std_resume_boxed` | `Coroutine::resume` on a `Pin<Box<dyn Coroutine>>` |
//! | `send/std_resume_boxed_same_body` | `Coroutine::resume` straight on the boxed Volley body |
//! | `next/volley` | `Iterator::next` on a consumed [`Co`] |
//! | `next/std_resume` | `Coroutine::resume(())` on the equivalent raw closure |
//! | `next/genawaiter_rc` | `Iterator::next` on a `genawaiter::rc::Gen` |
//! | `average/volley` | [`Co::send`] into a running average of `f64` (a body with real work) |
//! | `average/std_resume` | `Coroutine::resume` on the equivalent raw closure |
//!
//! Run with `cargo bench -p volley-benches --bench core`; `python3 benches/python_send.py --compare` then times
//! CPython's `gen.send` on the same machine and prints every ratio from the saved estimates.
#![feature(coroutines, coroutine_trait)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::convert::Infallible;
use std::hint::black_box;
use std::ops::{Coroutine, CoroutineState};
use std::pin::Pin;
use std::time::Duration;
use volley::{co_yield, Body, BoxCo, Co, CoError, Gen, Resume, Step};

/// Yields the total of everything sent so far.
fn volley_accumulator() -> impl Body<u64, u64, (), Infallible> {
    #[coroutine]
    |_: Resume<u64, Infallible>| {
        let mut total = 0u64;
        loop {
            let sent = co_yield!(total)?;
            total = total.wrapping_add(sent);
        }
    }
}

/// The same accumulator as a raw std coroutine: the first resume argument only starts it.
fn std_accumulator() -> impl Coroutine<u64, Yield = u64, Return = ()> + Unpin {
    #[coroutine]
    |_first: u64| {
        let mut total = 0u64;
        loop {
            let sent = yield total;
            total = total.wrapping_add(sent);
        }
    }
}

/// Yields the running average of every value sent so far.
fn volley_average() -> impl Body<f64, f64, (), Infallible> {
    #[coroutine]
    |_: Resume<f64, Infallible>| {
        let (mut total, mut count) = (0.0, 0.0);
        loop {
            let sent = co_yield!(if count > 0.0 { total / count } else { 0.0 })?;
            total += sent;
            count += 1.0;
        }
    }
}

/// The same running average as a raw std coroutine.
fn std_average() -> impl Coroutine<f64, Yield = f64, Return = ()> + Unpin {
    #[coroutine]
    |_first: f64| {
        let (mut total, mut count) = (0.0, 0.0);
        loop {
            let sent = yield if count > 0.0 { total / count } else { 0.0 };
            total += sent;
            count += 1.0;
        }
    }
}

/// Yields 0, 1, 2, ... for ever.
fn volley_counter() -> impl Gen<u64> {
    #[coroutine]
    |_: Resume<(), Infallible>| {
        let mut n = 0u64;
        loop {
            co_yield!(n)?;
            n = n.wrapping_add(1);
        }
    }
}

/// The same counter as a raw std coroutine.
fn std_counter() -> impl Coroutine<(), Yield = u64, Return = ()> + Unpin {
    #[coroutine]
    || {
        let mut n = 0u64;
        loop {
            yield n;
            n = n.wrapping_add(1);
        }
    }
}

/// What a caller does with a Volley answer: take the yielded value.
#[inline(always)]
fn volley_yielded<Y, R, S, E>(answer: Result<Step<Y, R>, CoError<S, E>>) -> Option<Y> {
    match answer {
        Ok(Step::Yield(value)) => Some(value),
        _ => None,
    }
}

/// What a caller does with a genawaiter answer: take the yielded value.
#[inline(always)]
fn genawaiter_yielded<Y, R>(answer: genawaiter::GeneratorState<Y, R>) -> Option<Y> {
    match answer {
        genawaiter::GeneratorState::Yielded(value) => Some(value),
        genawaiter::GeneratorState::Complete(_) => None,
    }
}

/// What a caller does with a raw std answer: take the yielded value.
#[inline(always)]
fn std_yielded<Y, R>(answer: CoroutineState<Y, R>) -> Option<Y> {
    match answer {
        CoroutineState::Yielded(value) => Some(value),
        CoroutineState::Complete(_) => None,
    }
}

fn send_round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("core");
    group
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(4));

    group.bench_function("send/volley", |b| {
        let mut co = Co::new(volley_accumulator());
        co.start().expect("the accumulator yields at once");
        b.iter(|| volley_yielded(co.send(black_box(1))));
    });

    group.bench_function("send/std_resume", |b| {
        let mut raw = std_accumulator();
        let _ = Pin::new(&mut raw).resume(0);
        b.iter(|| std_yielded(Pin::new(&mut raw).resume(black_box(1))));
    });

    group.bench_function("send/std_resume_same_body", |b| {
        let mut raw = volley_accumulator();
        let _ = Pin::new(&mut raw).resume(Resume::Start);
        b.iter(|| std_yielded(Pin::new(&mut raw).resume(Resume::Send(black_box(1)))));
    });

    group.bench_function("send/genawaiter_rc", |b| {
        let mut gen = genawaiter::rc::Gen::new(|co| async move {
            let mut total = 0u64;
            loop {
                let sent = co.yield_(total).await;
                total = total.wrapping_add(sent);
            }
        });
        // genawaiter ignores the argument of the first resume, as it only starts the body.
        let _ = gen.resume_with(0);
        b.iter(|| genawaiter_yielded(gen.resume_with(black_box(1))));
    });

    group.bench_function("send/genawaiter_stack", |b| {
        genawaiter::stack::let_gen_using!(gen, |co| async move {
            let mut total = 0u64;
            loop {
                let sent = co.yield_(total).await;
                total = total.wrapping_add(sent);
            }
        });
        let _ = gen.resume_with(0);
        b.iter(|| genawaiter_yielded(gen.resume_with(black_box(1))));
    });

    group.bench_function("send/volley_boxed", |b| {
        let mut co: BoxCo<'_, u64, u64, (), Infallible> = Co::boxed(volley_accumulator());
        co.start().expect("the accumulator yields at once");
        b.iter(|| volley_yielded(co.send(black_box(1))));
    });

    group.bench_function("send/std_resume_boxed", |b| {
        let mut raw: Pin<Box<dyn Coroutine<u64, Yield = u64, Return = ()>>> =
            Box::pin(std_accumulator());
        let _ = raw.as_mut().resume(0);
        b.iter(|| std_yielded(raw.as_mut().resume(black_box(1))));
    });

    group.bench_function("send/std_resume_boxed_same_body", |b| {
        let mut raw: volley::BoxBody<'_, u64, u64, (), Infallible> = Box::pin(volley_accumulator());
        let _ = raw.as_mut().resume(Resume::Start);
        b.iter(|| std_yielded(raw.as_mut().resume(Resume::Send(black_box(1)))));
    });

    group.bench_function("next/volley", |b| {
        let mut numbers = Co::new(volley_counter()).into_iter();
        b.iter(|| numbers.next());
    });

    group.bench_function("next/std_resume", |b| {
        let mut raw = std_counter();
        b.iter(|| std_yielded(Pin::new(&mut raw).resume(())));
    });

    group.bench_function("next/genawaiter_rc", |b| {
        let mut numbers = genawaiter::rc::Gen::new(|co| async move {
            let mut n = 0u64;
            loop {
                co.yield_(n).await;
                n = n.wrapping_add(1);
            }
        })
        .into_iter();
        b.iter(|| numbers.next());
    });

    group.bench_function("average/volley", |b| {
        let mut co = Co::new(volley_average());
        co.start().expect("the average yields at once");
        b.iter(|| volley_yielded(co.send(black_box(1.5))));
    });

    group.bench_function("average/std_resume", |b| {
        let mut raw = std_average();
        let _ = Pin::new(&mut raw).resume(0.0);
        b.iter(|| std_yielded(Pin::new(&mut raw).resume(black_box(1.5))));
    });

    group.finish();
}

criterion_group!(benches, send_round_trip);
criterion_main!(benches);
