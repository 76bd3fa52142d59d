//! Tasks awaiting futures (`sched::await_future`) with no async runtime: futures ready at once,
//! woken from other threads, panicking, dropped by kill and cancel, and on virtual time.
#![feature(coroutines, stmt_expr_attributes)]

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use volley::sched::task::yield_now;
use volley::sched::time::sleep;
use volley::sched::{await_future, spawn, JoinError, Scheduler, TaskResult, TaskResume};
use volley::{task, yield_from, Co, Exit};

/// A future that is pending until another thread wakes it through the waker it was sent;
/// then ready with `value`.
struct Remote<T> {
    wakers: mpsc::Sender<Waker>,
    polls: u32,
    value: Option<T>,
}

impl<T: Unpin> Future for Remote<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.polls += 1;
        if self.polls == 1 {
            self.wakers.send(cx.waker().clone()).unwrap();
            return Poll::Pending;
        }
        Poll::Ready(self.value.take().unwrap())
    }
}

fn remote<T>(value: T) -> (Remote<T>, mpsc::Receiver<Waker>) {
    let (wakers, rx) = mpsc::channel();
    let fut = Remote {
        wakers,
        polls: 0,
        value: Some(value),
    };
    (fut, rx)
}

/// Sets its flag when dropped: shows a future's cleanup ran.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn a_ready_future_evaluates_at_once() {
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let a = yield_from!(await_future(async { 40 }))?;
            let b = yield_from!(await_future(std::future::ready(2)))?;
            Ok(a + b)
        },
    ));
    assert_eq!(sched.join(task).unwrap(), 42);
}

#[test]
fn a_future_woken_from_another_thread_wakes_a_blocked_scheduler() {
    let (fut, wakers) = remote("late");
    // The other thread wakes the future only once the scheduler has nothing else to do, so
    // the scheduler must be blocked in its poller and woken by the waker.
    let waker_thread = std::thread::spawn(move || {
        let waker = wakers.recv().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        waker.wake();
    });
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(await_future(fut))?),
    ));
    assert_eq!(sched.join(task).unwrap(), "late");
    waker_thread.join().unwrap();
}

#[test]
fn other_tasks_run_while_one_awaits() {
    let (fut, wakers) = remote(5u32);
    let mut sched = Scheduler::new();
    let waiting = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(await_future(fut))?),
    ));
    let ticks = Rc::new(Cell::new(0));
    let counter = ticks.clone();
    let busy = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            // Wakes the future itself after a few rounds, from this thread.
            for _ in 0..3 {
                counter.set(counter.get() + 1);
                yield_from!(yield_now())?;
            }
            wakers.recv().unwrap().wake();
            Ok(())
        },
    ));
    assert_eq!(sched.join(waiting).unwrap(), 5);
    assert_eq!(ticks.get(), 3);
    sched.join(busy).unwrap();
}

#[test]
fn wakes_after_the_future_finished_are_harmless() {
    let (fut, wakers) = remote(1u8);
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let one = yield_from!(await_future(fut))?;
            yield_from!(sleep(Duration::from_millis(1)))?;
            Ok(one)
        },
    ));
    sched.run_once();
    let waker = wakers.recv().unwrap();
    waker.wake_by_ref();
    sched.run_once();
    // The task now sleeps; stale wakes of the finished future's waker change nothing.
    waker.wake_by_ref();
    waker.wake();
    assert_eq!(sched.join(task).unwrap(), 1);
}

#[test]
fn a_panicking_future_is_the_task_panic_and_the_scheduler_survives() {
    let mut sched = Scheduler::new();
    let bad = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| -> TaskResult<u8> {
            yield_from!(await_future(async {
                panic!("the future broke");
            }))?;
            Ok(0)
        },
    ));
    let good = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| Ok(yield_from!(await_future(async { "fine" }))?),
    ));
    sched.run().unwrap();
    match bad.take_outcome() {
        Some(Err(JoinError::Panicked(message))) => assert_eq!(message, "the future broke"),
        other => panic!("unexpected outcome {other:?}"),
    }
    assert_eq!(good.take_outcome().unwrap().unwrap(), "fine");
}

#[test]
fn killing_a_task_drops_the_future_it_awaits() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    let mut sched = Scheduler::new();
    let parent = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let waiter = yield_from!(spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    let _flag = &flag;
                    let never = std::future::pending::<()>();
                    yield_from!(await_future(never))?;
                    Ok(())
                }
            )))?;
            yield_from!(yield_now())?; // the child starts waiting
            assert!(yield_from!(waiter.kill())?);
            Ok(matches!(
                yield_from!(waiter.join())?,
                Err(JoinError::Killed)
            ))
        },
    ));
    assert!(sched.join(parent).unwrap());
    assert!(dropped.get());
}

#[test]
fn the_future_itself_is_dropped_on_kill() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(await_future(async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            }))?;
            Ok(())
        },
    ));
    sched.run_once();
    assert!(!dropped.get());
    assert!(sched.kill(task.id()));
    assert!(dropped.get());
    assert!(matches!(task.take_outcome(), Some(Err(JoinError::Killed))));
}

#[test]
fn cancelling_a_task_drops_the_future_and_throws_in() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    let seen = dropped.clone();
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let waited = yield_from!(await_future(async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            }));
            match waited {
                Err(Exit::Raised(e)) if e.is_cancelled() => Ok(seen.get()),
                other => other.map(|()| false),
            }
        },
    ));
    sched.run_once();
    assert!(sched.cancel(task.id(), volley::sched::TaskError::cancelled("stop")));
    // The future was dropped before the task saw the cancellation.
    assert!(sched.join(task).unwrap());
}

#[test]
fn many_tasks_await_futures_woken_from_threads() {
    let mut sched = Scheduler::new();
    let mut handles = Vec::new();
    let mut threads = Vec::new();
    for n in 0..50u32 {
        let (fut, wakers) = remote(n);
        threads.push(std::thread::spawn(move || wakers.recv().unwrap().wake()));
        handles.push(sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| Ok(yield_from!(await_future(fut))? * 2),
        )));
    }
    sched.run().unwrap();
    for (n, handle) in handles.into_iter().enumerate() {
        assert_eq!(handle.take_outcome().unwrap().unwrap(), 2 * n as u32);
    }
    for thread in threads {
        thread.join().unwrap();
    }
}

#[task]
fn sleeper(seconds: u64, clock: volley::sched::time::Clock) -> TaskResult<Duration> {
    yield_from!(sleep(Duration::from_secs(seconds)))?;
    Ok(clock.elapsed())
}

#[test]
fn virtual_time_does_not_move_past_an_outstanding_future() {
    let (fut, wakers) = remote(());
    let mut sched = Scheduler::simulated(3);
    let clock = sched.clock();
    let observed = clock.clone();
    let waiting = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(await_future(fut))?;
            Ok(observed.elapsed())
        },
    ));
    let sleeping = sched.spawn(sleeper(3600, clock.clone()));
    let waker_thread = std::thread::spawn(move || {
        let waker = wakers.recv().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        waker.wake();
    });
    // The future finishes at virtual time zero: the hour-long sleep waited for it.
    assert_eq!(sched.join(waiting).unwrap(), Duration::ZERO);
    assert_eq!(sched.join(sleeping).unwrap(), Duration::from_secs(3600));
    waker_thread.join().unwrap();
}

#[test]
fn simulated_runs_without_futures_stay_deterministic() {
    let run = |seed| {
        let mut sched = Scheduler::simulated(seed);
        let clock = sched.clock();
        let task = sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let ready = yield_from!(await_future(async { 1u64 }))?;
                let n = yield_from!(volley::sched::rand::below(1000))?;
                yield_from!(sleep(Duration::from_secs(n)))?;
                Ok((ready, n, clock.elapsed()))
            },
        ));
        sched.join(task).unwrap()
    };
    assert_eq!(run(11), run(11));
}

#[test]
fn a_future_that_wakes_itself_while_polled_is_polled_again() {
    // Yields once: wakes its own waker, then answers pending.
    let mut polls = 0;
    let yield_once = std::future::poll_fn(move |cx| {
        polls += 1;
        if polls == 1 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(polls)
    });
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(await_future(yield_once))?),
    ));
    assert_eq!(sched.join(task).unwrap(), 2);
}

#[test]
fn a_future_woken_once_is_polled_twice() {
    let polls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counted = polls.clone();
    let (wakers, received) = mpsc::channel::<Waker>();
    let mut woken = false;
    let fut = std::future::poll_fn(move |cx| {
        counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if woken {
            return Poll::Ready(());
        }
        woken = true;
        wakers.send(cx.waker().clone()).unwrap();
        Poll::Pending
    });
    let waker_thread = std::thread::spawn(move || {
        let waker = received.recv().unwrap();
        std::thread::sleep(Duration::from_millis(30));
        waker.wake();
    });
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(await_future(fut))?),
    ));
    sched.join(task).unwrap();
    waker_thread.join().unwrap();
    // Polled at the call and once after the wake: no polling while it waited.
    assert_eq!(polls.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[test]
fn a_wake_after_the_task_was_killed_is_harmless() {
    let (fut, wakers) = remote(0u8);
    let mut sched = Scheduler::new();
    let doomed = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(await_future(fut))?),
    ));
    sched.run_once();
    let waker = wakers.recv().unwrap();
    assert!(sched.kill(doomed.id()));
    // The killed task's slot is reused by a new task, which the stale wake must not touch.
    let next = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(sleep(Duration::from_millis(1)))?;
            Ok("untouched")
        },
    ));
    waker.wake();
    assert_eq!(sched.join(next).unwrap(), "untouched");
    assert!(matches!(
        doomed.take_outcome(),
        Some(Err(JoinError::Killed))
    ));
}
