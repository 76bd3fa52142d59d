//! Wait lists: a queue of parked tasks, the building block of channels and other
//! synchronisation between tasks.

use super::TaskId;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// A queue of tasks parked until another task wakes them (a condition variable).
///
/// A task parks with [`park`](super::park) and is woken, in arrival order, by
/// [`wake_one`](super::wake_one) or [`wake_all`](super::wake_all). Cloning a `WaitList` makes
/// another handle to the same queue. Killed or cancelled tasks are skipped by the next wake,
/// and a wake that reached a task killed before it ran is passed on to the next waiter.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use volley_core::yield_from;
/// use volley_flow::sched::{park, wake_all, Scheduler, TaskResume, WaitList};
///
/// let gate = WaitList::new();
/// let passed = Rc::new(Cell::new(0));
/// let mut sched = Scheduler::new();
/// for _ in 0..3 {
///     let (gate, passed) = (gate.clone(), passed.clone());
///     sched.spawn(#[coroutine] move |_: TaskResume| {
///         yield_from!(park(&gate))?;
///         passed.set(passed.get() + 1);
///         Ok(())
///     });
/// }
/// let opener = gate.clone();
/// sched.spawn(#[coroutine] move |_: TaskResume| {
///     assert_eq!(yield_from!(wake_all(&opener))?, 3);
///     Ok(())
/// });
/// sched.run().unwrap();
/// assert_eq!(passed.get(), 3);
/// ```
#[derive(Clone, Default)]
pub struct WaitList {
    pub(crate) queue: Rc<RefCell<VecDeque<TaskId>>>,
}

impl WaitList {
    /// An empty wait list.
    ///
    /// ```
    /// # use volley_flow::sched::WaitList;
    /// assert!(WaitList::new().is_empty());
    /// ```
    pub fn new() -> Self {
        WaitList::default()
    }

    /// Whether no task is parked here (entries of tasks that were killed or cancelled while
    /// parked count until a wake skips them).
    ///
    /// ```
    /// # use volley_flow::sched::WaitList;
    /// assert_eq!(WaitList::new().len(), 0);
    /// ```
    pub fn is_empty(&self) -> bool {
        self.queue
            .try_borrow()
            .map(|q| q.is_empty())
            .unwrap_or(false)
    }

    /// How many entries the list holds (see [`is_empty`](WaitList::is_empty)).
    ///
    /// ```
    /// # use volley_flow::sched::WaitList;
    /// assert_eq!(WaitList::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.queue.try_borrow().map(|q| q.len()).unwrap_or(0)
    }

    pub(crate) fn same(&self, other: &WaitList) -> bool {
        Rc::ptr_eq(&self.queue, &other.queue)
    }
}

impl std::fmt::Debug for WaitList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitList")
            .field("len", &self.len())
            .finish()
    }
}
