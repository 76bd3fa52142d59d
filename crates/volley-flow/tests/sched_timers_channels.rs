//! Scheduler timers and channels: sleep ordering, 100,000 sleepers, backpressure and close.
#![feature(coroutines, stmt_expr_attributes)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use volley_core::{yield_from, Exit};
use volley_flow::sched::{
    sleep, sleep_until, spawn_detached, yield_now, Channel, Scheduler, SendError, TaskResume,
};

#[test]
fn sleepers_wake_in_deadline_order_not_spawn_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut sched = Scheduler::new();
    for (name, ms) in [("slow", 30u64), ("fast", 5), ("medium", 15), ("instant", 0)] {
        let order = order.clone();
        sched.spawn(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(Duration::from_millis(ms)))?;
                order.borrow_mut().push(name);
                Ok(())
            },
        );
    }
    let started = Instant::now();
    sched.run().unwrap();
    assert_eq!(*order.borrow(), ["instant", "fast", "medium", "slow"]);
    assert!(started.elapsed() >= Duration::from_millis(30));
}

#[test]
fn a_sleeping_task_lets_others_run_meanwhile() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut sched = Scheduler::new();
    let out = order.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(sleep(Duration::from_millis(10)))?;
            out.borrow_mut().push("sleeper woke".to_string());
            Ok(())
        },
    );
    let out = order.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            for i in 0..3 {
                out.borrow_mut().push(format!("busy {i}"));
                yield_from!(yield_now())?;
            }
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(
        *order.borrow(),
        ["busy 0", "busy 1", "busy 2", "sleeper woke"]
    );
}

#[test]
fn sleep_until_a_past_instant_returns_at_the_next_round() {
    let mut sched = Scheduler::new();
    let past = Instant::now();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(sleep_until(past))?;
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(sched.stats().finished, 1);
}

#[test]
fn a_hundred_thousand_sleepers_all_wake_in_deadline_order() {
    const SLEEPERS: u64 = 100_000;
    let woken = Rc::new(RefCell::new(Vec::with_capacity(SLEEPERS as usize)));
    let base = Instant::now() + Duration::from_millis(20);
    let mut sched = Scheduler::new();
    for n in 0..SLEEPERS {
        let woken = woken.clone();
        // Deadlines interleaved so that spawn order and wake order differ.
        let offset = (n * 7919) % SLEEPERS;
        let deadline = base + Duration::from_micros(offset);
        sched.spawn_detached(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep_until(deadline))?;
                woken.borrow_mut().push(offset);
                Ok(())
            },
        );
    }
    sched.run().unwrap();
    let woken = woken.borrow();
    assert_eq!(woken.len(), SLEEPERS as usize);
    assert!(
        woken.windows(2).all(|w| w[0] <= w[1]),
        "woken in deadline order"
    );
    assert_eq!(sched.stats().alive, 0);
}

#[test]
fn a_full_channel_suspends_the_sender_until_the_receiver_takes() {
    let events = Rc::new(RefCell::new(Vec::new()));
    let chan = Channel::bounded(2);
    let mut sched = Scheduler::new();
    let (tx, out) = (chan.clone(), events.clone());
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            for n in 0..5 {
                yield_from!(tx.send(n))?.expect("open");
                out.borrow_mut()
                    .push(format!("sent {n} (len {})", tx.len()));
            }
            yield_from!(tx.close())?;
            Ok(())
        },
    );
    let out = events.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            while let Some(n) = yield_from!(chan.recv())? {
                out.borrow_mut().push(format!("got {n}"));
            }
            out.borrow_mut().push("closed".into());
            Ok(())
        },
    );
    sched.run().unwrap();
    let events = events.borrow();
    // The sender never gets more than the capacity ahead of the receiver.
    let mut in_flight: i32 = 0;
    for e in events.iter() {
        if e.starts_with("sent") {
            in_flight += 1;
        } else if e.starts_with("got") {
            in_flight -= 1;
        }
        assert!((0..=2).contains(&in_flight), "{events:?}");
    }
    assert_eq!(events.iter().filter(|e| e.starts_with("got")).count(), 5);
    assert_eq!(events.last().unwrap(), "closed");
    assert_eq!(events[0], "sent 0 (len 1)");
    assert_eq!(events[1], "sent 1 (len 2)");
    assert_eq!(events[2], "got 0", "the third send parked the sender");
}

#[test]
fn closing_a_channel_wakes_every_waiter_and_hands_messages_back() {
    let events = Rc::new(RefCell::new(Vec::new()));
    let full: Channel<&'static str> = Channel::bounded(1);
    let empty: Channel<u8> = Channel::bounded(1);
    let mut sched = Scheduler::new();
    for i in 0..3 {
        let (rx, out) = (empty.clone(), events.clone());
        sched.spawn(
            #[coroutine]
            move |_: TaskResume| {
                let got = yield_from!(rx.recv())?;
                out.borrow_mut().push(format!("receiver {i}: {got:?}"));
                Ok(())
            },
        );
    }
    let (tx, out) = (full.clone(), events.clone());
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(tx.send("fits"))?.expect("room for one");
            let back = yield_from!(tx.send("blocked"))?;
            out.borrow_mut().push(format!("sender: {back:?}"));
            Ok(())
        },
    );
    let out = events.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            let woken = yield_from!(empty.close())? + yield_from!(full.close())?;
            out.borrow_mut().push(format!("closer woke {woken}"));
            assert_eq!(
                yield_from!(full.recv())?,
                Some("fits"),
                "left-over message drained"
            );
            assert_eq!(yield_from!(full.recv())?, None);
            Ok(())
        },
    );
    sched.run().unwrap();
    assert_eq!(
        *events.borrow(),
        [
            "closer woke 4",
            "receiver 0: None",
            "receiver 1: None",
            "receiver 2: None",
            "sender: Err(SendError(\"blocked\"))",
        ]
    );
}

#[test]
fn many_producers_and_consumers_lose_no_message() {
    const PRODUCERS: u64 = 50;
    const EACH: u64 = 200;
    let chan = Channel::bounded(8);
    let total = Rc::new(RefCell::new(0u64));
    let received = Rc::new(RefCell::new(0u64));
    let mut sched = Scheduler::new();
    let done = Channel::bounded(PRODUCERS as usize);
    for p in 0..PRODUCERS {
        let (tx, done) = (chan.clone(), done.clone());
        sched.spawn_detached(
            #[coroutine]
            move |_: TaskResume| {
                for i in 0..EACH {
                    yield_from!(tx.send(p * EACH + i))?.expect("open");
                }
                yield_from!(done.send(()))?.expect("open");
                Ok(())
            },
        );
    }
    let closer = chan.clone();
    sched.spawn_detached(
        #[coroutine]
        move |_: TaskResume| {
            for _ in 0..PRODUCERS {
                yield_from!(done.recv())?;
            }
            yield_from!(closer.close())?;
            Ok(())
        },
    );
    for _ in 0..5 {
        let (rx, total, received) = (chan.clone(), total.clone(), received.clone());
        sched.spawn_detached(
            #[coroutine]
            move |_: TaskResume| {
                while let Some(n) = yield_from!(rx.recv())? {
                    *total.borrow_mut() += n;
                    *received.borrow_mut() += 1;
                    if n % 3 == 0 {
                        yield_from!(yield_now())?;
                    }
                }
                Ok(())
            },
        );
    }
    sched.run().unwrap();
    let n = PRODUCERS * EACH;
    assert_eq!(*received.borrow(), n);
    assert_eq!(*total.borrow(), n * (n - 1) / 2);
}

#[test]
fn a_sender_killed_while_parked_drops_its_message_and_nothing_else() {
    let chan = Channel::bounded(1);
    let mut sched = Scheduler::new();
    let tx = chan.clone();
    let sender = sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(tx.send(1))?.expect("open");
            let r = yield_from!(tx.send(2));
            assert!(matches!(r, Err(Exit::Closed)), "killed while parked");
            r?.expect("unreachable");
            Ok(())
        },
    );
    let tx = chan.clone();
    sched.spawn(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(yield_now())?;
            yield_from!(volley_flow::sched::kill(sender))?;
            assert_eq!(yield_from!(tx.recv())?, Some(1));
            yield_from!(spawn_detached(
                #[coroutine]
                |_: TaskResume| Ok(())
            ))?;
            assert_eq!(yield_from!(tx.send(3))?, Ok(()));
            assert_eq!(yield_from!(tx.recv())?, Some(3));
            yield_from!(tx.close())?;
            assert_eq!(yield_from!(tx.send(4))?, Err(SendError(4)));
            Ok(())
        },
    );
    sched.run().unwrap();
}
