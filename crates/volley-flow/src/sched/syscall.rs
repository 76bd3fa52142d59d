//! What a task yields (a [`Syscall`]) and what the scheduler sends back (a [`Reply`]), and the
//! type names of task bodies.

use super::custom::CustomCall;
use super::entry::NewTask;
use super::future::TaskFuture;
use super::reactor::IoSource;
use super::{SchedError, Stats, TaskError, TaskId, WaitList};
use std::time::{Duration, Instant};
use volley_core::{Delegate, Protocol, Resume};

/// The parameter type of a task body's closure: `#[coroutine] |_: TaskResume| { ... }`.
///
/// ```
/// use volley_core::Co;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     volley_core::co_yield!(volley_flow::sched::Syscall::Yield)?;
///     Ok(7)
/// }));
/// assert_eq!(sched.join(task).unwrap(), 7);
/// ```
pub type TaskResume = Resume<Reply, TaskError>;

/// A task body (or a helper coroutine a task delegates to): it yields [`Syscall`]s, is sent
/// [`Reply`]s, raises [`TaskError`] and returns `T`. A function that makes one returns
/// `Co<impl TaskBody<T>>`, which is what `#[task]` writes and what
/// [`Scheduler::spawn`](super::Scheduler::spawn) and [`spawn`](super::spawn) take (a spawned
/// body must also be `'static`).
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::sleep;
/// use volley_flow::sched::{Scheduler, TaskBody, TaskResume};
///
/// fn napper(ms: u64) -> Co<impl TaskBody<u64>> {
///     Co::new(#[coroutine] move |_: TaskResume| {
///         yield_from!(sleep(Duration::from_millis(ms)))?;
///         Ok(ms)
///     })
///     .named("napper")
/// }
/// let mut sched = Scheduler::new();
/// let nap = sched.spawn(napper(1));
/// assert_eq!(sched.join(nap).unwrap(), 1);
/// ```
pub trait TaskBody<T = ()>: Protocol<Reply, Syscall, T, TaskError> {}

impl<B, T> TaskBody<T> for B where B: Protocol<Reply, Syscall, T, TaskError> + ?Sized {}

/// Anything a task body can delegate to with `yield_from!` to make system calls, evaluating to
/// `X`: the helpers of the scheduler (which return `impl TaskCall<X>`), a `Co<impl
/// TaskBody<X>>`, or a [`Call`](super::task::Call).
///
/// The single-call helpers ([`yield_now`](super::task::yield_now),
/// [`sleep`](super::time::sleep)...) are plain values, not coroutines: they build the
/// [`Syscall`] at the first resume and decode the [`Reply`] inline, so
/// `yield_from!(yield_now())?` costs what a raw `co_yield!(Syscall::Yield)?` costs.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::{task_id, TaskId};
/// use volley_flow::sched::{Scheduler, TaskCall, TaskResume};
///
/// /// Any call that answers a task id, kept for later.
/// fn whoami() -> impl TaskCall<TaskId> {
///     task_id()
/// }
/// let mut sched = Scheduler::new();
/// let me = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let call = whoami();
///     Ok(yield_from!(call)?.serial())
/// }));
/// assert_eq!(sched.join(me).unwrap(), 1);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub trait TaskCall<X>: Delegate<Reply, Syscall, TaskError, Output = X> {}

impl<D, X> TaskCall<X> for D where D: Delegate<Reply, Syscall, TaskError, Output = X> + ?Sized {}

/// A system call: what a task yields to ask the scheduler for something.
///
/// Tasks usually yield these through the helpers ([`sleep`](super::time::sleep),
/// [`spawn`](super::spawn), [`JoinHandle::join`](super::JoinHandle::join)...) with
/// `yield_from!`, which also decode the [`Reply`]. Yielding one directly with `co_yield!` works
/// too and is the cheapest form.
///
/// ```
/// use volley_core::{co_yield, Co};
/// use volley_flow::sched::{Reply, Scheduler, Syscall, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let reply = co_yield!(Syscall::Yield)?;
///     Ok(matches!(reply, Reply::Done))
/// }));
/// assert!(sched.join(task).unwrap());
/// ```
#[non_exhaustive]
pub enum Syscall {
    /// Let every other ready task run once, then continue. Replies [`Reply::Done`].
    Yield,
    /// Ask for the task's own id. Replies [`Reply::Id`].
    GetId,
    /// Start a new task (queued behind the ready ones), made by [`spawn`](super::spawn).
    /// Replies [`Reply::Id`] with its id.
    Spawn(NewTask),
    /// Wait for a task to end. Replies [`Reply::Done`] once it has (its outcome is in its
    /// [`JoinHandle`](super::JoinHandle)), or [`Reply::Error`].
    Join(TaskId),
    /// Close a task now: its close arm and drops run, its joiner learns it was killed. Replies
    /// [`Reply::Found`] (whether it was alive). Killing oneself ends the task here.
    Kill(TaskId),
    /// Throw an error into a task at its next resume (it may catch it); a blocked task is woken
    /// for it. Replies [`Reply::Found`].
    Cancel(TaskId, TaskError),
    /// Sleep at least this long. Replies [`Reply::Done`].
    Sleep(Duration),
    /// Sleep until this instant. Replies [`Reply::Done`].
    SleepUntil(Instant),
    /// Wait until this socket is readable (or hung up, or in error). Replies [`Reply::Done`]
    /// or [`Reply::Error`]. Wake-ups may be spurious: retry the operation.
    Readable(IoSource),
    /// Wait until this socket is writable (or in error). Replies as `Readable`.
    Writable(IoSource),
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
    /// A system call of the user's own, carried out by the handler registered for its type
    /// with [`Scheduler::on_call`](super::Scheduler::on_call). Replies [`Reply::Custom`], or
    /// [`Reply::Done`] after a wait, or [`Reply::Error`]. The scheduler's own extensions
    /// ([`time::now`](super::time::now), [`time::clock`](super::time::clock),
    /// [`rand::random_u64`](super::rand::random_u64), [`rand::rng`](super::rand::rng)) travel
    /// this way too, and reply [`Reply::Now`], [`Reply::Custom`] or [`Reply::Random`].
    Custom(CustomCall),
    /// Wait for a future (made by [`await_future`](super::await_future)). Carried out by
    /// polling the [`TaskFuture`] to completion (the scheduler polls it with a waker that may
    /// be woken from any thread; an async runtime may simply `.await` it), then replying
    /// [`Reply::Done`]; the future's output waits for the helper that made the call. Replies
    /// [`Reply::Error`] if the call could not be carried out. Killing the task drops the
    /// future.
    Await(TaskFuture),
}

impl Syscall {
    /// A short name of the call, for logs.
    ///
    /// ```
    /// use volley_flow::sched::Syscall;
    /// assert_eq!(Syscall::Yield.name(), "yield");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Syscall::Yield => "yield",
            Syscall::GetId => "get_id",
            Syscall::Spawn(_) => "spawn",
            Syscall::Join(_) => "join",
            Syscall::Kill(_) => "kill",
            Syscall::Cancel(..) => "cancel",
            Syscall::Sleep(_) => "sleep",
            Syscall::SleepUntil(_) => "sleep_until",
            Syscall::Readable(_) => "readable",
            Syscall::Writable(_) => "writable",
            Syscall::Park(_) => "park",
            Syscall::Wake { .. } => "wake",
            Syscall::Stats => "stats",
            Syscall::Shutdown => "shutdown",
            Syscall::Custom(call) => call.name(),
            Syscall::Await(_) => "await",
        }
    }
}

impl std::fmt::Debug for Syscall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Syscall::Join(id) | Syscall::Kill(id) => write!(f, "{}({id})", self.name()),
            Syscall::Spawn(task) => write!(f, "spawn({task:?})"),
            Syscall::Cancel(id, e) => write!(f, "cancel({id}, {e})"),
            Syscall::Sleep(d) => write!(f, "sleep({d:?})"),
            Syscall::Readable(io) | Syscall::Writable(io) => write!(f, "{}({io:?})", self.name()),
            Syscall::Wake { all, .. } => write!(f, "wake(all: {all})"),
            Syscall::Custom(call) => write!(f, "{call:?}"),
            other => f.write_str(other.name()),
        }
    }
}

/// The scheduler's answer to a [`Syscall`], sent into the task.
///
/// ```
/// use volley_flow::sched::Reply;
/// let r = Reply::Woken(2);
/// assert!(matches!(r, Reply::Woken(2)));
/// ```
#[non_exhaustive]
pub enum Reply {
    /// The call was carried out (yield, sleep, readiness, park, join, shutdown).
    Done,
    /// A task id (own id, or the id of a spawned task).
    Id(TaskId),
    /// Whether the target task was alive (kill, cancel).
    Found(bool),
    /// How many tasks a wake call woke.
    Woken(usize),
    /// The scheduler's counters.
    Stats(Stats),
    /// The call could not be carried out.
    Error(SchedError),
    /// The clock's current instant.
    Now(Instant),
    /// 64 random bits from the scheduler's seeded stream.
    Random(u64),
    /// The answer of a custom call (a value of any type, or a handle on the clock or the
    /// random numbers) waits for the helper that made the call ([`task::call`](super::task::call)
    /// and the like), which takes it.
    Custom,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Done => f.write_str("Done"),
            Reply::Id(id) => write!(f, "Id({id:?})"),
            Reply::Found(found) => write!(f, "Found({found})"),
            Reply::Woken(n) => write!(f, "Woken({n})"),
            Reply::Stats(stats) => write!(f, "Stats({stats:?})"),
            Reply::Error(e) => write!(f, "Error({e:?})"),
            Reply::Now(at) => write!(f, "Now({at:?})"),
            Reply::Random(bits) => write!(f, "Random({bits})"),
            Reply::Custom => f.write_str("Custom"),
        }
    }
}

/// `Reply::Done`, the answer to a call that returns nothing. It is also what starts a task
/// written with genawaiter (which discards its first resume argument), so stable-Rust generator
/// code runs as a Volley task.
///
/// ```
/// use volley_flow::sched::Reply;
/// assert!(matches!(Reply::default(), Reply::Done));
/// ```
impl Default for Reply {
    fn default() -> Self {
        Reply::Done
    }
}
