//! The stream value: entries by id in a B-tree (O(log n) seeks for ranges), and a model of
//! how Redis packs them into nodes (at most `stream-node-max-entries` entries and about
//! `stream-node-max-bytes` bytes each), because approximate trimming (`MAXLEN ~`) removes
//! whole nodes only and Redis's answers depend on where those boundaries fall.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;

/// A stream entry id, `ms-seq`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    /// Milliseconds since the epoch (or as given).
    pub ms: u64,
    /// Sequence within the millisecond.
    pub seq: u64,
}

impl StreamId {
    /// The smallest id, `0-0`.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest id.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// The id right after this one, if any.
    pub fn next(self) -> Option<StreamId> {
        match self.seq.checked_add(1) {
            Some(seq) => Some(StreamId { ms: self.ms, seq }),
            None => self.ms.checked_add(1).map(|ms| StreamId { ms, seq: 0 }),
        }
    }

    /// The id right before this one, if any.
    pub fn prev(self) -> Option<StreamId> {
        match self.seq.checked_sub(1) {
            Some(seq) => Some(StreamId { ms: self.ms, seq }),
            None => self
                .ms
                .checked_sub(1)
                .map(|ms| StreamId { ms, seq: u64::MAX }),
        }
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// The field/value pairs of one stream entry.
pub type StreamFields = Vec<(Vec<u8>, Vec<u8>)>;

/// One packed node, as Redis would hold it: ids appended to it, live and ever appended.
#[derive(Clone, Copy, Debug)]
struct Node {
    first: StreamId,
    last: StreamId,
    live: usize,
    appended: usize,
    bytes: usize,
}

/// How a trim decides what goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    /// Keep at most this many entries.
    MaxLen(usize),
    /// Drop the entries below this id.
    MinId(StreamId),
}

/// How big Redis packs nodes (`stream-node-max-entries`, `stream-node-max-bytes`; 0: no limit).
#[derive(Clone, Copy, Debug)]
pub struct NodeLimits {
    /// Entries per node.
    pub entries: usize,
    /// Bytes per node.
    pub bytes: usize,
}

/// An append-only log of field/value entries.
#[derive(Default, Clone)]
pub struct Stream {
    entries: BTreeMap<StreamId, StreamFields>,
    nodes: VecDeque<Node>,
    last: StreamId,
    max_deleted: StreamId,
    added: u64,
    /// The consumer groups, by name.
    pub(crate) groups: BTreeMap<Vec<u8>, super::groups::Group>,
}

/// About what an entry costs in a packed node.
fn entry_bytes(fields: &StreamFields) -> usize {
    fields
        .iter()
        .map(|(f, v)| f.len() + v.len() + 4)
        .sum::<usize>()
        + 8
}

impl Stream {
    /// The id of the newest entry ever added, or as XSETID set it (`0-0` for a new stream).
    pub fn last_id(&self) -> StreamId {
        self.last
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// How many entries were ever added (`entries-added`).
    pub fn entries_added(&self) -> u64 {
        self.added
    }

    /// The largest id ever deleted by XDEL (`max-deleted-entry-id`).
    pub fn max_deleted(&self) -> StreamId {
        self.max_deleted
    }

    /// How many packed nodes (`radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Whether an entry at or after `start` was deleted (a group's read counter can then no
    /// longer be trusted to count what is left).
    pub fn has_tombstones_from(&self, start: StreamId) -> bool {
        if self.entries.is_empty() || self.max_deleted == StreamId::MIN {
            return false;
        }
        self.first_id() <= self.max_deleted && start <= self.max_deleted
    }

    /// How many entries were added up to and including `id`, when that can be known (Redis's
    /// estimate of a group's read counter).
    pub fn entries_up_to(&self, id: StreamId) -> Option<u64> {
        if self.added == 0 {
            return Some(0);
        }
        if self.entries.is_empty() && id <= self.last {
            return Some(self.added);
        }
        match id.cmp(&self.last) {
            std::cmp::Ordering::Equal => return Some(self.added),
            std::cmp::Ordering::Greater => return None,
            std::cmp::Ordering::Less => {}
        }
        let first = self.first_id();
        let len = self.entries.len() as u64;
        if self.max_deleted == StreamId::MIN || self.max_deleted < first {
            if id < first {
                return Some(self.added - len);
            }
            if id == first {
                return Some(self.added - len + 1);
            }
        }
        None
    }

    /// The group `name` and the entries together (to deliver them).
    pub(crate) fn group_and_entries(
        &mut self,
        name: &[u8],
    ) -> Option<(&mut super::groups::Group, &BTreeMap<StreamId, StreamFields>)> {
        let group = self.groups.get_mut(name)?;
        Some((group, &self.entries))
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&StreamId, &StreamFields)> {
        self.entries.first_key_value()
    }

    /// The last entry.
    pub fn last(&self) -> Option<(&StreamId, &StreamFields)> {
        self.entries.last_key_value()
    }

    /// The id of the first live entry, `0-0` when empty (`recorded-first-entry-id`).
    pub fn first_id(&self) -> StreamId {
        self.first().map_or(StreamId::MIN, |(id, _)| *id)
    }

    /// Appends an entry with `id`, which the caller checked is above [`Stream::last_id`].
    pub fn append(&mut self, id: StreamId, fields: StreamFields, limits: NodeLimits) {
        let bytes = entry_bytes(&fields);
        let fits = self.nodes.back().is_some_and(|node| {
            (limits.bytes == 0 || node.bytes + bytes < limits.bytes)
                && (limits.entries == 0 || node.appended < limits.entries)
        });
        match self.nodes.back_mut() {
            Some(node) if fits => {
                node.last = id;
                node.live += 1;
                node.appended += 1;
                node.bytes += bytes;
            }
            _ => self.nodes.push_back(Node {
                first: id,
                last: id,
                live: 1,
                appended: 1,
                bytes,
            }),
        }
        self.entries.insert(id, fields);
        self.last = id;
        self.added += 1;
    }

    /// Sets what XSETID sets.
    pub fn set_last(&mut self, id: StreamId, added: Option<u64>, max_deleted: Option<StreamId>) {
        self.last = id;
        if let Some(added) = added {
            self.added = added;
        }
        if let Some(max_deleted) = max_deleted {
            self.max_deleted = max_deleted;
        }
    }

    /// The index of the node holding `id`.
    fn node_of(&self, id: StreamId) -> Option<usize> {
        self.nodes
            .partition_point(|node| node.first <= id)
            .checked_sub(1)
    }

    /// Deletes one entry; answers whether it was there.
    pub fn delete(&mut self, id: StreamId) -> bool {
        if self.entries.remove(&id).is_none() {
            return false;
        }
        if let Some(at) = self.node_of(id) {
            self.nodes[at].live -= 1;
            if self.nodes[at].live == 0 {
                self.nodes.remove(at);
            }
        }
        if id > self.max_deleted {
            self.max_deleted = id;
        }
        true
    }

    /// Trims as Redis's `streamTrim`: whole nodes from the oldest while the rule allows, then
    /// (unless `approx`) single entries of the next node. With `limit` (non-zero), stops
    /// before removing more entries than that. Answers how many entries went.
    pub fn trim(&mut self, rule: Trim, approx: bool, limit: usize) -> usize {
        let mut removed = 0;
        while let Some(node) = self.nodes.front().copied() {
            let len = self.entries.len();
            let done = match rule {
                Trim::MaxLen(max) => len <= max,
                Trim::MinId(_) => false,
            };
            if done || (limit > 0 && removed + node.live > limit) {
                break;
            }
            let whole = match rule {
                Trim::MaxLen(max) => len - node.live >= max,
                Trim::MinId(min) => node.last < min,
            };
            if whole {
                for _ in 0..node.live {
                    self.entries.pop_first();
                }
                self.nodes.pop_front();
                removed += node.live;
                continue;
            }
            if approx {
                break;
            }
            // Exact: single entries of this node, oldest first.
            while let Some((&id, _)) = self.entries.first_key_value() {
                let stop = match rule {
                    Trim::MaxLen(max) => self.entries.len() <= max,
                    Trim::MinId(min) => id >= min,
                };
                if stop || id > node.last {
                    break;
                }
                self.entries.pop_first();
                removed += 1;
                if let Some(front) = self.nodes.front_mut() {
                    front.live -= 1;
                    if front.live == 0 {
                        self.nodes.pop_front();
                    }
                }
            }
            break;
        }
        removed
    }

    /// The entries with ids in `from..=to`, oldest first (or newest first when `rev`), at most
    /// `count` of them.
    pub fn range(
        &self,
        from: StreamId,
        to: StreamId,
        rev: bool,
        count: usize,
    ) -> Vec<(StreamId, &StreamFields)> {
        if from > to {
            return Vec::new();
        }
        let span = self
            .entries
            .range((Bound::Included(from), Bound::Included(to)));
        if rev {
            span.rev().take(count).map(|(id, f)| (*id, f)).collect()
        } else {
            span.take(count).map(|(id, f)| (*id, f)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64) -> StreamId {
        StreamId { ms, seq: 0 }
    }

    fn filled(n: u64, per_node: usize) -> Stream {
        let mut stream = Stream::default();
        let limits = NodeLimits {
            entries: per_node,
            bytes: 4096,
        };
        for i in 1..=n {
            stream.append(id(i), vec![(b"f".to_vec(), b"v".to_vec())], limits);
        }
        stream
    }

    #[test]
    fn approximate_trims_remove_whole_nodes_only() {
        let mut stream = filled(1000, 100);
        assert_eq!(stream.trim(Trim::MaxLen(666), false, 0), 334);
        assert_eq!(stream.len(), 666);
        stream.trim(Trim::MaxLen(555), false, 0);
        assert_eq!(stream.len(), 555);
        stream.trim(Trim::MaxLen(444), true, 10_000);
        assert_eq!(stream.len(), 500);
        stream.trim(Trim::MaxLen(400), true, 10_000);
        assert_eq!(stream.len(), 400);
    }

    #[test]
    fn limits_and_min_ids() {
        let mut stream = filled(102, 1);
        stream.trim(Trim::MaxLen(1), true, 100);
        assert_eq!(stream.len(), 2);
        let mut stream = filled(5, 100);
        stream.trim(Trim::MinId(id(3)), false, 0);
        assert_eq!(stream.first_id(), id(3));
        assert!(stream.delete(id(4)));
        assert!(!stream.delete(id(4)));
        assert_eq!(stream.max_deleted(), id(4));
        assert_eq!(stream.range(id(0), id(9), true, 10).len(), 2);
    }
}
