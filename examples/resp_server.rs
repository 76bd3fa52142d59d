//! A Redis-compatible (RESP2) in-memory server on the Volley scheduler: one task per
//! connection, each parsing requests with the sans-IO `proto::resp` coroutine, pipelined
//! requests answered in order with one write per read.
//!
//! ```text
//! cargo run --release --example resp_server -- --port 6380
//! redis-cli -p 6380 set greeting hello
//! redis-benchmark -p 6380 -q -n 20000
//! ```
//!
//! Options: `--port N` (default 6380; 0 picks a free port), `--bind ADDR` (default 127.0.0.1),
//! `--max-bulk BYTES` (largest bulk string, default 64 MiB), `--max-inline BYTES` (longest
//! inline request, default 64 KiB), `--busy-poll N` (polls without sleeping while several
//! clients are ready at once, default 256; 0 turns busy-polling off and saves CPU when idle
//! between bursts). The server prints `listening on ADDR` once it accepts.
//! `RUST_LOG=debug` shows connections and protocol errors.
#![feature(coroutines)]

#[path = "resp_server/admin.rs"]
mod admin;
#[path = "resp_server/commands.rs"]
mod commands;
#[path = "resp_server/connection.rs"]
mod connection;
#[path = "resp_server/hashes.rs"]
mod hashes;
#[path = "resp_server/keyspace.rs"]
mod keyspace;
#[path = "resp_server/lists.rs"]
mod lists;
#[path = "resp_server/reply.rs"]
mod reply;
#[path = "resp_server/sets.rs"]
mod sets;
#[path = "resp_server/store.rs"]
mod store;
#[path = "resp_server/streams.rs"]
mod streams;
#[path = "resp_server/strings.rs"]
mod strings;
#[path = "resp_server/zsets.rs"]
mod zsets;

use std::cell::RefCell;
use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;
use store::Store;
use volley::proto::resp::RespLimits;
use volley::sched::{accept, sleep, spawn_detached, Scheduler, TaskError, TaskResume};
use volley::{yield_from, Exit};

/// How often expired keys are swept, and how many at most per sweep.
const SWEEP_EVERY: Duration = Duration::from_millis(100);
const SWEEP_BUDGET: usize = 10_000;

/// Polls without sleeping before the scheduler blocks, while several clients are ready at once
/// (see `Scheduler::set_busy_poll`): a loaded server trades some CPU for not being woken for each
/// request. `--busy-poll 0` turns it off.
const DEFAULT_BUSY_POLL: u32 = 256;

/// The command line.
struct Options {
    bind: String,
    port: u16,
    limits: RespLimits,
    busy_poll: u32,
}

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        bind: "127.0.0.1".into(),
        port: 6380,
        limits: RespLimits::default(),
        busy_poll: DEFAULT_BUSY_POLL,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let bad = |v: &str| format!("{flag}: not a valid value: {v:?}");
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                options.port = v.parse().map_err(|_| bad(&v))?;
            }
            "--bind" => options.bind = value()?,
            "--max-bulk" => {
                let v = value()?;
                options.limits = options.limits.with_max_bulk(v.parse().map_err(|_| bad(&v))?);
            }
            "--max-inline" => {
                let v = value()?;
                options.limits = options.limits.with_max_inline(v.parse().map_err(|_| bad(&v))?);
            }
            "--busy-poll" => {
                let v = value()?;
                options.busy_poll = v.parse().map_err(|_| bad(&v))?;
            }
            "--help" | "-h" => {
                return Err("usage: resp_server [--port N] [--bind ADDR] [--max-bulk BYTES] [--max-inline BYTES] [--busy-poll N]".into())
            }
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("resp_server: {message}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind((options.bind.as_str(), options.port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "resp_server: cannot listen on {}:{}: {error}",
                options.bind, options.port
            );
            return ExitCode::FAILURE;
        }
    };
    let address = listener
        .local_addr()
        .map_or_else(|_| "?".into(), |a| a.to_string());
    println!("listening on {address}");
    let _ = std::io::stdout().flush();

    let store = Rc::new(RefCell::new(Store::new()));
    let mut sched = Scheduler::new();
    sched.set_busy_poll(options.busy_poll);
    let sweeper_store = Rc::clone(&store);
    sched.spawn_named(
        "expiry_sweep",
        #[coroutine]
        move |_: TaskResume| loop {
            yield_from!(sleep(SWEEP_EVERY))?;
            sweeper_store.borrow_mut().purge_expired(SWEEP_BUDGET);
        },
    );
    let limits = options.limits;
    sched.spawn_named(
        "accept_loop",
        #[coroutine]
        static move |_: TaskResume| loop {
            match yield_from!(accept(&listener)) {
                Ok((stream, peer)) => {
                    tracing::debug!(%peer, "connection");
                    let _ = stream.set_nodelay(true);
                    let task = connection::serve(stream, Rc::clone(&store), limits);
                    yield_from!(spawn_detached(task))?;
                }
                Err(Exit::Raised(TaskError::Io(error))) => {
                    // Out of descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "accept failed");
                    yield_from!(sleep(Duration::from_millis(10)))?;
                }
                Err(other) => return Err(other),
            }
        },
    );
    match sched.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("resp_server: scheduler stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
