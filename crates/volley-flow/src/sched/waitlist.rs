//! Wait lists: a queue of parked tasks, the building block of channels and other
//! synchronisation between tasks.

use super::TaskId;
use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::Waker;

/// Wakes asked for outside a system call ([`WaitList::wake_later`]), carried out by the
/// scheduler at the end of the round (it derefs to the list of them), and the waker of an
/// async driver of the scheduler waiting for one (`Scheduler::run_async`).
#[derive(Default)]
pub(crate) struct Deferred {
    wakes: Mutex<Vec<(WaitList, bool)>>,
    waker: Mutex<Option<Waker>>,
}

impl Deref for Deferred {
    type Target = Mutex<Vec<(WaitList, bool)>>;

    #[inline]
    fn deref(&self) -> &Self::Target {
        &self.wakes
    }
}

impl Deferred {
    /// Wakes `waker` (replacing the one set before) at the next wake asked for; `None`
    /// forgets it.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn wake_on_push(&self, waker: Option<Waker>) {
        if let Ok(mut slot) = self.waker.lock() {
            *slot = waker;
        }
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
    pub(crate) queue: Arc<Mutex<VecDeque<TaskId>>>,
    /// The deferred wakes of the scheduler whose tasks park here.
    pub(crate) owner: Arc<Mutex<Weak<Deferred>>>,
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
        self.try_queue().map(|q| q.is_empty()).unwrap_or(false)
    }

    /// How many entries the list holds (see [`is_empty`](WaitList::is_empty)).
    ///
    /// ```
    /// # use volley_flow::sched::sync::WaitList;
    /// assert_eq!(WaitList::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.try_queue().map(|q| q.len()).unwrap_or(0)
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
        let owner = self.owner.try_lock().ok().and_then(|o| o.upgrade());
        if let Some(deferred) = owner {
            if let Ok(mut wakes) = deferred.try_lock() {
                wakes.push((self.clone(), all));
            }
            let waker = deferred.waker.try_lock().ok().and_then(|mut w| w.take());
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// The queue, unless it is in use (re-entry) or a panic left it poisoned.
    #[inline]
    pub(crate) fn try_queue(&self) -> Option<MutexGuard<'_, VecDeque<TaskId>>> {
        self.queue.try_lock().ok()
    }

    pub(crate) fn same(&self, other: &WaitList) -> bool {
        Arc::ptr_eq(&self.queue, &other.queue)
    }
}

impl std::fmt::Debug for WaitList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitList")
            .field("len", &self.len())
            .finish()
    }
}
