//! The `sched` module.
