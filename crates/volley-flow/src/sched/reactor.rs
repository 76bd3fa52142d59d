//! Socket readiness: each socket owns its registration and its readiness state ([`IoSource`]),
//! and the reactor (`mio`, epoll on Linux) reports edges into that state and wakes the tasks
//! that wait.
//!
//! A socket is registered once, edge-triggered, for both directions, the first time a task
//! waits on it, and stays registered while it lives; dropping the socket closes it, which ends
//! the registration, and frees its entry. Every edge the poller reports is recorded in the socket's state, whether
//! or not a task waits, so no edge is lost. The socket's own reads and writes record there
//! when they found it drained (`WouldBlock`, or a short read or write), and the helpers wait
//! for the next edge before trying again.
//!
//! So a request/response cycle costs the system calls of a hand-written epoll loop: wait,
//! read, write. A wait on a registered socket costs no system call: a direction known not
//! ready blocks until the next edge, one that may be ready answers at once (a wrong guess
//! costs one `WouldBlock`). A wait that registers the socket marks both directions not ready;
//! the kernel reports at once a socket that already is.

use super::{SchedError, TaskId};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use slab::Slab;
use std::fmt;
use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

#[cfg(test)]
mod tests;

/// Which readiness a task waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// A task waiting, and which of its waits this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiter {
    pub(crate) task: TaskId,
    pub(crate) wait: u32,
}

const NOT_READABLE: u8 = 1;
const NOT_WRITABLE: u8 = 2;
const READ_CLOSED: u8 = 4;
const WRITE_CLOSED: u8 = 8;

/// Locks a mutex, ignoring poisoning (nothing here is left half-updated by a panic).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A socket's registration with a poller and its readiness state: what a socket type of
/// [`sched::net`](super::net) owns and what [`Syscall::Readable`](super::Syscall::Readable) and
/// [`Syscall::Writable`](super::Syscall::Writable) carry. Cloning it makes another handle to
/// the same state.
///
/// "Not ready" is only ever recorded right after an operation showed it (`WouldBlock`, or a
/// short read or write, which drained the socket's buffer), and the next edge the poller
/// reports for that direction erases it. A hang-up or error edge is kept ("closed"): a closed
/// direction stays ready, even after a short read, until an operation blocks again, as end of
/// stream and errors never send a second edge.
///
/// ```
/// use volley_flow::sched::net::{Socket, UnixStream};
/// let (a, _b) = UnixStream::pair().unwrap();
/// let source = a.io_source().clone();
/// assert!(format!("{source:?}").starts_with("IoSource"));
/// ```
#[derive(Clone)]
pub struct IoSource(pub(crate) Arc<Io>);

/// The shared part of an [`IoSource`].
pub(crate) struct Io {
    fd: RawFd,
    /// Whether the socket's own operations record what they find (`WouldBlock`, drained). A
    /// descriptor whose operations nobody sees re-arms its registration at every wait instead.
    observed: bool,
    flags: AtomicU8,
    /// The id of the reactor the socket is registered with (0: none).
    reactor: AtomicU32,
    /// Its token there.
    token: AtomicUsize,
    registration: Mutex<Option<Registration>>,
    /// The socket's registration with tokio's reactor, made the first time a task on
    /// [`sched::tokio`](super::tokio) waits on it, and dropped (deregistered) by
    /// [`IoSource::release`] before the descriptor closes.
    #[cfg(feature = "tokio")]
    pub(crate) tokio: Mutex<super::tokio::Slot>,
}

/// Where a socket is registered: what its drop deregisters from.
struct Registration {
    shared: Arc<Shared>,
    token: usize,
}

impl IoSource {
    /// The state of a new socket, not registered anywhere; every direction counts as ready.
    pub(crate) fn new(fd: RawFd) -> Self {
        Self::with(fd, true)
    }

    /// The state of a descriptor whose operations are not seen (a [`Pollable`](super::net::Pollable)):
    /// each wait asks the poller afresh.
    pub(crate) fn unobserved(fd: RawFd) -> Self {
        Self::with(fd, false)
    }

    fn with(fd: RawFd, observed: bool) -> Self {
        IoSource(Arc::new(Io {
            fd,
            observed,
            flags: AtomicU8::new(0),
            reactor: AtomicU32::new(0),
            token: AtomicUsize::new(0),
            registration: Mutex::new(None),
            #[cfg(feature = "tokio")]
            tokio: Mutex::default(),
        }))
    }

    #[inline]
    fn flags(&self) -> u8 {
        self.0.flags.load(Ordering::Relaxed)
    }

    #[inline]
    fn set_flags(&self, flags: u8) {
        self.0.flags.store(flags, Ordering::Relaxed);
    }

    #[inline]
    fn bits(dir: Direction) -> (u8, u8) {
        match dir {
            Direction::Read => (NOT_READABLE, READ_CLOSED),
            Direction::Write => (NOT_WRITABLE, WRITE_CLOSED),
        }
    }

    /// Whether an operation in `dir` may succeed now (unknown counts as ready).
    #[inline]
    pub(crate) fn is_ready(&self, dir: Direction) -> bool {
        let (not_ready, closed) = Self::bits(dir);
        self.flags() & (not_ready | closed) != not_ready
    }

    /// An operation in `dir` returned `WouldBlock`: nothing is ready until the next edge, and
    /// the direction is not closed.
    #[inline]
    pub(crate) fn set_would_block(&self, dir: Direction) {
        let (not_ready, closed) = Self::bits(dir);
        self.set_flags((self.flags() | not_ready) & !closed);
    }

    /// An operation in `dir` moved fewer bytes than asked: the socket's buffer is drained, so
    /// the next operation waits for an edge first, unless the direction is closed.
    #[inline]
    pub(crate) fn set_drained(&self, dir: Direction) {
        let (not_ready, _) = Self::bits(dir);
        self.set_flags(self.flags() | not_ready);
    }

    /// The poller reported an edge in `dir`; `closed` for a hang-up or an error.
    #[inline]
    pub(crate) fn set_ready(&self, dir: Direction, closed: bool) {
        let (not_ready, closed_bit) = Self::bits(dir);
        let mut flags = self.flags() & !not_ready;
        if closed {
            flags |= closed_bit;
        }
        self.set_flags(flags);
    }

    /// Frees the socket's reactor entry: it is being closed, and closing the descriptor ends
    /// its registration with the poller (no `epoll_ctl` needed; an event a duplicate of the
    /// descriptor might still bring carries a token whose generation no longer matches).
    pub(crate) fn release(&self) {
        let registration = lock(&self.0.registration).take();
        if let Some(Registration { shared, token }) = registration {
            shared.forget(token);
        }
        self.0.reactor.store(0, Ordering::Relaxed);
        #[cfg(feature = "tokio")]
        super::tokio::release(&self.0.tokio);
    }

    /// The descriptor.
    #[cfg(feature = "tokio")]
    pub(crate) fn fd(&self) -> RawFd {
        self.0.fd
    }

    /// Whether the socket is registered with a reactor.
    pub(crate) fn is_registered(&self) -> bool {
        self.0.reactor.load(Ordering::Relaxed) != 0 || self.is_registered_with_tokio()
    }

    /// Whether a task on `sched::tokio` registered the socket with tokio's reactor.
    #[cfg(feature = "tokio")]
    fn is_registered_with_tokio(&self) -> bool {
        matches!(*lock(&self.0.tokio), super::tokio::Slot::Registered(_))
    }

    #[cfg(not(feature = "tokio"))]
    #[inline]
    fn is_registered_with_tokio(&self) -> bool {
        false
    }
}

impl fmt::Debug for IoSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoSource")
            .field("fd", &self.0.fd)
            .field("readable", &self.is_ready(Direction::Read))
            .field("writable", &self.is_ready(Direction::Write))
            .finish()
    }
}

/// What a reactor shares with the sockets registered with it: a handle on the poller to
/// deregister from, and the tokens of dropped sockets to free.
struct Shared {
    registry: mio::Registry,
    freed: Mutex<Vec<usize>>,
    any_freed: AtomicBool,
}

impl Shared {
    /// Frees the entry of `token` at the reactor's next poll.
    fn forget(&self, token: usize) {
        lock(&self.freed).push(token);
        self.any_freed.store(true, Ordering::Release);
    }
}

/// One registered socket: its state and who waits on it.
struct Entry {
    io: IoSource,
    generation: u32,
    reader: Option<Waiter>,
    writer: Option<Waiter>,
}

impl Entry {
    #[inline]
    fn place(&mut self, dir: Direction) -> &mut Option<Waiter> {
        match dir {
            Direction::Read => &mut self.reader,
            Direction::Write => &mut self.writer,
        }
    }
}

/// What a wait found.
pub(crate) enum Waited {
    /// The direction may be ready already: try the operation.
    Ready,
    /// The task is recorded as waiting under this token.
    Blocked { token: usize },
}

/// Numbers reactors, so a socket tells whose registration it holds.
static NEXT_REACTOR: AtomicU32 = AtomicU32::new(1);

const EVENTS_PER_POLL: usize = 1024;
const KEY_BITS: u32 = 32;
/// The token of the poller's waker ([`Reactor::new_waker`]): no socket's (a socket's key
/// half is a slab index, far below `u32::MAX`).
const WAKE_TOKEN: usize = usize::MAX;

/// The poller and the registered sockets. The poller is made on first use, so a scheduler
/// that never touches a socket opens no file descriptor.
pub(crate) struct Reactor {
    id: u32,
    poller: Option<(Poll, Events, Arc<Shared>)>,
    entries: Slab<Entry>,
    generation: u32,
    waiting: usize,
    /// Whether the next blocking poll first polls without sleeping (see [`Reactor::spin_polls`]).
    spin: bool,
    /// How many polls without sleeping a loaded poller makes before it blocks; 0 turns
    /// busy-polling off (the default).
    spin_polls: u32,
}

impl Default for Reactor {
    fn default() -> Self {
        Reactor {
            id: NEXT_REACTOR.fetch_add(1, Ordering::Relaxed).max(1),
            poller: None,
            entries: Slab::new(),
            generation: 0,
            waiting: 0,
            spin: false,
            spin_polls: 0,
        }
    }
}

/// Busy-polling, when a scheduler turns it on with `set_busy_poll(n)`: while the poller is
/// loaded (its last blocking poll found several sockets ready, or a spin found one), a
/// blocking poll first asks up to `n` times without sleeping. A peer that sends to a sleeping
/// poller pays for waking it, and on loopback that peer may be the bottleneck: a loaded server
/// answers more requests per second when it is caught awake, at the price of CPU time. A spin
/// that finds nothing (`n` short system calls) turns spinning off until the poller is loaded
/// again, so an idle or lightly loaded scheduler sleeps at once.
impl Reactor {
    /// Sets how many polls without sleeping a loaded poller makes before blocking (0: none).
    pub(crate) fn set_spin_polls(&mut self, polls: u32) {
        self.spin_polls = polls;
        if polls == 0 {
            self.spin = false;
        }
    }

    /// How many polls without sleeping a loaded poller makes before blocking.
    pub(crate) fn spin_polls(&self) -> u32 {
        self.spin_polls
    }
}

impl Reactor {
    /// How many tasks wait for readiness.
    #[inline]
    pub(crate) fn waiting(&self) -> usize {
        self.waiting
    }

    #[inline]
    fn entry(&mut self, token: usize) -> Option<&mut Entry> {
        let key = token & ((1 << KEY_BITS) - 1);
        let generation = (token >> KEY_BITS) as u32;
        self.entries
            .get_mut(key)
            .filter(|entry| entry.generation == generation)
    }

    /// Waits for `dir` readiness of `io` on behalf of `waiter`: answers at once if the
    /// direction may be ready, else records the waiter (registering the socket first if it is
    /// not registered here).
    pub(crate) fn wait(
        &mut self,
        io: &IoSource,
        dir: Direction,
        waiter: Waiter,
    ) -> Result<Waited, SchedError> {
        let mut token = None;
        if io.0.reactor.load(Ordering::Relaxed) == self.id {
            let known = io.0.token.load(Ordering::Relaxed);
            if self.entry(known).is_some() {
                if !io.0.observed {
                    // Nobody saw the last operation: re-arm, and the poller reports the
                    // descriptor at once if it is ready.
                    io.set_would_block(dir);
                    if let Some((poll, _, _)) = &self.poller {
                        poll.registry()
                            .reregister(
                                &mut SourceFd(&io.0.fd),
                                Token(known),
                                Interest::READABLE | Interest::WRITABLE,
                            )
                            .map_err(SchedError::Io)?;
                    }
                } else if io.is_ready(dir) {
                    return Ok(Waited::Ready);
                }
                token = Some(known);
            }
        }
        let token = match token {
            Some(token) => token,
            None => self.register(io)?,
        };
        let Some(entry) = self.entry(token) else {
            return Err(SchedError::Io(io::ErrorKind::NotFound.into()));
        };
        let place = entry.place(dir);
        if place.is_some() {
            return Err(SchedError::IoBusy);
        }
        *place = Some(waiter);
        self.waiting += 1;
        Ok(Waited::Blocked { token })
    }

    /// The poller, made on first use.
    fn ensure_poller(&mut self) -> Result<&(Poll, Events, Arc<Shared>), SchedError> {
        if self.poller.is_none() {
            let poll = Poll::new().map_err(SchedError::Io)?;
            let registry = poll.registry().try_clone().map_err(SchedError::Io)?;
            let shared = Arc::new(Shared {
                registry,
                freed: Mutex::new(Vec::new()),
                any_freed: AtomicBool::new(false),
            });
            self.poller = Some((poll, Events::with_capacity(EVENTS_PER_POLL), shared));
        }
        match &self.poller {
            Some(poller) => Ok(poller),
            None => Err(SchedError::Io(io::ErrorKind::NotFound.into())),
        }
    }

    /// A waker of the poller from any thread (one per reactor: the scheduler keeps it). Its
    /// events carry [`WAKE_TOKEN`] and wake no task by themselves.
    pub(crate) fn new_waker(&mut self) -> Result<mio::Waker, SchedError> {
        let (poll, _, _) = self.ensure_poller()?;
        mio::Waker::new(poll.registry(), Token(WAKE_TOKEN)).map_err(SchedError::Io)
    }

    /// A handle on the poller owning a duplicate of its descriptor (epoll's), readable while
    /// events wait: what an async runtime waits on for the scheduler.
    #[cfg(feature = "tokio")]
    pub(crate) fn poller_handle(&mut self) -> Result<mio::Registry, SchedError> {
        self.ensure_poller()?
            .0
            .registry()
            .try_clone()
            .map_err(SchedError::Io)
    }

    /// Registers `io` with this reactor's poller (moving it from another reactor's if need
    /// be); answers its token.
    fn register(&mut self, io: &IoSource) -> Result<usize, SchedError> {
        let shared = self.ensure_poller()?.2.clone();
        let mut registration = lock(&io.0.registration);
        if let Some(old) = registration.take() {
            // Moving to this poller: the old one stops watching the socket.
            let _ = old.shared.registry.deregister(&mut SourceFd(&io.0.fd));
            old.shared.forget(old.token);
        }
        self.generation = self.generation.wrapping_add(1);
        let generation = self.generation;
        let key = self.entries.insert(Entry {
            io: io.clone(),
            generation,
            reader: None,
            writer: None,
        });
        let token = ((generation as usize) << KEY_BITS) | key;
        // Both directions count as not ready: the kernel reports at once what already is.
        io.set_flags(NOT_READABLE | NOT_WRITABLE);
        if let Err(e) = shared.registry.register(
            &mut SourceFd(&io.0.fd),
            Token(token),
            Interest::READABLE | Interest::WRITABLE,
        ) {
            self.entries.remove(key);
            io.set_flags(0);
            io.0.reactor.store(0, Ordering::Relaxed);
            return Err(SchedError::Io(e));
        }
        *registration = Some(Registration { shared, token });
        io.0.token.store(token, Ordering::Relaxed);
        io.0.reactor.store(self.id, Ordering::Relaxed);
        Ok(token)
    }

    /// Forgets `task`'s wait under `token` (it was killed or cancelled).
    pub(crate) fn forget(&mut self, token: usize, dir: Direction, task: TaskId) {
        let Some(entry) = self.entry(token) else {
            return;
        };
        let place = entry.place(dir);
        if place.is_some_and(|w| w.task == task) {
            *place = None;
            self.waiting -= 1;
        }
    }

    /// Frees the entries of sockets dropped since the last poll.
    fn free_dropped(&mut self, woken: &mut Vec<Waiter>) {
        let Some((_, _, shared)) = &self.poller else {
            return;
        };
        if !shared.any_freed.swap(false, Ordering::Acquire) {
            return;
        }
        let freed = std::mem::take(&mut *lock(&shared.freed));
        for token in freed {
            let key = token & ((1 << KEY_BITS) - 1);
            if self.entry(token).is_some() {
                let entry = self.entries.remove(key);
                for waiter in [entry.reader, entry.writer].into_iter().flatten() {
                    self.waiting -= 1;
                    woken.push(waiter);
                }
            }
        }
    }

    /// Waits up to `timeout` (`None`: until something is ready) and appends the waiters whose
    /// readiness arrived to `woken`.
    pub(crate) fn poll(
        &mut self,
        timeout: Option<Duration>,
        woken: &mut Vec<Waiter>,
    ) -> Result<(), SchedError> {
        self.free_dropped(woken);
        let Some((poll, events, _)) = self.poller.as_mut() else {
            return Ok(());
        };
        let blocking = timeout != Some(Duration::ZERO) && woken.is_empty();
        let timeout = if woken.is_empty() {
            timeout
        } else {
            Some(Duration::ZERO)
        };
        let mut spins_left = if blocking && self.spin {
            self.spin_polls
        } else {
            0
        };
        let mut found_by_spin = false;
        loop {
            let attempt = if spins_left > 0 {
                Some(Duration::ZERO)
            } else {
                timeout
            };
            match poll.poll(events, attempt) {
                Ok(()) if spins_left > 0 => {
                    if !events.is_empty() {
                        found_by_spin = true;
                        break;
                    }
                    spins_left -= 1;
                }
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if spins_left > 0 {
                        spins_left -= 1;
                    } else if timeout.is_some() {
                        break;
                    }
                }
                Err(e) => return Err(SchedError::Io(e)),
            }
        }
        if blocking {
            self.spin = self.spin_polls > 0 && (found_by_spin || events.iter().nth(1).is_some());
        }
        for event in events.iter() {
            let token = event.token().0;
            if token == WAKE_TOKEN {
                continue;
            }
            let key = token & ((1 << KEY_BITS) - 1);
            let Some(entry) = self
                .entries
                .get_mut(key)
                .filter(|entry| entry.generation == (token >> KEY_BITS) as u32)
            else {
                continue;
            };
            let error = event.is_error();
            let readable = error || event.is_readable() || event.is_read_closed();
            let writable = error || event.is_writable() || event.is_write_closed();
            if readable {
                entry
                    .io
                    .set_ready(Direction::Read, error || event.is_read_closed());
            }
            if writable {
                entry
                    .io
                    .set_ready(Direction::Write, error || event.is_write_closed());
            }
            for (ready, dir) in [(readable, Direction::Read), (writable, Direction::Write)] {
                if ready {
                    if let Some(waiter) = entry.place(dir).take() {
                        self.waiting -= 1;
                        woken.push(waiter);
                    }
                }
            }
        }
        Ok(())
    }

    /// Forgets every waiter (the scheduler closed every task).
    pub(crate) fn clear_waiters(&mut self) {
        for (_, entry) in &mut self.entries {
            entry.reader = None;
            entry.writer = None;
        }
        self.waiting = 0;
    }
}
