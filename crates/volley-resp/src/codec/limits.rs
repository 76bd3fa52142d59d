//! The bounds one RESP connection enforces on what a client sends.

/// What one client request may make a server hold.
///
/// | bound | default | Redis's equivalent |
/// |---|---|---|
/// | [`max_inline`](RespLimits::max_inline) | 64 KiB | `PROTO_INLINE_MAX_SIZE` (64 KiB): inline requests and count lines |
/// | [`max_bulk`](RespLimits::max_bulk) | 64 MiB | `proto-max-bulk-len` (512 MiB) |
/// | [`max_args`](RespLimits::max_args) | 1 048 576 | `INT_MAX` multibulk length |
/// | [`max_request`](RespLimits::max_request) | 256 MiB | `client-query-buffer-limit` (1 GiB) |
///
/// `max_request` caps the sum of a request's argument lengths (each argument also counts 32
/// bytes of bookkeeping), so a client cannot pile up many large bulks in one command.
///
/// Like [`Limits`](volley_flow::proto::Limits): `with_NAME(value)` builds a copy with one bound
/// changed, `NAME()` reads it.
///
/// ```
/// use volley_resp::codec::RespLimits;
/// let limits = RespLimits::default().with_max_bulk(1 << 20);
/// assert_eq!(limits.max_bulk(), 1 << 20);
/// assert_eq!(limits.max_inline(), 64 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RespLimits {
    max_inline: usize,
    max_bulk: usize,
    max_args: usize,
    max_request: usize,
}

impl RespLimits {
    /// The same limits with another longest inline request or count line, in bytes before the
    /// `\n`.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().with_max_inline(100).max_inline(), 100);
    /// ```
    pub const fn with_max_inline(mut self, bytes: usize) -> Self {
        self.max_inline = bytes;
        self
    }

    /// The same limits with another largest bulk string.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().with_max_bulk(512).max_bulk(), 512);
    /// ```
    pub const fn with_max_bulk(mut self, bytes: usize) -> Self {
        self.max_bulk = bytes;
        self
    }

    /// The same limits with another largest number of arguments in one multibulk request.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().with_max_args(8).max_args(), 8);
    /// ```
    pub const fn with_max_args(mut self, args: usize) -> Self {
        self.max_args = args;
        self
    }

    /// The same limits with another cap on the bytes all arguments of one request hold.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().with_max_request(4096).max_request(), 4096);
    /// ```
    pub const fn with_max_request(mut self, bytes: usize) -> Self {
        self.max_request = bytes;
        self
    }

    /// Longest inline request or count line, in bytes before the `\n`.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().max_inline(), 64 * 1024);
    /// ```
    pub const fn max_inline(&self) -> usize {
        self.max_inline
    }

    /// Largest bulk string.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().max_bulk(), 64 * 1024 * 1024);
    /// ```
    pub const fn max_bulk(&self) -> usize {
        self.max_bulk
    }

    /// Most arguments in one multibulk request.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().max_args(), 1024 * 1024);
    /// ```
    pub const fn max_args(&self) -> usize {
        self.max_args
    }

    /// Most bytes all arguments of one request may hold together.
    ///
    /// ```
    /// use volley_resp::codec::RespLimits;
    /// assert_eq!(RespLimits::default().max_request(), 256 * 1024 * 1024);
    /// ```
    pub const fn max_request(&self) -> usize {
        self.max_request
    }
}

impl Default for RespLimits {
    fn default() -> Self {
        RespLimits {
            max_inline: 64 * 1024,
            max_bulk: 64 * 1024 * 1024,
            max_args: 1024 * 1024,
            max_request: 256 * 1024 * 1024,
        }
    }
}
