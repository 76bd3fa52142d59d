//! What a protocol body yields: a decoded frame, a request for more input, or a frame it
//! refused and stepped over.

use super::ProtoError;

/// One yield of a protocol body.
///
/// The caller answers `NeedMore` by sending the next chunk of bytes, and `Frame` or `Invalid`
/// by sending the next chunk or an empty one to go on decoding what is already buffered.
///
/// `Invalid` is the recoverable error: the body refused one frame (an unknown command, a bad
/// header), stepped over its bytes, and goes on with the next one, as a memcached server answers
/// `ERROR` and keeps the connection. An error the body cannot step over is raised instead, and
/// ends it. A [`Decoder`](super::Decoder) hands out both as `Err` items; after an `Invalid` one
/// it is not [finished](super::Decoder::is_finished).
///
/// ```
/// use volley_flow::proto::{Decoded, ProtoError};
/// let d: Decoded<&str> = Decoded::Frame("PING");
/// assert_eq!(d.frame(), Some("PING"));
/// assert_eq!(Decoded::<&str>::NeedMore.frame(), None);
/// let refused: Decoded<&str> = Decoded::Invalid(ProtoError::invalid("unknown command"));
/// assert_eq!(refused.frame(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Decoded<F> {
    /// A complete frame.
    Frame(F),
    /// Everything buffered is used up: send more bytes.
    NeedMore,
    /// A frame the body refused and stepped over; decoding goes on with the next one.
    Invalid(ProtoError),
}

impl<F> Decoded<F> {
    /// The frame, if this is one.
    ///
    /// ```
    /// use volley_flow::proto::Decoded;
    /// assert_eq!(Decoded::Frame(3).frame(), Some(3));
    /// ```
    pub fn frame(self) -> Option<F> {
        match self {
            Decoded::Frame(frame) => Some(frame),
            Decoded::NeedMore | Decoded::Invalid(_) => None,
        }
    }
}
