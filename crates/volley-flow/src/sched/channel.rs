//! Bounded channels between tasks: a full channel parks the sender, an empty one the
//! receiver, and closing a channel wakes everyone waiting on it.

use super::{Reply, SubBody, Syscall, TaskError, WaitList};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use volley_core::{co_yield, Co, Exit, Resume};

/// A bounded multi-producer multi-consumer channel between tasks of one scheduler.
///
/// [`send`](Channel::send) and [`recv`](Channel::recv) are helper coroutines a task delegates
/// to with `yield_from!`: a full channel parks the sender until there is room, an empty one
/// parks the receiver until a message arrives. [`close`](Channel::close) wakes every waiter:
/// receivers drain what is left and then get `None`, senders get their message back in
/// [`SendError`]. Cloning a `Channel` makes another handle to the same channel.
///
/// ```
/// use volley_core::yield_from;
/// use volley_flow::sched::{Channel, Scheduler, TaskResume};
///
/// let chan = Channel::bounded(2);
/// let mut sched = Scheduler::new();
/// let tx = chan.clone();
/// sched.spawn(#[coroutine] move |_: TaskResume<u32>| {
///     for n in 1..=5 {
///         yield_from!(tx.send(n))?.expect("channel open");
///     }
///     yield_from!(tx.close())?;
///     Ok(0)
/// });
/// let sum = sched.spawn(#[coroutine] move |_: TaskResume<u32>| {
///     let mut sum = 0;
///     while let Some(n) = yield_from!(chan.recv())? {
///         sum += n;
///     }
///     Ok(sum)
/// });
/// sched.run().unwrap();
/// assert_eq!(sched.take_outcome(sum).unwrap().unwrap(), 15);
/// ```
pub struct Channel<M> {
    shared: Rc<Shared<M>>,
}

struct Shared<M> {
    queue: RefCell<VecDeque<M>>,
    capacity: usize,
    closed: Cell<bool>,
    senders: WaitList,
    receivers: WaitList,
}

/// The message a send could not deliver because the channel is closed, handed back.
///
/// ```
/// use volley_flow::sched::SendError;
/// let e = SendError("lost?");
/// assert_eq!(e.into_inner(), "lost?");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError<M>(pub M);

impl<M> SendError<M> {
    /// The message that was not sent.
    ///
    /// ```
    /// # use volley_flow::sched::SendError;
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

/// What [`Channel::send`] evaluates to: delivered, or the message handed back.
///
/// ```
/// use volley_flow::sched::{SendError, SendResult};
/// let r: SendResult<u8> = Err(SendError(1));
/// assert_eq!(r.unwrap_err().into_inner(), 1);
/// ```
pub type SendResult<M> = Result<(), SendError<M>>;

/// What one attempt to push found.
enum Push<M> {
    Sent { wake_receiver: bool },
    Full(M),
    Closed(M),
}

/// What one attempt to pop found.
enum Pop<M> {
    Got { message: M, wake_sender: bool },
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
    /// use volley_flow::sched::Channel;
    /// let chan: Channel<String> = Channel::bounded(16);
    /// assert_eq!(chan.capacity(), 16);
    /// assert!(chan.is_empty());
    /// ```
    pub fn bounded(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Channel {
            shared: Rc::new(Shared {
                queue: RefCell::new(VecDeque::with_capacity(capacity.min(1024))),
                capacity,
                closed: Cell::new(false),
                senders: WaitList::new(),
                receivers: WaitList::new(),
            }),
        }
    }

    /// How many messages the channel holds at most.
    ///
    /// ```
    /// # use volley_flow::sched::Channel;
    /// assert_eq!(Channel::<u8>::bounded(0).capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// How many messages wait in the channel.
    ///
    /// ```
    /// # use volley_flow::sched::Channel;
    /// assert_eq!(Channel::<u8>::bounded(4).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.queue.try_borrow().map(|q| q.len()).unwrap_or(0)
    }

    /// Whether no message waits in the channel.
    ///
    /// ```
    /// # use volley_flow::sched::Channel;
    /// assert!(Channel::<u8>::bounded(4).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the channel was closed.
    ///
    /// ```
    /// # use volley_flow::sched::Channel;
    /// assert!(!Channel::<u8>::bounded(4).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.closed.get()
    }

    /// Sends `message`, parking the task while the channel is full. Evaluates to `Ok(())`, or
    /// `Err(SendError(message))` if the channel is (or gets) closed.
    ///
    /// ```
    /// use volley_core::yield_from;
    /// use volley_flow::sched::{Channel, Scheduler, SendError, TaskResume};
    /// let chan = Channel::bounded(1);
    /// let mut sched = Scheduler::new();
    /// sched.spawn(#[coroutine] move |_: TaskResume| {
    ///     assert_eq!(yield_from!(chan.send("a"))?, Ok(()));
    ///     yield_from!(chan.close())?;
    ///     assert_eq!(yield_from!(chan.send("b"))?, Err(SendError("b")));
    ///     Ok(())
    /// });
    /// sched.run().unwrap();
    /// ```
    pub fn send<T>(&self, message: M) -> Co<impl SubBody<SendResult<M>, T>> {
        let shared = self.shared.clone();
        Co::new(
            #[coroutine]
            move |_: Resume<Reply<T>, TaskError>| {
                let mut message = message;
                loop {
                    match shared.push(message) {
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
    /// use volley_core::yield_from;
    /// use volley_flow::sched::{Channel, Scheduler, TaskResume};
    /// let chan = Channel::bounded(4);
    /// let mut sched = Scheduler::new();
    /// sched.spawn(#[coroutine] move |_: TaskResume| {
    ///     yield_from!(chan.send(1))?.unwrap();
    ///     yield_from!(chan.close())?;
    ///     assert_eq!(yield_from!(chan.recv())?, Some(1)); // drained first
    ///     assert_eq!(yield_from!(chan.recv())?, None);
    ///     Ok(())
    /// });
    /// sched.run().unwrap();
    /// ```
    pub fn recv<T>(&self) -> Co<impl SubBody<Option<M>, T>> {
        let shared = self.shared.clone();
        Co::new(
            #[coroutine]
            move |_: Resume<Reply<T>, TaskError>| loop {
                match shared.pop() {
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
    /// use volley_core::yield_from;
    /// use volley_flow::sched::{Channel, Scheduler, TaskResume};
    /// let chan: Channel<u8> = Channel::bounded(1);
    /// let mut sched = Scheduler::new();
    /// let rx = chan.clone();
    /// sched.spawn(#[coroutine] move |_: TaskResume| {
    ///     assert_eq!(yield_from!(rx.recv())?, None); // woken by the close
    ///     Ok(())
    /// });
    /// sched.spawn(#[coroutine] move |_: TaskResume| {
    ///     assert_eq!(yield_from!(chan.close())?, 1);
    ///     Ok(())
    /// });
    /// sched.run().unwrap();
    /// ```
    pub fn close<T>(&self) -> Co<impl SubBody<usize, T>> {
        let shared = self.shared.clone();
        Co::new(
            #[coroutine]
            move |_: Resume<Reply<T>, TaskError>| {
                shared.closed.set(true);
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
}

impl<M> Shared<M> {
    fn push(&self, message: M) -> Push<M> {
        if self.closed.get() {
            return Push::Closed(message);
        }
        let Ok(mut queue) = self.queue.try_borrow_mut() else {
            return Push::Full(message);
        };
        if queue.len() >= self.capacity {
            return Push::Full(message);
        }
        queue.push_back(message);
        Push::Sent {
            wake_receiver: !self.receivers.is_empty(),
        }
    }

    fn pop(&self) -> Pop<M> {
        let message = self
            .queue
            .try_borrow_mut()
            .ok()
            .and_then(|mut q| q.pop_front());
        match message {
            Some(message) => Pop::Got {
                message,
                wake_sender: !self.senders.is_empty(),
            },
            None if self.closed.get() => Pop::Closed,
            None => Pop::Empty,
        }
    }
}

/// Raises an error reply to a park or wake; anything else means go on.
fn checked<T>(reply: Reply<T>) -> Result<(), Exit<TaskError>> {
    match reply {
        Reply::Error(e) => Err(Exit::Raised(TaskError::Sched(e))),
        _ => Ok(()),
    }
}

impl<M> fmt::Debug for Channel<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("capacity", &self.shared.capacity)
            .field("len", &self.shared.queue.try_borrow().map(|q| q.len()).ok())
            .finish_non_exhaustive()
    }
}
