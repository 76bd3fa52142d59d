//! Scheduler behaviour: fairness, spawn/join/kill/cancel, panics, counters, shutdown, scale.
#![feature(coroutines, stmt_expr_attributes)]

use std::cell::RefCell;
use std::rc::Rc;
use volley_core::{co_yield, yield_from, Co, Exit, Resume};
use volley_flow::sched::{
    cancel, join, kill, park, spawn, spawn_detached, stats, task_id, yield_now, JoinError,
    SchedError, Scheduler, Syscall, TaskBody, TaskError, TaskResume, WaitList,
};

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn entries(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

fn looper(name: &'static str, rounds: u32, log: Log) -> impl TaskBody {
    #[coroutine]
    move |_: TaskResume| {
        for round in 0..rounds {
            log.borrow_mut().push(format!("{name}{round}"));
            yield_from!(yield_now())?;
        }
        Ok(())
    }
}

#[test]
fn round_robin_runs_ready_tasks_in_turn() {
    let log = log();
    let mut sched = Scheduler::new();
    sched.spawn(looper("a", 3, log.clone()));
    sched.spawn(looper("b", 2, log.clone()));
    sched.spawn(looper("c", 3, log.clone()));
    sched.run().unwrap();
    assert_eq!(
        entries(&log),
        ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "c2"]
    );
}

#[test]
fn a_spawned_task_queues_behind_the_ready_ones_and_the_parent_continues() {
    let log = log();
    let mut sched = Scheduler::new();
    let out = log.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            out.borrow_mut().push("parent before".into());
            let child_log = out.clone();
            let child = yield_from!(spawn(
                #[coroutine]
                move |_: TaskResume| {
                    child_log.borrow_mut().push("child".into());
                    Ok(())
                }
            ))?;
            out.borrow_mut().push(format!("parent spawned {child}"));
            Ok(())
        },
    );
    sched.spawn(looper("other", 1, log.clone()));
    sched.run().unwrap();
    assert_eq!(
        entries(&log),
        ["parent before", "parent spawned task#3", "other0", "child"]
    );
}

#[test]
fn join_returns_the_childs_value() {
    let mut sched = Scheduler::new();
    let parent = sched.spawn(
        #[coroutine]
        |_: TaskResume<u64>| {
            let mut children = Vec::new();
            for n in 1..=4u64 {
                let child = yield_from!(spawn(
                    #[coroutine]
                    move |_: TaskResume<u64>| {
                        yield_from!(yield_now())?;
                        Ok(n * n)
                    }
                ))?;
                children.push(child);
            }
            let mut total = 0;
            for child in children {
                total += yield_from!(join(child))?.expect("child returns");
            }
            Ok(total)
        },
    );
    sched.run().unwrap();
    assert_eq!(sched.take_outcome(parent).unwrap().unwrap(), 1 + 4 + 9 + 16);
}

#[test]
fn join_after_the_child_ended_still_gets_the_value() {
    let mut sched = Scheduler::new();
    let parent = sched.spawn(
        #[coroutine]
        |_: TaskResume<u64>| {
            let child = yield_from!(spawn(
                #[coroutine]
                |_: TaskResume<u64>| Ok(7)
            ))?;
            for _ in 0..3 {
                yield_from!(yield_now())?; // the child ends meanwhile
            }
            let value = yield_from!(join(child))?.expect("value kept for the join");
            Ok(value)
        },
    );
    sched.run().unwrap();
    assert_eq!(sched.take_outcome(parent).unwrap().unwrap(), 7);
}

#[test]
fn join_reports_a_raised_error_a_panic_and_a_kill() {
    let mut sched = Scheduler::new();
    let seen = log();
    let out = seen.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            let raises = yield_from!(spawn(
                #[coroutine]
                |_: TaskResume| { Err(TaskError::msg("bad input").into()) }
            ))?;
            let panics = yield_from!(spawn(
                #[coroutine]
                |_: TaskResume| {
                    yield_from!(yield_now())?;
                    panic!("task blew up")
                }
            ))?;
            let killed = yield_from!(spawn(
                #[coroutine]
                |_: TaskResume| {
                    loop {
                        yield_from!(yield_now())?;
                    }
                }
            ))?;
            for id in [raises, panics] {
                match yield_from!(join(id))? {
                    Err(e) => out.borrow_mut().push(e.to_string()),
                    Ok(()) => out.borrow_mut().push("ok?".into()),
                }
            }
            assert!(yield_from!(kill(killed))?);
            match yield_from!(join(killed))? {
                Err(JoinError::Killed) => out.borrow_mut().push("killed".into()),
                other => out.borrow_mut().push(format!("{other:?}")),
            }
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(
        entries(&seen),
        [
            "the task raised: bad input",
            "the task panicked: task blew up",
            "killed"
        ]
    );
}

#[test]
fn join_edge_cases_are_clear_errors() {
    let mut sched = Scheduler::new();
    let seen = log();
    let out = seen.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            let me = yield_from!(task_id())?;
            let r = yield_from!(join(me))?;
            out.borrow_mut().push(format!("{:?}", r.unwrap_err()));
            let gate = WaitList::new();
            let waiter = gate.clone();
            let sleeper = yield_from!(spawn(
                #[coroutine]
                move |_: TaskResume| {
                    yield_from!(park(&waiter))?;
                    Ok(())
                }
            ))?;
            // A first joiner waits; a second one is told the outcome is promised elsewhere.
            let first = yield_from!(spawn(
                #[coroutine]
                move |_: TaskResume| {
                    yield_from!(join(sleeper))?.map_err(|e| TaskError::msg(e.to_string()))?;
                    Ok(())
                }
            ))?;
            yield_from!(yield_now())?;
            let second = yield_from!(join(sleeper))?;
            out.borrow_mut().push(format!("{:?}", second.unwrap_err()));
            yield_from!(volley_flow::sched::wake_all(&gate))?;
            yield_from!(join(first))?.expect("first joiner got the value");
            let gone = yield_from!(join(sleeper))?;
            out.borrow_mut().push(format!("{}", gone.unwrap_err()));
            Ok(())
        },
    );
    sched.run().unwrap();
    let seen = entries(&seen);
    assert_eq!(seen[0], "JoinSelf");
    assert!(seen[1].starts_with("AlreadyJoined"), "{seen:?}");
    assert!(seen[2].starts_with("no such task: task#"), "{seen:?}");
}

#[test]
fn a_panicking_task_is_isolated_and_the_others_carry_on() {
    let log = log();
    let mut sched = Scheduler::new();
    sched.spawn(looper("a", 3, log.clone()));
    let bad = sched.spawn(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(yield_now())?;
            panic!("only this task dies");
        },
    );
    sched.spawn(looper("b", 3, log.clone()));
    sched.run().unwrap();
    assert_eq!(entries(&log), ["a0", "b0", "a1", "b1", "a2", "b2"]);
    assert!(matches!(
        sched.take_outcome(bad),
        Some(Err(JoinError::Panicked(m))) if m == "only this task dies"
    ));
    let stats = sched.stats();
    assert_eq!((stats.spawned, stats.finished, stats.alive), (3, 3, 0));
}

#[test]
fn several_panics_in_one_round_each_reach_their_joiner() {
    let log = log();
    let mut sched = Scheduler::new();
    sched.spawn(looper("a", 3, log.clone()));
    let first = sched.spawn(
        #[coroutine]
        |_: TaskResume| {
            // A call answered at once: the panic comes from a later resume of the same turn.
            let me = yield_from!(task_id())?;
            panic!("first dies as {me}");
        },
    );
    let second = sched.spawn(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(yield_now())?;
            panic!("second dies");
        },
    );
    let out = log.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            for id in [first, second] {
                match yield_from!(join(id))? {
                    Err(JoinError::Panicked(m)) => out.borrow_mut().push(m),
                    other => panic!("unexpected {other:?}"),
                }
            }
            Ok(())
        },
    );
    sched.spawn(looper("b", 3, log.clone()));
    sched.run().unwrap();
    let seen = entries(&log);
    let loops: Vec<&String> = seen.iter().filter(|e| e.len() == 2).collect();
    assert_eq!(loops, ["a0", "b0", "a1", "b1", "a2", "b2"]);
    assert!(seen.contains(&format!("first dies as {first}")), "{seen:?}");
    assert!(seen.contains(&"second dies".to_string()), "{seen:?}");
    let stats = sched.stats();
    assert_eq!((stats.spawned, stats.finished, stats.alive), (5, 5, 0));
}

/// A helper coroutine with cleanup, so a kill shows the chain closing innermost first.
fn guarded_wait<T>(
    name: &'static str,
    log: Log,
) -> volley_core::BoxCo<'static, volley_flow::sched::Reply<T>, Syscall<T>, (), TaskError>
where
    T: 'static,
{
    Co::boxed(
        #[coroutine]
        move |_: Resume<volley_flow::sched::Reply<T>, TaskError>| {
            struct Cleanup(&'static str, Log);
            impl Drop for Cleanup {
                fn drop(&mut self) {
                    self.1.borrow_mut().push(format!("drop {}", self.0));
                }
            }
            let _guard = Cleanup(name, log.clone());
            loop {
                match co_yield!(Syscall::Yield) {
                    Ok(_) => {}
                    Err(Exit::Closed) => {
                        log.borrow_mut().push(format!("close arm {name}"));
                        return Err(Exit::Closed);
                    }
                    Err(e) => return Err(e),
                }
            }
        },
    )
}

#[test]
fn kill_mid_yield_from_closes_the_whole_chain_innermost_first() {
    let log = log();
    let mut sched = Scheduler::new();
    let out = log.clone();
    let victim = sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            let inner_log = out.clone();
            let middle = Co::boxed(
                #[coroutine]
                move |_: TaskResume| {
                    yield_from!(guarded_wait("inner", inner_log.clone()))?;
                    Ok(())
                },
            );
            match yield_from!(middle) {
                Err(Exit::Closed) => {
                    out.borrow_mut().push("close arm task".into());
                    Err(Exit::Closed)
                }
                other => other,
            }
        },
    );
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(yield_now())?;
            assert!(yield_from!(kill(victim))?);
            assert!(!yield_from!(kill(victim))?, "a second kill finds nothing");
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(
        entries(&log),
        ["close arm inner", "drop inner", "close arm task"]
    );
    assert!(matches!(
        sched.take_outcome(victim),
        Some(Err(JoinError::Killed))
    ));
}

#[test]
fn a_task_can_kill_itself_and_its_cleanup_runs() {
    let log = log();
    let mut sched = Scheduler::new();
    let out = log.clone();
    let id = sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            let me = yield_from!(task_id())?;
            let r = yield_from!(kill(me));
            out.borrow_mut().push(format!(
                "after self-kill: closed = {}",
                matches!(r, Err(Exit::Closed))
            ));
            r?;
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(entries(&log), ["after self-kill: closed = true"]);
    assert!(matches!(
        sched.take_outcome(id),
        Some(Err(JoinError::Killed))
    ));
}

#[test]
fn cancel_caught_lets_the_task_carry_on() {
    let mut sched = Scheduler::new();
    let worker = sched.spawn(
        #[coroutine]
        |_: TaskResume<String>| {
            match yield_from!(park(&WaitList::new())) {
                Err(Exit::Raised(e)) if e.is_cancelled() => {}
                other => other?,
            }
            // Caught: the task goes on and can still make system calls.
            yield_from!(yield_now())?;
            Ok("recovered".to_string())
        },
    );
    sched.spawn(
        #[coroutine]
        move |_: TaskResume<String>| {
            yield_from!(yield_now())?;
            assert!(yield_from!(cancel(
                worker,
                TaskError::cancelled("stop waiting")
            ))?);
            Ok(String::new())
        },
    );
    sched.run().unwrap();
    assert_eq!(sched.take_outcome(worker).unwrap().unwrap(), "recovered");
}

#[test]
fn cancel_uncaught_ends_the_task_with_the_error() {
    let mut sched = Scheduler::new();
    let worker = sched.spawn(
        #[coroutine]
        |_: TaskResume| loop {
            yield_from!(yield_now())?;
        },
    );
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(cancel(worker, TaskError::cancelled("enough")))?;
            match yield_from!(join(worker))? {
                Err(JoinError::Raised(e)) => assert_eq!(e.to_string(), "cancelled: enough"),
                other => panic!("unexpected {other:?}"),
            }
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(sched.stats().alive, 0);
}

#[test]
fn cancelling_a_sleeping_task_wakes_it_early() {
    let mut sched = Scheduler::new();
    let started = std::time::Instant::now();
    let sleeper = sched.spawn(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(volley_flow::sched::sleep(std::time::Duration::from_secs(
                3600
            )))?;
            Ok(())
        },
    );
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(cancel(sleeper, TaskError::cancelled("wake up")))?;
            Ok(())
        },
    );
    sched.run().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert!(
        matches!(sched.take_outcome(sleeper), Some(Err(JoinError::Raised(e))) if e.is_cancelled())
    );
}

#[test]
fn a_hundred_thousand_tasks_spawn_and_finish() {
    const TASKS: u64 = 100_000;
    let mut sched = Scheduler::new();
    let total = Rc::new(RefCell::new(0u64));
    let sum = total.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            for n in 0..TASKS {
                let sum = sum.clone();
                yield_from!(spawn_detached(
                    #[coroutine]
                    move |_: TaskResume| {
                        yield_from!(yield_now())?;
                        *sum.borrow_mut() += n;
                        Ok(())
                    }
                ))?;
            }
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(*total.borrow(), TASKS * (TASKS - 1) / 2);
    let stats = sched.stats();
    assert_eq!(stats.spawned, TASKS + 1);
    assert_eq!(stats.finished, TASKS + 1);
    assert_eq!(stats.alive, 0);
    assert_eq!(stats.unjoined, 1, "detached tasks leave nothing behind");
}

#[test]
fn counters_are_visible_from_inside_and_outside() {
    let mut sched = Scheduler::new();
    sched.spawn(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(yield_now())?;
            let inside = yield_from!(stats())?;
            assert_eq!(inside.alive, 2);
            assert_eq!(inside.switches, 3);
            Ok(())
        },
    );
    sched.spawn(looper("x", 1, log()));
    sched.run().unwrap();
    let outside = sched.stats();
    assert_eq!(outside.spawned, 2);
    assert_eq!(outside.finished, 2);
    assert_eq!(outside.switches, 5, "the stats reply is a resume too");
}

#[test]
fn a_deadlock_is_reported_and_shutdown_runs_every_cleanup() {
    let log = log();
    let mut sched = Scheduler::new();
    for name in ["p", "q"] {
        let out = log.clone();
        sched.spawn(
            #[coroutine]
            move |_: TaskResume| match yield_from!(park(&WaitList::new())) {
                Err(Exit::Closed) => {
                    out.borrow_mut().push(format!("cleanup {name}"));
                    Err(Exit::Closed)
                }
                other => other,
            },
        );
    }
    assert!(matches!(
        sched.run(),
        Err(SchedError::Deadlock { blocked: 2 })
    ));
    assert_eq!(sched.shutdown(), 2);
    assert_eq!(entries(&log), ["cleanup p", "cleanup q"]);
}

#[test]
fn dropping_the_scheduler_closes_remaining_tasks() {
    let log = log();
    {
        let mut sched = Scheduler::new();
        let out = log.clone();
        sched.spawn(
            #[coroutine]
            move |_: TaskResume| {
                struct Guard(Log);
                impl Drop for Guard {
                    fn drop(&mut self) {
                        self.0.borrow_mut().push("guard dropped".into());
                    }
                }
                let _guard = Guard(out);
                loop {
                    yield_from!(yield_now())?;
                }
            },
        );
        sched.run_once();
    }
    assert_eq!(entries(&log), ["guard dropped"]);
}

#[test]
fn shutdown_from_a_task_closes_everyone_and_run_returns() {
    let log = log();
    let mut sched = Scheduler::new();
    for name in ["s1", "s2"] {
        let out = log.clone();
        sched.spawn(
            #[coroutine]
            move |_: TaskResume| match yield_from!(volley_flow::sched::sleep(
                std::time::Duration::from_secs(3600)
            )) {
                Err(Exit::Closed) => {
                    out.borrow_mut().push(format!("closed {name}"));
                    Err(Exit::Closed)
                }
                other => other,
            },
        );
    }
    let out = log.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            let r = yield_from!(volley_flow::sched::shutdown());
            out.borrow_mut().push(format!(
                "closed requester: {}",
                matches!(r, Err(Exit::Closed))
            ));
            r
        },
    );
    sched.run().unwrap();
    assert_eq!(
        entries(&log),
        ["closed s1", "closed s2", "closed requester: true"]
    );
    assert_eq!(sched.stats().alive, 0);
}

#[test]
fn a_wake_taken_by_a_task_killed_before_it_ran_passes_to_the_next_waiter() {
    let log = log();
    let gate = WaitList::new();
    let mut sched = Scheduler::new();
    let mut waiters = Vec::new();
    for name in ["first", "second"] {
        let (out, gate) = (log.clone(), gate.clone());
        waiters.push(sched.spawn(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(park(&gate))?;
                out.borrow_mut().push(format!("{name} passed"));
                Ok(())
            },
        ));
    }
    let first = waiters[0];
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            assert_eq!(yield_from!(volley_flow::sched::wake_one(&gate))?, 1);
            yield_from!(kill(first))?; // woken, but killed before it could run
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(entries(&log), ["second passed"]);
}
