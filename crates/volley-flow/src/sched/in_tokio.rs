//! A Volley scheduler inside a tokio program (feature `tokio`): [`Scheduler::run_async`] runs
//! the ready tasks, and when none is, awaits the scheduler's poller (through tokio's reactor)
//! and its next timer (with tokio's timers) instead of blocking the thread.

use super::scheduler::Outlook;
use super::{SchedError, Scheduler};
use std::future::{poll_fn, Future};
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::pin::pin;
use std::task::Poll;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// A handle on the scheduler's poller that owns a duplicate of its descriptor: what tokio's
/// reactor watches. It is closed only when the `AsyncFd` holding it is dropped, after tokio
/// deregistered it, so the descriptor tokio watches stays valid.
struct PollerFd(mio::Registry);

impl AsRawFd for PollerFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

impl Scheduler {
    /// Runs tasks until none is left, as a future: the way to run a scheduler inside a tokio
    /// program, beside other async code on the same thread (in a `LocalSet`, or a
    /// current-thread runtime's `block_on`, since a scheduler is not `Send`).
    ///
    /// It runs one round of the ready tasks at a time and lets other tokio tasks run between
    /// rounds. When no task is ready it does not block the thread: it awaits the scheduler's
    /// poller becoming readable (registered with tokio's reactor: a socket a task waits on, or
    /// the waker of a future a task awaits) and the next timer (with `tokio::time`). So it
    /// needs a tokio runtime with IO and time enabled (`enable_all()`, as `#[tokio::main]`
    /// and `#[tokio::test]` build): outside any runtime it fails with [`SchedError::Io`]
    /// (`Unsupported`), and in a runtime without IO or time it panics, as tokio's own types
    /// do. Errors as [`run`](Scheduler::run) otherwise, with one difference: tasks that wait
    /// on channels or wait lists with no socket, future or timer left are no deadlock here,
    /// as async code may still wake them ([`Channel::try_send`](super::sync::Channel::try_send)
    /// and [`try_recv`](super::sync::Channel::try_recv) from async code on the same thread
    /// wake the scheduler); the future then stays pending. Async code awaits a task's outcome
    /// by awaiting its [`JoinHandle`](super::JoinHandle).
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::time::sleep;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    ///
    /// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    /// runtime.block_on(async {
    ///     let mut sched = Scheduler::new();
    ///     let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
    ///         yield_from!(sleep(Duration::from_millis(5)))?;
    ///         Ok("volley")
    ///     }));
    ///     // Async code on the same thread runs while the task sleeps.
    ///     let other = async {
    ///         tokio::time::sleep(Duration::from_millis(1)).await;
    ///         "tokio"
    ///     };
    ///     let (ran, other, outcome) = tokio::join!(sched.run_async(), other, task);
    ///     ran.unwrap();
    ///     assert_eq!((other, outcome.unwrap()), ("tokio", "volley"));
    /// });
    /// ```
    pub async fn run_async(&mut self) -> Result<(), SchedError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(SchedError::Io(io::Error::new(
                io::ErrorKind::Unsupported,
                "run_async needs a tokio runtime (with IO and time enabled)",
            )));
        }
        let handle = PollerFd(self.poller_handle()?);
        // The safe constructor (the other is `unsafe`, which this crate forbids): sound here,
        // as `PollerFd` owns its descriptor (see above).
        #[allow(deprecated)]
        let poller = AsyncFd::with_interest(handle, Interest::READABLE).map_err(SchedError::Io)?;
        let deferred = self.deferred_wakes();
        loop {
            match self.turn()? {
                Outlook::Finished => return Ok(()),
                Outlook::Ready => tokio::task::yield_now().await,
                Outlook::Wait(deadline) => {
                    let mut readable = pin!(poller.readable());
                    let mut timer =
                        deadline.map(|at| Box::pin(tokio::time::sleep_until(at.into())));
                    let woke = poll_fn(|cx| {
                        // A wake asked for from outside (`try_send` from async code) wakes us.
                        deferred.wake_on_push(Some(cx.waker().clone()));
                        if !deferred.is_empty() {
                            return Poll::Ready(None);
                        }
                        if let Poll::Ready(ready) = readable.as_mut().poll(cx) {
                            return Poll::Ready(Some(ready));
                        }
                        match timer.as_mut().map(|timer| timer.as_mut().poll(cx)) {
                            Some(Poll::Ready(())) => Poll::Ready(None),
                            _ => Poll::Pending,
                        }
                    })
                    .await;
                    deferred.wake_on_push(None);
                    if let Some(ready) = woke {
                        // The next turn polls the poller without waiting, which drains it;
                        // new events make it readable again.
                        ready.map_err(SchedError::Io)?.clear_ready();
                    }
                }
            }
        }
    }
}
