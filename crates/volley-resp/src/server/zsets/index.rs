//! The sorted-set value: a member -> score map for O(1) lookups beside an order-statistics
//! tree (a treap whose nodes count their subtree) ordered by (score, member), so rank, select
//! and range bounds are O(log n) and a range of k members costs O(k log n).

use std::cmp::Ordering;
use std::collections::HashMap;

const NIL: usize = usize::MAX;

/// Redis's order: by score, then by member bytes. Scores are never NaN; `-0` equals `0`.
pub fn order(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    a_score
        .partial_cmp(&b_score)
        .unwrap_or(Ordering::Equal)
        .then_with(|| a_member.cmp(b_member))
}

#[derive(Clone)]
struct Node {
    member: Vec<u8>,
    score: f64,
    priority: u64,
    size: usize,
    left: usize,
    right: usize,
}

/// The ordered index: nodes in an arena, freed slots reused.
#[derive(Default, Clone)]
struct Tree {
    nodes: Vec<Node>,
    free: Vec<usize>,
    root: Option<usize>,
    seed: u64,
}

impl Tree {
    fn root(&self) -> usize {
        self.root.unwrap_or(NIL)
    }

    fn size(&self, node: usize) -> usize {
        if node == NIL {
            0
        } else {
            self.nodes[node].size
        }
    }

    fn update(&mut self, node: usize) {
        let (left, right) = (self.nodes[node].left, self.nodes[node].right);
        self.nodes[node].size = 1 + self.size(left) + self.size(right);
    }

    fn next_priority(&mut self) -> u64 {
        // splitmix64: good enough spread for treap priorities.
        self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Splits `tree` into the nodes for which `before` holds (a prefix) and the rest.
    fn split(&mut self, tree: usize, before: &dyn Fn(f64, &[u8]) -> bool) -> (usize, usize) {
        if tree == NIL {
            return (NIL, NIL);
        }
        let node = &self.nodes[tree];
        if before(node.score, &node.member) {
            let (left, right) = self.split(node.right, before);
            self.nodes[tree].right = left;
            self.update(tree);
            (tree, right)
        } else {
            let (left, right) = self.split(node.left, before);
            self.nodes[tree].left = right;
            self.update(tree);
            (left, tree)
        }
    }

    fn merge(&mut self, a: usize, b: usize) -> usize {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a].priority > self.nodes[b].priority {
            let right = self.merge(self.nodes[a].right, b);
            self.nodes[a].right = right;
            self.update(a);
            a
        } else {
            let left = self.merge(a, self.nodes[b].left);
            self.nodes[b].left = left;
            self.update(b);
            b
        }
    }

    fn set_root(&mut self, root: usize) {
        self.root = (root != NIL).then_some(root);
    }

    fn insert(&mut self, member: Vec<u8>, score: f64) {
        let priority = self.next_priority();
        let node = Node {
            member,
            score,
            priority,
            size: 1,
            left: NIL,
            right: NIL,
        };
        let index = match self.free.pop() {
            Some(slot) => {
                self.nodes[slot] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        };
        let (s, m) = (score, self.nodes[index].member.clone());
        let (left, right) = self.split(self.root(), &|sc, mb| order(sc, mb, s, &m).is_lt());
        let joined = self.merge(left, index);
        let root = self.merge(joined, right);
        self.set_root(root);
    }

    fn remove(&mut self, member: &[u8], score: f64) {
        let (left, rest) = self.split(self.root(), &|s, m| order(s, m, score, member).is_lt());
        let (found, right) = self.split(rest, &|s, m| order(s, m, score, member).is_le());
        self.release(found);
        let root = self.merge(left, right);
        self.set_root(root);
    }

    /// Frees every node of a detached subtree.
    fn release(&mut self, tree: usize) {
        let mut stack = vec![tree];
        while let Some(node) = stack.pop() {
            if node == NIL {
                continue;
            }
            stack.push(self.nodes[node].left);
            stack.push(self.nodes[node].right);
            self.nodes[node].member = Vec::new();
            self.free.push(node);
        }
    }

    /// How many leading nodes satisfy `before` (which holds for a prefix of the order).
    fn count_before(&self, before: &dyn Fn(f64, &[u8]) -> bool) -> usize {
        let (mut node, mut count) = (self.root(), 0);
        while node != NIL {
            let n = &self.nodes[node];
            if before(n.score, &n.member) {
                count += self.size(n.left) + 1;
                node = n.right;
            } else {
                node = n.left;
            }
        }
        count
    }

    fn select(&self, mut rank: usize) -> Option<&Node> {
        let mut node = self.root();
        while node != NIL {
            let n = &self.nodes[node];
            let left = self.size(n.left);
            match rank.cmp(&left) {
                Ordering::Less => node = n.left,
                Ordering::Equal => return Some(n),
                Ordering::Greater => {
                    rank -= left + 1;
                    node = n.right;
                }
            }
        }
        None
    }
}

/// A sorted set: members ordered by score, then by member bytes, as Redis orders them.
#[derive(Default, Clone)]
pub struct SortedSet {
    scores: HashMap<Vec<u8>, f64>,
    tree: Tree,
}

impl SortedSet {
    /// Sets `member`'s score; answers whether it was added (not just updated).
    pub fn insert(&mut self, member: Vec<u8>, score: f64) -> bool {
        match self.scores.get_mut(&member) {
            Some(old) => {
                // As Redis: an equal score (`-0` equals `0`) changes nothing.
                if *old != score {
                    let previous = *old;
                    *old = score;
                    self.tree.remove(&member, previous);
                    self.tree.insert(member, score);
                }
                false
            }
            None => {
                self.scores.insert(member.clone(), score);
                self.tree.insert(member, score);
                true
            }
        }
    }

    /// Removes `member`; answers its score if it was there.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.scores.remove(member)?;
        self.tree.remove(member, score);
        Some(score)
    }

    /// The score of `member`, if present.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// The 0-based rank of `member`, lowest score first.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        Some(
            self.tree
                .count_before(&|s, m| order(s, m, score, member).is_lt()),
        )
    }

    /// The member and score at `rank` (0 is the lowest).
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        self.tree
            .select(rank)
            .map(|node| (node.member.as_slice(), node.score))
    }

    /// How many leading members satisfy `before`, a predicate that holds for a prefix of the
    /// order (e.g. "score below 3").
    pub fn count_before(&self, before: &dyn Fn(f64, &[u8]) -> bool) -> usize {
        self.tree.count_before(before)
    }

    /// Removes the members of ranks `start..end` (clamped); answers how many went.
    pub fn remove_ranks(&mut self, start: usize, end: usize) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        let doomed: Vec<Vec<u8>> = (start..end)
            .filter_map(|rank| self.get(rank).map(|(m, _)| m.to_vec()))
            .collect();
        for member in &doomed {
            self.remove(member);
        }
        doomed.len()
    }

    /// Removes and answers the lowest (`max` false) or highest member.
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        let rank = if max { self.len().checked_sub(1)? } else { 0 };
        let member = self.get(rank)?.0.to_vec();
        let score = self.remove(&member)?;
        Some((member, score))
    }

    /// Every member and score, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        (0..self.len()).filter_map(move |rank| self.get(rank))
    }

    /// Every member and score, in no particular order (cheaper than [`SortedSet::iter`]).
    pub fn entries(&self) -> impl Iterator<Item = (&Vec<u8>, f64)> + '_ {
        self.scores.iter().map(|(m, s)| (m, *s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_redis_order_and_ranks() {
        let mut set = SortedSet::default();
        for (i, m) in ["d", "a", "c", "b", "e"].iter().enumerate() {
            assert!(set.insert(m.as_bytes().to_vec(), (i % 2) as f64));
        }
        // scores: d=0 a=1 c=0 b=1 e=0 -> c d e (0) then a b (1)
        let order: Vec<&[u8]> = set.iter().map(|(m, _)| m).collect();
        assert_eq!(order, [b"c", b"d", b"e", b"a", b"b"]);
        assert_eq!(set.rank(b"a"), Some(3));
        assert!(!set.insert(b"a".to_vec(), -1.0));
        assert_eq!(set.rank(b"a"), Some(0));
        assert_eq!(set.remove(b"c"), Some(0.0));
        assert_eq!(set.len(), 4);
        assert_eq!(set.count_before(&|s, _| s < 0.5), 3);
        assert_eq!(set.pop(true), Some((b"b".to_vec(), 1.0)));
        assert_eq!(set.remove_ranks(0, 10), 3);
        assert!(set.is_empty());
    }

    #[test]
    fn many_members_stay_consistent() {
        let mut set = SortedSet::default();
        for i in 0..2000u32 {
            set.insert(i.to_be_bytes().to_vec(), f64::from((i * 7919) % 1000));
        }
        for i in (0..2000u32).step_by(3) {
            set.remove(&i.to_be_bytes());
        }
        let items: Vec<(Vec<u8>, f64)> = set.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(items.len(), set.len());
        assert!(items
            .windows(2)
            .all(|w| order(w[0].1, &w[0].0, w[1].1, &w[1].0).is_lt()));
        for (rank, (member, _)) in items.iter().enumerate() {
            assert_eq!(set.rank(member), Some(rank));
        }
    }
}
