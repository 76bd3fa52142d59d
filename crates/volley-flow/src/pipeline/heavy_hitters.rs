//! `heavy_hitters`: counts per key in bounded memory (the Space-Saving algorithm), exact while
//! the distinct keys fit.

use super::{Close, PipelineError, Push};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// Counts how often each key occurs, like [`count_by_key`](super::aggregate::count_by_key), but
/// keeps at most `capacity` keys, so memory is bounded whatever the stream holds (Metwally,
/// Agrawal and El Abbadi's Space-Saving algorithm).
///
/// While at most `capacity` distinct keys arrive, every count is exact. Past that, a new key
/// takes the place of the key with the smallest count, and starts from that count plus one: its
/// count is then an estimate. After `N` items, the [`Tally`] it hands back guarantees:
///
/// - every listed count is at least the key's true count, and at most its
///   [`overcount`](Counted::overcount) more; no overcount exceeds `N / capacity`;
/// - every key that occurred more than `N / capacity` times is listed;
/// - a key not listed occurred at most [`Tally::unlisted_at_most`] times.
///
/// So the top of the ranking is right whenever the keys that matter are frequent, which is what
/// a "top components" or "busiest clients" report asks. Keys are sent by reference and copied
/// when they are first kept; each kept key is held twice (in its slot and in the index), so
/// memory is about `2 * capacity` keys. A key already kept costs one hash lookup and usually
/// nothing more; a newcomer past capacity costs a removal and an insertion in the index and
/// `O(log capacity)` steps in a heap of slot numbers.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
///
/// // Few keys: exact, like count_by_key.
/// let tally = feed(["db", "web", "db"], aggregate::heavy_hitters::<String>(8)).unwrap();
/// assert!(tally.is_exact());
/// assert_eq!(tally.top(1), [("db".to_string(), 2)]);
///
/// // Many keys through two slots: the frequent one is still found, with its error bound.
/// let stream = ["a", "x", "a", "y", "a", "z", "a"];
/// let tally = feed(stream, aggregate::heavy_hitters::<String>(2)).unwrap();
/// assert!(!tally.is_exact());
/// let a = &tally.counts()[0];
/// assert_eq!(a.key, "a");
/// assert!(a.count - a.overcount <= 4 && 4 <= a.count);
/// assert!(tally.max_overcount() <= 7 / 2);
/// ```
pub fn heavy_hitters<K>(capacity: usize) -> HeavyHitters<K> {
    HeavyHitters {
        capacity,
        slots: Vec::with_capacity(capacity.min(4096)),
        heap: Vec::with_capacity(capacity.min(4096)),
        place: Vec::with_capacity(capacity.min(4096)),
        index: HashMap::with_capacity(capacity.min(4096)),
        total: 0,
        evictions: 0,
    }
}

/// The aggregate made by [`heavy_hitters`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, HeavyHitters}, Close, Push};
/// let mut h: HeavyHitters<Vec<u8>> = aggregate::heavy_hitters(100);
/// h.send(&b"db"[..]).unwrap();
/// assert_eq!(h.close().unwrap().top(5), [(b"db".to_vec(), 1)]);
/// ```
#[derive(Debug, Clone)]
pub struct HeavyHitters<K> {
    capacity: usize,
    /// The kept keys; a key keeps its slot until a newcomer takes it.
    slots: Vec<Counted<K>>,
    /// Slot numbers as a binary min-heap on their counts: the root is the slot a newcomer
    /// takes.
    heap: Vec<usize>,
    /// Where each slot sits in `heap`.
    place: Vec<usize>,
    /// Each kept key's slot.
    index: HashMap<K, usize>,
    total: u64,
    evictions: u64,
}

/// One key of a [`Tally`] with its count.
///
/// ```
/// use volley_flow::pipeline::aggregate::Counted;
/// let c = Counted { key: "db", count: 10, overcount: 3 };
/// assert_eq!(c.count - c.overcount, 7); // it occurred between 7 and 10 times
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<K> {
    /// The key.
    pub key: K,
    /// Its count: exact when `overcount` is 0, otherwise an upper bound.
    pub count: u64,
    /// How much `count` may exceed the true count (the count the key inherited when it took a
    /// slot); 0 for a key counted from its first occurrence.
    pub overcount: u64,
}

impl<K: Hash + Eq + Clone> HeavyHitters<K> {
    /// Counts one more occurrence of `key`.
    #[inline]
    fn offer<Q>(&mut self, key: &Q)
    where
        Q: ?Sized + Hash + Eq + ToOwned<Owned = K>,
        K: Borrow<Q>,
    {
        self.total += 1;
        if let Some(&slot) = self.index.get(key) {
            self.slots[slot].count += 1;
            self.sift_down(self.place[slot]);
        } else if self.slots.len() < self.capacity {
            let slot = self.slots.len();
            let key = key.to_owned();
            self.index.insert(key.clone(), slot);
            self.slots.push(Counted {
                key,
                count: 1,
                overcount: 0,
            });
            self.heap.push(slot);
            self.place.push(slot);
            self.sift_up(slot);
        } else {
            self.replace_smallest(key);
        }
    }

    /// The newcomer takes the slot with the smallest count, and that count plus one.
    fn replace_smallest<Q>(&mut self, key: &Q)
    where
        Q: ?Sized + Hash + Eq + ToOwned<Owned = K>,
        K: Borrow<Q>,
    {
        self.evictions += 1;
        let Some(&slot) = self.heap.first() else {
            return; // capacity 0: nothing is kept, only the total
        };
        let smallest = &mut self.slots[slot];
        self.index.remove(smallest.key.borrow());
        key.clone_into(&mut smallest.key);
        smallest.overcount = smallest.count;
        smallest.count += 1;
        self.index.insert(smallest.key.clone(), slot);
        self.sift_down(0);
    }

    /// The count of the slot at `at` in the heap.
    #[inline]
    fn count_at(&self, at: usize) -> u64 {
        self.slots[self.heap[at]].count
    }

    fn sift_up(&mut self, mut at: usize) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if self.count_at(parent) <= self.count_at(at) {
                break;
            }
            self.swap(at, parent);
            at = parent;
        }
    }

    #[inline]
    fn sift_down(&mut self, mut at: usize) {
        loop {
            let (left, right) = (2 * at + 1, 2 * at + 2);
            let mut smallest = at;
            if left < self.heap.len() && self.count_at(left) < self.count_at(smallest) {
                smallest = left;
            }
            if right < self.heap.len() && self.count_at(right) < self.count_at(smallest) {
                smallest = right;
            }
            if smallest == at {
                return;
            }
            self.swap(at, smallest);
            at = smallest;
        }
    }

    #[inline]
    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.place[self.heap[a]] = a;
        self.place[self.heap[b]] = b;
    }
}

impl<Q, K> Push<&Q> for HeavyHitters<K>
where
    Q: ?Sized + Hash + Eq + ToOwned<Owned = K>,
    K: Borrow<Q> + Hash + Ord + Clone,
{
    #[inline]
    fn send(&mut self, key: &Q) -> Result<(), PipelineError> {
        self.offer(key);
        Ok(())
    }
}

impl<K: Ord> Close for HeavyHitters<K> {
    type Output = Tally<K>;

    fn close(self) -> Result<Tally<K>, PipelineError> {
        let unlisted_at_most = match self.evictions {
            0 => 0,
            _ => match self.heap.first() {
                Some(&slot) => self.slots[slot].count,
                None => self.total,
            },
        };
        let mut counts = self.slots;
        counts.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        Ok(Tally {
            counts,
            total: self.total,
            exact: self.evictions == 0,
            unlisted_at_most,
        })
    }
}

/// What [`heavy_hitters`] hands back: the kept keys with their counts, most frequent first
/// (ties by key ascending), and how far the counts can be trusted.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// let tally = feed(["b", "a", "b"], aggregate::heavy_hitters::<String>(10)).unwrap();
/// assert_eq!((tally.total(), tally.is_exact(), tally.max_overcount()), (3, true, 0));
/// assert_eq!(tally.counts()[1].key, "a");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally<K> {
    counts: Vec<Counted<K>>,
    total: u64,
    exact: bool,
    unlisted_at_most: u64,
}

impl<K> Tally<K> {
    /// The kept keys, most frequent first, ties by key ascending.
    pub fn counts(&self) -> &[Counted<K>] {
        &self.counts
    }

    /// The kept keys, most frequent first, ties by key ascending, by value.
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, feed};
    /// let tally = feed(["a"], aggregate::heavy_hitters::<String>(1)).unwrap();
    /// assert_eq!(tally.into_counts()[0].count, 1);
    /// ```
    pub fn into_counts(self) -> Vec<Counted<K>> {
        self.counts
    }

    /// How many items were counted (every one, kept or not).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether every count is exact: no key was ever pushed out, so the distinct keys fitted.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// The most any listed count may exceed its key's true count: the largest
    /// [`overcount`](Counted::overcount), 0 when the tally is exact. Never more than
    /// `total / capacity`.
    pub fn max_overcount(&self) -> u64 {
        self.counts.iter().map(|c| c.overcount).max().unwrap_or(0)
    }

    /// The most times a key that is not listed may have occurred: the smallest kept count once
    /// keys were pushed out, 0 while the tally is exact.
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, feed};
    /// let tally = feed(["a", "a", "b", "c"], aggregate::heavy_hitters::<String>(2)).unwrap();
    /// // "c" pushed "b" out: any key not listed occurred at most 2 times.
    /// assert_eq!(tally.unlisted_at_most(), 2);
    /// ```
    pub fn unlisted_at_most(&self) -> u64 {
        self.unlisted_at_most
    }
}

impl<K: Clone> Tally<K> {
    /// The `n` most frequent keys with their counts, most frequent first, ties by key
    /// ascending.
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, feed};
    /// let letters = "abracadabra".split_inclusive(|_| true);
    /// let tally = feed(letters, aggregate::heavy_hitters::<String>(16)).unwrap();
    /// assert_eq!(tally.top(2), [("a".to_string(), 5), ("b".to_string(), 2)]);
    /// ```
    pub fn top(&self, n: usize) -> Vec<(K, u64)> {
        self.counts
            .iter()
            .take(n)
            .map(|c| (c.key.clone(), c.count))
            .collect()
    }
}
