//! Tasks waiting on a [`Future`]: the [`await_future`] helper, the [`TaskFuture`] it yields in
//! a [`Syscall::Await`], and the thread-safe waker the scheduler polls it with.
//!
//! The scheduler polls an awaited future at once, and again each time its waker is woken.
//! The waker may be woken from any thread: it queues the task's id in a list shared with the
//! scheduler, and the first wake since the scheduler last looked also wakes the scheduler's
//! poller (a `mio::Waker`), so a scheduler blocked waiting for sockets and timers wakes up.
//! Nothing spins. A wake that comes after the future finished, or after its task was killed,
//! finds no task waiting under that wait and is dropped.

use super::calls::unexpected;
use super::local::Local;
use super::reactor::lock;
use super::reactor::Waiter;
use super::{Reply, SchedError, Syscall, TaskCall, TaskError};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use volley_core::{Delegate, Exit, Resume, Step};

/// Where [`await_future`]'s future leaves what it ended with (its output, or the payload of
/// its panic) for the task.
type Outcome<T> = Rc<RefCell<Option<std::thread::Result<T>>>>;

/// Where [`await_send`]'s future leaves its output for the task (from any thread).
type SendOutcome<T> = Arc<Mutex<Option<std::thread::Result<T>>>>;

/// The slot an awaited future's output waits in until its task takes it.
trait Slot<T>: Default {
    fn put(&self, ended: std::thread::Result<T>);
    fn take(&self) -> Option<std::thread::Result<T>>;
}

impl<T> Slot<T> for Outcome<T> {
    fn put(&self, ended: std::thread::Result<T>) {
        if let Ok(mut slot) = self.try_borrow_mut() {
            *slot = Some(ended);
        }
    }

    fn take(&self) -> Option<std::thread::Result<T>> {
        self.try_borrow_mut().ok()?.take()
    }
}

impl<T> Slot<T> for SendOutcome<T> {
    fn put(&self, ended: std::thread::Result<T>) {
        *lock(self) = Some(ended);
    }

    fn take(&self) -> Option<std::thread::Result<T>> {
        lock(self).take()
    }
}

/// A future a task waits on, with its output type erased: what [`Syscall::Await`] carries.
///
/// Whoever carries out the call polls it to completion (it is a `Future<Output = ()>`) and
/// then resumes the task with [`Reply::Done`]; the future's output (or its panic, caught while
/// polling) waits for the [`await_future`] helper that made the call, which takes it then.
/// Dropping it drops the future it wraps, so a task killed while waiting runs the future's
/// cleanup.
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use volley_core::Delegate;
/// use volley_flow::sched::{await_future, Reply, Syscall};
/// use volley_core::{Resume, Step};
///
/// // Carry out the call by hand: poll the future, then answer `Done`.
/// let mut call = await_future(async { 6 * 7 });
/// let Step::Yield(Syscall::Await(fut)) = call.delegate(Resume::Start) else { panic!() };
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(pin!(fut).poll(&mut cx).is_ready());
/// let Step::Return(answer) = call.delegate(Resume::Send(Reply::Done)) else { panic!() };
/// assert_eq!(answer.unwrap(), 42);
/// ```
///
/// It is `Send` (so is a [`Syscall`] and a task body yielding one): the future itself, which
/// need not be, stays in its thread's stash, and the scheduler that receives the call takes it
/// from there.
pub struct TaskFuture {
    inner: Inner,
}

/// Where an awaited future is kept.
enum Inner {
    /// In its thread's stash (from [`await_future`]: the future need not be `Send`).
    Local(Local<LocalFuture>),
    /// Here (from [`await_send`]): it may be polled on any thread.
    Send(SendFuture),
}

/// An awaited future, type-erased, on the thread that made it.
pub(crate) type LocalFuture = Pin<Box<dyn Future<Output = ()>>>;

/// An awaited `Send` future, type-erased.
pub(crate) type SendFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs `fut` to its end and hands its output (or its panic) to `deliver`.
async fn delivering<F: Future>(fut: F, deliver: impl FnOnce(std::thread::Result<F::Output>)) {
    let mut fut = std::pin::pin!(fut);
    let ended =
        std::future::poll_fn(
            |cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
                Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
                Ok(Poll::Pending) => Poll::Pending,
                Err(payload) => Poll::Ready(Err(payload)),
            },
        )
        .await;
    deliver(ended);
}

impl TaskFuture {
    /// Wraps `fut`, whose output (or panic) goes to `outcome`; it stays on this thread.
    fn local<F: Future + 'static>(fut: F, outcome: Outcome<F::Output>) -> Self {
        let inner: LocalFuture = Box::pin(delivering(fut, move |ended| outcome.put(ended)));
        TaskFuture {
            inner: Inner::Local(Local::new(inner)),
        }
    }

    /// Wraps a `Send` future, whose output (or panic) goes to `outcome`.
    fn send<F>(fut: F, outcome: SendOutcome<F::Output>) -> Self
    where
        F: Future + Send + 'static,
        F::Output: Send,
    {
        let inner: SendFuture = Box::pin(delivering(fut, move |ended| outcome.put(ended)));
        TaskFuture {
            inner: Inner::Send(inner),
        }
    }

    /// The future, to poll on this thread: `None` if it was made by [`await_future`] on
    /// another thread.
    pub(crate) fn into_local(self) -> Option<LocalFuture> {
        match self.inner {
            Inner::Local(ticket) => ticket.take(),
            Inner::Send(fut) => Some(fut),
        }
    }

    /// The future, to poll on any thread: only one made by [`await_send`] (else `self` back).
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn into_send(self) -> Result<SendFuture, Self> {
        match self.inner {
            Inner::Send(fut) => Ok(fut),
            local => Err(TaskFuture { inner: local }),
        }
    }
}

impl Future for TaskFuture {
    type Output = ();

    /// Polls the future; one made by [`await_future`] on another thread is not there, and
    /// stays pending.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.inner {
            Inner::Send(fut) => fut.as_mut().poll(cx),
            Inner::Local(ticket) => {
                let placeholder = Local::new(Box::pin(std::future::ready(())) as LocalFuture);
                let ticket = std::mem::replace(ticket, placeholder);
                let Some(mut fut) = ticket.take() else {
                    return Poll::Pending;
                };
                let polled = fut.as_mut().poll(cx);
                self.inner = Inner::Local(Local::new(fut));
                polled
            }
        }
    }
}

impl fmt::Debug for TaskFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskFuture").finish_non_exhaustive()
    }
}

/// Waits for `fut` inside a task: `yield_from!(await_future(fut))?` evaluates to the future's
/// output. Other tasks run meanwhile.
///
/// The future runs on the scheduler's thread (it needs no `Send`), polled with a waker that
/// may be woken from any thread. A future that panics makes the task panic (its joiner learns
/// [`JoinError::Panicked`](super::JoinError::Panicked); the scheduler carries on). Killing
/// the task drops the future; cancelling it drops the future and throws the cancellation in.
///
/// The helper keeps the output's slot in an `Rc`, so a body that uses it is not `Send`: for
/// bodies that also run on tokio's multi-threaded runtime (`sched::tokio`), await `Send`
/// futures with [`await_send`].
///
/// Futures that need tokio's reactor or timers (`tokio::time::sleep`, `tokio::net`, tokio's
/// channels work without one) need a tokio runtime running on another thread, entered on the
/// scheduler's thread while tasks create them: see [`sched`](super)'s module docs, "Futures and
/// tokio".
///
/// On a simulated scheduler ([`Scheduler::simulated`](super::Scheduler::simulated)) an awaited
/// future is outside the simulation and takes no virtual time: while any task awaits one, the
/// clock does not move, and when no task is ready the scheduler waits (in wall time) for a
/// future or a socket before it moves the clock again. Runs whose tasks await no future stay
/// deterministic.
///
/// ```
/// use std::sync::mpsc;
/// use std::task::{Poll, Waker};
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::{await_future, Scheduler, TaskResume};
///
/// /// A future another thread completes: a value and a waker in a channel.
/// let (tx, rx) = mpsc::channel::<Waker>();
/// let mut sent = false;
/// let from_thread = std::future::poll_fn(move |cx| {
///     if sent {
///         return Poll::Ready("woken from another thread");
///     }
///     sent = true;
///     tx.send(cx.waker().clone()).unwrap();
///     Poll::Pending
/// });
/// let waker_thread = std::thread::spawn(move || rx.recv().unwrap().wake());
///
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     let ready_at_once = yield_from!(await_future(async { 40 }))?;
///     let text = yield_from!(await_future(from_thread))?;
///     Ok((ready_at_once + 2, text))
/// }));
/// assert_eq!(sched.join(task).unwrap(), (42, "woken from another thread"));
/// waker_thread.join().unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn await_future<F>(fut: F) -> impl TaskCall<F::Output>
where
    F: Future + 'static,
{
    AwaitCall {
        fut: Some(fut),
        outcome: Outcome::default(),
        wrap: TaskFuture::local,
    }
}

/// [`await_future`] for a `Send` future with a `Send` output: the same on a
/// [`Scheduler`](super::Scheduler), and a body that uses it stays `Send`, so it also runs on
/// tokio's multi-threaded runtime through `sched::tokio` (feature `tokio`), where the adapter
/// awaits the future itself (a kill or cancel drops it). Futures from tokio's own crates, and
/// most clients and drivers written for tokio, are `Send`.
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::{await_send, spawn_send, Scheduler, TaskBody, TaskResume};
///
/// /// Waits for a tokio timer, then answers: the same body on both runtimes.
/// fn nap_then(answer: u32) -> Co<impl TaskBody<u32> + Send> {
///     Co::new(#[coroutine] move |_: TaskResume| {
///         yield_from!(await_send(tokio::time::sleep(Duration::from_millis(2))))?;
///         Ok(answer)
///     })
/// }
///
/// let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
///
/// // On tokio's workers.
/// let task = runtime.spawn(async { volley_flow::sched::tokio::spawn(nap_then(7)).await });
/// assert_eq!(runtime.block_on(task).unwrap().unwrap().unwrap(), 7);
///
/// // On a scheduler, with the runtime entered for tokio's timers.
/// let _entered = runtime.enter();
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(nap_then(8));
/// assert_eq!(sched.join(task).unwrap(), 8);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn await_send<F>(fut: F) -> impl TaskCall<F::Output> + Send
where
    F: Future + Send + 'static,
    F::Output: Send,
{
    AwaitCall {
        fut: Some(fut),
        outcome: SendOutcome::default(),
        wrap: TaskFuture::send,
    }
}

/// The `await_future` and `await_send` call: yields the wrapped future, then takes its
/// outcome from `outcome`.
struct AwaitCall<F: Future, S> {
    fut: Option<F>,
    outcome: S,
    wrap: fn(F, S) -> TaskFuture,
}

impl<F: Future + 'static, S: Slot<F::Output> + Clone> Delegate<Reply, Syscall, TaskError>
    for AwaitCall<F, S>
{
    type Output = F::Output;

    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<F::Output, Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.fut.take() {
                Some(fut) => Step::Yield(Syscall::Await((self.wrap)(fut, self.outcome.clone()))),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(Reply::Done) => match self.outcome.take() {
                Some(Ok(value)) => Step::Return(Ok(value)),
                // The future panicked: the task panics with the same payload.
                Some(Err(payload)) => std::panic::resume_unwind(payload),
                None => Step::Return(Err(Exit::Raised(TaskError::new(
                    SchedError::UnexpectedReply("await"),
                )))),
            },
            Resume::Send(Reply::Error(error)) => {
                Step::Return(Err(Exit::Raised(TaskError::new(error))))
            }
            Resume::Send(other) => Step::Return(Err(unexpected(other, "await"))),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

/// What the wakers of a scheduler's awaited futures share with it.
pub(crate) struct Wakes {
    /// The wakers woken since the scheduler last looked, each once however often it was woken
    /// (so the list is bounded by the wakers alive, whatever their holders do).
    woken: Mutex<Vec<Arc<TaskWaker>>>,
    /// Whether the poller was woken since the scheduler last looked.
    notified: AtomicBool,
    /// Wakes the scheduler's poller.
    poller: mio::Waker,
}

impl Wakes {
    pub(crate) fn new(poller: mio::Waker) -> Arc<Self> {
        Arc::new(Wakes {
            woken: Mutex::new(Vec::new()),
            notified: AtomicBool::new(false),
            poller,
        })
    }

    fn wake(&self, waker: Arc<TaskWaker>) {
        if waker.queued.swap(true, Ordering::AcqRel) {
            return; // already in the list
        }
        lock(&self.woken).push(waker);
        if !self.notified.swap(true, Ordering::AcqRel) {
            // A failed wake leaves the poller to its timeout; nothing better can be done from
            // a waker, which cannot fail.
            let _ = self.poller.wake();
        }
    }

    /// Appends the waits woken since the last call to `into`.
    pub(crate) fn drain(&self, into: &mut Vec<Waiter>) {
        self.notified.store(false, Ordering::Release);
        let woken = std::mem::take(&mut *lock(&self.woken));
        for waker in woken {
            // A wake from here on queues the waker again.
            waker.queued.store(false, Ordering::Release);
            into.push(waker.waiter);
        }
    }
}

/// The waker of one wait of one task on a future.
pub(crate) struct TaskWaker {
    wakes: Arc<Wakes>,
    waiter: Waiter,
    /// Whether it is in the woken list.
    queued: AtomicBool,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.clone().wake(self);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.wake(self.clone());
    }
}

/// A task's future while it waits, with the waker it is polled with.
pub(crate) struct Awaiting {
    fut: LocalFuture,
    waker: Waker,
}

impl Awaiting {
    /// Polls `fut` for `waiter` once: `None` if it finished, else what to keep.
    pub(crate) fn start(fut: LocalFuture, wakes: &Arc<Wakes>, waiter: Waiter) -> Option<Box<Self>> {
        let waker = Waker::from(Arc::new(TaskWaker {
            wakes: wakes.clone(),
            waiter,
            queued: AtomicBool::new(false),
        }));
        let mut awaiting = Awaiting { fut, waker };
        match awaiting.poll() {
            Poll::Ready(()) => None,
            Poll::Pending => Some(Box::new(awaiting)),
        }
    }

    /// Polls the future again.
    pub(crate) fn poll(&mut self) -> Poll<()> {
        let mut cx = Context::from_waker(&self.waker);
        self.fut.as_mut().poll(&mut cx)
    }
}

/// The scheduler's side of awaited futures: the shared wake list (made with the first future
/// that has to wait) and how many tasks wait on one.
#[derive(Default)]
pub(crate) struct Futures {
    pub(crate) wakes: Option<Arc<Wakes>>,
    pub(crate) waiting: usize,
    /// The buffer the woken waits are drained into, kept for its allocation.
    pub(crate) woken: Vec<Waiter>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::TaskId;

    fn wakes() -> (mio::Poll, Arc<Wakes>) {
        let poll = mio::Poll::new().unwrap();
        let poller = mio::Waker::new(poll.registry(), mio::Token(7)).unwrap();
        (poll, Wakes::new(poller))
    }

    fn waker(wakes: &Arc<Wakes>, wait: u32) -> Waker {
        let waiter = Waiter {
            task: TaskId { key: 0, serial: 1 },
            wait,
        };
        Waker::from(Arc::new(TaskWaker {
            wakes: wakes.clone(),
            waiter,
            queued: AtomicBool::new(false),
        }))
    }

    #[test]
    fn a_waker_woken_again_and_again_is_queued_once() {
        let (_poll, wakes) = wakes();
        let waker = waker(&wakes, 1);
        let hammer = {
            let waker = waker.clone();
            std::thread::spawn(move || {
                for _ in 0..10_000 {
                    waker.wake_by_ref();
                }
            })
        };
        hammer.join().unwrap();
        waker.wake_by_ref();
        assert_eq!(wakes.woken.lock().unwrap().len(), 1);
        let mut drained = Vec::new();
        wakes.drain(&mut drained);
        assert_eq!(drained.len(), 1);
        // Drained, it queues again on the next wake.
        waker.wake();
        wakes.drain(&mut drained);
        assert_eq!(drained.len(), 2);
    }

    #[test]
    fn the_first_wake_wakes_the_poller() {
        let (mut poll, wakes) = wakes();
        waker(&wakes, 1).wake();
        waker(&wakes, 2).wake();
        let mut events = mio::Events::with_capacity(4);
        poll.poll(&mut events, Some(std::time::Duration::ZERO))
            .unwrap();
        assert_eq!(events.iter().count(), 1);
        let mut drained = Vec::new();
        wakes.drain(&mut drained);
        assert_eq!(drained.iter().map(|w| w.wait).collect::<Vec<_>>(), [1, 2]);
    }
}
