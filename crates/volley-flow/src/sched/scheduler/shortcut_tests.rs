//! The virtual-time shortcuts (a sleep that ends without a switch, a timer handed over to
//! the next task in the same round) against the scheduler without them: random models that
//! sleep, park, wake, spawn, join, time out and use a store see the same instants, in the
//! same order, seed by seed.

use super::Scheduler;
use crate::sched::rand::below;
use crate::sched::sync::{park, wake_all, wake_one, WaitList};
use crate::sched::time::{clock, sleep, timeout};
use crate::sched::{spawn, TaskBody, TaskResume};
use crate::sim::Store;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use volley_core::{yield_from, Co};

type Log = Rc<RefCell<Vec<String>>>;

/// Whole or half seconds, zero included, so that equal instants are common.
fn length(units: u64) -> Duration {
    Duration::from_millis(units * 500)
}

/// A child task: sleeps, logs, answers its name.
fn child(name: String, units: u64, log: Log) -> Co<impl TaskBody<String>> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            yield_from!(sleep(length(units)))?;
            log.borrow_mut()
                .push(format!("{name} done at {:?}", clock.elapsed()));
            Ok(name)
        },
    )
}

/// One actor: draws each step from the shared stream and logs it with its instant.
fn actor(me: usize, steps: u32, gate: WaitList, line: Store<u64>, log: Log) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            let mut children = Vec::new();
            for step in 0..steps {
                let what = yield_from!(below(10))?;
                let units = yield_from!(below(4))?;
                let note = match what {
                    0 | 1 => {
                        yield_from!(sleep(length(units)))?;
                        "slept".to_string()
                    }
                    2 => match yield_from!(timeout(length(units + 1), park(&gate)))? {
                        Ok(()) => "woken".to_string(),
                        Err(_) => "gave up waiting".to_string(),
                    },
                    3 => format!("woke {}", yield_from!(wake_one(&gate))?),
                    4 => format!("woke all {}", yield_from!(wake_all(&gate))?),
                    5 => {
                        let name = format!("{me}.{step}");
                        let handle = yield_from!(spawn(child(name, units, log.clone())))?;
                        children.push(handle);
                        "spawned".to_string()
                    }
                    6 => match children.pop() {
                        Some(handle) => format!("joined {:?}", yield_from!(handle.join())?),
                        None => "nothing to join".to_string(),
                    },
                    7 => {
                        yield_from!(line.put(me as u64 * 1000 + u64::from(step)))?;
                        "put".to_string()
                    }
                    8 => format!("got {:?}", yield_from!(timeout(length(units), line.get()))?),
                    _ => format!("tried {:?}", line.try_put(u64::from(step)).is_ok()),
                };
                log.borrow_mut()
                    .push(format!("{me} step {step}: {note} at {:?}", clock.elapsed()));
            }
            Ok(())
        },
    )
}

/// The log of a random model on `seed`, with or without the shortcuts.
fn model(seed: u64, shortcuts: bool) -> Vec<String> {
    let mut sched = Scheduler::simulated(seed);
    sched.shortcuts_off = !shortcuts;
    let log: Log = Rc::default();
    let gate = WaitList::new();
    let line = Store::unbounded();
    let actors = 1 + (seed % 5) as usize;
    for me in 0..actors {
        let steps = 5 + (seed as u32 + me as u32) % 25;
        sched
            .spawn(actor(me, steps, gate.clone(), line.clone(), log.clone()))
            .detach();
    }
    // Tasks left parked at the end are a deadlock: part of what is compared.
    let ended = match seed % 3 {
        0 => sched.run_for(length(seed % 13 + 1)).map(|_| ()),
        _ => sched.run(),
    };
    let mut log = log.borrow().clone();
    log.push(format!(
        "ended {ended:?} at {:?}, {} alive",
        sched.clock().elapsed(),
        sched.stats().alive
    ));
    log
}

#[test]
fn the_shortcuts_change_nothing_a_model_sees() {
    for seed in 0..400 {
        let with = model(seed, true);
        let without = model(seed, false);
        if let Some(at) =
            (0..with.len().max(without.len())).find(|&i| with.get(i) != without.get(i))
        {
            let around = |log: &[String]| {
                let end = (at + 3).min(log.len());
                log[at.saturating_sub(4).min(end)..end].to_vec()
            };
            panic!(
                "seed {seed}: the shortcuts changed the model at entry {at}: {:?} where without them {:?}",
                around(&with),
                around(&without)
            );
        }
    }
}

#[test]
fn the_models_take_the_shortcuts() {
    // Not vacuous: without the shortcuts the scheduler switches more often.
    let switches = |shortcuts: bool| {
        let mut sched = Scheduler::simulated(3);
        sched.shortcuts_off = !shortcuts;
        let log: Log = Rc::default();
        sched
            .spawn(actor(0, 200, WaitList::new(), Store::unbounded(), log))
            .detach();
        let _ = sched.run();
        sched.switches
    };
    assert!(switches(true) < switches(false));
}
