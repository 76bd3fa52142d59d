//! Pull pipelines: laziness, early stop closing every stage innermost first, line sources,
//! and `futures::Stream` in and out.
#![feature(coroutines)]

use futures::{executor::block_on, stream, StreamExt};
use std::cell::RefCell;
use std::convert::Infallible;
use std::io::{self, BufRead, Read};
use std::rc::Rc;
use volley_core::{co_yield, Body, Co, Exit, Gen, Resume, State};
use volley_flow::pipeline::pull::{self, Upstream};
use volley_flow::pipeline::LineSource;

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
    let outer = Co::new(recording_try("outer", numbers, journal.clone()));
    let firsts: Vec<u32> = outer.into_try_iter().take(2).map(Result::unwrap).collect();
    assert_eq!(firsts, [3, 5]);
    assert_eq!(*journal.borrow(), ["reader dropped", "closed outer"]);
}

/// [`recording`] for an upstream that may raise: records "raised NAME" when the upstream's
/// error passes through, after dropping the upstream.
fn recording_try<U, M>(
    name: &'static str,
    upstream: U,
    journal: Journal,
) -> impl Body<(), U::Item, (), U::Error>
where
    U: Upstream<M>,
{
    #[coroutine]
    move |_: Resume<(), U::Error>| {
        let mut upstream = upstream.into_source();
        while let Some(item) = upstream.next() {
            match item {
                Ok(item) => {
                    if let Err(exit) = co_yield!(item) {
                        drop(upstream);
                        journal.borrow_mut().push(format!("closed {name}"));
                        return Err(exit);
                    }
                }
                Err(error) => {
                    drop(upstream);
                    journal.borrow_mut().push(format!("raised {name}"));
                    return Err(Exit::Raised(error));
                }
            }
        }
        journal.borrow_mut().push(format!("done {name}"));
        Ok(())
    }
}

/// A reader that hands out its bytes, then fails, and records when it is dropped.
struct BreakingReader {
    data: &'static [u8],
    journal: Journal,
}

impl Read for BreakingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "disk on fire"));
        }
        self.data.read(buf)
    }
}

impl Drop for BreakingReader {
    fn drop(&mut self) {
        self.journal.borrow_mut().push("reader dropped".into());
    }
}

#[test]
fn an_io_error_mid_file_reaches_the_loop_through_two_stages_innermost_first() {
    let journal = Journal::default();
    let reader = io::BufReader::with_capacity(
        4,
        BreakingReader {
            data: b"1\n2\nx\n3\n4",
            journal: journal.clone(),
        },
    );
    let numbers = LineSource::new(reader)
        .filter_map(|line| std::str::from_utf8(line).ok()?.parse::<u32>().ok());
    let inner = Co::new(recording_try("inner", numbers, journal.clone()));
    let odd = pull::filter(inner, |n| n % 2 == 1);
    let outer = Co::new(recording_try("outer", odd, journal.clone()));
    let squares = pull::map(outer, |n| n * n);

    let mut seen = Vec::new();
    let mut failure = None;
    for item in squares.into_try_iter() {
        match item {
            Ok(n) => seen.push(n),
            Err(error) => failure = Some(error),
        }
    }
    assert_eq!(seen, [1, 9], "every line before the failure came through");
    let error = failure.expect("the read error reaches the loop");
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(error.to_string(), "disk on fire");
    assert_eq!(
        *journal.borrow(),
        ["reader dropped", "raised inner", "raised outer"],
        "the error finished every stage, innermost first"
    );
}

#[test]
fn a_raising_upstream_ends_try_iter_after_one_err() {
    let broken = Co::new(
        #[coroutine]
        |_: Resume<(), String>| {
            co_yield!(1)?;
            co_yield!(2)?;
            Err::<(), _>(Exit::Raised("broken".to_string()))
        },
    );
    let mut stage = pull::filter_map(broken, |n| (n > 1).then_some(n * 100));
    let items: Vec<_> = stage.try_iter().collect();
    assert_eq!(items, [Ok(200), Err("broken".to_string())]);
    assert_eq!(stage.state(), State::Closed);
    assert!(stage.try_iter().next().is_none());
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

/// A stream that is pending on its first poll, hands its waker to the test, and is ready after.
struct WakeOnce {
    waker_out: Option<std::sync::mpsc::Sender<std::task::Waker>>,
    items: std::vec::IntoIter<u32>,
}

impl futures::Stream for WakeOnce {
    type Item = u32;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u32>> {
        match self.waker_out.take() {
            Some(out) => {
                out.send(cx.waker().clone()).unwrap();
                std::task::Poll::Pending
            }
            None => std::task::Poll::Ready(self.items.next()),
        }
    }
}

#[test]
fn from_stream_wakes_the_thread_it_was_moved_to() {
    let (waker_tx, waker_rx) = std::sync::mpsc::channel();
    let source = pull::from_stream(WakeOnce {
        waker_out: Some(waker_tx),
        items: vec![1, 2, 3].into_iter(),
    });
    // Made on this thread, consumed on another one.
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let consumer = std::thread::spawn(move || {
        let items: Vec<u32> = source.into_iter().collect();
        done_tx.send(items).unwrap();
    });
    let waker = waker_rx.recv().expect("the consumer polled the stream");
    waker.wake();
    // A waker aimed at the thread that made the source would leave the consumer parked for
    // good; the generous bound only keeps a regression from hanging the test run.
    let items = done_rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the consumer thread was woken and finished");
    assert_eq!(items, [1, 2, 3]);
    consumer.join().unwrap();
}

#[test]
fn a_try_stream_raises_its_first_error_through_the_stages() {
    let replies = stream::iter([Ok(3), Err(io::ErrorKind::ConnectionReset), Ok(4)]);
    let source = pull::from_try_stream(replies);
    let mut tripled = pull::map(source, |n| n * 3);
    let got: Vec<_> = tripled.try_iter().collect();
    assert_eq!(got, [Ok(9), Err(io::ErrorKind::ConnectionReset)]);
}

#[test]
fn a_borrowed_upstream_keeps_its_return_value_and_its_error_reaches_the_loop() {
    let mut lines = LineSource::new(&b"3\nx\n4\n"[..])
        .filter_map(|line| std::str::from_utf8(line).ok()?.parse::<u32>().ok());
    let total: u32 = pull::map(&mut lines, |n| n * 10)
        .into_try_iter()
        .map(Result::unwrap)
        .sum();
    assert_eq!(total, 70);
    assert_eq!(lines.take_return(), Some(3), "every line was read");

    let journal = Journal::default();
    let mut broken = LineSource::new(io::BufReader::with_capacity(
        2,
        BreakingReader {
            data: b"5\n",
            journal: journal.clone(),
        },
    ))
    .into_lines();
    let items: Vec<_> = pull::map(&mut broken, |line| line.len())
        .into_try_iter()
        .collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap(), &1);
    assert_eq!(items[1].as_ref().unwrap_err().to_string(), "disk on fire");
    assert_eq!(broken.state(), State::Closed);
    assert_eq!(
        broken.take_return(),
        None,
        "a source that raised returns nothing"
    );
}
