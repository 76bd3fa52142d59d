//! The protocol error value: what a reader raises instead of buffering without bound or panicking.

use std::borrow::Cow;
use std::fmt;

/// Why a protocol body refused its input.
///
/// Readers raise the first two when a peer exceeds a [`Limits`](super::Limits) bound, and
/// [`Truncated`](ProtoError::Truncated) when the input ends inside a frame; protocol bodies
/// raise [`Invalid`](ProtoError::Invalid) with their own wording for malformed input (or yield
/// it as [`Decoded::Invalid`](super::Decoded::Invalid) to step over one frame and go on).
///
/// ```
/// use volley_flow::proto::ProtoError;
/// let e = ProtoError::LineTooLong { limit: 16 };
/// assert_eq!(e.to_string(), "line longer than 16 bytes");
/// assert_eq!(ProtoError::invalid("invalid bulk length").to_string(), "invalid bulk length");
/// assert_eq!(
///     ProtoError::Truncated { buffered: 5 }.to_string(),
///     "input ended inside a frame (5 bytes of it received)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProtoError {
    /// No delimiter within `limit` bytes.
    LineTooLong {
        /// The longest line allowed, in bytes before the delimiter.
        limit: usize,
    },
    /// A payload of `len` bytes was asked for, more than `limit`.
    PayloadTooLarge {
        /// The length the protocol asked to read.
        len: usize,
        /// The largest payload allowed.
        limit: usize,
    },
    /// The input breaks the protocol; the message says how.
    Invalid(Cow<'static, str>),
    /// The input ended (the body was closed) with a frame half received: `buffered` bytes of it
    /// had arrived.
    Truncated {
        /// The bytes of the unfinished frame that had arrived.
        buffered: usize,
    },
}

impl ProtoError {
    /// A malformed-input error with the protocol's own wording.
    ///
    /// ```
    /// use volley_flow::proto::ProtoError;
    /// let e = ProtoError::invalid(format!("expected '$', got '{}'", 'x'));
    /// assert_eq!(e, ProtoError::Invalid("expected '$', got 'x'".into()));
    /// ```
    pub fn invalid(message: impl Into<Cow<'static, str>>) -> Self {
        ProtoError::Invalid(message.into())
    }
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtoError::LineTooLong { limit } => write!(f, "line longer than {limit} bytes"),
            ProtoError::PayloadTooLarge { len, limit } => {
                write!(
                    f,
                    "payload of {len} bytes is larger than the {limit} byte limit"
                )
            }
            ProtoError::Invalid(message) => f.write_str(message),
            ProtoError::Truncated { buffered } => {
                write!(
                    f,
                    "input ended inside a frame ({buffered} bytes of it received)"
                )
            }
        }
    }
}

impl std::error::Error for ProtoError {}
