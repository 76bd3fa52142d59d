//! Tracing events of a coroutine's life. Lifecycle at `debug!`, misuse at `warn!`, failures
//! during drop at `error!`, the per-resume path at `trace!`. All are under the `volley` target,
//! and cost one relaxed load when nobody listens.

use crate::State;

pub(crate) fn created(name: &str) {
    tracing::debug!(target: "volley", co = name, event = "created", "coroutine created");
}

pub(crate) fn renamed(name: &str) {
    tracing::debug!(target: "volley", co = name, event = "named", "coroutine named");
}

pub(crate) fn started(name: &str) {
    tracing::debug!(target: "volley", co = name, event = "started", "coroutine started");
}

#[inline]
pub(crate) fn resumed(name: &str) {
    tracing::trace!(target: "volley", co = name, event = "send", "coroutine resumed");
}

pub(crate) fn thrown(name: &str, state: State) {
    tracing::debug!(target: "volley", co = name, event = "thrown", %state, "error thrown into coroutine");
}

pub(crate) fn closed(name: &str, state: State) {
    tracing::debug!(target: "volley", co = name, event = "closed", %state, "coroutine closed");
}

pub(crate) fn completed(name: &str, how: &'static str) {
    tracing::debug!(target: "volley", co = name, event = "completed", how, "coroutine completed");
}

pub(crate) fn misuse(name: &str, what: &'static str) {
    tracing::warn!(target: "volley", co = name, event = "misuse", what, "coroutine misused: {what}");
}

pub(crate) fn drop_close_failed(name: &str, kind: &'static str) {
    tracing::error!(
        target: "volley",
        co = name,
        event = "drop_close_failed",
        kind,
        "closing coroutine on drop failed: {kind}"
    );
}
