//! The server's calendar time (key deadlines, stream ids, `TIME`), read from its scheduler's
//! clock: the system clock on a real scheduler; on a simulated one, a fixed date plus the
//! virtual time elapsed, so expiries, ids and ages replay exactly with the seed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use volley_flow::sched::time::Clock;

/// Where a simulated server's calendar starts: 2026-01-01T00:00:00Z, in Unix milliseconds.
pub const SIMULATED_START_MILLIS: i64 = 1_767_225_600_000;

/// The source of the server's Unix time.
///
/// ```
/// use std::time::Duration;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::time::sleep;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_resp::server::{UnixClock, SIMULATED_START_MILLIS};
///
/// let mut sched = Scheduler::simulated(1);
/// let unix = UnixClock::of(&sched.clock());
/// assert_eq!(unix.millis(), SIMULATED_START_MILLIS);
/// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     yield_from!(sleep(Duration::from_secs(90)))?;
///     Ok(unix.millis())
/// }));
/// assert_eq!(sched.join(task).unwrap(), SIMULATED_START_MILLIS + 90_000);
///
/// // Apart from a simulation, the system clock.
/// assert!(UnixClock::system().millis() > SIMULATED_START_MILLIS);
/// ```
#[derive(Clone, Default)]
pub struct UnixClock {
    /// The virtual clock to count from [`SIMULATED_START_MILLIS`]; `None` for the system clock.
    simulated: Option<Clock>,
}

impl std::fmt::Debug for UnixClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.simulated {
            None => "UnixClock(system)",
            Some(_) => "UnixClock(simulated)",
        })
    }
}

impl UnixClock {
    /// The system clock.
    ///
    /// ```
    /// let now = volley_resp::server::UnixClock::system().since_epoch();
    /// assert!(now.as_secs() > 1_700_000_000);
    /// ```
    pub fn system() -> Self {
        UnixClock { simulated: None }
    }

    /// The calendar of a scheduler with this clock: the system clock for the wall clock,
    /// [`SIMULATED_START_MILLIS`] plus the elapsed time for virtual time.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_resp::server::UnixClock;
    /// assert!(UnixClock::of(&Scheduler::simulated(0).clock()).is_simulated());
    /// assert!(!UnixClock::of(&Scheduler::new().clock()).is_simulated());
    /// ```
    pub fn of(clock: &Clock) -> Self {
        UnixClock {
            simulated: clock.is_virtual().then(|| clock.clone()),
        }
    }

    /// Whether the time is virtual.
    ///
    /// ```
    /// assert!(!volley_resp::server::UnixClock::system().is_simulated());
    /// ```
    pub fn is_simulated(&self) -> bool {
        self.simulated.is_some()
    }

    /// The time since the Unix epoch.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_resp::server::UnixClock;
    /// let unix = UnixClock::of(&Scheduler::simulated(0).clock());
    /// assert_eq!(unix.since_epoch().as_secs(), 1_767_225_600);
    /// ```
    pub fn since_epoch(&self) -> Duration {
        match &self.simulated {
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
            Some(clock) => Duration::from_millis(SIMULATED_START_MILLIS as u64) + clock.elapsed(),
        }
    }

    /// Milliseconds since the Unix epoch, signed as key deadlines are kept.
    ///
    /// ```
    /// let unix = volley_resp::server::UnixClock::system();
    /// assert!(unix.millis() <= unix.millis());
    /// ```
    pub fn millis(&self) -> i64 {
        i64::try_from(self.since_epoch().as_millis()).unwrap_or(i64::MAX)
    }

    /// Milliseconds since the Unix epoch, for automatic stream ids.
    ///
    /// ```
    /// let unix = volley_resp::server::UnixClock::system();
    /// assert_eq!(unix.millis_u64() / 1000, unix.millis() as u64 / 1000);
    /// ```
    pub fn millis_u64(&self) -> u64 {
        self.millis().max(0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use volley_flow::sched::Scheduler;

    #[test]
    fn a_simulated_calendar_starts_at_its_fixed_date_whenever_it_runs() {
        let first = UnixClock::of(&Scheduler::simulated(1).clock());
        std::thread::sleep(Duration::from_millis(2));
        let second = UnixClock::of(&Scheduler::simulated(2).clock());
        assert_eq!(first.millis(), SIMULATED_START_MILLIS);
        assert_eq!(second.millis(), SIMULATED_START_MILLIS);
        assert_eq!(first.millis_u64(), SIMULATED_START_MILLIS as u64);
    }

    #[test]
    fn a_real_schedulers_calendar_is_the_system_clock() {
        let unix = UnixClock::of(&Scheduler::new().clock());
        let system = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let diff = unix.since_epoch().abs_diff(system);
        assert!(diff < Duration::from_secs(60), "{diff:?} apart");
        assert_eq!(format!("{unix:?}"), "UnixClock(system)");
    }
}
