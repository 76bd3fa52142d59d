//! The one error type every pipeline stage speaks.

use std::error::Error;
use std::fmt;
use std::io;

/// Why a pipeline stopped before its end.
///
/// Every push stage, aggregate and source shares this type, so stages of different kinds
/// compose (a [`broadcast`](crate::pipeline::push::broadcast) may mix a coroutine sink with a
/// plain aggregate) and one `?` handles them all.
///
/// ```
/// use std::error::Error;
/// use volley_flow::pipeline::{aggregate, feed, PipelineError};
///
/// // An aggregate refuses a key out of its range: the run stops with that error.
/// let e = feed([0usize, 7], aggregate::count_by_index(2)).unwrap_err();
/// assert!(matches!(e, PipelineError::Raised(_)));
/// assert_eq!(e.to_string(), "a pipeline stage raised: count_by_index: key 7 is out of range 0..2");
///
/// // A read error keeps the original as its source.
/// let e = PipelineError::from(std::io::Error::other("disk on fire"));
/// assert_eq!(e.source().unwrap().to_string(), "disk on fire");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum PipelineError {
    /// Reading the input failed.
    Io(io::Error),
    /// A target had already finished (returned or was closed) and takes no more items.
    Finished,
    /// A coroutine target yielded again after it was asked to close; it stays suspended.
    IgnoredClose,
    /// A stage raised this error.
    Raised(Box<dyn Error + Send + Sync + 'static>),
}

impl PipelineError {
    /// Wraps any error (or message) a stage wants to raise.
    ///
    /// ```
    /// use volley_flow::pipeline::{feed, Close, PipelineError, Push};
    ///
    /// /// Sums readings and refuses a negative one.
    /// struct Readings(i64);
    ///
    /// impl Push<i64> for Readings {
    ///     fn send(&mut self, n: i64) -> Result<(), PipelineError> {
    ///         if n < 0 {
    ///             return Err(PipelineError::raised(format!("negative reading {n}")));
    ///         }
    ///         self.0 += n;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// impl Close for Readings {
    ///     type Output = i64;
    ///     fn close(self) -> Result<i64, PipelineError> {
    ///         Ok(self.0)
    ///     }
    /// }
    ///
    /// assert_eq!(feed([3, 4], Readings(0)).unwrap(), 7);
    /// let e = feed([3, -1, 4], Readings(0)).unwrap_err();
    /// assert_eq!(e.to_string(), "a pipeline stage raised: negative reading -1");
    /// ```
    pub fn raised(error: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> Self {
        PipelineError::Raised(error.into())
    }
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::Io(e) => write!(f, "reading the pipeline input failed: {e}"),
            PipelineError::Finished => {
                f.write_str("the target has finished and takes no more items")
            }
            PipelineError::IgnoredClose => {
                f.write_str("the target ignored close and yielded again")
            }
            PipelineError::Raised(e) => write!(f, "a pipeline stage raised: {e}"),
        }
    }
}

impl Error for PipelineError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            PipelineError::Io(e) => Some(e),
            PipelineError::Raised(e) => Some(&**e),
            PipelineError::Finished | PipelineError::IgnoredClose => None,
        }
    }
}

impl From<io::Error> for PipelineError {
    fn from(error: io::Error) -> Self {
        PipelineError::Io(error)
    }
}
