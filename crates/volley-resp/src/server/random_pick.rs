//! Random picks for SPOP, SRANDMEMBER and HRANDFIELD: each O(count), never a walk of the whole
//! container per pick.

use std::cell::Cell;
use std::collections::HashSet;

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos | 1
}

/// The error when a reply of repeated picks (a negative count) would outgrow
/// `proto-max-bulk-len`: such a reply is bounded by the count, not by the data, so it is
/// refused instead of allocated.
pub(crate) const REPLY_TOO_BIG: &str =
    "ERR the reply for this count would exceed proto-max-bulk-len bytes";

/// A pseudo-random number (xorshift64*).
pub(crate) fn next() -> u64 {
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// A random index below `len` (which must not be 0).
pub(crate) fn below(len: usize) -> usize {
    (next() % len as u64) as usize
}

/// `count` distinct random indexes below `len` (all of them, shuffled, when `count >= len`),
/// in O(count) time and memory when `count` is small against `len`, O(len) otherwise.
pub(crate) fn distinct(len: usize, count: usize) -> Vec<usize> {
    if count.saturating_mul(3) > len {
        let mut all: Vec<usize> = (0..len).collect();
        let take = count.min(len);
        for i in 0..take {
            let j = i + below(len - i);
            all.swap(i, j);
        }
        all.truncate(take);
        return all;
    }
    let mut seen = HashSet::with_capacity(count);
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count {
        let index = below(len);
        if seen.insert(index) {
            picked.push(index);
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_picks_are_distinct_and_in_range() {
        for (len, count) in [(10, 3), (10, 9), (10, 20), (1000, 5), (1, 1)] {
            let picks = distinct(len, count);
            assert_eq!(picks.len(), count.min(len));
            let unique: HashSet<_> = picks.iter().collect();
            assert_eq!(unique.len(), picks.len());
            assert!(picks.iter().all(|i| *i < len));
        }
    }
}
