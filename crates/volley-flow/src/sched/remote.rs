//! A task's outcome awaited from other threads: [`Scheduler::spawn_remote`] gives a
//! [`RemoteJoin`], a `Send` future that async code anywhere awaits.

use super::reactor::lock;
use super::{JoinError, JoinHandle, Scheduler, TaskBody, TaskId, TaskResume};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use volley_core::{yield_from, Co};

/// What the forwarding task and the [`RemoteJoin`] share.
struct State<T> {
    outcome: Option<Result<T, JoinError>>,
    waker: Option<Waker>,
    /// The forwarding task is gone (sent, or killed before it could).
    closed: bool,
}

type Shared<T> = Arc<Mutex<State<T>>>;

/// The forwarding task's end of the channel: sends the outcome, or, dropped unsent (the task
/// was killed), tells the [`RemoteJoin`] so.
struct Sender<T>(Shared<T>);

impl<T> Sender<T> {
    fn send(self, outcome: Result<T, JoinError>) {
        lock(&self.0).outcome = Some(outcome);
        // Dropping `self` wakes the receiver.
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut state = lock(&self.0);
            state.closed = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// A task's outcome as a `Send` future, for async code on any thread: made by
/// [`Scheduler::spawn_remote`]. Ready once the task has ended, with `Ok` and its return value
/// or the [`JoinError`] saying how it failed ([`JoinError::Killed`] too if the scheduler
/// shut down first).
///
/// ```
/// use volley_core::Co;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let outcome = sched.spawn_remote(Co::new(#[coroutine] |_: TaskResume| Ok(6 * 7)));
/// let waiter = std::thread::spawn(move || futures::executor::block_on(outcome));
/// sched.run().unwrap();
/// assert_eq!(waiter.join().unwrap().unwrap(), 42);
/// ```
#[must_use = "a future does nothing unless awaited"]
pub struct RemoteJoin<T> {
    id: TaskId,
    shared: Shared<T>,
}

impl<T> RemoteJoin<T> {
    /// The task's id (to kill or cancel it from inside the scheduler).
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let outcome = sched.spawn_remote(Co::new(#[coroutine] |_: TaskResume| Ok(())));
    /// assert_eq!(outcome.id().serial(), 1);
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }
}

impl<T> Future for RemoteJoin<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = lock(&self.shared);
        if let Some(outcome) = state.outcome.take() {
            return Poll::Ready(outcome);
        }
        if state.closed {
            return Poll::Ready(Err(JoinError::Killed));
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> fmt::Debug for RemoteJoin<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJoin").field("id", &self.id).finish()
    }
}

/// The task that joins `handle` and sends its outcome.
fn forward<T: 'static>(handle: JoinHandle<T>, sender: Sender<T>) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let outcome = yield_from!(handle.join())?;
            sender.send(outcome);
            Ok(())
        },
    )
    .named("remote_join")
}

impl Scheduler {
    /// Spawns a task whose outcome async code on any thread can await: the [`RemoteJoin`] is
    /// `Send` (so the task's return type must be). A second, small task (named
    /// `remote_join`) joins the first and sends its outcome over.
    ///
    /// How a tokio program with the scheduler on a thread of its own awaits a task; on the
    /// scheduler's own thread, await the [`JoinHandle`] of [`spawn`](Scheduler::spawn).
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    ///
    /// let (outcome_tx, outcome_rx) = std::sync::mpsc::channel();
    /// let scheduler_thread = std::thread::spawn(move || {
    ///     let mut sched = Scheduler::new();
    ///     outcome_tx.send(sched.spawn_remote(Co::new(#[coroutine] |_: TaskResume| {
    ///         yield_from!(sleep(Duration::from_millis(1)))?;
    ///         Ok(String::from("from the scheduler's thread"))
    ///     }))).unwrap();
    ///     sched.run().unwrap();
    /// });
    /// let outcome = outcome_rx.recv().unwrap();
    /// assert_eq!(futures::executor::block_on(outcome).unwrap(), "from the scheduler's thread");
    /// scheduler_thread.join().unwrap();
    /// ```
    pub fn spawn_remote<B, T>(&mut self, co: Co<B>) -> RemoteJoin<T>
    where
        B: TaskBody<T> + 'static,
        T: Send + 'static,
    {
        let handle = self.spawn(co);
        let id = handle.id();
        let shared: Shared<T> = Arc::new(Mutex::new(State {
            outcome: None,
            waker: None,
            closed: false,
        }));
        self.spawn(forward(handle, Sender(shared.clone()))).detach();
        RemoteJoin { id, shared }
    }
}
