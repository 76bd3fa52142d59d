//! RESP2 reply encoding, written straight into a connection's output buffer.

/// Appends RESP2 replies to a byte buffer: one buffer per connection, flushed once per read.
pub struct Reply<'o> {
    out: &'o mut Vec<u8>,
}

impl std::fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("buffered", &self.out.len())
            .finish()
    }
}

impl<'o> Reply<'o> {
    /// Replies appended to `out`.
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        Reply { out }
    }

    /// `+OK` and other status replies.
    pub fn simple(&mut self, text: &str) {
        self.out.push(b'+');
        self.out.extend_from_slice(text.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.out.extend_from_slice(b"+OK\r\n");
    }

    /// An error reply; `message` starts with its code (`ERR`, `WRONGTYPE`). Line breaks in it
    /// are replaced by spaces, as Redis does, so the reply stays one line.
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
    pub fn int(&mut self, value: i64) {
        self.out.push(b':');
        push_decimal(self.out, value);
        self.out.extend_from_slice(b"\r\n");
    }

    /// A bulk string reply.
    pub fn bulk(&mut self, bytes: &[u8]) {
        self.out.push(b'$');
        push_decimal(self.out, bytes.len() as i64);
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(bytes);
        self.out.extend_from_slice(b"\r\n");
    }

    /// A bulk string, or the null bulk string `$-1` for `None`.
    pub fn bulk_or_null(&mut self, bytes: Option<&[u8]>) {
        match bytes {
            Some(bytes) => self.bulk(bytes),
            None => self.null(),
        }
    }

    /// The null bulk string `$-1`.
    pub fn null(&mut self) {
        self.out.extend_from_slice(b"$-1\r\n");
    }

    /// The null array `*-1`.
    pub fn null_array(&mut self) {
        self.out.extend_from_slice(b"*-1\r\n");
    }

    /// The header of an array of `len` replies, which the caller appends next.
    pub fn array(&mut self, len: usize) {
        self.out.push(b'*');
        push_decimal(self.out, len as i64);
        self.out.extend_from_slice(b"\r\n");
    }

    /// A double as Redis 7 sends it in RESP2: a bulk string of its shortest form.
    pub fn double(&mut self, value: f64) {
        self.bulk(format_double(value).as_bytes());
    }
}

/// A double written as Redis writes scores: `inf`, `-inf`, or the shortest round-trip form.
pub fn format_double(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{value}")
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
    }
}
