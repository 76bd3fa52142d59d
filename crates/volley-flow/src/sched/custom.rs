//! System calls of the user's own: a request type, a handler registered with
//! [`Scheduler::on_call`](super::Scheduler::on_call), and the helper [`call`] that yields the
//! request and decodes the answer.

use super::calls::unexpected;
use super::clock::Clock;
use super::local::Local;
use super::rng::SharedRng;
use super::{Reply, SchedError, Syscall, TaskCall, TaskError, TaskId, WaitList};
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::time::Instant;
use volley_core::{Delegate, Exit, Resume, Step};

/// A request of a custom system call, in the [`Syscall::Custom`] a task yields: the value
/// and its type (which picks the handler).
pub struct CustomCall {
    pub(crate) kind: Kind,
}

/// Where the scheduler leaves a custom call's answer for the helper that made the call,
/// which takes it when it is resumed with [`Reply::Custom`] (at once). The answer does not
/// travel in the `Reply`: a `Reply` variant that owns a box would make every task's drop of
/// its replies, and so every switch, slower.
pub(crate) type Answer = Rc<RefCell<Option<Box<dyn Any>>>>;

/// A user's request: the value, its type's name, and where its answer goes.
pub(crate) struct UserCall {
    pub(crate) request: Box<dyn Any>,
    pub(crate) type_name: &'static str,
    pub(crate) answer: Answer,
}

/// What a custom call asks for: one of the scheduler's own extensions, or a user's request.
pub(crate) enum Kind {
    Builtin(Builtin),
    /// Left on its thread (it owns values of any type, and an `Rc`): the `Syscall` stays `Send`,
    /// and as small as its other calls.
    User(Local<UserCall>),
}

/// The calls the scheduler answers itself through [`Syscall::Custom`] (so that the
/// `Syscall` enum keeps its shape, and the switch its speed).
pub(crate) enum Builtin {
    /// The clock's now: replies `Reply::Now`.
    Now,
    /// A `Clock` handle, left in the answer: replies `Reply::Custom`.
    Clock(Local<Answer>),
    /// 64 random bits: replies `Reply::Random`.
    Random,
    /// A `SharedRng` handle, left in the answer: replies `Reply::Custom`.
    Rng(Local<Answer>),
}

impl CustomCall {
    /// Wraps a request.
    ///
    /// ```
    /// use volley_flow::sched::task::CustomCall;
    /// let call = CustomCall::new(3u8);
    /// assert!(format!("{call:?}").contains("u8"));
    /// ```
    pub fn new<T: 'static>(request: T) -> Self {
        CustomCall::with_answer(request, Answer::default())
    }

    fn with_answer<T: 'static>(request: T, answer: Answer) -> Self {
        CustomCall {
            kind: Kind::User(Local::new(UserCall {
                request: Box::new(request),
                type_name: std::any::type_name::<T>(),
                answer,
            })),
        }
    }

    pub(crate) fn builtin(call: Builtin) -> Self {
        CustomCall {
            kind: Kind::Builtin(call),
        }
    }

    /// A short name of the call, for logs: `"custom"`, or the scheduler's own call's.
    pub(crate) fn name(&self) -> &'static str {
        match &self.kind {
            Kind::Builtin(Builtin::Now) => "now",
            Kind::Builtin(Builtin::Clock(_)) => "clock",
            Kind::Builtin(Builtin::Random) => "random",
            Kind::Builtin(Builtin::Rng(_)) => "rng",
            Kind::User(_) => "custom",
        }
    }
}

impl fmt::Debug for CustomCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::User(call) => match call.with(|call| call.type_name) {
                Some(type_name) => write!(f, "custom({type_name})"),
                None => f.write_str("custom"),
            },
            Kind::Builtin(_) => f.write_str(self.name()),
        }
    }
}

/// What a handler decides for the task that made a custom call.
///
/// ```
/// use volley_flow::sched::task::Handled;
/// let answer = Handled::reply(42u32);
/// assert!(matches!(answer, Handled::Reply(_)));
/// ```
#[non_exhaustive]
pub enum Handled {
    /// Continue the task at once with this answer (decoded by [`call`] into its output type).
    Reply(Box<dyn Any>),
    /// Park the task on this wait list until someone wakes it
    /// ([`Scheduler::wake`](super::Scheduler::wake), [`wake_one`](super::sync::wake_one),
    /// [`wake_all`](super::sync::wake_all)); it then gets `()`.
    Park(WaitList),
    /// Block the task until this instant; it then gets `()`.
    SleepUntil(Instant),
    /// Queue the task behind the ready ones; it then gets `()`.
    Yield,
    /// Raise this error in the task.
    Raise(TaskError),
}

impl Handled {
    /// [`Handled::Reply`] with `value` boxed.
    ///
    /// ```
    /// use volley_flow::sched::task::Handled;
    /// let _ = Handled::reply("ok");
    /// ```
    pub fn reply<T: 'static>(value: T) -> Self {
        Handled::Reply(Box::new(value))
    }
}

impl fmt::Debug for Handled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Handled::Reply(_) => f.write_str("Reply(..)"),
            Handled::Park(list) => write!(f, "Park({list:?})"),
            Handled::SleepUntil(at) => write!(f, "SleepUntil({at:?})"),
            Handled::Yield => f.write_str("Yield"),
            Handled::Raise(e) => write!(f, "Raise({e})"),
        }
    }
}

/// What a handler sees besides the request: the calling task, the clock and the scheduler's
/// seeded random numbers.
pub struct CallContext<'a> {
    pub(crate) task: TaskId,
    pub(crate) clock: &'a Clock,
    pub(crate) rng: &'a SharedRng,
}

impl CallContext<'_> {
    /// The task that made the call.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::{call, Handled};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// struct WhoAmI;
    /// let mut sched = Scheduler::new();
    /// sched.on_call(|cx, _: WhoAmI| Handled::reply(cx.task().serial()));
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(call::<_, u64>(WhoAmI))?)));
    /// assert_eq!(sched.join(task).unwrap(), 1);
    /// ```
    pub fn task(&self) -> TaskId {
        self.task
    }

    /// The scheduler's clock.
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::{call, Handled};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// struct Elapsed;
    /// let mut sched = Scheduler::simulated(0);
    /// sched.on_call(|cx, _: Elapsed| Handled::reply(cx.clock().elapsed()));
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(call::<_, std::time::Duration>(Elapsed))?)));
    /// assert_eq!(sched.join(task).unwrap(), std::time::Duration::ZERO);
    /// ```
    pub fn clock(&self) -> &Clock {
        self.clock
    }

    /// The scheduler's seeded random numbers (the stream tasks draw from).
    ///
    /// ```
    /// use volley_core::{yield_from, Co};
    /// use volley_flow::sched::task::{call, Handled};
    /// use volley_flow::sched::{Scheduler, TaskResume};
    /// struct Dice;
    /// let mut sched = Scheduler::simulated(7);
    /// sched.on_call(|cx, _: Dice| Handled::reply(1 + cx.rng().below(6)));
    /// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(yield_from!(call::<_, u64>(Dice))?)));
    /// assert!((1..=6).contains(&sched.join(task).unwrap()));
    /// ```
    pub fn rng(&self) -> &SharedRng {
        self.rng
    }
}

impl fmt::Debug for CallContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("task", &self.task)
            .finish_non_exhaustive()
    }
}

type Handler = Box<dyn FnMut(&mut CallContext<'_>, Box<dyn Any>) -> Handled>;

/// The handlers of a scheduler, by request type.
#[derive(Default)]
pub(crate) struct Handlers {
    by_type: HashMap<TypeId, Handler>,
}

impl Handlers {
    pub(crate) fn insert<T: 'static>(
        &mut self,
        mut handler: impl FnMut(&mut CallContext<'_>, T) -> Handled + 'static,
    ) {
        let erased: Handler = Box::new(move |cx, request| match request.downcast::<T>() {
            Ok(request) => handler(cx, *request),
            Err(_) => Handled::Raise(TaskError::msg("custom call of the wrong type")),
        });
        self.by_type.insert(TypeId::of::<T>(), erased);
    }

    /// Runs the handler of `call`'s type.
    pub(crate) fn handle(
        &mut self,
        cx: &mut CallContext<'_>,
        request: Box<dyn Any>,
        type_name: &'static str,
    ) -> Handled {
        match self.by_type.get_mut(&(*request).type_id()) {
            Some(handler) => handler(cx, request),
            None => Handled::Raise(TaskError::new(SchedError::NoHandler(type_name))),
        }
    }
}

/// Makes the custom system call `request` and evaluates to the handler's answer as an `X`
/// (`()` when the handler parked, slept or yielded the task).
///
/// The handler is registered with [`Scheduler::on_call`](super::Scheduler::on_call) for the
/// request's type; a call no handler takes raises [`SchedError::NoHandler`], and an answer of
/// another type than `X` raises [`SchedError::UnexpectedReply`].
///
/// ```
/// use volley_core::{yield_from, Co};
/// use volley_flow::sched::task::{call, Handled};
/// use volley_flow::sched::{Scheduler, TaskResume};
///
/// /// Asks for the next ticket number.
/// struct Ticket;
/// let mut sched = Scheduler::new();
/// let mut next = 100u32;
/// sched.on_call(move |_, _: Ticket| {
///     next += 1;
///     Handled::reply(next)
/// });
/// let task = sched.spawn(Co::new(#[coroutine] |_: TaskResume| {
///     let a: u32 = yield_from!(call(Ticket))?;
///     let b: u32 = yield_from!(call(Ticket))?;
///     Ok((a, b))
/// }));
/// assert_eq!(sched.join(task).unwrap(), (101, 102));
/// ```
#[must_use = "a system call does nothing until a task delegates to it with yield_from!"]
pub fn call<T: 'static, X: 'static>(request: T) -> impl TaskCall<X> {
    let answer = Answer::default();
    AnswerCall {
        call: Some(CustomCall::with_answer(request, answer.clone())),
        answer,
        output: std::marker::PhantomData::<fn() -> X>,
    }
}

/// A call answered through an [`Answer`] slot: yields the call, and on `Reply::Custom`
/// takes the answer as an `X` (on `Reply::Done`, `()` if `X` is `()`).
pub(crate) struct AnswerCall<X> {
    call: Option<CustomCall>,
    answer: Answer,
    output: std::marker::PhantomData<fn() -> X>,
}

impl<X: 'static> AnswerCall<X> {
    /// The scheduler's own call `make(answer)`, answered through a fresh slot.
    pub(crate) fn builtin(make: impl FnOnce(Local<Answer>) -> Builtin) -> Self {
        let answer = Answer::default();
        AnswerCall {
            call: Some(CustomCall::builtin(make(Local::new(answer.clone())))),
            answer,
            output: std::marker::PhantomData,
        }
    }
}

impl<X: 'static> Delegate<Reply, Syscall, TaskError> for AnswerCall<X> {
    type Output = X;

    fn delegate(
        &mut self,
        resume: Resume<Reply, TaskError>,
    ) -> Step<Syscall, Result<X, Exit<TaskError>>> {
        let mismatch = || Exit::Raised(TaskError::new(SchedError::UnexpectedReply("custom")));
        match resume {
            Resume::Start => match self.call.take() {
                Some(call) => Step::Yield(Syscall::Custom(call)),
                None => Step::Return(Err(Exit::Closed)),
            },
            Resume::Send(Reply::Custom) => {
                let answer = self.answer.borrow_mut().take();
                Step::Return(match answer.map(|a| a.downcast::<X>()) {
                    Some(Ok(x)) => Ok(*x),
                    _ => Err(mismatch()),
                })
            }
            Resume::Send(Reply::Done) => Step::Return(
                (Box::new(()) as Box<dyn Any>)
                    .downcast::<X>()
                    .map(|x| *x)
                    .map_err(|_| mismatch()),
            ),
            Resume::Send(other) => Step::Return(Err(unexpected(other, "custom"))),
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}
