//! One task per client: read a chunk, decode every request it completes, run them in order,
//! write all their replies at once. The read buffer (`volley_flow::proto::ReadBuffer`) is lent
//! to the decoder for each chunk and taken back for the next read, so request bytes are copied
//! at most once, into the parser's buffer (only for a request split across reads). The read
//! and output buffers are shared by every connection ([`Scratch`]): an idle connection holds
//! no buffer.
//!
//! The task works on any [`Connection`]: a TCP connection, a Unix socket, or a connection of
//! the simulated network ([`volley_flow::sim::net`]), where its handling of every byte can be
//! tested seed by seed.

use super::client::ClientRef;
use super::commands::Flow;
use super::ctx::Ctx;
use super::state::ServerState;
use super::waits::peer::Peer;
use super::waits::{blocking, execute, limits, publish_events, Departure};
use crate::codec::{requests, Request};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};
use volley_core::{yield_from, Co, Exit, Protocol};
use volley_flow::proto::{Decoded, Decoder, ProtoError, ReadBuffer, SharedChunk};
use volley_flow::sched::net::Connection;
use volley_flow::sched::sync::{race, Either};
use volley_flow::sched::task::{kill, task_id};
use volley_flow::sched::time::timeout;
use volley_flow::sched::{TaskBody, TaskError, TaskResume};

/// Runs a [`flush`]; leaves the connection loop if the client went away.
macro_rules! flushed {
    ($flush:expr) => {
        match yield_from!($flush) {
            Ok(true) => {}
            Ok(false) => break,
            Err(Exit::Raised(error)) if is_disconnect(&error) => break,
            Err(other) => return Err(other),
        }
    };
}

/// Bytes read from a socket at a time (Redis reads 16 KiB too).
const READ_CHUNK: usize = 16 * 1024;

/// Output capacity kept between reads; a larger buffer left by a big reply is released.
const KEPT_OUTPUT: usize = 64 * 1024;

/// Replies a batch buffers before they are written and the remaining requests answered: what
/// one client's pipelined requests can make the server hold beyond a single reply.
const OUTPUT_PAUSE: usize = 64 * 1024;

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
///
/// ```
/// use std::cell::RefCell;
/// use std::io::{Read, Write};
/// use std::rc::Rc;
/// use volley_flow::sched::net::UnixStream;
/// use volley_flow::sched::Scheduler;
/// use volley_resp::server::{serve_connection, Client, ServerState};
///
/// let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
/// theirs.write_all(b"PING\r\nQUIT\r\n").unwrap();
/// let state = Rc::new(RefCell::new(ServerState::default()));
/// let client = state.borrow_mut().clients.register(Client::new_with_id);
/// let mut sched = Scheduler::new();
/// let task = serve_connection(UnixStream::from_std(ours).unwrap(), Rc::clone(&state), client);
/// let task = sched.spawn(task);
/// sched.join(task).unwrap();
/// let mut replies = Vec::new();
/// theirs.read_to_end(&mut replies).unwrap();
/// assert_eq!(replies, b"+PONG\r\n+OK\r\n");
/// ```
pub fn serve<S: Connection + 'static>(
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
                client.fd = stream.raw_fd();
            }
            let _departure = Departure::new(&server, id);
            let mut decoder = Decoder::new(requests::<SharedChunk>(limits));
            // Requests read but not run yet: a client that is blocked, or whose replies are
            // not written yet, is not read further.
            let mut queue: VecDeque<Result<Request, ProtoError>> = VecDeque::new();
            let normal_since = Cell::new(None);
            loop {
                if client.borrow().killed {
                    break;
                }
                let (blocked, peer) = {
                    let state = server.borrow();
                    (state.waits.blocking.contains(id), state.waits.peer(id))
                };
                if queue.is_empty() || blocked {
                    // Time left before the blocking command times out, by the server's clock.
                    let left = if blocked {
                        let state = server.borrow();
                        let now = state.now();
                        state
                            .waits
                            .blocking
                            .deadline(id)
                            .map(|at| at.saturating_duration_since(now))
                    } else {
                        None
                    };
                    let watch_socket = queue.len() < MAX_QUEUED;
                    let woke = if peer.is_none() {
                        // The common case: nobody else can send this client anything.
                        yield_from!(stream.readable()).map(|()| Wake::Readable)
                    } else {
                        yield_from!(wait(&stream, peer.clone(), left, watch_socket))
                    };
                    match woke {
                        Ok(Wake::Readable) => {}
                        Ok(Wake::Bell) => {
                            let mut nothing = Vec::new();
                            flushed!(flush(
                                &stream,
                                &server,
                                &client,
                                peer.as_deref(),
                                &mut nothing
                            ));
                            continue;
                        }
                        Ok(Wake::Timeout) => {
                            let mut state = server.borrow_mut();
                            blocking::time_out(&mut state, &mut client.borrow_mut());
                            drop(state);
                            let mut nothing = Vec::new();
                            flushed!(flush(
                                &stream,
                                &server,
                                &client,
                                peer.as_deref(),
                                &mut nothing
                            ));
                            continue;
                        }
                        Err(Exit::Raised(error)) if is_disconnect(&error) => break,
                        Err(other) => return Err(other),
                    }
                    match read_requests(&stream, &server, &mut decoder, &mut queue, id) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(error) => match error.kind() {
                            // Not ready after all (the socket recorded it), or a signal.
                            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => continue,
                            _ if is_disconnect_kind(error.kind()) => break,
                            _ => return Err(Exit::Raised(error.into())),
                        },
                    }
                    if blocked {
                        // Kept for when it is served.
                        continue;
                    }
                }
                let mut out = std::mem::take(&mut server.borrow_mut().scratch.out);
                let flow = answer(&mut queue, &server, &client, &mut out, &normal_since);
                // Clients `CLIENT KILL` stopped during this batch; keyspace events nobody
                // subscribed to.
                let kills = {
                    let mut state = server.borrow_mut();
                    publish_events(&mut state);
                    std::mem::take(&mut state.kills)
                };
                for task in kills {
                    yield_from!(kill(task))?;
                }
                if flow == After::Drop {
                    break;
                }
                let peer = server.borrow().waits.peer(id);
                if peer.is_none() && !out.is_empty() {
                    // The common case, without a helper: the socket takes every reply at once.
                    match stream.try_write(&out) {
                        Ok(written) => {
                            server.borrow_mut().stats.net_output_bytes += written as u64;
                            out.drain(..written);
                        }
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                        Err(error) if is_disconnect_kind(error.kind()) => break,
                        Err(error) => return Err(Exit::Raised(error.into())),
                    }
                }
                if peer.is_none() && out.is_empty() {
                    out.shrink_to(KEPT_OUTPUT);
                    server.borrow_mut().scratch.out = out;
                } else {
                    flushed!(flush(&stream, &server, &client, peer.as_deref(), &mut out));
                }
                if flow == After::Close {
                    tracing::debug!(client = id, "connection closed by the server");
                    break;
                }
            }
            Ok(())
        },
    )
    .named("connection")
}

/// Requests queued at most before a blocked client's socket is no longer read.
const MAX_QUEUED: usize = 1024;

/// What a connection task's wait ended with.
enum Wake {
    /// The socket has data (or news: a close).
    Readable,
    /// Its doorbell rang: output or an unblock arrived from another client.
    Bell,
    /// Its blocking command's time is up.
    Timeout,
}

/// Waits for the socket to be readable (if `watch_socket`), and for the peer's doorbell (when
/// it has a peer) for at most `left` (if any).
fn wait<'a, S: Connection>(
    stream: &'a S,
    peer: Option<Rc<Peer>>,
    left: Option<Duration>,
    watch_socket: bool,
) -> Co<impl TaskBody<Wake> + 'a> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let Some(peer) = peer else {
                yield_from!(stream.readable())?;
                return Ok(Wake::Readable);
            };
            let bell = peer.bell.clone();
            drop(peer);
            // The doorbell is only ever waited on by the innermost helper, never by a race that
            // an outer one may abandon: an abandoned contestant parked on it would swallow the
            // next ring.
            Ok(match (left, watch_socket) {
                (None, true) => match yield_from!(race(stream.readable(), bell.recv()))? {
                    Either::Left(()) => Wake::Readable,
                    Either::Right(_) => Wake::Bell,
                },
                (None, false) => {
                    yield_from!(bell.recv())?;
                    Wake::Bell
                }
                (Some(left), true) => {
                    match yield_from!(race(stream.readable(), timeout(left, bell.recv())))? {
                        Either::Left(()) => Wake::Readable,
                        Either::Right(Ok(_)) => Wake::Bell,
                        Either::Right(Err(_elapsed)) => Wake::Timeout,
                    }
                }
                (Some(left), false) => match yield_from!(timeout(left, bell.recv()))? {
                    Ok(_) => Wake::Bell,
                    Err(_elapsed) => Wake::Timeout,
                },
            })
        },
    )
}

/// Reads what the socket has into the shared read buffer and queues the requests it
/// completes; answers `false` when the client closed.
fn read_requests<S: Connection, B>(
    stream: &S,
    server: &RefCell<ServerState>,
    decoder: &mut Decoder<B>,
    queue: &mut VecDeque<Result<Request, ProtoError>>,
    id: u64,
) -> io::Result<bool>
where
    B: Protocol<SharedChunk, Decoded<Request>, (), ProtoError>,
{
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
            return Ok(false);
        }
        Ok(n) => n,
        Err(error) => {
            server.borrow_mut().scratch.put_read(buffer);
            return Err(error);
        }
    };
    server.borrow_mut().stats.net_input_bytes += n as u64;
    queue.extend(decoder.feed(buffer.lend(n)));
    // The decoder dropped the chunk it was lent (had it kept it, the next read would get a
    // fresh buffer, never overwrite this one).
    server.borrow_mut().scratch.put_read(buffer);
    Ok(true)
}

/// Writes what waits for the client: its peer's queued output (messages, a served blocking
/// command's reply) first, then `out`, whose buffer goes back to the shared scratch. Replies go
/// out at once when the socket takes them; what it does not take yet moves to a buffer of
/// this connection's own, so the shared one is free. Answers `false` if the client went away.
fn flush<'a, S: Connection>(
    stream: &'a S,
    server: &'a RefCell<ServerState>,
    client: &'a ClientRef,
    peer: Option<&'a Peer>,
    out: &'a mut Vec<u8>,
) -> Co<impl TaskBody<bool> + 'a> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let mut queued = peer.map_or_else(Vec::new, |peer| peer.out.borrow_mut().take());
            let data: &[u8] = if queued.is_empty() {
                out
            } else {
                queued.extend_from_slice(out);
                &queued
            };
            let written = if data.is_empty() {
                0
            } else {
                match stream.try_write(data) {
                    Ok(written) => written,
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => 0,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => 0,
                    Err(error) if is_disconnect_kind(error.kind()) => return Ok(false),
                    Err(error) => return Err(Exit::Raised(error.into())),
                }
            };
            let mut rest = data[written..].to_vec();
            {
                let mut state = server.borrow_mut();
                state.stats.net_output_bytes += data.len() as u64;
                if out.capacity() > 0 {
                    out.clear();
                    out.shrink_to(KEPT_OUTPUT);
                    state.scratch.out = std::mem::take(out);
                }
            }
            drop(queued);
            loop {
                if !rest.is_empty() {
                    // Shown as `omem` by CLIENT LIST while the socket is full.
                    client.borrow_mut().activity.unsent = rest.len();
                    let written = yield_from!(stream.write_all(&rest));
                    client.borrow_mut().activity.unsent = 0;
                    match written {
                        Ok(()) => {}
                        Err(Exit::Raised(error)) if is_disconnect(&error) => return Ok(false),
                        Err(other) => return Err(other),
                    }
                }
                // Output queued for it while this was written.
                let Some(peer) = peer else {
                    return Ok(true);
                };
                let mut outbox = peer.out.borrow_mut();
                if outbox.is_empty() {
                    return Ok(true);
                }
                rest = outbox.take();
                drop(outbox);
                server.borrow_mut().stats.net_output_bytes += rest.len() as u64;
            }
        },
    )
}

/// Runs the queued requests in order, appending their replies to `out`, until the queue is
/// empty, the client blocks, or `out` holds enough to be written first. A protocol error gets
/// Redis's `-ERR Protocol error: ...` reply and closes the connection; output over the
/// `normal` class limit drops it.
fn answer(
    queue: &mut VecDeque<Result<Request, ProtoError>>,
    server: &RefCell<ServerState>,
    client: &ClientRef,
    out: &mut Vec<u8>,
    normal_since: &Cell<Option<Instant>>,
) -> After {
    let mut server = server.borrow_mut();
    let mut client = client.borrow_mut();
    let now = server.now();
    client.times.last_interaction = now;
    let id = client.id;
    let mut ctx = Ctx::new(&mut server, &mut client, out);
    while let Some(item) = queue.pop_front() {
        match item {
            Ok(request) => {
                if execute(&mut ctx, request) == Flow::Close {
                    return After::Close;
                }
            }
            Err(error) => {
                tracing::debug!(%error, "protocol error");
                ctx.reply.error(&format!("ERR Protocol error: {error}"));
                return After::Close;
            }
        }
        let buffered = ctx.reply.buffered();
        if buffered > NORMAL_CHECK_FROM {
            let limit = ctx.server.settings.output_limit("normal");
            if limit.is_some_and(|limit| limits::over_limit(buffered, limit, normal_since, now)) {
                tracing::info!(
                    client = id,
                    buffered,
                    "client closed for overcoming of output buffer limits"
                );
                return After::Drop;
            }
        }
        if buffered >= OUTPUT_PAUSE || ctx.server.waits.blocking.contains(id) {
            break;
        }
    }
    After::Continue
}

/// What the connection does after a batch of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// Write the replies and go on.
    Continue,
    /// Write the replies, then close (QUIT, a protocol error).
    Close,
    /// Close without writing (the output broke its limit).
    Drop,
}

/// Output below this is not checked against the `normal` class limit.
const NORMAL_CHECK_FROM: usize = 1024;

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
