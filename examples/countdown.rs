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
use volley::sched::task::task_id;
use volley::sched::time::sleep;
use volley::sched::{spawn, Scheduler, TaskResult};
use volley::{task, yield_from, Exit};

/// Counts down from `from`, sleeping `tick` between numbers; returns how many it printed.
#[task]
fn countdown(name: &'static str, from: u32, tick: Duration, start: Instant) -> TaskResult<u32> {
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

/// Sleeps for an hour unless killed; its close arm reports the kill.
#[task]
fn watchdog(start: Instant) -> TaskResult {
    match yield_from!(sleep(Duration::from_secs(3600))) {
        Err(Exit::Closed) => {
            println!(
                "{:>5} ms  watchdog killed: cleanup runs",
                start.elapsed().as_millis()
            );
            Err(Exit::Closed)
        }
        other => other,
    }
}

/// Starts the others, cancels one, joins them, kills the watchdog; returns the total printed.
#[task]
fn main_task(start: Instant) -> TaskResult<u32> {
    let ms = move || start.elapsed().as_millis();
    let fast = yield_from!(spawn(countdown(
        "fast",
        5,
        Duration::from_millis(10),
        start
    )))?;
    let slow = yield_from!(spawn(countdown(
        "slow",
        3,
        Duration::from_millis(25),
        start
    )))?;
    let lazy = yield_from!(spawn(countdown(
        "lazy",
        100,
        Duration::from_millis(20),
        start
    )))?;
    let dog = yield_from!(spawn(watchdog(start)))?;

    yield_from!(sleep(Duration::from_millis(45)))?;
    println!("{:>5} ms  main     cancels lazy", ms());
    yield_from!(lazy.cancel("main is bored"))?;

    let mut total = 0;
    for (name, handle) in [("fast", fast), ("slow", slow), ("lazy", lazy)] {
        match yield_from!(handle.join())? {
            Ok(printed) => {
                println!("{:>5} ms  main     joined {name}: printed {printed}", ms());
                total += printed;
            }
            Err(e) => println!("{:>5} ms  main     joined {name}: {e}", ms()),
        }
    }
    println!("{:>5} ms  main     kills the watchdog", ms());
    yield_from!(dog.kill())?;
    match yield_from!(dog.join())? {
        Err(e) => println!("{:>5} ms  main     joined watchdog: {e}", ms()),
        Ok(()) => println!("watchdog returned?"),
    }
    Ok(total)
}

fn main() {
    let start = Instant::now();
    let mut sched = Scheduler::new();
    let main = sched.spawn(main_task(start));
    let outcome = sched.join(main);
    let stats = sched.stats();
    match outcome {
        Ok(total) => println!(
            "done: {total} numbers printed; {} tasks spawned, {} finished, {} switches",
            stats.spawned, stats.finished, stats.switches
        ),
        Err(e) => {
            eprintln!("countdown: main task did not finish cleanly: {e}");
            std::process::exit(1);
        }
    }
}
