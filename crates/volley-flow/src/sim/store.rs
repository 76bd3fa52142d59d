//! [`Store`]: a queue of items that processes put into and get from, waiting while it is
//! full or empty (SimPy's `Store` and `FilterStore`).

use crate::sched::sync::WaitList;
use crate::sched::{unexpected, Reply, Syscall, TaskCall, TaskError, TaskResult};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use volley_core::{Delegate, Exit, Resume, Step};

struct Shared<T> {
    items: RefCell<VecDeque<T>>,
    capacity: usize,
    /// Getters that take any item: one is woken per put.
    getters: WaitList,
    /// Getters with a filter: all are woken per put, each looks for its own item.
    filtered: WaitList,
    putters: WaitList,
}

/// A queue of items shared by processes: [`put`](Store::put) waits while it holds
/// `capacity` items, [`get`](Store::get) waits while it is empty, and
/// [`get_filter`](Store::get_filter) waits for an item that matches. Items come out first in,
/// first out; waiting getters are served in arrival order. Cloning makes another handle to
/// the same store.
///
/// Processes blocked on a store are parked tasks: killing one (a reneging customer, a
/// timeout) takes it out of the line.
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::{clock, sleep};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_flow::sim::Store;
///
/// let parts: Store<&str> = Store::unbounded();
/// let mut sched = Scheduler::simulated(0);
/// let maker = parts.clone();
/// sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     for part in ["wheel", "frame"] {
///         yield_from!(sleep(Duration::from_secs(2)))?;
///         yield_from!(maker.put(part))?;
///     }
///     Ok(())
/// })).detach();
/// let builder = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     let clock = yield_from!(clock())?;
///     let first = yield_from!(parts.get())?;
///     let second = yield_from!(parts.get())?;
///     Ok((first, second, clock.elapsed().as_secs()))
/// }));
/// assert_eq!(sched.join(builder).unwrap(), ("wheel", "frame", 4));
/// ```
pub struct Store<T> {
    shared: Rc<Shared<T>>,
}

impl<T> Clone for Store<T> {
    fn clone(&self) -> Self {
        Store {
            shared: self.shared.clone(),
        }
    }
}

impl<T: 'static> Store<T> {
    /// A store holding at most `capacity` items (at least one).
    ///
    /// ```
    /// let store: volley_flow::sim::Store<u8> = volley_flow::sim::Store::bounded(2);
    /// assert_eq!(store.capacity(), 2);
    /// ```
    pub fn bounded(capacity: usize) -> Self {
        Store {
            shared: Rc::new(Shared {
                items: RefCell::new(VecDeque::new()),
                capacity: capacity.max(1),
                getters: WaitList::new(),
                filtered: WaitList::new(),
                putters: WaitList::new(),
            }),
        }
    }

    /// A store with no limit on its items.
    ///
    /// ```
    /// let store: volley_flow::sim::Store<u8> = volley_flow::sim::Store::unbounded();
    /// assert_eq!(store.capacity(), usize::MAX);
    /// ```
    pub fn unbounded() -> Self {
        Store::bounded(usize::MAX)
    }

    /// How many items it may hold.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Store::<()>::bounded(0).capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// How many items it holds.
    ///
    /// ```
    /// let store = volley_flow::sim::Store::unbounded();
    /// store.try_put(1).unwrap();
    /// assert_eq!(store.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.items.borrow().len()
    }

    /// Whether it holds no item.
    ///
    /// ```
    /// assert!(volley_flow::sim::Store::<u8>::unbounded().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many processes wait to get an item.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Store::<u8>::unbounded().waiting_getters(), 0);
    /// ```
    pub fn waiting_getters(&self) -> usize {
        self.shared.getters.len() + self.shared.filtered.len()
    }

    /// Puts an item without waiting; gives it back if the store is full. Waiting getters are
    /// woken at the end of the scheduler's round.
    ///
    /// ```
    /// let store = volley_flow::sim::Store::bounded(1);
    /// assert!(store.try_put('a').is_ok());
    /// assert_eq!(store.try_put('b'), Err('b'));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), T> {
        let shared = &*self.shared;
        {
            let mut items = shared.items.borrow_mut();
            if items.len() >= shared.capacity {
                return Err(item);
            }
            items.push_back(item);
        }
        shared.getters.wake_later(false);
        shared.filtered.wake_later(true);
        Ok(())
    }

    /// Takes the first item without waiting, if there is one.
    ///
    /// ```
    /// let store = volley_flow::sim::Store::unbounded();
    /// store.try_put(5).unwrap();
    /// assert_eq!(store.try_get(), Some(5));
    /// assert_eq!(store.try_get(), None);
    /// ```
    pub fn try_get(&self) -> Option<T> {
        let item = self.shared.items.borrow_mut().pop_front()?;
        self.shared.putters.wake_later(false);
        Some(item)
    }

    /// Takes the first item that matches `filter` without waiting, if there is one.
    ///
    /// ```
    /// let store = volley_flow::sim::Store::unbounded();
    /// for n in [1, 4, 6] {
    ///     store.try_put(n).unwrap();
    /// }
    /// assert_eq!(store.try_get_filter(|n| n % 2 == 0), Some(4));
    /// assert_eq!(store.len(), 2);
    /// ```
    pub fn try_get_filter(&self, filter: impl Fn(&T) -> bool) -> Option<T> {
        let item = {
            let mut items = self.shared.items.borrow_mut();
            let at = items.iter().position(filter)?;
            items.remove(at)?
        };
        self.shared.putters.wake_later(false);
        Some(item)
    }

    /// Puts an item, waiting while the store is full (SimPy's `yield store.put(item)`).
    /// Waiting getters are woken at the end of the round.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Store;
    /// let store = Store::bounded(1);
    /// let mut sched = Scheduler::simulated(0);
    /// let tx = store.clone();
    /// let producer = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(tx.put(1))?;
    ///     yield_from!(tx.put(2))?; // waits until the consumer took 1
    ///     Ok(())
    /// }));
    /// let consumer = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     Ok(yield_from!(store.get())? + yield_from!(store.get())?)
    /// }));
    /// sched.run().unwrap();
    /// assert!(producer.take_outcome().unwrap().is_ok());
    /// assert_eq!(consumer.take_outcome().unwrap().unwrap(), 3);
    /// ```
    pub fn put(&self, item: T) -> impl TaskCall<()> {
        Put {
            store: self.clone(),
            item: Some(item),
        }
    }

    /// Takes the first item, waiting while the store is empty (SimPy's `yield store.get()`).
    /// See the [type's example](Store).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Store;
    /// let store = Store::unbounded();
    /// store.try_put("ready").unwrap();
    /// let mut sched = Scheduler::simulated(0);
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(store.get())?)));
    /// assert_eq!(sched.join(task).unwrap(), "ready");
    /// ```
    pub fn get(&self) -> impl TaskCall<T> {
        Get {
            store: self.clone(),
            filter: None::<fn(&T) -> bool>,
        }
    }

    /// Takes the first item that matches `filter`, waiting until one does (SimPy's
    /// `FilterStore.get(filter)`).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Store;
    /// let store = Store::unbounded();
    /// let mut sched = Scheduler::simulated(0);
    /// let rx = store.clone();
    /// let picky = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     Ok(yield_from!(rx.get_filter(|s: &&str| s.starts_with('b')))?)
    /// }));
    /// sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     for word in ["apple", "banana"] {
    ///         yield_from!(store.put(word))?;
    ///     }
    ///     Ok(())
    /// })).detach();
    /// assert_eq!(sched.join(picky).unwrap(), "banana");
    /// ```
    pub fn get_filter<F>(&self, filter: F) -> impl TaskCall<T>
    where
        F: Fn(&T) -> bool,
    {
        Get {
            store: self.clone(),
            filter: Some(filter),
        }
    }
}

/// The answer of a helper to a resume it cannot go on from.
fn stop<X>(resume: Resume<Reply, TaskError>, call: &'static str) -> Step<Syscall, TaskResult<X>> {
    Step::Return(Err(match resume {
        Resume::Throw(error) => Exit::Raised(error),
        Resume::Close => Exit::Closed,
        Resume::Send(reply) => unexpected(reply, call),
        Resume::Start => Exit::Closed,
    }))
}

/// [`Store::put`]: tries at once and after each wake; parks on the putters while full.
struct Put<T> {
    store: Store<T>,
    item: Option<T>,
}

impl<T: 'static> Delegate<Reply, Syscall, TaskError> for Put<T> {
    type Output = ();

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<()>> {
        if !matches!(resume, Resume::Start | Resume::Send(Reply::Done)) {
            return stop(resume, "store put");
        }
        let Some(item) = self.item.take() else {
            return Step::Return(Err(Exit::Closed));
        };
        match self.store.try_put(item) {
            Ok(()) => Step::Return(Ok(())),
            Err(item) => {
                self.item = Some(item);
                Step::Yield(Syscall::Park(self.store.shared.putters.clone()))
            }
        }
    }
}

/// [`Store::get`] and [`Store::get_filter`]: tries at once and after each wake; parks while
/// nothing matches.
struct Get<T, F> {
    store: Store<T>,
    filter: Option<F>,
}

impl<T: 'static, F: Fn(&T) -> bool> Delegate<Reply, Syscall, TaskError> for Get<T, F> {
    type Output = T;

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<T>> {
        if !matches!(resume, Resume::Start | Resume::Send(Reply::Done)) {
            return stop(resume, "store get");
        }
        let shared = &self.store.shared;
        let (item, list) = match &self.filter {
            None => (self.store.try_get(), &shared.getters),
            Some(filter) => (self.store.try_get_filter(filter), &shared.filtered),
        };
        match item {
            Some(item) => Step::Return(Ok(item)),
            None => Step::Yield(Syscall::Park(list.clone())),
        }
    }
}

impl<T> fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("len", &self.shared.items.try_borrow().map(|i| i.len()).ok())
            .field("capacity", &self.shared.capacity)
            .finish()
    }
}
