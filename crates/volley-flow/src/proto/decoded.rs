//! What a protocol body yields: a decoded frame, or a request for more input.

/// One yield of a protocol body.
///
/// The caller answers `NeedMore` by sending the next chunk of bytes, and `Frame` by sending the
/// next chunk or an empty one to go on decoding what is already buffered.
///
/// ```
/// use volley_flow::proto::Decoded;
/// let d: Decoded<&str> = Decoded::Frame("PING");
/// assert_eq!(d.frame(), Some("PING"));
/// assert_eq!(Decoded::<&str>::NeedMore.frame(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decoded<F> {
    /// A complete frame.
    Frame(F),
    /// Everything buffered is used up: send more bytes.
    NeedMore,
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
            Decoded::NeedMore => None,
        }
    }
}
