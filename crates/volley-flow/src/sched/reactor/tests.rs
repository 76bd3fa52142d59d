//! The socket-owned registration: registered at the first wait, waits on a registered socket
//! with no system call, edges recorded while nobody waits, and the entry freed when the socket
//! is dropped, even when its descriptor number is reused at once.

use super::*;
use crate::sched::net::{Socket, Stream, UnixStream};
use std::os::fd::AsRawFd;

fn waiter(serial: u64, wait: u32) -> Waiter {
    Waiter {
        task: TaskId {
            key: serial as usize,
            serial,
        },
        wait,
    }
}

/// Polls until something wakes, at most `rounds` times.
fn poll_until_woken(reactor: &mut Reactor, rounds: usize) -> Vec<Waiter> {
    let mut woken = Vec::new();
    for _ in 0..rounds {
        reactor
            .poll(Some(Duration::from_millis(200)), &mut woken)
            .expect("poll");
        if !woken.is_empty() {
            break;
        }
    }
    woken
}

fn blocked(waited: Result<Waited, SchedError>) -> usize {
    match waited {
        Ok(Waited::Blocked { token }) => token,
        Ok(Waited::Ready) => panic!("expected the wait to block"),
        Err(e) => panic!("wait failed: {e}"),
    }
}

#[test]
fn the_first_wait_registers_and_later_waits_need_no_registration() {
    let mut reactor = Reactor::default();
    let (a, b) = UnixStream::pair().unwrap();
    let io = a.io_source();
    assert!(!io.is_registered());

    let token = blocked(reactor.wait(io, Direction::Read, waiter(1, 1)));
    assert!(io.is_registered());
    b.try_write(b"one").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 1)]);
    let mut buf = [0u8; 16];
    assert_eq!(a.try_read(&mut buf).unwrap(), 3);
    assert!(!io.is_ready(Direction::Read), "a short read drains");

    // The same socket waits again: same entry, no new registration.
    assert_eq!(
        blocked(reactor.wait(io, Direction::Read, waiter(2, 1))),
        token
    );
    assert_eq!(reactor.entries.len(), 1);
    b.try_write(b"two").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(2, 1)]);
    assert_eq!(reactor.waiting(), 0);
}

#[test]
fn edges_are_kept_while_nobody_waits_and_a_ready_wait_answers_at_once() {
    let mut reactor = Reactor::default();
    let (a, b) = UnixStream::pair().unwrap();
    let io = a.io_source();
    blocked(reactor.wait(io, Direction::Read, waiter(1, 1)));
    b.try_write(b"x").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 1)]);
    // Nobody reads; a later wait on the readable direction does not block.
    assert!(matches!(
        reactor.wait(io, Direction::Read, waiter(1, 2)),
        Ok(Waited::Ready)
    ));
}

#[test]
fn two_waiters_on_one_direction_are_refused_and_a_forgotten_wait_leaves_nothing() {
    let mut reactor = Reactor::default();
    let (a, _b) = UnixStream::pair().unwrap();
    let io = a.io_source();
    let token = blocked(reactor.wait(io, Direction::Read, waiter(1, 1)));
    assert!(matches!(
        reactor.wait(io, Direction::Read, waiter(2, 1)),
        Err(SchedError::IoBusy)
    ));
    reactor.forget(token, Direction::Read, waiter(1, 1).task);
    assert_eq!(reactor.waiting(), 0);
    blocked(reactor.wait(io, Direction::Read, waiter(2, 1)));
}

#[test]
fn a_dropped_socket_frees_its_entry_and_its_reused_number_registers_afresh() {
    let mut reactor = Reactor::default();
    let (a, _b) = UnixStream::pair().unwrap();
    let fd = a.as_raw_fd();
    blocked(reactor.wait(a.io_source(), Direction::Read, waiter(1, 1)));
    reactor.forget(
        a.io_source().0.token.load(Ordering::Relaxed),
        Direction::Read,
        waiter(1, 1).task,
    );
    drop(a);
    let mut woken = Vec::new();
    reactor.poll(Some(Duration::ZERO), &mut woken).unwrap();
    assert_eq!(
        reactor.entries.len(),
        0,
        "the dropped socket's entry is freed"
    );

    // The next socket very likely takes the same number; either way it is a new registration.
    let (c, d) = UnixStream::pair().unwrap();
    let reused = c.as_raw_fd() == fd || d.as_raw_fd() == fd;
    let (mine, peer) = if d.as_raw_fd() == fd { (d, c) } else { (c, d) };
    assert!(!mine.io_source().is_registered());
    blocked(reactor.wait(mine.io_source(), Direction::Read, waiter(3, 1)));
    peer.try_write(b"new").unwrap();
    assert_eq!(
        poll_until_woken(&mut reactor, 5),
        [waiter(3, 1)],
        "reused: {reused}"
    );
}

#[test]
fn a_pollable_descriptor_asks_the_poller_at_every_wait() {
    use crate::sched::net::Pollable;
    use std::io::{Read, Write};
    let mut reactor = Reactor::default();
    let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let b = Pollable::new(b);
    let io = b.io_source();

    blocked(reactor.wait(io, Direction::Read, waiter(1, 1)));
    a.write_all(b"data").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 1)]);

    // Nothing was read, and the scheduler did not see that: the next wait blocks, and the
    // re-armed registration reports the waiting data at once.
    blocked(reactor.wait(io, Direction::Read, waiter(1, 2)));
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 2)]);

    // Drained: a wait now finds nothing ready.
    let mut buf = [0u8; 16];
    assert_eq!(b.get_ref().read(&mut buf).unwrap(), 4);
    let token = blocked(reactor.wait(io, Direction::Read, waiter(1, 3)));
    let mut woken = Vec::new();
    reactor.poll(Some(Duration::ZERO), &mut woken).unwrap();
    assert!(woken.is_empty());
    reactor.forget(token, Direction::Read, waiter(1, 3).task);
}
