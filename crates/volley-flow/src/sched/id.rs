//! Task identifiers.

use std::fmt;

/// Names one task of a [`Scheduler`](super::Scheduler) for its whole life.
///
/// An id is never confused with a later task that reuses the same table slot: it carries the
/// spawn serial number, which is what [`Display`](fmt::Display) shows (`task#3`).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::task_id;
/// use volley_flow::sched::{Scheduler, TaskResume};
///
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(task_id())?.to_string())));
/// assert_eq!(task.id().serial(), 1);
/// assert_eq!(sched.join(task).unwrap(), "task#1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    pub(crate) key: usize,
    pub(crate) serial: u64,
}

impl TaskId {
    /// The spawn serial number: 1 for the first task a scheduler spawned, 2 for the next...
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let first = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())));
    /// let second = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())));
    /// assert_eq!((first.id().serial(), second.id().serial()), (1, 2));
    /// # first.detach(); second.detach();
    /// ```
    pub fn serial(self) -> u64 {
        self.serial
    }

    #[inline]
    pub(crate) fn key(self) -> usize {
        self.key
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task#{}", self.serial)
    }
}
