//! An in-memory simulated network for deterministic simulation testing: connections with
//! latency, resets and partitions drawn from the simulated scheduler's seed, behind the same
//! [`Connection`] and [`Listener`] interface as real sockets.
//!
//! Each direction of a connection is an ordered pipe of segments, each delivered at a time
//! the network draws (latency, held back while the two hosts are partitioned, never before
//! the segment written ahead of it), so bytes within a connection are never lost or
//! reordered; a reset drops what is still in flight and fails both ends, as a TCP reset does.
//! Every pipe holds at most [`NetConfig::buffer`] bytes in flight: writers wait for room, so
//! memory stays bounded whatever a peer sends. Everything the network decides is recorded in
//! its [`trace`](SimNet::trace), so a failing seed can be replayed and read.
//!
//! ```
//! use volley_core::{yield_from, Co};
//! use volley_flow::sched::net::{Connection, Listener};
//! use volley_flow::sched::{spawn, Scheduler, TaskResume};
//! use volley_flow::sim::net::{NetConfig, SimNet};
//!
//! let mut sched = Scheduler::simulated(1);
//! let net = SimNet::new(&sched, NetConfig::default());
//! let listener = net.bind("10.0.0.1:7".parse().unwrap()).unwrap();
//! let client_net = net.clone();
//! let task = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
//!     yield_from!(spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
//!         let (conn, _peer) = yield_from!(listener.accept())?;
//!         let mut buf = [0u8; 16];
//!         let n = yield_from!(conn.read(&mut buf))?;
//!         yield_from!(conn.write_all(&buf[..n]))?;
//!         Ok(())
//!     })))?
//!     .detach();
//!     let conn = yield_from!(client_net.connect("10.0.0.2".parse().unwrap(), "10.0.0.1:7".parse().unwrap()))?;
//!     yield_from!(conn.write_all(b"ping"))?;
//!     let mut buf = [0u8; 16];
//!     let n = yield_from!(conn.read(&mut buf))?;
//!     Ok(buf[..n].to_vec())
//! }));
//! assert_eq!(sched.join(task).unwrap(), b"ping");
//! ```

use crate::sched::net::{Connection, Listener};
use crate::sched::rand::SharedRng;
use crate::sched::sync::WaitList;
use crate::sched::time::Clock;
use crate::sched::{unexpected, Reply, Scheduler, Syscall, TaskCall, TaskError, TaskResult};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;
use volley_core::{Delegate, Exit, Resume, Step};

/// How the simulated network behaves; the network draws from these with the scheduler's
/// seeded random numbers.
///
/// ```
/// use std::time::Duration;
/// use volley_flow::sim::net::NetConfig;
/// let flaky = NetConfig {
///     reset_probability: 0.01,
///     ..NetConfig::default()
/// };
/// assert_eq!(flaky.min_latency, Duration::from_micros(50));
/// ```
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// The shortest one-way delay of a segment.
    pub min_latency: Duration,
    /// The longest one-way delay of a segment (drawn uniformly between the two).
    pub max_latency: Duration,
    /// The chance that a write resets its connection (both ends then fail).
    pub reset_probability: f64,
    /// The chance that a pair of hosts is partitioned for a while, drawn when they first talk.
    pub partition_probability: f64,
    /// The longest partition (its start is drawn within this much time too).
    pub max_partition: Duration,
    /// The most bytes in flight in one direction of a connection; writers wait for room.
    pub buffer: usize,
    /// The most connections waiting to be accepted by a listener; more are refused.
    pub backlog: usize,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            min_latency: Duration::from_micros(50),
            max_latency: Duration::from_millis(5),
            reset_probability: 0.0,
            partition_probability: 0.0,
            max_partition: Duration::from_secs(1),
            buffer: 64 * 1024,
            backlog: 128,
        }
    }
}

/// A partition of two hosts: from, until (nanoseconds of the clock).
type Window = (u64, u64);

/// What the network shares with its sockets.
struct Net {
    config: NetConfig,
    clock: Clock,
    rng: SharedRng,
    listeners: RefCell<HashMap<SocketAddr, Rc<Backlog>>>,
    /// Partition windows by host pair (smaller address first), in nanoseconds of the clock.
    partitions: RefCell<HashMap<(IpAddr, IpAddr), Option<Window>>>,
    next_port: RefCell<u16>,
    next_conn: RefCell<u64>,
    trace: RefCell<Vec<String>>,
    /// The most trace lines kept.
    trace_limit: usize,
}

impl Net {
    fn now(&self) -> u64 {
        nanos(self.clock.elapsed())
    }

    fn note(&self, what: impl FnOnce() -> String) {
        let mut trace = self.trace.borrow_mut();
        if trace.len() < self.trace_limit {
            let line = format!("{:>12} {}", self.now(), what());
            trace.push(line);
        }
    }

    fn latency(&self) -> u64 {
        let low = nanos(self.config.min_latency);
        let high = nanos(self.config.max_latency).max(low);
        low + self.rng.below(high - low + 1)
    }

    /// The partition window of two hosts, drawn when they first talk.
    fn partition(&self, a: IpAddr, b: IpAddr) -> Option<(u64, u64)> {
        let key = if a <= b { (a, b) } else { (b, a) };
        if let Some(window) = self.partitions.borrow().get(&key) {
            return *window;
        }
        let window = (self.rng.next_f64() < self.config.partition_probability).then(|| {
            let span = nanos(self.config.max_partition).max(1);
            let start = self.now() + self.rng.below(span);
            (start, start + 1 + self.rng.below(span))
        });
        if let Some((start, end)) = window {
            self.note(|| format!("partition {} | {} from {start} to {end}", key.0, key.1));
        }
        self.partitions.borrow_mut().insert(key, window);
        window
    }

    /// When a segment sent now from `from` to `to` arrives: after a latency, held while the
    /// hosts are partitioned, never before `after`.
    fn arrival(&self, from: IpAddr, to: IpAddr, after: u64) -> u64 {
        let mut at = self.now() + self.latency();
        if let Some((start, end)) = self.partition(from, to) {
            if at >= start && at < end {
                at = end + self.latency();
            }
        }
        at.max(after)
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// One direction of a connection.
struct Pipe {
    /// Segments in flight or delivered and not yet read: (arrival, bytes).
    segments: VecDeque<(u64, Vec<u8>)>,
    /// How much of the front segment was read.
    read: usize,
    /// Bytes in `segments` not yet read.
    buffered: usize,
    /// Arrival of the last segment: the next one never arrives before.
    last: u64,
    /// When the end of the stream arrives, once the writer shut down.
    fin: Option<u64>,
    /// The reader is gone: writes are dropped.
    reader_gone: bool,
    readers: WaitList,
    writers: WaitList,
}

impl Pipe {
    fn new() -> Self {
        Pipe {
            segments: VecDeque::new(),
            read: 0,
            buffered: 0,
            last: 0,
            fin: None,
            reader_gone: false,
            readers: WaitList::new(),
            writers: WaitList::new(),
        }
    }
}

/// A connection: two pipes, its hosts, and whether it was reset.
struct Conn {
    net: Rc<Net>,
    id: u64,
    /// `addrs[0]` is the client's, `addrs[1]` the server's.
    addrs: [SocketAddr; 2],
    /// `pipes[s]` carries what side `s` writes.
    pipes: [RefCell<Pipe>; 2],
    reset: RefCell<Option<u64>>,
}

impl Conn {
    fn reset_now(&self, why: &str) {
        if self.reset.borrow().is_some() {
            return;
        }
        let now = self.net.now();
        *self.reset.borrow_mut() = Some(now);
        self.net.note(|| format!("conn {} reset ({why})", self.id));
        for pipe in &self.pipes {
            let mut pipe = pipe.borrow_mut();
            pipe.segments.clear();
            pipe.buffered = 0;
            pipe.readers.wake_later(true);
            pipe.writers.wake_later(true);
        }
    }

    fn reset_io_error(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::ConnectionReset,
            format!("simulated connection {} was reset", self.id),
        )
    }
}

/// One end of a simulated connection: a [`Connection`]. Dropping it closes its writing half
/// and stops its reading.
pub struct SimStream {
    conn: Rc<Conn>,
    side: usize,
}

impl SimStream {
    /// This end's address.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// let mut sched = Scheduler::simulated(0);
    /// let net = SimNet::new(&sched, NetConfig::default());
    /// let _listener = net.bind("10.0.0.1:80".parse().unwrap()).unwrap();
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     let conn = yield_from!(net.connect("10.0.0.2".parse().unwrap(), "10.0.0.1:80".parse().unwrap()))?;
    ///     Ok((conn.local_addr().ip().to_string(), conn.peer_addr().to_string(), conn.id()))
    /// }));
    /// assert_eq!(sched.join(task).unwrap(), ("10.0.0.2".to_string(), "10.0.0.1:80".to_string(), 1));
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.conn.addrs[self.side]
    }

    /// The other end's address.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// let mut sched = Scheduler::simulated(0);
    /// let net = SimNet::new(&sched, NetConfig::default());
    /// let _listener = net.bind("10.0.0.1:80".parse().unwrap()).unwrap();
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     let conn = yield_from!(net.connect("10.0.0.2".parse().unwrap(), "10.0.0.1:80".parse().unwrap()))?;
    ///     Ok((conn.local_addr().ip().to_string(), conn.peer_addr().to_string(), conn.id()))
    /// }));
    /// assert_eq!(sched.join(task).unwrap(), ("10.0.0.2".to_string(), "10.0.0.1:80".to_string(), 1));
    /// ```
    pub fn peer_addr(&self) -> SocketAddr {
        self.conn.addrs[1 - self.side]
    }

    /// The connection's number in the network's trace.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// let mut sched = Scheduler::simulated(0);
    /// let net = SimNet::new(&sched, NetConfig::default());
    /// let _listener = net.bind("10.0.0.1:80".parse().unwrap()).unwrap();
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     let conn = yield_from!(net.connect("10.0.0.2".parse().unwrap(), "10.0.0.1:80".parse().unwrap()))?;
    ///     Ok((conn.local_addr().ip().to_string(), conn.peer_addr().to_string(), conn.id()))
    /// }));
    /// assert_eq!(sched.join(task).unwrap(), ("10.0.0.2".to_string(), "10.0.0.1:80".to_string(), 1));
    /// ```
    pub fn id(&self) -> u64 {
        self.conn.id
    }

    fn outgoing(&self) -> &RefCell<Pipe> {
        &self.conn.pipes[self.side]
    }

    fn incoming(&self) -> &RefCell<Pipe> {
        &self.conn.pipes[1 - self.side]
    }

    /// What a read must wait for before it can go on: nothing (`None`) when data arrived, the
    /// end of the stream arrived, or the connection was reset (the read reports it); else a
    /// sleep until the next segment or the end arrives, or a park until one is written.
    fn read_wait(&self) -> Option<Syscall> {
        let conn = &*self.conn;
        if conn.reset.borrow().is_some() {
            return None;
        }
        let now = conn.net.now();
        let pipe = self.incoming().borrow();
        match pipe.segments.front() {
            Some(&(at, _)) if at <= now => None,
            Some(&(at, _)) => Some(sleep_until(&conn.net, at)),
            None => match pipe.fin {
                Some(at) if at <= now => None,
                Some(at) => Some(sleep_until(&conn.net, at)),
                None => Some(Syscall::Park(pipe.readers.clone())),
            },
        }
    }

    /// Reads what arrived without waiting: the bytes read, 0 at the end of the stream,
    /// `WouldBlock` if nothing arrived yet, `ConnectionReset` after a reset.
    fn read_now(&self, buf: &mut [u8]) -> io::Result<usize> {
        let conn = &*self.conn;
        if conn.reset.borrow().is_some() {
            return Err(conn.reset_io_error());
        }
        let now = conn.net.now();
        let mut pipe = self.incoming().borrow_mut();
        let pipe = &mut *pipe;
        let mut n = 0;
        while let Some((at, bytes)) = pipe.segments.front() {
            if *at > now || n == buf.len() {
                break;
            }
            let take = (bytes.len() - pipe.read).min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&bytes[pipe.read..pipe.read + take]);
            n += take;
            pipe.read += take;
            if pipe.read == bytes.len() {
                pipe.segments.pop_front();
                pipe.read = 0;
            }
        }
        if n > 0 {
            pipe.buffered -= n;
            pipe.writers.wake_later(true);
            return Ok(n);
        }
        match pipe.fin {
            _ if buf.is_empty() => Ok(0),
            Some(at) if at <= now && pipe.segments.is_empty() => Ok(0),
            _ => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    /// Puts what fits of `data` in flight without waiting: the bytes sent (0 for no data), or
    /// the wait list to park on while the pipe is full. A reset (drawn here, or earlier) and a
    /// write after `shutdown_write` are errors.
    fn send(&self, data: &[u8]) -> io::Result<Sent> {
        let conn = &*self.conn;
        let net = &*conn.net;
        loop {
            if conn.reset.borrow().is_some() {
                return Err(conn.reset_io_error());
            }
            if data.is_empty() {
                return Ok(Sent::Bytes(0));
            }
            {
                let pipe = self.outgoing().borrow();
                if pipe.fin.is_some() {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "write after shutdown",
                    ));
                }
                if pipe.buffered >= net.config.buffer {
                    return Ok(Sent::Full(pipe.writers.clone()));
                }
            }
            if net.rng.next_f64() < net.config.reset_probability {
                conn.reset_now("drawn");
                continue;
            }
            let mut pipe = self.outgoing().borrow_mut();
            let room = net.config.buffer.max(1) - pipe.buffered.min(net.config.buffer);
            let n = data.len().min(room);
            if !pipe.reader_gone {
                // (Nobody reads: the bytes vanish as into a closed socket's buffer.)
                let at = net.arrival(self.local_addr().ip(), self.peer_addr().ip(), pipe.last);
                pipe.last = at;
                pipe.segments.push_back((at, data[..n].to_vec()));
                pipe.buffered += n;
                pipe.readers.wake_later(true);
                net.note(|| {
                    format!(
                        "conn {} side {} sends {n} bytes, arrive {at}",
                        conn.id, self.side
                    )
                });
            }
            return Ok(Sent::Bytes(n));
        }
    }
}

impl Drop for SimStream {
    fn drop(&mut self) {
        let _ = self.shutdown_write();
        let mut incoming = self.incoming().borrow_mut();
        incoming.reader_gone = true;
        incoming.segments.clear();
        incoming.buffered = 0;
        incoming.writers.wake_later(true);
    }
}

impl fmt::Debug for SimStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimStream")
            .field("conn", &self.conn.id)
            .field("local", &self.local_addr())
            .field("peer", &self.peer_addr())
            .finish()
    }
}

impl Connection for SimStream {
    fn read<'a>(&'a self, buf: &'a mut [u8]) -> impl TaskCall<usize> + 'a {
        Read { stream: self, buf }
    }

    fn write<'a>(&'a self, data: &'a [u8]) -> impl TaskCall<usize> + 'a {
        Write {
            stream: self,
            data,
            written: 0,
            all: false,
        }
    }

    fn write_all<'a>(&'a self, data: &'a [u8]) -> impl TaskCall<()> + 'a {
        WriteAll(Write {
            stream: self,
            data,
            written: 0,
            all: true,
        })
    }

    fn readable(&self) -> impl TaskCall<()> + '_ {
        Readable { stream: self }
    }

    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_now(buf)
    }

    fn try_write(&self, data: &[u8]) -> io::Result<usize> {
        match self.send(data)? {
            Sent::Bytes(n) => Ok(n),
            Sent::Full(_) => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn shutdown_write(&self) -> io::Result<()> {
        let conn = &self.conn;
        let mut out = self.outgoing().borrow_mut();
        if out.fin.is_some() || conn.reset.borrow().is_some() {
            return Ok(());
        }
        let at = conn
            .net
            .arrival(self.local_addr().ip(), self.peer_addr().ip(), out.last);
        out.fin = Some(at);
        out.readers.wake_later(true);
        conn.net
            .note(|| format!("conn {} side {} fin arrives {at}", conn.id, self.side));
        Ok(())
    }
}

/// Sleeps until `at` (nanoseconds of the network's clock).
fn sleep_until(net: &Net, at: u64) -> Syscall {
    Syscall::SleepUntil(net.clock.start() + Duration::from_nanos(at))
}

/// The answer to a resume a helper cannot go on from.
fn stop<X>(resume: Resume<Reply, TaskError>, call: &'static str) -> Step<Syscall, TaskResult<X>> {
    Step::Return(Err(match resume {
        Resume::Throw(error) => Exit::Raised(error),
        Resume::Send(reply) => unexpected(reply, call),
        Resume::Start | Resume::Close => Exit::Closed,
    }))
}

struct Read<'a> {
    stream: &'a SimStream,
    buf: &'a mut [u8],
}

impl Delegate<Reply, Syscall, TaskError> for Read<'_> {
    type Output = usize;

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<usize>> {
        if !matches!(resume, Resume::Start | Resume::Send(Reply::Done)) {
            return stop(resume, "simulated read");
        }
        if self.buf.is_empty() && self.stream.conn.reset.borrow().is_none() {
            return Step::Return(Ok(0));
        }
        match self.stream.read_wait() {
            Some(wait) => Step::Yield(wait),
            None => Step::Return(self.stream.read_now(self.buf).map_err(raised)),
        }
    }
}

/// Waits until a read on the stream would not wait ([`SimStream::read_wait`]).
struct Readable<'a> {
    stream: &'a SimStream,
}

impl Delegate<Reply, Syscall, TaskError> for Readable<'_> {
    type Output = ();

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<()>> {
        if !matches!(resume, Resume::Start | Resume::Send(Reply::Done)) {
            return stop(resume, "simulated readable");
        }
        match self.stream.read_wait() {
            Some(wait) => Step::Yield(wait),
            None => Step::Return(Ok(())),
        }
    }
}

/// An I/O error raised by a helper.
fn raised(error: io::Error) -> Exit<TaskError> {
    Exit::Raised(TaskError::new(error))
}

/// What [`SimStream::send`] did.
enum Sent {
    /// Put this many bytes in flight.
    Bytes(usize),
    /// The pipe is full: park here until the reader makes room.
    Full(WaitList),
}

struct Write<'a> {
    stream: &'a SimStream,
    data: &'a [u8],
    written: usize,
    all: bool,
}

impl Delegate<Reply, Syscall, TaskError> for Write<'_> {
    type Output = usize;

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<usize>> {
        if !matches!(resume, Resume::Start | Resume::Send(Reply::Done)) {
            return stop(resume, "simulated write");
        }
        loop {
            let rest = &self.data[self.written..];
            match self.stream.send(rest) {
                Err(error) => return Step::Return(Err(raised(error))),
                Ok(Sent::Full(writers)) => return Step::Yield(Syscall::Park(writers)),
                Ok(Sent::Bytes(0)) => return Step::Return(Ok(self.written)),
                Ok(Sent::Bytes(n)) => {
                    self.written += n;
                    if !self.all {
                        return Step::Return(Ok(self.written));
                    }
                }
            }
        }
    }
}

struct WriteAll<'a>(Write<'a>);

impl Delegate<Reply, Syscall, TaskError> for WriteAll<'_> {
    type Output = ();

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<()>> {
        match self.0.delegate(resume) {
            Step::Yield(call) => Step::Yield(call),
            Step::Return(end) => Step::Return(end.map(|_| ())),
        }
    }
}

/// Connections waiting to be accepted.
struct Backlog {
    addr: SocketAddr,
    pending: RefCell<VecDeque<(SimStream, u64)>>,
    acceptors: WaitList,
}

/// A listening address of the simulated network: a [`Listener`]. Dropping it stops listening
/// (later connections are refused).
pub struct SimListener {
    net: Rc<Net>,
    backlog: Rc<Backlog>,
}

impl SimListener {
    /// The address it listens on.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// let net = SimNet::new(&Scheduler::simulated(0), NetConfig::default());
    /// let addr = "10.0.0.1:80".parse().unwrap();
    /// assert_eq!(net.bind(addr).unwrap().local_addr(), addr);
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.backlog.addr
    }
}

impl Drop for SimListener {
    fn drop(&mut self) {
        self.net.listeners.borrow_mut().remove(&self.backlog.addr);
        self.backlog.pending.borrow_mut().clear();
    }
}

impl fmt::Debug for SimListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimListener")
            .field("addr", &self.backlog.addr)
            .finish()
    }
}

impl Listener for SimListener {
    type Conn = SimStream;

    fn accept(&self) -> impl TaskCall<(SimStream, SocketAddr)> + '_ {
        Accept { listener: self }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.backlog.addr)
    }
}

struct Accept<'a> {
    listener: &'a SimListener,
}

impl Delegate<Reply, Syscall, TaskError> for Accept<'_> {
    type Output = (SimStream, SocketAddr);

    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, TaskResult<(SimStream, SocketAddr)>> {
        if !matches!(resume, Resume::Start | Resume::Send(Reply::Done)) {
            return stop(resume, "simulated accept");
        }
        let backlog = &*self.listener.backlog;
        let now = self.listener.net.now();
        let mut pending = backlog.pending.borrow_mut();
        match pending.front() {
            Some(&(_, at)) if at <= now => {
                let (stream, _) = pending.pop_front().expect("front was there");
                let peer = stream.peer_addr();
                Step::Return(Ok((stream, peer)))
            }
            Some(&(_, at)) => Step::Yield(sleep_until(&self.listener.net, at)),
            None => Step::Yield(Syscall::Park(backlog.acceptors.clone())),
        }
    }
}

/// Opening a connection: one latency to reach the listener (the connection is then in its
/// backlog), one back for the client to learn it.
struct Connect {
    net: Rc<Net>,
    from: IpAddr,
    to: SocketAddr,
    /// The client's end, once the server's end is in the backlog, and when it is connected.
    client: Option<(SimStream, u64)>,
}

impl Delegate<Reply, Syscall, TaskError> for Connect {
    type Output = SimStream;

    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, TaskResult<SimStream>> {
        match resume {
            Resume::Start => {}
            Resume::Send(Reply::Done) => {
                return match self.client.take() {
                    Some((stream, _)) => Step::Return(Ok(stream)),
                    None => Step::Return(Err(Exit::Closed)),
                }
            }
            other => return stop(other, "simulated connect"),
        }
        let net = &self.net;
        let refused = |why: &str| {
            net.note(|| format!("connect {} -> {} refused ({why})", self.from, self.to));
            Step::Return(Err(Exit::Raised(TaskError::new(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                format!("simulated connection to {} refused: {why}", self.to),
            )))))
        };
        let Some(backlog) = net.listeners.borrow().get(&self.to).cloned() else {
            return refused("nobody listens");
        };
        if backlog.pending.borrow().len() >= net.config.backlog {
            return refused("backlog full");
        }
        let port = {
            let mut next = net.next_port.borrow_mut();
            *next = next.checked_add(1).unwrap_or(49152).max(49152);
            *next
        };
        let id = {
            let mut next = net.next_conn.borrow_mut();
            *next += 1;
            *next
        };
        let conn = Rc::new(Conn {
            net: net.clone(),
            id,
            addrs: [SocketAddr::new(self.from, port), self.to],
            pipes: [RefCell::new(Pipe::new()), RefCell::new(Pipe::new())],
            reset: RefCell::new(None),
        });
        let reached = net.arrival(self.from, self.to.ip(), 0);
        let answered = net.arrival(self.to.ip(), self.from, reached);
        net.note(|| {
            format!(
                "conn {id} {} -> {} accepted at {reached}, connected at {answered}",
                conn.addrs[0], self.to
            )
        });
        backlog.pending.borrow_mut().push_back((
            SimStream {
                conn: conn.clone(),
                side: 1,
            },
            reached,
        ));
        backlog.acceptors.wake_later(false);
        self.client = Some((SimStream { conn, side: 0 }, answered));
        Step::Yield(sleep_until(net, answered))
    }
}

/// The simulated network of one simulated scheduler: listeners by address, and connections
/// between them whose latency, resets and partitions it draws from the scheduler's seeded
/// random numbers. Cloning makes another handle to the same network. See the
/// [module](self).
#[derive(Clone)]
pub struct SimNet {
    net: Rc<Net>,
}

impl SimNet {
    /// A network on `sched`'s clock and random numbers (run it on a
    /// [`Scheduler::simulated`]: on a real one, its delays are real sleeps).
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// let net = SimNet::new(&Scheduler::simulated(3), NetConfig::default());
    /// assert!(net.trace().is_empty());
    /// ```
    pub fn new(sched: &Scheduler, config: NetConfig) -> Self {
        SimNet {
            net: Rc::new(Net {
                config,
                clock: sched.clock(),
                rng: sched.rng(),
                listeners: RefCell::new(HashMap::new()),
                partitions: RefCell::new(HashMap::new()),
                next_port: RefCell::new(49151),
                next_conn: RefCell::new(0),
                trace: RefCell::new(Vec::new()),
                trace_limit: 100_000,
            }),
        }
    }

    /// Listens on `addr`; fails with `AddrInUse` if something already does.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// let net = SimNet::new(&Scheduler::simulated(0), NetConfig::default());
    /// let addr = "10.0.0.1:80".parse().unwrap();
    /// let _listener = net.bind(addr).unwrap();
    /// assert_eq!(net.bind(addr).unwrap_err().kind(), std::io::ErrorKind::AddrInUse);
    /// ```
    pub fn bind(&self, addr: SocketAddr) -> io::Result<SimListener> {
        let mut listeners = self.net.listeners.borrow_mut();
        if listeners.contains_key(&addr) {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("{addr} is already bound on the simulated network"),
            ));
        }
        let backlog = Rc::new(Backlog {
            addr,
            pending: RefCell::new(VecDeque::new()),
            acceptors: WaitList::new(),
        });
        listeners.insert(addr, backlog.clone());
        Ok(SimListener {
            net: self.net.clone(),
            backlog,
        })
    }

    /// Connects from host `from` to `to`: evaluates to the client's end after the handshake's
    /// round trip; nobody listening (or a full backlog) raises `ConnectionRefused`.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// let mut sched = Scheduler::simulated(0);
    /// let net = SimNet::new(&sched, NetConfig::default());
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     let refused = yield_from!(net.connect("10.0.0.2".parse().unwrap(), "10.0.0.1:80".parse().unwrap()));
    ///     Ok(refused.is_err())
    /// }));
    /// assert!(sched.join(task).unwrap());
    /// ```
    pub fn connect(&self, from: IpAddr, to: SocketAddr) -> impl TaskCall<SimStream> {
        Connect {
            net: self.net.clone(),
            from,
            to,
            client: None,
        }
    }

    /// Everything the network decided so far (connections, segments and their arrival times,
    /// resets, partitions), one line each, stamped with the clock's nanoseconds: the same seed
    /// gives the same trace. Keeps the first 100,000 lines.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_flow::sim::net::{NetConfig, SimNet};
    /// assert!(SimNet::new(&Scheduler::simulated(0), NetConfig::default()).trace().is_empty());
    /// ```
    pub fn trace(&self) -> Vec<String> {
        self.net.trace.borrow().clone()
    }
}

impl fmt::Debug for SimNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimNet")
            .field("config", &self.net.config)
            .field("listeners", &self.net.listeners.borrow().len())
            .finish()
    }
}
