//! Clients the server must close: the killer's `CLIENT KILL` and a subscriber flooded past its
//! output limit.

use super::*;

/// Kills the victim: waits for its id (or its end), a little longer as `draw` says, then
/// sends `CLIENT KILL ID <id>` from a connection of its own, which must answer `:1` (killed)
/// or `:0` (already gone).
pub(crate) fn killer(
    net: SimNet,
    mut draw: Rng,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let id = loop {
                let (id, ended) = {
                    let s = shared.borrow();
                    (s.victim_id, s.victim_ended)
                };
                match id {
                    Some(id) => break id,
                    None if ended => return Ok(()),
                    None => yield_from!(sleep(Duration::from_micros(500)))?,
                }
            };
            yield_from!(sleep(Duration::from_micros(draw.below(20_000))))?;
            let Ok(conn) = yield_from!(connect_from(&net, "10.0.2.4")) else {
                return Ok(());
            };
            let kill = encode_command(&[b"CLIENT", b"KILL", b"ID", id.to_string().as_bytes()]);
            if yield_from!(conn.write_all(&kill)).is_err() {
                return Ok(());
            }
            shared.borrow_mut().kill_sent = true;
            let mut buf = Vec::new();
            let read = yield_from!(next_reply(&conn, &mut buf));
            if let Some(reply) = reply_or_stop(read, "killer", &shared, |_| {})? {
                let mut shared = shared.borrow_mut();
                if reply == b":1\r\n" || reply == b":0\r\n" {
                    shared.kill_reply = Some(reply);
                } else {
                    let got = String::from_utf8_lossy(&reply);
                    shared.fail(format!("CLIENT KILL ID {id} got {got:?}"));
                }
            }
            Ok(())
        },
    )
    .named("killer")
}

/// The pub/sub output limit the flooder sets: 16 KiB pending, at once.
pub(crate) const FLOOD_LIMIT: &[u8] = b"pubsub 16384 0 0";

/// The payload of flood message `seq`: 512 bytes.
pub(crate) fn flood_payload(seq: u64) -> Vec<u8> {
    let mut payload = format!("f{seq}:").into_bytes();
    payload.resize(512, b'.');
    payload
}

/// The flood as the sluggish subscriber must read it, message after message.
#[derive(Default)]
pub(crate) struct FloodReader {
    /// What is left of the message being read.
    pub(crate) rest: Vec<u8>,
    /// Messages read whole.
    pub(crate) whole: u64,
}

impl FloodReader {
    /// Takes in bytes read; an error if they are not what comes next.
    pub(crate) fn take(&mut self, mut bytes: &[u8]) -> Result<(), String> {
        while !bytes.is_empty() {
            if self.rest.is_empty() {
                let payload = flood_payload(self.whole + 1);
                self.rest = push(false, b"message", b"flood", &bulk(&payload));
                self.rest.reverse();
            }
            let n = bytes.len().min(self.rest.len());
            for &byte in &bytes[..n] {
                if self.rest.pop() != Some(byte) {
                    return Err(format!("a wrong byte in flood message {}", self.whole + 1));
                }
            }
            bytes = &bytes[n..];
            if self.rest.is_empty() {
                self.whole += 1;
            }
        }
        Ok(())
    }
}

/// Subscribes to `flood`, then reads nothing until the flooder is done. Its pending output
/// outgrows the limit, so the server must close it; what it then reads is the start of the
/// flood, byte for byte (the last message may be cut where the server stopped writing), then
/// the end of the stream. If the flood was cut short (the flooder's connection failed), it
/// stops when nothing more comes for a second.
pub(crate) fn sluggish(net: SimNet, shared: Rc<RefCell<Shared>>) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let gone = |shared: &RefCell<Shared>| {
                let mut s = shared.borrow_mut();
                s.sluggish_gone = true;
                s.flood_ready = true;
            };
            let Ok(conn) = yield_from!(connect_from(&net, "10.0.2.5")) else {
                gone(&shared);
                return Ok(());
            };
            let subscribe = encode_command(&[b"SUBSCRIBE", b"flood"]);
            if yield_from!(conn.write_all(&subscribe)).is_err() {
                gone(&shared);
                return Ok(());
            }
            let mut buf = Vec::new();
            let read = yield_from!(next_reply(&conn, &mut buf));
            let Some(confirmation) = reply_or_stop(read, "sluggish subscriber", &shared, gone)?
            else {
                return Ok(());
            };
            if confirmation != push(false, b"subscribe", b"flood", b":1\r\n") {
                let got = String::from_utf8_lossy(&confirmation);
                let problem = format!("sluggish subscriber: SUBSCRIBE got {got:?}");
                shared.borrow_mut().fail(problem);
                return Ok(());
            }
            shared.borrow_mut().flood_ready = true;
            while !shared.borrow().flood_done {
                yield_from!(sleep(Duration::from_millis(1)))?;
            }
            let mut reader = FloodReader::default();
            let mut chunk = [0u8; 4096];
            let mut read = buf;
            loop {
                if let Err(problem) = reader.take(&read) {
                    shared
                        .borrow_mut()
                        .fail(format!("sluggish subscriber: {problem}"));
                    return Ok(());
                }
                shared.borrow_mut().flood_received = reader.whole;
                let next = yield_from!(timeout(Duration::from_secs(1), conn.read(&mut chunk)));
                match next {
                    Ok(Err(_elapsed)) => {
                        if shared.borrow().flood_complete {
                            let problem = "the sluggish subscriber was not closed at the limit";
                            shared.borrow_mut().fail(problem.into());
                        }
                        return Ok(());
                    }
                    Ok(Ok(0)) => {
                        shared.borrow_mut().sluggish_closed = true;
                        return Ok(());
                    }
                    Ok(Ok(n)) => read = chunk[..n].to_vec(),
                    Err(Exit::Raised(error)) if is_reset(&error) => {
                        gone(&shared);
                        return Ok(());
                    }
                    Err(Exit::Raised(error)) => {
                        shared
                            .borrow_mut()
                            .fail(format!("sluggish subscriber: {error}"));
                        return Ok(());
                    }
                    Err(other) => return Err(other),
                }
            }
        },
    )
    .named("sluggish_subscriber")
}

/// Sets a small pub/sub output limit, waits for the sluggish subscriber, and publishes `count`
/// messages to `flood` ten at a time: each reply is `:1` while the subscriber is connected,
/// then `:0` for good. A subscriber that does not read never holds the flooder back.
pub(crate) fn flooder(
    net: SimNet,
    count: u64,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let done = |shared: &RefCell<Shared>| shared.borrow_mut().flood_done = true;
            let Ok(conn) = yield_from!(connect_from(&net, "10.0.2.6")) else {
                done(&shared);
                return Ok(());
            };
            let mut buf = Vec::new();
            let limit = encode_command(&[
                b"CONFIG",
                b"SET",
                b"client-output-buffer-limit",
                FLOOD_LIMIT,
            ]);
            let mut batches = vec![limit];
            let mut seq = 1;
            while seq <= count {
                let mut batch = Vec::new();
                for _ in 0..10.min(count + 1 - seq) {
                    batch.extend_from_slice(&encode_command(&[
                        b"PUBLISH",
                        b"flood",
                        &flood_payload(seq),
                    ]));
                    seq += 1;
                }
                batches.push(batch);
            }
            let mut published = 0;
            let mut delivered = 0;
            for (n, batch) in batches.iter().enumerate() {
                if n == 1 {
                    while !shared.borrow().flood_ready {
                        yield_from!(sleep(Duration::from_micros(500)))?;
                    }
                }
                if yield_from!(conn.write_all(batch)).is_err() {
                    break;
                }
                let replies = if n == 0 { 1 } else { 10.min(count - published) };
                for _ in 0..replies {
                    let read = yield_from!(next_reply(&conn, &mut buf));
                    let Some(reply) = reply_or_stop(read, "flooder", &shared, done)? else {
                        return Ok(());
                    };
                    let fine = match n {
                        0 => reply == b"+OK\r\n",
                        _ => {
                            published += 1;
                            match reply.as_slice() {
                                b":1\r\n" if delivered + 1 == published => {
                                    delivered += 1;
                                    shared.borrow_mut().flood_delivered = delivered;
                                    true
                                }
                                b":0\r\n" => true,
                                _ => false,
                            }
                        }
                    };
                    if !fine {
                        shared.borrow_mut().fail(format!(
                            "flooder: got {:?} (message {published}, {delivered} delivered before)",
                            String::from_utf8_lossy(&reply)
                        ));
                        done(&shared);
                        return Ok(());
                    }
                }
            }
            let mut s = shared.borrow_mut();
            s.flood_complete = published == count;
            s.flood_done = true;
            Ok(())
        },
    )
    .named("flooder")
}
