//! Reply encoding for RESP2 and RESP3, written straight into a connection's output buffer.

use super::number::format_double;

/// The protocol version a client speaks: RESP2 (the default) or RESP3 (after `HELLO 3`).
///
/// ```
/// use volley_resp::codec::Protocol;
/// assert_eq!(Protocol::default(), Protocol::Resp2);
/// assert_eq!(Protocol::from_version(3), Some(Protocol::Resp3));
/// assert_eq!(Protocol::from_version(4), None);
/// assert_eq!(Protocol::Resp3.version(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2: every reply is a simple string, error, integer, bulk string or array.
    #[default]
    Resp2,
    /// RESP3: maps, sets, doubles, nulls, booleans, verbatim strings, big numbers and pushes too.
    Resp3,
}

impl Protocol {
    /// The protocol `HELLO` names by number (2 or 3).
    ///
    /// ```
    /// use volley_resp::codec::Protocol;
    /// assert_eq!(Protocol::from_version(2), Some(Protocol::Resp2));
    /// ```
    pub fn from_version(version: i64) -> Option<Protocol> {
        match version {
            2 => Some(Protocol::Resp2),
            3 => Some(Protocol::Resp3),
            _ => None,
        }
    }

    /// Its number, as `HELLO` and `CLIENT LIST` show it.
    ///
    /// ```
    /// use volley_resp::codec::Protocol;
    /// assert_eq!(Protocol::Resp2.version(), 2);
    /// ```
    pub fn version(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// Appends replies to a byte buffer (one buffer per connection, flushed once per read) in the
/// client's [`Protocol`]. Each RESP3 type has a method; for a RESP2 client it writes what Redis 7
/// writes instead: a map as a flat array of keys and values, a set or a push as an array, a
/// double as a bulk string, a boolean as the integer 1 or 0, a verbatim string or a big number
/// as a bulk string, and null as `$-1` ([`null`](Reply::null)) or `*-1`
/// ([`null_array`](Reply::null_array)), as the command's reply shape says.
///
/// ```
/// use volley_resp::codec::{Protocol, Reply};
///
/// let mut out = Vec::new();
/// let mut reply = Reply::with_protocol(&mut out, Protocol::Resp3);
/// reply.map(1);
/// reply.bulk(b"score");
/// reply.double(0.5);
/// reply.null();
/// assert_eq!(out, b"%1\r\n$5\r\nscore\r\n,0.5\r\n_\r\n");
///
/// let mut out = Vec::new();
/// let mut reply = Reply::new(&mut out);
/// reply.map(1);
/// reply.bulk(b"score");
/// reply.double(0.5);
/// reply.null();
/// assert_eq!(out, b"*2\r\n$5\r\nscore\r\n$3\r\n0.5\r\n$-1\r\n");
/// ```
pub struct Reply<'o> {
    out: &'o mut Vec<u8>,
    protocol: Protocol,
}

impl std::fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("protocol", &self.protocol)
            .field("buffered", &self.out.len())
            .finish()
    }
}

impl<'o> Reply<'o> {
    /// RESP2 replies appended to `out`.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).boolean(true);
    /// assert_eq!(out, b":1\r\n");
    /// ```
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        Reply::with_protocol(out, Protocol::Resp2)
    }

    /// Replies in `protocol` appended to `out`.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).boolean(true);
    /// assert_eq!(out, b"#t\r\n");
    /// ```
    pub fn with_protocol(out: &'o mut Vec<u8>, protocol: Protocol) -> Self {
        Reply { out, protocol }
    }

    /// The protocol replies are written in.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// assert_eq!(Reply::new(&mut Vec::new()).protocol(), Protocol::Resp2);
    /// ```
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Switches the protocol of the replies that follow (what `HELLO` does).
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// let mut reply = Reply::new(&mut out);
    /// reply.set_protocol(Protocol::Resp3);
    /// reply.null();
    /// assert_eq!(out, b"_\r\n");
    /// ```
    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.protocol = protocol;
    }

    /// Whether the client speaks RESP3.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// assert!(!Reply::new(&mut Vec::new()).is_resp3());
    /// ```
    pub fn is_resp3(&self) -> bool {
        self.protocol == Protocol::Resp3
    }

    /// How many bytes of replies the buffer holds (this reply's and earlier ones).
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// let mut reply = Reply::new(&mut out);
    /// reply.ok();
    /// assert_eq!(reply.buffered(), 5);
    /// ```
    pub fn buffered(&self) -> usize {
        self.out.len()
    }

    /// The byte at `at` of the buffer, if it holds that many (the first byte of a reply
    /// written after [`buffered`](Reply::buffered) answered `at` tells its type).
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// let mut reply = Reply::new(&mut out);
    /// reply.error("ERR no");
    /// assert_eq!(reply.byte_at(0), Some(b'-'));
    /// assert_eq!(reply.byte_at(100), None);
    /// ```
    pub fn byte_at(&self, at: usize) -> Option<u8> {
        self.out.get(at).copied()
    }

    /// Drops what was appended after the buffer held `len` bytes (a reply taken back, as
    /// `CLIENT REPLY OFF` does).
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// let mut reply = Reply::new(&mut out);
    /// reply.ok();
    /// let mark = reply.buffered();
    /// reply.int(1);
    /// reply.truncate(mark);
    /// assert_eq!(out, b"+OK\r\n");
    /// ```
    pub fn truncate(&mut self, len: usize) {
        self.out.truncate(len);
    }

    /// Appends bytes already encoded (a reply built elsewhere).
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).raw(b"+QUEUED\r\n");
    /// assert_eq!(out, b"+QUEUED\r\n");
    /// ```
    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// `+OK` and other status replies.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).simple("PONG");
    /// assert_eq!(out, b"+PONG\r\n");
    /// ```
    pub fn simple(&mut self, text: &str) {
        self.out.push(b'+');
        self.out.extend_from_slice(text.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    /// `+OK`.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).ok();
    /// assert_eq!(out, b"+OK\r\n");
    /// ```
    pub fn ok(&mut self) {
        self.out.extend_from_slice(b"+OK\r\n");
    }

    /// An error reply; `message` starts with its code (`ERR`, `WRONGTYPE`). Line breaks in it
    /// are replaced by spaces, as Redis does, so the reply stays one line.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).error("ERR no\nway");
    /// assert_eq!(out, b"-ERR no way\r\n");
    /// ```
    pub fn error(&mut self, message: &str) {
        self.out.push(b'-');
        self.out.extend(
            message
                .bytes()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        self.out.extend_from_slice(b"\r\n");
    }

    /// An integer reply.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).int(-3);
    /// assert_eq!(out, b":-3\r\n");
    /// ```
    pub fn int(&mut self, value: i64) {
        self.header(b':', value);
    }

    /// A bulk string reply.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).bulk(b"hi");
    /// assert_eq!(out, b"$2\r\nhi\r\n");
    /// ```
    pub fn bulk(&mut self, bytes: &[u8]) {
        self.header(b'$', bytes.len() as i64);
        self.out.extend_from_slice(bytes);
        self.out.extend_from_slice(b"\r\n");
    }

    /// A bulk string, or [`null`](Reply::null) for `None`.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).bulk_or_null(None);
    /// assert_eq!(out, b"$-1\r\n");
    /// ```
    pub fn bulk_or_null(&mut self, bytes: Option<&[u8]>) {
        match bytes {
            Some(bytes) => self.bulk(bytes),
            None => self.null(),
        }
    }

    /// Null where a bulk string could be: `$-1` in RESP2, `_` in RESP3.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).null();
    /// assert_eq!(out, b"$-1\r\n");
    /// ```
    pub fn null(&mut self) {
        match self.protocol {
            Protocol::Resp2 => self.out.extend_from_slice(b"$-1\r\n"),
            Protocol::Resp3 => self.out.extend_from_slice(b"_\r\n"),
        }
    }

    /// Null where an array could be: `*-1` in RESP2, `_` in RESP3.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).null_array();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).null_array();
    /// assert_eq!(out, b"*-1\r\n_\r\n");
    /// ```
    pub fn null_array(&mut self) {
        match self.protocol {
            Protocol::Resp2 => self.out.extend_from_slice(b"*-1\r\n"),
            Protocol::Resp3 => self.out.extend_from_slice(b"_\r\n"),
        }
    }

    /// The header of an array of `len` replies, which the caller appends next.
    ///
    /// ```
    /// use volley_resp::codec::Reply;
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).array(2);
    /// assert_eq!(out, b"*2\r\n");
    /// ```
    pub fn array(&mut self, len: usize) {
        self.header(b'*', len as i64);
    }

    /// The header of a map of `len` key/value pairs, which the caller appends next (key, value,
    /// key, value...): `%len` in RESP3, an array of `2 * len` in RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).map(2);
    /// Reply::with_protocol(&mut out, Protocol::Resp3).map(2);
    /// assert_eq!(out, b"*4\r\n%2\r\n");
    /// ```
    pub fn map(&mut self, len: usize) {
        match self.protocol {
            Protocol::Resp2 => self.header(b'*', 2 * len as i64),
            Protocol::Resp3 => self.header(b'%', len as i64),
        }
    }

    /// The header of a set of `len` members: `~len` in RESP3, an array in RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).set(3);
    /// assert_eq!(out, b"~3\r\n");
    /// ```
    pub fn set(&mut self, len: usize) {
        match self.protocol {
            Protocol::Resp2 => self.header(b'*', len as i64),
            Protocol::Resp3 => self.header(b'~', len as i64),
        }
    }

    /// The header of an out-of-band push of `len` items (pub/sub messages, invalidations):
    /// `>len` in RESP3, an array in RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).push(3);
    /// Reply::new(&mut out).push(3);
    /// assert_eq!(out, b">3\r\n*3\r\n");
    /// ```
    pub fn push(&mut self, len: usize) {
        match self.protocol {
            Protocol::Resp2 => self.header(b'*', len as i64),
            Protocol::Resp3 => self.header(b'>', len as i64),
        }
    }

    /// A double as Redis 7.0 sends it ([`format_double`]): `,value` in RESP3, a bulk string in
    /// RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::new(&mut out).double(0.1 + 0.2);
    /// Reply::with_protocol(&mut out, Protocol::Resp3).double(f64::INFINITY);
    /// assert_eq!(out, b"$19\r\n0.30000000000000004\r\n,inf\r\n");
    /// ```
    pub fn double(&mut self, value: f64) {
        self.double_text(&format_double(value));
    }

    /// A double already formatted (e.g. [`format_human`](super::format_human) for
    /// `INCRBYFLOAT`): `,text` in RESP3, a bulk string in RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).double_text("10.6");
    /// assert_eq!(out, b",10.6\r\n");
    /// ```
    pub fn double_text(&mut self, text: &str) {
        match self.protocol {
            Protocol::Resp2 => self.bulk(text.as_bytes()),
            Protocol::Resp3 => {
                self.out.push(b',');
                self.out.extend_from_slice(text.as_bytes());
                self.out.extend_from_slice(b"\r\n");
            }
        }
    }

    /// A boolean: `#t`/`#f` in RESP3, the integers 1/0 in RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).boolean(false);
    /// Reply::new(&mut out).boolean(false);
    /// assert_eq!(out, b"#f\r\n:0\r\n");
    /// ```
    pub fn boolean(&mut self, value: bool) {
        match (self.protocol, value) {
            (Protocol::Resp2, true) => self.out.extend_from_slice(b":1\r\n"),
            (Protocol::Resp2, false) => self.out.extend_from_slice(b":0\r\n"),
            (Protocol::Resp3, true) => self.out.extend_from_slice(b"#t\r\n"),
            (Protocol::Resp3, false) => self.out.extend_from_slice(b"#f\r\n"),
        }
    }

    /// A verbatim string with its three-letter format (`txt`, `mkd`; shorter ones are padded
    /// with spaces): `=len\r\nfmt:text` in RESP3, a bulk string of the text in RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).verbatim(b"hi", "txt");
    /// Reply::new(&mut out).verbatim(b"hi", "txt");
    /// assert_eq!(out, b"=6\r\ntxt:hi\r\n$2\r\nhi\r\n");
    /// ```
    pub fn verbatim(&mut self, text: &[u8], format: &str) {
        match self.protocol {
            Protocol::Resp2 => self.bulk(text),
            Protocol::Resp3 => {
                self.header(b'=', text.len() as i64 + 4);
                let mut tag = [b' '; 3];
                for (slot, byte) in tag.iter_mut().zip(format.bytes()) {
                    *slot = byte;
                }
                self.out.extend_from_slice(&tag);
                self.out.push(b':');
                self.out.extend_from_slice(text);
                self.out.extend_from_slice(b"\r\n");
            }
        }
    }

    /// A big number given as its decimal digits: `(digits` in RESP3, a bulk string in RESP2.
    ///
    /// ```
    /// use volley_resp::codec::{Protocol, Reply};
    /// let mut out = Vec::new();
    /// Reply::with_protocol(&mut out, Protocol::Resp3).big_number("12345678901234567890");
    /// assert_eq!(out, b"(12345678901234567890\r\n");
    /// ```
    pub fn big_number(&mut self, digits: &str) {
        match self.protocol {
            Protocol::Resp2 => self.bulk(digits.as_bytes()),
            Protocol::Resp3 => {
                self.out.push(b'(');
                self.out.extend_from_slice(digits.as_bytes());
                self.out.extend_from_slice(b"\r\n");
            }
        }
    }

    /// `prefix`, the decimal `value`, and a line end.
    fn header(&mut self, prefix: u8, value: i64) {
        self.out.push(prefix);
        push_decimal(self.out, value);
        self.out.extend_from_slice(b"\r\n");
    }
}

/// Appends the decimal digits of `value` without going through `fmt`.
fn push_decimal(out: &mut Vec<u8>, value: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(write: impl FnOnce(&mut Reply)) -> String {
        let mut out = Vec::new();
        write(&mut Reply::new(&mut out));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_reply_kind_is_encoded_as_resp2() {
        assert_eq!(encoded(|r| r.ok()), "+OK\r\n");
        assert_eq!(encoded(|r| r.simple("PONG")), "+PONG\r\n");
        assert_eq!(
            encoded(|r| r.error("ERR bad\r\nthing")),
            "-ERR bad  thing\r\n"
        );
        assert_eq!(encoded(|r| r.int(-42)), ":-42\r\n");
        assert_eq!(encoded(|r| r.int(i64::MIN)), ":-9223372036854775808\r\n");
        assert_eq!(encoded(|r| r.bulk(b"")), "$0\r\n\r\n");
        assert_eq!(encoded(|r| r.null()), "$-1\r\n");
        assert_eq!(encoded(|r| r.null_array()), "*-1\r\n");
        assert_eq!(encoded(|r| r.array(2)), "*2\r\n");
        assert_eq!(encoded(|r| r.double(1.5)), "$3\r\n1.5\r\n");
        assert_eq!(encoded(|r| r.double(f64::NEG_INFINITY)), "$4\r\n-inf\r\n");
        assert_eq!(encoded(|r| r.map(0)), "*0\r\n");
        assert_eq!(encoded(|r| r.set(1)), "*1\r\n");
        assert_eq!(encoded(|r| r.big_number("1")), "$1\r\n1\r\n");
        assert_eq!(encoded(|r| r.verbatim(b"", "txt")), "$0\r\n\r\n");
    }

    #[test]
    fn resp3_types_have_their_own_markers() {
        let resp3 = |write: &dyn Fn(&mut Reply)| {
            let mut out = Vec::new();
            write(&mut Reply::with_protocol(&mut out, Protocol::Resp3));
            String::from_utf8(out).unwrap()
        };
        assert_eq!(resp3(&|r| r.null()), "_\r\n");
        assert_eq!(resp3(&|r| r.map(2)), "%2\r\n");
        assert_eq!(resp3(&|r| r.double(-0.0)), ",-0\r\n");
        assert_eq!(resp3(&|r| r.double(f64::NEG_INFINITY)), ",-inf\r\n");
        assert_eq!(resp3(&|r| r.double(1e-5)), ",1.0000000000000001e-05\r\n");
        assert_eq!(resp3(&|r| r.verbatim(b"x", "md")), "=5\r\nmd :x\r\n");
        // Everything RESP2 already had is unchanged.
        assert_eq!(resp3(&|r| r.array(1)), "*1\r\n");
        assert_eq!(resp3(&|r| r.bulk(b"v")), "$1\r\nv\r\n");
        assert_eq!(resp3(&|r| r.int(7)), ":7\r\n");
    }
}
