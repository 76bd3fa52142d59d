//! One entry of the task table, split in two: what every switch touches ([`Hot`], one cache
//! line) and the bookkeeping of waits, joins and tracing ([`Cold`]); and the type-erased task
//! ([`Erased`]) that lets tasks returning different types share one table.

use super::{JoinError, Reply, Syscall, TaskBody, TaskId, TaskResume, WaitList};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use tracing::Span;
use volley_core::{Answer, Co, CoError, Resume, Step};

/// Where a task's outcome goes: shared by the task and its [`JoinHandle`](super::JoinHandle).
pub(crate) type Slot<T> = Rc<RefCell<Option<Result<T, JoinError>>>>;

/// What one resume of a task produced.
pub(crate) enum Turn {
    /// A system call to carry out.
    Call(Syscall),
    /// The task ended. `Ok`: it returned, and its value is in its slot already. `Err`: how it
    /// failed, to report and then [`settle`](Erased::settle).
    Ended(Result<(), JoinError>),
}

/// A task with its return type erased: the scheduler's view of a `Co<impl TaskBody<T>>`.
pub(crate) trait Erased {
    /// Resumes the task with `resume` (never `Close`: see [`close`](Erased::close)).
    fn resume(&mut self, resume: TaskResume) -> Turn;
    /// Resumes the task with `Reply::Done`: the common switch, with the reply built here.
    fn send_done(&mut self) -> Turn;
    /// Closes the task (a kill); answers the failure to report and settle.
    fn close(&mut self) -> JoinError;
    /// Writes a failure into the task's slot.
    fn settle(&mut self, failure: JoinError);
    /// The task's name (its coroutine's).
    fn name(&self) -> &str;
}

/// A task body and the slot its return value goes to.
struct TaskCell<B: TaskBody<T>, T> {
    co: Co<B>,
    slot: Slot<T>,
}

impl<B: TaskBody<T>, T> TaskCell<B, T> {
    /// What a resume's answer means for the scheduler.
    #[inline(always)]
    fn turn(&mut self, answer: Answer<B>) -> Turn {
        match answer {
            Ok(Step::Yield(call)) => Turn::Call(call),
            Ok(Step::Return(value)) => {
                if let Ok(mut slot) = self.slot.try_borrow_mut() {
                    *slot = Some(Ok(value));
                }
                Turn::Ended(Ok(()))
            }
            Err(CoError::Raised(error)) => Turn::Ended(Err(JoinError::Raised(error))),
            Err(_) => Turn::Ended(Err(JoinError::Killed)),
        }
    }
}

impl<B: TaskBody<T>, T> Erased for TaskCell<B, T> {
    #[inline]
    fn resume(&mut self, resume: TaskResume) -> Turn {
        let answer = match resume {
            Resume::Send(reply) => self.co.send(reply),
            Resume::Start => self.co.start(),
            Resume::Throw(error) => self.co.throw(error),
            Resume::Close => return Turn::Ended(Err(self.close())),
        };
        self.turn(answer)
    }

    #[inline]
    fn send_done(&mut self) -> Turn {
        let answer = self.co.send(Reply::Done);
        self.turn(answer)
    }

    fn close(&mut self) -> JoinError {
        match self.co.close() {
            Ok(_) => JoinError::Killed,
            Err(CoError::Raised(error)) => JoinError::Raised(error),
            Err(other) => {
                tracing::error!(target: "volley::sched", error = %other, "task ignored its kill and was dropped");
                JoinError::Killed
            }
        }
    }

    fn settle(&mut self, failure: JoinError) {
        if let Ok(mut slot) = self.slot.try_borrow_mut() {
            *slot = Some(Err(failure));
        }
    }

    fn name(&self) -> &str {
        self.co.name()
    }
}

/// A task not yet in a scheduler's table: what [`Syscall::Spawn`] carries. Made by
/// [`spawn`](super::spawn).
///
/// ```
/// use volley_core::Co;
/// use volley_flow::sched::{spawn, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let handle = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let child = volley_core::yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| {
///         volley_core::co_yield!(volley_flow::sched::Syscall::Yield)?;
///         Ok(())
///     }).named("child")))?;
///     Ok(child.id().serial())
/// }));
/// assert_eq!(sched.join(handle).unwrap(), 2);
/// ```
pub struct NewTask {
    pub(crate) task: Box<dyn Erased>,
    /// Killed when the task that spawned it ends.
    pub(crate) linked: bool,
}

impl NewTask {
    /// Wraps a body and makes the slot its outcome goes to.
    pub(crate) fn new<B, T>(co: Co<B>) -> (Self, Slot<T>)
    where
        B: TaskBody<T> + 'static,
        T: 'static,
    {
        let slot: Slot<T> = Rc::new(RefCell::new(None));
        let task = Box::new(TaskCell {
            co,
            slot: slot.clone(),
        });
        (
            NewTask {
                task,
                linked: false,
            },
            slot,
        )
    }
}

impl fmt::Debug for NewTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewTask")
            .field("name", &self.task.name())
            .finish_non_exhaustive()
    }
}

/// What a blocked task waits for.
pub(crate) enum Wait {
    Sleep,
    Join(TaskId),
    Io { token: usize, read: bool },
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
#[repr(align(32))]
pub(crate) struct Hot {
    pub(crate) task: Box<dyn Erased>,
    /// The serial of the task's [`TaskId`], telling it apart from a later task in this slot.
    pub(crate) serial: u64,
    pub(crate) status: Status,
    /// Whether the span is enabled (a subscriber is interested): resumes enter it only then.
    pub(crate) traced: bool,
}

/// The rest of a task: read only when it blocks, wakes, is joined, or ends.
pub(crate) struct Cold {
    pub(crate) span: Span,
    /// What to resume with when the status is [`Status::ReadyPending`].
    pub(crate) pending: Option<TaskResume>,
    /// What the task waits for when the status is [`Status::Blocked`].
    pub(crate) wait: Option<Wait>,
    /// Counts the task's waits, so a stale timer or readiness event is told apart.
    pub(crate) wait_no: u32,
    /// The task joining this one.
    pub(crate) joiner: Option<TaskId>,
    /// The wait list whose wake made this task ready; if it dies before running, the wake is
    /// passed on to the next waiter.
    pub(crate) woken_from: Option<WaitList>,
    /// Tasks spawned linked to this one: killed when it ends.
    pub(crate) linked: Vec<TaskId>,
    /// The task this one is linked to.
    pub(crate) parent: Option<TaskId>,
}
