//! Behaviour of the RESP decoder under every way input can be chunked, under hostile input,
//! and under random bytes.

use super::{requests, Request, RespLimits};
use proptest::prelude::*;
use volley_flow::proto::{Decoder, ProtoError, ReadBuffer, SharedChunk};

type Outcome = (Vec<Vec<Vec<u8>>>, Option<ProtoError>);

/// Decodes `chunks` in order: every request's arguments, and the error that ended decoding.
fn decode_chunks<'a>(limits: RespLimits, chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut decoder = Decoder::new(requests::<Vec<u8>>(limits));
    let mut frames = Vec::new();
    for chunk in chunks {
        for item in decoder.feed(chunk.to_vec()) {
            match item {
                Ok(request) => frames.push(request.into_args()),
                Err(error) => return (frames, Some(error)),
            }
        }
    }
    (frames, None)
}

fn decode_whole(bytes: &[u8]) -> Outcome {
    decode_chunks(RespLimits::default(), [bytes])
}

fn args(words: &[&[u8]]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.to_vec()).collect()
}

/// A stream mixing every request form: multibulk, inline, quoted inline, binary bulks holding
/// CRLF, empty bulks, empty arrays and blank lines (both skipped).
const CORPUS: &[u8] = b"*1\r\n$4\r\nPING\r\n\
PING\r\n\
*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$0\r\n\r\n\
*0\r\n\
*-1\r\n\
\r\n\
set \"a b\" 'c'\n\
*2\r\n$4\r\nECHO\r\n$6\r\n\x00\r\n\xff\r\n\r\n";

fn corpus_frames() -> Vec<Vec<Vec<u8>>> {
    vec![
        args(&[b"PING"]),
        args(&[b"PING"]),
        args(&[b"SET", b"k\r\n", b""]),
        args(&[b"set", b"a b", b"c"]),
        args(&[b"ECHO", b"\x00\r\n\xff\r\n"]),
    ]
}

#[test]
fn corpus_decodes_whole() {
    assert_eq!(decode_whole(CORPUS), (corpus_frames(), None));
}

#[test]
fn every_frame_split_at_every_byte_boundary() {
    for cut in 0..=CORPUS.len() {
        let (head, tail) = CORPUS.split_at(cut);
        let got = decode_chunks(RespLimits::default(), [head, tail]);
        assert_eq!(got, (corpus_frames(), None), "split at {cut}");
    }
}

/// [`decode_chunks`] with every chunk lent from one reused read buffer, as the server does:
/// the decoder reads each chunk in place and gives it back before asking for the next.
fn decode_lent<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut buffer = ReadBuffer::new(CORPUS.len().max(1));
    let mut decoder = Decoder::new(requests::<SharedChunk>(RespLimits::default()));
    let mut frames = Vec::new();
    for chunk in chunks {
        buffer.as_mut_slice()[..chunk.len()].copy_from_slice(chunk);
        for item in decoder.feed(buffer.lend(chunk.len())) {
            match item {
                Ok(request) => frames.push(request.into_args()),
                Err(error) => return (frames, Some(error)),
            }
        }
        assert!(!buffer.is_lent(), "the chunk was given back");
    }
    (frames, None)
}

#[test]
fn lent_chunks_split_at_every_byte_boundary_give_the_same_frames() {
    for cut in 0..=CORPUS.len() {
        let (head, tail) = CORPUS.split_at(cut);
        assert_eq!(
            decode_lent([head, tail]),
            (corpus_frames(), None),
            "split at {cut}"
        );
    }
    assert_eq!(decode_lent(CORPUS.chunks(1)), (corpus_frames(), None));
    assert_eq!(decode_lent(CORPUS.chunks(7)), (corpus_frames(), None));
}

#[test]
fn every_pair_of_split_points_gives_the_same_frames() {
    for first in 0..=CORPUS.len() {
        for second in first..=CORPUS.len() {
            let chunks = [&CORPUS[..first], &CORPUS[first..second], &CORPUS[second..]];
            let got = decode_chunks(RespLimits::default(), chunks);
            assert_eq!(
                got,
                (corpus_frames(), None),
                "split at {first} and {second}"
            );
        }
    }
}

#[test]
fn one_byte_at_a_time() {
    let got = decode_chunks(RespLimits::default(), CORPUS.chunks(1));
    assert_eq!(got, (corpus_frames(), None));
}

#[test]
fn many_frames_in_one_chunk_come_out_in_order() {
    let many: Vec<u8> = (0..500)
        .flat_map(|i| {
            format!("*2\r\n$4\r\nECHO\r\n${}\r\n{i}\r\n", i.to_string().len()).into_bytes()
        })
        .collect();
    let (frames, error) = decode_whole(&many);
    assert_eq!(error, None);
    assert_eq!(frames.len(), 500);
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(frame[1], i.to_string().into_bytes());
    }
}

fn error_of(bytes: &[u8]) -> Option<String> {
    decode_whole(bytes).1.map(|e| e.to_string())
}

#[test]
fn malformed_input_is_reported_in_redis_words() {
    let cases: &[(&[u8], &str)] = &[
        (b"*abc\r\n", "invalid multibulk length"),
        (b"*3000000000\r\n", "invalid multibulk length"),
        (b"*1\r\n+PING\r\n", "expected '$', got '+'"),
        (b"*1\r\n\r\n", "expected '$', got '\r'"),
        (b"*1\r\n$-1\r\n", "invalid bulk length"),
        (b"*1\r\n$x\r\n", "invalid bulk length"),
        (b"*1\r\n$99999999999999999999\r\n", "invalid bulk length"),
        (b"*1\r\n$4\r\nPINGxx", "expected '\\r\\n' after bulk data"),
        (b"SET \"k v\r\n", "unbalanced quotes in request"),
    ];
    for (bytes, message) in cases {
        assert_eq!(
            error_of(bytes).as_deref(),
            Some(*message),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
        for cut in 0..=bytes.len() {
            let (head, tail) = bytes.split_at(cut);
            let got = decode_chunks(RespLimits::default(), [head, tail]);
            assert_eq!(
                got.1.map(|e| e.to_string()).as_deref(),
                Some(*message),
                "split at {cut}"
            );
        }
    }
}

#[test]
fn frames_before_an_error_are_still_delivered() {
    let (frames, error) = decode_whole(b"PING\r\n*1\r\n$4\r\nECHO\r\n*x\r\nPING\r\n");
    assert_eq!(frames, [args(&[b"PING"]), args(&[b"ECHO"])]);
    assert_eq!(error, Some(ProtoError::invalid("invalid multibulk length")));
}

#[test]
fn an_endless_line_is_refused_once_past_the_limit() {
    let limits = RespLimits::default().with_max_inline(100);
    let chunk = [b'a'; 30];
    let (_, error) = decode_chunks(limits, std::iter::repeat_n(&chunk[..], 4));
    assert_eq!(error, Some(ProtoError::invalid("too big inline request")));
    let (_, error) = decode_chunks(limits, std::iter::repeat_n(&chunk[..], 3));
    assert_eq!(error, None, "90 bytes are still within the limit");
    let (_, error) = decode_chunks(
        limits,
        [&b"*"[..]]
            .into_iter()
            .chain(std::iter::repeat_n(&b"1"[..], 101)),
    );
    assert_eq!(
        error,
        Some(ProtoError::invalid("too big mbulk count string"))
    );
    let (_, error) = decode_chunks(limits, [&b"*1\r\n$"[..], &[b'1'; 101][..]]);
    assert_eq!(
        error,
        Some(ProtoError::invalid("too big bulk count string"))
    );
}

#[test]
fn a_huge_declared_bulk_is_refused_before_any_payload() {
    let limits = RespLimits::default().with_max_bulk(1000);
    let (_, error) = decode_chunks(limits, [&b"*1\r\n$1001\r\n"[..]]);
    assert_eq!(error, Some(ProtoError::invalid("invalid bulk length")));
    let (frames, error) = decode_chunks(
        limits,
        [&b"*1\r\n$1000\r\n"[..], &[b'x'; 1000][..], b"\r\n"],
    );
    assert_eq!((frames.len(), error), (1, None));
}

#[test]
fn many_bulks_cannot_exceed_the_request_limit() {
    let limits = RespLimits::default().with_max_request(200);
    let mut bytes = b"*100\r\n".to_vec();
    for _ in 0..100 {
        bytes.extend_from_slice(b"$10\r\n0123456789\r\n");
    }
    let (_, error) = decode_chunks(limits, [&bytes[..]]);
    assert_eq!(
        error,
        Some(ProtoError::invalid("request larger than 200 bytes"))
    );
}

#[test]
fn a_decoder_drops_input_after_an_error_and_reports_it_once() {
    let mut decoder = Decoder::new(requests::<&'static [u8]>(RespLimits::default()));
    let items: Vec<_> = decoder.feed(b"*x\r\n").collect();
    assert_eq!(
        items,
        [Err(ProtoError::invalid("invalid multibulk length"))]
    );
    assert_eq!(decoder.feed(b"PING\r\n").count(), 0);
}

#[test]
fn frames_left_in_a_dropped_iterator_come_out_next_time() {
    let mut decoder = Decoder::new(requests::<&'static [u8]>(RespLimits::default()));
    assert_eq!(
        decoder
            .feed(b"PING\r\nECHO a\r\nQUIT\r\n")
            .next()
            .unwrap()
            .unwrap()
            .args(),
        args(&[b"PING"])
    );
    let rest: Vec<Request> = decoder.feed(b"").map(Result::unwrap).collect();
    assert_eq!(
        rest,
        [
            Request::new(args(&[b"ECHO", b"a"])),
            Request::new(args(&[b"QUIT"]))
        ]
    );
}

fn encode(request: &[Vec<u8>]) -> Vec<u8> {
    let args: Vec<&[u8]> = request.iter().map(Vec::as_slice).collect();
    super::encode_command(&args)
}

/// Splits `bytes` at the given cut points (taken modulo its length, sorted).
fn chunked(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut from = 0;
    for point in points.into_iter().chain([bytes.len()]) {
        chunks.push(bytes[from..point].to_vec());
        from = point;
    }
    chunks
}

/// Feeds `head`, then ends the input: what the end reported.
fn finish_after(head: &[u8]) -> Vec<Result<Request, ProtoError>> {
    let mut decoder = Decoder::new(requests::<Vec<u8>>(RespLimits::default()));
    decoder.feed(head.to_vec()).for_each(drop);
    let rest = decoder.finish().collect();
    assert!(decoder.is_finished());
    rest
}

#[test]
fn the_end_of_input_is_clean_only_between_requests() {
    // Requests, a skipped blank line and a skipped empty array end at these offsets.
    let stream = b"PING\r\n*1\r\n$4\r\nECHO\r\n\r\n*0\r\nGET k\r\n";
    let boundaries = [0, 6, 20, 22, 26, 33];
    for cut in 0..=stream.len() {
        let last = boundaries
            .iter()
            .copied()
            .filter(|&b| b <= cut)
            .max()
            .unwrap();
        let expected = if last == cut {
            vec![]
        } else {
            vec![Err(ProtoError::Truncated {
                buffered: cut - last,
            })]
        };
        assert_eq!(
            finish_after(&stream[..cut]),
            expected,
            "input ends at {cut}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic_and_chunking_never_changes_the_outcome(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let limits = RespLimits::default().with_max_inline(64).with_max_bulk(128).with_max_args(16).with_max_request(512);
        let whole = decode_chunks(limits, [&bytes[..]]);
        let chunks = chunked(&bytes, &cuts);
        let split = decode_chunks(limits, chunks.iter().map(Vec::as_slice));
        prop_assert_eq!(whole, split);
    }

    #[test]
    fn resp_shaped_noise_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just(b"*".to_vec()), Just(b"$".to_vec()), Just(b"\r\n".to_vec()),
                Just(b"-1".to_vec()), Just(b"3".to_vec()), Just(b"\"".to_vec()),
                Just(b"PING".to_vec()), proptest::collection::vec(any::<u8>(), 0..4),
            ],
            0..80,
        ),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let bytes = parts.concat();
        let limits = RespLimits::default().with_max_inline(32).with_max_bulk(64).with_max_args(8).with_max_request(256);
        let whole = decode_chunks(limits, [&bytes[..]]);
        let chunks = chunked(&bytes, &cuts);
        prop_assert_eq!(whole, decode_chunks(limits, chunks.iter().map(Vec::as_slice)));
    }

    #[test]
    fn encoded_requests_round_trip_under_any_chunking(
        requests in proptest::collection::vec(
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..5),
            1..6,
        ),
        cuts in proptest::collection::vec(any::<usize>(), 0..10),
    ) {
        let bytes: Vec<u8> = requests.iter().flat_map(|r| encode(r)).collect();
        let chunks = chunked(&bytes, &cuts);
        let got = decode_chunks(RespLimits::default(), chunks.iter().map(Vec::as_slice));
        prop_assert_eq!(got, (requests, None));
    }
}
