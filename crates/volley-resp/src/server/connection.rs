//! One task per client: read a chunk, decode every request it completes, run them in order,
//! write all their replies at once. The read buffer (`volley_flow::proto::ReadBuffer`) is lent to the decoder
//! for each chunk and taken back for the next read, so request bytes are copied once, into the
//! parser's buffer.

use super::commands::{execute, Flow};
use super::store::Store;
use crate::codec::{requests, Reply, Request, RespLimits};
use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use volley_core::{yield_from, Co, Exit, Protocol};
use volley_flow::proto::{Decoded, Decoder, ProtoError, ReadBuffer, SharedChunk};
use volley_flow::sched::net::{read, write_all, TcpStream};
use volley_flow::sched::{TaskBody, TaskError, TaskResume};

/// Bytes read from a socket at a time (Redis reads 16 KiB too).
const READ_CHUNK: usize = 16 * 1024;

/// Output capacity kept between reads; a larger buffer left by a big reply is released.
const KEPT_OUTPUT: usize = 64 * 1024;

/// The task serving one client until it closes, sends QUIT, or breaks the protocol.
pub fn serve(
    stream: TcpStream,
    store: Rc<RefCell<Store>>,
    limits: RespLimits,
) -> Co<impl TaskBody> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let peer = stream.peer_addr().ok();
            let mut decoder = Decoder::new(requests::<SharedChunk>(limits));
            let mut buffer = ReadBuffer::new(READ_CHUNK);
            let mut out = Vec::with_capacity(READ_CHUNK);
            loop {
                // The decoder dropped the chunk it was lent, so this takes the buffer back without
                // copying (were it still shared, it would be copied, never lost).
                let read = yield_from!(read(&stream, buffer.as_mut_slice()));
                let n = match read {
                    Ok(0) => {
                        for item in decoder.finish() {
                            if let Err(error) = item {
                                tracing::debug!(?peer, %error, "client left mid-request");
                            }
                        }
                        break;
                    }
                    Ok(n) => n,
                    Err(Exit::Raised(error)) if is_disconnect(&error) => break,
                    Err(other) => return Err(other),
                };
                let flow = answer(&mut decoder, buffer.lend(n), &store, &mut out);
                if !out.is_empty() {
                    match yield_from!(write_all(&stream, &out)) {
                        Ok(()) => {}
                        Err(Exit::Raised(error)) if is_disconnect(&error) => break,
                        Err(other) => return Err(other),
                    }
                    out.clear();
                    out.shrink_to(KEPT_OUTPUT);
                }
                if flow == Flow::Close {
                    tracing::debug!(?peer, "connection closed by the server");
                    break;
                }
            }
            Ok(())
        },
    )
    .named("connection")
}

/// Decodes the requests one chunk completes and appends every reply to `out`, in order.
/// A protocol error gets Redis's `-ERR Protocol error: ...` reply and closes the connection.
fn answer<B>(
    decoder: &mut Decoder<B>,
    chunk: SharedChunk,
    store: &RefCell<Store>,
    out: &mut Vec<u8>,
) -> Flow
where
    B: Protocol<SharedChunk, Decoded<Request>, (), ProtoError>,
{
    let mut store = store.borrow_mut();
    for item in decoder.feed(chunk) {
        match item {
            Ok(request) => {
                if execute(&mut store, request, out) == Flow::Close {
                    return Flow::Close;
                }
            }
            Err(error) => {
                tracing::debug!(%error, "protocol error");
                Reply::new(out).error(&format!("ERR Protocol error: {error}"));
                return Flow::Close;
            }
        }
    }
    Flow::Continue
}

/// Errors that only mean the client went away.
fn is_disconnect(error: &TaskError) -> bool {
    error.downcast_ref::<io::Error>().is_some_and(|error| {
        matches!(
            error.kind(),
            io::ErrorKind::ConnectionReset
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::ConnectionAborted
        )
    })
}
