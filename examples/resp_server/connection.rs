//! One task per client: read a chunk, decode every request it completes, run them in order,
//! write all their replies at once.

use super::commands::{execute, Flow};
use super::reply::Reply;
use super::store::Store;
use std::cell::RefCell;
use std::io;
use std::net::TcpStream;
use std::rc::Rc;
use volley::proto::resp::{requests, RespLimits};
use volley::proto::Decoder;
use volley::sched::{read, write_all, TaskBody, TaskError, TaskResume};
use volley::{yield_from, Exit};

/// Bytes read from a socket at a time (Redis reads 16 KiB too).
const READ_CHUNK: usize = 16 * 1024;

/// Output capacity kept between reads; a larger buffer left by a big reply is released.
const KEPT_OUTPUT: usize = 64 * 1024;

/// The task serving one client until it closes, sends QUIT, or breaks the protocol.
pub fn serve(
    mut stream: TcpStream,
    store: Rc<RefCell<Store>>,
    limits: RespLimits,
) -> impl TaskBody {
    #[coroutine]
    static move |_: TaskResume| {
        let peer = stream.peer_addr().ok();
        let mut decoder = Decoder::new(requests::<Vec<u8>>(limits));
        let mut chunk = vec![0u8; READ_CHUNK];
        let mut out = Vec::with_capacity(READ_CHUNK);
        loop {
            let read = yield_from!(read(&mut stream, &mut chunk));
            let n = match read {
                Ok(0) => break,
                Ok(n) => n,
                Err(Exit::Raised(TaskError::Io(error))) if is_disconnect(&error) => break,
                Err(other) => return Err(other),
            };
            let flow = answer(&mut decoder, chunk[..n].to_vec(), &store, &mut out);
            if !out.is_empty() {
                match yield_from!(write_all(&mut stream, &out)) {
                    Ok(()) => {}
                    Err(Exit::Raised(TaskError::Io(error))) if is_disconnect(&error) => break,
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
    }
}

/// Decodes the requests one chunk completes and appends every reply to `out`, in order.
/// A protocol error gets Redis's `-ERR Protocol error: ...` reply and closes the connection.
fn answer<B>(
    decoder: &mut Decoder<B, Vec<u8>, volley::proto::resp::Request, (), volley::proto::ProtoError>,
    chunk: Vec<u8>,
    store: &RefCell<Store>,
    out: &mut Vec<u8>,
) -> Flow
where
    B: volley::Body<
            Vec<u8>,
            volley::proto::Decoded<volley::proto::resp::Request>,
            (),
            volley::proto::ProtoError,
        > + Unpin,
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
fn is_disconnect(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
}
