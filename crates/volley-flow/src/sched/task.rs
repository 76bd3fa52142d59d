//! One entry of the task table, split in two: what every switch touches ([`Hot`], one cache
//! line for the common task types) and the bookkeeping of waits, joins and tracing ([`Cold`]).

use super::reactor::Direction;
use super::TaskId;
use super::{Reply, Task, TaskError, WaitList};
use std::os::fd::RawFd;
use tracing::Span;

/// How a ready task is to be resumed next, when it is not a plain [`Reply::Done`].
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

/// Where a live task is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Status {
    /// Queued, to be resumed with [`Reply::Done`]: the common case, decided from the hot half
    /// alone.
    ReadyDone,
    /// Queued, to be resumed with [`Cold::pending`].
    ReadyPending,
    /// Waiting for [`Cold::wait`]; a timer, socket, wake or task end makes it ready.
    Blocked,
    /// Being resumed now.
    Running,
}

/// The part of a task the run loop reads and writes on every switch.
///
/// Aligned to a cache line: with the default task types it fills exactly one, so a switch
/// touches this line and the coroutine's own memory, nothing else of the table.
#[repr(align(64))]
pub(crate) struct Hot<T> {
    pub(crate) co: Task<T>,
    /// The serial of the task's [`TaskId`], telling it apart from a later task in this slot.
    pub(crate) serial: u64,
    pub(crate) status: Status,
    /// Whether the span is enabled (a subscriber is interested): resumes enter it only then.
    pub(crate) traced: bool,
}

/// The rest of a task: read only when it blocks, wakes, is joined, or ends.
pub(crate) struct Cold<T> {
    pub(crate) span: Span,
    /// What to resume with when the status is [`Status::ReadyPending`].
    pub(crate) pending: Option<Pending<T>>,
    /// What the task waits for when the status is [`Status::Blocked`].
    pub(crate) wait: Option<Wait>,
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
