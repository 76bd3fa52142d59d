//! Socket helpers: coroutines that do non-blocking I/O and yield a readiness wait on behalf of
//! the task that delegates to them with `yield_from!`.
//!
//! Each helper consults the thread's readiness table first: a descriptor known to be drained
//! (its last operation returned `WouldBlock`, or, for std's own socket types, moved fewer bytes
//! than asked) is waited for before the operation, so a request/response cycle costs the same
//! system calls as a hand-written epoll loop: wait, read, write. Anything else is tried at once.

use super::reactor::{self, Direction};
use super::{Reply, SubBody, Syscall, TaskError};
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use volley_core::{co_yield, Co, Exit, Resume};

/// How many connections may wait to be accepted by a listener from [`listen`] (the kernel
/// caps it at `net.core.somaxconn`).
pub const LISTEN_BACKLOG: i32 = 4096;

/// Binds a non-blocking TCP listener with `SO_REUSEADDR` and a backlog of [`LISTEN_BACKLOG`],
/// ready for [`accept`]. (`std::net::TcpListener::bind` queues only 128 pending connections:
/// thousands of clients connecting at once would see dropped SYNs and one-second retries.)
///
/// ```
/// use volley_flow::sched::listen;
/// let listener = listen("127.0.0.1:0".parse().unwrap()).unwrap();
/// assert!(listener.local_addr().unwrap().port() > 0);
/// ```
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}

/// Connects to `addr` without blocking other tasks: the connection is started non-blocking and
/// the task waits until the socket is writable, then checks the outcome. Evaluates to the
/// connected, non-blocking stream; a refused or failed connection raises the I/O error.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{accept, connect, listen, spawn, Scheduler, TaskResume};
/// let listener = listen("127.0.0.1:0".parse().unwrap()).unwrap();
/// let addr = listener.local_addr().unwrap();
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] static move |_: TaskResume| {
///     yield_from!(spawn(#[coroutine] static move |_: TaskResume| {
///         yield_from!(accept(&listener))?;
///         Ok(())
///     }))?;
///     let stream = yield_from!(connect(addr))?;
///     assert_eq!(stream.peer_addr().unwrap(), addr);
///     Ok(())
/// });
/// sched.run().unwrap();
/// ```
pub fn connect<T>(addr: SocketAddr) -> Co<impl SubBody<TcpStream, T>> {
    Co::new(
        #[coroutine]
        move |_: Resume<Reply<T>, TaskError>| {
            let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
                .map_err(TaskError::Io)?;
            socket.set_nonblocking(true).map_err(TaskError::Io)?;
            let fd = socket.as_raw_fd();
            // A new socket: whatever the table knew about this number was another socket's.
            reactor::forget_fd(fd);
            match socket.connect(&addr.into()) {
                Ok(()) => {}
                Err(e)
                    if e.raw_os_error() == Some(EINPROGRESS)
                        || e.kind() == io::ErrorKind::WouldBlock =>
                {
                    reactor::set_would_block(fd, Direction::Write);
                    ready(co_yield!(Syscall::Writable(fd))?)?;
                    if let Some(e) = socket.take_error().map_err(TaskError::Io)? {
                        return Err(Exit::Raised(TaskError::Io(e)));
                    }
                    // A spurious wake-up before the handshake finished shows as "not connected".
                    while let Err(e) = socket.peer_addr() {
                        if e.kind() != io::ErrorKind::NotConnected {
                            return Err(Exit::Raised(TaskError::Io(e)));
                        }
                        reactor::set_would_block(fd, Direction::Write);
                        ready(co_yield!(Syscall::Writable(fd))?)?;
                        if let Some(e) = socket.take_error().map_err(TaskError::Io)? {
                            return Err(Exit::Raised(TaskError::Io(e)));
                        }
                    }
                }
                Err(e) => return Err(Exit::Raised(TaskError::Io(e))),
            }
            Ok(socket.into())
        },
    )
    .named("connect")
}

/// `connect` on a non-blocking socket answers this errno while the handshake runs (Linux).
const EINPROGRESS: i32 = 115;

/// Turns the scheduler's reply to a readiness wait into the body's result.
#[inline]
fn ready<T>(reply: Reply<T>) -> Result<(), Exit<TaskError>> {
    match reply {
        Reply::Done => Ok(()),
        Reply::Error(e) => Err(Exit::Raised(TaskError::Sched(e))),
        _ => Err(Exit::Raised(TaskError::Sched(
            super::SchedError::UnexpectedReply("readiness"),
        ))),
    }
}

/// The system call that waits for `dir` readiness on `fd`.
#[inline]
fn wait_for<T>(fd: RawFd, dir: Direction) -> Syscall<T> {
    match dir {
        Direction::Read => Syscall::Readable(fd),
        Direction::Write => Syscall::Writable(fd),
    }
}

/// Errors after which a read or write simply tries again at once.
fn interrupted(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Interrupted
}

/// The readiness protocol every socket helper follows, written once. Inside a helper's body:
/// waits for `dir` readiness first when `wait_first`, then tries `op` until it does not
/// would-block, and evaluates to its `Ok` value. `WouldBlock` marks the direction drained and
/// waits for the next edge; an error `retry` accepts tries again at once; any other error
/// raises (and the readiness table forgets the descriptor). Errors from `op`'s own checks
/// may `return` directly.
macro_rules! when_ready {
    ($fd:expr, $dir:expr, wait_first: $wait_first:expr, retry: $retry:expr, $op:expr) => {{
        let (fd, dir) = ($fd, $dir);
        let mut must_wait = $wait_first;
        loop {
            if must_wait {
                ready(co_yield!(wait_for(fd, dir))?)?;
            }
            match $op {
                Ok(value) => break value,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    reactor::set_would_block(fd, dir);
                    must_wait = true;
                }
                Err(e) if $retry(&e) => must_wait = false,
                Err(e) => return Err(failed(fd, e)),
            }
        }
    }};
}

/// Whether a short read or write on `S` shows the kernel's buffer drained. True for std's own
/// socket types, which move everything the kernel holds (or has room for); a wrapper (TLS,
/// buffering) may move less while more waits, so for it only `WouldBlock` counts.
#[inline]
fn drains_on_short_io<S: ?Sized>() -> bool {
    let id = typeid::of::<S>();
    id == typeid::of::<TcpStream>()
        || id == typeid::of::<UnixStream>()
        || id == typeid::of::<&TcpStream>()
        || id == typeid::of::<&UnixStream>()
}

/// Records what a read or write that moved `n` of `asked` bytes says about `fd`: a short one on
/// a drained-on-short-I/O stream means wait for the next edge first; end of stream means the
/// socket is ending, and its number may soon belong to another.
#[inline]
fn note_transfer<S: ?Sized>(fd: RawFd, dir: Direction, n: usize, asked: usize) {
    if n == 0 {
        if asked > 0 {
            reactor::forget_fd(fd);
        }
    } else if n < asked && drains_on_short_io::<S>() {
        reactor::set_drained(fd, dir);
    }
}

/// Accepts one connection, waiting for it without blocking other tasks. Evaluates to the
/// stream, already non-blocking, and the peer's address. The listener is switched to
/// non-blocking mode too.
///
/// A full module example (a complete TCP server) is in the [module documentation](super).
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::{TcpListener, TcpStream};
/// use volley_core::yield_from;
/// use volley_flow::sched::{accept, write_all, Scheduler, TaskResume};
///
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// let client = std::thread::spawn(move || {
///     let mut reply = String::new();
///     TcpStream::connect(addr).unwrap().read_to_string(&mut reply).unwrap();
///     reply
/// });
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] static move |_: TaskResume| {
///     let (mut stream, _peer) = yield_from!(accept(&listener))?;
///     yield_from!(write_all(&mut stream, b"hello"))?;
///     Ok(())
/// });
/// sched.run().unwrap();
/// assert_eq!(client.join().unwrap(), "hello");
/// ```
pub fn accept<'a, T: 'a>(
    listener: &'a TcpListener,
) -> Co<impl SubBody<(TcpStream, SocketAddr), T> + 'a> {
    Co::new(
        #[coroutine]
        move |_: Resume<Reply<T>, TaskError>| {
            listener.set_nonblocking(true).map_err(TaskError::Io)?;
            let fd = listener.as_raw_fd();
            let (stream, peer) = when_ready!(
                fd,
                Direction::Read,
                wait_first: !reactor::is_ready(fd, Direction::Read),
                retry: retry_accept,
                listener.accept()
            );
            // A new socket: whatever the table knew about its number was another's.
            reactor::forget_fd(stream.as_raw_fd());
            stream.set_nonblocking(true).map_err(TaskError::Io)?;
            Ok((stream, peer))
        },
    )
    .named("accept")
}

/// A read or write on `fd` failed: the socket is broken and its number may soon belong to
/// another, so the readiness table forgets it.
fn failed(fd: RawFd, error: io::Error) -> Exit<TaskError> {
    reactor::forget_fd(fd);
    Exit::Raised(TaskError::Io(error))
}

/// Errors after which `accept` simply tries again: the pending connection went away, or a
/// signal interrupted the call.
fn retry_accept(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Reads into `buf`, waiting for data without blocking other tasks. Evaluates to the number of
/// bytes read; 0 means the peer closed (or `buf` is empty). `stream` must be non-blocking (as
/// [`accept`] makes it).
///
/// ```
/// use std::io::Write;
/// use std::os::unix::net::UnixStream;
/// use volley_core::yield_from;
/// use volley_flow::sched::{read, Scheduler, TaskResume};
/// let (mut a, mut b) = UnixStream::pair().unwrap();
/// b.set_nonblocking(true).unwrap();
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] static move |_: TaskResume<Vec<u8>>| {
///     let mut buf = [0u8; 16];
///     let n = yield_from!(read(&mut b, &mut buf))?;
///     Ok(buf[..n].to_vec())
/// });
/// a.write_all(b"ping").unwrap();
/// sched.run().unwrap();
/// ```
pub fn read<'a, S, T: 'a>(stream: &'a mut S, buf: &'a mut [u8]) -> Co<impl SubBody<usize, T> + 'a>
where
    S: Read + AsRawFd + 'a,
{
    Co::new(
        #[coroutine]
        move |_: Resume<Reply<T>, TaskError>| {
            let fd = stream.as_raw_fd();
            let n = when_ready!(
                fd,
                Direction::Read,
                wait_first: !buf.is_empty() && !reactor::is_ready(fd, Direction::Read),
                retry: interrupted,
                stream.read(buf)
            );
            note_transfer::<S>(fd, Direction::Read, n, buf.len());
            Ok(n)
        },
    )
    .named("read")
}

/// Writes some of `data`, waiting for room without blocking other tasks. Evaluates to the
/// number of bytes written.
///
/// ```
/// use std::io::Read;
/// use std::os::unix::net::UnixStream;
/// use volley_core::yield_from;
/// use volley_flow::sched::{write, Scheduler, TaskResume};
/// let (mut a, mut b) = UnixStream::pair().unwrap();
/// a.set_nonblocking(true).unwrap();
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] static move |_: TaskResume| {
///     let n = yield_from!(write(&mut a, b"pong"))?;
///     assert_eq!(n, 4);
///     Ok(())
/// });
/// sched.run().unwrap();
/// let mut got = [0u8; 4];
/// b.read_exact(&mut got).unwrap();
/// assert_eq!(&got, b"pong");
/// ```
pub fn write<'a, S, T: 'a>(stream: &'a mut S, data: &'a [u8]) -> Co<impl SubBody<usize, T> + 'a>
where
    S: Write + AsRawFd + 'a,
{
    Co::new(
        #[coroutine]
        move |_: Resume<Reply<T>, TaskError>| {
            let fd = stream.as_raw_fd();
            let n = when_ready!(
                fd,
                Direction::Write,
                wait_first: !data.is_empty() && !reactor::is_ready(fd, Direction::Write),
                retry: interrupted,
                stream.write(data)
            );
            if n > 0 {
                note_transfer::<S>(fd, Direction::Write, n, data.len());
            }
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
/// use std::os::unix::net::UnixStream;
/// use volley_core::yield_from;
/// use volley_flow::sched::{write_all, Scheduler, TaskResume};
/// let (mut a, mut b) = UnixStream::pair().unwrap();
/// a.set_nonblocking(true).unwrap();
/// let reader = std::thread::spawn(move || {
///     let mut all = Vec::new();
///     b.read_to_end(&mut all).unwrap();
///     all.len()
/// });
/// let mut sched = Scheduler::new();
/// sched.spawn(#[coroutine] static move |_: TaskResume| {
///     let big = vec![7u8; 1 << 20];
///     yield_from!(write_all(&mut a, &big))?;
///     Ok(())
/// });
/// sched.run().unwrap();
/// assert_eq!(reader.join().unwrap(), 1 << 20);
/// ```
pub fn write_all<'a, S, T: 'a>(stream: &'a mut S, data: &'a [u8]) -> Co<impl SubBody<(), T> + 'a>
where
    S: Write + AsRawFd + 'a,
{
    Co::new(
        #[coroutine]
        move |_: Resume<Reply<T>, TaskError>| {
            let fd = stream.as_raw_fd();
            let mut rest = data;
            while !rest.is_empty() {
                let n = when_ready!(
                    fd,
                    Direction::Write,
                    wait_first: !reactor::is_ready(fd, Direction::Write),
                    retry: interrupted,
                    stream.write(rest)
                );
                if n == 0 {
                    return Err(failed(fd, io::ErrorKind::WriteZero.into()));
                }
                note_transfer::<S>(fd, Direction::Write, n, rest.len());
                rest = &rest[n..];
            }
            Ok(())
        },
    )
    .named("write_all")
}

/// Reads one line (up to and including `\n`) from a buffered non-blocking stream and appends it
/// to `line`, waiting for data without blocking other tasks. Evaluates to the number of bytes
/// appended: 0 at end of stream; a last line without `\n` is returned as is. A line longer than
/// `max_len` raises an `InvalidData` I/O error, so a peer cannot make the task hold unbounded
/// memory (the bytes read so far stay in `line`).
///
/// ```
/// use std::io::{BufReader, Write};
/// use std::os::unix::net::UnixStream;
/// use volley_core::yield_from;
/// use volley_flow::sched::{read_line, Scheduler, TaskResume};
/// let (mut a, b) = UnixStream::pair().unwrap();
/// b.set_nonblocking(true).unwrap();
/// a.write_all(b"first\nsecond\n").unwrap();
/// drop(a);
/// let mut sched = Scheduler::new();
/// let id = sched.spawn(#[coroutine] static move |_: TaskResume<Vec<String>>| {
///     let mut reader = BufReader::new(b);
///     let mut lines = Vec::new();
///     let mut line = Vec::new();
///     while yield_from!(read_line(&mut reader, &mut line, 1024))? > 0 {
///         lines.push(String::from_utf8_lossy(&line).trim_end().to_string());
///         line.clear();
///     }
///     Ok(lines)
/// });
/// sched.run().unwrap();
/// assert_eq!(sched.take_outcome(id).unwrap().unwrap(), ["first", "second"]);
/// ```
pub fn read_line<'a, S, T: 'a>(
    reader: &'a mut BufReader<S>,
    line: &'a mut Vec<u8>,
    max_len: usize,
) -> Co<impl SubBody<usize, T> + 'a>
where
    S: Read + AsRawFd + 'a,
{
    Co::new(
        #[coroutine]
        move |_: Resume<Reply<T>, TaskError>| {
            let start = line.len();
            let fd = reader.get_ref().as_raw_fd();
            when_ready!(
                fd,
                Direction::Read,
                // Bytes already buffered are consumed before any wait.
                wait_first: reader.buffer().is_empty() && !reactor::is_ready(fd, Direction::Read),
                retry: interrupted,
                {
                    // `read_until` keeps the bytes it consumed in `line` even when it stops on
                    // `WouldBlock`, so a wait loses nothing.
                    let limit = (max_len + 1).saturating_sub(line.len() - start) as u64;
                    let result = (&mut *reader).take(limit).read_until(b'\n', line);
                    if line.len() - start > max_len {
                        return Err(Exit::Raised(TaskError::Io(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("line longer than {max_len} bytes"),
                        ))));
                    }
                    result
                }
            );
            Ok(line.len() - start)
        },
    )
    .named("read_line")
}
