//! Sleeping tasks, ordered by deadline in a binary heap: O(log n) to add and to fire, so
//! 100,000 sleepers cost a few microseconds per wake-up round.

use super::TaskId;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// One sleeper: who, until when, and which of its waits (a task that was woken early and
/// slept again must not be woken by its old entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    pub(crate) deadline: Instant,
    /// Insertion order, so equal deadlines fire first-in first-out.
    seq: u64,
    pub(crate) task: TaskId,
    pub(crate) wait: u32,
}

/// The timer heap. Entries of tasks woken early stay until they fire and are then ignored by
/// the scheduler (their wait number no longer matches).
#[derive(Debug, Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<Timer>>,
    seq: u64,
}

impl Timers {
    pub(crate) fn add(&mut self, deadline: Instant, task: TaskId, wait: u32) {
        self.seq += 1;
        self.heap.push(Reverse(Timer {
            deadline,
            seq: self.seq,
            task,
            wait,
        }));
    }

    /// The earliest deadline, if any timer is set.
    #[inline]
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse(t)| t.deadline)
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    #[inline]
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Timer> {
        match self.heap.peek() {
            Some(Reverse(t)) if t.deadline <= now => self.heap.pop().map(|Reverse(t)| t),
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
    use std::time::Duration;

    fn id(serial: u64) -> TaskId {
        TaskId {
            key: serial as usize,
            serial,
        }
    }

    #[test]
    fn fires_in_deadline_order_then_insertion_order() {
        let mut timers = Timers::default();
        let now = Instant::now();
        timers.add(now + Duration::from_millis(3), id(1), 0);
        timers.add(now + Duration::from_millis(1), id(2), 0);
        timers.add(now + Duration::from_millis(1), id(3), 0);
        assert!(timers.pop_due(now).is_none());
        let later = now + Duration::from_millis(5);
        let order: Vec<u64> = std::iter::from_fn(|| timers.pop_due(later))
            .map(|t| t.task.serial)
            .collect();
        assert_eq!(order, [2, 3, 1]);
        assert!(timers.is_empty());
    }
}
