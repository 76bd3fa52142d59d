//! SimPy's "Carwash" example on Volley's simulated scheduler: a carwash with two machines, four
//! cars waiting at the opening and a new one every 5 to 9 minutes; the simulation stops at
//! minute 20. `cargo run --release --example carwash` prints (seed 42 of Volley's generator):
//!
//! ```text
//! Carwash
//! Car 0 arrives at the carwash at 0.00.
//! Car 0 enters the carwash at 0.00.
//! Car 1 arrives at the carwash at 0.00.
//! Car 1 enters the carwash at 0.00.
//! Car 2 arrives at the carwash at 0.00.
//! Car 3 arrives at the carwash at 0.00.
//! Carwash removed 65% of Car 0's dirt.
//! Carwash removed 99% of Car 1's dirt.
//! Car 0 leaves the carwash at 5.00.
//! Car 1 leaves the carwash at 5.00.
//! Car 2 enters the carwash at 5.00.
//! Car 3 enters the carwash at 5.00.
//! Car 4 arrives at the carwash at 9.00.
//! Carwash removed 89% of Car 2's dirt.
//! Carwash removed 79% of Car 3's dirt.
//! Car 2 leaves the carwash at 10.00.
//! Car 3 leaves the carwash at 10.00.
//! Car 4 enters the carwash at 10.00.
//! Carwash removed 56% of Car 4's dirt.
//! Car 4 leaves the carwash at 15.00.
//! Car 5 arrives at the carwash at 17.00.
//! Car 5 enters the carwash at 17.00.
//! ```
#![feature(coroutines)]

use std::time::Duration;
use volley::sched::rand::rng;
use volley::sched::time::{clock, sleep, sleep_secs};
use volley::sched::{spawn, Scheduler, TaskBody, TaskResult, TaskResume};
use volley::sim::Resource;
use volley::{yield_from, Co};

const RANDOM_SEED: u64 = 42;
const NUM_MACHINES: usize = 2;
const WASHTIME: f64 = 5.0;
const T_INTER: u64 = 7;
const SIM_TIME: u64 = 20;

/// The carwash's washing process: takes a car and removes some of its dirt.
fn wash(car: String) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let rng = yield_from!(rng())?;
            yield_from!(sleep_secs(WASHTIME))?;
            let pct = 50 + rng.below(50);
            println!("Carwash removed {pct}% of {car}'s dirt.");
            Ok(())
        },
    )
    .named("wash")
}

/// A car arrives, waits for a machine, is washed, and leaves.
fn car(name: String, machines: Resource) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            println!("{name} arrives at the carwash at {:.2}.", clock.secs());
            let _machine = yield_from!(machines.request())?;
            println!("{name} enters the carwash at {:.2}.", clock.secs());
            let washing = yield_from!(spawn(wash(name.clone())))?;
            yield_from!(washing.join())??;
            println!("{name} leaves the carwash at {:.2}.", clock.secs());
            Ok(())
        },
    )
    .named("car")
}

/// Four cars at the opening, then one every T_INTER ± 2 minutes.
fn setup(machines: Resource) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            let rng = yield_from!(rng())?;
            let mut count = 0;
            for _ in 0..4 {
                yield_from!(spawn(car(format!("Car {count}"), machines.clone())))?.detach();
                count += 1;
            }
            loop {
                let gap = T_INTER - 2 + rng.below(5);
                yield_from!(sleep(Duration::from_secs(gap)))?;
                yield_from!(spawn(car(format!("Car {count}"), machines.clone())))?.detach();
                count += 1;
            }
        },
    )
    .named("setup")
}

fn main() {
    println!("Carwash");
    let mut sched = Scheduler::simulated(RANDOM_SEED);
    sched.spawn(setup(Resource::new(NUM_MACHINES))).detach();
    sched
        .run_for(Duration::from_secs(SIM_TIME))
        .expect("the carwash runs until closing time");
}
