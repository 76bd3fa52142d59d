//! The readers the doorbell wakes: a subscriber (RESP2 or RESP3) and a `BLPOP` client, and the
//! final look at what is left in the list.

use super::*;

/// The reply `BLPOP q 0` must get for item `i<seq>`.
pub(crate) fn item(seq: u64) -> Vec<u8> {
    array(&[b"q".to_vec(), format!("i{seq}").into_bytes()])
}

/// Finds the sequence number in a message or an item: the one whose encoding is `reply`,
/// among `1..=last`.
pub(crate) fn numbered(reply: &[u8], last: u64, encode: impl Fn(u64) -> Vec<u8>) -> Option<u64> {
    (1..=last).find(|&seq| encode(seq) == reply)
}

/// Subscribes to `chan` (in RESP3 after `HELLO 3` in the same write, if `resp3`) and records
/// every message, which must come in order; stops at a reset (recorded) or a wrong reply (a
/// problem).
pub(crate) fn subscriber(
    net: SimNet,
    published: u64,
    resp3: bool,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let gone = |shared: &RefCell<Shared>| shared.borrow_mut().subscriber_gone = true;
            let Ok(conn) = yield_from!(connect_from(&net, "10.0.2.1")) else {
                gone(&shared);
                return Ok(());
            };
            let mut subscribe = Vec::new();
            if resp3 {
                subscribe = encode_command(&[b"HELLO", b"3"]);
            }
            subscribe.extend_from_slice(&encode_command(&[b"SUBSCRIBE", b"chan"]));
            if yield_from!(conn.write_all(&subscribe)).is_err() {
                gone(&shared);
                return Ok(());
            }
            let mut buf = Vec::new();
            let mut greeted = !resp3;
            let mut confirmed = false;
            loop {
                let read = yield_from!(next_reply(&conn, &mut buf));
                let Some(reply) = reply_or_stop(read, "subscriber", &shared, gone)? else {
                    return Ok(());
                };
                let mut shared = shared.borrow_mut();
                if !greeted {
                    if !reply.starts_with(b"%") {
                        shared.fail(format!(
                            "subscriber: got {:?} for HELLO 3",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                    greeted = true;
                    continue;
                }
                if !confirmed {
                    if reply != push(resp3, b"subscribe", b"chan", b":1\r\n") {
                        shared.fail(format!(
                            "subscriber: got {:?} for SUBSCRIBE",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                    confirmed = true;
                    continue;
                }
                let last = shared.messages.last().copied().unwrap_or(0);
                match numbered(&reply, published, |seq| message(resp3, b"chan", "m", seq)) {
                    Some(seq) if seq > last => shared.messages.push(seq),
                    _ => {
                        shared.fail(format!(
                            "subscriber: got {:?} after message m{last}",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                }
            }
        },
    )
    .named("subscriber")
}

/// Takes items from `q` with `BLPOP`, one at a time, until it has seen the last one; they
/// must come in order. Each `BLPOP` waits for good or for a few milliseconds, as `draw` says
/// (one that times out gets a null), and is sometimes followed in the same write by a `PING`,
/// which the server holds while the client is blocked and answers after.
pub(crate) fn waiter(
    net: SimNet,
    pushed: u64,
    mut draw: Rng,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let gone = |shared: &RefCell<Shared>| shared.borrow_mut().waiter_gone = true;
            let Ok(conn) = yield_from!(connect_from(&net, "10.0.2.2")) else {
                gone(&shared);
                return Ok(());
            };
            let mut buf = Vec::new();
            while shared.borrow().taken.last().copied().unwrap_or(0) < pushed {
                let wait = ["0", "0", "0.002", "0.02"][draw.below(4) as usize];
                let mut blpop = encode_command(&[b"BLPOP", b"q", wait.as_bytes()]);
                let ping = draw.below(3) == 0;
                if ping {
                    blpop.extend_from_slice(b"PING\r\n");
                }
                if yield_from!(conn.write_all(&blpop)).is_err() {
                    gone(&shared);
                    return Ok(());
                }
                let read = yield_from!(next_reply(&conn, &mut buf));
                let Some(reply) = reply_or_stop(read, "BLPOP client", &shared, gone)? else {
                    return Ok(());
                };
                {
                    let mut shared = shared.borrow_mut();
                    let last = shared.taken.last().copied().unwrap_or(0);
                    match numbered(&reply, pushed, item) {
                        _ if reply == b"*-1\r\n" && wait != "0" => shared.timeouts += 1,
                        Some(seq) if seq > last => shared.taken.push(seq),
                        _ => {
                            shared.fail(format!(
                                "BLPOP client: got {:?} after item i{last}",
                                String::from_utf8_lossy(&reply)
                            ));
                            return Ok(());
                        }
                    }
                }
                if ping {
                    let read = yield_from!(next_reply(&conn, &mut buf));
                    let Some(reply) = reply_or_stop(read, "BLPOP client", &shared, gone)? else {
                        return Ok(());
                    };
                    if reply != b"+PONG\r\n" {
                        shared.borrow_mut().fail(format!(
                            "BLPOP client: got {:?} for the PING after BLPOP",
                            String::from_utf8_lossy(&reply)
                        ));
                        return Ok(());
                    }
                }
            }
            Ok(())
        },
    )
    .named("blpop_client")
}

/// The items left in `q` (`LRANGE q 0 -1` from a fresh client, tried again after a reset):
/// `None` if every try was reset.
pub(crate) fn leftover(net: SimNet) -> Co<impl TaskBody<Option<Vec<u64>>>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let request = encode_command(&[b"LRANGE", b"q", b"0", b"-1"]);
            for _ in 0..50 {
                let Ok(conn) = yield_from!(connect_from(&net, "10.0.3.1")) else {
                    continue;
                };
                if yield_from!(conn.write_all(&request)).is_err() {
                    continue;
                }
                let mut buf = Vec::new();
                let reply = match yield_from!(next_reply(&conn, &mut buf)) {
                    Ok(Some(reply)) => reply,
                    Ok(None) => {
                        return Err(Exit::Raised(TaskError::new(io::Error::other(
                            "LRANGE q: the server closed",
                        ))))
                    }
                    Err(Exit::Raised(error)) if is_reset(&error) => continue,
                    Err(other) => return Err(other),
                };
                return match items(&reply) {
                    Some(items) => Ok(Some(items)),
                    None => Err(Exit::Raised(TaskError::new(io::Error::other(format!(
                        "LRANGE q got {:?}",
                        String::from_utf8_lossy(&reply)
                    ))))),
                };
            }
            Ok(None)
        },
    )
}

/// The sequence numbers of an array of `i<seq>` bulk strings.
pub(crate) fn items(reply: &[u8]) -> Option<Vec<u64>> {
    let header_end = reply.windows(2).position(|w| w == b"\r\n")?;
    let count: usize = std::str::from_utf8(reply.get(1..header_end)?)
        .ok()?
        .parse()
        .ok()?;
    let mut at = header_end + 2;
    let mut out = Vec::new();
    for _ in 0..count {
        let len = reply_len(&reply[at..]).ok()??;
        let element = &reply[at..at + len];
        let line_end = element.windows(2).position(|w| w == b"\r\n")?;
        let text = std::str::from_utf8(&element[line_end + 2..len - 2]).ok()?;
        out.push(text.strip_prefix('i')?.parse().ok()?);
        at += len;
    }
    (reply.first() == Some(&b'*') && at == reply.len()).then_some(out)
}
