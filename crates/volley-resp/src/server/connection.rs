//! One task per client: read a chunk, decode every request it completes, run them in order,
//! write all their replies at once. The read buffer (`volley_flow::proto::ReadBuffer`) is lent
//! to the decoder for each chunk and taken back for the next read, so request bytes are copied
//! once, into the parser's buffer.
//!
//! The task works on any [`Stream`]: a TCP connection, a Unix socket, or a simulated one.

use super::client::ClientRef;
use super::commands::{execute, Flow};
use super::ctx::Ctx;
use super::state::ServerState;
use crate::codec::{requests, Request};
use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::time::Instant;
use volley_core::{yield_from, Co, Exit, Protocol};
use volley_flow::proto::{Decoded, Decoder, ProtoError, ReadBuffer, SharedChunk};
use volley_flow::sched::net::{read, write_all, Stream};
use volley_flow::sched::task::{kill, task_id};
use volley_flow::sched::{TaskBody, TaskError, TaskResume};

/// Bytes read from a socket at a time (Redis reads 16 KiB too).
const READ_CHUNK: usize = 16 * 1024;

/// Output capacity kept between reads; a larger buffer left by a big reply is released.
const KEPT_OUTPUT: usize = 64 * 1024;

/// Removes a client from the registry when its task ends, however it ends (returned, failed,
/// or killed and dropped).
struct Registration {
    server: Rc<RefCell<ServerState>>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.server.borrow_mut().clients.unregister(self.id);
    }
}

/// The task serving one registered client over `stream` until it closes, sends QUIT, or
/// breaks the protocol. The client leaves the registry when the task ends.
pub fn serve<S: Stream + 'static>(
    stream: S,
    server: Rc<RefCell<ServerState>>,
    client: ClientRef,
) -> Co<impl TaskBody> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let id = client.borrow().id;
            let limits = server.borrow().request_limits();
            let _registration = Registration {
                server: Rc::clone(&server),
                id,
            };
            client.borrow_mut().task = Some(yield_from!(task_id())?);
            let mut decoder = Decoder::new(requests::<SharedChunk>(limits));
            let mut buffer = ReadBuffer::new(READ_CHUNK);
            let mut out = Vec::with_capacity(READ_CHUNK);
            loop {
                if client.borrow().killed {
                    break;
                }
                // The decoder dropped the chunk it was lent, so this takes the buffer back without
                // copying (were it still shared, it would be copied, never lost).
                let read = yield_from!(read(&stream, buffer.as_mut_slice()));
                let n = match read {
                    Ok(0) => {
                        for item in decoder.finish() {
                            if let Err(error) = item {
                                tracing::debug!(client = id, %error, "client left mid-request");
                            }
                        }
                        break;
                    }
                    Ok(n) => n,
                    Err(Exit::Raised(error)) if is_disconnect(&error) => break,
                    Err(other) => return Err(other),
                };
                server.borrow_mut().stats.net_input_bytes += n as u64;
                let flow = answer(&mut decoder, buffer.lend(n), &server, &client, &mut out);
                // Clients `CLIENT KILL` stopped during this batch.
                let kills = std::mem::take(&mut server.borrow_mut().kills);
                for task in kills {
                    yield_from!(kill(task))?;
                }
                if !out.is_empty() {
                    server.borrow_mut().stats.net_output_bytes += out.len() as u64;
                    match yield_from!(write_all(&stream, &out)) {
                        Ok(()) => {}
                        Err(Exit::Raised(error)) if is_disconnect(&error) => break,
                        Err(other) => return Err(other),
                    }
                    out.clear();
                    out.shrink_to(KEPT_OUTPUT);
                }
                if flow == Flow::Close {
                    tracing::debug!(client = id, "connection closed by the server");
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
    server: &RefCell<ServerState>,
    client: &ClientRef,
    out: &mut Vec<u8>,
) -> Flow
where
    B: Protocol<SharedChunk, Decoded<Request>, (), ProtoError>,
{
    let mut server = server.borrow_mut();
    let mut client = client.borrow_mut();
    client.times.last_interaction = Instant::now();
    let mut ctx = Ctx::new(&mut server, &mut client, out);
    for item in decoder.feed(chunk) {
        match item {
            Ok(request) => {
                if execute(&mut ctx, request) == Flow::Close {
                    return Flow::Close;
                }
            }
            Err(error) => {
                tracing::debug!(%error, "protocol error");
                ctx.reply.error(&format!("ERR Protocol error: {error}"));
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
