//! The system-call helpers a task body delegates to with `yield_from!`, each evaluating to its
//! typed answer.

use super::{
    JoinError, Reply, SchedError, Stats, Syscall, Task, TaskBody, TaskError, TaskId, WaitList,
};
use std::borrow::Cow;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};
use volley_core::{Co, Delegate, Exit, Resume, Step};

/// What a task body delegates to with `yield_from!` to make system calls: the helpers of this
/// module (which return `impl TaskCall<X, T>`), a [`Call`], or a helper coroutine
/// (`Co<impl SubBody<X>>`). The `yield_from!` evaluates to `X`.
///
/// The single-call helpers ([`yield_now`], [`sleep`], [`join`]...) are plain values, not
/// coroutines: they keep only the call's arguments, build the [`Syscall`] at the first resume
/// and decode the [`Reply`] inline, so `yield_from!(yield_now())?` costs what a raw
/// `co_yield!(Syscall::Yield)?` costs. A throw or close arriving while the call is pending goes
/// straight to the task body, as with any `yield_from!`.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{task_id, Scheduler, TaskCall, TaskId, TaskResume};
///
/// /// Any call that answers a task id, kept for later.
/// fn whoami<T>() -> impl TaskCall<TaskId, T> {
///     task_id()
/// }
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let call = whoami();
///     let me = yield_from!(call)?;
///     assert_eq!(me.serial(), 1);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
pub trait TaskCall<X, T = ()>: Delegate<Reply<T>, Syscall<T>, TaskError, Output = X> {}

impl<D, X, T> TaskCall<X, T> for D where D: Delegate<Reply<T>, Syscall<T>, TaskError, Output = X> {}

/// A single system call: its arguments until the first resume, then the reply decoder.
///
/// `build` and `decode` are closures or functions known at compile time (zero-sized), so the
/// call is built in place and the reply is matched inline, with no indirect call and no copy
/// of a prebuilt [`Syscall`] or of the [`Reply`].
struct Single<A, B, D> {
    args: Option<A>,
    build: B,
    decode: D,
}

/// A single call yielding `build(args)` and answering `decode(reply)`.
#[inline(always)]
fn single<A, X, T>(
    args: A,
    build: impl Fn(A) -> Syscall<T>,
    decode: impl Fn(Reply<T>) -> Result<X, Exit<TaskError>>,
) -> impl TaskCall<X, T> {
    Single {
        args: Some(args),
        build,
        decode,
    }
}

impl<A, B, D, X, T> Delegate<Reply<T>, Syscall<T>, TaskError> for Single<A, B, D>
where
    B: Fn(A) -> Syscall<T>,
    D: Fn(Reply<T>) -> Result<X, Exit<TaskError>>,
{
    type Output = X;

    #[inline(always)]
    fn delegate(
        &mut self,
        resume: Resume<Reply<T>, TaskError>,
    ) -> Step<Syscall<T>, Result<X, Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.args.take() {
                Some(args) => Step::Yield((self.build)(args)),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(reply) => Step::Return((self.decode)(reply)),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

/// One system call built ahead of time with a reply decoder given as a function pointer: the
/// way to make a call no helper covers. It yields the call once and decodes the reply into `X`.
///
/// A throw or close arriving while the call is pending goes straight to the task body, as with
/// any `yield_from!`.
///
/// ```
/// use volley_core::{yield_from, Exit};
/// use volley_flow::sched::{Call, Reply, Scheduler, Syscall, TaskError, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let call: Call<u64> = Call::new(Syscall::GetId, |reply| match reply {
///         Reply::Id(id) => Ok(id.serial()),
///         _ => Err(Exit::Raised(TaskError::msg("unexpected reply"))),
///     });
///     assert_eq!(yield_from!(call)?, 1);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub struct Call<X, T = ()> {
    syscall: Option<Syscall<T>>,
    decode: fn(Reply<T>) -> Result<X, Exit<TaskError>>,
}

impl<X, T> Call<X, T> {
    /// A call that yields `syscall` and decodes the reply with `decode`.
    ///
    /// ```
    /// use volley_core::{yield_from, Exit};
    /// use volley_flow::sched::{Call, Reply, Scheduler, Syscall, TaskError, TaskResume};
    /// fn switches<T>() -> Call<u64, T> {
    ///     Call::new(Syscall::Stats, |reply| match reply {
    ///         Reply::Stats(s) => Ok(s.switches),
    ///         _ => Err(Exit::Raised(TaskError::msg("unexpected reply"))),
    ///     })
    /// }
    /// let mut sched = Scheduler::new();
    /// sched.spawn(#[coroutine] |_: TaskResume| {
    ///     assert_eq!(yield_from!(switches())?, 1);
    ///     Ok(())
    /// });
    /// sched.run().unwrap();
    /// ```
    pub fn new(syscall: Syscall<T>, decode: fn(Reply<T>) -> Result<X, Exit<TaskError>>) -> Self {
        Call {
            syscall: Some(syscall),
            decode,
        }
    }
}

impl<X, T> Delegate<Reply<T>, Syscall<T>, TaskError> for Call<X, T> {
    type Output = X;

    #[inline]
    fn delegate(
        &mut self,
        resume: Resume<Reply<T>, TaskError>,
    ) -> Step<Syscall<T>, Result<X, Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.syscall.take() {
                Some(call) => Step::Yield(call),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(reply) => Step::Return((self.decode)(reply)),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

impl<X, T> std::fmt::Debug for Call<X, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("syscall", &self.syscall)
            .finish()
    }
}

/// Decodes a reply that must be `Done`; an error reply is raised in the task.
#[inline]
fn done<T>(reply: Reply<T>) -> Result<(), Exit<TaskError>> {
    match reply {
        Reply::Done => Ok(()),
        other => Err(unexpected(other, "done")),
    }
}

fn unexpected<T>(reply: Reply<T>, call: &'static str) -> Exit<TaskError> {
    match reply {
        Reply::Error(e) => Exit::Raised(TaskError::Sched(e)),
        _ => Exit::Raised(TaskError::Sched(SchedError::UnexpectedReply(call))),
    }
}

fn id<T>(reply: Reply<T>) -> Result<TaskId, Exit<TaskError>> {
    match reply {
        Reply::Id(id) => Ok(id),
        other => Err(unexpected(other, "id")),
    }
}

fn found<T>(reply: Reply<T>) -> Result<bool, Exit<TaskError>> {
    match reply {
        Reply::Found(alive) => Ok(alive),
        other => Err(unexpected(other, "kill/cancel/detach")),
    }
}

fn woken<T>(reply: Reply<T>) -> Result<usize, Exit<TaskError>> {
    match reply {
        Reply::Woken(n) => Ok(n),
        other => Err(unexpected(other, "wake")),
    }
}

/// Lets every other ready task run once, then continues (Python's `await asyncio.sleep(0)`).
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use volley_core::yield_from;
/// use volley_flow::sched::{yield_now, Scheduler, TaskResume};
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let mut sched = Scheduler::new();
/// for name in ["a", "b"] {
///     let log = log.clone();
///     sched.spawn(#[coroutine] move |_: TaskResume| {
///         for i in 0..2 {
///             log.borrow_mut().push(format!("{name}{i}"));
///             yield_from!(yield_now())?;
///         }
///         Ok(())
///     });
/// }
/// sched.run().unwrap();
/// assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1"]);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn yield_now<T>() -> impl TaskCall<(), T> {
    single((), |()| Syscall::Yield, done)
}

/// The running task's own id.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{task_id, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let spawned = sched.spawn(#[coroutine] |_: TaskResume<u64>| Ok(yield_from!(task_id())?.serial()));
/// sched.run().unwrap();
/// assert_eq!(sched.take_outcome(spawned).unwrap().unwrap(), spawned.serial());
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn task_id<T>() -> impl TaskCall<TaskId, T> {
    single((), |()| Syscall::GetId, id)
}

/// Spawns a task and evaluates to its id. Its outcome is kept until a task [`join`]s it (or
/// [`detach`] drops it); use [`spawn_detached`] for tasks nobody joins, such as one task per
/// connection, so finished tasks leave nothing behind.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{join, spawn, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume<u64>| {
///     let child = yield_from!(spawn(#[coroutine] |_: TaskResume<u64>| Ok(21)))?;
///     let value = yield_from!(join(child))?.unwrap();
///     Ok(value * 2)
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn spawn<T: 'static>(body: impl TaskBody<T>) -> impl TaskCall<TaskId, T> {
    spawn_task(Co::boxed(body).named("task"), false)
}

/// Spawns a named task (the name is in its tracing span) and evaluates to its id.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{spawn_named, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     yield_from!(spawn_named("worker", #[coroutine] |_: TaskResume| Ok(())))?;
///     Ok(())
/// });
/// sched.run().unwrap();
/// assert_eq!(sched.stats().spawned, 2);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn spawn_named<T: 'static>(
    name: impl Into<Cow<'static, str>>,
    body: impl TaskBody<T>,
) -> impl TaskCall<TaskId, T> {
    spawn_task(Co::boxed(body).named(name), false)
}

/// Spawns a task whose outcome is dropped when it ends (failures are still logged with
/// `tracing::error!`). Evaluates to its id, which [`kill`] and [`cancel`] accept.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{spawn_detached, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     for _ in 0..10 {
///         yield_from!(spawn_detached(#[coroutine] |_: TaskResume| Ok(())))?;
///     }
///     Ok(())
/// });
/// sched.run().unwrap();
/// assert_eq!(sched.stats().unjoined, 1); // only the outer task, spawned joinable
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn spawn_detached<T: 'static>(body: impl TaskBody<T>) -> impl TaskCall<TaskId, T> {
    spawn_task(Co::boxed(body).named("task"), true)
}

/// Spawns an already built [`Task`] (named or not), joinable or detached.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::{spawn_task, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let child = Co::boxed(#[coroutine] |_: TaskResume| Ok(())).named("child");
///     yield_from!(spawn_task(child, true))?;
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn spawn_task<T>(task: Task<T>, detached: bool) -> impl TaskCall<TaskId, T> {
    single(
        (task, detached),
        |(task, detached)| Syscall::Spawn { task, detached },
        id,
    )
}

/// Waits for a task to end and evaluates to its outcome: `Ok` with its return value, or a
/// [`JoinError`] saying it raised, panicked, was killed, or cannot be joined.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{join, spawn, JoinError, Scheduler, TaskError, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let bad = yield_from!(spawn(#[coroutine] |_: TaskResume| Err(TaskError::msg("nope").into())))?;
///     match yield_from!(join(bad))? {
///         Err(JoinError::Raised(e)) => assert_eq!(e.to_string(), "nope"),
///         other => panic!("unexpected {other:?}"),
///     }
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn join<T>(task: TaskId) -> impl TaskCall<Result<T, JoinError>, T> {
    single(task, Syscall::Join, |reply| match reply {
        Reply::Joined(outcome) => Ok(outcome),
        other => Err(unexpected(other, "join")),
    })
}

/// Closes a task now: its close arm and drops run, and its joiner learns
/// [`JoinError::Killed`]. Evaluates to whether it was alive. Killing the whole chain of a task
/// that is inside `yield_from!` closes it innermost first.
///
/// ```
/// use volley_core::{co_yield, yield_from, Exit};
/// use volley_flow::sched::{join, kill, sleep, spawn, JoinError, Scheduler, TaskResume};
/// use std::time::Duration;
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let sleeper = yield_from!(spawn(#[coroutine] |_: TaskResume| {
///         yield_from!(sleep(Duration::from_secs(3600)))?;
///         Ok(())
///     }))?;
///     assert!(yield_from!(kill(sleeper))?);
///     assert!(matches!(yield_from!(join(sleeper))?, Err(JoinError::Killed)));
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn kill<T>(task: TaskId) -> impl TaskCall<bool, T> {
    single(task, Syscall::Kill, found)
}

/// Throws `error` into a task at its next resume, waking it if it is blocked; the task may
/// catch it. Evaluates to whether it was alive.
///
/// ```
/// use volley_core::{yield_from, Exit};
/// use volley_flow::sched::{cancel, join, sleep, spawn, Scheduler, TaskError, TaskResume};
/// use std::time::Duration;
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let worker = yield_from!(spawn(#[coroutine] |_: TaskResume<()>| {
///         match yield_from!(sleep(Duration::from_secs(3600))) {
///             Err(Exit::Raised(e)) if e.is_cancelled() => Ok(()), // caught: finish cleanly
///             other => other,
///         }
///     }))?;
///     yield_from!(cancel(worker, TaskError::cancelled("no time")))?;
///     assert!(yield_from!(join(worker))?.is_ok());
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn cancel<T>(task: TaskId, error: TaskError) -> impl TaskCall<bool, T> {
    single(
        (task, error),
        |(task, error)| Syscall::Cancel(task, error),
        found,
    )
}

/// Drops a task's outcome when it ends (now, if it already ended) instead of keeping it for a
/// join. Evaluates to whether there was such a task or outcome.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{detach, spawn, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let child = yield_from!(spawn(#[coroutine] |_: TaskResume| Ok(())))?;
///     assert!(yield_from!(detach(child))?);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn detach<T>(task: TaskId) -> impl TaskCall<bool, T> {
    single(task, Syscall::Detach, found)
}

/// Sleeps at least `duration`, letting other tasks run.
///
/// ```
/// use std::time::{Duration, Instant};
/// use volley_core::yield_from;
/// use volley_flow::sched::{sleep, Scheduler, TaskResume};
/// let start = Instant::now();
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     yield_from!(sleep(Duration::from_millis(5)))?;
///     Ok(())
/// });
/// sched.run().unwrap();
/// assert!(start.elapsed() >= Duration::from_millis(5));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn sleep<T>(duration: Duration) -> impl TaskCall<(), T> {
    single(duration, Syscall::Sleep, done)
}

/// Sleeps until `deadline` (at once if it has passed), letting other tasks run.
///
/// ```
/// use std::time::{Duration, Instant};
/// use volley_core::yield_from;
/// use volley_flow::sched::{sleep_until, Scheduler, TaskResume};
/// let deadline = Instant::now() + Duration::from_millis(2);
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] move |_: TaskResume| {
///     yield_from!(sleep_until(deadline))?;
///     Ok(())
/// });
/// sched.run().unwrap();
/// assert!(Instant::now() >= deadline);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn sleep_until<T>(deadline: Instant) -> impl TaskCall<(), T> {
    single(deadline, Syscall::SleepUntil, done)
}

/// Waits until `source` (a non-blocking socket, pipe...) is readable, hung up, or in error.
/// Wake-ups may be spurious: retry the read, and wait again on `WouldBlock`. The
/// [`read`](super::read) helper does exactly that.
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use volley_core::yield_from;
/// use volley_flow::sched::{readable, Scheduler, TaskResume};
/// let (mut a, mut b) = UnixStream::pair().unwrap();
/// b.set_nonblocking(true).unwrap();
/// a.write_all(b"hi").unwrap();
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] move |_: TaskResume| {
///     yield_from!(readable(&b))?;
///     let mut buf = [0; 2];
///     assert_eq!(b.read(&mut buf).unwrap(), 2);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn readable<T>(source: &impl AsRawFd) -> impl TaskCall<(), T> {
    single(source.as_raw_fd(), Syscall::Readable, done)
}

/// Waits until `source` is writable or in error. Wake-ups may be spurious: retry the write.
///
/// ```
/// use std::os::unix::net::UnixStream;
/// use volley_core::yield_from;
/// use volley_flow::sched::{writable, Scheduler, TaskResume};
/// let (a, _b) = UnixStream::pair().unwrap();
/// a.set_nonblocking(true).unwrap();
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] move |_: TaskResume| {
///     yield_from!(writable(&a))?;
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn writable<T>(source: &impl AsRawFd) -> impl TaskCall<(), T> {
    single(source.as_raw_fd(), Syscall::Writable, done)
}

/// Parks the task on `list` until another task wakes it ([`wake_one`], [`wake_all`]).
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{park, wake_one, Scheduler, TaskResume, WaitList};
/// let list = WaitList::new();
/// let mut sched = Scheduler::new();
/// let waiter = list.clone();
/// sched.spawn(#[coroutine] move |_: TaskResume| {
///     yield_from!(park(&waiter))?;
///     Ok(())
/// });
/// sched.spawn(#[coroutine] move |_: TaskResume| {
///     assert_eq!(yield_from!(wake_one(&list))?, 1);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn park<T>(list: &WaitList) -> impl TaskCall<(), T> {
    single(list.clone(), Syscall::Park, done)
}

/// Wakes the task parked longest on `list`; evaluates to how many were woken (0 or 1).
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{wake_one, Scheduler, TaskResume, WaitList};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     assert_eq!(yield_from!(wake_one(&WaitList::new()))?, 0);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn wake_one<T>(list: &WaitList) -> impl TaskCall<usize, T> {
    single(
        list.clone(),
        |list| Syscall::Wake { list, all: false },
        woken,
    )
}

/// Wakes every task parked on `list`; evaluates to how many were woken.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{wake_all, Scheduler, TaskResume, WaitList};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     assert_eq!(yield_from!(wake_all(&WaitList::new()))?, 0);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn wake_all<T>(list: &WaitList) -> impl TaskCall<usize, T> {
    single(
        list.clone(),
        |list| Syscall::Wake { list, all: true },
        woken,
    )
}

/// The scheduler's counters, seen from inside a task.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{stats, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let now = yield_from!(stats())?;
///     assert_eq!((now.alive, now.spawned), (1, 1));
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn stats<T>() -> impl TaskCall<Stats, T> {
    single(
        (),
        |()| Syscall::Stats,
        |reply| match reply {
            Reply::Stats(stats) => Ok(stats),
            other => Err(unexpected(other, "stats")),
        },
    )
}

/// Closes every task, this one included (its close arm runs at this call), and makes
/// [`Scheduler::run`](super::Scheduler::run) return: a graceful shutdown from inside.
///
/// ```
/// use std::time::Duration;
/// use volley_core::yield_from;
/// use volley_flow::sched::{shutdown, sleep, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     yield_from!(sleep(Duration::from_secs(3600)))?;
///     Ok(())
/// });
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     yield_from!(shutdown())?;
///     Ok(()) // not reached: the shutdown closes this task too
/// });
/// sched.run().unwrap();
/// assert_eq!(sched.stats().alive, 0);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn shutdown<T>() -> impl TaskCall<(), T> {
    single((), |()| Syscall::Shutdown, done)
}
