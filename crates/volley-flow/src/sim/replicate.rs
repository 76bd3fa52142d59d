//! Independent replications of a seeded simulation on several threads, summarised as a mean
//! with a confidence interval.

use std::fmt;
use std::num::NonZeroUsize;

/// The results of N replications: each seed's value, their mean and a 95% confidence
/// interval (Student's t).
///
/// ```
/// use volley_flow::sim::Replications;
/// let r = Replications::from_values(vec![(1, 2.0), (2, 4.0), (3, 6.0)]);
/// assert_eq!(r.mean(), 4.0);
/// assert!((r.half_width() - 4.968).abs() < 0.01);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Replications {
    /// `(seed, value)` of each replication, in seed order.
    values: Vec<(u64, f64)>,
}

impl Replications {
    /// Summarises `(seed, value)` pairs (sorted by seed here).
    ///
    /// ```
    /// let r = volley_flow::sim::Replications::from_values(vec![(2, 1.0), (1, 3.0)]);
    /// assert_eq!(r.values()[0], (1, 3.0));
    /// ```
    pub fn from_values(mut values: Vec<(u64, f64)>) -> Self {
        values.sort_by_key(|(seed, _)| *seed);
        Replications { values }
    }

    /// `(seed, value)` of each replication, in seed order.
    ///
    /// ```
    /// let r = volley_flow::sim::Replications::from_values(vec![(1, 3.0)]);
    /// assert_eq!(r.values(), &[(1, 3.0)]);
    /// ```
    pub fn values(&self) -> &[(u64, f64)] {
        &self.values
    }

    /// The mean of the values (NaN for none).
    ///
    /// ```
    /// let r = volley_flow::sim::Replications::from_values(vec![(1, 1.0), (2, 2.0)]);
    /// assert_eq!(r.mean(), 1.5);
    /// ```
    pub fn mean(&self) -> f64 {
        self.values.iter().map(|(_, v)| v).sum::<f64>() / self.values.len() as f64
    }

    /// The sample standard deviation (0 for fewer than two values).
    ///
    /// ```
    /// let r = volley_flow::sim::Replications::from_values(vec![(1, 1.0), (2, 3.0)]);
    /// assert!((r.std_dev() - 2f64.sqrt()).abs() < 1e-12);
    /// ```
    pub fn std_dev(&self) -> f64 {
        let n = self.values.len();
        if n < 2 {
            return 0.0;
        }
        let mean = self.mean();
        let squares: f64 = self.values.iter().map(|(_, v)| (v - mean).powi(2)).sum();
        (squares / (n - 1) as f64).sqrt()
    }

    /// Half the width of the 95% confidence interval of the mean: the mean is
    /// `mean() ± half_width()` (infinite for fewer than two values).
    ///
    /// ```
    /// let r = volley_flow::sim::Replications::from_values(vec![(1, 5.0)]);
    /// assert!(r.half_width().is_infinite());
    /// ```
    pub fn half_width(&self) -> f64 {
        let n = self.values.len();
        if n < 2 {
            return f64::INFINITY;
        }
        t_975(n - 1) * self.std_dev() / (n as f64).sqrt()
    }
}

impl fmt::Display for Replications {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.6} ± {:.6} (95% CI, {} replications)",
            self.mean(),
            self.half_width(),
            self.values.len()
        )
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (table to 30, then the
/// normal approximation with a first-order correction).
fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => 1.959_964 + 2.4 / df as f64,
    }
}

/// Runs `replications` independent simulations, one per seed `first_seed`,
/// `first_seed + 1`, ..., on `threads` threads (each thread builds its own schedulers: they
/// are not `Send`), and summarises the value each returns. The result depends only on the
/// seeds, never on the number of threads.
///
/// ```
/// use std::num::NonZeroUsize;
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::random_f64;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_flow::sim::replicate;
///
/// let draw = |seed| {
///     let mut sched = Scheduler::simulated(seed);
///     let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(random_f64())?)));
///     sched.join(task).unwrap()
/// };
/// let one = replicate(40, 1, NonZeroUsize::new(1).unwrap(), draw);
/// let two = replicate(40, 1, NonZeroUsize::new(2).unwrap(), draw);
/// assert_eq!(one, two);
/// assert!((one.mean() - 0.5).abs() < 3.0 * one.half_width());
/// ```
pub fn replicate<F>(
    replications: u64,
    first_seed: u64,
    threads: NonZeroUsize,
    run: F,
) -> Replications
where
    F: Fn(u64) -> f64 + Sync,
{
    let threads = threads.get().min(replications.max(1) as usize);
    let next = std::sync::atomic::AtomicU64::new(0);
    let run = &run;
    let next = &next;
    let values = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= replications {
                            return mine;
                        }
                        let seed = first_seed.wrapping_add(i);
                        mine.push((seed, run(seed)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(values) => values,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    Replications::from_values(values)
}

/// The number of threads the machine offers (1 if unknown).
///
/// ```
/// assert!(volley_flow::sim::available_threads().get() >= 1);
/// ```
pub fn available_threads() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}
