//! The errors of the scheduler: what a task raises, why a system call failed, why a join did
//! not produce a value.

use super::TaskId;
use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::io;
use volley_core::Exit;

/// The error type thrown into and raised by every task (the `E` of a task body).
///
/// `?` on an `io::Result` inside a body needs the error turned into a raise first:
/// [`OrRaise::or_raise`] does it (`stream.set_nodelay(true).or_raise()?`).
///
/// ```
/// use volley_flow::sched::TaskError;
/// let e = TaskError::cancelled("deadline passed");
/// assert!(e.is_cancelled());
/// assert_eq!(e.to_string(), "cancelled: deadline passed");
/// let e: TaskError = std::io::Error::other("disk on fire").into();
/// assert_eq!(e.to_string(), "i/o error: disk on fire");
/// ```
#[derive(Debug)]
pub enum TaskError {
    /// An I/O operation failed.
    Io(io::Error),
    /// The task was cancelled with this reason (see [`cancel`](super::cancel)).
    Cancelled(Cow<'static, str>),
    /// A system call could not be carried out.
    Sched(SchedError),
    /// Any other failure of the task's own logic.
    Failed(Box<dyn Error + Send + Sync>),
}

impl TaskError {
    /// A cancellation error carrying a reason, to throw into a task with [`cancel`](super::cancel).
    ///
    /// ```
    /// # use volley_flow::sched::TaskError;
    /// assert!(TaskError::cancelled("shutdown").is_cancelled());
    /// ```
    pub fn cancelled(reason: impl Into<Cow<'static, str>>) -> Self {
        TaskError::Cancelled(reason.into())
    }

    /// A failure described by a message.
    ///
    /// ```
    /// # use volley_flow::sched::TaskError;
    /// assert_eq!(TaskError::msg("bad header").to_string(), "bad header");
    /// ```
    pub fn msg(message: impl Into<String>) -> Self {
        TaskError::Failed(message.into().into())
    }

    /// Whether this is a [`TaskError::Cancelled`].
    ///
    /// ```
    /// # use volley_flow::sched::TaskError;
    /// assert!(!TaskError::msg("x").is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskError::Cancelled(_))
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Io(e) => write!(f, "i/o error: {e}"),
            TaskError::Cancelled(reason) => write!(f, "cancelled: {reason}"),
            TaskError::Sched(e) => write!(f, "system call failed: {e}"),
            TaskError::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl Error for TaskError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            TaskError::Io(e) => Some(e),
            TaskError::Sched(e) => Some(e),
            TaskError::Failed(e) => Some(&**e),
            TaskError::Cancelled(_) => None,
        }
    }
}

impl From<io::Error> for TaskError {
    fn from(e: io::Error) -> Self {
        TaskError::Io(e)
    }
}

impl From<SchedError> for TaskError {
    fn from(e: SchedError) -> Self {
        TaskError::Sched(e)
    }
}

/// Turns any `Result<X, E>` whose error converts into [`TaskError`] into what a task body's
/// `?` expects, raising the error in the task.
///
/// ```
/// use volley_flow::sched::{OrRaise, Scheduler, TaskResume};
/// let mut sched = Scheduler::new();
/// let id = sched.spawn(#[coroutine] |_: TaskResume<u16>| {
///     let port: u16 = "80x".parse::<u16>().map_err(|e| e.to_string()).or_raise()?;
///     Ok(port)
/// });
/// sched.run().unwrap();
/// assert!(sched.take_outcome(id).unwrap().is_err());
/// ```
pub trait OrRaise<X> {
    /// `Ok` stays `Ok`; an error becomes `Err(Exit::Raised(TaskError))`.
    fn or_raise(self) -> Result<X, Exit<TaskError>>;
}

impl<X, E: Into<TaskError>> OrRaise<X> for Result<X, E> {
    #[inline]
    fn or_raise(self) -> Result<X, Exit<TaskError>> {
        self.map_err(|e| Exit::Raised(e.into()))
    }
}

impl From<String> for TaskError {
    fn from(message: String) -> Self {
        TaskError::msg(message)
    }
}

impl From<&'static str> for TaskError {
    fn from(message: &'static str) -> Self {
        TaskError::msg(message)
    }
}

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
pub enum SchedError {
    /// Every remaining task waits on a channel, wait list or join, and no timer or socket can
    /// wake any of them. The tasks stay in the scheduler; [`shutdown`](super::Scheduler::shutdown)
    /// closes them.
    Deadlock {
        /// How many tasks are blocked.
        blocked: usize,
    },
    /// Another task already waits for the same readiness on this file descriptor.
    IoBusy {
        /// The file descriptor.
        fd: i32,
    },
    /// The readiness poller failed.
    Io(io::Error),
    /// A scheduler's shared structure was already in use (re-entry); nothing was changed.
    Reentered(&'static str),
    /// The scheduler answered a system call with a reply of another kind.
    UnexpectedReply(&'static str),
}

impl fmt::Display for SchedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchedError::Deadlock { blocked } => write!(
                f,
                "deadlock: {blocked} task(s) are blocked and nothing (timer, socket) can wake them"
            ),
            SchedError::IoBusy { fd } => {
                write!(
                    f,
                    "another task already waits for this readiness on fd {fd}"
                )
            }
            SchedError::Io(e) => write!(f, "readiness poller failed: {e}"),
            SchedError::Reentered(what) => write!(f, "{what} is already in use (re-entry)"),
            SchedError::UnexpectedReply(call) => {
                write!(f, "unexpected reply to the {call} system call")
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

/// Why [`join`](super::join) did not produce the task's return value.
///
/// ```
/// use volley_flow::sched::{JoinError, TaskError};
/// let e = JoinError::Raised(TaskError::msg("bad input"));
/// assert_eq!(e.to_string(), "the task raised: bad input");
/// assert_eq!(JoinError::Killed.to_string(), "the task was killed");
/// ```
#[derive(Debug)]
pub enum JoinError {
    /// The task ended by raising this error (an uncaught cancel included).
    Raised(TaskError),
    /// The task panicked; the panic message.
    Panicked(String),
    /// The task was killed (or closed by a scheduler shutdown) before it returned.
    Killed,
    /// No such task: it never existed, or its outcome was already taken or detached.
    NoSuchTask(TaskId),
    /// Another task is already joining this task: an outcome goes to one joiner.
    AlreadyJoined(TaskId),
    /// A task cannot join itself.
    JoinSelf,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Raised(e) => write!(f, "the task raised: {e}"),
            JoinError::Panicked(msg) => write!(f, "the task panicked: {msg}"),
            JoinError::Killed => f.write_str("the task was killed"),
            JoinError::NoSuchTask(id) => write!(f, "no such task: {id}"),
            JoinError::AlreadyJoined(id) => write!(f, "{id} already has a joiner"),
            JoinError::JoinSelf => f.write_str("a task cannot join itself"),
        }
    }
}

impl Error for JoinError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            JoinError::Raised(e) => Some(e),
            _ => None,
        }
    }
}
