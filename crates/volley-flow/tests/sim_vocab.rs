//! The simulation vocabulary: resources, containers, events, interrupts and monitors, on
//! virtual time.
#![feature(coroutines)]

use std::cell::RefCell;
use std::rc::Rc;
use volley_core::{yield_from, Co, Exit};
use volley_flow::sched::rand::rng;
use volley_flow::sched::time::{clock, secs, sleep, timeout};
use volley_flow::sched::{JoinError, Scheduler, TaskBody, TaskResume};
use volley_flow::sim::{interrupt, Container, Event, Interrupt, Monitor, Resource};

type Log = Rc<RefCell<Vec<String>>>;

fn note(log: &Log, at: f64, what: impl std::fmt::Display) {
    log.borrow_mut().push(format!("{at}: {what}"));
}

/// Arrives at `arrive`, holds the resource for `hold`, logs both ends.
fn user(name: &'static str, r: Resource, arrive: f64, hold: f64, log: Log) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            yield_from!(sleep(secs(arrive)))?;
            let _unit = yield_from!(r.request())?;
            note(&log, clock.secs(), format!("{name} in"));
            yield_from!(sleep(secs(hold)))?;
            note(&log, clock.secs(), format!("{name} out"));
            Ok(())
        },
    )
    .named(name)
}

#[test]
fn a_resource_serves_capacity_at_a_time_first_come_first_served() {
    let log = Log::default();
    let r = Resource::new(2);
    let mut sched = Scheduler::simulated(0);
    for (name, arrive) in [("a", 0.0), ("b", 1.0), ("c", 2.0), ("d", 3.0)] {
        sched
            .spawn(user(name, r.clone(), arrive, 10.0, log.clone()))
            .detach();
    }
    sched.run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "0: a in",
            "1: b in",
            "10: a out",
            "10: c in",
            "11: b out",
            "11: d in",
            "20: c out",
            "21: d out"
        ]
    );
    assert_eq!((r.in_use(), r.queue_len()), (0, 0));
}

#[test]
fn killing_a_holder_releases_its_unit_and_a_waiter_leaves_the_queue() {
    let log = Log::default();
    let r = Resource::new(1);
    let mut sched = Scheduler::simulated(0);
    let holder = sched.spawn(user("holder", r.clone(), 0.0, 100.0, log.clone()));
    let quitter = sched.spawn(user("quitter", r.clone(), 1.0, 1.0, log.clone()));
    sched
        .spawn(user("patient", r.clone(), 2.0, 1.0, log.clone()))
        .detach();
    sched.run_for(secs(5.0)).unwrap();
    assert_eq!(r.queue_len(), 2);
    assert!(sched.kill(quitter.id()));
    assert_eq!(r.queue_len(), 1, "the killed waiter left the queue");
    assert!(sched.kill(holder.id()));
    sched.run().unwrap();
    assert_eq!(
        *log.borrow(),
        ["0: holder in", "5: patient in", "6: patient out"]
    );
    assert_eq!((r.in_use(), r.queue_len()), (0, 0));
}

#[test]
fn a_reneging_customer_times_out_of_the_queue() {
    let r = Resource::new(1);
    let mut sched = Scheduler::simulated(0);
    let busy = r.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let _unit = yield_from!(busy.request())?;
                yield_from!(sleep(secs(10.0)))?;
                Ok(())
            },
        ))
        .detach();
    let impatient = r.clone();
    let customer = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            match yield_from!(timeout(secs(3.0), impatient.request()))? {
                Ok(_unit) => Ok(format!("served at {}", clock.secs())),
                Err(_) => Ok(format!("reneged at {}", clock.secs())),
            }
        },
    ));
    sched.run().unwrap();
    assert_eq!(customer.take_outcome().unwrap().unwrap(), "reneged at 3");
    assert_eq!((r.in_use(), r.queue_len()), (0, 0));
}

#[test]
fn priorities_jump_the_queue_but_do_not_preempt() {
    let log = Log::default();
    let r = Resource::new(1);
    let mut sched = Scheduler::simulated(0);
    for (name, arrive, priority) in [
        ("low", 0.0, 9),
        ("mid", 1.0, 5),
        ("high", 2.0, 1),
        ("mid2", 3.0, 5),
    ] {
        let (r, log) = (r.clone(), log.clone());
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    let clock = yield_from!(clock())?;
                    yield_from!(sleep(secs(arrive)))?;
                    let _unit = yield_from!(r.request_with_priority(priority))?;
                    note(&log, clock.secs(), name);
                    yield_from!(sleep(secs(5.0)))?;
                    Ok(())
                },
            ))
            .detach();
    }
    sched.run().unwrap();
    assert_eq!(*log.borrow(), ["0: low", "5: high", "10: mid", "15: mid2"]);
}

#[test]
fn a_monitor_records_the_queue_length_and_its_time_average() {
    let mut sched = Scheduler::simulated(0);
    let queue = Monitor::new(sched.clock());
    let r = Resource::with_monitor(1, queue.clone());
    let log = Log::default();
    for (name, arrive) in [("a", 0.0), ("b", 0.0), ("c", 0.0)] {
        sched
            .spawn(user(name, r.clone(), arrive, 2.0, log.clone()))
            .detach();
    }
    sched.run().unwrap();
    // Two wait from 0 to 2, one from 2 to 4, none after.
    assert_eq!(queue.samples(), [(0.0, 2.0), (2.0, 1.0), (4.0, 0.0)]);
    assert_eq!(queue.time_average(6.0), (2.0 * 2.0 + 1.0 * 2.0) / 6.0);
    assert_eq!(queue.max(), Some(2.0));
}

#[test]
fn a_container_makes_getters_wait_for_enough_and_putters_for_room() {
    let mut sched = Scheduler::simulated(0);
    let levels = Monitor::new(sched.clock());
    let tank = Container::with_monitor(50.0, 10.0, levels.clone());
    let log = Log::default();
    let (car, l) = (tank.clone(), log.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let clock = yield_from!(clock())?;
                yield_from!(car.get(30.0))?;
                note(&l, clock.secs(), "car filled");
                Ok(())
            },
        ))
        .detach();
    let (truck, l) = (tank.clone(), log.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let clock = yield_from!(clock())?;
                yield_from!(sleep(secs(5.0)))?;
                yield_from!(truck.put(40.0))?;
                note(&l, clock.secs(), "truck emptied 40");
                yield_from!(truck.put(35.0))?; // 20 there: waits for room
                note(&l, clock.secs(), "truck emptied 35");
                Ok(())
            },
        ))
        .detach();
    let (drain, l) = (tank.clone(), log.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let clock = yield_from!(clock())?;
                yield_from!(sleep(secs(8.0)))?;
                yield_from!(drain.get(15.0))?;
                note(&l, clock.secs(), "drained 15");
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "5: truck emptied 40",
            "5: car filled",
            "8: drained 15",
            "8: truck emptied 35"
        ]
    );
    assert_eq!(tank.level(), 40.0);
    assert_eq!(levels.samples(), [(0.0, 10.0), (5.0, 20.0), (8.0, 40.0)]);
}

#[test]
fn an_event_wakes_every_waiter_with_its_value_once() {
    let done: Event<u32> = Event::new();
    let mut sched = Scheduler::simulated(0);
    let mut waiters = Vec::new();
    for _ in 0..3 {
        let done = done.clone();
        waiters.push(sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let clock = yield_from!(clock())?;
                let value = yield_from!(done.wait())?;
                Ok((value, clock.secs()))
            },
        )));
    }
    let trigger = done.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(secs(4.0)))?;
                trigger.succeed(42).unwrap();
                assert_eq!(trigger.succeed(43), Err(43));
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    for waiter in waiters {
        assert_eq!(waiter.take_outcome().unwrap().unwrap(), (42, 4.0));
    }
}

#[test]
fn an_interrupt_is_caught_and_the_process_goes_on_or_ends_it_uncaught() {
    let log = Log::default();
    let mut sched = Scheduler::simulated(0);
    let l = log.clone();
    // A machine that works 10 s per part and, interrupted, repairs for 2 s and resumes the
    // part where it stopped.
    let machine = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            let mut parts = 0;
            while parts < 2 {
                let mut left = 10.0;
                while left > 0.0 {
                    let start = clock.secs();
                    match yield_from!(sleep(secs(left))) {
                        Ok(()) => left = 0.0,
                        Err(Exit::Raised(e)) if Interrupt::cause_of(&e).is_some() => {
                            left -= clock.secs() - start;
                            note(&l, clock.secs(), Interrupt::cause_of(&e).unwrap());
                            yield_from!(sleep(secs(2.0)))?;
                        }
                        Err(other) => return Err(other),
                    }
                }
                parts += 1;
                note(&l, clock.secs(), format!("part {parts}"));
            }
            Ok(parts)
        },
    ));
    let stubborn = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(sleep(secs(100.0)))?;
            Ok(())
        },
    ));
    let (m, s) = (machine.id(), stubborn.id());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(secs(4.0)))?;
                yield_from!(interrupt(m, "broken"))?;
                yield_from!(interrupt(s, "stop"))?;
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    assert_eq!(machine.take_outcome().unwrap().unwrap(), 2);
    assert_eq!(*log.borrow(), ["4: broken", "12: part 1", "22: part 2"]);
    match stubborn.take_outcome() {
        Some(Err(JoinError::Raised(e))) => assert_eq!(Interrupt::cause_of(&e), Some("stop")),
        other => panic!("{other:?}"),
    }
}

/// A bank with random arrivals, a teller and impatient customers: the trace depends on the
/// seed alone.
fn bank_trace(seed: u64) -> Vec<String> {
    let log = Log::default();
    let teller = Resource::new(1);
    let mut sched = Scheduler::simulated(seed);
    let (l, t) = (log.clone(), teller.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let rng = yield_from!(rng())?;
                for i in 0..30 {
                    yield_from!(sleep(secs(rng.exponential(0.1))))?;
                    let (l, t, patience, service) = (
                        l.clone(),
                        t.clone(),
                        rng.uniform(1.0, 3.0),
                        rng.exponential(0.08),
                    );
                    yield_from!(volley_flow::sched::spawn(Co::new(
                        #[coroutine]
                        move |_: TaskResume| {
                            let clock = yield_from!(clock())?;
                            match yield_from!(timeout(secs(patience), t.request()))? {
                                Ok(_unit) => {
                                    note(&l, clock.secs(), format!("customer {i} served"));
                                    yield_from!(sleep(secs(service)))?;
                                }
                                Err(_) => note(&l, clock.secs(), format!("customer {i} reneged")),
                            }
                            Ok(())
                        }
                    )))?
                    .detach();
                }
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    let out = log.borrow().clone();
    out
}

#[test]
fn a_model_replays_exactly_from_its_seed() {
    let trace = bank_trace(3);
    assert_eq!(trace.len(), 30);
    assert!(trace.iter().any(|line| line.contains("reneged")));
    assert_eq!(trace, bank_trace(3));
    assert_ne!(trace, bank_trace(4));
}
