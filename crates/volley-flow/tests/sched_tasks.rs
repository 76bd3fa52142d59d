//! Scheduler behaviour: fairness, spawn/join/kill/cancel, typed handles, panics, counters,
//! shutdown, scale.
#![feature(coroutines, stmt_expr_attributes)]

use std::cell::RefCell;
use std::rc::Rc;
use volley::sched::sync::{park, wake_one, WaitList};
use volley::sched::task::{kill, stats, task_id, yield_now};
use volley::sched::time::sleep;
use volley::sched::{
    spawn, JoinError, Reply, SchedError, Scheduler, Syscall, TaskBody, TaskError, TaskResult,
    TaskResume,
};
use volley::{co_yield, task, yield_from, Co, Exit};

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn entries(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

#[task]
fn looper(name: &'static str, rounds: u32, log: Log) -> TaskResult {
    for round in 0..rounds {
        log.borrow_mut().push(format!("{name}{round}"));
        yield_from!(yield_now())?;
    }
    Ok(())
}

#[test]
fn round_robin_runs_ready_tasks_in_turn() {
    let log = log();
    let mut sched = Scheduler::new();
    sched.spawn(looper("a", 3, log.clone())).detach();
    sched.spawn(looper("b", 2, log.clone())).detach();
    sched.spawn(looper("c", 3, log.clone())).detach();
    sched.run().unwrap();
    assert_eq!(
        entries(&log),
        ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "c2"]
    );
}

#[test]
fn a_task_is_named_after_its_function_and_tasks_return_different_types() {
    #[task]
    fn word() -> TaskResult<&'static str> {
        yield_from!(yield_now())?;
        Ok("forty")
    }
    #[task]
    fn number(n: u8) -> TaskResult<u8> {
        Ok(n)
    }
    let co = word();
    assert_eq!(co.name(), "word");
    let mut sched = Scheduler::new();
    let text = sched.spawn(co);
    let two = sched.spawn(number(2));
    let both = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let w = yield_from!(spawn(word()))?;
            let n = yield_from!(spawn(number(2)))?;
            let w = yield_from!(w.join())??;
            let n = yield_from!(n.join())??;
            Ok(format!("{w}-{n}"))
        },
    ));
    sched.run().unwrap();
    assert_eq!(text.take_outcome().unwrap().unwrap(), "forty");
    assert_eq!(two.take_outcome().unwrap().unwrap(), 2);
    assert_eq!(both.take_outcome().unwrap().unwrap(), "forty-2");
}

#[test]
fn a_spawned_task_queues_behind_the_ready_ones_and_the_parent_continues() {
    let log = log();
    let mut sched = Scheduler::new();
    let out = log.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                out.borrow_mut().push("parent before".into());
                let child_log = out.clone();
                let child = yield_from!(spawn(Co::new(
                    #[coroutine]
                    move |_: TaskResume| {
                        child_log.borrow_mut().push("child".into());
                        Ok(())
                    }
                )))?;
                out.borrow_mut()
                    .push(format!("parent spawned {}", child.id()));
                child.detach();
                Ok(())
            },
        ))
        .detach();
    sched.spawn(looper("other", 1, log.clone())).detach();
    sched.run().unwrap();
    assert_eq!(
        entries(&log),
        ["parent before", "parent spawned task#3", "other0", "child"]
    );
}

#[task]
fn square_later(n: u64) -> TaskResult<u64> {
    yield_from!(yield_now())?;
    Ok(n * n)
}

#[test]
fn join_returns_the_childs_value() {
    let mut sched = Scheduler::new();
    let parent = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let mut children = Vec::new();
            for n in 1..=4u64 {
                let child = yield_from!(spawn(square_later(n)))?;
                children.push(child);
            }
            let mut total = 0;
            for child in children {
                total += yield_from!(child.join())??;
            }
            Ok(total)
        },
    ));
    assert_eq!(sched.join(parent).unwrap(), 1 + 4 + 9 + 16);
}

#[test]
fn join_after_the_child_ended_still_gets_the_value() {
    let mut sched = Scheduler::new();
    let parent = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let child = yield_from!(spawn(square_later(7)))?;
            for _ in 0..3 {
                yield_from!(yield_now())?; // the child ends meanwhile
            }
            assert!(child.is_finished());
            Ok(yield_from!(child.join())??)
        },
    ));
    assert_eq!(sched.join(parent).unwrap(), 49);
}

#[test]
fn join_reports_a_raised_error_a_panic_and_a_kill() {
    #[task]
    fn raises() -> TaskResult {
        Err(TaskError::msg("bad input").into())
    }
    #[task]
    fn panics() -> TaskResult {
        yield_from!(yield_now())?;
        panic!("task blew up")
    }
    #[task]
    fn spins() -> TaskResult {
        loop {
            yield_from!(yield_now())?;
        }
    }
    let mut sched = Scheduler::new();
    let parent = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let mut seen = Vec::new();
            let first = yield_from!(spawn(raises()))?;
            let second = yield_from!(spawn(panics()))?;
            for child in [first, second] {
                let error = yield_from!(child.join())?.unwrap_err();
                seen.push(error.to_string());
            }
            let killed = yield_from!(spawn(spins()))?;
            assert!(yield_from!(killed.kill())?);
            match yield_from!(killed.join())? {
                Err(JoinError::Killed) => seen.push("killed".into()),
                other => seen.push(format!("{other:?}")),
            }
            Ok(seen)
        },
    ));
    assert_eq!(
        sched.join(parent).unwrap(),
        [
            "the task raised: bad input",
            "the task panicked: task blew up",
            "killed"
        ]
    );
}

#[test]
fn a_join_error_converts_with_question_mark_and_keeps_its_source() {
    #[task]
    fn fails() -> TaskResult<u8> {
        let port: u8 = "300".parse()?; // ParseIntError converts
        Ok(port)
    }
    let mut sched = Scheduler::new();
    let parent = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let child = yield_from!(spawn(fails()))?;
            let value: u8 = yield_from!(child.join())??; // JoinError converts too
            Ok(value)
        },
    ));
    let Err(JoinError::Raised(error)) = sched.join(parent) else {
        panic!("the parent raises its child's failure");
    };
    let join_error = error.downcast_ref::<JoinError>().expect("a JoinError");
    let source = std::error::Error::source(join_error).expect("the child's error");
    assert_eq!(source.to_string(), "number too large to fit in target type");
}

#[test]
fn join_edge_cases_are_clear_errors() {
    let mut sched = Scheduler::new();
    let me_joins_me = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let me = yield_from!(task_id())?;
            match co_yield!(Syscall::Join(me))? {
                Reply::Error(e) => Ok(e.to_string()),
                other => Ok(format!("{other:?}")),
            }
        },
    ));
    assert_eq!(
        sched.join(me_joins_me).unwrap(),
        "a task cannot join itself"
    );

    // A raw join of a task another task already joins is refused; the first join goes on.
    let gate = WaitList::new();
    let waiter = gate.clone();
    let parked = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(park(&waiter))?;
            Ok(5)
        },
    ));
    let parked_id = parked.id();
    let first = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(parked.join())??),
    ));
    let second = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(yield_now())?; // the first joiner is waiting by now
            let refused = match co_yield!(Syscall::Join(parked_id))? {
                Reply::Error(e) => e.to_string(),
                other => format!("{other:?}"),
            };
            yield_from!(wake_one(&gate))?;
            Ok(refused)
        },
    ));
    assert_eq!(sched.join(first).unwrap(), 5);
    assert_eq!(
        sched.join(second).unwrap(),
        format!("another task already joins {parked_id}")
    );

    // A handle from another scheduler names no task here.
    let mut other = Scheduler::new();
    let foreign = other.spawn(square_later(3));
    let joiner = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(foreign.join())?.unwrap_err().to_string()),
    ));
    assert!(sched
        .join(joiner)
        .unwrap()
        .starts_with("the join failed: task#1 is not a task of this scheduler"));
}

#[test]
fn a_panicking_task_is_isolated_and_the_others_carry_on() {
    let log = log();
    let mut sched = Scheduler::new();
    sched.spawn(looper("a", 3, log.clone())).detach();
    let bad = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| -> TaskResult {
            yield_from!(yield_now())?;
            panic!("only this task dies");
        },
    ));
    sched.spawn(looper("b", 3, log.clone())).detach();
    sched.run().unwrap();
    assert_eq!(entries(&log), ["a0", "b0", "a1", "b1", "a2", "b2"]);
    assert!(matches!(
        bad.take_outcome(),
        Some(Err(JoinError::Panicked(m))) if m == "only this task dies"
    ));
    let stats = sched.stats();
    assert_eq!((stats.spawned, stats.finished, stats.alive), (3, 3, 0));
}

#[test]
fn several_panics_in_one_round_each_reach_their_joiner() {
    let log = log();
    let mut sched = Scheduler::new();
    sched.spawn(looper("a", 3, log.clone())).detach();
    let first = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| -> TaskResult {
            // A call answered at once: the panic comes from a later resume of the same turn.
            let me = yield_from!(task_id())?;
            panic!("first dies as {me}");
        },
    ));
    let first_id = first.id();
    let second = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| -> TaskResult {
            yield_from!(yield_now())?;
            panic!("second dies");
        },
    ));
    let out = log.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for handle in [first, second] {
                    match yield_from!(handle.join())? {
                        Err(JoinError::Panicked(m)) => out.borrow_mut().push(m),
                        other => panic!("unexpected {other:?}"),
                    }
                }
                Ok(())
            },
        ))
        .detach();
    sched.spawn(looper("b", 3, log.clone())).detach();
    sched.run().unwrap();
    let seen = entries(&log);
    let loops: Vec<&String> = seen.iter().filter(|e| e.len() == 2).collect();
    assert_eq!(loops, ["a0", "b0", "a1", "b1", "a2", "b2"]);
    assert!(
        seen.contains(&format!("first dies as {first_id}")),
        "{seen:?}"
    );
    assert!(seen.contains(&"second dies".to_string()), "{seen:?}");
    let stats = sched.stats();
    assert_eq!((stats.spawned, stats.finished, stats.alive), (5, 5, 0));
}

/// A helper coroutine with cleanup, so a kill shows the chain closing innermost first.
fn guarded_wait(name: &'static str, log: Log) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
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
    let victim = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let inner_log = out.clone();
            let middle = Co::new(
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
    ));
    let victim_id = victim.id();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(yield_now())?;
                assert!(yield_from!(kill(victim_id))?);
                assert!(
                    !yield_from!(kill(victim_id))?,
                    "a second kill finds nothing"
                );
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    assert_eq!(
        entries(&log),
        ["close arm inner", "drop inner", "close arm task"]
    );
    assert!(matches!(
        victim.take_outcome(),
        Some(Err(JoinError::Killed))
    ));
}

#[test]
fn a_task_can_kill_itself_and_its_cleanup_runs() {
    let log = log();
    let mut sched = Scheduler::new();
    let out = log.clone();
    let task = sched.spawn(Co::new(
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
    ));
    assert!(matches!(sched.join(task), Err(JoinError::Killed)));
    assert_eq!(entries(&log), ["after self-kill: closed = true"]);
}

#[test]
fn cancel_caught_lets_the_task_carry_on() {
    let mut sched = Scheduler::new();
    let worker = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            match yield_from!(park(&WaitList::new())) {
                Err(Exit::Raised(e)) if e.is_cancelled() => {}
                other => other?,
            }
            // Caught: the task goes on and can still make system calls.
            yield_from!(yield_now())?;
            Ok("recovered".to_string())
        },
    ));
    let worker_id = worker.id();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(yield_now())?;
                let cancel = volley::sched::task::cancel(worker_id, TaskError::cancelled("stop"));
                assert!(yield_from!(cancel)?);
                Ok(())
            },
        ))
        .detach();
    assert_eq!(sched.join(worker).unwrap(), "recovered");
}

#[test]
fn cancel_uncaught_ends_the_task_with_the_error() {
    let mut sched = Scheduler::new();
    let parent = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let worker = yield_from!(spawn(Co::new(
                #[coroutine]
                |_: TaskResume| -> TaskResult {
                    loop {
                        yield_from!(yield_now())?;
                    }
                }
            )))?;
            yield_from!(worker.cancel("enough"))?;
            match yield_from!(worker.join())? {
                Err(e @ JoinError::Raised(_)) if e.is_cancelled() => Ok(e.to_string()),
                other => Ok(format!("unexpected {other:?}")),
            }
        },
    ));
    assert_eq!(
        sched.join(parent).unwrap(),
        "the task raised: cancelled: enough"
    );
    assert_eq!(sched.stats().alive, 0);
}

#[test]
fn cancelling_a_sleeping_task_wakes_it() {
    let mut sched = Scheduler::new();
    let sleeper = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(sleep(std::time::Duration::from_secs(3600)))?;
            Ok(())
        },
    ));
    let id = sleeper.id();
    sched.run_once();
    assert!(sched.cancel(id, TaskError::cancelled("wake up")));
    assert!(sched.join(sleeper).is_err_and(|e| e.is_cancelled()));
}

#[test]
fn a_hundred_thousand_tasks_spawn_and_finish() {
    const TASKS: u64 = 100_000;
    let mut sched = Scheduler::new();
    let total = Rc::new(RefCell::new(0u64));
    let sum = total.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for n in 0..TASKS {
                    let sum = sum.clone();
                    yield_from!(spawn(Co::new(
                        #[coroutine]
                        move |_: TaskResume| {
                            yield_from!(yield_now())?;
                            *sum.borrow_mut() += n;
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
    assert_eq!(*total.borrow(), TASKS * (TASKS - 1) / 2);
    let stats = sched.stats();
    assert_eq!(stats.spawned, TASKS + 1);
    assert_eq!(stats.finished, TASKS + 1);
    assert_eq!(stats.alive, 0);
}

#[test]
fn a_dropped_handle_leaves_nothing_and_a_kept_one_keeps_the_value() {
    let big = Rc::new(vec![0u8; 1024]);
    let mut sched = Scheduler::new();
    let kept = big.clone();
    let handle = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(kept),
    ));
    let dropped = big.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| Ok(dropped),
        ))
        .detach();
    sched.run().unwrap();
    assert_eq!(
        Rc::strong_count(&big),
        2,
        "only the kept handle holds a value"
    );
    drop(handle);
    assert_eq!(Rc::strong_count(&big), 1);
}

#[test]
fn counters_are_visible_from_inside_and_outside() {
    let mut sched = Scheduler::new();
    let inside = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(yield_now())?;
            Ok(yield_from!(stats())?)
        },
    ));
    sched.spawn(looper("x", 1, log())).detach();
    sched.run().unwrap();
    let inside = inside.take_outcome().unwrap().unwrap();
    assert_eq!((inside.alive, inside.switches), (2, 3));
    let outside = sched.stats();
    assert_eq!(outside.spawned, 2);
    assert_eq!(outside.finished, 2);
    assert_eq!(outside.switches, 5, "the stats reply is a resume too");
}

#[test]
fn a_deadlock_is_reported_and_shutdown_runs_every_cleanup() {
    let log = log();
    let mut sched = Scheduler::new();
    let mut handles = Vec::new();
    for name in ["p", "q"] {
        let out = log.clone();
        handles.push(sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| match yield_from!(park(&WaitList::new())) {
                Err(Exit::Closed) => {
                    out.borrow_mut().push(format!("cleanup {name}"));
                    Err(Exit::Closed)
                }
                other => other,
            },
        )));
    }
    assert!(matches!(
        sched.run(),
        Err(SchedError::Deadlock { blocked: 2 })
    ));
    assert_eq!(sched.shutdown(), 2);
    assert_eq!(entries(&log), ["cleanup p", "cleanup q"]);
    for handle in handles {
        assert!(matches!(
            handle.take_outcome(),
            Some(Err(JoinError::Killed))
        ));
    }
}

#[test]
fn joining_from_outside_a_deadlocked_scheduler_reports_the_deadlock() {
    let mut sched = Scheduler::new();
    let stuck = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(park(&WaitList::new()))?;
            Ok(())
        },
    ));
    assert!(matches!(
        sched.join(stuck),
        Err(JoinError::Sched(SchedError::Deadlock { blocked: 1 }))
    ));
}

#[test]
fn dropping_the_scheduler_closes_remaining_tasks() {
    let log = log();
    let handle;
    {
        let mut sched = Scheduler::new();
        let out = log.clone();
        handle = sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| -> TaskResult {
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
        ));
        sched.run_once();
    }
    assert_eq!(entries(&log), ["guard dropped"]);
    assert!(matches!(
        handle.take_outcome(),
        Some(Err(JoinError::Killed))
    ));
}

#[test]
fn shutdown_from_a_task_closes_everyone_and_run_returns() {
    let log = log();
    let mut sched = Scheduler::new();
    for name in ["s1", "s2"] {
        let out = log.clone();
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| match yield_from!(sleep(std::time::Duration::from_secs(3600)))
                {
                    Err(Exit::Closed) => {
                        out.borrow_mut().push(format!("closed {name}"));
                        Err(Exit::Closed)
                    }
                    other => other,
                },
            ))
            .detach();
    }
    let out = log.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let r = yield_from!(volley::sched::task::shutdown());
                out.borrow_mut().push(format!(
                    "closed requester: {}",
                    matches!(r, Err(Exit::Closed))
                ));
                r
            },
        ))
        .detach();
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
        waiters.push(sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(park(&gate))?;
                out.borrow_mut().push(format!("{name} passed"));
                Ok(())
            },
        )));
    }
    let first = waiters[0].id();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                assert_eq!(yield_from!(wake_one(&gate))?, 1);
                yield_from!(kill(first))?; // woken, but killed before it could run
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    assert_eq!(entries(&log), ["second passed"]);
}
