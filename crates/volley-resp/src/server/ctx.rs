//! The one context a command handler gets: the server, this client, and its reply writer.

use super::client::Client;
use super::notify::{key_event, EventClass};
use super::state::ServerState;
use super::store::Store;
use crate::codec::{Protocol, Reply};

/// What a command handler works with. Its fields are public so a handler can hold the
/// database and the reply writer at once (`ctx.db_reply()`), or any other disjoint pair.
///
/// ```
/// use volley_resp::codec::Protocol;
/// use volley_resp::server::{Client, Ctx, ServerState};
///
/// let mut server = ServerState::default();
/// let mut client = Client::new_with_id(1);
/// let mut out = Vec::new();
/// let mut ctx = Ctx::new(&mut server, &mut client, &mut out);
/// ctx.set_protocol(Protocol::Resp3);
/// let (db, reply) = ctx.db_reply();
/// assert_eq!(db.key_count(), 0);
/// reply.null();
/// assert_eq!(client.protocol, Protocol::Resp3);
/// assert_eq!(out, b"_\r\n");
/// ```
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Everything shared by all connections: databases, settings, counters, clients.
    pub server: &'a mut ServerState,
    /// The client running the command.
    pub client: &'a mut Client,
    /// Where the command's reply goes, in the client's protocol.
    pub reply: Reply<'a>,
}

impl<'a> Ctx<'a> {
    /// A context for `client`'s commands, replies appended to `out` in its protocol.
    ///
    /// ```
    /// use volley_resp::server::{Client, Ctx, ServerState};
    /// let (mut server, mut client, mut out) = (ServerState::default(), Client::default(), Vec::new());
    /// let ctx = Ctx::new(&mut server, &mut client, &mut out);
    /// assert_eq!(ctx.reply.buffered(), 0);
    /// ```
    pub fn new(server: &'a mut ServerState, client: &'a mut Client, out: &'a mut Vec<u8>) -> Self {
        let protocol = client.protocol;
        Ctx {
            server,
            client,
            reply: Reply::with_protocol(out, protocol),
        }
    }

    /// The database the client selected.
    ///
    /// ```
    /// use volley_resp::server::{Client, Ctx, ServerState};
    /// let (mut server, mut client, mut out) = (ServerState::default(), Client::default(), Vec::new());
    /// assert_eq!(Ctx::new(&mut server, &mut client, &mut out).db().key_count(), 0);
    /// ```
    pub fn db(&mut self) -> &mut Store {
        &mut self.server.dbs[self.client.db]
    }

    /// The selected database and the reply writer, together.
    ///
    /// ```
    /// use volley_resp::server::{Client, Ctx, ServerState};
    /// let (mut server, mut client, mut out) = (ServerState::default(), Client::default(), Vec::new());
    /// let mut ctx = Ctx::new(&mut server, &mut client, &mut out);
    /// let (db, reply) = ctx.db_reply();
    /// reply.int(db.key_count() as i64);
    /// assert_eq!(out, b":0\r\n");
    /// ```
    pub fn db_reply(&mut self) -> (&mut Store, &mut Reply<'a>) {
        (&mut self.server.dbs[self.client.db], &mut self.reply)
    }

    /// Reports that the command did `event` (Redis's event name: `set`, `lpush`, `del`,
    /// `expire`...) to `key` in the selected database: the keyspace and keyevent messages
    /// `notify-keyspace-events` asks for are queued in [`ServerState::events`]. Costs a flag
    /// test when notifications are off (the default).
    ///
    /// ```
    /// use volley_resp::server::{EventClass, Session};
    /// let mut session = Session::new();
    /// session.command(&["CONFIG", "SET", "notify-keyspace-events", "K$"]);
    /// session.command(&["SELECT", "2"]);
    /// session.with_ctx(|ctx| ctx.notify(EventClass::String, "set", b"k"));
    /// let event = &session.server.events[0];
    /// assert_eq!((event.channel.as_slice(), event.message.as_slice()), (&b"__keyspace@2__:k"[..], &b"set"[..]));
    /// ```
    pub fn notify(&mut self, class: EventClass, event: &str, key: &[u8]) {
        self.notify_in(self.client.db, class, event, key);
    }

    /// Reports `del` on `key` when it no longer exists: what a command that emptied (and so
    /// deleted) a container key reports after its own event.
    ///
    /// ```
    /// use volley_resp::server::{EventClass, Session};
    /// let mut session = Session::new();
    /// session.command(&["CONFIG", "SET", "notify-keyspace-events", "Eg"]);
    /// session.with_ctx(|ctx| ctx.notify_if_deleted(b"gone"));
    /// assert_eq!(session.server.events[0].channel, b"__keyevent@0__:del");
    /// ```
    pub fn notify_if_deleted(&mut self, key: &[u8]) {
        if self
            .server
            .settings
            .notify_flags()
            .wants(EventClass::Generic)
            && !self.db().contains(key)
        {
            self.notify(EventClass::Generic, "del", key);
        }
    }

    /// [`notify`](Self::notify) for a key of database `db` (what MOVE and COPY ... DB report
    /// on the other database).
    ///
    /// ```
    /// use volley_resp::server::{EventClass, Session};
    /// let mut session = Session::new();
    /// session.command(&["CONFIG", "SET", "notify-keyspace-events", "Eg"]);
    /// session.with_ctx(|ctx| ctx.notify_in(3, EventClass::Generic, "move_to", b"k"));
    /// assert_eq!(session.server.events[0].channel, b"__keyevent@3__:move_to");
    /// ```
    pub fn notify_in(&mut self, db: usize, class: EventClass, event: &str, key: &[u8]) {
        let flags = self.server.settings.notify_flags();
        if flags.wants(class) {
            // Keys the command found expired come first, as their events came first.
            self.server.note_expired(db);
            key_event(&mut self.server.events, flags, class, event, db, key);
        }
    }

    /// Switches the client, and the replies from this one on, to `protocol` (what `HELLO`
    /// does).
    ///
    /// ```
    /// use volley_resp::codec::Protocol;
    /// use volley_resp::server::{Client, Ctx, ServerState};
    /// let (mut server, mut client, mut out) = (ServerState::default(), Client::default(), Vec::new());
    /// let mut ctx = Ctx::new(&mut server, &mut client, &mut out);
    /// ctx.set_protocol(Protocol::Resp3);
    /// assert!(ctx.reply.is_resp3());
    /// ```
    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.client.protocol = protocol;
        self.reply.set_protocol(protocol);
    }
}
