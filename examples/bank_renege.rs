//! SimPy's "Bank Renege" example on Volley's simulated scheduler: customers arrive at random,
//! queue for the one counter, and leave if they waited longer than their patience.
//! `cargo run --release --example bank_renege` prints (seed 42 of Volley's generator, so the
//! numbers differ from SimPy's, not the story):
//!
//! ```text
//! Bank renege
//!  0.0000 Customer00: Here I am
//!  0.0000 Customer00: Waited  0.000
//! 16.8365 Customer01: Here I am
//! 19.4235 Customer01: RENEGED after  2.587
//! 28.9142 Customer02: Here I am
//! 30.1649 Customer02: RENEGED after  1.251
//! 37.7839 Customer03: Here I am
//! 39.1993 Customer03: RENEGED after  1.415
//! 47.0757 Customer04: Here I am
//! 49.1947 Customer04: RENEGED after  2.119
//! 49.5429 Customer00: Finished
//! ```
//!
//! The SimPy version waits on `req | env.timeout(patience)`; here that race is
//! `timeout(patience, counter.request())`, which closes the request if the patience runs out:
//! the customer leaves the queue as its request is dropped.
#![feature(coroutines)]

use volley::sched::rand::rng;
use volley::sched::time::{clock, secs, sleep_secs, timeout};
use volley::sched::{spawn, Scheduler, TaskBody, TaskResume};
use volley::sim::Resource;
use volley::{yield_from, Co};

const RANDOM_SEED: u64 = 42;
const NEW_CUSTOMERS: u32 = 5;
const INTERVAL_CUSTOMERS: f64 = 10.0;
const MIN_PATIENCE: f64 = 1.0;
const MAX_PATIENCE: f64 = 3.0;

/// Generates customers at random.
fn source(number: u32, interval: f64, counter: Resource) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let rng = yield_from!(rng())?;
            for i in 0..number {
                let name = format!("Customer{i:02}");
                yield_from!(spawn(customer(name, counter.clone(), 12.0)))?.detach();
                yield_from!(sleep_secs(rng.exponential(1.0 / interval)))?;
            }
            Ok(())
        },
    )
    .named("source")
}

/// Arrives, is served, and leaves; or gives up waiting.
fn customer(name: String, counter: Resource, time_in_bank: f64) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let (clock, rng) = (yield_from!(clock())?, yield_from!(rng())?);
            let arrive = clock.secs();
            println!("{arrive:7.4} {name}: Here I am");
            let patience = rng.uniform(MIN_PATIENCE, MAX_PATIENCE);
            match yield_from!(timeout(secs(patience), counter.request()))? {
                Ok(_served) => {
                    println!(
                        "{:7.4} {name}: Waited {:6.3}",
                        clock.secs(),
                        clock.secs() - arrive
                    );
                    yield_from!(sleep_secs(rng.exponential(1.0 / time_in_bank)))?;
                    println!("{:7.4} {name}: Finished", clock.secs());
                }
                Err(_) => {
                    let waited = clock.secs() - arrive;
                    println!("{:7.4} {name}: RENEGED after {waited:6.3}", clock.secs());
                }
            }
            Ok(())
        },
    )
    .named("customer")
}

fn main() {
    println!("Bank renege");
    let mut sched = Scheduler::simulated(RANDOM_SEED);
    let counter = Resource::new(1);
    sched
        .spawn(source(NEW_CUSTOMERS, INTERVAL_CUSTOMERS, counter))
        .detach();
    sched
        .run()
        .expect("the bank closes when every customer left");
}
