//! One entry of the task table: the coroutine, its span, and where it is in its life.

use super::reactor::Direction;
use super::{Reply, Task, TaskError, TaskId, WaitList};
use std::os::fd::RawFd;
use tracing::Span;

/// How a ready task is to be resumed next.
pub(crate) enum Pending<T> {
    Start,
    Send(Reply<T>),
    Throw(TaskError),
}

/// What a blocked task waits for.
pub(crate) enum Wait {
    Sleep,
    Join(TaskId),
    Io { fd: RawFd, dir: Direction },
    Park(WaitList),
}

/// Where a live task is.
pub(crate) enum Run<T> {
    /// In the ready queue, with what it will be resumed with.
    Ready(Pending<T>),
    /// Waiting; a timer, socket, wake or task end makes it ready.
    Blocked(Wait),
    /// Being resumed now.
    Running,
}

pub(crate) struct Slot<T> {
    pub(crate) id: TaskId,
    pub(crate) co: Task<T>,
    pub(crate) span: Span,
    pub(crate) run: Run<T>,
    /// Counts the task's waits, so a stale timer or readiness event is told apart.
    pub(crate) wait_no: u32,
    /// The task joining this one.
    pub(crate) joiner: Option<TaskId>,
    /// Drop the outcome at the end instead of keeping it for a join.
    pub(crate) detached: bool,
    /// The wait list whose wake made this task ready; if it dies before running, the wake is
    /// passed on to the next waiter.
    pub(crate) woken_from: Option<WaitList>,
}
