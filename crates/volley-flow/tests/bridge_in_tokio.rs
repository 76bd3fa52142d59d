//! A Volley scheduler inside a tokio program (`Scheduler::run_async`, feature `tokio`):
//! Volley tasks and async code on one thread, mixing tokio and Volley sockets and timers,
//! and async code awaiting Volley tasks' join handles.
#![cfg(feature = "tokio")]
#![feature(coroutines)]

use std::io;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::LocalSet;
use volley::sched::net::{accept, connect, read, write_all, TcpListener};
use volley::sched::sync::Channel;
use volley::sched::time::sleep;
use volley::sched::{await_future, JoinError, SchedError, Scheduler, TaskError, TaskResume};
use volley::{yield_from, Co, Exit};

#[tokio::test]
async fn volley_and_tokio_timers_run_on_one_thread() {
    let mut sched = Scheduler::new();
    let task = sched.spawn(Co::new(
        #[coroutine]
        |_: TaskResume| {
            yield_from!(sleep(Duration::from_millis(10)))?;
            // A tokio timer awaited by a Volley task, driven by this same thread.
            yield_from!(await_future(tokio::time::sleep(Duration::from_millis(10))))?;
            Ok("volley")
        },
    ));
    let other = async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        "tokio"
    };
    let (ran, other, outcome) = tokio::join!(sched.run_async(), other, task);
    ran.unwrap();
    assert_eq!(other, "tokio");
    assert_eq!(outcome.unwrap(), "volley");
}

#[tokio::test]
async fn a_volley_server_answers_a_tokio_client_on_one_thread() {
    let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut sched = Scheduler::new();
    let server = sched.spawn(Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let (stream, _) = yield_from!(accept(&listener))?;
            let mut buf = [0u8; 64];
            let mut total = 0;
            loop {
                let n = yield_from!(read(&stream, &mut buf))?;
                if n == 0 {
                    return Ok(total);
                }
                total += n;
                yield_from!(write_all(&stream, &buf[..n]))?;
            }
        },
    ));
    let client = async move {
        let mut conn = tokio::net::TcpStream::connect(addr).await?;
        conn.write_all(b"hello from tokio").await?;
        conn.shutdown().await?;
        let mut echoed = String::new();
        conn.read_to_string(&mut echoed).await?;
        Ok::<_, io::Error>(echoed)
    };
    let (ran, echoed, served) = tokio::join!(sched.run_async(), client, server);
    ran.unwrap();
    assert_eq!(echoed.unwrap(), "hello from tokio");
    assert_eq!(served.unwrap(), 16);
}

#[tokio::test]
async fn a_volley_client_reaches_a_tokio_server_on_one_thread() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = async move {
        let (mut conn, _) = listener.accept().await?;
        let mut request = [0u8; 4];
        conn.read_exact(&mut request).await?;
        conn.write_all(b"pong").await?;
        Ok::<_, io::Error>(request)
    };
    let mut sched = Scheduler::new();
    let client = sched.spawn(Co::pinned(
        #[coroutine]
        static move |_: TaskResume| {
            let stream = yield_from!(connect(addr))?;
            yield_from!(write_all(&stream, b"ping"))?;
            let mut buf = [0u8; 4];
            let mut got = 0;
            while got < 4 {
                let n = yield_from!(read(&stream, &mut buf[got..]))?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            Ok(String::from_utf8_lossy(&buf[..got]).into_owned())
        },
    ));
    let (ran, request, answer) = tokio::join!(sched.run_async(), server, client);
    ran.unwrap();
    assert_eq!(&request.unwrap(), b"ping");
    assert_eq!(answer.unwrap(), "pong");
}

#[tokio::test]
async fn async_code_awaits_join_handles_beside_a_spawned_scheduler() {
    let local = LocalSet::new();
    local
        .run_until(async {
            let mut sched = Scheduler::new();
            let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
            let waits = sched.spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| Ok(yield_from!(await_future(rx))?? + 1),
            ));
            let fails = sched.spawn(Co::new(
                #[coroutine]
                |_: TaskResume| -> Result<(), Exit<TaskError>> {
                    yield_from!(sleep(Duration::from_millis(1)))?;
                    Err(TaskError::msg("gave up").into())
                },
            ));
            let driver = tokio::task::spawn_local(async move { sched.run_async().await });
            // Async code feeds the Volley task through a tokio channel, then awaits both.
            tokio::time::sleep(Duration::from_millis(2)).await;
            tx.send(41).unwrap();
            assert_eq!(waits.await.unwrap(), 42);
            match fails.await {
                Err(JoinError::Raised(e)) => assert_eq!(e.to_string(), "gave up"),
                other => panic!("unexpected outcome {other:?}"),
            }
            driver.await.unwrap().unwrap();
        })
        .await;
}

#[tokio::test]
async fn async_code_feeds_volley_channels_on_the_same_thread() {
    let requests = Channel::bounded(4);
    let replies = Channel::bounded(4);
    let mut sched = Scheduler::new();
    let (rx, tx) = (requests.clone(), replies.clone());
    let worker = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let mut served = 0;
            // Parked on a Volley channel with nothing else to wait for: only async code
            // on this thread can wake it.
            while let Some(n) = yield_from!(rx.recv())?.filter(|&n| n != 0) {
                yield_from!(tx.send(n * 10))??;
                served += 1;
            }
            Ok(served)
        },
    ));
    let feeder = async {
        let mut answers = Vec::new();
        for n in 1..=3u32 {
            tokio::time::sleep(Duration::from_millis(1)).await;
            requests.try_send(n).unwrap();
            loop {
                match replies.try_recv() {
                    Ok(answer) => break answers.push(answer),
                    Err(_) => tokio::task::yield_now().await,
                }
            }
        }
        requests.try_send(0).unwrap(); // the end
        answers
    };
    let (ran, answers, served) = tokio::join!(sched.run_async(), feeder, worker);
    ran.unwrap();
    assert_eq!(answers, [10, 20, 30]);
    assert_eq!(served.unwrap(), 3);
}

#[tokio::test]
async fn a_simulated_scheduler_runs_in_virtual_time_under_tokio() {
    let mut sched = Scheduler::simulated(5);
    let clock = sched.clock();
    let task = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(sleep(Duration::from_secs(3600)))?;
            let early = clock.elapsed();
            // An awaited future holds the clock until it is done.
            yield_from!(await_future(tokio::time::sleep(Duration::from_millis(2))))?;
            yield_from!(sleep(Duration::from_secs(60)))?;
            Ok((early, clock.elapsed()))
        },
    ));
    let (ran, outcome) = tokio::join!(sched.run_async(), task);
    ran.unwrap();
    assert_eq!(
        outcome.unwrap(),
        (Duration::from_secs(3600), Duration::from_secs(3660))
    );
}

#[test]
fn run_async_outside_a_runtime_is_an_error() {
    let mut sched = Scheduler::new();
    sched
        .spawn(Co::new(
            #[coroutine]
            |_: TaskResume| Ok(()),
        ))
        .detach();
    let ran = futures::executor::block_on(sched.run_async());
    match ran {
        Err(SchedError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::Unsupported),
        other => panic!("unexpected {other:?}"),
    }
    // The task is still there, and runs with `run`.
    sched.run().unwrap();
    assert_eq!(sched.stats().finished, 1);
}
