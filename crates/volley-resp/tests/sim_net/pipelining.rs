//! The pipelining clients: a model of each client's keys, the requests and exact replies it
//! plans, and the client task that writes them in chunks and checks every reply in order.

use super::*;

/// What a reply must be.
#[derive(Debug, Clone)]
pub(crate) enum Expect {
    /// Exactly these bytes.
    Exact(Vec<u8>),
    /// `PUBLISH chan m<seq>`: `:0` or `:1` (whether the subscriber was subscribed then).
    Published(u64),
    /// `RPUSH q i<seq>`: the list's length, at least 1 (the blocked client may be served
    /// later, or may have been served already).
    Pushed(u64),
    /// Malformed input: Redis's `-ERR Protocol error: ...`, then the server closes.
    ProtocolError,
    /// `CLIENT ID`: any positive id, which the killer is told.
    ClientId,
}

/// A request and the reply it must get.
pub(crate) struct Step {
    pub(crate) request: Vec<u8>,
    pub(crate) expect: Expect,
}

/// Redis's `LRANGE` index rules.
pub(crate) fn lrange(list: &[Vec<u8>], start: i64, stop: i64) -> Vec<Vec<u8>> {
    let len = list.len() as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut stop = if stop < 0 { len + stop } else { stop };
    start = start.max(0);
    if start > stop || start >= len {
        return Vec::new();
    }
    stop = stop.min(len - 1);
    list[start as usize..=stop as usize].to_vec()
}

/// A value of random bytes (any byte: the protocol is binary-safe).
pub(crate) fn value(draw: &mut Rng) -> Vec<u8> {
    let len = draw.below(40) as usize;
    (0..len).map(|_| draw.below(256) as u8).collect()
}

/// What a client's keys (`c<n>:`) hold, by the number of the key.
#[derive(Clone, Default)]
pub(crate) struct Model {
    pub(crate) strings: HashMap<u64, Vec<u8>>,
    pub(crate) counters: HashMap<u64, i64>,
    pub(crate) lists: HashMap<u64, Vec<Vec<u8>>>,
}

impl Model {
    /// A request on the client's own keys (of the kind `choice` picks, modulo 11) and the
    /// exact reply it must get; the model is updated as the server must be.
    pub(crate) fn step(&mut self, draw: &mut Rng, client: u64, choice: u64) -> (Vec<u8>, Vec<u8>) {
        let k = draw.below(3);
        let key = |kind: &str| format!("c{client}:{kind}{k}").into_bytes();
        match choice % 11 {
            0 => {
                let v = value(draw);
                let request = encode_command(&[b"SET", &key("s"), &v]);
                self.strings.insert(k, v);
                (request, b"+OK\r\n".to_vec())
            }
            1 => (
                encode_command(&[b"GET", &key("s")]),
                match self.strings.get(&k) {
                    Some(v) => bulk(v),
                    None => b"$-1\r\n".to_vec(),
                },
            ),
            2 => {
                let v = value(draw);
                let request = encode_command(&[b"APPEND", &key("s"), &v]);
                let s = self.strings.entry(k).or_default();
                s.extend_from_slice(&v);
                (request, int(s.len() as i64))
            }
            3 => {
                let n = self.counters.entry(k).or_default();
                *n += 1;
                (encode_command(&[b"INCR", &key("n")]), int(*n))
            }
            4 => {
                let by = draw.below(201) as i64 - 100;
                let n = self.counters.entry(k).or_default();
                *n += by;
                let request = encode_command(&[b"INCRBY", &key("n"), by.to_string().as_bytes()]);
                (request, int(*n))
            }
            5 => (
                encode_command(&[b"GET", &key("n")]),
                match self.counters.get(&k) {
                    Some(n) => bulk(n.to_string().as_bytes()),
                    None => b"$-1\r\n".to_vec(),
                },
            ),
            6 => {
                let values: Vec<Vec<u8>> = (0..1 + draw.below(3)).map(|_| value(draw)).collect();
                let name = key("l");
                let mut args: Vec<&[u8]> = vec![b"RPUSH", &name];
                args.extend(values.iter().map(Vec::as_slice));
                let request = encode_command(&args);
                let list = self.lists.entry(k).or_default();
                list.extend(values);
                (request, int(list.len() as i64))
            }
            7 => {
                let start = draw.below(9) as i64 - 4;
                let stop = draw.below(9) as i64 - 4;
                let list = self.lists.get(&k).map_or(&[][..], Vec::as_slice);
                let request = encode_command(&[
                    b"LRANGE",
                    &key("l"),
                    start.to_string().as_bytes(),
                    stop.to_string().as_bytes(),
                ]);
                (request, array(&lrange(list, start, stop)))
            }
            8 => {
                let v = value(draw);
                (encode_command(&[b"ECHO", &v]), bulk(&v))
            }
            9 => (b"PING\r\n".to_vec(), b"+PONG\r\n".to_vec()),
            _ => (
                encode_command(&[b"EXISTS", &key("s"), &key("n"), &key("l")]),
                int(i64::from(self.strings.contains_key(&k))
                    + i64::from(self.counters.contains_key(&k))
                    + i64::from(self.lists.contains_key(&k))),
            ),
        }
    }
}

/// A step whose reply must be exactly `reply`.
pub(crate) fn exact(request: Vec<u8>, reply: &[u8]) -> Step {
    Step {
        request,
        expect: Expect::Exact(reply.to_vec()),
    }
}

/// A client's requests and the replies the model expects, on keys of its own (`c<n>:`); the
/// publisher and the pusher add their numbered `PUBLISH` and `RPUSH q` requests. Transactions
/// (`MULTI`, queued commands, `EXEC` or `DISCARD`) come now and then. Ends with QUIT, or now
/// and then with a malformed request the server must answer with a protocol error before it
/// closes.
pub(crate) fn plan(draw: &mut Rng, client: u64, publisher: bool, pusher: bool) -> Vec<Step> {
    let mut model = Model::default();
    let (mut published, mut pushed) = (0, 0);
    let mut steps = Vec::new();
    for _ in 0..5 + draw.below(40) {
        match draw.below(14) {
            10 if publisher => {
                published += 1;
                steps.push(Step {
                    request: encode_command(&[
                        b"PUBLISH",
                        b"chan",
                        format!("m{published}").as_bytes(),
                    ]),
                    expect: Expect::Published(published),
                });
            }
            11 if pusher => {
                pushed += 1;
                steps.push(Step {
                    request: encode_command(&[b"RPUSH", b"q", format!("i{pushed}").as_bytes()]),
                    expect: Expect::Pushed(pushed),
                });
            }
            12 => {
                // Queued commands run at EXEC, in order, as one reply; DISCARD drops them.
                let discard = draw.below(4) == 0;
                let mut inside = if discard {
                    model.clone()
                } else {
                    Model::default()
                };
                let applied = if discard { &mut inside } else { &mut model };
                steps.push(exact(encode_command(&[b"MULTI"]), b"+OK\r\n"));
                let queued = 1 + draw.below(4);
                let mut replies = format!("*{queued}\r\n").into_bytes();
                for _ in 0..queued {
                    let choice = draw.below(11);
                    let (request, reply) = applied.step(draw, client, choice);
                    steps.push(exact(request, b"+QUEUED\r\n"));
                    replies.extend_from_slice(&reply);
                }
                steps.push(if discard {
                    exact(encode_command(&[b"DISCARD"]), b"+OK\r\n")
                } else {
                    exact(encode_command(&[b"EXEC"]), &replies)
                });
            }
            choice => {
                let (request, reply) = model.step(draw, client, choice);
                steps.push(exact(request, &reply));
            }
        }
    }
    steps.push(if draw.below(8) == 0 {
        Step {
            request: b"*1x\r\n".to_vec(),
            expect: Expect::ProtocolError,
        }
    } else {
        exact(encode_command(&[b"QUIT"]), b"+OK\r\n")
    });
    steps
}

/// Checks a reply against what the model expects; records confirmed messages and items.
pub(crate) fn check(expect: &Expect, reply: &[u8], shared: &RefCell<Shared>) -> Result<(), String> {
    let shown = |bytes: &[u8]| format!("{:?}", String::from_utf8_lossy(bytes));
    match expect {
        Expect::Exact(bytes) if bytes == reply => Ok(()),
        Expect::Exact(bytes) => Err(format!("expected {}, got {}", shown(bytes), shown(reply))),
        Expect::Published(seq) => match reply {
            b":1\r\n" => {
                shared.borrow_mut().published.push(*seq);
                Ok(())
            }
            b":0\r\n" => Ok(()),
            _ => Err(format!("PUBLISH m{seq} got {}", shown(reply))),
        },
        Expect::ProtocolError
            if reply.starts_with(b"-ERR Protocol error: ") && reply.ends_with(b"\r\n") =>
        {
            Ok(())
        }
        Expect::ProtocolError => Err(format!("expected a protocol error, got {}", shown(reply))),
        Expect::ClientId => {
            let id = std::str::from_utf8(reply)
                .ok()
                .and_then(|r| {
                    r.strip_prefix(':')?
                        .strip_suffix("\r\n")?
                        .parse::<i64>()
                        .ok()
                })
                .filter(|id| *id > 0)
                .ok_or_else(|| format!("CLIENT ID got {}", shown(reply)))?;
            shared.borrow_mut().victim_id = Some(id);
            Ok(())
        }
        Expect::Pushed(seq) => {
            let n = reply
                .strip_prefix(b":")
                .and_then(|r| r.strip_suffix(b"\r\n"))
                .and_then(|r| std::str::from_utf8(r).ok())
                .and_then(|r| r.parse::<i64>().ok());
            match n {
                Some(n) if n >= 1 => {
                    shared.borrow_mut().pushed.push(*seq);
                    Ok(())
                }
                _ => Err(format!("RPUSH q i{seq} got {}", shown(reply))),
            }
        }
    }
}

/// What one client saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    /// Replies that arrived (all checked).
    pub(crate) replies: usize,
    /// Replies it expected.
    pub(crate) expected: usize,
    /// Its connection was reset (or refused).
    pub(crate) reset: bool,
    /// The server closed it early: `CLIENT KILL` (only the victim may see this).
    pub(crate) killed: bool,
}

/// Connects after `delay`, writes its requests in chunks of the given sizes from a writer
/// task, and checks every reply in order until the server closes after QUIT, or a reset. The
/// `victim` may also be closed early (by the killer's `CLIENT KILL`).
pub(crate) fn client(
    net: SimNet,
    from: IpAddr,
    delay: Duration,
    (steps, chunks): (Vec<Step>, Vec<usize>),
    victim: bool,
    shared: Rc<RefCell<Shared>>,
) -> Co<impl TaskBody<Seen>> {
    Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            yield_from!(sleep(delay))?;
            let expected = steps.len();
            let conn = match yield_from!(net.connect(from, SERVER.parse().unwrap())) {
                Ok(conn) => Rc::new(conn),
                Err(_) => {
                    if victim {
                        shared.borrow_mut().victim_ended = true;
                    }
                    return Ok(Seen {
                        replies: 0,
                        expected,
                        reset: true,
                        killed: false,
                    });
                }
            };
            let stream: Vec<u8> = steps.iter().flat_map(|s| s.request.clone()).collect();
            let writer_conn = Rc::clone(&conn);
            let writer = yield_from!(spawn(Co::pinned(
                #[coroutine]
                static move |_: TaskResume| {
                    let mut at = 0;
                    for size in chunks {
                        let end = (at + size).min(stream.len());
                        // A reset ends the writing; the reader reports it.
                        if yield_from!(writer_conn.write_all(&stream[at..end])).is_err() {
                            break;
                        }
                        at = end;
                    }
                    Ok(())
                }
            )))?;
            let mut buf = Vec::new();
            let mut replies = 0;
            let (mut reset, mut killed) = (false, false);
            loop {
                match yield_from!(next_reply(&conn, &mut buf)) {
                    Ok(Some(reply)) => {
                        let Some(step) = steps.get(replies) else {
                            shared.borrow_mut().fail(format!(
                                "client {from}: a reply after QUIT's: {:?}",
                                String::from_utf8_lossy(&reply)
                            ));
                            break;
                        };
                        if let Err(problem) = check(&step.expect, &reply, &shared) {
                            shared.borrow_mut().fail(format!(
                                "client {from}, reply {replies} (to {:?}): {problem}",
                                String::from_utf8_lossy(&step.request)
                            ));
                            break;
                        }
                        replies += 1;
                    }
                    Ok(None) => {
                        killed = victim && replies < expected;
                        if replies < expected && !victim {
                            shared.borrow_mut().fail(format!(
                                "client {from}: the server closed after {replies} of {expected} replies"
                            ));
                        }
                        break;
                    }
                    Err(Exit::Raised(error)) if is_reset(&error) => {
                        reset = true;
                        break;
                    }
                    // A kill may stop the server mid-reply: what came is the reply's start.
                    Err(Exit::Raised(error)) if victim && is_cut(&error) => {
                        let start = match steps.get(replies).map(|step| &step.expect) {
                            Some(Expect::Exact(bytes)) => bytes.starts_with(&buf),
                            _ => true,
                        };
                        if !start {
                            shared.borrow_mut().fail(format!(
                                "client {from}: killed mid-reply after {:?}",
                                String::from_utf8_lossy(&buf)
                            ));
                        }
                        killed = true;
                        break;
                    }
                    Err(Exit::Raised(error)) => {
                        shared
                            .borrow_mut()
                            .fail(format!("client {from}: {error}"));
                        break;
                    }
                    Err(other) => return Err(other),
                }
            }
            let _ = yield_from!(writer.join())?;
            if victim {
                shared.borrow_mut().victim_ended = true;
            }
            Ok(Seen {
                replies,
                expected,
                reset,
                killed,
            })
        },
    )
    .named("client")
}
