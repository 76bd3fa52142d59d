//! Sleeping tasks, ordered by deadline in a binary heap: O(log n) to add and to fire, so
//! 100,000 sleepers cost a few microseconds per wake-up round. Deadlines are whole
//! nanoseconds since the scheduler's clock started, so ordering them is one integer compare.

use super::TaskId;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// One sleeper: who, until when, and which of its waits (a task that was woken early and
/// slept again must not be woken by its old entry).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timer {
    /// Nanoseconds since the clock's start.
    pub(crate) at: u64,
    /// Insertion order, so equal deadlines fire first-in first-out.
    seq: u64,
    pub(crate) task: TaskId,
    pub(crate) wait: u32,
}

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Timer {}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Whole nanoseconds of a duration, saturating.
#[inline]
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The timer heap. Entries of tasks woken early stay until they fire and are then ignored by
/// the scheduler (their wait number no longer matches).
#[derive(Debug)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<Timer>>,
    seq: u64,
    /// The instant nanosecond 0 stands for.
    epoch: Instant,
}

impl Timers {
    pub(crate) fn new(epoch: Instant) -> Self {
        Timers {
            heap: BinaryHeap::new(),
            seq: 0,
            epoch,
        }
    }

    /// Nanoseconds since the epoch of `at` (0 for an instant before it).
    #[inline]
    pub(crate) fn nanos_of(&self, at: Instant) -> u64 {
        nanos(at.saturating_duration_since(self.epoch))
    }

    /// The instant of `at` nanoseconds since the epoch.
    #[inline]
    pub(crate) fn instant_of(&self, at: u64) -> Instant {
        let since = Duration::from_nanos(at);
        self.epoch.checked_add(since).unwrap_or(self.epoch)
    }

    pub(crate) fn add(&mut self, deadline: Instant, task: TaskId, wait: u32) {
        let at = self.nanos_of(deadline);
        self.add_at(at, task, wait);
    }

    #[inline]
    pub(crate) fn add_at(&mut self, at: u64, task: TaskId, wait: u32) {
        self.seq += 1;
        self.heap.push(Reverse(Timer {
            at,
            seq: self.seq,
            task,
            wait,
        }));
    }

    /// Adds a timer at `at` and takes out the earliest one in one sift of the heap: what
    /// adding and then firing the next timer does, when `at` is not before it. `None` (and
    /// nothing added) when no timer is set.
    #[inline]
    pub(crate) fn replace_next(&mut self, at: u64, task: TaskId, wait: u32) -> Option<Timer> {
        let mut top = self.heap.peek_mut()?;
        self.seq += 1;
        let next = Reverse(Timer {
            at,
            seq: self.seq,
            task,
            wait,
        });
        let Reverse(earliest) = std::mem::replace(&mut *top, next);
        Some(earliest)
    }

    /// The earliest deadline, if any timer is set.
    #[inline]
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.next_at().map(|at| self.instant_of(at))
    }

    /// The earliest deadline in nanoseconds since the epoch, if any timer is set.
    #[inline]
    pub(crate) fn next_at(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse(t)| t.at)
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Whether the earliest timer, due at `at`, is the only one due then. The second earliest
    /// is one of the root's children.
    #[inline]
    pub(crate) fn alone_at(&self, at: u64) -> bool {
        let entries = self.heap.as_slice();
        !entries
            .iter()
            .skip(1)
            .take(2)
            .any(|Reverse(timer)| timer.at == at)
    }

    /// Removes and returns the earliest timer if it is due at `now` (nanoseconds since the
    /// epoch).
    #[inline]
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<Timer> {
        match self.heap.peek() {
            Some(Reverse(t)) if t.at <= now => self.heap.pop().map(|Reverse(t)| t),
            _ => None,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.heap.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(serial: u64) -> TaskId {
        TaskId {
            key: serial as usize,
            serial,
        }
    }

    #[test]
    fn fires_in_deadline_order_then_insertion_order() {
        let now = Instant::now();
        let mut timers = Timers::new(now);
        timers.add(now + Duration::from_millis(3), id(1), 0);
        timers.add(now + Duration::from_millis(1), id(2), 0);
        timers.add(now + Duration::from_millis(1), id(3), 0);
        assert!(timers.pop_due(0).is_none());
        let later = timers.nanos_of(now + Duration::from_millis(5));
        let order: Vec<u64> = std::iter::from_fn(|| timers.pop_due(later))
            .map(|t| t.task.serial)
            .collect();
        assert_eq!(order, [2, 3, 1]);
        assert!(timers.is_empty());
    }

    #[test]
    fn replace_next_takes_the_earliest_and_keeps_the_order() {
        let now = Instant::now();
        let mut timers = Timers::new(now);
        assert!(timers.replace_next(5, id(9), 0).is_none());
        assert!(timers.is_empty());
        timers.add_at(10, id(1), 0);
        timers.add_at(20, id(2), 0);
        let earliest = timers.replace_next(10, id(3), 0).unwrap();
        assert_eq!(earliest.task.serial, 1);
        let order: Vec<u64> = std::iter::from_fn(|| timers.pop_due(u64::MAX))
            .map(|t| t.task.serial)
            .collect();
        assert_eq!(order, [3, 2]);
    }

    #[test]
    fn a_timer_is_alone_at_its_instant_until_another_is_due_then() {
        let mut timers = Timers::new(Instant::now());
        timers.add_at(10, id(1), 0);
        assert!(timers.alone_at(10));
        for (at, serial) in [(30, 2), (20, 3), (40, 4)] {
            timers.add_at(at, id(serial), 0);
            assert!(timers.alone_at(10), "{at}");
        }
        timers.add_at(10, id(5), 0);
        assert!(!timers.alone_at(10));
    }

    #[test]
    fn deadlines_round_trip_through_nanoseconds() {
        let now = Instant::now();
        let timers = Timers::new(now);
        let at = now + Duration::from_nanos(1_234_567_891);
        assert_eq!(timers.instant_of(timers.nanos_of(at)), at);
        assert_eq!(timers.nanos_of(now - Duration::from_secs(1)), 0);
    }
}
