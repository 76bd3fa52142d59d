//! The async bridge both ways, in one tokio program.
//!
//! ```text
//! cargo run --example async_bridge
//! ```
//!
//! 1. A Volley task awaits tokio futures with `sched::await_future`: a tokio timer, a TCP
//!    exchange with a server written with tokio, and a tokio channel fed by a tokio task. The
//!    tokio runtime runs on its own worker threads (which drive its reactor and timers) and is
//!    entered on the scheduler's thread, so the task can create tokio futures.
//! 2. Async code awaits the Volley task: the scheduler runs on a thread of its own, and a
//!    tokio task awaits the `Send` future `Scheduler::spawn_remote` gave.
//!
//! (A scheduler can also run on a tokio thread itself, beside other async code, with
//! `Scheduler::run_async` and its `JoinHandle`s awaited directly: feature `tokio`, see the
//! `sched` module docs.)
//!
//! It prints:
//!
//! ```text
//! volley task: a tokio timer fired
//! volley task: the tokio server answered "PONG"
//! volley task: a tokio channel delivered 1 + 2 + 3 = 6
//! tokio task: the volley task returned after 3 steps
//! ```
#![feature(coroutines)]

use std::error::Error;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use volley::sched::{await_future, Scheduler, TaskResult};
use volley::{task, yield_from};

/// A tokio server: answers each line it reads upper-cased.
async fn shout(listener: tokio::net::TcpListener) -> io::Result<()> {
    let (conn, _) = listener.accept().await?;
    let (read, mut write) = conn.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Some(line) = lines.next_line().await? {
        write
            .write_all(format!("{}\n", line.to_uppercase()).as_bytes())
            .await?;
    }
    Ok(())
}

/// The Volley task: three tokio futures in turn; answers how many steps it took.
#[task]
fn client(addr: SocketAddr, mut numbers: mpsc::Receiver<u32>) -> TaskResult<u32> {
    yield_from!(await_future(tokio::time::sleep(Duration::from_millis(10))))?;
    println!("volley task: a tokio timer fired");

    let mut conn = yield_from!(await_future(tokio::net::TcpStream::connect(addr)))??;
    let answer = yield_from!(await_future(async move {
        conn.write_all(b"pong\n").await?;
        conn.shutdown().await?;
        let mut answer = String::new();
        conn.read_to_string(&mut answer).await?;
        Ok::<_, io::Error>(answer)
    }))??;
    println!("volley task: the tokio server answered {:?}", answer.trim());

    let mut sum = 0;
    loop {
        // The receiver goes into the future and comes back with the next number.
        let (back, next) = yield_from!(await_future(async move {
            let next = numbers.recv().await;
            (numbers, next)
        }))?;
        numbers = back;
        match next {
            Some(n) => sum += n,
            None => break,
        }
    }
    println!("volley task: a tokio channel delivered 1 + 2 + 3 = {sum}");
    Ok(3)
}

fn main() -> Result<(), Box<dyn Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let server = runtime.spawn(shout(listener));
    let (numbers, received) = mpsc::channel(1);
    runtime.spawn(async move {
        for n in 1..=3 {
            if numbers.send(n).await.is_err() {
                break;
            }
        }
    });

    // The scheduler's thread: enters the runtime (tokio futures made there find it), spawns
    // the task, hands its outcome's future to the async side, and runs.
    let tokio_handle = runtime.handle().clone();
    let (outcome_tx, outcome_rx) = tokio::sync::oneshot::channel();
    let scheduler_thread = std::thread::spawn(move || {
        let _entered = tokio_handle.enter();
        let mut sched = Scheduler::new();
        let outcome = sched.spawn_remote(client(addr, received));
        let _ = outcome_tx.send(outcome);
        sched.run()
    });

    // The async side: a tokio task awaits the Volley task.
    let steps = runtime.block_on(async move {
        let outcome = outcome_rx.await?;
        let steps = tokio::spawn(outcome).await??;
        Ok::<_, Box<dyn Error>>(steps)
    })?;
    println!("tokio task: the volley task returned after {steps} steps");

    scheduler_thread
        .join()
        .map_err(|_| "the scheduler's thread panicked")??;
    runtime.block_on(server)??;
    Ok(())
}
