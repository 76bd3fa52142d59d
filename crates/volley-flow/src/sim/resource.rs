//! [`Resource`]: `capacity` units that processes request and release, queueing in first-come
//! or priority order (SimPy's `Resource` and `PriorityResource`).

use super::{Interrupt, Monitor};
use crate::sched::sync::WaitList;
use crate::sched::task::TaskId;
use crate::sched::{unexpected, Reply, Syscall, TaskCall, TaskError, TaskResult};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;
use volley_core::{Delegate, Exit, Resume, Step};

/// One queued request: granted by a release, woken through its own wait list.
struct Ticket {
    granted: Cell<bool>,
    list: WaitList,
    /// Who asked, with what (priority, arrival), and the flag its grant will carry.
    holder: Holder,
}

/// A unit's holder, tracked by a preemptive resource.
#[derive(Clone)]
struct Holder {
    key: (i64, u64),
    task: Option<TaskId>,
    /// Set when a preempting request took the unit: the grant then releases nothing.
    revoked: Rc<Cell<bool>>,
}

struct Shared {
    capacity: usize,
    in_use: Cell<usize>,
    /// Waiting requests by (priority, arrival).
    queue: RefCell<BTreeMap<(i64, u64), Rc<Ticket>>>,
    arrivals: Cell<u64>,
    monitor: Option<Monitor>,
    /// Whether a request of better priority takes a unit from a worse holder.
    preemptive: bool,
    /// The holders, tracked when preemptive.
    holders: RefCell<Vec<Holder>>,
}

impl Shared {
    /// Hands free units to the requests at the head of the queue.
    fn grant(&self) {
        while self.in_use.get() < self.capacity {
            let Some((_, ticket)) = self.queue.borrow_mut().pop_first() else {
                break;
            };
            self.in_use.set(self.in_use.get() + 1);
            ticket.granted.set(true);
            self.hold(&ticket.holder);
            ticket.list.wake_later(false);
        }
        self.record();
    }

    fn release(&self, revoked: &Rc<Cell<bool>>) {
        if revoked.get() {
            return; // a preempting request took the unit over
        }
        if self.preemptive {
            self.holders
                .borrow_mut()
                .retain(|h| !Rc::ptr_eq(&h.revoked, revoked));
        }
        self.in_use.set(self.in_use.get().saturating_sub(1));
        self.grant();
    }

    fn hold(&self, holder: &Holder) {
        if self.preemptive {
            self.holders.borrow_mut().push(holder.clone());
        }
    }

    /// Takes a unit from the worst holder whose priority is worse than `priority`: answers
    /// that holder's task, to interrupt.
    fn preempt(&self, priority: i64) -> Option<TaskId> {
        let mut holders = self.holders.borrow_mut();
        let (at, worst) = holders.iter().enumerate().max_by_key(|(_, h)| h.key)?;
        if worst.key.0 <= priority {
            return None;
        }
        let victim = holders.remove(at);
        victim.revoked.set(true);
        victim.task
    }

    fn record(&self) {
        if let Some(monitor) = &self.monitor {
            monitor.record(self.queue.borrow().len() as f64);
        }
    }
}

/// `capacity` identical units (servers, pumps, machines) that processes hold one at a time:
/// `let unit = yield_from!(resource.request())?;` waits for a free unit and evaluates to a
/// [`Grant`], which gives the unit back when dropped (or [`released`](Grant::release)). A
/// process killed while it waits leaves the queue; killed while it holds a unit, it releases
/// it as its body is dropped. Requests are served first come, first served, or by priority
/// (lower first, then first come) with [`request_with_priority`](Resource::request_with_priority).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::{clock, secs, sleep};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_flow::sim::Resource;
///
/// let counter = Resource::new(1);
/// let mut sched = Scheduler::simulated(0);
/// let mut customers = Vec::new();
/// for _ in 0..3 {
///     let counter = counter.clone();
///     customers.push(sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///         let clock = yield_from!(clock())?;
///         let _served = yield_from!(counter.request())?; // released at the end of the scope
///         let started = clock.secs();
///         yield_from!(sleep(secs(5.0)))?;
///         Ok(started)
///     })));
/// }
/// sched.run().unwrap();
/// let starts: Vec<f64> = customers.into_iter().map(|c| c.take_outcome().unwrap().unwrap()).collect();
/// assert_eq!(starts, [0.0, 5.0, 10.0]);
/// ```
#[derive(Clone)]
pub struct Resource {
    shared: Rc<Shared>,
}

impl Resource {
    /// A resource of `capacity` units (at least one).
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Resource::new(2).capacity(), 2);
    /// ```
    pub fn new(capacity: usize) -> Self {
        Resource::build(capacity, None)
    }

    /// A resource that records its queue length into `monitor` at every change.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_flow::sim::{Monitor, Resource};
    /// let sched = Scheduler::simulated(0);
    /// let queue = Monitor::new(sched.clock());
    /// let pumps = Resource::with_monitor(2, queue.clone());
    /// assert_eq!(pumps.queue_len(), 0);
    /// ```
    pub fn with_monitor(capacity: usize, monitor: Monitor) -> Self {
        Resource::build(capacity, Some(monitor))
    }

    /// A resource whose requests of better priority preempt worse holders (SimPy's
    /// `PreemptiveResource`): when no unit is free, a request takes the unit of the holder
    /// with the worst priority (the latest of them), if that is worse than its own, and
    /// [`interrupt`](super::interrupt)s that holder with the cause `"preempted"`. The
    /// preempted process may catch the [`Interrupt`] and request again; its grant no longer
    /// holds anything.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use volley_core::{yield_from, Co, Exit};
    /// use volley_flow::sched::time::{clock, secs, sleep};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::{Interrupt, Resource};
    /// let crane = Resource::preemptive(1);
    /// let mut sched = Scheduler::simulated(0);
    /// let routine = crane.clone();
    /// let slow = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     let clock = yield_from!(clock())?;
    ///     let _unit = yield_from!(routine.request_with_priority(2))?;
    ///     match yield_from!(sleep(secs(10.0))) {
    ///         Err(Exit::Raised(e)) => Ok(format!("{} at {}", Interrupt::cause_of(&e).unwrap_or("?"), clock.secs())),
    ///         other => other.map(|()| "done".to_string()),
    ///     }
    /// }));
    /// sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(sleep(secs(3.0)))?;
    ///     let _unit = yield_from!(crane.request_with_priority(1))?;
    ///     Ok(())
    /// })).detach();
    /// sched.run().unwrap();
    /// assert_eq!(slow.take_outcome().unwrap().unwrap(), "preempted at 3");
    /// ```
    pub fn preemptive(capacity: usize) -> Self {
        let mut resource = Resource::build(capacity, None);
        if let Some(shared) = Rc::get_mut(&mut resource.shared) {
            shared.preemptive = true;
        }
        resource
    }

    fn build(capacity: usize, monitor: Option<Monitor>) -> Self {
        Resource {
            shared: Rc::new(Shared {
                capacity: capacity.max(1),
                in_use: Cell::new(0),
                queue: RefCell::new(BTreeMap::new()),
                arrivals: Cell::new(0),
                monitor,
                preemptive: false,
                holders: RefCell::new(Vec::new()),
            }),
        }
    }

    /// How many units there are.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Resource::new(0).capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// How many units are held.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Resource::new(3).in_use(), 0);
    /// ```
    pub fn in_use(&self) -> usize {
        self.shared.in_use.get()
    }

    /// How many requests wait.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Resource::new(3).queue_len(), 0);
    /// ```
    pub fn queue_len(&self) -> usize {
        self.shared.queue.borrow().len()
    }

    /// Waits for a unit, first come first served, and evaluates to its [`Grant`]. See the
    /// [type's example](Resource).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Resource;
    /// let desk = Resource::new(1);
    /// let mut sched = Scheduler::simulated(0);
    /// let probe = desk.clone();
    /// let t = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     let grant = yield_from!(desk.request())?;
    ///     let held = desk.in_use();
    ///     drop(grant);
    ///     Ok((held, desk.in_use()))
    /// }));
    /// assert_eq!(sched.join(t).unwrap(), (1, 0));
    /// ```
    pub fn request(&self) -> impl TaskCall<Grant> {
        self.request_with_priority(0)
    }

    /// Waits for a unit with a priority: lower numbers are served first, equal ones first
    /// come first served (SimPy's `PriorityResource`). A request being served is never
    /// preempted.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::time::{secs, sleep};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Resource;
    /// let doctor = Resource::new(1);
    /// let order = Rc::new(RefCell::new(Vec::new()));
    /// let mut sched = Scheduler::simulated(0);
    /// for (name, priority) in [("first", 5), ("routine", 5), ("urgent", 1)] {
    ///     let (doctor, order) = (doctor.clone(), order.clone());
    ///     sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///         let _seen = yield_from!(doctor.request_with_priority(priority))?;
    ///         order.borrow_mut().push(name);
    ///         yield_from!(sleep(secs(1.0)))?;
    ///         Ok(())
    ///     })).detach();
    /// }
    /// sched.run().unwrap();
    /// assert_eq!(*order.borrow(), ["first", "urgent", "routine"]);
    /// ```
    pub fn request_with_priority(&self, priority: i64) -> impl TaskCall<Grant> {
        Request {
            resource: self.clone(),
            priority,
            me: None,
            state: Queued::No,
        }
    }
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource")
            .field("capacity", &self.shared.capacity)
            .field("in_use", &self.shared.in_use.get())
            .field(
                "queue",
                &self.shared.queue.try_borrow().map(|q| q.len()).ok(),
            )
            .finish()
    }
}

/// A unit of a [`Resource`], held until this is dropped or [`released`](Grant::release).
#[must_use = "dropping a Grant releases the unit at once"]
pub struct Grant {
    shared: Option<Rc<Shared>>,
    revoked: Rc<Cell<bool>>,
}

impl Grant {
    /// Gives the unit back now (as dropping the grant does).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Resource;
    /// let r = Resource::new(1);
    /// let mut sched = Scheduler::simulated(0);
    /// let t = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(r.request())?.release();
    ///     Ok(r.in_use())
    /// }));
    /// assert_eq!(sched.join(t).unwrap(), 0);
    /// ```
    pub fn release(mut self) {
        if let Some(shared) = self.shared.take() {
            shared.release(&self.revoked);
        }
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.release(&self.revoked);
        }
    }
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Grant")
    }
}

/// Where a request is.
enum Queued {
    No,
    Waiting((i64, u64), Rc<Ticket>),
    /// Took a unit from a worse holder, whose interrupt is under way.
    Preempted(Holder),
    Done,
}

/// [`Resource::request_with_priority`]: grants at once when a unit is free and nobody waits
/// (or, preemptive, takes a worse holder's), else queues a ticket and parks on it until a
/// release grants it.
struct Request {
    resource: Resource,
    priority: i64,
    /// The requesting task, asked for first by a preemptive resource's request.
    me: Option<TaskId>,
    state: Queued,
}

impl Request {
    fn grant(&mut self, holder: Holder) -> Grant {
        self.state = Queued::Done;
        Grant {
            shared: Some(self.resource.shared.clone()),
            revoked: holder.revoked,
        }
    }

    /// The first step once the task is known: a free unit, a preempted one, or the queue.
    fn start(&mut self) -> Step<Syscall, TaskResult<Grant>> {
        let shared = &*self.resource.shared;
        let arrival = shared.arrivals.get() + 1;
        shared.arrivals.set(arrival);
        let holder = Holder {
            key: (self.priority, arrival),
            task: self.me,
            revoked: Rc::new(Cell::new(false)),
        };
        if shared.in_use.get() < shared.capacity && shared.queue.borrow().is_empty() {
            shared.in_use.set(shared.in_use.get() + 1);
            shared.hold(&holder);
            return Step::Return(Ok(self.grant(holder)));
        }
        if shared.preemptive {
            if let Some(victim) = shared.preempt(self.priority) {
                shared.hold(&holder);
                self.state = Queued::Preempted(holder);
                let cause = TaskError::new(Interrupt::new("preempted"));
                return Step::Yield(Syscall::Cancel(victim, cause));
            }
        }
        let key = holder.key;
        let ticket = Rc::new(Ticket {
            granted: Cell::new(false),
            list: WaitList::new(),
            holder,
        });
        shared.queue.borrow_mut().insert(key, ticket.clone());
        shared.record();
        let park = Syscall::Park(ticket.list.clone());
        self.state = Queued::Waiting(key, ticket);
        Step::Yield(park)
    }
}

impl Delegate<Reply, Syscall, TaskError> for Request {
    type Output = Grant;

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<Grant>> {
        match (resume, &self.state) {
            (Resume::Start, Queued::No) if self.resource.shared.preemptive => {
                Step::Yield(Syscall::GetId)
            }
            (Resume::Start, Queued::No) => self.start(),
            (Resume::Send(Reply::Id(me)), Queued::No) => {
                self.me = Some(me);
                self.start()
            }
            (Resume::Send(Reply::Found(_)), Queued::Preempted(holder)) => {
                let holder = holder.clone();
                Step::Return(Ok(self.grant(holder)))
            }
            (Resume::Send(Reply::Done), Queued::Waiting(_, ticket)) => {
                if ticket.granted.get() {
                    let holder = ticket.holder.clone();
                    Step::Return(Ok(self.grant(holder)))
                } else {
                    Step::Yield(Syscall::Park(ticket.list.clone()))
                }
            }
            (Resume::Send(other), _) => Step::Return(Err(unexpected(other, "resource request"))),
            (Resume::Throw(error), _) => Step::Return(Err(Exit::Raised(error))),
            _ => Step::Return(Err(Exit::Closed)),
        }
    }
}

impl Drop for Request {
    /// A request abandoned while queued (killed, interrupted, timed out) leaves the queue;
    /// one granted but not yet taken gives its unit back.
    fn drop(&mut self) {
        let shared = &*self.resource.shared;
        match std::mem::replace(&mut self.state, Queued::Done) {
            Queued::Waiting(key, ticket) => {
                if ticket.granted.get() {
                    shared.release(&ticket.holder.revoked);
                } else {
                    shared.queue.borrow_mut().remove(&key);
                    shared.record();
                }
            }
            Queued::Preempted(holder) => shared.release(&holder.revoked),
            Queued::No | Queued::Done => {}
        }
    }
}
