//! How much a protocol reader may buffer: the explicit bounds a peer cannot push it past.

/// The bounds an [`Input`](super::Input) enforces.
///
/// A line longer than [`max_line`](Limits::max_line) bytes (counted before its delimiter) and a
/// payload longer than [`max_payload`](Limits::max_payload) bytes are refused with a
/// [`ProtoError`](super::ProtoError) before they are buffered in full, so a peer cannot make the
/// reader hold more than about the larger limit plus one chunk.
///
/// Every limits type in `proto` follows one convention: `with_NAME(value)` builds a copy with
/// one bound changed, and `NAME()` reads it.
///
/// ```
/// use volley_flow::proto::Limits;
/// let limits = Limits::default().with_max_line(1024).with_max_payload(1 << 20);
/// assert_eq!(limits.max_line(), 1024);
/// assert_eq!(limits.max_payload(), 1 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_line: usize,
    max_payload: usize,
}

impl Limits {
    /// The default longest line: 64 KiB (Redis's inline request limit).
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::default().max_line(), Limits::DEFAULT_MAX_LINE);
    /// ```
    pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

    /// The default largest payload of one `read_exact`: 64 MiB.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::default().max_payload(), Limits::DEFAULT_MAX_PAYLOAD);
    /// ```
    pub const DEFAULT_MAX_PAYLOAD: usize = 64 * 1024 * 1024;

    /// Limits with both bounds given.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// let tight = Limits::new(80, 4096);
    /// assert_eq!((tight.max_line(), tight.max_payload()), (80, 4096));
    /// ```
    pub const fn new(max_line: usize, max_payload: usize) -> Self {
        Limits {
            max_line,
            max_payload,
        }
    }

    /// The same limits with another longest line (bytes before the delimiter).
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::default().with_max_line(10).max_line(), 10);
    /// ```
    pub const fn with_max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }

    /// The same limits with another largest payload for one `read_exact`.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::default().with_max_payload(10).max_payload(), 10);
    /// ```
    pub const fn with_max_payload(mut self, bytes: usize) -> Self {
        self.max_payload = bytes;
        self
    }

    /// The longest line accepted, in bytes before the delimiter.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::new(5, 6).max_line(), 5);
    /// ```
    pub const fn max_line(&self) -> usize {
        self.max_line
    }

    /// The largest payload one `read_exact` accepts.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::new(5, 6).max_payload(), 6);
    /// ```
    pub const fn max_payload(&self) -> usize {
        self.max_payload
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(Self::DEFAULT_MAX_LINE, Self::DEFAULT_MAX_PAYLOAD)
    }
}
