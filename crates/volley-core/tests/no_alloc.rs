//! Case 49 of docs/semantics.md, the structural half: driving a coroutine allocates nothing. A
//! counting global allocator watches `start`, `send`, `throw`, `close` and iteration on inline
//! bodies.
#![feature(coroutines)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use volley_core::{co_yield, Co, Exit, Resume, Step};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    f();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn c49_driving_an_inline_coroutine_allocates_nothing() {
    let count = allocations_during(|| {
        let mut co = Co::new(
            #[coroutine]
            |_: Resume<u64, u8>| {
                let mut total = 0u64;
                loop {
                    match co_yield!(total) {
                        Ok(v) => total += v,
                        Err(Exit::Raised(_)) => total = 0,
                        Err(Exit::Closed) => return Ok(total),
                    }
                }
            },
        );
        assert_eq!(co.start(), Ok(Step::Yield(0)));
        for i in 0..10_000 {
            assert!(co.send(i).is_ok());
        }
        assert_eq!(co.throw(1), Ok(Step::Yield(0)));
        assert_eq!(co.close(), Ok(Some(0)));

        let squares = Co::new(
            #[coroutine]
            |_: Resume<(), Infallible>| {
                for i in 0..1000u64 {
                    co_yield!(i * i)?;
                }
                Ok(())
            },
        );
        assert_eq!(squares.into_iter().count(), 1000);
    });
    assert_eq!(count, 0);
}
