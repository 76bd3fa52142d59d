//! The error a [`Co`](crate::Co) call answers with.

use std::fmt;

/// Why a call on a [`Co`](crate::Co) did not produce a [`Step`](crate::Step).
///
/// A value the caller passed in and that was not consumed comes back inside the error, so
/// nothing is lost silently.
///
/// ```
/// use volley::CoError;
/// let e: CoError<i32, String> = CoError::NotStarted(5);
/// assert_eq!(e.to_string(), "send before start: the coroutine has not been primed (the value is handed back)");
/// assert_eq!(e.into_sent(), Some(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoError<S, E> {
    /// `send` on a coroutine that was never started; the value is handed back and the
    /// coroutine is unchanged.
    NotStarted(S),
    /// `start` on a coroutine that is already running.
    AlreadyStarted,
    /// The coroutine has finished; there is nothing more to resume.
    Exhausted,
    /// The body raised this error, or a `throw` hit a coroutine that could not catch it.
    Raised(E),
    /// The body yielded again after being asked to close; it stays suspended.
    IgnoredClose,
}

impl<S, E> CoError<S, E> {
    /// The value handed back by [`CoError::NotStarted`], if this is that error.
    ///
    /// ```
    /// # use volley::CoError;
    /// assert_eq!(CoError::<u8, ()>::NotStarted(1).into_sent(), Some(1));
    /// assert_eq!(CoError::<u8, ()>::Exhausted.into_sent(), None);
    /// ```
    pub fn into_sent(self) -> Option<S> {
        match self {
            CoError::NotStarted(s) => Some(s),
            _ => None,
        }
    }

    /// The raised error, if this is [`CoError::Raised`].
    ///
    /// ```
    /// # use volley::CoError;
    /// assert_eq!(CoError::<(), &str>::Raised("boom").into_raised(), Some("boom"));
    /// ```
    pub fn into_raised(self) -> Option<E> {
        match self {
            CoError::Raised(e) => Some(e),
            _ => None,
        }
    }

    /// A short, stable name of the variant, for logs and metrics.
    ///
    /// ```
    /// # use volley::CoError;
    /// assert_eq!(CoError::<(), ()>::IgnoredClose.kind(), "ignored_close");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            CoError::NotStarted(_) => "not_started",
            CoError::AlreadyStarted => "already_started",
            CoError::Exhausted => "exhausted",
            CoError::Raised(_) => "raised",
            CoError::IgnoredClose => "ignored_close",
        }
    }
}

impl<S, E: fmt::Display> fmt::Display for CoError<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoError::NotStarted(_) => f.write_str(
                "send before start: the coroutine has not been primed (the value is handed back)",
            ),
            CoError::AlreadyStarted => {
                f.write_str("start on a coroutine that was already started (resume it with send)")
            }
            CoError::Exhausted => f.write_str("the coroutine is exhausted"),
            CoError::Raised(e) => write!(f, "the coroutine raised: {e}"),
            CoError::IgnoredClose => f.write_str("the coroutine ignored close and yielded again"),
        }
    }
}

impl<S: fmt::Debug, E: fmt::Debug + fmt::Display> std::error::Error for CoError<S, E> {}
