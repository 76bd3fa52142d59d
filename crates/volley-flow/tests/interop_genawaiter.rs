//! genawaiter generators driven where Volley coroutines are accepted (docs/design.md, genawaiter
//! interop): as a pull pipeline source, as a push sink, and as a scheduler task that yields system
//! calls, is joined, and is killed.
#![feature(coroutines)]

use genawaiter::rc::Gen;
use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::rc::Rc;
use std::time::Duration;
use volley::pipeline::{feed, pull, push};
use volley::sched::{JoinError, Reply, Scheduler, Syscall, TaskError, TaskResume};
use volley::{genawaiter::FromGenawaiter, yield_from, Co, Exit};

/// Drops record themselves, so a test can see that a generator's locals were released.
struct Recorder(Rc<RefCell<Vec<&'static str>>>, &'static str);

impl Drop for Recorder {
    fn drop(&mut self) {
        self.0.borrow_mut().push(self.1);
    }
}

#[test]
fn a_genawaiter_generator_is_a_pull_source_and_early_stop_releases_it() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let inner = log.clone();
    let numbers = Gen::new(|co| async move {
        let _guard = Recorder(inner, "generator dropped");
        for n in 1u32.. {
            co.yield_(n).await;
        }
    });
    let source: Co<FromGenawaiter<_, Infallible>> = Co::from_genawaiter(numbers);
    let odd_squares = pull::map(pull::filter(source, |n| n % 2 == 1), |n| n * n);
    let first: Vec<u32> = odd_squares.into_iter().take(4).collect();
    assert_eq!(first, [1, 9, 25, 49]);
    assert_eq!(
        *log.borrow(),
        ["generator dropped"],
        "take() stopping closed the chain"
    );
}

#[test]
fn a_genawaiter_generator_is_a_push_sink() {
    let seen = Rc::new(Cell::new(0usize));
    let total = seen.clone();
    let counter = Gen::new(|co| async move {
        loop {
            let word: String = co.yield_(()).await;
            total.set(total.get() + word.len());
        }
    });
    let sink = push::sink(Co::<FromGenawaiter<_, Infallible>>::from_genawaiter(
        counter,
    ));
    let words = ["one", "pass", "only"].map(String::from);
    feed(words, sink).unwrap();
    assert_eq!(seen.get(), 11);
}

#[test]
fn a_genawaiter_generator_runs_as_a_scheduler_task() {
    let mut sched = Scheduler::new();
    // A task written for stable Rust: it yields system calls and reads the replies.
    let worker = sched.spawn(
        Co::from_resumable(FromGenawaiter::<_, TaskError>::new(Gen::new(
            |co| async move {
                let mut rounds = 0u32;
                for _ in 0..3 {
                    match co.yield_(Syscall::Yield).await {
                        Reply::Done => rounds += 1,
                        other => panic!("unexpected reply {other:?}"),
                    }
                }
                match co.yield_(Syscall::Sleep(Duration::from_millis(1))).await {
                    Reply::Done => rounds += 1,
                    other => panic!("unexpected reply {other:?}"),
                }
                rounds * 10u32
            },
        )))
        .named("genawaiter_worker"),
    );
    let joiner = sched.spawn(
        Co::new(
            #[coroutine]
            move |_: TaskResume| Ok(yield_from!(worker.join())?.map_err(|e| e.to_string())),
        )
        .named("volley_joiner"),
    );
    assert_eq!(sched.join(joiner).unwrap(), Ok(40));
}

#[test]
fn killing_a_genawaiter_task_drops_it_and_joiners_learn_it_was_killed() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let inner = log.clone();
    let mut sched = Scheduler::new();
    let sleeper = sched.spawn(Co::from_resumable(FromGenawaiter::<_, TaskError>::new(
        Gen::new(|co| async move {
            let _guard = Recorder(inner, "sleeper dropped");
            loop {
                co.yield_(Syscall::Sleep(Duration::from_secs(3600))).await;
            }
        }),
    )));
    let verdict = Rc::new(Cell::new(None));
    let out = verdict.clone();
    let killer = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(volley::sched::task::yield_now())?;
            yield_from!(sleeper.kill())?;
            let joined: Result<(), JoinError> = yield_from!(sleeper.join())?;
            out.set(Some(matches!(joined, Err(JoinError::Killed))));
            match joined {
                Err(JoinError::Killed) => Ok(1),
                _ => Err(Exit::Raised(TaskError::msg("not killed"))),
            }
        },
    ));
    assert_eq!(sched.join(killer).unwrap(), 1);
    assert_eq!(verdict.get(), Some(true));
    assert_eq!(*log.borrow(), ["sleeper dropped"]);
}
