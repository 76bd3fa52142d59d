//! Socket readiness on tokio's reactor: one registration per socket, kept in its
//! [`IoSource`] and dropped by the socket's drop, before it closes its descriptor.

use crate::sched::net::IoSource;
use crate::sched::reactor::{lock, Direction};
use crate::sched::{Reply, SchedError};
use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// A socket's registration with tokio's reactor (both directions, made once).
pub(crate) struct Registered(AsyncFd<Fd>);

/// The descriptor as tokio sees it; the socket owns it.
struct Fd(RawFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Where a socket keeps its tokio registration.
#[derive(Default)]
pub(crate) enum Slot {
    /// No task on tokio waited on it yet.
    #[default]
    Unregistered,
    /// The one strong reference: waits hold it only while they poll, never across polls.
    Registered(Arc<Registered>),
    /// The socket is closing.
    Released,
}

/// Deregisters the socket before its descriptor closes (called by its drop): the registration
/// must not outlive the descriptor, or its deregistration would reach whatever reuses the
/// number. A wait on another thread holds a reference only for the length of one poll, which
/// this waits out.
pub(crate) fn release(slot: &Mutex<Slot>) {
    let taken = std::mem::replace(&mut *lock(slot), Slot::Released);
    if let Slot::Registered(mut registered) = taken {
        loop {
            match Arc::try_unwrap(registered) {
                Ok(last) => return drop(last),
                Err(shared) => {
                    registered = shared;
                    std::thread::yield_now();
                }
            }
        }
    }
}

/// The socket's registration, made at its first wait; `None` once the socket is closing.
fn registration(io: &IoSource) -> io::Result<Option<Arc<Registered>>> {
    let mut slot = lock(&io.0.tokio);
    match &*slot {
        Slot::Registered(registered) => Ok(Some(registered.clone())),
        Slot::Released => Ok(None),
        Slot::Unregistered => {
            // tokio deprecated this constructor because it cannot know how long the descriptor
            // stays open; `release` drops the registration before the socket closes it.
            #[allow(deprecated)]
            let fd = AsyncFd::with_interest(Fd(io.fd()), Interest::READABLE | Interest::WRITABLE)?;
            let registered = Arc::new(Registered(fd));
            *slot = Slot::Registered(registered.clone());
            Ok(Some(registered))
        }
    }
}

/// Polls the socket's readiness in `dir`.
fn poll_ready(io: &IoSource, dir: Direction, cx: &mut Context<'_>) -> Poll<Reply> {
    let registered = match registration(io) {
        Ok(Some(registered)) => registered,
        // Closing: the task's next operation finds out.
        Ok(None) => return Poll::Ready(Reply::Done),
        Err(error) => return Poll::Ready(Reply::Error(SchedError::Io(error))),
    };
    let polled = match dir {
        Direction::Read => registered.0.poll_read_ready(cx),
        Direction::Write => registered.0.poll_write_ready(cx),
    };
    let closed = match polled {
        Poll::Pending => return Poll::Pending,
        Poll::Ready(Err(error)) => return Poll::Ready(Reply::Error(SchedError::Io(error))),
        Poll::Ready(Ok(mut guard)) => {
            let ready = guard.ready();
            let closed = ready.is_error()
                || match dir {
                    Direction::Read => ready.is_read_closed(),
                    Direction::Write => ready.is_write_closed(),
                };
            guard.clear_ready();
            closed
        }
    };
    io.set_ready(dir, closed);
    Poll::Ready(Reply::Done)
}

/// Waits until the socket is ready in `dir` (or closed, or in error), and records it in the
/// socket's flags. The readiness tokio remembers is cleared once reported: the task retries
/// its operation, and a `WouldBlock` then waits for the next edge (an edge that came after
/// the readiness was reported is kept by tokio, so none is lost).
pub(crate) async fn ready(io: IoSource, dir: Direction) -> Reply {
    poll_fn(|cx| poll_ready(&io, dir, cx)).await
}
