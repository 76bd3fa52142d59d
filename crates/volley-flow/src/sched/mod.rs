//! A cooperative scheduler whose tasks are Volley coroutines that yield system calls
//! (David Beazley's pyos design, with Rust types).
//!
//! A task is a `Co<impl TaskBody<T>>`: a `#[task]` function, or a closure body
//! `#[coroutine] |_: TaskResume| { ... }` wrapped with `Co::new`. It asks the [`Scheduler`] for
//! things by yielding a [`Syscall`] and gets the answer back by `send` as a [`Reply`]; the
//! helpers wrap each call so a body reads like blocking code:
//! `yield_from!(sleep(d))?`, `yield_from!(spawn(co))?`, `yield_from!(handle.join())?`,
//! `yield_from!(chan.recv())?`, `yield_from!(read(&stream, &mut buf))?`. The `?` lets a cancel
//! (a thrown [`TaskError`]) or a kill (a close) propagate; a `match` catches them. A task's
//! error type is [`TaskError`], an error of any type, so `?` on an `io::Result` or any other
//! std error raises it.
//!
//! Tasks of one scheduler may return different types: spawning gives a typed
//! [`JoinHandle<T>`], and the outcome waits in the handle (dropped with it if nobody joins).
//!
//! The names every task uses are here; the helpers are grouped by job:
//!
//! | module | for | names |
//! |---|---|---|
//! | here | running tasks | [`Scheduler`], [`spawn`], [`JoinHandle`] (`join`, `kill`, `cancel`, `detach`, `.await`), [`await_future`], [`await_send`], [`TaskBody`], [`TaskResume`], [`TaskResult`], [`TaskError`], [`JoinError`], [`SchedError`], [`Syscall`], [`Reply`], [`TaskCall`] |
//! | [`task`] | the task itself and its peers | [`task::yield_now`], [`task::task_id`], [`task::kill`], [`task::cancel`], [`task::shutdown`], [`task::stats`], [`task::TaskId`], [`task::Stats`], [`task::Call`], [`task::JoinFuture`], [`task::RemoteJoin`], [`task::TaskFuture`] |
//! | [`time`] | the clock | [`time::sleep`], [`time::sleep_secs`], [`time::sleep_until`], [`time::timeout`], [`time::Elapsed`] |
//! | [`net`] | sockets | [`net::TcpListener`], [`net::TcpStream`], [`net::UnixStream`], [`net::accept`], [`net::connect`], [`net::read`], [`net::write`], [`net::write_all`], [`net::read_line`], [`net::readable`], [`net::writable`] |
//! | [`sync`] | tasks waiting for each other | [`sync::Channel`] (`send`, `recv`, `close`, `try_send`, `try_recv`), [`sync::race`], [`sync::Either`], [`sync::WaitList`], [`sync::park`], [`sync::wake_one`], [`sync::wake_all`] |
//!
//! Helper coroutines nest: a helper such as [`net::accept`] or [`net::read_line`] yields system
//! calls on behalf of the task that delegates to it, with no trampoline; killing the task
//! mid-way closes the whole `yield_from!` chain, innermost first.
//!
//! # Futures and tokio
//!
//! The scheduler and async Rust meet both ways:
//!
//! - **A task awaits a future**: `yield_from!(await_future(fut))?` evaluates to the future's
//!   output; other tasks run meanwhile. The future is polled on the scheduler's thread with a
//!   waker that may be woken from any thread (it wakes the scheduler out of its poller). A
//!   future that panics panics its task; killing the task drops the future. [`await_send`]
//!   does the same for a `Send` future and keeps the body `Send`, for bodies that also run on
//!   tokio's workers.
//! - **Async code awaits a task**: a [`JoinHandle`] is a future of the task's outcome
//!   (`handle.await`), on the scheduler's thread; [`Scheduler::spawn_remote`] gives a `Send`
//!   one, for async code on other threads.
//! - **A scheduler inside a tokio program**: `Scheduler::run_async` (feature `tokio`) runs the
//!   tasks as a future, on a tokio thread beside other async code: when no task is ready it
//!   awaits the scheduler's poller with tokio's reactor and its next timer with tokio's timers.
//!
//! Futures that need tokio's reactor or timers (`tokio::time::sleep`, `tokio::net`) must find a
//! runtime when they are made and need one running to be woken. On a scheduler run with
//! [`Scheduler::run`], keep a tokio runtime in the background and enter it on the scheduler's
//! thread: a multi-threaded runtime's workers drive its reactor and timers (a current-thread
//! runtime drives them only inside its `block_on`, so give it a thread of its own blocked
//! there). Under `run_async` the runtime running it is the one the futures use. tokio's
//! channels (`tokio::sync`) need no runtime at all.
//!
//! ```
//! use std::time::Duration;
//! use volley_core::{yield_from, Co};
//! use volley_flow::sched::{await_future, Scheduler, TaskResume};
//!
//! // A runtime in the background: its worker thread drives tokio's timers and sockets.
//! let runtime = tokio::runtime::Builder::new_multi_thread()
//!     .worker_threads(1)
//!     .enable_all()
//!     .build()
//!     .unwrap();
//! let _entered = runtime.enter(); // tokio futures made on this thread find the runtime
//! let (tx, rx) = tokio::sync::oneshot::channel();
//! runtime.spawn(async move {
//!     tokio::time::sleep(Duration::from_millis(5)).await;
//!     tx.send("from a tokio task").unwrap();
//! });
//! let mut sched = Scheduler::new();
//! let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
//!     yield_from!(await_future(tokio::time::sleep(Duration::from_millis(1))))?;
//!     Ok(yield_from!(await_future(rx))??)
//! }));
//! assert_eq!(sched.join(task).unwrap(), "from a tokio task");
//! ```
//!
//! On a simulated scheduler an awaited future takes no virtual time: the clock waits for it
//! (see [`await_future`]).
//!
//! Task bodies that keep a borrow across a yield (a buffer passed to [`net::read`], a listener
//! passed to [`net::accept`]) are written `static move` (or `#[task(static)]`).
//!
//! # A complete TCP server
//!
//! An echo server: one accept loop, one detached task per connection, and client threads
//! that check their bytes. The accept loop stops after two connections; `run` returns when the
//! last connection task ends.
//!
//! ```
//! use std::io::{Read, Write};
//! use volley_core::{yield_from, Co};
//! use volley_flow::sched::net::{accept, read, write_all, TcpListener, TcpStream};
//! use volley_flow::sched::{spawn, Scheduler, TaskBody, TaskResume};
//!
//! /// Echoes every byte back until the peer closes.
//! fn echo(stream: TcpStream) -> Co<impl TaskBody> {
//!     Co::pinned(#[coroutine] static move |_: TaskResume| {
//!         let mut buf = [0u8; 4096];
//!         loop {
//!             let n = yield_from!(read(&stream, &mut buf))?;
//!             if n == 0 {
//!                 return Ok(());
//!             }
//!             yield_from!(write_all(&stream, &buf[..n]))?;
//!         }
//!     })
//!     .named("echo")
//! }
//!
//! let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
//! let addr = listener.local_addr().unwrap();
//! let mut sched = Scheduler::new();
//! let accepting = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
//!     for _ in 0..2 {
//!         let (stream, _peer) = yield_from!(accept(&listener))?;
//!         yield_from!(spawn(echo(stream)))?.detach();
//!     }
//!     Ok(())
//! }).named("accept_loop"));
//!
//! let clients: Vec<_> = (0..2)
//!     .map(|i| {
//!         std::thread::spawn(move || {
//!             let mut conn = std::net::TcpStream::connect(addr).unwrap();
//!             let message = format!("hello from client {i}");
//!             conn.write_all(message.as_bytes()).unwrap();
//!             conn.shutdown(std::net::Shutdown::Write).unwrap();
//!             let mut echoed = String::new();
//!             conn.read_to_string(&mut echoed).unwrap();
//!             assert_eq!(echoed, message);
//!         })
//!     })
//!     .collect();
//! sched.run().unwrap();
//! assert!(accepting.take_outcome().unwrap().is_ok());
//! for client in clients {
//!     client.join().unwrap();
//! }
//! ```

mod calls;
mod channel;
mod clock;
mod conn;
mod custom;
mod entry;
mod error;
mod future;
mod handle;
mod id;
#[cfg(feature = "tokio")]
mod in_tokio;
mod local;
pub mod per_core;
mod portable;
mod race;
mod reactor;
mod remote;
mod rng;
mod scheduler;
mod shortcut;
mod stats;
mod syscall;
mod timers;
mod waitlist;

#[cfg(feature = "tokio")]
pub mod tokio;

pub use error::{JoinError, SchedError, TaskError, TaskResult};
pub use future::{await_future, await_send};
pub use handle::{spawn, JoinHandle};
pub use portable::{spawn_send, SendJoinHandle};
pub use scheduler::Scheduler;
pub use syscall::{Reply, Syscall, TaskBody, TaskCall, TaskResume};

pub mod task {
    //! The running task and its peers: its id, yielding the CPU, killing and cancelling by id,
    //! the counters, a graceful shutdown, and raw system calls.
    //!
    //! | helper | evaluates to |
    //! |---|---|
    //! | [`yield_now`] | `()`, after every other ready task ran once |
    //! | [`task_id`] | the task's own [`TaskId`] |
    //! | [`kill`] | whether the task was alive; its close arm and drops run |
    //! | [`cancel`] | whether the task was alive; the error is thrown in, it may catch it |
    //! | [`stats`] | the scheduler's [`Stats`] |
    //! | [`shutdown`] | closes every task, [`Scheduler::run`](super::Scheduler::run) returns |
    //! | [`Call`] | whatever its decoder makes of the reply to a [`Syscall`](super::Syscall) of your own |
    //!
    //! Spawning and joining are [`spawn`] and [`JoinHandle`] (also at [`sched`](super)
    //! itself).
    //!
    //! ```
    //! use volley_core::{yield_from, Co};
    //! use volley_flow::sched::task::{stats, task_id, yield_now};
    //! use volley_flow::sched::{Scheduler, TaskResume};
    //! let mut sched = Scheduler::new();
    //! let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    //!     yield_from!(yield_now())?;
    //!     let me = yield_from!(task_id())?;
    //!     let counters = yield_from!(stats())?;
    //!     Ok((me.serial(), counters.switches))
    //! }));
    //! assert_eq!(sched.join(task).unwrap(), (1, 3));
    //! ```
    pub use super::calls::{cancel, kill, shutdown, stats, task_id, yield_now, Call};
    pub use super::custom::{call, CallContext, CustomCall, Handled};
    pub use super::entry::NewTask;
    pub use super::future::TaskFuture;
    pub use super::handle::JoinFuture;
    pub use super::id::TaskId;
    pub use super::remote::RemoteJoin;
    pub use super::stats::Stats;
    pub use super::{spawn, JoinHandle};
}

pub mod time {
    //! The clock: sleeping, and running a helper for at most a while.
    //!
    //! | helper | evaluates to |
    //! |---|---|
    //! | [`sleep`] | `()`, at least the duration later |
    //! | [`sleep_secs`] | `()`, at least that many seconds later (SimPy's `env.timeout`) |
    //! | [`sleep_until`] | `()`, at the instant or later |
    //! | [`timeout`] | `Ok(x)` from the helper, or `Err(`[`Elapsed`]`)` (the helper is closed) |
    //!
    //! ```
    //! use std::time::Duration;
    //! use volley_core::{yield_from, Co};
    //! use volley_flow::sched::time::{sleep, timeout};
    //! use volley_flow::sched::{Scheduler, TaskResume};
    //! let mut sched = Scheduler::new();
    //! let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    //!     let quick = yield_from!(timeout(Duration::from_secs(60), sleep(Duration::from_millis(1))))?;
    //!     let slow = yield_from!(timeout(Duration::from_millis(1), sleep(Duration::from_secs(60))))?;
    //!     Ok((quick.is_ok(), slow.is_ok()))
    //! }));
    //! assert_eq!(sched.join(task).unwrap(), (true, false));
    //! ```
    pub use super::calls::{clock, now, sleep, sleep_secs, sleep_until};
    pub use super::clock::{secs, Clock};
    pub use super::race::{timeout, Elapsed};
}

pub mod rand {
    //! Seeded random numbers: every scheduler owns a stream ([`Scheduler::simulated`]'s seed,
    //! or [`Scheduler::set_seed`]), and tasks draw from it with a system call, so a run is
    //! replayed exactly by its seed.
    //!
    //! | helper | evaluates to |
    //! |---|---|
    //! | [`random_u64`] | 64 random bits |
    //! | [`random_f64`] | uniform in `[0, 1)` |
    //! | [`uniform`] | uniform in `[low, high)` |
    //! | [`below`] | uniform integer in `[0, n)` |
    //! | [`exponential`] | exponential with a rate (Poisson gaps) |
    //! | [`rng`] | a [`SharedRng`] handle on the same stream, drawn from without a system call |
    //! | [`Rng`] | the generator itself, for streams of a model's own |
    //!
    //! ```
    //! use volley_core::{yield_from, Co};
    //! use volley_flow::sched::rand::{below, exponential};
    //! use volley_flow::sched::{Scheduler, TaskResume};
    //! let run = |seed| {
    //!     let mut sched = Scheduler::simulated(seed);
    //!     let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    //!         Ok((yield_from!(below(100))?, yield_from!(exponential(1.0))?))
    //!     }));
    //!     sched.join(task).unwrap()
    //! };
    //! assert_eq!(run(7), run(7));
    //! assert_ne!(run(7), run(8));
    //! ```
    //!
    //! [`Scheduler::simulated`]: super::Scheduler::simulated
    //! [`Scheduler::set_seed`]: super::Scheduler::set_seed
    pub use super::calls::{below, exponential, random_f64, random_u64, rng, uniform};
    pub use super::rng::{Rng, SharedRng};
}

pub mod net {
    //! Sockets owned by the scheduler's poller, and the helpers that read, write, accept and
    //! connect without blocking other tasks.
    //!
    //! | item | what |
    //! |---|---|
    //! | [`TcpListener`] | [`TcpListener::bind`] (backlog [`LISTEN_BACKLOG`]), then [`accept`] |
    //! | [`TcpStream`] | from [`accept`] or [`connect`] |
    //! | [`UnixStream`] | [`UnixStream::pair`], or a std one taken over |
    //! | [`Pollable`] | any other non-blocking descriptor, for [`readable`] / [`writable`] |
    //! | [`read`], [`write()`], [`write_all`], [`read_line`] | I/O on any [`Stream`], waiting for readiness as needed |
    //! | [`readable`], [`writable`] | a bare readiness wait on any [`Socket`] |
    //! | [`Stream::try_read`], [`Stream::try_write`] | I/O that never waits |
    //! | [`IoSource`] | a socket's registration and readiness state |
    //! | [`Connection`], [`Listener`] | the interface connection code is written against to run on real sockets and on the simulated network ([`sim::net`](crate::sim::net)) alike |
    //!
    //! A socket is registered with the poller the first time a task waits on it and deregistered
    //! when it is dropped. See [`accept`] and the [module example](super) for a server.
    //!
    //! ```
    //! use volley_core::{yield_from, Co};
    //! use volley_flow::sched::net::{read, write_all, UnixStream};
    //! use volley_flow::sched::{Scheduler, TaskResume};
    //! let (a, b) = UnixStream::pair().unwrap();
    //! let mut sched = Scheduler::new();
    //! sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
    //!     yield_from!(write_all(&a, b"over the pair"))?;
    //!     Ok(())
    //! })).detach();
    //! let reader = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
    //!     let mut buf = [0u8; 32];
    //!     let n = yield_from!(read(&b, &mut buf))?;
    //!     Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
    //! }));
    //! assert_eq!(sched.join(reader).unwrap(), "over the pair");
    //! ```
    pub use super::conn::{Connection, Listener};
    pub use super::reactor::IoSource;
    pub use crate::sched::net_impl::*;
}

pub mod sync {
    //! Tasks waiting for each other: channels, racing two helpers, and wait lists (the building
    //! block of both).
    //!
    //! | item | what |
    //! |---|---|
    //! | [`Channel`] | bounded channel: `send` parks while full, `recv` while empty, `close` wakes everyone; `try_send` / `try_recv` never wait |
    //! | [`race`] | runs two helpers, evaluates to the [`Either`] that finished first; the loser is closed |
    //! | [`WaitList`] | a queue of parked tasks: [`park`], [`wake_one`], [`wake_all`] |
    //!
    //! ```
    //! use volley_core::{yield_from, Co};
    //! use volley_flow::sched::sync::Channel;
    //! use volley_flow::sched::{Scheduler, TaskResume};
    //! let chan = Channel::bounded(8);
    //! for n in 1..=3 {
    //!     chan.try_send(n).unwrap(); // before the scheduler runs: no task needed
    //! }
    //! let mut sched = Scheduler::new();
    //! let rx = chan.clone();
    //! let sum = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    //!     let mut sum = 0;
    //!     while let Ok(n) = rx.try_recv() {
    //!         sum += n;
    //!     }
    //!     Ok(sum + yield_from!(rx.recv())?.unwrap_or(0))
    //! }));
    //! sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    //!     yield_from!(chan.send(4))??;
    //!     Ok(())
    //! })).detach();
    //! assert_eq!(sched.join(sum).unwrap(), 10);
    //! ```
    pub use super::calls::{park, wake_all, wake_one};
    pub use super::channel::{Channel, SendError, SendResult, TryRecvError, TrySendError};
    pub use super::race::{race, Either};
    pub use super::waitlist::WaitList;
}

#[path = "net.rs"]
mod net_impl;

pub(crate) use calls::unexpected;
pub(crate) use id::TaskId;
pub(crate) use stats::Stats;
pub(crate) use waitlist::WaitList;
