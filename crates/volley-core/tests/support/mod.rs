//! Shared helpers for the core's tests: an event log, a drop recorder, and a tracing capture.
#![allow(dead_code)]

use std::cell::RefCell;
use std::fmt::{Debug, Write};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

/// An ordered record of what bodies did, shared between a test and its bodies.
#[derive(Clone, Default)]
pub struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    pub fn push(&self, what: impl Into<String>) {
        self.0.borrow_mut().push(what.into());
    }
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.borrow_mut())
    }
    pub fn get(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
    /// A value that records `drop NAME` in this log when it is dropped.
    pub fn guard(&self, name: &str) -> DropGuard {
        DropGuard(name.to_string(), self.clone())
    }
}

pub struct DropGuard(String, Log);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.1.push(format!("drop {}", self.0));
    }
}

/// One captured tracing event: its level and its fields as `name=value` text.
#[derive(Debug, Clone)]
pub struct Captured {
    pub level: Level,
    pub fields: String,
}

#[derive(Clone, Default)]
struct CaptureLayer(Arc<Mutex<Vec<Captured>>>);

struct FieldText(String);

impl Visit for FieldText {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, "{}={} ", field.name(), value);
    }
}

impl<S: Subscriber> Layer<S> for CaptureLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut text = FieldText(String::new());
        event.record(&mut text);
        self.0.lock().unwrap().push(Captured {
            level: *event.metadata().level(),
            fields: text.0,
        });
    }
}

/// Runs `f` with a subscriber on this thread that records every event.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Vec<Captured>) {
    let layer = CaptureLayer::default();
    let subscriber = Registry::default().with(layer.clone());
    let out = tracing::subscriber::with_default(subscriber, f);
    let events = layer.0.lock().unwrap().clone();
    (out, events)
}

/// The captured events at exactly `level`.
pub fn at(events: &[Captured], level: Level) -> Vec<&Captured> {
    events.iter().filter(|e| e.level == level).collect()
}
