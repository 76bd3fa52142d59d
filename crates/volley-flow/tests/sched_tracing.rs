//! Every task runs inside a `tracing` span carrying its id and name, and a failing task is
//! reported with `tracing::error!` inside that span.
#![feature(coroutines)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use volley::sched::{Scheduler, TaskError, TaskResult};
use volley::task;

#[task]
fn greeter() -> TaskResult {
    tracing::info!("hello from inside");
    Ok(())
}

#[task]
fn doomed() -> TaskResult {
    Err(TaskError::msg("bad input").into())
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn task_events_carry_the_task_span_and_failures_are_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let mut sched = Scheduler::new();
        sched.spawn(greeter()).detach();
        sched.spawn(doomed()).detach();
        sched.run().unwrap();
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let hello = text
        .lines()
        .find(|l| l.contains("hello from inside"))
        .expect(&text);
    assert!(hello.contains("task{id=1 name=\"greeter\"}"), "{hello}");
    let failure = text
        .lines()
        .find(|l| l.contains("task failed"))
        .expect(&text);
    assert!(failure.contains("ERROR"), "{failure}");
    assert!(failure.contains("task{id=2 name=\"doomed\"}"), "{failure}");
    assert!(failure.contains("bad input"), "{failure}");
}
