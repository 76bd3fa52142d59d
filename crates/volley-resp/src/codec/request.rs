//! The RESP2 request decoder: a `proto` coroutine turning client bytes into commands.

use super::{split_args, RespLimits};
use volley_core::{yield_from, Co, Exit, Protocol, Resume};
use volley_flow::proto::{Chunk, Decoded, Input, Limits, ProtoError};

/// Bookkeeping bytes each argument counts against [`RespLimits::max_request`].
const ARG_OVERHEAD: usize = 32;

/// Arguments allocated ahead of time at most, whatever count a client declares.
const PREALLOCATED_ARGS: usize = 1024;

/// One client command: its arguments, the command name first.
///
/// ```
/// use volley_resp::codec::Request;
/// let request = Request::new(vec![b"GET".to_vec(), b"key".to_vec()]);
/// assert_eq!(request.len(), 2);
/// assert_eq!(request.arg(1), Some(&b"key"[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    args: Vec<Vec<u8>>,
}

impl Request {
    /// A request with these arguments.
    ///
    /// ```
    /// use volley_resp::codec::Request;
    /// assert!(Request::new(vec![]).is_empty());
    /// ```
    pub fn new(args: Vec<Vec<u8>>) -> Self {
        Request { args }
    }

    /// All arguments, the command name first.
    ///
    /// ```
    /// use volley_resp::codec::Request;
    /// assert_eq!(Request::new(vec![b"PING".to_vec()]).args(), [b"PING".to_vec()]);
    /// ```
    pub fn args(&self) -> &[Vec<u8>] {
        &self.args
    }

    /// One argument, if there are that many.
    ///
    /// ```
    /// use volley_resp::codec::Request;
    /// assert_eq!(Request::new(vec![b"PING".to_vec()]).arg(1), None);
    /// ```
    pub fn arg(&self, index: usize) -> Option<&[u8]> {
        self.args.get(index).map(Vec::as_slice)
    }

    /// How many arguments, the command name included.
    ///
    /// ```
    /// use volley_resp::codec::Request;
    /// assert_eq!(Request::new(vec![b"PING".to_vec()]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// Whether there are no arguments at all.
    ///
    /// ```
    /// use volley_resp::codec::Request;
    /// assert!(Request::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// The arguments, owned.
    ///
    /// ```
    /// use volley_resp::codec::Request;
    /// let args = Request::new(vec![b"ECHO".to_vec(), b"hi".to_vec()]).into_args();
    /// assert_eq!(args[1], b"hi");
    /// ```
    pub fn into_args(self) -> Vec<Vec<u8>> {
        self.args
    }
}

impl From<Request> for Vec<Vec<u8>> {
    fn from(request: Request) -> Self {
        request.args
    }
}

/// A request as clients send it: a multibulk array of bulk strings, binary-safe. What
/// [`requests`] decodes back into the same arguments.
///
/// ```
/// use volley_resp::codec::encode_command;
/// let value = [0u8, 13, 10];
/// assert_eq!(
///     encode_command(&[b"SET", b"k", &value]),
///     b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\x00\r\n\r\n"
/// );
/// ```
pub fn encode_command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A coroutine decoding client requests, multibulk and inline, as Redis does.
///
/// Send it chunks of bytes; it yields each complete [`Request`] and [`Decoded::NeedMore`] when
/// the chunk is used up. Empty inline lines and empty multibulk arrays are skipped, as Redis
/// skips them. Malformed input raises a [`ProtoError::Invalid`] in Redis's words:
///
/// | input | error |
/// |---|---|
/// | `*` count not a number, or over `max_args` | `invalid multibulk length` |
/// | argument line not starting with `$` | `expected '$', got 'x'` |
/// | `$` length not a number, negative, or over `max_bulk` | `invalid bulk length` |
/// | no `\n` within `max_inline` bytes | `too big inline request` / `too big mbulk count string` / `too big bulk count string` |
/// | inline quotes unbalanced | `unbalanced quotes in request` |
/// | bulk not followed by `\r\n` | `expected '\r\n' after bulk data` |
/// | arguments together over `max_request` | `request larger than N bytes` |
///
/// ```
/// use volley_core::{CoError, Step};
/// use volley_resp::codec::{requests, Request, RespLimits};
/// use volley_flow::proto::{Decoded, ProtoError};
///
/// let mut server_side = requests::<&'static [u8]>(RespLimits::default());
/// assert_eq!(server_side.start(), Ok(Step::Yield(Decoded::NeedMore)));
/// assert_eq!(
///     server_side.send(b"*1\r\n$4\r\nPING\r\n"),
///     Ok(Step::Yield(Decoded::Frame(Request::new(vec![b"PING".to_vec()]))))
/// );
/// assert_eq!(server_side.send(b""), Ok(Step::Yield(Decoded::NeedMore)));
/// assert_eq!(
///     server_side.send(b"*1\r\n+PING\r\n"),
///     Err(CoError::Raised(ProtoError::invalid("expected '$', got '+'")))
/// );
/// ```
pub fn requests<C>(limits: RespLimits) -> Co<impl Protocol<C, Decoded<Request>, (), ProtoError>>
where
    C: Chunk,
{
    let reader_limits = Limits::new(limits.max_inline(), limits.max_bulk().saturating_add(2));
    Co::pinned(
        #[coroutine]
        static move |_: Resume<C, ProtoError>| {
            let mut input = Input::new(reader_limits);
            loop {
                let multibulk = yield_from!(input.peek(1))?[0] == b'*';
                let too_long = if multibulk {
                    "too big mbulk count string"
                } else {
                    "too big inline request"
                };
                let line = relabel(yield_from!(input.read_line()), too_long)?;
                if !multibulk {
                    let Some(args) = split_args(line) else {
                        return Err(invalid("unbalanced quotes in request"));
                    };
                    if args.is_empty() {
                        input.end_frame(); // a blank line: skipped, as Redis skips it
                    } else {
                        yield_from!(input.emit(Request::new(args)))?;
                    }
                    continue;
                }
                let count = match parse_int(&line[1..]) {
                    Some(count)
                        if count <= i32::MAX as i64 && count <= limits.max_args() as i64 =>
                    {
                        count
                    }
                    _ => return Err(invalid("invalid multibulk length")),
                };
                if count <= 0 {
                    input.end_frame(); // an empty array: skipped, as Redis skips it
                    continue;
                }
                let count = count as usize;
                let mut args = Vec::with_capacity(count.min(PREALLOCATED_ARGS));
                let mut held = 0usize;
                for _ in 0..count {
                    let line =
                        relabel(yield_from!(input.read_line()), "too big bulk count string")?;
                    match line.first() {
                        Some(b'$') => {}
                        other => {
                            let got = other.map_or('\r', |&byte| byte as char);
                            return Err(invalid(format!("expected '$', got '{got}'")));
                        }
                    }
                    let len = match parse_int(&line[1..]) {
                        Some(len) if len >= 0 && len as u64 <= limits.max_bulk() as u64 => {
                            len as usize
                        }
                        _ => return Err(invalid("invalid bulk length")),
                    };
                    held = held.saturating_add(len + ARG_OVERHEAD);
                    if held > limits.max_request() {
                        let limit = limits.max_request();
                        return Err(invalid(format!("request larger than {limit} bytes")));
                    }
                    let bulk = yield_from!(input.read_exact(len + 2))?;
                    if &bulk[len..] != b"\r\n" {
                        return Err(invalid("expected '\\r\\n' after bulk data"));
                    }
                    args.push(bulk[..len].to_vec());
                }
                yield_from!(input.emit(Request::new(args)))?;
            }
        },
    )
    .named("resp::requests")
}

/// A malformed-input exit.
fn invalid(message: impl Into<std::borrow::Cow<'static, str>>) -> Exit<ProtoError> {
    Exit::Raised(ProtoError::invalid(message))
}

/// Rewords a line-limit error as Redis words it for this kind of line.
fn relabel<T>(
    read: Result<T, Exit<ProtoError>>,
    too_long: &'static str,
) -> Result<T, Exit<ProtoError>> {
    read.map_err(|exit| match exit {
        Exit::Raised(ProtoError::LineTooLong { .. }) => invalid(too_long),
        other => other,
    })
}

/// Parses a decimal integer the way Redis's `string2ll` does: optional `-`, no `+`, no leading
/// zeros, no spaces, within `i64`.
fn parse_int(digits: &[u8]) -> Option<i64> {
    let (negative, magnitude) = match digits {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, digits),
    };
    match magnitude {
        [] => return None,
        [b'0'] if !negative => return Some(0),
        [b'0', ..] => return None,
        _ => {}
    }
    let mut value: i64 = 0;
    for &digit in magnitude {
        if !digit.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(digit - b'0');
        value = if negative {
            value.checked_mul(10)?.checked_sub(digit)?
        } else {
            value.checked_mul(10)?.checked_add(digit)?
        };
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::parse_int;

    #[test]
    fn integers_parse_like_string2ll() {
        assert_eq!(parse_int(b"0"), Some(0));
        assert_eq!(parse_int(b"-12"), Some(-12));
        assert_eq!(parse_int(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"+1",
            b"01",
            b"-0",
            b" 1",
            b"1 ",
            b"9223372036854775808",
        ] {
            assert_eq!(parse_int(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
