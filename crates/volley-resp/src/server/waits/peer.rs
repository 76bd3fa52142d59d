//! A client that can be sent data out of turn (pub/sub messages, the reply to a blocking command
//! served by another client's write): its pending output, and a doorbell that wakes its
//! connection task to write it.

use crate::codec::{Protocol, Reply};
use std::cell::{Cell, RefCell};
use std::time::Instant;
use volley_flow::sched::sync::Channel;
use volley_flow::sched::task::TaskId;

/// Bytes waiting to be written to a socket.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    buf: Vec<u8>,
}

impl Outbox {
    /// How many bytes are not yet written.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Appends bytes to send.
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The buffer replies are appended to, to be wrapped in a [`Reply`].
    pub(crate) fn tail(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Takes everything waiting, to be written.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Drops everything, memory included (the client is being disconnected).
    pub(crate) fn discard(&mut self) {
        self.buf = Vec::new();
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

    /// Appends bytes already encoded in the peer's protocol, and rings its doorbell.
    pub(crate) fn send_bytes(&self, bytes: &[u8]) {
        if self.closing.get() {
            return;
        }
        self.out.borrow_mut().extend(bytes);
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
    fn outbox_hands_over_what_waits() {
        let mut outbox = Outbox::default();
        outbox.extend(b"+OK\r\n");
        assert_eq!(outbox.len(), 5);
        assert_eq!(outbox.take(), b"+OK\r\n");
        assert!(outbox.is_empty());
    }

    #[test]
    fn a_closing_peer_takes_nothing_more() {
        let peer = Peer::new(1, None, Protocol::Resp2);
        peer.send(|reply| reply.ok());
        assert_eq!(peer.out.borrow_mut().take(), b"+OK\r\n");
        peer.send(|reply| reply.ok());
        peer.closing.set(true);
        peer.send(|reply| reply.ok());
        assert_eq!(peer.pending(), 5);
    }
}
