//! Behaviour of the readers under every way input can be chunked and under random bytes.

use super::{Decoded, Input, Limits, ProtoError};
use proptest::prelude::*;
use volley_core::{Delegate, Resume, Step};

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
            input.capacity() <= 2 * (limits.line_limit() + biggest) + 64,
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
    let limits = Limits::default().max_line(64);
    let chunks = vec![vec![b'z'; 16]; 100];
    assert_eq!(
        read_line_bounded(limits, &chunks),
        Err(ProtoError::LineTooLong { limit: 64 })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_reader_stays_within_its_limit(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..40),
        max_line in 1usize..200,
    ) {
        let limits = Limits::default().max_line(max_line);
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
