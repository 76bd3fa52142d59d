//! The keyspace: every value type the server serves, and key expiry.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// A value stored under a key.
pub enum Value {
    /// A string (also what INCR reads as a number).
    Str(Vec<u8>),
    /// A list (LPUSH/RPUSH/LPOP/RPOP/LRANGE).
    List(VecDeque<Vec<u8>>),
    /// A set (SADD/SPOP/SCARD).
    Set(HashSet<Vec<u8>>),
    /// A hash (HSET/HGET).
    Hash(HashMap<Vec<u8>, Vec<u8>>),
    /// A sorted set (ZADD/ZPOPMIN).
    ZSet(SortedSet),
    /// A stream (XADD).
    Stream(Stream),
}

impl Value {
    /// Whether a container is empty, in which case Redis deletes its key.
    pub fn is_empty_container(&self) -> bool {
        match self {
            Value::Str(_) => false,
            Value::List(list) => list.is_empty(),
            Value::Set(set) => set.is_empty(),
            Value::Hash(hash) => hash.is_empty(),
            Value::ZSet(zset) => zset.is_empty(),
            Value::Stream(_) => false,
        }
    }
}

struct Entry {
    value: Value,
    expires_at: Option<Instant>,
}

/// All keys of one database, with lazy expiry on access and an active sweep.
///
/// A server has [`DATABASES`](super::DATABASES) of them in its [`ServerState`](super::ServerState);
/// commands reach the selected one through [`Ctx::db`](super::Ctx::db).
///
/// ```
/// use volley_resp::server::Session;
///
/// let mut session = Session::new();
/// assert_eq!(session.command(&["SET", "k", "v"]), b"+OK\r\n");
/// assert_eq!(session.command(&["GET", "k"]), b"$1\r\nv\r\n");
/// assert_eq!(session.server.dbs[0].key_count(), 1);
/// ```
pub struct Store {
    keys: HashMap<Vec<u8>, Entry>,
    deadlines: BinaryHeap<Reverse<(Instant, Vec<u8>)>>,
    random_state: u64,
    /// Keys removed because their time was up, since [`Store::take_expired`] last took them.
    expired: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("keys", &self.keys.len())
            .field("deadlines", &self.deadlines.len())
            .finish_non_exhaustive()
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    /// An empty keyspace.
    pub fn new() -> Self {
        Store {
            keys: HashMap::new(),
            deadlines: BinaryHeap::new(),
            random_state: 0x9E37_79B9_7F4A_7C15,
            expired: Vec::new(),
        }
    }

    /// Drops `key` if its time is up; answers whether it is (still) there.
    fn live(&mut self, key: &[u8]) -> bool {
        let expired = match self.keys.get(key) {
            None => return false,
            Some(Entry {
                expires_at: Some(at),
                ..
            }) => *at <= Instant::now(),
            Some(_) => false,
        };
        if expired {
            if let Some((key, _)) = self.keys.remove_entry(key) {
                self.expired.push(key);
            }
        }
        !expired
    }

    /// The value under `key`, if any.
    pub(crate) fn get(&mut self, key: &[u8]) -> Option<&Value> {
        if !self.live(key) {
            return None;
        }
        self.keys.get(key).map(|entry| &entry.value)
    }

    /// The value under `key`, mutable, if any.
    pub(crate) fn get_mut(&mut self, key: &[u8]) -> Option<&mut Value> {
        if !self.live(key) {
            return None;
        }
        self.keys.get_mut(key).map(|entry| &mut entry.value)
    }

    /// The value under `key`, made by `make` first if the key is absent.
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: &[u8],
        make: impl FnOnce() -> Value,
    ) -> &mut Value {
        if !self.live(key) {
            self.keys.insert(
                key.to_vec(),
                Entry {
                    value: make(),
                    expires_at: None,
                },
            );
        }
        match self.keys.get_mut(key) {
            Some(entry) => &mut entry.value,
            None => unreachable!("the key was inserted just above"),
        }
    }

    /// Stores `value` under `key`, replacing any value and its time to live unless `keep_ttl`.
    pub(crate) fn set(
        &mut self,
        key: Vec<u8>,
        value: Value,
        expires_at: Option<Instant>,
        keep_ttl: bool,
    ) {
        let kept = if keep_ttl && self.live(&key) {
            self.keys.get(&key).and_then(|entry| entry.expires_at)
        } else {
            None
        };
        let expires_at = expires_at.or(kept);
        if let Some(at) = expires_at {
            self.deadlines.push(Reverse((at, key.clone())));
        }
        self.keys.insert(key, Entry { value, expires_at });
    }

    /// Removes `key`; answers whether it was there.
    pub(crate) fn remove(&mut self, key: &[u8]) -> bool {
        self.live(key) && self.keys.remove(key).is_some()
    }

    /// Removes `key` if it holds an emptied container, as Redis does after a pop.
    pub(crate) fn remove_if_empty(&mut self, key: &[u8]) {
        if self
            .keys
            .get(key)
            .is_some_and(|e| e.value.is_empty_container())
        {
            self.keys.remove(key);
        }
    }

    /// Whether `key` exists.
    pub(crate) fn contains(&mut self, key: &[u8]) -> bool {
        self.live(key)
    }

    /// Gives `key` a deadline (or deletes it if the deadline has passed); answers whether the
    /// key exists.
    pub(crate) fn expire_at(&mut self, key: &[u8], at: Instant) -> bool {
        if !self.live(key) {
            return false;
        }
        if at <= Instant::now() {
            self.keys.remove(key);
            return true;
        }
        if let Some(entry) = self.keys.get_mut(key) {
            entry.expires_at = Some(at);
            self.deadlines.push(Reverse((at, key.to_vec())));
        }
        true
    }

    /// The deadline of `key`: `None` if absent, `Some(None)` if it never expires.
    pub(crate) fn deadline(&mut self, key: &[u8]) -> Option<Option<Instant>> {
        if !self.live(key) {
            return None;
        }
        self.keys.get(key).map(|entry| entry.expires_at)
    }

    /// How many keys are live.
    ///
    /// ```
    /// use volley_resp::server::Store;
    /// assert_eq!(Store::new().key_count(), 0);
    /// ```
    pub fn key_count(&mut self) -> usize {
        self.purge_expired(usize::MAX);
        self.keys.len()
    }

    /// How many keys have a time to live (`expires=` in `INFO keyspace`).
    ///
    /// ```
    /// use volley_resp::server::Store;
    /// assert_eq!(Store::new().volatile_count(), 0);
    /// ```
    pub fn volatile_count(&self) -> usize {
        self.keys
            .values()
            .filter(|e| e.expires_at.is_some())
            .count()
    }

    /// Drops every key.
    pub(crate) fn clear(&mut self) {
        self.keys.clear();
        self.deadlines.clear();
    }

    /// The keys removed because their time was up (on access or by the sweep) since the last
    /// call, oldest first: for `INFO`'s `expired_keys` and `expired` keyspace events.
    ///
    /// ```
    /// use volley_resp::server::Session;
    /// let mut session = Session::new();
    /// session.command(&["SET", "k", "v", "PX", "1"]);
    /// std::thread::sleep(std::time::Duration::from_millis(2));
    /// session.server.dbs[0].purge_expired(10);
    /// assert_eq!(session.server.dbs[0].take_expired(), [b"k".to_vec()]);
    /// ```
    pub fn take_expired(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.expired)
    }

    /// Whether keys expired since [`Store::take_expired`] last took them.
    ///
    /// ```
    /// use volley_resp::server::Store;
    /// assert!(!Store::new().has_expired());
    /// ```
    pub fn has_expired(&self) -> bool {
        !self.expired.is_empty()
    }

    /// Drops up to `budget` keys whose deadline has passed; answers how many went.
    pub fn purge_expired(&mut self, budget: usize) -> usize {
        let now = Instant::now();
        let mut purged = 0;
        while purged < budget {
            match self.deadlines.peek() {
                Some(Reverse((at, _))) if *at <= now => {}
                _ => break,
            }
            let Some(Reverse((at, key))) = self.deadlines.pop() else {
                break;
            };
            // The heap may hold stale deadlines of keys since rewritten or re-expired.
            if self
                .keys
                .get(&key)
                .is_some_and(|e| e.expires_at == Some(at))
            {
                self.keys.remove(&key);
                self.expired.push(key);
                purged += 1;
            }
        }
        purged
    }

    /// A pseudo-random number (xorshift64*), for SPOP.
    pub(crate) fn random(&mut self) -> u64 {
        let mut x = self.random_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random_state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// The time left before `deadline`, rounded to whole seconds as Redis's TTL rounds.
pub fn seconds_left(deadline: Instant) -> i64 {
    let left = deadline.saturating_duration_since(Instant::now());
    ((left.as_millis() + 500) / 1000) as i64
}

/// A sorted-set score, ordered totally (Redis refuses NaN scores before they get here).
#[derive(Clone, Copy, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Members ordered by score, then by member bytes, as Redis orders them.
#[derive(Default)]
pub struct SortedSet {
    scores: HashMap<Vec<u8>, f64>,
    order: BTreeSet<(Score, Vec<u8>)>,
}

impl SortedSet {
    /// Sets `member`'s score; answers whether it was added (not just updated).
    pub fn insert(&mut self, member: Vec<u8>, score: f64) -> bool {
        match self.scores.insert(member.clone(), score) {
            Some(old) => {
                self.order.remove(&(Score(old), member.clone()));
                self.order.insert((Score(score), member));
                false
            }
            None => {
                self.order.insert((Score(score), member));
                true
            }
        }
    }

    /// The score of `member`, if present.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Removes and answers the `count` lowest-scored members.
    pub fn pop_min(&mut self, count: usize) -> Vec<(Vec<u8>, f64)> {
        let mut popped = Vec::with_capacity(count.min(self.order.len()));
        while popped.len() < count {
            let Some((Score(score), member)) = self.order.pop_first() else {
                break;
            };
            self.scores.remove(&member);
            popped.push((member, score));
        }
        popped
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }
}

/// A stream entry id, `ms-seq`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct StreamId {
    /// Milliseconds since the epoch (or as given).
    pub ms: u64,
    /// Sequence within the millisecond.
    pub seq: u64,
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// The field/value pairs of one stream entry.
pub type StreamFields = Vec<(Vec<u8>, Vec<u8>)>;

/// An append-only log of field/value entries.
#[derive(Default)]
pub struct Stream {
    entries: VecDeque<(StreamId, StreamFields)>,
    last: StreamId,
}

impl Stream {
    /// The id of the newest entry (`0-0` when empty).
    pub fn last_id(&self) -> StreamId {
        self.last
    }

    /// Appends an entry with `id`, which the caller checked is above [`Stream::last_id`].
    pub fn append(&mut self, id: StreamId, fields: StreamFields) {
        self.last = id;
        self.entries.push_back((id, fields));
    }

    /// Drops the oldest entries until at most `max_len` are left; answers how many went.
    pub fn trim(&mut self, max_len: usize) -> usize {
        let extra = self.entries.len().saturating_sub(max_len);
        self.entries.drain(..extra);
        extra
    }
}

/// Milliseconds since the Unix epoch, for automatic stream ids.
pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

/// The instant `span` from now, or `None` when it does not fit the clock.
pub fn deadline_in(span: Duration) -> Option<Instant> {
    Instant::now().checked_add(span)
}
