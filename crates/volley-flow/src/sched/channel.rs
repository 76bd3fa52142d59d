//! Bounded channels between tasks: a full channel parks the sender, an empty one the
//! receiver, and closing a channel wakes everyone waiting on it.

use super::calls::unexpected;
use super::reactor::lock;
use super::{Reply, Syscall, TaskBody, TaskError, TaskResume, WaitList};
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use volley_core::{co_yield, Co, Exit};

/// A bounded multi-producer multi-consumer channel between tasks.
///
/// [`send`](Channel::send) and [`recv`](Channel::recv) are helper coroutines a task delegates
/// to with `yield_from!`: a full channel parks the sender until there is room, an empty one
/// parks the receiver until a message arrives. [`close`](Channel::close) wakes every waiter:
/// receivers drain what is left and then get `None`, senders get their message back in
/// [`SendError`]. Cloning a `Channel` makes another handle to the same channel.
/// [`try_send`](Channel::try_send) and [`try_recv`](Channel::try_recv) never wait and make no
/// system call, so they work outside tasks too, from any thread.
///
/// A channel is `Send` and `Sync` when its messages are `Send`, so the same bodies run on a
/// one-thread [`Scheduler`](super::Scheduler) and on tokio's multi-threaded runtime
/// (`sched::tokio`, feature `tokio`), where senders and receivers meet
/// across worker threads. No wake is lost there: a task that finds the channel full (or
/// empty) arms itself on the wait list under the channel's lock, before it parks, and a wake
/// that comes in between leaves a permit its park takes. The tasks of one channel park on one
/// runtime; `try_send` and `try_recv` reach them from anywhere (a one-thread scheduler carries
/// such a wake out at the end of its round).
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::sync::Channel;
/// use volley_flow::sched::{Scheduler, TaskResume};
///
/// let chan = Channel::bounded(2);
/// let mut sched = Scheduler::new();
/// let tx = chan.clone();
/// sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     for n in 1..=5u32 {
///         yield_from!(tx.send(n))??; // SendError converts: `?` raises it
///     }
///     yield_from!(tx.close())?;
///     Ok(())
/// })).detach();
/// let sum = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
///     let mut sum = 0;
///     while let Some(n) = yield_from!(chan.recv())? {
///         sum += n;
///     }
///     Ok(sum)
/// }));
/// assert_eq!(sched.join(sum).unwrap(), 15);
/// ```
pub struct Channel<M> {
    shared: Arc<Shared<M>>,
}

struct Shared<M> {
    state: Mutex<State<M>>,
    capacity: usize,
    senders: WaitList,
    receivers: WaitList,
}

/// What the channel's lock guards: the messages, and whether it is closed.
struct State<M> {
    queue: VecDeque<M>,
    closed: bool,
}

/// The message a send could not deliver because the channel is closed, handed back.
///
/// ```
/// use volley_flow::sched::sync::SendError;
/// let e = SendError("lost?");
/// assert_eq!(e.into_inner(), "lost?");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError<M>(pub M);

impl<M> SendError<M> {
    /// The message that was not sent.
    ///
    /// ```
    /// # use volley_flow::sched::sync::SendError;
    /// assert_eq!(SendError(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> M {
        self.0
    }
}

impl<M> fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the channel is closed (the message is handed back)")
    }
}

impl<M: fmt::Debug> std::error::Error for SendError<M> {}

/// Why [`Channel::try_send`] did not deliver: the channel is full or closed. The message is
/// handed back either way.
///
/// ```
/// use volley_flow::sched::sync::TrySendError;
/// let e = TrySendError::Full(5);
/// assert_eq!(e.into_inner(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrySendError<M> {
    /// The channel holds its capacity.
    Full(M),
    /// The channel is closed.
    Closed(M),
}

impl<M> TrySendError<M> {
    /// The message that was not sent.
    ///
    /// ```
    /// # use volley_flow::sched::sync::TrySendError;
    /// assert_eq!(TrySendError::Closed("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> M {
        match self {
            TrySendError::Full(m) | TrySendError::Closed(m) => m,
        }
    }
}

impl<M> fmt::Display for TrySendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => {
                f.write_str("the channel is full (the message is handed back)")
            }
            TrySendError::Closed(_) => {
                f.write_str("the channel is closed (the message is handed back)")
            }
        }
    }
}

impl<M: fmt::Debug> std::error::Error for TrySendError<M> {}

/// Why [`Channel::try_recv`] found no message: the channel is empty, or closed and drained.
///
/// ```
/// use volley_flow::sched::sync::TryRecvError;
/// assert_eq!(TryRecvError::Empty.to_string(), "the channel is empty");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No message waits, and the channel is open.
    Empty,
    /// The channel is closed and every message was received.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("the channel is empty"),
            TryRecvError::Closed => f.write_str("the channel is closed and drained"),
        }
    }
}

impl std::error::Error for TryRecvError {}

/// What [`Channel::send`] evaluates to: delivered, or the message handed back.
///
/// ```
/// use volley_flow::sched::sync::{SendError, SendResult};
/// let r: SendResult<u8> = Err(SendError(1));
/// assert_eq!(r.unwrap_err().into_inner(), 1);
/// ```
pub type SendResult<M> = Result<(), SendError<M>>;

/// What one attempt to push found.
enum Push<M> {
    Sent {
        wake_receiver: bool,
    },
    /// Full (the sender is armed on the senders' list if it means to wait).
    Full(M),
    Closed(M),
}

/// What one attempt to pop found.
enum Pop<M> {
    Got {
        message: M,
        wake_sender: bool,
    },
    /// Empty (the receiver is armed on the receivers' list if it means to wait).
    Empty,
    Closed,
}

impl<M> Clone for Channel<M> {
    fn clone(&self) -> Self {
        Channel {
            shared: self.shared.clone(),
        }
    }
}

impl<M: 'static> Channel<M> {
    /// A channel that holds up to `capacity` messages (a capacity of 0 is taken as 1).
    ///
    /// ```
    /// use volley_flow::sched::sync::Channel;
    /// let chan: Channel<String> = Channel::bounded(16);
    /// assert_eq!(chan.capacity(), 16);
    /// assert!(chan.is_empty());
    /// ```
    pub fn bounded(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Channel {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: VecDeque::with_capacity(capacity.min(1024)),
                    closed: false,
                }),
                capacity,
                senders: WaitList::arming(),
                receivers: WaitList::arming(),
            }),
        }
    }

    /// How many messages the channel holds at most.
    ///
    /// ```
    /// # use volley_flow::sched::sync::Channel;
    /// assert_eq!(Channel::<u8>::bounded(0).capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// How many messages wait in the channel.
    ///
    /// ```
    /// # use volley_flow::sched::sync::Channel;
    /// assert_eq!(Channel::<u8>::bounded(4).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        lock(&self.shared.state).queue.len()
    }

    /// Whether no message waits in the channel.
    ///
    /// ```
    /// # use volley_flow::sched::sync::Channel;
    /// assert!(Channel::<u8>::bounded(4).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the channel was closed.
    ///
    /// ```
    /// # use volley_flow::sched::sync::Channel;
    /// assert!(!Channel::<u8>::bounded(4).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        lock(&self.shared.state).closed
    }

    /// Sends `message`, parking the task while the channel is full. Evaluates to `Ok(())`, or
    /// `Err(SendError(message))` if the channel is (or gets) closed.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::sync::{Channel, SendError};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let chan = Channel::bounded(1);
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     let first = yield_from!(chan.send("a"))?;
    ///     yield_from!(chan.close())?;
    ///     let second = yield_from!(chan.send("b"))?;
    ///     Ok((first, second))
    /// }));
    /// assert_eq!(sched.join(task).unwrap(), (Ok(()), Err(SendError("b"))));
    /// ```
    pub fn send(&self, message: M) -> Co<impl TaskBody<SendResult<M>>> {
        let shared = self.shared.clone();
        Co::new(
            #[coroutine]
            move |_: TaskResume| {
                let mut message = message;
                loop {
                    match shared.push(message, true) {
                        Push::Sent { wake_receiver } => {
                            if wake_receiver {
                                checked(co_yield!(Syscall::Wake {
                                    list: shared.receivers.clone(),
                                    all: false,
                                })?)?;
                            }
                            return Ok(Ok(()));
                        }
                        Push::Closed(back) => return Ok(Err(SendError(back))),
                        Push::Full(back) => {
                            message = back;
                            // Armed: the park is the next system call.
                            checked(co_yield!(Syscall::Park(shared.senders.clone()))?)?;
                        }
                    }
                }
            },
        )
        .named("channel_send")
    }

    /// Receives the next message, parking the task while the channel is empty. Evaluates to
    /// `Some(message)`, or `None` once the channel is closed and drained.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::sync::Channel;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let chan = Channel::bounded(4);
    /// let mut sched = Scheduler::new();
    /// let task = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(chan.send(1))??;
    ///     yield_from!(chan.close())?;
    ///     let first = yield_from!(chan.recv())?; // drained first
    ///     let then = yield_from!(chan.recv())?;
    ///     Ok((first, then))
    /// }));
    /// assert_eq!(sched.join(task).unwrap(), (Some(1), None));
    /// ```
    pub fn recv(&self) -> Co<impl TaskBody<Option<M>>> {
        let shared = self.shared.clone();
        Co::new(
            #[coroutine]
            move |_: TaskResume| loop {
                match shared.pop(true) {
                    Pop::Got {
                        message,
                        wake_sender,
                    } => {
                        if wake_sender {
                            checked(co_yield!(Syscall::Wake {
                                list: shared.senders.clone(),
                                all: false,
                            })?)?;
                        }
                        return Ok(Some(message));
                    }
                    Pop::Closed => return Ok(None),
                    Pop::Empty => {
                        // Armed: the park is the next system call.
                        checked(co_yield!(Syscall::Park(shared.receivers.clone()))?)?;
                    }
                }
            },
        )
        .named("channel_recv")
    }

    /// Closes the channel and wakes every task waiting on it. Evaluates to how many were woken.
    /// Closing twice is harmless.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::sync::Channel;
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// let chan: Channel<u8> = Channel::bounded(1);
    /// let mut sched = Scheduler::new();
    /// let rx = chan.clone();
    /// let receiver = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(rx.recv())?)));
    /// let closer = sched.spawn(Co::new(#[coroutine] move |_: TaskResume| Ok(yield_from!(chan.close())?)));
    /// sched.run().unwrap();
    /// assert_eq!(receiver.take_outcome().unwrap().unwrap(), None); // woken by the close
    /// assert_eq!(closer.take_outcome().unwrap().unwrap(), 1);
    /// ```
    pub fn close(&self) -> Co<impl TaskBody<usize>> {
        let shared = self.shared.clone();
        Co::new(
            #[coroutine]
            move |_: TaskResume| {
                // Set under the lock: a task that found the channel open is armed by now,
                // and the wakes below reach it.
                lock(&shared.state).closed = true;
                let mut woken = 0;
                for list in [shared.receivers.clone(), shared.senders.clone()] {
                    match co_yield!(Syscall::Wake { list, all: true })? {
                        Reply::Woken(n) => woken += n,
                        other => checked(other)?,
                    }
                }
                Ok(woken)
            },
        )
        .named("channel_close")
    }

    /// Sends `message` if there is room, without waiting and without a system call (a task
    /// parked in [`recv`](Channel::recv) is woken at the end of the scheduler's round). Works
    /// outside a task too.
    ///
    /// ```
    /// use volley_flow::sched::sync::{Channel, TrySendError};
    /// let chan = Channel::bounded(1);
    /// assert_eq!(chan.try_send('a'), Ok(()));
    /// assert_eq!(chan.try_send('b'), Err(TrySendError::Full('b')));
    /// assert_eq!(chan.try_recv(), Ok('a'));
    /// ```
    pub fn try_send(&self, message: M) -> Result<(), TrySendError<M>> {
        match self.shared.push(message, false) {
            Push::Sent { wake_receiver } => {
                if wake_receiver {
                    self.shared.receivers.wake_waiters_later(false);
                }
                Ok(())
            }
            Push::Full(back) => Err(TrySendError::Full(back)),
            Push::Closed(back) => Err(TrySendError::Closed(back)),
        }
    }

    /// Receives the next message if one waits, without waiting and without a system call (a
    /// task parked in [`send`](Channel::send) is woken at the end of the scheduler's round).
    /// Works outside a task too.
    ///
    /// ```
    /// use volley_flow::sched::sync::{Channel, TryRecvError};
    /// let chan = Channel::bounded(4);
    /// assert_eq!(chan.try_recv(), Err(TryRecvError::Empty));
    /// chan.try_send(1).unwrap();
    /// assert_eq!(chan.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&self) -> Result<M, TryRecvError> {
        match self.shared.pop(false) {
            Pop::Got {
                message,
                wake_sender,
            } => {
                if wake_sender {
                    self.shared.senders.wake_waiters_later(false);
                }
                Ok(message)
            }
            Pop::Empty => Err(TryRecvError::Empty),
            Pop::Closed => Err(TryRecvError::Closed),
        }
    }
}

impl<M> Shared<M> {
    /// Pushes `message` if there is room; a full channel arms the sender on its wait list
    /// when it means to `wait`. The test and the arming are made under the channel's lock, so
    /// a receiver that makes room afterwards finds the sender waiting.
    #[inline]
    fn push(&self, message: M, wait: bool) -> Push<M> {
        let mut state = lock(&self.state);
        if state.closed {
            return Push::Closed(message);
        }
        if state.queue.len() >= self.capacity {
            if wait {
                self.senders.arm();
            }
            return Push::Full(message);
        }
        state.queue.push_back(message);
        Push::Sent {
            wake_receiver: self.receivers.has_waiters(),
        }
    }

    /// Pops the oldest message; an empty open channel arms the receiver on its wait list when
    /// it means to `wait` (under the channel's lock, as for [`push`](Shared::push)).
    #[inline]
    fn pop(&self, wait: bool) -> Pop<M> {
        let mut state = lock(&self.state);
        match state.queue.pop_front() {
            Some(message) => Pop::Got {
                message,
                wake_sender: self.senders.has_waiters(),
            },
            None if state.closed => Pop::Closed,
            None => {
                if wait {
                    self.receivers.arm();
                }
                Pop::Empty
            }
        }
    }
}

/// Raises an error reply to a park or wake; anything else means go on.
fn checked(reply: Reply) -> Result<(), Exit<TaskError>> {
    match reply {
        Reply::Error(_) => Err(unexpected(reply, "park/wake")),
        _ => Ok(()),
    }
}

impl<M> fmt::Debug for Channel<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("capacity", &self.shared.capacity)
            .field("len", &lock(&self.shared.state).queue.len())
            .finish_non_exhaustive()
    }
}
