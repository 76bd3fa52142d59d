//! One test per numbered case of docs/semantics.md, named after it (`cNN_...`): the Python
//! generator protocol, case by case, as Volley shows it.
#![feature(coroutines)]

mod support;

use std::convert::Infallible;
use support::{at, capture, Log};
use tracing::Level;
use volley_core::genawaiter::FromGenawaiter;
use volley_core::{
    co_yield, yield_from, Body, BoxCo, Co, CoError, Exit, Gen, Protocol, Resume, SharedCo,
    SharedError, State, Step,
};

type Err = &'static str;

/// Logs each step and yields 1, 2, 3 (adding what is sent), then returns "done".
fn counter(log: Log) -> impl Body<i32, i32, &'static str, Err> {
    #[coroutine]
    move |_: Resume<i32, Err>| {
        log.push("start");
        let mut total = 0;
        for i in 1..=3 {
            let got = co_yield!(i + total)?;
            log.push(format!("got {got}"));
            total += got;
        }
        log.push("end");
        Ok("done")
    }
}

/// Yields forever and records how each resume arrived.
fn recorder(log: Log) -> impl Body<i32, i32, (), Err> {
    #[coroutine]
    move |_: Resume<i32, Err>| {
        let mut n = 0;
        loop {
            match co_yield!(n) {
                Ok(v) => {
                    log.push(format!("send {v}"));
                    n = v;
                }
                Err(Exit::Raised(e)) => log.push(format!("throw {e}")),
                Err(Exit::Closed) => {
                    log.push("close");
                    return Err(Exit::Closed);
                }
            }
        }
    }
}

fn letters(log: Log) -> impl Gen<char, usize> {
    #[coroutine]
    move |_: Resume<(), Infallible>| {
        for c in ['a', 'b', 'c'] {
            log.push(format!("make {c}"));
            co_yield!(c)?;
        }
        Ok(3)
    }
}

// ---- Creation and laziness -------------------------------------------------------------------

#[test]
fn c01_creating_runs_no_body_code() {
    let log = Log::default();
    let co = Co::new(counter(log.clone()));
    assert_eq!(co.state(), State::Created);
    assert!(log.get().is_empty());
}

#[test]
fn c02_side_effects_happen_one_yield_at_a_time() {
    let log = Log::default();
    let mut co = Co::new(counter(log.clone()));
    co.start().unwrap();
    assert_eq!(log.take(), ["start"]);
    co.send(10).unwrap();
    assert_eq!(log.take(), ["got 10"]);
    co.send(20).unwrap();
    assert_eq!(log.take(), ["got 20"]);
}

#[test]
fn c03_iteration_runs_the_body_on_demand() {
    let log = Log::default();
    let mut it = Co::new(letters(log.clone())).into_iter();
    assert!(log.get().is_empty());
    assert_eq!(it.next(), Some('a'));
    assert_eq!(log.take(), ["make a"]);
    assert_eq!(it.next(), Some('b'));
    assert_eq!(log.take(), ["make b"]);
}

// ---- start, send and priming ------------------------------------------------------------------

#[test]
fn c04_start_runs_to_the_first_yield() {
    let log = Log::default();
    let mut co = Co::new(counter(log.clone()));
    assert_eq!(co.start(), Ok(Step::Yield(1)));
    assert_eq!(co.state(), State::Suspended);
}

#[test]
fn c05_send_becomes_the_value_of_the_paused_yield() {
    let log = Log::default();
    let mut co = Co::new(counter(log.clone()));
    co.start().unwrap();
    assert_eq!(co.send(10), Ok(Step::Yield(12)));
    assert_eq!(log.get(), ["start", "got 10"]);
}

#[test]
fn c06_send_before_start_hands_value_back() {
    let log = Log::default();
    let mut co = Co::new(counter(log.clone()));
    assert_eq!(co.send(42), Err(CoError::NotStarted(42)));
    assert_eq!(co.state(), State::Created);
    assert!(log.get().is_empty(), "no body code ran");
    assert_eq!(co.start(), Ok(Step::Yield(1)));
}

#[test]
fn c07_start_on_suspended_is_already_started_and_resumes_nothing() {
    let log = Log::default();
    let mut co = Co::new(counter(log.clone()));
    co.start().unwrap();
    log.take();
    assert_eq!(co.start(), Err(CoError::AlreadyStarted));
    assert!(log.get().is_empty());
    assert_eq!(co.state(), State::Suspended);
    assert_eq!(
        co.send(1),
        Ok(Step::Yield(3)),
        "still paused at the first yield"
    );
}

#[test]
fn c08_body_error_comes_out_of_the_resume_and_closes() {
    let mut co = Co::new(
        #[coroutine]
        |_: Resume<i32, Err>| {
            let v = co_yield!(())?;
            if v < 0 {
                return Err(Exit::Raised("negative"));
            }
            Ok(v)
        },
    );
    co.start().unwrap();
    assert_eq!(co.send(-1), Err(CoError::Raised("negative")));
    assert_eq!(co.state(), State::Closed);

    let mut at_start: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| -> Result<(), Exit<Err>> { Err(Exit::Raised("at once")) },
    );
    assert_eq!(
        at_start.start(),
        Err::<Step<(), ()>, _>(CoError::Raised("at once"))
    );
    assert_eq!(at_start.state(), State::Closed);
}

// ---- Exhaustion and the return value ----------------------------------------------------------

#[test]
fn c09_return_value_ends_the_coroutine() {
    let log = Log::default();
    let mut co = Co::new(counter(log));
    co.start().unwrap();
    co.send(0).unwrap();
    co.send(0).unwrap();
    assert_eq!(co.send(0), Ok(Step::Return("done")));
    assert_eq!(co.state(), State::Closed);
}

#[test]
fn c10_return_value_is_given_once() {
    let mut co = Co::new(counter(Log::default()));
    co.start().unwrap();
    for _ in 0..2 {
        co.send(0).unwrap();
    }
    assert_eq!(co.send(0), Ok(Step::Return("done")));
    assert_eq!(co.send(0), Err(CoError::Exhausted));
    assert_eq!(co.send(0), Err(CoError::Exhausted));
    assert_eq!(co.start(), Err(CoError::Exhausted));
}

#[test]
fn c11_send_to_exhausted_is_exhausted_not_not_started() {
    let mut finished = Co::new(counter(Log::default()));
    finished.start().unwrap();
    while let Ok(Step::Yield(_)) = finished.send(0) {}
    assert_eq!(finished.send(7), Err(CoError::Exhausted));

    let mut closed_fresh = Co::new(counter(Log::default()));
    closed_fresh.close().unwrap();
    assert_eq!(closed_fresh.send(7), Err(CoError::Exhausted));
}

#[test]
fn c12_consuming_iteration_twice_does_not_compile() {
    // The compile-fail half lives in tests/ui/c12_double_consumer.rs (run by `ui_compile_errors`).
    // Here, the by-value half: `into_iter` takes the handle, and what it yields is everything.
    let log = Log::default();
    let co = Co::new(letters(log.clone()));
    let all: String = co.into_iter().collect();
    assert_eq!(all, "abc");
    assert_eq!(log.get(), ["make a", "make b", "make c"]);
}

#[test]
fn c13_iterating_exhausted_by_ref_warns_once_naming_it() {
    let mut co = Co::new(letters(Log::default())).named("parse_lines");
    assert_eq!((&mut co).into_iter().count(), 3);
    let (second, events) = capture(|| (&mut co).into_iter().count());
    assert_eq!(second, 0);
    let warns = at(&events, Level::WARN);
    assert_eq!(warns.len(), 1, "{events:?}");
    assert!(warns[0].fields.contains("co=parse_lines"), "{:?}", warns[0]);
    assert!(warns[0].fields.contains("exhausted"), "{:?}", warns[0]);
}

#[test]
fn c14_return_value_reachable_after_the_loop() {
    let mut co = Co::new(letters(Log::default()));
    for _ in &mut co {}
    assert_eq!(co.take_return(), Some(3));

    let mut owned = Co::new(letters(Log::default())).into_iter();
    for _ in owned.by_ref() {}
    assert_eq!(owned.take_return(), Some(3));
}

#[test]
fn c15_iteration_never_swallows_a_raised_error() {
    let mut co = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| {
            co_yield!(1)?;
            co_yield!(2)?;
            Err::<(), _>(Exit::Raised("corrupt record"))
        },
    );
    let items: Vec<Result<i32, Err>> = co.try_iter().collect();
    assert_eq!(items, [Ok(1), Ok(2), Err("corrupt record")]);
    let (rest, events) = capture(|| co.try_iter().count());
    assert_eq!(rest, 0);
    assert_eq!(
        at(&events, Level::WARN).len(),
        1,
        "asking again is reported"
    );
}

// ---- throw -------------------------------------------------------------------------------------

#[test]
fn c16_throw_raises_at_the_paused_yield() {
    let log = Log::default();
    let mut co = Co::new(recorder(log.clone()));
    co.start().unwrap();
    co.throw("boom").unwrap();
    assert_eq!(log.get(), ["throw boom"]);
}

#[test]
fn c17_caught_throw_returns_the_next_yield() {
    let mut co = Co::new(recorder(Log::default()));
    co.start().unwrap();
    co.send(5).unwrap();
    assert_eq!(co.throw("boom"), Ok(Step::Yield(5)));
    assert_eq!(co.state(), State::Suspended);
}

#[test]
fn c18_caught_throw_that_returns_gives_return() {
    let mut co = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| match co_yield!(()) {
            Err(Exit::Raised(e)) => Ok(format!("handled {e}")),
            _ => Ok("no error".to_string()),
        },
    );
    co.start().unwrap();
    assert_eq!(
        co.throw("boom"),
        Ok(Step::Return("handled boom".to_string()))
    );
    assert_eq!(co.state(), State::Closed);
}

#[test]
fn c19_uncaught_throw_propagates_the_same_value() {
    let mut co = Co::new(counter(Log::default()));
    co.start().unwrap();
    assert_eq!(co.throw("boom"), Err(CoError::Raised("boom")));
    assert_eq!(co.state(), State::Closed);
}

#[test]
fn c20_handler_raising_another_error_gives_that_error() {
    let mut co: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| match co_yield!(()) {
            Err(Exit::Raised(_)) => Err(Exit::Raised("while handling")),
            _ => Ok(()),
        },
    );
    co.start().unwrap();
    assert_eq!(co.throw("first"), Err(CoError::Raised("while handling")));
}

#[test]
fn c21_throw_on_created_runs_nothing_and_closes() {
    let log = Log::default();
    let mut co = Co::new(counter(log.clone()));
    assert_eq!(co.throw("early"), Err(CoError::Raised("early")));
    assert_eq!(co.state(), State::Closed);
    assert!(log.get().is_empty());
    assert_eq!(co.start(), Err(CoError::Exhausted));
}

#[test]
fn c22_throw_on_closed_runs_nothing() {
    let log = Log::default();
    let mut co = Co::new(recorder(log.clone()));
    co.start().unwrap();
    co.close().unwrap();
    log.take();
    assert_eq!(co.throw("late"), Err(CoError::Raised("late")));
    assert!(log.get().is_empty());
    assert_eq!(co.state(), State::Closed);
}

// ---- close -------------------------------------------------------------------------------------

#[test]
fn c23_close_delivers_closed_and_runs_cleanup() {
    let log = Log::default();
    let inner = log.clone();
    let mut co: Co<_> = Co::new(
        #[coroutine]
        move |_: Resume<(), Err>| {
            let _file = inner.guard("file");
            match co_yield!(()) {
                Err(Exit::Closed) => {
                    inner.push("close arm");
                    Err(Exit::Closed)
                }
                _ => Ok(()),
            }
        },
    );
    co.start().unwrap();
    assert_eq!(co.close(), Ok(None));
    assert_eq!(log.get(), ["close arm", "drop file"]);
    assert_eq!(co.state(), State::Closed);
}

#[test]
fn c24_close_on_created_runs_nothing() {
    let log = Log::default();
    let mut co = Co::new(counter(log.clone()));
    assert_eq!(co.close(), Ok(None));
    assert_eq!(co.state(), State::Closed);
    assert!(log.get().is_empty());
}

#[test]
fn c25_close_is_idempotent() {
    let log = Log::default();
    let mut co = Co::new(recorder(log.clone()));
    co.start().unwrap();
    assert_eq!(co.close(), Ok(None));
    assert_eq!(co.close(), Ok(None));
    assert_eq!(co.close(), Ok(None));
    assert_eq!(log.get(), ["close"], "the body saw Close once");
}

#[test]
fn c26_yield_after_close_is_ignored_close_and_stays_suspended() {
    let log = Log::default();
    let inner = log.clone();
    let mut co: Co<_> = Co::new(
        #[coroutine]
        move |_: Resume<(), Err>| {
            if let Err(Exit::Closed) = co_yield!("working") {
                inner.push("first close ignored");
                if let Err(Exit::Closed) = co_yield!("still working") {
                    inner.push("second close obeyed");
                    return Err(Exit::Closed);
                }
            }
            Ok(())
        },
    );
    co.start().unwrap();
    assert_eq!(co.close(), Err(CoError::IgnoredClose));
    assert_eq!(co.state(), State::Suspended);
    assert_eq!(co.close(), Ok(None));
    assert_eq!(log.get(), ["first close ignored", "second close obeyed"]);
}

#[test]
fn c27_close_handler_raising_gives_raised() {
    let mut co: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| match co_yield!(()) {
            Err(Exit::Closed) => Err(Exit::Raised("flush failed")),
            _ => Ok(()),
        },
    );
    co.start().unwrap();
    assert_eq!(co.close(), Err(CoError::Raised("flush failed")));
    assert_eq!(co.state(), State::Closed);
}

#[test]
fn c28_return_after_close_gives_the_value() {
    let mut co: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| match co_yield!(()) {
            Err(Exit::Closed) => Ok("summary"),
            _ => Ok("other"),
        },
    );
    co.start().unwrap();
    assert_eq!(co.close(), Ok(Some("summary")));
}

#[test]
fn c29_propagated_closed_gives_none() {
    let mut co = Co::new(counter(Log::default()));
    co.start().unwrap();
    assert_eq!(
        co.close(),
        Ok(None),
        "`co_yield!(..)?` propagates Exit::Closed"
    );
}

#[test]
fn c30_accumulating_sink_returns_its_result_from_close() {
    fn top2() -> impl Body<u32, (), Vec<u32>, Infallible> {
        #[coroutine]
        |_: Resume<u32, Infallible>| {
            let mut best: Vec<u32> = Vec::new();
            loop {
                match co_yield!(()) {
                    Ok(v) => {
                        best.push(v);
                        best.sort_unstable_by(|a, b| b.cmp(a));
                        best.truncate(2);
                    }
                    Err(Exit::Closed) => return Ok(best),
                    Err(e) => return Err(e),
                }
            }
        }
    }
    let mut sink = Co::new(top2());
    sink.start().unwrap();
    for v in [5, 1, 9, 7] {
        assert_eq!(sink.send(v), Ok(Step::Yield(())));
    }
    assert_eq!(sink.close(), Ok(Some(vec![9, 7])));
}

// ---- Re-entrancy -------------------------------------------------------------------------------

// c31 (a running coroutine cannot be resumed from inside itself) is a compile-time guarantee:
// `c31_resuming_from_inside_itself_does_not_compile` in tests/ui.rs compiles tests/ui/c31_reentry.rs
// and checks that it is rejected.

#[test]
fn c32_shared_handle_reentry_is_an_error_value() {
    use std::cell::RefCell;
    use std::rc::Rc;
    type Shared = SharedCo<volley_core::DynBody<'static, i32, &'static str, (), Err>>;
    let slot: Rc<RefCell<Option<Shared>>> = Rc::default();
    let inside = slot.clone();
    let shared: Shared = SharedCo::new(Co::boxed(
        #[coroutine]
        move |_: Resume<i32, Err>| {
            let me = inside.borrow().clone().expect("handle installed");
            assert_eq!(me.state(), None, "running: no state to read");
            let answers = [
                matches!(me.start(), Err(SharedError::AlreadyRunning(Resume::Start))),
                matches!(
                    me.send(4),
                    Err(SharedError::AlreadyRunning(Resume::Send(4)))
                ),
                matches!(
                    me.throw("x"),
                    Err(SharedError::AlreadyRunning(Resume::Throw("x")))
                ),
                matches!(me.close(), Err(SharedError::AlreadyRunning(Resume::Close))),
            ];
            co_yield!(if answers.iter().all(|a| *a) {
                "reentry refused"
            } else {
                "reentered!"
            })?;
            Ok(())
        },
    ));
    *slot.borrow_mut() = Some(shared.clone());
    assert_eq!(shared.start(), Ok(Step::Yield("reentry refused")));
    assert_eq!(shared.state(), Some(State::Suspended));
    slot.borrow_mut().take();
}

// ---- yield_from! -------------------------------------------------------------------------------

fn delegator<B>(log: Log, sub: Co<B>) -> impl Body<i32, i32, String, Err>
where
    B: Protocol<i32, i32, &'static str, Err>,
{
    #[coroutine]
    move |_: Resume<i32, Err>| {
        log.push("outer before");
        let got = yield_from!(sub);
        log.push(format!("outer got {got:?}"));
        match got {
            Ok(r) => Ok(format!("sub said {r}")),
            Err(e) => Err(e),
        }
    }
}

#[test]
fn c33_yield_from_starts_the_sub_at_once() {
    let log = Log::default();
    let mut outer = Co::new(delegator(log.clone(), Co::new(counter(log.clone()))));
    assert_eq!(
        outer.start(),
        Ok(Step::Yield(1)),
        "the sub's first yield goes straight out"
    );
    assert_eq!(log.get(), ["outer before", "start"]);
}

#[test]
fn c34_sub_yields_go_out_and_sends_go_in() {
    let log = Log::default();
    let mut outer = Co::new(delegator(log.clone(), Co::new(counter(log.clone()))));
    outer.start().unwrap();
    assert_eq!(outer.send(10), Ok(Step::Yield(12)));
    assert_eq!(outer.send(5), Ok(Step::Yield(18)));
    assert_eq!(log.get(), ["outer before", "start", "got 10", "got 5"]);
}

#[test]
fn c35_sub_return_value_is_the_value_of_yield_from() {
    let log = Log::default();
    let mut outer = Co::new(delegator(log.clone(), Co::new(counter(log.clone()))));
    outer.start().unwrap();
    outer.send(0).unwrap();
    outer.send(0).unwrap();
    assert_eq!(outer.send(0), Ok(Step::Return("sub said done".to_string())));
    assert_eq!(log.get().last().unwrap(), "outer got Ok(\"done\")");
}

#[test]
fn c36_empty_or_exhausted_sub_ends_at_once() {
    let mut empty = Co::new(
        #[coroutine]
        |_: Resume<(), Infallible>| {
            let end = yield_from!(std::iter::empty::<u8>());
            co_yield!(if end == Ok(()) { 1 } else { 0 })?;
            Ok(())
        },
    );
    assert_eq!(
        empty.start(),
        Ok(Step::Yield(1)),
        "nothing was yielded before"
    );

    let mut spent = Co::new(counter(Log::default()));
    spent.start().unwrap();
    while let Ok(Step::Yield(_)) = spent.send(0) {}
    let log = Log::default();
    let mut outer = Co::new(delegator(log.clone(), spent));
    assert_eq!(
        outer.start(),
        Err(CoError::Exhausted),
        "Err(Exit::Closed) came back at once"
    );
    assert_eq!(log.get(), ["outer before", "outer got Err(Closed)"]);
}

#[test]
fn c37_sub_error_arrives_at_yield_from_after_its_cleanup() {
    let log = Log::default();
    let sub_log = log.clone();
    let sub: Co<_> = Co::new(
        #[coroutine]
        move |_: Resume<i32, Err>| -> Result<(), Exit<Err>> {
            let _g = sub_log.guard("sub locals");
            Err(Exit::Raised("bad first record"))
        },
    );
    let outer_log = log.clone();
    let mut outer = Co::new(
        #[coroutine]
        move |_: Resume<i32, Err>| {
            match yield_from!(sub) {
                Err(Exit::Raised(e)) => outer_log.push(format!("caught {e}")),
                other => outer_log.push(format!("unexpected {other:?}")),
            }
            co_yield!(99)?;
            Ok(())
        },
    );
    assert_eq!(outer.start(), Ok(Step::Yield(99)));
    assert_eq!(log.get(), ["drop sub locals", "caught bad first record"]);
}

#[test]
fn c38_throw_is_forwarded_into_the_sub() {
    // The sub catches and yields: that yield comes out.
    let log = Log::default();
    let sub = Co::new(recorder(log.clone()));
    let mut outer = Co::new(
        #[coroutine]
        move |_: Resume<i32, Err>| {
            yield_from!(sub)?;
            Ok(())
        },
    );
    outer.start().unwrap();
    outer.send(3).unwrap();
    assert_eq!(outer.throw("reset"), Ok(Step::Yield(3)));
    assert_eq!(log.get(), ["send 3", "throw reset"]);

    // The sub returns on the throw: the outer body resumes with the value.
    let sub: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| match co_yield!(()) {
            Err(Exit::Raised(_)) => Ok("sub recovered"),
            _ => Ok("sub normal"),
        },
    );
    let mut outer = Co::new(
        #[coroutine]
        move |_: Resume<(), Err>| {
            let said = yield_from!(sub)?;
            co_yield!(())?;
            Ok(said)
        },
    );
    outer.start().unwrap();
    assert_eq!(outer.throw("x"), Ok(Step::Yield(())));
    assert_eq!(outer.send(()), Ok(Step::Return("sub recovered")));
}

#[test]
fn c39_plain_iterator_cannot_receive_a_throw() {
    let log = Log::default();
    let inner = log.clone();
    let mut outer = Co::new(
        #[coroutine]
        move |_: Resume<(), Err>| {
            match yield_from!(1..=5) {
                Err(Exit::Raised(e)) => inner.push(format!("outer caught {e}")),
                other => inner.push(format!("unexpected {other:?}")),
            }
            co_yield!(100)?;
            Ok(())
        },
    );
    assert_eq!(outer.start(), Ok(Step::Yield(1)));
    assert_eq!(outer.throw("stop"), Ok(Step::Yield(100)));
    assert_eq!(log.get(), ["outer caught stop"]);
}

fn nested(log: Log, depth: usize) -> BoxCo<'static, i32, i32, usize, Err> {
    Co::boxed(
        #[coroutine]
        move |_: Resume<i32, Err>| {
            let _g = log.guard(&format!("level {depth}"));
            if depth == 0 {
                let mut last = 0;
                loop {
                    match co_yield!(last) {
                        Ok(v) if v < 0 => return Ok(0),
                        Ok(v) => last = v,
                        Err(Exit::Closed) => {
                            log.push("innermost closing");
                            return Err(Exit::Closed);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            match yield_from!(nested(log.clone(), depth - 1)) {
                Ok(r) => Ok(r + 1),
                Err(Exit::Closed) => {
                    log.push(format!("level {depth} closing"));
                    Err(Exit::Closed)
                }
                Err(e) => Err(e),
            }
        },
    )
}

#[test]
fn c40_close_closes_the_sub_first() {
    let log = Log::default();
    let mut outer = nested(log.clone(), 2);
    outer.start().unwrap();
    assert_eq!(outer.close(), Ok(None));
    assert_eq!(
        log.get(),
        [
            "innermost closing",
            "drop level 0",
            "level 1 closing",
            "drop level 1",
            "level 2 closing",
            "drop level 2"
        ]
    );
}

#[test]
fn c41_sub_close_raising_or_ignoring_reaches_the_outer_body() {
    let sub: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| match co_yield!(()) {
            Err(Exit::Closed) => Err(Exit::Raised("sub flush failed")),
            _ => Ok(()),
        },
    );
    let seen = Log::default();
    let inner = seen.clone();
    let mut outer = Co::new(
        #[coroutine]
        move |_: Resume<(), Err>| {
            let end = yield_from!(sub);
            inner.push(format!("outer saw {end:?}"));
            end
        },
    );
    outer.start().unwrap();
    assert_eq!(outer.close(), Err(CoError::Raised("sub flush failed")));
    assert_eq!(seen.get(), ["outer saw Err(Raised(\"sub flush failed\"))"]);

    let stubborn: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| {
            let _ = co_yield!("busy");
            let _ = co_yield!("ignoring close");
            Ok(())
        },
    );
    let mut outer = Co::new(
        #[coroutine]
        move |_: Resume<(), Err>| yield_from!(stubborn),
    );
    outer.start().unwrap();
    assert_eq!(outer.close(), Err(CoError::IgnoredClose));
    assert_eq!(outer.state(), State::Suspended);
    assert_eq!(
        outer.close(),
        Ok(None),
        "the second close reaches the sub again"
    );
}

#[test]
fn c42_chains_of_any_depth_forward_every_call() {
    let log = Log::default();
    let mut chain = nested(log.clone(), 50);
    assert_eq!(chain.start(), Ok(Step::Yield(0)));
    assert_eq!(chain.send(7), Ok(Step::Yield(7)));
    assert_eq!(chain.throw("ignored?"), Err(CoError::Raised("ignored?")));
    let mut chain = nested(Log::default(), 50);
    chain.start().unwrap();
    assert_eq!(
        chain.send(-1),
        Ok(Step::Return(50)),
        "each level added one on the way out"
    );
}

#[test]
fn c43_recursive_delegation_works_at_great_depth() {
    // A linked list as a degenerate tree, flattened by a coroutine that delegates to itself.
    enum Tree {
        Leaf(u32),
        Node(Vec<Tree>),
    }
    fn walk(tree: &Tree) -> BoxCo<'_, (), u32, (), Infallible> {
        Co::boxed(
            #[coroutine]
            move |_: Resume<(), Infallible>| {
                match tree {
                    Tree::Leaf(v) => {
                        co_yield!(*v)?;
                    }
                    Tree::Node(children) => {
                        for child in children {
                            yield_from!(walk(child))?;
                        }
                    }
                }
                Ok(())
            },
        )
    }
    // One leaf at the bottom of a 100,000-deep chain: every resume crosses every level.
    const DEPTH: u32 = 100_000;
    let mut tree = Tree::Leaf(DEPTH);
    for level in (0..DEPTH).rev() {
        tree = Tree::Node(vec![tree]);
        if level == 0 {
            tree = Tree::Node(vec![Tree::Leaf(0), tree]);
        }
    }
    let mut flat = walk(&tree).into_iter();
    assert_eq!(flat.next(), Some(0));
    assert_eq!(
        flat.next(),
        Some(DEPTH),
        "the value at the bottom came up through every level"
    );
    assert_eq!(flat.next(), None);
    drop(flat);
    // Take the tree apart without recursion (its own Drop would recurse DEPTH deep).
    let mut node = tree;
    while let Tree::Node(mut children) = node {
        node = children.pop().unwrap();
    }
}

// ---- Finalisation -------------------------------------------------------------------------------

#[test]
fn c44_dropping_suspended_runs_close_and_others_run_nothing() {
    let log = Log::default();
    let mut suspended = Co::new(recorder(log.clone()));
    suspended.start().unwrap();
    drop(suspended);
    assert_eq!(log.take(), ["close"]);

    drop(Co::new(recorder(log.clone())));
    let mut closed = Co::new(recorder(log.clone()));
    closed.start().unwrap();
    closed.close().unwrap();
    log.take();
    drop(closed);
    assert!(log.get().is_empty());
}

#[test]
fn c45_errors_while_closing_on_drop_are_logged_not_panics() {
    let raising: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| {
            co_yield!(()).map_err(|_| Exit::Raised("cannot flush"))?;
            Ok(())
        },
    );
    let ignoring: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| {
            let _ = co_yield!(());
            let _ = co_yield!(());
            Ok(())
        },
    );
    let ((), events) = capture(|| {
        let mut a = raising.named("raising");
        a.start().unwrap();
        drop(a);
        let mut b = ignoring.named("ignoring");
        b.start().unwrap();
        drop(b);
    });
    let errors = at(&events, Level::ERROR);
    assert_eq!(errors.len(), 2, "{events:?}");
    assert!(errors[0].fields.contains("co=raising") && errors[0].fields.contains("raised"));
    assert!(errors[1].fields.contains("co=ignoring") && errors[1].fields.contains("ignored_close"));
}

#[test]
fn c46_dropping_the_outer_mid_delegation_closes_innermost_first() {
    let log = Log::default();
    let mut outer = nested(log.clone(), 3);
    outer.start().unwrap();
    outer.send(1).unwrap();
    drop(outer);
    let got = log.get();
    assert_eq!(got[0], "innermost closing");
    let order: Vec<&String> = got.iter().filter(|l| l.starts_with("drop")).collect();
    assert_eq!(
        order,
        [
            "drop level 0",
            "drop level 1",
            "drop level 2",
            "drop level 3"
        ]
    );
}

#[test]
fn c47_nothing_runs_from_drop_while_panicking() {
    let log = Log::default();
    let inner = log.clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut co = Co::new(recorder(inner));
        co.start().unwrap();
        panic!("caller failed while holding a suspended coroutine");
    }));
    assert!(result.is_err());
    assert!(
        log.get().is_empty(),
        "no close ran during unwinding: {:?}",
        log.get()
    );

    // A body that panics leaves its handle closed: dropping it later runs nothing and is safe.
    let mut bad: Co<_> = Co::new(
        #[coroutine]
        |_: Resume<(), Err>| -> Result<(), Exit<Err>> {
            co_yield!(())?;
            panic!("body bug");
        },
    );
    bad.start().unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bad.send(())));
    assert!(panicked.is_err());
    assert_eq!(bad.state(), State::Closed);
    assert_eq!(bad.send(()), Err(CoError::Exhausted));
    drop(bad);
}

// ---- Interop -------------------------------------------------------------------------------------

#[test]
fn c48_stream_sink_and_genawaiter_interop() {
    use futures::executor::block_on;
    use futures::{SinkExt, StreamExt};

    let stream = Co::new(letters(Log::default()))
        .into_iter()
        .collect::<String>();
    assert_eq!(stream, "abc");
    let items: Vec<Result<char, Infallible>> =
        block_on(Co::new(letters(Log::default())).into_stream().collect());
    assert_eq!(items, [Ok('a'), Ok('b'), Ok('c')]);

    let log = Log::default();
    let mut sink = Co::new(recorder(log.clone())).into_sink();
    block_on(async {
        sink.send(1).await.unwrap();
        sink.send(2).await.unwrap();
        sink.close().await.unwrap();
    });
    assert_eq!(log.get(), ["send 1", "send 2", "close"]);

    let gen = genawaiter::rc::Gen::new(|co| async move {
        let mut seen = Vec::new();
        loop {
            let v: i32 = co.yield_(seen.len()).await;
            seen.push(v);
            if v < 0 {
                return seen;
            }
        }
    });
    let mut wrapped: Co<FromGenawaiter<_, Err>> = Co::from_genawaiter(gen);
    assert_eq!(wrapped.send(5), Err(CoError::NotStarted(5)));
    assert_eq!(wrapped.start(), Ok(Step::Yield(0)));
    assert_eq!(wrapped.send(5), Ok(Step::Yield(1)));
    assert_eq!(wrapped.send(-1), Ok(Step::Return(vec![5, -1])));

    // A genawaiter generator as a sub-coroutine of a Volley body, and thrown into.
    let gen = genawaiter::rc::Gen::new(|co| async move {
        co.yield_(10).await;
        co.yield_(20).await;
    });
    let sub: Co<FromGenawaiter<_, Err>> = Co::from_genawaiter(gen);
    let mut outer = Co::new(
        #[coroutine]
        move |_: Resume<(), Err>| {
            let end = yield_from!(sub);
            co_yield!(if end == Err(Exit::Raised("stop")) {
                -1
            } else {
                0
            })?;
            Ok(())
        },
    );
    assert_eq!(outer.start(), Ok(Step::Yield(10)));
    assert_eq!(outer.throw("stop"), Ok(Step::Yield(-1)));
}

#[test]
fn c49_hot_path_is_a_plain_resume() {
    // Timing lives in `cargo bench -p volley-benches --bench core`; here, the structural half:
    // the handle adds a few words around the body (no boxing, no per-resume allocation, see
    // tests/no_alloc.rs).
    let body = recorder(Log::default());
    let body_size = std::mem::size_of_val(&body);
    let co = Co::new(body);
    assert!(
        std::mem::size_of_val(&co) <= body_size + 64,
        "handle overhead: {} bytes",
        std::mem::size_of_val(&co) - body_size
    );
}
