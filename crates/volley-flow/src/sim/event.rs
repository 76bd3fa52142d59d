//! [`Event`]: something one process triggers and others wait for (SimPy's `env.event()`), and
//! [`Interrupt`]: an error thrown into a process, which it may catch (SimPy's `Interrupt`).

use crate::sched::sync::WaitList;
use crate::sched::task::cancel;
use crate::sched::{unexpected, Reply, Syscall, TaskCall, TaskError, TaskId, TaskResult};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use volley_core::{Delegate, Exit, Resume, Step};

struct Shared<T> {
    value: RefCell<Option<T>>,
    waiters: WaitList,
}

/// A one-shot event: processes [`wait`](Event::wait) for it, one [`succeed`](Event::succeed)s
/// it with a value, and every waiter (and every later `wait`) gets a clone of the value.
/// Cloning makes another handle to the same event.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::{secs, sleep};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_flow::sim::Event;
/// let green: Event<&str> = Event::new();
/// let mut sched = Scheduler::simulated(0);
/// let mut cars = Vec::new();
/// for _ in 0..2 {
///     let light = green.clone();
///     cars.push(sched.spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(light.wait())?))));
/// }
/// sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(sleep(secs(30.0)))?;
///     green.succeed("go").unwrap();
///     Ok(())
/// })).detach();
/// sched.run().unwrap();
/// for car in cars {
///     assert_eq!(car.take_outcome().unwrap().unwrap(), "go");
/// }
/// ```
pub struct Event<T> {
    shared: Rc<Shared<T>>,
}

impl<T> Clone for Event<T> {
    fn clone(&self) -> Self {
        Event {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Clone + 'static> Default for Event<T> {
    fn default() -> Self {
        Event::new()
    }
}

impl<T: Clone + 'static> Event<T> {
    /// An event not yet triggered.
    ///
    /// ```
    /// assert!(!volley_flow::sim::Event::<()>::new().is_triggered());
    /// ```
    pub fn new() -> Self {
        Event {
            shared: Rc::new(Shared {
                value: RefCell::new(None),
                waiters: WaitList::new(),
            }),
        }
    }

    /// Triggers the event with `value`: every waiting process is woken at the end of the
    /// scheduler's round. Gives the value back if the event was triggered already.
    ///
    /// ```
    /// let done = volley_flow::sim::Event::new();
    /// assert_eq!(done.succeed(1), Ok(()));
    /// assert_eq!(done.succeed(2), Err(2));
    /// assert_eq!(done.value(), Some(1));
    /// ```
    pub fn succeed(&self, value: T) -> Result<(), T> {
        {
            let mut slot = self.shared.value.borrow_mut();
            if slot.is_some() {
                return Err(value);
            }
            *slot = Some(value);
        }
        self.shared.waiters.wake_later(true);
        Ok(())
    }

    /// Whether the event was triggered.
    ///
    /// ```
    /// let e = volley_flow::sim::Event::new();
    /// e.succeed(()).unwrap();
    /// assert!(e.is_triggered());
    /// ```
    pub fn is_triggered(&self) -> bool {
        self.shared.value.borrow().is_some()
    }

    /// The value, once triggered.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Event::<u8>::new().value(), None);
    /// ```
    pub fn value(&self) -> Option<T> {
        self.shared.value.borrow().clone()
    }

    /// Waits until the event is triggered and evaluates to its value (at once if it was).
    /// See the [type's example](Event).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// use volley_flow::sim::Event;
    /// let e = Event::new();
    /// e.succeed(7).unwrap();
    /// let mut sched = Scheduler::simulated(0);
    /// let t = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(e.wait())?)));
    /// assert_eq!(sched.join(t).unwrap(), 7);
    /// ```
    pub fn wait(&self) -> impl TaskCall<T> {
        Wait {
            event: self.clone(),
        }
    }
}

impl<T> fmt::Debug for Event<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field(
                "triggered",
                &self.shared.value.try_borrow().map(|v| v.is_some()).ok(),
            )
            .finish()
    }
}

/// [`Event::wait`].
struct Wait<T> {
    event: Event<T>,
}

impl<T: Clone + 'static> Delegate<Reply, Syscall, TaskError> for Wait<T> {
    type Output = T;

    fn delegate(&mut self, resume: Resume<Reply, TaskError>) -> Step<Syscall, TaskResult<T>> {
        match resume {
            Resume::Start | Resume::Send(Reply::Done) => match self.event.value() {
                Some(value) => Step::Return(Ok(value)),
                None => Step::Yield(Syscall::Park(self.event.shared.waiters.clone())),
            },
            Resume::Send(other) => Step::Return(Err(unexpected(other, "event wait"))),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

/// The error [`interrupt`] throws into a process: SimPy's `Interrupt`, with its cause. The
/// process sees it raised from whatever it was waiting on (a sleep, a request, a get) and may
/// catch it, with [`Interrupt::cause_of`], and go on.
///
/// ```
/// use volley_core::{yield_from, Co, Exit};
/// use volley_flow::sched::time::{clock, secs, sleep};
/// use volley_flow::sched::{spawn, Scheduler, TaskResume};
/// use volley_flow::sim::{interrupt, Interrupt};
/// let mut sched = Scheduler::simulated(0);
/// let main = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let worker = yield_from!(spawn(Co::new(#[coroutine] |_: TaskResume| {
///         let clock = yield_from!(clock())?;
///         match yield_from!(sleep(secs(10.0))) {
///             Err(Exit::Raised(e)) if Interrupt::cause_of(&e).is_some() => {
///                 Ok(format!("{} at {}", Interrupt::cause_of(&e).unwrap(), clock.secs()))
///             }
///             other => other.map(|()| "finished".to_string()),
///         }
///     })))?;
///     yield_from!(sleep(secs(3.0)))?;
///     yield_from!(interrupt(worker.id(), "power cut"))?;
///     Ok(yield_from!(worker.join())??)
/// }));
/// assert_eq!(sched.join(main).unwrap(), "power cut at 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupt {
    cause: String,
}

impl Interrupt {
    /// An interrupt with this cause.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Interrupt::new("x").cause(), "x");
    /// ```
    pub fn new(cause: impl Into<String>) -> Self {
        Interrupt {
            cause: cause.into(),
        }
    }

    /// Why the process was interrupted.
    ///
    /// ```
    /// assert_eq!(volley_flow::sim::Interrupt::new("break").to_string(), "interrupted: break");
    /// ```
    pub fn cause(&self) -> &str {
        &self.cause
    }

    /// The cause, if `error` is an interrupt.
    ///
    /// ```
    /// use volley_flow::sched::TaskError;
    /// use volley_flow::sim::Interrupt;
    /// let e = TaskError::new(Interrupt::new("lunch"));
    /// assert_eq!(Interrupt::cause_of(&e), Some("lunch"));
    /// assert_eq!(Interrupt::cause_of(&TaskError::msg("other")), None);
    /// ```
    pub fn cause_of(error: &TaskError) -> Option<&str> {
        error.downcast_ref::<Interrupt>().map(|i| i.cause())
    }
}

impl fmt::Display for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted: {}", self.cause)
    }
}

impl std::error::Error for Interrupt {}

/// Interrupts a process: throws an [`Interrupt`] with `cause` into it at its next resume,
/// waking it if it waits. Evaluates to whether it was alive. See [`Interrupt`].
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_flow::sched::task::task_id;
/// use volley_flow::sim::interrupt;
/// let mut sched = Scheduler::simulated(0);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let me = yield_from!(task_id())?;
///     Ok(yield_from!(interrupt(me, "self")).is_err()) // thrown into itself at once
/// }));
/// assert!(sched.join(task).unwrap());
/// ```
pub fn interrupt(task: TaskId, cause: impl Into<String>) -> impl TaskCall<bool> {
    cancel(task, TaskError::new(Interrupt::new(cause)))
}
