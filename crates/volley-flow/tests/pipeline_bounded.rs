//! Bounded memory whatever the input: `LineSource`'s line limit (over-long lines skipped to
//! their end, numbered, and the lines after them read as usual) and `heavy_hitters` (exact while
//! the keys fit, Space-Saving's guarantees beyond).

use proptest::prelude::*;
use std::collections::HashMap;
use std::io::{self, BufReader, Read};
use volley_flow::pipeline::{
    aggregate, feed, push, Close, Line, LineSource, LineTooLong, PipelineError, Push,
};

/// Every line of `input` through `next_line`: `Ok(line)` or `Err((line number, length))`.
fn lines(input: &[u8], capacity: usize, max_line: usize) -> Vec<Result<Vec<u8>, (u64, u64)>> {
    let mut src = LineSource::new(BufReader::with_capacity(capacity, input)).max_line(max_line);
    let mut out = Vec::new();
    while let Some(line) = src.next_line() {
        out.push(match line {
            Ok(line) => Ok(line.to_vec()),
            Err(e) => {
                let too_long = LineTooLong::of(&e).expect("only over-long lines fail on a slice");
                assert_eq!(e.kind(), io::ErrorKind::InvalidData);
                assert_eq!(too_long.limit, max_line);
                Err((too_long.line, too_long.bytes))
            }
        });
    }
    assert_eq!(src.lines_read(), out.len() as u64);
    out
}

/// The same, the obvious way.
fn expected(input: &[u8], max_line: usize) -> Vec<Result<Vec<u8>, (u64, u64)>> {
    let mut pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if pieces.last() == Some(&&b""[..]) {
        pieces.pop();
    }
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| match piece.len() > max_line {
            true => Err((i as u64 + 1, piece.len() as u64)),
            false => Ok(piece.strip_suffix(b"\r").unwrap_or(piece).to_vec()),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn over_long_lines_are_skipped_and_numbered_at_every_buffer_size(
        input in prop::collection::vec(prop::sample::select(vec![b'a', b'\n', b'\r', b'z']), 0..200),
        capacity in 1usize..40,
        max_line in 0usize..30,
    ) {
        prop_assert_eq!(lines(&input, capacity, max_line), expected(&input, max_line));
    }
}

/// A reader of `len` bytes of `byte`, made as they are read: nothing is stored.
fn endless(byte: u8, len: u64) -> impl Read {
    io::repeat(byte).take(len)
}

#[test]
fn a_100_mb_line_with_no_newline_is_skipped_in_one_pass() {
    let input = endless(0, 100 << 20).chain(&b"\nafter\n"[..]);
    let mut src = LineSource::new(BufReader::with_capacity(64 * 1024, input));
    let e = src.next_line().unwrap().unwrap_err();
    assert_eq!(
        LineTooLong::of(&e),
        Some(&LineTooLong {
            line: 1,
            bytes: 100 << 20,
            limit: 1 << 20
        })
    );
    assert_eq!(src.next_line().unwrap().unwrap(), b"after");
    assert!(src.next_line().is_none());
}

#[test]
fn push_into_stops_at_a_long_line_and_push_lines_into_goes_on() {
    let input = b"one\ntwo two two\nthree\n";
    let stopped = LineSource::new(&input[..])
        .max_line(5)
        .push_into(aggregate::count());
    match stopped {
        Err(PipelineError::Io(e)) => assert_eq!(LineTooLong::of(&e).unwrap().line, 2),
        other => panic!("expected the line limit's error, got {other:?}"),
    }
    /// The text of a line that was read.
    fn read(line: Line<'_>) -> Option<&[u8]> {
        match line {
            Line::Read(text) => Some(text),
            Line::Skipped(_) => None,
        }
    }
    let kept = LineSource::new(&input[..])
        .max_line(5)
        .push_lines_into(push::filter_map(read, aggregate::count_by_key::<Vec<u8>>()));
    let kept = kept.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.contains_key(&b"three"[..]));
}

#[test]
fn pull_sources_raise_the_line_limit() {
    let mut lines = LineSource::new(&b"ok\ntoo long\n"[..])
        .max_line(4)
        .into_lines()
        .into_try_iter();
    assert_eq!(lines.next().unwrap().unwrap(), b"ok");
    let e = lines.next().unwrap().unwrap_err();
    assert_eq!(LineTooLong::of(&e).unwrap().bytes, 8);
}

/// Exact counts, for comparison.
fn exact(stream: &[u8]) -> HashMap<u8, u64> {
    let mut counts = HashMap::new();
    for &key in stream {
        *counts.entry(key).or_default() += 1;
    }
    counts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// While the distinct keys fit, the tally is count_by_key's, ranked.
    #[test]
    fn heavy_hitters_are_exact_while_the_keys_fit(
        stream in prop::collection::vec(0u8..12, 0..300),
        spare in 0usize..4,
    ) {
        let truth = exact(&stream);
        let tally = feed(stream.iter().map(std::slice::from_ref), aggregate::heavy_hitters::<Vec<u8>>(truth.len() + spare)).unwrap();
        prop_assert!(tally.is_exact());
        prop_assert_eq!((tally.max_overcount(), tally.unlisted_at_most()), (0, 0));
        prop_assert_eq!(tally.total(), stream.len() as u64);
        prop_assert_eq!(tally.counts().len(), truth.len());
        for counted in tally.counts() {
            prop_assert_eq!(counted.count, truth[&counted.key[0]]);
        }
        let ranked = aggregate::rank(truth.iter().map(|(&k, &n)| (vec![k], n)), 3);
        prop_assert_eq!(tally.top(3), ranked);
    }

    /// Beyond capacity: Space-Saving's guarantees, on skewed streams of many keys.
    #[test]
    fn heavy_hitters_keep_their_bounds_beyond_capacity(
        stream in prop::collection::vec((0u8..40, 0u8..4), 1..400),
        capacity in 1usize..10,
    ) {
        // Skewed: a quarter of the keys are 0, 1 or 2.
        let stream: Vec<u8> = stream.iter().map(|&(k, heavy)| if heavy == 0 { k % 3 } else { k }).collect();
        let truth = exact(&stream);
        let n = stream.len() as u64;
        let tally = feed(stream.iter().map(std::slice::from_ref), aggregate::heavy_hitters::<Vec<u8>>(capacity)).unwrap();
        prop_assert_eq!(tally.total(), n);
        prop_assert_eq!(tally.is_exact(), truth.len() <= capacity);
        prop_assert!(tally.counts().len() <= capacity);
        prop_assert!(tally.max_overcount() <= n / capacity as u64);
        prop_assert!(tally.unlisted_at_most() <= n / capacity as u64);
        prop_assert!(tally.max_overcount() <= tally.unlisted_at_most() || tally.is_exact());
        let listed: HashMap<u8, u64> = tally.counts().iter().map(|c| (c.key[0], c.count)).collect();
        for counted in tally.counts() {
            let true_count = truth[&counted.key[0]];
            prop_assert!(counted.count - counted.overcount <= true_count);
            prop_assert!(true_count <= counted.count);
        }
        for (key, &true_count) in &truth {
            if true_count > n / capacity as u64 {
                prop_assert!(listed.contains_key(key), "key {} occurred {} > {}/{} times", key, true_count, n, capacity);
            }
            if !listed.contains_key(key) {
                prop_assert!(true_count <= tally.unlisted_at_most());
            }
        }
        // Sorted by count descending, then key ascending.
        for pair in tally.counts().windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            prop_assert!(a.count > b.count || (a.count == b.count && a.key < b.key));
        }
    }
}

#[test]
fn heavy_hitters_with_no_slots_count_only_the_total() {
    let tally = feed(["a", "b"], aggregate::heavy_hitters::<String>(0)).unwrap();
    assert_eq!((tally.total(), tally.is_exact()), (2, false));
    assert!(tally.counts().is_empty());
    assert_eq!(tally.unlisted_at_most(), 2);
}

#[test]
fn distinct_keys_by_the_hundred_thousand_keep_the_heavy_one_in_a_thousand_slots() {
    let mut hitters = aggregate::heavy_hitters::<String>(1000);
    let mut name = String::new();
    for i in 0..200_000u64 {
        name.clear();
        name.push_str(&i.to_string());
        hitters.send(name.as_str()).unwrap();
        hitters.send("heavy").unwrap();
    }
    let tally = hitters.close().unwrap();
    assert!(!tally.is_exact());
    assert_eq!(tally.counts().len(), 1000);
    let top = &tally.counts()[0];
    assert_eq!(
        (top.key.as_str(), top.count, top.overcount),
        ("heavy", 200_000, 0)
    );
    assert!(tally.unlisted_at_most() <= 400_000 / 1000);
}
