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
use volley::sched::sync::{
    park, wake_all, wake_one, Channel, SendError, TryRecvError, TrySendError, WaitList,
};
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
        let spawned = yield_from!(spawn_send(echo(stream)))?;
        conns.push(spawned);
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

// Channels across worker threads. Each test runs its bodies under a generous time limit: a lost
// wake parks a task for ever, and the limit turns that hang into a failure that says so.

/// A multi-threaded runtime with `workers` workers, timers and I/O.
fn runtime_with(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
}

/// The time after which a channel test is taken to hang.
const HANG: Duration = Duration::from_secs(60);

/// Awaits `task`, failing the test if it has not ended within [`HANG`].
async fn within_limit<T>(what: &str, task: tokio::task::JoinHandle<T>) -> T {
    match tokio::time::timeout(HANG, task).await {
        Ok(outcome) => outcome.expect("the driver never panics"),
        Err(_) => panic!("{what}: not done after {HANG:?}, a task waits for ever (a lost wake)"),
    }
}

/// One message of a numbered stream: the sender's number and the message's place in its
/// stream.
type Numbered = (u32, u32);

#[task]
fn numbered_sender(chan: Channel<Numbered>, sender: u32, count: u32) -> TaskResult {
    for seq in 0..count {
        yield_from!(chan.send((sender, seq)))??;
    }
    Ok(())
}

#[task]
fn collector(chan: Channel<Numbered>) -> TaskResult<Vec<Numbered>> {
    let mut got = Vec::new();
    while let Some(message) = yield_from!(chan.recv())? {
        got.push(message);
    }
    Ok(got)
}

/// `senders` tasks send `per_sender` numbered messages each through one channel of capacity
/// 1 to `receivers` tasks; answers what each receiver got, in the order it got them.
#[task]
fn many_to_many(senders: u32, receivers: u32, per_sender: u32) -> TaskResult<Vec<Vec<Numbered>>> {
    let chan = Channel::bounded(1);
    let mut collectors = Vec::new();
    for _ in 0..receivers {
        let spawned = yield_from!(spawn_send(collector(chan.clone())))?;
        collectors.push(spawned);
    }
    let mut sending = Vec::new();
    for sender in 0..senders {
        let spawned = yield_from!(spawn_send(numbered_sender(
            chan.clone(),
            sender,
            per_sender
        )))?;
        sending.push(spawned);
    }
    for sender in sending {
        yield_from!(sender.join())??;
    }
    yield_from!(chan.close())?;
    let mut got = Vec::new();
    for collector in collectors {
        let received = yield_from!(collector.join())??;
        got.push(received);
    }
    Ok(got)
}

/// Every message of `senders` streams of `per_sender` arrived exactly once, and each receiver
/// saw each stream in order.
fn check_numbered(got: &[Vec<Numbered>], senders: u32, per_sender: u32) {
    for received in got {
        let mut last = vec![None; senders as usize];
        for &(sender, seq) in received {
            let previous = last[sender as usize].replace(seq);
            assert!(
                previous < Some(seq),
                "sender {sender}: {seq} after {previous:?}"
            );
        }
    }
    let mut all: Vec<Numbered> = got.iter().flatten().copied().collect();
    all.sort_unstable();
    let expected: Vec<Numbered> = (0..senders)
        .flat_map(|sender| (0..per_sender).map(move |seq| (sender, seq)))
        .collect();
    assert_eq!(all.len(), expected.len(), "messages lost or doubled");
    assert!(
        all == expected,
        "some message arrived twice and another never"
    );
}

#[test]
fn a_capacity_one_channel_delivers_every_message_once_and_in_order_across_workers() {
    // 100,000 messages: 8 senders of 12,500 each, to 8 receivers.
    let (senders, receivers, per_sender) = (8, 8, 12_500);
    for workers in [2, 4] {
        let rt = runtime_with(workers);
        let got = rt
            .block_on(within_limit(
                "many senders and receivers",
                spawn_on(&rt, many_to_many(senders, receivers, per_sender)),
            ))
            .unwrap();
        check_numbered(&got, senders, per_sender);
    }
}

#[task]
fn echo_back(from: Channel<u64>, to: Channel<u64>) -> TaskResult<u64> {
    let mut echoed = 0;
    while let Some(n) = yield_from!(from.recv())? {
        yield_from!(to.send(n + 1))??;
        echoed += 1;
    }
    Ok(echoed)
}

/// Two tasks bounce a number over two capacity-1 channels: each waits on the other at every
/// step, with nothing else to wake it, so one lost wake stops both for good.
#[task]
fn ping_pong(rounds: u64) -> TaskResult<(u64, u64)> {
    let (there, back) = (Channel::bounded(1), Channel::bounded(1));
    let echo = yield_from!(spawn_send(echo_back(there.clone(), back.clone())))?;
    let mut n = 0;
    for _ in 0..rounds {
        yield_from!(there.send(n))??;
        n = yield_from!(back.recv())?.expect("the echo answers");
    }
    yield_from!(there.close())?;
    Ok((n, yield_from!(echo.join())??))
}

/// One sender streams to one receiver through a capacity-1 channel: the sender parks at
/// every full channel and the receiver at every empty one, each woken only by the other.
#[task]
fn one_to_one(count: u32) -> TaskResult<Vec<Numbered>> {
    let chan = Channel::bounded(1);
    let receiver = yield_from!(spawn_send(collector(chan.clone())))?;
    let sender = yield_from!(spawn_send(numbered_sender(chan.clone(), 0, count)))?;
    yield_from!(sender.join())??;
    yield_from!(chan.close())?;
    Ok(yield_from!(receiver.join())??)
}

#[test]
fn two_tasks_waiting_on_each_other_lose_no_wake_across_workers() {
    for workers in [2, 4] {
        let rt = runtime_with(workers);
        let (n, echoed) = rt
            .block_on(within_limit("ping-pong", spawn_on(&rt, ping_pong(20_000))))
            .unwrap();
        assert_eq!((n, echoed), (20_000, 20_000));
        let got = rt
            .block_on(within_limit(
                "one to one",
                spawn_on(&rt, one_to_one(20_000)),
            ))
            .unwrap();
        check_numbered(&[got], 1, 20_000);
    }
}

/// Spawns a task body on `rt` (from outside it).
fn spawn_on<B, T>(
    rt: &tokio::runtime::Runtime,
    co: Co<B>,
) -> tokio::task::JoinHandle<Result<T, JoinError>>
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    let _inside = rt.enter();
    spawn(co)
}

#[task]
fn receive_once(chan: Channel<u32>) -> TaskResult<Option<u32>> {
    Ok(yield_from!(chan.recv())?)
}

#[task]
fn send_once(chan: Channel<u32>, message: u32) -> TaskResult<Result<(), u32>> {
    Ok(yield_from!(chan.send(message))?.map_err(SendError::into_inner))
}

/// Receivers wait on an empty channel and senders on a full one (parked, armed, or not yet
/// started) when both are closed: every receiver gets `None`, every sender its message back.
#[task]
fn close_while_waiting(waiters: u32) -> TaskResult<(usize, Vec<u32>)> {
    let empty = Channel::bounded(1);
    let full = Channel::bounded(1);
    full.try_send(u32::MAX).unwrap();
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    for n in 0..waiters {
        let spawned = yield_from!(spawn_send(receive_once(empty.clone())))?;
        receivers.push(spawned);
        let spawned = yield_from!(spawn_send(send_once(full.clone(), n)))?;
        senders.push(spawned);
    }
    yield_from!(yield_now())?;
    yield_from!(empty.close())?;
    yield_from!(full.close())?;
    let mut nones = 0;
    for receiver in receivers {
        let got = yield_from!(receiver.join())??;
        nones += usize::from(got.is_none());
    }
    let mut handed_back = Vec::new();
    for sender in senders {
        if let Err(message) = yield_from!(sender.join())?? {
            handed_back.push(message);
        }
    }
    Ok((nones, handed_back))
}

#[test]
fn closing_a_channel_releases_every_waiter_across_workers() {
    for workers in [2, 4] {
        let rt = runtime_with(workers);
        for _ in 0..200 {
            let (nones, handed_back) = rt
                .block_on(within_limit("close", spawn_on(&rt, close_while_waiting(6))))
                .unwrap();
            assert_eq!(nones, 6, "every receiver gets None");
            assert_eq!(
                handed_back,
                (0..6).collect::<Vec<_>>(),
                "every sender its message back"
            );
        }
    }
}

/// Counts what it receives until the channel closes or it is cancelled.
#[task]
fn counting_receiver(chan: Channel<u32>, got: Arc<AtomicUsize>) -> TaskResult<&'static str> {
    loop {
        match yield_from!(chan.recv()) {
            Ok(Some(_)) => {
                got.fetch_add(1, Ordering::SeqCst);
            }
            Ok(None) => return Ok("closed"),
            Err(Exit::Raised(error)) if error.is_cancelled() => return Ok("cancelled"),
            Err(other) => return Err(other),
        }
    }
}

/// Whether a `counting_receiver` ended by its cancel (caught, or raised before it ran).
fn was_cancelled(outcome: Result<&'static str, JoinError>) -> bool {
    match outcome {
        Ok(how) => how == "cancelled",
        Err(JoinError::Raised(error)) => error.is_cancelled(),
        Err(_) => false,
    }
}

/// Each round, on a fresh channel: three receivers park in turn, a message is sent (its wake
/// chooses the one parked longest) and at once that receiver is killed and the next
/// cancelled. The wake that chose an interrupted receiver goes on to the next, so the message
/// is received in every round. In every fourth round the receivers do not wait to park first
/// (they may still be arming).
#[task]
fn interrupt_woken_receivers(rounds: u32) -> TaskResult<usize> {
    let got = Arc::new(AtomicUsize::new(0));
    for round in 0..rounds {
        let settle = round % 4 != 0;
        let chan = Channel::bounded(1);
        let mut receivers = Vec::new();
        for _ in 0..3 {
            let spawned = yield_from!(spawn_send(counting_receiver(chan.clone(), got.clone())))?;
            receivers.push(spawned);
            if settle {
                yield_from!(sleep(Duration::from_micros(200)))?;
            }
        }
        let survivor = receivers.pop().expect("three receivers");
        let cancelled = receivers.pop().expect("three receivers");
        let killed = receivers.pop().expect("three receivers");
        yield_from!(chan.send(round))??;
        yield_from!(killed.kill())?;
        yield_from!(cancelled.cancel("stop"))?;
        let killed = yield_from!(killed.join())?;
        assert!(
            matches!(killed, Err(JoinError::Killed) | Ok(_)),
            "{killed:?}"
        );
        let cancelled = yield_from!(cancelled.join())?;
        // Cancelled before its first resume, a task raises the error without running.
        assert!(
            was_cancelled(cancelled),
            "a cancelled receiver ended otherwise"
        );
        // The round's message is received (else this loops until the time limit).
        while got.load(Ordering::SeqCst) < round as usize + 1 {
            yield_from!(yield_now())?;
        }
        yield_from!(chan.close())?;
        assert_eq!(yield_from!(survivor.join())??, "closed");
    }
    Ok(got.load(Ordering::SeqCst))
}

#[test]
fn killing_or_cancelling_a_woken_receiver_passes_its_wake_on() {
    for workers in [2, 4] {
        let rt = runtime_with(workers);
        let got = rt
            .block_on(within_limit(
                "kill and cancel",
                spawn_on(&rt, interrupt_woken_receivers(300)),
            ))
            .unwrap();
        assert_eq!(got, 300);
    }
}

/// Senders parked on a full channel are killed and cancelled: the others' messages all get
/// through, and the interrupted ones' wakes are not lost.
#[task]
fn interrupt_parked_senders(rounds: u32) -> TaskResult<Vec<u32>> {
    let chan = Channel::bounded(1);
    let mut received = Vec::new();
    for round in 0..rounds {
        chan.try_send(u32::MAX).unwrap();
        let killed = yield_from!(spawn_send(send_once(chan.clone(), u32::MAX - 1)))?;
        let cancelled = yield_from!(spawn_send(send_once(chan.clone(), u32::MAX - 2)))?;
        let kept = yield_from!(spawn_send(send_once(chan.clone(), round)))?;
        yield_from!(yield_now())?;
        // Room for one: its wake may choose a sender that is interrupted right after.
        assert_eq!(yield_from!(chan.recv())?, Some(u32::MAX));
        yield_from!(killed.kill())?;
        yield_from!(cancelled.cancel("stop"))?;
        let _ = yield_from!(killed.join())?;
        let _ = yield_from!(cancelled.join())?;
        // The kept sender's message arrives (an interrupted one's may come first).
        loop {
            match yield_from!(chan.recv())? {
                Some(message) if message == round => {
                    received.push(message);
                    break;
                }
                Some(_) => {}
                None => unreachable!("the channel is open"),
            }
        }
        yield_from!(kept.join())??.unwrap();
        while chan.try_recv().is_ok() {}
    }
    Ok(received)
}

#[test]
fn killing_or_cancelling_parked_senders_loses_no_wake() {
    for workers in [2, 4] {
        let rt = runtime_with(workers);
        let received = rt
            .block_on(within_limit(
                "parked senders",
                spawn_on(&rt, interrupt_parked_senders(300)),
            ))
            .unwrap();
        assert_eq!(received.len(), 300);
    }
}

/// Plain tokio tasks (no Volley) `try_send` into a capacity-1 channel, retrying while it is
/// full; Volley receivers parked on tokio are woken by those sends.
#[test]
fn try_send_from_plain_tokio_tasks_wakes_parked_receivers() {
    let (producers, receivers, per_producer) = (4u32, 4, 5_000u32);
    for workers in [2, 4] {
        let rt = runtime_with(workers);
        let got = rt.block_on(async {
            let chan = Channel::bounded(1);
            let collectors: Vec<_> = (0..receivers)
                .map(|_| spawn(collector(chan.clone())))
                .collect();
            let plain: Vec<_> = (0..producers)
                .map(|producer| {
                    let chan = chan.clone();
                    tokio::spawn(async move {
                        for seq in 0..per_producer {
                            let mut message = (producer, seq);
                            loop {
                                match chan.try_send(message) {
                                    Ok(()) => break,
                                    Err(TrySendError::Full(back)) => message = back,
                                    Err(TrySendError::Closed(_)) => panic!("closed early"),
                                }
                                tokio::task::yield_now().await;
                            }
                        }
                    })
                })
                .collect();
            for producer in plain {
                within_limit("plain producers", producer).await;
            }
            let closer = spawn(Co::new(
                #[coroutine]
                move |_: volley::sched::TaskResume| Ok(yield_from!(chan.close())?),
            ));
            within_limit("close", closer).await.unwrap();
            let mut got = Vec::new();
            for collector in collectors {
                got.push(within_limit("receivers", collector).await.unwrap());
            }
            got
        });
        check_numbered(&got, producers, per_producer);
    }
}

/// A plain tokio task drains with `try_recv` what Volley senders, parked on the full
/// channel, send: each `try_recv` that makes room wakes one of them.
#[test]
fn try_recv_from_a_plain_tokio_task_wakes_parked_senders() {
    let (senders, per_sender) = (4u32, 5_000u32);
    for workers in [2, 4] {
        let rt = runtime_with(workers);
        let got = rt.block_on(async {
            let chan = Channel::bounded(1);
            let sending: Vec<_> = (0..senders)
                .map(|sender| spawn(numbered_sender(chan.clone(), sender, per_sender)))
                .collect();
            let drain = tokio::spawn(async move {
                let mut got = Vec::new();
                while got.len() < (senders * per_sender) as usize {
                    match chan.try_recv() {
                        Ok(message) => got.push(message),
                        Err(TryRecvError::Empty) => tokio::task::yield_now().await,
                        Err(TryRecvError::Closed) => panic!("closed early"),
                    }
                }
                got
            });
            let got = within_limit("plain drain", drain).await;
            for sender in sending {
                within_limit("senders", sender).await.unwrap();
            }
            got
        });
        check_numbered(&[got], senders, per_sender);
    }
}

/// The same channel bodies on one thread: a Volley scheduler moves the numbered streams too.
#[test]
fn the_channel_bodies_give_the_same_delivery_on_one_thread() {
    let mut sched = Scheduler::new();
    let task = sched.spawn(many_to_many(4, 4, 2_000));
    let got = sched.join(task).unwrap();
    check_numbered(&got, 4, 2_000);
}
