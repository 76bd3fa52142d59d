//! The `Co` handle: owns a body and its state, and answers every call from that state.

use crate::body::{Answer, CloseAnswer, Resumed};
use crate::{events, CoError, Exit, Resumable, Resume, State, Step, Typed};
use std::borrow::Cow;
use std::fmt;
use std::ops::{Coroutine, CoroutineState};
use std::pin::Pin;

/// A two-way coroutine: a body (a [`Resumable`], usually a `#[coroutine]` closure) and the
/// [`State`] it is in.
///
/// | call | Created | Suspended | Closed |
/// |---|---|---|---|
/// | [`start`](Co::start) | runs to the first yield | `Err(AlreadyStarted)` | `Err(Exhausted)` |
/// | [`send`](Co::send) | `Err(NotStarted(s))`, unchanged | resumes with `Send(s)` | `Err(Exhausted)` |
/// | [`throw`](Co::throw) | `Err(Raised(e))`, now Closed | resumes with `Throw(e)` | `Err(Raised(e))` |
/// | [`close`](Co::close) | `Ok(None)`, now Closed | resumes with `Close` | `Ok(None)` |
///
/// Bodies written as `#[coroutine] move |..|` closures are `Unpin` and live inline, with no
/// allocation. Self-borrowing (`static`) bodies go through [`Co::pinned`]; type-erased ones
/// through [`Co::boxed`].
///
/// Dropping a suspended `Co` closes it first, so the body's cleanup runs, as Python's finaliser
/// does. Failures there are reported with `tracing::error!`, never a panic, and nothing runs
/// while the thread is already panicking.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{co_yield, Co, CoError, Exit, Resume, State, Step};
///
/// let mut echo = Co::new(#[coroutine] |_: Resume<String, Infallible>| {
///     let mut reply = String::from("ready");
///     loop {
///         match co_yield!(reply) {
///             Ok(line) => reply = line.to_uppercase(),
///             Err(Exit::Closed) => return Ok("bye"),
///             Err(e) => return Err(e),
///         }
///     }
/// });
/// assert_eq!(echo.send("early".into()), Err(CoError::NotStarted("early".into())));
/// assert_eq!(echo.start(), Ok(Step::Yield("ready".to_string())));
/// assert_eq!(echo.send("hi".into()), Ok(Step::Yield("HI".to_string())));
/// assert_eq!(echo.close(), Ok(Some("bye")));
/// assert_eq!(echo.state(), State::Closed);
/// ```
#[must_use = "a coroutine does nothing until it is started, sent to or iterated"]
pub struct Co<B>
where
    B: Resumable,
{
    body: B,
    pub(crate) state: State,
    /// Set when iteration handed out a raised error: the next `None` is expected, not misuse.
    pub(crate) iter_end_pending: bool,
    /// The return value, kept when iteration reaches the end of the body.
    pub(crate) returned: Option<B::Return>,
    name: Cow<'static, str>,
}

impl<C, S, E, Y, R> Co<Typed<C, S, E>>
where
    C: Coroutine<Resume<S, E>, Yield = Y, Return = Result<R, Exit<E>>> + Unpin,
{
    /// Wraps a body. No body code runs until [`start`](Co::start).
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley::{co_yield, Co, Resume, State};
    /// let mut ran = false;
    /// let co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// });
    /// assert_eq!(co.state(), State::Created);
    /// ```
    #[inline]
    pub fn new(body: C) -> Self {
        Co::from_resumable(Typed::new(body))
    }
}

impl<B: Resumable> Co<B> {
    /// Wraps a [`Resumable`] that is not a closure: an adapter, or a hand-written state machine.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley::{co_yield, Co, Resume, Typed};
    /// let co = Co::from_resumable(Typed::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// }));
    /// assert_eq!(co.into_iter().sum::<i32>(), 1);
    /// ```
    #[inline]
    pub fn from_resumable(body: B) -> Self {
        events::created("co");
        Co {
            body,
            state: State::Created,
            iter_end_pending: false,
            returned: None,
            name: Cow::Borrowed("co"),
        }
    }

    /// Gives the coroutine a name that every tracing event and misuse report carries.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume};
    /// let co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// })
    /// .named("parse_lines");
    /// assert_eq!(co.name(), "parse_lines");
    /// ```
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        events::renamed(&self.name);
        self
    }

    /// The name given by [`named`](Co::named), or `"co"`.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume};
    /// let co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!(1)?;
    ///     Ok(())
    /// });
    /// assert_eq!(co.name(), "co");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the coroutine is in its life.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, State};
    /// let mut co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!("only")?;
    ///     Ok(1)
    /// });
    /// assert_eq!(co.state(), State::Created);
    /// co.start().unwrap();
    /// assert_eq!(co.state(), State::Suspended);
    /// co.send(()).unwrap();
    /// assert_eq!(co.state(), State::Closed);
    /// ```
    #[inline]
    pub fn state(&self) -> State {
        self.state
    }

    /// Runs the body to its first yield (Python's priming `next(g)`).
    ///
    /// Answers `Ok(Yield(y))`, or `Ok(Return(r))` / `Err(Raised(e))` if the body ends first.
    /// On a suspended coroutine it is `Err(AlreadyStarted)` and resumes nothing; on a closed one
    /// `Err(Exhausted)`.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, CoError, Resume, Step};
    /// let mut co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!("first")?;
    ///     Ok(())
    /// });
    /// assert_eq!(co.start(), Ok(Step::Yield("first")));
    /// assert_eq!(co.start(), Err(CoError::AlreadyStarted));
    /// ```
    #[inline]
    pub fn start(&mut self) -> Answer<B> {
        match self.state {
            State::Created => {
                events::started(&self.name);
                let out = self.run(Resume::Start);
                self.answer(out)
            }
            State::Suspended => {
                events::misuse(&self.name, "start on a coroutine that is already running");
                Err(CoError::AlreadyStarted)
            }
            State::Closed => Err(CoError::Exhausted),
        }
    }

    /// Injects `value` at the paused yield and runs to the next one (Python's `send`).
    ///
    /// On a created coroutine the value is handed back in `Err(NotStarted(value))` and nothing
    /// runs; on a closed one the answer is `Err(Exhausted)`.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, CoError, Resume, Step};
    /// # use volley::Exit;
    /// let mut doubler = Co::new(#[coroutine] |_: Resume<i32, Infallible>| -> Result<(), Exit> {
    ///     let mut out = 0;
    ///     loop {
    ///         out = co_yield!(out)? * 2;
    ///     }
    /// });
    /// assert_eq!(doubler.send(1), Err(CoError::NotStarted(1)));
    /// doubler.start().unwrap();
    /// assert_eq!(doubler.send(21), Ok(Step::Yield(42)));
    /// ```
    #[inline(always)]
    pub fn send(&mut self, value: B::Send) -> Answer<B> {
        self.send_with(value, |co, out| co.answer(out), Err)
    }

    /// [`send`](Co::send), handing the body's own [`Resumed`] state to `resumed` instead of
    /// building an [`Answer`] (and a refused send to `refused`): for a caller that takes a
    /// yielded value apart where the body left it, as a scheduler matches on the system call
    /// a task yielded, rather than through copies of it (a copy reads the value back in wider
    /// pieces than the body wrote it in, which stalls the processor). [`answer`](Co::answer)
    /// turns the state into what `send` would have answered.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use std::ops::CoroutineState;
    /// use volley::{co_yield, Co, Exit, Resume};
    /// let mut doubler = Co::new(#[coroutine] |_: Resume<u32, Infallible>| -> Result<(), Exit> {
    ///     let mut out = 0;
    ///     loop {
    ///         out = co_yield!(out)? * 2;
    ///     }
    /// });
    /// doubler.start().unwrap();
    /// let doubled = doubler.send_with(
    ///     21,
    ///     |co, out| match out {
    ///         CoroutineState::Yielded(n) => n,
    ///         ended => panic!("{:?}", co.answer(ended)),
    ///     },
    ///     |refused| panic!("{refused:?}"),
    /// );
    /// assert_eq!(doubled, 42);
    /// ```
    #[inline(always)]
    pub fn send_with<X>(
        &mut self,
        value: B::Send,
        resumed: impl FnOnce(&Self, Resumed<B>) -> X,
        refused: impl FnOnce(CoError<B::Send, B::Error>) -> X,
    ) -> X {
        match self.state {
            State::Suspended => {
                let out = self.run(Resume::Send(value));
                resumed(self, out)
            }
            State::Created => {
                events::misuse(&self.name, "send before start");
                refused(CoError::NotStarted(value))
            }
            State::Closed => {
                events::misuse(&self.name, "send to an exhausted coroutine");
                refused(CoError::Exhausted)
            }
        }
    }

    /// Raises `error` at the paused yield (Python's `throw`).
    ///
    /// The body may catch it and yield again (`Ok(Yield)`), return (`Ok(Return)`), or let it
    /// propagate (`Err(Raised)`, now closed). On a created or closed coroutine no body code
    /// runs, the error comes straight back in `Err(Raised(error))`, and the coroutine is closed.
    ///
    /// ```
    /// # use volley::{co_yield, Co, CoError, Exit, Resume, Step};
    /// let mut co = Co::new(#[coroutine] |_: Resume<(), &'static str>| -> Result<(), Exit<_>> {
    ///     let mut resets = 0;
    ///     loop {
    ///         match co_yield!(resets) {
    ///             Ok(()) => {}
    ///             Err(Exit::Raised("reset")) => resets += 1,
    ///             Err(other) => return Err(other),
    ///         }
    ///     }
    /// });
    /// co.start().unwrap();
    /// assert_eq!(co.throw("reset"), Ok(Step::Yield(1)));
    /// assert_eq!(co.throw("fatal"), Err(CoError::Raised("fatal")));
    /// ```
    #[inline]
    pub fn throw(&mut self, error: B::Error) -> Answer<B> {
        events::thrown(&self.name, self.state);
        match self.state {
            State::Suspended => {
                let out = self.run(Resume::Throw(error));
                self.answer(out)
            }
            State::Created | State::Closed => {
                self.state = State::Closed;
                Err(CoError::Raised(error))
            }
        }
    }

    /// Asks the body to clean up and finish (Python's `close`, delivering `GeneratorExit`).
    ///
    /// | the body, given `Close` | `close()` answers |
    /// |---|---|
    /// | returns `Ok(r)` | `Ok(Some(r))` |
    /// | returns `Err(Exit::Closed)` | `Ok(None)` |
    /// | raises `e` | `Err(Raised(e))` |
    /// | yields again | `Err(IgnoredClose)`, still suspended |
    ///
    /// On a created or closed coroutine it runs nothing and answers `Ok(None)`.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Exit, Resume};
    /// let mut total = Co::new(#[coroutine] |_: Resume<u32, Infallible>| {
    ///     let mut sum = 0;
    ///     loop {
    ///         match co_yield!(()) {
    ///             Ok(n) => sum += n,
    ///             Err(Exit::Closed) => return Ok(sum),
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    /// });
    /// total.start().unwrap();
    /// total.send(2).unwrap();
    /// total.send(3).unwrap();
    /// assert_eq!(total.close(), Ok(Some(5)));
    /// assert_eq!(total.close(), Ok(None));
    /// ```
    pub fn close(&mut self) -> CloseAnswer<B> {
        events::closed(&self.name, self.state);
        match self.state {
            State::Suspended => match self.run(Resume::Close) {
                CoroutineState::Yielded(_) => {
                    events::misuse(&self.name, "yielded after close (ignored close)");
                    Err(CoError::IgnoredClose)
                }
                CoroutineState::Complete(Ok(r)) => {
                    events::completed(&self.name, "returned on close");
                    Ok(Some(r))
                }
                CoroutineState::Complete(Err(Exit::Closed)) => Ok(None),
                CoroutineState::Complete(Err(Exit::Raised(e))) => {
                    events::completed(&self.name, "raised on close");
                    Err(CoError::Raised(e))
                }
            },
            State::Created | State::Closed => {
                self.state = State::Closed;
                Ok(None)
            }
        }
    }

    /// Takes the return value that iteration reached, once.
    ///
    /// A `for` loop has nowhere to put the body's return value, so iteration keeps it here.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume};
    /// let mut co = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     co_yield!(1)?;
    ///     Ok("summary")
    /// });
    /// for _ in &mut co {}
    /// assert_eq!(co.take_return(), Some("summary"));
    /// assert_eq!(co.take_return(), None);
    /// ```
    pub fn take_return(&mut self) -> Option<B::Return> {
        self.returned.take()
    }

    /// Resumes the body once and keeps the state in step: a body that yields is suspended, one
    /// that completes is closed. If the body panics, the handle is left closed, so it is never
    /// resumed again (std would panic) and nothing runs from `Drop`. A suspended body that yields
    /// again is the hot path: no state is written.
    #[inline(always)]
    pub(crate) fn run(&mut self, resume: Resume<B::Send, B::Error>) -> Resumed<B> {
        let was_suspended = self.state == State::Suspended;
        let on_panic = CloseOnUnwind(&mut self.state);
        let out = self.body.resume(resume);
        std::mem::forget(on_panic);
        match out {
            CoroutineState::Yielded(_) if was_suspended => {}
            CoroutineState::Yielded(_) => self.state = State::Suspended,
            CoroutineState::Complete(_) => self.state = State::Closed,
        }
        out
    }

    /// Turns what the body did into the answer of `start`, `send` or `throw` (and of a state
    /// [`send_with`](Co::send_with) hands over). Every answer is built here, inline; only the
    /// tracing calls on the ends are out of line.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley::{Co, Resume, Step};
    /// let mut once = Co::new(#[coroutine] |_: Resume<(), Infallible>| {
    ///     yield 1u8;
    ///     Ok("done")
    /// });
    /// once.start().unwrap();
    /// let answer = once.send_with((), |co, out| co.answer(out), Err);
    /// assert_eq!(answer, Ok(Step::Return("done")));
    /// ```
    #[inline(always)]
    pub fn answer(&self, out: Resumed<B>) -> Answer<B> {
        match out {
            CoroutineState::Yielded(y) => Ok(Step::Yield(y)),
            CoroutineState::Complete(Ok(r)) => {
                events::completed(&self.name, "returned");
                Ok(Step::Return(r))
            }
            CoroutineState::Complete(Err(Exit::Raised(e))) => {
                events::completed(&self.name, "raised");
                Err(CoError::Raised(e))
            }
            CoroutineState::Complete(Err(Exit::Closed)) => {
                events::completed(&self.name, "closed itself");
                Err(CoError::Exhausted)
            }
        }
    }
}

impl<P, S, E, Y, R> Co<Typed<Pin<Box<P>>, S, E>>
where
    P: Coroutine<Resume<S, E>, Yield = Y, Return = Result<R, Exit<E>>>,
{
    /// Wraps a self-borrowing (`static`) body, pinning it on the heap.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use volley::{co_yield, Co, Resume, Step};
    /// let mut co = Co::pinned(#[coroutine] static |_: Resume<(), Infallible>| {
    ///     let words = vec!["borrowed", "across", "yields"];
    ///     for w in &words {
    ///         co_yield!(*w)?;
    ///     }
    ///     Ok(words.len())
    /// });
    /// assert_eq!(co.start(), Ok(Step::Yield("borrowed")));
    /// ```
    pub fn pinned(body: P) -> Self {
        Co::new(Box::pin(body))
    }
}

/// Leaves the handle closed if the body panics while it runs; forgotten on the normal path.
struct CloseOnUnwind<'a>(&'a mut State);

impl Drop for CloseOnUnwind<'_> {
    #[cold]
    fn drop(&mut self) {
        *self.0 = State::Closed;
    }
}

// Nothing is ever pinned through the handle: `Resumable::resume` takes `&mut self`, and bodies
// that need pinning are boxed (`Co::pinned`, `Co::boxed`).
impl<B: Resumable> Unpin for Co<B> {}

impl<B: Resumable> Drop for Co<B> {
    fn drop(&mut self) {
        if self.state != State::Suspended || std::thread::panicking() {
            return;
        }
        if let Err(error) = self.close() {
            events::drop_close_failed(&self.name, error.kind());
        }
    }
}

impl<B: Resumable> fmt::Debug for Co<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Co")
            .field("name", &self.name)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
