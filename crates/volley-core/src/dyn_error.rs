//! [`DynError`]: an error of any type, for bodies that raise whatever they meet.

use crate::Exit;
use std::borrow::Cow;
use std::error::Error;
use std::fmt;

type Boxed = Box<dyn Error + Send + Sync + 'static>;

/// An error of any type, boxed: the `E` of bodies that raise whatever they meet (I/O errors,
/// parse errors, their own), as scheduler tasks do.
///
/// Inside a body whose error type is `DynError`, `?` converts every `std::error::Error`
/// (`io::Error`, `ParseIntError`, a join failure, your own types) without `.map_err`. For that
/// to be possible, `DynError` itself does not implement `std::error::Error` (the same choice
/// `anyhow` makes); it derefs to `dyn Error`, converts into `Box<dyn Error + Send + Sync>`, and
/// keeps the original error for [`downcast_ref`](DynError::downcast_ref).
///
/// ```
/// use volley::{co_yield, Co, CoError, DynError, Exit, Resume};
///
/// let mut parse = Co::new(#[coroutine] |_: Resume<&'static str, DynError>| -> Result<(), Exit<DynError>> {
///     let mut total: u32 = 0;
///     loop {
///         let text = co_yield!(total)?;
///         total += text.trim().parse::<u32>()?; // ParseIntError converts
///     }
/// });
/// parse.start().unwrap();
/// assert_eq!(parse.send("2").unwrap().yielded(), Some(2));
/// let Err(CoError::Raised(e)) = parse.send("two") else { panic!("expected a raise") };
/// assert_eq!(e.to_string(), "invalid digit found in string");
/// assert!(e.downcast_ref::<std::num::ParseIntError>().is_some());
/// ```
pub struct DynError {
    inner: Boxed,
}

impl DynError {
    /// Wraps any error.
    ///
    /// ```
    /// use volley::DynError;
    /// let e = DynError::new(std::io::Error::other("disk on fire"));
    /// assert_eq!(e.to_string(), "disk on fire");
    /// ```
    pub fn new(error: impl Error + Send + Sync + 'static) -> Self {
        DynError {
            inner: Box::new(error),
        }
    }

    /// An error that is only a message.
    ///
    /// ```
    /// use volley::DynError;
    /// assert_eq!(DynError::msg("bad header").to_string(), "bad header");
    /// ```
    pub fn msg(message: impl Into<String>) -> Self {
        DynError {
            inner: message.into().into(),
        }
    }

    /// A cancellation with a reason: what a scheduler throws into a task it cancels. The task
    /// may catch it (check [`is_cancelled`](DynError::is_cancelled)) or let it propagate.
    ///
    /// ```
    /// use volley::DynError;
    /// let e = DynError::cancelled("deadline passed");
    /// assert!(e.is_cancelled());
    /// assert_eq!(e.to_string(), "cancelled: deadline passed");
    /// ```
    pub fn cancelled(reason: impl Into<Cow<'static, str>>) -> Self {
        DynError::new(Cancelled(reason.into()))
    }

    /// Whether this is a cancellation made by [`cancelled`](DynError::cancelled).
    ///
    /// ```
    /// use volley::DynError;
    /// assert!(!DynError::msg("x").is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.inner.is::<Cancelled>()
    }

    /// The original error, if it is a `T`.
    ///
    /// ```
    /// use std::io;
    /// use volley::DynError;
    /// let e: DynError = io::Error::from(io::ErrorKind::TimedOut).into();
    /// assert_eq!(e.downcast_ref::<io::Error>().map(io::Error::kind), Some(io::ErrorKind::TimedOut));
    /// ```
    pub fn downcast_ref<T: Error + 'static>(&self) -> Option<&T> {
        self.inner.downcast_ref()
    }

    /// The original error by value if it is a `T`, or `self` back.
    ///
    /// ```
    /// use std::io;
    /// use volley::DynError;
    /// let e: DynError = io::Error::other("gone").into();
    /// let io_error: io::Error = e.downcast().unwrap();
    /// assert_eq!(io_error.to_string(), "gone");
    /// ```
    pub fn downcast<T: Error + 'static>(self) -> Result<T, DynError> {
        match self.inner.downcast::<T>() {
            Ok(error) => Ok(*error),
            Err(inner) => Err(DynError { inner }),
        }
    }

    /// The boxed error, for APIs that take `Box<dyn Error + Send + Sync>`.
    ///
    /// ```
    /// use volley::DynError;
    /// let boxed = DynError::msg("x").into_boxed();
    /// assert_eq!(boxed.to_string(), "x");
    /// ```
    pub fn into_boxed(self) -> Box<dyn Error + Send + Sync + 'static> {
        self.inner
    }
}

impl std::ops::Deref for DynError {
    type Target = dyn Error + Send + Sync + 'static;

    fn deref(&self) -> &Self::Target {
        &*self.inner
    }
}

impl fmt::Display for DynError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for DynError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<X: Error + Send + Sync + 'static> From<X> for DynError {
    fn from(error: X) -> Self {
        DynError::new(error)
    }
}

/// `?` on any `std::error::Error` inside a body whose error type is [`DynError`].
impl<X: Error + Send + Sync + 'static> From<X> for Exit<DynError> {
    #[inline]
    fn from(error: X) -> Self {
        Exit::Raised(DynError::new(error))
    }
}

impl From<DynError> for Box<dyn Error + Send + Sync + 'static> {
    fn from(error: DynError) -> Self {
        error.inner
    }
}

impl From<DynError> for Box<dyn Error + 'static> {
    fn from(error: DynError) -> Self {
        error.inner
    }
}

/// The error inside [`DynError::cancelled`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cancelled(Cow<'static, str>);

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cancelled: {}", self.0)
    }
}

impl Error for Cancelled {}
