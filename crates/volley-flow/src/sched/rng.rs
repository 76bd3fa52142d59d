//! The scheduler's seeded random numbers: xoshiro256++ seeded through SplitMix64, so every
//! seed (zero included) gives a full-period stream, and the same seed gives the same stream on
//! every platform.

use std::cell::RefCell;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::rc::Rc;

/// A small, fast, seeded pseudo-random generator (xoshiro256++). Not for cryptography.
///
/// A [`Scheduler`](super::Scheduler) owns one and hands its numbers to tasks through
/// [`rand::random_u64`](super::rand::random_u64) and friends; it is public so models can draw
/// from their own streams too.
///
/// ```
/// use volley_flow::sched::rand::Rng;
/// let mut a = Rng::seeded(7);
/// let mut b = Rng::seeded(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let x = a.next_f64();
/// assert!((0.0..1.0).contains(&x));
/// ```
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose stream is fixed by `seed`.
    ///
    /// ```
    /// use volley_flow::sched::rand::Rng;
    /// assert_ne!(Rng::seeded(1).next_u64(), Rng::seeded(2).next_u64());
    /// ```
    pub fn seeded(seed: u64) -> Self {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// A seed drawn from the process's hash randomness: different at each run.
    ///
    /// ```
    /// let seed = volley_flow::sched::rand::Rng::fresh_seed();
    /// let _ = volley_flow::sched::rand::Rng::seeded(seed);
    /// ```
    pub fn fresh_seed() -> u64 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(0x5EED);
        hasher.finish()
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// let mut rng = volley_flow::sched::rand::Rng::seeded(0);
    /// assert_ne!(rng.next_u64(), rng.next_u64());
    /// ```
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        let result = s0.wrapping_add(*s3).rotate_left(23).wrapping_add(*s0);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    ///
    /// ```
    /// let mut rng = volley_flow::sched::rand::Rng::seeded(3);
    /// assert!((0..1000).map(|_| rng.next_f64()).all(|x| (0.0..1.0).contains(&x)));
    /// ```
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// An exponentially distributed number with the given rate (mean `1 / rate`): the time
    /// to the next event of a Poisson process.
    ///
    /// ```
    /// let mut rng = volley_flow::sched::rand::Rng::seeded(5);
    /// let mean = (0..100_000).map(|_| rng.exponential(2.0)).sum::<f64>() / 100_000.0;
    /// assert!((mean - 0.5).abs() < 0.01);
    /// ```
    #[inline]
    pub fn exponential(&mut self, rate: f64) -> f64 {
        exponential(self.next_u64(), rate)
    }

    /// A uniform number in `[low, high)`.
    ///
    /// ```
    /// let mut rng = volley_flow::sched::rand::Rng::seeded(9);
    /// let x = rng.uniform(10.0, 20.0);
    /// assert!((10.0..20.0).contains(&x));
    /// ```
    #[inline]
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }

    /// A uniform integer in `[0, n)` (0 when `n` is 0).
    ///
    /// ```
    /// let mut rng = volley_flow::sched::rand::Rng::seeded(11);
    /// assert!((0..100).all(|_| rng.below(6) < 6));
    /// ```
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        below(self.next_u64(), n)
    }

    /// A normally distributed number (Box-Muller, two draws per number).
    ///
    /// ```
    /// let mut rng = volley_flow::sched::rand::Rng::seeded(2);
    /// let mean = (0..10_000).map(|_| rng.normal(-3.0, 1.0)).sum::<f64>() / 10_000.0;
    /// assert!((mean + 3.0).abs() < 0.05);
    /// ```
    pub fn normal(&mut self, mean: f64, std_dev: f64) -> f64 {
        let u1 = 1.0 - self.next_f64(); // (0, 1]: a finite logarithm
        let u2 = self.next_f64();
        mean + std_dev * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// A handle on a scheduler's random numbers, drawn without a system call: tasks that draw
/// often take one with [`rand::rng`](super::rand::rng) (or
/// [`Scheduler::rng`](super::Scheduler::rng)) and draw from it. Draws from the handle and
/// through the system calls come from the same seeded stream, in the order they are made.
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::rand::rng;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// let run = |seed| {
///     let mut sched = Scheduler::simulated(seed);
///     let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///         let rng = yield_from!(rng())?;
///         Ok((0..3).map(|_| rng.below(10)).collect::<Vec<_>>())
///     }));
///     sched.join(task).unwrap()
/// };
/// assert_eq!(run(4), run(4));
/// ```
#[derive(Clone)]
pub struct SharedRng(Rc<RefCell<Rng>>);

impl SharedRng {
    pub(crate) fn seeded(seed: u64) -> Self {
        SharedRng(Rc::new(RefCell::new(Rng::seeded(seed))))
    }

    pub(crate) fn reseed(&self, seed: u64) {
        *self.0.borrow_mut() = Rng::seeded(seed);
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// let rng = volley_flow::sched::Scheduler::simulated(1).rng();
    /// assert_ne!(rng.next_u64(), rng.next_u64());
    /// ```
    #[inline]
    pub fn next_u64(&self) -> u64 {
        self.0.borrow_mut().next_u64()
    }

    /// A uniform number in `[0, 1)`.
    ///
    /// ```
    /// let rng = volley_flow::sched::Scheduler::simulated(1).rng();
    /// assert!((0.0..1.0).contains(&rng.next_f64()));
    /// ```
    #[inline]
    pub fn next_f64(&self) -> f64 {
        unit(self.next_u64())
    }

    /// An exponential number with this rate (mean `1 / rate`).
    ///
    /// ```
    /// let rng = volley_flow::sched::Scheduler::simulated(1).rng();
    /// assert!(rng.exponential(1.0) >= 0.0);
    /// ```
    #[inline]
    pub fn exponential(&self, rate: f64) -> f64 {
        exponential(self.next_u64(), rate)
    }

    /// A uniform number in `[low, high)`.
    ///
    /// ```
    /// let rng = volley_flow::sched::Scheduler::simulated(1).rng();
    /// assert!((2.0..3.0).contains(&rng.uniform(2.0, 3.0)));
    /// ```
    #[inline]
    pub fn uniform(&self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }

    /// A uniform integer in `[0, n)`.
    ///
    /// ```
    /// let rng = volley_flow::sched::Scheduler::simulated(1).rng();
    /// assert!(rng.below(3) < 3);
    /// ```
    #[inline]
    pub fn below(&self, n: u64) -> u64 {
        below(self.next_u64(), n)
    }

    /// A normally distributed number (Box-Muller, two draws per number).
    ///
    /// ```
    /// let rng = volley_flow::sched::Scheduler::simulated(1).rng();
    /// let mean = (0..10_000).map(|_| rng.normal(10.0, 2.0)).sum::<f64>() / 10_000.0;
    /// assert!((mean - 10.0).abs() < 0.1);
    /// ```
    pub fn normal(&self, mean: f64, std_dev: f64) -> f64 {
        let mut rng = self.0.borrow_mut();
        rng.normal(mean, std_dev)
    }
}

impl fmt::Debug for SharedRng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedRng")
    }
}

/// 64 random bits as a uniform number in `[0, 1)` (the top 53 bits).
#[inline]
pub(crate) fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// 64 random bits as an exponential number with this rate.
#[inline]
pub(crate) fn exponential(bits: u64, rate: f64) -> f64 {
    // 1 - u is in (0, 1]: its logarithm is finite.
    -(1.0 - unit(bits)).ln() / rate
}

/// 64 random bits as a uniform integer in `[0, n)`.
#[inline]
pub(crate) fn below(bits: u64, n: u64) -> u64 {
    ((bits as u128 * n as u128) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn same_seed_same_stream_other_seed_other_stream() {
        let a: Vec<u64> = {
            let mut r = Rng::seeded(42);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::seeded(42);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::seeded(43);
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn uniform_mean_is_a_half() {
        let mut r = Rng::seeded(1);
        let mean = (0..100_000).map(|_| r.next_f64()).sum::<f64>() / 100_000.0;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
    }
}
