//! A Redis-compatible in-memory server on the Volley scheduler: one task per connection, each
//! parsing requests with the sans-IO [`requests`](crate::codec::requests) coroutine, pipelined
//! requests answered in order with one write per read, in RESP2 or RESP3 as each client asks.
//!
//! Commands are registered family by family in one table (see [`Command`] and [`FAMILIES`]);
//! each handler gets one [`Ctx`]: the [`ServerState`] (16 [`Databases`], counters, the
//! [`Clients`] registry), the running [`Client`], and a [`Reply`](crate::codec::Reply) writer
//! that knows the client's protocol. Malformed input gets `-ERR Protocol error: ...` and that
//! connection alone is closed.
//!
//! [`Server::bind`] listens as a [`Config`] says and [`Server::run`] serves on the calling
//! thread; [`serve`] does the same with a listener bound elsewhere, and [`spawn_on`] starts the
//! server's tasks in a scheduler of the caller's on any [`Listener`]: a TCP listener, or one of
//! the simulated network ([`volley_flow::sim::net`]), where the same connection code runs under
//! seeded latency, partitions and resets. A [`Session`] runs commands as one client without any
//! socket.
//!
//! ```no_run
//! use volley_resp::server::{Config, Server};
//!
//! let server = Server::bind(Config { port: 0, ..Config::default() })?;
//! println!("listening on {}", server.local_addr()?);
//! server.run()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod admin;
mod client;
mod client_command;
mod commands;
mod config;
mod connection;
mod ctx;
mod dbs;
mod expiry;
mod glob;
mod hashes;
mod hello;
mod info;
mod keyspace;
mod lists;
mod notify;
mod random_pick;
mod scan;
mod session;
mod sets;
mod sort;
mod state;
mod store;
mod streams;
mod strings;
mod unix_time;
pub mod waits;
mod zsets;

pub use client::{Activity, Client, ClientRef, Clients, ReplyMode, Times};
pub use commands::{
    all as all_commands, execute, lookup, Command, Flow, Handler, Outcome, FAMILIES,
};
pub use config::{OutputLimit, Settings};
pub use connection::serve as serve_connection;
pub use ctx::Ctx;
pub use glob::glob_match;
pub use hello::REDIS_VERSION;
pub use notify::{key_event, EventClass, KeyEvent, NotifyFlags};
pub use session::Session;
pub use state::{CommandStat, Databases, ServerState, Stats, DATABASES};
pub use store::Store;
pub use unix_time::{UnixClock, SIMULATED_START_MILLIS};

use crate::codec::RespLimits;
use std::cell::RefCell;
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::rc::Rc;
use std::time::Duration;
use volley_core::{yield_from, Co, Exit};
use volley_flow::sched::net::{Connection, Listener, TcpListener as SchedListener};
use volley_flow::sched::task::{kill, shutdown};
use volley_flow::sched::time::sleep;
use volley_flow::sched::{spawn, SchedError, Scheduler, TaskResult, TaskResume};

/// How often expired keys are swept, and how many at most per sweep.
const SWEEP_EVERY: Duration = Duration::from_millis(100);
const SWEEP_BUDGET: usize = 10_000;

/// The port a server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 6380;

/// Polls without sleeping before the scheduler blocks, while several clients are ready at once
/// (see [`Scheduler::set_busy_poll`]): a loaded server trades some CPU for not being woken for
/// each request. `--busy-poll 0` turns it off.
pub const DEFAULT_BUSY_POLL: u32 = 256;

/// What a server listens on and what it allows: the knobs of the command-line flags.
///
/// ```
/// use volley_resp::server::Config;
///
/// let args = ["--port", "0", "--max-inline", "1024"].map(String::from);
/// let config = Config::from_args("volley-resp", args).unwrap();
/// assert_eq!((config.port, config.limits.max_inline()), (0, 1024));
/// assert_eq!(config.bind, "127.0.0.1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The address to listen on (`--bind`, default `127.0.0.1`).
    pub bind: String,
    /// The port to listen on (`--port`, default 6380; 0 picks a free port).
    pub port: u16,
    /// What one request may make the server hold (`--max-bulk`, `--max-inline`).
    pub limits: RespLimits,
    /// Polls without sleeping while several clients are ready at once (`--busy-poll`, default
    /// 256; 0 turns busy-polling off and saves CPU when idle between bursts).
    pub busy_poll: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1".into(),
            port: DEFAULT_PORT,
            limits: RespLimits::default(),
            busy_poll: DEFAULT_BUSY_POLL,
        }
    }
}

impl Config {
    /// The flags [`Config::from_args`] understands, as a usage line shows them.
    pub const FLAGS: &'static str =
        "[--port N] [--bind ADDR] [--max-bulk BYTES] [--max-inline BYTES] [--busy-poll N]";

    /// Parses command-line flags (without the program name): `--port N`, `--bind ADDR`,
    /// `--max-bulk BYTES`, `--max-inline BYTES`, `--busy-poll N`. `--help` and any mistake
    /// answer the message to print, the usage naming `program`.
    ///
    /// ```
    /// use volley_resp::server::Config;
    ///
    /// let help = Config::from_args("volley-resp", ["--help".to_string()]).unwrap_err();
    /// assert!(help.starts_with("usage: volley-resp [--port N]"));
    /// let bad = Config::from_args("volley-resp", ["--port".to_string(), "x".to_string()]);
    /// assert_eq!(bad.unwrap_err(), "--port: not a valid value: \"x\"");
    /// ```
    pub fn from_args(
        program: &str,
        args: impl IntoIterator<Item = String>,
    ) -> Result<Config, String> {
        let mut args = args.into_iter();
        let mut config = Config::default();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or(format!("{flag} needs a value"));
            let bad = |v: &str| format!("{flag}: not a valid value: {v:?}");
            match flag.as_str() {
                "--port" => {
                    let v = value()?;
                    config.port = v.parse().map_err(|_| bad(&v))?;
                }
                "--bind" => config.bind = value()?,
                "--max-bulk" => {
                    let v = value()?;
                    config.limits = config.limits.with_max_bulk(v.parse().map_err(|_| bad(&v))?);
                }
                "--max-inline" => {
                    let v = value()?;
                    config.limits = config
                        .limits
                        .with_max_inline(v.parse().map_err(|_| bad(&v))?);
                }
                "--busy-poll" => {
                    let v = value()?;
                    config.busy_poll = v.parse().map_err(|_| bad(&v))?;
                }
                "--help" | "-h" => return Err(format!("usage: {program} {}", Config::FLAGS)),
                other => return Err(format!("unknown option {other:?} (try --help)")),
            }
        }
        Ok(config)
    }
}

/// A server listening as its [`Config`] says, not serving yet.
#[derive(Debug)]
pub struct Server {
    listener: SchedListener,
    config: Config,
}

impl Server {
    /// Listens on `config.bind` and `config.port` with the scheduler's listen backlog
    /// ([`LISTEN_BACKLOG`](volley_flow::sched::net::LISTEN_BACKLOG)): the first address the
    /// name resolves to that can be bound.
    pub fn bind(config: Config) -> io::Result<Server> {
        let mut last_error = None;
        for address in (config.bind.as_str(), config.port).to_socket_addrs()? {
            match SchedListener::bind(address) {
                Ok(listener) => return Ok(Server { listener, config }),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the address resolves to nothing",
            )
        }))
    }

    /// The address it listens on (with the port picked when `port` was 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves every client on the calling thread: returns only if the scheduler stops.
    pub fn run(self) -> Result<(), SchedError> {
        run(self.listener, self.config)
    }
}

/// Serves clients accepted on `listener` on the calling thread, with `config`'s limits and
/// busy-polling (its address is not used): one [`ServerState`] shared by all connections, one
/// task per connection, and a task sweeping expired keys. Returns only if the scheduler stops.
pub fn serve(listener: TcpListener, config: &Config) -> Result<(), SchedError> {
    let listener = SchedListener::from_std(listener).map_err(SchedError::Io)?;
    run(listener, config.clone())
}

fn run(listener: SchedListener, config: Config) -> Result<(), SchedError> {
    let mut sched = Scheduler::new();
    sched.set_busy_poll(config.busy_poll);
    let (_state, broken) = spawn_tasks(&mut sched, listener, config);
    sched.run()?;
    let broken = broken.borrow_mut().take();
    match broken {
        Some(error) => Err(SchedError::Io(io::Error::other(format!(
            "the listener failed: {error}"
        )))),
        None => Ok(()),
    }
}

/// Starts a server in `sched` on `listener`, with `config`'s limits (its address and
/// busy-polling are not used): one [`ServerState`], shared by the connections and answered,
/// an accept loop spawning one task per connection, and a task sweeping expired keys, all
/// detached. They run while the scheduler does; a listener that fails (not a connection that
/// does) is logged and shuts the scheduler down.
///
/// Any [`Listener`] will do, so the connection code a real server runs can be tested on the
/// simulated network, seed by seed:
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::net::Connection;
/// use volley_flow::sched::{Scheduler, TaskResume};
/// use volley_flow::sim::net::{NetConfig, SimNet};
/// use volley_resp::server::{spawn_on, Config};
///
/// let mut sched = Scheduler::simulated(7);
/// let net = SimNet::new(&sched, NetConfig::default());
/// let addr = "10.0.0.1:6379".parse().unwrap();
/// let state = spawn_on(&mut sched, net.bind(addr).unwrap(), Config::default());
/// let client = sched.spawn(Co::pinned(#[coroutine] static move |_: TaskResume| {
///     let conn = yield_from!(net.connect("10.0.0.2".parse().unwrap(), addr))?;
///     yield_from!(conn.write_all(b"SET greeting hi\r\nGET greeting\r\nQUIT\r\n"))?;
///     let mut replies = Vec::new();
///     let mut buf = [0u8; 64];
///     loop {
///         let n = yield_from!(conn.read(&mut buf))?;
///         if n == 0 {
///             return Ok(replies); // the server closed after QUIT
///         }
///         replies.extend_from_slice(&buf[..n]);
///     }
/// }));
/// assert_eq!(sched.join(client).unwrap(), b"+OK\r\n$2\r\nhi\r\n+OK\r\n");
/// assert_eq!(state.borrow().stats.connections_received, 1);
/// ```
pub fn spawn_on<L>(sched: &mut Scheduler, listener: L, config: Config) -> Rc<RefCell<ServerState>>
where
    L: Listener + 'static,
    L::Conn: 'static,
{
    spawn_tasks(sched, listener, config).0
}

/// Spawns the server's tasks (see [`spawn_on`]); answers its state and where the accept loop
/// puts the error of a listener that failed.
fn spawn_tasks<L>(
    sched: &mut Scheduler,
    listener: L,
    config: Config,
) -> (Rc<RefCell<ServerState>>, Rc<RefCell<Option<String>>>)
where
    L: Listener + 'static,
    L::Conn: 'static,
{
    let state = Rc::new(RefCell::new(ServerState::on(sched, config)));
    let sweeper_state = Rc::clone(&state);
    // Expired keys, and clients idle past `timeout`.
    let sweeper = Co::new(
        #[coroutine]
        move |_: TaskResume| -> TaskResult {
            loop {
                yield_from!(sleep(SWEEP_EVERY))?;
                let idle = {
                    let mut state = sweeper_state.borrow_mut();
                    state.purge_expired(SWEEP_BUDGET);
                    // Keyspace events (`expired`) go to their subscribers.
                    waits::publish_events(&mut state);
                    let now = state.now();
                    state.idle_clients(now)
                };
                for task in idle {
                    yield_from!(kill(task))?;
                }
            }
        },
    );
    sched.spawn(sweeper.named("expiry_sweep")).detach();
    let local = Listener::local_addr(&listener).map_or_else(|_| String::new(), |a| a.to_string());
    let accept_state = Rc::clone(&state);
    let broken = Rc::new(RefCell::new(None::<String>));
    let broken_in_loop = Rc::clone(&broken);
    let accept_loop = Co::pinned(
        #[coroutine]
        static move |_: TaskResume| -> TaskResult {
            loop {
                match yield_from!(listener.accept()) {
                    Ok((stream, peer)) => {
                        tracing::debug!(%peer, "connection");
                        let _ = stream.set_nodelay(true);
                        let client = {
                            let mut state = accept_state.borrow_mut();
                            if state.clients.len() >= state.settings.maxclients() {
                                state.stats.rejected_connections += 1;
                                drop(state);
                                // Best effort, as Redis: the client may not even read it.
                                let _ = stream.try_write(b"-ERR max number of clients reached\r\n");
                                continue;
                            }
                            state.stats.connections_received += 1;
                            let now = state.now();
                            state.clients.register(|id| Client {
                                times: Times::at(now),
                                ..Client::new(id, peer.to_string(), local.as_str())
                            })
                        };
                        let task = connection::serve(stream, Rc::clone(&accept_state), client);
                        yield_from!(spawn(task))?.detach();
                    }
                    Err(Exit::Raised(error)) => {
                        // Running out of descriptors is `accept`'s business (it waits and
                        // retries); what it raises means the listener is broken.
                        tracing::error!(%error, "the listener failed; stopping");
                        *broken_in_loop.borrow_mut() = Some(error.to_string());
                        yield_from!(shutdown())?;
                        return Ok(());
                    }
                    Err(other) => return Err(other),
                }
            }
        },
    );
    sched.spawn(accept_loop.named("accept_loop")).detach();
    (state, broken)
}
