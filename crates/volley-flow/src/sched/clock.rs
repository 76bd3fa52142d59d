//! A scheduler's clock: the monotonic wall clock, or virtual time that jumps to the next timer
//! as soon as every task waits.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A handle on a scheduler's clock, readable without a system call (SimPy's `env.now`).
///
/// A real scheduler ([`Scheduler::new`](super::Scheduler::new)) reads the monotonic clock; a
/// simulated one ([`Scheduler::simulated`](super::Scheduler::simulated)) keeps virtual time,
/// which starts at the scheduler's creation instant and moves only when every task waits: then
/// it jumps to the next timer. Either way instants are `std::time::Instant`s, so the same task
/// bodies (`sleep`, `sleep_until`, `timeout`, [`now`](super::time::now)) run on both.
///
/// Get one from [`Scheduler::clock`](super::Scheduler::clock) before spawning, or inside a
/// task from [`time::clock`](super::time::clock).
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::sleep;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let mut sched = Scheduler::simulated(1);
/// let clock = sched.clock();
/// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(sleep(Duration::from_secs(3600)))?; // an hour, in no time
///     Ok(clock.elapsed())
/// }));
/// assert_eq!(sched.join(task).unwrap(), Duration::from_secs(3600));
/// ```
#[derive(Clone)]
pub struct Clock {
    epoch: Instant,
    /// The virtual now; `None` for the wall clock.
    virtual_now: Option<Rc<VirtualTime>>,
}

/// Virtual time, shared by a simulated scheduler and its clock handles.
#[derive(Default)]
pub(crate) struct VirtualTime {
    /// Nanoseconds since the clock's epoch.
    now: Cell<u64>,
    /// While the scheduler resumes a task that nothing else could come before: the instant
    /// before which that task's sleep would end first (the next timer's, or the limit of
    /// `run_until`); 0 otherwise. See [`shortcut`](super::shortcut).
    horizon: Cell<u64>,
    /// Sleeps that ended at once through the shortcut.
    skipped: Cell<u64>,
}

impl VirtualTime {
    /// Sets the horizon for the task about to be resumed (0: none).
    #[inline]
    pub(crate) fn set_horizon(&self, horizon: u64) {
        self.horizon.set(horizon);
    }

    /// The horizon set for the task being resumed.
    pub(crate) fn horizon(&self) -> u64 {
        self.horizon.get()
    }

    /// Ends a sleep of `duration` nanoseconds at once if it would end before the horizon:
    /// whether it did.
    #[inline]
    pub(crate) fn try_skip(&self, duration: u64) -> bool {
        let at = self.now.get().saturating_add(duration);
        if at < self.horizon.get() {
            self.now.set(at);
            self.skipped.set(self.skipped.get() + 1);
            return true;
        }
        false
    }

    /// How many sleeps ended through the shortcut.
    pub(crate) fn skipped(&self) -> u64 {
        self.skipped.get()
    }
}

impl Clock {
    /// The wall clock, started now.
    pub(crate) fn real() -> Self {
        Clock {
            epoch: Instant::now(),
            virtual_now: None,
        }
    }

    /// Virtual time, starting now.
    pub(crate) fn simulated() -> Self {
        let epoch = Instant::now();
        Clock {
            epoch,
            virtual_now: Some(Rc::new(VirtualTime::default())),
        }
    }

    /// The current instant: the wall clock's, or the virtual one.
    ///
    /// ```
    /// let sched = volley_flow::sched::Scheduler::simulated(0);
    /// let clock = sched.clock();
    /// assert_eq!(clock.now(), clock.start());
    /// ```
    #[inline]
    pub fn now(&self) -> Instant {
        match &self.virtual_now {
            None => Instant::now(),
            Some(time) => self.epoch + Duration::from_nanos(time.now.get()),
        }
    }

    /// The instant the clock started (the scheduler's creation).
    ///
    /// ```
    /// let clock = volley_flow::sched::Scheduler::new().clock();
    /// assert!(clock.now() >= clock.start());
    /// ```
    pub fn start(&self) -> Instant {
        self.epoch
    }

    /// The time since the clock started: SimPy's `env.now`, as a duration.
    ///
    /// ```
    /// let clock = volley_flow::sched::Scheduler::simulated(0).clock();
    /// assert_eq!(clock.elapsed(), std::time::Duration::ZERO);
    /// ```
    #[inline]
    pub fn elapsed(&self) -> Duration {
        match &self.virtual_now {
            None => self.epoch.elapsed(),
            Some(time) => Duration::from_nanos(time.now.get()),
        }
    }

    /// [`elapsed`](Clock::elapsed) in seconds, as SimPy models count time.
    ///
    /// ```
    /// let clock = volley_flow::sched::Scheduler::simulated(0).clock();
    /// assert_eq!(clock.secs(), 0.0);
    /// ```
    #[inline]
    pub fn secs(&self) -> f64 {
        match &self.virtual_now {
            None => self.epoch.elapsed().as_secs_f64(),
            Some(time) => time.now.get() as f64 / 1e9,
        }
    }

    /// Whether this is virtual time.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// assert!(Scheduler::simulated(0).clock().is_virtual());
    /// assert!(!Scheduler::new().clock().is_virtual());
    /// ```
    pub fn is_virtual(&self) -> bool {
        self.virtual_now.is_some()
    }

    /// Moves virtual time forward to `to` (never back; the wall clock ignores it).
    pub(crate) fn advance(&self, to: Instant) {
        let to = super::timers::nanos(to.saturating_duration_since(self.epoch));
        self.advance_nanos(to);
    }

    /// Moves virtual time forward to `to` nanoseconds since the start (never back).
    #[inline]
    pub(crate) fn advance_nanos(&self, to: u64) {
        if let Some(time) = &self.virtual_now {
            if to > time.now.get() {
                time.now.set(to);
            }
        }
    }

    /// The shared virtual time; `None` for the wall clock.
    #[inline]
    pub(crate) fn virtual_time(&self) -> Option<&Rc<VirtualTime>> {
        self.virtual_now.as_ref()
    }

    /// Virtual time in nanoseconds since the start; `None` for the wall clock.
    #[inline]
    pub(crate) fn virtual_nanos(&self) -> Option<u64> {
        self.virtual_now.as_ref().map(|time| time.now.get())
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("virtual", &self.is_virtual())
            .field("elapsed", &self.elapsed())
            .finish()
    }
}

/// A point of simulated time given in seconds from the clock's start, as SimPy writes them.
///
/// ```
/// use std::time::Duration;
/// use volley_flow::sched::time::secs;
/// assert_eq!(secs(1.5), Duration::from_millis(1500));
/// assert_eq!(secs(-1.0), Duration::ZERO);
/// ```
#[inline]
pub fn secs(seconds: f64) -> Duration {
    match nanos_of_secs(seconds) {
        u64::MAX => Duration::MAX,
        nanos => Duration::from_nanos(nanos),
    }
}

/// `seconds` in whole nanoseconds, rounded, as the scheduler's clock counts them: 0 for a
/// negative length or NaN, `u64::MAX` (forever) for one too long to count (the cast
/// saturates).
#[inline]
pub(crate) fn nanos_of_secs(seconds: f64) -> u64 {
    (seconds * 1e9 + 0.5) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_to_the_nearest_nanosecond() {
        assert_eq!(nanos_of_secs(1.5), 1_500_000_000);
        assert_eq!(nanos_of_secs(0.000_000_000_4), 0);
        assert_eq!(nanos_of_secs(0.000_000_000_6), 1);
        assert_eq!(nanos_of_secs(2.25e-7), 225);
    }

    #[test]
    fn lengths_below_zero_or_not_a_number_are_none_and_lengths_too_long_are_forever() {
        assert_eq!(nanos_of_secs(-3.0), 0);
        assert_eq!(nanos_of_secs(f64::NAN), 0);
        assert_eq!(nanos_of_secs(f64::NEG_INFINITY), 0);
        assert_eq!(nanos_of_secs(f64::INFINITY), u64::MAX);
        assert_eq!(nanos_of_secs(1e300), u64::MAX);
        assert_eq!(secs(1e300), Duration::MAX);
    }
}
