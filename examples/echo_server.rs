//! A TCP echo server on the Volley scheduler: one accept loop, one task per connection.
//!
//! ```text
//! cargo run --release --example echo_server -- [--addr 127.0.0.1:7007] [--max-conns N]
//! cargo run --release --example echo_server -- --client N [--addr ADDR] [--bytes B]
//! ```
//!
//! The server echoes every byte back until the peer closes. It shuts down gracefully on
//! Ctrl-C (every connection task is closed, so its cleanup runs) or, with `--max-conns N`,
//! once N connections were accepted and served. In client mode it opens N concurrent
//! connections (tasks on a scheduler of its own), sends each its own B bytes, checks that
//! exactly those come back, and exits non-zero if any differs.
#![feature(coroutines)]

use std::cell::Cell;
use std::net::{Shutdown, SocketAddr};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;
use volley::sched::net::{
    accept, connect, read, readable, write_all, Stream, TcpListener, TcpStream, UnixStream,
};
use volley::sched::task::shutdown;
use volley::sched::{spawn, JoinHandle, Scheduler, TaskError, TaskResult};
use volley::{task, yield_from, Exit};

/// What the command line asked for.
struct Options {
    addr: SocketAddr,
    max_conns: Option<u64>,
    client: Option<usize>,
    bytes: usize,
}

fn usage() -> String {
    "usage: echo_server [--addr HOST:PORT] [--max-conns N] | --client N [--addr HOST:PORT] [--bytes B]".into()
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        addr: "127.0.0.1:7007".parse().map_err(|e| format!("{e}"))?,
        max_conns: None,
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
fn ctrl_c(wakeup: UnixStream) -> TaskResult {
    yield_from!(readable(&wakeup))?;
    let _ = wakeup.try_read(&mut [0u8; 1]);
    eprintln!("echo_server: Ctrl-C, shutting down");
    yield_from!(shutdown())?;
    Ok(())
}

/// Accepts connections (at most `max_conns`), one echo task each; then stops the watcher.
#[task(static)]
fn accept_loop(
    listener: TcpListener,
    max_conns: Option<u64>,
    count: Rc<Cell<u64>>,
    watcher: JoinHandle<()>,
) -> TaskResult {
    while max_conns.is_none_or(|max| count.get() < max) {
        let (stream, _peer) = yield_from!(accept(&listener))?;
        stream.set_nodelay(true)?;
        count.set(count.get() + 1);
        yield_from!(spawn(echo(stream)))?.detach();
    }
    // Enough connections: stop listening; the open ones finish, then `run` returns.
    yield_from!(watcher.kill())?;
    Ok(())
}

fn serve(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind(options.addr)?;
    let (wakeup, notifier) = std::os::unix::net::UnixStream::pair()?;
    let wakeup = UnixStream::from_std(wakeup)?;
    signal_hook::low_level::pipe::register(signal_hook::consts::SIGINT, notifier)?;
    println!("echo_server: listening on {}", listener.local_addr()?);

    let mut sched = Scheduler::new();
    let watcher = sched.spawn(ctrl_c(wakeup));
    let accepted = Rc::new(Cell::new(0u64));
    let serving = accept_loop(listener, options.max_conns, accepted.clone(), watcher);
    sched.spawn(serving).detach();
    sched.run()?;
    let stats = sched.stats();
    println!(
        "echo_server: done, {} connections accepted, {} tasks finished, {} switches",
        accepted.get(),
        stats.finished,
        stats.switches
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

fn main() -> ExitCode {
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
