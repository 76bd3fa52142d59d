//! The server's calendar time (key deadlines, stream ids, `TIME`), read from its scheduler's
//! clock: the system clock on a real scheduler; on a simulated one, a fixed date plus the
//! virtual time elapsed, so expiries, ids and ages replay exactly with the seed.
//!
//! While a command runs, its deadlines are measured at one instant, the command's start (as
//! Redis's command time snapshot): `SET k v PX 1` sets a deadline one millisecond after the
//! instant its own check of that deadline reads, however long the command takes, and the
//! commands of one `EXEC` see one time.

use std::cell::Cell;
use std::rc::Rc;
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
    /// The start of the command running now, shared by the clones (see [`UnixClock::freeze`]).
    command_time: Rc<Cell<Option<i64>>>,
}

/// While it lives, the [`UnixClock`] it came from reads the instant it was made (see
/// [`UnixClock::freeze`]).
pub(crate) struct CommandTime {
    command_time: Rc<Cell<Option<i64>>>,
    before: Option<i64>,
}

impl Drop for CommandTime {
    fn drop(&mut self) {
        self.command_time.set(self.before);
    }
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
        UnixClock::default()
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
            command_time: Rc::default(),
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

    /// The time since the Unix epoch, now (`TIME` reads it).
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

    /// Milliseconds since the Unix epoch, signed as key deadlines are kept: while a command
    /// runs, those of its start.
    ///
    /// ```
    /// let unix = volley_resp::server::UnixClock::system();
    /// assert!(unix.millis() <= unix.millis());
    /// ```
    pub fn millis(&self) -> i64 {
        self.command_time
            .get()
            .unwrap_or_else(|| self.live_millis())
    }

    /// Milliseconds since the Unix epoch now, whatever command runs.
    fn live_millis(&self) -> i64 {
        i64::try_from(self.since_epoch().as_millis()).unwrap_or(i64::MAX)
    }

    /// Holds [`millis`](UnixClock::millis) (on this clock and its clones) at the current
    /// instant until the guard is dropped; a freeze inside a freeze keeps the outer instant.
    pub(crate) fn freeze(&self) -> CommandTime {
        let before = self.command_time.get();
        if before.is_none() {
            self.command_time.set(Some(self.live_millis()));
        }
        CommandTime {
            command_time: Rc::clone(&self.command_time),
            before,
        }
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
    fn a_frozen_clock_and_its_clones_read_the_instant_of_the_freeze_until_it_ends() {
        let mut sched = Scheduler::simulated(3);
        let unix = UnixClock::of(&sched.clock());
        let clone = unix.clone();
        let task = sched.spawn(volley_core::Co::new(
            #[coroutine]
            move |_: volley_flow::sched::TaskResume| {
                let outer = unix.freeze();
                volley_core::yield_from!(volley_flow::sched::time::sleep(Duration::from_millis(
                    5
                )))?;
                let inner = unix.freeze();
                let frozen = (clone.millis(), unix.millis_u64());
                drop(inner);
                let still = clone.millis();
                drop(outer);
                Ok((frozen, still, clone.millis(), unix.since_epoch()))
            },
        ));
        let ((frozen, frozen_u64), still, thawed, live) = sched.join(task).unwrap();
        assert_eq!(frozen, SIMULATED_START_MILLIS, "the outer freeze holds");
        assert_eq!(frozen_u64, SIMULATED_START_MILLIS as u64);
        assert_eq!(
            still, SIMULATED_START_MILLIS,
            "ending the inner one keeps the outer"
        );
        assert_eq!(thawed, SIMULATED_START_MILLIS + 5);
        assert_eq!(
            live.as_millis() as i64,
            SIMULATED_START_MILLIS + 5,
            "TIME reads now"
        );
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
