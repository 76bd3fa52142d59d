//! A frame scheduler, as game engines run coroutines, built on Volley's scheduler with custom
//! system calls and no change to the crate: `cargo run --release --example frames`.
//!
//! Each task is an entity's script. `wait_frames(n)` is a custom system call: its handler
//! parks the task on the wait list of frame `now + n`; `frame()` answers the current frame
//! number. The game loop outside the scheduler advances the frame, wakes that frame's list
//! with `Scheduler::wake`, and runs rounds until no task is ready: every entity due this
//! frame runs once, in the order it went to sleep. Killing an entity runs its cleanup, as a
//! despawn should. Prints:
//!
//! ```text
//! frame 0: ship spawned at x=0
//! frame 0: beacon on
//! frame 1: ship at x=1
//! frame 2: beacon off
//! frame 2: ship at x=2
//! frame 3: director spawns an explosion
//! frame 3: ship at x=3
//! frame 3: explosion 3 frames left
//! frame 4: beacon on
//! frame 4: ship at x=4
//! frame 4: explosion 2 frames left
//! frame 5: ship at x=5
//! frame 5: explosion 1 frames left
//! frame 6: beacon off
//! frame 6: ship at x=6
//! frame 6: explosion done
//! frame 6: director despawns the ship
//! frame 6: ship despawned at x=6
//! frame 8: beacon on
//! ```
#![feature(coroutines)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use volley::sched::sync::WaitList;
use volley::sched::task::{call, Handled};
use volley::sched::{spawn, Scheduler, TaskBody, TaskCall, TaskResult, TaskResume};
use volley::{yield_from, Co, Exit};

/// The custom call: park until `n` frames from now (0: later this frame is not possible, so
/// it means the next frame).
struct WaitFrames(u64);

/// The custom call: the current frame number.
struct Frame;

/// Waits for `n` frames.
fn wait_frames(n: u64) -> impl TaskCall<()> {
    call(WaitFrames(n))
}

/// The current frame.
fn frame() -> impl TaskCall<u64> {
    call(Frame)
}

/// What the handlers share with the game loop: the frame counter and a wait list per future
/// frame.
#[derive(Default)]
struct Frames {
    now: u64,
    due: BTreeMap<u64, WaitList>,
}

/// Prints a line tagged with the frame.
fn say(frame: u64, what: impl std::fmt::Display) {
    println!("frame {frame}: {what}");
}

/// Moves one step per frame, forever; says where it stopped when despawned.
fn ship() -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        |_: TaskResume| -> TaskResult {
            let mut x = 0;
            let mut seen = yield_from!(frame())?;
            say(seen, "ship spawned at x=0");
            loop {
                if let Err(exit) = yield_from!(wait_frames(1)) {
                    // A despawn closes the script here: no more system calls, just cleanup.
                    if matches!(exit, Exit::Closed) {
                        say(seen, format!("ship despawned at x={x}"));
                    }
                    return Err(exit);
                }
                x += 1;
                seen = yield_from!(frame())?;
                say(seen, format!("ship at x={x}"));
            }
        },
    )
    .named("ship")
}

/// Blinks every two frames, for ten frames.
fn beacon() -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        |_: TaskResume| {
            for on in [true, false].into_iter().cycle().take(5) {
                say(
                    yield_from!(frame())?,
                    if on { "beacon on" } else { "beacon off" },
                );
                yield_from!(wait_frames(2))?;
            }
            Ok(())
        },
    )
    .named("beacon")
}

/// Lasts three frames.
fn explosion() -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        |_: TaskResume| {
            for left in (1..=3).rev() {
                say(
                    yield_from!(frame())?,
                    format!("explosion {left} frames left"),
                );
                yield_from!(wait_frames(1))?;
            }
            say(yield_from!(frame())?, "explosion done");
            Ok(())
        },
    )
    .named("explosion")
}

/// Spawns an explosion at frame 3 and despawns the ship when the explosion is over.
fn director(ship: volley::sched::JoinHandle<()>) -> Co<impl TaskBody> {
    Co::new(
        #[coroutine]
        move |_: TaskResume| {
            yield_from!(wait_frames(3))?;
            say(yield_from!(frame())?, "director spawns an explosion");
            let boom = yield_from!(spawn(explosion()))?;
            yield_from!(boom.join())??;
            say(yield_from!(frame())?, "director despawns the ship");
            yield_from!(ship.kill())?;
            Ok(())
        },
    )
    .named("director")
}

fn main() {
    let frames = Rc::new(RefCell::new(Frames::default()));
    let mut sched = Scheduler::new();
    let state = frames.clone();
    sched.on_call(move |_, WaitFrames(n)| {
        let mut state = state.borrow_mut();
        let at = state.now + n.max(1);
        Handled::Park(state.due.entry(at).or_default().clone())
    });
    let state = frames.clone();
    sched.on_call(move |_, Frame| Handled::reply(state.borrow().now));

    let ship = sched.spawn(ship());
    sched.spawn(beacon()).detach();
    sched.spawn(director(ship)).detach();
    for now in 0..12 {
        let due = {
            let mut state = frames.borrow_mut();
            state.now = now;
            state.due.remove(&now)
        };
        if let Some(list) = due {
            sched.wake(&list, true);
        }
        // One round: everything due this frame runs once. Tasks spawned this frame run in
        // the same round's wake-up (they are queued behind), so run until nothing is ready.
        while sched.has_ready() {
            sched.run_once();
        }
    }
    assert_eq!(
        sched.stats().alive,
        0,
        "every entity finished or was despawned"
    );
}
