//! Random picks for SPOP, SRANDMEMBER and HRANDFIELD: each O(count), never a walk of the whole
//! container per pick.

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

/// A stream of pseudo-random numbers (xorshift64*) the server's commands share; cloning
/// shares the stream. A server run by a scheduler seeds it from the scheduler's random
/// numbers, so a simulated run picks the same members for the same seed.
#[derive(Debug, Clone)]
pub(crate) struct Picks(Rc<Cell<u64>>);

impl Default for Picks {
    /// A stream seeded differently in each process.
    fn default() -> Self {
        Picks::seeded(volley_flow::sched::rand::Rng::fresh_seed())
    }
}

/// The error when a reply of repeated picks (a negative count) would outgrow
/// `proto-max-bulk-len`: such a reply is bounded by the count, not by the data, so it is
/// refused instead of allocated.
pub(crate) const REPLY_TOO_BIG: &str =
    "ERR the reply for this count would exceed proto-max-bulk-len bytes";

impl Picks {
    /// A stream fixed by `seed`.
    pub(crate) fn seeded(seed: u64) -> Self {
        // xorshift never leaves 0, so 0 is not a state.
        Picks(Rc::new(Cell::new(seed | 1)))
    }

    /// A pseudo-random number (xorshift64*).
    pub(crate) fn next(&self) -> u64 {
        let mut x = self.0.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A random index below `len` (which must not be 0).
    pub(crate) fn below(&self, len: usize) -> usize {
        (self.next() % len as u64) as usize
    }

    /// `count` distinct random indexes below `len` (all of them, shuffled, when
    /// `count >= len`), in O(count) time and memory when `count` is small against `len`,
    /// O(len) otherwise.
    pub(crate) fn distinct(&self, len: usize, count: usize) -> Vec<usize> {
        if count.saturating_mul(3) > len {
            let mut all: Vec<usize> = (0..len).collect();
            let take = count.min(len);
            for i in 0..take {
                let j = i + self.below(len - i);
                all.swap(i, j);
            }
            all.truncate(take);
            return all;
        }
        let mut seen = HashSet::with_capacity(count);
        let mut picked = Vec::with_capacity(count);
        while picked.len() < count {
            let index = self.below(len);
            if seen.insert(index) {
                picked.push(index);
            }
        }
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_picks_are_distinct_and_in_range() {
        for (len, count) in [(10, 3), (10, 9), (10, 20), (1000, 5), (1, 1)] {
            let picks = Picks::seeded(7).distinct(len, count);
            assert_eq!(picks.len(), count.min(len));
            let unique: HashSet<_> = picks.iter().collect();
            assert_eq!(unique.len(), picks.len());
            assert!(picks.iter().all(|i| *i < len));
        }
    }

    #[test]
    fn the_same_seed_picks_the_same_and_clones_share_one_stream() {
        let (a, b) = (Picks::seeded(42), Picks::seeded(42));
        let from_a: Vec<usize> = (0..20).map(|_| a.below(1000)).collect();
        let from_b: Vec<usize> = (0..20).map(|_| b.below(1000)).collect();
        assert_eq!(from_a, from_b);
        let shared = a.clone();
        assert_eq!(shared.next(), b.next());
        assert_eq!(
            a.next(),
            b.next(),
            "the clone advanced the stream both read"
        );
        assert_ne!(Picks::seeded(1).next(), Picks::seeded(2).next());
    }
}
