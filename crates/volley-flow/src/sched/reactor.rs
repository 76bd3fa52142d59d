//! Socket readiness: which task waits for which file descriptor, and the poller (`mio`,
//! epoll on Linux) that reports readiness.
//!
//! A descriptor is registered once, edge-triggered, for both directions, and stays registered
//! while it lives: the kernel drops the registration itself when the socket is closed. Every
//! edge the poller reports is recorded in this thread's [readiness table](readiness), whether
//! or not a task waits, so no edge is lost. The socket helpers record there when an operation
//! found the socket drained, and wait for the next edge before trying again.
//!
//! A wait on a direction known not ready, by the task that armed the registration, costs no
//! system call. Any other wait (another task, another reactor, a descriptor the table knows
//! nothing about, a direction that may be ready) arms the registration again (`epoll_ctl`
//! `MOD`, or `ADD` for a descriptor new to the poller), and the kernel then reports at once a
//! descriptor that is already ready.
//!
//! A closed descriptor's number is reused by the next socket. `accept`, `connect`, and the end
//! of stream or an error seen by a helper reset the table's entry, so the next wait arms afresh.
//! As a last resort for sockets made elsewhere, a wait that blocked without a system call and
//! saw no edge for [`VERIFY_AFTER`] is checked once by arming again: a stale registration costs
//! a delay, never a hang.

mod readiness;
#[cfg(test)]
mod tests;

pub(crate) use readiness::{forget_fd, is_ready, set_drained, set_would_block};

use super::{SchedError, TaskId};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

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

/// How long a wait that blocked without a system call goes without an edge before its
/// registration is checked.
pub(crate) const VERIFY_AFTER: Duration = Duration::from_millis(50);

/// A blocked wait.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    waiter: Waiter,
    /// The sweep count when it began (see [`Reactor::sweep`]).
    since: u64,
    /// Whether its registration was armed or checked during this wait.
    checked: bool,
}

#[derive(Debug, Default, Clone, Copy)]
struct IoSlot {
    reader: Option<Waiting>,
    writer: Option<Waiting>,
}

impl IoSlot {
    #[inline]
    fn place(&mut self, dir: Direction) -> &mut Option<Waiting> {
        match dir {
            Direction::Read => &mut self.reader,
            Direction::Write => &mut self.writer,
        }
    }
}

/// Numbers reactors, so the readiness table tells whose registration it vouches for.
static NEXT_REACTOR: AtomicU32 = AtomicU32::new(1);

/// The poller and the waiters, indexed by file descriptor. The poller is made on first use,
/// so a scheduler that never touches a socket opens no file descriptor.
pub(crate) struct Reactor {
    id: u32,
    poller: Option<(Poll, Events)>,
    slots: Vec<IoSlot>,
    waiting: usize,
    /// Waits that blocked without a system call and are not checked yet.
    unchecked: usize,
    sweeps: u64,
    sweep_due: Option<Instant>,
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
            slots: Vec::new(),
            waiting: 0,
            unchecked: 0,
            sweeps: 0,
            sweep_due: None,
            spin: false,
            spin_polls: 0,
        }
    }
}

const EVENTS_PER_POLL: usize = 1024;

/// Busy-polling, when a scheduler turns it on with `set_busy_poll(n)`: while the poller is
/// loaded (its last blocking poll found several descriptors ready, or a spin found one), a
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

    /// Registers `waiter` for `dir` readiness of `fd`.
    pub(crate) fn wait(
        &mut self,
        fd: RawFd,
        dir: Direction,
        waiter: Waiter,
    ) -> Result<(), SchedError> {
        let index = usize::try_from(fd)
            .map_err(|_| SchedError::Io(io::Error::from_raw_os_error(9 /* EBADF */)))?;
        if self.slots.len() <= index {
            self.slots.resize(index + 1, IoSlot::default());
        }
        if self.slots[index].place(dir).is_some() {
            return Err(SchedError::IoBusy { fd });
        }
        let id = self.id;
        let (trusted, known_here) = readiness::with_fd(fd, |state| {
            let known_here = state.reactor == id;
            let trusted =
                known_here && state.armed_for == waiter.task.serial && !state.is_ready(dir);
            (trusted, known_here)
        });
        let checked = if trusted {
            if self.sweep_due.is_none() {
                self.sweep_due = Some(Instant::now() + VERIFY_AFTER);
            }
            self.unchecked += 1;
            false
        } else {
            arm(self.registry()?, fd, known_here).map_err(SchedError::Io)?;
            readiness::with_fd(fd, |state| {
                state.set_would_block(dir);
                state.reactor = id;
                state.armed_for = waiter.task.serial;
            });
            true
        };
        *self.slots[index].place(dir) = Some(Waiting {
            waiter,
            since: self.sweeps,
            checked,
        });
        self.waiting += 1;
        Ok(())
    }

    /// The poller's registry; the poller is made on first use.
    fn registry(&mut self) -> Result<&mio::Registry, SchedError> {
        if self.poller.is_none() {
            let poll = Poll::new().map_err(SchedError::Io)?;
            self.poller = Some((poll, Events::with_capacity(EVENTS_PER_POLL)));
        }
        match &self.poller {
            Some((poll, _)) => Ok(poll.registry()),
            None => Err(SchedError::Io(io::ErrorKind::NotFound.into())),
        }
    }

    /// Forgets `task`'s wait on `fd` (it was killed or cancelled).
    pub(crate) fn forget(&mut self, fd: RawFd, dir: Direction, task: TaskId) {
        let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)) else {
            return;
        };
        let place = slot.place(dir);
        if let Some(waiting) = place.filter(|w| w.waiter.task == task) {
            *place = None;
            self.waiting -= 1;
            if !waiting.checked {
                self.unchecked -= 1;
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
        let Some((poll, events)) = self.poller.as_mut() else {
            return Ok(());
        };
        let timeout = match self.sweep_due {
            Some(due) => {
                let left = due.saturating_duration_since(Instant::now());
                Some(timeout.map_or(left, |t| t.min(left)))
            }
            None => timeout,
        };
        let blocking = timeout != Some(Duration::ZERO);
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
            let fd = event.token().0;
            let error = event.is_error();
            let readable = error || event.is_readable() || event.is_read_closed();
            let writable = error || event.is_writable() || event.is_write_closed();
            readiness::with_fd(fd as RawFd, |state| {
                if readable {
                    state.set_ready(Direction::Read, error || event.is_read_closed());
                }
                if writable {
                    state.set_ready(Direction::Write, error || event.is_write_closed());
                }
            });
            let Some(slot) = self.slots.get_mut(fd) else {
                continue;
            };
            for (ready, dir) in [(readable, Direction::Read), (writable, Direction::Write)] {
                if !ready {
                    continue;
                }
                if let Some(waiting) = slot.place(dir).take() {
                    self.waiting -= 1;
                    if !waiting.checked {
                        self.unchecked -= 1;
                    }
                    woken.push(waiting.waiter);
                }
            }
        }
        if let Some(due) = self.sweep_due {
            let now = Instant::now();
            if now >= due {
                self.sweep(now, woken);
            }
        }
        Ok(())
    }

    /// Checks the registration of every wait that blocked without a system call before the
    /// previous sweep and is still waiting. A descriptor whose registration cannot be armed
    /// (it was closed under the wait) wakes its waiter, whose next operation reports the error.
    fn sweep(&mut self, now: Instant, woken: &mut Vec<Waiter>) {
        let Some((poll, _)) = self.poller.as_ref() else {
            return;
        };
        let registry = poll.registry();
        let previous = self.sweeps;
        self.sweeps += 1;
        for (index, slot) in self.slots.iter_mut().enumerate() {
            for dir in [Direction::Read, Direction::Write] {
                let place = slot.place(dir);
                let Some(waiting) = place.as_mut() else {
                    continue;
                };
                if waiting.checked || waiting.since >= previous {
                    continue;
                }
                waiting.checked = true;
                self.unchecked -= 1;
                let fd = index as RawFd;
                if let Err(error) = arm(registry, fd, true) {
                    tracing::debug!(target: "volley::sched", fd, %error, "a waited descriptor cannot be polled; waking its task");
                    readiness::with_fd(fd, |state| state.set_ready(dir, true));
                    woken.push(waiting.waiter);
                    *place = None;
                    self.waiting -= 1;
                }
            }
        }
        self.sweep_due = (self.unchecked > 0).then(|| now + VERIFY_AFTER);
    }

    /// Forgets every waiter (the scheduler closed every task).
    pub(crate) fn clear_waiters(&mut self) {
        for slot in &mut self.slots {
            slot.reader = None;
            slot.writer = None;
        }
        self.waiting = 0;
        self.unchecked = 0;
        self.sweep_due = None;
    }
}

/// Arms the registration of `fd` for both directions: re-arms it if `registered` (the kernel
/// then reports current readiness again), else adds it; either falls back to the other when the
/// poller says otherwise (a closed descriptor's number reused, or a registration kept by a
/// duplicate of the descriptor).
fn arm(registry: &mio::Registry, fd: RawFd, registered: bool) -> io::Result<()> {
    let token = Token(fd as usize);
    let interest = Interest::READABLE | Interest::WRITABLE;
    let mut source = SourceFd(&fd);
    if registered {
        match registry.reregister(&mut source, token, interest) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                tracing::debug!(target: "volley::sched", fd, "descriptor closed and reused: registered afresh");
                registry.register(&mut source, token, interest)
            }
            other => other,
        }
    } else {
        match registry.register(&mut source, token, interest) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                registry.reregister(&mut source, token, interest)
            }
            other => other,
        }
    }
}
