//! The future that runs one task body on tokio: it resumes the coroutine and carries out
//! each system call it yields with tokio's own primitives.

use super::io;
use super::registry::{self, Control, Signal};
use crate::sched::custom::{Builtin, Kind};
use crate::sched::future::SendFuture;
use crate::sched::net::IoSource;
use crate::sched::portable::SendSlot;
use crate::sched::rand::Rng;
use crate::sched::reactor::lock;
use crate::sched::reactor::Direction;
use crate::sched::scheduler::panic_message;
use crate::sched::sync::WaitList;
use crate::sched::waitlist::Parked;
use crate::sched::{JoinError, Reply, SchedError, Syscall, TaskBody, TaskError, TaskId};
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;
use volley_core::{Co, CoError, Step};

/// How the adapter carries out one system call.
enum Plan {
    /// Answer at once.
    Reply(Reply),
    /// `tokio::task::yield_now`.
    Yield,
    /// The task killed itself.
    KillSelf,
    /// A wait, which a kill or cancel interrupts.
    Wait(Wait),
    /// A park on the list, carried out at once: the task is queued, or (armed) it took a permit a
    /// wake left and goes on at once.
    Park(WaitList, Parked),
}

/// What a task waits for.
enum Wait {
    Until(::tokio::time::Instant),
    Io(IoSource, Direction),
    /// Another task's end: a join (answers `Done`) or a kill (answers `Found(true)` once the
    /// victim's cleanup has run).
    End(Arc<Control>, Reply),
    /// A future of [`await_send`](crate::sched::await_send), which leaves its output where the
    /// task takes it.
    Future(SendFuture),
}

impl Wait {
    async fn run(self) -> Reply {
        match self {
            Wait::Until(at) => {
                ::tokio::time::sleep_until(at).await;
                Reply::Done
            }
            Wait::Io(source, dir) => io::ready(source, dir).await,
            Wait::End(task, reply) => {
                task.ended().await;
                reply
            }
            Wait::Future(fut) => {
                fut.await;
                Reply::Done
            }
        }
    }
}

/// A system call this adapter does not carry out, and why.
fn unsupported(call: &'static str, why: &'static str) -> Plan {
    Plan::Reply(Reply::Error(SchedError::Unsupported { call, why }))
}

/// The per-task state a system call may need, and where the outcome goes.
struct TaskState<T> {
    me: Arc<Control>,
    resumes: u64,
    rng: Option<Rng>,
    /// A child's slot (its `SendJoinHandle` reads it); `None` for a task `spawn` started.
    slot: Option<SendSlot<T>>,
    /// Whether the outcome was delivered (else the task was dropped unfinished).
    delivered: bool,
}

/// The task's end, however it came (dropped unfinished with its runtime, too): the outcome is
/// in the slot before joiners are woken.
impl<T> Drop for TaskState<T> {
    fn drop(&mut self) {
        if let (Some(slot), false) = (&self.slot, self.delivered) {
            *lock(slot) = Some(Err(JoinError::Killed));
        }
        self.me.finish(self.resumes);
    }
}

impl<T> TaskState<T> {
    /// Decides how to carry out `call` (everything not `Send` in it is used up here, before
    /// the driver awaits anything).
    fn plan(&mut self, call: Syscall) -> Plan {
        match call {
            Syscall::Yield => Plan::Yield,
            Syscall::GetId => Plan::Reply(Reply::Id(self.me.id)),
            Syscall::Sleep(duration) => {
                Plan::Wait(Wait::Until(::tokio::time::Instant::now() + duration))
            }
            Syscall::SleepUntil(at) => Plan::Wait(Wait::Until(at.into())),
            Syscall::Readable(source) => Plan::Wait(Wait::Io(source, Direction::Read)),
            Syscall::Writable(source) => Plan::Wait(Wait::Io(source, Direction::Write)),
            Syscall::Spawn(new) => match new.task.take().and_then(|task| task.take_send()) {
                Some(child) => {
                    let control = registry::register();
                    let id = control.id;
                    child.launch(control);
                    Plan::Reply(Reply::Id(id))
                }
                None => unsupported(
                    "spawn",
                    "a task on tokio spawns with sched::spawn_send (sched::spawn's handle is not Send)",
                ),
            },
            Syscall::Join(id) if id == self.me.id => Plan::Reply(Reply::Error(SchedError::JoinSelf)),
            Syscall::Join(id) => match registry::find(id) {
                Some(task) => Plan::Wait(Wait::End(task, Reply::Done)),
                // Ended already (its outcome waits in the handle), or never ours: the handle
                // tells which.
                None => Plan::Reply(Reply::Done),
            },
            Syscall::Kill(id) if id == self.me.id => Plan::KillSelf,
            Syscall::Kill(id) => match registry::find(id) {
                Some(task) => {
                    task.signal(Signal::Kill);
                    Plan::Wait(Wait::End(task, Reply::Found(true)))
                }
                None => Plan::Reply(Reply::Found(false)),
            },
            Syscall::Cancel(id, error) => {
                let task = if id == self.me.id {
                    Some(self.me.clone())
                } else {
                    registry::find(id)
                };
                match task {
                    Some(task) => {
                        task.signal(Signal::Cancel(error));
                        Plan::Reply(Reply::Found(true))
                    }
                    None => Plan::Reply(Reply::Found(false)),
                }
            }
            Syscall::Stats => Plan::Reply(Reply::Stats(registry::stats(self.resumes))),
            Syscall::Custom(call) => match call.kind {
                Kind::Builtin(Builtin::Now) => Plan::Reply(Reply::Now(Instant::now())),
                Kind::Builtin(Builtin::Random) => {
                    let serial = self.me.id.serial;
                    let rng = self
                        .rng
                        .get_or_insert_with(|| Rng::seeded(Rng::fresh_seed() ^ serial));
                    Plan::Reply(Reply::Random(rng.next_u64()))
                }
                Kind::Builtin(Builtin::Clock(_)) => unsupported(
                    "clock",
                    "tasks on tokio have the real clock only: use time::now and time::sleep",
                ),
                Kind::Builtin(Builtin::Rng(_)) => unsupported(
                    "rng",
                    "a shared random stream is a Scheduler's; use rand::random_u64 on tokio",
                ),
                Kind::User(_) => unsupported(
                    "custom",
                    "custom calls are carried out by a Scheduler::on_call handler, which tokio has not",
                ),
            },
            Syscall::Park(list) => {
                // The owner first: a wake from outside a task (`try_send`) finds who carries
                // it out.
                list.set_direct_owner(wake);
                let armed = list.is_arming();
                let parked = {
                    let mut queue = list.queue();
                    // Marked under the list's lock, where every wake decides whom it takes.
                    self.me.park();
                    let parked = queue.park(self.me.id, armed);
                    if parked == Parked::Permit {
                        self.me.unmark_parked();
                    }
                    parked
                };
                Plan::Park(list, parked)
            }
            Syscall::Wake { list, all } => Plan::Reply(Reply::Woken(wake(&list, all))),
            Syscall::Await(fut) => match fut.into_send() {
                Ok(fut) => Plan::Wait(Wait::Future(fut)),
                Err(_) => unsupported(
                    "await",
                    "await_future's future need not be Send, so it stays on its thread: on tokio, await a Send future with await_send",
                ),
            },
            Syscall::Shutdown => unsupported(
                "shutdown",
                "tokio's runtime is shut down by its owner; kill the tasks by their handles",
            ),
        }
    }
}

/// Wakes one (or every) task of `list` parked on tokio, or leaves permits for its armed
/// waiters: how many. Safe from any thread: whom a wake takes is decided under the list's
/// lock, where parks are queued and interrupted parks leave.
pub(crate) fn wake(list: &WaitList, all: bool) -> usize {
    list.queue().wake(all, wake_parked)
}

/// Wakes the task `id` if it is parked: whether it was. An id of a task that left (ended, or
/// was interrupted) wakes nobody, and the wake tries the next.
fn wake_parked(id: TaskId) -> bool {
    registry::find(id).is_some_and(|task| task.wake_parked())
}

/// Runs `wait` unless a kill or cancel comes first (`None`: it is left for the driver).
async fn unless_signalled(wait: Wait, me: &Control) -> Option<Reply> {
    first_of(wait.run(), me).await
}

/// Waits on `list`, where the task is queued, for a wake, unless a kill or cancel comes first:
/// whether a wake came.
async fn parked(list: &WaitList, me: &Control) -> bool {
    let mut leaving = Leaving {
        list,
        me,
        woken: false,
    };
    leaving.woken = first_of(me.unparked(), me).await.is_some();
    leaving.woken
}

/// A park that ends: interrupted (by a signal, or by the task's future being dropped with its
/// runtime), the task leaves the queue, and a wake that took it out of the queue meanwhile is
/// passed to the next waiter, whose it would have been.
struct Leaving<'a> {
    list: &'a WaitList,
    me: &'a Control,
    woken: bool,
}

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        if self.woken {
            return;
        }
        let mut queue = self.list.queue();
        self.me.unmark_parked();
        // A wake that took the entry out did so under this lock and marked the task unparked.
        if !queue.leave(self.me.id) && self.me.take_unparked() {
            queue.wake(false, wake_parked);
        }
    }
}

/// Runs `wait` unless a signal waits first (`None`: it is left for the driver).
async fn first_of<F: Future>(wait: F, me: &Control) -> Option<F::Output> {
    let mut wait = pin!(wait);
    let mut signalled = pin!(me.signalled());
    poll_fn(|cx| {
        if signalled.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        wait.as_mut().poll(cx).map(Some)
    })
    .await
}

/// Closes a killed task: its close arm and drops run here.
fn close<B: TaskBody<T>, T>(co: &mut Co<B>) -> JoinError {
    match catch_unwind(AssertUnwindSafe(|| co.close())) {
        Ok(Ok(_)) => JoinError::Killed,
        Ok(Err(CoError::Raised(error))) => JoinError::Raised(error),
        Ok(Err(other)) => {
            tracing::error!(target: "volley::sched", error = %other, "task ignored its kill and was dropped");
            JoinError::Killed
        }
        Err(payload) => JoinError::Panicked(panic_message(payload)),
    }
}

/// How the driver resumes the body next.
enum Next {
    Start,
    Send(Reply),
    Throw(TaskError),
}

/// Resumes the body once: the system call it yielded, or its outcome.
fn resume<B: TaskBody<T>, T>(
    co: &mut Co<B>,
    next: Next,
    span: &tracing::Span,
) -> Result<Syscall, Result<T, JoinError>> {
    let stepped = span.in_scope(|| {
        catch_unwind(AssertUnwindSafe(|| match next {
            Next::Start => co.start(),
            Next::Send(reply) => co.send(reply),
            Next::Throw(error) => co.throw(error),
        }))
    });
    match stepped {
        Ok(Ok(Step::Yield(call))) => Ok(call),
        Ok(Ok(Step::Return(value))) => Err(Ok(value)),
        Ok(Err(CoError::Raised(error))) => Err(Err(JoinError::Raised(error))),
        Ok(Err(_)) => Err(Err(JoinError::Killed)),
        Err(payload) => Err(Err(JoinError::Panicked(panic_message(payload)))),
    }
}

/// Runs a task body to its end on the current tokio runtime. A panic in the body is the
/// outcome ([`JoinError::Panicked`]), never the worker thread's. The outcome goes to `slot`
/// when there is one (a child of [`spawn_send`](crate::sched::spawn_send)), else it is the
/// answer.
pub(crate) async fn drive<B, T>(
    co: Co<B>,
    me: Arc<Control>,
    slot: Option<SendSlot<T>>,
) -> Option<Result<T, JoinError>>
where
    B: TaskBody<T>,
{
    let span =
        tracing::debug_span!(target: "volley::sched", "task", id = me.id.serial, name = co.name());
    let mut state = TaskState {
        me,
        resumes: 0,
        rng: None,
        slot,
        delivered: false,
    };
    // Declared after `state`, so dropped before it: a body dropped unfinished runs its cleanup
    // before its joiners are told it ended.
    let mut co = co;
    let mut next = Next::Start;
    // The list whose wake the task is about to be resumed with: a signal that replaces that
    // resume passes the wake on to the next waiter.
    let mut woken_from: Option<WaitList> = None;
    let outcome = loop {
        let signal = state.me.take_signal();
        let woken = woken_from.take();
        if let (Some(_), Some(list)) = (&signal, woken) {
            wake(&list, false);
        }
        match signal {
            Some(Signal::Kill) => break Err(close(&mut co)),
            Some(Signal::Cancel(error)) => next = Next::Throw(error),
            None => {}
        }
        state.resumes += 1;
        // Everything the call holds that is not `Send` is used up by `plan`, before any await.
        let plan = match resume(&mut co, next, &span) {
            Ok(call) => state.plan(call),
            Err(outcome) => break outcome,
        };
        next = match plan {
            Plan::Reply(reply) => Next::Send(reply),
            Plan::Yield => {
                ::tokio::task::yield_now().await;
                Next::Send(Reply::Done)
            }
            Plan::KillSelf => break Err(close(&mut co)),
            Plan::Wait(wait) => match unless_signalled(wait, &state.me).await {
                Some(reply) => Next::Send(reply),
                // The signal waits: the top of the loop takes it (a cancel replaces this).
                None => Next::Send(Reply::Done),
            },
            Plan::Park(list, Parked::Permit) => {
                woken_from = Some(list);
                Next::Send(Reply::Done)
            }
            Plan::Park(list, Parked::Queued) => {
                if parked(&list, &state.me).await {
                    woken_from = Some(list);
                }
                // Interrupted, the signal waits: the top of the loop takes it.
                Next::Send(Reply::Done)
            }
        };
    };
    if let Err(error) = &outcome {
        if !matches!(error, JoinError::Killed) {
            tracing::debug!(target: "volley::sched", parent: &span, %error, "task failed");
        }
    }
    drop(co);
    state.delivered = true;
    match &state.slot {
        Some(slot) => {
            *lock(slot) = Some(outcome);
            None
        }
        None => Some(outcome),
    }
}
