//! A memcached-style text protocol as one `proto` body: `get KEY` and `set KEY BYTES` followed
//! by a data block. Bad commands are refused and the connection goes on (memcached answers
//! `ERROR` or `CLIENT_ERROR ...` and keeps reading), whatever way the bytes are chunked; the end
//! of the input inside a command is reported.
#![feature(coroutines)]

use std::collections::HashMap;
use volley::co;
use volley::proto::{Decoded, Decoder, Input, Limits, ProtoError, SharedChunk};
use volley::{yield_from, Exit};

/// The largest value a `set` may store; larger ones are refused and their bytes skipped.
const MAX_VALUE: usize = 1024;
/// The longest command line.
const MAX_LINE: usize = 250;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Command {
    Get(String),
    Set { key: String, data: Vec<u8> },
}

/// A command line, parsed into owned parts so the input is free for the next read.
enum Line {
    Get(String),
    Set { key: String, len: usize },
    BadFormat,
    Unknown,
}

fn parse(line: &[u8]) -> Line {
    let text = String::from_utf8_lossy(line);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        ["get", key] => Line::Get(key.to_string()),
        ["set", key, len] => match len.parse() {
            Ok(len) => Line::Set {
                key: key.to_string(),
                len,
            },
            Err(_) => Line::BadFormat,
        },
        ["get" | "set", ..] => Line::BadFormat,
        _ => Line::Unknown,
    }
}

fn refusal(message: &'static str) -> ProtoError {
    ProtoError::invalid(message)
}

#[co(static, yield = Decoded<Command>, send = SharedChunk)]
fn memcached() -> Result<(), Exit<ProtoError>> {
    let limits = Limits::default()
        .with_max_line(MAX_LINE)
        .with_max_payload(MAX_VALUE + 2);
    let mut input = Input::new(limits);
    loop {
        let line = match yield_from!(input.read_line()) {
            Ok(line) => parse(line),
            Err(Exit::Raised(ProtoError::LineTooLong { .. })) => {
                yield_from!(input.skip_line())?;
                yield_from!(input.reject(refusal("line too long")))?;
                continue;
            }
            Err(exit) => return Err(exit),
        };
        match line {
            Line::Get(key) => yield_from!(input.emit(Command::Get(key)))?,
            Line::Set { len, .. } if len > MAX_VALUE => {
                yield_from!(input.skip(len + 2))?;
                yield_from!(input.reject(refusal("object too large for cache")))?;
            }
            Line::Set { key, len } => {
                let block = yield_from!(input.read_exact(len + 2))?;
                if &block[len..] != b"\r\n" {
                    yield_from!(input.skip_line())?; // resynchronise on the next line
                    yield_from!(input.reject(refusal("bad data chunk")))?;
                    continue;
                }
                let data = block[..len].to_vec();
                yield_from!(input.emit(Command::Set { key, data }))?;
            }
            Line::BadFormat => {
                yield_from!(input.reject(refusal("bad command line format")))?;
            }
            Line::Unknown => yield_from!(input.reject(refusal("unknown command")))?,
        }
    }
}

/// A server over one connection: feeds the chunks in order, answers every command, then ends
/// the input. Returns the replies and what the end of the input reported.
fn serve<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (String, Vec<ProtoError>) {
    let mut store: HashMap<String, Vec<u8>> = HashMap::new();
    let mut decoder = Decoder::new(memcached());
    let mut out = String::new();
    let mut answer = |item: Result<Command, ProtoError>, out: &mut String| match item {
        Ok(Command::Get(key)) => {
            if let Some(data) = store.get(&key) {
                let data = String::from_utf8_lossy(data);
                out.push_str(&format!("VALUE {key} {}\r\n{data}\r\n", data.len()));
            }
            out.push_str("END\r\n");
        }
        Ok(Command::Set { key, data }) => {
            store.insert(key, data);
            out.push_str("STORED\r\n");
        }
        Err(ProtoError::Invalid(message)) if message == "unknown command" => {
            out.push_str("ERROR\r\n")
        }
        Err(ProtoError::Invalid(message)) if message.starts_with("object") => {
            out.push_str(&format!("SERVER_ERROR {message}\r\n"))
        }
        Err(error) => out.push_str(&format!("CLIENT_ERROR {error}\r\n")),
    };
    for chunk in chunks {
        for item in decoder.feed(SharedChunk::from(chunk.to_vec())) {
            answer(item, &mut out);
        }
        assert!(!decoder.is_finished(), "refusals never end the connection");
    }
    let at_end: Vec<ProtoError> = decoder.finish().filter_map(Result::err).collect();
    (out, at_end)
}

fn conversation() -> (Vec<u8>, String) {
    let mut input = Vec::new();
    let mut replies = String::new();
    let mut exchange = |request: &[u8], reply: &str| {
        input.extend_from_slice(request);
        replies.push_str(reply);
    };
    exchange(b"set a 5\r\nhello\r\n", "STORED\r\n");
    exchange(b"get a\r\n", "VALUE a 5\r\nhello\r\nEND\r\n");
    exchange(b"bogus command\r\n", "ERROR\r\n");
    exchange(b"get missing\r\n", "END\r\n");
    exchange(b"set b x\r\n", "CLIENT_ERROR bad command line format\r\n");
    exchange(b"set c 3\r\nabcXY\r\n", "CLIENT_ERROR bad data chunk\r\n");
    let mut too_big = b"set big 2000\r\n".to_vec();
    too_big.extend(std::iter::repeat_n(b'z', 2000));
    too_big.extend_from_slice(b"\r\n");
    exchange(&too_big, "SERVER_ERROR object too large for cache\r\n");
    let mut too_long = vec![b'x'; MAX_LINE + 50];
    too_long.extend_from_slice(b"\r\n");
    exchange(&too_long, "CLIENT_ERROR line too long\r\n");
    exchange(b"get c\r\n", "END\r\n");
    exchange(b"set a 2\r\nhi\r\n", "STORED\r\n");
    exchange(b"get a\r\n", "VALUE a 2\r\nhi\r\nEND\r\n");
    (input, replies)
}

#[test]
fn get_set_and_refusals_in_one_chunk() {
    let (input, replies) = conversation();
    assert_eq!(serve([&input[..]]), (replies, vec![]));
}

#[test]
fn split_at_every_byte_boundary() {
    let (input, replies) = conversation();
    for cut in 0..=input.len() {
        let (head, tail) = input.split_at(cut);
        assert_eq!(
            serve([head, tail]),
            (replies.clone(), vec![]),
            "split at {cut}"
        );
    }
}

#[test]
fn one_byte_at_a_time() {
    let (input, replies) = conversation();
    assert_eq!(serve(input.chunks(1)), (replies, vec![]));
}

#[test]
fn every_pair_of_split_points_in_a_short_exchange() {
    let input = b"set k 3\r\nabc\r\nnope\r\nget k\r\nset j 1\r\nxyz\r\nget k\r\n";
    let replies = "STORED\r\nERROR\r\nVALUE k 3\r\nabc\r\nEND\r\n\
                   CLIENT_ERROR bad data chunk\r\nVALUE k 3\r\nabc\r\nEND\r\n";
    for first in 0..=input.len() {
        for second in first..=input.len() {
            let chunks = [&input[..first], &input[first..second], &input[second..]];
            assert_eq!(
                serve(chunks),
                (replies.to_string(), vec![]),
                "split at {first} and {second}"
            );
        }
    }
}

#[test]
fn the_end_of_input_inside_a_command_is_reported() {
    let (_, at_end) = serve([&b"get a\r\nset a 5\r\nhel"[..]]);
    // "set a 5\r\n" (9 bytes) was read, "hel" is buffered.
    assert_eq!(at_end, [ProtoError::Truncated { buffered: 12 }]);
    let (_, at_end) = serve([&b"get a\r\nge"[..]]);
    assert_eq!(at_end, [ProtoError::Truncated { buffered: 2 }]);
    let (replies, at_end) = serve([&b"get a\r\n"[..]]);
    assert_eq!((replies.as_str(), at_end), ("END\r\n", vec![]));
    let (_, at_end) = serve([&b"bogus\r\n"[..]]);
    assert_eq!(at_end, [], "a refused command is a whole one");
}
