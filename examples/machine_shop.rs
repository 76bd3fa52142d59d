//! SimPy's "Machine Shop" example on Volley's simulated scheduler: ten machines make parts;
//! each breaks down at random, which interrupts its work (a thrown [`Interrupt`] the machine
//! catches), and waits for the one repairman, who otherwise does less important jobs that a
//! breakdown preempts. `cargo run --release --example machine_shop` prints (seed 42 of
//! Volley's generator):
//!
//! ```text
//! Machine shop
//! Machine shop results after 4 weeks
//! Machine 0 made 3237 parts.
//! Machine 1 made 3365 parts.
//! Machine 2 made 3127 parts.
//! Machine 3 made 3235 parts.
//! Machine 4 made 3200 parts.
//! Machine 5 made 3383 parts.
//! Machine 6 made 3278 parts.
//! Machine 7 made 3315 parts.
//! Machine 8 made 3113 parts.
//! Machine 9 made 3281 parts.
//! ```
#![feature(coroutines)]

use std::cell::Cell;
use std::rc::Rc;
use volley::sched::rand::{rng, SharedRng};
use volley::sched::time::{clock, secs, sleep_secs};
use volley::sched::{Scheduler, TaskBody, TaskResult, TaskResume};
use volley::sim::{interrupt, Interrupt, Resource};
use volley::{yield_from, Co, Exit};

const RANDOM_SEED: u64 = 42;
const PT_MEAN: f64 = 10.0;
const PT_SIGMA: f64 = 2.0;
const MTTF: f64 = 300.0;
const BREAK_MEAN: f64 = 1.0 / MTTF;
const REPAIR_TIME: f64 = 30.0;
const JOB_DURATION: f64 = 30.0;
const NUM_MACHINES: usize = 10;
const WEEKS: f64 = 4.0;
const SIM_TIME: f64 = WEEKS * 7.0 * 24.0 * 60.0;

/// The time to make one part (normal, redrawn until positive).
fn time_per_part(rng: &SharedRng) -> f64 {
    loop {
        let t = rng.normal(PT_MEAN, PT_SIGMA);
        if t > 0.0 {
            return t;
        }
    }
}

/// What a machine shares with its breakdown process.
struct Machine {
    parts_made: Cell<u64>,
    broken: Cell<bool>,
}

/// Makes parts; a breakdown interrupts the part in progress, which is finished after the
/// repair.
fn working(machine: Rc<Machine>, repairman: Resource) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            let (clock, rng) = (yield_from!(clock())?, yield_from!(rng())?);
            loop {
                let mut done_in = time_per_part(&rng);
                while done_in > 0.0 {
                    let start = clock.secs();
                    match yield_from!(sleep_secs(done_in)) {
                        Ok(()) => done_in = 0.0,
                        Err(Exit::Raised(e)) if Interrupt::cause_of(&e).is_some() => {
                            machine.broken.set(true);
                            done_in -= clock.secs() - start;
                            let _repair = yield_from!(repairman.request_with_priority(1))?;
                            yield_from!(sleep_secs(REPAIR_TIME))?;
                            machine.broken.set(false);
                        }
                        Err(other) => return Err(other),
                    }
                }
                machine.parts_made.set(machine.parts_made.get() + 1);
            }
        },
    )
    .named("working")
}

/// Breaks the machine now and then.
fn break_machine(machine: Rc<Machine>, worker: volley::sched::task::TaskId) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            let rng = yield_from!(rng())?;
            loop {
                yield_from!(sleep_secs(rng.exponential(BREAK_MEAN)))?;
                if !machine.broken.get() {
                    yield_from!(interrupt(worker, "breakdown"))?;
                }
            }
        },
    )
    .named("break_machine")
}

/// The repairman's other jobs: done whenever no machine needs him, preempted by one that does.
fn other_jobs(repairman: Resource) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            let clock = yield_from!(clock())?;
            loop {
                let mut done_in = JOB_DURATION;
                while done_in > 0.0 {
                    let _job = yield_from!(repairman.request_with_priority(2))?;
                    let start = clock.secs();
                    match yield_from!(sleep_secs(done_in)) {
                        Ok(()) => done_in = 0.0,
                        Err(Exit::Raised(e)) if Interrupt::cause_of(&e).is_some() => {
                            done_in -= clock.secs() - start;
                        }
                        Err(other) => return Err(other),
                    }
                }
            }
        },
    )
    .named("other_jobs")
}

fn main() {
    println!("Machine shop");
    let mut sched = Scheduler::simulated(RANDOM_SEED);
    let repairman = Resource::preemptive(1);
    let mut machines = Vec::new();
    for _ in 0..NUM_MACHINES {
        let machine = Rc::new(Machine {
            parts_made: Cell::new(0),
            broken: Cell::new(false),
        });
        let worker = sched.spawn(working(machine.clone(), repairman.clone()));
        sched
            .spawn(break_machine(machine.clone(), worker.id()))
            .detach();
        worker.detach();
        machines.push(machine);
    }
    sched.spawn(other_jobs(repairman)).detach();
    sched
        .run_for(secs(SIM_TIME))
        .expect("the shop runs for four weeks");
    println!("Machine shop results after {WEEKS} weeks");
    for (i, machine) in machines.iter().enumerate() {
        println!("Machine {i} made {} parts.", machine.parts_made.get());
    }
}
