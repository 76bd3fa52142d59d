//! Pub/sub: SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB, with
//! messages sent as RESP2 arrays or RESP3 pushes, and the pub/sub output-buffer limit applied
//! to every subscriber a message is queued for.

use super::super::commands::{is, Command, Flow, Outcome};
use super::super::ctx::Ctx;
use super::super::glob::glob_match;
use super::super::state::ServerState;
use super::limits;
use super::peer::Peer;
use crate::codec::Reply;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

/// The commands of this module, as the command table registers them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "subscribe",
        arity: -2,
        flags: &["pubsub", "noscript", "loading", "stale"],
        keys: (0, 0, 0),
        run: subscribe,
    },
    Command {
        name: "psubscribe",
        arity: -2,
        flags: &["pubsub", "noscript", "loading", "stale"],
        keys: (0, 0, 0),
        run: psubscribe,
    },
    Command {
        name: "unsubscribe",
        arity: -1,
        flags: &["pubsub", "noscript", "loading", "stale"],
        keys: (0, 0, 0),
        run: unsubscribe,
    },
    Command {
        name: "punsubscribe",
        arity: -1,
        flags: &["pubsub", "noscript", "loading", "stale"],
        keys: (0, 0, 0),
        run: punsubscribe,
    },
    Command {
        name: "publish",
        arity: 3,
        flags: &["pubsub", "loading", "stale", "fast", "may-replicate"],
        keys: (0, 0, 0),
        run: publish,
    },
    Command {
        name: "pubsub",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        keys: (0, 0, 0),
        run: pubsub,
    },
];

/// Who listens to what.
#[derive(Debug, Default)]
pub(crate) struct PubSub {
    /// Subscribers of each channel, by client id.
    channels: HashMap<Vec<u8>, BTreeMap<u64, Rc<Peer>>>,
    /// Subscribers of each pattern, by client id.
    patterns: BTreeMap<Vec<u8>, BTreeMap<u64, Rc<Peer>>>,
    /// What each subscribed client listens to.
    by_client: HashMap<u64, Subscriptions>,
}

/// One client's channels and patterns.
#[derive(Debug, Default)]
struct Subscriptions {
    channels: BTreeSet<Vec<u8>>,
    patterns: BTreeSet<Vec<u8>>,
}

impl Subscriptions {
    fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }
}

/// Channels or patterns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Channel,
    Pattern,
}

impl PubSub {
    /// Whether nobody is subscribed to anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_client.is_empty()
    }

    /// How many channels and patterns client `id` listens to.
    pub(crate) fn count(&self, id: u64) -> usize {
        self.by_client.get(&id).map_or(0, Subscriptions::count)
    }

    /// Subscribes `peer` to `name`; answers whether it is new.
    fn add(&mut self, kind: Kind, name: &[u8], peer: &Rc<Peer>) -> bool {
        let subs = self.by_client.entry(peer.id).or_default();
        let fresh = match kind {
            Kind::Channel => subs.channels.insert(name.to_vec()),
            Kind::Pattern => subs.patterns.insert(name.to_vec()),
        };
        if fresh {
            let members = match kind {
                Kind::Channel => self.channels.entry(name.to_vec()).or_default(),
                Kind::Pattern => self.patterns.entry(name.to_vec()).or_default(),
            };
            members.insert(peer.id, Rc::clone(peer));
        }
        fresh
    }

    /// Unsubscribes client `id` from `name`; answers whether it was subscribed.
    fn remove(&mut self, kind: Kind, name: &[u8], id: u64) -> bool {
        let Some(subs) = self.by_client.get_mut(&id) else {
            return false;
        };
        let removed = match kind {
            Kind::Channel => subs.channels.remove(name),
            Kind::Pattern => subs.patterns.remove(name),
        };
        if removed {
            match kind {
                Kind::Channel => drop_member(&mut self.channels, name, id),
                Kind::Pattern => drop_pattern(&mut self.patterns, name, id),
            }
        }
        if subs.count() == 0 {
            self.by_client.remove(&id);
        }
        removed
    }

    /// What client `id` listens to of one kind.
    fn names(&self, kind: Kind, id: u64) -> Vec<Vec<u8>> {
        self.by_client
            .get(&id)
            .map_or_else(Vec::new, |subs| match kind {
                Kind::Channel => subs.channels.iter().cloned().collect(),
                Kind::Pattern => subs.patterns.iter().cloned().collect(),
            })
    }

    /// Forgets every subscription of client `id` (it left).
    pub(crate) fn forget(&mut self, id: u64) {
        for kind in [Kind::Channel, Kind::Pattern] {
            for name in self.names(kind, id) {
                self.remove(kind, &name, id);
            }
        }
    }
}

fn drop_member(table: &mut HashMap<Vec<u8>, BTreeMap<u64, Rc<Peer>>>, name: &[u8], id: u64) {
    if let Some(members) = table.get_mut(name) {
        members.remove(&id);
        if members.is_empty() {
            table.remove(name);
        }
    }
}

fn drop_pattern(table: &mut BTreeMap<Vec<u8>, BTreeMap<u64, Rc<Peer>>>, name: &[u8], id: u64) {
    if let Some(members) = table.get_mut(name) {
        members.remove(&id);
        if members.is_empty() {
            table.remove(name);
        }
    }
}

/// Keeps the client's `CLIENT LIST` counters in step with the registry.
fn note_activity(ctx: &mut Ctx<'_>) {
    let id = ctx.client.id;
    let subs = ctx.server.waits.pubsub.by_client.get(&id);
    ctx.client.activity.channels = subs.map_or(0, |s| s.channels.len());
    ctx.client.activity.patterns = subs.map_or(0, |s| s.patterns.len());
}

/// The three-item confirmation Redis sends for each (un)subscribed name.
fn confirm(reply: &mut Reply<'_>, verb: &str, name: Option<&[u8]>, count: usize) {
    reply.push(3);
    reply.bulk(verb.as_bytes());
    reply.bulk_or_null(name);
    reply.int(count as i64);
}

fn subscribe_to(ctx: &mut Ctx<'_>, args: &[Vec<u8>], kind: Kind) -> Outcome {
    let peer = super::peer_for(ctx);
    let verb = match kind {
        Kind::Channel => "subscribe",
        Kind::Pattern => "psubscribe",
    };
    for name in &args[1..] {
        let pubsub = &mut ctx.server.waits.pubsub;
        pubsub.add(kind, name, &peer);
        let count = pubsub.count(ctx.client.id);
        confirm(&mut ctx.reply, verb, Some(name), count);
    }
    note_activity(ctx);
    Ok(Flow::Continue)
}

fn unsubscribe_from(ctx: &mut Ctx<'_>, args: &[Vec<u8>], kind: Kind) -> Outcome {
    let id = ctx.client.id;
    let verb = match kind {
        Kind::Channel => "unsubscribe",
        Kind::Pattern => "punsubscribe",
    };
    let names = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        ctx.server.waits.pubsub.names(kind, id)
    };
    if names.is_empty() {
        let count = ctx.server.waits.pubsub.count(id);
        confirm(&mut ctx.reply, verb, None, count);
    }
    for name in &names {
        let pubsub = &mut ctx.server.waits.pubsub;
        pubsub.remove(kind, name, id);
        let count = pubsub.count(id);
        confirm(&mut ctx.reply, verb, Some(name), count);
    }
    note_activity(ctx);
    Ok(Flow::Continue)
}

/// `SUBSCRIBE channel [channel ...]`
pub fn subscribe(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    subscribe_to(ctx, args, Kind::Channel)
}

/// `PSUBSCRIBE pattern [pattern ...]`
pub fn psubscribe(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    subscribe_to(ctx, args, Kind::Pattern)
}

/// `UNSUBSCRIBE [channel ...]`: every channel when none is named.
pub fn unsubscribe(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    unsubscribe_from(ctx, args, Kind::Channel)
}

/// `PUNSUBSCRIBE [pattern ...]`: every pattern when none is named.
pub fn punsubscribe(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    unsubscribe_from(ctx, args, Kind::Pattern)
}

/// `PUBLISH channel message`: answers how many subscribers it reached.
pub fn publish(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let me = (ctx.client.id, &mut ctx.reply);
    let reached = deliver(ctx.server, Some(me), &args[1], &args[2]);
    ctx.reply.int(reached as i64);
    Ok(Flow::Continue)
}

/// Publishes the keyspace events the last command queued (`notify-keyspace-events`), if
/// anyone subscribes to anything; they are dropped otherwise.
pub(crate) fn publish_events(server: &mut ServerState) {
    if server.events.is_empty() {
        return;
    }
    let events = std::mem::take(&mut server.events);
    if server.waits.pubsub.is_empty() {
        return;
    }
    for event in &events {
        deliver(server, None, &event.channel, &event.message);
    }
}

/// Sends `message` on `channel` to every subscriber, direct and by pattern; answers how many
/// received it. The publisher's own copy (`me`: a RESP3 client may publish to itself) goes in
/// its reply stream; everyone else's in their pending output, under their output limit.
pub(crate) fn deliver(
    server: &mut ServerState,
    mut me: Option<(u64, &mut Reply<'_>)>,
    channel: &[u8],
    message: &[u8],
) -> usize {
    let pubsub = &server.waits.pubsub;
    if pubsub.is_empty() {
        return 0;
    }
    let mut receivers: Vec<(Option<Vec<u8>>, Rc<Peer>)> = Vec::new();
    if let Some(members) = pubsub.channels.get(channel) {
        receivers.extend(members.values().map(|peer| (None, Rc::clone(peer))));
    }
    for (pattern, members) in &pubsub.patterns {
        if glob_match(pattern, channel, false) {
            receivers.extend(
                members
                    .values()
                    .map(|peer| (Some(pattern.clone()), Rc::clone(peer))),
            );
        }
    }
    let limit = server.settings.output_limit("pubsub");
    // A channel message is encoded once per protocol and copied to each subscriber.
    let mut encoded: [Option<Vec<u8>>; 2] = [None, None];
    for (pattern, peer) in &receivers {
        let write = |reply: &mut Reply<'_>| match pattern {
            None => {
                reply.push(3);
                reply.bulk(b"message");
                reply.bulk(channel);
                reply.bulk(message);
            }
            Some(pattern) => {
                reply.push(4);
                reply.bulk(b"pmessage");
                reply.bulk(pattern);
                reply.bulk(channel);
                reply.bulk(message);
            }
        };
        match &mut me {
            Some((id, reply)) if *id == peer.id => write(reply),
            _ => {
                if pattern.is_none() {
                    let protocol = peer.protocol.get();
                    let bytes = encoded[protocol.version() as usize - 2].get_or_insert_with(|| {
                        let mut bytes = Vec::new();
                        write(&mut Reply::with_protocol(&mut bytes, protocol));
                        bytes
                    });
                    peer.send_bytes(bytes);
                } else {
                    peer.send(write);
                }
                if let Some(limit) = limit {
                    limits::check_peer(server, peer, limit);
                }
            }
        }
    }
    receivers.len()
}

/// `PUBSUB CHANNELS [pattern]`, `PUBSUB NUMSUB [channel ...]`, `PUBSUB NUMPAT`
pub fn pubsub(ctx: &mut Ctx<'_>, args: &mut [Vec<u8>]) -> Outcome {
    let registry = &ctx.server.waits.pubsub;
    let reply = &mut ctx.reply;
    let sub = &args[1];
    if is(sub, "channels") && args.len() <= 3 {
        let mut names: Vec<&Vec<u8>> = registry
            .channels
            .keys()
            .filter(|name| args.get(2).is_none_or(|p| glob_match(p, name, false)))
            .collect();
        names.sort();
        reply.array(names.len());
        names.iter().for_each(|name| reply.bulk(name));
    } else if is(sub, "numsub") {
        // A flat array in RESP3 too, as Redis 7.0 sends it.
        reply.array(2 * (args.len() - 2));
        for channel in &args[2..] {
            reply.bulk(channel);
            reply.int(registry.channels.get(channel).map_or(0, BTreeMap::len) as i64);
        }
    } else if is(sub, "numpat") && args.len() == 2 {
        reply.int(registry.patterns.len() as i64);
    } else if is(sub, "shardchannels") && args.len() <= 3 {
        reply.array(0);
    } else if is(sub, "shardnumsub") {
        // A flat array in RESP3 too, as Redis 7.0 sends it.
        reply.array(2 * (args.len() - 2));
        for channel in &args[2..] {
            reply.bulk(channel);
            reply.int(0);
        }
    } else if is(sub, "help") && args.len() == 2 {
        let lines = [
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "HELP",
            "    Prints this help.",
        ];
        reply.array(lines.len());
        lines.iter().for_each(|line| reply.simple(line));
    } else {
        let name = String::from_utf8_lossy(sub);
        return Err(format!(
            "ERR unknown subcommand or wrong number of arguments for '{name}'. Try PUBSUB HELP."
        )
        .into());
    }
    Ok(Flow::Continue)
}

/// Drops client `id`'s subscriptions (it left or was reset).
pub(crate) fn forget(server: &mut ServerState, id: u64) {
    server.waits.pubsub.forget(id);
}
