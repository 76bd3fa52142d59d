//! Model-based property test: random sequences of `start`/`send`/`throw`/`close` against bodies
//! that catch, ignore, re-raise or return, checked call by call against a reference state machine
//! of the outcome table in docs/semantics.md. The same sequences also run through a `yield_from!`
//! wrapper, which must be indistinguishable (but for the value a body returns on close, which
//! delegation turns into a plain close, as Python's `yield from` does).
#![feature(coroutines)]

use proptest::prelude::*;
use volley_core::{co_yield, yield_from, Body, Co, CoError, Exit, Protocol, Resume, State, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fault(u8);

#[derive(Debug, Clone, Copy)]
enum OnThrow {
    CatchAndYield,
    CatchAndReturn,
    Propagate,
    RaiseAnother,
}

#[derive(Debug, Clone, Copy)]
enum OnClose {
    Propagate,
    ReturnTotal,
    Raise,
    IgnoreOnce,
}

#[derive(Debug, Clone, Copy)]
struct Policy {
    /// How many sends the body accepts before it returns its total.
    limit: u32,
    on_throw: OnThrow,
    on_close: OnClose,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Start,
    Send(u32),
    Throw(u8),
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Step(Result<Step<u32, u32>, CoError<u32, Fault>>),
    Close(Result<Option<u32>, CoError<u32, Fault>>),
}

const CLOSE_FAULT: Fault = Fault(200);

fn body(p: Policy) -> impl Body<u32, u32, u32, Fault> {
    #[coroutine]
    move |_: Resume<u32, Fault>| {
        let (mut total, mut sends, mut ignored) = (0u32, 0u32, false);
        loop {
            if sends == p.limit {
                return Ok(total);
            }
            match co_yield!(total) {
                Ok(v) => {
                    total += v;
                    sends += 1;
                }
                Err(Exit::Raised(Fault(e))) => match p.on_throw {
                    OnThrow::CatchAndYield => total += 1000,
                    OnThrow::CatchAndReturn => return Ok(total + 1000),
                    OnThrow::Propagate => return Err(Exit::Raised(Fault(e))),
                    OnThrow::RaiseAnother => return Err(Exit::Raised(Fault(e + 100))),
                },
                Err(Exit::Closed) => match p.on_close {
                    OnClose::Propagate => return Err(Exit::Closed),
                    OnClose::ReturnTotal => return Ok(total),
                    OnClose::Raise => return Err(Exit::Raised(CLOSE_FAULT)),
                    OnClose::IgnoreOnce if !ignored => ignored = true,
                    OnClose::IgnoreOnce => return Err(Exit::Closed),
                },
            }
        }
    }
}

fn delegating(p: Policy) -> impl Body<u32, u32, u32, Fault> {
    #[coroutine]
    move |_: Resume<u32, Fault>| yield_from!(Co::new(body(p)))
}

/// The reference: what the outcome table says each call must answer.
struct Model {
    policy: Policy,
    delegated: bool,
    state: State,
    total: u32,
    sends: u32,
    ignored: bool,
}

impl Model {
    fn new(policy: Policy, delegated: bool) -> Self {
        Model {
            policy,
            delegated,
            state: State::Created,
            total: 0,
            sends: 0,
            ignored: false,
        }
    }

    fn finish(&mut self, out: Result<Step<u32, u32>, CoError<u32, Fault>>) -> Outcome {
        if !matches!(out, Ok(Step::Yield(_))) {
            self.state = State::Closed;
        }
        Outcome::Step(out)
    }

    fn apply(&mut self, op: Op) -> Outcome {
        use State::*;
        let p = self.policy;
        match (op, self.state) {
            (Op::Start, Created) => {
                self.state = Suspended;
                let out = if p.limit == 0 {
                    Ok(Step::Return(0))
                } else {
                    Ok(Step::Yield(0))
                };
                self.finish(out)
            }
            (Op::Start, Suspended) => Outcome::Step(Err(CoError::AlreadyStarted)),
            (Op::Start | Op::Send(_), Closed) => Outcome::Step(Err(CoError::Exhausted)),
            (Op::Send(v), Created) => Outcome::Step(Err(CoError::NotStarted(v))),
            (Op::Send(v), Suspended) => {
                self.total += v;
                self.sends += 1;
                let out = if self.sends == p.limit {
                    Ok(Step::Return(self.total))
                } else {
                    Ok(Step::Yield(self.total))
                };
                self.finish(out)
            }
            (Op::Throw(e), Created | Closed) => {
                self.state = Closed;
                Outcome::Step(Err(CoError::Raised(Fault(e))))
            }
            (Op::Throw(e), Suspended) => {
                let out = match p.on_throw {
                    OnThrow::CatchAndYield => {
                        self.total += 1000;
                        Ok(Step::Yield(self.total))
                    }
                    OnThrow::CatchAndReturn => Ok(Step::Return(self.total + 1000)),
                    OnThrow::Propagate => Err(CoError::Raised(Fault(e))),
                    OnThrow::RaiseAnother => Err(CoError::Raised(Fault(e + 100))),
                };
                self.finish(out)
            }
            (Op::Close, Created | Closed) => {
                self.state = Closed;
                Outcome::Close(Ok(None))
            }
            (Op::Close, Suspended) => {
                let out = match p.on_close {
                    OnClose::Propagate => Ok(None),
                    OnClose::ReturnTotal if self.delegated => Ok(None),
                    OnClose::ReturnTotal => Ok(Some(self.total)),
                    OnClose::Raise => Err(CoError::Raised(CLOSE_FAULT)),
                    OnClose::IgnoreOnce if !self.ignored => {
                        self.ignored = true;
                        return Outcome::Close(Err(CoError::IgnoredClose));
                    }
                    OnClose::IgnoreOnce => Ok(None),
                };
                self.state = Closed;
                Outcome::Close(out)
            }
        }
    }
}

fn drive<B: Protocol<u32, u32, u32, Fault>>(co: &mut Co<B>, op: Op) -> Outcome {
    match op {
        Op::Start => Outcome::Step(co.start()),
        Op::Send(v) => Outcome::Step(co.send(v)),
        Op::Throw(e) => Outcome::Step(co.throw(Fault(e))),
        Op::Close => Outcome::Close(co.close()),
    }
}

fn policy() -> impl Strategy<Value = Policy> {
    let on_throw = prop_oneof![
        Just(OnThrow::CatchAndYield),
        Just(OnThrow::CatchAndReturn),
        Just(OnThrow::Propagate),
        Just(OnThrow::RaiseAnother),
    ];
    let on_close = prop_oneof![
        Just(OnClose::Propagate),
        Just(OnClose::ReturnTotal),
        Just(OnClose::Raise),
        Just(OnClose::IgnoreOnce),
    ];
    (0u32..5, on_throw, on_close).prop_map(|(limit, on_throw, on_close)| Policy {
        limit,
        on_throw,
        on_close,
    })
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    // Weighted towards `send` so bodies get deep enough to reach their limits.
    let op = prop_oneof![
        2 => Just(Op::Start),
        5 => (0u32..10).prop_map(Op::Send),
        2 => (0u8..50).prop_map(Op::Throw),
        2 => Just(Op::Close),
    ];
    prop::collection::vec(op, 1..16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn calls_follow_the_outcome_table(p in policy(), ops in ops()) {
        let mut co = Co::new(body(p));
        let mut model = Model::new(p, false);
        for (i, op) in ops.iter().enumerate() {
            let got = drive(&mut co, *op);
            let want = model.apply(*op);
            prop_assert_eq!(&got, &want, "call {} ({:?}) of {:?} with {:?}", i, op, ops, p);
            prop_assert_eq!(co.state(), model.state, "state after call {} ({:?})", i, op);
        }
    }

    #[test]
    fn delegation_is_transparent(p in policy(), ops in ops()) {
        let mut co = Co::new(delegating(p));
        let mut model = Model::new(p, true);
        for (i, op) in ops.iter().enumerate() {
            let got = drive(&mut co, *op);
            let want = model.apply(*op);
            prop_assert_eq!(&got, &want, "call {} ({:?}) of {:?} with {:?}", i, op, ops, p);
            prop_assert_eq!(co.state(), model.state, "state after call {} ({:?})", i, op);
        }
    }
}
