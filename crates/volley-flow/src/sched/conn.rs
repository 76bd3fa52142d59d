//! The socket interface task bodies are written against when they should run both on real
//! sockets and on the simulated network ([`sim::net`](crate::sim::net)): [`Connection`] and
//! [`Listener`].

use super::net::{
    accept, read, readable, write, write_all, Stream, TcpListener, TcpStream, UnixStream,
};
use super::TaskCall;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};

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

    /// Waits until a read may go on without waiting (data, the end of the stream, or an error
    /// to report), reading nothing: a connection task can race it against other events (a
    /// channel, a timer) and then read with [`try_read`](Connection::try_read). Wake-ups may
    /// be spurious: `try_read` then answers `WouldBlock`, and the task waits again.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::net::{Connection, UnixStream};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    ///
    /// let (a, b) = UnixStream::pair().unwrap();
    /// let mut sched = Scheduler::new();
    /// let reader = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
    ///     let mut buf = [0u8; 8];
    ///     loop {
    ///         yield_from!(b.readable())?;
    ///         match b.try_read(&mut buf) {
    ///             Ok(n) => return Ok(buf[..n].to_vec()),
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             Err(e) => return Err(e.into()),
    ///         }
    ///     }
    /// }));
    /// sched.run_once(); // the reader waits
    /// assert_eq!(a.try_write(b"late").unwrap(), 4);
    /// assert_eq!(sched.join(reader).unwrap(), b"late");
    /// ```
    fn readable(&self) -> impl TaskCall<()> + '_;

    /// Reads what has arrived without waiting: the bytes read, 0 at the end of the stream,
    /// `WouldBlock` if nothing is there yet.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use volley_flow::sched::net::{Connection, UnixStream};
    /// let (a, b) = UnixStream::pair().unwrap();
    /// assert_eq!(b.try_read(&mut [0; 4]).unwrap_err().kind(), ErrorKind::WouldBlock);
    /// a.try_write(b"hi").unwrap();
    /// assert_eq!(b.try_read(&mut [0; 4]).unwrap(), 2);
    /// ```
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// Writes what fits without waiting: the bytes written, `WouldBlock` if nothing fits.
    ///
    /// ```
    /// use volley_flow::sched::net::{Connection, UnixStream};
    /// let (a, b) = UnixStream::pair().unwrap();
    /// assert_eq!(a.try_write(b"hello").unwrap(), 5);
    /// assert_eq!(b.try_read(&mut [0; 8]).unwrap(), 5);
    /// ```
    fn try_write(&self, data: &[u8]) -> io::Result<usize>;

    /// The operating system's descriptor behind the connection, if there is one (none for a
    /// simulated connection): for display, such as a server's client list.
    ///
    /// ```
    /// use volley_flow::sched::net::{Connection, UnixStream};
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// assert!(a.raw_fd().is_some_and(|fd| fd >= 0));
    /// ```
    fn raw_fd(&self) -> Option<RawFd> {
        None
    }

    /// Sends small writes at once rather than coalescing them (`TCP_NODELAY` on a TCP
    /// connection); connections that do not coalesce ignore it.
    ///
    /// ```
    /// use volley_flow::sched::net::{Connection, UnixStream};
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// Connection::set_nodelay(&a, true).unwrap();
    /// ```
    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        let _ = nodelay;
        Ok(())
    }
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

    /// The address it listens on.
    ///
    /// ```
    /// use volley_flow::sched::net::{Listener, TcpListener};
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(Listener::local_addr(&listener).unwrap().port() > 0);
    /// ```
    fn local_addr(&self) -> io::Result<SocketAddr>;
}

macro_rules! real_connection {
    ($name:ty, { $($nodelay:tt)* }) => {
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

            #[inline]
            fn readable(&self) -> impl TaskCall<()> + '_ {
                readable(self)
            }

            #[inline]
            fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                Stream::try_read(self, buf)
            }

            #[inline]
            fn try_write(&self, data: &[u8]) -> io::Result<usize> {
                Stream::try_write(self, data)
            }

            fn raw_fd(&self) -> Option<RawFd> {
                Some(self.as_raw_fd())
            }

            $($nodelay)*
        }
    };
}

real_connection!(TcpStream, {
    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        TcpStream::set_nodelay(self, nodelay)
    }
});
real_connection!(UnixStream, {});

impl Listener for TcpListener {
    type Conn = TcpStream;

    fn accept(&self) -> impl TaskCall<(TcpStream, SocketAddr)> + '_ {
        accept(self)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        TcpListener::local_addr(self)
    }
}
