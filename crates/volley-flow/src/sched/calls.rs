//! The single system-call helpers a task body delegates to with `yield_from!`, each evaluating
//! to its typed answer.

use super::clock::{nanos_of_secs, Clock};
use super::custom::{AnswerCall, Builtin, CustomCall};
use super::rng::{self, SharedRng};
use super::timers::nanos;
use super::{Reply, SchedError, Stats, Syscall, TaskCall, TaskError, TaskId, WaitList};
use std::time::{Duration, Instant};
use volley_core::{Delegate, Exit, Resume, Step};

/// A single system call: its arguments until the first resume, then the reply decoder.
///
/// `build` and `decode` are closures or functions known at compile time (zero-sized), so the
/// call is built in place and the reply is matched inline, with no indirect call.
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub(crate) struct Single<A, B, D> {
    args: Option<A>,
    build: B,
    decode: D,
}

/// A single call yielding `build(args)` and answering `decode(reply)`.
#[inline(always)]
pub(crate) fn single<A, X>(
    args: A,
    build: impl Fn(A) -> Syscall,
    decode: impl Fn(Reply) -> Result<X, Exit<TaskError>>,
) -> impl TaskCall<X> {
    Single {
        args: Some(args),
        build,
        decode,
    }
}

impl<A, B, D, X> Delegate<Reply, Syscall, TaskError> for Single<A, B, D>
where
    B: Fn(A) -> Syscall,
    D: Fn(Reply) -> Result<X, Exit<TaskError>>,
{
    type Output = X;

    #[inline(always)]
    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<X, Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.args.take() {
                Some(args) => Step::Yield((self.build)(args)),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(reply) => Step::Return((self.decode)(reply)),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

/// One system call built ahead of time with a reply decoder given as a function pointer: the
/// way to make a call no helper covers. It yields the call once and decodes the reply into `X`.
///
/// ```
/// use volley_core::{yield_from, Co, Exit};
/// use volley_flow::sched::task::Call;
/// use volley_flow::sched::{Reply, Scheduler, Syscall, TaskError, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let call: Call<u64> = Call::new(Syscall::GetId, |reply| match reply {
///         Reply::Id(id) => Ok(id.serial()),
///         _ => Err(Exit::Raised(TaskError::msg("unexpected reply"))),
///     });
///     Ok(yield_from!(call)?)
/// }));
/// assert_eq!(sched.join(task).unwrap(), 1);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub struct Call<X> {
    syscall: Option<Syscall>,
    decode: fn(Reply) -> Result<X, Exit<TaskError>>,
}

impl<X> Call<X> {
    /// A call that yields `syscall` and decodes the reply with `decode`.
    ///
    /// ```
    /// use volley_core::{yield_from, Co, Exit};
    /// use volley_flow::sched::task::Call;
    /// use volley_flow::sched::{Reply, Scheduler, Syscall, TaskError, TaskResume};
    /// fn switches() -> Call<u64> {
    ///     Call::new(Syscall::Stats, |reply| match reply {
    ///         Reply::Stats(s) => Ok(s.switches),
    ///         _ => Err(Exit::Raised(TaskError::msg("unexpected reply"))),
    ///     })
    /// }
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(switches())?)));
    /// assert_eq!(sched.join(task).unwrap(), 1);
    /// ```
    pub fn new(syscall: Syscall, decode: fn(Reply) -> Result<X, Exit<TaskError>>) -> Self {
        Call {
            syscall: Some(syscall),
            decode,
        }
    }
}

impl<X> Delegate<Reply, Syscall, TaskError> for Call<X> {
    type Output = X;

    #[inline]
    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<X, Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.syscall.take() {
                Some(call) => Step::Yield(call),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(reply) => Step::Return((self.decode)(reply)),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

impl<X> std::fmt::Debug for Call<X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("syscall", &self.syscall)
            .finish()
    }
}

/// Decodes a reply that must be `Done`; an error reply is raised in the task.
#[inline]
pub(crate) fn done(reply: Reply) -> Result<(), Exit<TaskError>> {
    match reply {
        Reply::Done => Ok(()),
        other => Err(unexpected(other, "done")),
    }
}

/// The raise for a reply a helper did not expect: the scheduler's error, or a mismatch.
pub(crate) fn unexpected(reply: Reply, call: &'static str) -> Exit<TaskError> {
    match reply {
        Reply::Error(e) => Exit::Raised(TaskError::new(e)),
        _ => Exit::Raised(TaskError::new(SchedError::UnexpectedReply(call))),
    }
}

pub(crate) fn found(reply: Reply) -> Result<bool, Exit<TaskError>> {
    match reply {
        Reply::Found(alive) => Ok(alive),
        other => Err(unexpected(other, "kill/cancel")),
    }
}

fn woken(reply: Reply) -> Result<usize, Exit<TaskError>> {
    match reply {
        Reply::Woken(n) => Ok(n),
        other => Err(unexpected(other, "wake")),
    }
}

/// Lets every other ready task run once, then continues (Python's `await asyncio.sleep(0)`).
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::yield_now;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let mut sched = Scheduler::new();
/// for name in ["a", "b"] {
///     let log = log.clone();
///     sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///         for i in 0..2 {
///             log.borrow_mut().push(format!("{name}{i}"));
///             yield_from!(yield_now())?;
///         }
///         Ok(())
///     })).detach();
/// }
/// sched.run().unwrap();
/// assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1"]);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn yield_now() -> impl TaskCall<()> {
    single((), |()| Syscall::Yield, done)
}

/// The running task's own id.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::task_id;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(task_id())?)));
/// let id = task.id();
/// assert_eq!(sched.join(task).unwrap(), id);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn task_id() -> impl TaskCall<TaskId> {
    single(
        (),
        |()| Syscall::GetId,
        |reply| match reply {
            Reply::Id(id) => Ok(id),
            other => Err(unexpected(other, "get_id")),
        },
    )
}

/// Closes a task now: its close arm and drops run, and its joiner learns
/// [`JoinError::Killed`](super::JoinError::Killed). Evaluates to whether it was alive. A task
/// inside `yield_from!` is closed innermost first. With a [`JoinHandle`](super::JoinHandle),
/// [`handle.kill()`](super::JoinHandle::kill) says the same; this form takes any id, such as
/// the task's own from [`task_id`].
///
/// ```
/// use volley_core::{yield_from, Co, Exit};
/// use volley_flow::sched::task::{kill, task_id};
/// use volley_flow::sched::{JoinError, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let me = yield_from!(task_id())?;
///     yield_from!(kill(me))?; // ends here: the close propagates
///     Ok(())
/// }));
/// assert!(matches!(sched.join(task), Err(JoinError::Killed)));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn kill(task: TaskId) -> impl TaskCall<bool> {
    single(task, Syscall::Kill, found)
}

/// Throws `error` into a task at its next resume, waking it if it is blocked; the task may
/// catch it. Evaluates to whether it was alive. With a [`JoinHandle`](super::JoinHandle),
/// [`handle.cancel(reason)`](super::JoinHandle::cancel) throws a cancellation.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::{cancel, task_id};
/// use volley_flow::sched::{Scheduler, TaskError, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let me = yield_from!(task_id())?;
///     let caught = yield_from!(cancel(me, TaskError::cancelled("self-doubt")));
///     Ok(caught.is_err())
/// }));
/// assert!(sched.join(task).unwrap());
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn cancel(task: TaskId, error: TaskError) -> impl TaskCall<bool> {
    single(
        (task, error),
        |(task, error)| Syscall::Cancel(task, error),
        found,
    )
}

/// Sleeps at least `duration`, letting other tasks run.
///
/// On virtual time ([`Scheduler::simulated`](super::Scheduler::simulated)), a sleep that
/// would be the next thing to happen (no other task ready, no wake pending, no timer due
/// before it ends) ends without a switch: the clock moves and the task goes on, which is what
/// the scheduler would do after the round trip. Simulations that are mostly sleeps run
/// faster for it; what tasks see is the same.
///
/// ```
/// use std::time::{Duration, Instant};
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::sleep;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let start = Instant::now();
/// let mut sched = Scheduler::new();
/// let nap = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     yield_from!(sleep(Duration::from_millis(5)))?;
///     Ok(())
/// }));
/// sched.join(nap).unwrap();
/// assert!(start.elapsed() >= Duration::from_millis(5));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn sleep(duration: Duration) -> impl TaskCall<()> {
    Sleep {
        length: Some(duration),
    }
}

/// Sleeps at least `seconds`, as SimPy's `yield env.timeout(seconds)` does: [`sleep`] for a
/// length given in seconds, rounded to whole nanoseconds as [`secs`](super::time::secs)
/// rounds them (a negative or NaN length is no sleep; one too long to count in nanoseconds
/// is forever). Simulations, whose times are drawn as floating-point seconds, go from the
/// draw to the clock's nanoseconds in one step.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::{clock, sleep_secs};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(7);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let clock = yield_from!(clock())?;
///     yield_from!(sleep_secs(1.5))?;
///     yield_from!(sleep_secs(0.25))?;
///     Ok(clock.secs())
/// }));
/// assert_eq!(sched.join(task).unwrap(), 1.75);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn sleep_secs(seconds: f64) -> impl TaskCall<()> {
    Sleep {
        length: Some(Nanos(nanos_of_secs(seconds))),
    }
}

/// How long a [`Sleep`] lasts: what the shortcut compares, and the call yielded otherwise.
trait SleepLength: Copy {
    /// Whole nanoseconds, saturating.
    fn nanos(self) -> u64;
    /// The system call that sleeps this long.
    fn call(self) -> Syscall;
}

impl SleepLength for Duration {
    #[inline(always)]
    fn nanos(self) -> u64 {
        nanos(self)
    }
    #[inline(always)]
    fn call(self) -> Syscall {
        Syscall::Sleep(self)
    }
}

/// A length in whole nanoseconds; `u64::MAX` is forever.
#[derive(Clone, Copy)]
struct Nanos(u64);

impl SleepLength for Nanos {
    #[inline(always)]
    fn nanos(self) -> u64 {
        self.0
    }
    #[inline(always)]
    fn call(self) -> Syscall {
        Syscall::Sleep(match self.0 {
            u64::MAX => Duration::MAX,
            nanos => Duration::from_nanos(nanos),
        })
    }
}

/// The [`sleep`] and [`sleep_secs`] helper: on virtual time, a sleep that would be the next
/// thing to happen ends at once, without a switch ([`shortcut`](super::shortcut)); any other
/// yields the call.
struct Sleep<L> {
    length: Option<L>,
}

impl<L: SleepLength> Delegate<Reply, Syscall, TaskError> for Sleep<L> {
    type Output = ();

    #[inline(always)]
    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<(), Exit<TaskError>>> {
        match resume {
            Resume::Start => match self.length.take() {
                Some(length) if super::shortcut::try_sleep(length.nanos()) => Step::Return(Ok(())),
                Some(length) => Step::Yield(length.call()),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(reply) => Step::Return(done(reply)),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

/// Sleeps until `deadline` (at once if it has passed), letting other tasks run.
///
/// ```
/// use std::time::{Duration, Instant};
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::sleep_until;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let deadline = Instant::now() + Duration::from_millis(2);
/// let mut sched = Scheduler::new();
/// let nap = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(sleep_until(deadline))?;
///     Ok(())
/// }));
/// sched.join(nap).unwrap();
/// assert!(Instant::now() >= deadline);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn sleep_until(deadline: Instant) -> impl TaskCall<()> {
    single(deadline, Syscall::SleepUntil, done)
}

/// Parks the task on `list` until another task wakes it ([`wake_one`], [`wake_all`]).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::sync::{park, wake_one, WaitList};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let list = WaitList::new();
/// let mut sched = Scheduler::new();
/// let waiter = list.clone();
/// let parked = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(park(&waiter))?;
///     Ok("woken")
/// }));
/// let waker = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(wake_one(&list))?)));
/// sched.run().unwrap();
/// assert_eq!(waker.take_outcome().unwrap().unwrap(), 1);
/// assert_eq!(parked.take_outcome().unwrap().unwrap(), "woken");
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn park(list: &WaitList) -> impl TaskCall<()> {
    single(list.clone(), Syscall::Park, done)
}

/// Wakes the task parked longest on `list`; evaluates to how many were woken (0 or 1).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::sync::{wake_one, WaitList};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(wake_one(&WaitList::new()))?)));
/// assert_eq!(sched.join(task).unwrap(), 0);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn wake_one(list: &WaitList) -> impl TaskCall<usize> {
    single(
        list.clone(),
        |list| Syscall::Wake { list, all: false },
        woken,
    )
}

/// Wakes every task parked on `list`; evaluates to how many were woken.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::sync::{wake_all, WaitList};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(wake_all(&WaitList::new()))?)));
/// assert_eq!(sched.join(task).unwrap(), 0);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn wake_all(list: &WaitList) -> impl TaskCall<usize> {
    single(
        list.clone(),
        |list| Syscall::Wake { list, all: true },
        woken,
    )
}

/// The scheduler's counters, seen from inside a task.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::stats;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(stats())?)));
/// let seen = sched.join(task).unwrap();
/// assert_eq!((seen.alive, seen.spawned), (1, 1));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn stats() -> impl TaskCall<Stats> {
    single(
        (),
        |()| Syscall::Stats,
        |reply| match reply {
            Reply::Stats(stats) => Ok(stats),
            other => Err(unexpected(other, "stats")),
        },
    )
}

/// Closes every task, this one included (its close arm runs at this call), and makes
/// [`Scheduler::run`](super::Scheduler::run) return: a graceful shutdown from inside.
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::shutdown;
/// use volley_flow::sched::time::sleep;
/// use volley_flow::sched::{JoinError, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let sleeper = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     yield_from!(sleep(Duration::from_secs(3600)))?;
///     Ok(())
/// }));
/// sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     yield_from!(shutdown())?;
///     Ok(()) // not reached: the shutdown closes this task too
/// })).detach();
/// sched.run().unwrap();
/// assert!(matches!(sleeper.take_outcome(), Some(Err(JoinError::Killed))));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn shutdown() -> impl TaskCall<()> {
    single((), |()| Syscall::Shutdown, done)
}

/// The clock's current instant: the wall clock's, or virtual time on a simulated scheduler.
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::{now, sleep};
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(0);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let before = yield_from!(now())?;
///     yield_from!(sleep(Duration::from_secs(5)))?;
///     Ok(yield_from!(now())? - before)
/// }));
/// assert_eq!(sched.join(task).unwrap(), Duration::from_secs(5));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn now() -> impl TaskCall<Instant> {
    single(
        (),
        |()| Syscall::Custom(CustomCall::builtin(Builtin::Now)),
        |reply| match reply {
            Reply::Now(at) => Ok(at),
            other => Err(unexpected(other, "now")),
        },
    )
}

/// A handle on the scheduler's clock, to read the time later without a system call.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::clock;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(0);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(clock())?.is_virtual())));
/// assert!(sched.join(task).unwrap());
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn clock() -> impl TaskCall<Clock> {
    AnswerCall::<Clock>::builtin(Builtin::Clock)
}

/// Decodes the reply of a `Random` call with `f`.
#[inline(always)]
fn random_with<X>(f: impl Fn(u64) -> X) -> impl TaskCall<X> {
    single(
        (),
        |()| Syscall::Custom(CustomCall::builtin(Builtin::Random)),
        move |reply| match reply {
            Reply::Random(bits) => Ok(f(bits)),
            other => Err(unexpected(other, "random")),
        },
    )
}

/// A handle on the scheduler's seeded random numbers, to draw from without a system call.
/// See [`SharedRng`].
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::rng;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(3);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(rng())?.below(6))));
/// assert!(sched.join(task).unwrap() < 6);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn rng() -> impl TaskCall<SharedRng> {
    AnswerCall::<SharedRng>::builtin(Builtin::Rng)
}

/// 64 bits from the scheduler's seeded random numbers: the same seed gives the same draws in
/// the same order.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::random_u64;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let draw = |seed| {
///     let mut sched = Scheduler::simulated(seed);
///     let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(random_u64())?)));
///     sched.join(task).unwrap()
/// };
/// assert_eq!(draw(1), draw(1));
/// assert_ne!(draw(1), draw(2));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn random_u64() -> impl TaskCall<u64> {
    random_with(|bits| bits)
}

/// A uniform number in `[0, 1)` from the scheduler's seeded random numbers.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::random_f64;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(3);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(random_f64())?)));
/// assert!((0.0..1.0).contains(&sched.join(task).unwrap()));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn random_f64() -> impl TaskCall<f64> {
    random_with(rng::unit)
}

/// An exponential number with this rate (mean `1 / rate`) from the scheduler's seeded random
/// numbers: the gap to the next arrival of a Poisson process.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::exponential;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(3);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(exponential(2.0))?)));
/// assert!(sched.join(task).unwrap() >= 0.0);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn exponential(rate: f64) -> impl TaskCall<f64> {
    random_with(move |bits| rng::exponential(bits, rate))
}

/// A uniform number in `[low, high)` from the scheduler's seeded random numbers.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::uniform;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(3);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(uniform(5.0, 6.0))?)));
/// assert!((5.0..6.0).contains(&sched.join(task).unwrap()));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn uniform(low: f64, high: f64) -> impl TaskCall<f64> {
    random_with(move |bits| low + (high - low) * rng::unit(bits))
}

/// A uniform integer in `[0, n)` from the scheduler's seeded random numbers.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::below;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(3);
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(below(6))?)));
/// assert!(sched.join(task).unwrap() < 6);
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn below(n: u64) -> impl TaskCall<u64> {
    random_with(move |bits| rng::below(bits, n))
}
