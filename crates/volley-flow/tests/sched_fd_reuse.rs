//! A closed socket's descriptor number comes back with the next accepted connection: one task
//! serves connections one after another, hanging up on each, and every next connection on the
//! reused number is registered afresh and served. A task killed while it waits on a socket
//! leaves no wait behind. (One test in this file: descriptor numbers are process-wide.)
//!
//! The client opens connection `i + 1` before it sends on connection `i`, so the server's
//! hang-up on `i` (which follows that send) frees the number that the server's next `accept`
//! takes; the exchanges are strictly sequenced, with nothing left to race.
#![feature(coroutines, stmt_expr_attributes)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::Duration;
use volley::sched::net::{accept, read, write_all, TcpListener, UnixStream};
use volley::sched::task::yield_now;
use volley::sched::{JoinError, Scheduler, TaskResult, TaskResume};
use volley::{task, yield_from, Co};

const CONNECTIONS: usize = 20;

/// Serves `CONNECTIONS` connections in turn: reads one message, echoes it, hangs up. Answers
/// the descriptor number of each.
#[task(static)]
fn serve_one_after_another(listener: TcpListener) -> TaskResult<Vec<i32>> {
    let mut fds = Vec::new();
    let mut buf = [0u8; 64];
    for _ in 0..CONNECTIONS {
        let (conn, _) = yield_from!(accept(&listener))?;
        fds.push(conn.as_raw_fd());
        let n = yield_from!(read(&conn, &mut buf))?;
        yield_from!(write_all(&conn, &buf[..n]))?;
        drop(conn); // hang up without waiting for the client's end of stream
    }
    Ok(fds)
}

#[test]
fn reused_descriptor_numbers_and_killed_waiters() {
    let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut sched = Scheduler::new();
        let serving = sched.spawn(serve_one_after_another(listener));
        let fds = sched.join(serving);

        // A task killed while it waits for a read: its wait is forgotten, its socket dropped
        // (and deregistered), and the scheduler has nothing left to wait for.
        let (near, far) = UnixStream::pair().unwrap();
        let waiter = sched.spawn(Co::pinned(
            #[coroutine]
            static move |_: TaskResume| {
                let mut buf = [0u8; 8];
                Ok(yield_from!(read(&near, &mut buf))?)
            },
        ));
        let killer = sched.spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(yield_now())?; // the waiter is blocked on its socket by now
                Ok(yield_from!(waiter.kill())?
                    && matches!(yield_from!(waiter.join())?, Err(JoinError::Killed)))
            },
        ));
        let killed = sched.join(killer);
        sched.run().expect("no wait is left behind");
        drop(far);
        (fds, killed, sched.stats().alive)
    });

    let connect = || {
        let conn = TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        conn
    };
    // Every client socket stays open to the end, so the client side frees no number.
    let mut clients = vec![connect()];
    for i in 0..CONNECTIONS {
        if i + 1 < CONNECTIONS {
            clients.push(connect());
        }
        let conn = &mut clients[i];
        let message = format!("hello {i}");
        conn.write_all(message.as_bytes()).unwrap();
        let mut got = vec![0u8; message.len()];
        conn.read_exact(&mut got).unwrap();
        assert_eq!(got, message.as_bytes());
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "the server hung up after the echo");
    }
    let (fds, killed, alive) = server.join().unwrap();
    let fds = fds.expect("the server serves every connection");
    assert_eq!(fds.len(), CONNECTIONS);
    assert!(
        fds.windows(2).any(|w| w[0] == w[1]),
        "descriptor numbers were reused: {fds:?}"
    );
    assert!(killed.expect("the killer returns"), "the waiter was killed");
    assert_eq!(alive, 0);
}
