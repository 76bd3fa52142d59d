//! What a task yields (a [`Syscall`]) and what the scheduler sends back (a [`Reply`]), and the
//! type names of task bodies.

use super::{JoinError, SchedError, Stats, TaskError, TaskId, WaitList};
use std::os::fd::RawFd;
use std::time::{Duration, Instant};
use volley_core::{Body, BoxCo, Protocol, Resume};

/// A task: a type-erased Volley coroutine that yields [`Syscall`]s, is sent [`Reply`]s, returns
/// `T` and raises [`TaskError`].
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::{yield_now, Scheduler, Task, TaskResume};
/// let task: Task = Co::boxed(#[coroutine] |_: TaskResume| {
///     yield_from!(yield_now())?;
///     Ok(())
/// })
/// .named("polite");
/// let mut sched = Scheduler::new();
/// sched.spawn_task(task, false);
/// sched.run().unwrap();
/// ```
pub type Task<T = ()> = BoxCo<'static, Reply<T>, Syscall<T>, T, TaskError>;

/// The parameter type of a task body's closure: `#[coroutine] |_: TaskResume| { ... }`.
///
/// ```
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| Ok(()));
/// sched.run().unwrap();
/// ```
pub type TaskResume<T = ()> = Resume<Reply<T>, TaskError>;

/// A task body: what [`Scheduler::spawn`](super::Scheduler::spawn) and [`spawn`](super::spawn)
/// accept. A generator function that makes tasks reads `fn worker(n: u32) -> impl TaskBody`.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{sleep, Scheduler, TaskBody, TaskResume};
/// use std::time::Duration;
///
/// fn napper(ms: u64) -> impl TaskBody {
///     #[coroutine]
///     move |_: TaskResume| {
///         yield_from!(sleep(Duration::from_millis(ms)))?;
///         Ok(())
///     }
/// }
/// let mut sched = Scheduler::new();
/// sched.spawn(napper(1));
/// sched.run().unwrap();
/// ```
pub trait TaskBody<T = ()>: Body<Reply<T>, Syscall<T>, T, TaskError> + 'static {}

impl<B, T> TaskBody<T> for B where B: Body<Reply<T>, Syscall<T>, T, TaskError> + 'static {}

/// The body of a helper coroutine that yields system calls on behalf of its task and returns
/// `X`: a task delegates to a `Co<impl SubBody<X>>` with `yield_from!`, its system calls go out
/// as the task's, and `yield_from!` evaluates to its `X`.
///
/// ```
/// use volley_core::{co_yield, Co, Resume};
/// use volley_flow::sched::{SubBody, Syscall, TaskError, Reply};
///
/// /// Yields the CPU `n` times.
/// fn yield_times<T>(n: u32) -> Co<impl SubBody<u32, T>> {
///     Co::new(#[coroutine] move |_: Resume<Reply<T>, TaskError>| {
///         for _ in 0..n {
///             co_yield!(Syscall::Yield)?;
///         }
///         Ok(n)
///     })
/// }
/// # let _ = yield_times::<()>(1);
/// ```
pub trait SubBody<X, T = ()>: Protocol<Reply<T>, Syscall<T>, X, TaskError> {}

impl<B, X, T> SubBody<X, T> for B where B: Protocol<Reply<T>, Syscall<T>, X, TaskError> {}

/// A system call: what a task yields to ask the scheduler for something.
///
/// Tasks usually yield these through the helpers ([`sleep`](super::sleep),
/// [`spawn`](super::spawn), [`join`](super::join)...) with `yield_from!`, which also decode the
/// [`Reply`]. Yielding one directly with `co_yield!` works too and is the cheapest form.
///
/// ```
/// use volley_core::co_yield;
/// use volley_flow::sched::{Reply, Scheduler, Syscall, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let reply = co_yield!(Syscall::Yield)?;
///     assert!(matches!(reply, Reply::Done));
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
pub enum Syscall<T = ()> {
    /// Let every other ready task run once, then continue. Replies [`Reply::Done`].
    Yield,
    /// Ask for the task's own id. Replies [`Reply::Id`].
    GetId,
    /// Start a new task (queued behind the ready ones). Replies [`Reply::Id`] with its id.
    Spawn {
        /// The new task.
        task: Task<T>,
        /// Whether its outcome is dropped when it ends instead of kept for a join.
        detached: bool,
    },
    /// Wait for a task to end. Replies [`Reply::Joined`].
    Join(TaskId),
    /// Close a task now: its close arm and drops run, its joiner learns it was killed. Replies
    /// [`Reply::Found`] (whether it was alive). Killing oneself ends the task here.
    Kill(TaskId),
    /// Throw an error into a task at its next resume (it may catch it); a blocked task is woken
    /// for it. Replies [`Reply::Found`].
    Cancel(TaskId, TaskError),
    /// Drop a task's outcome when it ends instead of keeping it for a join. Replies
    /// [`Reply::Found`].
    Detach(TaskId),
    /// Sleep at least this long. Replies [`Reply::Done`].
    Sleep(Duration),
    /// Sleep until this instant. Replies [`Reply::Done`].
    SleepUntil(Instant),
    /// Wait until this file descriptor is readable (or hung up, or in error). Replies
    /// [`Reply::Done`] or [`Reply::Error`]. Wake-ups may be spurious: retry the operation.
    Readable(RawFd),
    /// Wait until this file descriptor is writable (or in error). Replies as `Readable`.
    Writable(RawFd),
    /// Block on a wait list until another task wakes it. Replies [`Reply::Done`].
    Park(WaitList),
    /// Wake one (or every) task parked on a wait list. Replies [`Reply::Woken`] with how many.
    Wake {
        /// The wait list.
        list: WaitList,
        /// Wake every task instead of the longest-waiting one.
        all: bool,
    },
    /// Ask for the scheduler's counters. Replies [`Reply::Stats`].
    Stats,
    /// Close every task (this one included: its close arm runs here) and make
    /// [`Scheduler::run`](super::Scheduler::run) return.
    Shutdown,
}

impl<T> Syscall<T> {
    /// A short name of the call, for logs.
    ///
    /// ```
    /// use volley_flow::sched::Syscall;
    /// assert_eq!(Syscall::<()>::Yield.name(), "yield");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Syscall::Yield => "yield",
            Syscall::GetId => "get_id",
            Syscall::Spawn { .. } => "spawn",
            Syscall::Join(_) => "join",
            Syscall::Kill(_) => "kill",
            Syscall::Cancel(..) => "cancel",
            Syscall::Detach(_) => "detach",
            Syscall::Sleep(_) => "sleep",
            Syscall::SleepUntil(_) => "sleep_until",
            Syscall::Readable(_) => "readable",
            Syscall::Writable(_) => "writable",
            Syscall::Park(_) => "park",
            Syscall::Wake { .. } => "wake",
            Syscall::Stats => "stats",
            Syscall::Shutdown => "shutdown",
        }
    }
}

impl<T> std::fmt::Debug for Syscall<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Syscall::Join(id) | Syscall::Kill(id) | Syscall::Detach(id) => {
                write!(f, "{}({id})", self.name())
            }
            Syscall::Cancel(id, e) => write!(f, "cancel({id}, {e})"),
            Syscall::Sleep(d) => write!(f, "sleep({d:?})"),
            Syscall::Readable(fd) | Syscall::Writable(fd) => write!(f, "{}({fd})", self.name()),
            Syscall::Wake { all, .. } => write!(f, "wake(all: {all})"),
            other => f.write_str(other.name()),
        }
    }
}

/// The scheduler's answer to a [`Syscall`], sent into the task.
///
/// ```
/// use volley_flow::sched::Reply;
/// let r: Reply = Reply::Woken(2);
/// assert!(matches!(r, Reply::Woken(2)));
/// ```
#[derive(Debug)]
pub enum Reply<T = ()> {
    /// The call was carried out (yield, sleep, readiness, park, shutdown).
    Done,
    /// A task id (own id, or the id of a spawned task).
    Id(TaskId),
    /// The outcome of a joined task.
    Joined(Result<T, JoinError>),
    /// Whether the target task was alive (kill, cancel, detach).
    Found(bool),
    /// How many tasks a wake call woke.
    Woken(usize),
    /// The scheduler's counters.
    Stats(Stats),
    /// The call could not be carried out.
    Error(SchedError),
}

/// `Reply::Done`, the answer to a call that returns nothing. It is also what starts a task
/// written with genawaiter (which discards its first resume argument), so stable-Rust generator
/// code runs as a Volley task.
///
/// ```
/// use volley_flow::sched::Reply;
/// assert!(matches!(Reply::<()>::default(), Reply::Done));
/// ```
impl<T> Default for Reply<T> {
    fn default() -> Self {
        Reply::Done
    }
}
