//! Volley tasks awaiting real tokio futures (`sched::await_future`), with a tokio runtime
//! running in the background and entered on the scheduler's thread: timers, TCP sockets,
//! channels fed from other threads, a panicking future, and kill while awaiting.
#![feature(coroutines)]

use std::io;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use volley::sched::task::yield_now;
use volley::sched::{await_future, spawn, JoinError, Scheduler, TaskResult, TaskResume};
use volley::{yield_from, Co};

/// A tokio runtime whose one worker thread drives its reactor and timers: the futures tasks
/// await are woken from there.
fn background_runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_task_awaits_tokio_sleep() {
    let runtime = background_runtime();
    let _entered = runtime.enter();
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            let start = tokio::time::Instant::now();
            yield_from!(await_future(tokio::time::sleep(Duration::from_millis(20))))?;
            Ok(start.elapsed())
        },
    ));
    assert!(sched.join(task).unwrap() >= Duration::from_millis(20));
}

#[test]
fn a_task_talks_to_a_tokio_listener_over_tokio_tcp() {
    let runtime = background_runtime();
    let _entered = runtime.enter();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    // The server: upper-cases one line, on the runtime's worker.
    let server = runtime.spawn(async move {
        let (mut conn, _) = listener.accept().await?;
        let mut line = [0u8; 5];
        conn.read_exact(&mut line).await?;
        conn.write_all(&line.to_ascii_uppercase()).await?;
        Ok::<_, io::Error>(())
    });
    let mut sched = Scheduler::new();
    let client = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let mut stream = yield_from!(await_future(tokio::net::TcpStream::connect(addr)))??;
            let answer = yield_from!(await_future(async move {
                stream.write_all(b"ping\n").await?;
                let mut answer = String::new();
                stream.read_to_string(&mut answer).await?;
                Ok::<_, io::Error>(answer)
            }))??;
            Ok(answer)
        },
    ));
    assert_eq!(sched.join(client).unwrap(), "PING\n");
    runtime.block_on(server).unwrap().unwrap();
}

#[test]
fn a_task_receives_from_tokio_channels_fed_by_threads() {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(2);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<&str>();
    let feeder = std::thread::spawn(move || {
        for n in 1..=5 {
            tx.blocking_send(n).unwrap();
        }
        drop(tx);
        done_tx.send("fed").unwrap();
    });
    // tokio's channels need no runtime: their wakers are the scheduler's.
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let mut sum = 0;
            loop {
                let (back, next) = yield_from!(await_future(async move {
                    let next = rx.recv().await;
                    (rx, next)
                }))?;
                rx = back;
                match next {
                    Some(n) => sum += n,
                    None => break,
                }
            }
            let word = yield_from!(await_future(done_rx))??;
            Ok((sum, word))
        },
    ));
    assert_eq!(sched.join(task).unwrap(), (15, "fed"));
    feeder.join().unwrap();
}

#[test]
fn a_tokio_future_that_panics_fails_its_task_only() {
    let runtime = background_runtime();
    let _entered = runtime.enter();
    let mut sched = Scheduler::new();
    let bad = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| -> TaskResult {
            yield_from!(await_future(async {
                tokio::time::sleep(Duration::from_millis(1)).await;
                panic!("tokio future failed");
            }))?;
            Ok(())
        },
    ));
    let good = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(await_future(tokio::time::sleep(Duration::from_millis(5))))?;
            Ok("still running")
        },
    ));
    sched.run().unwrap();
    match bad.take_outcome() {
        Some(Err(JoinError::Panicked(message))) => assert_eq!(message, "tokio future failed"),
        other => panic!("unexpected outcome {other:?}"),
    }
    assert_eq!(good.take_outcome().unwrap().unwrap(), "still running");
}

#[test]
fn killing_a_task_drops_the_tokio_future_it_awaits() {
    let runtime = background_runtime();
    let _entered = runtime.enter();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut sched = Scheduler::new();
    let parent = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let waiter = yield_from!(spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    yield_from!(await_future(rx))??;
                    Ok(())
                }
            )))?;
            let sleeper = yield_from!(spawn(Co::new(
                #[coroutine]
                |_: TaskResume| {
                    yield_from!(await_future(tokio::time::sleep(Duration::from_secs(3600))))?;
                    Ok(())
                }
            )))?;
            yield_from!(yield_now())?; // both start waiting
            yield_from!(waiter.kill())?;
            yield_from!(sleeper.kill())?;
            let waiter = yield_from!(waiter.join())?;
            let sleeper = yield_from!(sleeper.join())?;
            Ok(matches!(
                (waiter, sleeper),
                (Err(JoinError::Killed), Err(JoinError::Killed))
            ))
        },
    ));
    assert!(sched.join(parent).unwrap());
    // The receiver went with the killed task's future.
    assert!(tx.is_closed());
}

#[test]
fn tokio_tasks_on_other_threads_await_volley_tasks() {
    let runtime = background_runtime();
    let (handles_tx, handles_rx) = std::sync::mpsc::channel();
    let scheduler_thread = std::thread::spawn(move || {
        let mut sched = Scheduler::new();
        let value = sched.spawn_remote(Co::new(
            #[coroutine]
            |_: TaskResume| {
                yield_from!(yield_now())?;
                Ok(String::from("computed in Volley"))
            },
        ));
        let failed = sched.spawn_remote(Co::new(
            #[coroutine]
            |_: TaskResume| -> TaskResult<String> { panic!("volley task broke") },
        ));
        let killed = sched.spawn_remote(Co::new(
            #[coroutine]
            |_: TaskResume| {
                yield_from!(volley::sched::sync::park(
                    &volley::sched::sync::WaitList::new()
                ))?;
                Ok(String::new())
            },
        ));
        let killed_id = killed.id();
        handles_tx.send((value, failed, killed)).unwrap();
        sched.run_once();
        assert!(sched.kill(killed_id));
        sched.run().unwrap();
    });
    let (value, failed, killed) = handles_rx.recv().unwrap();
    // Awaited by tokio tasks on the runtime's worker thread.
    let outcomes = runtime.block_on(async move {
        let value = tokio::spawn(value);
        let failed = tokio::spawn(failed);
        let killed = tokio::spawn(killed);
        (
            value.await.unwrap(),
            failed.await.unwrap(),
            killed.await.unwrap(),
        )
    });
    scheduler_thread.join().unwrap();
    assert_eq!(outcomes.0.unwrap(), "computed in Volley");
    assert!(matches!(outcomes.1, Err(JoinError::Panicked(m)) if m == "volley task broke"));
    assert!(matches!(outcomes.2, Err(JoinError::Killed)));
}

#[test]
fn a_remote_join_learns_of_a_shutdown() {
    let mut sched = Scheduler::new();
    let outcome = sched.spawn_remote(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(volley::sched::sync::park(
                &volley::sched::sync::WaitList::new()
            ))?;
            Ok(())
        },
    ));
    sched.run_once();
    assert_eq!(sched.shutdown(), 2); // the task and the one forwarding its outcome
    assert!(matches!(
        futures::executor::block_on(outcome),
        Err(JoinError::Killed)
    ));
}
