//! Thread-per-core: one [`Scheduler`] per thread, sharing nothing, and a listener per thread
//! bound to the same address with `SO_REUSEPORT`, so the kernel spreads new connections over
//! the threads. A server's accept loop and connection tasks are unchanged: each thread runs
//! its own copy of them on its own listener.
//!
//! | item | what |
//! |---|---|
//! | [`bind`] | `n` listeners on one address (port 0: the port the first one got) |
//! | [`run`] | a scheduler per part, each on its own thread, set up by a closure |
//! | [`serve`] | both: an accept loop per thread |
//! | [`Cores`] | the running threads: [`Cores::join`] waits for them all |
//!
//! ```
//! use std::io::{Read, Write};
//! use volley_core::{yield_from, Co};
//! use volley_flow::sched::net::{accept, read, write_all, TcpListener, TcpStream};
//! use volley_flow::sched::{per_core, spawn, TaskBody, TaskResume};
//!
//! fn echo(stream: TcpStream) -> Co<impl TaskBody> {
//!     Co::pinned(#[coroutine] static move |_: TaskResume| {
//!         let mut buf = [0u8; 1024];
//!         loop {
//!             let n = yield_from!(read(&stream, &mut buf))?;
//!             if n == 0 {
//!                 return Ok(());
//!             }
//!             yield_from!(write_all(&stream, &buf[..n]))?;
//!         }
//!     })
//! }
//!
//! /// Serves one connection, then stops (so the example ends).
//! fn accept_one(listener: TcpListener) -> Co<impl TaskBody> {
//!     Co::pinned(#[coroutine] static move |_: TaskResume| {
//!         let (stream, _) = yield_from!(accept(&listener))?;
//!         yield_from!(spawn(echo(stream)))?.detach();
//!         Ok(())
//!     })
//! }
//!
//! let cores = per_core::serve("127.0.0.1:0".parse().unwrap(), 2, accept_one).unwrap();
//! let addr = cores.local_addr();
//! // SO_REUSEPORT hashes each connection to one listener: connect until both threads served
//! // theirs. (A connection queued at a listener as it closes is reset; once both closed,
//! // connecting is refused until their threads end.)
//! let mut served = 0;
//! while !cores.is_finished() {
//!     let Ok(mut conn) = std::net::TcpStream::connect(addr) else {
//!         std::thread::yield_now();
//!         continue;
//!     };
//!     let mut echoed = [0u8; 4];
//!     if conn.write_all(b"ping").is_ok() && conn.read_exact(&mut echoed).is_ok() {
//!         assert_eq!(&echoed, b"ping");
//!         served += 1;
//!     }
//! }
//! assert_eq!(served, 2);
//! cores.join().unwrap();
//! ```

use super::net::TcpListener;
use super::{SchedError, Scheduler, TaskBody};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use volley_core::Co;

/// Binds `count` non-blocking listeners to `addr` with `SO_REUSEPORT` (and `SO_REUSEADDR`,
/// and the backlog of [`TcpListener::bind`]); with port 0, the others share the port the first
/// one got. Each belongs on a thread of its own ([`run`]).
///
/// ```
/// let listeners = volley_flow::sched::per_core::bind("127.0.0.1:0".parse().unwrap(), 3).unwrap();
/// let port = listeners[0].local_addr().unwrap().port();
/// assert!(listeners.iter().all(|l| l.local_addr().unwrap().port() == port));
/// ```
pub fn bind(addr: SocketAddr, count: usize) -> io::Result<Vec<TcpListener>> {
    if count == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "per_core::bind needs at least one listener",
        ));
    }
    let mut addr = addr;
    let mut listeners = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.set_reuse_port(true)?;
        socket.set_nonblocking(true)?;
        socket.bind(&addr.into())?;
        socket.listen(super::net::LISTEN_BACKLOG)?;
        let listener = TcpListener::from_std(socket.into())?;
        addr = listener.local_addr()?;
        listeners.push(listener);
    }
    Ok(listeners)
}

/// Threads running one [`Scheduler`] each, from [`run`] or [`serve`].
#[must_use = "dropping Cores leaves its threads running, detached: join them"]
pub struct Cores {
    threads: Vec<JoinHandle<Result<(), SchedError>>>,
    running: Arc<AtomicUsize>,
    addr: Option<SocketAddr>,
}

impl Cores {
    /// How many threads were started.
    ///
    /// ```
    /// let cores = volley_flow::sched::per_core::run(vec![(); 3], |(), _sched| {});
    /// assert_eq!(cores.threads(), 3);
    /// cores.join().unwrap();
    /// ```
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// The address the listeners of [`serve`] are bound to.
    ///
    /// # Panics
    ///
    /// For threads started by [`run`], which binds nothing.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{per_core, TaskResume};
    /// let cores = per_core::serve("127.0.0.1:0".parse().unwrap(), 1, |listener| {
    ///     Co::new(#[coroutine] move |_: TaskResume| {
    ///         drop(listener);
    ///         Ok(())
    ///     })
    /// })
    /// .unwrap();
    /// assert!(cores.local_addr().port() > 0);
    /// cores.join().unwrap();
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr.expect("per_core::run binds no listener")
    }

    /// Whether every thread's scheduler has returned.
    ///
    /// ```
    /// let cores = volley_flow::sched::per_core::run(vec![(); 2], |(), _sched| {});
    /// while !cores.is_finished() {
    ///     std::thread::yield_now();
    /// }
    /// cores.join().unwrap();
    /// ```
    pub fn is_finished(&self) -> bool {
        self.running.load(Ordering::Acquire) == 0
    }

    /// Waits for every thread's scheduler to return; answers the first error one of them
    /// returned. A panic outside the tasks (in the setup closure) is passed on.
    ///
    /// ```
    /// let cores = volley_flow::sched::per_core::run(vec![1, 2], |_, _sched| {});
    /// assert!(cores.join().is_ok());
    /// ```
    pub fn join(self) -> Result<(), SchedError> {
        let mut first = Ok(());
        for thread in self.threads {
            match thread.join() {
                Ok(outcome) => {
                    if first.is_ok() {
                        first = outcome;
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        first
    }
}

impl std::fmt::Debug for Cores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cores")
            .field("threads", &self.threads.len())
            .field("running", &self.running.load(Ordering::Relaxed))
            .field("addr", &self.addr)
            .finish()
    }
}

/// Counts a thread out when it ends, however it ends.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Starts one thread per part, each with a new [`Scheduler`] that `setup` gives its part to
/// (to spawn tasks), then runs until that scheduler's tasks are done.
///
/// ```
/// use volley_core::Co;
/// use volley_flow::sched::{per_core, TaskResume};
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// let total = Arc::new(AtomicU64::new(0));
/// let sum = total.clone();
/// let cores = per_core::run(vec![10, 20], move |n: u64, sched| {
///     let sum = sum.clone();
///     sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///         sum.fetch_add(n, Ordering::Relaxed);
///         Ok(())
///     })).detach();
/// });
/// cores.join().unwrap();
/// assert_eq!(total.load(Ordering::Relaxed), 30);
/// ```
pub fn run<P, F>(parts: Vec<P>, setup: F) -> Cores
where
    P: Send + 'static,
    F: Fn(P, &mut Scheduler) + Send + Sync + 'static,
{
    let setup = Arc::new(setup);
    let running = Arc::new(AtomicUsize::new(parts.len()));
    let threads = parts
        .into_iter()
        .enumerate()
        .map(|(index, part)| {
            let setup = setup.clone();
            let running = Running(running.clone());
            std::thread::Builder::new()
                .name(format!("volley-core-{index}"))
                .spawn(move || {
                    let _running = running;
                    let mut sched = Scheduler::new();
                    setup(part, &mut sched);
                    sched.run()
                })
                .expect("spawning a scheduler thread")
        })
        .collect();
    Cores {
        threads,
        running,
        addr: None,
    }
}

/// Serves `addr` on `threads` threads: [`bind`]s a listener per thread and runs `accept_loop`
/// (the same task a one-thread server spawns) on each thread's own scheduler.
///
/// See the [module example](self).
pub fn serve<F, B>(addr: SocketAddr, threads: usize, accept_loop: F) -> io::Result<Cores>
where
    F: Fn(TcpListener) -> Co<B> + Send + Sync + 'static,
    B: TaskBody + 'static,
{
    let listeners = bind(addr, threads)?;
    let addr = listeners[0].local_addr()?;
    let mut cores = run(listeners, move |listener, sched| {
        sched.spawn(accept_loop(listener)).detach();
    });
    cores.addr = Some(addr);
    Ok(cores)
}
