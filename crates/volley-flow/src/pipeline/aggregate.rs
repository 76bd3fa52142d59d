//! Streaming aggregates: push targets that fold items as they arrive and never collect them.
//!
//! Each hands back its result from [`Close::close`]. Memory stays constant in the number of
//! items (top-k holds `k` items, count-by-key and sum-by-key one entry per distinct key). When
//! the keys come from the input and their number is not known, [`heavy_hitters`] counts them in
//! a fixed number of slots instead: exact while they fit, estimates with a stated error bound
//! beyond.
//! Aggregates that keep an item or a key ([`first`], [`last`], [`count_by_key`],
//! [`sum_by_key`]) take it by reference and store an owned copy,
//! allocating only when they must keep something new, so lines borrowed from a source's reused
//! buffer can be fed straight in. Turn any of them into a coroutine sink with
//! [`push::into_co`](crate::pipeline::push::into_co).

pub use super::heavy_hitters::{heavy_hitters, Counted, HeavyHitters, Tally};
use super::{Close, PipelineError, Push};
use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;
use std::ops::AddAssign;

/// Counts the items.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed("abc".chars(), aggregate::count()).unwrap(), 3);
/// ```
pub fn count() -> Count {
    Count { n: 0 }
}

/// The aggregate made by [`count`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::Count, aggregate, Close};
/// let c: Count = aggregate::count();
/// assert_eq!(c.close().unwrap(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Count {
    n: u64,
}

impl<T> Push<T> for Count {
    #[inline]
    fn send(&mut self, _item: T) -> Result<(), PipelineError> {
        self.n += 1;
        Ok(())
    }
}

impl Close for Count {
    type Output = u64;

    fn close(self) -> Result<u64, PipelineError> {
        Ok(self.n)
    }
}

/// Adds the items up into an `A` (anything with `A: AddAssign<item> + Default`).
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed([1.5, 2.0], aggregate::sum::<f64>()).unwrap(), 3.5);
/// assert_eq!(feed(&[1u64, 2, 3], aggregate::sum::<u64>()).unwrap(), 6);
/// ```
pub fn sum<A: Default>() -> Sum<A> {
    Sum {
        total: A::default(),
    }
}

/// The aggregate made by [`sum`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, Sum}, Close, Push};
/// let mut s: Sum<i32> = aggregate::sum();
/// s.send(-4).unwrap();
/// assert_eq!(s.close().unwrap(), -4);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sum<A> {
    total: A,
}

impl<T, A: AddAssign<T>> Push<T> for Sum<A> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        self.total += item;
        Ok(())
    }
}

impl<A> Close for Sum<A> {
    type Output = A;

    fn close(self) -> Result<A, PipelineError> {
        Ok(self.total)
    }
}

/// Keeps the smallest item (the first of equal ones); `None` if there were none.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed([5, 2, 8], aggregate::min()).unwrap(), Some(2));
/// ```
pub fn min<T>() -> Min<T> {
    Min { best: None }
}

/// The aggregate made by [`min`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, Min}, Close};
/// let m: Min<u8> = aggregate::min();
/// assert_eq!(m.close().unwrap(), None);
/// ```
#[derive(Debug, Clone)]
pub struct Min<T> {
    best: Option<T>,
}

impl<T: Ord> Push<T> for Min<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        match &self.best {
            Some(best) if *best <= item => {}
            _ => self.best = Some(item),
        }
        Ok(())
    }
}

impl<T> Close for Min<T> {
    type Output = Option<T>;

    fn close(self) -> Result<Option<T>, PipelineError> {
        Ok(self.best)
    }
}

/// Keeps the largest item (the first of equal ones); `None` if there were none.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed(["pear", "apple"], aggregate::max()).unwrap(), Some("pear"));
/// ```
pub fn max<T>() -> Max<T> {
    Max { best: None }
}

/// The aggregate made by [`max`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, Max}, Close, Push};
/// let mut m: Max<i8> = aggregate::max();
/// m.send(-3).unwrap();
/// assert_eq!(m.close().unwrap(), Some(-3));
/// ```
#[derive(Debug, Clone)]
pub struct Max<T> {
    best: Option<T>,
}

impl<T: Ord> Push<T> for Max<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        match &self.best {
            Some(best) if *best >= item => {}
            _ => self.best = Some(item),
        }
        Ok(())
    }
}

impl<T> Close for Max<T> {
    type Output = Option<T>;

    fn close(self) -> Result<Option<T>, PipelineError> {
        Ok(self.best)
    }
}

/// Keeps the `k` largest items with a min-heap of size `k` (Python's `heapq.nlargest`), and
/// hands them back largest first.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed([4, 9, 1, 7, 9], aggregate::top_k(3)).unwrap(), vec![9, 9, 7]);
/// // Order by (count, Reverse(name)) for "count descending, then name ascending".
/// use std::cmp::Reverse;
/// let ranked = feed([(2, Reverse("b")), (5, Reverse("c")), (2, Reverse("a"))], aggregate::top_k(2)).unwrap();
/// assert_eq!(ranked, vec![(5, Reverse("c")), (2, Reverse("a"))]);
/// ```
pub fn top_k<T: Ord>(k: usize) -> TopK<T> {
    TopK {
        k,
        heap: BinaryHeap::with_capacity(k.min(1024)),
    }
}

/// The aggregate made by [`top_k`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, TopK}, Close, Push};
/// let mut t: TopK<u32> = aggregate::top_k(1);
/// t.send(3).unwrap();
/// t.send(8).unwrap();
/// assert_eq!(t.close().unwrap(), vec![8]);
/// ```
#[derive(Debug, Clone)]
pub struct TopK<T: Ord> {
    k: usize,
    heap: BinaryHeap<Reverse<T>>,
}

impl<T: Ord> TopK<T> {
    /// Keeps `item` if it is among the `k` largest so far.
    #[inline]
    fn offer(&mut self, item: T) {
        if self.heap.len() < self.k {
            self.heap.push(Reverse(item));
        } else if let Some(mut smallest) = self.heap.peek_mut() {
            if item > smallest.0 {
                smallest.0 = item;
            }
        }
    }

    /// The items kept, largest first.
    fn into_sorted(self) -> Vec<T> {
        // Ascending order of `Reverse` is descending order of the items.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse(item)| item)
            .collect()
    }
}

impl<T: Ord> Push<T> for TopK<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        self.offer(item);
        Ok(())
    }
}

impl<T: Ord> Close for TopK<T> {
    type Output = Vec<T>;

    fn close(self) -> Result<Vec<T>, PipelineError> {
        Ok(self.into_sorted())
    }
}

/// Counts how often each key occurs. Keys are sent by reference (`&[u8]`, `&str`, `&Level`);
/// an owned copy is made only the first time a key is seen.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// let counts = feed(["db", "web", "db"], aggregate::count_by_key()).unwrap();
/// assert_eq!(counts["db"], 2);
/// assert_eq!(counts["web"], 1);
/// ```
pub fn count_by_key<K>() -> CountByKey<K> {
    CountByKey {
        counts: HashMap::new(),
    }
}

/// The aggregate made by [`count_by_key`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, CountByKey}, Close, Push};
/// let mut c: CountByKey<Vec<u8>> = aggregate::count_by_key();
/// c.send(&b"key"[..]).unwrap();
/// assert_eq!(c.close().unwrap()[&b"key"[..]], 1);
/// ```
#[derive(Debug, Clone)]
pub struct CountByKey<K> {
    counts: HashMap<K, u64>,
}

impl<Q, K> Push<&Q> for CountByKey<K>
where
    Q: ?Sized + Hash + Eq + ToOwned<Owned = K>,
    K: Borrow<Q> + Hash + Eq,
{
    #[inline]
    fn send(&mut self, key: &Q) -> Result<(), PipelineError> {
        match self.counts.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.counts.insert(key.to_owned(), 1);
            }
        }
        Ok(())
    }
}

impl<K> Close for CountByKey<K> {
    type Output = HashMap<K, u64>;

    fn close(self) -> Result<HashMap<K, u64>, PipelineError> {
        Ok(self.counts)
    }
}

impl<K> CountByKey<K> {
    /// Ranks the counts when the stream ends: the `n` most frequent keys with their counts,
    /// most frequent first, ties by key ascending (see [`rank`]).
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, feed};
    /// let words = "to be or not to be that is".split(' ');
    /// let top = feed(words, aggregate::count_by_key::<String>().top(2)).unwrap();
    /// assert_eq!(top, [("be".to_string(), 2), ("to".to_string(), 2)]);
    /// ```
    pub fn top(self, n: usize) -> Top<Self> {
        Top { totals: self, n }
    }
}

/// Adds up a value per key: sent `(key, value)` pairs, it keeps one running total per distinct
/// key and hands back every total on close. The key is sent by reference (`&str`, `&[u8]`) and
/// copied only the first time it is seen; the value is added with `+=` into a total that starts
/// at `V::default()`. Memory is one entry per distinct key, whatever the number of items.
///
/// The usual report, "the top N keys by total" (bytes per client, time per endpoint), is
/// [`SumByKey::top`].
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// let transfers = [("10.0.0.1", 500u64), ("10.0.0.2", 20), ("10.0.0.1", 700)];
/// let bytes = feed(transfers, aggregate::sum_by_key::<String, u64>()).unwrap();
/// assert_eq!(bytes["10.0.0.1"], 1200);
/// assert_eq!(bytes["10.0.0.2"], 20);
/// ```
pub fn sum_by_key<K, V>() -> SumByKey<K, V> {
    SumByKey {
        totals: HashMap::new(),
    }
}

/// The aggregate made by [`sum_by_key`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, SumByKey}, Close, Push};
/// let mut time: SumByKey<String, u32> = aggregate::sum_by_key();
/// time.send(("/login", 30)).unwrap();
/// time.send(("/login", 12)).unwrap();
/// assert_eq!(time.close().unwrap()["/login"], 42);
/// ```
#[derive(Debug, Clone)]
pub struct SumByKey<K, V> {
    totals: HashMap<K, V>,
}

impl<K, V> SumByKey<K, V> {
    /// Ranks the totals when the stream ends: the `n` keys with the largest totals, largest
    /// first, ties by key ascending (see [`rank`]). Memory is still one entry per distinct key
    /// while the stream runs; ranking them takes a heap of `n`.
    ///
    /// ```
    /// use volley_flow::pipeline::{aggregate, feed, push};
    ///
    /// /// A "client bytes" line: the client, borrowed, and the bytes sent.
    /// fn client_bytes(line: &str) -> Option<(&str, u64)> {
    ///     let (client, bytes) = line.split_once(' ')?;
    ///     Some((client, bytes.parse().ok()?))
    /// }
    ///
    /// // Bytes per client, top 2, next to a line count, in one pass.
    /// let log = ["a 300", "b 100", "c 250", "a 50", "b 400"];
    /// let (lines, top) = feed(
    ///     log,
    ///     push::broadcast((
    ///         aggregate::count(),
    ///         push::filter_map(client_bytes, aggregate::sum_by_key::<String, u64>().top(2)),
    ///     )),
    /// )
    /// .unwrap();
    /// assert_eq!(lines, 5);
    /// assert_eq!(top, [("b".to_string(), 500), ("a".to_string(), 350)]);
    /// ```
    pub fn top(self, n: usize) -> Top<Self> {
        Top { totals: self, n }
    }
}

impl<Q, K, V, W> Push<(&Q, W)> for SumByKey<K, V>
where
    Q: ?Sized + Hash + Eq + ToOwned<Owned = K>,
    K: Borrow<Q> + Hash + Eq,
    V: AddAssign<W> + Default,
{
    #[inline]
    fn send(&mut self, (key, value): (&Q, W)) -> Result<(), PipelineError> {
        match self.totals.get_mut(key) {
            Some(total) => *total += value,
            None => {
                let mut total = V::default();
                total += value;
                self.totals.insert(key.to_owned(), total);
            }
        }
        Ok(())
    }
}

impl<K, V> Close for SumByKey<K, V> {
    type Output = HashMap<K, V>;

    fn close(self) -> Result<HashMap<K, V>, PipelineError> {
        Ok(self.totals)
    }
}

/// A per-key aggregate whose totals are ranked on close; made by [`SumByKey::top`] and
/// [`CountByKey::top`]. Items go straight to the per-key totals; closing hands back the top
/// `n` as `(key, total)` pairs, largest total first, ties by key ascending.
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, SumByKey, Top}, Close, Push};
/// let mut busiest: Top<SumByKey<String, u64>> = aggregate::sum_by_key().top(1);
/// busiest.send(("db", 2)).unwrap();
/// busiest.send(("web", 5)).unwrap();
/// assert_eq!(busiest.close().unwrap(), [("web".to_string(), 5)]);
/// ```
#[derive(Debug, Clone)]
pub struct Top<A> {
    totals: A,
    n: usize,
}

impl<T, A, K, V> Push<T> for Top<A>
where
    A: Push<T> + Close<Output = HashMap<K, V>>,
    K: Ord,
    V: Ord,
{
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        self.totals.send(item)
    }
}

impl<A, K, V> Close for Top<A>
where
    A: Close<Output = HashMap<K, V>>,
    K: Ord,
    V: Ord,
{
    type Output = Vec<(K, V)>;

    fn close(self) -> Result<Vec<(K, V)>, PipelineError> {
        Ok(rank(self.totals.close()?, self.n))
    }
}

/// The `n` pairs with the largest totals, largest first, ties by key ascending: how
/// [`Top`] ranks on close, for totals already in hand. A heap of `n` ([`top_k`]) does the work,
/// so ranking many keys costs `O(keys * log n)`. Pass a map by value for owned pairs, or
/// `map.iter()` to rank it in place.
///
/// ```
/// use std::collections::HashMap;
/// use volley_flow::pipeline::aggregate;
/// let errors = HashMap::from([("db", 7), ("web", 3), ("auth", 7), ("cache", 1)]);
/// assert_eq!(aggregate::rank(errors.iter(), 3), [(&"auth", &7), (&"db", &7), (&"web", &3)]);
/// assert_eq!(aggregate::rank(errors, 1), [("auth", 7)]);
/// ```
pub fn rank<K: Ord, V: Ord>(totals: impl IntoIterator<Item = (K, V)>, n: usize) -> Vec<(K, V)> {
    let mut top = top_k(n);
    for (key, total) in totals {
        // Ordering by (total, Reverse(key)) puts larger totals first, then smaller keys.
        top.offer((total, Reverse(key)));
    }
    top.into_sorted()
        .into_iter()
        .map(|(total, Reverse(key))| (key, total))
        .collect()
}

/// Counts small integer keys `0..n` in a table (a histogram): for keys that are already
/// indices, such as an enum's discriminant, with no hashing. A key out of range raises a
/// [`PipelineError`] naming it.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed([0usize, 2, 2], aggregate::count_by_index(3)).unwrap(), vec![1, 0, 2]);
/// assert!(feed([5usize], aggregate::count_by_index(3)).is_err());
/// ```
pub fn count_by_index(n: usize) -> CountByIndex {
    CountByIndex { counts: vec![0; n] }
}

/// The aggregate made by [`count_by_index`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, CountByIndex}, Close, Push};
/// let mut h: CountByIndex = aggregate::count_by_index(2);
/// h.send(1usize).unwrap();
/// assert_eq!(h.close().unwrap(), vec![0, 1]);
/// ```
#[derive(Debug, Clone)]
pub struct CountByIndex {
    counts: Vec<u64>,
}

impl Push<usize> for CountByIndex {
    #[inline]
    fn send(&mut self, index: usize) -> Result<(), PipelineError> {
        let size = self.counts.len();
        match self.counts.get_mut(index) {
            Some(n) => {
                *n += 1;
                Ok(())
            }
            None => Err(PipelineError::raised(format!(
                "count_by_index: key {index} is out of range 0..{size}"
            ))),
        }
    }
}

impl Close for CountByIndex {
    type Output = Vec<u64>;

    fn close(self) -> Result<Vec<u64>, PipelineError> {
        Ok(self.counts)
    }
}

/// Keeps an owned copy of the first item, sent by reference.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed(["x", "y"], aggregate::first()).unwrap(), Some("x".to_string()));
/// ```
pub fn first<K>() -> First<K> {
    First { kept: None }
}

/// The aggregate made by [`first`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, First}, Close, Push};
/// let mut f: First<Vec<u8>> = aggregate::first();
/// f.send(&b"ts"[..]).unwrap();
/// assert_eq!(f.close().unwrap(), Some(b"ts".to_vec()));
/// ```
#[derive(Debug, Clone)]
pub struct First<K> {
    kept: Option<K>,
}

impl<Q, K> Push<&Q> for First<K>
where
    Q: ?Sized + ToOwned<Owned = K>,
{
    #[inline]
    fn send(&mut self, item: &Q) -> Result<(), PipelineError> {
        if self.kept.is_none() {
            self.kept = Some(item.to_owned());
        }
        Ok(())
    }
}

impl<K> Close for First<K> {
    type Output = Option<K>;

    fn close(self) -> Result<Option<K>, PipelineError> {
        Ok(self.kept)
    }
}

/// Keeps an owned copy of the last item, sent by reference, reusing one allocation.
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed(["x", "y"], aggregate::last()).unwrap(), Some("y".to_string()));
/// ```
pub fn last<K>() -> Last<K> {
    Last { kept: None }
}

/// The aggregate made by [`last`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, Last}, Close, Push};
/// let mut l: Last<String> = aggregate::last();
/// l.send("a").unwrap();
/// l.send("b").unwrap();
/// assert_eq!(l.close().unwrap().as_deref(), Some("b"));
/// ```
#[derive(Debug, Clone)]
pub struct Last<K> {
    kept: Option<K>,
}

impl<Q, K> Push<&Q> for Last<K>
where
    Q: ?Sized + ToOwned<Owned = K>,
{
    #[inline]
    fn send(&mut self, item: &Q) -> Result<(), PipelineError> {
        match &mut self.kept {
            Some(kept) => item.clone_into(kept),
            None => self.kept = Some(item.to_owned()),
        }
        Ok(())
    }
}

impl<K> Close for Last<K> {
    type Output = Option<K>;

    fn close(self) -> Result<Option<K>, PipelineError> {
        Ok(self.kept)
    }
}

/// Keeps the first `n` items, in order, and drops the rest (counting them is a
/// [`count`]'s job, side by side in a [`broadcast`](crate::pipeline::push::broadcast)).
///
/// ```
/// use volley_flow::pipeline::{aggregate, feed};
/// assert_eq!(feed(10..100, aggregate::first_n(3)).unwrap(), vec![10, 11, 12]);
/// ```
pub fn first_n<T>(n: usize) -> FirstN<T> {
    FirstN {
        n,
        kept: Vec::with_capacity(n.min(1024)),
    }
}

/// The aggregate made by [`first_n`].
///
/// ```
/// use volley_flow::pipeline::{aggregate::{self, FirstN}, Close, Push};
/// let mut f: FirstN<u8> = aggregate::first_n(1);
/// f.send(4).unwrap();
/// f.send(5).unwrap();
/// assert_eq!(f.close().unwrap(), vec![4]);
/// ```
#[derive(Debug, Clone)]
pub struct FirstN<T> {
    n: usize,
    kept: Vec<T>,
}

impl<T> Push<T> for FirstN<T> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), PipelineError> {
        if self.kept.len() < self.n {
            self.kept.push(item);
        }
        Ok(())
    }
}

impl<T> Close for FirstN<T> {
    type Output = Vec<T>;

    fn close(self) -> Result<Vec<T>, PipelineError> {
        Ok(self.kept)
    }
}
