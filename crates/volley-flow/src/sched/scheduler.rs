//! The scheduler: the task table, the ready queue, and the run loop that resumes tasks and
//! carries out their system calls.

use super::clock::Clock;
use super::custom::{Builtin, CallContext, Handled, Handlers, Kind};
use super::entry::{Cold, Erased, Hot, NewTask, Status, Turn, Wait};
use super::future::{Awaiting, Futures, TaskFuture, Wakes};
use super::reactor::{Direction, Reactor, Waited, Waiter};
use super::rng::{Rng, SharedRng};
use super::shortcut::{self, Shortcut};
use super::timers::{nanos, Timers};
use super::waitlist::{Deferred, Parked};
use super::{
    JoinError, JoinHandle, Reply, SchedError, Stats, Syscall, TaskBody, TaskError, TaskId,
    TaskResume, WaitList,
};
use slab::Slab;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Span;
use volley_core::{Co, Resume};

/// A single-threaded cooperative scheduler whose tasks are Volley coroutines that yield
/// [`Syscall`]s and receive [`Reply`]s (David Beazley's pyos design).
///
/// Tasks run round-robin in the order they became ready. When no task is ready, the scheduler
/// blocks in the readiness poller until a socket is ready or the next timer is due.
/// [`run`](Scheduler::run) returns when no task is left. A task that panics or raises is
/// reported to its joiner and with `tracing::error!`; the others carry on. Every resume runs
/// inside the task's `tracing` span (`task` with its `id` and `name`). Dropping the scheduler
/// closes every remaining task, so their cleanup runs.
///
/// Tasks of one scheduler may return different types: each [`JoinHandle`] is typed.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::sleep;
/// use volley_flow::sched::{spawn, Scheduler, TaskResume};
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let mut sched = Scheduler::new();
/// let out = log.clone();
/// let parent = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     let inner = out.clone();
///     let child = yield_from!(spawn(Co::new(#[coroutine] move |_: TaskResume| {
///         yield_from!(sleep(Duration::from_millis(2)))?;
///         inner.borrow_mut().push("child woke");
///         Ok(40)
///     })))?;
///     out.borrow_mut().push("parent joins");
///     let value = yield_from!(child.join())??;
///     Ok(value + 2)
/// }));
/// assert_eq!(sched.join(parent).unwrap(), 42);
/// assert_eq!(*log.borrow(), ["parent joins", "child woke"]);
/// ```
pub struct Scheduler {
    /// What every switch touches.
    tasks: Slab<Hot>,
    /// The rest of each task, at the same key as its hot half.
    cold: Vec<Option<Cold>>,
    /// Tasks to resume in the next round, in the order they became ready.
    ready: Vec<TaskId>,
    /// The buffer of the round being run, kept to reuse its allocation.
    spare: Vec<TaskId>,
    timers: Timers,
    reactor: Reactor,
    /// Wakes asked for without a system call (`try_send`, `try_recv`).
    deferred: Arc<Deferred>,
    /// The buffer the deferred wakes are moved to while they are carried out (kept: no
    /// allocation per round).
    deferred_spare: Vec<(WaitList, bool)>,
    /// Tasks spawned linked to another (killed when it ends), by that task.
    linked: HashMap<TaskId, Vec<TaskId>>,
    /// The task each linked task is linked to.
    linked_to: HashMap<TaskId, TaskId>,
    serial: u64,
    switches: u64,
    spawned: u64,
    finished: u64,
    shutdown_requested: bool,
    io_woken: Vec<Waiter>,
    /// The wall clock, or virtual time.
    clock: Clock,
    /// The seeded random numbers tasks draw from.
    rng: SharedRng,
    seed: u64,
    /// How many tasks the current round started with.
    round_len: usize,
    /// The deadline of [`run_until`](Scheduler::run_until), while it runs.
    limit: Option<Instant>,
    /// `limit` in nanoseconds since the clock's start.
    limit_at: Option<u64>,
    /// Whether `run`, `join` or `run_until` is running (not `run_once`): virtual time moves.
    running: bool,
    /// A task the running one handed the processor to on virtual time (see
    /// [`sleep_virtual`](Scheduler::sleep_virtual)), run next in the same round; while it
    /// runs, the task a caught panic belongs to.
    handoff: Option<TaskId>,
    /// The horizon of the task being resumed ([`sleep_horizon`](Scheduler::sleep_horizon)),
    /// computed before its resume; nothing it depends on but deferred wakes changes before
    /// the task's next system call is carried out.
    horizon: u64,
    /// The task [`join`](Scheduler::join) runs the scheduler for: the run stops after the
    /// round it ends in, so no shortcut may run anything past that.
    joining: Option<TaskId>,
    /// No sleep ends without a switch and no timer is handed over: the reference the unit
    /// tests compare the shortcuts with.
    #[cfg(test)]
    shortcuts_off: bool,
    /// The handlers of custom system calls.
    handlers: Handlers,
    /// Tasks waiting on futures, and their wakers' shared list.
    futures: Futures,
}

/// What is left of a task taken out of the table.
struct Removed {
    task: Rc<dyn Erased>,
    span: Span,
    joiner: Option<TaskId>,
}

/// What the run loop does after a system call.
enum Next {
    /// Resume the same task at once with this.
    Continue(TaskResume),
    /// Resume the same task at once with `Reply::Done`.
    ContinueDone,
    /// The task is queued, blocked or gone: move on.
    Suspend,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::with_clock(Clock::real(), Rng::fresh_seed())
    }
}

/// Whether a wait for timers and sockets reached the limit of [`Scheduler::run_until`].
#[derive(PartialEq, Eq)]
enum Reached {
    Limit,
    NotYet,
}

impl Scheduler {
    fn with_clock(clock: Clock, seed: u64) -> Self {
        Scheduler {
            tasks: Slab::new(),
            cold: Vec::new(),
            ready: Vec::new(),
            spare: Vec::new(),
            timers: Timers::new(clock.start()),
            reactor: Reactor::default(),
            deferred: Arc::default(),
            deferred_spare: Vec::new(),
            linked: HashMap::new(),
            linked_to: HashMap::new(),
            serial: 0,
            switches: 0,
            spawned: 0,
            finished: 0,
            shutdown_requested: false,
            io_woken: Vec::new(),
            clock,
            rng: SharedRng::seeded(seed),
            seed,
            round_len: 0,
            limit: None,
            limit_at: None,
            running: false,
            handoff: None,
            horizon: 0,
            joining: None,
            #[cfg(test)]
            shortcuts_off: false,
            handlers: Handlers::default(),
            futures: Futures::default(),
        }
    }
}

impl Scheduler {
    /// An empty scheduler. It opens no file descriptor until a task waits for a socket.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// let mut sched = Scheduler::new();
    /// sched.run().unwrap(); // no task: returns at once
    /// ```
    pub fn new() -> Self {
        Scheduler::default()
    }

    /// A scheduler on virtual time with seeded random numbers: a discrete-event simulator.
    ///
    /// Time starts at the scheduler's creation and stands still while any task is ready; when
    /// every task waits, it jumps to the next timer. Tasks due at the same instant run in the
    /// order their timers were set, and tasks made ready together run in the order they were
    /// made ready, so a run depends only on `seed`. The task bodies are the same as on a real
    /// scheduler: `sleep(Duration::from_secs(3600))` takes no wall time here.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::simulated(42);
    /// let clock = sched.clock();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// for (name, minutes) in [("slow", 30), ("quick", 5), ("tie", 30)] {
    ///     let (log, clock) = (log.clone(), clock.clone());
    ///     sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///         yield_from!(sleep(Duration::from_secs(60 * minutes)))?;
    ///         log.borrow_mut().push((name, clock.elapsed().as_secs() / 60));
    ///         Ok(())
    ///     })).detach();
    /// }
    /// sched.run().unwrap();
    /// assert_eq!(*log.borrow(), [("quick", 5), ("slow", 30), ("tie", 30)]);
    /// ```
    pub fn simulated(seed: u64) -> Self {
        Scheduler::with_clock(Clock::simulated(), seed)
    }

    /// Whether the scheduler runs on virtual time.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// assert!(Scheduler::simulated(1).is_simulated());
    /// assert!(!Scheduler::new().is_simulated());
    /// ```
    pub fn is_simulated(&self) -> bool {
        self.clock.is_virtual()
    }

    /// A handle on the scheduler's clock (the wall clock, or virtual time), to read the time
    /// from tasks or from outside without a system call.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_flow::sched::Scheduler;
    /// let mut sched = Scheduler::simulated(1);
    /// sched.run_for(Duration::from_secs(10)).unwrap();
    /// assert_eq!(sched.clock().elapsed(), Duration::from_secs(10));
    /// ```
    pub fn clock(&self) -> Clock {
        self.clock.clone()
    }

    /// The seed of the scheduler's random numbers (drawn at random by
    /// [`new`](Scheduler::new)).
    ///
    /// ```
    /// assert_eq!(volley_flow::sched::Scheduler::simulated(9).seed(), 9);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Restarts the scheduler's random numbers from `seed`.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// let mut sched = Scheduler::new();
    /// sched.set_seed(5);
    /// assert_eq!(sched.seed(), 5);
    /// ```
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
        self.rng.reseed(seed);
    }

    /// A handle on the scheduler's seeded random numbers (the stream tasks draw from).
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// let a = Scheduler::simulated(3).rng().next_u64();
    /// let b = Scheduler::simulated(3).rng().next_u64();
    /// assert_eq!(a, b);
    /// ```
    pub fn rng(&self) -> SharedRng {
        self.rng.clone()
    }

    /// Registers the handler of the custom system calls whose request is a `T`: a task's
    /// `yield_from!(call(request))` runs `handler` inside the scheduler, which answers what
    /// the task gets ([`Handled`](super::task::Handled)): a value at once, or a wait on a wait
    /// list, a timer or the ready queue. A second handler for the same type replaces the
    /// first.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::{call, Handled};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    ///
    /// /// Doubles a number, inside the scheduler.
    /// struct Double(u32);
    /// let mut sched = Scheduler::new();
    /// sched.on_call(|_, Double(n)| Handled::reply(n * 2));
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     let four: u32 = yield_from!(call(Double(2)))?;
    ///     Ok(four)
    /// }));
    /// assert_eq!(sched.join(task).unwrap(), 4);
    /// ```
    pub fn on_call<T: 'static>(
        &mut self,
        handler: impl FnMut(&mut CallContext<'_>, T) -> Handled + 'static,
    ) {
        self.handlers.insert(handler);
    }

    /// Turns busy-polling on (`polls > 0`) or off (`0`, the default). While several sockets are
    /// ready at once, a busy-polling scheduler asks the poller up to `polls` times without
    /// sleeping before it blocks, so a loaded server is caught awake instead of being woken for
    /// each request: more requests per second on loopback, at the price of CPU time. A spin
    /// that finds nothing turns it off until the load returns, so an idle scheduler sleeps.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// let mut sched = Scheduler::new();
    /// assert_eq!(sched.busy_poll(), 0);
    /// sched.set_busy_poll(256);
    /// assert_eq!(sched.busy_poll(), 256);
    /// ```
    pub fn set_busy_poll(&mut self, polls: u32) {
        self.reactor.set_spin_polls(polls);
    }

    /// How many polls without sleeping a loaded scheduler makes before blocking (0: none).
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// assert_eq!(Scheduler::new().busy_poll(), 0);
    /// ```
    pub fn busy_poll(&self) -> u32 {
        self.reactor.spin_polls()
    }

    /// Spawns a task and answers its typed [`JoinHandle`]. It takes any `Co<impl
    /// TaskBody<T>>`: what a `#[task]` function returns, or a closure body wrapped with
    /// `Co::new`. The task's name (in its tracing span) is the coroutine's.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let text = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok("done")).named("words"));
    /// let number = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(7u32)).named("numbers"));
    /// sched.run().unwrap();
    /// assert_eq!(text.take_outcome().unwrap().unwrap(), "done");
    /// assert_eq!(number.take_outcome().unwrap().unwrap(), 7);
    /// ```
    pub fn spawn<B, T>(&mut self, co: Co<B>) -> JoinHandle<T>
    where
        B: TaskBody<T> + 'static,
        T: 'static,
    {
        let (task, slot) = NewTask::cell(co);
        let id = self.insert(task, None);
        JoinHandle::new(id, slot)
    }

    /// Puts a new task in the table and queues it; `parent` links it (killed with it).
    fn insert(&mut self, task: Rc<dyn Erased>, parent: Option<TaskId>) -> TaskId {
        self.serial += 1;
        self.spawned += 1;
        let entry = self.tasks.vacant_entry();
        let id = TaskId {
            key: entry.key(),
            serial: self.serial,
        };
        let mut span = Span::none();
        task.with_name(&mut |name| {
            span = tracing::info_span!(target: "volley::sched", "task", id = id.serial, name);
        });
        tracing::debug!(target: "volley::sched", parent: &span, "task spawned");
        entry.insert(Hot {
            task,
            serial: id.serial,
            status: Status::ReadyPending,
            traced: !span.is_disabled(),
        });
        let cold = Cold {
            span,
            pending: Some(Resume::Start),
            wait: None,
            wait_no: 0,
            joiner: None,
            woken_from: None,
        };
        match self.cold.get_mut(id.key()) {
            Some(place) => *place = Some(cold),
            None => {
                self.cold.resize_with(id.key(), || None);
                self.cold.push(Some(cold));
            }
        }
        if let Some(parent) = parent {
            if self.is_alive(parent) {
                self.linked.entry(parent).or_default().push(id);
                self.linked_to.insert(id, parent);
            }
        }
        self.ready.push(id);
        id
    }

    /// Runs tasks until none is left.
    ///
    /// Returns `Err(SchedError::Deadlock)` if every remaining task waits on something no timer
    /// or socket can bring (a channel, a join, a wait list): those tasks stay, and
    /// [`shutdown`](Scheduler::shutdown) (or dropping the scheduler) closes them. Returns
    /// `Err(SchedError::Io)` if the readiness poller fails. A task's own failure never stops it.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::sync::{park, WaitList};
    /// use volley_flow::sched::{Scheduler, SchedError, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     yield_from!(park(&WaitList::new()))?; // nobody will ever wake it
    ///     Ok(())
    /// })).detach();
    /// assert!(matches!(sched.run(), Err(SchedError::Deadlock { blocked: 1 })));
    /// assert_eq!(sched.shutdown(), 1);
    /// ```
    pub fn run(&mut self) -> Result<(), SchedError> {
        self.run_while(|_| true, None)
    }

    /// Runs tasks until the clock reaches `deadline` (SimPy's `env.run(until=t)`): everything
    /// due before it happens, nothing due at or after it. A simulated scheduler's clock then
    /// reads `deadline` exactly; a real one returns once the wall clock passed it. Returns
    /// early when no task is left. Errors as [`run`](Scheduler::run), except that tasks waiting
    /// on nothing but the deadline are no deadlock.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{Scheduler, TaskResult, TaskResume};
    /// let ticks = Rc::new(Cell::new(0));
    /// let mut sched = Scheduler::simulated(0);
    /// let counter = ticks.clone();
    /// sched.spawn(Co::new(#[coroutine] move |_: TaskResume| -> TaskResult {
    ///     loop {
    ///         yield_from!(sleep(Duration::from_secs(1)))?;
    ///         counter.set(counter.get() + 1);
    ///     }
    /// })).detach();
    /// let start = sched.clock().start();
    /// sched.run_until(start + Duration::from_secs(10)).unwrap();
    /// assert_eq!(ticks.get(), 9); // the tick due at 10 s has not happened
    /// sched.run_for(Duration::from_millis(500)).unwrap();
    /// assert_eq!(ticks.get(), 10);
    /// assert_eq!(sched.clock().elapsed(), Duration::from_millis(10_500));
    /// ```
    pub fn run_until(&mut self, deadline: Instant) -> Result<(), SchedError> {
        self.run_while(|_| true, Some(deadline))
    }

    /// Runs tasks for `duration` of the scheduler's clock: [`run_until`](Scheduler::run_until)
    /// the clock's now plus `duration`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_flow::sched::Scheduler;
    /// let mut sched = Scheduler::simulated(0);
    /// sched.run_for(Duration::from_secs(60)).unwrap();
    /// assert_eq!(sched.clock().elapsed(), Duration::from_secs(60));
    /// ```
    pub fn run_for(&mut self, duration: Duration) -> Result<(), SchedError> {
        match self.clock.now().checked_add(duration) {
            Some(deadline) => self.run_until(deadline),
            None => self.run(),
        }
    }

    /// Runs the scheduler until the task of `handle` ends, and answers its outcome: how to
    /// get a task's value from outside the scheduler. Other tasks run meanwhile and may be left
    /// running; a scheduler that stops first (a deadlock, a poller failure) gives
    /// [`JoinError::Sched`].
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::yield_now;
    /// use volley_flow::sched::{Scheduler, TaskResult, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let forever = sched.spawn(Co::new(#[coroutine] |_: TaskResume| -> TaskResult {
    ///     loop {
    ///         yield_from!(yield_now())?;
    ///     }
    /// }));
    /// let quick = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(3 * 14)));
    /// assert_eq!(sched.join(quick).unwrap(), 42);
    /// assert!(!forever.is_finished());
    /// # forever.detach();
    /// ```
    pub fn join<T>(&mut self, handle: JoinHandle<T>) -> Result<T, JoinError> {
        let id = handle.id();
        let outer = self.joining.replace(id);
        let ran = self.run_while(|sched| sched.is_alive(id) && !handle.is_finished(), None);
        self.joining = outer;
        match handle.take_outcome() {
            Some(outcome) => outcome,
            None => Err(JoinError::Sched(match ran {
                Err(e) => e,
                Ok(()) => SchedError::ForeignTask(id),
            })),
        }
    }

    /// Runs rounds while `go_on` says so, tasks are left and the clock is before `limit`.
    fn run_while(
        &mut self,
        go_on: impl Fn(&Scheduler) -> bool,
        limit: Option<Instant>,
    ) -> Result<(), SchedError> {
        self.limit = limit;
        self.limit_at = limit.map(|limit| self.timers.nanos_of(limit));
        self.running = true;
        let installed = shortcut::install(self.shortcut());
        let ran = self.run_rounds(go_on, limit);
        drop(installed);
        self.running = false;
        self.limit = None;
        self.limit_at = None;
        ran
    }

    fn run_rounds(
        &mut self,
        go_on: impl Fn(&Scheduler) -> bool,
        limit: Option<Instant>,
    ) -> Result<(), SchedError> {
        while go_on(self) {
            if self.run_round() {
                return Ok(());
            }
            if self.tasks.is_empty() {
                self.ready.clear();
                if let Some(limit) = limit {
                    self.clock.advance(limit);
                }
                return Ok(());
            }
            if !go_on(self) {
                return Ok(());
            }
            let reached = if self.clock.is_virtual() {
                self.advance_virtual_time(limit)?
            } else {
                self.wake_sleepers_and_sockets(limit)?
            };
            if reached == Reached::Limit {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Closes every remaining task (each one's close arm and drops run, inside its span) and
    /// answers how many there were. Their joiners learn [`JoinError::Killed`].
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use volley_core::{co_yield, Co, Exit};
    /// use volley_flow::sched::sync::WaitList;
    /// use volley_flow::sched::{JoinError, Scheduler, Syscall, TaskResume};
    /// let cleaned = Rc::new(Cell::new(false));
    /// let flag = cleaned.clone();
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     match co_yield!(Syscall::Park(WaitList::new())) {
    ///         Err(Exit::Closed) => { flag.set(true); Err(Exit::Closed) }
    ///         _ => Ok(()),
    ///     }
    /// }));
    /// let _ = sched.run();
    /// assert_eq!(sched.shutdown(), 1);
    /// assert!(cleaned.get());
    /// assert!(matches!(task.take_outcome(), Some(Err(JoinError::Killed))));
    /// ```
    pub fn shutdown(&mut self) -> usize {
        self.shutdown_requested = false;
        let ids: Vec<TaskId> = self
            .tasks
            .iter()
            .map(|(key, hot)| TaskId {
                key,
                serial: hot.serial,
            })
            .collect();
        let mut closed = 0;
        for id in ids {
            if self.kill(id) {
                closed += 1;
            }
        }
        self.ready.clear();
        self.timers.clear();
        self.reactor.clear_waiters();
        closed
    }

    /// Kills a task from outside the run loop: its close arm and drops run now, its joiner
    /// learns [`JoinError::Killed`]. Answers whether it was alive.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{JoinError, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())));
    /// assert!(sched.kill(task.id()));
    /// assert!(!sched.kill(task.id()));
    /// assert!(matches!(task.take_outcome(), Some(Err(JoinError::Killed))));
    /// ```
    pub fn kill(&mut self, task: TaskId) -> bool {
        let Some(removed) = self.remove(task) else {
            return false;
        };
        let closed = removed
            .span
            .in_scope(|| catch_unwind(AssertUnwindSafe(|| removed.task.close())));
        let failure = match closed {
            Ok(failure) => failure,
            Err(payload) => JoinError::Panicked(panic_message(payload)),
        };
        self.ended(task, removed, Some(failure));
        true
    }

    /// Throws `error` into a task from outside the run loop, waking it if it is blocked.
    /// Answers whether it was alive.
    ///
    /// ```
    /// use volley_core::{co_yield, Co};
    /// use volley_flow::sched::{JoinError, Scheduler, Syscall, TaskError, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     co_yield!(Syscall::Yield)?;
    ///     Ok(())
    /// }));
    /// sched.run_once();
    /// assert!(sched.cancel(task.id(), TaskError::cancelled("stop")));
    /// assert!(sched.join(task).is_err_and(|e| e.is_cancelled()));
    /// ```
    pub fn cancel(&mut self, task: TaskId, error: TaskError) -> bool {
        let Some((hot, cold)) = self.parts(task) else {
            return false;
        };
        match hot.status {
            Status::ReadyDone | Status::ReadyPending | Status::Running => {
                let was_ready = hot.status != Status::Running;
                hot.status = Status::ReadyPending;
                cold.pending = Some(Resume::Throw(error));
                if let Some(list) = cold.woken_from.take().filter(|_| was_ready) {
                    self.wake(&list, false);
                }
            }
            Status::Blocked => {
                if let Some(wait) = cold.wait.take() {
                    self.unwait(task, wait);
                }
                self.make_ready(task, Some(Resume::Throw(error)));
            }
        }
        true
    }

    /// Resumes every task that is ready now once (one round), without waiting for timers or
    /// sockets. Useful to step a scheduler by hand.
    ///
    /// ```
    /// use volley_core::{co_yield, Co};
    /// use volley_flow::sched::{Scheduler, Syscall, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///     co_yield!(Syscall::Yield)?;
    ///     Ok(())
    /// })).detach();
    /// sched.run_once();
    /// assert_eq!(sched.stats().alive, 1);
    /// sched.run_once();
    /// assert_eq!(sched.stats().alive, 0);
    /// ```
    pub fn run_once(&mut self) {
        let _installed = shortcut::install(self.shortcut());
        self.run_round();
    }

    /// Whether any task is ready to run (queued for the next round).
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// assert!(!sched.has_ready());
    /// sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(()))).detach();
    /// assert!(sched.has_ready());
    /// sched.run_once();
    /// assert!(!sched.has_ready());
    /// ```
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Resumes every task ready at the start of the round once, in order, then carries out
    /// the wakes asked for without a system call; answers whether a shutdown request ended the
    /// round (the shutdown is done).
    ///
    /// A task that panics is caught here, once per round rather than once per resume: the
    /// panic can only come from the task being resumed (killing another task catches that
    /// task's panic itself), and the core leaves a panicked coroutine closed, so the task is
    /// reported as panicked and the round goes on with the next one.
    fn run_round(&mut self) -> bool {
        let mut round = std::mem::take(&mut self.spare);
        std::mem::swap(&mut round, &mut self.ready);
        self.round_len = round.len();
        let mut next = 0;
        let shut_down = loop {
            let ran = catch_unwind(AssertUnwindSafe(|| self.run_tasks(&round, &mut next)));
            match ran {
                Ok(shut_down) => break shut_down,
                Err(payload) => {
                    // The resume that panicked left its horizon set.
                    if let Some(time) = self.clock.virtual_time() {
                        time.set_horizon(0);
                    }
                    let id = match self.handoff.take() {
                        // `round[next]` handed over and waits: the panic is the other task's.
                        Some(other) => other,
                        None => match round.get(next) {
                            Some(&id) => id,
                            None => break false,
                        },
                    };
                    next += 1;
                    self.finish(id, Some(JoinError::Panicked(panic_message(payload))));
                    if self.shutdown_requested {
                        self.shutdown();
                        break true;
                    }
                }
            }
        };
        round.clear();
        self.spare = round;
        self.run_deferred_wakes();
        shut_down
    }

    /// Carries out the wakes `try_send` and `try_recv` asked for.
    fn run_deferred_wakes(&mut self) {
        if self.deferred.is_empty() {
            return;
        }
        let mut wakes = std::mem::take(&mut self.deferred_spare);
        self.deferred.take_into(&mut wakes);
        for (list, all) in wakes.drain(..) {
            self.wake(&list, all);
        }
        self.deferred_spare = wakes;
    }

    /// Runs `round[*next..]`, advancing `next` past each task once it is done with; answers
    /// whether a shutdown request stopped it (the shutdown is done).
    fn run_tasks(&mut self, round: &[TaskId], next: &mut usize) -> bool {
        // Two copies of the loop: the wall clock's has no trace of virtual time's sleep
        // shortcut.
        if self.clock.is_virtual() {
            self.run_tasks_on::<true>(round, next)
        } else {
            self.run_tasks_on::<false>(round, next)
        }
    }

    /// [`run_tasks`](Scheduler::run_tasks) on virtual time (`VIRTUAL`) or the wall clock.
    fn run_tasks_on<const VIRTUAL: bool>(&mut self, round: &[TaskId], next: &mut usize) -> bool {
        while let Some(&id) = round.get(*next) {
            // One call site, so `run_task` stays inlined; on the wall clock nothing is ever
            // handed over and the loop runs once.
            let mut task = id;
            loop {
                self.run_task::<VIRTUAL>(task);
                match self.handoff {
                    None => break,
                    Some(other) if other == task => {
                        self.handoff = None;
                        break;
                    }
                    Some(other) => task = other,
                }
            }
            *next += 1;
            if self.shutdown_requested {
                self.shutdown();
                return true;
            }
        }
        false
    }

    /// Whether a task has not ended yet.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())));
    /// assert!(sched.is_alive(task.id()));
    /// sched.run().unwrap();
    /// assert!(!sched.is_alive(task.id()));
    /// ```
    pub fn is_alive(&self, task: TaskId) -> bool {
        self.tasks
            .get(task.key())
            .is_some_and(|hot| hot.serial == task.serial)
    }

    /// The scheduler's counters.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(()))).detach();
    /// assert_eq!(sched.stats().alive, 1);
    /// sched.run().unwrap();
    /// assert_eq!(sched.stats().finished, 1);
    /// ```
    pub fn stats(&self) -> Stats {
        Stats {
            switches: self.switches + self.clock.virtual_time().map_or(0, |time| time.skipped()),
            spawned: self.spawned,
            finished: self.finished,
            alive: self.tasks.len(),
        }
    }

    /// Resumes one task until it blocks, queues itself, or ends. A panic of the task unwinds
    /// out of here to [`run_round`](Scheduler::run_round).
    ///
    /// The common switch, a task resumed with `Done` that yields `Syscall::Yield` again, reads
    /// and writes only the task's hot half and the ready queue.
    #[inline]
    fn run_task<const VIRTUAL: bool>(&mut self, id: TaskId) {
        let key = id.key();
        let mut horizon = if VIRTUAL { self.sleep_horizon() } else { 0 };
        let Some(mut hot) = self
            .tasks
            .get_mut(key)
            .filter(|hot| hot.serial == id.serial)
        else {
            return; // killed while queued
        };
        // `None`: resume with `Reply::Done`, built by the task itself. Only the tag is tested
        // on the common path: moving a whole `Option` out when just its tag was written stalls
        // on a wide load of a narrow store.
        let mut pending: Option<TaskResume> = match hot.status {
            Status::ReadyDone => None,
            Status::ReadyPending => match self.cold.get_mut(key) {
                Some(Some(cold)) => {
                    cold.woken_from = None;
                    cold.pending.take()
                }
                _ => None,
            },
            Status::Blocked | Status::Running => return, // a stale queue entry
        };
        hot.status = Status::Running;
        loop {
            self.switches += 1;
            let task = &hot.task;
            let pending_ref = &mut pending;
            let mut resume = move || match pending_ref.is_none() {
                true => task.send_done(),
                false => match pending_ref.take() {
                    Some(resume) => task.resume(resume),
                    None => task.send_done(),
                },
            };
            let time = if VIRTUAL {
                self.horizon = horizon;
                self.clock.virtual_time()
            } else {
                None
            };
            if let Some(time) = time {
                time.set_horizon(horizon);
            }
            let turn = if hot.traced {
                match self.cold.get(key) {
                    Some(Some(cold)) => cold.span.in_scope(resume),
                    _ => resume(),
                }
            } else {
                resume()
            };
            if let Some(time) = time {
                time.set_horizon(0);
            }
            let next = match turn {
                Turn::Yield => {
                    hot.status = Status::ReadyDone;
                    self.ready.push(id);
                    return;
                }
                Turn::Sleep(duration) => self.sleep_for(id, duration),
                Turn::Call(call) if VIRTUAL => self.carry_out(id, call),
                Turn::Call(call) => self.syscall(id, call),
                Turn::Ended(Ok(())) => return self.finish(id, None),
                Turn::Ended(Err(failure)) => return self.finish(id, Some(failure)),
            };
            match next {
                Next::Continue(next) => pending = Some(next),
                Next::ContinueDone => pending = None,
                Next::Suspend => return,
            }
            if VIRTUAL {
                horizon = self.sleep_horizon();
            }
            hot = match self.tasks.get_mut(key) {
                Some(hot) => hot,
                None => return,
            };
        }
    }

    /// Carries out one system call of the running task `me`.
    fn syscall(&mut self, me: TaskId, call: Syscall) -> Next {
        self.carry_out(me, call)
    }

    /// [`syscall`](Scheduler::syscall), inlined into the task loop on virtual time, where
    /// simulations make one for almost every resume.
    #[inline(always)]
    fn carry_out(&mut self, me: TaskId, call: Syscall) -> Next {
        let reply = match call {
            Syscall::Yield => {
                self.make_ready(me, None);
                return Next::Suspend;
            }
            Syscall::GetId => Reply::Id(me),
            Syscall::Spawn(new) => {
                let parent = new.linked.then_some(me);
                match new.task.take() {
                    Some(task) => Reply::Id(self.insert(task, parent)),
                    None => Reply::Error(SchedError::Unsupported {
                        call: "spawn",
                        why: "the new task was made on another thread",
                    }),
                }
            }
            Syscall::Join(target) => return self.join_task(me, target),
            Syscall::Kill(target) if target == me => {
                self.kill(me);
                return Next::Suspend;
            }
            Syscall::Kill(target) => Reply::Found(self.kill(target)),
            Syscall::Cancel(target, error) if target == me => {
                return Next::Continue(Resume::Throw(error))
            }
            Syscall::Cancel(target, error) => Reply::Found(self.cancel(target, error)),
            Syscall::Sleep(duration) => return self.sleep_for(me, duration),
            Syscall::SleepUntil(deadline) => return self.sleep(me, Some(deadline)),
            Syscall::Readable(io) => return self.wait_io(me, &io, Direction::Read),
            Syscall::Writable(io) => return self.wait_io(me, &io, Direction::Write),
            Syscall::Park(list) => {
                // The owner first: a wake from another thread finds who carries it out.
                list.set_owner(&self.deferred);
                // On one thread a permit is only ever left by a wake from another thread
                // between the task's arming and this park.
                if list.queue().park(me, list.is_arming()) == Parked::Permit {
                    Reply::Done
                } else {
                    self.block(me, Wait::Park(list));
                    return Next::Suspend;
                }
            }
            Syscall::Wake { list, all } => Reply::Woken(self.wake(&list, all)),
            Syscall::Stats => Reply::Stats(self.stats()),
            Syscall::Shutdown => {
                if let Some(hot) = self.hot_mut(me) {
                    hot.status = Status::ReadyDone;
                }
                self.shutdown_requested = true;
                return Next::Suspend;
            }
            Syscall::Custom(call) => return self.custom(me, call),
            Syscall::Await(fut) => return self.await_future(me, fut),
        };
        Next::Continue(Resume::Send(reply))
    }

    /// Polls a future `me` awaits; blocks `me` on it unless it finished at once.
    fn await_future(&mut self, me: TaskId, fut: TaskFuture) -> Next {
        let wait = match self.parts(me) {
            Some((_, cold)) => cold.wait_no.wrapping_add(1),
            None => return Next::Suspend,
        };
        let wakes = match &self.futures.wakes {
            Some(wakes) => wakes.clone(),
            None => match self.reactor.new_waker() {
                Ok(poller) => self.futures.wakes.insert(Wakes::new(poller)).clone(),
                Err(e) => return Next::Continue(Resume::Send(Reply::Error(e))),
            },
        };
        let Some(fut) = fut.into_local() else {
            return Next::Continue(Resume::Send(Reply::Error(SchedError::Unsupported {
                call: "await",
                why: "the future was made on another thread",
            })));
        };
        match Awaiting::start(fut, &wakes, Waiter { task: me, wait }) {
            None => Next::ContinueDone,
            Some(awaiting) => {
                self.block(me, Wait::Future(awaiting));
                self.futures.waiting += 1;
                Next::Suspend
            }
        }
    }

    /// Polls the futures whose wakers were woken since the last call, and makes ready the
    /// tasks whose future finished.
    fn poll_woken_futures(&mut self) {
        let Some(wakes) = &self.futures.wakes else {
            return;
        };
        let mut woken = std::mem::take(&mut self.futures.woken);
        wakes.drain(&mut woken);
        for waiter in woken.drain(..) {
            let Some((hot, cold)) = self.parts(waiter.task) else {
                continue; // ended meanwhile
            };
            if hot.status != Status::Blocked || cold.wait_no != waiter.wait {
                continue; // a stale wake: the future finished, or the wait ended
            }
            let Some(Wait::Future(awaiting)) = &mut cold.wait else {
                continue;
            };
            if awaiting.poll().is_ready() {
                self.futures.waiting -= 1;
                self.make_ready(waiter.task, None);
            }
        }
        self.futures.woken = woken;
    }

    /// Runs the handler of a custom call and carries out its decision.
    fn custom(&mut self, me: TaskId, call: super::task::CustomCall) -> Next {
        let call = match call.kind {
            Kind::Builtin(builtin) => {
                let reply = match builtin {
                    Builtin::Now => Reply::Now(self.clock.now()),
                    Builtin::Random => Reply::Random(self.rng.next_u64()),
                    Builtin::Clock(answer) => match answer.take() {
                        Some(answer) => {
                            *answer.borrow_mut() = Some(Box::new(self.clock.clone()));
                            Reply::Custom
                        }
                        None => Reply::Error(made_elsewhere()),
                    },
                    Builtin::Rng(answer) => match answer.take() {
                        Some(answer) => {
                            *answer.borrow_mut() = Some(Box::new(self.rng.clone()));
                            Reply::Custom
                        }
                        None => Reply::Error(made_elsewhere()),
                    },
                };
                return Next::Continue(Resume::Send(reply));
            }
            Kind::User(call) => match call.take() {
                Some(call) => call,
                None => return Next::Continue(Resume::Send(Reply::Error(made_elsewhere()))),
            },
        };
        let mut cx = CallContext {
            task: me,
            clock: &self.clock,
            rng: &self.rng,
        };
        match self.handlers.handle(&mut cx, call.request, call.type_name) {
            Handled::Reply(answer) => {
                *call.answer.borrow_mut() = Some(answer);
                Next::Continue(Resume::Send(Reply::Custom))
            }
            Handled::Raise(error) => Next::Continue(Resume::Throw(error)),
            Handled::Yield => {
                self.make_ready(me, None);
                Next::Suspend
            }
            Handled::SleepUntil(deadline) => self.sleep(me, Some(deadline)),
            Handled::Park(list) => self.syscall(me, Syscall::Park(list)),
        }
    }

    /// Whether, on virtual time, a timer of the running task at `deadline` would be the next
    /// thing to happen: no other task is ready or about to be, no timer is due before or at
    /// the same instant (an earlier one set fires first), no socket waits, `deadline` is
    /// before the limit of `run_until`, and the task `join` waits for has not ended (the run
    /// stops after this round). Then the task can go on at once with the clock moved,
    /// which is what the timer would do, without the round trip through the timer heap.
    #[inline]
    fn timers_decide(&self) -> bool {
        #[cfg(test)]
        if self.shortcuts_off {
            return false;
        }
        self.running
            && self.round_len == 1
            && self.ready.is_empty()
            && self.reactor.waiting() == 0
            && self.futures.waiting == 0
            && self.deferred.is_empty()
            && self.joining.is_none_or(|target| self.is_alive(target))
    }

    /// Sleeps `me` for `duration` on the scheduler's clock.
    #[inline(always)]
    fn sleep_for(&mut self, me: TaskId, duration: Duration) -> Next {
        if let Some(now) = self.clock.virtual_nanos() {
            return self.sleep_virtual(me, now.saturating_add(nanos(duration)));
        }
        let deadline = Instant::now().checked_add(duration);
        self.sleep(me, deadline)
    }

    /// On virtual time, the instant before which a sleep of the task about to be resumed ends
    /// first (see [`shortcut`](super::shortcut)): the next timer's or the limit of
    /// `run_until`, when nothing else could happen before ([`timers_decide`](Scheduler::timers_decide)); 0 otherwise.
    #[inline]
    fn sleep_horizon(&self) -> u64 {
        if !self.timers_decide() {
            return 0;
        }
        let next = self.timers.next_at().unwrap_or(u64::MAX);
        next.min(self.limit_at.unwrap_or(u64::MAX))
    }

    /// What the sleep shortcut needs while this scheduler runs (`None` on the wall clock).
    fn shortcut(&self) -> Option<Shortcut> {
        self.clock.virtual_time().map(|time| Shortcut {
            time: time.clone(),
            deferred: self.deferred.clone(),
        })
    }

    /// Sleeps on virtual time until `at` (nanoseconds since the start; `u64::MAX`: forever).
    ///
    /// When the running task is the only one that could do anything before the next timer
    /// ([`timers_decide`](Scheduler::timers_decide)), the timer heap alone decides what
    /// happens next, and two round trips through it are saved: a deadline before the next
    /// timer goes on at once with the clock moved; a later one takes the next timer's place in
    /// one sift of the heap, and that timer's task is woken with the clock at its deadline.
    /// Either is what setting the timer and firing the next one would do. The woken task is
    /// handed the processor directly, in the same round (it would be the next round's only
    /// task). When other timers are due at that same instant, nothing is handed over: they
    /// fire together in the next round, so what the first one's task makes ready, at once or
    /// at the end of its round, comes after all of them.
    #[inline(always)]
    fn sleep_virtual(&mut self, me: TaskId, at: u64) -> Next {
        if at == u64::MAX {
            self.block_sleeping(me);
            return Next::Suspend;
        }
        let before_limit = |t: u64| self.limit_at.is_none_or(|limit| t < limit);
        // `timers_decide`, as it was before this resume (a horizon of 0 is the rare timer at
        // the very start: then the general path below is taken, which is as correct).
        if self.horizon != 0 && self.deferred.is_empty() {
            match self.timers.next_at() {
                Some(next) if at < next && before_limit(at) => {
                    self.clock.advance_nanos(at);
                    return Next::ContinueDone;
                }
                None if before_limit(at) => {
                    self.clock.advance_nanos(at);
                    return Next::ContinueDone;
                }
                // Alone at its instant: with other timers due then (`me`'s own included),
                // they all fire together, in one round, as the general path does.
                Some(next) if at > next && before_limit(next) && self.timers.alone_at(next) => {
                    let wait = self.block_sleeping(me);
                    if let Some(timer) = self.timers.replace_next(at, me, wait) {
                        self.clock.advance_nanos(timer.at);
                        self.hand_over(timer);
                    }
                    return Next::Suspend;
                }
                _ => {}
            }
        }
        let wait = self.block_sleeping(me);
        self.timers.add_at(at, me, wait);
        Next::Suspend
    }

    fn join_task(&mut self, me: TaskId, target: TaskId) -> Next {
        if target == me {
            return Next::Continue(Resume::Send(Reply::Error(SchedError::JoinSelf)));
        }
        let joiner = match self.parts(target) {
            // Ended: its outcome is in its handle already.
            None => return Next::Continue(Resume::Send(Reply::Done)),
            Some((_, cold)) => cold.joiner,
        };
        if joiner.is_some_and(|other| self.is_joining(other, target)) {
            return Next::Continue(Resume::Send(Reply::Error(SchedError::AlreadyJoined(
                target,
            ))));
        }
        if let Some((_, cold)) = self.parts(target) {
            cold.joiner = Some(me);
        }
        self.block(me, Wait::Join(target));
        Next::Suspend
    }

    /// Whether `joiner` is blocked joining `target`.
    fn is_joining(&mut self, joiner: TaskId, target: TaskId) -> bool {
        matches!(
            self.parts(joiner),
            Some((hot, Cold { wait: Some(Wait::Join(t)), .. }))
                if hot.status == Status::Blocked && *t == target
        )
    }

    fn sleep(&mut self, me: TaskId, deadline: Option<Instant>) -> Next {
        let wait = self.block(me, Wait::Sleep);
        // A deadline past what `Instant` can hold means forever: no timer.
        if let Some(deadline) = deadline {
            self.timers.add(deadline, me, wait);
        }
        Next::Suspend
    }

    fn wait_io(&mut self, me: TaskId, io: &super::net::IoSource, dir: Direction) -> Next {
        let wait = match self.parts(me) {
            Some((_, cold)) => cold.wait_no.wrapping_add(1),
            None => return Next::Suspend,
        };
        match self.reactor.wait(io, dir, Waiter { task: me, wait }) {
            Ok(Waited::Ready) => Next::Continue(Resume::Send(Reply::Done)),
            Ok(Waited::Blocked { token }) => {
                self.block(
                    me,
                    Wait::Io {
                        token,
                        read: dir == Direction::Read,
                    },
                );
                Next::Suspend
            }
            Err(e) => Next::Continue(Resume::Send(Reply::Error(e))),
        }
    }

    /// Wakes the task parked longest on `list` (or every task parked there, with `all`) from
    /// outside the run loop; answers how many were woken. They run at the next round: how a
    /// frame loop or any other driver outside the scheduler releases waiting tasks.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::sync::{park, WaitList};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let frame = WaitList::new();
    /// let mut sched = Scheduler::new();
    /// let waiting = frame.clone();
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(park(&waiting))?;
    ///     Ok("next frame")
    /// }));
    /// sched.run_once();
    /// assert_eq!(sched.wake(&frame, true), 1);
    /// assert_eq!(sched.join(task).unwrap(), "next frame");
    /// ```
    pub fn wake(&mut self, list: &WaitList, all: bool) -> usize {
        list.queue().wake(all, |id| {
            let parked_here = match self.parts(id) {
                Some((hot, cold)) if hot.status == Status::Blocked => {
                    matches!(&cold.wait, Some(Wait::Park(on)) if on.same(list))
                }
                _ => false,
            };
            if parked_here {
                if let Some((_, cold)) = self.parts(id) {
                    // The wait's handle of the list becomes the record of the wake.
                    if let Some(Wait::Park(on)) = cold.wait.take() {
                        cold.woken_from = Some(on);
                    }
                }
                // Resumed through the pending path, which clears `woken_from`.
                self.make_ready(id, Some(Resume::Send(Reply::Done)));
            }
            parked_here
        })
    }

    /// Marks `me` blocked on `wait`; answers the number of this wait.
    #[inline(always)]
    fn block(&mut self, me: TaskId, wait: Wait) -> u32 {
        self.block_with(me, |slot| replace_wait(slot, Some(wait)))
    }

    /// [`block`](Scheduler::block) on a timer: the wait is written in place, as a constant (a
    /// `Wait` passed in is built on the stack and copied over in wider pieces than it was
    /// written in, which stalls the processor on every simulated sleep).
    #[inline(always)]
    fn block_sleeping(&mut self, me: TaskId) -> u32 {
        self.block_with(me, |slot| {
            drop_owning_wait(slot);
            *slot = Some(Wait::Sleep);
        })
    }

    /// Marks `me` blocked, its wait written by `set_wait`; answers the number of this wait.
    #[inline(always)]
    fn block_with(&mut self, me: TaskId, set_wait: impl FnOnce(&mut Option<Wait>)) -> u32 {
        match self.parts(me) {
            Some((hot, cold)) => {
                hot.status = Status::Blocked;
                cold.wait_no = cold.wait_no.wrapping_add(1);
                set_wait(&mut cold.wait);
                cold.wait_no
            }
            None => 0,
        }
    }

    /// Queues a task to be resumed with `pending`, or with `Done` if there is none.
    fn make_ready(&mut self, task: TaskId, pending: Option<TaskResume>) {
        if let Some((hot, cold)) = self.parts(task) {
            replace_wait(&mut cold.wait, None);
            match pending {
                None => {
                    hot.status = Status::ReadyDone;
                    // Most often there is none: skip the drop glue of a whole `Resume`.
                    if cold.pending.is_some() {
                        cold.pending = None;
                    }
                }
                Some(resume) => {
                    hot.status = Status::ReadyPending;
                    cold.pending = Some(resume);
                }
            }
            self.ready.push(task);
        }
    }

    /// Undoes the bookkeeping of a wait that ends early (kill, cancel).
    fn unwait(&mut self, task: TaskId, wait: Wait) {
        match wait {
            Wait::Io { token, read } => {
                let dir = if read {
                    Direction::Read
                } else {
                    Direction::Write
                };
                self.reactor.forget(token, dir, task)
            }
            Wait::Join(target) => {
                if let Some((_, cold)) = self.parts(target) {
                    if cold.joiner == Some(task) {
                        cold.joiner = None;
                    }
                }
            }
            // Dropping the future runs its cleanup; a later wake of its waker is stale.
            Wait::Future(_) => self.futures.waiting -= 1,
            // Stale timer entries and wait-list entries are skipped when they come up.
            Wait::Sleep | Wait::Park(_) => {}
        }
    }

    /// Takes a live task out of the table, undoing its wait.
    fn remove(&mut self, task: TaskId) -> Option<Removed> {
        if !self.is_alive(task) {
            return None;
        }
        let Hot {
            task: erased,
            status,
            ..
        } = self.tasks.remove(task.key());
        let Cold {
            span,
            wait,
            joiner,
            woken_from,
            ..
        } = self.cold.get_mut(task.key()).and_then(Option::take)?;
        match status {
            Status::Blocked => {
                if let Some(wait) = wait {
                    self.unwait(task, wait);
                }
            }
            Status::ReadyDone | Status::ReadyPending => {
                if let Some(list) = woken_from {
                    self.wake(&list, false);
                }
            }
            Status::Running => {}
        }
        Some(Removed {
            task: erased,
            span,
            joiner,
        })
    }

    /// A task ended by itself: returned (`None`), or raised, panicked, or closed itself.
    fn finish(&mut self, task: TaskId, failure: Option<JoinError>) {
        if let Some(removed) = self.remove(task) {
            self.ended(task, removed, failure);
        }
    }

    /// Reports an ended task, settles its outcome, wakes its joiner, and kills the tasks
    /// linked to it.
    fn ended(&mut self, id: TaskId, removed: Removed, failure: Option<JoinError>) {
        self.finished += 1;
        let Removed { task, span, joiner } = removed;
        let span = &span;
        match failure {
            None => {
                tracing::debug!(target: "volley::sched", parent: span, "task returned");
                task.complete();
            }
            Some(JoinError::Killed) => {
                tracing::debug!(target: "volley::sched", parent: span, "task killed");
                task.settle(JoinError::Killed);
            }
            Some(error) => {
                tracing::error!(target: "volley::sched", parent: span, task = %id, %error, "task failed");
                task.settle(error);
            }
        }
        drop(task);
        if let Some(joiner) = joiner {
            if self.is_joining(joiner, id) {
                self.make_ready(joiner, Some(Resume::Send(Reply::Done)));
            }
        }
        if !self.linked_to.is_empty() {
            if let Some(parent) = self.linked_to.remove(&id) {
                if let Some(children) = self.linked.get_mut(&parent) {
                    children.retain(|child| *child != id);
                    if children.is_empty() {
                        self.linked.remove(&parent);
                    }
                }
            }
        }
        if !self.linked.is_empty() {
            for child in self.linked.remove(&id).unwrap_or_default() {
                self.kill(child);
            }
        }
    }

    /// Fires due timers and collects socket readiness; blocks for them when no task is ready,
    /// at most until `limit`.
    fn wake_sleepers_and_sockets(&mut self, limit: Option<Instant>) -> Result<Reached, SchedError> {
        if self.futures.waiting > 0 {
            self.poll_woken_futures();
        }
        let busy = !self.ready.is_empty();
        // Waiting futures are woken through the poller (their wakers wake it).
        let futures_wait = !busy && self.futures.waiting > 0;
        if busy && self.timers.is_empty() && self.reactor.waiting() == 0 && limit.is_none() {
            return Ok(Reached::NotYet);
        }
        let timeout = if busy {
            Some(Duration::ZERO)
        } else {
            let wake_at = match (self.timers.next_deadline(), limit) {
                (Some(timer), Some(limit)) => Some(timer.min(limit)),
                (timer, limit) => timer.or(limit),
            };
            wake_at.map(|at| at.saturating_duration_since(Instant::now()))
        };
        if self.reactor.waiting() > 0 || futures_wait {
            let mut woken = std::mem::take(&mut self.io_woken);
            let polled = self.reactor.poll(timeout, &mut woken);
            for waiter in woken.drain(..) {
                self.wake_waiter(waiter, |wait| matches!(wait, Wait::Io { .. }));
            }
            self.io_woken = woken;
            polled?;
            if futures_wait {
                self.poll_woken_futures();
            }
        } else if !busy {
            match timeout {
                Some(pause) => std::thread::sleep(pause),
                None => {
                    return Err(SchedError::Deadlock {
                        blocked: self.tasks.len(),
                    })
                }
            }
        }
        let now = Instant::now();
        let reached = match limit {
            Some(limit) if now >= limit => Reached::Limit,
            _ => Reached::NotYet,
        };
        // Past the limit, only what was due before it fires.
        let fire_until = match limit {
            Some(limit) if reached == Reached::Limit => limit.checked_sub(Duration::from_nanos(1)),
            _ => Some(now),
        };
        if let Some(until) = fire_until {
            self.fire_timers(self.timers.nanos_of(until));
        }
        Ok(reached)
    }

    /// Moves virtual time: when no task is ready, to the next timer (or to `limit` if that
    /// comes first), then fires every timer due at the new now, in the order they were set.
    /// Sockets of the real poller are polled without waiting, or waited for when nothing
    /// else can happen.
    fn advance_virtual_time(&mut self, limit: Option<Instant>) -> Result<Reached, SchedError> {
        if self.futures.waiting > 0 {
            return self.wait_for_futures();
        }
        let idle = self.ready.is_empty();
        let next = self.timers.next_at();
        let limit = self.limit_at.filter(|_| limit.is_some());
        if self.reactor.waiting() > 0 {
            let block = idle && next.is_none() && limit.is_none();
            let timeout = if block { None } else { Some(Duration::ZERO) };
            let mut woken = std::mem::take(&mut self.io_woken);
            let polled = self.reactor.poll(timeout, &mut woken);
            for waiter in woken.drain(..) {
                self.wake_waiter(waiter, |wait| matches!(wait, Wait::Io { .. }));
            }
            self.io_woken = woken;
            polled?;
        }
        if idle && self.ready.is_empty() {
            match (next, limit) {
                (Some(next), Some(limit)) if next >= limit => {
                    self.clock.advance_nanos(limit);
                    return Ok(Reached::Limit);
                }
                (Some(next), _) => self.clock.advance_nanos(next),
                (None, Some(limit)) if self.reactor.waiting() == 0 => {
                    self.clock.advance_nanos(limit);
                    return Ok(Reached::Limit);
                }
                (None, _) if self.reactor.waiting() == 0 => {
                    return Err(SchedError::Deadlock {
                        blocked: self.tasks.len(),
                    })
                }
                (None, _) => {}
            }
        }
        self.fire_timers(self.clock.virtual_nanos().unwrap_or(0));
        Ok(Reached::NotYet)
    }

    /// On virtual time while tasks await futures: the clock stands still; with no task ready,
    /// waits (in wall time) for a future's waker or a socket, then polls the woken futures.
    fn wait_for_futures(&mut self) -> Result<Reached, SchedError> {
        self.poll_woken_futures();
        let timeout = if self.ready.is_empty() {
            None
        } else {
            Some(Duration::ZERO)
        };
        let mut woken = std::mem::take(&mut self.io_woken);
        let polled = self.reactor.poll(timeout, &mut woken);
        for waiter in woken.drain(..) {
            self.wake_waiter(waiter, |wait| matches!(wait, Wait::Io { .. }));
        }
        self.io_woken = woken;
        polled?;
        self.poll_woken_futures();
        Ok(Reached::NotYet)
    }

    /// Wakes the sleepers due at `now`.
    #[inline]
    fn fire_timers(&mut self, now: u64) {
        while let Some(timer) = self.timers.pop_due(now) {
            self.wake_waiter(
                Waiter {
                    task: timer.task,
                    wait: timer.wait,
                },
                |wait| matches!(wait, Wait::Sleep),
            );
        }
    }

    /// Makes the sleeper of a fired timer the next task to run in this round, if it still
    /// sleeps on that timer.
    #[inline(always)]
    fn hand_over(&mut self, timer: super::timers::Timer) {
        let Some((hot, cold)) = self.parts(timer.task) else {
            return;
        };
        let current = hot.status == Status::Blocked
            && cold.wait_no == timer.wait
            && matches!(cold.wait, Some(Wait::Sleep));
        if current {
            replace_wait(&mut cold.wait, None);
            hot.status = Status::ReadyDone;
            if cold.pending.is_some() {
                cold.pending = None;
            }
            self.handoff = Some(timer.task);
        }
    }

    /// Makes a blocked task ready if it still waits for what `waiter` records.
    #[inline]
    fn wake_waiter(&mut self, waiter: Waiter, kind: impl Fn(&Wait) -> bool) {
        let Some((hot, cold)) = self.parts(waiter.task) else {
            return;
        };
        let current = hot.status == Status::Blocked
            && cold.wait_no == waiter.wait
            && cold.wait.as_ref().is_some_and(&kind);
        if current {
            replace_wait(&mut cold.wait, None);
            hot.status = Status::ReadyDone;
            if cold.pending.is_some() {
                cold.pending = None;
            }
            self.ready.push(waiter.task);
        }
    }

    /// The hot half of a live task.
    fn hot_mut(&mut self, task: TaskId) -> Option<&mut Hot> {
        self.tasks
            .get_mut(task.key())
            .filter(|hot| hot.serial == task.serial)
    }

    /// Both halves of a live task.
    #[inline(always)]
    fn parts(&mut self, task: TaskId) -> Option<(&mut Hot, &mut Cold)> {
        let hot = self
            .tasks
            .get_mut(task.key())
            .filter(|hot| hot.serial == task.serial)?;
        let cold = self.cold.get_mut(task.key())?.as_mut()?;
        Some((hot, cold))
    }
}

/// What a scheduler driven from outside (the tokio bridge) has to wait for after a turn.
#[cfg(feature = "tokio")]
pub(super) enum Outlook {
    /// No task is left (or a task shut the scheduler down).
    Finished,
    /// Tasks are ready: turn again (after letting other work run).
    Ready,
    /// Wait for the poller's descriptor to be readable (a socket, or an awaited future's
    /// waker), for a wake asked for from outside (`try_send`) or, if given, for this instant
    /// (the next timer).
    Wait(Option<Instant>),
}

/// Driving the scheduler from outside, without blocking: what
/// [`run_async`](Scheduler::run_async) is made of.
#[cfg(feature = "tokio")]
impl Scheduler {
    /// Runs one round of the ready tasks, then collects what is due now (timers, socket
    /// readiness, woken futures; on virtual time, the clock moves to the next timer when
    /// nothing else can happen) without waiting, and says what to wait for next.
    pub(super) fn turn(&mut self) -> Result<Outlook, SchedError> {
        self.running = true;
        let installed = shortcut::install(self.shortcut());
        let shut_down = self.run_round();
        drop(installed);
        self.running = false;
        if shut_down || self.tasks.is_empty() {
            self.ready.clear();
            return Ok(Outlook::Finished);
        }
        if self.futures.waiting > 0 {
            self.poll_woken_futures();
        }
        if self.reactor.waiting() > 0 || self.futures.waiting > 0 {
            let mut woken = std::mem::take(&mut self.io_woken);
            let polled = self.reactor.poll(Some(Duration::ZERO), &mut woken);
            for waiter in woken.drain(..) {
                self.wake_waiter(waiter, |wait| matches!(wait, Wait::Io { .. }));
            }
            self.io_woken = woken;
            polled?;
            if self.futures.waiting > 0 {
                self.poll_woken_futures();
            }
        }
        match self.clock.virtual_nanos() {
            Some(now) => {
                let idle = self.ready.is_empty() && self.futures.waiting == 0;
                match self.timers.next_at() {
                    Some(next) if idle => {
                        self.clock.advance_nanos(next);
                        self.fire_timers(next);
                    }
                    _ => self.fire_timers(now),
                }
            }
            None => self.fire_timers(self.timers.nanos_of(Instant::now())),
        }
        if !self.ready.is_empty() {
            return Ok(Outlook::Ready);
        }
        let deadline = if self.clock.is_virtual() {
            // Virtual time waits for awaited futures (see `wait_for_futures`); otherwise the
            // next turn moves the clock to the next timer.
            if self.futures.waiting == 0 && !self.timers.is_empty() {
                return Ok(Outlook::Ready);
            }
            None
        } else {
            self.timers.next_deadline()
        };
        // With no socket, future or timer to wait for, the wait is on wakes from outside
        // alone (a `try_send` from async code), which is no deadlock here.
        Ok(Outlook::Wait(deadline))
    }

    /// The wakes asked for outside system calls, whose waker an async driver sets.
    pub(super) fn deferred_wakes(&self) -> Arc<Deferred> {
        self.deferred.clone()
    }

    /// A handle owning a duplicate of the poller's descriptor, readable while events wait
    /// (the poller is made now if need be), with a waker of the poller registered, so
    /// awaited futures wake whoever waits on the descriptor.
    pub(super) fn poller_handle(&mut self) -> Result<mio::Registry, SchedError> {
        if self.futures.wakes.is_none() {
            let poller = self.reactor.new_waker()?;
            self.futures.wakes = Some(Wakes::new(poller));
        }
        self.reactor.poller_handle()
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.shutdown();
        }
    }
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// The error of a custom call whose request was made on another thread (its ticket finds
/// nothing here).
fn made_elsewhere() -> SchedError {
    SchedError::Unsupported {
        call: "custom",
        why: "the request was made on another thread",
    }
}

/// The message of a caught panic.
pub(crate) fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(message) => (*message).to_string(),
            Err(_) => "a panic with a non-string payload".to_string(),
        },
    }
}

/// Replaces a task's wait. The old wait is not moved out, only its tag read, so the new one is
/// written in place (a move would read the old one back in wider pieces than it was written
/// in).
#[inline(always)]
fn replace_wait(slot: &mut Option<Wait>, wait: Option<Wait>) {
    drop_owning_wait(slot);
    std::mem::forget(std::mem::replace(slot, wait));
}

/// Drops a task's wait if it owns something. The waits met on every switch (none, a timer, a
/// join, a socket) own nothing, so their drop is skipped rather than left to the out-of-line
/// drop of a `Wait`; what is left in `slot` needs no drop.
#[inline(always)]
fn drop_owning_wait(slot: &mut Option<Wait>) {
    if !matches!(
        slot,
        None | Some(Wait::Sleep | Wait::Join(_) | Wait::Io { .. })
    ) {
        drop(slot.take());
    }
}

#[cfg(test)]
mod shortcut_tests;
