//! The log report through a Volley push pipeline against a hand-written single loop doing the
//! same report on the same in-memory input, in the same run.
//!
//! | id | what one iteration does |
//! |---|---|
//! | `log_report/volley_pipeline` | `LineSource` over the input, pushing every borrowed line into the report's `broadcast` of aggregates |
//! | `log_report/hand_loop` | one loop: `memchr` line splitting, the same `parse_line`, counters, `HashMap` and first/last kept inline |
//! | `pull_errors/volley_pull` | the error lines' bytes per level, pulled: `LineSource::filter_map` (which may raise `io::Error`), `pull::filter`, `pull::map`, summed from `into_try_iter` |
//! | `pull_errors/hand_loop` | the same sum in one loop: `memchr` line splitting and the same `parse_line` |
//!
//! Run with `cargo bench -p volley-benches --bench pipeline`. After criterion's report, a short interleaved
//! timing of both prints the ratio (pipeline throughput / hand loop throughput); the budget is
//! at least 0.95. `python3 benches/python_pipeline.py` compares with CPython generators.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};
use volley::pipeline::{pull, LineSource};
use volley_log_report::{generate, parse, report};

/// Size of the in-memory log both contenders read.
const INPUT_BYTES: u64 = 16 * 1024 * 1024;

fn input() -> Vec<u8> {
    let mut log = Vec::with_capacity(INPUT_BYTES as usize + 256);
    generate::generate(&mut log, INPUT_BYTES, 7).expect("writing to a Vec cannot fail");
    log
}

fn volley_pipeline(log: &[u8]) -> report::Report {
    report::run(log).expect("reading a slice cannot fail")
}

/// The same report as one loop over the bytes, written by hand.
fn hand_loop(log: &[u8]) -> report::Report {
    let mut lines = 0u64;
    let mut malformed = 0u64;
    let mut malformed_lines = Vec::new();
    let mut levels = [0u64; 6];
    let mut errors = 0u64;
    let mut by_component: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut first_error: Option<Vec<u8>> = None;
    let mut last_error: Option<Vec<u8>> = None;
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', log)
        .chain((!log.is_empty() && !log.ends_with(b"\n")).then_some(log.len()));
    for end in ends {
        let mut line = &log[start..end];
        start = end + 1;
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        lines += 1;
        match parse::parse_line(line) {
            None => {
                malformed += 1;
                if malformed_lines.len() < report::MALFORMED_SHOWN {
                    malformed_lines.push(lines);
                }
            }
            Some(record) => {
                levels[record.level.index()] += 1;
                if record.level.is_error() {
                    errors += 1;
                    match by_component.get_mut(record.component) {
                        Some(n) => *n += 1,
                        None => {
                            by_component.insert(record.component.to_vec(), 1);
                        }
                    }
                    if first_error.is_none() {
                        first_error = Some(record.timestamp.to_vec());
                    }
                    match &mut last_error {
                        Some(kept) => {
                            kept.clear();
                            kept.extend_from_slice(record.timestamp);
                        }
                        None => last_error = Some(record.timestamp.to_vec()),
                    }
                }
            }
        }
    }
    let mut ranked: Vec<(Vec<u8>, u64)> =
        by_component.iter().map(|(k, &v)| (k.clone(), v)).collect();
    ranked.sort_by_key(|(name, count)| (Reverse(*count), name.clone()));
    ranked.truncate(report::TOP_COMPONENTS);
    report::Report {
        lines,
        malformed,
        malformed_lines,
        // The generated input has no line over the limit and few components: both exact.
        too_long: 0,
        max_line: volley::pipeline::DEFAULT_MAX_LINE,
        levels,
        errors,
        errors_by_component: by_component,
        component_overcount: 0,
        top_error_components: ranked,
        first_error,
        last_error,
    }
}

fn bench_log_report(c: &mut Criterion) {
    let log = input();
    assert_eq!(
        volley_pipeline(&log),
        hand_loop(&log),
        "both contenders must give the same report"
    );
    let mut group = c.benchmark_group("log_report");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(6));
    group.bench_function("volley_pipeline", |b| {
        b.iter(|| volley_pipeline(black_box(&log)))
    });
    group.bench_function("hand_loop", |b| b.iter(|| hand_loop(black_box(&log))));
    group.finish();
    print_ratio(&log);
}

/// Interleaved runs of both, best of each, so the ratio compares like with like.
fn print_ratio(log: &[u8]) {
    let (mut best_pipeline, mut best_hand) = (f64::MAX, f64::MAX);
    for _ in 0..15 {
        let t = Instant::now();
        black_box(volley_pipeline(black_box(log)));
        best_pipeline = best_pipeline.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(hand_loop(black_box(log)));
        best_hand = best_hand.min(t.elapsed().as_secs_f64());
    }
    let mib = log.len() as f64 / (1024.0 * 1024.0);
    println!(
        "log_report ratio: volley_pipeline {:.0} MiB/s, hand_loop {:.0} MiB/s, pipeline/hand throughput = {:.3} (budget >= 0.95)",
        mib / best_pipeline,
        mib / best_hand,
        best_hand / best_pipeline
    );
}

/// Bytes of ERROR and FATAL lines, through a fallible pull pipeline of two stages.
fn volley_pull(log: &[u8]) -> usize {
    let records = LineSource::new(log).filter_map(|line| {
        let record = parse::parse_line(line)?;
        Some((record.level, line.len()))
    });
    let errors = pull::filter(records, |(level, _)| level.is_error());
    let sizes = pull::map(errors, |(_, len)| len);
    sizes
        .into_try_iter()
        .map(|len| len.expect("reading a slice cannot fail"))
        .sum()
}

/// The same sum as one loop over the bytes, written by hand.
fn hand_pull(log: &[u8]) -> usize {
    let mut total = 0;
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', log)
        .chain((!log.is_empty() && !log.ends_with(b"\n")).then_some(log.len()));
    for end in ends {
        let mut line = &log[start..end];
        start = end + 1;
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if let Some(record) = parse::parse_line(line) {
            if record.level.is_error() {
                total += line.len();
            }
        }
    }
    total
}

fn bench_pull(c: &mut Criterion) {
    let log = input();
    assert_eq!(
        volley_pull(&log),
        hand_pull(&log),
        "both contenders must agree"
    );
    let mut group = c.benchmark_group("pull_errors");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(6));
    group.bench_function("volley_pull", |b| b.iter(|| volley_pull(black_box(&log))));
    group.bench_function("hand_loop", |b| b.iter(|| hand_pull(black_box(&log))));
    group.finish();
    let (mut best_pull, mut best_hand) = (f64::MAX, f64::MAX);
    for _ in 0..15 {
        let t = Instant::now();
        black_box(volley_pull(black_box(&log)));
        best_pull = best_pull.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(hand_pull(black_box(&log)));
        best_hand = best_hand.min(t.elapsed().as_secs_f64());
    }
    let mib = log.len() as f64 / (1024.0 * 1024.0);
    println!(
        "pull_errors ratio: volley_pull {:.0} MiB/s, hand_loop {:.0} MiB/s, pull/hand throughput = {:.3}",
        mib / best_pull,
        mib / best_hand,
        best_hand / best_pull
    );
}

criterion_group!(benches, bench_log_report, bench_pull);
criterion_main!(benches);
