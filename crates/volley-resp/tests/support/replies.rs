//! Reading RESP2 and RESP3 replies off a simulated connection, for the tests that run the
//! server on a simulated network.

use std::io;
use volley_core::{yield_from, Co, Exit};
use volley_flow::sched::net::Connection;
use volley_flow::sched::{TaskBody, TaskResume};
use volley_flow::sim::net::SimStream;

/// The length of the RESP2 or RESP3 reply at the start of `buf`: `None` while it is
/// incomplete.
pub fn reply_len(buf: &[u8]) -> Result<Option<usize>, String> {
    let Some(line_end) = buf.windows(2).position(|w| w == b"\r\n") else {
        return Ok(None);
    };
    let header = &buf[..line_end];
    let after = line_end + 2;
    let number = || -> Result<i64, String> {
        std::str::from_utf8(&header[1..])
            .ok()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("bad reply header {:?}", String::from_utf8_lossy(header)))
    };
    // Elements after the header: a map's entries and an attribute's count twice (an
    // attribute is followed by the reply it describes).
    let elements = |per_entry: i64, then: i64| -> Result<Option<usize>, String> {
        let mut at = after;
        for _ in 0..number()?.max(0) * per_entry + then {
            match reply_len(&buf[at..])? {
                Some(len) => at += len,
                None => return Ok(None),
            }
        }
        Ok(Some(at))
    };
    match header.first() {
        Some(b'+' | b'-' | b':' | b'_' | b'#' | b',' | b'(') => Ok(Some(after)),
        Some(b'$' | b'=' | b'!') => {
            let len = number()?;
            if len < 0 {
                return Ok(Some(after));
            }
            let end = after + len as usize + 2;
            if buf.len() < end {
                return Ok(None);
            }
            if &buf[end - 2..end] != b"\r\n" {
                return Err("a bulk string not ended by CRLF".into());
            }
            Ok(Some(end))
        }
        Some(b'*' | b'~' | b'>') => elements(1, 0),
        Some(b'%') => elements(2, 0),
        Some(b'|') => elements(2, 1),
        _ => Err(format!(
            "not a RESP reply: {:?}",
            String::from_utf8_lossy(&buf[..buf.len().min(40)])
        )),
    }
}

/// Reads the next whole reply into `buf`'s front and takes it out: `None` at the end of the
/// stream (with nothing pending). Raises read errors; a malformed reply is an `InvalidData`
/// error, and a stream ending mid-reply an `UnexpectedEof` one (the partial reply is left in
/// `buf`).
pub fn next_reply<'a>(
    conn: &'a SimStream,
    buf: &'a mut Vec<u8>,
) -> Co<impl TaskBody<Option<Vec<u8>>> + 'a> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let mut chunk = [0u8; 1024];
            loop {
                let bad = |why: String| {
                    Exit::Raised(io::Error::new(io::ErrorKind::InvalidData, why).into())
                };
                if let Some(len) = reply_len(buf).map_err(bad)? {
                    return Ok(Some(buf.drain(..len).collect()));
                }
                let n = yield_from!(conn.read(&mut chunk))?;
                if n == 0 {
                    if buf.is_empty() {
                        return Ok(None);
                    }
                    let why = format!(
                        "the stream ended mid-reply: {:?}",
                        String::from_utf8_lossy(buf)
                    );
                    return Err(Exit::Raised(
                        io::Error::new(io::ErrorKind::UnexpectedEof, why).into(),
                    ));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        },
    )
}
