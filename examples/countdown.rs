//! Interleaved countdowns on the Volley scheduler: spawn, sleep, join, kill and cancel.
//!
//! ```text
//! cargo run --example countdown
//! ```
//!
//! Three countdowns tick at different paces; a "watchdog" sleeps forever and is killed (its
//! cleanup runs); a "lazy" countdown is cancelled and catches the error; the main task joins
//! them and prints what each one returned.
#![feature(coroutines)]

use std::time::{Duration, Instant};
use volley::sched::{
    cancel, join, kill, sleep, spawn_named, task_id, Scheduler, TaskBody, TaskError, TaskResume,
};
use volley::{yield_from, Exit};

/// Counts down from `from`, sleeping `tick` between numbers; returns how many it printed.
fn countdown(name: &'static str, from: u32, tick: Duration, start: Instant) -> impl TaskBody<u32> {
    #[coroutine]
    move |_: TaskResume<u32>| {
        let me = yield_from!(task_id())?;
        let mut printed = 0;
        for n in (1..=from).rev() {
            println!(
                "{:>5} ms  {name:<8} ({me}) T-minus {n}",
                start.elapsed().as_millis()
            );
            printed += 1;
            match yield_from!(sleep(tick)) {
                Ok(()) => {}
                Err(Exit::Raised(e)) if e.is_cancelled() => {
                    println!(
                        "{:>5} ms  {name:<8} cancelled ({e}), stopping at {n}",
                        start.elapsed().as_millis()
                    );
                    return Ok(printed);
                }
                Err(other) => return Err(other),
            }
        }
        println!("{:>5} ms  {name:<8} liftoff!", start.elapsed().as_millis());
        Ok(printed)
    }
}

/// Sleeps for an hour unless killed; its close arm reports the kill.
fn watchdog(start: Instant) -> impl TaskBody<u32> {
    #[coroutine]
    move |_: TaskResume<u32>| match yield_from!(sleep(Duration::from_secs(3600))) {
        Err(Exit::Closed) => {
            println!(
                "{:>5} ms  watchdog killed: cleanup runs",
                start.elapsed().as_millis()
            );
            Err(Exit::Closed)
        }
        other => other.map(|()| 0),
    }
}

fn main() {
    let start = Instant::now();
    let mut sched: Scheduler<u32> = Scheduler::new();
    let main_task = sched.spawn_named(
        "main",
        #[coroutine]
        move |_: TaskResume<u32>| {
            let fast = yield_from!(spawn_named(
                "fast",
                countdown("fast", 5, Duration::from_millis(10), start)
            ))?;
            let slow = yield_from!(spawn_named(
                "slow",
                countdown("slow", 3, Duration::from_millis(25), start)
            ))?;
            let lazy = yield_from!(spawn_named(
                "lazy",
                countdown("lazy", 100, Duration::from_millis(20), start)
            ))?;
            let dog = yield_from!(spawn_named("watchdog", watchdog(start)))?;

            yield_from!(sleep(Duration::from_millis(45)))?;
            println!(
                "{:>5} ms  main     cancels lazy",
                start.elapsed().as_millis()
            );
            yield_from!(cancel(lazy, TaskError::cancelled("main is bored")))?;

            let mut total = 0;
            for (name, id) in [("fast", fast), ("slow", slow), ("lazy", lazy)] {
                match yield_from!(join(id))? {
                    Ok(printed) => {
                        println!(
                            "{:>5} ms  main     joined {name}: printed {printed}",
                            start.elapsed().as_millis()
                        );
                        total += printed;
                    }
                    Err(e) => println!(
                        "{:>5} ms  main     joined {name}: {e}",
                        start.elapsed().as_millis()
                    ),
                }
            }
            println!(
                "{:>5} ms  main     kills the watchdog",
                start.elapsed().as_millis()
            );
            yield_from!(kill(dog))?;
            match yield_from!(join(dog))? {
                Err(e) => println!(
                    "{:>5} ms  main     joined watchdog: {e}",
                    start.elapsed().as_millis()
                ),
                Ok(_) => println!("watchdog returned?"),
            }
            Ok(total)
        },
    );
    if let Err(e) = sched.run() {
        eprintln!("countdown: {e}");
        std::process::exit(1);
    }
    let stats = sched.stats();
    match sched.take_outcome(main_task) {
        Some(Ok(total)) => println!(
            "done: {total} numbers printed; {} tasks spawned, {} finished, {} switches",
            stats.spawned, stats.finished, stats.switches
        ),
        other => {
            eprintln!("countdown: main task did not finish cleanly: {other:?}");
            std::process::exit(1);
        }
    }
}
