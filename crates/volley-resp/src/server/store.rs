//! The keyspace: every value type the server serves, and key expiry.
//!
//! Keys live in an insertion-ordered map, so a random key is one index away and `SCAN` walks
//! positions; deadlines are Unix milliseconds, as Redis keeps them, indexed in one ordered set
//! that holds at most one entry per key (setting a new deadline replaces the old one; removing
//! the key removes it).

pub use super::streams::Stream;
use super::unix_time::UnixClock;
pub use super::zsets::SortedSet;
use indexmap::{IndexMap, IndexSet};
use std::collections::{BTreeSet, VecDeque};

/// A value stored under a key.
#[derive(Clone)]
pub enum Value {
    /// A string (also what INCR reads as a number).
    Str(Vec<u8>),
    /// A list (LPUSH/RPUSH/LPOP/RPOP/LRANGE).
    List(VecDeque<Vec<u8>>),
    /// A set (SADD/SPOP/SCARD): positions make a random member O(1).
    Set(IndexSet<Vec<u8>>),
    /// A hash (HSET/HGET): positions make a random field O(1).
    Hash(IndexMap<Vec<u8>, Vec<u8>>),
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

    /// The type name `TYPE` answers.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Hash(_) => "hash",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }
}

struct Entry {
    value: Value,
    expires_at: Option<i64>,
}

/// A key and what `SCAN` found under it.
pub(crate) type Found<'s> = (&'s [u8], &'s Value);

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
    keys: IndexMap<Vec<u8>, Entry>,
    deadlines: BTreeSet<(i64, Vec<u8>)>,
    random_state: u64,
    /// Where deadlines are measured from: the server's calendar.
    unix: UnixClock,
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
            keys: IndexMap::new(),
            deadlines: BTreeSet::new(),
            random_state: 0x9E37_79B9_7F4A_7C15,
            unix: UnixClock::system(),
            expired: Vec::new(),
        }
    }

    /// An empty keyspace whose deadlines are measured on `unix` (a scheduler's calendar).
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_resp::server::{Store, UnixClock, SIMULATED_START_MILLIS};
    /// let store = Store::with_clock(UnixClock::of(&Scheduler::simulated(0).clock()));
    /// assert_eq!(store.now_millis(), SIMULATED_START_MILLIS);
    /// ```
    pub fn with_clock(unix: UnixClock) -> Self {
        Store {
            unix,
            ..Store::new()
        }
    }

    /// The time deadlines are compared with: Unix milliseconds by the store's clock.
    ///
    /// ```
    /// use volley_resp::server::Store;
    /// assert!(Store::new().now_millis() > 1_700_000_000_000);
    /// ```
    pub fn now_millis(&self) -> i64 {
        self.unix.millis()
    }

    /// The calendar the store's deadlines are measured on.
    ///
    /// ```
    /// use volley_resp::server::Store;
    /// assert!(!Store::new().clock().is_simulated());
    /// ```
    pub fn clock(&self) -> &UnixClock {
        &self.unix
    }

    /// Removes `key` and its deadline; answers its value and deadline.
    fn unlink(&mut self, key: &[u8]) -> Option<(Value, Option<i64>)> {
        let entry = self.keys.swap_remove(key)?;
        if let Some(at) = entry.expires_at {
            self.deadlines.remove(&(at, key.to_vec()));
        }
        Some((entry.value, entry.expires_at))
    }

    /// The position of `key` if it is live; drops it if its time is up. One lookup.
    fn live_index(&mut self, key: &[u8]) -> Option<usize> {
        let (index, _, entry) = self.keys.get_full(key)?;
        match entry.expires_at {
            Some(at) if at <= self.now_millis() => {
                self.unlink(key);
                self.expired.push(key.to_vec());
                None
            }
            _ => Some(index),
        }
    }

    /// Drops `key` if its time is up; answers whether it is (still) there.
    fn live(&mut self, key: &[u8]) -> bool {
        self.live_index(key).is_some()
    }

    /// The value under `key`, if any.
    pub(crate) fn get(&mut self, key: &[u8]) -> Option<&Value> {
        let index = self.live_index(key)?;
        self.keys.get_index(index).map(|(_, entry)| &entry.value)
    }

    /// The value under `key` without expiring it (callers looked it up with [`Store::get`]
    /// first).
    pub(crate) fn peek(&self, key: &[u8]) -> Option<&Value> {
        self.keys.get(key).map(|entry| &entry.value)
    }

    /// The value under `key`, mutable, if any.
    pub(crate) fn get_mut(&mut self, key: &[u8]) -> Option<&mut Value> {
        let index = self.live_index(key)?;
        self.keys
            .get_index_mut(index)
            .map(|(_, entry)| &mut entry.value)
    }

    /// The value under `key`, made by `make` first if the key is absent.
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: &[u8],
        make: impl FnOnce() -> Value,
    ) -> &mut Value {
        let index = match self.live_index(key) {
            Some(index) => index,
            None => {
                let entry = Entry {
                    value: make(),
                    expires_at: None,
                };
                self.keys.insert_full(key.to_vec(), entry).0
            }
        };
        match self.keys.get_index_mut(index) {
            Some((_, entry)) => &mut entry.value,
            None => unreachable!("the index was just found or made"),
        }
    }

    /// Stores `value` under `key`, replacing any value; the deadline is `expires_at` (Unix
    /// milliseconds), or the key's current one if `keep_ttl`, or none. One lookup.
    pub(crate) fn set(
        &mut self,
        key: Vec<u8>,
        value: Value,
        expires_at: Option<i64>,
        keep_ttl: bool,
    ) {
        let now = self.now_millis();
        match self.keys.entry(key) {
            indexmap::map::Entry::Occupied(mut slot) => {
                let old = slot.get().expires_at;
                // A deadline already past belongs to a key that is gone: nothing to keep.
                let live_old = old.filter(|at| *at > now);
                let new = match expires_at {
                    Some(at) => Some(at),
                    None if keep_ttl => live_old,
                    None => None,
                };
                if old != new {
                    if let Some(at) = old {
                        self.deadlines.remove(&(at, slot.key().clone()));
                    }
                    if let Some(at) = new {
                        self.deadlines.insert((at, slot.key().clone()));
                    }
                }
                let entry = slot.get_mut();
                entry.value = value;
                entry.expires_at = new;
            }
            indexmap::map::Entry::Vacant(slot) => {
                if let Some(at) = expires_at {
                    self.deadlines.insert((at, slot.key().clone()));
                }
                slot.insert(Entry { value, expires_at });
            }
        }
    }

    /// Removes `key`; answers whether it was there.
    pub(crate) fn remove(&mut self, key: &[u8]) -> bool {
        self.live(key) && self.unlink(key).is_some()
    }

    /// Removes `key` and answers its value and deadline, if it was there.
    pub(crate) fn take(&mut self, key: &[u8]) -> Option<(Value, Option<i64>)> {
        if !self.live(key) {
            return None;
        }
        self.unlink(key)
    }

    /// Removes `key` if it holds an emptied container, as Redis does after a pop.
    pub(crate) fn remove_if_empty(&mut self, key: &[u8]) {
        if self
            .keys
            .get(key)
            .is_some_and(|e| e.value.is_empty_container())
        {
            self.unlink(key);
        }
    }

    /// Whether `key` exists.
    pub(crate) fn contains(&mut self, key: &[u8]) -> bool {
        self.live(key)
    }

    /// Gives `key` the deadline `at` (Unix milliseconds), or deletes it if that has passed;
    /// answers whether the key exists.
    pub(crate) fn expire_at(&mut self, key: &[u8], at: i64) -> bool {
        if !self.live(key) {
            return false;
        }
        if at <= self.now_millis() {
            self.unlink(key);
            return true;
        }
        if let Some(entry) = self.keys.get_mut(key) {
            if let Some(old) = entry.expires_at.replace(at) {
                self.deadlines.remove(&(old, key.to_vec()));
            }
            self.deadlines.insert((at, key.to_vec()));
        }
        true
    }

    /// Takes away `key`'s deadline; answers whether it had one.
    pub(crate) fn persist(&mut self, key: &[u8]) -> bool {
        if !self.live(key) {
            return false;
        }
        match self.keys.get_mut(key).and_then(|e| e.expires_at.take()) {
            Some(at) => {
                self.deadlines.remove(&(at, key.to_vec()));
                true
            }
            None => false,
        }
    }

    /// The deadline of `key` (Unix milliseconds): `None` if absent, `Some(None)` if it never
    /// expires.
    pub(crate) fn deadline(&mut self, key: &[u8]) -> Option<Option<i64>> {
        if !self.live(key) {
            return None;
        }
        self.keys.get(key).map(|entry| entry.expires_at)
    }

    /// A random live key, if any (expired keys met on the way are dropped).
    pub(crate) fn random_key(&mut self) -> Option<Vec<u8>> {
        // Past this many expired picks in a row, stop dropping and answer one anyway, as Redis.
        for _ in 0..100 {
            if self.keys.is_empty() {
                return None;
            }
            let index = (self.random() % self.keys.len() as u64) as usize;
            let (key, _) = self.keys.get_index(index)?;
            let key = key.clone();
            if self.live(&key) {
                return Some(key);
            }
        }
        let index = (self.random() % self.keys.len().max(1) as u64) as usize;
        self.keys.get_index(index).map(|(key, _)| key.clone())
    }

    /// One `SCAN` step over positions (see [`walk`](super::scan::walk)): calls `visit` with
    /// each live key met; answers the next cursor (0 when done).
    pub(crate) fn scan<'s>(
        &'s self,
        cursor: u64,
        count: usize,
        mut visit: impl FnMut(Found<'s>),
    ) -> u64 {
        let now = self.now_millis();
        super::scan::walk(self.keys.len(), cursor, count, |position| {
            if let Some((key, entry)) = self.keys.get_index(position) {
                if entry.expires_at.is_none_or(|at| at > now) {
                    visit((key, &entry.value));
                }
            }
        })
    }

    /// Every live key, in no particular order.
    pub(crate) fn live_keys(&self) -> impl Iterator<Item = &[u8]> {
        let now = self.now_millis();
        self.keys
            .iter()
            .filter(move |(_, e)| e.expires_at.is_none_or(|at| at > now))
            .map(|(key, _)| key.as_slice())
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
        self.deadlines.len()
    }

    /// How many entries the expiry index holds: one per key with a deadline, never more.
    ///
    /// ```
    /// use volley_resp::server::Session;
    /// let mut session = Session::new();
    /// session.command(&["SET", "k", "v"]);
    /// for _ in 0..3 {
    ///     session.command(&["EXPIRE", "k", "100"]);
    /// }
    /// assert_eq!(session.server.dbs[0].deadline_entries(), 1);
    /// session.command(&["DEL", "k"]);
    /// assert_eq!(session.server.dbs[0].deadline_entries(), 0);
    /// ```
    pub fn deadline_entries(&self) -> usize {
        self.deadlines.len()
    }

    /// Drops every key.
    pub(crate) fn clear(&mut self) {
        self.keys = IndexMap::new();
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
        let now = self.now_millis();
        let mut purged = 0;
        while purged < budget {
            match self.deadlines.first() {
                Some((at, _)) if *at <= now => {}
                _ => break,
            }
            let Some((_, key)) = self.deadlines.pop_first() else {
                break;
            };
            self.keys.swap_remove(&key);
            self.expired.push(key);
            purged += 1;
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
