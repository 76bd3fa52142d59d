//! Every lazy value the scheduler hands out warns when dropped unused; here the warnings are
//! denied, so each line below is an error.
#![feature(coroutines, stmt_expr_attributes)]
#![deny(unused_must_use)]

use volley_core::Co;
use volley_flow::sched::net::{read, UnixStream};
use volley_flow::sched::sync::Channel;
use volley_flow::sched::task::yield_now;
use volley_flow::sched::time::sleep;
use volley_flow::sched::{spawn, Scheduler, TaskResume};

fn main() {
    let chan = Channel::bounded(1);
    chan.send(1);
    chan.recv();
    yield_now();
    sleep(std::time::Duration::from_millis(1));
    let (a, _b) = UnixStream::pair().unwrap();
    let mut buf = [0u8; 4];
    read(&a, &mut buf);
    spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())));
    let mut sched = Scheduler::new();
    sched.spawn(Co::new(#[coroutine] |_: TaskResume| Ok(())));
}
