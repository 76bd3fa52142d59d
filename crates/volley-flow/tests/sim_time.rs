//! Virtual time, seeded random numbers, deterministic order, custom system calls and the
//! store, on the simulated scheduler; and the same task bodies on the real one.
#![feature(coroutines)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use volley_core::{yield_from, Co, Delegate, Exit, Resume, Step};
use volley_flow::sched::rand::{below, exponential, rng};
use volley_flow::sched::sync::{park, wake_one, WaitList};
use volley_flow::sched::task::{call, kill, Call, Handled};
use volley_flow::sched::time::{clock, now, secs, sleep, sleep_secs, timeout};
use volley_flow::sched::{
    spawn, JoinError, Reply, SchedError, Scheduler, Syscall, TaskBody, TaskCall, TaskError,
    TaskResult, TaskResume,
};
use volley_flow::sim::Store;

type Log = Rc<RefCell<Vec<String>>>;

/// A worker that naps random lengths and logs when it wakes: the same body for both clocks.
fn napper(name: &'static str, naps: u32, unit: Duration, log: Log) -> Co<impl TaskBody<()>> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            for _ in 0..naps {
                let n = yield_from!(below(5))? as u32 + 1;
                yield_from!(sleep(unit * n))?;
                let at = clock.elapsed().as_nanos() / unit.as_nanos();
                log.borrow_mut().push(format!("{name}@{at}"));
            }
            Ok(())
        },
    )
    .named(name)
}

fn trace(seed: u64) -> Vec<String> {
    let log = Log::default();
    let mut sched = Scheduler::simulated(seed);
    for name in ["a", "b", "c"] {
        sched
            .spawn(napper(name, 20, Duration::from_secs(1), log.clone()))
            .detach();
    }
    sched.run().unwrap();
    let out = log.borrow().clone();
    out
}

#[test]
fn the_same_seed_gives_the_same_trace_and_another_seed_another() {
    let first = trace(11);
    assert_eq!(first.len(), 60);
    assert_eq!(first, trace(11));
    assert_ne!(first, trace(12));
}

#[test]
fn virtual_time_jumps_and_a_day_takes_no_wall_time() {
    let mut sched = Scheduler::simulated(0);
    let task = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let start = yield_from!(now())?;
            yield_from!(sleep(Duration::from_secs(86_400)))?;
            Ok(yield_from!(now())? - start)
        },
    ));
    let wall = std::time::Instant::now();
    assert_eq!(sched.join(task).unwrap(), Duration::from_secs(86_400));
    assert!(wall.elapsed() < Duration::from_secs(60));
}

#[test]
fn tasks_due_at_the_same_instant_run_in_the_order_their_timers_were_set() {
    let log = Log::default();
    let mut sched = Scheduler::simulated(0);
    for name in ["first", "second", "third"] {
        let log = log.clone();
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    yield_from!(sleep(Duration::from_secs(5)))?;
                    log.borrow_mut().push(name.to_string());
                    Ok(())
                },
            ))
            .detach();
    }
    sched.run().unwrap();
    assert_eq!(*log.borrow(), ["first", "second", "third"]);
}

#[test]
fn a_task_woken_by_a_timer_goes_after_the_other_timers_due_at_that_instant() {
    // B and C sleep until 10 s; A, alone at 1 s, sleeps past them, which hands the processor
    // straight to B. B wakes D: D is made ready at 10 s after C's timer fired at 10 s, so C
    // runs first, as it would if every timer due at 10 s fired together.
    let log = Log::default();
    let gate = WaitList::new();
    let mut sched = Scheduler::simulated(0);
    let logged = |name: &'static str, log: &Log| {
        let log = log.clone();
        move || log.borrow_mut().push(name.to_string())
    };
    let (note, waiting) = (logged("D", &log), gate.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(park(&waiting))?;
                note();
                Ok(())
            },
        ))
        .detach();
    let (note, opener) = (logged("B", &log), gate.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(secs(10.0)))?;
                note();
                yield_from!(wake_one(&opener))?;
                Ok(())
            },
        ))
        .detach();
    let note = logged("C", &log);
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(secs(10.0)))?;
                note();
                Ok(())
            },
        ))
        .detach();
    let note = logged("A", &log);
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(secs(1.0)))?;
                yield_from!(sleep(secs(20.0)))?;
                note();
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    assert_eq!(*log.borrow(), ["B", "C", "D", "A"]);
}

#[test]
fn join_stops_after_the_round_its_task_ends_in_whatever_sleeps_follow() {
    let log = Log::default();
    let mut sched = Scheduler::simulated(0);
    let gate = WaitList::new();
    let target = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(park(&gate))?;
            Ok(())
        },
    ));
    let victim = target.id();
    let later = log.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(secs(10.0)))?;
                later.borrow_mut().push("at 10 s".to_string());
                Ok(())
            },
        ))
        .detach();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(secs(1.0)))?;
                yield_from!(kill(victim))?;
                // Alone, and past the next timer: the scheduler would hand the processor
                // over, but the run ends with this round.
                yield_from!(sleep(secs(20.0)))?;
                Ok(())
            },
        ))
        .detach();
    assert!(matches!(sched.join(target), Err(JoinError::Killed)));
    assert_eq!(sched.clock().elapsed(), secs(1.0));
    assert!(
        log.borrow().is_empty(),
        "ran past the join: {:?}",
        log.borrow()
    );
}

#[test]
fn the_same_body_runs_on_the_real_clock() {
    let log = Log::default();
    let mut sched = Scheduler::new();
    sched.set_seed(11);
    sched
        .spawn(napper("real", 3, Duration::from_millis(1), log.clone()))
        .detach();
    sched.run().unwrap();
    assert_eq!(log.borrow().len(), 3);
    // On the wall clock, each wake is at least as late as the naps so far.
    let mut sim = Scheduler::simulated(11);
    let sim_log = Log::default();
    sim.spawn(napper("real", 3, Duration::from_millis(1), sim_log.clone()))
        .detach();
    sim.run().unwrap();
    let at = |entry: &String| entry.split('@').nth(1).unwrap().parse::<u128>().unwrap();
    for (real, simulated) in log.borrow().iter().zip(sim_log.borrow().iter()) {
        assert!(at(real) >= at(simulated), "{real} vs {simulated}");
    }
}

#[test]
fn run_until_stops_before_the_deadline_and_leaves_the_clock_on_it() {
    let log = Log::default();
    let mut sched = Scheduler::simulated(0);
    let out = log.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| -> TaskResult {
                let clock = yield_from!(clock())?;
                loop {
                    yield_from!(sleep(Duration::from_secs(2)))?;
                    out.borrow_mut().push(clock.elapsed().as_secs().to_string());
                }
            },
        ))
        .detach();
    let start = sched.clock().start();
    sched.run_until(start + Duration::from_secs(7)).unwrap();
    assert_eq!(*log.borrow(), ["2", "4", "6"]);
    assert_eq!(sched.clock().elapsed(), Duration::from_secs(7));
    sched.run_until(start + Duration::from_secs(8)).unwrap();
    assert_eq!(
        *log.borrow(),
        ["2", "4", "6"],
        "the tick at 8 is at the deadline"
    );
    sched.run_for(Duration::from_nanos(1)).unwrap();
    assert_eq!(log.borrow().last().unwrap(), "8");
    assert_eq!(sched.shutdown(), 1);
}

#[test]
fn run_until_with_only_parked_tasks_is_no_deadlock_but_run_is() {
    let mut sched = Scheduler::simulated(0);
    sched
        .spawn(Co::new(
            #[coroutine]
            |_: TaskResume| {
                yield_from!(park(&WaitList::new()))?;
                Ok(())
            },
        ))
        .detach();
    sched.run_for(Duration::from_secs(3)).unwrap();
    assert_eq!(sched.clock().elapsed(), Duration::from_secs(3));
    assert!(matches!(
        sched.run(),
        Err(SchedError::Deadlock { blocked: 1 })
    ));
}

#[test]
fn timeouts_race_on_virtual_time() {
    let mut sched = Scheduler::simulated(0);
    let task = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let clock = yield_from!(clock())?;
            let quick = yield_from!(timeout(secs(10.0), sleep(secs(1.0))))?;
            let at_quick = clock.secs();
            let slow = yield_from!(timeout(secs(2.0), sleep(secs(100.0))))?;
            Ok((quick.is_ok(), at_quick, slow.is_ok(), clock.secs()))
        },
    ));
    assert_eq!(sched.join(task).unwrap(), (true, 1.0, false, 3.0));
}

#[test]
fn random_helpers_and_the_shared_handle_draw_from_one_stream() {
    let draws = |seed| {
        let mut sched = Scheduler::simulated(seed);
        let task = sched.spawn(Co::new(
            #[coroutine]
            |_: TaskResume| {
                let handle = yield_from!(rng())?;
                let a = yield_from!(exponential(2.0))?;
                let b = handle.exponential(2.0);
                Ok((a, b))
            },
        ));
        sched.join(task).unwrap()
    };
    let (a, b) = draws(5);
    assert_ne!(a, b);
    assert_eq!(draws(5), (a, b));
    let mut direct = volley_flow::sched::rand::Rng::seeded(5);
    assert_eq!(direct.exponential(2.0), a);
    assert_eq!(direct.exponential(2.0), b);
}

/// A frame boundary in the scheduler: tasks wait for the next frame.
struct NextFrame;

#[test]
fn custom_calls_park_on_a_list_a_driver_wakes() {
    let frame = WaitList::new();
    let mut sched = Scheduler::new();
    let list = frame.clone();
    sched.on_call(move |_, NextFrame| Handled::Park(list.clone()));
    let log = Log::default();
    let out = log.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for i in 0..3 {
                    yield_from!(call::<_, ()>(NextFrame))?;
                    out.borrow_mut().push(format!("frame {i}"));
                }
                Ok(())
            },
        ))
        .detach();
    sched.run_once();
    for _ in 0..3 {
        assert_eq!(sched.wake(&frame, true), 1);
        sched.run_once();
    }
    assert_eq!(*log.borrow(), ["frame 0", "frame 1", "frame 2"]);
    assert_eq!(sched.stats().alive, 0);
}

#[test]
fn a_custom_call_without_a_handler_or_of_the_wrong_answer_type_raises() {
    struct Unknown;
    struct Number;
    let mut sched = Scheduler::new();
    sched.on_call(|_, Number| Handled::reply(7u8));
    let missing = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(call::<_, ()>(Unknown))?;
            Ok(())
        },
    ));
    let wrong = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let n: u64 = yield_from!(call(Number))?;
            Ok(n)
        },
    ));
    sched.run().unwrap();
    match missing.take_outcome() {
        Some(Err(JoinError::Raised(e))) => assert!(e.to_string().contains("no handler"), "{e}"),
        other => panic!("{other:?}"),
    }
    match wrong.take_outcome() {
        Some(Err(JoinError::Raised(e))) => {
            assert!(e.to_string().contains("unexpected reply"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn custom_calls_may_sleep_yield_and_raise() {
    struct Nap(Duration);
    struct Pass;
    struct Fail;
    let mut sched = Scheduler::simulated(0);
    sched.on_call(|cx, Nap(d)| Handled::SleepUntil(cx.clock().now() + d));
    sched.on_call(|_, Pass| Handled::Yield);
    sched.on_call(|_, Fail| Handled::Raise(volley_flow::sched::TaskError::msg("refused")));
    let task = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let clock = yield_from!(clock())?;
            yield_from!(call::<_, ()>(Nap(secs(4.0))))?;
            yield_from!(call::<_, ()>(Pass))?;
            let refused = yield_from!(spawn(Co::new(
                #[coroutine]
                |_: TaskResume| {
                    yield_from!(call::<_, ()>(Fail))?;
                    Ok(())
                }
            )))?;
            let refused = yield_from!(refused.join())?;
            Ok((clock.secs(), refused.is_err()))
        },
    ));
    assert_eq!(sched.join(task).unwrap(), (4.0, true));
}

#[test]
fn a_store_serves_getters_in_order_and_a_killed_getter_leaves_the_line() {
    let store: Store<u32> = Store::unbounded();
    let log = Log::default();
    let mut sched = Scheduler::simulated(0);
    let mut handles = Vec::new();
    for name in ["a", "b", "c"] {
        let (store, log) = (store.clone(), log.clone());
        handles.push(sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let item = yield_from!(store.get())?;
                log.borrow_mut().push(format!("{name}:{item}"));
                Ok(())
            },
        )));
    }
    sched.run_once();
    assert_eq!(store.waiting_getters(), 3);
    assert!(sched.kill(handles[1].id()));
    let producer = store.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for n in 1..=2 {
                    yield_from!(sleep(secs(1.0)))?;
                    yield_from!(producer.put(n))?;
                }
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
    assert_eq!(*log.borrow(), ["a:1", "c:2"]);
}

#[test]
fn a_bounded_store_makes_putters_wait() {
    let store: Store<u32> = Store::bounded(2);
    let mut sched = Scheduler::simulated(0);
    let tx = store.clone();
    let producer = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            for n in 0..4 {
                yield_from!(tx.put(n))?;
            }
            Ok(clock.secs())
        },
    ));
    let consumer = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let mut got = Vec::new();
            for _ in 0..4 {
                yield_from!(sleep(secs(1.0)))?;
                let item = yield_from!(store.get())?;
                got.push(item);
            }
            Ok(got)
        },
    ));
    sched.run().unwrap();
    assert_eq!(producer.take_outcome().unwrap().unwrap(), 2.0);
    assert_eq!(consumer.take_outcome().unwrap().unwrap(), [0, 1, 2, 3]);
}

#[test]
fn a_panic_after_a_timer_hands_over_is_the_panicking_tasks_own() {
    let mut sched = Scheduler::simulated(0);
    let steady = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            for _ in 0..10 {
                yield_from!(sleep(secs(1.0)))?;
            }
            Ok("steady")
        },
    ));
    let fragile = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| -> TaskResult {
            yield_from!(sleep(secs(0.5)))?;
            yield_from!(sleep(secs(1.0)))?;
            panic!("broke at 1.5 s");
        },
    ));
    sched.run().unwrap();
    assert_eq!(steady.take_outcome().unwrap().unwrap(), "steady");
    match fragile.take_outcome() {
        Some(Err(JoinError::Panicked(message))) => assert_eq!(message, "broke at 1.5 s"),
        other => panic!("{other:?}"),
    }
}

/// How a model's tasks sleep: through the `sleep` or `sleep_secs` helper (which on virtual
/// time may end a sleep at once when it is the next thing to happen), or by yielding the
/// system call.
#[derive(Clone, Copy)]
enum Nap {
    Helper,
    Secs,
    Raw,
}

/// A sleep made the way `nap` says.
fn nap(how: Nap, length: Duration) -> Napping<impl TaskCall<()>, impl TaskCall<()>> {
    match how {
        Nap::Helper => Napping::Helper(sleep(length)),
        Nap::Secs => Napping::Secs(sleep_secs(length.as_secs_f64())),
        Nap::Raw => Napping::Raw(Call::new(Syscall::Sleep(length), |reply| match reply {
            Reply::Done => Ok(()),
            other => panic!("a sleep answered {other:?}"),
        })),
    }
}

/// Any kind of sleep, as one helper type.
enum Napping<H, S> {
    Helper(H),
    Secs(S),
    Raw(Call<()>),
}

impl<H: TaskCall<()>, S: TaskCall<()>> Delegate<Reply, Syscall, TaskError> for Napping<H, S> {
    type Output = ();

    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<(), Exit<TaskError>>> {
        match self {
            Napping::Helper(helper) => helper.delegate(resume),
            Napping::Secs(helper) => helper.delegate(resume),
            Napping::Raw(call) => call.delegate(resume),
        }
    }
}

/// One task of a random model: draws what to do from the shared stream, and logs each step
/// with the virtual instant it happened at.
fn actor(me: usize, steps: u32, line: Store<u64>, how: Nap, log: Log) -> Co<impl TaskBody<()>> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            for step in 0..steps {
                let what = yield_from!(below(8))?;
                // Whole or half units, zero included: equal instants happen often.
                let length = Duration::from_millis(yield_from!(below(4))? * 500);
                match what {
                    0 | 1 => yield_from!(nap(how, length))?,
                    2 => yield_from!(line.put(me as u64 * 1000 + u64::from(step)))?,
                    3 => {
                        let got = yield_from!(timeout(length, line.get()))?;
                        log.borrow_mut().push(format!("{me} got {got:?}"));
                    }
                    4 => {
                        let quick = yield_from!(timeout(length, nap(how, length / 2)))?;
                        log.borrow_mut()
                            .push(format!("{me} quick {}", quick.is_ok()));
                    }
                    5 => {
                        let slow = yield_from!(timeout(length / 2, nap(how, length)))?;
                        log.borrow_mut().push(format!("{me} slow {}", slow.is_ok()));
                    }
                    6 => {
                        let _ = line.try_put(u64::from(step));
                    }
                    _ => {
                        let got = yield_from!(line.get())?;
                        log.borrow_mut().push(format!("{me} waited for {got}"));
                    }
                }
                log.borrow_mut().push(format!(
                    "{me} step {step} what {what} at {:?}",
                    clock.elapsed()
                ));
            }
            Ok(())
        },
    )
}

/// The log of a random model of `actors` tasks on `seed`, run to the end or to `limit`.
fn random_model(seed: u64, actors: usize, nap: Nap, limit: Option<Duration>) -> Vec<String> {
    let mut sched = Scheduler::simulated(seed);
    let log: Log = Rc::default();
    let line = Store::unbounded();
    for me in 0..actors {
        let steps = 5 + (seed as u32 + me as u32) % 20;
        sched
            .spawn(actor(me, steps, line.clone(), nap, log.clone()))
            .detach();
    }
    match limit {
        Some(limit) => sched.run_for(limit).unwrap(),
        None => {
            // Getters left waiting on the empty line are a deadlock once the rest ended.
            let _ = sched.run();
        }
    }
    let mut log = log.borrow().clone();
    log.push(format!(
        "end at {:?}, {:?}",
        sched.clock().elapsed(),
        sched.stats()
    ));
    log
}

#[test]
fn a_wake_asked_for_without_a_system_call_comes_before_a_sleep() {
    let mut sched = Scheduler::simulated(0);
    let line = Store::unbounded();
    let getter = line.clone();
    let got = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            let item = yield_from!(getter.get())?;
            Ok((item, clock.elapsed()))
        },
    ));
    let putter = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let clock = yield_from!(clock())?;
            yield_from!(sleep(secs(1.0)))?;
            line.try_put(7).unwrap();
            // Nothing else waits on a timer: this sleep would be the next thing to happen but
            // for the getter, woken at the end of this round.
            yield_from!(sleep(secs(5.0)))?;
            Ok(clock.elapsed())
        },
    ));
    sched.run().unwrap();
    assert_eq!(got.take_outcome().unwrap().unwrap(), (7, secs(1.0)));
    assert_eq!(putter.take_outcome().unwrap().unwrap(), secs(6.0));
}

#[test]
fn sleeps_that_end_without_a_switch_change_nothing_a_model_sees() {
    for seed in 0..300 {
        let actors = 1 + (seed % 5) as usize;
        let limit = (seed % 3 == 0).then(|| Duration::from_millis(500 * (seed % 11 + 1)));
        let helper = random_model(seed, actors, Nap::Helper, limit);
        let in_secs = random_model(seed, actors, Nap::Secs, limit);
        let raw = random_model(seed, actors, Nap::Raw, limit);
        assert_eq!(
            helper, raw,
            "seed {seed}: the helper's sleeps changed the model"
        );
        assert_eq!(
            in_secs, raw,
            "seed {seed}: sleeps in seconds changed the model"
        );
    }
}

#[test]
fn sleeps_in_seconds_round_to_nanoseconds_and_an_endless_one_never_ends() {
    let mut sched = Scheduler::simulated(0);
    let timed = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let clock = yield_from!(clock())?;
            yield_from!(sleep_secs(0.5))?;
            let half = clock.elapsed();
            yield_from!(sleep_secs(-2.0))?;
            yield_from!(sleep_secs(f64::NAN))?;
            let unmoved = clock.elapsed();
            yield_from!(sleep_secs(1e-9 / 3.0))?;
            yield_from!(sleep_secs(2e-9 / 3.0))?;
            Ok((half, unmoved, clock.elapsed()))
        },
    ));
    let endless = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(sleep_secs(f64::INFINITY))?;
            Ok(())
        },
    ));
    sched.run_for(secs(3600.0)).unwrap();
    assert_eq!(
        timed.take_outcome().unwrap().unwrap(),
        (secs(0.5), secs(0.5), secs(0.5) + Duration::from_nanos(1))
    );
    assert!(sched.is_alive(endless.id()), "an endless sleep ended");
    assert_eq!(sched.clock().elapsed(), secs(3600.0));
}

#[test]
fn a_scheduler_run_inside_a_task_keeps_its_own_clock() {
    let mut outer = Scheduler::simulated(0);
    let task = outer.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let clock = yield_from!(clock())?;
            let mut inner = Scheduler::simulated(1);
            let inner_clock = inner.clock();
            let nap = || {
                Co::new(
                    #[coroutine]
                    |_: TaskResume| {
                        yield_from!(sleep(secs(5.0)))?;
                        Ok(())
                    },
                )
            };
            // One round: the inner task's sleep waits for the inner scheduler's clock.
            inner.spawn(nap()).detach();
            inner.run_once();
            let after_round = (clock.elapsed(), inner_clock.elapsed(), inner.stats().alive);
            inner.run().unwrap();
            let after_run = (clock.elapsed(), inner_clock.elapsed());
            yield_from!(sleep(secs(2.0)))?;
            Ok((after_round, after_run, clock.elapsed()))
        },
    ));
    assert_eq!(
        outer.join(task).unwrap(),
        (
            (Duration::ZERO, Duration::ZERO, 1),
            (Duration::ZERO, secs(5.0)),
            secs(2.0)
        )
    );
}
