//! A coroutine handle shared through `Rc`, whose re-entry is an error value, not a panic.

use crate::{Co, CoError, Resumable, Resume, State, Step};

/// What a shared call answers for a body `B`.
type SharedAnswer<B> = Result<
    Step<<B as Resumable>::Yield, <B as Resumable>::Return>,
    SharedError<<B as Resumable>::Send, <B as Resumable>::Error>,
>;

/// What a shared close answers for a body `B`.
type SharedClose<B> = Result<
    Option<<B as Resumable>::Return>,
    SharedError<<B as Resumable>::Send, <B as Resumable>::Error>,
>;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// Why a call on a [`SharedCo`] did not produce a step.
///
/// ```
/// use volley::{CoError, SharedError};
/// let e: SharedError<u8, String> = CoError::Exhausted.into();
/// assert_eq!(e.to_string(), "the coroutine is exhausted");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedError<S, E> {
    /// The coroutine is running (the call came from inside it, through a clone of the handle);
    /// what the caller tried to resume it with is handed back. Python's
    /// "generator already executing".
    AlreadyRunning(Resume<S, E>),
    /// The coroutine answered with this error.
    Co(CoError<S, E>),
}

impl<S, E> From<CoError<S, E>> for SharedError<S, E> {
    fn from(error: CoError<S, E>) -> Self {
        SharedError::Co(error)
    }
}

impl<S, E: fmt::Display> fmt::Display for SharedError<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SharedError::AlreadyRunning(_) => f.write_str("the coroutine is already running"),
            SharedError::Co(error) => error.fmt(f),
        }
    }
}

impl<S: fmt::Debug, E: fmt::Debug + fmt::Display> std::error::Error for SharedError<S, E> {}

/// A [`Co`] behind `Rc<RefCell<..>>`, for designs where several owners drive one coroutine.
///
/// A call made while the coroutine is running (from inside its own body, through a clone)
/// answers [`SharedError::AlreadyRunning`] with the value handed back, never a
/// `BorrowMutError` panic.
///
/// ```
/// use std::cell::RefCell;
/// use std::convert::Infallible;
/// use std::rc::Rc;
/// use volley::{co_yield, Co, DynBody, Resume, SharedCo, SharedError, Step};
///
/// type Shared = SharedCo<DynBody<'static, (), bool>>;
/// let slot: Rc<RefCell<Option<Shared>>> = Rc::default();
/// let inside = slot.clone();
/// let shared: Shared = SharedCo::new(Co::boxed(#[coroutine] move |_: Resume<(), Infallible>| {
///     let me = inside.borrow().clone().unwrap();
///     let reentered = matches!(me.send(()), Err(SharedError::AlreadyRunning(Resume::Send(()))));
///     co_yield!(reentered)?;
///     Ok(())
/// }));
/// *slot.borrow_mut() = Some(shared.clone());
/// assert_eq!(shared.start(), Ok(Step::Yield(true)));
/// # slot.borrow_mut().take();
/// ```
pub struct SharedCo<B: Resumable> {
    co: Rc<RefCell<Co<B>>>,
}

impl<B: Resumable> Clone for SharedCo<B> {
    fn clone(&self) -> Self {
        SharedCo {
            co: Rc::clone(&self.co),
        }
    }
}

impl<B: Resumable> SharedCo<B> {
    /// Shares a coroutine.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, SharedCo, State};
    /// let shared = SharedCo::new(Co::new(#[coroutine] |_: Resume<(), Infallible>| { co_yield!(1)?; Ok(()) }));
    /// assert_eq!(shared.state(), Some(State::Created));
    /// ```
    pub fn new(co: Co<B>) -> Self {
        SharedCo {
            co: Rc::new(RefCell::new(co)),
        }
    }

    /// [`Co::start`], or `AlreadyRunning(Resume::Start)` if it is running.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, SharedCo, Step};
    /// let shared = SharedCo::new(Co::new(#[coroutine] |_: Resume<(), Infallible>| { co_yield!(1)?; Ok(()) }));
    /// assert_eq!(shared.start(), Ok(Step::Yield(1)));
    /// ```
    pub fn start(&self) -> SharedAnswer<B> {
        match self.co.try_borrow_mut() {
            Ok(mut co) => Ok(co.start()?),
            Err(_) => Err(SharedError::AlreadyRunning(Resume::Start)),
        }
    }

    /// [`Co::send`], or `AlreadyRunning(Resume::Send(value))` if it is running.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, SharedCo, Step};
    /// # use volley::Exit;
    /// let shared = SharedCo::new(Co::new(#[coroutine] |_: Resume<u8, Infallible>| -> Result<(), Exit> {
    ///     loop { co_yield!(0)?; }
    /// }));
    /// shared.start().unwrap();
    /// assert_eq!(shared.send(3), Ok(Step::Yield(0)));
    /// ```
    pub fn send(&self, value: B::Send) -> SharedAnswer<B> {
        match self.co.try_borrow_mut() {
            Ok(mut co) => Ok(co.send(value)?),
            Err(_) => Err(SharedError::AlreadyRunning(Resume::Send(value))),
        }
    }

    /// [`Co::throw`], or `AlreadyRunning(Resume::Throw(error))` if it is running.
    ///
    /// ```
    /// # use volley::{co_yield, Co, CoError, Resume, SharedCo, SharedError};
    /// let shared = SharedCo::new(Co::new(#[coroutine] |_: Resume<(), &str>| { co_yield!(1)?; Ok(()) }));
    /// shared.start().unwrap();
    /// assert_eq!(shared.throw("no"), Err(SharedError::Co(CoError::Raised("no"))));
    /// ```
    pub fn throw(&self, error: B::Error) -> SharedAnswer<B> {
        match self.co.try_borrow_mut() {
            Ok(mut co) => Ok(co.throw(error)?),
            Err(_) => Err(SharedError::AlreadyRunning(Resume::Throw(error))),
        }
    }

    /// [`Co::close`], or `AlreadyRunning(Resume::Close)` if it is running.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, SharedCo};
    /// let shared = SharedCo::new(Co::new(#[coroutine] |_: Resume<(), Infallible>| { co_yield!(1)?; Ok(()) }));
    /// shared.start().unwrap();
    /// assert_eq!(shared.close(), Ok(None));
    /// ```
    pub fn close(&self) -> SharedClose<B> {
        match self.co.try_borrow_mut() {
            Ok(mut co) => Ok(co.close()?),
            Err(_) => Err(SharedError::AlreadyRunning(Resume::Close)),
        }
    }

    /// The coroutine's state, or `None` while it is running.
    ///
    /// ```
    /// # use std::convert::Infallible;
    /// # use volley::{co_yield, Co, Resume, SharedCo, State};
    /// let shared = SharedCo::new(Co::new(#[coroutine] |_: Resume<(), Infallible>| { co_yield!(1)?; Ok(()) }));
    /// shared.start().unwrap();
    /// assert_eq!(shared.state(), Some(State::Suspended));
    /// ```
    pub fn state(&self) -> Option<State> {
        self.co.try_borrow().ok().map(|co| co.state())
    }
}

impl<B: Resumable> fmt::Debug for SharedCo<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.co.try_borrow() {
            Ok(co) => f.debug_tuple("SharedCo").field(&*co).finish(),
            Err(_) => f.write_str("SharedCo(<running>)"),
        }
    }
}
