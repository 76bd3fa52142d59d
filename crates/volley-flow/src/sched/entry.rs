//! One entry of the task table, split in two: what every switch touches ([`Hot`], one cache
//! line) and the bookkeeping of waits, joins and tracing ([`Cold`]); and the type-erased task
//! ([`Erased`]) that lets tasks returning different types share one table.

use super::future::Awaiting;
use super::local::LocalTask;
use super::{JoinError, Reply, Syscall, TaskBody, TaskId, TaskResume, WaitList};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::ops::CoroutineState;
use std::rc::Rc;
use std::task::Waker;
use std::time::Duration;
use tracing::Span;
use volley_core::{Answer, Co, CoError, Resume, Step};

/// Where a task's outcome goes: the task's own cell, seen by its [`JoinHandle`](super::JoinHandle)
/// through its return type.
pub(crate) type Slot<T> = Rc<dyn Outcome<T>>;

/// The typed side of a task's cell.
pub(crate) trait Outcome<T> {
    /// Takes the outcome of a task that ended (`None` while it runs, and once taken).
    fn take_outcome(&self) -> Option<Result<T, JoinError>>;
    /// Whether the task ended and its outcome waits.
    fn is_finished(&self) -> bool;
    /// Wakes `waker` when the task ends (replacing the waker given before): how an async
    /// caller awaits the task.
    fn wake_on_end(&self, waker: &Waker);
}

/// What one resume of a task produced.
pub(crate) enum Turn {
    /// `Syscall::Yield`: queue the task behind the ready ones.
    Yield,
    /// `Syscall::Sleep`, the commonest call of simulations, taken apart: its two fields are
    /// read as the body wrote them, where copying the whole call reads them back in wider
    /// pieces than they were written in, which stalls the processor on each sleep.
    Sleep(Duration),
    /// A system call to carry out.
    Call(Syscall),
    /// The task ended. `Ok`: it returned, and its value is in its cell already. `Err`: how it
    /// failed, to report and then [`settle`](Erased::settle).
    Ended(Result<(), JoinError>),
}

impl Turn {
    /// What a task's yielded `call` asks of the scheduler. A yield and a sleep own nothing:
    /// forgetting them skips the drop glue of the whole enum (matching a field that is `Copy`
    /// does not move the call).
    #[inline(always)]
    pub(crate) fn of(call: Syscall) -> Turn {
        match call {
            Syscall::Yield => {
                std::mem::forget(call);
                Turn::Yield
            }
            Syscall::Sleep(duration) => {
                std::mem::forget(call);
                Turn::Sleep(duration)
            }
            call => Turn::Call(call),
        }
    }
}

/// A task with its return type erased: the scheduler's view of a `Co<impl TaskBody<T>>`.
pub(crate) trait Erased {
    /// Resumes the task with `resume` (never `Close`: see [`close`](Erased::close)).
    fn resume(&self, resume: TaskResume) -> Turn;
    /// Resumes the task with `Reply::Done`: the common switch, with the reply built here.
    fn send_done(&self) -> Turn;
    /// Closes the task (a kill); answers the failure to report and settle.
    fn close(&self) -> JoinError;
    /// Writes a failure as the task's outcome, drops the body and wakes an awaiting caller.
    fn settle(&self, failure: JoinError);
    /// The task returned (its value is its outcome already): drops the body and wakes an
    /// awaiting caller.
    fn complete(&self) {}
    /// Calls `f` with the task's name (its coroutine's).
    fn with_name(&self, f: &mut dyn FnMut(&str));
    /// Takes the body out as a task that can move to another thread: only a task made by
    /// [`spawn_send`](super::spawn_send) has one (how it goes to `sched::tokio`).
    #[cfg(feature = "tokio")]
    fn take_send(&self) -> Option<Box<dyn super::tokio::Portable>> {
        None
    }
}

/// A task: its body while it runs and its outcome once it ended, shared by the table (as
/// [`Erased`]) and the handle (as [`Outcome`]), in one allocation. The body, and everything
/// it owns, is dropped when the task ends; the outcome when the handle takes it or is
/// dropped. The two are apart so the outcome can be written while the body is borrowed.
struct TaskCell<B: TaskBody<T>, T> {
    /// `None` once the task ended.
    body: RefCell<Option<Co<B>>>,
    /// `Some` from the task's end until the handle takes it.
    outcome: RefCell<Option<Result<T, JoinError>>>,
    /// The waker of an async caller awaiting the task's end.
    waker: Cell<Option<Waker>>,
}

impl<B: TaskBody<T>, T> TaskCell<B, T> {
    /// The task ended: wakes whoever awaits it.
    #[inline]
    fn ended(&self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    /// What the scheduler does after a resume answered `answer`: a yielded call to carry out,
    /// or the task's end (a returned value is stored as the outcome; the scheduler then
    /// [`complete`](Erased::complete)s the task).
    #[inline(always)]
    fn turn(&self, answer: Answer<B>) -> Turn {
        match answer {
            Ok(Step::Yield(call)) => Turn::of(call),
            Ok(Step::Return(value)) => self.returned(value),
            Err(CoError::Raised(error)) => Turn::Ended(Err(JoinError::Raised(error))),
            Err(_) => Turn::Ended(Err(JoinError::Killed)),
        }
    }

    /// The body returned `value`: it is the outcome.
    #[cold]
    fn returned(&self, value: T) -> Turn {
        if let Ok(mut outcome) = self.outcome.try_borrow_mut() {
            *outcome = Some(Ok(value));
        }
        Turn::Ended(Ok(()))
    }

    /// Resumes the body with `go`, and turns its answer into what the scheduler does next.
    #[inline(always)]
    fn step(&self, go: impl FnOnce(&mut Co<B>) -> Answer<B>) -> Turn {
        let Ok(mut body) = self.body.try_borrow_mut() else {
            return Turn::Ended(Err(JoinError::Killed));
        };
        let Some(co) = body.as_mut() else {
            return Turn::Ended(Err(JoinError::Killed));
        };
        self.turn(go(co))
    }
}

impl<B: TaskBody<T>, T> Erased for TaskCell<B, T> {
    #[inline]
    fn resume(&self, resume: TaskResume) -> Turn {
        match resume {
            Resume::Send(reply) => self.step(|co| co.send(reply)),
            Resume::Start => self.step(|co| co.start()),
            Resume::Throw(error) => self.step(|co| co.throw(error)),
            Resume::Close => Turn::Ended(Err(self.close())),
        }
    }

    #[inline]
    fn send_done(&self) -> Turn {
        let Ok(mut body) = self.body.try_borrow_mut() else {
            return Turn::Ended(Err(JoinError::Killed));
        };
        let Some(co) = body.as_mut() else {
            return Turn::Ended(Err(JoinError::Killed));
        };
        // The yielded call is taken apart where the body left it: copied whole into an
        // answer first, it would be read back in wider pieces than it was written in.
        co.send_with(
            Reply::Done,
            |co, out| match out {
                CoroutineState::Yielded(call) => Turn::of(call),
                ended => self.turn(co.answer(ended)),
            },
            |_| Turn::Ended(Err(JoinError::Killed)),
        )
    }

    fn complete(&self) {
        if let Ok(mut body) = self.body.try_borrow_mut() {
            *body = None;
        }
        self.ended();
    }

    fn close(&self) -> JoinError {
        let Ok(mut body) = self.body.try_borrow_mut() else {
            return JoinError::Killed;
        };
        let Some(co) = body.as_mut() else {
            return JoinError::Killed;
        };
        // A close arm cannot wait: a sleep in it must not end at once and move the clock.
        super::shortcut::off(|| close_outcome(co))
    }

    fn settle(&self, failure: JoinError) {
        if let Ok(mut outcome) = self.outcome.try_borrow_mut() {
            *outcome = Some(Err(failure));
        }
        self.complete();
    }

    fn with_name(&self, f: &mut dyn FnMut(&str)) {
        match self.body.try_borrow().as_deref() {
            Ok(Some(co)) => f(co.name()),
            _ => f("task"),
        }
    }
}

impl<B: TaskBody<T>, T> Outcome<T> for TaskCell<B, T> {
    fn take_outcome(&self) -> Option<Result<T, JoinError>> {
        self.outcome.try_borrow_mut().ok()?.take()
    }

    fn is_finished(&self) -> bool {
        self.outcome
            .try_borrow()
            .is_ok_and(|outcome| outcome.is_some())
    }

    fn wake_on_end(&self, waker: &Waker) {
        self.waker.set(Some(waker.clone()));
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
///
/// It is `Send` (so is a [`Syscall`] and a task body yielding one): the task itself stays in
/// its thread's stash, and the scheduler that receives the call takes it from there.
pub struct NewTask {
    pub(crate) task: LocalTask,
    /// Killed when the task that spawned it ends.
    pub(crate) linked: bool,
}

impl NewTask {
    /// Wraps a body and makes the slot its outcome goes to.
    #[inline]
    pub(crate) fn new<B, T>(co: Co<B>) -> (Self, Slot<T>)
    where
        B: TaskBody<T> + 'static,
        T: 'static,
    {
        let (cell, slot) = Self::cell(co);
        (NewTask::stash(cell), slot)
    }

    /// Leaves a task in this thread's stash.
    #[inline]
    pub(crate) fn stash(task: Rc<dyn Erased>) -> Self {
        NewTask {
            task: LocalTask::new(task),
            linked: false,
        }
    }

    /// The task of a body, and the slot its outcome goes to.
    #[inline]
    pub(crate) fn cell<B, T>(co: Co<B>) -> (Rc<dyn Erased>, Slot<T>)
    where
        B: TaskBody<T> + 'static,
        T: 'static,
    {
        let cell = Rc::new(TaskCell {
            body: RefCell::new(Some(co)),
            outcome: RefCell::new(None),
            waker: Cell::new(None),
        });
        let slot: Slot<T> = cell.clone();
        (cell, slot)
    }
}

impl fmt::Debug for NewTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut name = String::new();
        self.task
            .with(|task| task.with_name(&mut |n| name.push_str(n)));
        f.debug_struct("NewTask")
            .field("name", &name)
            .finish_non_exhaustive()
    }
}

/// What a blocked task waits for.
pub(crate) enum Wait {
    Sleep,
    Join(TaskId),
    Io {
        token: usize,
        read: bool,
    },
    Park(WaitList),
    /// An awaited future and its waker (boxed: the other waits stay small).
    Future(Box<Awaiting>),
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
    pub(crate) task: Rc<dyn Erased>,
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
}

/// Closes a task's body (a kill) and answers the failure its joiner learns: `Killed`, or the
/// error its close arm raised.
pub(crate) fn close_outcome<B: TaskBody<T>, T>(co: &mut Co<B>) -> JoinError {
    match co.close() {
        Ok(_) => JoinError::Killed,
        Err(CoError::Raised(error)) => JoinError::Raised(error),
        Err(other) => {
            tracing::error!(target: "volley::sched", error = %other, "task ignored its kill and was dropped");
            JoinError::Killed
        }
    }
}
