//! A cooperative scheduler whose tasks are Volley coroutines that yield system calls
//! (David Beazley's pyos design, with Rust types).
//!
//! A task body is a `#[coroutine]` closure taking [`TaskResume`]. It asks the [`Scheduler`] for
//! things by yielding a [`Syscall`] and gets the answer back by `send` as a [`Reply`]. The
//! helpers of this module wrap each call so a body reads like blocking code:
//! `yield_from!(sleep(d))?`, `yield_from!(spawn(body))?`, `yield_from!(join(id))?`,
//! `yield_from!(chan.recv())?`, `yield_from!(read(&mut stream, &mut buf))?`. The `?` lets a
//! cancel (a thrown [`TaskError`]) or a kill (a close) propagate; a `match` catches them.
//!
//! | call | helper | evaluates to |
//! |---|---|---|
//! | yield the CPU | [`yield_now`] | `()` |
//! | own id | [`task_id`] | [`TaskId`] |
//! | spawn | [`spawn`], [`spawn_named`], [`spawn_detached`], [`spawn_task`] | the new [`TaskId`] |
//! | join | [`join`] | `Result<T, JoinError>`: the child's value, or raised / panicked / killed |
//! | kill | [`kill`] | whether it was alive; its close arm and drops run |
//! | cancel | [`cancel`] | whether it was alive; the error is thrown in, it may catch it |
//! | sleep | [`sleep`], [`sleep_until`] | `()` |
//! | socket readiness | [`readable`], [`writable`] | `()` |
//! | socket I/O | [`accept`], [`connect`], [`read`], [`read_line`], [`write()`], [`write_all`] | the result |
//! | channels | [`Channel::send`], [`Channel::recv`], [`Channel::close`] | see [`Channel`] |
//! | wait lists | [`park`], [`wake_one`], [`wake_all`] | `()` / how many woken |
//! | counters | [`stats`] | [`Stats`] |
//! | shutdown | [`shutdown`] | closes every task, [`Scheduler::run`] returns |
//!
//! Helper coroutines nest: a helper such as [`accept`] or [`read_line`] yields system calls on
//! behalf of the task that delegates to it, with no trampoline; killing the task mid-way closes
//! the whole `yield_from!` chain, innermost first.
//!
//! Task bodies that keep a borrow across a yield (a buffer passed to [`read`], a listener passed
//! to [`accept`]) are written `static move`: the scheduler pins every task on the heap.
//!
//! Ended tasks: the outcome of a task spawned with [`spawn`] is kept until a task [`join`]s it
//! (or [`Scheduler::take_outcome`] takes it); tasks nobody joins, such as one task per
//! connection, are spawned with [`spawn_detached`] so nothing accumulates.
//! [`Stats::unjoined`] counts the outcomes kept.
//!
//! # A complete TCP server
//!
//! An echo server: one accept loop, one detached task per connection, and a client thread
//! that checks its bytes. The accept loop stops after two connections; `run` returns when the
//! last connection task ends.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::{TcpListener, TcpStream};
//! use volley_core::yield_from;
//! use volley_flow::sched::{accept, listen, read, spawn_detached, write_all, Scheduler, TaskBody, TaskResume};
//!
//! /// Echoes every byte back until the peer closes.
//! fn echo(mut stream: TcpStream) -> impl TaskBody {
//!     #[coroutine]
//!     static move |_: TaskResume| {
//!         let mut buf = [0u8; 4096];
//!         loop {
//!             let n = yield_from!(read(&mut stream, &mut buf))?;
//!             if n == 0 {
//!                 return Ok(());
//!             }
//!             yield_from!(write_all(&mut stream, &buf[..n]))?;
//!         }
//!     }
//! }
//!
//! let listener: TcpListener = listen("127.0.0.1:0".parse().unwrap()).unwrap();
//! let addr = listener.local_addr().unwrap();
//! let mut sched = Scheduler::new();
//! sched.spawn_named("accept_loop", #[coroutine] static move |_: TaskResume| {
//!     for _ in 0..2 {
//!         let (stream, _peer) = yield_from!(accept(&listener))?;
//!         yield_from!(spawn_detached(echo(stream)))?;
//!     }
//!     Ok(())
//! });
//!
//! let clients: Vec<_> = (0..2)
//!     .map(|i| {
//!         std::thread::spawn(move || {
//!             let mut conn = TcpStream::connect(addr).unwrap();
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
//! for client in clients {
//!     client.join().unwrap();
//! }
//! ```

mod calls;
mod channel;
mod error;
mod id;
mod net;
mod reactor;
mod scheduler;
mod stats;
mod syscall;
mod task;
mod timers;
mod waitlist;

pub use calls::{
    cancel, detach, join, kill, park, readable, shutdown, sleep, sleep_until, spawn,
    spawn_detached, spawn_named, spawn_task, stats, task_id, wake_all, wake_one, writable,
    yield_now, Call, TaskCall,
};
pub use channel::{Channel, SendError, SendResult};
pub use error::{JoinError, OrRaise, SchedError, TaskError};
pub use id::TaskId;
pub use net::{accept, connect, listen, read, read_line, write, write_all, LISTEN_BACKLOG};
pub use scheduler::Scheduler;
pub use stats::Stats;
pub use syscall::{Reply, SubBody, Syscall, Task, TaskBody, TaskResume};
pub use waitlist::WaitList;
