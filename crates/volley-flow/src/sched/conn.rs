//! The socket interface task bodies are written against when they should run both on real
//! sockets and on the simulated network ([`sim::net`](crate::sim::net)): [`Connection`] and
//! [`Listener`].

use super::net::{accept, read, write, write_all, TcpListener, TcpStream, UnixStream};
use super::TaskCall;
use std::io;
use std::net::{Shutdown, SocketAddr};

/// A connected byte stream that tasks read and write through the scheduler: a real
/// [`TcpStream`] or [`UnixStream`], or a simulated [`SimStream`](crate::sim::net::SimStream).
/// A connection handler written against this trait runs unchanged on either, so a server's
/// connection code can be tested under the simulated network with its latency, resets and
/// partitions, seed by seed.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{Connection, UnixStream};
/// use volley_flow::sched::{Scheduler, TaskBody, TaskResume};
///
/// /// Echoes until the peer closes: the same body for every kind of connection.
/// fn echo<C: Connection + 'static>(conn: C) -> Co<impl TaskBody> {
///     Co::pinned(#[coroutine] static move |_: TaskResume| {
///         let mut buf = [0u8; 1024];
///         loop {
///             let n = yield_from!(conn.read(&mut buf))?;
///             if n == 0 {
///                 return Ok(());
///             }
///             yield_from!(conn.write_all(&buf[..n]))?;
///         }
///     })
/// }
///
/// let (a, b) = UnixStream::pair().unwrap();
/// let mut sched = Scheduler::new();
/// sched.spawn(echo(b)).detach();
/// let client = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     yield_from!(a.write_all(b"marco"))?;
///     a.shutdown_write()?;
///     let mut buf = [0u8; 8];
///     let n = yield_from!(a.read(&mut buf))?;
///     Ok(buf[..n].to_vec())
/// }));
/// assert_eq!(sched.join(client).unwrap(), b"marco");
/// ```
pub trait Connection {
    /// Reads into `buf`, waiting for data: evaluates to the bytes read, 0 at the end of the
    /// stream. Errors (a reset) are raised.
    fn read<'a>(&'a self, buf: &'a mut [u8]) -> impl TaskCall<usize> + 'a;

    /// Writes some of `data`, waiting for room: evaluates to the bytes written.
    fn write<'a>(&'a self, data: &'a [u8]) -> impl TaskCall<usize> + 'a;

    /// Writes all of `data`, waiting for room as needed.
    fn write_all<'a>(&'a self, data: &'a [u8]) -> impl TaskCall<()> + 'a;

    /// Closes the writing half: the peer reads the end of the stream after what was written.
    fn shutdown_write(&self) -> io::Result<()>;
}

/// Something that accepts [`Connection`]s: a real [`TcpListener`], or a simulated
/// [`SimListener`](crate::sim::net::SimListener).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{Connection, Listener, TcpListener};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use std::io::Read;
/// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
/// let addr = listener.local_addr().unwrap();
/// let client = std::thread::spawn(move || {
///     let mut text = String::new();
///     std::net::TcpStream::connect(addr).unwrap().read_to_string(&mut text).unwrap();
///     text
/// });
/// let mut sched = Scheduler::new();
/// let server = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let (conn, _peer) = yield_from!(Listener::accept(&listener))?;
///     yield_from!(conn.write_all(b"hi"))?;
///     Ok(())
/// }));
/// sched.join(server).unwrap();
/// assert_eq!(client.join().unwrap(), "hi");
/// ```
pub trait Listener {
    /// The connections it accepts.
    type Conn: Connection;

    /// Waits for the next connection: evaluates to it and its peer's address.
    fn accept(&self) -> impl TaskCall<(Self::Conn, SocketAddr)> + '_;
}

macro_rules! real_connection {
    ($name:ty) => {
        impl Connection for $name {
            fn read<'a>(&'a self, buf: &'a mut [u8]) -> impl TaskCall<usize> + 'a {
                read(self, buf)
            }

            fn write<'a>(&'a self, data: &'a [u8]) -> impl TaskCall<usize> + 'a {
                write(self, data)
            }

            fn write_all<'a>(&'a self, data: &'a [u8]) -> impl TaskCall<()> + 'a {
                write_all(self, data)
            }

            fn shutdown_write(&self) -> io::Result<()> {
                self.shutdown(Shutdown::Write)
            }
        }
    };
}

real_connection!(TcpStream);
real_connection!(UnixStream);

impl Listener for TcpListener {
    type Conn = TcpStream;

    fn accept(&self) -> impl TaskCall<(TcpStream, SocketAddr)> + '_ {
        accept(self)
    }
}
