//! The server-wide state every command can reach: the databases, the settings, the counters
//! `INFO` reports, and the clients registry. One scheduler thread serves every connection, so
//! the server shares it as `Rc<RefCell<ServerState>>`.
//!
//! Adding server-wide state (a pub/sub registry, blocked-client queues, key watchers...) is one
//! field of a type with a `Default`.

use super::client::Clients;
use super::store::Store;
use super::Config;
use std::time::Instant;

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
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            started: Instant::now(),
            connections_received: 0,
            rejected_connections: 0,
            commands_processed: 0,
            expired_keys: 0,
        }
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
#[derive(Debug, Default)]
pub struct ServerState {
    /// The databases.
    pub dbs: Databases,
    /// What the server was started with (listening address, request limits...).
    pub config: Config,
    /// Counters for `INFO`.
    pub stats: Stats,
    /// The connected clients.
    pub clients: Clients,
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
        ServerState {
            config,
            ..ServerState::default()
        }
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
        self.stats.expired_keys += purged as u64;
        purged
    }
}
