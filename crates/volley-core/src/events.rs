//! Tracing events of a coroutine's life: lifecycle at `debug!`, misuse at `warn!`, failures
//! during drop at `error!`, all under the `volley` target. The per-resume path emits nothing,
//! so a `send` costs what the body does; each event costs one relaxed load when nobody listens.

use crate::State;

#[cold]
#[inline(never)]
pub(crate) fn created(name: &str) {
    tracing::debug!(target: "volley", co = name, event = "created", "coroutine created");
}

#[cold]
#[inline(never)]
pub(crate) fn renamed(name: &str) {
    tracing::debug!(target: "volley", co = name, event = "named", "coroutine named");
}

#[cold]
#[inline(never)]
pub(crate) fn started(name: &str) {
    tracing::debug!(target: "volley", co = name, event = "started", "coroutine started");
}

#[cold]
#[inline(never)]
pub(crate) fn thrown(name: &str, state: State) {
    tracing::debug!(target: "volley", co = name, event = "thrown", %state, "error thrown into coroutine");
}

#[cold]
#[inline(never)]
pub(crate) fn closed(name: &str, state: State) {
    tracing::debug!(target: "volley", co = name, event = "closed", %state, "coroutine closed");
}

#[cold]
#[inline(never)]
pub(crate) fn completed(name: &str, how: &'static str) {
    tracing::debug!(target: "volley", co = name, event = "completed", how, "coroutine completed");
}

#[cold]
#[inline(never)]
pub(crate) fn misuse(name: &str, what: &'static str) {
    tracing::warn!(target: "volley", co = name, event = "misuse", what, "coroutine misused: {what}");
}

#[cold]
#[inline(never)]
pub(crate) fn drop_close_failed(name: &str, kind: &'static str) {
    tracing::error!(
        target: "volley",
        co = name,
        event = "drop_close_failed",
        kind,
        "closing coroutine on drop failed: {kind}"
    );
}
