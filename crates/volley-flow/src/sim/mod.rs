//! Discrete-event simulation in SimPy's terms, on a [`Scheduler::simulated`]: processes are
//! tasks, `yield env.timeout(t)` is `yield_from!(sleep_secs(t))?` (or `sleep(d)` for a
//! [`Duration`](std::time::Duration)), and the shared things processes queue for are here.
//!
//! | item | SimPy | what |
//! |---|---|---|
//! | [`Resource`] | `Resource`, `PriorityResource` | `capacity` units requested and released (a [`Grant`] releases on drop, so on kill too), first come first served or by priority |
//! | [`Container`] | `Container` | a level put into and got from, waiting for room or for enough |
//! | [`Store`] | `Store`, `FilterStore` | items put and got, waiting while full or empty, optionally filtered |
//! | [`Event`] | `env.event()` | triggered once by one process, waited for by any number |
//! | [`interrupt`], [`Interrupt`] | `process.interrupt(cause)`, `Interrupt` | an error thrown into a process, which it may catch and go on |
//! | [`Monitor`] | (a list of samples) | a time series of a queue length or level, with its time-weighted mean |
//! | `sched.run_until(t)` | `env.run(until=t)` | [`Scheduler::run_until`], [`Scheduler::run_for`] |
//! | [`net`] | | an in-memory network with seeded latency, resets and partitions, behind the [`Connection`](crate::sched::net::Connection) and [`Listener`](crate::sched::net::Listener) interface of real sockets: deterministic simulation testing of servers |
//! | [`replicate`] | (a loop over seeds) | N seeded runs on all cores, summarised as [`Replications`]: a mean with a 95% confidence interval |
//!
//! Everything here is a parked task underneath, so a process killed while it waits (a
//! reneging customer, a timeout, an interrupt it does not catch) leaves the line, and its
//! cleanup runs.
//!
//! ```
//! use std::time::Duration;
//! use volley_core::{yield_from, Co};
//! use volley_flow::sched::rand::exponential;
//! use volley_flow::sched::time::{clock, secs, sleep};
//! use volley_flow::sched::{Scheduler, TaskResume};
//! use volley_flow::sim::Store;
//!
//! // An M/M/1 queue: arrivals every 1/0.5 on average, service 1/1.0; mean wait 1.0.
//! let line: Store<Duration> = Store::unbounded();
//! let mut sched = Scheduler::simulated(7);
//! let arrivals = line.clone();
//! sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
//!     let clock = yield_from!(clock())?;
//!     for _ in 0..20_000 {
//!         yield_from!(sleep(secs(yield_from!(exponential(0.5))?)))?;
//!         yield_from!(arrivals.put(clock.elapsed()))?;
//!     }
//!     Ok(())
//! })).detach();
//! let server = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
//!     let clock = yield_from!(clock())?;
//!     let mut waited = 0.0;
//!     for _ in 0..20_000 {
//!         let arrived = yield_from!(line.get())?;
//!         waited += (clock.elapsed() - arrived).as_secs_f64();
//!         yield_from!(sleep(secs(yield_from!(exponential(1.0))?)))?;
//!     }
//!     Ok(waited / 20_000.0)
//! }));
//! let mean_wait = sched.join(server).unwrap();
//! assert!((mean_wait - 1.0).abs() < 0.15, "{mean_wait}");
//! ```
//!
//! [`Scheduler::simulated`]: crate::sched::Scheduler::simulated
//! [`Scheduler::run_until`]: crate::sched::Scheduler::run_until
//! [`Scheduler::run_for`]: crate::sched::Scheduler::run_for

mod container;
mod event;
mod monitor;
pub mod net;
mod replicate;
mod resource;
mod store;

pub use container::Container;
pub use event::{interrupt, Event, Interrupt};
pub use monitor::Monitor;
pub use replicate::{available_threads, replicate, Replications};
pub use resource::{Grant, Resource};
pub use store::Store;
