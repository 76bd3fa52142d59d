//! What this thread knows about each file descriptor's readiness, shared by the reactor (which
//! records the edges the poller reports) and the socket helpers (which record when an
//! operation found a descriptor drained, and wait before trying it again).
//!
//! A descriptor nobody recorded anything about counts as ready: the helpers try the operation
//! first, and a wrong guess costs one `WouldBlock`. "Not ready" is only ever recorded right
//! after an operation showed it (`WouldBlock`, or a short read or write, which drained the
//! socket's buffer), and the next edge the poller reports for that direction erases it, so a
//! wait on a "not ready" direction can block with no system call and still misses no edge.
//! A hang-up or error edge is kept ("closed"): a closed direction stays ready, even after a
//! short read, until an operation blocks again, as end of stream and errors never send a
//! second edge.

use super::Direction;
use std::cell::RefCell;
use std::os::fd::RawFd;

const NOT_READABLE: u8 = 1;
const NOT_WRITABLE: u8 = 2;
const READ_CLOSED: u8 = 4;
const WRITE_CLOSED: u8 = 8;

/// One descriptor's entry.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FdState {
    flags: u8,
    /// The reactor whose poller holds a registration this entry vouches for (0: none).
    pub(crate) reactor: u32,
    /// The serial number of the task that armed that registration (0: none): its later waits
    /// need no system call.
    pub(crate) armed_for: u64,
}

impl FdState {
    #[inline]
    fn not_ready_bit(dir: Direction) -> u8 {
        match dir {
            Direction::Read => NOT_READABLE,
            Direction::Write => NOT_WRITABLE,
        }
    }

    #[inline]
    fn closed_bit(dir: Direction) -> u8 {
        match dir {
            Direction::Read => READ_CLOSED,
            Direction::Write => WRITE_CLOSED,
        }
    }

    /// Whether an operation in `dir` may succeed now (unknown counts as ready).
    #[inline]
    pub(crate) fn is_ready(&self, dir: Direction) -> bool {
        self.flags & (Self::not_ready_bit(dir) | Self::closed_bit(dir)) != Self::not_ready_bit(dir)
    }

    /// An operation in `dir` returned `WouldBlock`: nothing is ready until the next edge, and
    /// the direction is not closed.
    #[inline]
    pub(crate) fn set_would_block(&mut self, dir: Direction) {
        self.flags = (self.flags | Self::not_ready_bit(dir)) & !Self::closed_bit(dir);
    }

    /// An operation in `dir` moved fewer bytes than asked: the socket's buffer is drained, so
    /// the next operation waits for an edge first, unless the direction is closed.
    #[inline]
    pub(crate) fn set_drained(&mut self, dir: Direction) {
        self.flags |= Self::not_ready_bit(dir);
    }

    /// The poller reported an edge in `dir`; `closed` for a hang-up or an error.
    #[inline]
    pub(crate) fn set_ready(&mut self, dir: Direction, closed: bool) {
        self.flags &= !Self::not_ready_bit(dir);
        if closed {
            self.flags |= Self::closed_bit(dir);
        }
    }
}

thread_local! {
    static TABLE: RefCell<Vec<FdState>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on `fd`'s entry, growing the table as needed. A negative `fd` gets a scratch entry
/// that is not kept.
#[inline]
pub(crate) fn with_fd<R>(fd: RawFd, f: impl FnOnce(&mut FdState) -> R) -> R {
    let Ok(index) = usize::try_from(fd) else {
        return f(&mut FdState::default());
    };
    TABLE.with_borrow_mut(|table| {
        if table.len() <= index {
            table.resize(index + 1, FdState::default());
        }
        f(&mut table[index])
    })
}

/// Whether an operation on `fd` in `dir` may succeed now.
#[inline]
pub(crate) fn is_ready(fd: RawFd, dir: Direction) -> bool {
    let Ok(index) = usize::try_from(fd) else {
        return true;
    };
    TABLE.with_borrow(|table| table.get(index).is_none_or(|state| state.is_ready(dir)))
}

/// Records that an operation on `fd` in `dir` returned `WouldBlock`.
#[inline]
pub(crate) fn set_would_block(fd: RawFd, dir: Direction) {
    with_fd(fd, |state| state.set_would_block(dir));
}

/// Records that an operation on `fd` in `dir` moved fewer bytes than asked.
#[inline]
pub(crate) fn set_drained(fd: RawFd, dir: Direction) {
    with_fd(fd, |state| state.set_drained(dir));
}

/// Forgets everything about `fd`: it is a new socket (from `accept` or `connect`), or it ended
/// (end of stream, error) and may soon be closed and its number reused. Its next wait arms the
/// poller afresh.
#[inline]
pub(crate) fn forget_fd(fd: RawFd) {
    let Ok(index) = usize::try_from(fd) else {
        return;
    };
    TABLE.with_borrow_mut(|table| {
        if let Some(state) = table.get_mut(index) {
            *state = FdState::default();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_counts_as_ready_and_an_edge_erases_not_ready() {
        let mut state = FdState::default();
        assert!(state.is_ready(Direction::Read));
        state.set_would_block(Direction::Read);
        assert!(!state.is_ready(Direction::Read));
        assert!(
            state.is_ready(Direction::Write),
            "directions are independent"
        );
        state.set_ready(Direction::Read, false);
        assert!(state.is_ready(Direction::Read));
    }

    #[test]
    fn a_hang_up_stays_ready_after_a_short_read_until_an_operation_blocks() {
        let mut state = FdState::default();
        state.set_ready(Direction::Read, true);
        state.set_drained(Direction::Read);
        assert!(
            state.is_ready(Direction::Read),
            "end of stream sends no second edge"
        );
        state.set_would_block(Direction::Read);
        assert!(!state.is_ready(Direction::Read));
    }

    #[test]
    fn a_short_read_waits_for_the_next_edge() {
        let mut state = FdState::default();
        state.set_drained(Direction::Read);
        assert!(!state.is_ready(Direction::Read));
        state.set_ready(Direction::Read, false);
        assert!(state.is_ready(Direction::Read));
    }

    #[test]
    fn forgetting_resets_the_entry() {
        let fd = 4093;
        set_would_block(fd, Direction::Write);
        assert!(!is_ready(fd, Direction::Write));
        forget_fd(fd);
        assert!(is_ready(fd, Direction::Write));
        assert!(is_ready(-1, Direction::Read));
    }
}
