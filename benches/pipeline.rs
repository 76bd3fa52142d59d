//! Benchmarks for `pipeline` (filled in by its module).
fn main() {}
