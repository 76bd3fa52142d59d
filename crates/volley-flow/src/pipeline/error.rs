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
/// use volley_flow::pipeline::PipelineError;
/// let e = PipelineError::raised("bad record on line 3");
/// assert_eq!(e.to_string(), "a pipeline stage raised: bad record on line 3");
/// assert!(matches!(PipelineError::Finished, PipelineError::Finished));
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
    /// use volley_flow::pipeline::PipelineError;
    /// let e = PipelineError::raised(std::fmt::Error);
    /// assert!(matches!(e, PipelineError::Raised(_)));
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
