//! Socket readiness: which task waits for which file descriptor, and the poller (`mio`,
//! epoll on Linux) that reports readiness.
//!
//! Registrations are edge-triggered and kept while the descriptor lives. Every wait re-arms the
//! registration, and the kernel reports at once a descriptor that is already ready, so no edge
//! is lost between a `WouldBlock` and the wait. A descriptor closed and reused by a new socket is
//! registered afresh (the re-arm fails with `NotFound`, then it is added).

use super::{SchedError, TaskId};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

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

#[derive(Debug, Default, Clone, Copy)]
struct IoSlot {
    reader: Option<Waiter>,
    writer: Option<Waiter>,
    registered: bool,
}

/// The poller and the waiters, indexed by file descriptor. The poller is made on first use,
/// so a scheduler that never touches a socket opens no file descriptor.
#[derive(Default)]
pub(crate) struct Reactor {
    poller: Option<(Poll, Events)>,
    slots: Vec<IoSlot>,
    waiting: usize,
}

const EVENTS_PER_POLL: usize = 1024;

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
        if self.poller.is_none() {
            let poll = Poll::new().map_err(SchedError::Io)?;
            self.poller = Some((poll, Events::with_capacity(EVENTS_PER_POLL)));
        }
        if self.slots.len() <= index {
            self.slots.resize(index + 1, IoSlot::default());
        }
        let slot = &mut self.slots[index];
        let place = match dir {
            Direction::Read => &mut slot.reader,
            Direction::Write => &mut slot.writer,
        };
        if place.is_some() {
            return Err(SchedError::IoBusy { fd });
        }
        *place = Some(waiter);
        let interest = match (slot.reader.is_some(), slot.writer.is_some()) {
            (true, true) => Interest::READABLE | Interest::WRITABLE,
            (false, true) => Interest::WRITABLE,
            _ => Interest::READABLE,
        };
        let registered = slot.registered;
        let registry = self.poller.as_ref().map(|(poll, _)| poll.registry());
        let outcome = match registry {
            Some(registry) => arm(registry, fd, interest, registered),
            None => Ok(()),
        };
        let slot = &mut self.slots[index];
        match outcome {
            Ok(()) => {
                slot.registered = true;
                self.waiting += 1;
                Ok(())
            }
            Err(e) => {
                match dir {
                    Direction::Read => slot.reader = None,
                    Direction::Write => slot.writer = None,
                }
                Err(SchedError::Io(e))
            }
        }
    }

    /// Forgets `task`'s wait on `fd` (it was killed or cancelled).
    pub(crate) fn forget(&mut self, fd: RawFd, dir: Direction, task: TaskId) {
        let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)) else {
            return;
        };
        let place = match dir {
            Direction::Read => &mut slot.reader,
            Direction::Write => &mut slot.writer,
        };
        if place.is_some_and(|w| w.task == task) {
            *place = None;
            self.waiting -= 1;
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
        loop {
            match poll.poll(events, timeout) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if timeout.is_some() {
                        return Ok(());
                    }
                }
                Err(e) => return Err(SchedError::Io(e)),
            }
        }
        for event in events.iter() {
            let Some(slot) = self.slots.get_mut(event.token().0) else {
                continue;
            };
            let error = event.is_error();
            if error || event.is_readable() || event.is_read_closed() {
                if let Some(waiter) = slot.reader.take() {
                    self.waiting -= 1;
                    woken.push(waiter);
                }
            }
            if error || event.is_writable() || event.is_write_closed() {
                if let Some(waiter) = slot.writer.take() {
                    self.waiting -= 1;
                    woken.push(waiter);
                }
            }
        }
        Ok(())
    }

    /// Forgets every waiter (the scheduler closed every task).
    pub(crate) fn clear_waiters(&mut self) {
        for slot in &mut self.slots {
            slot.reader = None;
            slot.writer = None;
        }
        self.waiting = 0;
    }
}

/// Adds or re-arms the registration of `fd`; see the module documentation.
fn arm(
    registry: &mio::Registry,
    fd: RawFd,
    interest: Interest,
    registered: bool,
) -> io::Result<()> {
    let token = Token(fd as usize);
    let mut source = SourceFd(&fd);
    if registered {
        match registry.reregister(&mut source, token, interest) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
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
