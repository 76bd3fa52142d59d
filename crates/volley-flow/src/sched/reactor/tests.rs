//! The readiness bookkeeping: edges kept while nobody waits, waits with no system call only
//! when the registration is vouched for, both directions of one descriptor, forgotten waits,
//! and a registration lost to a closed and reused descriptor number.

use super::readiness::{with_fd, FdState};
use super::*;
use crate::sched::{read, readable, writable, Scheduler, TaskResume};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use volley_core::yield_from;

fn pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().expect("a socket pair");
    a.set_nonblocking(true).expect("non-blocking");
    (a, b)
}

fn waiter(serial: u64, wait: u32) -> Waiter {
    Waiter {
        task: TaskId {
            key: serial as usize,
            serial,
        },
        wait,
    }
}

/// Polls until something wakes, at most `rounds` times (each poll ends by the sweep deadline
/// or `step`).
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

/// Drains `a` as the `read` helper does: reads what is there and records the short read.
fn drain(a: &mut UnixStream) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let n = a.read(&mut buf).expect("data to read");
    assert!(n < buf.len());
    set_drained(a.as_raw_fd(), Direction::Read);
    buf[..n].to_vec()
}

#[test]
fn a_trusted_wait_blocks_with_no_system_call_and_wakes_on_the_next_edge() {
    let mut reactor = Reactor::default();
    let (mut a, mut b) = pair();
    let fd = a.as_raw_fd();
    forget_fd(fd);

    reactor.wait(fd, Direction::Read, waiter(1, 1)).unwrap();
    assert_eq!(reactor.unchecked, 0, "a first wait arms the registration");
    b.write_all(b"one").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 1)]);
    assert!(is_ready(fd, Direction::Read));
    assert_eq!(drain(&mut a), b"one");
    assert!(!is_ready(fd, Direction::Read));

    reactor.wait(fd, Direction::Read, waiter(1, 2)).unwrap();
    assert_eq!(
        reactor.unchecked, 1,
        "the same task waits again with no system call"
    );
    b.write_all(b"two").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 2)]);
    assert_eq!(reactor.unchecked, 0);
    assert_eq!(drain(&mut a), b"two");

    reactor.wait(fd, Direction::Read, waiter(2, 1)).unwrap();
    assert_eq!(reactor.unchecked, 0, "another task's wait arms again");
    reactor.forget(fd, Direction::Read, waiter(2, 1).task);
}

#[test]
fn an_edge_that_arrives_while_nobody_waits_is_kept() {
    let mut reactor = Reactor::default();
    let (mut a, mut b) = pair();
    let fd = a.as_raw_fd();
    forget_fd(fd);
    reactor.wait(fd, Direction::Read, waiter(1, 1)).unwrap();
    b.write_all(b"one").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 1)]);
    drain(&mut a);

    // Nobody waits on `a` now; a poll made for another descriptor sees its edge.
    b.write_all(b"two").unwrap();
    let (c, _d) = pair();
    reactor
        .wait(c.as_raw_fd(), Direction::Write, waiter(3, 1))
        .unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(3, 1)]);
    assert!(
        is_ready(fd, Direction::Read),
        "the edge is kept in the table"
    );
    assert_eq!(drain(&mut a), b"two");
}

#[test]
fn both_directions_of_one_descriptor_wait_at_once() {
    let mut reactor = Reactor::default();
    let (a, mut b) = pair();
    let fd = a.as_raw_fd();
    forget_fd(fd);
    reactor.wait(fd, Direction::Read, waiter(1, 1)).unwrap();
    reactor.wait(fd, Direction::Write, waiter(2, 1)).unwrap();
    assert!(matches!(
        reactor.wait(fd, Direction::Read, waiter(3, 1)),
        Err(SchedError::IoBusy { .. })
    ));
    assert_eq!(reactor.waiting(), 2);
    assert_eq!(
        poll_until_woken(&mut reactor, 5),
        [waiter(2, 1)],
        "writable at once"
    );
    b.write_all(b"x").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 1)]);
    assert_eq!(reactor.waiting(), 0);
}

#[test]
fn a_forgotten_wait_frees_its_place_and_is_never_woken() {
    let mut reactor = Reactor::default();
    let (a, mut b) = pair();
    let fd = a.as_raw_fd();
    forget_fd(fd);
    reactor.wait(fd, Direction::Read, waiter(1, 1)).unwrap();
    reactor.forget(fd, Direction::Read, waiter(1, 1).task);
    assert_eq!(reactor.waiting(), 0);
    reactor.wait(fd, Direction::Read, waiter(2, 1)).unwrap();
    b.write_all(b"x").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(2, 1)]);
}

#[test]
fn a_registration_lost_to_a_reused_descriptor_number_is_found_by_the_sweep() {
    let mut reactor = Reactor::default();
    let (a, mut b) = pair();
    let fd = a.as_raw_fd();
    forget_fd(fd);
    // Make the poller exist, so the table can vouch for this reactor.
    reactor.wait(fd, Direction::Write, waiter(9, 1)).unwrap();
    poll_until_woken(&mut reactor, 5);
    // The table vouches for a registration the poller never had: exactly what a closed
    // socket's number looks like once a new socket (made outside the helpers) reuses it.
    with_fd(fd, |state| {
        *state = FdState::default();
        state.reactor = reactor.id;
        state.armed_for = 1;
        state.set_drained(Direction::Read);
    });
    // Rebuild the poller so it forgets the registration made above.
    reactor.poller = None;
    reactor.registry().unwrap();
    b.write_all(b"waiting already").unwrap();
    reactor.wait(fd, Direction::Read, waiter(1, 1)).unwrap();
    assert_eq!(reactor.unchecked, 1, "trusted, so no system call");
    assert_eq!(
        poll_until_woken(&mut reactor, 20),
        [waiter(1, 1)],
        "the sweep arms the registration again and the kernel reports the data"
    );
}

#[test]
fn helpers_keep_edges_that_arrive_while_their_task_does_something_else() {
    let (mut a, b) = pair();
    let (c, _d) = pair();
    let fd = a.as_raw_fd();
    let mut sched = Scheduler::new();
    let id = sched.spawn(
        #[coroutine]
        static move |_: TaskResume<Vec<Vec<u8>>>| {
            let mut peer = b;
            let mut got = Vec::new();
            let mut buf = [0u8; 64];
            peer.write_all(b"one").unwrap();
            yield_from!(readable(&a))?; // registers `a` with the poller
            let n = yield_from!(read(&mut a, &mut buf))?;
            got.push(buf[..n].to_vec());
            assert!(!is_ready(fd, Direction::Read), "a short read drains");
            // The next request arrives while this task waits for something else.
            peer.write_all(b"two").unwrap();
            yield_from!(writable(&c))?;
            assert!(is_ready(fd, Direction::Read), "its edge was kept");
            let n = yield_from!(read(&mut a, &mut buf))?;
            got.push(buf[..n].to_vec());
            Ok(got)
        },
    );
    sched.run().unwrap();
    assert_eq!(
        sched.take_outcome(id).unwrap().unwrap(),
        [b"one".to_vec(), b"two".to_vec()]
    );
}

#[test]
fn a_loaded_poller_spins_before_sleeping_and_an_idle_one_does_not() {
    let mut reactor = Reactor::default();
    reactor.set_spin_polls(256);
    let (a, mut b) = two_ready_at_once(&mut reactor);
    // Whether the first poll saw both edges at once decides the spin; make it loaded.
    reactor.spin = true;
    reactor
        .wait(a.as_raw_fd(), Direction::Read, waiter(1, 2))
        .unwrap();
    let mut none = Vec::new();
    reactor
        .poll(Some(Duration::from_millis(5)), &mut none)
        .unwrap();
    assert!(none.is_empty());
    assert!(
        !reactor.spin,
        "a spin that found nothing turns spinning off"
    );
    b.write_all(b"z").unwrap();
    assert_eq!(poll_until_woken(&mut reactor, 5), [waiter(1, 2)]);
    assert!(!reactor.spin, "one descriptor at a time is not load");
}

#[test]
fn busy_polling_is_off_unless_asked_for() {
    let mut reactor = Reactor::default();
    assert_eq!(reactor.spin_polls(), 0);
    let _ = two_ready_at_once(&mut reactor);
    assert!(
        !reactor.spin,
        "a loaded poller does not spin when busy-polling is off"
    );
}

/// Two sockets made ready at once and both waiters woken: the load that may turn spinning on.
/// Gives back the first pair, its byte already drained.
fn two_ready_at_once(reactor: &mut Reactor) -> (UnixStream, UnixStream) {
    let (mut a, mut b) = pair();
    let (c, mut d) = pair();
    for (fd, serial) in [(a.as_raw_fd(), 1), (c.as_raw_fd(), 2)] {
        forget_fd(fd);
        reactor
            .wait(fd, Direction::Read, waiter(serial, 1))
            .unwrap();
    }
    b.write_all(b"x").unwrap();
    d.write_all(b"y").unwrap();
    let mut woken = poll_until_woken(reactor, 5);
    if woken.len() < 2 {
        woken.extend(poll_until_woken(reactor, 5));
    }
    assert_eq!(woken.len(), 2);
    assert_eq!(drain(&mut a), b"x");
    (a, b)
}
