//! A client that can be sent data out of turn (pub/sub messages, the reply to a blocking command
//! served by another client's write): its pending output, and a doorbell that wakes its
//! connection task to write it.

use crate::codec::{Protocol, Reply};
use std::cell::{Cell, RefCell};
use std::time::Instant;
use volley_flow::sched::sync::Channel;
use volley_flow::sched::task::TaskId;

/// Output compacted once this much of it was sent (and at least half of it).
const COMPACT_AFTER: usize = 64 * 1024;

/// Bytes waiting to be written to a socket, with what was already sent at the front.
///
/// ```ignore
/// let mut outbox = Outbox::default();
/// outbox.extend(b"+OK\r\n");
/// outbox.consume(3);
/// assert_eq!(outbox.unsent(), b"\r\n");
/// ```
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    buf: Vec<u8>,
    sent: usize,
}

impl Outbox {
    /// The bytes not yet written.
    pub(crate) fn unsent(&self) -> &[u8] {
        &self.buf[self.sent..]
    }

    /// How many bytes are not yet written.
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.sent
    }

    /// Whether everything was written.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Notes that the first `n` unsent bytes were written.
    pub(crate) fn consume(&mut self, n: usize) {
        self.sent += n.min(self.len());
        if self.sent == self.buf.len() {
            self.buf.clear();
            self.sent = 0;
            self.buf.shrink_to(COMPACT_AFTER);
        } else if self.sent >= COMPACT_AFTER && self.sent * 2 >= self.buf.len() {
            self.buf.drain(..self.sent);
            self.sent = 0;
        }
    }

    /// Appends bytes to send.
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The buffer replies are appended to, to be wrapped in a [`Reply`].
    pub(crate) fn tail(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Drops everything, memory included (the client is being disconnected).
    pub(crate) fn discard(&mut self) {
        self.buf = Vec::new();
        self.sent = 0;
    }
}

/// A client other clients can send to: see the module documentation.
#[derive(Debug)]
pub(crate) struct Peer {
    /// The client's id.
    pub(crate) id: u64,
    /// Its connection task, to stop it when its output grows past its limit.
    pub(crate) task: Option<TaskId>,
    /// Output waiting for its connection task.
    pub(crate) out: RefCell<Outbox>,
    /// Rung (a unit message, never more than one waiting) when output or an unblock arrives.
    pub(crate) bell: Channel<()>,
    /// The protocol its pushes are encoded in.
    pub(crate) protocol: Cell<Protocol>,
    /// Since when its output is over the soft limit of its class, if it is.
    pub(crate) over_soft_since: Cell<Option<Instant>>,
    /// Set when its output passed its limit: it is being disconnected.
    pub(crate) closing: Cell<bool>,
}

impl Peer {
    /// A peer for client `id`, served by `task`, speaking `protocol`.
    pub(crate) fn new(id: u64, task: Option<TaskId>, protocol: Protocol) -> Peer {
        Peer {
            id,
            task,
            out: RefCell::new(Outbox::default()),
            bell: Channel::bounded(1),
            protocol: Cell::new(protocol),
            over_soft_since: Cell::new(None),
            closing: Cell::new(false),
        }
    }

    /// Appends what `write` encodes, in the peer's protocol, and rings its doorbell.
    pub(crate) fn send(&self, write: impl FnOnce(&mut Reply<'_>)) {
        if self.closing.get() {
            return;
        }
        let mut out = self.out.borrow_mut();
        let mut reply = Reply::with_protocol(out.tail(), self.protocol.get());
        write(&mut reply);
        drop(out);
        self.ring();
    }

    /// Wakes the connection task (if it waits; otherwise it finds the output when it next
    /// looks).
    pub(crate) fn ring(&self) {
        let _ = self.bell.try_send(());
    }

    /// How many bytes wait for the socket.
    pub(crate) fn pending(&self) -> usize {
        self.out.borrow().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_compacts_and_releases() {
        let mut outbox = Outbox::default();
        outbox.extend(&vec![b'x'; 3 * COMPACT_AFTER]);
        outbox.consume(2 * COMPACT_AFTER);
        assert_eq!(outbox.len(), COMPACT_AFTER);
        assert_eq!(outbox.sent, 0, "compacted once two thirds were sent");
        outbox.consume(COMPACT_AFTER);
        assert!(outbox.is_empty());
        assert!(outbox.buf.capacity() <= COMPACT_AFTER);
    }

    #[test]
    fn a_closing_peer_takes_nothing_more() {
        let peer = Peer::new(1, None, Protocol::Resp2);
        peer.send(|reply| reply.ok());
        assert_eq!(peer.out.borrow().unsent(), b"+OK\r\n");
        peer.closing.set(true);
        peer.send(|reply| reply.ok());
        assert_eq!(peer.pending(), 5);
    }
}
