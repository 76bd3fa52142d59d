//! A closed socket's descriptor number comes back with the next accepted connection: one task
//! serves connections one after another, each closed by the server in the middle of the
//! client's session (no end of stream seen), and every next connection on the reused number
//! is served at once. A task killed while it waits on a socket leaves no wait behind. (One test
//! in this file: descriptor numbers are process-wide.)
#![feature(coroutines)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::time::Duration;
use volley_core::yield_from;
use volley_flow::sched::{accept, kill, listen, read, spawn, write_all, Scheduler, TaskResume};

const CONNECTIONS: usize = 20;

#[test]
fn reused_descriptor_numbers_and_killed_waiters() {
    let listener = listen("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    let server = std::thread::spawn(move || {
        let mut sched = Scheduler::new();
        let id = sched.spawn(
            #[coroutine]
            static move |_: TaskResume<Vec<i32>>| {
                let mut fds = Vec::new();
                let mut buf = [0u8; 64];
                for _ in 0..CONNECTIONS {
                    let (mut conn, _) = yield_from!(accept(&listener))?;
                    fds.push(conn.as_raw_fd());
                    let n = yield_from!(read(&mut conn, &mut buf))?;
                    yield_from!(write_all(&mut conn, &buf[..n]))?;
                    // A child waits on the same socket and is killed while it waits.
                    let mut other = conn.try_clone().unwrap();
                    let child = yield_from!(spawn(
                        #[coroutine]
                        static move |_: TaskResume<Vec<i32>>| {
                            let mut buf = [0u8; 8];
                            yield_from!(read(&mut other, &mut buf))?;
                            Ok(Vec::new())
                        }
                    ))?;
                    yield_from!(volley_flow::sched::yield_now())?;
                    assert!(yield_from!(kill(child))?);
                    // The client sent more; this read finds it, then the server hangs up
                    // without waiting for the client's end of stream.
                    let n = yield_from!(read(&mut conn, &mut buf))?;
                    yield_from!(write_all(&mut conn, &buf[..n]))?;
                    drop(conn);
                }
                Ok(fds)
            },
        );
        sched.run().unwrap();
        let fds = sched.take_outcome(id).unwrap().unwrap();
        done_tx.send(fds).unwrap();
    });

    // Every client socket stays open to the end and the next one is opened before the server
    // hangs up on the previous one, so the client side never frees a number the server's next
    // `accept` could take instead of the one the server just closed.
    let connect = || {
        let conn = TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        conn
    };
    let exchange = |conn: &mut TcpStream, message: String| {
        conn.write_all(message.as_bytes()).unwrap();
        let mut got = vec![0u8; message.len()];
        conn.read_exact(&mut got).unwrap();
        assert_eq!(got, message.as_bytes());
    };
    let mut clients = vec![connect()];
    for i in 0..CONNECTIONS {
        exchange(&mut clients[i], format!("hello {i}"));
        if i + 1 < CONNECTIONS {
            clients.push(connect());
        }
        exchange(&mut clients[i], format!("again {i}"));
    }
    let fds = done_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server serves every connection");
    server.join().unwrap();
    assert_eq!(fds.len(), CONNECTIONS);
    assert!(
        fds.windows(2).any(|w| w[0] == w[1]),
        "descriptor numbers were reused: {fds:?}"
    );
}
