//! The scheduler's socket types and the helpers that do non-blocking I/O on them, waiting for
//! readiness on behalf of the task that delegates to them with `yield_from!`.
//!
//! Each socket owns its registration with the poller and its readiness state (an
//! [`IoSource`]): registered the first time a task waits on it, deregistered when it is
//! dropped. A socket known to be drained (its last operation returned `WouldBlock` or moved
//! fewer bytes than asked) is waited for before the next operation; anything else is tried at
//! once. So a request/response cycle costs the system calls of a hand-written epoll loop.

use super::calls::{done, single, sleep};
use super::reactor::{Direction, IoSource};
use super::{Reply, Syscall, TaskBody, TaskCall, TaskResume};
use socket2::{Domain, Protocol, Socket as RawSocket, Type};
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::{Duration, Instant};
use volley_core::{co_yield, yield_from, Co, Exit};

/// How many connections may wait to be accepted by a listener from [`TcpListener::bind`] (the
/// kernel caps it at `net.core.somaxconn`).
pub const LISTEN_BACKLOG: i32 = 4096;

/// A socket the scheduler can wait on: [`TcpListener`], [`TcpStream`], [`UnixStream`], or any
/// descriptor wrapped in a [`Pollable`].
pub trait Socket: AsRawFd {
    /// The socket's registration and readiness state.
    ///
    /// ```
    /// use volley_flow::sched::net::{Socket, TcpListener};
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let _source = listener.io_source();
    /// ```
    fn io_source(&self) -> &IoSource;
}

/// A connected socket the scheduler can read and write: [`TcpStream`], [`UnixStream`]. The
/// helpers [`read`], [`write()`], [`write_all`] and [`read_line`] take any `Stream`.
pub trait Stream: Socket {
    /// Reads what is there without waiting: `WouldBlock` if nothing is. Records what it
    /// found in the socket's readiness state.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use volley_flow::sched::net::{Stream, UnixStream};
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// assert_eq!(a.try_read(&mut [0; 4]).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// ```
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// Writes what fits without waiting: `WouldBlock` if nothing does. Records what it found
    /// in the socket's readiness state.
    ///
    /// ```
    /// use volley_flow::sched::net::{Stream, UnixStream};
    /// let (a, b) = UnixStream::pair().unwrap();
    /// assert_eq!(a.try_write(b"hi").unwrap(), 2);
    /// let mut buf = [0; 2];
    /// assert_eq!(b.try_read(&mut buf).unwrap(), 2);
    /// ```
    fn try_write(&self, data: &[u8]) -> io::Result<usize>;
}

/// Runs a read or write and records what it showed about `dir`: `WouldBlock` means not ready
/// until the next edge; a short transfer means the socket's buffer was drained (our socket
/// types move everything the kernel holds, or has room for).
#[inline]
fn noted(
    io: &IoSource,
    dir: Direction,
    asked: usize,
    result: io::Result<usize>,
) -> io::Result<usize> {
    match &result {
        Ok(n) if *n > 0 && *n < asked => io.set_drained(dir),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => io.set_would_block(dir),
        _ => {}
    }
    result
}

macro_rules! socket_type {
    ($name:ident, $inner:ty) => {
        impl $name {
            fn wrap(inner: $inner) -> Self {
                let io = IoSource::new(inner.as_raw_fd());
                $name { inner, io }
            }
        }

        impl Socket for $name {
            #[inline]
            fn io_source(&self) -> &IoSource {
                &self.io
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.inner.as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.inner.as_fd()
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.io.release();
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("fd", &self.inner.as_raw_fd())
                    .field("io", &self.io)
                    .finish()
            }
        }
    };
}

macro_rules! stream_type {
    ($name:ident) => {
        impl Stream for $name {
            #[inline]
            fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                noted(
                    &self.io,
                    Direction::Read,
                    buf.len(),
                    (&self.inner).read(buf),
                )
            }

            #[inline]
            fn try_write(&self, data: &[u8]) -> io::Result<usize> {
                noted(
                    &self.io,
                    Direction::Write,
                    data.len(),
                    (&self.inner).write(data),
                )
            }
        }

        /// Non-blocking reads (`WouldBlock` when nothing is there), so a `BufReader` works
        /// over the socket; tasks read with the [`read`] helper.
        impl Read for $name {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.try_read(buf)
            }
        }

        impl Read for &$name {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.try_read(buf)
            }
        }

        /// Non-blocking writes (`WouldBlock` when there is no room); tasks write with the
        /// [`write_all`] helper.
        impl Write for $name {
            fn write(&mut self, data: &[u8]) -> io::Result<usize> {
                self.try_write(data)
            }

            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        impl Write for &$name {
            fn write(&mut self, data: &[u8]) -> io::Result<usize> {
                self.try_write(data)
            }

            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
    };
}

/// A non-blocking TCP listener owned by the scheduler's poller: accept connections with
/// [`accept`].
///
/// ```
/// use volley_flow::sched::net::TcpListener;
/// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
/// assert!(listener.local_addr().unwrap().port() > 0);
/// ```
pub struct TcpListener {
    inner: mio::net::TcpListener,
    io: IoSource,
}

socket_type!(TcpListener, mio::net::TcpListener);

impl TcpListener {
    /// Binds a non-blocking TCP listener with `SO_REUSEADDR` and a backlog of
    /// [`LISTEN_BACKLOG`]. (`std::net::TcpListener::bind` queues only 128 pending connections:
    /// thousands of clients connecting at once would see dropped SYNs and one-second retries.)
    ///
    /// ```
    /// use volley_flow::sched::net::TcpListener;
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// # drop(listener);
    /// ```
    pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = RawSocket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.set_nonblocking(true)?;
        socket.bind(&addr.into())?;
        socket.listen(LISTEN_BACKLOG)?;
        let std: std::net::TcpListener = socket.into();
        Ok(Self::wrap(mio::net::TcpListener::from_std(std)))
    }

    /// Takes over a std listener, switching it to non-blocking mode.
    ///
    /// ```
    /// use volley_flow::sched::net::TcpListener;
    /// let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let listener = TcpListener::from_std(std).unwrap();
    /// # drop(listener);
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        Ok(Self::wrap(mio::net::TcpListener::from_std(listener)))
    }

    /// The address the listener is bound to.
    ///
    /// ```
    /// use volley_flow::sched::net::TcpListener;
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(listener.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A non-blocking TCP connection owned by the scheduler's poller, from [`accept`] or
/// [`connect`]. Read and write it with the helpers ([`read`], [`write_all`]...).
///
/// ```
/// use std::io::Write;
/// use volley_flow::sched::net::{Stream, TcpListener, TcpStream};
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
/// let (server, _) = listener.accept().unwrap();
/// let server = TcpStream::from_std(server).unwrap();
/// client.write_all(b"hi").unwrap();
/// let mut buf = [0; 2];
/// while server.try_read(&mut buf).is_err() {}
/// assert_eq!(&buf, b"hi");
/// ```
pub struct TcpStream {
    inner: mio::net::TcpStream,
    io: IoSource,
}

socket_type!(TcpStream, mio::net::TcpStream);
stream_type!(TcpStream);

impl TcpStream {
    /// Takes over a connected std stream, switching it to non-blocking mode.
    ///
    /// ```
    /// use volley_flow::sched::net::TcpStream;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let std = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let stream = TcpStream::from_std(std).unwrap();
    /// assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Ok(Self::wrap(mio::net::TcpStream::from_std(stream)))
    }

    /// The peer's address.
    ///
    /// ```
    /// use volley_flow::sched::net::TcpStream;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let stream = TcpStream::from_std(std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap()).unwrap();
    /// assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    ///
    /// ```
    /// use volley_flow::sched::net::TcpStream;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let stream = TcpStream::from_std(std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap()).unwrap();
    /// assert!(stream.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Turns Nagle's algorithm off (`true`) or on.
    ///
    /// ```
    /// use volley_flow::sched::net::TcpStream;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let stream = TcpStream::from_std(std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap()).unwrap();
    /// stream.set_nodelay(true).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// Shuts down the read half, the write half, or both.
    ///
    /// ```
    /// use std::net::Shutdown;
    /// use volley_flow::sched::net::TcpStream;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let stream = TcpStream::from_std(std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap()).unwrap();
    /// stream.shutdown(Shutdown::Write).unwrap();
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// The socket's pending error (`SO_ERROR`), taken.
    ///
    /// ```
    /// use volley_flow::sched::net::TcpStream;
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let stream = TcpStream::from_std(std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap()).unwrap();
    /// assert!(stream.take_error().unwrap().is_none());
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }
}

/// A non-blocking Unix stream socket owned by the scheduler's poller: one end of
/// [`pair`](UnixStream::pair), or a std stream taken over.
///
/// ```
/// use volley_flow::sched::net::{Stream, UnixStream};
/// let (a, b) = UnixStream::pair().unwrap();
/// a.try_write(b"x").unwrap();
/// assert_eq!(b.try_read(&mut [0; 4]).unwrap(), 1);
/// ```
pub struct UnixStream {
    inner: mio::net::UnixStream,
    io: IoSource,
}

socket_type!(UnixStream, mio::net::UnixStream);
stream_type!(UnixStream);

impl UnixStream {
    /// A connected pair of sockets.
    ///
    /// ```
    /// use volley_flow::sched::net::UnixStream;
    /// let (_a, _b) = UnixStream::pair().unwrap();
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((Self::wrap(a), Self::wrap(b)))
    }

    /// Takes over a std Unix stream, switching it to non-blocking mode.
    ///
    /// ```
    /// use volley_flow::sched::net::UnixStream;
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let a = UnixStream::from_std(a).unwrap();
    /// # drop(a);
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        Ok(Self::wrap(mio::net::UnixStream::from_std(stream)))
    }

    /// Shuts down the read half, the write half, or both.
    ///
    /// ```
    /// use std::net::Shutdown;
    /// use volley_flow::sched::net::UnixStream;
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// a.shutdown(Shutdown::Both).unwrap();
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }
}

/// Any non-blocking descriptor (a pipe, a std socket, a device) made something the scheduler
/// can wait on with [`readable`] and [`writable`]: it owns `T` and a registration, dropped with
/// it. `T` must be in non-blocking mode. Its operations are not seen by the scheduler, so each
/// wait asks the poller afresh (one `epoll_ctl`) and returns as soon as the descriptor is ready;
/// wait after an operation returned `WouldBlock`.
///
/// ```
/// use std::io::{ErrorKind, Read, Write};
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{readable, Pollable};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
/// b.set_nonblocking(true).unwrap();
/// let b = Pollable::new(b);
/// let mut sched = Scheduler::new();
/// let reader = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     let mut buf = [0u8; 8];
///     loop {
///         match b.get_ref().read(&mut buf) {
///             Ok(n) => return Ok(buf[..n].to_vec()),
///             Err(e) if e.kind() == ErrorKind::WouldBlock => yield_from!(readable(&b))?,
///             Err(e) => return Err(e.into()),
///         }
///     }
/// }));
/// sched.run_once(); // the reader waits
/// a.write_all(b"late").unwrap();
/// assert_eq!(sched.join(reader).unwrap(), b"late");
/// ```
pub struct Pollable<T: AsRawFd> {
    inner: T,
    io: IoSource,
}

impl<T: AsRawFd> Pollable<T> {
    /// Takes `inner` (which must already be non-blocking); nothing is registered until a task
    /// waits on it.
    ///
    /// ```
    /// use volley_flow::sched::net::Pollable;
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = Pollable::new(a);
    /// # drop(a);
    /// ```
    pub fn new(inner: T) -> Self {
        let io = IoSource::unobserved(inner.as_raw_fd());
        Pollable { inner, io }
    }

    /// The descriptor's owner.
    ///
    /// ```
    /// use volley_flow::sched::net::Pollable;
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let a = Pollable::new(a);
    /// assert!(a.get_ref().peer_addr().is_ok());
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The descriptor's owner, mutably.
    ///
    /// ```
    /// use std::io::Write;
    /// use volley_flow::sched::net::Pollable;
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let mut a = Pollable::new(a);
    /// a.get_mut().write_all(b"x").unwrap();
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: AsRawFd> Socket for Pollable<T> {
    fn io_source(&self) -> &IoSource {
        &self.io
    }
}

impl<T: AsRawFd> AsRawFd for Pollable<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl<T: AsRawFd> Drop for Pollable<T> {
    fn drop(&mut self) {
        self.io.release();
    }
}

impl<T: AsRawFd> fmt::Debug for Pollable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pollable")
            .field("fd", &self.inner.as_raw_fd())
            .field("io", &self.io)
            .finish()
    }
}

/// The system call that waits for `dir` readiness of `io`.
#[inline]
fn wait_for(io: &IoSource, dir: Direction) -> Syscall {
    match dir {
        Direction::Read => Syscall::Readable(io.clone()),
        Direction::Write => Syscall::Writable(io.clone()),
    }
}

/// Turns the scheduler's reply to a readiness wait into the body's result.
#[inline]
fn ready(reply: Reply) -> Result<(), Exit<super::TaskError>> {
    done(reply)
}

/// Errors after which a read or write simply tries again at once.
fn interrupted(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Interrupted
}

/// The readiness protocol every socket helper follows, written once. Inside a helper's body:
/// waits for `dir` readiness first when the socket is known not ready, then tries `op` until it
/// does not would-block, and evaluates to its `Ok` value. `WouldBlock` (recorded by the
/// socket's own operation) waits for the next edge; an error `retry` accepts tries again at
/// once; any other error raises. Errors from `op`'s own checks may `return` directly.
macro_rules! when_ready {
    ($io:expr, $dir:expr, wait_first: $wait_first:expr, retry: $retry:expr, $op:expr) => {{
        let (io, dir) = ($io, $dir);
        let mut must_wait = $wait_first && !io.is_ready(dir);
        loop {
            if must_wait {
                ready(co_yield!(wait_for(&io, dir))?)?;
            }
            match $op {
                Ok(value) => break value,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    io.set_would_block(dir);
                    must_wait = true;
                }
                Err(e) if $retry(&e) => must_wait = false,
                Err(e) => return Err(Exit::Raised(e.into())),
            }
        }
    }};
}

/// Accepts one connection, waiting for it without blocking other tasks. Evaluates to the
/// stream, non-blocking and owned by the poller, and the peer's address.
///
/// Failures that say nothing about the listener are not raised. A connection that went away
/// before it was accepted (`ECONNABORTED`, and the network errors Linux hands to `accept`) is
/// passed over at once. Running out of resources (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`:
/// descriptors or kernel memory) makes the task sleep on the scheduler's timer, from
/// [`ACCEPT_BACKOFF`]`.0` doubling up to [`ACCEPT_BACKOFF`]`.1`, and try again: other tasks
/// keep running (and, as they close connections, give descriptors back), and pending
/// connections are accepted as soon as there is room. Each such failure is logged with
/// `tracing` at `WARN`, at most once a second on each thread (with the number of failures
/// since the last line), so a server out of descriptors neither spins, nor stops serving, nor
/// floods its log. Any other error (the listener itself is broken) is raised.
///
/// ```
/// use std::io::Read;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{accept, write_all, TcpListener};
/// use volley_flow::sched::{Scheduler, TaskResume};
///
/// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
/// let addr = listener.local_addr().unwrap();
/// let client = std::thread::spawn(move || {
///     let mut reply = String::new();
///     std::net::TcpStream::connect(addr).unwrap().read_to_string(&mut reply).unwrap();
///     reply
/// });
/// let mut sched = Scheduler::new();
/// let server = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let (stream, _peer) = yield_from!(accept(&listener))?;
///     yield_from!(write_all(&stream, b"hello"))?;
///     Ok(())
/// }));
/// sched.join(server).unwrap();
/// assert_eq!(client.join().unwrap(), "hello");
/// ```
pub fn accept(listener: &TcpListener) -> Co<impl TaskBody<(TcpStream, SocketAddr)> + '_> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let io = listener.io_source();
            if !io.is_registered() {
                // A listener's first accept waits for the poller, so the poller is open before
                // any connection is taken: a burst of pending connections may then use up every
                // descriptor without leaving the scheduler unable to open it for them.
                io.set_would_block(Direction::Read);
            }
            let mut backoff = ACCEPT_BACKOFF.0;
            loop {
                let accepted = when_ready!(
                    io,
                    Direction::Read,
                    wait_first: true,
                    retry: retry_accept,
                    match listener.inner.accept() {
                        Err(e) if out_of_resources(&e) => Ok(Err(e)),
                        other => other.map(Ok),
                    }
                );
                match accepted {
                    Ok((stream, peer)) => return Ok((TcpStream::wrap(stream), peer)),
                    Err(e) => {
                        warn_accept_failure(listener, &e, backoff);
                        yield_from!(sleep(backoff))?;
                        backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                    }
                }
            }
        },
    )
    .named("accept")
}

/// The first and the longest sleep of [`accept`] when the process runs out of descriptors or
/// memory: 10 ms, doubling up to 200 ms.
///
/// ```
/// use volley_flow::sched::net::ACCEPT_BACKOFF;
/// assert!(ACCEPT_BACKOFF.0 < ACCEPT_BACKOFF.1);
/// ```
pub const ACCEPT_BACKOFF: (Duration, Duration) =
    (Duration::from_millis(10), Duration::from_millis(200));

/// Errors after which `accept` simply tries again: the pending connection went away (Linux
/// hands the new connection's pending network errors to `accept`), or a signal interrupted the
/// call.
fn retry_accept(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) || e.raw_os_error().is_some_and(new_connection_failed)
}

/// The errors `accept` reports for a pending connection that failed (a network error, or a
/// firewall rule), not for the listener: `accept(2)` says to retry after them.
fn new_connection_failed(code: i32) -> bool {
    #[cfg(target_os = "linux")]
    if code == libc::ENONET {
        return true;
    }
    matches!(
        code,
        libc::EPROTO
            | libc::ENOPROTOOPT
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::EOPNOTSUPP
            | libc::ENETUNREACH
            | libc::EPERM
    )
}

/// Errors that say the process or the system is out of descriptors or memory, for now.
fn out_of_resources(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

thread_local! {
    /// When `accept` last logged a failure on this thread, and the failures since.
    static ACCEPT_WARNED: Cell<(Option<Instant>, u64)> = const { Cell::new((None, 0)) };
}

/// Logs an `accept` failure, at most once a second on this thread.
fn warn_accept_failure(listener: &TcpListener, error: &io::Error, backoff: Duration) {
    ACCEPT_WARNED.with(|warned| {
        let (last, unreported) = warned.get();
        let now = Instant::now();
        if last.is_some_and(|last| now.duration_since(last) < Duration::from_secs(1)) {
            warned.set((last, unreported + 1));
            return;
        }
        warned.set((Some(now), 0));
        let addr = listener.local_addr().ok();
        tracing::warn!(
            listener = ?addr,
            %error,
            retry_in_ms = backoff.as_millis() as u64,
            failures_since_last_warning = unreported,
            "accept failed: out of descriptors or memory; retrying"
        );
    });
}

/// Connects to `addr` without blocking other tasks: the connection is started non-blocking and
/// the task waits until the socket is writable, then checks the outcome. Evaluates to the
/// connected stream; a refused or failed connection raises the I/O error.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{accept, connect, TcpListener};
/// use volley_flow::sched::{spawn, Scheduler, TaskResume};
/// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
/// let addr = listener.local_addr().unwrap();
/// let mut sched = Scheduler::new();
/// let client = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let server = yield_from!(spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///         yield_from!(accept(&listener))?;
///         Ok(())
///     })))?;
///     let stream = yield_from!(connect(addr))?;
///     yield_from!(server.join())??;
///     Ok(stream.peer_addr()?)
/// }));
/// assert_eq!(sched.join(client).unwrap(), addr);
/// ```
pub fn connect(addr: SocketAddr) -> Co<impl TaskBody<TcpStream>> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let stream = TcpStream::wrap(mio::net::TcpStream::connect(addr)?);
            // The connection is under way: writable means it finished, one way or the other.
            loop {
                ready(co_yield!(Syscall::Writable(stream.io.clone()))?)?;
                if let Some(e) = stream.take_error()? {
                    return Err(e.into());
                }
                match stream.peer_addr() {
                    Ok(_) => return Ok(stream),
                    // A spurious wake-up before the handshake finished.
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        stream.io.set_would_block(Direction::Write);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        },
    )
    .named("connect")
}

/// Reads into `buf`, waiting for data without blocking other tasks. Evaluates to the number of
/// bytes read; 0 means the peer closed (or `buf` is empty).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{read, Stream, UnixStream};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let (a, b) = UnixStream::pair().unwrap();
/// let mut sched = Scheduler::new();
/// let reader = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let mut buf = [0u8; 16];
///     let n = yield_from!(read(&b, &mut buf))?;
///     Ok(buf[..n].to_vec())
/// }));
/// a.try_write(b"ping").unwrap();
/// assert_eq!(sched.join(reader).unwrap(), b"ping");
/// ```
pub fn read<'a, S: Stream>(stream: &'a S, buf: &'a mut [u8]) -> Co<impl TaskBody<usize> + 'a> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let n = when_ready!(
                stream.io_source(),
                Direction::Read,
                wait_first: !buf.is_empty(),
                retry: interrupted,
                stream.try_read(buf)
            );
            Ok(n)
        },
    )
    .named("read")
}

/// Writes some of `data`, waiting for room without blocking other tasks. Evaluates to the
/// number of bytes written.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{write, Stream, UnixStream};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let (a, b) = UnixStream::pair().unwrap();
/// let mut sched = Scheduler::new();
/// let writer = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     Ok(yield_from!(write(&a, b"pong"))?)
/// }));
/// assert_eq!(sched.join(writer).unwrap(), 4);
/// let mut got = [0u8; 4];
/// b.try_read(&mut got).unwrap();
/// assert_eq!(&got, b"pong");
/// ```
pub fn write<'a, S: Stream>(stream: &'a S, data: &'a [u8]) -> Co<impl TaskBody<usize> + 'a> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let n = when_ready!(
                stream.io_source(),
                Direction::Write,
                wait_first: !data.is_empty(),
                retry: interrupted,
                stream.try_write(data)
            );
            Ok(n)
        },
    )
    .named("write")
}

/// Writes all of `data`, waiting for room as needed without blocking other tasks. A peer that
/// stops reading makes the task wait, not the scheduler; a closed peer raises the I/O error.
///
/// ```
/// use std::io::Read;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{write_all, UnixStream};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
/// let a = UnixStream::from_std(a).unwrap();
/// let reader = std::thread::spawn(move || {
///     let mut all = Vec::new();
///     (&b).read_to_end(&mut all).unwrap();
///     all.len()
/// });
/// let mut sched = Scheduler::new();
/// let writer = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let big = vec![7u8; 1 << 20];
///     yield_from!(write_all(&a, &big))?;
///     Ok(())
/// }));
/// sched.join(writer).unwrap();
/// assert_eq!(reader.join().unwrap(), 1 << 20);
/// ```
pub fn write_all<'a, S: Stream>(stream: &'a S, data: &'a [u8]) -> Co<impl TaskBody<()> + 'a> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let io = stream.io_source();
            let mut rest = data;
            while !rest.is_empty() {
                let n = when_ready!(
                    io,
                    Direction::Write,
                    wait_first: true,
                    retry: interrupted,
                    stream.try_write(rest)
                );
                if n == 0 {
                    return Err(Exit::Raised(
                        io::Error::from(io::ErrorKind::WriteZero).into(),
                    ));
                }
                rest = &rest[n..];
            }
            Ok(())
        },
    )
    .named("write_all")
}

/// Reads one line (up to and including `\n`) from a buffered stream and appends it to `line`,
/// waiting for data without blocking other tasks. Evaluates to the number of bytes appended: 0
/// at end of stream; a last line without `\n` is returned as is. A line longer than `max_len`
/// raises an `InvalidData` I/O error, so a peer cannot make the task hold unbounded memory (the
/// bytes read so far stay in `line`).
///
/// ```
/// use std::io::BufReader;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{read_line, Stream, UnixStream};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let (a, b) = UnixStream::pair().unwrap();
/// a.try_write(b"first\nsecond\n").unwrap();
/// drop(a);
/// let mut sched = Scheduler::new();
/// let lines = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let mut reader = BufReader::new(b);
///     let mut lines = Vec::new();
///     let mut line = Vec::new();
///     while yield_from!(read_line(&mut reader, &mut line, 1024))? > 0 {
///         lines.push(String::from_utf8_lossy(&line).trim_end().to_string());
///         line.clear();
///     }
///     Ok(lines)
/// }));
/// assert_eq!(sched.join(lines).unwrap(), ["first", "second"]);
/// ```
pub fn read_line<'a, S>(
    reader: &'a mut BufReader<S>,
    line: &'a mut Vec<u8>,
    max_len: usize,
) -> Co<impl TaskBody<usize> + 'a>
where
    S: Stream + Read + 'a,
{
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let start = line.len();
            let io = reader.get_ref().io_source().clone();
            when_ready!(
                io,
                Direction::Read,
                // Bytes already buffered are consumed before any wait.
                wait_first: reader.buffer().is_empty(),
                retry: interrupted,
                {
                    // `read_until` keeps the bytes it consumed in `line` even when it stops on
                    // `WouldBlock`, so a wait loses nothing.
                    let limit = (max_len + 1).saturating_sub(line.len() - start) as u64;
                    let result = (&mut *reader).take(limit).read_until(b'\n', line);
                    if line.len() - start > max_len {
                        return Err(Exit::Raised(
                            io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!("line longer than {max_len} bytes"),
                            )
                            .into(),
                        ));
                    }
                    result
                }
            );
            Ok(line.len() - start)
        },
    )
    .named("read_line")
}

/// Waits until `socket` may be readable (data, a pending connection, a hang-up or an error).
/// Wake-ups may be spurious: retry the operation, and wait again on `WouldBlock` (the
/// socket's own operations record it). The [`read`] helper does exactly that.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{readable, Stream, UnixStream};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let (a, b) = UnixStream::pair().unwrap();
/// a.try_write(b"hi").unwrap();
/// let mut sched = Scheduler::new();
/// let reader = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(readable(&b))?;
///     let mut buf = [0; 2];
///     Ok(b.try_read(&mut buf)?)
/// }));
/// assert_eq!(sched.join(reader).unwrap(), 2);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn readable(socket: &impl Socket) -> impl TaskCall<()> {
    single(socket.io_source().clone(), Syscall::Readable, done)
}

/// Waits until `socket` may be writable (or is in error). Wake-ups may be spurious: retry the
/// write.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{writable, UnixStream};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let (a, _b) = UnixStream::pair().unwrap();
/// let mut sched = Scheduler::new();
/// let writer = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(writable(&a))?;
///     Ok(())
/// }));
/// sched.join(writer).unwrap();
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn writable(socket: &impl Socket) -> impl TaskCall<()> {
    single(socket.io_source().clone(), Syscall::Writable, done)
}
