//! The errors of the scheduler: what a task raises, why a system call failed, why a join did
//! not produce a value.

use super::TaskId;
use std::error::Error;
use std::fmt;
use std::io;
use volley_core::{DynError, Exit};

/// The error type thrown into and raised by every task (the `E` of a task body): an error of
/// any type, boxed.
///
/// Inside a task body, `?` converts every `std::error::Error` (`io::Error`, a parse error,
/// [`JoinError`], [`SchedError`], your own types) into a raise, with no `.map_err`. A
/// cancellation is [`TaskError::cancelled`], recognised with
/// [`is_cancelled`](DynError::is_cancelled); the original error is reached with
/// [`downcast_ref`](DynError::downcast_ref).
///
/// ```
/// use volley_flow::sched::TaskError;
/// let e = TaskError::cancelled("deadline passed");
/// assert!(e.is_cancelled());
/// assert_eq!(e.to_string(), "cancelled: deadline passed");
/// let e: TaskError = std::io::Error::other("disk on fire").into();
/// assert_eq!(e.to_string(), "disk on fire");
/// assert!(e.downcast_ref::<std::io::Error>().is_some());
/// ```
pub type TaskError = DynError;

/// What a task body returns: `Ok(T)`, or how it stopped early (raised a [`TaskError`], or was
/// closed by a kill). The return type of a `#[task]` function.
///
/// ```
/// use volley_flow::sched::{TaskError, TaskResult};
/// fn parse(text: &str) -> TaskResult<u16> {
///     Ok(text.trim().parse::<u16>()?) // ParseIntError converts
/// }
/// assert_eq!(parse(" 80 ").unwrap(), 80);
/// assert!(parse("eighty").is_err());
/// # let _: Option<TaskError> = None;
/// ```
pub type TaskResult<T = ()> = Result<T, Exit<TaskError>>;

/// Why a system call could not be carried out, or why [`Scheduler::run`](super::Scheduler::run)
/// stopped early.
///
/// ```
/// use volley_flow::sched::SchedError;
/// let e = SchedError::Deadlock { blocked: 2 };
/// assert_eq!(
///     e.to_string(),
///     "deadlock: 2 task(s) are blocked and nothing (timer, socket) can wake them"
/// );
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SchedError {
    /// Every remaining task waits on a channel, wait list or join, and no timer or socket can
    /// wake any of them. The tasks stay in the scheduler; [`shutdown`](super::Scheduler::shutdown)
    /// closes them.
    Deadlock {
        /// How many tasks are blocked.
        blocked: usize,
    },
    /// Another task already waits for the same readiness of this socket.
    IoBusy,
    /// The readiness poller failed.
    Io(io::Error),
    /// A scheduler's shared structure was already in use (re-entry); nothing was changed.
    Reentered(&'static str),
    /// The scheduler answered a system call with a reply of another kind.
    UnexpectedReply(&'static str),
    /// A task tried to join itself.
    JoinSelf,
    /// The task is not one of this scheduler's (its handle came from another scheduler).
    ForeignTask(TaskId),
    /// Another task already waits for this task to end (a raw [`Syscall::Join`](super::Syscall::Join):
    /// a [`JoinHandle`](super::JoinHandle) joins once).
    AlreadyJoined(TaskId),
    /// A custom system call no handler was registered for (the request's type name); see
    /// [`Scheduler::on_call`](super::Scheduler::on_call).
    NoHandler(&'static str),
    /// This runtime cannot carry out the system call (named); the text says what to use
    /// instead. `sched::tokio` (feature `tokio`) answers it for the calls made of `Rc`-shared state
    /// (custom handlers, the shared clock and random stream, awaited futures, shutdown).
    Unsupported {
        /// The system call's name.
        call: &'static str,
        /// Why, and what to use instead.
        why: &'static str,
    },
}

impl fmt::Display for SchedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchedError::Deadlock { blocked } => write!(
                f,
                "deadlock: {blocked} task(s) are blocked and nothing (timer, socket) can wake them"
            ),
            SchedError::IoBusy => f.write_str("another task already waits for this readiness"),
            SchedError::Io(e) => write!(f, "readiness poller failed: {e}"),
            SchedError::Reentered(what) => write!(f, "{what} is already in use (re-entry)"),
            SchedError::UnexpectedReply(call) => {
                write!(f, "unexpected reply to the {call} system call")
            }
            SchedError::JoinSelf => f.write_str("a task cannot join itself"),
            SchedError::ForeignTask(id) => write!(f, "{id} is not a task of this scheduler"),
            SchedError::AlreadyJoined(id) => write!(f, "another task already joins {id}"),
            SchedError::NoHandler(name) => {
                write!(f, "no handler for the custom system call {name}")
            }
            SchedError::Unsupported { call, why } => {
                write!(f, "the {call} system call is not available here: {why}")
            }
        }
    }
}

impl Error for SchedError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            SchedError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Why joining a task did not produce its return value.
///
/// ```
/// use volley_flow::sched::{JoinError, TaskError};
/// let e = JoinError::Raised(TaskError::msg("bad input"));
/// assert_eq!(e.to_string(), "the task raised: bad input");
/// assert_eq!(JoinError::Killed.to_string(), "the task was killed");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum JoinError {
    /// The task ended by raising this error (an uncaught cancel included).
    Raised(TaskError),
    /// The task panicked; the panic message.
    Panicked(String),
    /// The task was killed (or closed by a scheduler shutdown) before it returned.
    Killed,
    /// The join itself failed: the scheduler stopped first, the task joined itself, or the
    /// handle belongs to another scheduler.
    Sched(SchedError),
}

impl JoinError {
    /// Whether the task ended by raising a cancellation.
    ///
    /// ```
    /// use volley_flow::sched::{JoinError, TaskError};
    /// assert!(JoinError::Raised(TaskError::cancelled("stop")).is_cancelled());
    /// assert!(!JoinError::Killed.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JoinError::Raised(e) if e.is_cancelled())
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Raised(e) => write!(f, "the task raised: {e}"),
            JoinError::Panicked(msg) => write!(f, "the task panicked: {msg}"),
            JoinError::Killed => f.write_str("the task was killed"),
            JoinError::Sched(e) => write!(f, "the join failed: {e}"),
        }
    }
}

impl Error for JoinError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            JoinError::Raised(e) => Some(&**e),
            JoinError::Sched(e) => Some(e),
            _ => None,
        }
    }
}
