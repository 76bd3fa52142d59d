//! An echo server on the scheduler, in a thread of this process, against 500 concurrent std
//! `TcpStream` clients each checking its own bytes; afterwards the process's open file
//! descriptors are back to the starting count. (One test in this file: the fd count is
//! process-wide.)
#![feature(coroutines)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use volley::sched::net::{accept, read, write_all, TcpListener, TcpStream as SchedStream};
use volley::sched::{spawn, Scheduler, TaskResult};
use volley::{task, yield_from};

const CLIENTS: usize = 500;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd is readable")
        .count()
}

#[task(static)]
fn echo(stream: SchedStream) -> TaskResult {
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
    for _ in 0..clients {
        let (stream, _) = yield_from!(accept(&listener))?;
        yield_from!(spawn(echo(stream)))?.detach();
    }
    Ok(())
}

/// The bytes client `index` sends: distinct per client, and longer than one read buffer.
fn payload(index: usize) -> Vec<u8> {
    let len = 5_000 + index * 37;
    (0..len).map(|i| (i * 131 + index * 17) as u8).collect()
}

#[test]
fn echo_server_serves_500_concurrent_clients_and_leaks_no_descriptor() {
    let fds_before = open_fds();

    let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).expect("bind loopback");
    let addr: SocketAddr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut sched = Scheduler::new();
        sched.spawn(accept_loop(listener, CLIENTS)).detach();
        sched.run().expect("scheduler runs to the end");
        sched.stats()
    });

    // Every client connects first, then all send at once: 500 connections open together.
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|index| {
            let barrier = barrier.clone();
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || -> Result<(), String> {
                    let mut conn = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
                    barrier.wait();
                    let mine = payload(index);
                    conn.write_all(&mine).map_err(|e| format!("write: {e}"))?;
                    conn.shutdown(Shutdown::Write)
                        .map_err(|e| format!("shutdown: {e}"))?;
                    let mut echoed = Vec::new();
                    conn.read_to_end(&mut echoed)
                        .map_err(|e| format!("read: {e}"))?;
                    if echoed != mine {
                        return Err(format!(
                            "client {index}: sent {} bytes, got {} different bytes back",
                            mine.len(),
                            echoed.len()
                        ));
                    }
                    Ok(())
                })
                .expect("spawn client thread")
        })
        .collect();
    let failures: Vec<String> = clients
        .into_iter()
        .filter_map(|c| c.join().expect("client thread").err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} clients failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );

    let stats = server.join().expect("server thread");
    assert_eq!(stats.spawned, CLIENTS as u64 + 1);
    assert_eq!(stats.finished, CLIENTS as u64 + 1);
    assert_eq!(stats.alive, 0);

    assert_eq!(
        open_fds(),
        fds_before,
        "every socket and the poller were closed"
    );
}
