//! The bounds one RESP connection enforces on what a client sends.

/// What one client request may make a server hold.
///
/// | bound | default | Redis's equivalent |
/// |---|---|---|
/// | `max_inline` | 64 KiB | `PROTO_INLINE_MAX_SIZE` (64 KiB): inline requests and count lines |
/// | `max_bulk` | 64 MiB | `proto-max-bulk-len` (512 MiB) |
/// | `max_args` | 1 048 576 | `INT_MAX` multibulk length |
/// | `max_request` | 256 MiB | `client-query-buffer-limit` (1 GiB) |
///
/// `max_request` caps the sum of a request's argument lengths (each argument also counts 32
/// bytes of bookkeeping), so a client cannot pile up many large bulks in one command.
///
/// ```
/// use volley_resp::codec::RespLimits;
/// let limits = RespLimits { max_bulk: 1 << 20, ..RespLimits::default() };
/// assert_eq!(limits.max_inline, 64 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RespLimits {
    /// Longest inline request or count line, in bytes before the `\n`.
    pub max_inline: usize,
    /// Largest bulk string.
    pub max_bulk: usize,
    /// Most arguments in one multibulk request.
    pub max_args: usize,
    /// Most bytes all arguments of one request may hold together.
    pub max_request: usize,
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
