//! Spawning a task whose handle may cross threads: [`spawn_send`] and [`SendJoinHandle`].
//!
//! [`spawn`](super::spawn) shares the task's outcome with its [`JoinHandle`](super::JoinHandle)
//! through an `Rc` (one allocation for body and outcome, no atomic operation): the fastest
//! spawn there is, but a body that holds such a handle, or is in the middle of a `spawn`, is not
//! `Send`. [`spawn_send`] takes a `Send` body and shares the outcome through an `Arc` instead,
//! so a body that spawns and joins `Send` children this way is itself `Send`, and runs on a
//! [`Scheduler`](super::Scheduler) and on tokio's multi-threaded runtime
//! (`sched::tokio`, feature `tokio`) alike. The one-thread scheduler's own `spawn` is untouched.

use super::calls::{found, single, unexpected};
use super::entry::{close_outcome, Erased, NewTask, Turn};
use super::handle::{JoinCall, Joinable};
use super::reactor::lock;
use super::{JoinError, Reply, Syscall, TaskBody, TaskCall, TaskError, TaskId, TaskResume};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use volley_core::{Answer, Co, CoError, Delegate, Exit, Resume, Step};

/// Where a `Send` task's outcome waits for its handle.
pub(crate) type SendSlot<T> = Arc<Mutex<Option<Result<T, JoinError>>>>;

/// A `Send` task on a [`Scheduler`](super::Scheduler): the body while it runs (`None` after),
/// and the slot its outcome goes to.
struct SendCell<B: TaskBody<T>, T> {
    co: RefCell<Option<Co<B>>>,
    slot: SendSlot<T>,
}

impl<B: TaskBody<T>, T> SendCell<B, T> {
    /// Resumes the body with `go`, and turns its answer into what the scheduler does next.
    #[inline]
    fn step(&self, go: impl FnOnce(&mut Co<B>) -> Answer<B>) -> Turn {
        let Ok(mut co) = self.co.try_borrow_mut() else {
            return Turn::Ended(Err(JoinError::Killed));
        };
        let Some(running) = co.as_mut() else {
            return Turn::Ended(Err(JoinError::Killed));
        };
        match go(running) {
            Ok(Step::Yield(call)) => Turn::of(call),
            Ok(Step::Return(value)) => {
                *co = None;
                *lock(&self.slot) = Some(Ok(value));
                Turn::Ended(Ok(()))
            }
            Err(CoError::Raised(error)) => Turn::Ended(Err(JoinError::Raised(error))),
            Err(_) => Turn::Ended(Err(JoinError::Killed)),
        }
    }
}

impl<B, T> Erased for SendCell<B, T>
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    fn resume(&self, resume: TaskResume) -> Turn {
        match resume {
            Resume::Send(reply) => self.step(|co| co.send(reply)),
            Resume::Start => self.step(|co| co.start()),
            Resume::Throw(error) => self.step(|co| co.throw(error)),
            Resume::Close => Turn::Ended(Err(self.close())),
        }
    }

    fn send_done(&self) -> Turn {
        self.step(|co| co.send(Reply::Done))
    }

    fn close(&self) -> JoinError {
        let Ok(mut co) = self.co.try_borrow_mut() else {
            return JoinError::Killed;
        };
        match co.as_mut() {
            Some(running) => close_outcome(running),
            None => JoinError::Killed,
        }
    }

    fn settle(&self, failure: JoinError) {
        if let Ok(mut co) = self.co.try_borrow_mut() {
            *co = None;
        }
        *lock(&self.slot) = Some(Err(failure));
    }

    fn with_name(&self, f: &mut dyn FnMut(&str)) {
        match self.co.try_borrow().as_deref() {
            Ok(Some(co)) => f(co.name()),
            _ => f("task"),
        }
    }

    #[cfg(feature = "tokio")]
    fn take_send(&self) -> Option<Box<dyn super::tokio::Portable>> {
        let co = self.co.try_borrow_mut().ok()?.take()?;
        Some(Box::new(super::tokio::Child::new(co, self.slot.clone())))
    }
}

/// The handle of a task started with [`spawn_send`]: what [`JoinHandle`](super::JoinHandle) is
/// to [`spawn`](super::spawn), and `Send` (when `T` is), so a body holding it can run on
/// another thread.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::yield_now;
/// use volley_flow::sched::{spawn_send, Scheduler, TaskResume};
///
/// fn is_send<X: Send>(x: X) -> X {
///     x
/// }
/// let mut sched = Scheduler::new();
/// let parent = sched.spawn(is_send(Co::new(#[coroutine] |_: TaskResume| {
///     let child = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| {
///         yield_from!(yield_now())?;
///         Ok(20)
///     })))?;
///     yield_from!(yield_now())?;
///     Ok(yield_from!(child.join())?? + 1)
/// })));
/// assert_eq!(sched.join(parent).unwrap(), 21);
/// ```
#[must_use = "dropping a SendJoinHandle detaches its task (its outcome is dropped): call .detach() to say so, or join it"]
pub struct SendJoinHandle<T> {
    id: TaskId,
    slot: SendSlot<T>,
}

impl<T> SendJoinHandle<T> {
    pub(crate) fn new(id: TaskId, slot: SendSlot<T>) -> Self {
        SendJoinHandle { id, slot }
    }

    /// The task's id.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{spawn_send, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let child = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| Ok(()))))?;
    ///     Ok(child.id().serial())
    /// }));
    /// assert_eq!(sched.join(parent).unwrap(), 2);
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
    /// use volley_flow::sched::{spawn_send, JoinError, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let bad = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| -> Result<(), _> {
    ///         panic!("boom")
    ///     })))?;
    ///     Ok(matches!(yield_from!(bad.join())?, Err(JoinError::Panicked(m)) if m == "boom"))
    /// }));
    /// assert!(sched.join(parent).unwrap());
    /// ```
    #[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
    pub fn join(self) -> impl TaskCall<Result<T, JoinError>> {
        JoinCall {
            handle: self,
            asked: false,
        }
    }

    /// Closes the task, inside a task: its close arm and drops run, and its joiner learns
    /// [`JoinError::Killed`]. Evaluates to whether it was alive.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{spawn_send, JoinError, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let sleeper = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| {
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
    /// inside a task, waking it if it is blocked. Evaluates to whether it was alive.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::yield_now;
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{spawn_send, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let worker = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| {
    ///         yield_from!(sleep(Duration::from_secs(3600)))?;
    ///         Ok(())
    ///     })))?;
    ///     yield_from!(yield_now())?;
    ///     yield_from!(worker.cancel("no time"))?;
    ///     Ok(yield_from!(worker.join())?.unwrap_err().is_cancelled())
    /// }));
    /// assert!(sched.join(parent).unwrap());
    /// ```
    #[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
    pub fn cancel(&self, reason: impl Into<Cow<'static, str>>) -> impl TaskCall<bool> {
        single(
            (self.id, TaskError::cancelled(reason)),
            |(task, error)| Syscall::Cancel(task, error),
            found,
        )
    }

    /// Lets the task run on with nobody to join it (its outcome is dropped when it ends).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{spawn_send, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| Ok(()))))?.detach();
    ///     Ok(())
    /// })).detach();
    /// sched.run().unwrap();
    /// assert_eq!(sched.stats().finished, 2);
    /// ```
    pub fn detach(self) {}

    /// Whether the task has ended and its outcome waits in the handle.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::yield_now;
    /// use volley_flow::sched::{spawn_send, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let child = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| Ok(()))))?;
    ///     let before = child.is_finished();
    ///     yield_from!(yield_now())?;
    ///     Ok((before, child.is_finished()))
    /// }));
    /// assert_eq!(sched.join(parent).unwrap(), (false, true));
    /// ```
    pub fn is_finished(&self) -> bool {
        lock(&self.slot).is_some()
    }

    /// Takes the outcome of a task that has ended (`None` while it runs, and once taken).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::yield_now;
    /// use volley_flow::sched::{spawn_send, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let child = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| Ok(5))))?;
    ///     yield_from!(yield_now())?;
    ///     Ok(child.take_outcome().unwrap().unwrap())
    /// }));
    /// assert_eq!(sched.join(parent).unwrap(), 5);
    /// ```
    pub fn take_outcome(&self) -> Option<Result<T, JoinError>> {
        lock(&self.slot).take()
    }
}

impl<T> fmt::Debug for SendJoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendJoinHandle")
            .field("id", &self.id)
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T> Joinable for SendJoinHandle<T> {
    type Value = T;

    fn task(&self) -> TaskId {
        self.id
    }

    fn take(&self) -> Option<Result<T, JoinError>> {
        self.take_outcome()
    }
}

/// Spawns a `Send` task from inside a task; evaluates to its [`SendJoinHandle`]. Like
/// [`spawn`](super::spawn) in every way on a [`Scheduler`](super::Scheduler), but the body and
/// its return value must be `Send`, and then the spawning body stays `Send` too: the spawn for
/// task bodies that run on tokio's multi-threaded runtime (`sched::tokio`, feature `tokio`),
/// where a child may run on another worker thread. It costs one more allocation than `spawn`
/// (the outcome's `Arc`).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::{spawn_send, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let parent = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let child = yield_from!(spawn_send(Co::new(#[coroutine] |_: TaskResume| Ok(21u64))))?;
///     Ok(yield_from!(child.join())?? * 2)
/// }));
/// assert_eq!(sched.join(parent).unwrap(), 42);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn spawn_send<B, T>(co: Co<B>) -> impl TaskCall<SendJoinHandle<T>> + Send
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    SendSpawnCall {
        co: Some(co),
        slot: None,
    }
}

/// The `spawn_send` call: holds the body (not yet the scheduler's task, which is `Rc`-shared)
/// until its first resume, yields the new task, answers its handle.
struct SendSpawnCall<B: TaskBody<T>, T> {
    co: Option<Co<B>>,
    slot: Option<SendSlot<T>>,
}

impl<B, T> Delegate<Reply, Syscall, TaskError> for SendSpawnCall<B, T>
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    type Output = SendJoinHandle<T>;

    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<SendJoinHandle<T>, Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.co.take() {
                Some(co) => {
                    let slot = SendSlot::default();
                    self.slot = Some(slot.clone());
                    let task: Rc<dyn Erased> = Rc::new(SendCell {
                        co: RefCell::new(Some(co)),
                        slot,
                    });
                    Step::Yield(Syscall::Spawn(NewTask::stash(task)))
                }
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(Reply::Id(id)) => match self.slot.take() {
                Some(slot) => Step::Return(Ok(SendJoinHandle::new(id, slot))),
                None => Step::Return(Err(unexpected(Reply::Id(id), "spawn"))),
            },
            Resume::Send(other) => Step::Return(Err(unexpected(other, "spawn"))),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}
