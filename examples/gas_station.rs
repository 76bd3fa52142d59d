//! SimPy's "Gas Station Refueling" example on Volley's simulated scheduler: cars arrive at a
//! station with two pumps and a 200 L tank, take what their tank lacks at 2 L/s; a controller
//! checks the tank every 10 s and calls a tank truck (300 s away) when it falls under 25%.
//! `cargo run --release --example gas_station` prints (seed 42 of Volley's generator):
//!
//! ```text
//! Gas Station refuelling
//!  250.0 s: Car 0 arrived at gas station
//!  262.5 s: Car 0 refueled with 25.0L
//!  366.0 s: Car 1 arrived at gas station
//!  380.5 s: Car 1 refueled with 29.0L
//!  586.0 s: Car 2 arrived at gas station
//!  607.5 s: Car 2 refueled with 43.0L
//!  775.0 s: Car 3 arrived at gas station
//!  795.5 s: Car 3 refueled with 41.0L
//!  968.0 s: Car 4 arrived at gas station
//!  970.0 s: Calling tank truck
//!  985.0 s: Car 4 refueled with 34.0L
//! ```
//!
//! The run stops at 1,000 s of simulated time, as SimPy's does (`run_for`): the truck called
//! at 970 s would only arrive at 1,270 s.
#![feature(coroutines)]

use std::time::Duration;
use volley::sched::rand::rng;
use volley::sched::time::{clock, secs, sleep, sleep_secs};
use volley::sched::{spawn, Scheduler, TaskBody, TaskResult, TaskResume};
use volley::sim::{Container, Resource};
use volley::{yield_from, Co};

const RANDOM_SEED: u64 = 42;
const STATION_TANK_SIZE: f64 = 200.0;
const THRESHOLD: f64 = 25.0;
const CAR_TANK_SIZE: f64 = 50.0;
const CAR_TANK_LEVEL: (u64, u64) = (5, 25);
const REFUELING_SPEED: f64 = 2.0;
const TANK_TRUCK_TIME: f64 = 300.0;
const T_INTER: (u64, u64) = (30, 300);
const SIM_TIME: f64 = 1000.0;

/// A car arrives, waits for a pump, takes the fuel it lacks from the station's tank.
fn car(name: String, pumps: Resource, tank: Container) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let (clock, rng) = (yield_from!(clock())?, yield_from!(rng())?);
            let level = CAR_TANK_LEVEL.0 + rng.below(CAR_TANK_LEVEL.1 - CAR_TANK_LEVEL.0 + 1);
            println!("{:6.1} s: {name} arrived at gas station", clock.secs());
            let _pump = yield_from!(pumps.request())?;
            let required = CAR_TANK_SIZE - level as f64;
            yield_from!(tank.get(required))?;
            yield_from!(sleep_secs(required / REFUELING_SPEED))?;
            println!(
                "{:6.1} s: {name} refueled with {required:.1}L",
                clock.secs()
            );
            Ok(())
        },
    )
    .named("car")
}

/// Checks the tank every 10 s; calls the truck and waits for it when the level is low.
fn control(tank: Container) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            let clock = yield_from!(clock())?;
            loop {
                if tank.level() / tank.capacity() * 100.0 < THRESHOLD {
                    println!("{:6.1} s: Calling tank truck", clock.secs());
                    let truck = yield_from!(spawn(tank_truck(tank.clone())))?;
                    yield_from!(truck.join())??;
                }
                yield_from!(sleep_secs(10.0))?;
            }
        },
    )
    .named("gas_station_control")
}

/// Arrives after TANK_TRUCK_TIME and fills the station's tank.
fn tank_truck(tank: Container) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            yield_from!(sleep_secs(TANK_TRUCK_TIME))?;
            let amount = tank.capacity() - tank.level();
            yield_from!(tank.put(amount))?;
            println!(
                "{:6.1} s: Tank truck arrived and refuelled station with {amount:.1}L",
                clock.secs()
            );
            Ok(())
        },
    )
    .named("tank_truck")
}

/// New cars at random intervals.
fn car_generator(pumps: Resource, tank: Container) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            let rng = yield_from!(rng())?;
            for i in 0.. {
                let gap = T_INTER.0 + rng.below(T_INTER.1 - T_INTER.0 + 1);
                yield_from!(sleep(Duration::from_secs(gap)))?;
                yield_from!(spawn(car(format!("Car {i}"), pumps.clone(), tank.clone())))?.detach();
            }
            Ok(())
        },
    )
    .named("car_generator")
}

fn main() {
    println!("Gas Station refuelling");
    let mut sched = Scheduler::simulated(RANDOM_SEED);
    let pumps = Resource::new(2);
    let tank = Container::new(STATION_TANK_SIZE, STATION_TANK_SIZE);
    sched.spawn(control(tank.clone())).detach();
    sched.spawn(car_generator(pumps, tank)).detach();
    sched
        .run_for(secs(SIM_TIME))
        .expect("the station runs until closing time");
}
