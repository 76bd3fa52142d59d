//! How much a protocol reader may buffer: the explicit bounds a peer cannot push it past.

/// The bounds an [`Input`](super::Input) enforces.
///
/// A line longer than `max_line` bytes (counted before its delimiter) and a payload longer than
/// `max_payload` bytes are refused with a [`ProtoError`](super::ProtoError) before they are
/// buffered in full, so a peer cannot make the reader hold more than about the larger limit plus
/// one chunk.
///
/// ```
/// use volley_flow::proto::Limits;
/// let limits = Limits::default().max_line(1024).max_payload(1 << 20);
/// assert_eq!(limits.line_limit(), 1024);
/// assert_eq!(limits.payload_limit(), 1 << 20);
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
    /// assert_eq!(Limits::default().line_limit(), Limits::DEFAULT_MAX_LINE);
    /// ```
    pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

    /// The default largest payload of one `read_exact`: 64 MiB.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::default().payload_limit(), Limits::DEFAULT_MAX_PAYLOAD);
    /// ```
    pub const DEFAULT_MAX_PAYLOAD: usize = 64 * 1024 * 1024;

    /// Limits with both bounds given.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// let tight = Limits::new(80, 4096);
    /// assert_eq!((tight.line_limit(), tight.payload_limit()), (80, 4096));
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
    /// assert_eq!(Limits::default().max_line(10).line_limit(), 10);
    /// ```
    pub const fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }

    /// The same limits with another largest payload for one `read_exact`.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::default().max_payload(10).payload_limit(), 10);
    /// ```
    pub const fn max_payload(mut self, bytes: usize) -> Self {
        self.max_payload = bytes;
        self
    }

    /// The longest line accepted, in bytes before the delimiter.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::new(5, 6).line_limit(), 5);
    /// ```
    pub const fn line_limit(&self) -> usize {
        self.max_line
    }

    /// The largest payload one `read_exact` accepts.
    ///
    /// ```
    /// use volley_flow::proto::Limits;
    /// assert_eq!(Limits::new(5, 6).payload_limit(), 6);
    /// ```
    pub const fn payload_limit(&self) -> usize {
        self.max_payload
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(Self::DEFAULT_MAX_LINE, Self::DEFAULT_MAX_PAYLOAD)
    }
}
