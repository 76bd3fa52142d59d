//! [`Monitor`]: a time series of a quantity (a queue's length, a level), with its
//! time-weighted mean.

use crate::sched::time::Clock;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A time series: `(time in seconds since the clock's start, value)` samples, recorded when
/// the value changes. [`Resource`](super::Resource) and [`Container`](super::Container) record
/// their queue length or level into one when given it; models record their own with
/// [`record`](Monitor::record). Cloning makes another handle to the same series.
///
/// ```
/// use std::time::Duration;
/// use volley_flow::sched::Scheduler;
/// use volley_flow::sim::Monitor;
/// let mut sched = Scheduler::simulated(0);
/// let queue = Monitor::new(sched.clock());
/// queue.record(0.0);
/// sched.run_for(Duration::from_secs(1)).unwrap();
/// queue.record(4.0);
/// sched.run_for(Duration::from_secs(3)).unwrap();
/// assert_eq!(queue.samples(), [(0.0, 0.0), (1.0, 4.0)]);
/// // 0 for one second, then 4 for three: a mean of 3 over four seconds.
/// assert_eq!(queue.time_average(4.0), 3.0);
/// assert_eq!(queue.max(), Some(4.0));
/// ```
#[derive(Clone)]
pub struct Monitor {
    clock: Clock,
    samples: Rc<RefCell<Vec<(f64, f64)>>>,
}

impl Monitor {
    /// An empty series on `clock`'s time.
    ///
    /// ```
    /// let monitor = volley_flow::sim::Monitor::new(volley_flow::sched::Scheduler::simulated(0).clock());
    /// assert!(monitor.samples().is_empty());
    /// ```
    pub fn new(clock: Clock) -> Self {
        Monitor {
            clock,
            samples: Rc::default(),
        }
    }

    /// Records `value` at the clock's now. A second sample at the same instant replaces the
    /// first, and an unchanged value is not recorded again.
    ///
    /// ```
    /// let monitor = volley_flow::sim::Monitor::new(volley_flow::sched::Scheduler::simulated(0).clock());
    /// monitor.record(1.0);
    /// monitor.record(2.0); // same instant: replaces
    /// assert_eq!(monitor.samples(), [(0.0, 2.0)]);
    /// ```
    pub fn record(&self, value: f64) {
        let now = self.clock.secs();
        let mut samples = self.samples.borrow_mut();
        match samples.last_mut() {
            Some(last) if last.0 == now => {
                last.1 = value;
                let len = samples.len();
                if len >= 2 && samples[len - 2].1 == value {
                    samples.pop();
                }
            }
            Some(last) if last.1 == value => {}
            _ => samples.push((now, value)),
        }
    }

    /// The samples, oldest first.
    ///
    /// ```
    /// let monitor = volley_flow::sim::Monitor::new(volley_flow::sched::Scheduler::simulated(0).clock());
    /// monitor.record(5.0);
    /// assert_eq!(monitor.samples(), [(0.0, 5.0)]);
    /// ```
    pub fn samples(&self) -> Vec<(f64, f64)> {
        self.samples.borrow().clone()
    }

    /// The time-weighted mean of the value from the first sample until `until` (seconds
    /// since the clock's start): each value weighs as long as it held. NaN before any sample
    /// or for an empty span.
    ///
    /// ```
    /// let monitor = volley_flow::sim::Monitor::new(volley_flow::sched::Scheduler::simulated(0).clock());
    /// monitor.record(2.0);
    /// assert_eq!(monitor.time_average(10.0), 2.0);
    /// ```
    pub fn time_average(&self, until: f64) -> f64 {
        let samples = self.samples.borrow();
        let Some(&(start, _)) = samples.first() else {
            return f64::NAN;
        };
        let mut area = 0.0;
        for (i, &(at, value)) in samples.iter().enumerate() {
            let end = samples.get(i + 1).map_or(until, |next| next.0).min(until);
            if end > at {
                area += value * (end - at);
            }
        }
        area / (until - start)
    }

    /// The largest value recorded.
    ///
    /// ```
    /// let monitor = volley_flow::sim::Monitor::new(volley_flow::sched::Scheduler::simulated(0).clock());
    /// assert_eq!(monitor.max(), None);
    /// ```
    pub fn max(&self) -> Option<f64> {
        self.samples
            .borrow()
            .iter()
            .map(|&(_, v)| v)
            .reduce(f64::max)
    }
}

impl fmt::Debug for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Monitor")
            .field("samples", &self.samples.borrow().len())
            .finish()
    }
}
