//! Pull pipelines: laziness, early stop closing every stage innermost first, line sources,
//! and `futures::Stream` in and out.
#![feature(coroutines)]

use futures::{executor::block_on, stream, StreamExt};
use std::cell::RefCell;
use std::convert::Infallible;
use std::io::{self, BufRead, Read};
use std::rc::Rc;
use volley::pipeline::{pull, LineSource};
use volley::{co_yield, Co, Exit, Gen, Resume, State};

type Journal = Rc<RefCell<Vec<String>>>;

/// A stage that passes items through and records how it ended: "closed NAME" when closed
/// early, "done NAME" when its upstream ran out. It closes its upstream before recording, so
/// the journal shows the order in which cleanups ran.
fn recording<I>(name: &'static str, upstream: I, journal: Journal) -> impl Gen<I::Item>
where
    I: IntoIterator,
{
    #[coroutine]
    move |_: Resume<(), Infallible>| {
        let mut upstream = upstream.into_iter();
        while let Some(item) = upstream.next() {
            if let Err(exit) = co_yield!(item) {
                drop(upstream);
                journal.borrow_mut().push(format!("closed {name}"));
                return Err(exit);
            }
        }
        journal.borrow_mut().push(format!("done {name}"));
        Ok(())
    }
}

/// source -> filter -> recording("inner") -> map -> recording("outer")
fn chain(journal: &Journal) -> impl Iterator<Item = u32> {
    let source = Co::new(recording("source", 1..=1_000_000u32, journal.clone()));
    let odd = pull::filter(source, |n| n % 2 == 1);
    let inner = Co::new(recording("inner", odd, journal.clone()));
    let squared = pull::map(inner, |n| n * n);
    Co::new(recording("outer", squared, journal.clone())).into_iter()
}

fn closes_innermost_first(journal: &Journal) {
    assert_eq!(
        *journal.borrow(),
        ["closed source", "closed inner", "closed outer"]
    );
}

#[test]
fn take_closes_every_stage_innermost_first() {
    let journal = Journal::default();
    let first: Vec<u32> = chain(&journal).take(3).collect();
    assert_eq!(first, [1, 9, 25]);
    closes_innermost_first(&journal);
}

#[test]
fn break_closes_every_stage_innermost_first() {
    let journal = Journal::default();
    for n in chain(&journal) {
        if n > 50 {
            break;
        }
    }
    closes_innermost_first(&journal);
}

#[test]
fn dropping_a_started_pipeline_closes_every_stage_innermost_first() {
    let journal = Journal::default();
    let mut items = chain(&journal);
    assert_eq!(items.next(), Some(1));
    assert!(
        journal.borrow().is_empty(),
        "nothing closes while the pipeline is in use"
    );
    drop(items);
    closes_innermost_first(&journal);
}

#[test]
fn running_to_the_end_finishes_every_stage_innermost_first() {
    let journal = Journal::default();
    let source = Co::new(recording("source", 1..=4u32, journal.clone()));
    let outer = Co::new(recording(
        "outer",
        pull::filter(source, |n| n % 2 == 0),
        journal.clone(),
    ));
    assert_eq!(outer.into_iter().collect::<Vec<_>>(), [2, 4]);
    assert_eq!(*journal.borrow(), ["done source", "done outer"]);
}

#[test]
fn stages_are_lazy() {
    let pulled = Rc::new(RefCell::new(0));
    let counter = pulled.clone();
    let source = (0..).inspect(move |_| *counter.borrow_mut() += 1);
    let mut evens = pull::filter(source, |n| n % 2 == 0);
    assert_eq!(*pulled.borrow(), 0, "creating a stage pulls nothing");
    assert_eq!(evens.start().unwrap().yielded(), Some(0));
    assert_eq!(evens.send(()).unwrap().yielded(), Some(2));
    assert_eq!(*pulled.borrow(), 3);
}

/// A reader that records when it is dropped, to show the source's cleanup runs too.
struct RecordingReader {
    inner: &'static [u8],
    journal: Journal,
}

impl Read for RecordingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Drop for RecordingReader {
    fn drop(&mut self) {
        self.journal.borrow_mut().push("reader dropped".into());
    }
}

#[test]
fn a_line_source_filter_map_stops_early_and_drops_its_reader_first() {
    let journal = Journal::default();
    let reader = io::BufReader::with_capacity(
        4,
        RecordingReader {
            inner: b"3\nx\n5\n7\n9\n",
            journal: journal.clone(),
        },
    );
    let numbers = LineSource::new(reader)
        .filter_map(|line| std::str::from_utf8(line).ok()?.parse::<u32>().ok());
    let checked = numbers
        .into_try_iter()
        .map(|n| n.expect("reading a slice cannot fail"));
    let outer = Co::new(recording("outer", checked, journal.clone()));
    let firsts: Vec<u32> = outer.into_iter().take(2).collect();
    assert_eq!(firsts, [3, 5]);
    assert_eq!(*journal.borrow(), ["reader dropped", "closed outer"]);
}

#[test]
fn line_source_lines_are_owned_bytes_with_the_count_returned() {
    let mut lines = LineSource::new(&b"caf\xc3\xa9\r\n\xff\n\nlast"[..]).into_lines();
    let all: Vec<Vec<u8>> = lines.try_iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        all,
        [
            b"caf\xc3\xa9".to_vec(),
            b"\xff".to_vec(),
            vec![],
            b"last".to_vec()
        ]
    );
    assert_eq!(lines.take_return(), Some(4));
    assert_eq!(lines.state(), State::Closed);
}

/// A reader that fails after its first line.
struct FailingReader(bool);

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if std::mem::replace(&mut self.0, true) {
            return Err(io::Error::other("disk on fire"));
        }
        buf[..3].copy_from_slice(b"ok\n");
        Ok(3)
    }
}

#[test]
fn a_read_error_is_raised_not_swallowed() {
    let reader = io::BufReader::new(FailingReader(false));
    let mut items = LineSource::new(reader).into_lines().into_try_iter();
    assert_eq!(items.next().unwrap().unwrap(), b"ok");
    let error = items.next().unwrap().unwrap_err();
    assert_eq!(error.to_string(), "disk on fire");
    assert!(items.next().is_none());
}

#[test]
fn next_line_lends_lines_in_place() {
    let mut source = LineSource::new(io::BufReader::with_capacity(3, &b"ab\ncdefg\n\nh"[..]));
    let mut seen = Vec::new();
    while let Some(line) = source.next_line() {
        seen.push(String::from_utf8(line.unwrap().to_vec()).unwrap());
    }
    assert_eq!(seen, ["ab", "cdefg", "", "h"]);
    assert_eq!(source.lines_read(), 4);
    assert_eq!(source.into_inner().fill_buf().unwrap(), b"");
}

#[test]
fn a_stream_is_a_pull_source_and_a_pipeline_is_a_stream() {
    let source = pull::from_stream(stream::iter(1..=10));
    let pipeline = pull::map(pull::filter(source, |n| n % 3 == 0), |n| n * 10);
    let as_stream = pipeline.into_stream();
    let collected: Vec<Result<i32, Infallible>> = block_on(as_stream.collect());
    assert_eq!(collected, [Ok(30), Ok(60), Ok(90)]);
}

#[test]
fn pull_stages_pass_a_close_through_to_a_close_arm() {
    let journal = Journal::default();
    let log = journal.clone();
    let sink_like = Co::new(
        #[coroutine]
        move |_: Resume<(), Infallible>| {
            let mut upstream =
                pull::filter_map(["1", "x", "2", "3"], |s| s.parse::<u8>().ok()).into_iter();
            while let Some(n) = upstream.next() {
                if let Err(Exit::Closed) = co_yield!(n) {
                    drop(upstream);
                    log.borrow_mut().push("cleaned".to_string());
                    return Ok(0u8);
                }
            }
            Ok(1)
        },
    );
    let mut co = sink_like;
    assert_eq!(co.start().unwrap().yielded(), Some(1));
    assert_eq!(co.close(), Ok(Some(0)));
    assert_eq!(*journal.borrow(), ["cleaned"]);
}
