//! The timekeeper: key lifetimes, `PTTL` and `TIME` checked against the virtual instants of
//! the requests.

use super::*;

/// The server's calendar at the current virtual instant, in whole milliseconds: what a
/// request written or answered now sees (the server reads the same clock).
pub(crate) fn unix_millis(clock: &Clock) -> i64 {
    SIMULATED_START_MILLIS + clock.elapsed().as_millis() as i64
}

/// An integer reply's value.
pub(crate) fn int_reply(reply: &[u8]) -> Option<i64> {
    std::str::from_utf8(reply.strip_prefix(b":")?.strip_suffix(b"\r\n")?)
        .ok()?
        .parse()
        .ok()
}

/// What `PTTL` may answer for a key given `ttl` ms by a `SET` written at `set_from` and
/// answered at `set_to`, asked by a `PTTL` written at `ask_from` and answered at `ask_to`
/// (Unix milliseconds): the deadline is the SET's instant plus `ttl`, and the key is gone from
/// the deadline on.
pub(crate) fn check_pttl(
    reply: &[u8],
    ttl: i64,
    (set_from, set_to): (i64, i64),
    (ask_from, ask_to): (i64, i64),
) -> Result<bool, String> {
    let (earliest_deadline, latest_deadline) = (set_from + ttl, set_to + ttl);
    match int_reply(reply) {
        Some(-2) if earliest_deadline <= ask_to => Ok(false),
        Some(left)
            if left >= 1
                && latest_deadline > ask_from
                && (earliest_deadline - ask_to..=latest_deadline - ask_from).contains(&left) =>
        {
            Ok(true)
        }
        _ => Err(format!(
            "PTTL got {:?} for {ttl} ms set between {set_from} and {set_to}, asked between {ask_from} and {ask_to}",
            String::from_utf8_lossy(reply)
        )),
    }
}

/// `TIME`'s reply as Unix microseconds.
pub(crate) fn time_micros(reply: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(reply).ok()?;
    let mut lines = text.split("\r\n");
    if lines.next()? != "*2" {
        return None;
    }
    let mut numbers = lines.skip(1).step_by(2).map(|n| n.parse::<i64>().ok());
    let (secs, micros) = (numbers.next()??, numbers.next()??);
    (0..1_000_000)
        .contains(&micros)
        .then_some(secs * 1_000_000 + micros)
}

/// Gives keys milliseconds to live, waits, and checks `PTTL` against the virtual
/// instants of the requests; checks `TIME` the same way and records what `SPOP` picks. Stops
/// quietly at a reset.
pub(crate) fn timekeeper(
    net: SimNet,
    clock: Clock,
    mut draw: Rng,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<()>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let Ok(conn) = yield_from!(connect_from(&net, "10.0.2.3")) else {
                return Ok(());
            };
            let mut buf = Vec::new();
            let members: Vec<&[u8]> = vec![b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h"];
            let mut sadd: Vec<&[u8]> = vec![b"SADD", b"tk:set"];
            sadd.extend(members);
            let mut requests = 0;
            for round in 0..3 + draw.below(6) {
                let key = format!("tk:{round}").into_bytes();
                let ttl = 1 + draw.below(100) as i64;
                let pause = Duration::from_micros(draw.below(1000 * ttl as u64));
                let exchanges = [
                    encode_command(&[b"SET", &key, b"v", b"PX", ttl.to_string().as_bytes()]),
                    encode_command(&[b"PTTL", &key]),
                    encode_command(&[b"TIME"]),
                    encode_command(&sadd),
                    encode_command(&[b"SPOP", b"tk:set"]),
                ];
                let mut set_window = (0, 0);
                for (n, request) in exchanges.iter().enumerate() {
                    if n == 1 {
                        yield_from!(sleep(pause))?;
                    }
                    let written = unix_millis(&clock);
                    let written_micros = clock.elapsed().as_micros() as i64;
                    if yield_from!(conn.write_all(request)).is_err() {
                        return Ok(());
                    }
                    let read = yield_from!(next_reply(&conn, &mut buf));
                    let Some(reply) = reply_or_stop(read, "timekeeper", &shared, |_| {})? else {
                        return Ok(());
                    };
                    requests += 1;
                    let answered = unix_millis(&clock);
                    let mut shared = shared.borrow_mut();
                    let checked = match n {
                        0 if reply == b"+OK\r\n" => {
                            set_window = (written, answered);
                            Ok(())
                        }
                        1 => check_pttl(&reply, ttl, set_window, (written, answered)).map(|live| {
                            if live {
                                shared.ttl_live += 1;
                            } else {
                                shared.ttl_gone += 1;
                            }
                        }),
                        2 => {
                            let start = SIMULATED_START_MILLIS * 1000;
                            let window =
                                start + written_micros..=start + clock.elapsed().as_micros() as i64;
                            match time_micros(&reply) {
                                Some(micros) if window.contains(&micros) => Ok(()),
                                _ => Err(format!(
                                    "TIME got {:?}, outside {window:?}",
                                    String::from_utf8_lossy(&reply)
                                )),
                            }
                        }
                        3 if int_reply(&reply).is_some_and(|added| (0..=8).contains(&added)) => {
                            Ok(())
                        }
                        4 if reply.starts_with(b"$1\r\n") => Ok(()),
                        _ => Err(format!("got {:?}", String::from_utf8_lossy(&reply))),
                    };
                    if let Err(problem) = checked {
                        shared.fail(format!(
                            "timekeeper, request {requests} ({:?}): {problem}",
                            String::from_utf8_lossy(request)
                        ));
                        return Ok(());
                    }
                    if n != 0 && n != 3 {
                        shared.clock_replies.push(reply);
                    }
                }
            }
            Ok(())
        },
    )
    .named("timekeeper")
}
