//! Scheduler timers and channels: sleep ordering, 100,000 sleepers, backpressure and close.
#![feature(coroutines, stmt_expr_attributes)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use volley::sched::sync::{race, Channel, SendError, TryRecvError, TrySendError};
use volley::sched::task::yield_now;
use volley::sched::time::{sleep, sleep_until, timeout};
use volley::sched::{spawn, Scheduler, TaskResume};
use volley::{yield_from, Co, Exit};

#[test]
fn sleepers_wake_in_deadline_order_not_spawn_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut sched = Scheduler::new();
    for (name, ms) in [("slow", 30u64), ("fast", 5), ("medium", 15), ("instant", 0)] {
        let order = order.clone();
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    yield_from!(sleep(Duration::from_millis(ms)))?;
                    order.borrow_mut().push(name);
                    Ok(())
                },
            ))
            .detach();
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
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(Duration::from_millis(10)))?;
                out.borrow_mut().push("sleeper woke".to_string());
                Ok(())
            },
        ))
        .detach();
    let out = order.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for i in 0..3 {
                    out.borrow_mut().push(format!("busy {i}"));
                    yield_from!(yield_now())?;
                }
                Ok(())
            },
        ))
        .detach();
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
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep_until(past))?;
                Ok(())
            },
        ))
        .detach();
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
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    yield_from!(sleep_until(deadline))?;
                    woken.borrow_mut().push(offset);
                    Ok(())
                },
            ))
            .detach();
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
    sched
        .spawn(Co::new(
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
        ))
        .detach();
    let out = events.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                while let Some(n) = yield_from!(chan.recv())? {
                    out.borrow_mut().push(format!("got {n}"));
                }
                out.borrow_mut().push("closed".into());
                Ok(())
            },
        ))
        .detach();
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
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    let got = yield_from!(rx.recv())?;
                    out.borrow_mut().push(format!("receiver {i}: {got:?}"));
                    Ok(())
                },
            ))
            .detach();
    }
    let (tx, out) = (full.clone(), events.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(tx.send("fits"))?.expect("room for one");
                let back = yield_from!(tx.send("blocked"))?;
                out.borrow_mut().push(format!("sender: {back:?}"));
                Ok(())
            },
        ))
        .detach();
    let out = events.clone();
    sched
        .spawn(Co::new(
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
        ))
        .detach();
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
        sched
            .spawn(Co::new(
                #[coroutine]
                move |_: TaskResume| {
                    for i in 0..EACH {
                        yield_from!(tx.send(p * EACH + i))?.expect("open");
                    }
                    yield_from!(done.send(()))?.expect("open");
                    Ok(())
                },
            ))
            .detach();
    }
    let closer = chan.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for _ in 0..PRODUCERS {
                    yield_from!(done.recv())?;
                }
                yield_from!(closer.close())?;
                Ok(())
            },
        ))
        .detach();
    for _ in 0..5 {
        let (rx, total, received) = (chan.clone(), total.clone(), received.clone());
        sched
            .spawn(Co::new(
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
            ))
            .detach();
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
    let sender = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(tx.send(1))?.expect("open");
            let r = yield_from!(tx.send(2));
            assert!(matches!(r, Err(Exit::Closed)), "killed while parked");
            r?.expect("unreachable");
            Ok(())
        },
    ));
    let tx = chan.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(yield_now())?;
                yield_from!(sender.kill())?;
                assert_eq!(yield_from!(tx.recv())?, Some(1));
                yield_from!(spawn(Co::new(
                    #[coroutine]
                    |_: TaskResume| Ok(())
                )))?
                .detach();
                assert_eq!(yield_from!(tx.send(3))?, Ok(()));
                assert_eq!(yield_from!(tx.recv())?, Some(3));
                yield_from!(tx.close())?;
                assert_eq!(yield_from!(tx.send(4))?, Err(SendError(4)));
                Ok(())
            },
        ))
        .detach();
    sched.run().unwrap();
}

#[test]
fn try_send_and_try_recv_never_wait_and_wake_parked_tasks() {
    let chan: Channel<u32> = Channel::bounded(1);
    assert_eq!(chan.try_recv(), Err(TryRecvError::Empty));
    let mut sched = Scheduler::new();
    let rx = chan.clone();
    let receiver = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(rx.recv())?),
    ));
    let tx = chan.clone();
    let sender = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(yield_now())?; // the receiver is parked by now
            tx.try_send(1).expect("room");
            assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
            Ok(())
        },
    ));
    sched.run().unwrap();
    assert_eq!(receiver.take_outcome().unwrap().unwrap(), Some(1));
    assert!(sender.take_outcome().unwrap().is_ok());

    // A sender parked on a full channel is woken by a try_recv from outside the tasks.
    chan.try_send(10).unwrap();
    let tx = chan.clone();
    let blocked_sender = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(tx.send(11))?.is_ok()),
    ));
    sched.run_once();
    assert!(!blocked_sender.is_finished(), "parked on the full channel");
    assert_eq!(chan.try_recv(), Ok(10));
    assert!(sched.join(blocked_sender).unwrap());
    assert_eq!(chan.try_recv(), Ok(11));
    chan.try_send(12).unwrap();
    let closer = chan.clone();
    let closed = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| Ok(yield_from!(closer.close())?),
    ));
    sched.join(closed).unwrap();
    assert_eq!(chan.try_recv(), Ok(12), "drained after close");
    assert_eq!(chan.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(chan.try_send(13), Err(TrySendError::Closed(13)));
}

/// A helper that parks on a channel and records its cleanup when closed.
fn recv_or_log(
    chan: Channel<&'static str>,
    log: Rc<RefCell<Vec<String>>>,
    who: &'static str,
) -> Co<impl volley::sched::TaskBody<Option<&'static str>>> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| match yield_from!(chan.recv()) {
            Err(Exit::Closed) => {
                log.borrow_mut().push(format!("{who} closed"));
                Err(Exit::Closed)
            }
            other => other,
        },
    )
}

#[test]
fn race_evaluates_to_the_first_to_finish_and_closes_the_loser() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let left: Channel<&'static str> = Channel::bounded(1);
    let right: Channel<&'static str> = Channel::bounded(1);
    let mut sched = Scheduler::new();
    let (l, r, out) = (left.clone(), right.clone(), log.clone());
    let racer = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let first = yield_from!(race(
                recv_or_log(l.clone(), out.clone(), "left"),
                recv_or_log(r.clone(), out.clone(), "right")
            ))?;
            out.borrow_mut().push(format!("first: {first:?}"));
            let second = yield_from!(race(
                recv_or_log(l.clone(), out.clone(), "left"),
                recv_or_log(r.clone(), out.clone(), "right")
            ))?;
            out.borrow_mut().push(format!("second: {second:?}"));
            Ok(())
        },
    ));
    let (l, r) = (left.clone(), right.clone());
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                for _ in 0..3 {
                    yield_from!(yield_now())?;
                }
                yield_from!(r.send("from the right"))??;
                for _ in 0..3 {
                    yield_from!(yield_now())?;
                }
                yield_from!(l.send("from the left"))??;
                Ok(())
            },
        ))
        .detach();
    sched.join(racer).unwrap();
    sched.run().unwrap();
    assert_eq!(
        *log.borrow(),
        [
            "left closed",
            "first: Right(Some(\"from the right\"))",
            "right closed",
            "second: Left(Some(\"from the left\"))",
        ]
    );
    assert!(
        left.is_empty() && right.is_empty(),
        "the losers took no message"
    );
    assert_eq!(sched.stats().alive, 0);
}

#[test]
fn a_timeout_closes_a_slow_helper_and_passes_a_quick_one() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let quiet: Channel<&'static str> = Channel::bounded(1);
    let mut sched = Scheduler::new();
    let (rx, out) = (quiet.clone(), log.clone());
    let waiter = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let slow = yield_from!(timeout(
                Duration::from_millis(5),
                recv_or_log(rx.clone(), out.clone(), "slow recv")
            ))?;
            let quick = yield_from!(timeout(Duration::from_secs(3600), yield_now()))?;
            Ok((slow.map_err(|e| e.to_string()), quick.is_ok()))
        },
    ));
    assert_eq!(
        sched.join(waiter).unwrap(),
        (Err("timed out after 5ms".to_string()), true)
    );
    assert_eq!(*log.borrow(), ["slow recv closed"]);
    sched.run().unwrap();
    assert_eq!(sched.stats().alive, 0, "the timer's task is gone too");
}

#[test]
fn killing_a_racing_task_kills_its_second_contestant() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let chan: Channel<&'static str> = Channel::bounded(1);
    let mut sched = Scheduler::new();
    let (rx, out) = (chan.clone(), log.clone());
    let racer = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let won = yield_from!(race(
                sleep(Duration::from_secs(3600)),
                recv_or_log(rx.clone(), out.clone(), "rival")
            ))?;
            Ok(won.right())
        },
    ));
    sched.run_once();
    sched.run_once();
    assert_eq!(sched.stats().alive, 2);
    assert!(sched.kill(racer.id()));
    assert_eq!(*log.borrow(), ["rival closed"]);
    assert_eq!(sched.stats().alive, 0);
    chan.try_send("nobody steals this").unwrap();
    assert_eq!(chan.len(), 1);
}

#[test]
fn a_race_abandoned_by_an_outer_timeout_leaves_no_waiter_behind() {
    // The inner race's rival waits on the bell; the outer timeout gives the inner race up
    // while that rival is parked. A later message must reach the task's next plain `recv`.
    let bell: Channel<&'static str> = Channel::bounded(1);
    let mut sched = Scheduler::simulated(1);
    let rx = bell.clone();
    let receiver = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let inner = race(sleep(Duration::from_millis(10)), rx.recv());
            let first = yield_from!(timeout(Duration::from_millis(1), inner))?;
            assert!(first.is_err(), "the outer timeout ran out first");
            Ok(yield_from!(rx.recv())?)
        },
    ));
    let tx = bell.clone();
    sched
        .spawn(Co::new(
            #[coroutine]
            move |_: TaskResume| {
                yield_from!(sleep(Duration::from_millis(5)))?;
                yield_from!(tx.send("ring"))??;
                Ok(())
            },
        ))
        .detach();
    assert_eq!(sched.join(receiver).unwrap(), Some("ring"));
    sched.run().unwrap();
    assert_eq!(sched.stats().alive, 0, "the abandoned rival is gone too");
}

#[test]
fn a_channel_is_send_and_sync() {
    fn shared_across_threads<T: Send + Sync>(_: &T) {}
    shared_across_threads(&Channel::<String>::bounded(1));
}

/// Another thread `try_send`s into a channel whose receiver is parked on a one-thread
/// scheduler: the scheduler carries the wake out at the end of a round (a ticking task keeps it
/// running meanwhile).
#[test]
fn try_send_from_another_thread_wakes_a_task_parked_on_one_thread() {
    let chan: Channel<u32> = Channel::bounded(1);
    let mut sched = Scheduler::new();
    let rx = chan.clone();
    let got = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = got.clone();
    let received = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            let message = yield_from!(rx.recv())?;
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(message)
        },
    ));
    let ticker = sched.spawn(Co::new(
        #[coroutine]
        move |_: TaskResume| {
            // A guard against a hang, not a measure: far more ticks than the send needs.
            for _ in 0..60_000 {
                if got.load(std::sync::atomic::Ordering::SeqCst) {
                    return Ok(true);
                }
                yield_from!(sleep(Duration::from_millis(1)))?;
            }
            Ok(false)
        },
    ));
    let other = std::thread::spawn(move || {
        // Repeats until the channel takes it (the receiver may not have parked yet).
        while chan.try_send(42).is_err() {
            std::thread::yield_now();
        }
    });
    assert_eq!(sched.join(received).unwrap(), Some(42));
    assert!(sched.join(ticker).unwrap(), "the receiver was never woken");
    other.join().unwrap();
}
