//! Sleeps on virtual time that end without a switch.
//!
//! On virtual time, when the task being resumed is the only one that could do anything before
//! the next timer (no other task ready, no socket, future or deferred wake pending), a sleep
//! that ends before that timer is the next thing to happen: the scheduler would move the clock
//! and resume the same task at once. [`sleep`](super::time::sleep) does that itself: it moves
//! the clock and goes on, without yielding to the scheduler and back. What every task sees
//! (the clock, the order of events, the random stream) is the same either way.
//!
//! The scheduler publishes, for the length of each resume, the instant before which a sleep
//! of the resumed task ends first (its horizon, kept in the shared [`VirtualTime`]; 0 between
//! resumes); every way of running tasks (`run` and its kin, `run_once`, a turn of
//! `run_async`) installs the scheduler here for its length, so the helper finds the
//! scheduler that resumed it, also when one scheduler runs inside a task of another. A close
//! arm runs with the shortcut off: it cannot wait.

use super::clock::VirtualTime;
use super::waitlist::Deferred;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// The running simulated scheduler's time and deferred wakes.
pub(crate) struct Shortcut {
    pub(crate) time: Rc<VirtualTime>,
    pub(crate) deferred: Arc<Deferred>,
}

thread_local! {
    /// The simulated scheduler running on this thread, if any.
    static RUNNING: RefCell<Option<Shortcut>> = const { RefCell::new(None) };
}

/// The scheduler that ran on this thread before the current run (a scheduler may run inside a
/// task of another), put back when the run ends.
pub(crate) struct Installed(Option<Shortcut>);

/// Makes `shortcut` (a simulated scheduler's, or `None` for a real one) the running one until
/// the returned guard drops.
pub(crate) fn install(shortcut: Option<Shortcut>) -> Installed {
    Installed(RUNNING.with(|running| running.replace(shortcut)))
}

impl Drop for Installed {
    fn drop(&mut self) {
        let previous = self.0.take();
        // During the thread's teardown there is nothing left to restore.
        let _ = RUNNING.try_with(|running| running.replace(previous));
    }
}

/// Ends a sleep of `nanos` nanoseconds at once if, on virtual time, it would be the next
/// thing to happen: whether it did (otherwise the task yields the sleep to its scheduler).
#[inline]
pub(crate) fn try_sleep(nanos: u64) -> bool {
    RUNNING
        .try_with(|running| match &*running.borrow() {
            // A wake asked for without a system call (a `try_send`, a `Store::put`) makes
            // another task ready at the end of the round: then the sleep waits its turn.
            Some(shortcut) => shortcut.deferred.is_empty() && shortcut.time.try_skip(nanos),
            None => false,
        })
        .unwrap_or(false)
}

/// Runs `step` with the shortcut off: for a helper started ahead of the calls its caller
/// makes before forwarding the helper's first yield (the first contestant of a race, started
/// before its rival exists), whose sleep must wait for those calls.
pub(crate) fn off<R>(step: impl FnOnce() -> R) -> R {
    let held = RUNNING
        .try_with(|running| {
            running.borrow().as_ref().map(|shortcut| {
                let horizon = shortcut.time.horizon();
                shortcut.time.set_horizon(0);
                (shortcut.time.clone(), horizon)
            })
        })
        .ok()
        .flatten();
    let answer = step();
    if let Some((time, horizon)) = held {
        time.set_horizon(horizon);
    }
    answer
}
