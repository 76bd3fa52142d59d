//! Task bodies on tokio's multi-threaded runtime (`sched::tokio`): every system call, kill
//! cleanup, cancel, panics, `spawn_send` children, real sockets served to tokio's own socket
//! futures, and one body giving the same result on a Volley scheduler and on tokio.
#![feature(coroutines)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use volley::sched::net::{accept, connect, read, write_all, TcpListener, TcpStream};
use volley::sched::rand::random_u64;
use volley::sched::sync::{park, wake_all, wake_one, WaitList};
use volley::sched::task::{cancel, kill, stats, task_id, yield_now, CustomCall};
use volley::sched::time::{now, sleep, sleep_until};
use volley::sched::{
    spawn_send, JoinError, Reply, SchedError, Scheduler, Syscall, TaskBody, TaskError, TaskResult,
};
use volley::{co_yield, task, yield_from, Co, Exit};
use volley_flow::sched::tokio::spawn;

/// A multi-threaded runtime with two workers, timers and I/O.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs one task body on a fresh runtime, answering its outcome.
fn on_tokio<B, T>(co: Co<B>) -> Result<T, JoinError>
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    let rt = runtime();
    rt.block_on(async { spawn(co).await.expect("the driver never panics") })
}

/// Sets a flag when dropped: a body's cleanup.
struct OnDrop(Arc<AtomicBool>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[task]
fn every_plain_call() -> TaskResult<(bool, bool, bool, bool)> {
    let start = yield_from!(now())?;
    yield_from!(yield_now())?;
    let me = yield_from!(task_id())?;
    yield_from!(sleep(Duration::from_millis(5)))?;
    yield_from!(sleep_until(Instant::now() + Duration::from_millis(5)))?;
    let later = yield_from!(now())?;
    let a = yield_from!(random_u64())?;
    let b = yield_from!(random_u64())?;
    let counters = yield_from!(stats())?;
    Ok((
        me.serial() > 0,
        later.duration_since(start) >= Duration::from_millis(10),
        a != b,
        counters.spawned >= 1 && counters.switches >= 8,
    ))
}

#[test]
fn yield_id_sleep_now_random_and_stats_are_carried_out() {
    assert_eq!(
        on_tokio(every_plain_call()).unwrap(),
        (true, true, true, true)
    );
}

#[task]
fn parker(list: WaitList) -> TaskResult<&'static str> {
    yield_from!(park(&list))?;
    Ok("woken")
}

#[task]
fn park_and_wake() -> TaskResult<(usize, usize, &'static str, &'static str)> {
    let list = WaitList::new();
    let a = yield_from!(spawn_send(parker(list.clone())))?;
    let b = yield_from!(spawn_send(parker(list.clone())))?;
    // Both parked (the list holds them) before the wakes.
    while list.len() < 2 {
        yield_from!(sleep(Duration::from_millis(1)))?;
    }
    let one = yield_from!(wake_one(&list))?;
    let rest = yield_from!(wake_all(&list))?;
    Ok((one, rest, yield_from!(a.join())??, yield_from!(b.join())??))
}

#[test]
fn wait_lists_park_and_wake_tasks_across_worker_threads() {
    assert_eq!(on_tokio(park_and_wake()).unwrap(), (1, 1, "woken", "woken"));
}

#[task]
fn unsupported_calls() -> TaskResult<Vec<&'static str>> {
    let mut names = Vec::new();
    for call in [Syscall::Shutdown, Syscall::Custom(CustomCall::new(3u8))] {
        match co_yield!(call)? {
            Reply::Error(SchedError::Unsupported { call, why }) => {
                assert!(!why.is_empty());
                names.push(call);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    Ok(names)
}

#[test]
fn calls_made_of_one_schedulers_state_answer_a_named_error() {
    assert_eq!(
        on_tokio(unsupported_calls()).unwrap(),
        ["shutdown", "custom"]
    );
}

#[task]
fn sleeper(cleaned: Arc<AtomicBool>) -> TaskResult {
    let _guard = OnDrop(cleaned);
    yield_from!(sleep(Duration::from_secs(3600)))?;
    Ok(())
}

#[task]
fn kill_a_sleeper(cleaned: Arc<AtomicBool>) -> TaskResult<(bool, bool, bool)> {
    let child = yield_from!(spawn_send(sleeper(cleaned.clone())))?;
    yield_from!(sleep(Duration::from_millis(5)))?;
    let alive = yield_from!(child.kill())?;
    // The kill answers once the victim's cleanup ran.
    let cleaned_up = cleaned.load(Ordering::SeqCst);
    let killed = matches!(yield_from!(child.join())?, Err(JoinError::Killed));
    Ok((alive, cleaned_up, killed))
}

#[test]
fn kill_closes_the_task_so_its_cleanup_runs() {
    let cleaned = Arc::new(AtomicBool::new(false));
    assert_eq!(
        on_tokio(kill_a_sleeper(cleaned.clone())).unwrap(),
        (true, true, true)
    );
}

#[task]
fn close_arm(closed: Arc<AtomicBool>) -> TaskResult {
    match yield_from!(sleep(Duration::from_secs(3600))) {
        Err(Exit::Closed) => {
            closed.store(true, Ordering::SeqCst);
            Err(Exit::Closed)
        }
        other => other,
    }
}

#[task]
fn kill_by_id(closed: Arc<AtomicBool>) -> TaskResult<(bool, bool)> {
    let child = yield_from!(spawn_send(close_arm(closed.clone())))?;
    yield_from!(yield_now())?;
    let alive = yield_from!(kill(child.id()))?;
    let again = yield_from!(kill(child.id()))?;
    child.detach();
    Ok((alive && !again, closed.load(Ordering::SeqCst)))
}

#[test]
fn kill_by_id_runs_the_close_arm_and_a_second_kill_finds_nothing() {
    let closed = Arc::new(AtomicBool::new(false));
    assert_eq!(on_tokio(kill_by_id(closed)).unwrap(), (true, true));
}

#[task]
fn catches_cancel() -> TaskResult<&'static str> {
    match yield_from!(sleep(Duration::from_secs(3600))) {
        Err(Exit::Raised(e)) if e.is_cancelled() => Ok("stopped cleanly"),
        other => other.map(|()| "slept"),
    }
}

#[task]
fn cancel_a_sleeper() -> TaskResult<(bool, &'static str)> {
    let child = yield_from!(spawn_send(catches_cancel()))?;
    yield_from!(sleep(Duration::from_millis(5)))?;
    let alive = yield_from!(child.cancel("no time"))?;
    Ok((alive, yield_from!(child.join())??))
}

#[test]
fn cancel_throws_into_a_task_blocked_in_a_wait() {
    assert_eq!(
        on_tokio(cancel_a_sleeper()).unwrap(),
        (true, "stopped cleanly")
    );
}

#[task]
fn cancel_self() -> TaskResult<bool> {
    let me = yield_from!(task_id())?;
    match yield_from!(cancel(me, TaskError::cancelled("myself"))) {
        Err(Exit::Raised(e)) => Ok(e.is_cancelled()),
        _ => Ok(false),
    }
}

#[test]
fn a_task_cancelling_itself_is_thrown_the_error_at_its_next_resume() {
    assert!(on_tokio(cancel_self()).unwrap());
}

#[task]
fn panics(message: &'static str) -> TaskResult<u8> {
    yield_from!(yield_now())?;
    panic!("{message}");
}

#[task]
fn outlives_a_panicking_sibling() -> TaskResult<(bool, u8)> {
    let bad = yield_from!(spawn_send(panics("boom")))?;
    let good = yield_from!(spawn_send(Co::new(
        #[coroutine]
        |_: volley::sched::TaskResume| {
            yield_from!(sleep(Duration::from_millis(5)))?;
            Ok(7u8)
        }
    )))?;
    let panicked = matches!(yield_from!(bad.join())?, Err(JoinError::Panicked(m)) if m == "boom");
    Ok((panicked, yield_from!(good.join())??))
}

#[test]
fn a_panic_is_the_tasks_outcome_not_the_runtimes() {
    assert_eq!(on_tokio(outlives_a_panicking_sibling()).unwrap(), (true, 7));
    assert!(matches!(
        on_tokio(panics("top")),
        Err(JoinError::Panicked(m)) if m == "top"
    ));
}

#[task]
fn leaf(n: u64) -> TaskResult<u64> {
    yield_from!(yield_now())?;
    Ok(n)
}

/// Spawns `width` leaves and sums what they return.
#[task]
fn branch(width: u64) -> TaskResult<u64> {
    let mut children = Vec::new();
    for n in 0..width {
        let child = yield_from!(spawn_send(leaf(n)))?;
        children.push(child);
    }
    let mut sum = 0;
    for child in children {
        sum += yield_from!(child.join())??;
    }
    Ok(sum)
}

/// Spawns `width` branches of `width` leaves each, and sums what they return.
#[task]
fn tree(width: u64) -> TaskResult<u64> {
    let mut children = Vec::new();
    for _ in 0..width {
        let child = yield_from!(spawn_send(branch(width)))?;
        children.push(child);
    }
    let mut sum = 0;
    for child in children {
        sum += yield_from!(child.join())??;
    }
    Ok(sum)
}

#[test]
fn send_children_spawn_and_join_on_any_worker() {
    // 20 branches of 20 leaves, each leaf n answering n: 20 * (0 + 1 + ... + 19).
    assert_eq!(on_tokio(tree(20)).unwrap(), 20 * 190);
}

#[test]
fn one_body_gives_the_same_result_on_both_runtimes() {
    let mut sched = Scheduler::new();
    let task = sched.spawn(tree(7));
    let on_volley = sched.join(task).unwrap();
    assert_eq!(on_volley, 7 * 21);
    assert_eq!(on_tokio(tree(7)).unwrap(), on_volley);
}

#[task]
fn started_sleeper(started: Arc<AtomicBool>, cleaned: Arc<AtomicBool>) -> TaskResult {
    let _guard = OnDrop(cleaned);
    started.store(true, Ordering::SeqCst);
    yield_from!(sleep(Duration::from_secs(3600)))?;
    Ok(())
}

#[test]
fn aborting_the_tokio_task_drops_the_body_and_runs_its_cleanup() {
    let rt = runtime();
    let cleaned = Arc::new(AtomicBool::new(false));
    let flag = cleaned.clone();
    rt.block_on(async move {
        let started = Arc::new(AtomicBool::new(false));
        let handle = spawn(started_sleeper(started.clone(), flag));
        while !started.load(Ordering::SeqCst) {
            tokio::task::yield_now().await;
        }
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
    });
    assert!(cleaned.load(Ordering::SeqCst));
}

#[task(static)]
fn echo(stream: TcpStream) -> TaskResult {
    let mut buf = [0u8; 4096];
    loop {
        let n = yield_from!(read(&stream, &mut buf))?;
        if n == 0 {
            return Ok(());
        }
        yield_from!(write_all(&stream, &buf[..n]))?;
    }
}

#[task(static)]
fn accept_loop(listener: TcpListener, clients: usize) -> TaskResult {
    let mut conns = Vec::new();
    for _ in 0..clients {
        let (stream, _) = yield_from!(accept(&listener))?;
        conns.push(yield_from!(spawn_send(echo(stream)))?);
    }
    for conn in conns {
        yield_from!(conn.join())??;
    }
    Ok(())
}

#[test]
fn a_volley_server_on_tokio_serves_tokios_own_sockets() {
    const CLIENTS: usize = 50;
    let rt = runtime();
    let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.block_on(async move {
        let server = spawn(accept_loop(listener, CLIENTS));
        let served = Arc::new(AtomicUsize::new(0));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let served = served.clone();
                tokio::spawn(async move {
                    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
                    // Big enough to fill socket buffers: the server waits for writability too.
                    let message: Vec<u8> = (0..256 * 1024).map(|b| (b * 7 + i) as u8).collect();
                    let (mut rx, mut tx) = conn.split();
                    let send = async {
                        tx.write_all(&message).await.unwrap();
                        tx.shutdown().await.unwrap();
                    };
                    let mut echoed = Vec::new();
                    let receive = rx.read_to_end(&mut echoed);
                    let ((), received) = tokio::join!(send, receive);
                    received.unwrap();
                    assert!(echoed == message, "client {i} got other bytes back");
                    served.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for client in clients {
            client.await.unwrap();
        }
        server.await.unwrap().unwrap();
        assert_eq!(served.load(Ordering::SeqCst), CLIENTS);
    });
}

#[task(static)]
fn fetch(addr: std::net::SocketAddr) -> TaskResult<String> {
    let stream = yield_from!(connect(addr))?;
    yield_from!(write_all(&stream, b"ping"))?;
    stream.shutdown(std::net::Shutdown::Write)?;
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    loop {
        let n = yield_from!(read(&stream, &mut buf))?;
        if n == 0 {
            return Ok(String::from_utf8_lossy(&got).into_owned());
        }
        got.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn a_volley_client_on_tokio_talks_to_a_tokio_server() {
    let rt = runtime();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut got = Vec::new();
            conn.read_to_end(&mut got).await.unwrap();
            conn.write_all(b"pong to ").await.unwrap();
            conn.write_all(&got).await.unwrap();
        });
        let answer = spawn(fetch(addr)).await.unwrap().unwrap();
        server.await.unwrap();
        assert_eq!(answer, "pong to ping");
    });
}
