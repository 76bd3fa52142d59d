//! The system-call helpers a task body delegates to with `yield_from!`, each evaluating to its
//! typed answer.

use super::{
    JoinError, Reply, SchedError, Stats, Syscall, Task, TaskBody, TaskError, TaskId, WaitList,
};
use std::borrow::Cow;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};
use volley_core::{Co, Delegate, Exit, Resume, Step};

/// One system call, ready to be delegated to with `yield_from!`: it yields the call once and
/// decodes the reply into `X`. Every helper of this module that makes a single call returns one.
///
/// A throw or close arriving while the call is pending goes straight to the task body, as with
/// any `yield_from!`.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{task_id, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] |_: TaskResume| {
///     let call = task_id();
///     let me = yield_from!(call)?;
///     assert_eq!(me.serial(), 1);
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
pub fn yield_now<T>() -> Call<(), T> {
    Call::new(Syscall::Yield, done)
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
pub fn task_id<T>() -> Call<TaskId, T> {
    Call::new(Syscall::GetId, id)
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
pub fn spawn<T: 'static>(body: impl TaskBody<T>) -> Call<TaskId, T> {
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
pub fn spawn_named<T: 'static>(
    name: impl Into<Cow<'static, str>>,
    body: impl TaskBody<T>,
) -> Call<TaskId, T> {
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
pub fn spawn_detached<T: 'static>(body: impl TaskBody<T>) -> Call<TaskId, T> {
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
pub fn spawn_task<T>(task: Task<T>, detached: bool) -> Call<TaskId, T> {
    Call::new(Syscall::Spawn { task, detached }, id)
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
pub fn join<T>(task: TaskId) -> Call<Result<T, JoinError>, T> {
    Call::new(Syscall::Join(task), |reply| match reply {
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
pub fn kill<T>(task: TaskId) -> Call<bool, T> {
    Call::new(Syscall::Kill(task), found)
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
pub fn cancel<T>(task: TaskId, error: TaskError) -> Call<bool, T> {
    Call::new(Syscall::Cancel(task, error), found)
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
pub fn detach<T>(task: TaskId) -> Call<bool, T> {
    Call::new(Syscall::Detach(task), found)
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
pub fn sleep<T>(duration: Duration) -> Call<(), T> {
    Call::new(Syscall::Sleep(duration), done)
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
pub fn sleep_until<T>(deadline: Instant) -> Call<(), T> {
    Call::new(Syscall::SleepUntil(deadline), done)
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
pub fn readable<T>(source: &impl AsRawFd) -> Call<(), T> {
    Call::new(Syscall::Readable(source.as_raw_fd()), done)
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
pub fn writable<T>(source: &impl AsRawFd) -> Call<(), T> {
    Call::new(Syscall::Writable(source.as_raw_fd()), done)
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
pub fn park<T>(list: &WaitList) -> Call<(), T> {
    Call::new(Syscall::Park(list.clone()), done)
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
pub fn wake_one<T>(list: &WaitList) -> Call<usize, T> {
    Call::new(
        Syscall::Wake {
            list: list.clone(),
            all: false,
        },
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
pub fn wake_all<T>(list: &WaitList) -> Call<usize, T> {
    Call::new(
        Syscall::Wake {
            list: list.clone(),
            all: true,
        },
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
pub fn stats<T>() -> Call<Stats, T> {
    Call::new(Syscall::Stats, |reply| match reply {
        Reply::Stats(stats) => Ok(stats),
        other => Err(unexpected(other, "stats")),
    })
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
pub fn shutdown<T>() -> Call<(), T> {
    Call::new(Syscall::Shutdown, done)
}
