//! Spawning a task and the typed handle it gives back.

use super::calls::{found, single, unexpected};
use super::entry::{NewTask, Slot};
use super::{JoinError, Reply, SchedError, Syscall, TaskBody, TaskCall, TaskError, TaskId};
use std::borrow::Cow;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use volley_core::{Co, Delegate, Exit, Resume, Step};

/// The handle of a spawned task that returns `T`: join it for its outcome, kill or cancel it,
/// or detach it.
///
/// Made by [`Scheduler::spawn`](super::Scheduler::spawn) (outside the scheduler) and by
/// [`spawn`] (inside a task, `yield_from!(spawn(co))?`). Inside a task,
/// `yield_from!(handle.join())?` waits for the task and evaluates to `Result<T, JoinError>`;
/// outside, [`Scheduler::join`](super::Scheduler::join) runs the scheduler until the task
/// ends, and [`take_outcome`](JoinHandle::take_outcome) reads the outcome after
/// [`run`](super::Scheduler::run).
///
/// The outcome is kept with the handle, not in the scheduler: dropping the handle (or calling
/// [`detach`](JoinHandle::detach), which says so) lets the outcome be dropped when the task
/// ends, so tasks nobody joins leave nothing behind. A failure is logged either way. (The task
/// and its handle share one allocation, the size of the task's body: the body itself, and
/// everything it owns, is dropped when the task ends; the allocation goes with the handle.)
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::yield_now;
/// use volley_flow::sched::{spawn, Scheduler, TaskResume};
///
/// let mut sched = Scheduler::new();
/// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     // Tasks of one scheduler return different types.
///     let word = yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| {
///         yield_from!(yield_now())?;
///         Ok("forty")
///     })))?;
///     let number = yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| {
///         yield_from!(yield_now())?;
///         Ok(2u8)
///     })))?;
///     let word = yield_from!(word.join())??;
///     let number = yield_from!(number.join())??;
///     Ok(format!("{word}-{number}"))
/// }));
/// assert_eq!(sched.join(parent).unwrap(), "forty-2");
/// ```
#[must_use = "dropping a JoinHandle detaches its task (its outcome is dropped): call .detach() to say so, or join it"]
pub struct JoinHandle<T> {
    id: TaskId,
    slot: Slot<T>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(id: TaskId, slot: Slot<T>) -> Self {
        JoinHandle { id, slot }
    }

    /// The task's id.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())).named("first"));
    /// assert_eq!(task.id().to_string(), "task#1");
    /// # task.detach();
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Waits for the task to end, inside a task: `yield_from!(handle.join())?` evaluates to
    /// `Ok` with its return value, or the [`JoinError`] saying it raised, panicked or was
    /// killed.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{spawn, JoinError, Scheduler, TaskError, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let bad = yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| -> Result<(), _> {
    ///         Err(TaskError::msg("nope").into())
    ///     })))?;
    ///     match yield_from!(bad.join())? {
    ///         Err(JoinError::Raised(e)) => Ok(e.to_string()),
    ///         other => Ok(format!("unexpected {other:?}")),
    ///     }
    /// }));
    /// assert_eq!(sched.join(parent).unwrap(), "nope");
    /// ```
    #[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
    pub fn join(self) -> impl TaskCall<Result<T, JoinError>> {
        JoinCall {
            handle: self,
            asked: false,
        }
    }

    /// Closes the task now, inside a task: its close arm and drops run, and its joiner learns
    /// [`JoinError::Killed`]. Evaluates to whether it was alive.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{spawn, JoinError, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let sleeper = yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///         yield_from!(sleep(Duration::from_secs(3600)))?;
    ///         Ok(())
    ///     })))?;
    ///     assert!(yield_from!(sleeper.kill())?);
    ///     Ok(matches!(yield_from!(sleeper.join())?, Err(JoinError::Killed)))
    /// }));
    /// assert!(sched.join(parent).unwrap());
    /// ```
    #[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
    pub fn kill(&self) -> impl TaskCall<bool> {
        single(self.id, Syscall::Kill, found)
    }

    /// Throws a cancellation ([`TaskError::cancelled`]) into the task at its next resume,
    /// inside a task, waking it if it is blocked; the task may catch it
    /// ([`is_cancelled`](volley_core::DynError::is_cancelled)). Evaluates to whether it was
    /// alive.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co, Exit};
    /// use volley_flow::sched::task::yield_now;
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{spawn, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let worker = yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///         match yield_from!(sleep(Duration::from_secs(3600))) {
    ///             Err(Exit::Raised(e)) if e.is_cancelled() => Ok("stopped cleanly"),
    ///             other => other.map(|()| "slept"),
    ///         }
    ///     })))?;
    ///     yield_from!(yield_now())?; // the worker starts sleeping
    ///     yield_from!(worker.cancel("no time"))?;
    ///     Ok(yield_from!(worker.join())??)
    /// }));
    /// assert_eq!(sched.join(parent).unwrap(), "stopped cleanly");
    /// ```
    #[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
    pub fn cancel(&self, reason: impl Into<Cow<'static, str>>) -> impl TaskCall<bool> {
        single(
            (self.id, TaskError::cancelled(reason)),
            |(task, error)| Syscall::Cancel(task, error),
            found,
        )
    }

    /// Lets the task run on with nobody to join it: its outcome is dropped when it ends
    /// (failures are still logged with `tracing::error!`). The same as dropping the handle,
    /// said out loud.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(()))).detach();
    /// sched.run().unwrap();
    /// assert_eq!(sched.stats().finished, 1);
    /// ```
    pub fn detach(self) {}

    /// Whether the task has ended and its outcome waits in the handle.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())));
    /// assert!(!task.is_finished());
    /// sched.run().unwrap();
    /// assert!(task.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.slot.is_finished()
    }

    /// Takes the outcome of a task that has ended (`None` while it runs, and once taken):
    /// how to read a task's outcome after [`Scheduler::run`](super::Scheduler::run).
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{JoinError, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| -> Result<(), _> { panic!("boom") }));
    /// sched.run().unwrap();
    /// assert!(matches!(task.take_outcome(), Some(Err(JoinError::Panicked(m))) if m == "boom"));
    /// assert!(task.take_outcome().is_none());
    /// ```
    pub fn take_outcome(&self) -> Option<Result<T, JoinError>> {
        self.slot.take_outcome()
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id)
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Async code awaits a task's outcome with `handle.await`: the [`JoinFuture`] is ready once
/// the task has ended, with `Ok` and its return value or the [`JoinError`] saying how it
/// failed. Something must run the scheduler meanwhile on the same thread:
/// `Scheduler::run_async` beside it (feature `tokio`), or
/// [`Scheduler::run`](super::Scheduler::run) before the handle is awaited.
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use std::future::{Future, IntoFuture};
/// use volley_core::Co;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(42)));
/// let mut outcome = std::pin::pin!(task.into_future());
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(outcome.as_mut().poll(&mut cx).is_pending());
/// sched.run().unwrap();
/// assert!(matches!(outcome.as_mut().poll(&mut cx), Poll::Ready(Ok(42))));
/// ```
impl<T> IntoFuture for JoinHandle<T> {
    type Output = Result<T, JoinError>;
    type IntoFuture = JoinFuture<T>;

    fn into_future(self) -> JoinFuture<T> {
        JoinFuture { handle: self }
    }
}

/// A task's outcome as a future: what awaiting a [`JoinHandle`] gives. Ready once the task
/// has ended (if its outcome was already taken with
/// [`take_outcome`](JoinHandle::take_outcome), it never is).
///
/// ```
/// use std::future::IntoFuture;
/// use volley_core::Co;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let outcome = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok("done"))).into_future();
/// sched.run().unwrap();
/// assert_eq!(futures::executor::block_on(outcome).unwrap(), "done");
/// ```
#[must_use = "a future does nothing unless awaited"]
pub struct JoinFuture<T> {
    handle: JoinHandle<T>,
}

impl<T> JoinFuture<T> {
    /// The handle of the awaited task, to kill or cancel it meanwhile.
    ///
    /// ```
    /// use std::future::IntoFuture;
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let outcome = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(()))).into_future();
    /// assert!(sched.kill(outcome.handle().id()));
    /// ```
    pub fn handle(&self) -> &JoinHandle<T> {
        &self.handle
    }
}

impl<T> Future for JoinFuture<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.handle.take_outcome() {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                self.handle.slot.wake_on_end(cx.waker());
                Poll::Pending
            }
        }
    }
}

impl<T> fmt::Debug for JoinFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinFuture")
            .field("handle", &self.handle)
            .finish()
    }
}

/// `handle.join()`: one `Join` system call, then the outcome from the handle's slot.
pub(crate) struct JoinCall<H> {
    pub(crate) handle: H,
    pub(crate) asked: bool,
}

/// A handle `join` can wait on: the task's id and, once it ended, its outcome.
pub(crate) trait Joinable {
    /// What the task returns.
    type Value;
    /// The task's id.
    fn task(&self) -> TaskId;
    /// Takes the outcome of the task that ended.
    fn take(&self) -> Option<Result<Self::Value, JoinError>>;
}

impl<T> Joinable for JoinHandle<T> {
    type Value = T;

    #[inline]
    fn task(&self) -> TaskId {
        self.id
    }

    #[inline]
    fn take(&self) -> Option<Result<T, JoinError>> {
        self.take_outcome()
    }
}

impl<H: Joinable> Delegate<Reply, Syscall, TaskError> for JoinCall<H> {
    type Output = Result<H::Value, JoinError>;

    #[inline]
    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<Self::Output, Exit<TaskError>>> {
        match resume {
            Resume::Start if !self.asked => {
                self.asked = true;
                Step::Yield(Syscall::Join(self.handle.task()))
            }
            Resume::Start | Resume::Close => Step::Return(Err(Exit::Closed)),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Send(Reply::Done) => Step::Return(Ok(self.handle.take().unwrap_or(Err(
                JoinError::Sched(SchedError::ForeignTask(self.handle.task())),
            )))),
            Resume::Send(Reply::Error(e)) => Step::Return(Ok(Err(JoinError::Sched(e)))),
            Resume::Send(other) => Step::Return(Err(unexpected(other, "join"))),
        }
    }
}

/// Spawns a task from inside a task; evaluates to its [`JoinHandle`]. The new task queues
/// behind the ready ones and the spawner carries on. It takes any `Co<impl TaskBody<T>>`: what a
/// `#[task]` function returns, or a closure body wrapped with `Co::new`. The task's name (in its
/// tracing span) is the coroutine's.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::{spawn, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let child = yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| Ok(21u64)).named("child")))?;
///     Ok(yield_from!(child.join())?? * 2)
/// }));
/// assert_eq!(sched.join(parent).unwrap(), 42);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn spawn<B, T>(co: Co<B>) -> impl TaskCall<JoinHandle<T>>
where
    B: TaskBody<T> + 'static,
    T: 'static,
{
    let (task, slot) = NewTask::new(co);
    SpawnCall {
        task: Some(task),
        slot,
    }
}

/// Spawns a task that is killed when the spawning task ends (how `race` runs its second
/// contestant).
pub(crate) fn spawn_linked<B, T>(co: Co<B>) -> impl TaskCall<JoinHandle<T>>
where
    B: TaskBody<T> + 'static,
    T: 'static,
{
    let (mut task, slot) = NewTask::new(co);
    task.linked = true;
    SpawnCall {
        task: Some(task),
        slot,
    }
}

/// The `spawn` call: yields the new task, answers its handle.
struct SpawnCall<T> {
    task: Option<NewTask>,
    slot: Slot<T>,
}

impl<T> Delegate<Reply, Syscall, TaskError> for SpawnCall<T> {
    type Output = JoinHandle<T>;

    #[inline]
    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<JoinHandle<T>, Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.task.take() {
                Some(task) => Step::Yield(Syscall::Spawn(task)),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(Reply::Id(id)) => Step::Return(Ok(JoinHandle::new(id, self.slot.clone()))),
            Resume::Send(other) => Step::Return(Err(unexpected(other, "spawn"))),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}
