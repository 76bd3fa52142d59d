//! One client's commands run in-process, without a socket: for tests, embedding and examples.

use super::client::{Client, ClientRef};
use super::commands::Flow;
use super::ctx::Ctx;
use super::state::ServerState;
use super::waits::execute;
use crate::codec::Request;

/// A server state and one registered client whose commands run straight through the command
/// table, replies appended to a buffer exactly as a connection would send them. Keyspace events
/// stay in `server.events` for the caller to read.
///
/// ```
/// use volley_resp::server::Session;
///
/// let mut session = Session::new();
/// assert_eq!(session.command(&["SELECT", "1"]), b"+OK\r\n");
/// assert_eq!(session.command(&["SET", "k", "v"]), b"+OK\r\n");
/// assert_eq!(session.client.borrow().db, 1);
/// assert_eq!(session.server.dbs[1].key_count(), 1);
/// ```
#[derive(Debug)]
pub struct Session {
    /// The server-wide state.
    pub server: ServerState,
    /// The session's client, registered in `server.clients`.
    pub client: ClientRef,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// A session on a fresh default server.
    ///
    /// ```
    /// use volley_resp::server::Session;
    /// assert_eq!(Session::new().client.borrow().id, 1);
    /// ```
    pub fn new() -> Session {
        Session::with_state(ServerState::default())
    }

    /// A session as a new client of `server`.
    ///
    /// ```
    /// use volley_resp::server::{ServerState, Session};
    /// let session = Session::with_state(ServerState::default());
    /// assert_eq!(session.server.clients.len(), 1);
    /// ```
    pub fn with_state(mut server: ServerState) -> Session {
        let client = server
            .clients
            .register(|id| Client::new(id, "127.0.0.1:0", "127.0.0.1:0"));
        Session { server, client }
    }

    /// Runs one request, appending its reply to `out`; answers what the connection would do
    /// next.
    ///
    /// ```
    /// use volley_resp::codec::Request;
    /// use volley_resp::server::{Flow, Session};
    /// let mut session = Session::new();
    /// let mut out = Vec::new();
    /// assert_eq!(session.execute(Request::new(vec![b"QUIT".to_vec()]), &mut out), Flow::Close);
    /// assert_eq!(out, b"+OK\r\n");
    /// ```
    pub fn execute(&mut self, request: Request, out: &mut Vec<u8>) -> Flow {
        let mut client = self.client.borrow_mut();
        let mut ctx = Ctx::new(&mut self.server, &mut client, out);
        let flow = execute(&mut ctx, request);
        // Without a scheduler there are no tasks to stop: `CLIENT KILL` only marks its victims.
        self.server.kills.clear();
        flow
    }

    /// Runs `f` with a context for the session's client (replies discarded): what a command
    /// handler sees.
    ///
    /// ```
    /// use volley_resp::server::Session;
    /// let mut session = Session::new();
    /// let id = session.with_ctx(|ctx| ctx.client.id);
    /// assert_eq!(id, 1);
    /// ```
    pub fn with_ctx<T>(&mut self, f: impl FnOnce(&mut Ctx<'_>) -> T) -> T {
        let mut client = self.client.borrow_mut();
        let mut out = Vec::new();
        let mut ctx = Ctx::new(&mut self.server, &mut client, &mut out);
        f(&mut ctx)
    }

    /// Runs one command given as words; answers its raw reply.
    ///
    /// ```
    /// use volley_resp::server::Session;
    /// assert_eq!(Session::new().command(&["PING"]), b"+PONG\r\n");
    /// ```
    pub fn command(&mut self, words: &[&str]) -> Vec<u8> {
        let request = Request::new(words.iter().map(|w| w.as_bytes().to_vec()).collect());
        let mut out = Vec::new();
        self.execute(request, &mut out);
        out
    }
}
