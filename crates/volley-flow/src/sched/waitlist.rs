//! Wait lists: a queue of parked tasks, the building block of channels and other
//! synchronisation between tasks.

use super::reactor::lock;
use super::TaskId;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::Waker;

/// Wakes asked for outside a system call ([`WaitList::wake_later`]), carried out by the
/// scheduler at the end of the round (it derefs to the list of them), and the waker of an
/// async driver of the scheduler waiting for one (`Scheduler::run_async`).
#[derive(Default)]
pub(crate) struct Deferred {
    wakes: Mutex<Vec<(WaitList, bool)>>,
    /// How many wakes wait, written with `wakes` locked and read without the lock on every
    /// switch.
    len: AtomicUsize,
    /// Who to wake when a wake is asked for (a scheduler run by tokio, waiting).
    waker: Mutex<Option<Waker>>,
    /// Whether `waker` holds one, written and read with `wakes` locked: a push that finds
    /// none skips the waker's lock (a one-thread scheduler never has one).
    has_waker: AtomicBool,
}

impl Deferred {
    /// Asks for a wake of `list` (of every task on it if `all`).
    pub(crate) fn push(&self, list: WaitList, all: bool) {
        let has_waker = {
            let mut wakes = lock(&self.wakes);
            wakes.push((list, all));
            self.len.store(wakes.len(), Ordering::Release);
            self.has_waker.load(Ordering::Relaxed)
        };
        if has_waker {
            let waker = lock(&self.waker).take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// Whether no wake waits.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len.load(Ordering::Acquire) == 0
    }

    /// Moves the waiting wakes to the end of `out`.
    pub(crate) fn take_into(&self, out: &mut Vec<(WaitList, bool)>) {
        let mut wakes = lock(&self.wakes);
        out.append(&mut wakes);
        self.len.store(0, Ordering::Release);
    }

    /// Has `waker` woken at the next [`push`](Deferred::push) (or no one, with `None`).
    ///
    /// Set with the wakes locked: a push either comes before (and a test of
    /// [`is_empty`](Deferred::is_empty) after this sees it) or finds the waker.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn wake_on_push(&self, waker: Option<Waker>) {
        let _wakes = lock(&self.wakes);
        self.has_waker.store(waker.is_some(), Ordering::Relaxed);
        *lock(&self.waker) = waker;
    }
}

/// A queue of tasks parked until another task wakes them (a condition variable).
///
/// A task parks with [`park`](super::sync::park) and is woken, in arrival order, by
/// [`wake_one`](super::sync::wake_one) or [`wake_all`](super::sync::wake_all). Cloning a `WaitList` makes
/// another handle to the same queue. Killed or cancelled tasks are skipped by the next wake,
/// and a wake that reached a task killed before it ran is passed on to the next waiter.
///
/// A wait list is `Send` and `Sync`. A task that tests a condition and then parks can miss a
/// wake when the waker runs on another thread in between; [`Channel`](super::sync::Channel)
/// closes that gap with wait lists of its own, on which a waiter arms itself under the
/// channel's lock before it parks: a wake that finds armed waiters but nobody parked leaves a
/// permit, and the park that follows takes it and returns at once.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::sync::{park, wake_all, WaitList};
/// use volley_flow::sched::{Scheduler, TaskResume};
///
/// let gate = WaitList::new();
/// let passed = Rc::new(Cell::new(0));
/// let mut sched = Scheduler::new();
/// for _ in 0..3 {
///     let (gate, passed) = (gate.clone(), passed.clone());
///     sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///         yield_from!(park(&gate))?;
///         passed.set(passed.get() + 1);
///         Ok(())
///     })).detach();
/// }
/// let opener = gate.clone();
/// let woke = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(wake_all(&opener))?)));
/// assert_eq!(sched.join(woke).unwrap(), 3);
/// sched.run().unwrap();
/// assert_eq!(passed.get(), 3);
/// ```
#[derive(Clone, Default)]
pub struct WaitList {
    pub(crate) shared: Arc<Shared>,
}

/// What the handles of one wait list share.
#[derive(Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
    /// How many entries the queue holds, written with the state locked and read without the
    /// lock by the test for waiters that every `try_send`, `try_recv` or `Store::put` makes.
    len: AtomicUsize,
    /// How many waiters are armed: they found their condition false and are about to park.
    /// Raised without the state's lock (under the lock of the condition they tested), lowered
    /// with it held, after the waiter's entry is queued.
    armed: AtomicUsize,
    /// Who wakes the tasks parked here when the wake comes from outside a system call.
    owner: Mutex<Owner>,
    /// The address of the scheduler's [`Deferred`] when `owner` is that scheduler, else 0;
    /// written with `owner` locked. A task parking again where its scheduler already owns the
    /// list reads this instead of taking the lock. (The owner's `Weak` keeps the allocation,
    /// so the address names that scheduler for as long as it is recorded here.)
    owner_key: AtomicUsize,
    /// Whether every park here follows an [`arm`](WaitList::arm) (a channel's lists).
    arming: bool,
}

/// The queue and the permits of a wait list.
#[derive(Default)]
struct State {
    ids: VecDeque<TaskId>,
    /// Wakes that found armed waiters and nobody parked: each lets one armed waiter's park
    /// return at once. Never more than the armed waiters.
    permits: usize,
}

/// Who carries out a wake asked for outside a system call ([`WaitList::wake_later`]).
#[derive(Default, Clone)]
enum Owner {
    /// Nobody parked here yet.
    #[default]
    Nobody,
    /// A one-thread scheduler: it carries the wake out at the end of its round.
    Scheduler(Weak<Deferred>),
    /// A runtime whose wakes work from any thread (tokio): the wake is carried out at once.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    Direct(fn(&WaitList, bool) -> usize),
}

/// How a park went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parked {
    /// The task is queued: it sleeps until a wake takes it.
    Queued,
    /// An armed waiter took a permit a wake left: it goes on at once.
    Permit,
}

/// The locked state of a wait list; unlocking it records the queue's length.
pub(crate) struct Queue<'a> {
    state: MutexGuard<'a, State>,
    shared: &'a Shared,
}

impl Drop for Queue<'_> {
    #[inline]
    fn drop(&mut self) {
        self.shared
            .len
            .store(self.state.ids.len(), Ordering::Release);
    }
}

impl Queue<'_> {
    /// Parks `id` here. An `armed` waiter is disarmed, taking a permit if a wake left one
    /// (then it is not queued).
    #[inline]
    pub(crate) fn park(&mut self, id: TaskId, armed: bool) -> Parked {
        if armed && self.state.permits > 0 {
            self.state.permits -= 1;
            self.shared.armed.fetch_sub(1, Ordering::AcqRel);
            return Parked::Permit;
        }
        self.state.ids.push_back(id);
        if armed {
            // Queued before disarmed: a test for waiters that reads the lowered count (it
            // reads `armed` first) sees the entry.
            self.shared
                .len
                .store(self.state.ids.len(), Ordering::Release);
            self.shared.armed.fetch_sub(1, Ordering::AcqRel);
        }
        Parked::Queued
    }

    /// Wakes the task parked longest (every task, with `all`), skipping the entries for which
    /// `try_wake` answers `false` (tasks that left); when a wake finds nobody parked, armed
    /// waiters are left permits (one, or one each with `all`). Answers how many tasks were
    /// woken or permitted.
    #[inline]
    pub(crate) fn wake(&mut self, all: bool, mut try_wake: impl FnMut(TaskId) -> bool) -> usize {
        let mut woken = 0;
        while let Some(id) = self.state.ids.pop_front() {
            if try_wake(id) {
                woken += 1;
                if !all {
                    return woken;
                }
            }
        }
        woken + self.permit(all)
    }

    /// Leaves permits for the armed waiters that have none (one, or all of them with `all`):
    /// how many.
    #[inline]
    fn permit(&mut self, all: bool) -> usize {
        if !self.shared.arming {
            return 0;
        }
        let armed = self.shared.armed.load(Ordering::Acquire);
        let free = armed.saturating_sub(self.state.permits);
        let given = if all { free } else { free.min(1) };
        self.state.permits += given;
        given
    }

    /// Takes `id` out of the queue: whether it was there (else a wake took it out).
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn leave(&mut self, id: TaskId) -> bool {
        match self.state.ids.iter().position(|&queued| queued == id) {
            Some(at) => {
                self.state.ids.remove(at);
                true
            }
            None => false,
        }
    }

    /// The queued entries, oldest first.
    #[cfg(test)]
    fn ids(&self) -> Vec<TaskId> {
        self.state.ids.iter().copied().collect()
    }
}

impl WaitList {
    /// An empty wait list.
    ///
    /// ```
    /// # use volley_flow::sched::sync::WaitList;
    /// assert!(WaitList::new().is_empty());
    /// ```
    pub fn new() -> Self {
        WaitList::default()
    }

    /// Whether no task is parked here (entries of tasks that were killed or cancelled while
    /// parked count until a wake skips them).
    ///
    /// ```
    /// # use volley_flow::sched::sync::WaitList;
    /// assert_eq!(WaitList::new().len(), 0);
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many entries the list holds (see [`is_empty`](WaitList::is_empty)).
    ///
    /// ```
    /// # use volley_flow::sched::sync::WaitList;
    /// assert_eq!(WaitList::new().len(), 0);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.shared.len.load(Ordering::Acquire)
    }

    /// Whether a task is parked or armed on this [`arming`](WaitList::arming) list: a wake
    /// could reach someone.
    #[inline]
    pub(crate) fn has_waiters(&self) -> bool {
        // `armed` first: a waiter queues itself before it disarms.
        self.shared.armed.load(Ordering::Acquire) > 0 || !self.is_empty()
    }

    /// An empty wait list on which every park follows an [`arm`](WaitList::arm): a
    /// channel's.
    pub(crate) fn arming() -> Self {
        WaitList {
            shared: Arc::new(Shared {
                arming: true,
                ..Shared::default()
            }),
        }
    }

    /// Whether every park here follows an [`arm`](WaitList::arm): a park disarms its task.
    #[inline]
    pub(crate) fn is_arming(&self) -> bool {
        self.shared.arming
    }

    /// Arms a waiter on an [`arming`](WaitList::arming) list: the caller found its condition
    /// false, under the lock that guards the condition, and its next system call parks it
    /// here (both runtimes carry a park out at once, before anything else of the task). A wake
    /// from the arming on is not lost: it wakes the task, or leaves a permit its park takes.
    #[inline]
    pub(crate) fn arm(&self) {
        debug_assert!(
            self.shared.arming,
            "armed on a list whose parks do not disarm"
        );
        self.shared.armed.fetch_add(1, Ordering::AcqRel);
    }

    /// Asks for a wake of one (or every) task parked here, from outside a system call (for
    /// `Store::put` and the other simulation resources): the runtime the tasks parked on
    /// carries it out (a one-thread scheduler at the end of its round, tokio at once).
    #[inline]
    pub(crate) fn wake_later(&self, all: bool) {
        // Most calls find nobody waiting: keep that test inline at the caller.
        if !self.is_empty() {
            self.defer_wake(all);
        }
    }

    /// [`wake_later`](WaitList::wake_later) on an [`arming`](WaitList::arming) list (for
    /// `try_send` / `try_recv`): armed waiters get permits at once.
    #[inline]
    pub(crate) fn wake_waiters_later(&self, all: bool) {
        if self.has_waiters() {
            self.defer_wake(all);
        }
    }

    #[cold]
    #[inline(never)]
    fn defer_wake(&self, all: bool) {
        // What the owner needs, taken under its lock (the queue's lock is taken after).
        let scheduler = match &*lock(&self.shared.owner) {
            Owner::Direct(wake) => Err(*wake),
            Owner::Scheduler(deferred) => Ok(Some(deferred.upgrade())),
            Owner::Nobody => Ok(None),
        };
        match scheduler {
            Err(wake) => {
                wake(self, all);
            }
            Ok(Some(deferred)) if !self.shared.arming => {
                if let Some(deferred) = deferred {
                    deferred.push(self.clone(), all);
                }
            }
            Ok(Some(deferred)) => {
                let parked = {
                    let mut queue = self.queue();
                    if queue.state.ids.is_empty() || all {
                        queue.permit(all);
                    }
                    !queue.state.ids.is_empty()
                };
                if let (true, Some(deferred)) = (parked, deferred) {
                    deferred.push(self.clone(), all);
                }
            }
            Ok(None) => {
                self.queue().permit(all);
            }
        }
    }

    /// The state, locked.
    #[inline]
    pub(crate) fn queue(&self) -> Queue<'_> {
        Queue {
            state: lock(&self.shared.state),
            shared: &self.shared,
        }
    }

    /// Records the scheduler whose tasks park here (for [`wake_later`](WaitList::wake_later)),
    /// before the task is queued.
    #[inline]
    pub(crate) fn set_owner(&self, deferred: &Arc<Deferred>) {
        let key = Arc::as_ptr(deferred) as usize;
        if self.shared.owner_key.load(Ordering::Acquire) == key {
            return;
        }
        let mut owner = lock(&self.shared.owner);
        *owner = Owner::Scheduler(Arc::downgrade(deferred));
        self.shared.owner_key.store(key, Ordering::Release);
    }

    /// Records that the tasks parking here are woken by `wake`, from any thread.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    #[inline]
    pub(crate) fn set_direct_owner(&self, wake: fn(&WaitList, bool) -> usize) {
        let mut owner = lock(&self.shared.owner);
        if !matches!(&*owner, Owner::Direct(known) if std::ptr::fn_addr_eq(*known, wake)) {
            *owner = Owner::Direct(wake);
            self.shared.owner_key.store(0, Ordering::Release);
        }
    }

    pub(crate) fn same(&self, other: &WaitList) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl std::fmt::Debug for WaitList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitList")
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(serial: u64) -> TaskId {
        TaskId { key: 0, serial }
    }

    fn permits(list: &WaitList) -> usize {
        list.queue().state.permits
    }

    fn armed(list: &WaitList) -> usize {
        list.shared.armed.load(Ordering::Acquire)
    }

    #[test]
    fn a_wake_before_the_park_leaves_a_permit_the_park_takes() {
        let list = WaitList::arming();
        list.arm();
        assert!(list.has_waiters(), "an armed waiter counts as waiting");
        assert_eq!(
            list.queue().wake(false, |_| true),
            1,
            "the permit counts as a wake"
        );
        assert_eq!(permits(&list), 1);
        assert_eq!(list.queue().park(id(1), true), Parked::Permit);
        assert!(
            list.queue().ids().is_empty(),
            "a permitted park is not queued"
        );
        assert_eq!((permits(&list), armed(&list)), (0, 0));
        assert!(!list.has_waiters());
    }

    #[test]
    fn a_permit_is_taken_once() {
        let list = WaitList::arming();
        list.arm();
        list.arm();
        assert_eq!(list.queue().wake(false, |_| true), 1);
        assert_eq!(
            list.queue().wake(false, |_| true),
            1,
            "one permit for each armed waiter"
        );
        assert_eq!(
            list.queue().wake(false, |_| true),
            0,
            "never more permits than waiters"
        );
        assert_eq!(list.queue().park(id(1), true), Parked::Permit);
        assert_eq!(list.queue().park(id(2), true), Parked::Permit);
        list.arm();
        assert_eq!(
            list.queue().park(id(3), true),
            Parked::Queued,
            "no permit is left over"
        );
        assert_eq!(list.queue().ids(), [id(3)]);
        assert!(list.has_waiters());
        assert_eq!(armed(&list), 0);
    }

    #[test]
    fn a_parked_task_is_woken_before_a_permit_is_left() {
        let list = WaitList::arming();
        list.arm();
        assert_eq!(list.queue().park(id(1), true), Parked::Queued);
        list.arm();
        let mut woken = Vec::new();
        let count = list.queue().wake(false, |id| {
            woken.push(id);
            true
        });
        assert_eq!((count, woken, permits(&list)), (1, vec![id(1)], 0));
        // Wake all: every parked task, and a permit for every armed waiter.
        list.arm();
        list.arm();
        assert_eq!(list.queue().park(id(2), true), Parked::Queued);
        assert_eq!(list.queue().wake(true, |_| true), 3);
        assert_eq!((permits(&list), armed(&list)), (2, 2));
    }

    #[test]
    fn an_interrupted_waiter_passes_the_wake_on() {
        let list = WaitList::new();
        list.queue().park(id(1), false);
        list.queue().park(id(2), false);
        // A wake takes task 1 out of the queue as task 1 is interrupted.
        assert_eq!(list.queue().wake(false, |id| id.serial == 1), 1);
        // Task 1 finds itself gone from the queue: the wake was its, and goes to task 2.
        assert!(!list.queue().leave(id(1)));
        let mut woken = Vec::new();
        list.queue().wake(false, |id| {
            woken.push(id);
            true
        });
        assert_eq!(woken, [id(2)]);
        // An interrupted task still queued just leaves.
        list.queue().park(id(3), false);
        assert!(list.queue().leave(id(3)));
        assert!(list.is_empty());
    }

    #[test]
    fn a_wake_skips_tasks_that_left() {
        let list = WaitList::new();
        list.queue().park(id(1), false);
        list.queue().park(id(2), false);
        let mut tried = Vec::new();
        let woken = list.queue().wake(false, |id| {
            tried.push(id);
            id.serial == 2
        });
        assert_eq!((woken, tried), (1, vec![id(1), id(2)]));
    }

    #[test]
    fn a_wake_from_outside_a_task_leaves_a_permit_for_an_armed_waiter() {
        let list = WaitList::arming();
        list.arm();
        list.wake_waiters_later(false);
        assert_eq!(list.queue().park(id(1), true), Parked::Permit);
        // Nobody waits: the next wake leaves nothing behind.
        list.wake_waiters_later(false);
        assert_eq!(permits(&list), 0);
    }

    #[test]
    fn a_plain_park_takes_no_permit() {
        let list = WaitList::new();
        assert!(!list.is_arming());
        assert_eq!(list.queue().wake(false, |_| true), 0);
        assert_eq!(list.queue().park(id(1), false), Parked::Queued);
    }
}
