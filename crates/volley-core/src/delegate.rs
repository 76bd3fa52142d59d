//! What `yield_from!` can delegate to, and how each call is forwarded.

use crate::body::Outcome;
use crate::{events, Co, Exit, Resumable, Resume, State, Step};
use std::ops::CoroutineState;

/// Something a body can delegate to with [`yield_from!`](crate::yield_from).
///
/// One call forwards one resume and reports either a value to yield outward, or the end of the
/// delegation as `Result<Output, Exit<E>>`. The first call is always `Resume::Start`.
///
/// For a [`Co`] (owned, `&mut`, or boxed):
///
/// | forwarded | sub is | result |
/// |---|---|---|
/// | `Start` | created | the sub runs to its first yield, or ends with its return or error |
/// | `Start` | closed | `Err(Exit::Closed)` at once: its end was already given |
/// | `Start` | suspended | `Err(Exit::Closed)` and a misuse warning: a started sub cannot be re-primed |
/// | `Send(s)` | suspended | the sub resumes with `s` |
/// | `Throw(e)` | suspended | the sub resumes with `e`; it may catch it and yield or return |
/// | `Close` | suspended | the sub is closed first: `Err(Exit::Closed)` if it finished, `Err(Raised(e))` if its close raised, or its next yield if it ignored the close |
///
/// For an `Iterator`: `Start`/`Send` take the next item (a sent value is dropped, an iterator
/// cannot receive it), the end is `Ok(())`, `Throw(e)` raises `e` in the outer body, `Close`
/// ends with `Err(Exit::Closed)`.
///
/// Forwarding through a `Co` grows the stack on the heap when it runs low (feature
/// `deep-delegation`, on by default), so recursive delegation works at any depth memory allows.
///
/// ```
/// use std::convert::Infallible;
/// use volley::{Delegate, Exit, Resume, Step};
///
/// let mut letters = "ab".chars();
/// let mut step = |r| Delegate::<(), char, Infallible>::delegate(&mut letters, r);
/// assert_eq!(step(Resume::Start), Step::Yield('a'));
/// assert_eq!(step(Resume::Send(())), Step::Yield('b'));
/// assert_eq!(step(Resume::Send(())), Step::Return(Ok(())));
/// ```
pub trait Delegate<S, Y, E> {
    /// What the delegation evaluates to when the sub finishes normally.
    type Output;

    /// Forwards one resume to the sub.
    fn delegate(&mut self, resume: Resume<S, E>) -> Step<Y, Result<Self::Output, Exit<E>>>;
}

impl<I, S, E> Delegate<S, I::Item, E> for I
where
    I: Iterator,
{
    type Output = ();

    #[inline]
    fn delegate(&mut self, resume: Resume<S, E>) -> Step<I::Item, Result<(), Exit<E>>> {
        match resume {
            Resume::Start | Resume::Send(_) => match self.next() {
                Some(item) => Step::Yield(item),
                None => Step::Return(Ok(())),
            },
            Resume::Throw(error) => Step::Return(Err(Exit::Raised(error))),
            Resume::Close => Step::Return(Err(Exit::Closed)),
        }
    }
}

impl<B: Resumable> Delegate<B::Send, B::Yield, B::Error> for Co<B> {
    type Output = B::Return;

    #[inline]
    fn delegate(&mut self, resume: Resume<B::Send, B::Error>) -> Step<B::Yield, Outcome<B>> {
        with_stack_room(|| forward(self, resume))
    }
}

impl<B: Resumable> Delegate<B::Send, B::Yield, B::Error> for &mut Co<B> {
    type Output = B::Return;

    #[inline]
    fn delegate(&mut self, resume: Resume<B::Send, B::Error>) -> Step<B::Yield, Outcome<B>> {
        Delegate::delegate(&mut **self, resume)
    }
}

fn forward<B: Resumable>(
    sub: &mut Co<B>,
    resume: Resume<B::Send, B::Error>,
) -> Step<B::Yield, Outcome<B>> {
    let closing = matches!(resume, Resume::Close);
    let runs = match (sub.state, &resume) {
        (State::Created, Resume::Start) => {
            events::started(sub.name());
            true
        }
        (State::Suspended, Resume::Send(_) | Resume::Throw(_) | Resume::Close) => true,
        (State::Suspended, Resume::Start) => {
            events::misuse(
                sub.name(),
                "yield_from! on a coroutine that was already started",
            );
            return Step::Return(Err(Exit::Closed));
        }
        _ => false,
    };
    if !runs {
        // A created sub asked to throw or close, or a closed sub asked anything: no body code
        // runs, exactly as `Co::throw` / `Co::close` / an exhausted `send` would answer.
        sub.state = State::Closed;
        return Step::Return(match resume {
            Resume::Throw(error) => Err(Exit::Raised(error)),
            _ => Err(Exit::Closed),
        });
    }
    match sub.run(resume) {
        CoroutineState::Yielded(value) => Step::Yield(value),
        CoroutineState::Complete(end) if closing => match end {
            Ok(_) | Err(Exit::Closed) => Step::Return(Err(Exit::Closed)),
            Err(raised) => Step::Return(Err(raised)),
        },
        CoroutineState::Complete(end) => Step::Return(end),
    }
}

/// Runs `f` with at least a red zone of stack left, growing the stack on the heap if needed.
#[inline(always)]
fn with_stack_room<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(feature = "deep-delegation")]
    {
        const RED_ZONE: usize = 128 * 1024;
        const NEW_SEGMENT: usize = 4 * 1024 * 1024;
        stacker::maybe_grow(RED_ZONE, NEW_SEGMENT, f)
    }
    #[cfg(not(feature = "deep-delegation"))]
    {
        f()
    }
}
