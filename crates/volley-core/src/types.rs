//! The small enums every coroutine speaks: what it receives, how it ends, what one resume produced.

/// What a suspended body receives when it is resumed.
///
/// `Start` only ever arrives as the closure's parameter (the first resume); every later resume
/// is one of `Send`, `Throw` or `Close`, and [`co_yield!`](crate::co_yield) turns it into a
/// `Result` for the body.
///
/// ```
/// use volley::Resume;
/// let r: Resume<u8, String> = Resume::Send(7);
/// assert!(matches!(r, Resume::Send(7)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resume<S, E> {
    /// The first resume: run the body up to its first yield.
    Start,
    /// A value injected at the paused yield (Python's `send`).
    Send(S),
    /// An error raised at the paused yield (Python's `throw`).
    Throw(E),
    /// A request to clean up and finish (Python's `GeneratorExit`).
    Close,
}

/// How a body ends early: the error half of a body's `Result<R, Exit<E>>`.
///
/// `Exit<E>` converts from `E`, so `?` on a `Result<_, E>` inside a body raises the error.
/// `E` defaults to [`Infallible`](std::convert::Infallible): a body that cannot fail returns
/// `Result<R, Exit>`.
///
/// ```
/// use volley::Exit;
/// let e: Exit<&str> = "bad input".into();
/// assert_eq!(e, Exit::Raised("bad input"));
/// let closed: Exit = Exit::Closed; // nothing can be raised here
/// assert_eq!(closed, Exit::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exit<E = std::convert::Infallible> {
    /// The body was closed and finished without a value (propagated `GeneratorExit`).
    Closed,
    /// The body raised an error (propagated exception).
    Raised(E),
}

impl<E> From<E> for Exit<E> {
    #[inline]
    fn from(error: E) -> Self {
        Exit::Raised(error)
    }
}

/// What one resume of a coroutine produced.
///
/// ```
/// use volley::Step;
/// let s: Step<u8, &str> = Step::Yield(1);
/// assert_eq!(s.yielded(), Some(1));
/// assert_eq!(Step::<u8, &str>::Return("done").returned(), Some("done"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step<Y, R> {
    /// The body paused at a yield with this value.
    Yield(Y),
    /// The body finished with this return value (Python's `StopIteration.value`).
    Return(R),
}

impl<Y, R> Step<Y, R> {
    /// The yielded value, if the body paused.
    ///
    /// ```
    /// # use volley::Step;
    /// assert_eq!(Step::<i32, ()>::Yield(3).yielded(), Some(3));
    /// ```
    #[inline]
    pub fn yielded(self) -> Option<Y> {
        match self {
            Step::Yield(y) => Some(y),
            Step::Return(_) => None,
        }
    }

    /// The return value, if the body finished.
    ///
    /// ```
    /// # use volley::Step;
    /// assert_eq!(Step::<(), i32>::Return(3).returned(), Some(3));
    /// ```
    #[inline]
    pub fn returned(self) -> Option<R> {
        match self {
            Step::Yield(_) => None,
            Step::Return(r) => Some(r),
        }
    }
}

/// Where a [`Co`](crate::Co) is in its life.
///
/// ```
/// use volley::State;
/// assert_ne!(State::Created, State::Closed);
/// assert_eq!(State::Suspended.to_string(), "suspended");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Made, never resumed: no body code has run.
    Created,
    /// Paused at a yield, waiting for `send`, `throw` or `close`.
    Suspended,
    /// Finished: returned, raised, or closed. It is never resumed again.
    Closed,
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            State::Created => "created",
            State::Suspended => "suspended",
            State::Closed => "closed",
        })
    }
}
