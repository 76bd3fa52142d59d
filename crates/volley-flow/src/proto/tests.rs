//! Behaviour of the readers under every way input can be chunked and under random bytes, of
//! skipping, and of the end of the input.

use super::{Decoded, Decoder, Input, Limits, ProtoError};
use proptest::prelude::*;
use volley_core::{yield_from, Co, Delegate, Protocol, Resume, Step};

/// Drives one read by hand, chunk by chunk, checking the buffer stays bounded while it waits.
fn read_line_bounded(limits: Limits, chunks: &[Vec<u8>]) -> Result<Option<Vec<u8>>, ProtoError> {
    let mut input = Input::new(limits);
    let biggest = chunks.iter().map(Vec::len).max().unwrap_or(0);
    for chunk in chunks {
        let step = {
            let mut read = input.read_line();
            match Delegate::<&[u8], Decoded<()>, ProtoError>::delegate(
                &mut read,
                Resume::Send(&chunk[..]),
            ) {
                Step::Yield(_) => Step::Yield(()),
                Step::Return(end) => Step::Return(end.map(<[u8]>::to_vec)),
            }
        };
        assert!(
            input.capacity() <= 2 * (limits.max_line() + biggest) + 64,
            "buffer grew to {}",
            input.capacity()
        );
        match step {
            Step::Yield(_) => {}
            Step::Return(Ok(line)) => return Ok(Some(line)),
            Step::Return(Err(volley_core::Exit::Raised(error))) => return Err(error),
            Step::Return(Err(volley_core::Exit::Closed)) => unreachable!("no close was sent"),
        }
    }
    Ok(None)
}

#[test]
fn a_read_line_over_the_limit_stops_buffering() {
    let limits = Limits::default().with_max_line(64);
    let chunks = vec![vec![b'z'; 16]; 100];
    assert_eq!(
        read_line_bounded(limits, &chunks),
        Err(ProtoError::LineTooLong { limit: 64 })
    );
}

/// Lines as frames; a blank line is skipped (it ends a frame without one).
fn lines() -> Co<impl Protocol<Vec<u8>, Decoded<Vec<u8>>, (), ProtoError>> {
    Co::pinned(
        #[coroutine]
        static |_: Resume<Vec<u8>, ProtoError>| {
            let mut input = Input::new(Limits::default());
            loop {
                let line = yield_from!(input.read_line())?.to_vec();
                if line.is_empty() {
                    input.end_frame();
                    continue;
                }
                yield_from!(input.emit(line))?;
            }
        },
    )
}

/// Feeds `head`, then ends the input: what the end reported.
fn finish_after(head: &[u8]) -> Vec<Result<Vec<u8>, ProtoError>> {
    let mut decoder = Decoder::new(lines());
    decoder.feed(head.to_vec()).for_each(drop);
    let rest = decoder.finish().collect();
    assert!(decoder.is_finished());
    rest
}

#[test]
fn the_end_of_input_is_clean_only_between_frames() {
    // Frames and a skipped blank line end at these offsets.
    let stream = b"ab\r\n\ncd\n";
    let boundaries = [0, 4, 5, 8];
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

#[test]
fn finish_hands_out_the_frames_still_buffered_first() {
    let mut decoder = Decoder::new(lines());
    let first = decoder.feed(b"one\ntwo\nthr".to_vec()).next();
    assert_eq!(first, Some(Ok(b"one".to_vec())));
    let rest: Vec<_> = decoder.finish().collect();
    assert_eq!(
        rest,
        [
            Ok(b"two".to_vec()),
            Err(ProtoError::Truncated { buffered: 3 })
        ]
    );
    assert_eq!(
        decoder.feed(b"ee\n".to_vec()).count(),
        0,
        "input after the end is dropped"
    );
}

/// Counts the `tracing` error events emitted while `f` runs on this thread.
fn error_events(f: impl FnOnce()) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tracing_subscriber::layer::SubscriberExt;

    struct Count(Arc<AtomicUsize>);
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Count {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            if *event.metadata().level() == tracing::Level::ERROR {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    let count = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(Count(count.clone()));
    tracing::subscriber::with_default(subscriber, f);
    count.load(Ordering::SeqCst)
}

#[test]
fn dropping_a_decoder_mid_frame_abandons_the_input_quietly() {
    let dropped_decoder = error_events(|| {
        let mut decoder = Decoder::new(lines());
        decoder.feed(b"half a li".to_vec()).for_each(drop);
        drop(decoder);
    });
    assert_eq!(dropped_decoder, 0);
    // The body itself, dropped mid-frame, reports the truncation as a failed cleanup.
    let dropped_body = error_events(|| {
        let mut body = lines();
        body.start().unwrap();
        body.send(b"half a li".to_vec()).unwrap();
        drop(body);
    });
    assert_eq!(dropped_body, 1);
}

#[test]
fn skipping_a_huge_payload_holds_none_of_it() {
    let mut input = Input::new(Limits::default().with_max_payload(16));
    let chunk = vec![b'x'; 16 * 1024];
    let total = 100 * chunk.len() + 3;
    let mut skip = input.skip(total);
    let mut step = Delegate::<&[u8], Decoded<()>, ProtoError>::delegate(&mut skip, Resume::Start);
    let mut sent = 0;
    while let Step::Yield(_) = step {
        let piece: &[u8] = if sent < 100 { &chunk } else { b"xxxrest" };
        sent += 1;
        step = Delegate::<&[u8], Decoded<()>, ProtoError>::delegate(&mut skip, Resume::Send(piece));
    }
    assert!(matches!(step, Step::Return(Ok(n)) if n == total));
    assert_eq!(input.buffered(), b"rest");
    assert!(
        input.capacity() <= 2 * chunk.len(),
        "the buffer held at most a chunk at a time, not {}",
        input.capacity()
    );
}

#[test]
fn a_shared_chunk_is_read_in_place_and_its_tail_copied_before_asking_for_more() {
    let mut buffer = super::ReadBuffer::new(16);
    buffer.as_mut_slice()[..7].copy_from_slice(b"ab\ncd\ne");
    let mut input = Input::default();
    let mut lines = Vec::new();
    let mut chunk = Some(buffer.lend(7));
    loop {
        let mut read = input.read_line();
        let resume = match chunk.take() {
            Some(chunk) => Resume::Send(chunk),
            None => Resume::Start,
        };
        match Delegate::<super::SharedChunk, Decoded<()>, ProtoError>::delegate(&mut read, resume) {
            Step::Return(Ok(line)) => lines.push(line.to_vec()),
            Step::Return(Err(_)) => unreachable!("no error"),
            Step::Yield(_) => break,
        }
        assert_eq!(input.capacity(), 0, "whole lines are read in place");
    }
    assert_eq!(lines, [b"ab".to_vec(), b"cd".to_vec()]);
    assert!(
        !buffer.is_lent(),
        "the chunk was given back before asking for more"
    );
    assert_eq!(input.buffered(), b"e", "its tail was kept");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_reader_stays_within_its_limit(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..40),
        max_line in 1usize..200,
    ) {
        let limits = Limits::default().with_max_line(max_line);
        match read_line_bounded(limits, &chunks) {
            Ok(Some(line)) => prop_assert!(line.len() <= max_line),
            Ok(None) => {
                let buffered: usize = chunks.iter().map(Vec::len).sum();
                prop_assert!(buffered <= max_line);
            }
            Err(error) => prop_assert_eq!(error, ProtoError::LineTooLong { limit: max_line }),
        }
    }
}
