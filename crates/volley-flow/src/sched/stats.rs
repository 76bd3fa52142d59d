//! The scheduler's counters.

/// Counters of a [`Scheduler`](super::Scheduler), from [`Scheduler::stats`](super::Scheduler::stats)
/// or, inside a task, the [`stats`](super::task::stats) call.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::yield_now;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// for _ in 0..3 {
///     sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///         yield_from!(yield_now())?;
///         Ok(())
///     })).detach();
/// }
/// sched.run().unwrap();
/// let stats = sched.stats();
/// assert_eq!((stats.spawned, stats.finished, stats.alive), (3, 3, 0));
/// assert_eq!(stats.switches, 6);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Resumes of a task by the scheduler (each start, send or throw); on virtual time, a
    /// sleep that ended without a switch (see [`sleep`](super::time::sleep)) counts as one.
    pub switches: u64,
    /// Tasks ever spawned.
    pub spawned: u64,
    /// Tasks that ended (returned, raised, panicked or were killed).
    pub finished: u64,
    /// Tasks not yet ended.
    pub alive: usize,
}
