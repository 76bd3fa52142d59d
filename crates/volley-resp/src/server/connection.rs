//! One task per client: read a chunk, decode every request it completes, run them in order,
//! write all their replies at once. The read buffer (`volley_flow::proto::ReadBuffer`) is lent
//! to the decoder for each chunk and taken back for the next read, so request bytes are copied
//! at most once, into the parser's buffer (only for a request split across reads). The read
//! and output buffers are shared by every connection ([`Scratch`]): an idle connection holds
//! no buffer.
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
use volley_flow::sched::net::{readable, write_all, Stream};
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
            let task = yield_from!(task_id())?;
            {
                let mut client = client.borrow_mut();
                client.task = Some(task);
                client.fd = Some(stream.as_raw_fd());
            }
            let mut decoder = Decoder::new(requests::<SharedChunk>(limits));
            loop {
                if client.borrow().killed {
                    break;
                }
                // Wait for data holding no buffer: an idle connection owns none.
                match yield_from!(readable(&stream)) {
                    Ok(()) => {}
                    Err(Exit::Raised(error)) if is_disconnect(&error) => break,
                    Err(other) => return Err(other),
                }
                let mut buffer = server.borrow_mut().scratch.take_read();
                let read = stream.try_read(buffer.as_mut_slice());
                let n = match read {
                    Ok(0) => {
                        server.borrow_mut().scratch.put_read(buffer);
                        for item in decoder.finish() {
                            if let Err(error) = item {
                                tracing::debug!(client = id, %error, "client left mid-request");
                            }
                        }
                        break;
                    }
                    Ok(n) => n,
                    Err(error) => {
                        server.borrow_mut().scratch.put_read(buffer);
                        match error.kind() {
                            // Not ready after all (the socket recorded it), or a signal.
                            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => continue,
                            _ if is_disconnect_kind(error.kind()) => break,
                            _ => return Err(Exit::Raised(error.into())),
                        }
                    }
                };
                let mut out = {
                    let mut state = server.borrow_mut();
                    state.stats.net_input_bytes += n as u64;
                    std::mem::take(&mut state.scratch.out)
                };
                let flow = answer(&mut decoder, buffer.lend(n), &server, &client, &mut out);
                // The decoder dropped the chunk it was lent (had it kept it, the next read
                // would get a fresh buffer, never overwrite this one).
                server.borrow_mut().scratch.put_read(buffer);
                // Clients `CLIENT KILL` stopped during this batch.
                let kills = std::mem::take(&mut server.borrow_mut().kills);
                for task in kills {
                    yield_from!(kill(task))?;
                }
                // Replies go out at once when the socket takes them; what it does not take
                // yet moves to a buffer of this connection's own, so the shared one is free.
                let sent = if out.is_empty() {
                    Ok(0)
                } else {
                    stream.try_write(&out)
                };
                let written = match sent {
                    Ok(written) => written,
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => 0,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => 0,
                    Err(error) if is_disconnect_kind(error.kind()) => break,
                    Err(error) => return Err(Exit::Raised(error.into())),
                };
                let pending = out[written..].to_vec();
                {
                    let mut state = server.borrow_mut();
                    state.stats.net_output_bytes += out.len() as u64;
                    out.clear();
                    out.shrink_to(KEPT_OUTPUT);
                    state.scratch.out = out;
                }
                if !pending.is_empty() {
                    match yield_from!(write_all(&stream, &pending)) {
                        Ok(()) => {}
                        Err(Exit::Raised(error)) if is_disconnect(&error) => break,
                        Err(other) => return Err(other),
                    }
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
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|error| is_disconnect_kind(error.kind()))
}

/// Error kinds that only mean the client went away.
fn is_disconnect_kind(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
}

/// The buffers connection tasks share. One scheduler thread runs one connection's batch at a
/// time, so a single read buffer and a single output buffer serve every connection, and an
/// idle connection holds neither: it waits for data with no buffer and keeps only what the
/// socket has not taken yet.
#[derive(Debug, Default)]
pub struct Scratch {
    read: Option<ReadBuffer>,
    out: Vec<u8>,
}

impl Scratch {
    /// The shared read buffer (a new one if another connection's decoder still holds it).
    fn take_read(&mut self) -> ReadBuffer {
        self.read
            .take()
            .unwrap_or_else(|| ReadBuffer::new(READ_CHUNK))
    }

    /// Gives the read buffer back for the next connection.
    fn put_read(&mut self, buffer: ReadBuffer) {
        self.read = Some(buffer);
    }
}
