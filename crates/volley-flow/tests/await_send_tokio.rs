//! `sched::await_send`: a `Send` body awaiting real tokio futures (a timer, a TCP exchange)
//! gives the same result on a Volley scheduler and on tokio's multi-threaded runtime; on tokio,
//! a cancel or kill of the awaiting task drops its future, and a panicking future is the task's
//! outcome.
#![feature(coroutines)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use volley::sched::time::sleep;
use volley::sched::{await_send, spawn_send, JoinError, Scheduler, TaskBody, TaskResult};
use volley::{task, yield_from, Co, Exit};
use volley_flow::sched::tokio::spawn;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs one task body on tokio's workers, answering its outcome.
fn on_tokio<B, T>(rt: &tokio::runtime::Runtime, co: Co<B>) -> Result<T, JoinError>
where
    B: TaskBody<T> + Send + 'static,
    T: Send + 'static,
{
    rt.block_on(async { spawn(co).await.expect("the driver never panics") })
}

/// Answers each line with its upper-case copy (a tokio server).
async fn shout_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut word = [0u8; 4];
                if conn.read_exact(&mut word).await.is_ok() {
                    let _ = conn.write_all(&word.to_ascii_uppercase()).await;
                }
            });
        }
    });
    addr
}

/// Waits on a tokio timer, then asks the server over a tokio socket.
#[task]
fn ask(addr: std::net::SocketAddr) -> TaskResult<String> {
    yield_from!(await_send(tokio::time::sleep(Duration::from_millis(3))))?;
    let answer = yield_from!(await_send(async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(b"ping").await?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    }))??;
    Ok(answer)
}

#[test]
fn one_body_awaits_tokio_futures_on_both_runtimes() {
    let rt = runtime();
    let addr = rt.block_on(shout_server());
    assert_eq!(on_tokio(&rt, ask(addr)).unwrap(), "PING");
    // On a scheduler, with the runtime (running on its own workers) entered for tokio's
    // reactor and timers.
    let _entered = rt.enter();
    let mut sched = Scheduler::new();
    let task = sched.spawn(ask(addr));
    assert_eq!(sched.join(task).unwrap(), "PING");
}

/// A future that never finishes and records its drop.
struct Forever(Arc<AtomicBool>);

impl Future for Forever {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for Forever {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[task]
fn awaits_forever(dropped: Arc<AtomicBool>) -> TaskResult<&'static str> {
    match yield_from!(await_send(Forever(dropped))) {
        Err(Exit::Raised(e)) if e.is_cancelled() => Ok("cancelled"),
        other => other.map(|()| "finished"),
    }
}

#[task]
fn stop_an_awaiting_task(dropped: Arc<AtomicBool>, kill: bool) -> TaskResult<(bool, String)> {
    let child = yield_from!(spawn_send(awaits_forever(dropped.clone())))?;
    yield_from!(sleep(Duration::from_millis(5)))?;
    let found = if kill {
        yield_from!(child.kill())?
    } else {
        yield_from!(child.cancel("enough"))?
    };
    let outcome = match yield_from!(child.join())? {
        Ok(said) => said.to_string(),
        Err(JoinError::Killed) => "killed".to_string(),
        Err(other) => other.to_string(),
    };
    Ok((found && dropped.load(Ordering::SeqCst), outcome))
}

#[test]
fn a_cancel_on_tokio_drops_the_awaited_future_and_throws_in() {
    let dropped = Arc::new(AtomicBool::new(false));
    let outcome = on_tokio(&runtime(), stop_an_awaiting_task(dropped, false)).unwrap();
    assert_eq!(outcome, (true, "cancelled".to_string()));
}

#[test]
fn a_kill_on_tokio_drops_the_awaited_future() {
    let dropped = Arc::new(AtomicBool::new(false));
    let outcome = on_tokio(&runtime(), stop_an_awaiting_task(dropped, true)).unwrap();
    assert_eq!(outcome, (true, "killed".to_string()));
}

#[task]
fn awaits_a_panic() -> TaskResult<u8> {
    yield_from!(await_send(async {
        tokio::task::yield_now().await;
        panic!("the future broke")
    }))?;
    Ok(1)
}

#[test]
fn a_panicking_future_is_the_tasks_outcome_on_tokio() {
    match on_tokio(&runtime(), awaits_a_panic()) {
        Err(JoinError::Panicked(message)) => assert!(message.contains("the future broke")),
        other => panic!("expected a panic outcome, got {other:?}"),
    }
}
