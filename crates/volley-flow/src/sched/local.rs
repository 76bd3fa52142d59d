//! Values that stay on their thread while a system call carries a ticket for them, so that a
//! [`Syscall`](super::Syscall) is `Send` (and so is a task body that yields it) although what
//! a spawn or a custom call hands over is `Rc`-shared. The scheduler (or tokio's driver) that
//! receives the call takes the value back on the same thread, right after the resume that
//! yielded it. A ticket taken on another thread finds nothing; a ticket dropped unused drops
//! its value (on its own thread; elsewhere the value waits for the thread's end).

use super::entry::Erased;
use slab::Slab;
use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One thread's stash: a tag telling threads apart, new tasks, and other values.
struct Stash {
    tag: u64,
    tasks: Slab<Rc<dyn Erased>>,
    values: Slab<Box<dyn Any>>,
}

/// Tags threads; 0 is "not yet tagged".
static NEXT_TAG: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static STASH: RefCell<Stash> = const {
        RefCell::new(Stash {
            tag: 0,
            tasks: Slab::new(),
            values: Slab::new(),
        })
    };
}

impl Stash {
    fn tag(&mut self) -> u64 {
        if self.tag == 0 {
            self.tag = NEXT_TAG.fetch_add(1, Ordering::Relaxed);
        }
        self.tag
    }
}

/// Runs `f` on this thread's stash (`None` while the thread is being torn down, or re-entered).
#[inline]
fn with_stash<R>(f: impl FnOnce(&mut Stash) -> R) -> Option<R> {
    STASH
        .try_with(|stash| stash.try_borrow_mut().ok().map(|mut s| f(&mut s)))
        .ok()
        .flatten()
}

/// A new task left on its thread: what [`NewTask`](super::task::NewTask) carries.
pub(crate) struct LocalTask {
    key: usize,
    /// 0 once taken.
    tag: u64,
}

impl LocalTask {
    /// Leaves `task` in this thread's stash.
    #[inline]
    pub(crate) fn new(task: Rc<dyn Erased>) -> Self {
        match with_stash(move |stash| (stash.tasks.insert(task), stash.tag())) {
            Some((key, tag)) => LocalTask { key, tag },
            // No stash (thread teardown): the task is dropped, and the ticket finds nothing.
            None => LocalTask { key: 0, tag: 0 },
        }
    }

    /// Takes the task back: `None` on another thread.
    #[inline]
    pub(crate) fn take(mut self) -> Option<Rc<dyn Erased>> {
        self.take_mut()
    }

    fn take_mut(&mut self) -> Option<Rc<dyn Erased>> {
        let (key, tag) = (self.key, std::mem::replace(&mut self.tag, 0));
        if tag == 0 {
            return None;
        }
        with_stash(|stash| {
            if stash.tag == tag {
                stash.tasks.try_remove(key)
            } else {
                None
            }
        })
        .flatten()
    }

    /// Calls `f` with the task, on its thread.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&dyn Erased) -> R) -> Option<R> {
        let (key, tag) = (self.key, self.tag);
        let task = with_stash(|stash| {
            (tag != 0 && stash.tag == tag)
                .then(|| stash.tasks.get(key).cloned())
                .flatten()
        })
        .flatten()?;
        Some(f(&*task))
    }
}

impl Drop for LocalTask {
    fn drop(&mut self) {
        drop(self.take_mut());
    }
}

/// Any other value left on its thread (a custom call's request, the slot of its answer).
pub(crate) struct Local<T: 'static> {
    key: usize,
    /// 0 once taken.
    tag: u64,
    value: PhantomData<fn() -> T>,
}

impl<T: 'static> Local<T> {
    /// Leaves `value` in this thread's stash.
    pub(crate) fn new(value: T) -> Self {
        let boxed: Box<dyn Any> = Box::new(value);
        match with_stash(|stash| (stash.values.insert(boxed), stash.tag())) {
            Some((key, tag)) => Local {
                key,
                tag,
                value: PhantomData,
            },
            None => Local {
                key: 0,
                tag: 0,
                value: PhantomData,
            },
        }
    }

    /// Takes the value back: `None` on another thread.
    pub(crate) fn take(mut self) -> Option<T> {
        self.take_mut()
    }

    fn take_mut(&mut self) -> Option<T> {
        let (key, tag) = (self.key, std::mem::replace(&mut self.tag, 0));
        if tag == 0 {
            return None;
        }
        let boxed = with_stash(|stash| {
            if stash.tag == tag {
                stash.values.try_remove(key)
            } else {
                None
            }
        })
        .flatten()?;
        boxed.downcast::<T>().ok().map(|value| *value)
    }

    /// Calls `f` with the value, on its thread.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        let (key, tag) = (self.key, self.tag);
        with_stash(|stash| {
            if tag == 0 || stash.tag != tag {
                return None;
            }
            stash.values.get(key)?.downcast_ref::<T>().map(f)
        })
        .flatten()
    }
}

impl<T: 'static> Drop for Local<T> {
    fn drop(&mut self) {
        drop(self.take_mut());
    }
}
