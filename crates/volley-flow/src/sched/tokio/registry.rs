//! The tasks the adapter runs, by id: what kill, cancel and join reach them through, and the
//! counters behind [`Syscall::Stats`](crate::sched::Syscall::Stats).

use crate::sched::reactor::lock;
use crate::sched::{Stats, TaskError, TaskId};
use ::tokio::sync::Notify;
use std::collections::HashMap;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// What another task asked of a task: a kill wins over a cancel, and a second cancel before
/// the first was delivered is dropped (the task is being cancelled already).
pub(crate) enum Signal {
    Kill,
    Cancel(TaskError),
}

/// One task's mailbox for kills and cancels, and the news of its end.
pub(crate) struct Control {
    pub(crate) id: TaskId,
    /// Whether `signal` holds something: read at every resume without taking the lock.
    pending: AtomicBool,
    signal: Mutex<Option<Signal>>,
    /// Wakes the task's driver for a signal.
    wake: Notify,
    finished: AtomicBool,
    /// Wakes the task's joiners and killers when it has ended.
    done: Notify,
    /// Whether the task is parked on a wait list, and whether a wake reached it there.
    parked: AtomicBool,
    unparked: AtomicBool,
    unpark: Notify,
}

impl Control {
    /// Leaves a signal for the task and wakes it if it waits.
    pub(crate) fn signal(&self, signal: Signal) {
        {
            let mut slot = lock(&self.signal);
            match (&*slot, signal) {
                (Some(Signal::Kill), _) | (Some(Signal::Cancel(_)), Signal::Cancel(_)) => {}
                (_, signal) => *slot = Some(signal),
            }
            self.pending.store(true, Ordering::Release);
        }
        self.wake.notify_one();
    }

    /// Takes the signal left for the task, if any.
    #[inline]
    pub(crate) fn take_signal(&self) -> Option<Signal> {
        if !self.pending.load(Ordering::Acquire) {
            return None;
        }
        let mut slot = lock(&self.signal);
        self.pending.store(false, Ordering::Release);
        slot.take()
    }

    /// Completes when a signal waits (it is left in place for [`take_signal`](Self::take_signal)).
    pub(crate) async fn signalled(&self) {
        loop {
            if self.pending.load(Ordering::Acquire) {
                return;
            }
            // A signal sent between the check and the wait leaves a permit: not lost.
            self.wake.notified().await;
        }
    }

    /// Whether the task has ended.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// Completes once the task has ended.
    pub(crate) async fn ended(&self) {
        loop {
            let mut notified = pin!(self.done.notified());
            notified.as_mut().enable();
            if self.is_finished() {
                return;
            }
            notified.await;
        }
    }

    /// Marks the task parked (before it joins the list's queue).
    pub(crate) fn park(&self) {
        self.unparked.store(false, Ordering::Release);
        self.parked.store(true, Ordering::Release);
    }

    /// Completes once a wake reached the parked task.
    pub(crate) async fn unparked(&self) {
        loop {
            if self.unparked.swap(false, Ordering::AcqRel) {
                return;
            }
            self.unpark.notified().await;
        }
    }

    /// Takes a wake that reached the task and was not yet seen (a park interrupted at the
    /// same time passes it on).
    pub(crate) fn take_unparked(&self) -> bool {
        self.unparked.swap(false, Ordering::AcqRel)
    }

    /// Leaves the parked state (woken, or interrupted by a kill or cancel).
    pub(crate) fn unmark_parked(&self) {
        self.parked.store(false, Ordering::Release);
    }

    /// Wakes the task if it is parked: whether it was.
    pub(crate) fn wake_parked(&self) -> bool {
        if !self.parked.swap(false, Ordering::AcqRel) {
            return false;
        }
        self.unparked.store(true, Ordering::Release);
        self.unpark.notify_one();
        true
    }

    /// Records the task's end: forgets its id and wakes whoever waits for it.
    pub(crate) fn finish(&self, resumes: u64) {
        REGISTRY.forget(self.id, resumes);
        self.finished.store(true, Ordering::Release);
        self.done.notify_waiters();
    }
}

const SHARDS: usize = 16;

/// Every live task of the adapter, by the serial of its id (sharded: tasks start and end on
/// every worker thread at once).
struct Registry {
    shards: [Mutex<HashMap<u64, Arc<Control>>>; SHARDS],
    next: AtomicU64,
    spawned: AtomicU64,
    finished: AtomicU64,
    /// Resumes of the tasks that ended (a running task adds its own when it asks).
    switches: AtomicU64,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
    next: AtomicU64::new(1),
    spawned: AtomicU64::new(0),
    finished: AtomicU64::new(0),
    switches: AtomicU64::new(0),
});

impl Registry {
    fn shard(&self, serial: u64) -> &Mutex<HashMap<u64, Arc<Control>>> {
        &self.shards[serial as usize % SHARDS]
    }

    fn forget(&self, id: TaskId, resumes: u64) {
        lock(self.shard(id.serial)).remove(&id.serial);
        self.finished.fetch_add(1, Ordering::Relaxed);
        self.switches.fetch_add(resumes, Ordering::Relaxed);
    }
}

/// A new task's id and mailbox, registered.
pub(crate) fn register() -> Arc<Control> {
    let serial = REGISTRY.next.fetch_add(1, Ordering::Relaxed);
    let control = Arc::new(Control {
        id: TaskId { key: 0, serial },
        pending: AtomicBool::new(false),
        signal: Mutex::new(None),
        wake: Notify::new(),
        finished: AtomicBool::new(false),
        done: Notify::new(),
        parked: AtomicBool::new(false),
        unparked: AtomicBool::new(false),
        unpark: Notify::new(),
    });
    lock(REGISTRY.shard(serial)).insert(serial, control.clone());
    REGISTRY.spawned.fetch_add(1, Ordering::Relaxed);
    control
}

/// The mailbox of a live task.
pub(crate) fn find(id: TaskId) -> Option<Arc<Control>> {
    if id.key != 0 {
        return None;
    }
    lock(REGISTRY.shard(id.serial)).get(&id.serial).cloned()
}

/// The adapter's counters; `resumes` are the asking task's own so far.
pub(crate) fn stats(resumes: u64) -> Stats {
    let spawned = REGISTRY.spawned.load(Ordering::Relaxed);
    let finished = REGISTRY.finished.load(Ordering::Relaxed);
    Stats {
        switches: REGISTRY.switches.load(Ordering::Relaxed) + resumes,
        spawned,
        finished,
        alive: spawned.saturating_sub(finished) as usize,
    }
}
