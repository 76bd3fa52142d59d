//! What the server knows about each connected client, and the registry of all of them that
//! `CLIENT LIST`, `CLIENT KILL` and `INFO clients` read.

use crate::codec::Protocol;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

/// When a client connected and when it last sent a command.
///
/// ```
/// use volley_resp::server::Times;
/// let times = Times::default();
/// assert_eq!(times.created, times.last_interaction);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Times {
    /// When the connection was accepted.
    pub created: Instant,
    /// When the client last sent a command (its idle time starts here).
    pub last_interaction: Instant,
}

impl Times {
    /// A client that connected at `now` (by the server's clock) and has sent nothing since.
    ///
    /// ```
    /// use std::time::Instant;
    /// use volley_resp::server::Times;
    /// let now = Instant::now();
    /// assert_eq!(Times::at(now).last_interaction, now);
    /// ```
    pub fn at(now: Instant) -> Self {
        Times {
            created: now,
            last_interaction: now,
        }
    }
}

impl Default for Times {
    /// Connected now, by the wall clock.
    fn default() -> Self {
        Times::at(Instant::now())
    }
}

/// Whether a client's replies are sent (`CLIENT REPLY ON|OFF|SKIP`).
///
/// ```
/// use volley_resp::server::{ReplyMode, Session};
/// let mut session = Session::new();
/// session.command(&["CLIENT", "REPLY", "OFF"]);
/// assert_eq!(session.client.borrow().reply_mode, ReplyMode::Off);
/// assert_eq!(session.command(&["PING"]), b"");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReplyMode {
    /// Every reply is sent.
    #[default]
    On,
    /// No reply is sent until `CLIENT REPLY ON`.
    Off,
    /// The next command's reply is not sent.
    SkipNext,
}

/// What `CLIENT LIST` shows of a client's state beyond its identity. The features that own
/// that state (pub/sub, transactions, blocking commands) keep it up to date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// Channels subscribed to (`sub=`).
    pub channels: usize,
    /// Patterns subscribed to (`psub=`).
    pub patterns: usize,
    /// Commands queued in a `MULTI`, or `None` outside a transaction (`multi=`, flag `x`).
    pub multi: Option<usize>,
    /// Waiting in a blocking command (flag `b`).
    pub blocked: bool,
    /// A watched key changed, so `EXEC` will fail (flag `d`).
    pub dirty_cas: bool,
    /// Exempt from eviction (`CLIENT NO-EVICT`, flag `e`).
    pub no_evict: bool,
    /// Bytes of replies not yet written to it (`omem=`).
    pub unsent: usize,
}

impl Activity {
    /// The flags `CLIENT LIST` shows (`N` for none), in Redis's order.
    ///
    /// ```
    /// use volley_resp::server::Activity;
    /// assert_eq!(Activity::default().flags(), "N");
    /// let busy = Activity { channels: 1, multi: Some(0), ..Activity::default() };
    /// assert_eq!(busy.flags(), "Px");
    /// ```
    pub fn flags(&self) -> String {
        let mut flags = String::new();
        if self.channels + self.patterns > 0 {
            flags.push('P');
        }
        if self.multi.is_some() {
            flags.push('x');
        }
        if self.blocked {
            flags.push('b');
        }
        if self.dirty_cas {
            flags.push('d');
        }
        if self.no_evict {
            flags.push('e');
        }
        if flags.is_empty() {
            flags.push('N');
        }
        flags
    }
}

/// One client's state: who it is, what it negotiated, which database it uses. Connection tasks
/// own theirs through the [`Clients`] registry; command handlers see it as
/// [`Ctx::client`](super::Ctx::client).
///
/// ```
/// use volley_resp::codec::Protocol;
/// use volley_resp::server::Client;
///
/// let client = Client { id: 7, addr: "127.0.0.1:5000".into(), ..Client::default() };
/// assert_eq!((client.id, client.db, client.protocol), (7, 0, Protocol::Resp2));
/// assert!(client.name.is_empty());
/// ```
#[derive(Debug, Default)]
pub struct Client {
    /// The id `CLIENT ID` answers: unique for the server's lifetime, counting from 1.
    pub id: u64,
    /// The name given by `CLIENT SETNAME` or `HELLO ... SETNAME` (empty: none).
    pub name: Vec<u8>,
    /// The protocol its replies use (`HELLO 2|3`).
    pub protocol: Protocol,
    /// The database its commands use (`SELECT`).
    pub db: usize,
    /// The peer address as `CLIENT LIST` shows it (`ip:port`).
    pub addr: String,
    /// The local address it connected to (`ip:port`).
    pub laddr: String,
    /// Its socket's descriptor, once a connection task serves it (`fd=` in `CLIENT LIST`).
    pub fd: Option<i32>,
    /// When it connected and when it last sent a command.
    pub times: Times,
    /// The client library's name (`CLIENT SETINFO LIB-NAME`).
    pub lib_name: Vec<u8>,
    /// The client library's version (`CLIENT SETINFO LIB-VER`).
    pub lib_ver: Vec<u8>,
    /// The last command it ran, lowercase (`cmd=` in `CLIENT LIST`).
    pub last_command: &'static str,
    /// Set by `CLIENT KILL`: the connection closes before reading anything more.
    pub killed: bool,
    /// Whether its replies are sent (`CLIENT REPLY`).
    pub reply_mode: ReplyMode,
    /// Subscriptions, transaction and blocking state, for `CLIENT LIST`.
    pub activity: Activity,
    /// The scheduler task serving it, once it runs (what `CLIENT KILL` stops).
    pub task: Option<volley_flow::sched::task::TaskId>,
}

impl Client {
    /// A client with this id, connected from `addr` to `laddr`, speaking RESP2 on database 0.
    ///
    /// ```
    /// use volley_resp::server::Client;
    /// let client = Client::new(3, "10.0.0.1:4000", "10.0.0.2:6380");
    /// assert_eq!(client.laddr, "10.0.0.2:6380");
    /// ```
    pub fn new(id: u64, addr: impl Into<String>, laddr: impl Into<String>) -> Client {
        Client {
            id,
            addr: addr.into(),
            laddr: laddr.into(),
            ..Client::default()
        }
    }
}

/// A registered client, shared between its connection task and the registry.
pub type ClientRef = Rc<RefCell<Client>>;

/// Every connected client by id, in id order (the order `CLIENT LIST` uses), and the next id.
///
/// ```
/// use volley_resp::server::{Client, Clients};
///
/// let mut clients = Clients::default();
/// let first = clients.register(|id| Client::new(id, "a:1", "b:2"));
/// let second = clients.register(|id| Client::new(id, "a:3", "b:2"));
/// assert_eq!((first.borrow().id, second.borrow().id), (1, 2));
/// assert_eq!(clients.len(), 2);
/// clients.unregister(1);
/// assert_eq!(clients.ids().collect::<Vec<_>>(), [2]);
/// ```
#[derive(Debug, Default)]
pub struct Clients {
    by_id: BTreeMap<u64, ClientRef>,
    last_id: u64,
}

impl Clients {
    /// Registers the client `make` builds from the next id; answers the shared handle.
    ///
    /// ```
    /// use volley_resp::server::{Client, Clients};
    /// let mut clients = Clients::default();
    /// let client = clients.register(|id| Client { id, ..Client::default() });
    /// assert!(clients.get(client.borrow().id).is_some());
    /// ```
    pub fn register(&mut self, make: impl FnOnce(u64) -> Client) -> ClientRef {
        self.last_id += 1;
        let client = Rc::new(RefCell::new(make(self.last_id)));
        self.by_id.insert(self.last_id, Rc::clone(&client));
        client
    }

    /// Forgets client `id` (its connection ended).
    ///
    /// ```
    /// use volley_resp::server::{Client, Clients};
    /// let mut clients = Clients::default();
    /// clients.register(Client::new_with_id);
    /// clients.unregister(1);
    /// assert!(clients.is_empty());
    /// ```
    pub fn unregister(&mut self, id: u64) {
        self.by_id.remove(&id);
    }

    /// The client with this id, if connected.
    ///
    /// ```
    /// use volley_resp::server::Clients;
    /// assert!(Clients::default().get(1).is_none());
    /// ```
    pub fn get(&self, id: u64) -> Option<&ClientRef> {
        self.by_id.get(&id)
    }

    /// The connected clients' ids, ascending.
    ///
    /// ```
    /// use volley_resp::server::Clients;
    /// assert_eq!(Clients::default().ids().count(), 0);
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.by_id.keys().copied()
    }

    /// The connected clients, by ascending id.
    ///
    /// ```
    /// use volley_resp::server::{Client, Clients};
    /// let mut clients = Clients::default();
    /// clients.register(Client::new_with_id);
    /// assert_eq!(clients.iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (u64, &ClientRef)> + '_ {
        self.by_id.iter().map(|(id, client)| (*id, client))
    }

    /// How many clients are connected.
    ///
    /// ```
    /// use volley_resp::server::Clients;
    /// assert_eq!(Clients::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no client is connected.
    ///
    /// ```
    /// use volley_resp::server::Clients;
    /// assert!(Clients::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

impl Client {
    /// A client with only its id set (no addresses): for registries built by hand.
    ///
    /// ```
    /// use volley_resp::server::Client;
    /// assert_eq!(Client::new_with_id(9).id, 9);
    /// ```
    pub fn new_with_id(id: u64) -> Client {
        Client {
            id,
            ..Client::default()
        }
    }
}
