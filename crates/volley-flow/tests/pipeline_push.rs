//! Push pipelines: broadcast to three sinks in one pass, aggregates handing their results back
//! from `close()`, coroutine sinks as targets, targets as coroutines, and streams fed in.
#![feature(coroutines)]

use futures::{executor::block_on, stream};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::convert::Infallible;
use std::rc::Rc;
use volley_core::{co_yield, Co, Exit, Resume, State, Step};
use volley_flow::pipeline::{aggregate, feed, push, Close, LineSource, PipelineError, Push};

#[test]
fn broadcast_feeds_three_sinks_in_one_pass() {
    let pulled = Rc::new(RefCell::new(0));
    let counter = pulled.clone();
    let words = ["alpha", "beta", "gamma", "beta", "delta"]
        .into_iter()
        .inspect(move |_| *counter.borrow_mut() += 1);
    let (n, by_word, longest) = feed(
        words,
        push::broadcast((
            aggregate::count(),
            aggregate::count_by_key::<String>(),
            aggregate::max(),
        )),
    )
    .unwrap();
    assert_eq!(*pulled.borrow(), 5, "every item is read exactly once");
    assert_eq!(n, 5);
    assert_eq!(by_word["beta"], 2);
    assert_eq!(longest, Some("gamma"));
}

#[test]
fn broadcast_over_borrowed_lines_from_a_reused_buffer() {
    let log = "a 1\nb 22\na 333\n";
    let (lines, a_lines, total_len) =
        LineSource::new(std::io::BufReader::with_capacity(3, log.as_bytes()))
            .push_into(push::broadcast((
                aggregate::count(),
                push::filter(|line: &&[u8]| line.starts_with(b"a "), aggregate::count()),
                push::map(<[u8]>::len, aggregate::sum::<usize>()),
            )))
            .unwrap();
    assert_eq!((lines, a_lines, total_len), (3, 2, 3 + 4 + 5));
}

#[test]
fn aggregates_hand_their_results_back_from_close() {
    let mut n = aggregate::count();
    let mut total = aggregate::sum::<i64>();
    let mut low = aggregate::min();
    let mut high = aggregate::max();
    let mut top = aggregate::top_k(3);
    let mut keys = aggregate::count_by_key::<String>();
    let mut first = aggregate::first::<String>();
    let mut last = aggregate::last::<String>();
    for value in [5i64, -2, 9, 9, 7, 0] {
        n.send(value).unwrap();
        total.send(value).unwrap();
        low.send(value).unwrap();
        high.send(value).unwrap();
        top.send(value).unwrap();
        let key = if value % 2 == 0 { "even" } else { "odd" };
        keys.send(key).unwrap();
        first.send(key).unwrap();
        last.send(key).unwrap();
    }
    assert_eq!(n.close().unwrap(), 6);
    assert_eq!(total.close().unwrap(), 28);
    assert_eq!(low.close().unwrap(), Some(-2));
    assert_eq!(high.close().unwrap(), Some(9));
    assert_eq!(top.close().unwrap(), vec![9, 9, 7]);
    let keys = keys.close().unwrap();
    assert_eq!((keys["odd"], keys["even"]), (4, 2));
    assert_eq!(first.close().unwrap().as_deref(), Some("odd"));
    assert_eq!(last.close().unwrap().as_deref(), Some("even"));
}

#[test]
fn aggregates_of_nothing_are_empty_not_errors() {
    let empty: [u32; 0] = [];
    assert_eq!(feed(empty, aggregate::count()).unwrap(), 0);
    assert_eq!(feed(empty, aggregate::max()).unwrap(), None);
    assert_eq!(feed(empty, aggregate::top_k(5)).unwrap(), Vec::<u32>::new());
    assert_eq!(
        feed([1, 2], aggregate::top_k(0)).unwrap(),
        Vec::<u32>::new()
    );
}

#[test]
fn top_k_matches_a_full_sort() {
    let items: Vec<(u64, Reverse<String>)> = (0..500u64)
        .map(|i| ((i * 7919) % 37, Reverse(format!("name{}", (i * 31) % 101))))
        .collect();
    let mut sorted = items.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.truncate(10);
    assert_eq!(feed(items, aggregate::top_k(10)).unwrap(), sorted);
}

#[test]
fn an_aggregate_as_a_coroutine_returns_its_result_from_co_close() {
    let mut top = push::into_co(aggregate::top_k::<u32>(2));
    assert!(
        matches!(top.send(1), Err(volley_core::CoError::NotStarted(1))),
        "a coroutine sink must be primed"
    );
    assert_eq!(top.start().unwrap(), Step::Yield(()));
    for n in [4, 1, 8, 3] {
        top.send(n).unwrap();
    }
    assert_eq!(top.close().unwrap(), Some(vec![8, 4]));
    assert_eq!(top.state(), State::Closed);
}

#[test]
fn a_coroutine_sink_in_a_broadcast_runs_its_cleanup_on_close() {
    let cleaned = Rc::new(RefCell::new(false));
    let flag = cleaned.clone();
    let lengths = Co::new(
        #[coroutine]
        move |_: Resume<usize, Infallible>| {
            let mut longest = 0;
            loop {
                match co_yield!(()) {
                    Ok(len) => longest = longest.max(len),
                    Err(Exit::Closed) => {
                        *flag.borrow_mut() = true;
                        return Ok(longest);
                    }
                    Err(e) => return Err(e),
                }
            }
        },
    );
    let (n, longest) = feed(
        ["ab", "abcd", "a"],
        push::broadcast((aggregate::count(), push::map(str::len, push::sink(lengths)))),
    )
    .unwrap();
    assert_eq!((n, longest), (3, Some(4)));
    assert!(*cleaned.borrow());
}

#[test]
fn a_sink_that_raises_stops_the_pipeline_with_its_error() {
    let picky = Co::new(
        #[coroutine]
        |_: Resume<i32, String>| loop {
            let n = co_yield!(())?;
            if n < 0 {
                return Err(Exit::Raised(format!("negative input {n}")));
            }
        },
    );
    let outcome: Result<(u64, Option<()>), PipelineError> = feed(
        [1, 2, -3, 4],
        push::broadcast((aggregate::count(), push::sink(picky))),
    );
    match outcome {
        Err(PipelineError::Raised(e)) => assert_eq!(e.to_string(), "negative input -3"),
        other => panic!("expected the raised error, got {other:?}"),
    }
}

#[test]
fn count_by_index_rejects_an_out_of_range_key_with_a_clear_error() {
    let error = feed([0usize, 7], aggregate::count_by_index(3)).unwrap_err();
    assert!(
        error.to_string().contains("key 7 is out of range 0..3"),
        "{error}"
    );
}

#[test]
fn broadcast_to_a_vec_of_targets() {
    let thresholds = [1, 5, 10];
    let targets: Vec<_> = thresholds
        .iter()
        .map(|&t| push::filter(move |n: &i32| *n >= t, aggregate::count()))
        .collect();
    assert_eq!(
        feed(0..12, push::broadcast(targets)).unwrap(),
        vec![11, 7, 2]
    );
}

#[test]
fn a_stream_drains_into_push_targets() {
    let numbers = stream::iter(1..=100u64);
    let (n, sum, evens) = block_on(push::drain_stream(
        numbers,
        push::broadcast((
            aggregate::count(),
            aggregate::sum::<u64>(),
            push::filter(|n: &u64| n.is_multiple_of(2), aggregate::count()),
        )),
    ))
    .unwrap();
    assert_eq!((n, sum, evens), (100, 5050, 50));
}

#[test]
fn enumerate_and_first_n_number_items_from_zero() {
    let firsts = feed(["x", "y", "z"], push::enumerate(aggregate::first_n(2))).unwrap();
    assert_eq!(firsts, vec![(0, "x"), (1, "y")]);
}

/// "client bytes" access-log lines, split into a borrowed client and its byte count.
fn client_bytes(line: &[u8]) -> Option<(&[u8], u64)> {
    let space = line.iter().position(|&b| b == b' ')?;
    let bytes = std::str::from_utf8(&line[space + 1..]).ok()?.parse().ok()?;
    Some((&line[..space], bytes))
}

#[test]
fn sum_by_key_then_top_ranks_bytes_per_client_in_one_pass() {
    let log = "10.0.0.3 700\n10.0.0.1 500\nbroken\n10.0.0.2 900\n10.0.0.1 400\n10.0.0.3 200\n\
               10.0.0.4 10\n";
    let (lines, (totals, top)) =
        LineSource::new(std::io::BufReader::with_capacity(5, log.as_bytes()))
            .push_into(push::broadcast((
                aggregate::count(),
                push::filter_map(
                    client_bytes,
                    push::broadcast((
                        aggregate::sum_by_key::<Vec<u8>, u64>(),
                        aggregate::sum_by_key::<Vec<u8>, u64>().top(3),
                    )),
                ),
            )))
            .unwrap();
    assert_eq!(lines, 7);
    assert_eq!(totals.len(), 4, "one entry per distinct client");
    assert_eq!(totals[&b"10.0.0.1"[..]], 900);
    assert_eq!(
        top,
        [
            (b"10.0.0.1".to_vec(), 900),
            (b"10.0.0.2".to_vec(), 900),
            (b"10.0.0.3".to_vec(), 900),
        ],
        "equal totals are ranked by key ascending"
    );
}

#[test]
fn top_keeps_only_n_and_ranks_largest_first() {
    let mut top = aggregate::sum_by_key::<String, u32>().top(2);
    for (key, value) in [("a", 1), ("b", 5), ("c", 3), ("a", 9), ("d", 4)] {
        top.send((key, value)).unwrap();
    }
    assert_eq!(
        top.close().unwrap(),
        [("a".to_string(), 10), ("b".to_string(), 5)]
    );
    let empty = aggregate::sum_by_key::<String, u32>().top(0);
    assert_eq!(feed([("x", 1)], empty).unwrap(), []);
    let counted = feed(
        ["db", "web", "db", "auth", "web", "db"],
        aggregate::count_by_key::<String>().top(10),
    )
    .unwrap();
    assert_eq!(
        counted,
        [
            ("db".to_string(), 3),
            ("web".to_string(), 2),
            ("auth".to_string(), 1)
        ]
    );
}

#[test]
fn sum_by_key_as_a_coroutine_sink_returns_its_ranking_on_close() {
    let mut busiest = push::into_co(aggregate::sum_by_key::<String, u64>().top(1));
    busiest.start().unwrap();
    busiest.send(("GET /", 20)).unwrap();
    busiest.send(("POST /upload", 50)).unwrap();
    busiest.send(("GET /", 40)).unwrap();
    assert_eq!(
        busiest.close().unwrap(),
        Some(vec![("GET /".to_string(), 60)])
    );
}
