//! Wait lists: a queue of parked tasks, the building block of channels and other
//! synchronisation between tasks.

use super::reactor::lock;
use super::TaskId;
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
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
}

impl Deferred {
    /// Asks for a wake of `list` (of every task on it if `all`).
    pub(crate) fn push(&self, list: WaitList, all: bool) {
        {
            let mut wakes = lock(&self.wakes);
            wakes.push((list, all));
            self.len.store(wakes.len(), Ordering::Release);
        }
        let waker = lock(&self.waker).take();
        if let Some(waker) = waker {
            waker.wake();
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
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn wake_on_push(&self, waker: Option<Waker>) {
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
    queue: Mutex<VecDeque<TaskId>>,
    /// How many entries `queue` holds, written with the queue locked and read without the
    /// lock by the test for waiters that every `try_send`, `try_recv` or `Store::put` makes.
    len: AtomicUsize,
    /// The deferred wakes of the scheduler whose tasks park here.
    owner: Mutex<Weak<Deferred>>,
}

/// The locked queue of a wait list; unlocking it records its length.
pub(crate) struct Queue<'a> {
    ids: MutexGuard<'a, VecDeque<TaskId>>,
    len: &'a AtomicUsize,
}

impl Deref for Queue<'_> {
    type Target = VecDeque<TaskId>;

    #[inline]
    fn deref(&self) -> &VecDeque<TaskId> {
        &self.ids
    }
}

impl DerefMut for Queue<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut VecDeque<TaskId> {
        &mut self.ids
    }
}

impl Drop for Queue<'_> {
    #[inline]
    fn drop(&mut self) {
        self.len.store(self.ids.len(), Ordering::Release);
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

    /// Asks the scheduler whose tasks park here to wake one (or every) task at the end of its
    /// round: a wake without a system call, for `try_send` / `try_recv`.
    #[inline]
    pub(crate) fn wake_later(&self, all: bool) {
        // Most calls find nobody waiting: keep that test inline at the caller.
        if !self.is_empty() {
            self.defer_wake(all);
        }
    }

    #[cold]
    #[inline(never)]
    fn defer_wake(&self, all: bool) {
        let owner = lock(&self.shared.owner).upgrade();
        if let Some(deferred) = owner {
            deferred.push(self.clone(), all);
        }
    }

    /// The queue, locked.
    #[inline]
    pub(crate) fn queue(&self) -> Queue<'_> {
        Queue {
            ids: lock(&self.shared.queue),
            len: &self.shared.len,
        }
    }

    /// Records the scheduler whose tasks park here (for [`wake_later`](WaitList::wake_later)).
    #[inline]
    pub(crate) fn set_owner(&self, deferred: &Arc<Deferred>) {
        let mut owner = lock(&self.shared.owner);
        if !std::ptr::eq(owner.as_ptr(), Arc::as_ptr(deferred)) {
            *owner = Arc::downgrade(deferred);
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
