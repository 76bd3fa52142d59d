//! Benchmarks for `sched` (filled in by its module).
fn main() {}
