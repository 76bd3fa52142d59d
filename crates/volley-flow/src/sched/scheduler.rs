//! The scheduler: the task table, the ready queue, and the run loop that resumes tasks and
//! carries out their system calls.

use super::reactor::{Direction, Reactor, Waiter};
use super::task::{Cold, Hot, Pending, Status, Wait};
use super::timers::Timers;
use super::{
    JoinError, Reply, SchedError, Stats, Syscall, Task, TaskBody, TaskError, TaskId, WaitList,
};
use slab::Slab;
use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};
use volley_core::{Co, CoError, Step};

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
/// `T` is what tasks return (`()` unless a task body says otherwise).
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use volley_core::yield_from;
/// use volley_flow::sched::{join, sleep, spawn, Scheduler, TaskResume};
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let mut sched = Scheduler::new();
/// let out = log.clone();
/// sched.spawn(#[coroutine] move |_: TaskResume<u32>| {
///     let inner = out.clone();
///     let child = yield_from!(spawn(#[coroutine] move |_: TaskResume<u32>| {
///         yield_from!(sleep(Duration::from_millis(2)))?;
///         inner.borrow_mut().push("child woke");
///         Ok(40)
///     }))?;
///     out.borrow_mut().push("parent joins");
///     let value = yield_from!(join(child))?.unwrap();
///     Ok(value + 2)
/// });
/// sched.run().unwrap();
/// assert_eq!(*log.borrow(), ["parent joins", "child woke"]);
/// ```
pub struct Scheduler<T = ()> {
    /// What every switch touches, one cache line per task.
    tasks: Slab<Hot<T>>,
    /// The rest of each task, at the same key as its hot half.
    cold: Vec<Option<Cold<T>>>,
    /// Tasks to resume in the next round, in the order they became ready.
    ready: Vec<TaskId>,
    /// The buffer of the round being run, kept to reuse its allocation.
    spare: Vec<TaskId>,
    /// A `Reply::Done` written long before it is sent; see [`Scheduler::run_task`].
    done: Reply<T>,
    timers: Timers,
    reactor: Reactor,
    unjoined: HashMap<TaskId, Result<T, JoinError>>,
    serial: u64,
    switches: u64,
    spawned: u64,
    finished: u64,
    shutdown_requested: bool,
    io_woken: Vec<Waiter>,
}

/// What the run loop does after a system call.
enum Next<T> {
    /// Resume the same task at once with this.
    Continue(Pending<T>),
    /// The task is queued, blocked or gone: move on.
    Suspend,
}

impl<T> Default for Scheduler<T> {
    fn default() -> Self {
        Scheduler {
            tasks: Slab::new(),
            cold: Vec::new(),
            ready: Vec::new(),
            spare: Vec::new(),
            done: Reply::Done,
            timers: Timers::default(),
            reactor: Reactor::default(),
            unjoined: HashMap::new(),
            serial: 0,
            switches: 0,
            spawned: 0,
            finished: 0,
            shutdown_requested: false,
            io_woken: Vec::new(),
        }
    }
}

impl<T> Scheduler<T> {
    /// An empty scheduler. It opens no file descriptor until a task waits for a socket.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// let mut sched: Scheduler = Scheduler::new();
    /// sched.run().unwrap(); // no task: returns at once
    /// ```
    pub fn new() -> Self {
        Scheduler::default()
    }

    /// Turns busy-polling on (`polls > 0`) or off (`0`, the default). While several sockets are
    /// ready at once, a busy-polling scheduler asks the poller up to `polls` times without
    /// sleeping before it blocks, so a loaded server is caught awake instead of being woken for
    /// each request: more requests per second on loopback, at the price of CPU time. A spin
    /// that finds nothing turns it off until the load returns, so an idle scheduler sleeps.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// let mut sched: Scheduler = Scheduler::new();
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
    /// assert_eq!(Scheduler::<()>::new().busy_poll(), 0);
    /// ```
    pub fn busy_poll(&self) -> u32 {
        self.reactor.spin_polls()
    }

    /// Spawns a task; its outcome is kept for [`take_outcome`](Scheduler::take_outcome) or a
    /// task's [`join`](super::join).
    ///
    /// ```
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let id = sched.spawn(#[coroutine] |_: TaskResume<&str>| Ok("done"));
    /// sched.run().unwrap();
    /// assert_eq!(sched.take_outcome(id).unwrap().unwrap(), "done");
    /// ```
    pub fn spawn(&mut self, body: impl TaskBody<T>) -> TaskId
    where
        T: 'static,
    {
        self.spawn_task(Co::boxed(body).named("task"), false)
    }

    /// Spawns a named task (the name is in its tracing span).
    ///
    /// ```
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn_named("ticker", #[coroutine] |_: TaskResume| Ok(()));
    /// sched.run().unwrap();
    /// ```
    pub fn spawn_named(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        body: impl TaskBody<T>,
    ) -> TaskId
    where
        T: 'static,
    {
        self.spawn_task(Co::boxed(body).named(name), false)
    }

    /// Spawns a task whose outcome is dropped when it ends (failures are still logged).
    ///
    /// ```
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let id = sched.spawn_detached(#[coroutine] |_: TaskResume| Ok(()));
    /// sched.run().unwrap();
    /// assert!(sched.take_outcome(id).is_none());
    /// ```
    pub fn spawn_detached(&mut self, body: impl TaskBody<T>) -> TaskId
    where
        T: 'static,
    {
        self.spawn_task(Co::boxed(body).named("task"), true)
    }

    /// Spawns an already built [`Task`], joinable or detached.
    ///
    /// ```
    /// use volley_core::Co;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let task = Co::boxed(#[coroutine] |_: TaskResume| Ok(())).named("prebuilt");
    /// sched.spawn_task(task, false);
    /// sched.run().unwrap();
    /// ```
    pub fn spawn_task(&mut self, task: Task<T>, detached: bool) -> TaskId {
        self.serial += 1;
        self.spawned += 1;
        let entry = self.tasks.vacant_entry();
        let id = TaskId {
            key: entry.key(),
            serial: self.serial,
        };
        let span = tracing::info_span!(target: "volley::sched", "task", id = id.serial, name = task.name());
        tracing::debug!(target: "volley::sched", parent: &span, "task spawned");
        entry.insert(Hot {
            co: task,
            serial: id.serial,
            status: Status::ReadyPending,
            traced: !span.is_disabled(),
        });
        let cold = Cold {
            span,
            pending: Some(Pending::Start),
            wait: None,
            wait_no: 0,
            joiner: None,
            detached,
            woken_from: None,
        };
        match self.cold.get_mut(id.key()) {
            Some(place) => *place = Some(cold),
            None => {
                self.cold.resize_with(id.key(), || None);
                self.cold.push(Some(cold));
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
    /// use volley_flow::sched::{park, Scheduler, SchedError, TaskResume, WaitList};
    /// use volley_core::yield_from;
    /// let mut sched = Scheduler::new();
    /// sched.spawn(#[coroutine] |_: TaskResume| {
    ///     yield_from!(park(&WaitList::new()))?; // nobody will ever wake it
    ///     Ok(())
    /// });
    /// assert!(matches!(sched.run(), Err(SchedError::Deadlock { blocked: 1 })));
    /// assert_eq!(sched.shutdown(), 1);
    /// ```
    pub fn run(&mut self) -> Result<(), SchedError> {
        loop {
            if self.run_round() {
                return Ok(());
            }
            if self.tasks.is_empty() {
                self.ready.clear();
                return Ok(());
            }
            self.wake_sleepers_and_sockets()?;
        }
    }

    /// Closes every remaining task (each one's close arm and drops run, inside its span) and
    /// answers how many there were. Their joiners learn [`JoinError::Killed`]; outcomes of
    /// ended tasks stay available through [`take_outcome`](Scheduler::take_outcome).
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use volley_core::{co_yield, Exit};
    /// use volley_flow::sched::{Scheduler, Syscall, TaskResume, WaitList};
    /// let cleaned = Rc::new(Cell::new(false));
    /// let flag = cleaned.clone();
    /// let mut sched = Scheduler::new();
    /// sched.spawn(#[coroutine] move |_: TaskResume| {
    ///     match co_yield!(Syscall::Park(WaitList::new())) {
    ///         Err(Exit::Closed) => { flag.set(true); Err(Exit::Closed) }
    ///         _ => Ok(()),
    ///     }
    /// });
    /// let _ = sched.run();
    /// assert_eq!(sched.shutdown(), 1);
    /// assert!(cleaned.get());
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
    /// use volley_flow::sched::{JoinError, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let id = sched.spawn(#[coroutine] |_: TaskResume| Ok(()));
    /// assert!(sched.kill(id));
    /// assert!(!sched.kill(id));
    /// assert!(matches!(sched.take_outcome(id), Some(Err(JoinError::Killed))));
    /// ```
    pub fn kill(&mut self, task: TaskId) -> bool {
        let Some((Hot { mut co, .. }, cold)) = self.remove(task) else {
            return false;
        };
        let Cold {
            span,
            joiner,
            detached,
            ..
        } = cold;
        let id = task;
        let closed = span.in_scope(|| catch_unwind(AssertUnwindSafe(|| co.close())));
        let outcome = match closed {
            Ok(Ok(_)) => Err(JoinError::Killed),
            Ok(Err(CoError::Raised(e))) => Err(JoinError::Raised(e)),
            Ok(Err(other)) => {
                tracing::error!(target: "volley::sched", parent: &span, error = %other, "task ignored its kill and was dropped");
                Err(JoinError::Killed)
            }
            Err(payload) => Err(JoinError::Panicked(panic_message(payload))),
        };
        drop(co);
        self.ended(id, joiner, detached, &span, outcome);
        true
    }

    /// Throws `error` into a task from outside the run loop, waking it if it is blocked.
    /// Answers whether it was alive.
    ///
    /// ```
    /// use volley_flow::sched::{JoinError, Scheduler, TaskError, TaskResume};
    /// use volley_core::{co_yield, Exit};
    /// use volley_flow::sched::Syscall;
    /// let mut sched = Scheduler::new();
    /// let id = sched.spawn(#[coroutine] |_: TaskResume| {
    ///     co_yield!(Syscall::Yield)?;
    ///     Ok(())
    /// });
    /// sched.run_once();
    /// assert!(sched.cancel(id, TaskError::cancelled("stop")));
    /// sched.run().unwrap();
    /// assert!(matches!(sched.take_outcome(id), Some(Err(JoinError::Raised(e))) if e.is_cancelled()));
    /// ```
    pub fn cancel(&mut self, task: TaskId, error: TaskError) -> bool {
        let Some((hot, cold)) = self.parts(task) else {
            return false;
        };
        match hot.status {
            Status::ReadyDone | Status::ReadyPending | Status::Running => {
                let was_ready = hot.status != Status::Running;
                hot.status = Status::ReadyPending;
                cold.pending = Some(Pending::Throw(error));
                if let Some(list) = cold.woken_from.take().filter(|_| was_ready) {
                    self.wake(&list, false);
                }
            }
            Status::Blocked => {
                if let Some(wait) = cold.wait.take() {
                    self.unwait(task, wait);
                }
                self.make_ready(task, Some(Pending::Throw(error)));
            }
        }
        true
    }

    /// Resumes every task that is ready now once (one round), without waiting for timers or
    /// sockets. Useful to step a scheduler by hand.
    ///
    /// ```
    /// use volley_core::{co_yield};
    /// use volley_flow::sched::{Scheduler, Syscall, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn(#[coroutine] |_: TaskResume| {
    ///     co_yield!(Syscall::Yield)?;
    ///     Ok(())
    /// });
    /// sched.run_once();
    /// assert_eq!(sched.stats().alive, 1);
    /// sched.run_once();
    /// assert_eq!(sched.stats().alive, 0);
    /// ```
    pub fn run_once(&mut self) {
        self.run_round();
    }

    /// Resumes every task ready at the start of the round once, in order; answers whether a
    /// shutdown request ended the round (the shutdown is done).
    ///
    /// A task that panics is caught here, once per round rather than once per resume: the
    /// panic can only come from the task being resumed (killing another task catches that
    /// task's panic itself), and the core leaves a panicked coroutine closed, so the task is
    /// reported as panicked and the round goes on with the next one.
    fn run_round(&mut self) -> bool {
        let mut round = std::mem::take(&mut self.spare);
        std::mem::swap(&mut round, &mut self.ready);
        let mut next = 0;
        let shut_down = loop {
            let ran = catch_unwind(AssertUnwindSafe(|| self.run_tasks(&round, &mut next)));
            match ran {
                Ok(shut_down) => break shut_down,
                Err(payload) => {
                    let Some(&id) = round.get(next) else {
                        break false;
                    };
                    next += 1;
                    self.finish(id, Err(JoinError::Panicked(panic_message(payload))));
                    if self.shutdown_requested {
                        self.shutdown();
                        break true;
                    }
                }
            }
        };
        round.clear();
        self.spare = round;
        shut_down
    }

    /// Runs `round[*next..]`, advancing `next` past each task once it is done with; answers
    /// whether a shutdown request stopped it (the shutdown is done).
    fn run_tasks(&mut self, round: &[TaskId], next: &mut usize) -> bool {
        while let Some(&id) = round.get(*next) {
            self.run_task(id);
            *next += 1;
            if self.shutdown_requested {
                self.shutdown();
                return true;
            }
        }
        false
    }

    /// Takes the outcome of an ended, joinable task that no task joined.
    ///
    /// ```
    /// use volley_flow::sched::{JoinError, Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let id = sched.spawn(#[coroutine] |_: TaskResume| panic!("boom"));
    /// sched.run().unwrap();
    /// assert!(matches!(sched.take_outcome(id), Some(Err(JoinError::Panicked(m))) if m == "boom"));
    /// assert!(sched.take_outcome(id).is_none());
    /// ```
    pub fn take_outcome(&mut self, task: TaskId) -> Option<Result<T, JoinError>> {
        self.unjoined.remove(&task)
    }

    /// Whether a task has not ended yet.
    ///
    /// ```
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// let id = sched.spawn(#[coroutine] |_: TaskResume| Ok(()));
    /// assert!(sched.is_alive(id));
    /// sched.run().unwrap();
    /// assert!(!sched.is_alive(id));
    /// ```
    pub fn is_alive(&self, task: TaskId) -> bool {
        self.tasks
            .get(task.key())
            .is_some_and(|hot| hot.serial == task.serial)
    }

    /// The scheduler's counters.
    ///
    /// ```
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let mut sched = Scheduler::new();
    /// sched.spawn(#[coroutine] |_: TaskResume| Ok(()));
    /// assert_eq!(sched.stats().alive, 1);
    /// sched.run().unwrap();
    /// assert_eq!(sched.stats().finished, 1);
    /// ```
    pub fn stats(&self) -> Stats {
        Stats {
            switches: self.switches,
            spawned: self.spawned,
            finished: self.finished,
            alive: self.tasks.len(),
            unjoined: self.unjoined.len(),
        }
    }

    /// Resumes one task until it blocks, queues itself, or ends. A panic of the task unwinds
    /// out of here to [`run_round`](Scheduler::run_round).
    ///
    /// The common switch, a task resumed with `Done` that yields `Syscall::Yield` again, reads
    /// and writes only the task's hot half and the ready queue.
    #[inline]
    fn run_task(&mut self, id: TaskId) {
        let key = id.key();
        let Some(mut hot) = self
            .tasks
            .get_mut(key)
            .filter(|hot| hot.serial == id.serial)
        else {
            return; // killed while queued
        };
        let mut pending = match hot.status {
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
            let co = &mut hot.co;
            let pending_ref = &mut pending;
            let done = &mut self.done;
            // The common case tests only the tag of `pending`: moving the whole `Option` out
            // when just its tag was written stalls on a wide load of a narrow store.
            let mut resume = move || match pending_ref.is_none() {
                true => co.send(std::mem::replace(done, Reply::Done)),
                false => match pending_ref.take() {
                    None | Some(Pending::Send(Reply::Done)) => co.send(Reply::Done),
                    Some(Pending::Send(reply)) => co.send(reply),
                    Some(Pending::Start) => co.start(),
                    Some(Pending::Throw(error)) => co.throw(error),
                },
            };
            let resumed = if hot.traced {
                match self.cold.get(key) {
                    Some(Some(cold)) => cold.span.in_scope(resume),
                    _ => resume(),
                }
            } else {
                resume()
            };
            match resumed {
                Ok(Step::Yield(call)) if matches!(call, Syscall::Yield) => {
                    // `Yield` owns nothing: skipping its drop saves a call to the drop glue
                    // of the whole enum on every switch.
                    std::mem::forget(call);
                    hot.status = Status::ReadyDone;
                    self.ready.push(id);
                    return;
                }
                Ok(Step::Yield(call)) => match self.syscall(id, call) {
                    Next::Continue(next) => pending = Some(next),
                    Next::Suspend => return,
                },
                Ok(Step::Return(value)) => return self.finish(id, Ok(value)),
                Err(CoError::Raised(error)) => {
                    return self.finish(id, Err(JoinError::Raised(error)))
                }
                Err(_) => return self.finish(id, Err(JoinError::Killed)),
            }
            hot = match self.tasks.get_mut(key) {
                Some(hot) => hot,
                None => return,
            };
        }
    }

    /// Carries out one system call of the running task `me`.
    fn syscall(&mut self, me: TaskId, call: Syscall<T>) -> Next<T> {
        let reply = match call {
            Syscall::Yield => {
                self.make_ready(me, None);
                return Next::Suspend;
            }
            Syscall::GetId => Reply::Id(me),
            Syscall::Spawn { task, detached } => Reply::Id(self.spawn_task(task, detached)),
            Syscall::Join(target) => return self.join(me, target),
            Syscall::Kill(target) if target == me => {
                self.kill(me);
                return Next::Suspend;
            }
            Syscall::Kill(target) => Reply::Found(self.kill(target)),
            Syscall::Cancel(target, error) if target == me => {
                return Next::Continue(Pending::Throw(error))
            }
            Syscall::Cancel(target, error) => Reply::Found(self.cancel(target, error)),
            Syscall::Detach(target) => Reply::Found(self.detach(target)),
            Syscall::Sleep(duration) => {
                let deadline = Instant::now().checked_add(duration);
                return self.sleep(me, deadline);
            }
            Syscall::SleepUntil(deadline) => return self.sleep(me, Some(deadline)),
            Syscall::Readable(fd) => return self.wait_io(me, fd, Direction::Read),
            Syscall::Writable(fd) => return self.wait_io(me, fd, Direction::Write),
            Syscall::Park(list) => {
                let parked = match list.queue.try_borrow_mut() {
                    Ok(mut queue) => {
                        queue.push_back(me);
                        true
                    }
                    Err(_) => false,
                };
                if !parked {
                    return Next::Continue(Pending::Send(Reply::Error(SchedError::Reentered(
                        "wait list",
                    ))));
                }
                self.block(me, Wait::Park(list));
                return Next::Suspend;
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
        };
        Next::Continue(Pending::Send(reply))
    }

    fn join(&mut self, me: TaskId, target: TaskId) -> Next<T> {
        if target == me {
            return Next::Continue(Pending::Send(Reply::Joined(Err(JoinError::JoinSelf))));
        }
        if let Some(outcome) = self.unjoined.remove(&target) {
            return Next::Continue(Pending::Send(Reply::Joined(outcome)));
        }
        let busy = match self.parts(target) {
            None => {
                return Next::Continue(Pending::Send(Reply::Joined(Err(JoinError::NoSuchTask(
                    target,
                )))))
            }
            Some((_, cold)) => cold.joiner,
        };
        if let Some(other) = busy {
            if self.is_joining(other, target) {
                return Next::Continue(Pending::Send(Reply::Joined(Err(
                    JoinError::AlreadyJoined(target),
                ))));
            }
        }
        if let Some((_, cold)) = self.parts(target) {
            cold.joiner = Some(me);
        }
        self.block(me, Wait::Join(target));
        Next::Suspend
    }

    fn is_joining(&self, joiner: TaskId, target: TaskId) -> bool {
        self.is_alive(joiner)
            && self.tasks[joiner.key()].status == Status::Blocked
            && matches!(
                self.cold.get(joiner.key()),
                Some(Some(Cold { wait: Some(Wait::Join(t)), .. })) if *t == target
            )
    }

    fn sleep(&mut self, me: TaskId, deadline: Option<Instant>) -> Next<T> {
        let wait = self.block(me, Wait::Sleep);
        // A deadline past what `Instant` can hold means forever: no timer.
        if let Some(deadline) = deadline {
            self.timers.add(deadline, me, wait);
        }
        Next::Suspend
    }

    fn wait_io(&mut self, me: TaskId, fd: i32, dir: Direction) -> Next<T> {
        let wait = match self.parts(me) {
            Some((_, cold)) => cold.wait_no.wrapping_add(1),
            None => return Next::Suspend,
        };
        match self.reactor.wait(fd, dir, Waiter { task: me, wait }) {
            Ok(()) => {
                self.block(me, Wait::Io { fd, dir });
                Next::Suspend
            }
            Err(e) => Next::Continue(Pending::Send(Reply::Error(e))),
        }
    }

    fn detach(&mut self, target: TaskId) -> bool {
        match self.parts(target) {
            Some((_, cold)) => {
                cold.detached = true;
                true
            }
            None => self.unjoined.remove(&target).is_some(),
        }
    }

    /// Wakes one or every task parked on `list`; answers how many.
    fn wake(&mut self, list: &WaitList, all: bool) -> usize {
        let mut woken = 0;
        loop {
            let next = match list.queue.try_borrow_mut() {
                Ok(mut queue) => queue.pop_front(),
                Err(_) => None,
            };
            let Some(id) = next else {
                break;
            };
            let parked_here = match self.parts(id) {
                Some((hot, cold)) if hot.status == Status::Blocked => {
                    matches!(&cold.wait, Some(Wait::Park(on)) if on.same(list))
                }
                _ => false,
            };
            if parked_here {
                if let Some((_, cold)) = self.parts(id) {
                    cold.woken_from = Some(list.clone());
                }
                // Resumed through the pending path, which clears `woken_from`.
                self.make_ready(id, Some(Pending::Send(Reply::Done)));
                woken += 1;
                if !all {
                    break;
                }
            }
        }
        woken
    }

    /// Marks `me` blocked on `wait`; answers the number of this wait.
    fn block(&mut self, me: TaskId, wait: Wait) -> u32 {
        match self.parts(me) {
            Some((hot, cold)) => {
                hot.status = Status::Blocked;
                cold.wait_no = cold.wait_no.wrapping_add(1);
                cold.wait = Some(wait);
                cold.wait_no
            }
            None => 0,
        }
    }

    /// Queues a task to be resumed with `pending`, or with `Done` if there is none.
    fn make_ready(&mut self, task: TaskId, pending: Option<Pending<T>>) {
        if let Some((hot, cold)) = self.parts(task) {
            cold.wait = None;
            hot.status = match pending {
                None => Status::ReadyDone,
                Some(_) => Status::ReadyPending,
            };
            cold.pending = pending;
            self.ready.push(task);
        }
    }

    /// Undoes the bookkeeping of a wait that ends early (kill, cancel).
    fn unwait(&mut self, task: TaskId, wait: Wait) {
        match wait {
            Wait::Io { fd, dir } => self.reactor.forget(fd, dir, task),
            Wait::Join(target) => {
                if let Some((_, cold)) = self.parts(target) {
                    if cold.joiner == Some(task) {
                        cold.joiner = None;
                    }
                }
            }
            // Stale timer entries and wait-list entries are skipped when they come up.
            Wait::Sleep | Wait::Park(_) => {}
        }
    }

    /// Takes a live task out of the table, undoing its wait.
    fn remove(&mut self, task: TaskId) -> Option<(Hot<T>, Cold<T>)> {
        if !self.is_alive(task) {
            return None;
        }
        let hot = self.tasks.remove(task.key());
        let mut cold = self.cold.get_mut(task.key()).and_then(Option::take)?;
        match hot.status {
            Status::Blocked => {
                if let Some(wait) = cold.wait.take() {
                    self.unwait(task, wait);
                }
            }
            Status::ReadyDone | Status::ReadyPending => {
                if let Some(list) = cold.woken_from.take() {
                    self.wake(&list, false);
                }
            }
            Status::Running => {}
        }
        Some((hot, cold))
    }

    /// A task ended by itself: returned, raised, panicked, or closed itself.
    fn finish(&mut self, task: TaskId, outcome: Result<T, JoinError>) {
        if let Some((hot, cold)) = self.remove(task) {
            drop(hot);
            let Cold {
                span,
                joiner,
                detached,
                ..
            } = cold;
            self.ended(task, joiner, detached, &span, outcome);
        }
    }

    /// Reports an ended task and hands its outcome to its joiner, keeps it, or drops it.
    fn ended(
        &mut self,
        id: TaskId,
        joiner: Option<TaskId>,
        detached: bool,
        span: &tracing::Span,
        outcome: Result<T, JoinError>,
    ) {
        self.finished += 1;
        match &outcome {
            Ok(_) => tracing::debug!(target: "volley::sched", parent: span, "task returned"),
            Err(JoinError::Killed) => {
                tracing::debug!(target: "volley::sched", parent: span, "task killed")
            }
            Err(error) => {
                tracing::error!(target: "volley::sched", parent: span, task = %id, %error, "task failed")
            }
        }
        if let Some(joiner) = joiner {
            if self.is_joining(joiner, id) {
                self.make_ready(joiner, Some(Pending::Send(Reply::Joined(outcome))));
                return;
            }
        }
        if !detached {
            self.unjoined.insert(id, outcome);
        }
    }

    /// Fires due timers and collects socket readiness; blocks for them when no task is ready.
    fn wake_sleepers_and_sockets(&mut self) -> Result<(), SchedError> {
        let busy = !self.ready.is_empty();
        if busy && self.timers.is_empty() && self.reactor.waiting() == 0 {
            return Ok(());
        }
        let timeout = if busy {
            Some(Duration::ZERO)
        } else {
            self.timers
                .next_deadline()
                .map(|deadline| deadline.saturating_duration_since(Instant::now()))
        };
        if self.reactor.waiting() > 0 {
            let mut woken = std::mem::take(&mut self.io_woken);
            let polled = self.reactor.poll(timeout, &mut woken);
            for waiter in woken.drain(..) {
                self.wake_waiter(waiter, |wait| matches!(wait, Wait::Io { .. }));
            }
            self.io_woken = woken;
            polled?;
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
        if !self.timers.is_empty() {
            let now = Instant::now();
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
        Ok(())
    }

    /// Makes a blocked task ready if it still waits for what `waiter` records.
    fn wake_waiter(&mut self, waiter: Waiter, kind: impl Fn(&Wait) -> bool) {
        let current = match self.parts(waiter.task) {
            Some((hot, cold)) => {
                hot.status == Status::Blocked
                    && cold.wait_no == waiter.wait
                    && cold.wait.as_ref().is_some_and(&kind)
            }
            None => false,
        };
        if current {
            self.make_ready(waiter.task, None);
        }
    }

    /// The hot half of a live task.
    fn hot_mut(&mut self, task: TaskId) -> Option<&mut Hot<T>> {
        self.tasks
            .get_mut(task.key())
            .filter(|hot| hot.serial == task.serial)
    }

    /// Both halves of a live task.
    fn parts(&mut self, task: TaskId) -> Option<(&mut Hot<T>, &mut Cold<T>)> {
        let hot = self
            .tasks
            .get_mut(task.key())
            .filter(|hot| hot.serial == task.serial)?;
        let cold = self.cold.get_mut(task.key())?.as_mut()?;
        Some((hot, cold))
    }
}

impl<T> Drop for Scheduler<T> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.shutdown();
        }
    }
}

impl<T> std::fmt::Debug for Scheduler<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// The message of a caught panic.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(message) => (*message).to_string(),
            Err(_) => "a panic with a non-string payload".to_string(),
        },
    }
}
