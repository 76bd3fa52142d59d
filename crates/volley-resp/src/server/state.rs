//! The server-wide state every command can reach: the databases, the settings, the counters
//! `INFO` reports, and the clients registry. One scheduler thread serves every connection, so
//! the server shares it as `Rc<RefCell<ServerState>>`.
//!
//! Adding server-wide state (a pub/sub registry, blocked-client queues, key watchers...) is one
//! field of a type with a `Default`.

use super::client::Clients;
use super::config::Settings;
use super::notify::{key_event, EventClass, KeyEvent};
use super::random_pick::Picks;
use super::store::Store;
use super::unix_time::UnixClock;
use super::Config;
use crate::codec::RespLimits;
use std::collections::BTreeMap;
use std::time::Instant;
use volley_flow::sched::time::Clock;
use volley_flow::sched::Scheduler;

/// How many databases a server has (`SELECT 0` to `SELECT 15`), as Redis's default.
pub const DATABASES: usize = 16;

/// The numbered databases `SELECT` picks from.
///
/// ```
/// use volley_resp::server::{Databases, DATABASES};
///
/// let mut dbs = Databases::default();
/// assert_eq!(dbs.len(), DATABASES);
/// dbs.swap(0, 1);
/// assert_eq!(dbs.get_mut(3).map(|db| db.key_count()), Some(0));
/// assert!(dbs.get_mut(16).is_none());
/// ```
#[derive(Debug)]
pub struct Databases(Vec<Store>);

impl Default for Databases {
    fn default() -> Self {
        Databases((0..DATABASES).map(|_| Store::new()).collect())
    }
}

impl Databases {
    /// Empty databases whose key deadlines are measured on `unix`.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_resp::server::{Databases, UnixClock, SIMULATED_START_MILLIS};
    /// let mut dbs = Databases::with_clock(UnixClock::of(&Scheduler::simulated(0).clock()));
    /// assert_eq!(dbs[7].now_millis(), SIMULATED_START_MILLIS);
    /// ```
    pub fn with_clock(unix: UnixClock) -> Self {
        Databases(
            (0..DATABASES)
                .map(|_| Store::with_clock(unix.clone()))
                .collect(),
        )
    }

    /// How many there are.
    ///
    /// ```
    /// use volley_resp::server::Databases;
    /// assert_eq!(Databases::default().len(), 16);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (never, for a server).
    ///
    /// ```
    /// use volley_resp::server::Databases;
    /// assert!(!Databases::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Database `index`, if there is one.
    ///
    /// ```
    /// use volley_resp::server::Databases;
    /// assert!(Databases::default().get_mut(15).is_some());
    /// ```
    pub fn get_mut(&mut self, index: usize) -> Option<&mut Store> {
        self.0.get_mut(index)
    }

    /// Exchanges the contents of two databases (`SWAPDB`); indexes must be in range.
    ///
    /// ```
    /// use volley_resp::server::Databases;
    /// Databases::default().swap(2, 5);
    /// ```
    pub fn swap(&mut self, a: usize, b: usize) {
        self.0.swap(a, b);
    }

    /// Every database, in index order.
    ///
    /// ```
    /// use volley_resp::server::Databases;
    /// assert_eq!(Databases::default().iter_mut().count(), 16);
    /// ```
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Store> {
        self.0.iter_mut()
    }
}

impl std::ops::Index<usize> for Databases {
    type Output = Store;
    fn index(&self, index: usize) -> &Store {
        &self.0[index]
    }
}

impl std::ops::IndexMut<usize> for Databases {
    fn index_mut(&mut self, index: usize) -> &mut Store {
        &mut self.0[index]
    }
}

/// Calls of one command, for `INFO commandstats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommandStat {
    /// Times it ran.
    pub calls: u64,
    /// Times it was refused before running (wrong number of arguments).
    pub rejected: u64,
    /// Times it ran and answered an error.
    pub failed: u64,
}

/// Counters `INFO stats` reports, reset by `CONFIG RESETSTAT` where Redis resets them.
#[derive(Debug, Clone)]
pub struct Stats {
    /// When the server started (`uptime_in_seconds`).
    pub started: Instant,
    /// Connections accepted.
    pub connections_received: u64,
    /// Connections refused (over `maxclients`).
    pub rejected_connections: u64,
    /// Commands run (unknown commands and arity errors not counted, as Redis).
    pub commands_processed: u64,
    /// Keys removed because their time was up.
    pub expired_keys: u64,
    /// Bytes read from clients.
    pub net_input_bytes: u64,
    /// Bytes written to clients.
    pub net_output_bytes: u64,
    /// Error replies sent.
    pub error_replies: u64,
    /// Error replies by their code (`ERR`, `WRONGTYPE`...), for `INFO errorstats`.
    pub errors_by_code: BTreeMap<String, u64>,
    /// Calls by command, indexed as [`all_commands`](super::all_commands) lists them.
    pub commands: Vec<CommandStat>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            started: Instant::now(),
            connections_received: 0,
            rejected_connections: 0,
            commands_processed: 0,
            expired_keys: 0,
            net_input_bytes: 0,
            net_output_bytes: 0,
            error_replies: 0,
            errors_by_code: BTreeMap::new(),
            commands: Vec::new(),
        }
    }
}

impl Stats {
    /// Zeroes every counter but the start time (`CONFIG RESETSTAT`).
    ///
    /// ```
    /// use volley_resp::server::Stats;
    /// let mut stats = Stats::default();
    /// stats.commands_processed = 5;
    /// stats.reset();
    /// assert_eq!(stats.commands_processed, 0);
    /// ```
    pub fn reset(&mut self) {
        *self = Stats {
            started: self.started,
            ..Stats::default()
        };
    }

    /// Counts an error reply under its code (the first word of `message`).
    ///
    /// ```
    /// use volley_resp::server::Stats;
    /// let mut stats = Stats::default();
    /// stats.count_error("WRONGTYPE Operation against a key holding the wrong kind of value");
    /// assert_eq!(stats.errors_by_code["WRONGTYPE"], 1);
    /// ```
    pub fn count_error(&mut self, message: &str) {
        self.error_replies += 1;
        let code = message.split(' ').next().unwrap_or("ERR");
        // A client cannot grow this map without bound: Redis keeps at most 128 codes too.
        if self.errors_by_code.len() < 128 || self.errors_by_code.contains_key(code) {
            *self.errors_by_code.entry(code.to_string()).or_default() += 1;
        }
    }

    /// The counters of the command at `index`.
    ///
    /// ```
    /// use volley_resp::server::Stats;
    /// let mut stats = Stats::default();
    /// stats.command(3).calls += 1;
    /// assert_eq!(stats.commands[3].calls, 1);
    /// ```
    pub fn command(&mut self, index: usize) -> &mut CommandStat {
        if index >= self.commands.len() {
            self.commands.resize(index + 1, CommandStat::default());
        }
        &mut self.commands[index]
    }
}

/// Everything shared by all connections.
///
/// ```
/// use volley_resp::server::ServerState;
///
/// let mut state = ServerState::default();
/// assert_eq!(state.dbs.len(), 16);
/// assert!(state.clients.is_empty());
/// assert_eq!(state.stats.commands_processed, 0);
/// ```
#[derive(Debug)]
pub struct ServerState {
    /// The databases.
    pub dbs: Databases,
    /// What the server was started with (listening address, request limits...).
    pub config: Config,
    /// The parameters `CONFIG GET` and `CONFIG SET` work on.
    pub settings: Settings,
    /// Counters for `INFO`.
    pub stats: Stats,
    /// The connected clients.
    pub clients: Clients,
    /// Tasks of clients `CLIENT KILL` stopped, for the killer's connection task to end.
    pub kills: Vec<volley_flow::sched::task::TaskId>,
    /// Pub/sub, transactions and blocked clients.
    pub waits: super::waits::Waits,
    /// The read and output buffers the connection tasks share.
    pub(crate) scratch: super::connection::Scratch,
    /// Keyspace event messages waiting to be published, in order ([`Ctx::notify`](super::Ctx::notify)).
    pub events: Vec<KeyEvent>,
    /// The clock of the scheduler serving the connections (see [`on`](ServerState::on));
    /// `None` for a state built apart from a scheduler, which reads the wall clock.
    clock: Option<Clock>,
    /// The calendar by that clock (see [`UnixClock`]).
    unix: UnixClock,
    /// Random numbers for `SPOP`, `SRANDMEMBER` and `HRANDFIELD`.
    pub(crate) picks: Picks,
}

impl ServerState {
    /// The state of a server started with `config`.
    ///
    /// ```
    /// use volley_resp::server::{Config, ServerState};
    /// let state = ServerState::new(Config { port: 7000, ..Config::default() });
    /// assert_eq!(state.config.port, 7000);
    /// ```
    pub fn new(config: Config) -> ServerState {
        ServerState::with_calendar(config, UnixClock::system())
    }

    /// The state of a server started with `config` whose databases and commands keep time on
    /// `unix` (one calendar, shared, so a command's time holds for all of them).
    fn with_calendar(config: Config, unix: UnixClock) -> ServerState {
        ServerState {
            dbs: Databases::with_clock(unix.clone()),
            settings: Settings::new(&config),
            config,
            stats: Stats::default(),
            clients: Clients::default(),
            kills: Vec::new(),
            waits: super::waits::Waits::default(),
            scratch: super::connection::Scratch::default(),
            events: Vec::new(),
            clock: None,
            unix,
            picks: Picks::default(),
        }
    }

    /// The state of a server started with `config` and run by `sched`: every time it keeps
    /// (blocking timeouts, idle and output-limit times, client ages, uptime, key deadlines,
    /// stream ids, `TIME`) is read from the scheduler's clock, and its random picks are drawn
    /// from the scheduler's random numbers. On a simulated scheduler the calendar starts at
    /// [`SIMULATED_START_MILLIS`](super::SIMULATED_START_MILLIS), so a run replays exactly
    /// with its seed.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_resp::server::{Config, ServerState, SIMULATED_START_MILLIS};
    ///
    /// let sched = Scheduler::simulated(1);
    /// let state = ServerState::on(&sched, Config::default());
    /// assert_eq!(state.now(), sched.clock().start(), "virtual time stands still until it runs");
    /// assert_eq!(state.dbs[0].now_millis(), SIMULATED_START_MILLIS);
    /// assert!(state.clock().is_some_and(|clock| clock.is_virtual()));
    /// ```
    pub fn on(sched: &Scheduler, config: Config) -> ServerState {
        let clock = sched.clock();
        let mut state = ServerState::with_calendar(config, UnixClock::of(&clock));
        state.stats.started = clock.now();
        state.picks = Picks::seeded(sched.rng().next_u64());
        state.clock = Some(clock);
        state
    }

    /// The clock of the scheduler the server runs on, if it was built [`on`](ServerState::on)
    /// one.
    ///
    /// ```
    /// assert!(volley_resp::server::ServerState::default().clock().is_none());
    /// ```
    pub fn clock(&self) -> Option<&Clock> {
        self.clock.as_ref()
    }

    /// The server's calendar: Unix time by its [`clock`](ServerState::clock), or the system's.
    ///
    /// ```
    /// use volley_flow::sched::Scheduler;
    /// use volley_resp::server::{Config, ServerState, SIMULATED_START_MILLIS};
    /// let state = ServerState::on(&Scheduler::simulated(0), Config::default());
    /// assert_eq!(state.unix_clock().millis(), SIMULATED_START_MILLIS);
    /// ```
    pub fn unix_clock(&self) -> &UnixClock {
        &self.unix
    }

    /// The time by the server's [`clock`](ServerState::clock), or the wall clock's.
    ///
    /// ```
    /// use volley_resp::server::ServerState;
    /// let state = ServerState::default();
    /// assert!(state.now() >= state.stats.started);
    /// ```
    pub fn now(&self) -> Instant {
        self.clock.as_ref().map_or_else(Instant::now, Clock::now)
    }

    /// The bounds a new connection puts on requests: the configured limits, with
    /// `proto-max-bulk-len` and `client-query-buffer-limit` as `CONFIG SET` last left them.
    ///
    /// ```
    /// use volley_resp::server::ServerState;
    /// let mut state = ServerState::default();
    /// state.settings.set(&[("proto-max-bulk-len", "1mb")]).unwrap();
    /// assert_eq!(state.request_limits().max_bulk(), 1 << 20);
    /// ```
    pub fn request_limits(&self) -> RespLimits {
        let setting = |name: &str| usize::try_from(self.settings.int(name)).ok();
        let mut limits = self.config.limits;
        if let Some(bytes) = setting("proto-max-bulk-len") {
            limits = limits.with_max_bulk(bytes);
        }
        if let Some(bytes) = setting("client-query-buffer-limit") {
            limits = limits.with_max_request(bytes);
        }
        limits
    }

    /// Clients idle for longer than `timeout` seconds at `now` (blocked and subscribed clients
    /// excepted, as in Redis): marks them killed and answers their tasks, for the caller to
    /// stop. None when `timeout` is 0.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use volley_resp::server::{Client, ServerState};
    ///
    /// let mut state = ServerState::default();
    /// let client = state.clients.register(Client::new_with_id);
    /// let later = Instant::now() + Duration::from_secs(5);
    /// assert!(state.idle_clients(later).is_empty(), "timeout 0: never");
    /// state.settings.set(&[("timeout", "2")]).unwrap();
    /// state.idle_clients(later);
    /// assert!(client.borrow().killed);
    /// ```
    pub fn idle_clients(&mut self, now: Instant) -> Vec<volley_flow::sched::task::TaskId> {
        let timeout = self.settings.int("timeout");
        if timeout <= 0 {
            return Vec::new();
        }
        let limit = std::time::Duration::from_secs(timeout as u64);
        let mut tasks = Vec::new();
        for (_, entry) in self.clients.iter() {
            let Ok(mut client) = entry.try_borrow_mut() else {
                continue;
            };
            let activity = client.activity;
            let idle = now.saturating_duration_since(client.times.last_interaction);
            if idle > limit && !activity.blocked && activity.channels + activity.patterns == 0 {
                client.killed = true;
                tasks.extend(client.task);
            }
        }
        tasks
    }

    /// Drops up to `budget` expired keys across the databases; answers how many went.
    ///
    /// ```
    /// use volley_resp::server::ServerState;
    /// assert_eq!(ServerState::default().purge_expired(100), 0);
    /// ```
    pub fn purge_expired(&mut self, budget: usize) -> usize {
        let mut purged = 0;
        for db in self.dbs.iter_mut() {
            purged += db.purge_expired(budget - purged);
        }
        for db in 0..self.dbs.len() {
            self.note_expired(db);
        }
        purged
    }

    /// Counts the keys of database `db` that expired since last noted, and queues their
    /// `expired` keyspace events.
    ///
    /// ```
    /// use volley_resp::server::Session;
    /// let mut session = Session::new();
    /// session.command(&["CONFIG", "SET", "notify-keyspace-events", "Ex"]);
    /// session.command(&["SET", "k", "v", "PX", "1"]);
    /// std::thread::sleep(std::time::Duration::from_millis(2));
    /// session.server.purge_expired(10);
    /// assert_eq!(session.server.stats.expired_keys, 1);
    /// assert_eq!(session.server.events[0].channel, b"__keyevent@0__:expired");
    /// ```
    pub fn note_expired(&mut self, db: usize) {
        if !self.dbs[db].has_expired() {
            return;
        }
        let keys = self.dbs[db].take_expired();
        self.stats.expired_keys += keys.len() as u64;
        let flags = self.settings.notify_flags();
        for key in keys {
            key_event(
                &mut self.events,
                flags,
                EventClass::Expired,
                "expired",
                db,
                &key,
            );
        }
    }
}

impl Default for ServerState {
    /// A server's state with the default configuration, on the wall clock.
    fn default() -> Self {
        ServerState::new(Config::default())
    }
}
