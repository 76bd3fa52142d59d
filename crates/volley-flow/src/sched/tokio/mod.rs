//! The same task bodies on tokio's multi-threaded runtime (feature `tokio`): [`spawn`] runs a
//! `Send` task body as a tokio task, carrying out each [`Syscall`](super::Syscall) it yields
//! with tokio's own primitives. A user who outgrows one core changes the runtime line, not the
//! tasks.
//!
//! | system call | on tokio |
//! |---|---|
//! | [`yield_now`](super::task::yield_now) | `tokio::task::yield_now` |
//! | [`task_id`](super::task::task_id) | an id unique in the process |
//! | [`sleep`](super::time::sleep), [`sleep_until`](super::time::sleep_until) | tokio's timers (the runtime needs `enable_time`) |
//! | [`readable`](super::net::readable), [`writable`](super::net::writable), and the socket helpers built on them | `tokio::io::unix::AsyncFd`: one registration per socket, made at its first wait and dropped with the socket (the runtime needs `enable_io`) |
//! | [`spawn_send`](super::spawn_send), [`SendJoinHandle::join`](super::SendJoinHandle::join) | a tokio task of its own (so on any worker), and its end |
//! | [`kill`](super::task::kill) | closes the task at its next suspension, so its close arm and drops run; answers once they ran |
//! | [`cancel`](super::task::cancel) | throws the error in at its next resume; a task in a wait is woken for it |
//! | [`stats`](super::task::stats) | counters of every task this adapter ran (`switches`: the resumes of the tasks that ended, plus the asking task's own) |
//! | [`time::now`](super::time::now), [`rand::random_u64`](super::rand::random_u64) | the monotonic clock; a random stream per task |
//! | [`sync::park`](super::sync::park), [`wake_one`](super::sync::wake_one), [`wake_all`](super::sync::wake_all) | the wait list (`Send`, shared with the one-thread scheduler's code) queues the task's id; a wake reaches it on whichever worker it is. Whom a wake takes is decided under the list's lock, so a task killed or cancelled as a wake chose it passes the wake to the next waiter. A bare `park` tests nothing: a wake that comes before it finds nobody and is gone, so a task that parks on a condition another worker changes uses a [`Channel`](super::sync::Channel), which arms its waiters |
//! | [`Channel`](super::sync::Channel): `send`, `recv`, `close`, and `try_send` / `try_recv` from any thread (plain tokio tasks too) | the channel's own lock; a task that finds it full or empty arms itself on the wait list under that lock, and a wake that comes before its park leaves a permit the park takes: no wake is lost between the test and the park |
//! | [`await_send`](super::await_send) | the adapter awaits the future in the task's place (a kill or cancel drops it) |
//! | [`race`](super::sync::race) and [`timeout`](super::time::timeout), custom calls, [`time::clock`](super::time::clock), [`rand::rng`](super::rand::rng), [`await_future`](super::await_future) (its future need not be `Send`: use `await_send`), [`shutdown`](super::task::shutdown) | [`SchedError::Unsupported`](super::SchedError::Unsupported), naming what to use instead (most of these hold `Rc`-shared state across their yield, so a body using them is not `Send` and tokio refuses it at compile time) |
//!
//! Why some calls are not here: `race` (and `timeout`, built on it), custom handlers, futures
//! awaited with `await_future` and the shared clock and random stream are one scheduler's
//! state, shared by `Rc` (which keeps the one-thread scheduler free of atomic operations on its
//! hot paths); a body that holds one is not `Send`, and tokio refuses it at compile time. On
//! tokio, async code around the tasks uses tokio's own timeouts. Channels are not among them:
//! their state sits behind one uncontended lock, so a body that uses a
//! [`Channel`](super::sync::Channel) runs on both runtimes.
//! Likewise [`spawn`](super::spawn)'s [`JoinHandle`](super::JoinHandle) is `Rc`-shared:
//! bodies meant for both runtimes spawn with [`spawn_send`](super::spawn_send), which works on
//! a [`Scheduler`](super::Scheduler) too.
//!
//! A panic in a body is that task's outcome ([`JoinError::Panicked`](super::JoinError)), not
//! the worker's.
//!
//! ```
//! use std::time::Duration;
//! use volley_core::{yield_from, Co};
//! use volley_flow::sched::task::yield_now;
//! use volley_flow::sched::time::sleep;
//! use volley_flow::sched::{spawn_send, Scheduler, TaskBody, TaskResume};
//!
//! /// Sums the squares below `n`, one child task per square.
//! fn squares(n: u64) -> Co<impl TaskBody<u64> + Send> {
//!     Co::new(#[coroutine] move |_: TaskResume| {
//!         let mut children = Vec::new();
//!         for i in 0..n {
//!             let child = yield_from!(spawn_send(Co::new(#[coroutine] move |_: TaskResume| {
//!                 yield_from!(sleep(Duration::from_millis(1)))?;
//!                 Ok(i * i)
//!             })))?;
//!             children.push(child);
//!         }
//!         yield_from!(yield_now())?;
//!         let mut sum = 0;
//!         for child in children {
//!             sum += yield_from!(child.join())??;
//!         }
//!         Ok(sum)
//!     })
//! }
//!
//! // One thread: a Volley scheduler.
//! let mut sched = Scheduler::new();
//! let task = sched.spawn(squares(10));
//! assert_eq!(sched.join(task).unwrap(), 285);
//!
//! // Every core: tokio's multi-threaded runtime, the same body.
//! let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
//! let task = runtime.spawn(async { volley_flow::sched::tokio::spawn(squares(10)).await });
//! assert_eq!(runtime.block_on(task).unwrap().unwrap().unwrap(), 285);
//! ```
//!
//! A [`Channel`](super::sync::Channel) between tasks on different workers, fed by a plain
//! tokio task too (`try_send` works from any thread and wakes the parked receiver):
//!
//! ```
//! use volley_core::{yield_from, Co};
//! use volley_flow::sched::sync::{Channel, TrySendError};
//! use volley_flow::sched::{spawn_send, TaskBody, TaskResume};
//!
//! /// Sends 1..=n through `chan`.
//! fn count_to(chan: Channel<u64>, n: u64) -> Co<impl TaskBody<()> + Send> {
//!     Co::new(#[coroutine] move |_: TaskResume| {
//!         for i in 1..=n {
//!             yield_from!(chan.send(i))??;
//!         }
//!         Ok(())
//!     })
//! }
//!
//! /// Adds up what arrives until the channel closes.
//! fn total(chan: Channel<u64>) -> Co<impl TaskBody<u64> + Send> {
//!     Co::new(#[coroutine] move |_: TaskResume| {
//!         let mut sum = 0;
//!         while let Some(n) = yield_from!(chan.recv())? {
//!             sum += n;
//!         }
//!         Ok(sum)
//!     })
//! }
//!
//! let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
//! let sum = runtime.block_on(async {
//!     let chan = Channel::bounded(1);
//!     let adder = volley_flow::sched::tokio::spawn(total(chan.clone()));
//!     let (tx, plain) = (chan.clone(), chan.clone());
//!     let counter = volley_flow::sched::tokio::spawn(Co::new(#[coroutine] move |_: TaskResume| {
//!         let child = yield_from!(spawn_send(count_to(tx.clone(), 100)))?;
//!         yield_from!(child.join())??;
//!         Ok(())
//!     }));
//!     // Plain async code: retries while the channel is full.
//!     let mut message = 1000;
//!     while let Err(TrySendError::Full(back)) = plain.try_send(message) {
//!         message = back;
//!         tokio::task::yield_now().await;
//!     }
//!     counter.await.unwrap().unwrap();
//!     volley_flow::sched::tokio::spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(chan.close())?)))
//!         .await
//!         .unwrap()
//!         .unwrap();
//!     adder.await.unwrap().unwrap()
//! });
//! assert_eq!(sum, 5050 + 1000);
//! ```

mod driver;
mod io;
mod registry;

pub(crate) use io::{release, Slot};

use super::portable::SendSlot;
use super::{JoinError, TaskBody};
use registry::Control;
use std::sync::Arc;
use volley_core::Co;

/// Spawns a task body on the current tokio runtime (inside its context, like `tokio::spawn`,
/// which panics elsewhere); the handle's output is the task's outcome. The body must be `Send`:
/// it moves between worker threads at its yields. Dropping the handle detaches the task;
/// aborting it (or shutting the runtime down) drops the body, whose cleanup runs as for a
/// kill.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::task_id;
/// use volley_flow::sched::TaskResume;
/// let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
/// let outcome = runtime.block_on(async {
///     volley_flow::sched::tokio::spawn(Co::new(#[coroutine] |_: TaskResume| {
///         let me = yield_from!(task_id())?;
///         Ok(me.serial() > 0)
///     }))
///     .await
/// });
/// assert!(outcome.unwrap().unwrap());
/// ```
pub fn spawn<B, T>(co: Co<B>) -> ::tokio::task::JoinHandle<Result<T, JoinError>>
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    let control = registry::register();
    ::tokio::spawn(async move {
        driver::drive(co, control, None)
            .await
            .unwrap_or(Err(JoinError::Killed))
    })
}

/// A task of [`spawn_send`](super::spawn_send), taken out of its scheduler cell to run on tokio.
pub(crate) trait Portable: Send {
    /// Starts the task as a tokio task under `control`'s id.
    fn launch(self: Box<Self>, control: Arc<Control>);
}

/// A `spawn_send` child: its body and the slot its handle reads.
pub(crate) struct Child<B: TaskBody<T>, T> {
    co: Co<B>,
    slot: SendSlot<T>,
}

impl<B: TaskBody<T>, T> Child<B, T> {
    pub(crate) fn new(co: Co<B>, slot: SendSlot<T>) -> Self {
        Child { co, slot }
    }
}

impl<B, T> Portable for Child<B, T>
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    fn launch(self: Box<Self>, control: Arc<Control>) {
        let Child { co, slot } = *self;
        ::tokio::spawn(async move {
            driver::drive(co, control, Some(slot)).await;
        });
    }
}
