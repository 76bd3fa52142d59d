//! What the simulated-network test's tasks share: the server's address, the seed's shared
//! findings, reply encodings, and how a task reads on until its connection ends.

use super::*;

/// The server's address on the simulated network.
pub(crate) const SERVER: &str = "10.0.0.1:6379";

/// Connects from `host` (an address of the simulated network) to the server.
pub(crate) fn connect_from(net: &SimNet, host: &str) -> impl TaskCall<SimStream> {
    net.connect(host.parse().unwrap(), SERVER.parse().unwrap())
}

/// How long (virtual time) a client may take before the seed fails as stuck.
pub(crate) const STUCK_AFTER: Duration = Duration::from_secs(600);

/// What the readers found, shared by the tasks of one seed.
#[derive(Default)]
pub(crate) struct Shared {
    /// `PUBLISH` sequence numbers the server delivered to one subscriber (`:1`).
    pub(crate) published: Vec<u64>,
    /// `RPUSH q` sequence numbers the server confirmed.
    pub(crate) pushed: Vec<u64>,
    /// Messages the subscriber received, in order.
    pub(crate) messages: Vec<u64>,
    /// Items the `BLPOP` client took, in order.
    pub(crate) taken: Vec<u64>,
    /// `BLPOP`s that timed out (a null reply).
    pub(crate) timeouts: usize,
    /// The subscriber's connection failed (messages after that may be lost).
    pub(crate) subscriber_gone: bool,
    /// The `BLPOP` client's connection failed (an item it took may be lost).
    pub(crate) waiter_gone: bool,
    /// The id of the client the killer kills (once it has asked for it), or `None`.
    pub(crate) victim_id: Option<i64>,
    /// The victim's task ended (its id will never come if it has not yet).
    pub(crate) victim_ended: bool,
    /// The killer wrote its `CLIENT KILL ID`.
    pub(crate) kill_sent: bool,
    /// What it answered (`:1` killed, `:0` already gone); `None` if the answer was lost.
    pub(crate) kill_reply: Option<Vec<u8>>,
    /// The sluggish subscriber is subscribed to `flood`, or gone: the flood may start.
    pub(crate) flood_ready: bool,
    /// The flooder has published everything (or its connection failed).
    pub(crate) flood_done: bool,
    /// The flooder published every message.
    pub(crate) flood_complete: bool,
    /// Flood messages the server delivered to the sluggish subscriber's output (`:1`).
    pub(crate) flood_delivered: u64,
    /// Flood messages the sluggish subscriber read, in order.
    pub(crate) flood_received: u64,
    /// The server closed the sluggish subscriber's connection.
    pub(crate) sluggish_closed: bool,
    /// The sluggish subscriber's connection was reset.
    pub(crate) sluggish_gone: bool,
    /// `PTTL`s that found the key still there, and gone.
    pub(crate) ttl_live: usize,
    pub(crate) ttl_gone: usize,
    /// What the timekeeper's `PTTL`, `TIME` and `SPOP` got, in order (for the replay check).
    pub(crate) clock_replies: Vec<Vec<u8>>,
    /// The first thing that went wrong.
    pub(crate) problem: Option<String>,
}

impl Shared {
    pub(crate) fn fail(&mut self, problem: String) {
        self.problem.get_or_insert(problem);
    }
}

pub(crate) fn bulk(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

pub(crate) fn int(value: i64) -> Vec<u8> {
    format!(":{value}\r\n").into_bytes()
}

pub(crate) fn array(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for item in items {
        out.extend_from_slice(&bulk(item));
    }
    out
}

/// Whether a raised error is a reset of the simulated connection (what the network may do).
pub(crate) fn is_reset(error: &TaskError) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::ConnectionReset)
}

/// The reply a task that stops at the end of its connection reads next, or `None` when it
/// stops: after a reset (what the network may do), or when the server closed the connection
/// or the read failed otherwise (the seed's problem, named after `who`). `on_stop` runs
/// whenever it stops. A kill or close of the task itself goes on up.
pub(crate) fn reply_or_stop(
    read: Result<Option<Vec<u8>>, Exit<TaskError>>,
    who: &str,
    shared: &RefCell<Shared>,
    on_stop: impl FnOnce(&RefCell<Shared>),
) -> Result<Option<Vec<u8>>, Exit<TaskError>> {
    let problem = match read {
        Ok(Some(reply)) => return Ok(Some(reply)),
        Ok(None) => Some(format!("{who}: the server closed the connection")),
        Err(Exit::Raised(error)) if is_reset(&error) => None,
        Err(Exit::Raised(error)) => Some(format!("{who}: {error}")),
        Err(other) => return Err(other),
    };
    if let Some(problem) = problem {
        shared.borrow_mut().fail(problem);
    }
    on_stop(shared);
    Ok(None)
}

/// Whether a raised error is a stream that ended inside a reply.
pub(crate) fn is_cut(error: &TaskError) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::UnexpectedEof)
}

/// A pub/sub frame (`message`, `subscribe`...) as a subscriber gets it: an array in RESP2, a
/// push in RESP3.
pub(crate) fn push(resp3: bool, kind: &[u8], channel: &[u8], last: &[u8]) -> Vec<u8> {
    let mut out = if resp3 { b">3\r\n" } else { b"*3\r\n" }.to_vec();
    out.extend_from_slice(&bulk(kind));
    out.extend_from_slice(&bulk(channel));
    out.extend_from_slice(last);
    out
}

/// The message the subscriber must get for `PUBLISH <channel> <prefix><seq>`.
pub(crate) fn message(resp3: bool, channel: &[u8], prefix: &str, seq: u64) -> Vec<u8> {
    push(
        resp3,
        b"message",
        channel,
        &bulk(format!("{prefix}{seq}").as_bytes()),
    )
}
