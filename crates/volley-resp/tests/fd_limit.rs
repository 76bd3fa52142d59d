//! The server out of file descriptors: run under `ulimit -n 64` with more clients than that, it
//! says so at a bounded rate, serves the clients it holds, and serves the waiting ones (and new
//! ones) as soon as descriptors come back.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// More clients than the server has descriptors.
const CLIENTS: usize = 80;
/// How long any one step may take before the test fails (a guard: no step waits for it).
const GUARD: Duration = Duration::from_secs(60);
/// The warning `sched::net::accept` logs when it runs out of descriptors.
const WARNING: &str = "accept failed: out of descriptors or memory";

/// Kills the server when the test ends, passed or failed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn send_ping(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(GUARD)).unwrap();
    stream.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    stream
}

fn expect_pong(stream: &mut TcpStream, index: usize) {
    let mut reply = [0u8; 7];
    stream
        .read_exact(&mut reply)
        .unwrap_or_else(|e| panic!("client {index} was not served: {e}"));
    assert_eq!(&reply, b"+PONG\r\n", "client {index}");
}

#[test]
fn serves_waiting_clients_once_descriptors_come_back_under_ulimit_n_64() {
    let child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" --port 0")
        .arg(env!("CARGO_BIN_EXE_volley-resp"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the volley-resp binary could not start");
    let mut server = Server(child);
    let mut first = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut first)
        .expect("volley-resp printed nothing");
    let port: u16 = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line from volley-resp: {first:?}"));
    // Every line the server logs, as it comes.
    let (log_tx, log) = mpsc::channel::<String>();
    let stderr = BufReader::new(server.0.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if log_tx.send(line).is_err() {
                break;
            }
        }
    });

    let started = Instant::now();
    let mut clients: Vec<Option<TcpStream>> = (0..CLIENTS).map(|_| Some(send_ping(port))).collect();
    // The server ran out of descriptors, and said so.
    loop {
        let line = log.recv_timeout(GUARD).expect("a warning about accept");
        if line.contains(WARNING) {
            assert!(line.contains("Too many open files"), "{line}");
            break;
        }
    }
    // The clients it holds are served meanwhile.
    for (index, client) in clients.iter_mut().enumerate().take(10) {
        let mut reply = [0u8; 7];
        if let Err(e) = client.as_mut().unwrap().read_exact(&mut reply) {
            let status = server.0.try_wait();
            std::thread::sleep(Duration::from_millis(300));
            let lines: Vec<String> = log.try_iter().collect();
            panic!("client {index}: {e}; server {status:?}; log: {lines:#?}");
        }
    }
    // Half the clients leave; the others, left waiting in the backlog, are served.
    for client in &mut clients[..CLIENTS / 2] {
        client.take();
    }
    for (index, client) in clients.iter_mut().enumerate().skip(CLIENTS / 2) {
        expect_pong(client.as_mut().unwrap(), index);
    }
    // And a new one too.
    expect_pong(&mut send_ping(port), CLIENTS);
    assert!(server.0.try_wait().unwrap().is_none(), "the server runs on");

    // The warning came at most once a second (plus the first), however long the test took:
    // not one line per failed accept.
    drop(server);
    let elapsed = started.elapsed().as_secs();
    let warnings = 1 + log.iter().filter(|line| line.contains(WARNING)).count() as u64;
    assert!(
        warnings <= elapsed + 2,
        "{warnings} warnings in {elapsed} s: not rate-limited"
    );
}
