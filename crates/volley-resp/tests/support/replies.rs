//! Reading RESP2 replies off a simulated connection, for the tests that run the server on a
//! simulated network.

use std::io;
use volley_core::{yield_from, Co, Exit};
use volley_flow::sched::net::Connection;
use volley_flow::sched::{TaskBody, TaskResume};
use volley_flow::sim::net::SimStream;

/// The length of the RESP2 reply at the start of `buf`: `None` while it is incomplete.
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
    match header.first() {
        Some(b'+' | b'-' | b':') => Ok(Some(after)),
        Some(b'$') => {
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
        Some(b'*') => {
            let mut at = after;
            for _ in 0..number()?.max(0) {
                match reply_len(&buf[at..])? {
                    Some(len) => at += len,
                    None => return Ok(None),
                }
            }
            Ok(Some(at))
        }
        _ => Err(format!(
            "not a RESP2 reply: {:?}",
            String::from_utf8_lossy(&buf[..buf.len().min(40)])
        )),
    }
}

/// Reads the next whole reply into `buf`'s front and takes it out: `None` at the end of the
/// stream (with nothing pending). Raises read errors; a malformed reply or a stream ending
/// mid-reply is an `InvalidData` error.
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
                    return Err(bad(format!(
                        "the stream ended mid-reply: {:?}",
                        String::from_utf8_lossy(buf)
                    )));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        },
    )
}
