// docs/semantics.md, case 31: a running coroutine cannot be resumed from inside itself: the
// body would have to borrow its own handle, and the handle cannot be installed while it lives.
#![feature(coroutines)]
use std::convert::Infallible;
use volley_core::{co_yield, BoxCo, Co, Resume};

fn main() {
    let mut slot: Option<BoxCo<'_, (), i32, (), Infallible>> = None;
    let co: BoxCo<'_, (), i32, (), Infallible> = Co::boxed(
        #[coroutine]
        |_: Resume<(), Infallible>| {
            if let Some(me) = slot.as_mut() {
                let _ = me.send(());
            }
            co_yield!(1)?;
            Ok(())
        },
    );
    slot = Some(co);
    slot.as_mut().unwrap().start().unwrap();
}
