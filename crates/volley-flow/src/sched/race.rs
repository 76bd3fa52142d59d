//! Racing two helpers, and a helper against the clock.

use super::calls::{sleep, task_id};
use super::handle::spawn_linked;
use super::waitlist::WaitList;
use super::{JoinHandle, Syscall, TaskBody, TaskCall, TaskError, TaskResume};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use volley_core::{co_yield, yield_from, Co, Exit, Resume, Step};

/// Which of two raced helpers finished first, with its value.
///
/// ```
/// use volley_flow::sched::sync::Either;
/// let first: Either<u8, &str> = Either::Left(1);
/// assert_eq!(first.left(), Some(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Either<A, B> {
    /// The first helper won.
    Left(A),
    /// The second helper won.
    Right(B),
}

impl<A, B> Either<A, B> {
    /// The first helper's value, if it won.
    ///
    /// ```
    /// use volley_flow::sched::sync::Either;
    /// assert_eq!(Either::<u8, u8>::Right(2).left(), None);
    /// ```
    pub fn left(self) -> Option<A> {
        match self {
            Either::Left(a) => Some(a),
            Either::Right(_) => None,
        }
    }

    /// The second helper's value, if it won.
    ///
    /// ```
    /// use volley_flow::sched::sync::Either;
    /// assert_eq!(Either::<u8, u8>::Right(2).right(), Some(2));
    /// ```
    pub fn right(self) -> Option<B> {
        match self {
            Either::Left(_) => None,
            Either::Right(b) => Some(b),
        }
    }
}

/// What [`timeout`] evaluates to when the time ran out first.
///
/// ```
/// use std::time::Duration;
/// use volley_flow::sched::time::Elapsed;
/// let e = Elapsed::after(Duration::from_millis(5));
/// assert_eq!(e.to_string(), "timed out after 5ms");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed {
    duration: Duration,
}

impl Elapsed {
    /// A timeout of `duration` that ran out.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_flow::sched::time::Elapsed;
    /// assert_eq!(Elapsed::after(Duration::from_secs(1)).duration(), Duration::from_secs(1));
    /// ```
    pub fn after(duration: Duration) -> Self {
        Elapsed { duration }
    }

    /// How long the timeout was.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_flow::sched::time::Elapsed;
    /// assert_eq!(Elapsed::after(Duration::ZERO).duration(), Duration::ZERO);
    /// ```
    pub fn duration(&self) -> Duration {
        self.duration
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timed out after {:?}", self.duration)
    }
}

impl std::error::Error for Elapsed {}

/// What the second contestant throws into the racing task when it wins: the race whose
/// number it carries intercepts it.
#[derive(Debug)]
struct Won(u64);

impl fmt::Display for Won {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "race {} won by its second contestant", self.0)
    }
}

impl std::error::Error for Won {}

static NEXT_RACE: AtomicU64 = AtomicU64::new(1);

/// What the two sides of a race share.
struct RaceState<B> {
    /// Whether the race still waits for a winner.
    pending: Cell<bool>,
    /// The second contestant's outcome, once it finished.
    result: RefCell<Option<Result<B, TaskError>>>,
}

/// Marks the race decided (or abandoned) when the racing helper ends in any way.
struct Decided<B>(Rc<RaceState<B>>);

impl<B> Drop for Decided<B> {
    fn drop(&mut self) {
        self.0.pending.set(false);
    }
}

/// Runs two helpers at once and evaluates to whichever finished first: `Either::Left(a)` or
/// `Either::Right(b)`. The loser is closed, so its cleanup runs; an error either one raises is
/// raised by the race.
///
/// `a` runs in the calling task (it may borrow, like [`read`](super::net::read) into a local
/// buffer); `b` runs beside it in a task of its own, so it must be `'static` (a channel's
/// `recv()`, a [`sleep`](super::time::sleep), a helper that owns what it uses). That task is
/// killed if the calling task ends first.
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::sync::{race, Channel, Either};
/// use volley_flow::sched::time::sleep;
/// use volley_flow::sched::{Scheduler, TaskResume};
///
/// let quiet: Channel<String> = Channel::bounded(1);
/// let mut sched = Scheduler::new();
/// let waiter = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     match yield_from!(race(quiet.recv(), sleep(Duration::from_millis(5))))? {
///         Either::Left(message) => Ok(format!("got {message:?}")),
///         Either::Right(()) => Ok("nobody wrote".to_string()),
///     }
/// }));
/// assert_eq!(sched.join(waiter).unwrap(), "nobody wrote");
/// ```
pub fn race<DA, A, DB, B>(a: DA, b: DB) -> Co<impl TaskBody<Either<A, B>>>
where
    DA: TaskCall<A>,
    DB: TaskCall<B> + 'static,
    B: 'static,
{
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let mut a = a;
            // A first contestant that finishes at once needs no rival. Its first wait must
            // come after the rival's spawn, so a sleep here may not end at once on virtual time
            // (it would move the clock before the rival exists).
            let mut step = super::shortcut::off(|| a.delegate(Resume::Start));
            if let Step::Return(end) = step {
                return end.map(Either::Left);
            }
            let number = NEXT_RACE.fetch_add(1, Ordering::Relaxed);
            let state = Rc::new(RaceState {
                pending: Cell::new(true),
                result: RefCell::new(None),
            });
            let decided = Decided(state.clone());
            let me = yield_from!(task_id())?;
            let rival: JoinHandle<()> =
                yield_from!(spawn_linked(second(b, state.clone(), me, number)))?;
            loop {
                let call = match step {
                    Step::Yield(call) => call,
                    Step::Return(end) => {
                        drop(decided);
                        if !matches!(end, Err(Exit::Closed)) {
                            yield_from!(rival.kill())?;
                        }
                        return end.map(Either::Left);
                    }
                };
                let resume: TaskResume = yield call;
                if let Resume::Throw(error) = &resume {
                    if error
                        .downcast_ref::<Won>()
                        .is_some_and(|won| won.0 == number)
                    {
                        drop(decided);
                        // Close the first contestant: its cleanup runs.
                        let _ = a.delegate(Resume::Close);
                        rival.detach();
                        let outcome = state.result.borrow_mut().take();
                        return match outcome {
                            Some(Ok(b)) => Ok(Either::Right(b)),
                            Some(Err(error)) => Err(Exit::Raised(error)),
                            None => Err(Exit::Closed),
                        };
                    }
                }
                step = a.delegate(resume);
            }
        },
    )
    .named("race")
}

/// The second contestant's task: runs `b`, keeps its outcome, and throws the win into the
/// racing task while the race is undecided. An abandoned race stops it before `b` acts on
/// another resume.
fn second<DB, B>(
    b: DB,
    state: Rc<RaceState<B>>,
    racer: super::TaskId,
    number: u64,
) -> Co<impl TaskBody<()>>
where
    DB: TaskCall<B> + 'static,
    B: 'static,
{
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let mut b = b;
            let mut resume: TaskResume = Resume::Start;
            // The wait list `b` parked on last, if it did.
            let mut parked_on: Option<WaitList> = None;
            let outcome = loop {
                if !state.pending.get() {
                    // Abandoned: the racing task gave the race up while this one waited (a
                    // closing helper cannot stop it). `b` is closed, and a wake that reached
                    // this task is handed to the next waiter, whose it would have been.
                    let woken = matches!(resume, Resume::Send(_));
                    let _ = b.delegate(Resume::Close);
                    if let (true, Some(list)) = (woken, parked_on) {
                        co_yield!(Syscall::Wake { list, all: false })?;
                    }
                    return Err(Exit::Closed);
                }
                match b.delegate(resume) {
                    Step::Yield(call) => {
                        parked_on = match &call {
                            Syscall::Park(list) => Some(list.clone()),
                            _ => None,
                        };
                        resume = yield call;
                    }
                    Step::Return(end) => break end,
                }
            };
            let result = match outcome {
                Ok(value) => Ok(value),
                Err(Exit::Raised(error)) => Err(error),
                Err(Exit::Closed) => return Err(Exit::Closed),
            };
            if state.pending.get() {
                *state.result.borrow_mut() = Some(result);
                co_yield!(Syscall::Cancel(racer, TaskError::new(Won(number))))?;
            }
            Ok(())
        },
    )
    .named("race_second")
}

/// Runs `helper` for at most `duration`: evaluates to `Ok` with its value, or `Err(Elapsed)`
/// if the time ran out first, in which case the helper is closed (its cleanup runs). Any
/// helper works, borrowing ones included.
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::{read, UnixStream};
/// use volley_flow::sched::time::timeout;
/// use volley_flow::sched::{Scheduler, TaskResume};
///
/// let (_silent_peer, conn) = UnixStream::pair().unwrap();
/// let mut sched = Scheduler::new();
/// let reader = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let mut buf = [0u8; 64];
///     match yield_from!(timeout(Duration::from_millis(5), read(&conn, &mut buf)))? {
///         Ok(n) => Ok(format!("read {n} bytes")),
///         Err(elapsed) => Ok(elapsed.to_string()),
///     }
/// }));
/// assert_eq!(sched.join(reader).unwrap(), "timed out after 5ms");
/// ```
pub fn timeout<D, X>(duration: Duration, helper: D) -> Co<impl TaskBody<Result<X, Elapsed>>>
where
    D: TaskCall<X>,
{
    Co::new(
        #[coroutine]
        move |_: TaskResume| match yield_from!(race(helper, sleep(duration)))? {
            Either::Left(value) => Ok(Ok(value)),
            Either::Right(()) => Ok(Err(Elapsed::after(duration))),
        },
    )
    .named("timeout")
}
