//! [`Container`]: a level of something continuous or countable (fuel, parts) that processes
//! put into and get from, waiting while there is not enough room or not enough left (SimPy's
//! `Container`).

use super::Monitor;
use crate::sched::sync::WaitList;
use crate::sched::{unexpected, Reply, Syscall, TaskCall, TaskError, TaskResult};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use volley_core::{Delegate, Exit, Resume, Step};

struct Shared {
    capacity: f64,
    level: Cell<f64>,
    getters: WaitList,
    putters: WaitList,
    monitor: Option<Monitor>,
}

impl Shared {
    fn changed(&self) {
        if let Some(monitor) = &self.monitor {
            monitor.record(self.level.get());
        }
    }
}

/// A level between 0 and `capacity`: [`get`](Container::get) waits until enough is there,
/// [`put`](Container::put) until enough room is. Waiting processes are woken when the level
/// changes and served in arrival order among those the new level satisfies. Cloning makes
/// another handle to the same container.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::{clock, secs, sleep};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_flow::sim::Container;
/// let tank = Container::new(100.0, 10.0);
/// let mut sched = Scheduler::simulated(0);
/// let car = tank.clone();
/// let refuel = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     let clock = yield_from!(clock())?;
///     yield_from!(car.get(40.0))?; // waits for the truck
///     Ok(clock.secs())
/// }));
/// sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(sleep(secs(60.0)))?;
///     yield_from!(tank.put(90.0))?;
///     Ok(())
/// })).detach();
/// sched.run().unwrap();
/// assert_eq!(refuel.take_outcome().unwrap().unwrap(), 60.0);
/// ```
#[derive(Clone)]
pub struct Container {
    shared: Rc<Shared>,
}

impl Container {
    /// A container holding at most `capacity`, filled to `level` (clamped to `[0, capacity]`).
    ///
    /// ```
    /// let c = volley_flow::sim::Container::new(10.0, 20.0);
    /// assert_eq!((c.capacity(), c.level()), (10.0, 10.0));
    /// ```
    pub fn new(capacity: f64, level: f64) -> Self {
        Container::build(capacity, level, None)
    }

    /// A container that records its level into `monitor` at every change.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_flow::sim::{Container, Monitor};
    /// let levels = Monitor::new(Scheduler::simulated(0).clock());
    /// let tank = Container::with_monitor(50.0, 50.0, levels.clone());
    /// assert_eq!(levels.samples(), [(0.0, 50.0)]);
    /// # let _ = tank;
    /// ```
    pub fn with_monitor(capacity: f64, level: f64, monitor: Monitor) -> Self {
        Container::build(capacity, level, Some(monitor))
    }

    fn build(capacity: f64, level: f64, monitor: Option<Monitor>) -> Self {
        let capacity = if capacity.is_nan() {
            0.0
        } else {
            capacity.max(0.0)
        };
        let level = if level.is_nan() {
            0.0
        } else {
            level.clamp(0.0, capacity)
        };
        let shared = Shared {
            capacity,
            level: Cell::new(level),
            getters: WaitList::new(),
            putters: WaitList::new(),
            monitor,
        };
        shared.changed();
        Container {
            shared: Rc::new(shared),
        }
    }

    /// The most it holds.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Container::new(5.0, 0.0).capacity(), 5.0);
    /// ```
    pub fn capacity(&self) -> f64 {
        self.shared.capacity
    }

    /// What it holds now.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Container::new(5.0, 2.0).level(), 2.0);
    /// ```
    pub fn level(&self) -> f64 {
        self.shared.level.get()
    }

    /// Takes `amount` without waiting, if that much is there.
    ///
    /// ```
    /// let c = volley_flow::sim::Container::new(5.0, 2.0);
    /// assert!(c.try_get(1.5));
    /// assert!(!c.try_get(1.0));
    /// ```
    pub fn try_get(&self, amount: f64) -> bool {
        let shared = &*self.shared;
        if amount.is_nan() || amount < 0.0 || shared.level.get() < amount {
            return false;
        }
        shared.level.set(shared.level.get() - amount);
        shared.changed();
        shared.putters.wake_later(true);
        true
    }

    /// Adds `amount` without waiting, if there is room.
    ///
    /// ```
    /// let c = volley_flow::sim::Container::new(5.0, 2.0);
    /// assert!(c.try_put(3.0));
    /// assert!(!c.try_put(0.5));
    /// ```
    pub fn try_put(&self, amount: f64) -> bool {
        let shared = &*self.shared;
        if amount.is_nan() || amount < 0.0 || shared.level.get() + amount > shared.capacity {
            return false;
        }
        shared.level.set(shared.level.get() + amount);
        shared.changed();
        shared.getters.wake_later(true);
        true
    }

    /// Takes `amount`, waiting until that much is there. An amount above the capacity, or
    /// negative, raises an error at once (it could never be served).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Container;
    /// let c = Container::new(10.0, 10.0);
    /// let mut sched = Scheduler::simulated(0);
    /// let t = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(c.get(4.0))?;
    ///     Ok((c.level(), yield_from!(c.get(11.0)).is_err()))
    /// }));
    /// assert_eq!(sched.join(t).unwrap(), (6.0, true));
    /// ```
    pub fn get(&self, amount: f64) -> impl TaskCall<()> {
        Change {
            container: self.clone(),
            amount,
            get: true,
        }
    }

    /// Adds `amount`, waiting until there is room. An amount above the capacity, or negative,
    /// raises an error at once.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Container;
    /// let c = Container::new(10.0, 0.0);
    /// let mut sched = Scheduler::simulated(0);
    /// let t = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(c.put(7.5))?;
    ///     Ok(c.level())
    /// }));
    /// assert_eq!(sched.join(t).unwrap(), 7.5);
    /// ```
    pub fn put(&self, amount: f64) -> impl TaskCall<()> {
        Change {
            container: self.clone(),
            amount,
            get: false,
        }
    }
}

impl fmt::Debug for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Container")
            .field("level", &self.level())
            .field("capacity", &self.capacity())
            .finish()
    }
}

/// [`Container::get`] and [`Container::put`]: tries at once and after each wake; parks while
/// it cannot.
struct Change {
    container: Container,
    amount: f64,
    get: bool,
}

impl Delegate<Reply, Syscall, TaskError> for Change {
    type Output = ();

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<()>> {
        match resume {
            Resume::Start | Resume::Send(Reply::Done) => {}
            Resume::Send(other) => return Step::Return(Err(unexpected(other, "container"))),
            Resume::Throw(error) => return Step::Return(Err(Exit::Raised(error))),
            Resume::Close => return Step::Return(Err(Exit::Closed)),
        }
        let shared = &*self.container.shared;
        if !(0.0..=shared.capacity).contains(&self.amount) {
            return Step::Return(Err(Exit::Raised(TaskError::msg(format!(
                "a container of capacity {} cannot {} {}",
                shared.capacity,
                if self.get { "give" } else { "take" },
                self.amount
            )))));
        }
        let done = if self.get {
            self.container.try_get(self.amount)
        } else {
            self.container.try_put(self.amount)
        };
        if done {
            return Step::Return(Ok(()));
        }
        let list = if self.get {
            &shared.getters
        } else {
            &shared.putters
        };
        Step::Yield(Syscall::Park(list.clone()))
    }
}
