//! A TCP echo server on the Volley scheduler: one accept loop, one task per connection.
//!
//! ```text
//! cargo run --release --example echo_server -- [--addr 127.0.0.1:7007] [--max-conns N] [--threads T]
//! cargo run --release --example echo_server -- --client N [--addr ADDR] [--bytes B]
//! ```
//!
//! The server echoes every byte back until the peer closes. It shuts down gracefully on
//! Ctrl-C (every connection task is closed, so its cleanup runs) or, with `--max-conns N`,
//! once N connections were accepted and served. Out of file descriptors (say under
//! `ulimit -n 64` with more clients than that), it keeps serving: `accept` backs off, logs a
//! warning at most once a second (`RUST_LOG` sets the level, `warn` by default), and accepts
//! the waiting clients as the served ones leave. Should the listener itself fail, the server
//! stops and exits with status 1. With `--threads T` (default 1) it runs thread-per-core
//! (`sched::per_core`): T schedulers on T threads, each running the same accept loop and echo
//! tasks on its own listener bound to the address with `SO_REUSEPORT` (`--max-conns` needs
//! one thread: each thread accepts on its own). In client mode it opens N concurrent
//! connections (tasks on a scheduler of its own), sends each its own B bytes, checks that
//! exactly those come back, and exits non-zero if any differs.
#![feature(coroutines)]

use std::net::{Shutdown, SocketAddr};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use volley::sched::net::{
    accept, connect, read, readable, write_all, Stream, TcpListener, TcpStream, UnixStream,
};
use volley::sched::task::shutdown;
use volley::sched::{
    per_core, spawn, JoinError, JoinHandle, Scheduler, TaskError, TaskResult, TaskResume,
};
use volley::{task, yield_from, Co, Exit};

/// What the command line asked for.
struct Options {
    addr: SocketAddr,
    max_conns: Option<u64>,
    threads: usize,
    client: Option<usize>,
    bytes: usize,
}

fn usage() -> String {
    "usage: echo_server [--addr HOST:PORT] [--max-conns N] [--threads T] | --client N [--addr HOST:PORT] [--bytes B]".into()
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        addr: "127.0.0.1:7007".parse().map_err(|e| format!("{e}"))?,
        max_conns: None,
        threads: 1,
        client: None,
        bytes: 4096,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{}", usage()))
        };
        match flag.as_str() {
            "--addr" => {
                let v = value("--addr")?;
                options.addr = v.parse().map_err(|e| format!("bad --addr {v:?}: {e}"))?;
            }
            "--max-conns" => {
                let v = value("--max-conns")?;
                options.max_conns = Some(
                    v.parse()
                        .map_err(|e| format!("bad --max-conns {v:?}: {e}"))?,
                );
            }
            "--threads" => {
                let v = value("--threads")?;
                options.threads = match v.parse() {
                    Ok(0) | Err(_) => {
                        return Err(format!("bad --threads {v:?}: a count of 1 or more"))
                    }
                    Ok(n) => n,
                };
            }
            "--client" => {
                let v = value("--client")?;
                options.client = Some(v.parse().map_err(|e| format!("bad --client {v:?}: {e}"))?);
            }
            "--bytes" => {
                let v = value("--bytes")?;
                options.bytes = v.parse().map_err(|e| format!("bad --bytes {v:?}: {e}"))?;
            }
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    if options.threads > 1 && options.max_conns.is_some() {
        return Err(format!(
            "--max-conns needs --threads 1 (each thread accepts on its own)\n{}",
            usage()
        ));
    }
    Ok(options)
}

/// Echoes every byte back until the peer closes.
#[task(static)]
fn echo(stream: TcpStream) -> TaskResult {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = yield_from!(read(&stream, &mut buf))?;
        if n == 0 {
            return Ok(());
        }
        yield_from!(write_all(&stream, &buf[..n]))?;
    }
}

/// Waits for SIGINT (delivered as a byte on a socket pair), then shuts the scheduler down.
#[task]
fn ctrl_c(wakeup: UnixStream, announce: bool) -> TaskResult {
    yield_from!(readable(&wakeup))?;
    let _ = wakeup.try_read(&mut [0u8; 1]);
    if announce {
        eprintln!("echo_server: Ctrl-C, shutting down");
    }
    yield_from!(shutdown())?;
    Ok(())
}

/// Accepts connections (at most `max_conns`), one echo task each; then stops the watcher.
/// Running out of descriptors is `accept`'s business (it waits and retries); an error it raises
/// means the listener is broken, and ends the server with that error.
#[task(static)]
fn accept_loop(
    listener: TcpListener,
    max_conns: Option<u64>,
    count: Arc<AtomicU64>,
    watcher: JoinHandle<()>,
) -> TaskResult {
    let mut broken = None;
    while max_conns.is_none_or(|max| count.load(Ordering::Relaxed) < max) {
        match yield_from!(accept(&listener)) {
            Ok((stream, peer)) => {
                // A peer that already reset the connection fails this: its task sees it next.
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%peer, %error, "set_nodelay");
                }
                count.fetch_add(1, Ordering::Relaxed);
                yield_from!(spawn(echo(stream)))?.detach();
            }
            Err(Exit::Raised(error)) => {
                tracing::error!(%error, "the listener failed; stopping");
                broken = Some(error);
                break;
            }
            Err(closed) => return Err(closed),
        }
    }
    // Enough connections, or no listener: stop; the open connections finish, then `run`
    // returns.
    yield_from!(watcher.kill())?;
    match broken {
        Some(error) => Err(Exit::Raised(error)),
        None => Ok(()),
    }
}

fn serve(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    if options.threads > 1 {
        return serve_per_core(options);
    }
    let listener = TcpListener::bind(options.addr)?;
    let (wakeup, notifier) = std::os::unix::net::UnixStream::pair()?;
    let wakeup = UnixStream::from_std(wakeup)?;
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGINT, notifier)?;
    println!("echo_server: listening on {}", listener.local_addr()?);

    let mut sched = Scheduler::new();
    let watcher = sched.spawn(ctrl_c(wakeup, true));
    let accepted = Arc::new(AtomicU64::new(0));
    let serving = accept_loop(listener, options.max_conns, accepted.clone(), watcher);
    let serving = sched.spawn(serving);
    sched.run()?;
    // Killed is the Ctrl-C shutdown; raising or panicking means the listener failed.
    if let Some(Err(error @ (JoinError::Raised(_) | JoinError::Panicked(_)))) =
        serving.take_outcome()
    {
        return Err(format!("stopped serving: {error}").into());
    }
    let stats = sched.stats();
    println!(
        "echo_server: done, {} connections accepted, {} tasks finished, {} switches",
        accepted.load(Ordering::Relaxed),
        stats.finished,
        stats.switches
    );
    Ok(())
}

/// Thread-per-core: one scheduler per thread, each with the one-thread server's tasks (a
/// Ctrl-C watcher, the accept loop, an echo task per connection) on a listener of its own.
fn serve_per_core(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let listeners = per_core::bind(options.addr, options.threads)?;
    let mut parts = Vec::with_capacity(listeners.len());
    for (index, listener) in listeners.into_iter().enumerate() {
        let (wakeup, notifier) = std::os::unix::net::UnixStream::pair()?;
        signal_hook::low_level::pipe::register(signal_hook::consts::SIGINT, notifier)?;
        parts.push((index, listener, wakeup));
    }
    println!(
        "echo_server: listening on {} ({} threads)",
        parts[0].1.local_addr()?,
        options.threads
    );
    let accepted = Arc::new(AtomicU64::new(0));
    let broken = Arc::new(AtomicU64::new(0));
    let (total, failures) = (accepted.clone(), broken.clone());
    let cores = per_core::run(parts, move |(index, listener, wakeup), sched| {
        let wakeup = UnixStream::from_std(wakeup).expect("a socket pair switches to non-blocking");
        let watcher = sched.spawn(ctrl_c(wakeup, index == 0));
        let serving = sched.spawn(accept_loop(listener, None, total.clone(), watcher));
        let failures = failures.clone();
        // Notes a listener that failed (a Ctrl-C shutdown closes this task too: no failure).
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    if let Err(error @ (JoinError::Raised(_) | JoinError::Panicked(_))) =
                        yield_from!(serving.join())?
                    {
                        eprintln!("echo_server: stopped serving: {error}");
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(())
                },
            ))
            .detach();
    });
    cores.join()?;
    if broken.load(Ordering::Relaxed) > 0 {
        return Err("a listener failed".into());
    }
    println!(
        "echo_server: done, {} connections accepted on {} threads",
        accepted.load(Ordering::Relaxed),
        options.threads
    );
    Ok(())
}

/// One client connection: sends its own bytes, checks they all come back.
#[task(static)]
fn client(addr: SocketAddr, index: usize, bytes: usize) -> TaskResult<bool> {
    let payload: Vec<u8> = (0..bytes).map(|i| (i * 31 + index * 7) as u8).collect();
    let stream = yield_from!(connect(addr))?;
    yield_from!(write_all(&stream, &payload))?;
    stream.shutdown(Shutdown::Write)?;
    let mut echoed = Vec::with_capacity(bytes);
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = yield_from!(read(&stream, &mut buf))?;
        if n == 0 {
            break;
        }
        echoed.extend_from_slice(&buf[..n]);
        if echoed.len() > bytes {
            return Err(Exit::Raised(TaskError::msg(format!(
                "client {index}: too many bytes echoed"
            ))));
        }
    }
    Ok(echoed == payload)
}

/// Starts every client, then joins them in turn; answers whether all got their bytes back.
#[task]
fn check_clients(addr: SocketAddr, clients: usize, bytes: usize) -> TaskResult<bool> {
    let mut handles = Vec::with_capacity(clients);
    for index in 0..clients {
        let handle = yield_from!(spawn(client(addr, index, bytes)))?;
        handles.push(handle);
    }
    let mut all_good = true;
    for (index, handle) in handles.into_iter().enumerate() {
        match yield_from!(handle.join())? {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("client {index}: echoed bytes differ");
                all_good = false;
            }
            Err(e) => {
                eprintln!("client {index}: {e}");
                all_good = false;
            }
        }
    }
    Ok(all_good)
}

fn run_clients(options: &Options, clients: usize) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut sched = Scheduler::new();
    let bytes = options.bytes;
    let checker = sched.spawn(check_clients(options.addr, clients, bytes));
    let all_good = sched.join(checker)?;
    if !all_good {
        return Err("some clients did not get their own bytes back".into());
    }
    println!(
        "echo_server client: {clients} connections x {bytes} bytes echoed intact in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

#[cfg_attr(test, allow(dead_code))]
fn main() -> ExitCode {
    volley_resp::cli::init_logging();
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let outcome = match options.client {
        Some(clients) => run_clients(&options, clients),
        None => serve(&options),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Under `ulimit -n 64`, more clients than descriptors: the server keeps serving, and the
/// clients left waiting are served once the first ones leave. The server is this test binary
/// run again (by `sh`, under the limit) in its ignored test `fd_limited_server`.
#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    /// Set in the environment of the server run under the limit.
    const SERVER_ENV: &str = "VOLLEY_ECHO_FD_LIMITED_SERVER";
    /// More clients than the server has descriptors.
    const CLIENTS: usize = 80;
    /// How long any one step may take before the test fails (a guard: no step waits for it).
    const GUARD: Duration = Duration::from_secs(60);

    /// The server, serving forever (the test kills it). Runs only as the child.
    #[test]
    #[ignore = "the server half of serves_new_clients_once_old_ones_leave_under_ulimit_n_64"]
    fn fd_limited_server() {
        if std::env::var_os(SERVER_ENV).is_none() {
            return;
        }
        volley_resp::cli::init_logging();
        let options = Options {
            addr: "127.0.0.1:0".parse().unwrap(),
            max_conns: None,
            threads: 1,
            client: None,
            bytes: 0,
        };
        serve(&options).unwrap();
    }

    /// Kills the server when the test ends, passed or failed.
    struct Server(Child);

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn connect_and_send(addr: SocketAddr, index: usize) -> std::net::TcpStream {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(GUARD)).unwrap();
        stream
            .write_all(format!("client {index}\n").as_bytes())
            .unwrap();
        stream
    }

    fn expect_echo(stream: &mut std::net::TcpStream, index: usize) {
        let expected = format!("client {index}\n");
        let mut echoed = vec![0u8; expected.len()];
        stream
            .read_exact(&mut echoed)
            .unwrap_or_else(|e| panic!("client {index} was not served: {e}"));
        assert_eq!(echoed, expected.as_bytes());
    }

    #[test]
    fn serves_new_clients_once_old_ones_leave_under_ulimit_n_64() {
        let exe = std::env::current_exe().unwrap();
        let child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -n 64 && exec \"$0\" \"$@\"")
            .arg(exe)
            .args([
                "--exact",
                "tests::fd_limited_server",
                "--ignored",
                "--nocapture",
            ])
            .env(SERVER_ENV, "1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut server = Server(child);
        let stdout = BufReader::new(server.0.stdout.take().unwrap());
        let addr: SocketAddr = stdout
            .lines()
            .map(Result::unwrap)
            .find_map(|line| {
                line.strip_prefix("echo_server: listening on ")?
                    .parse()
                    .ok()
            })
            .expect("the server prints its address");
        // Every line the server logs, as it comes.
        let (log_tx, log) = mpsc::channel();
        let stderr = BufReader::new(server.0.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if log_tx.send(line).is_err() {
                    break;
                }
            }
        });

        let mut clients: Vec<Option<std::net::TcpStream>> = (0..CLIENTS)
            .map(|index| Some(connect_and_send(addr, index)))
            .collect();
        // The server ran out of descriptors, and said so.
        loop {
            let line = log.recv_timeout(GUARD).expect("a warning about accept");
            if line.contains("accept failed") {
                assert!(line.contains("Too many open files"), "{line}");
                break;
            }
        }
        // The first clients were accepted and served.
        for (index, client) in clients.iter_mut().enumerate().take(10) {
            expect_echo(client.as_mut().unwrap(), index);
        }
        // Half the clients leave; the others, left waiting, are served.
        for client in &mut clients[..CLIENTS / 2] {
            client.take();
        }
        for (index, client) in clients.iter_mut().enumerate().skip(CLIENTS / 2) {
            expect_echo(client.as_mut().unwrap(), index);
        }
        // And a new one too.
        expect_echo(&mut connect_and_send(addr, CLIENTS), CLIENTS);
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "the server is still running"
        );
    }
}
