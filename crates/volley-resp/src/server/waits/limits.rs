//! Output-buffer limits (`client-output-buffer-limit`): a client whose unsent output passes the
//! hard limit of its class, or stays over the soft limit for longer than the class allows, is
//! disconnected instead of growing the server.

use super::super::config::OutputLimit;
use super::super::state::ServerState;
use super::peer::Peer;
use std::cell::Cell;
use std::time::{Duration, Instant};

/// Whether `pending` unsent bytes break `limit`, given since when (`since`) the soft limit has
/// been exceeded; updates `since`. 0 turns a limit off.
pub(crate) fn over_limit(
    pending: usize,
    limit: OutputLimit,
    since: &Cell<Option<Instant>>,
    now: Instant,
) -> bool {
    let pending = pending as u64;
    if limit.hard > 0 && pending > limit.hard {
        return true;
    }
    if limit.soft > 0 && pending > limit.soft {
        let started = *since.get().get_or_insert(now);
        since.set(Some(started));
        return now.saturating_duration_since(started) > Duration::from_secs(limit.soft_seconds);
    }
    since.set(None);
    false
}

/// Disconnects `peer` if its pending output breaks `limit`: its output is dropped at once, it
/// takes nothing more, and its task is stopped after the running command's batch.
pub(crate) fn check_peer(server: &mut ServerState, peer: &Peer, limit: OutputLimit) {
    if peer.closing.get() {
        return;
    }
    let now = server.now();
    if over_limit(peer.pending(), limit, &peer.over_soft_since, now) {
        tracing::info!(
            client = peer.id,
            pending = peer.pending(),
            "client scheduled to be closed for overcoming of output buffer limits"
        );
        peer.closing.set(true);
        peer.out.borrow_mut().discard();
        peer.ring();
        if let Some(task) = peer.task {
            server.kills.push(task);
        }
        if let Some(client) = server.clients.get(peer.id) {
            if let Ok(mut client) = client.try_borrow_mut() {
                client.killed = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_limit_is_immediate_and_soft_limit_needs_time() {
        let since = Cell::new(None);
        let limit = OutputLimit {
            hard: 100,
            soft: 10,
            soft_seconds: 60,
        };
        let now = Instant::now();
        assert!(!over_limit(5, limit, &since, now));
        assert!(!over_limit(50, limit, &since, now));
        assert_eq!(since.get(), Some(now));
        assert!(!over_limit(
            50,
            limit,
            &since,
            now + Duration::from_secs(60)
        ));
        assert!(over_limit(50, limit, &since, now + Duration::from_secs(61)));
        assert!(!over_limit(5, limit, &since, now));
        assert_eq!(
            since.get(),
            None,
            "dropping under the soft limit resets its clock"
        );
        assert!(over_limit(101, limit, &since, now));
    }

    #[test]
    fn zero_turns_limits_off() {
        let since = Cell::new(None);
        let off = OutputLimit {
            hard: 0,
            soft: 0,
            soft_seconds: 0,
        };
        assert!(!over_limit(usize::MAX, off, &since, Instant::now()));
    }
}
